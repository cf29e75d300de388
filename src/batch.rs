//! Many reports at once: every input a `check` names, read one report at a time into dense
//! rows for a compiled [`Program`].
//!
//! A path may be a report file (YAML, or JSON of the same shape), a directory (every
//! `.yaml`/`.yml`/`.json` inside, sorted), a JSON Lines file (one report per line), a CSV
//! file (long: `line,amount` for one report; wide: `report_id` then one column per line
//! code, one row per report), or `-` for standard input. Reading streams: a CSV or JSON
//! Lines file of any length is never held in memory.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::amount;
use crate::error::Error;
use crate::eval::Program;
use crate::line::LineCode;
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
    pub as_of: Option<String>,
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
            self.as_of.clone(),
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
    columns: Arc<[Option<usize>]>,
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
        return Box::new(
            directory(path)
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
        as_of: report.as_of().map(str::to_owned),
        row: program.row(report),
    }
}

/// The report files of a directory, recursively, sorted.
fn directory(path: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![path.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                pending.push(path);
            } else if matches!(
                InputFormat::of(&path),
                Some(InputFormat::Yaml | InputFormat::Json)
            ) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
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

/// The reports of a CSV file: long (`line,amount`, one report) or wide (`report_id` first).
fn csv_records<'p>(
    reader: Box<dyn Read + 'p>,
    name: String,
    program: &'p Program<'p>,
) -> Box<dyn Iterator<Item = Item> + 'p> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut header = csv::ByteRecord::new();
    match csv.read_byte_record(&mut header) {
        Ok(true) => {}
        Ok(false) => {
            return Box::new(std::iter::once(Item::Done(Err(row_error(
                name,
                "the CSV file is empty".to_owned(),
            )))));
        }
        Err(error) => {
            return Box::new(std::iter::once(Item::Done(Err(row_error(
                name,
                format!("not valid CSV: {error}"),
            )))));
        }
    }
    let first = header
        .get(0)
        .map(|h| String::from_utf8_lossy(h).trim().to_ascii_lowercase());
    let second = header
        .get(1)
        .map(|h| String::from_utf8_lossy(h).trim().to_ascii_lowercase());
    if first.as_deref() == Some("line") && second.as_deref() == Some("amount") && header.len() == 2
    {
        return Box::new(std::iter::once(Item::Done(long_csv(csv, name, program))));
    }
    if first.as_deref() != Some("report_id") {
        let message = "a CSV report starts with the header `line,amount` (one report) or `report_id,<line codes>` (one report per row)".to_owned();
        return Box::new(std::iter::once(Item::Done(Err(row_error(name, message)))));
    }
    let mut columns = Vec::with_capacity(header.len());
    for (index, cell) in header.iter().enumerate().skip(1) {
        let text = String::from_utf8_lossy(cell);
        match text.trim().parse::<LineCode>() {
            Ok(code) => columns.push(program.slot(code)),
            Err(error) => {
                let message = format!(
                    "column {} of the header: `{text}` is not a line code: {error}",
                    index + 1
                );
                return Box::new(std::iter::once(Item::Done(Err(row_error(name, message)))));
            }
        }
    }
    Box::new(WideCsv {
        csv,
        name: name.into(),
        columns: columns.into(),
        width: program.width(),
        row: 1,
        broken: false,
    })
}

fn long_csv<R: Read>(
    mut csv: csv::Reader<R>,
    name: String,
    program: &Program<'_>,
) -> Result<Record, Unreadable> {
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    let mut record = csv::ByteRecord::new();
    let mut row = 1;
    loop {
        row += 1;
        match csv.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(error) => return Err(row_error(name, format!("not valid CSV: {error}"))),
        }
        let code = String::from_utf8_lossy(record.get(0).unwrap_or(b""));
        let code = match code.trim().parse::<LineCode>() {
            Ok(code) => code,
            Err(error) => {
                errors.push(format!("row {row}: `{code}` is not a line code: {error}"));
                continue;
            }
        };
        match cell(record.get(1).unwrap_or(b"")) {
            Ok(Some(amount)) => lines.push((code, amount)),
            Ok(None) => {}
            Err(error) => errors.push(format!("row {row}, line {code}: {error}")),
        }
    }
    let mut seen = std::collections::HashSet::new();
    for (code, _) in &lines {
        if !seen.insert(*code) {
            errors.push(format!("line {code} appears twice"));
        }
    }
    if !errors.is_empty() {
        return Err(Unreadable {
            errors: errors
                .into_iter()
                .map(|message| Error::Batch {
                    report: name.clone(),
                    message,
                })
                .collect(),
            name,
        });
    }
    let report = Report::from_lines(name, lines);
    Ok(record_of(&report, program))
}

