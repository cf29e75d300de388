//! CSV reports: long (`line,amount`, one report) and wide (`report_id`, then one column per
//! line code, one row per report), read in blocks of whole rows.
//!
//! Rows are found as the `csv` crate reads them (RFC 4180: a quote opens a field only at
//! its start, `""` inside is a quote, `\n`, `\r` and `\r\n` end a row, empty lines are
//! skipped), so a block always ends where a row does. A block with no quote and no lone
//! `\r` is split on `\n` and `,` directly, which is that same reading.

use std::io::Read;
use std::sync::Arc;

use rust_decimal::Decimal;

use super::inputs::{Boundaries, Buffers, Cutter, Job, Kind, Unreadable};
use super::map::{ColumnMap, Target};
use super::{Meta, Place, ReportError, Row, Spare};
use crate::compile::RuleSet;
use crate::files::{FileError, MAX_REPORT_BYTES};
use crate::unit::Unit;
use crossfoot_syntax::amount;
use crossfoot_syntax::date::Date;
use crossfoot_syntax::line::LineCode;

/// What a column of a wide CSV file after `report_id` holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    /// A line's amounts, in this slot of the rule set (`None`: no rule reads the line).
    Line(LineCode, Option<usize>),
    /// The filer.
    Firm,
    /// The report date.
    AsOf,
    /// The unit of the row's amounts.
    Unit,
    /// The report's id (a column map's `report_id`, when it is not the first column).
    Id,
    /// Nothing crossfoot reads (a column map's `ignore`, or `unmapped: ignore`).
    Ignore,
}

/// Where the CSV written from a workbook's sheet sits in the sheet, so a problem names the
/// cell (`Reports!D14`).
#[derive(Debug)]
pub(super) struct Sheet {
    name: String,
    /// The header's row in the sheet, 1-based.
    header_row: usize,
    /// The sheet column (0-based) of each CSV column.
    columns: Vec<usize>,
}

impl Sheet {
    /// A sheet named `name` whose header is row `header_row` (1-based), its CSV columns
    /// from the sheet's `columns` (0-based).
    #[cfg_attr(
        not(feature = "workbook"),
        expect(dead_code, reason = "only the workbook reader makes sheets")
    )]
    pub(super) fn new(name: &str, header_row: usize, columns: Vec<usize>) -> Self {
        Sheet {
            name: name.to_owned(),
            header_row,
            columns,
        }
    }

    /// The name of the cell in CSV column `index` of sheet row `row`.
    fn cell(&self, index: usize, row: usize) -> String {
        let column = self.columns.get(index).copied().unwrap_or(index);
        cell_name(&self.name, row, column)
    }
}

/// `Reports!D14`: a cell's name, its row 1-based, its column 0-based.
pub(super) fn cell_name(sheet: &str, row: usize, column: usize) -> String {
    let mut letters = Vec::new();
    let mut n = column + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + u8::try_from(rem).unwrap_or(0)));
        n = (n - 1) / 26;
    }
    let column: String = letters.into_iter().rev().collect();
    // A sheet name with spaces or punctuation is quoted, as a spreadsheet writes it.
    if sheet.chars().all(|c| c.is_alphanumeric() || c == '_') {
        format!("{sheet}!{column}{row}")
    } else {
        format!("'{}'!{column}{row}", sheet.replace('\'', "''"))
    }
}

/// Rows of a wide CSV file, with what is needed to read them.
#[derive(Debug)]
pub(super) struct Block {
    file: Arc<str>,
    /// The sheet the rows come from, when they come from a workbook.
    sheet: Option<Arc<Sheet>>,
    /// The row number of the first row (the header is row 1).
    first: usize,
    bytes: Vec<u8>,
    /// Whether the first cell of a row is its id, read apart from [`Block::columns`].
    id_first: bool,
    columns: Arc<[Column]>,
    /// The rule set's slots no column fills: the only ones a reused row must blank, as a
    /// row read whole has every other slot written by its cell.
    unfilled: Arc<[usize]>,
    /// Where the bytes' buffer goes once read.
    buffers: Arc<Buffers>,
}

