//! Reading rule sets and reports from disk.

use std::fs;
use std::path::{Path, PathBuf};

use crate::compile::{self, Checked};
use crate::error::Error;
use crate::files::{MAX_RULE_FILE_BYTES, files_under, io_error, read_source};
use crate::report;
use crossfoot_syntax as syntax;
use crossfoot_syntax::source::Source;

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
            Err(error) => errors.push(Error::from(error)),
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
    compile::compile(files).map_err(|found| found.into_iter().map(Error::from).collect())
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

/// The `.xfoot` files a rules path names, sorted: the file itself, or every `.xfoot` file
/// under a directory.
pub fn rule_files(path: &Path) -> Result<Vec<PathBuf>, Error> {
    let metadata = fs::metadata(path).map_err(|error| io_error(path, error))?;
    if !metadata.is_dir() {
        if let Some(error) = not_rules(path) {
            return Err(error);
        }
        return Ok(vec![path.to_path_buf()]);
    }
    let found = files_under(path, |file| file.extension().is_some_and(|e| e == "xfoot"))?;
    if found.is_empty() {
        return Err(Error::NoRuleFiles {
            path: path.display().to_string(),
        });
    }
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