/// One report per row: `report_id`, then the amounts of the header's line codes.
struct WideCsv<R> {
    csv: csv::Reader<R>,
    name: Arc<str>,
    /// The slot of each amount column, `None` for a line no rule reads.
    columns: Arc<[Option<usize>]>,
    width: usize,
    row: usize,
    broken: bool,
}

impl<R: Read> Iterator for WideCsv<R> {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        if self.broken {
            return None;
        }
        self.row += 1;
        let mut cells = csv::ByteRecord::new();
        match self.csv.read_byte_record(&mut cells) {
            Ok(false) => None,
            Ok(true) => Some(Item::Row(Row {
                file: Arc::clone(&self.name),
                number: self.row,
                cells,
                columns: Arc::clone(&self.columns),
                width: self.width,
            })),
            Err(error) => {
                // A broken row ends the file: the reader cannot find the next one.
                self.broken = true;
                let name = format!("{} row {}", self.name, self.row);
                Some(Item::Done(Err(row_error(
                    name,
                    format!("not valid CSV: {error}"),
                ))))
            }
        }
    }
}

impl Row {
    fn parse(self) -> Result<Record, Unreadable> {
        let id = String::from_utf8_lossy(self.cells.get(0).unwrap_or(b"")).into_owned();
        let name = format!("{} row {} ({id})", self.file, self.number);
        if self.cells.len() != self.columns.len() + 1 {
            let message = format!(
                "{} cells, but the header has {}",
                self.cells.len(),
                self.columns.len() + 1
            );
            return Err(row_error(name, message));
        }
        let mut row = vec![None; self.width];
        let mut problems = Vec::new();
        for (text, column) in self.cells.iter().skip(1).zip(self.columns.iter()) {
            match cell(text) {
                Ok(amount) => {
                    if let Some(target) = column.and_then(|slot| row.get_mut(slot)) {
                        *target = amount;
                    }
                }
                Err(error) => problems.push(error),
            }
        }
        if !problems.is_empty() {
            return Err(row_error(name, problems.join("; ")));
        }
        Ok(Record {
            name,
            id: Some(id),
            firm: None,
            as_of: None,
            row,
        })
    }
}

/// One report per line of JSON: `{"id": …, "firm": …, "as_of": …, "lines": {"7010": "…"}}`.
struct JsonLines<'p, R> {
    lines: R,
    name: String,
    number: usize,
    program: &'p Program<'p>,
    buffer: String,
}

impl<R: BufRead> Iterator for JsonLines<'_, R> {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            self.buffer.clear();
            self.number += 1;
            match self.lines.read_line(&mut self.buffer) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(error) => {
                    let name = format!("{} line {}", self.name, self.number);
                    return Some(Item::Done(Err(row_error(name, error.to_string()))));
                }
            }
            if !self.buffer.trim().is_empty() {
                break;
            }
        }
        let name = format!("{} line {}", self.name, self.number);
        Some(Item::Done(json_line(&self.buffer, name, self.program)))
    }
}

fn json_line(text: &str, name: String, program: &Program<'_>) -> Result<Record, Unreadable> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Shape<'a> {
        #[serde(default, borrow)]
        id: Option<std::borrow::Cow<'a, str>>,
        #[serde(default, borrow)]
        firm: Option<std::borrow::Cow<'a, str>>,
        #[serde(default, borrow)]
        as_of: Option<std::borrow::Cow<'a, str>>,
        #[serde(borrow)]
        lines: Pairs<'a>,
    }
    let shape: Shape<'_> = match serde_json::from_str(text) {
        Ok(shape) => shape,
        Err(error) => return Err(row_error(name, format!("not a report: {error}"))),
    };
    let label = match &shape.id {
        Some(id) => format!("{name} ({id})"),
        None => name,
    };
    let mut row = vec![None; program.width()];
    let mut problems = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (key, value) in &shape.lines.0 {
        let code = match key.parse::<LineCode>() {
            Ok(code) => code,
            Err(error) => {
                problems.push(format!("`{key}` is not a line code: {error}"));
                continue;
            }
        };
        if !seen.insert(code) {
            problems.push(format!("line {code} appears twice"));
        }
        let raw = value.get();
        let text = raw
            .strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
            .unwrap_or(raw);
        let amount = if raw == "null" {
            Ok(None)
        } else {
            cell(text.as_bytes())
        };
        match amount {
            Ok(amount) => {
                if let Some(target) = program.slot(code).and_then(|slot| row.get_mut(slot)) {
                    *target = amount;
                }
            }
            Err(error) => problems.push(format!("line {code}: {error}")),
        }
    }
    if !problems.is_empty() {
        return Err(row_error(label, problems.join("; ")));
    }
    Ok(Record {
        name: label,
        id: shape.id.map(|id| id.into_owned()),
        firm: shape.firm.map(|firm| firm.into_owned()),
        as_of: shape.as_of.map(|as_of| as_of.into_owned()),
        row,
    })
}