/// The jobs of a CSV stream: one for a long file, a block of rows at a time for a wide one.
pub(super) fn jobs<'a>(
    reader: Box<dyn Read + Send>,
    name: String,
    rules: &RuleSet,
    sheet: Option<Sheet>,
    map: Option<&ColumnMap>,
) -> Box<dyn Iterator<Item = Job> + Send + 'a> {
    let failed = |name: String, message: String| -> Box<dyn Iterator<Item = Job> + Send + 'a> {
        Box::new(std::iter::once(Job(Kind::Done(vec![Err(
            Unreadable::batch(Meta::named(name), message),
        )]))))
    };
    let mut cutter = Cutter::new(reader, CsvRows::default());
    let first = match cutter.next_piece() {
        None => return failed(name, "the CSV file is empty".to_owned()),
        Some(Err(message)) => return failed(name, message),
        Some(Ok(piece)) => piece.bytes,
    };
    let (header, rest) = match split_header(&first) {
        Ok(split) => split,
        Err(message) => return failed(name, message),
    };
    let names: Vec<String> = header
        .iter()
        .map(|cell| String::from_utf8_lossy(cell).trim().to_ascii_lowercase())
        .collect();
    if names == ["line", "amount"] && map.is_none() {
        let row = long(cutter, rest.to_vec(), &name, rules, sheet.as_ref());
        return Box::new(std::iter::once(Job(Kind::Done(vec![row]))));
    }
    if names.first().map(String::as_str) != Some("report_id") && map.is_none() {
        let message = "a CSV report starts with the header `line,amount` (one report) or `report_id,<line codes>` (one report per row)".to_owned();
        return failed(name, message);
    }
    let (id_first, columns) = match columns(&header, rules, map) {
        Ok(columns) => columns,
        Err(message) => return failed(name, message),
    };
    let filled: std::collections::HashSet<usize> = columns
        .iter()
        .filter_map(|column| match column {
            Column::Line(_, slot) => *slot,
            _ => None,
        })
        .collect();
    let unfilled: Arc<[usize]> = (0..rules.width())
        .filter(|slot| !filled.contains(slot))
        .collect();
    let columns: Arc<[Column]> = columns.into();
    let file: Arc<str> = name.into();
    let buffers = cutter.buffers();
    let mut next_row = sheet.as_ref().map_or(2, |sheet| sheet.header_row + 1);
    let sheet = sheet.map(Arc::new);
    let first_block = Block {
        file: Arc::clone(&file),
        sheet: sheet.clone(),
        first: next_row,
        bytes: rest.to_vec(),
        id_first,
        columns: Arc::clone(&columns),
        unfilled: Arc::clone(&unfilled),
        buffers: Arc::clone(&buffers),
    };
    next_row += count_rows(&first_block.bytes);
    let blocks = std::iter::from_fn(move || {
        let job = match cutter.next_piece()? {
            Ok(piece) => {
                let block = Block {
                    file: Arc::clone(&file),
                    sheet: sheet.clone(),
                    first: next_row,
                    bytes: piece.bytes,
                    id_first,
                    columns: Arc::clone(&columns),
                    unfilled: Arc::clone(&unfilled),
                    buffers: Arc::clone(&buffers),
                };
                next_row += piece.records;
                Job(Kind::Csv(block))
            }
            Err(message) => {
                let meta = Meta::at(&file, Place::Row(next_row));
                Job(Kind::Done(vec![Err(Unreadable::batch(meta, message))]))
            }
        };
        Some(job)
    });
    Box::new(std::iter::once(Job(Kind::Csv(first_block))).chain(blocks))
}

/// The header row and the bytes after it.
fn split_header(bytes: &[u8]) -> Result<(csv::ByteRecord, &[u8]), String> {
    let mut reader = reader(bytes);
    let mut header = csv::ByteRecord::new();
    match reader.read_byte_record(&mut header) {
        Ok(true) => {}
        Ok(false) => return Err("the CSV file is empty".to_owned()),
        Err(error) => return Err(format!("not valid CSV: {error}")),
    }
    let end = usize::try_from(reader.position().byte()).unwrap_or(bytes.len());
    Ok((header, bytes.get(end..).unwrap_or_default()))
}

