//! Workbooks (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`) as report inputs.
//!
//! A sheet is read (an `.xlsx` or `.xlsm` one by crossfoot's own reader, streamed; the
//! others whole, with calamine) and written out as the CSV the CSV reader reads, so a
//! workbook's reports are read by the same code, cell for cell, as the same sheet saved as
//! CSV: one reading of an amount. A sheet is laid out wide (a header row with `report_id`
//! first, then line codes and `firm`, `as_of`, `unit`: a report per row) or long (a header
//! row with `line` and `amount` columns, any others ignored: one report, whose `id`, `firm`,
//! `as_of` and `unit` may sit in the `line` column with their value beside them, as the
//! form prints them). Rows above the header and blank rows are passed over.
//!
//! **Exact.** A number cell is stored as a binary float; it is read as the shortest
//! decimal that reads back to the same float, which is what a spreadsheet shows
//! (`0.1 + 0.2` typed as `0.3` is `0.3`), and never goes through float arithmetic. A text
//! cell is read as a CSV cell is. A formula cell is read by the value the workbook stored
//! for it. A date cell is a date. Problems name the sheet and cell: `Reports!D14`.

use std::io::{self, Read};
use std::path::Path;

use calamine::{Data, Range, Reader, open_workbook_auto};

use super::csv::Sheet;
use super::error::ReportError;
use super::inputs::MAX_RECORD;
use super::map::ColumnMap;

mod xlsx;
mod xml;

/// A sheet of a workbook as a stream of CSV bytes, with where each of its cells is in the
/// sheet.
pub(super) struct AsCsv {
    /// The CSV text: the header row first, the rows after it as they are read.
    pub(super) reader: Box<dyn Read + Send>,
    /// Where the CSV's cells are in the sheet.
    pub(super) sheet: Sheet,
}

/// One cell of a sheet row: its column (0-based) and its text as a CSV cell holds it.
struct SheetCell {
    column: usize,
    text: String,
}

/// A sheet's cells in order, read one at a time into a buffer the caller keeps, so a
/// sheet of millions of cells is read without a value made for each.
trait CellSource: Send {
    /// The next cell with something in it: its 0-based row and column, its text (as a
    /// CSV cell holds it) added to the end of `text`; `None` at the sheet's end. After an
    /// error the sheet cannot be read further.
    fn next_cell(&mut self, text: &mut Vec<u8>) -> Result<Option<(usize, usize)>, String>;
}

/// A sheet's cells held as values (a sheet read whole), in order, each with its 0-based
/// row, or why the sheet cannot be read further.
struct Listed<I>(I);

impl<I> CellSource for Listed<I>
where
    I: Iterator<Item = Result<(usize, SheetCell), String>> + Send,
{
    fn next_cell(&mut self, text: &mut Vec<u8>) -> Result<Option<(usize, usize)>, String> {
        let Some((row, cell)) = self.0.next().transpose()? else {
            return Ok(None);
        };
        text.extend_from_slice(cell.text.as_bytes());
        Ok(Some((row, cell.column)))
    }
}

/// The text of a formula cell whose value the workbook did not store (a file written by a
/// program that does not compute formulas): not an amount, so the report's row says so,
/// naming the cell, and the other reports are still checked. Saving the workbook from a
/// spreadsheet program stores every value.
const NO_VALUE: &str = "(formula with no stored value)";

/// The most rows a sheet has: a file naming a row beyond it is not a spreadsheet's (and a
/// small file naming a far row would make the reader write blank rows up to it).
const MAX_ROWS: usize = 1_048_576;

/// How much CSV is made at a time.
const CSV_BLOCK: usize = 256 * 1024;

/// How many blocks of CSV made on a thread of their own wait for the CSV reader.
const CSV_AHEAD: usize = 4;

/// A blank sheet row as CSV: a row with no text, of any width (a row of one empty cell
/// would be an empty line, which a CSV reader does not count).
const BLANK_ROW: &[u8] = b",\n";

/// The most columns a sheet has (`XFD`).
const MAX_COLUMNS: usize = 16_384;