/// A JSON object read as its key/value pairs, in order, duplicates kept.
struct Pairs<'a>(Vec<(std::borrow::Cow<'a, str>, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Pairs<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visit<'a> {
            type Value = Pairs<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of line codes and amounts")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<Pairs<'a>, M::Error> {
                let mut pairs = Vec::new();
                while let Some((key, value)) =
                    map.next_entry::<std::borrow::Cow<'de, str>, &'de RawValue>()?
                {
                    pairs.push((key, value));
                }
                Ok(Pairs(pairs))
            }
        }
        deserializer.deserialize_map(Visit(std::marker::PhantomData))
    }
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

/// A wide CSV file read in blocks that end at record boundaries, so the blocks can be
/// tokenized and evaluated in parallel. Only what does not hold is kept of each block.
pub struct CsvBlocks<'p> {
    program: &'p Program<'p>,
    reader: Box<dyn Read + Send + 'p>,
    columns: Arc<[Option<usize>]>,
    carry: Vec<u8>,
    in_quote: bool,
    done: bool,
}

/// A row of a block that did not hold or could not be read.
#[derive(Debug)]
pub struct BlockFinding {
    /// Its index in the block.
    pub index: usize,
    /// The row's `report_id`.
    pub id: String,
    /// The verdict, or why the row is not a report.
    pub result: Result<crate::eval::Verdict, String>,
}

/// What a block came to.
#[derive(Debug, Default)]
pub struct BlockResult {
    /// Rows in the block.
    pub rows: usize,
    /// The rows that did not hold or could not be read, in order.
    pub findings: Vec<BlockFinding>,
}

/// The size of a block read at once.
const BLOCK: usize = 1 << 20;

impl<'p> CsvBlocks<'p> {
    /// Open a wide CSV file for block reading. `None` when it is not a wide CSV file (a
    /// long one, or one whose header is not usable): read it with [`read`] instead.
    pub fn open(path: &Path, program: &'p Program<'p>) -> Option<Self> {
        let mut buffered = BufReader::with_capacity(BLOCK, File::open(path).ok()?);
        // The header: the first line, which holds no quotes in a usable file.
        let mut header = Vec::new();
        buffered.read_until(b'\n', &mut header).ok()?;
        let header = String::from_utf8(header).ok()?;
        let header = header.trim_end_matches('\n').to_owned();
        let reader: Box<dyn Read + Send + 'p> = Box::new(buffered);
        let mut names = header.trim_end_matches('\r').split(',');
        if !names.next()?.trim().eq_ignore_ascii_case("report_id") || header.contains('"') {
            return None;
        }
        let columns: Option<Vec<Option<usize>>> = names
            .map(|name| {
                name.trim()
                    .parse::<LineCode>()
                    .ok()
                    .map(|code| program.slot(code))
            })
            .collect();
        Some(CsvBlocks {
            program,
            reader,
            columns: columns?.into(),
            carry: Vec::new(),
            in_quote: false,
            done: false,
        })
    }

    /// Up to `count` more blocks, each ending at a record boundary; empty at the end.
    pub fn next_blocks(&mut self, count: usize) -> io::Result<Vec<Vec<u8>>> {
        let mut blocks = Vec::with_capacity(count);
        while blocks.len() < count && !self.done {
            let mut block = std::mem::take(&mut self.carry);
            let start = block.len();
            block.resize(start + BLOCK, 0);
            let mut filled = start;
            while filled < block.len() {
                match self
                    .reader
                    .read(block.get_mut(filled..).unwrap_or_default())
                {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                    Err(error) => return Err(error),
                }
            }
            block.truncate(filled);
            if filled < start + BLOCK {
                self.done = true;
                if !block.is_empty() {
                    blocks.push(block);
                }
                break;
            }
            // Cut after the last newline outside quotes; the rest starts the next block.
            let cut = if !self.in_quote && memchr::memchr(b'"', &block).is_none() {
                memchr::memrchr(b'\n', &block).map(|i| (i + 1, false))
            } else {
                let mut cut = None;
                let mut in_quote = self.in_quote;
                for (i, &byte) in block.iter().enumerate() {
                    match byte {
                        b'"' => in_quote = !in_quote,
                        b'\n' if !in_quote => cut = Some((i + 1, in_quote)),
                        _ => {}
                    }
                }
                cut
            };
            match cut {
                Some((at, quote)) => {
                    self.carry = block.split_off(at);
                    self.in_quote = quote;
                    blocks.push(block);
                }
                None => self.carry = block,
            }
        }
        Ok(blocks)
    }