/// What each column of a wide header holds, and whether the first is the id (read apart);
/// two columns for one line, or two `firm` or `as_of` columns, are refused. A column map
/// says what a header it names holds.
fn columns(
    header: &csv::ByteRecord,
    rules: &RuleSet,
    map: Option<&ColumnMap>,
) -> Result<(bool, Vec<Column>), String> {
    let text_of = |cell: &[u8]| String::from_utf8_lossy(cell).into_owned();
    let first = header.get(0).map(text_of).unwrap_or_default();
    let id_first = match map.and_then(|map| map.target(&first)) {
        Some(target) => target == Target::Id,
        None => first.trim().eq_ignore_ascii_case("report_id"),
    };
    let mut columns = Vec::with_capacity(header.len());
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (index, cell) in header.iter().enumerate().skip(usize::from(id_first)) {
        let text = String::from_utf8_lossy(cell);
        let mapped = map.and_then(|map| map.target(&text));
        let named = match mapped {
            Some(Target::Line(code)) => code.to_string(),
            Some(Target::Id) => "report_id".to_owned(),
            Some(Target::Firm) => "firm".to_owned(),
            Some(Target::AsOf) => "as_of".to_owned(),
            Some(Target::Unit) => "unit".to_owned(),
            Some(Target::Ignore) => {
                columns.push(Column::Ignore);
                continue;
            }
            None => text.trim().to_ascii_lowercase(),
        };
        let column = match named.as_str() {
            "firm" => Column::Firm,
            "as_of" => Column::AsOf,
            "unit" => Column::Unit,
            "report_id" if map.is_some() => Column::Id,
            _ => match named.parse::<LineCode>() {
                Ok(code) => Column::Line(code, rules.slot(code)),
                Err(_) if map.is_some_and(ColumnMap::ignores_unmapped) => {
                    columns.push(Column::Ignore);
                    continue;
                }
                Err(error) => {
                    let why = if map.is_some() {
                        format!(
                            ": the column map does not name it, and it is not a line code: {error}"
                        )
                    } else {
                        format!(" is not a line code: {error}")
                    };
                    return Err(format!("column {} of the header: `{text}`{why}", index + 1));
                }
            },
        };
        if let Some(first) = seen.insert(named.clone(), index + 1) {
            return Err(format!(
                "column {} of the header: `{named}` appears twice (first in column {first})",
                index + 1
            ));
        }
        columns.push(column);
    }
    if let Some(map) = map {
        // A header the map names that the file lacks is an error, never a figure left out.
        let missing: Vec<String> = map
            .expected()
            .filter(|(named, _)| {
                !header
                    .iter()
                    .any(|cell| ColumnMap::matches(named, &text_of(cell)))
            })
            .map(|(_, written)| format!("`{written}`"))
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "the column map `{}` names {}, which the header does not have",
                map.name(),
                missing.join(", ")
            ));
        }
    }
    Ok((id_first, columns))
}

/// A CSV reader over bytes, with the crate's default dialect and rows of any width.
fn reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
}

/// Whether a block can be split on `\n` and `,`: no quotes, and every `\r` ends a line.
fn plain(bytes: &[u8]) -> bool {
    memchr::memchr(b'"', bytes).is_none()
        && memchr::memchr_iter(b'\r', bytes).all(|at| bytes.get(at + 1) == Some(&b'\n'))
}

/// The non-empty lines of a plain block, without their `\r`.
fn plain_lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let ends = memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len()));
    let mut start = 0;
    ends.filter_map(move |end| {
        let line = bytes.get(start..end).unwrap_or_default();
        start = end + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        (!line.is_empty()).then_some(line)
    })
}

/// A row's cells, taken in turn.
trait Cells<'c> {
    /// The next cell's text.
    fn text(&mut self) -> Option<&'c [u8]>;

    /// The next cell read as an amount ([`cell`]).
    fn amount(&mut self) -> Option<Result<Option<Decimal>, String>> {
        self.text().map(cell)
    }
}

/// The cells of a record the CSV reader read.
impl<'c, I: Iterator<Item = &'c [u8]>> Cells<'c> for I {
    fn text(&mut self) -> Option<&'c [u8]> {
        self.next()
    }
}

/// The cells of a plain line (no quotes): its text between commas, the rest of the line
/// once a cell is taken.
struct Plain<'c>(Option<&'c [u8]>);

impl<'c> Cells<'c> for Plain<'c> {
    fn text(&mut self) -> Option<&'c [u8]> {
        let text = self.0?;
        match text.iter().position(|&b| b == b',') {
            Some(at) => {
                self.0 = text.get(at + 1..);
                text.get(..at)
            }
            None => self.0.take(),
        }
    }

    /// An amount in the same pass that finds its cell's end, when the cell is a plain
    /// decimal ([`fast_decimal`]'s reading); any other cell as [`cell`] reads it.
    fn amount(&mut self) -> Option<Result<Option<Decimal>, String>> {
        let text = self.0?;
        if let Some((value, end)) = fast_prefix(text) {
            match text.get(end) {
                None => self.0 = None,
                Some(b',') => self.0 = text.get(end + 1..),
                Some(_) => return self.text().map(cell),
            }
            return Some(Ok(Some(value)));
        }
        self.text().map(cell)
    }
}

