//! A rule pack's name and version: `pack.yaml` beside the rules, so a run, its JSON and its
//! record say which version of a pack checked a report (the files' hashes say only that
//! something changed).
//!
//! ```yaml
//! pack: focus
//! version: 2026.12.0
//! ```
//!
//! It sits where `waivers.yaml` does: in the rules directory, or beside a rule file given
//! alone. A rule set without one has no version; nothing else changes.

use std::path::{Path, PathBuf};

use miette::{Diagnostic, SourceSpan};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::files::{FileError, MAX_RULE_FILE_BYTES, read_source};
use crate::yaml::{self, Node};
use crossfoot_syntax::source::{Source, Span};

/// The name of a pack's manifest.
pub const FILE_NAME: &str = "pack.yaml";

/// The longest name or version accepted.
const MAX_LENGTH: usize = 64;

/// A rule pack's name and version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pack {
    name: String,
    version: String,
}

impl Pack {
    /// The pack's name, `focus`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its version, `2026.12.0`.
    pub fn version(&self) -> &str {
        &self.version
    }
}

impl std::fmt::Display for Pack {
    /// `focus 2026.12.0`
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.name, self.version)
    }
}

/// A `pack.yaml` that cannot be read or used.
#[derive(Debug, Error, Diagnostic)]
pub enum PackError {
    /// The file cannot be read.
    #[error(transparent)]
    #[diagnostic(transparent)]
    File(#[from] FileError),
    /// What it says cannot be used.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Manifest(#[from] ManifestError),
}

/// A `pack.yaml` that cannot be used: what is wrong, and where.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(
    code(crossfoot::pack),
    help(
        "a pack file is `pack: NAME` and `version: VERSION`, e.g. `pack: focus` and `version: 2026.12.0`"
    )
)]
pub struct ManifestError {
    /// What is wrong.
    pub message: String,
    /// The pack file.
    #[source_code]
    pub src: Source,
    /// Where.
    #[label("here")]
    pub span: SourceSpan,
}

/// Where the manifest of the rule set at `rules` would be: in the directory, or beside
/// the file.
pub fn path_for(rules: &Path) -> Option<PathBuf> {
    let dir = if rules.is_dir() {
        rules.to_path_buf()
    } else {
        match rules.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            Some(_) => PathBuf::from("."),
            None => return None,
        }
    };
    Some(dir.join(FILE_NAME))
}

/// The pack of the rule set at `rules`: `None` when there is no `pack.yaml`, an error
/// when there is one that cannot be read or used.
pub fn find(rules: &Path) -> Result<Option<(Pack, PathBuf)>, PackError> {
    let Some(path) = path_for(rules).filter(|path| path.is_file()) else {
        return Ok(None);
    };
    let source = read_source(&path, MAX_RULE_FILE_BYTES)?;
    let pack = parse(&source)?;
    Ok(Some((pack, path)))
}

/// Read a pack file's text.
pub fn parse(source: &Source) -> Result<Pack, ManifestError> {
    let problem = |message: String, span: Span| ManifestError {
        message,
        src: source.clone(),
        span: span.into(),
    };
    let root = yaml::parse(source).map_err(|e| problem(e.message, e.span))?;
    let Node::Map(entries, span) = root else {
        return Err(problem(
            "a pack file is a mapping with `pack:` and `version:`".to_owned(),
            root.span(),
        ));
    };
    let (mut name, mut version) = (None, None);
    for (key, value) in &entries {
        let Node::Scalar { text: key_text, .. } = key else {
            return Err(problem("a key is a word".to_owned(), key.span()));
        };
        let Node::Scalar { text, .. } = value else {
            return Err(problem(format!("`{key_text}` is one word"), value.span()));
        };
        let slot = match key_text.as_str() {
            "pack" => &mut name,
            "version" => &mut version,
            other => {
                return Err(problem(
                    format!("unknown key `{other}`: a pack file has `pack:` and `version:`"),
                    key.span(),
                ));
            }
        };
        if slot.is_some() {
            return Err(problem(format!("`{key_text}` appears twice"), key.span()));
        }
        check_word(key_text, text).map_err(|message| problem(message, value.span()))?;
        *slot = Some(text.clone());
    }
    match (name, version) {
        (Some(name), Some(version)) => Ok(Pack { name, version }),
        (None, _) => Err(problem("the pack file names no `pack:`".to_owned(), span)),
        (_, None) => Err(problem(
            "the pack file gives no `version:`".to_owned(),
            span,
        )),
    }
}

/// A name or version is one short word of letters, digits and `.`, `-`, `_`, `+`.
fn check_word(key: &str, text: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+');
    if text.is_empty() || text == "~" || text == "null" {
        return Err(format!("`{key}` is empty"));
    }
    if text.chars().count() > MAX_LENGTH {
        return Err(format!("`{key}` is longer than {MAX_LENGTH} characters"));
    }
    if !text.chars().all(allowed) {
        return Err(format!(
            "`{key}` may hold letters, digits and `.`, `-`, `_`, `+` only"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Pack, String> {
        parse(&Source::new("pack.yaml", text)).map_err(|e| e.message)
    }

    #[test]
    fn reads_a_name_and_a_version() {
        let pack = read("pack: focus\nversion: 2026.12.0\n").unwrap();
        assert_eq!((pack.name(), pack.version()), ("focus", "2026.12.0"));
        assert_eq!(pack.to_string(), "focus 2026.12.0");
    }

    #[test]
    fn refuses_what_is_not_a_pack_file() {
        assert_eq!(
            read("pack: focus\n").unwrap_err(),
            "the pack file gives no `version:`"
        );
        assert_eq!(
            read("version: 1\n").unwrap_err(),
            "the pack file names no `pack:`"
        );
        assert_eq!(
            read("pack: focus\nversion: 1\nowner: me\n").unwrap_err(),
            "unknown key `owner`: a pack file has `pack:` and `version:`"
        );
        assert_eq!(
            read("pack: focus\npack: other\nversion: 1\n").unwrap_err(),
            "`pack` appears twice"
        );
        assert_eq!(
            read("pack: focus pack\nversion: 1\n").unwrap_err(),
            "`pack` may hold letters, digits and `.`, `-`, `_`, `+` only"
        );
        assert_eq!(
            read("pack: focus\nversion: ~\n").unwrap_err(),
            "`version` is empty"
        );
        assert_eq!(
            read("- focus\n").unwrap_err(),
            "a pack file is a mapping with `pack:` and `version:`"
        );
    }
}