/// The sheet named `wanted` (the first a person sees when `None`) of the workbook at
/// `path`, as CSV. An `.xlsx` or `.xlsm` sheet is streamed as it is read; the other
/// formats are read whole by calamine. A workbook reader should not panic, but a file is
/// untrusted: should one, the panic is caught and the file is reported as not a workbook
/// (or, once its rows are streaming, as unreadable from that row on).
pub(super) fn read(
    path: &Path,
    wanted: Option<&str>,
    map: Option<&ColumnMap>,
) -> Result<AsCsv, Box<ReportError>> {
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_sheet(path, wanted, map)
    }));
    read.unwrap_or_else(|_| {
        Err(not_a_workbook(
            &path.display().to_string(),
            &"the workbook reader failed on this file",
        ))
    })
}

fn read_sheet(
    path: &Path,
    wanted: Option<&str>,
    map: Option<&ColumnMap>,
) -> Result<AsCsv, Box<ReportError>> {
    let name = path.display().to_string();
    let problem = |message: String| {
        Box::new(ReportError::Workbook {
            path: name.clone(),
            message,
        })
    };
    let file =
        crate::files::open_regular(path).map_err(|error| Box::new(ReportError::from(error)))?;
    let is_xlsx = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xlsm"));
    if is_xlsx {
        let book = xlsx::open(file).map_err(|error| not_a_workbook(&name, &error))?;
        let sheet = pick(&book.names(), wanted).map_err(problem)?;
        let cells = book
            .cells(&sheet)
            .map_err(|error| problem(format!("sheet `{sheet}` cannot be read: {error}")))?;
        // The header is found here; the rows after it are made into CSV on a thread of
        // their own, so the sheet's XML is read while the CSV before is checked.
        let (csv, place) = SheetCsv::start(sheet, Box::new(cells), map).map_err(problem)?;
        return Ok(AsCsv {
            reader: on_thread(csv),
            sheet: place,
        });
    }
    drop(file);
    let (sheet, cells) = whole_sheet(path, wanted).map_err(|error| match error {
        Whole::NotAWorkbook(error) => not_a_workbook(&name, &error),
        Whole::Problem(message) => problem(message),
    })?;
    let (csv, place) = SheetCsv::start(sheet, Box::new(Listed(cells)), map).map_err(problem)?;
    Ok(AsCsv {
        reader: Box::new(csv),
        sheet: place,
    })
}

/// What the thread making CSV sends: a block of it, why the sheet cannot be read further,
/// or that there is no more.
enum Made {
    Csv(Vec<u8>),
    Failed(String),
    End,
}

/// The CSV of `csv` made on a thread of its own, a block at a time, while the blocks
/// before are read. A thread that stops without saying it is done (it panicked) ends the
/// stream with an error, never early.
fn on_thread(mut csv: SheetCsv) -> Box<dyn Read + Send> {
    let (sender, receiver) = std::sync::mpsc::sync_channel(CSV_AHEAD);
    // Blocks read are handed back to be filled again.
    let (spare_sender, spare) = std::sync::mpsc::sync_channel::<Vec<u8>>(CSV_AHEAD + 2);
    let started = std::thread::Builder::new()
        .name("crossfoot-cells".to_owned())
        .spawn(move || {
            let made = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                loop {
                    let mut block = spare.try_recv().unwrap_or_default();
                    block.clear();
                    match csv.make(&mut block) {
                        Ok(true) => {
                            if sender.send(Made::Csv(block)).is_err() {
                                return None;
                            }
                        }
                        Ok(false) => return Some(Made::End),
                        // The rows before the problem are read first.
                        Err(message) => {
                            if !block.is_empty() && sender.send(Made::Csv(block)).is_err() {
                                return None;
                            }
                            return Some(Made::Failed(message));
                        }
                    }
                }
            }));
            let last = made.unwrap_or_else(|_| {
                Some(Made::Failed(
                    "the workbook reader failed on this file".to_owned(),
                ))
            });
            // The receiver may be gone: then nobody is waiting.
            if let Some(last) = last {
                let _ = sender.send(last);
            }
        });
    if let Err(error) = started {
        let message = format!("cannot start reading the sheet: {error}");
        return Box::new(Blocks::failed(message));
    }
    Box::new(Blocks {
        receiver: Some(receiver),
        spare: Some(spare_sender),
        block: Vec::new(),
        at: 0,
        failed: None,
    })
}

