//! Many reports at once: every input a `check` names, read one report at a time into dense
//! rows for a compiled [`Program`].
//!
//! A path may be a report file (YAML, or JSON of the same shape), a directory (every
//! `.yaml`/`.yml`/`.json` inside, sorted), a JSON Lines file (one report per line), a CSV
//! file (long: `line,amount` for one report; wide: `report_id` then one column per line
//! code, one row per report), or `-` for standard input. Reading streams: a CSV or JSON
//! Lines file of any length is never held in memory.

mod csv_file;
mod jsonl;

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rust_decimal::Decimal;

use self::csv_file::csv_records;
pub use self::csv_file::{BlockFinding, BlockParser, BlockResult, CsvBlocks};
use self::jsonl::JsonLines;

use crate::amount;
use crate::error::Error;
use crate::eval::Program;
use crate::load::{MAX_REPORT_BYTES, load_report};
use crate::report::{Report, load_yaml};
use crate::source::Source;

/// How a report input is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    /// One report per YAML file.
    Yaml,
    /// One report per JSON file, the same shape as YAML.
    Json,
    /// One report per line of JSON.
    Jsonl,
    /// Long (`line,amount`) or wide (`report_id,7010,…`) CSV.
    Csv,
}

impl InputFormat {
    /// The format a path's extension names.
    pub fn of(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()? {
            "yaml" | "yml" => Some(InputFormat::Yaml),
            "json" => Some(InputFormat::Json),
            "jsonl" | "ndjson" => Some(InputFormat::Jsonl),
            "csv" => Some(InputFormat::Csv),
            _ => None,
        }
    }
}

/// One report of a batch, as a dense row for a [`Program`].
#[derive(Clone, Debug)]
pub struct Record {
    /// Where it came from: the file, and the row or line for a batch file.
    pub name: String,
    /// The report's own id (`report_id` in CSV, `id` in JSON Lines and YAML).
    pub id: Option<String>,
    /// `firm`, when the format has it.
    pub firm: Option<String>,
    /// `as_of`, when the format has it.
    pub as_of: Option<crate::date::Date>,
    /// The amount of each slot of the program.
    pub row: Vec<Option<Decimal>>,
}

impl Record {
    /// The report, rebuilt with the lines the rules read, for detailed output.
    pub fn report(&self, program: &Program<'_>) -> Report {
        let lines = self
            .row
            .iter()
            .enumerate()
            .filter_map(|(slot, amount)| Some((program.code(slot)?, (*amount)?)));
        Report::from_lines(self.name.clone(), lines).with_metadata(
            self.id.clone(),
            self.firm.clone(),
            self.as_of,
        )
    }
}

/// A report that could not be read: where, and why.
#[derive(Debug)]
pub struct Unreadable {
    /// The file, row or line.
    pub name: String,
    /// The problems.
    pub errors: Vec<Error>,
}

/// What reading yields: a report read, one that could not be, or a CSV row whose cells are
/// parsed by [`Item::resolve`], so the parsing can run on any thread.
#[derive(Debug)]
pub enum Item {
    /// A report, or why it could not be read.
    Done(Result<Record, Unreadable>),
    /// A row of a wide CSV file, not parsed yet.
    Row(Row),
}

/// A wide CSV row and what is needed to parse it.
#[derive(Debug)]
pub struct Row {
    file: Arc<str>,
    number: usize,
    cells: csv::ByteRecord,
    columns: Arc<[csv_file::Column]>,
    width: usize,
}

impl Item {
    /// The record, parsing it if it is a raw row.
    pub fn resolve(self) -> Result<Record, Unreadable> {
        match self {
            Item::Done(result) => result,
            Item::Row(row) => row.parse(),
        }
    }
}

impl From<Result<Record, Unreadable>> for Item {
    fn from(result: Result<Record, Unreadable>) -> Self {
        Item::Done(result)
    }
}

/// Every report a path names, one at a time.
pub fn read<'p>(
    path: &Path,
    format: Option<InputFormat>,
    program: &'p Program<'p>,
) -> Box<dyn Iterator<Item = Item> + 'p> {
    let name = path.display().to_string();
    let unreadable = move |error: Error| -> Box<dyn Iterator<Item = Item> + 'p> {
        Box::new(std::iter::once(Item::Done(Err(Unreadable {
            name: name.clone(),
            errors: vec![error],
        }))))
    };
    if path == Path::new("-") {
        let Some(format) = format else {
            return unreadable(Error::Io {
                path: "-".to_owned(),
                reason: "say what standard input holds with --input-format".to_owned(),
            });
        };
        return from_reader(
            Box::new(io::stdin().lock()),
            "-".to_owned(),
            format,
            program,
        );
    }
    if path.is_dir() {
        let files = directory(path);
        if files.is_empty() {
            return unreadable(Error::Io {
                path: path.display().to_string(),
                reason: "the directory holds no reports (`.yaml`, `.yml` or `.json` files)"
                    .to_owned(),
            });
        }
        return Box::new(
            files
                .into_iter()
                .map(move |file| Item::Done(single(&file, program))),
        );
    }
    let Some(format) = format.or_else(|| InputFormat::of(path)) else {
        return unreadable(Error::ReportFormat {
            path: path.display().to_string(),
        });
    };
    match format {
        InputFormat::Yaml | InputFormat::Json => {
            Box::new(std::iter::once(Item::Done(single(path, program))))
        }
        InputFormat::Jsonl | InputFormat::Csv => match File::open(path) {
            Ok(file) => from_reader(Box::new(file), path.display().to_string(), format, program),
            Err(error) => unreadable(Error::Io {
                path: path.display().to_string(),
                reason: error.to_string(),
            }),
        },
    }
}

