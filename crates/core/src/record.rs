//! Run records: evidence of a `check` run that an auditor can verify later.
//!
//! `check --record FILE` writes the crossfoot version, the time, the day waivers were
//! judged on, the command's inputs, the SHA-256 of every rule file, report and waivers
//! file read, and every result. `verify-record FILE` hashes the files again, re-runs the
//! same check on the same day, and says whether both still match.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::compile::RuleSet;
use crate::engine::{Outcome, ReportResult};
use crate::error::Error;
use crate::eval::{Skip, Verdict};
use crate::files::{FileError, open_regular};

/// The record of one run, as written to the file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RunRecord {
    /// The crossfoot version that ran.
    pub crossfoot: String,
    /// The rule pack's name and version, when its rules have a `pack.yaml`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pack: Option<crate::pack::Pack>,
    /// When it ran, UTC, RFC 3339.
    pub time: String,
    /// The day waiver expiry was judged on.
    pub today: String,
    /// What was checked.
    pub inputs: Inputs,
    /// Every file read, with its SHA-256.
    pub files: Vec<FileDigest>,
    /// The exit status of the run.
    pub exit: u8,
    /// Every report's results.
    pub results: Vec<ReportResults>,
}

/// The command's inputs, as given (paths relative to where it ran).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Inputs {
    /// The rule file or directory.
    pub rules: String,
    /// The report paths.
    pub reports: Vec<String>,
    /// The waivers file, when one was read.
    pub waivers: Option<String>,
    /// `--input-format`, when given.
    pub input_format: Option<String>,
    /// Whether `--deny warnings` was given.
    pub deny_warnings: bool,
    /// `--as-of`, when given: the date of reports without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
    /// `--firm`, when given: the firm of reports without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firm: Option<String>,
    /// `--sheet`, when given: the sheet of each workbook read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// `--map`, when given: the column map (its digest is among the files').
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map: Option<String>,
}

/// A file and its digest.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FileDigest {
    /// The path, as read.
    pub path: String,
    /// `rules`, `report`, `waivers`, `pack` or `map`.
    pub role: String,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
}

/// One report's results: the rules in each status (every rule not listed passed).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ReportResults {
    /// The report (file, row or line).
    pub report: String,
    /// How many rules held.
    pub passed: usize,
    /// Rules that failed.
    pub failed: Vec<String>,
    /// Failures a waiver covered.
    pub waived: Vec<String>,
    /// Rules skipped, with why: `seg.x (all lines blank)`.
    pub skipped: Vec<String>,
    /// Rules that could not be evaluated.
    pub errors: Vec<String>,
}

impl ReportResults {
    /// A report's results, for the record.
    pub fn of(rules: &RuleSet, result: &ReportResult) -> Self {
        let mut results = ReportResults {
            report: result.row.meta.name(),
            ..ReportResults::default()
        };
        for (rule, outcome) in result.results(rules) {
            let id = rule.id.clone();
            match (outcome.outcome(), outcome.verdict) {
                (Outcome::Pass, _) => results.passed += 1,
                (Outcome::Fail, _) => results.failed.push(id),
                (Outcome::Waived, _) => results.waived.push(id),
                (Outcome::Skipped, Verdict::Skipped(skip)) => {
                    results.skipped.push(skipped(&id, skip));
                }
                (Outcome::Skipped, _) => results.skipped.push(id),
                (Outcome::Error, _) => results.errors.push(id),
            }
        }
        results
    }
}

fn skipped(id: &str, skip: Skip) -> String {
    format!("{id} ({})", skip.reason())
}

/// The lower-case hex SHA-256 of a file's bytes; what is not a regular file is refused
/// without being opened, as every file crossfoot reads ([`open_regular`]).
pub fn sha256_file(path: &Path) -> Result<String, FileError> {
    let mut file = open_regular(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 64 * 1024];
    loop {
        let read = file
            .read(&mut buffer)
            .map_err(|error| crate::files::io_error(path, error))?;
        let Some(chunk) = buffer.get(..read).filter(|chunk| !chunk.is_empty()) else {
            break;
        };
        hasher.update(chunk);
    }
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut text, byte| {
        let _ = write!(text, "{byte:02x}");
        text
    })
}

/// The files a run reads, with their roles: rule files, report files (a directory stands
/// for the reports inside it), the waivers file.
pub fn files_read(
    rule_files: &[PathBuf],
    reports: &[PathBuf],
    waivers: Option<&Path>,
) -> Vec<(PathBuf, &'static str)> {
    let mut files: Vec<(PathBuf, &'static str)> =
        rule_files.iter().map(|p| (p.clone(), "rules")).collect();
    for path in reports {
        if path.is_dir() {
            files.extend(
                // A directory that cannot be read failed the run already.
                crate::report::directory(path)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|p| (p, "report")),
            );
        } else {
            files.push((path.clone(), "report"));
        }
    }
    files.extend(waivers.map(|p| (p.to_path_buf(), "waivers")));
    files
}