/// The blocks of CSV a thread makes, as a stream of bytes.
struct Blocks {
    /// Where the blocks come from; `None` once the last has come.
    receiver: Option<std::sync::mpsc::Receiver<Made>>,
    /// Where blocks read go back to.
    spare: Option<std::sync::mpsc::SyncSender<Vec<u8>>>,
    block: Vec<u8>,
    at: usize,
    /// Why the stream ended early, said to every read after.
    failed: Option<String>,
}

impl Blocks {
    fn failed(message: String) -> Blocks {
        Blocks {
            receiver: None,
            spare: None,
            block: Vec::new(),
            at: 0,
            failed: Some(message),
        }
    }
}

impl Read for Blocks {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at >= self.block.len() {
            if let Some(message) = &self.failed {
                return Err(io::Error::other(message.clone()));
            }
            let Some(receiver) = &self.receiver else {
                return Ok(0);
            };
            match receiver.recv() {
                Ok(Made::Csv(block)) => {
                    let read = std::mem::replace(&mut self.block, block);
                    if let Some(spare) = &self.spare {
                        // Kept when there is room; freed otherwise.
                        let _ = spare.try_send(read);
                    }
                    self.at = 0;
                }
                Ok(Made::End) => self.receiver = None,
                Ok(Made::Failed(message)) => self.failed = Some(message),
                // Gone without saying it was done: the sheet would look shorter than it is.
                Err(_) => self.failed = Some("the workbook reader stopped".to_owned()),
            }
        }
        Ok(read_from(&self.block, &mut self.at, buf))
    }
}

/// Why a sheet read whole cannot be read.
enum Whole {
    NotAWorkbook(calamine::Error),
    Problem(String),
}

/// The cells of a sheet of a workbook calamine reads (`.xlsb`, `.xls`, `.ods`), read whole.
fn whole_sheet(path: &Path, wanted: Option<&str>) -> Result<(String, WholeCells), Whole> {
    let mut workbook = open_workbook_auto(path).map_err(Whole::NotAWorkbook)?;
    let sheet = pick(&names_of(workbook.sheets_metadata()), wanted).map_err(Whole::Problem)?;
    let values = workbook
        .worksheet_range(&sheet)
        .map_err(|error| Whole::Problem(format!("sheet `{sheet}` cannot be read: {error}")))?;
    // The formulas, to say so of a formula whose value the workbook did not store.
    let formulas = workbook.worksheet_formula(&sheet).ok();
    let (top, left) = values.start().unwrap_or((0, 0));
    let mut cells = Vec::new();
    for (r, row) in values.rows().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let at = (top as usize + r, left as usize + c);
            let text = match cell {
                Data::Empty if has_formula(formulas.as_ref(), at) => NO_VALUE.to_owned(),
                cell if is_blank(cell) => continue,
                cell => text(cell),
            };
            cells.push(Ok((at.0, SheetCell { column: at.1, text })));
        }
    }
    Ok((sheet, cells.into_iter()))
}

/// The cells of a sheet read whole, in order, each with its 0-based row.
type WholeCells = std::vec::IntoIter<Result<(usize, SheetCell), String>>;

fn not_a_workbook(path: &str, error: &dyn std::fmt::Display) -> Box<ReportError> {
    Box::new(ReportError::NotAWorkbook {
        path: path.to_owned(),
        reason: error.to_string(),
    })
}

/// Each sheet's name, and whether a person sees it.
fn names_of(sheets: &[calamine::Sheet]) -> Vec<(String, bool)> {
    sheets
        .iter()
        .map(|sheet| {
            let visible = sheet.visible == calamine::SheetVisible::Visible;
            (sheet.name.clone(), visible)
        })
        .collect()
}

/// The sheet named `wanted`, or the first one a person sees (a hidden lookup sheet is not
/// the one meant).
fn pick(sheets: &[(String, bool)], wanted: Option<&str>) -> Result<String, String> {
    let names: Vec<String> = sheets.iter().map(|(name, _)| name.clone()).collect();
    let names = names.as_slice();
    match wanted {
        Some(wanted) => names
            .iter()
            .find(|name| name.as_str() == wanted)
            .cloned()
            .ok_or_else(|| format!("no sheet is `{wanted}`; the sheets are {}", quoted(names))),
        None => sheets
            .iter()
            .find(|(_, visible)| *visible)
            .or(sheets.first())
            .map(|(name, _)| name.clone())
            .ok_or_else(|| "the workbook has no sheet".to_owned()),
    }
}

