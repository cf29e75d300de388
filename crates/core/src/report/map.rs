//! Column maps: a source's own headers mapped to line codes and report facts, so an export
//! with descriptive headers (`Customers' Assets in Segregation`) is checked as it is.
//!
//! ```yaml
//! map: cftc-fcm-monthly
//! unmapped: ignore        # or `error` (the default): a header the map does not name
//! columns:
//!   "Futures Commission Merchant": report_id
//!   "As of Date": as_of
//!   "Customers' Assets in Segregation": 7180
//! ```
//!
//! A header is matched without regard to case, surrounding blanks or runs of blanks inside
//! it. A header the map does not name is still read as it would be without a map
//! (`report_id`, `firm`, `as_of`, `unit`, a line code); any other is an error, or passed
//! over with `unmapped: ignore`. A map applies to the wide layout of CSV files and
//! workbook sheets.

use std::path::Path;

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

use crate::files::{FileError, MAX_RULE_FILE_BYTES, read_source};
use crate::yaml::{self, Node};
use crossfoot_syntax::line::LineCode;
use crossfoot_syntax::source::{Source, Span};

/// What a mapped column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The report's id.
    Id,
    /// The filer.
    Firm,
    /// The report date.
    AsOf,
    /// The unit its amounts are printed in.
    Unit,
    /// A line's amounts.
    Line(LineCode),
    /// Nothing crossfoot reads.
    Ignore,
}

/// A column map, read from its file.
#[derive(Clone, Debug)]
pub struct ColumnMap {
    name: String,
    ignore_unmapped: bool,
    /// Each header as matched, as written, and what it holds.
    columns: Vec<(String, String, Target)>,
}

impl ColumnMap {
    /// The map's name (`map:`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What the map says a header holds, if it names it.
    pub fn target(&self, header: &str) -> Option<Target> {
        let header = normal(header);
        self.columns
            .iter()
            .find(|(named, _, _)| *named == header)
            .map(|(_, _, target)| *target)
    }

    /// The headers the map expects a file to have (every one it maps to something read):
    /// as matched, and as written in the map.
    pub fn expected(&self) -> impl Iterator<Item = (&str, &str)> {
        self.columns
            .iter()
            .filter(|(_, _, target)| *target != Target::Ignore)
            .map(|(named, written, _)| (named.as_str(), written.as_str()))
    }

    /// Whether a header matches one the map names: `header` as matched against `named`.
    pub fn matches(named: &str, header: &str) -> bool {
        normal(header) == named
    }

    /// Whether a header the map does not name (and that is no line code or fact) is
    /// passed over rather than refused.
    pub fn ignores_unmapped(&self) -> bool {
        self.ignore_unmapped
    }
}

/// A header as matched: lower case, blanks collapsed.
fn normal(header: &str) -> String {
    header
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A column map file that cannot be used.
#[derive(Debug, Error, Diagnostic)]
pub enum MapError {
    /// The file cannot be read.
    #[error(transparent)]
    #[diagnostic(transparent)]
    File(#[from] FileError),
    /// The file's text is not a column map.
    #[error("{message}")]
    #[diagnostic(
        code(crossfoot::map::malformed),
        help(
            "a column map has `map: NAME`, optionally `unmapped: error|ignore`, and `columns:` mapping each header to a line code or to `report_id`, `firm`, `as_of`, `unit` or `ignore`"
        )
    )]
    Malformed {
        /// What is wrong.
        message: String,
        /// The map file.
        #[source_code]
        src: Source,
        /// Where.
        #[label("here")]
        span: SourceSpan,
    },
}

/// Read the column map at `path`.
pub fn read_map(path: &Path) -> Result<ColumnMap, MapError> {
    let source = read_source(path, MAX_RULE_FILE_BYTES)?;
    parse_map(&source)
}

