//! CSV reports: long (`line,amount`, one report) and wide (`report_id`, then one column per
//! line code, one row per report), row by row or in blocks evaluated in parallel.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;

use rust_decimal::Decimal;

use super::{Item, Record, Row, Unreadable, cell, record_of, row_error};
use crate::error::Error;
use crate::eval::Program;
use crate::line::LineCode;
use crate::report::Report;

/// The reports of a CSV file: long (`line,amount`, one report) or wide (`report_id` first).
pub(super) fn csv_records<'p>(
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
        let named = text.trim().to_ascii_lowercase();
        if named == "firm" || named == "as_of" {
            if columns.iter().any(|c| {
                matches!(
                    (c, named.as_str()),
                    (Column::Firm, "firm") | (Column::AsOf, "as_of")
                )
            }) {
                let message = format!(
                    "column {} of the header: `{named}` appears twice",
                    index + 1
                );
                return Box::new(std::iter::once(Item::Done(Err(row_error(name, message)))));
            }
            columns.push(if named == "firm" {
                Column::Firm
            } else {
                Column::AsOf
            });
            continue;
        }
        match text.trim().parse::<LineCode>() {
            Ok(code) => columns.push(Column::Line(program.slot(code))),
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

/// What a column of a wide CSV file after `report_id` holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    /// A line's amounts, in this slot of the program (`None`: no rule reads the line).
    Line(Option<usize>),
    /// The filer.
    Firm,
    /// The report date.
    AsOf,
}

/// One report per row: `report_id`, then the amounts of the header's line codes (and
/// optionally `firm` and `as_of` columns).
struct WideCsv<R> {
    csv: csv::Reader<R>,
    name: Arc<str>,
    /// What each column after `report_id` holds.
    columns: Arc<[Column]>,
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
    pub(super) fn parse(self) -> Result<Record, Unreadable> {
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
        let (mut firm, mut as_of) = (None, None);
        for (text, column) in self.cells.iter().skip(1).zip(self.columns.iter()) {
            let slot = match column {
                Column::Line(slot) => slot,
                Column::Firm => {
                    let text = String::from_utf8_lossy(text).trim().to_owned();
                    firm = (!text.is_empty()).then_some(text);
                    continue;
                }
                Column::AsOf => {
                    let text = String::from_utf8_lossy(text);
                    let text = text.trim();
                    match text.parse::<crate::date::Date>() {
                        _ if text.is_empty() => {}
                        Ok(date) => as_of = Some(date),
                        Err(error) => {
                            problems.push(format!("as_of `{text}` is not a date: {error}"))
                        }
                    }
                    continue;
                }
            };
            match cell(text) {
                Ok(amount) => {
                    if let Some(target) = slot.and_then(|slot| row.get_mut(slot)) {
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
            firm,
            as_of,
            row,
        })
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
    /// The amount cells of one row (after `report_id`) into `row`, then its verdict:
    /// `Ok(None)` when every rule holds, `Err` when the row is not a report.
    fn evaluate<'c>(
        &self,
        cells: impl Iterator<Item = &'c [u8]>,
        row: &mut Vec<Option<Decimal>>,
        scratch: &mut Vec<Option<Decimal>>,
    ) -> Result<Option<crate::eval::Verdict>, String> {
        row.clear();
        row.resize(self.program.width(), None);
        let mut count = 0;
        let mut columns = self.columns.iter();
        for text in cells {
            count += 1;
            let Some(column) = columns.next() else {
                continue;
            };
            let amount = cell(text)?;
            if let Some(target) = column.and_then(|slot| row.get_mut(slot)) {
                *target = amount;
            }
        }
        if count != self.columns.len() {
            return Err(format!(
                "{} cells, but the header has {}",
                count + 1,
                self.columns.len() + 1
            ));
        }
        let verdict = self.program.verdict(row, None, scratch);
        Ok((!verdict.holds()).then_some(verdict))
    }

    /// Record what one row came to, if it did not hold.
    fn record(
        result: &mut BlockResult,
        id: &[u8],
        outcome: Result<Option<crate::eval::Verdict>, String>,
    ) {
        let index = result.rows;
        result.rows += 1;
        let result_of = match outcome {
            Ok(None) => return,
            Ok(Some(verdict)) => Ok(verdict),
            Err(message) => Err(message),
        };
        result.findings.push(BlockFinding {
            index,
            id: String::from_utf8_lossy(id).into_owned(),
            result: result_of,
        });
    }

    /// Tokenize and evaluate one block; `row` and `scratch` are reused between calls.
    /// A block without quotes is split on `\n` and `,` directly; one with quotes goes
    /// through the CSV tokenizer.
    pub fn process(
        &self,
        block: &[u8],
        row: &mut Vec<Option<Decimal>>,
        scratch: &mut Vec<Option<Decimal>>,
    ) -> BlockResult {
        let mut result = BlockResult::default();
        if memchr::memchr(b'"', block).is_none() {
            let mut start = 0;
            let ends = memchr::memchr_iter(b'\n', block).chain(std::iter::once(block.len()));
            for end in ends {
                let line = block.get(start..end).unwrap_or_default();
                start = end + 1;
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                if line.is_empty() {
                    continue;
                }
                let mut cells = plain_cells(line);
                let id = cells.next().unwrap_or_default();
                let outcome = self.evaluate(cells, row, scratch);
                Self::record(&mut result, id, outcome);
            }
            return result;
        }
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(block);
        let mut cells = csv::ByteRecord::new();
        loop {
            match csv.read_byte_record(&mut cells) {
                Ok(false) => break,
                Ok(true) => {}
                Err(error) => {
                    Self::record(&mut result, b"", Err(format!("not valid CSV: {error}")));
                    break;
                }
            }
            let id = cells.get(0).unwrap_or_default();
            let outcome = self.evaluate(cells.iter().skip(1), row, scratch);
            Self::record(&mut result, id, outcome);
        }
        result
    }
}