/// How many rows a block holds, as the CSV reader counts them.
fn count_rows(bytes: &[u8]) -> usize {
    if plain(bytes) {
        return plain_lines(bytes).count();
    }
    let mut rows = CsvRows::default();
    let (_, complete) = rows.scan(bytes);
    complete + usize::from(rows.in_row)
}

impl Block {
    /// The bytes' length.
    pub(super) fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Each row as a report's row for `rules`, or why it is not one; the block's buffer
    /// goes back to its stream.
    pub(super) fn read(self, rules: &RuleSet, spare: &mut Spare) -> Vec<Result<Row, Unreadable>> {
        let rows = self.rows(rules, spare);
        self.buffers.give(self.bytes);
        rows
    }

    /// Each row as a report's row for `rules`, or why it is not one.
    fn rows(&self, rules: &RuleSet, spare: &mut Spare) -> Vec<Result<Row, Unreadable>> {
        let mut rows = Vec::with_capacity(memchr::memchr_iter(b'\n', &self.bytes).count() + 1);
        let mut number = self.first;
        if plain(&self.bytes) {
            for line in plain_lines(&self.bytes) {
                if !self.is_note(line.split(|&b| b == b',')) {
                    rows.push(self.row(rules, spare, number, Plain(Some(line))));
                }
                number += 1;
            }
            return rows;
        }
        let mut reader = reader(&self.bytes);
        let mut cells = csv::ByteRecord::new();
        loop {
            match reader.read_byte_record(&mut cells) {
                Ok(false) => break,
                Ok(true) if self.is_note(cells.iter()) => {}
                Ok(true) => rows.push(self.row(rules, spare, number, cells.iter())),
                Err(error) => {
                    let meta = Meta::at(&self.file, Place::Row(number));
                    rows.push(Err(Unreadable::batch(
                        meta,
                        format!("not valid CSV: {error}"),
                    )));
                    break;
                }
            }
            number += 1;
        }
        rows
    }

    /// Whether a row is no report: no text in any cell (a workbook's blank row, `,,,` in a
    /// CSV file), or text only in its firm column and columns a map passes over, with no
    /// id, date, unit or amount (a heading or a footnote under a published sheet's data).
    /// It still counts, so later rows keep their numbers.
    fn is_note<'c>(&self, cells: impl Iterator<Item = &'c [u8]>) -> bool {
        let id = self.id_first.then_some(&Column::Id);
        let mut kinds = id.into_iter().chain(self.columns.iter());
        cells.into_iter().all(|cell| {
            let kind = kinds.next();
            cell.trim_ascii().is_empty() || matches!(kind, Some(Column::Firm | Column::Ignore))
        })
    }

    /// One row: `report_id`, then a cell for each column.
    fn row<'c>(
        &self,
        rules: &RuleSet,
        spare: &mut Spare,
        number: usize,
        mut cells: impl Cells<'c>,
    ) -> Result<Row, Unreadable> {
        let id_cell = if self.id_first {
            cells.text().unwrap_or_default()
        } else {
            &[]
        };
        let id = String::from_utf8_lossy(id_cell);
        let Row {
            mut meta,
            mut amounts,
            mut unknown,
        } = spare.row_to_fill(
            rules.width(),
            &self.unfilled,
            &self.file,
            Place::Row(number),
            self.id_first
                .then_some(id.trim())
                .filter(|id| !id.is_empty()),
        );
        let mut problems = Vec::new();
        if std::str::from_utf8(id_cell).is_err() {
            problems.push("the report_id is not UTF-8 text".to_owned());
        }
        let mut count = usize::from(self.id_first);
        let mut columns = self.columns.iter();
        loop {
            let column = columns.next();
            // An amount is read as its cell is found; a cell of another column is found
            // whole first.
            if let Some(Column::Line(code, slot)) = column {
                let Some(amount) = cells.amount() else {
                    break;
                };
                count += 1;
                match amount {
                    Ok(amount) => match slot.and_then(|slot| amounts.get_mut(slot)) {
                        Some(target) => *target = amount,
                        None if amount.is_some() && rules.undeclared(*code) => unknown.push(*code),
                        None => {}
                    },
                    Err(error) => match &self.sheet {
                        Some(sheet) => problems.push(format!(
                            "{}: line {code}: {error}",
                            sheet.cell(count - 1, number)
                        )),
                        None => problems.push(format!("line {code}: {error}")),
                    },
                }
                continue;
            }
            let Some(text) = cells.text() else {
                break;
            };
            count += 1;
            let Some(column) = column else {
                continue;
            };
            match column {
                Column::Line(..) => {}
                Column::Firm => match std::str::from_utf8(text) {
                    Ok(text) => meta.firm = super::firm(text),
                    Err(_) => problems.push("the firm is not UTF-8 text".to_owned()),
                },
                Column::AsOf => {
                    let text = String::from_utf8_lossy(text);
                    let text = text.trim();
                    match text.parse::<Date>() {
                        _ if text.is_empty() => {}
                        Ok(date) => meta.as_of = Some(date),
                        Err(error) => {
                            problems.push(format!("as_of `{text}` is not a date: {error}"));
                        }
                    }
                }
                Column::Unit => match Unit::of_field(&String::from_utf8_lossy(text)) {
                    Ok(unit) => meta.unit = unit,
                    Err(error) => problems.push(error.to_string()),
                },
                Column::Id => match std::str::from_utf8(text) {
                    Ok(text) => meta.id = super::firm(text),
                    Err(_) => problems.push("the report_id is not UTF-8 text".to_owned()),
                },
                Column::Ignore => {}
            }
        }
        if count != self.columns.len() + usize::from(self.id_first) {
            // A cell that runs over a line end when the count is wrong: most likely a quote
            // opened and never closed, taking the rows after it.
            let hint = if id.contains('\n') {
                " (is a quote left open? the row's first cell runs over several lines)"
            } else {
                ""
            };
            problems.insert(
                0,
                format!(
                    "{count} cells, but the header has {}{hint}",
                    self.columns.len() + usize::from(self.id_first)
                ),
            );
        }
        if problems.is_empty() {
            Ok(Row {
                meta,
                amounts,
                unknown,
            })
        } else {
            Err(Unreadable::batch(meta, problems.join("; ")))
        }
    }
}