fn quoted(names: &[String]) -> String {
    let names: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
    names.join(", ")
}

/// The layout of a sheet, from its header row.
#[derive(Clone, Copy)]
enum Layout {
    /// `report_id` in column `left`, then a column per line code and metadata: every
    /// column from `left`, `width` of them.
    Wide { left: usize, width: usize },
    /// The `line` and `amount` columns.
    Long { line: usize, amount: usize },
}

impl Layout {
    /// The layout a row names when it is a header row: with a column map, a row holding
    /// a header the map names is a wide header.
    fn of(row: &[SheetCell], map: Option<&ColumnMap>) -> Option<Layout> {
        let named = |cell: &SheetCell| cell.text.trim().to_ascii_lowercase();
        let first = row.iter().find(|cell| !cell.text.trim().is_empty())?;
        let mapped = map.is_some_and(|map| row.iter().any(|cell| map.target(&cell.text).is_some()));
        if named(first) == "report_id" || mapped {
            // The last cell with text: a header formatted beyond its labels has empty cells.
            let right = row
                .iter()
                .filter(|cell| !cell.text.trim().is_empty())
                .map(|cell| cell.column)
                .max()?;
            return Some(Layout::Wide {
                left: first.column,
                width: right + 1 - first.column,
            });
        }
        let find = |name: &str| row.iter().find(|c| named(c) == name).map(|c| c.column);
        Some(Layout::Long {
            line: find("line")?,
            amount: find("amount")?,
        })
    }

    /// The sheet column of each CSV column.
    fn columns(self) -> Vec<usize> {
        match self {
            Layout::Wide { left, width } => (left..left + width).collect(),
            Layout::Long { line, amount } => vec![line, amount],
        }
    }
}

/// A sheet's cells as a stream of CSV: its header row (the first that names a layout;
/// rows above it are passed over), then a CSV row for every sheet row after it, blank
/// ones included, so CSV rows keep the sheet's numbers. Rows are made as the CSV reader
/// asks for them.
struct SheetCsv {
    sheet: String,
    rows: Rows,
    /// The row being made into CSV, its buffers kept for the next.
    row: SheetRow,
    layout: Layout,
    columns: Vec<usize>,
    /// Whether `columns` are in the sheet's order.
    ordered: bool,
    /// The sheet row last written.
    last: usize,
    /// CSV made and not yet read, from `at`.
    out: Vec<u8>,
    at: usize,
    /// Why no more CSV can be made, once what was made before is read.
    failed: Option<String>,
}

impl SheetCsv {
    /// The stream, its header row found and made, and where its cells are in the sheet.
    fn start(
        sheet: String,
        cells: Box<dyn CellSource>,
        map: Option<&ColumnMap>,
    ) -> Result<(SheetCsv, Sheet), String> {
        let mut rows = Rows {
            sheet: sheet.clone(),
            cells,
            next: None,
            ended: false,
        };
        let mut row = SheetRow::default();
        let mut any = false;
        let (header_row, layout) = loop {
            let Some(number) = rows.next_row(&mut row)? else {
                return Err(if any {
                    format!(
                        "sheet `{sheet}` has no header row: neither one starting with `report_id` (a report per row) nor one with `line` and `amount` columns (one report)"
                    )
                } else {
                    format!("sheet `{sheet}` is empty")
                });
            };
            let cells = row.owned();
            any |= cells.iter().any(|cell| !cell.text.trim().is_empty());
            if let Some(layout) = Layout::of(&cells, map) {
                break (number, layout);
            }
        };
        let columns = layout.columns();
        let ordered = columns
            .windows(2)
            .all(|pair| matches!(pair, [a, b] if a < b));
        let mut out = Vec::new();
        write_row(
            &mut out, layout, &columns, ordered, header_row, &row, &sheet,
        )?;
        let place = Sheet::new(&sheet, header_row + 1, columns.clone());
        let csv = SheetCsv {
            sheet,
            rows,
            row,
            layout,
            columns,
            ordered,
            last: header_row,
            out,
            at: 0,
            failed: None,
        };
        Ok((csv, place))
    }

