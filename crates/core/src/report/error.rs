//! Everything that can be wrong with a report file.

use crate::files::FileError;
use crossfoot_syntax::source::Source;

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

/// How amounts are written, for an amount that cannot be read.
pub const AMOUNT_HELP: &str = "write amounts like `1762813855`, `\"4,207,049,429\"`, `\"(168,780,790)\"` or `-168780790`; leave a line out, or write `~`, for a blank";

/// A report that cannot be read, or used as written. Each carries the file, so it
/// renders alone.
#[derive(Debug, Error, Diagnostic)]
pub enum ReportError {
    /// A report file that cannot be read as text.
    #[error(transparent)]
    #[diagnostic(transparent)]
    File(#[from] FileError),

    /// A file named as a workbook that cannot be opened as one.
    #[error("{path}: not a workbook crossfoot can read: {reason}")]
    #[diagnostic(
        code(crossfoot::report::not_a_workbook),
        help(
            "workbooks are `.xlsx`, `.xlsm`, `.xlsb`, `.xls` or `.ods`; save the file again from the spreadsheet program, or export the sheet as CSV"
        )
    )]
    NotAWorkbook {
        /// The file as given.
        path: String,
        /// What the workbook reader said.
        reason: String,
    },

    /// A workbook, or a sheet of it, that cannot be read as reports.
    #[error("{path}: {message}")]
    #[diagnostic(
        code(crossfoot::report::workbook),
        help(
            "a sheet holds a header row starting with `report_id`, then a column per line code (a report per row), or `line` and `amount` columns (one report); pick the sheet with `--sheet NAME`"
        )
    )]
    Workbook {
        /// The workbook as given.
        path: String,
        /// What is wrong, naming the sheet and cell.
        message: String,
    },

    /// A file whose name does not say it is a report.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Format(#[from] FormatError),

    /// `-` without `--input-format`: standard input has no name to tell its format by.
    #[error("cannot read `{path}`: say what standard input holds with --input-format")]
    #[diagnostic(code(crossfoot::io))]
    StdinFormat {
        /// `-`.
        path: String,
    },

    /// A directory given as reports that holds none.
    #[error(
        "cannot read `{path}`: the directory holds no reports (`.yaml`, `.yml`, `.json`, `.jsonl` or `.csv` files)"
    )]
    #[diagnostic(code(crossfoot::io))]
    EmptyDirectory {
        /// The directory as given.
        path: String,
    },

    /// A whole-report test's report file that holds no report, or several.
    #[error(
        "cannot read `{path}`: a whole-report test checks one report, and this file holds {count}; give it a file with one"
    )]
    #[diagnostic(code(crossfoot::io))]
    NotOne {
        /// The file as given.
        path: String,
        /// How many reports it holds.
        count: usize,
    },

    /// Reports that could not be kept for checking: a run whose rules read previous
    /// reports keeps every report it reads in a temporary file until all are read.
    #[error("cannot keep the reports until they are checked: {reason}; no report was checked")]
    #[diagnostic(
        code(crossfoot::report::kept),
        help(
            "rules that read `prior(…)` keep each report in a temporary file until every report is read; free space there, or set TMPDIR to a directory with room"
        )
    )]
    Kept {
        /// What the operating system said.
        reason: String,
    },

    /// A row of a CSV file or a line of a JSON Lines file that is not a report.
    #[error("{report}: {message}")]
    #[diagnostic(code(crossfoot::report::batch))]
    Batch {
        /// The file and the row or line.
        report: String,
        /// What is wrong.
        message: String,
    },

    /// `lines: [`: not YAML at all.
    #[error("the report is not valid YAML: {message}")]
    #[diagnostic(code(crossfoot::report::yaml))]
    Yaml {
        /// The YAML parser's words.
        message: String,
        /// The report file.
        #[source_code]
        src: Source,
        /// Where the parser stopped.
        #[label("here")]
        span: SourceSpan,
    },

    /// `lines: 5`, a list where a mapping belongs, …
    #[error("expected {expected}, found {found}")]
    #[diagnostic(
        code(crossfoot::report::structure),
        help(
            "a report is a mapping with `lines:` holding `code: amount` pairs, and optionally `firm:`, `as_of:` and `id:`"
        )
    )]
    Structure {
        /// What belongs here.
        expected: &'static str,
        /// What is here.
        found: &'static str,
        /// The report file.
        #[source_code]
        src: Source,
        /// Where.
        #[label("here")]
        span: SourceSpan,
    },

    /// `line:` instead of `lines:`.
    #[error("unknown key `{key}`")]
    #[diagnostic(code(crossfoot::report::unknown_key))]
    UnknownKey {
        /// The key.
        key: String,
        /// The report file.
        #[source_code]
        src: Source,
        /// The key.
        #[label("not a report field")]
        span: SourceSpan,
        /// A suggestion.
        #[help]
        help: String,
    },

    /// `firm:` twice, or `7010:` twice.
    #[error("`{key}` appears twice")]
    #[diagnostic(
        code(crossfoot::report::duplicate_key),
        help("each line may appear once; remove or merge one of them")
    )]
    DuplicateKey {
        /// The key.
        key: String,
        /// The report file.
        #[source_code]
        src: Source,
        /// The first.
        #[label("first here")]
        first: SourceSpan,
        /// The second.
        #[label("again here")]
        second: SourceSpan,
    },

    /// `70a0: 5`
    #[error("`{text}` is not a line code: {reason}")]
    #[diagnostic(
        code(crossfoot::report::line_code),
        help("line codes are the form's numbers, like `7010`")
    )]
    LineCode {
        /// The key as written.
        text: String,
        /// Why.
        reason: String,
        /// The report file.
        #[source_code]
        src: Source,
        /// The key.
        #[label("not a line code")]
        span: SourceSpan,
    },

    /// `7010: 12abc`
    #[error("line {code}: {reason}")]
    #[diagnostic(code(crossfoot::report::amount))]
    Amount {
        /// The line.
        code: String,
        /// Why the amount cannot be read.
        reason: String,
        /// What to write instead: [`AMOUNT_HELP`], or advice for the spelling used.
        #[help]
        help: String,
        /// The report file.
        #[source_code]
        src: Source,
        /// The amount.
        #[label("malformed amount")]
        span: SourceSpan,
    },

    /// `7020: *cash`
    #[error("YAML aliases are not accepted in reports")]
    #[diagnostic(
        code(crossfoot::report::alias),
        help(
            "write the amount out; aliases can hide which amount a line holds and can expand without bound"
        )
    )]
    Alias {
        /// The report file.
        #[source_code]
        src: Source,
        /// The alias.
        #[label("alias")]
        span: SourceSpan,
    },

    /// `as_of: 2020-13-45`
    #[error("`{text}` is not a date")]
    #[diagnostic(code(crossfoot::report::date), help("{reason}"))]
    Date {
        /// The value as written.
        text: String,
        /// What is wrong with it.
        reason: crossfoot_syntax::date::DateError,
        /// The report file.
        #[source_code]
        src: Source,
        /// The value.
        #[label("not a YYYY-MM-DD date")]
        span: SourceSpan,
    },

    /// `unit: hundreds`
    #[error("`{text}` is not a unit")]
    #[diagnostic(
        code(crossfoot::report::unit),
        help(
            "a report's amounts are in `dollars` (the default), `thousands`, `millions` or `billions`"
        )
    )]
    Unit {
        /// The value as written.
        text: String,
        /// The report file.
        #[source_code]
        src: Source,
        /// The value.
        #[label("not a unit")]
        span: SourceSpan,
    },

    /// A report without `lines:`.
    #[error("the report has no `lines`")]
    #[diagnostic(
        code(crossfoot::report::no_lines),
        help("add `lines:` with one `code: amount` pair per line, e.g. `7010: 1762813855`")
    )]
    NoLines {
        /// The report file.
        #[source_code]
        src: Source,
        /// The start of the report.
        #[label("no `lines` in this report")]
        span: SourceSpan,
    },

    /// Two `---` documents in one file.
    #[error("a report file holds one report, but this one has several YAML documents")]
    #[diagnostic(
        code(crossfoot::report::documents),
        help("put each report in its own file")
    )]
    Documents {
        /// The report file.
        #[source_code]
        src: Source,
        /// The second document.
        #[label("a second document starts here")]
        span: SourceSpan,
    },
}

/// A file given as a report whose name does not say how it is written
/// ([`InputFormat::for_path`](super::InputFormat::for_path)).
#[derive(Debug, Error, Diagnostic)]
pub enum FormatError {
    /// A report whose format cannot be told from its name.
    #[error("cannot tell the format of report `{path}`")]
    #[diagnostic(
        code(crossfoot::report::format),
        help(
            "reports are YAML (`.yaml`, `.yml`), JSON of the same shape (`.json`), JSON Lines (`.jsonl`, `.ndjson`) or CSV (`.csv`); name the format with `--input-format`"
        )
    )]
    Unknown {
        /// The path as given.
        path: String,
    },

    /// `july.numbers`: a Numbers document, which crossfoot does not read.
    #[error("`{path}` is a Numbers document, which crossfoot does not read")]
    #[diagnostic(
        code(crossfoot::report::numbers),
        help(
            "export it as an Excel workbook (`.xlsx`) or as CSV: either a `report_id` column and one column per line code (a row per report), or `line` and `amount` columns (one report)"
        )
    )]
    Numbers {
        /// The path as given.
        path: String,
    },
}