/// A long CSV file (`line,amount`): one report, read whole (up to the report size limit).
fn long<R: Read, B: Boundaries>(
    mut cutter: Cutter<R, B>,
    mut bytes: Vec<u8>,
    name: &str,
    rules: &RuleSet,
    sheet: Option<&Sheet>,
) -> Result<Row, Unreadable> {
    while let Some(piece) = cutter.next_piece() {
        match piece {
            Ok(piece) => bytes.extend(piece.bytes),
            Err(message) => return Err(Unreadable::batch(Meta::named(name), message)),
        }
        if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_REPORT_BYTES {
            let error = FileError::TooLarge {
                path: name.to_owned(),
                size: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
                limit: MAX_REPORT_BYTES,
            };
            return Err(Unreadable::file(name, vec![error.into()]));
        }
    }
    let mut lines: Vec<(LineCode, Decimal)> = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashMap::new();
    let mut meta = Meta::named(name);
    let mut seen_meta: Vec<(String, usize)> = Vec::new();
    let mut reader = reader(&bytes);
    let mut record = csv::ByteRecord::new();
    let mut number = sheet.map_or(1, |sheet| sheet.header_row);
    // A problem names the row, or in a workbook the cell.
    // In a workbook, the cell: the `line` column's, or (`in_amount`) the `amount` column's.
    let at_cell = |number: usize, in_amount: bool| match sheet {
        Some(sheet) => sheet.cell(usize::from(in_amount), number),
        None => format!("row {number}"),
    };
    let at = |number: usize| at_cell(number, false);
    loop {
        number += 1;
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(error) => {
                errors.push(format!("{}: not valid CSV: {error}", at(number)));
                break;
            }
        }
        // A blank row (a workbook's, between its lines) is no line.
        if record.iter().all(|cell| cell.trim_ascii().is_empty()) {
            continue;
        }
        if let Some(key) = meta_key(&record) {
            if let Some((_, first)) = seen_meta.iter().find(|(seen, _)| *seen == key) {
                errors.push(format!(
                    "{}: `{key}` appears twice (first in {})",
                    at(number),
                    at(*first)
                ));
            } else if let Err(message) = long_meta(&key, &record, &mut meta) {
                errors.push(format!("{}: {message}", at_cell(number, true)));
            }
            seen_meta.push((key, number));
            continue;
        }
        match long_row(&record) {
            Ok((code, amount)) => {
                if let Some(first) = seen.insert(code, number) {
                    errors.push(format!(
                        "{}: line {code} appears twice (first in {})",
                        at(number),
                        at(first)
                    ));
                }
                lines.push((code, amount));
            }
            Err((in_amount, message)) => {
                errors.push(format!("{}: {message}", at_cell(number, in_amount)));
            }
        }
    }
    if !errors.is_empty() {
        let errors = errors
            .into_iter()
            .map(|message| ReportError::Batch {
                report: name.to_owned(),
                message,
            })
            .collect();
        return Err(Unreadable::file(name, errors));
    }
    let report = super::Report::from_lines(name, lines)
        .with_metadata(meta.id, meta.firm, meta.as_of)
        .with_unit(meta.unit);
    Ok(Row::of(rules, &report))
}