    /// Make the next rows' CSV into `out` (what is left of the header row first): at
    /// least [`CSV_BLOCK`] bytes, or what is left; `false` at the sheet's end. On an error,
    /// `out` holds the rows before it.
    fn make(&mut self, out: &mut Vec<u8>) -> Result<bool, String> {
        if let Some(header) = self.out.get(self.at..).filter(|rest| !rest.is_empty()) {
            out.extend_from_slice(header);
            self.out.clear();
            self.at = 0;
        }
        while out.len() < CSV_BLOCK {
            let Some(row) = self.rows.next_row(&mut self.row)? else {
                return Ok(!out.is_empty());
            };
            if row <= self.last {
                return Err(format!(
                    "{}: rows are out of order (row {} comes after row {})",
                    super::csv::cell_name(&self.sheet, row + 1, 0),
                    row + 1,
                    self.last + 1
                ));
            }
            // Blank rows between: a row of two empty cells each, which keeps the numbers
            // and is passed over as any row without text is. Never a cell per column: a
            // far row under a wide header would make a blank row's commas times the rows.
            for _ in self.last + 1..row {
                out.extend_from_slice(BLANK_ROW);
            }
            write_row(
                out,
                self.layout,
                &self.columns,
                self.ordered,
                row,
                &self.row,
                &self.sheet,
            )?;
            self.last = row;
        }
        Ok(true)
    }
}

impl Read for SheetCsv {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.at >= self.out.len() {
            if let Some(message) = &self.failed {
                return Err(io::Error::other(message.clone()));
            }
            let mut out = std::mem::take(&mut self.out);
            out.clear();
            self.at = 0;
            let made = self.make(&mut out);
            self.out = out;
            match made {
                Ok(true) => {}
                Ok(false) => return Ok(0),
                // The rows before the problem are read first.
                Err(message) if !self.out.is_empty() => self.failed = Some(message),
                Err(message) => return Err(io::Error::other(message)),
            }
        }
        Ok(read_from(&self.out, &mut self.at, buf))
    }
}

/// What a reader of bytes held in `held` gets from `at` on into `buf`: as many as fit.
fn read_from(held: &[u8], at: &mut usize, buf: &mut [u8]) -> usize {
    let rest = held.get(*at..).unwrap_or_default();
    let n = rest.len().min(buf.len());
    if let (Some(to), Some(from)) = (buf.get_mut(..n), rest.get(..n)) {
        to.copy_from_slice(from);
    }
    *at += n;
    n
}

/// A sheet row's cells in column order, held in buffers kept from row to row.
#[derive(Default)]
struct SheetRow {
    text: Vec<u8>,
    /// Each cell's column and where its text is in `text`.
    cells: Vec<(usize, usize, usize)>,
}

impl SheetRow {
    /// Each cell's column and text.
    fn iter(&self) -> impl Iterator<Item = (usize, &[u8])> {
        let text = &self.text;
        let cells = self.cells.iter();
        cells.map(move |&(column, start, end)| (column, text.get(start..end).unwrap_or_default()))
    }

    /// The cells as values of their own.
    fn owned(&self) -> Vec<SheetCell> {
        let cells = self.iter().map(|(column, text)| SheetCell {
            column,
            text: String::from_utf8_lossy(text).into_owned(),
        });
        cells.collect()
    }
}

/// Whether a cell's text is blank, as a spreadsheet shows it.
fn is_blank_text(text: &[u8]) -> bool {
    String::from_utf8_lossy(text).trim().is_empty()
}

/// Cells grouped into rows.
struct Rows {
    sheet: String,
    cells: Box<dyn CellSource>,
    /// The first cell of the next row, read to see that the row before had ended (its
    /// row, column and where its text is in the row before's text), or the error that
    /// ended the row before.
    next: Option<Result<(usize, usize, usize, usize), String>>,
    /// Whether the cells have ended.
    ended: bool,
}