/// Whether a path holds exactly one report (a YAML or JSON file).
pub fn is_single(path: &Path, format: Option<InputFormat>) -> bool {
    path != Path::new("-")
        && !path.is_dir()
        && matches!(
            format.or_else(|| InputFormat::of(path)),
            Some(InputFormat::Yaml | InputFormat::Json)
        )
}

fn from_reader<'p>(
    reader: Box<dyn Read + 'p>,
    name: String,
    format: InputFormat,
    program: &'p Program<'p>,
) -> Box<dyn Iterator<Item = Item> + 'p> {
    match format {
        InputFormat::Jsonl => Box::new(JsonLines {
            lines: BufReader::new(reader),
            name,
            number: 0,
            program,
            buffer: String::new(),
        }),
        InputFormat::Csv => csv_records(reader, name, program),
        InputFormat::Yaml | InputFormat::Json => {
            let mut text = String::new();
            let read = reader.take(MAX_REPORT_BYTES + 1).read_to_string(&mut text);
            let result = match read {
                Err(error) => Err(vec![Error::Io {
                    path: name.clone(),
                    reason: error.to_string(),
                }]),
                Ok(_) => load_yaml(&Source::new(name.clone(), text))
                    .map_err(|errors| errors.into_iter().map(Error::from).collect()),
            };
            Box::new(std::iter::once(Item::Done(
                result
                    .map(|report| record_of(&report, program))
                    .map_err(|errors| Unreadable { name, errors }),
            )))
        }
    }
}

fn single(path: &Path, program: &Program<'_>) -> Result<Record, Unreadable> {
    load_report(path)
        .map(|report| record_of(&report, program))
        .map_err(|errors| Unreadable {
            name: path.display().to_string(),
            errors,
        })
}

fn record_of(report: &Report, program: &Program<'_>) -> Record {
    Record {
        name: report.name().to_owned(),
        id: report.id().map(str::to_owned),
        firm: report.firm().map(str::to_owned),
        as_of: report.as_of(),
        row: program.row(report),
    }
}

/// The report files of a directory, recursively, sorted: what a directory given to
/// `check` stands for.
pub fn directory(path: &Path) -> Vec<PathBuf> {
    crate::load::files_under(path, |file| {
        matches!(
            InputFormat::of(file),
            Some(InputFormat::Yaml | InputFormat::Json)
        )
    })
}

/// A problem with one row or line of a batch file.
fn row_error(name: String, message: String) -> Unreadable {
    Unreadable {
        errors: vec![Error::Batch {
            report: name.clone(),
            message,
        }],
        name,
    }
}

/// An amount cell: blank when empty; plain integers and decimals on a fast path, every
/// other spelling through [`amount::parse`]. Never through a float.
pub fn cell(text: &[u8]) -> Result<Option<Decimal>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    if let Some(value) = fast_decimal(text) {
        return Ok(Some(value));
    }
    let text = std::str::from_utf8(text).map_err(|_| "the amount is not UTF-8 text".to_owned())?;
    if text.trim().is_empty() {
        return Ok(None);
    }
    amount::parse(text)
        .map(Some)
        .map_err(|error| error.to_string())
}

/// `-?digits(.digits)?` with at most 18 digits, straight to a decimal.
fn fast_decimal(text: &[u8]) -> Option<Decimal> {
    let (negative, digits) = match text.split_first()? {
        (b'-', rest) => (true, rest),
        _ => (false, text),
    };
    // At most 18 digits and a point, so the mantissa cannot overflow an i64.
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    let mut mantissa: i64 = 0;
    let mut scale = 0u32;
    let mut point = None;
    for (i, &byte) in digits.iter().enumerate() {
        let digit = byte.wrapping_sub(b'0');
        if digit < 10 {
            mantissa = mantissa * 10 + i64::from(digit);
        } else if byte == b'.' && point.is_none() && i > 0 {
            point = Some(i);
        } else {
            return None;
        }
    }
    if let Some(at) = point {
        scale = u32::try_from(digits.len() - at - 1).ok()?;
        if scale == 0 {
            return None;
        }
    } else if digits.len() > 18 {
        return None;
    }
    let value = Decimal::new(if negative { -mantissa } else { mantissa }, scale);
    Some(if value.is_zero() {
        Decimal::ZERO
    } else {
        value
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_parse_exactly() {
        assert_eq!(cell(b"").unwrap(), None);
        assert_eq!(
            cell(b"-168780790").unwrap().unwrap().to_string(),
            "-168780790"
        );
        assert_eq!(
            cell(b"1762813855.17").unwrap().unwrap().to_string(),
            "1762813855.17"
        );
        assert_eq!(
            cell(b"4,207,049,429").unwrap().unwrap().to_string(),
            "4207049429"
        );
        assert_eq!(
            cell(b"12345678901234567890.12")
                .unwrap()
                .unwrap()
                .to_string(),
            "12345678901234567890.12"
        );
        assert_eq!(cell(b"-0").unwrap().unwrap().to_string(), "0");
        assert!(cell(b"12abc").is_err());
        assert!(cell(b"1e6").is_err());
        assert!(cell(b"1.").is_err());
    }
}