/// The report's own facts a long file may carry in rows of their own, before, after or
/// among its lines: `id,R7`, `firm,ACME FUTURES`, `as_of,2027-03-31`, `unit,thousands`.
const LONG_META: [&str; 4] = ["id", "firm", "as_of", "unit"];

/// The key of a row that holds one of a long file's facts ([`LONG_META`]), lower case.
fn meta_key(record: &csv::ByteRecord) -> Option<String> {
    let first = String::from_utf8_lossy(record.get(0)?);
    let key = first.trim().to_ascii_lowercase();
    LONG_META.contains(&key.as_str()).then_some(key)
}

/// A long file's fact, read into `meta` as the wide form reads its columns.
fn long_meta(key: &str, record: &csv::ByteRecord, meta: &mut Meta) -> Result<(), String> {
    if record.len() != 2 {
        return Err(format!("`{key}` takes one value: `{key},VALUE`"));
    }
    let value = std::str::from_utf8(record.get(1).unwrap_or_default())
        .map_err(|_| format!("the {key} is not UTF-8 text"))?;
    match key {
        "id" => meta.id = super::firm(value),
        "firm" => meta.firm = super::firm(value),
        "as_of" => {
            let text = value.trim();
            let date = text
                .parse::<Date>()
                .map_err(|error| format!("as_of `{text}` is not a date: {error}"))?;
            meta.as_of = Some(date);
        }
        _ => meta.unit = Unit::of_field(value).map_err(|error| error.to_string())?,
    }
    Ok(())
}

/// One row of a long file: exactly a line code and an amount.
/// A problem says whether it is the amount's (`true`) or the line's.
fn long_row(record: &csv::ByteRecord) -> Result<(LineCode, Decimal), (bool, String)> {
    let text = |index: usize| String::from_utf8_lossy(record.get(index).unwrap_or_default());
    if record.len() != 2 {
        let hint = if record.len() > 2 {
            " (an amount with thousands separators must be quoted: `7180,\"5,000\"`)"
        } else {
            ""
        };
        return Err((
            false,
            format!(
                "{} cells, but a row of a long CSV report is `line,amount`{hint}",
                record.len()
            ),
        ));
    }
    let code = text(0);
    let code = code
        .trim()
        .parse::<LineCode>()
        .map_err(|error| (false, format!("`{code}` is not a line code: {error}")))?;
    match cell(record.get(1).unwrap_or_default()).map_err(|message| (true, message))? {
        Some(amount) => Ok((code, amount)),
        None => Err((
            true,
            format!("line {code} has no amount (leave the row out for a blank line)"),
        )),
    }
}

/// An amount cell: blank when empty; plain integers and decimals on a fast path, every
/// other spelling through [`amount::parse`]. Never through a float.
pub(super) fn cell(text: &[u8]) -> Result<Option<Decimal>, String> {
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
        .map_err(|error| match amount::advice(text) {
            Some(advice) => format!("{error}: {advice}"),
            None => error.to_string(),
        })
}

/// `-?digits(.digits)?` with at most 18 digits, straight to a decimal.
fn fast_decimal(text: &[u8]) -> Option<Decimal> {
    fast_prefix(text)
        .filter(|&(_, end)| end == text.len())
        .map(|(value, _)| value)
}

/// `-?digits(.digits)?` with at most 18 digits at the start of `text`, up to the first
/// byte that is neither a digit nor the point, and where that byte is.
fn fast_prefix(text: &[u8]) -> Option<(Decimal, usize)> {
    let (negative, digits) = match text.split_first()? {
        (b'-', rest) => (true, rest),
        _ => (false, text),
    };
    let mut mantissa: i64 = 0;
    let mut point = None;
    let mut end = digits.len();
    for (i, &byte) in digits.iter().enumerate() {
        let digit = byte.wrapping_sub(b'0');
        if digit < 10 {
            // Wraps past 19 digits: such a text is refused below.
            mantissa = mantissa.wrapping_mul(10).wrapping_add(i64::from(digit));
        } else if byte == b'.' && point.is_none() && i > 0 {
            point = Some(i);
        } else {
            end = i;
            break;
        }
    }
    let digits = digits.get(..end)?;
    // At most 18 digits, so the mantissa did not overflow an i64.
    if digits.is_empty() || digits.len() - usize::from(point.is_some()) > 18 {
        return None;
    }
    let scale = match point {
        Some(at) => u32::try_from(digits.len() - at - 1)
            .ok()
            .filter(|&s| s > 0)?,
        None => 0,
    };
    // A zero is never negative, and keeps the decimals it was printed with.
    let mantissa = if negative { -mantissa } else { mantissa };
    Some((Decimal::new(mantissa, scale), end + usize::from(negative)))
}