impl Rows {
    /// The next row with a cell, into `row`, with its 0-based number.
    fn next_row(&mut self, row: &mut SheetRow) -> Result<Option<usize>, String> {
        row.cells.clear();
        let (number, column, len) = match self.next.take() {
            Some(Err(error)) => {
                self.ended = true;
                return Err(error);
            }
            Some(Ok((number, column, start, end))) => {
                row.text.truncate(end);
                row.text.drain(..start);
                (number, column, end - start)
            }
            None if self.ended => return Ok(None),
            None => {
                row.text.clear();
                let first = self.cells.next_cell(&mut row.text);
                let Some((number, column)) = first.inspect_err(|_| self.ended = true)? else {
                    self.ended = true;
                    return Ok(None);
                };
                (number, column, row.text.len())
            }
        };
        if number >= MAX_ROWS {
            return Err(format!(
                "row {} is beyond a sheet's last row ({MAX_ROWS})",
                number + 1
            ));
        }
        row.cells.push((column, 0, len));
        // A row holds at most a cell per column, and no more text than a CSV record: a
        // file saying more (a cell given over and over) is refused before it fills memory.
        let mut text = len;
        while row.cells.len() <= MAX_COLUMNS && text <= MAX_RECORD {
            let start = row.text.len();
            match self.cells.next_cell(&mut row.text) {
                Ok(Some((next, column))) if next == number => {
                    text += row.text.len() - start;
                    row.cells.push((column, start, row.text.len()));
                }
                Ok(Some((next, column))) => {
                    self.next = Some(Ok((next, column, start, row.text.len())));
                    break;
                }
                Ok(None) => {
                    self.ended = true;
                    break;
                }
                Err(error) => {
                    self.next = Some(Err(error));
                    break;
                }
            }
        }
        if text > MAX_RECORD {
            let cell = super::csv::cell_name(&self.sheet, number + 1, 0);
            return Err(format!(
                "{cell}: the row holds more than {} MiB of text, more than a CSV record may",
                MAX_RECORD >> 20
            ));
        }
        // A file may give a row's cells in any order, or one cell twice: in order, each
        // once, or the row is not read as a spreadsheet would show it.
        if !row.cells.is_sorted_by_key(|cell| cell.0) {
            row.cells.sort_by_key(|cell| cell.0);
        }
        if let Some(pair) = row
            .cells
            .windows(2)
            .find(|pair| matches!(pair, [a, b] if a.0 == b.0))
        {
            let column = pair.first().map_or(0, |cell| cell.0);
            let cell = super::csv::cell_name(&self.sheet, number + 1, column);
            return Err(format!("{cell}: the cell is given twice"));
        }
        if row.cells.len() > MAX_COLUMNS {
            let cell = super::csv::cell_name(&self.sheet, number + 1, 0);
            return Err(format!("{cell}: the row has more than {MAX_COLUMNS} cells"));
        }
        Ok(Some(number))
    }
}

/// One sheet row as a CSV row of `columns`. Cells come in column order: when the columns
/// are `ordered` too, one walk goes along both (a long sheet's `amount` may come before its
/// `line`). A value in a wide sheet's row outside its
/// header's columns is a problem (the CSV form refuses a row with more cells than its
/// header too).
fn write_row(
    out: &mut Vec<u8>,
    layout: Layout,
    columns: &[usize],
    ordered: bool,
    number: usize,
    row: &SheetRow,
    sheet: &str,
) -> Result<(), String> {
    if let Layout::Wide { left, width } = layout {
        let outside = row.iter().find(|&(column, text)| {
            (column < left || column >= left + width) && !is_blank_text(text)
        });
        if let Some((column, _)) = outside {
            return Err(format!(
                "{}: a value outside the header's columns: give its column a header, or clear it",
                super::csv::cell_name(sheet, number + 1, column)
            ));
        }
    }
    let cells = row.cells.as_slice();
    let text = |&(_, start, end): &(usize, usize, usize)| row.text.get(start..end);
    let mut walk = 0;
    for (index, &column) in columns.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        let cell = if ordered {
            while cells.get(walk).is_some_and(|cell| cell.0 < column) {
                walk += 1;
            }
            cells.get(walk).filter(|cell| cell.0 == column)
        } else {
            cells.iter().find(|cell| cell.0 == column)
        };
        if let Some(text) = cell.and_then(text) {
            csv_cell(out, text);
        }
    }
    out.push(b'\n');
    Ok(())
}

fn is_blank(cell: &Data) -> bool {
    match cell {
        Data::Empty => true,
        Data::String(text) => text.trim().is_empty(),
        _ => false,
    }
}

fn has_formula(formulas: Option<&Range<String>>, (row, column): (usize, usize)) -> bool {
    let (Ok(row), Ok(column)) = (u32::try_from(row), u32::try_from(column)) else {
        return false;
    };
    formulas
        .and_then(|formulas| formulas.get_value((row, column)))
        .is_some_and(|formula| !formula.is_empty())
}