/// Read a column map's text.
pub fn parse_map(source: &Source) -> Result<ColumnMap, MapError> {
    let problem = |message: String, span: Span| MapError::Malformed {
        message,
        src: source.clone(),
        span: span.into(),
    };
    let root = yaml::parse(source).map_err(|e| problem(e.message, e.span))?;
    let Node::Map(entries, span) = root else {
        return Err(problem(
            "a column map is a mapping with `map:` and `columns:`".to_owned(),
            root.span(),
        ));
    };
    let mut map = ColumnMap {
        name: String::new(),
        ignore_unmapped: false,
        columns: Vec::new(),
    };
    let mut seen = Vec::new();
    for (key, value) in &entries {
        let key_text =
            scalar(key).ok_or_else(|| problem("a key is a word".to_owned(), key.span()))?;
        if seen.contains(&key_text) {
            return Err(problem(format!("`{key_text}` appears twice"), key.span()));
        }
        seen.push(key_text);
        match key_text {
            "map" => {
                let name = scalar(value)
                    .filter(|name| !name.is_empty())
                    .ok_or_else(|| problem("`map` is the map's name".to_owned(), value.span()))?;
                map.name = name.to_owned();
            }
            "unmapped" => {
                map.ignore_unmapped = match scalar(value) {
                    Some("ignore") => true,
                    Some("error") => false,
                    _ => {
                        return Err(problem(
                            "`unmapped` is `error` or `ignore`".to_owned(),
                            value.span(),
                        ));
                    }
                };
            }
            "columns" => map.columns = columns(value, &problem)?,
            other => {
                return Err(problem(
                    format!(
                        "unknown key `{other}`: a column map has `map:`, `unmapped:` and `columns:`"
                    ),
                    key.span(),
                ));
            }
        }
    }
    if map.name.is_empty() {
        return Err(problem("the column map names no `map:`".to_owned(), span));
    }
    if map.columns.is_empty() {
        return Err(problem(
            "the column map maps no `columns:`".to_owned(),
            span,
        ));
    }
    Ok(map)
}

fn scalar(node: &Node) -> Option<&str> {
    match node {
        Node::Scalar { text, .. } => Some(text.as_str()),
        _ => None,
    }
}

/// The `columns:` mapping: header → target, each header once.
fn columns(
    value: &Node,
    problem: &dyn Fn(String, Span) -> MapError,
) -> Result<Vec<(String, String, Target)>, MapError> {
    let Node::Map(entries, _) = value else {
        return Err(problem(
            "`columns` maps each header to what it holds".to_owned(),
            value.span(),
        ));
    };
    let mut columns: Vec<(String, String, Target)> = Vec::with_capacity(entries.len());
    for (header, target) in entries {
        let text =
            scalar(header).ok_or_else(|| problem("a header is text".to_owned(), header.span()))?;
        let named = normal(text);
        if columns.iter().any(|(seen, _, _)| *seen == named) {
            return Err(problem(
                format!("the header `{text}` is mapped twice"),
                header.span(),
            ));
        }
        let said = scalar(target).unwrap_or_default();
        let target_span = target.span();
        let target = match said {
            "report_id" => Target::Id,
            "firm" => Target::Firm,
            "as_of" => Target::AsOf,
            "unit" => Target::Unit,
            "ignore" => Target::Ignore,
            _ => match said.parse::<LineCode>() {
                Ok(code) => Target::Line(code),
                Err(_) => {
                    return Err(problem(
                        format!(
                            "`{said}` is neither a line code nor `report_id`, `firm`, `as_of`, `unit` or `ignore`"
                        ),
                        target.span(),
                    ));
                }
            },
        };
        // Each line and fact comes from one column: a second header for it could never be
        // read (every header the map names must be in the file).
        if let Some((_, first, _)) = columns
            .iter()
            .find(|(_, _, seen)| *seen == target && target != Target::Ignore)
        {
            return Err(problem(
                format!("`{said}` is already the column `{first}`"),
                target_span,
            ));
        }
        columns.push((named, text.to_owned(), target));
    }
    Ok(columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<ColumnMap, String> {
        parse_map(&Source::new("m.yaml", text)).map_err(|e| e.to_string())
    }

    #[test]
    fn maps_headers_whatever_their_case_and_blanks() {
        let map = read(
            "map: m\nunmapped: ignore\ncolumns:\n  \"Customers'  Assets in Segregation\": 7180\n  FCM: report_id\n",
        )
        .unwrap();
        assert_eq!(map.name(), "m");
        assert!(map.ignores_unmapped());
        assert_eq!(
            map.target(" customers' assets IN segregation "),
            Some(Target::Line("7180".parse().unwrap()))
        );
        assert_eq!(map.target("fcm"), Some(Target::Id));
        assert_eq!(map.target("DSRO"), None);
    }

    #[test]
    fn refuses_what_is_not_a_map() {
        assert_eq!(
            read("map: m\ncolumns:\n  A: net capital\n").unwrap_err(),
            "`net capital` is neither a line code nor `report_id`, `firm`, `as_of`, `unit` or `ignore`"
        );
        assert_eq!(
            read("map: m\ncolumns:\n  A: 7010\n  a: 7020\n").unwrap_err(),
            "the header `a` is mapped twice"
        );
        assert_eq!(
            read("columns:\n  A: 7010\n").unwrap_err(),
            "the column map names no `map:`"
        );
        assert_eq!(
            read("map: m\ncolumns:\n  Assets: 7180\n  Held: 7180\n").unwrap_err(),
            "`7180` is already the column `Assets`"
        );
        assert_eq!(
            read("map: m\nunmapped: maybe\ncolumns:\n  A: 7010\n").unwrap_err(),
            "`unmapped` is `error` or `ignore`"
        );
    }
}