/// Where rows end, as the `csv` crate reads them.
#[derive(Debug, Default)]
pub(super) struct CsvRows {
    state: State,
    /// Whether the row being scanned has a byte that is not a line end.
    in_row: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum State {
    /// At the start of a field.
    #[default]
    FieldStart,
    /// In a field without quotes.
    Field,
    /// In a quoted field.
    Quoted,
    /// Just after a quote in a quoted field: the end of the quotes, or `""`.
    QuoteInQuoted,
}

impl Boundaries for CsvRows {
    fn scan(&mut self, bytes: &[u8]) -> (Option<usize>, usize) {
        if self.state != State::Quoted && self.state != State::QuoteInQuoted && plain(bytes) {
            return self.scan_plain(bytes);
        }
        let mut last = None;
        let mut rows = 0;
        for (at, &byte) in bytes.iter().enumerate() {
            let end_of_row = match (self.state, byte) {
                (State::Quoted, b'"') => {
                    self.state = State::QuoteInQuoted;
                    false
                }
                (State::Quoted, _) => false,
                (State::QuoteInQuoted, b'"') => {
                    self.state = State::Quoted;
                    false
                }
                (_, b'\n' | b'\r') => true,
                (_, b',') => {
                    self.state = State::FieldStart;
                    false
                }
                (State::FieldStart, b'"') => {
                    self.state = State::Quoted;
                    false
                }
                _ => {
                    self.state = State::Field;
                    false
                }
            };
            if end_of_row {
                self.state = State::FieldStart;
                rows += usize::from(self.in_row);
                self.in_row = false;
                last = Some(at + 1);
            } else {
                self.in_row = true;
            }
        }
        (last, rows)
    }
}

impl CsvRows {
    /// The same, for bytes without quotes in which every `\r` ends a line.
    fn scan_plain(&mut self, bytes: &[u8]) -> (Option<usize>, usize) {
        let Some(last_newline) = memchr::memrchr(b'\n', bytes) else {
            self.note_tail(bytes);
            return (None, 0);
        };
        let head = bytes.get(..last_newline).unwrap_or_default();
        let mut rows = plain_lines(head).count();
        // The row that was open before these bytes ends at their first line end.
        let first_line_empty = head
            .split(|&b| b == b'\n')
            .next()
            .is_none_or(|line| line.strip_suffix(b"\r").unwrap_or(line).is_empty());
        if self.in_row && first_line_empty {
            rows += 1;
        }
        self.in_row = false;
        self.state = State::FieldStart;
        self.note_tail(bytes.get(last_newline + 1..).unwrap_or_default());
        (Some(last_newline + 1), rows)
    }