/// A cell as the text a CSV file would hold: a number as the shortest decimal that reads
/// back to the same float (what a spreadsheet shows), a date as `YYYY-MM-DD`.
fn text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(text) => text.clone(),
        Data::Int(value) => value.to_string(),
        Data::Float(value) => shown(*value),
        Data::Bool(value) => if *value { "TRUE" } else { "FALSE" }.to_owned(),
        Data::DateTime(date) => date_text(date),
        Data::DateTimeIso(text) => text.get(..10).unwrap_or(text).to_owned(),
        Data::DurationIso(text) => text.clone(),
        Data::Error(error) => error.to_string(),
    }
}

/// A date cell's date, `YYYY-MM-DD` (a time of day is dropped).
fn date_text(date: &calamine::ExcelDateTime) -> String {
    let (year, month, day, ..) = date.to_ymd_hms_milli();
    format!("{year:04}-{month:02}-{day:02}")
}

/// A number cell as a spreadsheet shows and exports it: its 15 significant digits, no
/// exponent, trailing zeros dropped. A figure typed into the cell (at most 15 digits) comes
/// back exactly as typed, `0.1` as `0.1`; a computed one as the spreadsheet shows it,
/// `=0.1+0.2` (stored as 0.30000000000000004) as `0.3`, which is what its CSV export
/// holds. The digits come from Rust's exact decimal formatting of the stored value, never
/// from float arithmetic.
fn shown(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return "0".to_owned();
    }
    // A whole number of at most 15 digits (most figures) is its own 15 significant
    // digits, and converts to an integer exactly.
    if value.fract() == 0.0 && value.abs() < 1e15 {
        return (value as i64).to_string();
    }
    let scientific = format!("{value:.14e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i64 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if value < 0.0 { "-" } else { "" };
    // The value is 0.DIGITS × 10^(exponent + 1).
    let point = exponent + 1;
    let (whole, fraction) = match usize::try_from(point) {
        Ok(0) | Err(_) => {
            let zeros = "0".repeat(usize::try_from(-point).unwrap_or(0));
            ("0".to_owned(), format!("{zeros}{digits}"))
        }
        Ok(point) if point >= digits.len() => {
            let zeros = "0".repeat(point - digits.len());
            (format!("{digits}{zeros}"), String::new())
        }
        Ok(point) => {
            let (whole, fraction) = digits.split_at(point);
            (whole.to_owned(), fraction.to_owned())
        }
    };
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction}")
    }
}

