//! Reading rule sets and reports from disk.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::check::{self, Checked};
use crate::error::Error;
pub use crate::files::files_under;
use crate::files::io_error;
use crate::files::open_regular;
pub(crate) use crate::files::reason;
use crate::report::{self, Report};
use crate::source::Source;
use crate::syntax;

/// The largest rule file crossfoot reads.
pub const MAX_RULE_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// The largest report file crossfoot reads.
pub const MAX_REPORT_BYTES: u64 = 64 * 1024 * 1024;

/// Read, parse and check a rule set: one `.xfoot` file, or every `.xfoot` file under a
/// directory (recursively, in path order), with the warnings found. On failure, every
/// problem of every file.
pub fn load_rules(path: &Path) -> Result<Checked, Vec<Error>> {
    let paths = rule_files(path).map_err(|error| vec![error])?;
    let mut sources = Vec::with_capacity(paths.len());
    let mut errors = Vec::new();
    for path in paths {
        match read_source(&path, MAX_RULE_FILE_BYTES) {
            Ok(source) => sources.push(source),
            Err(error) => errors.push(error),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    check_sources(sources)
}

/// Parse and check rule files already read (for instance from git): every problem of
/// every file, or the checked set.
pub fn check_sources(sources: Vec<Source>) -> Result<Checked, Vec<Error>> {
    let mut files = Vec::with_capacity(sources.len());
    let mut errors = Vec::new();
    for source in sources {
        match syntax::parse(&source) {
            Ok(file) => files.push((source, file)),
            Err(found) => errors.extend(found.into_iter().map(Error::from)),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    check::check(files).map_err(|found| found.into_iter().map(Error::from).collect())
}

/// The rule files under `path` as committed at `revision`, read with the `git` command
/// from the current directory: `crossfoot diff main rules/`.
pub fn git_sources(revision: &str, path: &Path) -> Result<Vec<Source>, Error> {
    let fail = |reason: String| Error::Git {
        revision: revision.to_owned(),
        path: path.display().to_string(),
        reason,
    };
    if revision.starts_with('-') {
        return Err(fail("a revision cannot start with `-`".to_owned()));
    }
    // Run git where the path is, so it works from anywhere inside or outside the repository.
    let (dir, target) = if path.is_dir() {
        (path, Path::new("."))
    } else {
        match (path.parent(), path.file_name()) {
            (Some(parent), Some(name)) => (parent, Path::new(name)),
            _ => (Path::new("."), path),
        }
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let listing = git(
        dir,
        &["ls-tree", "-r", "-z", "--name-only", revision, "--"],
        target,
    )
    .map_err(&fail)?;
    let mut names: Vec<&str> = listing
        .split('\0')
        .filter(|name| name.ends_with(".xfoot"))
        .collect();
    names.sort_unstable();
    if names.is_empty() {
        return Err(fail("no `.xfoot` files there at that revision".to_owned()));
    }
    names
        .into_iter()
        .map(|name| {
            let text =
                git(dir, &["show"], Path::new(&format!("{revision}:./{name}"))).map_err(&fail)?;
            if u64::try_from(text.len()).unwrap_or(u64::MAX) > MAX_RULE_FILE_BYTES {
                return Err(fail(format!(
                    "`{name}` is larger than {MAX_RULE_FILE_BYTES} bytes"
                )));
            }
            Ok(Source::new(
                format!("{revision}:{}", dir.join(name).display()),
                text,
            ))
        })
        .collect()
}

/// Whether `revision` names a commit of the git repository that holds `near` (a file or
/// directory): `main`, `HEAD~1`, a hash. False when there is no git or no repository.
pub fn is_git_revision(revision: &str, near: &Path) -> bool {
    if revision.starts_with('-') || revision.is_empty() {
        return false;
    }
    let dir = if near.is_dir() {
        near
    } else {
        near.parent()
            .filter(|parent| !parent.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
    };
    git(
        dir,
        &["rev-parse", "--verify", "--quiet"],
        Path::new(&format!("{revision}^{{commit}}")),
    )
    .is_ok()
}

/// Run `git ARGS LAST` in `dir` and return its standard output as text.
fn git(dir: &Path, args: &[&str], last: &Path) -> Result<String, String> {
    let output = std::process::Command::new("git")
        .current_dir(dir)
        .args(args)
        .arg(last)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|error| format!("cannot run git: {error}"))?;
    if !output.status.success() {
        let said = String::from_utf8_lossy(&output.stderr);
        let first = said.trim().lines().next().unwrap_or("git failed");
        return Err(first.trim_start_matches("fatal: ").to_owned());
    }
    String::from_utf8(output.stdout).map_err(|_| "the file is not UTF-8 text".to_owned())
}

/// A YAML or JSON report file, whatever its name (`--input-format yaml` or `json` said so).
pub fn read_report(path: &Path) -> Result<Report, Vec<Error>> {
    read_report_meta(path).map_err(|(_, errors)| errors)
}

/// [`read_report`], and for a report that cannot be used, what could be read of its firm
/// and date.
pub(crate) fn read_report_meta(path: &Path) -> Result<Report, (report::Meta, Vec<Error>)> {
    let name = path.display().to_string();
    let source = read_source(path, MAX_REPORT_BYTES)
        .map_err(|error| (report::Meta::named(name), vec![error]))?;
    // YAML 1.2 reads JSON, so one reader serves both.
    report::load_yaml_meta(&source)
        .map_err(|(meta, found)| (meta, found.into_iter().map(Error::from).collect()))
}

/// The `.xfoot` files a rules path names, sorted: the file itself, or every `.xfoot` file
/// under a directory.
pub fn rule_files(path: &Path) -> Result<Vec<PathBuf>, Error> {
    let metadata = fs::metadata(path).map_err(|error| io_error(path, &error))?;
    if !metadata.is_dir() {
        if let Some(error) = not_rules(path) {
            return Err(error);
        }
        return Ok(vec![path.to_path_buf()]);
    }
    let mut found = Vec::new();
    let mut pending = vec![path.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = fs::read_dir(&dir).map_err(|error| io_error(&dir, &error))?;
        for entry in entries {
            let entry = entry.map_err(|error| io_error(&dir, &error))?;
            let path = entry.path();
            let kind = entry.file_type().map_err(|error| io_error(&path, &error))?;
            if kind.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "xfoot") {
                found.push(path);
            }
        }
    }
    if found.is_empty() {
        return Err(Error::NoRuleFiles {
            path: path.display().to_string(),
        });
    }
    found.sort();
    Ok(found)
}

/// Why a file given where rule files go is not one: a report, a whole-report test, a
/// waivers file or a spreadsheet (by its name, as [`report::InputFormat::of`] decides
/// what a report is). `None` for anything else, which is read as a rule file.
fn not_rules(path: &Path) -> Option<Error> {
    let name = path.file_name()?.to_str()?;
    let shown = path.display().to_string();
    let dir = match path.parent().map(|dir| dir.display().to_string()) {
        Some(dir) if !dir.is_empty() => dir,
        _ => ".".to_owned(),
    };
    let (what, suggestion) = if name.ends_with(".test.yaml") || name.ends_with(".test.yml") {
        // The shipped layout keeps tests in `PACK/tests/`: the pack is the directory above.
        let dir = match path.parent() {
            Some(parent) if parent.file_name().is_some_and(|n| n == "tests") => parent
                .parent()
                .map(|pack| pack.display().to_string())
                .filter(|pack| !pack.is_empty())
                .unwrap_or_else(|| ".".to_owned()),
            _ => dir,
        };
        (
            "a whole-report test",
            format!(
                "`crossfoot test DIR` runs the tests under DIR with the rules there: `crossfoot test {dir}` if the rules are beside it"
            ),
        )
    } else if name == crate::pack::FILE_NAME {
        (
            "a pack file",
            "`pack.yaml` names the rule set beside it and its version; give the directory: `crossfoot check DIR REPORT`".to_owned(),
        )
    } else if name == crate::waiver::FILE_NAME {
        (
            "a waivers file",
            format!(
                "waivers are read by `crossfoot check`, from the rules' directory or with `--waivers {shown}`"
            ),
        )
    } else if report::InputFormat::of(path).is_some() {
        (
            "a report",
            format!(
                "rule files end in `.xfoot`; to check this report, `crossfoot check RULES {shown}`"
            ),
        )
    } else if matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("xlsx" | "xlsm" | "xlsb" | "xls" | "ods")
    ) {
        (
            "a spreadsheet workbook",
            "rule files end in `.xfoot`; reports are YAML, JSON, JSON Lines or CSV (export the sheet as CSV)".to_owned(),
        )
    } else {
        return None;
    };
    Some(Error::NotRuleFile {
        path: shown,
        what,
        suggestion,
    })
}

/// Read a text file: size-limited, UTF-8, a byte-order mark dropped. What is not a
/// regular file is refused without being opened ([`open_regular`]).
pub fn read_source(path: &Path, limit: u64) -> Result<Source, Error> {
    let file = open_regular(path)?;
    let size = file.metadata().map_or(0, |metadata| metadata.len());
    source_from(file, path.display().to_string(), limit, size)
}

/// The name a text read from standard input goes by in diagnostics.
pub const STDIN_NAME: &str = "<stdin>";

/// Read standard input as a text named [`STDIN_NAME`], as [`read_source`] reads a file:
/// size-limited, UTF-8, a byte-order mark dropped.
pub fn read_stdin(limit: u64) -> Result<Source, Error> {
    source_from(std::io::stdin().lock(), STDIN_NAME.to_owned(), limit, 0)
}

/// The text `reader` holds, named `name`; `size` is what the file system says it holds.
fn source_from(reader: impl Read, name: String, limit: u64, size: u64) -> Result<Source, Error> {
    let mut bytes = Vec::new();
    reader
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| Error::Io {
            path: name.clone(),
            reason: reason(&error),
        })?;
    let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if read > limit {
        return Err(Error::TooLarge {
            path: name,
            size: size.max(read),
            limit,
        });
    }
    let text = String::from_utf8(bytes).map_err(|_| Error::NotUtf8 { path: name.clone() })?;
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    };
    Ok(Source::new(name, text))
}