    /// What tokenizes and evaluates blocks, shareable across threads.
    pub fn parser(&self) -> BlockParser<'p> {
        BlockParser {
            program: self.program,
            columns: Arc::clone(&self.columns),
        }
    }
}

/// The cells of one quote-free CSV line.
fn plain_cells(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    line.split(|&byte| byte == b',')
}

/// Tokenizes and evaluates blocks of a wide CSV file.
#[derive(Clone, Debug)]
pub struct BlockParser<'p> {
    program: &'p Program<'p>,
    columns: Arc<[Option<usize>]>,
}

impl BlockParser<'_> {
    /// A block without quotes: lines split on `\n`, cells on `,`.
    fn process_plain(
        &self,
        block: &[u8],
        row: &mut Vec<Option<Decimal>>,
        scratch: &mut Vec<Option<Decimal>>,
    ) -> BlockResult {
        let mut result = BlockResult::default();
        let mut start = 0;
        while start < block.len() {
            let end = memchr::memchr(b'\n', block.get(start..).unwrap_or_default())
                .map_or(block.len(), |i| start + i);
            let line = block.get(start..end).unwrap_or_default();
            start = end + 1;
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.is_empty() {
                continue;
            }
            let index = result.rows;
            result.rows += 1;
            let mut cells = plain_cells(line);
            let id_cell = cells.next().unwrap_or_default();
            let id = || String::from_utf8_lossy(id_cell).into_owned();
            row.clear();
            row.resize(self.program.width(), None);
            let mut count = 0;
            let mut problem = None;
            for (text, column) in cells.by_ref().zip(self.columns.iter()) {
                count += 1;
                match cell(text) {
                    Ok(amount) => {
                        if let Some(target) = column.and_then(|slot| row.get_mut(slot)) {
                            *target = amount;
                        }
                    }
                    Err(error) => {
                        problem = Some(error);
                        break;
                    }
                }
            }
            if problem.is_none() {
                let total = 1 + count + cells.count();
                if total != self.columns.len() + 1 {
                    problem = Some(format!(
                        "{total} cells, but the header has {}",
                        self.columns.len() + 1
                    ));
                }
            }
            if let Some(error) = problem {
                result.findings.push(BlockFinding {
                    index,
                    id: id(),
                    result: Err(error),
                });
                continue;
            }
            let verdict = self.program.verdict(row, scratch);
            if !verdict.not_holding.is_empty() {
                result.findings.push(BlockFinding {
                    index,
                    id: id(),
                    result: Ok(verdict),
                });
            }
        }
        result
    }

    /// Tokenize and evaluate one block; `row` and `scratch` are reused between calls.
    pub fn process(
        &self,
        block: &[u8],
        row: &mut Vec<Option<Decimal>>,
        scratch: &mut Vec<Option<Decimal>>,
    ) -> BlockResult {
        if memchr::memchr(b'"', block).is_none() {
            return self.process_plain(block, row, scratch);
        }
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(block);
        let mut cells = csv::ByteRecord::new();
        let mut result = BlockResult::default();
        loop {
            match csv.read_byte_record(&mut cells) {
                Ok(false) => break,
                Ok(true) => {}
                Err(error) => {
                    result.findings.push(BlockFinding {
                        index: result.rows,
                        id: String::new(),
                        result: Err(format!("not valid CSV: {error}")),
                    });
                    result.rows += 1;
                    break;
                }
            }
            let index = result.rows;
            result.rows += 1;
            let id = || String::from_utf8_lossy(cells.get(0).unwrap_or(b"")).into_owned();
            if cells.len() != self.columns.len() + 1 {
                let message = format!(
                    "{} cells, but the header has {}",
                    cells.len(),
                    self.columns.len() + 1
                );
                result.findings.push(BlockFinding {
                    index,
                    id: id(),
                    result: Err(message),
                });
                continue;
            }
            row.clear();
            row.resize(self.program.width(), None);
            let mut problem = None;
            for (text, column) in cells.iter().skip(1).zip(self.columns.iter()) {
                match cell(text) {
                    Ok(amount) => {
                        if let Some(target) = column.and_then(|slot| row.get_mut(slot)) {
                            *target = amount;
                        }
                    }
                    Err(error) => {
                        problem = Some(error);
                        break;
                    }
                }
            }
            if let Some(error) = problem {
                result.findings.push(BlockFinding {
                    index,
                    id: id(),
                    result: Err(error),
                });
                continue;
            }
            let verdict = self.program.verdict(row, scratch);
            if !verdict.not_holding.is_empty() {
                result.findings.push(BlockFinding {
                    index,
                    id: id(),
                    result: Ok(verdict),
                });
            }
        }
        result
    }
}