/// A CSV cell, quoted when it must be.
fn csv_cell(out: &mut Vec<u8>, text: &[u8]) {
    if text
        .iter()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        out.push(b'"');
        for &b in text {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(row: usize, column: usize, text: &str) -> Result<(usize, SheetCell), String> {
        let text = text.to_owned();
        Ok((row, SheetCell { column, text }))
    }

    /// The CSV a sheet of `cells` is read as, or why it is not read.
    fn csv_of(cells: Vec<Result<(usize, SheetCell), String>>) -> Result<String, String> {
        let (mut reader, _) =
            SheetCsv::start("S".to_owned(), Box::new(Listed(cells.into_iter())), None)?;
        let mut text = String::new();
        reader
            .read_to_string(&mut text)
            .map_err(|error| error.to_string())?;
        Ok(text)
    }

    #[test]
    fn blank_rows_are_a_few_bytes_each_however_wide_the_header() {
        // A header as wide as a sheet, and a row far below it: before, each blank row was
        // a comma per column (here 160 MiB; under a far last row, gigabytes).
        let header = vec![cell(0, 0, "report_id"), cell(0, MAX_COLUMNS - 1, "7010")];
        let far = [cell(10_000, 0, "R1")];
        let text = csv_of(header.into_iter().chain(far).collect()).unwrap();
        assert!(text.len() < 1 << 20, "{} bytes", text.len());
        assert!(text.ends_with(&format!("\n,\nR1{}\n", ",".repeat(MAX_COLUMNS - 1))));
        // A sheet of one column keeps its rows' numbers: a blank row is no empty line.
        let text = csv_of(vec![cell(0, 0, "report_id"), cell(2, 0, "R1")]).unwrap();
        assert_eq!(text, "report_id\n,\nR1\n");
    }

    #[test]
    fn a_row_is_refused_once_it_holds_more_than_a_row_can() {
        // A cell given over and over: refused after a row's worth, not read to the end.
        let read = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = std::sync::Arc::clone(&read);
        let header = [cell(0, 0, "report_id"), cell(0, 1, "7010")];
        let again = std::iter::repeat_with(move || {
            counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            cell(1, 1, "1")
        });
        let cells = Listed(header.into_iter().chain(again.take(100_000)));
        let error = SheetCsv::start("S".to_owned(), Box::new(cells), None)
            .and_then(|(mut csv, _)| {
                let mut text = String::new();
                csv.read_to_string(&mut text)
                    .map_err(|error| error.to_string())
            })
            .err()
            .unwrap();
        assert_eq!(error, "S!B2: the cell is given twice");
        assert!(read.load(std::sync::atomic::Ordering::Relaxed) <= MAX_COLUMNS + 1);
        // Long texts: a row holds no more text than a CSV record.
        let long = "x".repeat(1 << 20);
        let mut cells = vec![cell(0, 0, "report_id"), cell(0, 1, "7010")];
        cells.extend((0..8).map(|column| cell(1, column, &long)));
        assert_eq!(
            csv_of(cells).err().unwrap(),
            "S!A2: the row holds more than 4 MiB of text, more than a CSV record may"
        );
    }

    #[test]
    fn rows_before_a_problem_are_read_before_it_on_either_thread() {
        let cells = || {
            vec![
                cell(0, 0, "report_id"),
                cell(0, 1, "7010"),
                cell(1, 0, "R1"),
                cell(1, 1, "1,5"),
                cell(2, 0, "R2"),
                Err("sheet `S` row 4: a broken cell".to_owned()),
            ]
        };
        let read = |mut reader: Box<dyn Read + Send>| {
            let mut text = Vec::new();
            let mut buf = [0; 7];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) => return (String::from_utf8(text).unwrap(), None),
                    Ok(n) => text.extend_from_slice(&buf[..n]),
                    Err(error) => {
                        return (String::from_utf8(text).unwrap(), Some(error.to_string()));
                    }
                }
            }
        };
        let start = || SheetCsv::start("S".to_owned(), Box::new(Listed(cells().into_iter())), None);
        let (here, _) = start().unwrap();
        let (there, _) = start().unwrap();
        let expected = (
            "report_id,7010\nR1,\"1,5\"\nR2,\n".to_owned(),
            Some("sheet `S` row 4: a broken cell".to_owned()),
        );
        assert_eq!(read(Box::new(here)), expected);
        assert_eq!(read(on_thread(there)), expected);
    }

    #[test]
    fn a_float_is_what_the_spreadsheet_shows() {
        assert_eq!(text(&Data::Float(0.3)), "0.3");
        // 0.1 + 0.2 is stored as 0.30000000000000004 and shown (and exported) as 0.3.
        assert_eq!(text(&Data::Float(0.1 + 0.2)), "0.3");
        assert_eq!(text(&Data::Float(1_234_567.89)), "1234567.89");
        assert_eq!(text(&Data::Float(-0.0)), "0");
        assert_eq!(text(&Data::Float(1e21)), "1000000000000000000000");
        assert_eq!(text(&Data::Float(-12.5)), "-12.5");
        assert_eq!(text(&Data::Float(1e-7)), "0.0000001");
        assert_eq!(text(&Data::Float(0.5)), "0.5");
        assert_eq!(text(&Data::Float(123_456_789_012_345.0)), "123456789012345");
        assert_eq!(text(&Data::Float(1762813855.0)), "1762813855");
        assert_eq!(text(&Data::Float(-0.01)), "-0.01");
    }

    #[test]
    fn whole_numbers_read_as_the_digits_a_spreadsheet_shows() {
        // The whole-number path and the digits path agree where they meet.
        for (value, shows) in [
            (-1762813855.0, "-1762813855"),
            (-0.0, "0"),
            (999_999_999_999_999.0, "999999999999999"),
            (1e15, "1000000000000000"),
            (-1e15, "-1000000000000000"),
            (123_456_789_012_345_678.0, "123456789012346000"),
            (2.5, "2.5"),
        ] {
            assert_eq!(text(&Data::Float(value)), shows, "{value}");
        }
    }
}
