//! The files `check` writes (`--output`, `--record`) and standard output: never one of the
//! inputs (the library's [`WriteGuard`]), never a stale or partial file that looks like a
//! finished run ([`Staged`](crossfoot_core::files::Staged)), and a reader that stops early
//! (`| head`) does not cut the files short or change the exit status.

use std::io::{self, Write};
use std::path::Path;

use super::CheckArgs;
use crossfoot_core::files::{Role, WriteGuard, absolute};

/// Why a file `check` would write must not be written, when it must not: decided before
/// anything is read or written.
pub(super) fn refused(args: &CheckArgs, waivers: Option<&Path>) -> Option<String> {
    let written: Vec<(&str, &Path)> = [("--output", &args.output), ("--record", &args.record)]
        .into_iter()
        .filter_map(|(flag, path)| Some((flag, path.as_deref()?)))
        .collect();
    if written.is_empty() {
        return None;
    }
    if args.reports.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        return Some("standard input (`-`) is named twice among the reports".to_owned());
    }
    if let [(_, output), (_, record)] = written[..] {
        if absolute(output) == absolute(record) {
            return Some(format!(
                "--output and --record both name {}",
                output.display()
            ));
        }
    }
    let mut guard = WriteGuard::new();
    guard.rules(
        &args.rules,
        &[
            crossfoot_core::waiver::FILE_NAME,
            crossfoot_core::pack::FILE_NAME,
        ],
    );
    if let Some(waivers) = waivers {
        guard.waivers(waivers);
    }
    guard.reports(Role::Report, &args.reports);
    guard.reports(Role::Prior, &args.prior);
    written
        .into_iter()
        .find_map(|(flag, path)| guard.refused(flag, path))
}

/// Standard output that, once its reader has gone (`crossfoot check … | head`), takes
/// what is written and drops it: the run goes on to its end, so the files it writes are
/// whole and its exit status is the run's.
pub(super) struct Pipe<W> {
    inner: W,
    closed: bool,
}

impl<W: Write> Pipe<W> {
    /// `inner`, until its reader goes.
    pub(super) fn new(inner: W) -> Self {
        Pipe {
            inner,
            closed: false,
        }
    }

    fn closed<T>(&mut self, result: io::Result<T>, written: T) -> io::Result<T> {
        match result {
            Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(written)
            }
            other => other,
        }
    }
}

impl<W: Write> Write for Pipe<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if self.closed {
            return Ok(bytes.len());
        }
        let result = self.inner.write(bytes);
        self.closed(result, bytes.len())
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let result = self.inner.write_all(bytes);
        self.closed(result, ())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let result = self.inner.flush();
        self.closed(result, ())
    }
}