    /// After bytes with no line end: the state at their end.
    fn note_tail(&mut self, tail: &[u8]) {
        if let Some(&last) = tail.last() {
            self.in_row = true;
            self.state = if last == b',' {
                State::FieldStart
            } else {
                State::Field
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_named_as_a_spreadsheet_names_them() {
        assert_eq!(cell_name("Reports", 14, 3), "Reports!D14");
        assert_eq!(cell_name("Reports", 1, 25), "Reports!Z1");
        assert_eq!(cell_name("Reports", 1, 26), "Reports!AA1");
        assert_eq!(cell_name("Reports", 2, 701), "Reports!ZZ2");
        assert_eq!(cell_name("Q1 2027", 3, 0), "'Q1 2027'!A3");
    }

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
        // Past 18 digits, the general reader: never an overflow.
        assert_eq!(
            cell(b"9223372036854775808").unwrap().unwrap().to_string(),
            "9223372036854775808"
        );
        assert_eq!(
            cell(b"-99999999999999999.99").unwrap().unwrap().to_string(),
            "-99999999999999999.99"
        );
        assert!(cell(b"12abc").is_err());
        assert!(cell(b"1e6").is_err());
        assert!(cell(b"1.").is_err());
    }

    /// Plain lines read each amount as its cell is found: the same amount, or the same
    /// refusal, as [`cell`] gives the cell found whole, and the cell after it read as
    /// well, whether the first cell is a plain decimal or not.
    #[test]
    fn amounts_read_in_the_pass_that_finds_them_are_the_cells_amounts() {
        let texts: [&[u8]; 24] = [
            b"",
            b"0",
            b"-0",
            b"0.10",
            b"-168780790",
            b"1762813855.17",
            b"123456789012345678",
            b"12345678901234567.8",
            b"1234567890123456789",
            b"99999999999999999999",
            b"-99999999999999999.99",
            b"12345678901234567890.12",
            b"1.",
            b".5",
            b"-",
            b"--1",
            b"1.2.3",
            b" 12",
            b"12 ",
            b"12abc",
            b"1e6",
            b"(1234)",
            b"$ 5",
            b"\xff1",
        ];
        for text in texts {
            let mut line = text.to_vec();
            line.extend_from_slice(b",7");
            let mut cells = Plain(Some(&line));
            let mut whole = Plain(Some(&line));
            let expected = whole.text().map(cell);
            assert_eq!(cells.amount(), expected, "{}", text.escape_ascii());
            let seven = Some(Ok(Some(Decimal::new(7, 0))));
            assert_eq!(cells.amount(), seven, "after {}", text.escape_ascii());
            assert_eq!(cells.amount(), None);
            // The last cell of a line, with no comma after it.
            assert_eq!(Plain(Some(text)).amount(), Some(cell(text)));
        }
    }

    /// The rows the `csv` crate reads in `bytes`, and their count.
    fn crate_rows(bytes: &[u8]) -> usize {
        let mut reader = reader(bytes);
        let mut record = csv::ByteRecord::new();
        let mut rows = 0;
        while reader.read_byte_record(&mut record).unwrap_or(false) {
            rows += 1;
        }
        rows
    }

    /// A reader that gives `text` in pieces of three bytes, then fails.
    struct Failing(&'static [u8]);

    impl std::io::Read for Failing {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            if self.0.is_empty() {
                return Err(std::io::Error::other("the sheet is damaged here"));
            }
            let n = out.len().min(3).min(self.0.len());
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    /// The whole records read before a read fails are handed on, then the failure: the
    /// reports before a damaged stretch are checked, and the failure is placed after them.
    #[test]
    fn records_read_before_a_failed_read_come_first() {
        let mut cutter = Cutter::new(Failing(b"report_id,7010\nA,1\nB,2\nC,"), CsvRows::default());
        let piece = cutter.next_piece().unwrap().unwrap();
        assert_eq!(piece.bytes, b"report_id,7010\nA,1\nB,2\n");
        assert_eq!(piece.records, 3);
        assert_eq!(
            cutter.next_piece().unwrap().err().as_deref(),
            Some("the sheet is damaged here")
        );
        assert!(cutter.next_piece().is_none());
        // Nothing whole before the failure: only the failure.
        let mut cutter = Cutter::new(Failing(b"report_id,70"), CsvRows::default());
        assert!(cutter.next_piece().unwrap().is_err());
        assert!(cutter.next_piece().is_none());
    }

    #[test]
    fn finds_rows_where_the_csv_crate_does() {
        let texts: [&[u8]; 9] = [
            b"a,b\nc,d\n",
            b"a,b\r\nc,d\r\n\r\n\ne,f",
            b"a,\"b\nstill b\",c\nd,e\n",
            b"a,b\"c\nd,e\n",
            b"\"a\"\"b\",c\r\"d\nd\"\n",
            b"\n\n\nx\n",
            b"a,\"b\"x\ny\n",
            b"r1,\"\"\"\"\nr2,\"\n\"\n",
            b"one\rtwo\rthree",
        ];
        for text in texts {
            // Fed in pieces of every size, the scanner counts what the crate reads, and every
            // cut it reports ends a row.
            for size in 1..=text.len() {
                let mut rows = CsvRows::default();
                let mut complete = 0;
                let mut cut = 0;
                for (i, chunk) in text.chunks(size).enumerate() {
                    let (last, count) = rows.scan(chunk);
                    complete += count;
                    if let Some(end) = last {
                        cut = i * size + end;
                    }
                }
                let head = &text[..cut];
                assert_eq!(
                    crate_rows(head),
                    complete,
                    "{:?} by {size}",
                    String::from_utf8_lossy(text)
                );
                assert_eq!(
                    complete + usize::from(rows.in_row),
                    crate_rows(text),
                    "{:?} by {size}",
                    String::from_utf8_lossy(text)
                );
            }
            assert_eq!(count_rows(text), crate_rows(text));
        }
    }
}
