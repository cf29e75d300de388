//! The one guard between crossfoot and the file system.
//!
//! Every file crossfoot reads is opened by [`open_regular`]: a FIFO, a device, a socket or
//! a directory is refused with a diagnostic before it is opened, so nothing can make a
//! command wait forever (and a file swapped for a FIFO after the look is opened without
//! blocking and refused too). Every file a command writes (`check --output` and
//! `--record`, `doc --output`) is first put to a [`WriteGuard`] holding every input of
//! the run, and then written by [`Staged`]: beside its name, moved there once whole.

use std::fs::{self, File, Metadata};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use miette::Diagnostic;
use thiserror::Error;

use crossfoot_syntax::source::Source;

/// The largest rule file crossfoot reads (and `pack.yaml`, `waivers.yaml`).
pub const MAX_RULE_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// The largest report file crossfoot reads.
pub const MAX_REPORT_BYTES: u64 = 64 * 1024 * 1024;

/// A file that cannot be read as text.
#[derive(Debug, Error, Diagnostic)]
pub enum FileError {
    /// A path that does not exist or cannot be opened or read.
    #[error("cannot read `{path}`: {}", reason(error))]
    #[diagnostic(code(crossfoot::io))]
    Io {
        /// The path as given.
        path: String,
        /// What the operating system said. (Not the diagnostic's cause: its words are in
        /// the message already.)
        error: io::Error,
    },

    /// A directory, a FIFO, a device or a socket where a file goes ([`open_regular`]).
    #[error("cannot read `{path}`: {reason}")]
    #[diagnostic(code(crossfoot::io))]
    NotRegular {
        /// The path as given.
        path: String,
        /// `it is a directory` or `it is not a regular file`.
        reason: &'static str,
    },

    /// A file that is not UTF-8 text.
    #[error("`{path}` is not UTF-8 text")]
    #[diagnostic(
        code(crossfoot::encoding),
        help("save the file as UTF-8 (a byte-order mark and CRLF line endings are fine)")
    )]
    NotUtf8 {
        /// The path as given.
        path: String,
    },

    /// A file larger than crossfoot reads.
    #[error("`{path}` is {size} bytes; the limit is {limit} bytes")]
    #[diagnostic(code(crossfoot::too_large))]
    TooLarge {
        /// The path as given.
        path: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
}

impl FileError {
    /// Why the file could not be opened or read, in words (`no such file or directory`,
    /// `it is a directory`); `None` for a file that was read but cannot be used.
    pub fn reason(&self) -> Option<String> {
        match self {
            FileError::Io { error, .. } => Some(reason(error)),
            FileError::NotRegular { reason, .. } => Some((*reason).to_owned()),
            FileError::NotUtf8 { .. } | FileError::TooLarge { .. } => None,
        }
    }
}

/// Open a file to read, refusing what is not a regular file: a directory, a FIFO (which
/// would block until something writes to it), a device such as `/dev/zero` (which never
/// ends) or a socket. Links are followed.
pub fn open_regular(path: &Path) -> Result<File, FileError> {
    let refuse = |reason: &'static str| FileError::NotRegular {
        path: path.display().to_string(),
        reason,
    };
    let io = |error: io::Error| io_error(path, error);
    // Look before opening: opening a FIFO would block until something writes to it.
    let metadata = fs::metadata(path).map_err(io)?;
    if let Some(reason) = not_regular(&metadata) {
        return Err(refuse(reason));
    }
    let file = open_nonblocking(path).map_err(io)?;
    // What was opened is what was looked at: not a FIFO put in its place since.
    let opened = file.metadata().map_err(io)?;
    if let Some(reason) = not_regular(&opened) {
        return Err(refuse(reason));
    }
    Ok(file)
}

/// Why a file is not one crossfoot reads, or `None` for a regular file.
fn not_regular(metadata: &Metadata) -> Option<&'static str> {
    if metadata.is_file() {
        None
    } else if metadata.is_dir() {
        Some("it is a directory")
    } else {
        Some("it is not a regular file")
    }
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // A regular file reads the same without blocking; anything else is refused after.
    fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    File::open(path)
}

/// What an input is to the run, as a refusal names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A rule file, or a file read from a rules directory (a test, a report a test names).
    Rules,
    /// The waivers file.
    Waivers,
    /// A report being checked.
    Report,
    /// A previous report (`--prior`).
    Prior,
    /// Standard input.
    Stdin,
}