/// Digest every file, each named as `name` gives it (relative to the record's directory);
/// a file that cannot be read is an error naming it.
pub fn digests(
    files: &[(PathBuf, &'static str)],
    name: impl Fn(&Path) -> String,
) -> Result<Vec<FileDigest>, Error> {
    files
        .iter()
        .map(|(path, role)| {
            Ok(FileDigest {
                path: name(path),
                role: (*role).to_owned(),
                sha256: sha256_file(path)?,
            })
        })
        .collect()
}

/// A record's own directory, which every path it names lies under: a record written by
/// `check --record` names its files relative to it, and `verify-record` reads nothing
/// else, from wherever it is run.
#[derive(Clone, Debug)]
pub struct RecordDir {
    /// The directory, as the record's path gives it (`.` for a bare name).
    dir: PathBuf,
    /// The same, canonical.
    canonical: PathBuf,
}

impl RecordDir {
    /// The directory of the record at `record` (which need not exist yet).
    pub fn of(record: &Path) -> Result<RecordDir, String> {
        let dir = match record.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let canonical = dir
            .canonicalize()
            .map_err(|error| format!("{}: {}", dir.display(), crate::files::reason(&error)))?;
        Ok(RecordDir { dir, canonical })
    }

    /// The directory, as given.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// How a record names `input` (a path as given on the command line): relative to the
    /// record's directory, `/`-separated. An input outside the directory (or reached only
    /// through a link out of it), or whose name is not UTF-8, cannot be recorded.
    pub fn name(&self, input: &Path) -> Result<String, String> {
        let outside = || {
            format!(
                "`{}` is not inside the record's directory `{}`; a record names its files relative to its own directory, so write the record where every input is below it",
                input.display(),
                self.dir.display()
            )
        };
        let place = crate::files::absolute(input).ok_or_else(outside)?;
        let relative = place.strip_prefix(&self.canonical).map_err(|_| outside())?;
        let mut parts = Vec::new();
        for part in relative.components() {
            match part {
                Component::Normal(part) => parts.push(part.to_str().ok_or_else(|| {
                    format!(
                        "`{}` is not UTF-8; a record names its files in UTF-8, so rename it",
                        input.display()
                    )
                })?),
                _ => return Err(outside()),
            }
        }
        if parts.is_empty() {
            return Err(format!(
                "`{}` is the record's own directory; write the record where every input is below it",
                input.display()
            ));
        }
        Ok(parts.join("/"))
    }

    /// A path a record names, checked to lie under the record's directory before anything
    /// is opened: relative, with no `..`, and not leaving the directory through a link.
    /// The path stays relative (to the record's directory).
    pub fn confine(&self, recorded: &str) -> Result<PathBuf, String> {
        let refuse = |why: &str| {
            format!("`{recorded}` {why}; a record names only files below its own directory")
        };
        let path = Path::new(recorded);
        if recorded.is_empty() {
            return Err(refuse("is empty"));
        }
        for part in path.components() {
            match part {
                Component::Normal(_) => {}
                Component::ParentDir => return Err(refuse("goes up with `..`")),
                Component::RootDir | Component::Prefix(_) => return Err(refuse("is absolute")),
                Component::CurDir => return Err(refuse("has a `.` in it")),
            }
        }
        // Through links: the deepest part of the path that exists must be inside.
        let joined = self.canonical.join(path);
        let existing = joined.ancestors().find_map(|at| at.canonicalize().ok());
        match existing {
            Some(at) if at.starts_with(&self.canonical) => Ok(path.to_path_buf()),
            _ => Err(refuse("leads out of the directory through a link")),
        }
    }
}

/// What differs between a record and a re-run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verification {
    /// Files whose digest differs, or that are gone: (path, what).
    pub files: Vec<(String, String)>,
    /// Files that match.
    pub unchanged: usize,
    /// Results that differ: (report, what).
    pub results: Vec<(String, String)>,
}

impl Verification {
    /// Whether the record still matches.
    pub fn matches(&self) -> bool {
        self.files.is_empty() && self.results.is_empty()
    }
}

/// Compare recorded digests with the files as they are now (the paths as recorded,
/// read from the current directory). Only whether each matches is said, never what a
/// file holds.
pub fn compare_files(recorded: &[FileDigest], verification: &mut Verification) {
    for file in recorded {
        match sha256_file(Path::new(&file.path)) {
            Ok(now) if now == file.sha256 => verification.unchanged += 1,
            Ok(now) => verification.files.push((
                file.path.clone(),
                format!(
                    "changed: sha256 was {}, is {}",
                    short(&file.sha256),
                    short(&now)
                ),
            )),
            Err(error) => {
                let why = error.reason().unwrap_or_else(|| error.to_string());
                verification
                    .files
                    .push((file.path.clone(), format!("missing or unreadable: {why}")));
            }
        }
    }
}

fn short(digest: &str) -> &str {
    digest.get(..16).unwrap_or(digest)
}

/// Compare recorded results with a re-run's, report by report.
pub fn compare_results(
    recorded: &[ReportResults],
    now: &[ReportResults],
    verification: &mut Verification,
) {
    if recorded.len() != now.len() {
        verification.results.push((
            "(the run)".to_owned(),
            format!(
                "{} report{} recorded, {} now",
                recorded.len(),
                crate::engine::plural(recorded.len()),
                now.len()
            ),
        ));
    }
    for (before, after) in recorded.iter().zip(now) {
        if before == after {
            continue;
        }
        let mut what = Vec::new();
        let lists = [
            ("failed", &before.failed, &after.failed),
            ("waived", &before.waived, &after.waived),
            ("skipped", &before.skipped, &after.skipped),
            ("errors", &before.errors, &after.errors),
        ];
        for (name, was, is) in lists {
            if was != is {
                what.push(format!(
                    "{name} was [{}], is [{}]",
                    was.join(", "),
                    is.join(", ")
                ));
            }
        }
        if before.passed != after.passed {
            what.push(format!("passed was {}, is {}", before.passed, after.passed));
        }
        if before.report != after.report {
            what.push(format!("now named {}", after.report));
        }
        verification
            .results
            .push((before.report.clone(), what.join("; ")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_texts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("abc");
        std::fs::write(&path, "abc").unwrap();
        assert_eq!(
            sha256_file(&path).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        std::fs::write(&path, "").unwrap();
        assert_eq!(
            sha256_file(&path).unwrap(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
