//! The files `check` writes (`--output`, `--record`) and standard output: never one of the
//! inputs, never a stale or partial file that looks like a finished run, and a reader
//! that stops early (`| head`) does not cut the files short or change the exit status.

use std::fs::{self, File, Metadata};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::CheckArgs;
use crate::load::rule_files;

/// Why a file `check` would write must not be written, when it must not.
pub(super) fn refused(args: &CheckArgs, waivers: Option<&Path>) -> Option<String> {
    let written: Vec<(&str, &Path)> = [("--output", &args.output), ("--record", &args.record)]
        .into_iter()
        .filter_map(|(flag, path)| Some((flag, path.as_deref()?)))
        .collect();
    if written.is_empty() {
        return None;
    }
    if let [(_, output), (_, record)] = written[..] {
        if absolute(output) == absolute(record) {
            return Some(format!(
                "--output and --record both name {}",
                output.display()
            ));
        }
    }
    if args.reports.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        return Some("standard input (`-`) is named twice among the reports".to_owned());
    }
    let inputs = inputs(args, waivers);
    let directories: Vec<PathBuf> = args
        .reports
        .iter()
        .filter(|path| path.is_dir())
        .filter_map(|path| absolute(path))
        .collect();
    for (flag, path) in written {
        if path.as_os_str() == "-" {
            return Some(format!(
                "{flag} -: standard output is where the format goes without {flag}"
            ));
        }
        let shown = path.display();
        if let Ok(target) = fs::metadata(path) {
            if let Some((what, _)) = inputs.iter().find(|(_, input)| same_file(&target, input)) {
                return Some(format!(
                    "{flag} {shown} is {what}; writing it would destroy the input"
                ));
            }
        }
        let inside =
            absolute(path).is_some_and(|path| directories.iter().any(|dir| path.starts_with(dir)));
        if inside {
            return Some(format!(
                "{flag} {shown} is inside a directory of reports being checked; write it elsewhere"
            ));
        }
    }
    None
}

/// Every file the run reads, with what it is to the run.
fn inputs(args: &CheckArgs, waivers: Option<&Path>) -> Vec<(&'static str, Metadata)> {
    const REPORT: &str = "one of the reports being checked";
    let mut paths: Vec<(&str, PathBuf)> = rule_files(&args.rules)
        .unwrap_or_default()
        .into_iter()
        .map(|file| ("a rule file", file))
        .collect();
    paths.extend(waivers.map(|path| ("the waivers file", path.to_path_buf())));
    paths.extend(
        args.prior
            .iter()
            .map(|path| ("a --prior report", path.clone())),
    );
    let mut found = Vec::new();
    for path in &args.reports {
        if path.as_os_str() == "-" {
            found.extend(stdin_metadata().map(|stdin| ("standard input", stdin)));
        } else if path.is_dir() {
            let files = crate::report::directory(path).unwrap_or_default();
            paths.extend(files.into_iter().map(|file| (REPORT, file)));
        } else {
            paths.push((REPORT, path.clone()));
        }
    }
    for (what, path) in paths {
        found.extend(fs::metadata(path).ok().map(|metadata| (what, metadata)));
    }
    found
}

#[cfg(unix)]
fn stdin_metadata() -> Option<Metadata> {
    use std::os::fd::AsFd;
    let stdin = io::stdin();
    let fd = stdin.as_fd().try_clone_to_owned().ok()?;
    File::from(fd).metadata().ok()
}

#[cfg(not(unix))]
fn stdin_metadata() -> Option<Metadata> {
    None
}

/// Whether two metadata are of one file (a hard link, a symlink's target, another spelling).
#[cfg(unix)]
fn same_file(a: &Metadata, b: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.is_file() && a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(a: &Metadata, b: &Metadata) -> bool {
    // Without inode numbers, the best test at hand: same size, same modification time.
    a.is_file() && a.len() == b.len() && a.modified().ok() == b.modified().ok()
}

/// A path made absolute and, where it exists, canonical (for a file not yet created, its
/// directory canonical and its name kept).
fn absolute(path: &Path) -> Option<PathBuf> {
    if let Ok(canonical) = path.canonicalize() {
        return Some(canonical);
    }
    let name = path.file_name()?;
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.canonicalize().ok()?,
        _ => std::env::current_dir().ok()?,
    };
    Some(parent.join(name))
}

/// Remove what an earlier run left at a path this run will write, so a run that fails
/// before writing leaves no file that looks like its result.
/// Only a regular file is removed: a device (`/dev/null`), a pipe or a terminal is where
/// the output goes, not a result of an earlier run.
pub(super) fn remove_stale(path: &Path) -> io::Result<()> {
    if !fs::symlink_metadata(path).is_ok_and(|metadata| metadata.is_file()) {
        return Ok(());
    }
    match fs::remove_file(path) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => Err(io::Error::new(
            error.kind(),
            format!("{}: {error}", path.display()),
        )),
        _ => Ok(()),
    }
}

/// A file written beside its final name and moved there once complete: a run that stops
/// part way leaves nothing at the name. What is not a regular file (`/dev/null`, a named
/// pipe, `/dev/stdout`) is written in place: it is a destination, not a file to replace.
pub(super) struct Staged {
    path: PathBuf,
    /// Where the bytes go until the end; `None` when they go to `path` itself.
    temporary: Option<PathBuf>,
    file: Option<BufWriter<File>>,
}

impl Staged {
    /// Start writing what will become `path`.
    pub(super) fn create(path: &Path) -> io::Result<Staged> {
        let named =
            |error: io::Error| io::Error::new(error.kind(), format!("{}: {error}", path.display()));
        let special = fs::metadata(path).is_ok_and(|metadata| !metadata.is_file());
        if special {
            let file = fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(named)?;
            return Ok(Staged {
                path: path.to_path_buf(),
                temporary: None,
                file: Some(BufWriter::with_capacity(1 << 20, file)),
            });
        }
        let name = path.file_name().map_or_else(
            || "output".into(),
            |name| name.to_string_lossy().into_owned(),
        );
        let temporary = path.with_file_name(format!(".{name}.{}.partial", std::process::id()));
        let file = File::create(&temporary).map_err(named)?;
        Ok(Staged {
            path: path.to_path_buf(),
            temporary: Some(temporary),
            file: Some(BufWriter::with_capacity(1 << 20, file)),
        })
    }

    /// The file is complete: move it to its name.
    pub(super) fn finish(mut self) -> io::Result<()> {
        if let Some(mut file) = self.file.take() {
            file.flush()?;
            if let Some(temporary) = &self.temporary {
                fs::rename(temporary, &self.path).map_err(|error| {
                    io::Error::new(error.kind(), format!("{}: {error}", self.path.display()))
                })?;
            }
        }
        Ok(())
    }
}

impl Write for Staged {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match &mut self.file {
            Some(file) => file.write(bytes),
            None => Ok(bytes.len()),
        }
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match &mut self.file {
            Some(file) => file.write_all(bytes),
            None => Ok(()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(file) => file.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let (Some(_), Some(temporary)) = (self.file.take(), &self.temporary) {
            let _ = fs::remove_file(temporary);
        }
    }
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