impl Role {
    /// `a rule file`, `one of the reports being checked`, …
    fn file(self) -> &'static str {
        match self {
            Role::Rules => "a file of the rule set",
            Role::Waivers => "the waivers file",
            Role::Report => "one of the reports being checked",
            Role::Prior => "a --prior report",
            Role::Stdin => "standard input",
        }
    }
}

/// Every input of a run, to refuse a destination that is one of them or lies where the
/// inputs are read from: compared by device and inode (so a hard link, a symbolic link or
/// another spelling of a path is the same file) and by canonical directory.
#[derive(Debug, Default)]
pub struct WriteGuard {
    /// Each input file, with what it is.
    files: Vec<(Role, FileId)>,
    /// Directories every file of which is an input (reports, `--prior`), canonical.
    input_dirs: Vec<(Role, PathBuf)>,
    /// Rules directories, canonical: a file there that crossfoot would read (a rule file,
    /// waivers, tests, reports) would change the next run.
    rules_dirs: Vec<PathBuf>,
    /// `waivers.yaml` and `pack.yaml` beside a rule file given alone: they would be read
    /// with it.
    beside: Vec<PathBuf>,
}

/// A file's identity: its device and inode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FileId {
    device: u64,
    inode: u64,
}

impl FileId {
    #[cfg(unix)]
    fn of(metadata: &Metadata) -> Option<FileId> {
        use std::os::unix::fs::MetadataExt;
        Some(FileId {
            device: metadata.dev(),
            inode: metadata.ino(),
        })
    }

    #[cfg(not(unix))]
    fn of(_metadata: &Metadata) -> Option<FileId> {
        None
    }
}

/// The extensions of the files crossfoot reads from a rules directory: rule files, and the
/// YAML, JSON, JSON Lines and CSV files that are waivers, tests or the reports tests name.
const READ_FROM_RULES: [&str; 6] = ["xfoot", "yaml", "yml", "json", "jsonl", "csv"];

impl WriteGuard {
    /// A guard with no inputs yet.
    pub fn new() -> Self {
        WriteGuard::default()
    }

    /// A rule set: a rule file (and the files named `beside` next to it, which are read
    /// with it: `waiver::FILE_NAME`, `pack::FILE_NAME`), or a directory and every file under it crossfoot
    /// could read.
    pub fn rules(&mut self, path: &Path, beside: &[&str]) {
        if path.is_dir() {
            if let Ok(dir) = path.canonicalize() {
                self.rules_dirs.push(dir);
            }
            let readable = |file: &Path| {
                file.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| READ_FROM_RULES.contains(&e))
            };
            for file in files_under(path, readable).unwrap_or_default() {
                self.file(Role::Rules, &file);
            }
        } else {
            self.file(Role::Rules, path);
            let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
            for name in beside {
                let beside = dir.unwrap_or(Path::new(".")).join(name);
                self.beside.extend(absolute(&beside));
            }
        }
    }

    /// The waivers file.
    pub fn waivers(&mut self, path: &Path) {
        self.file(Role::Waivers, path);
    }

    /// Reports (or `--prior` reports): files, directories (every file under them), or `-`
    /// for standard input.
    pub fn reports(&mut self, role: Role, paths: &[PathBuf]) {
        for path in paths {
            if path.as_os_str() == "-" {
                if let Some(id) = stdin_id() {
                    self.files.push((Role::Stdin, id));
                }
            } else if path.is_dir() {
                if let Ok(dir) = path.canonicalize() {
                    self.input_dirs.push((role, dir));
                }
                for file in files_under(path, |_| true).unwrap_or_default() {
                    self.file(role, &file);
                }
            } else {
                self.file(role, path);
            }
        }
    }

    fn file(&mut self, role: Role, path: &Path) {
        let id = fs::metadata(path).ok().as_ref().and_then(FileId::of);
        self.files.extend(id.map(|id| (role, id)));
    }

    /// Why `flag` (`--output`, `--record`) may not write `path`, if it may not: standard
    /// output (`-`), a directory, an input of the run, a file inside a directory of
    /// reports, or a file the rule set would read.
    pub fn refused(&self, flag: &str, path: &Path) -> Option<String> {
        let shown = path.display();
        if path.as_os_str() == "-" {
            return Some(format!(
                "{flag} -: standard output is where the output goes without {flag}"
            ));
        }
        if let Ok(metadata) = fs::metadata(path) {
            if metadata.is_dir() {
                return Some(format!("{flag} {shown} is a directory"));
            }
            let id = FileId::of(&metadata);
            if let Some((role, _)) = self.files.iter().find(|(_, f)| Some(*f) == id) {
                return Some(format!(
                    "{flag} {shown} is {}; writing it would destroy the input",
                    role.file()
                ));
            }
        }
        let Some(place) = absolute(path) else {
            return Some(format!("{flag} {shown}: its directory cannot be read"));
        };
        if let Some((role, _)) = self.input_dirs.iter().find(|(_, d)| place.starts_with(d)) {
            let what = match role {
                Role::Prior => "a --prior directory",
                _ => "a directory of reports being checked",
            };
            return Some(format!(
                "{flag} {shown} is inside {what}; write it elsewhere"
            ));
        }
        let read_by_rules = place
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| READ_FROM_RULES.contains(&e));
        if read_by_rules && self.rules_dirs.iter().any(|d| place.starts_with(d)) {
            return Some(format!(
                "{flag} {shown} is inside the rules directory, where the next run would read it; write it elsewhere"
            ));
        }
        if self.beside.contains(&place) {
            return Some(format!(
                "{flag} {shown} is beside the rule file, where the next run would read it (as its waivers or its pack); write it elsewhere"
            ));
        }
        None
    }
}

#[cfg(unix)]
fn stdin_id() -> Option<FileId> {
    use std::os::fd::AsFd;
    let stdin = io::stdin();
    let fd = stdin.as_fd().try_clone_to_owned().ok()?;
    let metadata = File::from(fd).metadata().ok()?;
    // A pipe or a terminal cannot be written over; a file redirected in can.
    metadata.is_file().then(|| FileId::of(&metadata)).flatten()
}

#[cfg(not(unix))]
fn stdin_id() -> Option<FileId> {
    None
}

/// A path made absolute and, where it exists, canonical (for a file not yet created, its
/// directory canonical and its name kept).
pub fn absolute(path: &Path) -> Option<PathBuf> {
    if let Ok(canonical) = path.canonicalize() {
        return Some(canonical);
    }
    let name = path.file_name()?;
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.canonicalize().ok()?,
        _ => std::env::current_dir().ok()?.canonicalize().ok()?,
    };
    Some(parent.join(name))
}

/// Remove what an earlier run left at a path this run will write, so a run that fails
/// before writing leaves no file that looks like its result. Only a regular file is
/// removed: a device (`/dev/null`), a pipe or a terminal is where the output goes, not a
/// result of an earlier run.
pub fn remove_stale(path: &Path) -> io::Result<()> {
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
/// part way leaves nothing at the name, and a reader never sees half a file. A file
/// replaced keeps its permissions. What is not a regular file (`/dev/null`, a named pipe,
/// `/dev/stdout`) is written in place: it is a destination, not a file to replace.
#[derive(Debug)]
pub struct Staged {
    path: PathBuf,
    /// Where the bytes go until the end; `None` when they go to `path` itself.
    temporary: Option<PathBuf>,
    file: Option<BufWriter<File>>,
}

impl Staged {
    /// Start writing what will become `path`. A symbolic link there is replaced by the
    /// file, never written through: an output goes where it is named, not where a link
    /// planted there points.
    pub fn create(path: &Path) -> io::Result<Staged> {
        Staged::start(path, false)
    }

    /// Start writing the new text of an existing file (`fmt`): through a symbolic link to
    /// the file it names, so the link stays a link.
    pub fn rewrite(path: &Path) -> io::Result<Staged> {
        Staged::start(path, true)
    }

    fn start(path: &Path, through_links: bool) -> io::Result<Staged> {
        let named =
            |error: io::Error| io::Error::new(error.kind(), format!("{}: {error}", path.display()));
        let existing = fs::metadata(path).ok();
        if existing
            .as_ref()
            .is_some_and(|metadata| !metadata.is_file())
        {
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
        let target = match &existing {
            Some(_) if through_links => path.canonicalize().map_err(named)?,
            _ => path.to_path_buf(),
        };
        let kept = if through_links {
            existing
        } else {
            fs::symlink_metadata(path)
                .ok()
                .filter(|metadata| metadata.is_file())
        };
        let (temporary, file) = temporary_beside(&target).map_err(named)?;
        if let Some(metadata) = &kept {
            // A file replaced keeps its permissions (a private file stays private).
            let _ = file.set_permissions(metadata.permissions());
        }
        Ok(Staged {
            path: target,
            temporary: Some(temporary),
            file: Some(BufWriter::with_capacity(1 << 20, file)),
        })
    }

    /// The file is complete: move it to its name.
    pub fn finish(mut self) -> io::Result<()> {
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

/// A new file beside `path`, named after it: created new (never an existing file or link
/// opened), with another name when one is taken.
fn temporary_beside(path: &Path) -> io::Result<(PathBuf, File)> {
    let name = path.file_name().map_or_else(
        || "output".into(),
        |name| name.to_string_lossy().into_owned(),
    );
    let mut attempt = 0;
    loop {
        let temporary =
            path.with_file_name(format!(".{name}.{}.{attempt}.partial", std::process::id()));
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)
        {
            Ok(file) => return Ok((temporary, file)),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1;
            }
            Err(error) => return Err(error),
        }
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

/// The files under a directory, recursively, that `keep` accepts, sorted. A directory or
/// entry that cannot be read is an error naming it: passing over it would drop reports
/// (or tests) without a word. [`Walk::strict`].
pub fn files_under(path: &Path, keep: impl Fn(&Path) -> bool) -> Result<Vec<PathBuf>, FileError> {
    let found = Walk::strict().files(path, keep)?;
    Ok(found.unwrap_or_default())
}

/// The one directory walker, in one of two modes. Strict (every command): what cannot be
/// read is an error. Tolerant (the language server, which shows what it can while a
/// user edits): what cannot be read is passed over, and a walk that meets more than a
/// number of entries stops, so a file opened in a home directory does not make it read
/// the whole disk.
#[derive(Clone, Copy, Debug)]
pub struct Walk {
    tolerant: bool,
    max_entries: usize,
    recursive: bool,
}

impl Walk {
    /// Every file under the directory; anything that cannot be read is an error.
    pub fn strict() -> Walk {
        Walk {
            tolerant: false,
            max_entries: usize::MAX,
            recursive: true,
        }
    }

    /// What can be read under the directory, looking through at most `max_entries`
    /// directory entries.
    pub fn tolerant(max_entries: usize) -> Walk {
        Walk {
            tolerant: true,
            max_entries,
            recursive: true,
        }
    }

    /// The same walk, through the directory's own entries only, however many.
    pub fn shallow(self) -> Walk {
        Walk {
            recursive: false,
            max_entries: usize::MAX,
            ..self
        }
    }

    /// The files under `path` that `keep` accepts, sorted; `None` when the walk met more
    /// entries than it may look through.
    pub fn files(
        &self,
        path: &Path,
        keep: impl Fn(&Path) -> bool,
    ) -> Result<Option<Vec<PathBuf>>, FileError> {
        let mut found = Vec::new();
        let mut pending = vec![path.to_path_buf()];
        let mut seen = 0usize;
        while let Some(dir) = pending.pop() {
            let entries = match fs::read_dir(&dir) {
                Ok(entries) => entries,
                Err(_) if self.tolerant => continue,
                Err(error) => return Err(io_error(&dir, error)),
            };
            for entry in entries {
                seen += 1;
                if seen > self.max_entries {
                    return Ok(None);
                }
                let (path, kind) = match entry.and_then(|e| Ok((e.path(), e.file_type()?))) {
                    Ok(found) => found,
                    Err(_) if self.tolerant => continue,
                    Err(error) => return Err(io_error(&dir, error)),
                };
                if kind.is_dir() {
                    if self.recursive {
                        pending.push(path);
                    }
                } else if keep(&path) {
                    found.push(path);
                }
            }
        }
        found.sort();
        Ok(Some(found))
    }
}

/// A failed read of `path`, keeping what the operating system said.
pub(crate) fn io_error(path: &Path, error: io::Error) -> FileError {
    FileError::Io {
        path: path.display().to_string(),
        error,
    }
}

/// Read a text file: size-limited, UTF-8, a byte-order mark dropped. What is not a
/// regular file is refused without being opened ([`open_regular`]).
pub fn read_source(path: &Path, limit: u64) -> Result<Source, FileError> {
    let file = open_regular(path)?;
    let size = file.metadata().map_or(0, |metadata| metadata.len());
    source_from(file, path.display().to_string(), limit, size)
}

/// A temporary file that only this process can reach and that is gone when it is closed
/// (on Linux it never has a name): where a run whose rules read previous reports keeps
/// its reports until every one is read. The one place crossfoot makes a file that is not
/// an output.
pub fn spill() -> io::Result<File> {
    tempfile::tempfile()
}

/// The name a text read from standard input goes by in diagnostics.
pub const STDIN_NAME: &str = "<stdin>";

/// Read standard input as a text named [`STDIN_NAME`], as [`read_source`] reads a file:
/// size-limited, UTF-8, a byte-order mark dropped.
pub fn read_stdin(limit: u64) -> Result<Source, FileError> {
    source_from(io::stdin().lock(), STDIN_NAME.to_owned(), limit, 0)
}

/// The text `reader` holds, named `name`; `size` is what the file system says it holds.
fn source_from(
    reader: impl Read,
    name: String,
    limit: u64,
    size: u64,
) -> Result<Source, FileError> {
    let mut bytes = Vec::new();
    reader
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| FileError::Io {
            path: name.clone(),
            error,
        })?;
    let text = text_of(bytes, &name, limit, size)?;
    Ok(Source::new(name, text))
}

/// A whole input's bytes as text: at most `limit` bytes, UTF-8, a byte-order mark
/// dropped. `size` is what the file system says the file holds, when that is more.
pub(crate) fn text_of(
    bytes: Vec<u8>,
    name: &str,
    limit: u64,
    size: u64,
) -> Result<String, FileError> {
    let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if read > limit {
        return Err(FileError::TooLarge {
            path: name.to_owned(),
            size: size.max(read),
            limit,
        });
    }
    let text = String::from_utf8(bytes).map_err(|_| FileError::NotUtf8 {
        path: name.to_owned(),
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    })
}

/// What went wrong with a file, in words.
pub fn reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_fifo_a_directory_and_a_device_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.yaml");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let reason = |path: &Path| match open_regular(path) {
            Err(error) => error.reason().unwrap(),
            other => panic!("{other:?}"),
        };
        assert_eq!(reason(&fifo), "it is not a regular file");
        assert_eq!(reason(dir.path()), "it is a directory");
        assert_eq!(reason(Path::new("/dev/zero")), "it is not a regular file");
        assert_eq!(
            reason(&dir.path().join("missing")),
            "no such file or directory"
        );
        std::fs::write(dir.path().join("a"), "x").unwrap();
        assert!(open_regular(&dir.path().join("a")).is_ok());
    }

    #[test]
    fn a_staged_file_appears_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        let mut staged = Staged::create(&path).unwrap();
        staged.write_all(b"half").unwrap();
        assert!(!path.exists());
        drop(staged);
        assert!(!path.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let mut staged = Staged::create(&path).unwrap();
        staged.write_all(b"whole").unwrap();
        staged.finish().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "whole");
    }

    #[cfg(unix)]
    #[test]
    fn a_rewritten_file_keeps_its_permissions_and_its_links() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pack.xfoot");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let link = dir.path().join("link.xfoot");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        let mut staged = Staged::rewrite(&link).unwrap();
        staged.write_all(b"new").unwrap();
        staged.finish().unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn an_output_replaces_a_link_planted_at_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere");
        std::fs::write(&elsewhere, "keep").unwrap();
        let out = dir.path().join("out.sarif");
        std::os::unix::fs::symlink(&elsewhere, &out).unwrap();
        let mut staged = Staged::create(&out).unwrap();
        staged.write_all(b"results").unwrap();
        staged.finish().unwrap();
        assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "keep");
        assert!(!std::fs::symlink_metadata(&out).unwrap().is_symlink());
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "results");
    }

    #[test]
    fn the_tolerant_walk_stops_and_the_shallow_walk_stays() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        for name in ["a.xfoot", "b.txt", "sub/c.xfoot"] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        let xfoot = |p: &Path| p.extension().is_some_and(|e| e == "xfoot");
        let names = |found: Option<Vec<PathBuf>>| -> Vec<String> {
            let found = found.unwrap();
            let under = |p: &PathBuf| p.strip_prefix(dir.path()).unwrap().display().to_string();
            found.iter().map(under).collect()
        };
        let all = Walk::tolerant(10).files(dir.path(), xfoot).unwrap();
        assert_eq!(names(all), ["a.xfoot", "sub/c.xfoot"]);
        assert_eq!(Walk::tolerant(3).files(dir.path(), xfoot).unwrap(), None);
        let own = Walk::tolerant(1)
            .shallow()
            .files(dir.path(), xfoot)
            .unwrap();
        assert_eq!(names(own), ["a.xfoot"]);
        // A directory that is not there: an error when strict, nothing when tolerant.
        let missing = dir.path().join("missing");
        assert!(Walk::strict().files(&missing, xfoot).is_err());
        assert_eq!(
            Walk::tolerant(10).files(&missing, xfoot).unwrap(),
            Some(vec![])
        );
    }

    #[test]
    fn a_directory_that_cannot_be_read_is_an_error() {
        let error = files_under(Path::new("Cargo.toml"), |_| true).unwrap_err();
        assert!(error.to_string().contains("Cargo.toml"), "{error}");
        let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules");
        assert!(files_under(&rules, |_| true).unwrap().len() > 3);
    }
}
