//! `.xlsx` and `.xlsm` workbooks, read by crossfoot itself: the sheet streams cell by cell
//! from the archive, inflated on a thread of its own while the cells are read, so a sheet
//! of any size is checked as it is read, in little memory. The parts a sheet's cells
//! refer to (the workbook's sheet list, its shared strings, its number formats) are small
//! and read whole first.
//!
//! A cell is read as its type says: a shared or inline string, a formula's string, a
//! boolean, an error, an ISO date, or a number, stored as the decimal text of a binary
//! float. A number whose number format is a date's is a date.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, Read};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use calamine::{ExcelDateTime, ExcelDateTimeType};
use zip::ZipArchive;

use super::xml::{self, CellTag, Content, Event, Xml};
use super::{CellSource, MAX_COLUMNS, NO_VALUE, date_text, shown};

/// The most bytes a part read whole (sheet list, strings, formats) may inflate to.
const MAX_PART: u64 = 256 << 20;

/// How much of a sheet is inflated at a time.
const CHUNK: usize = 256 << 10;

/// How many inflated chunks wait for the sheet's reader.
const CHUNKS_AHEAD: usize = 4;

/// The longest text of a cell or shared string crossfoot reads: a spreadsheet cell holds
/// 32,767 characters (UTF-16 units), at most three bytes each in UTF-8. A shared string
/// may be read by every cell of a sheet, so what a small file can make is bounded by it.
const MAX_TEXT: usize = 96 << 10;

/// An opened workbook: its sheets, and what their cells refer to.
pub(super) struct Book {
    archive: ZipArchive<File>,
    sheets: Vec<SheetEntry>,
    context: Context,
}

/// A sheet: its name, whether a person sees it, its part in the archive.
struct SheetEntry {
    name: String,
    visible: bool,
    part: String,
}

/// What a sheet's cells refer to.
struct Context {
    strings: Strings,
    /// Whether each cell format (a cell's `s`) shows a date.
    dates: Vec<bool>,
    /// Whether the workbook counts days from 1904 (old Mac workbooks).
    date1904: bool,
}

/// A relationship of a part: its type and its target part.
struct Relation {
    id: String,
    kind: String,
    target: String,
}

/// The workbook in `file`, or why it is not one.
pub(super) fn open(file: File) -> Result<Book, String> {
    let mut archive = ZipArchive::new(file).map_err(|error| error.to_string())?;
    let root = relations(&mut archive, "_rels/.rels", "")?;
    let main = root
        .iter()
        .find(|relation| relation.kind.ends_with("/officeDocument"))
        .map_or_else(|| "xl/workbook.xml".to_owned(), |r| r.target.clone());
    let (dir, file_name) = main.rsplit_once('/').unwrap_or(("", &main));
    let dir = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    let relations_part = format!("{dir}_rels/{file_name}.rels");
    let relations = relations(&mut archive, &relations_part, &dir)?;
    // Its sheets are found through its relationships: without them it has none to read.
    if relations.is_empty() {
        return Err(format!(
            "its part `{relations_part}`, which says where its sheets are, is missing or empty"
        ));
    }
    let workbook = part(&mut archive, &main)?.ok_or("it has no workbook part")?;
    let (sheets, date1904) = sheets(&workbook, &relations)?;
    let related = |archive: &mut ZipArchive<File>, kind: &str| {
        let relation = relations.iter().find(|r| r.kind.ends_with(kind));
        match relation {
            Some(relation) => part(archive, &relation.target),
            None => Ok(None),
        }
    };
    let strings = match related(&mut archive, "/sharedStrings")? {
        Some(bytes) => shared_strings(&bytes)?,
        None => Strings::default(),
    };
    let dates = match related(&mut archive, "/styles")? {
        Some(bytes) => date_formats(&bytes)?,
        None => Vec::new(),
    };
    Ok(Book {
        archive,
        sheets,
        context: Context {
            strings,
            dates,
            date1904,
        },
    })
}

impl Book {
    /// Each sheet's name, and whether a person sees it.
    pub(super) fn names(&self) -> Vec<(String, bool)> {
        let names = self.sheets.iter();
        names.map(|s| (s.name.clone(), s.visible)).collect()
    }

    /// The cells of the sheet named `name`, streamed.
    pub(super) fn cells(self, name: &str) -> Result<Cells, String> {
        let entry = self.sheets.iter().find(|sheet| sheet.name == name);
        let part = entry.ok_or("no such sheet")?.part.clone();
        let part = part_name(&self.archive, &part).unwrap_or(part);
        let (sender, receiver) = sync_channel(CHUNKS_AHEAD);
        // Chunks read are handed back to be filled again.
        let (spare_sender, spare) = sync_channel(CHUNKS_AHEAD + 2);
        let archive = self.archive;
        std::thread::Builder::new()
            .name("crossfoot-xlsx".to_owned())
            .spawn(move || inflate(archive, &part, &sender, &spare))
            .map_err(|error| format!("cannot start reading it: {error}"))?;
        Ok(Cells {
            sheet: name.to_owned(),
            xml: Xml::new(Chunks {
                receiver,
                spare: spare_sender,
                chunk: Vec::new(),
                at: 0,
                done: false,
            }),
            context: self.context,
            row: 0,
            next_column: 0,
            in_data: false,
            done: false,
        })
    }
}

/// What the inflating thread sends.
enum Piece {
    Bytes(Vec<u8>),
    Failed(String),
    Done,
}

/// Inflate `part` of `archive` and send it a chunk at a time, until the receiver is gone.
/// The archive library is not crossfoot's: should it panic, the reader is told.
fn inflate(
    mut archive: ZipArchive<File>,
    part: &str,
    sender: &SyncSender<Piece>,
    spare: &Receiver<Vec<u8>>,
) {
    let sent = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut entry = match archive.by_name(part) {
            Ok(entry) => entry,
            Err(error) => return Piece::Failed(format!("its sheet `{part}`: {error}")),
        };
        loop {
            // A chunk handed back is filled again, without zeroing it first.
            let mut chunk = spare.try_recv().unwrap_or_default();
            chunk.resize(CHUNK, 0);
            let mut filled = 0;
            while let Some(rest) = chunk.get_mut(filled..).filter(|rest| !rest.is_empty()) {
                match entry.read(rest) {
                    Ok(0) => break,
                    Ok(read) => filled += read,
                    Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                    Err(error) => {
                        return Piece::Failed(format!(
                            "the workbook file is damaged ({error}): save it again from the spreadsheet program"
                        ));
                    }
                }
            }
            if filled == 0 {
                return Piece::Done;
            }
            chunk.truncate(filled);
            if sender.send(Piece::Bytes(chunk)).is_err() {
                return Piece::Done;
            }
        }
    }));
    let last = sent.unwrap_or_else(|_| Piece::Failed("the archive reader failed".to_owned()));
    // The receiver may be gone: then nobody is waiting.
    let _ = sender.send(last);
}

/// The inflated sheet as a stream of bytes.
struct Chunks {
    receiver: Receiver<Piece>,
    /// Where chunks read go back to.
    spare: SyncSender<Vec<u8>>,
    chunk: Vec<u8>,
    at: usize,
    done: bool,
}

impl xml::Source for Chunks {
    fn append(&mut self, buf: &mut Vec<u8>, most: usize) -> io::Result<usize> {
        while self.at >= self.chunk.len() {
            if self.done {
                return Ok(0);
            }
            match self.receiver.recv() {
                Ok(Piece::Bytes(chunk)) => {
                    let read = std::mem::replace(&mut self.chunk, chunk);
                    // Kept when there is room; freed otherwise.
                    let _ = self.spare.try_send(read);
                    self.at = 0;
                }
                Ok(Piece::Done) => self.done = true,
                Ok(Piece::Failed(message)) => return Err(io::Error::other(message)),
                // Gone without saying it was done: the sheet would look shorter than it is.
                Err(_) => return Err(io::Error::other("the archive reader stopped")),
            }
        }
        let rest = self.chunk.get(self.at..).unwrap_or_default();
        let rest = rest.get(..most).unwrap_or(rest);
        buf.extend_from_slice(rest);
        self.at += rest.len();
        Ok(rest.len())
    }
}

/// A sheet's cells in document order: each with its 0-based row, or why the sheet
/// cannot be read further.
pub(super) struct Cells {
    sheet: String,
    xml: Xml<Chunks>,
    context: Context,
    /// The current row, 1-based.
    row: usize,
    /// The column of a cell that does not say its place.
    next_column: usize,
    in_data: bool,
    done: bool,
}

impl CellSource for Cells {
    fn next_cell(&mut self, text: &mut Vec<u8>) -> Result<Option<(usize, usize)>, String> {
        if self.done {
            return Ok(None);
        }
        let start = text.len();
        let next = self.next_cell(text);
        if !matches!(next, Ok(Some(_))) {
            self.done = true;
            text.truncate(start);
        }
        next.map_err(|error| format!("sheet `{}` row {}: {error}", self.sheet, self.row.max(1)))
    }
}

/// A cell's type, from its `t`.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Number,
    Shared,
    Formula,
    Inline,
    Bool,
    Error,
    Date,
}

impl Kind {
    #[inline(always)]
    fn of(t: Option<&[u8]>) -> Result<Kind, String> {
        Ok(match t {
            None | Some(b"n") => Kind::Number,
            Some(b"s") => Kind::Shared,
            Some(b"str") => Kind::Formula,
            Some(b"inlineStr") => Kind::Inline,
            Some(b"b") => Kind::Bool,
            Some(b"e") => Kind::Error,
            Some(b"d") => Kind::Date,
            Some(other) => {
                return Err(format!(
                    "a cell of unknown type `{}`",
                    String::from_utf8_lossy(other)
                ));
            }
        })
    }
}

/// What a cell's start tag says: its place (its row 1-based, its column 0-based), its
/// type, and whether its number format shows a date.
struct Head {
    row: usize,
    column: usize,
    kind: Kind,
    is_date: bool,
}

impl Head {
    /// What a start tag with the attribute values `place` (`r`), `kind` (`t`) and `style`
    /// (`s`) says, in the row `row` (1-based) where the cell before ended at `next_column`,
    /// which then moves past this cell.
    #[inline(always)]
    fn of(
        row: usize,
        next_column: &mut usize,
        context: &Context,
        [place, kind, style]: [Option<&[u8]>; 3],
    ) -> Result<Head, String> {
        let (row, column) = match place {
            Some(place) => reference(place)?,
            None if *next_column < MAX_COLUMNS => (row.max(1), *next_column),
            None => return Err(format!("a row has more than {MAX_COLUMNS} cells")),
        };
        *next_column = column + 1;
        let kind = Kind::of(kind)?;
        let is_date = style
            .and_then(digits)
            .and_then(|s| context.dates.get(s).copied())
            .unwrap_or(false);
        Ok(Head {
            row,
            column,
            kind,
            is_date,
        })
    }
}

/// A cell's contents as written: its value (`<v>`), inline string and formula.
#[derive(Default)]
struct Written<'a> {
    /// The value's text, entities decoded (UTF-8, but for bytes written as they are).
    value: Option<Cow<'a, [u8]>>,
    inline: Option<String>,
    formula: bool,
}

impl Cells {
    /// The next cell with something in it: its 0-based row and column, its text added to
    /// `text`.
    fn next_cell(&mut self, text: &mut Vec<u8>) -> Result<Option<(usize, usize)>, String> {
        loop {
            // Most of a sheet is cells, written the plain way: read the short way.
            if self.in_data
                && let Some(tag) = self.xml.plain_cell()?
            {
                if let Some(cell) = self.plain(tag, text)? {
                    return Ok(Some(cell));
                }
                continue;
            }
            if self.in_data
                && let Some((attrs, empty)) = self.xml.cell_start()?
            {
                if let Some(cell) = self.cell(attrs, empty, text)? {
                    return Ok(Some(cell));
                }
                continue;
            }
            let (name, attrs, empty) = match self.xml.next()? {
                Event::Start { name, attrs, empty } => (name, attrs, empty),
                Event::End { name } if self.xml.bytes(name) == b"sheetData" => return Ok(None),
                Event::Eof => return Ok(None),
                _ => continue,
            };
            match (self.xml.bytes(name), self.in_data) {
                (b"sheetData", _) if empty => return Ok(None),
                (b"sheetData", _) => self.in_data = true,
                (b"row", true) => self.start_row(attrs)?,
                (b"c", true) => {
                    if let Some(cell) = self.cell(attrs, empty, text)? {
                        return Ok(Some(cell));
                    }
                }
                _ => {}
            }
        }
    }

    fn start_row(&mut self, attrs: xml::Span) -> Result<(), String> {
        let attrs = self.xml.bytes(attrs);
        self.row = match xml::attr(attrs, b"r") {
            Some(r) => row_number(r)?,
            None => self.row + 1,
        };
        self.next_column = 0;
        Ok(())
    }

    /// The cell whose start tag has `attrs`, read to its end, its text added to `out`:
    /// `None` when it holds nothing.
    fn cell(
        &mut self,
        attrs: xml::Span,
        empty: bool,
        out: &mut Vec<u8>,
    ) -> Result<Option<(usize, usize)>, String> {
        let (mut place, mut kind, mut style) = (None, None, None);
        for (name, value) in xml::Attrs(self.xml.bytes(attrs)) {
            match name {
                b"r" => place = Some(value),
                b"t" => kind = Some(value),
                b"s" => style = Some(value),
                _ => {}
            }
        }
        let attrs = [place, kind, style];
        let head = Head::of(self.row, &mut self.next_column, &self.context, attrs)?;
        if empty {
            return Ok(None);
        }
        let content = match self.xml.plain_value()? {
            Some(value) => Content::Value(value),
            None => Content::Other,
        };
        self.content(head, content, out)
    }

    /// The cell [`Xml::plain_cell`] read, its text added to `out`: `None` when it holds
    /// nothing. Read from there on as [`Cells::cell`] reads it.
    #[inline(always)]
    fn plain(&mut self, tag: CellTag, out: &mut Vec<u8>) -> Result<Option<(usize, usize)>, String> {
        let bytes = |span: Option<xml::Span>| span.map(|span| self.xml.bytes(span));
        let attrs = [bytes(tag.place), bytes(tag.kind), bytes(tag.style)];
        let head = Head::of(self.row, &mut self.next_column, &self.context, attrs)?;
        self.content(head, tag.content, out)
    }

    /// A cell's contents after its start tag, read to its end, its text added to `out`:
    /// `None` when it holds nothing.
    #[inline(always)]
    fn content(
        &mut self,
        head: Head,
        content: Content,
        out: &mut Vec<u8>,
    ) -> Result<Option<(usize, usize)>, String> {
        let Head {
            row,
            column,
            kind,
            is_date,
        } = head;
        let held = match content {
            Content::Empty => false,
            Content::Value(value) => write(
                &self.context,
                kind,
                is_date,
                Written {
                    value: Some(decoded(self.xml.bytes(value))?),
                    ..Written::default()
                },
                out,
            )?,
            Content::Other => {
                let written = self.written()?;
                write(&self.context, kind, is_date, written, out)?
            }
        };
        Ok(held.then_some((row - 1, column)))
    }

    /// A cell's contents, up to its end tag.
    fn written(&mut self) -> Result<Written<'static>, String> {
        let mut written = Written::default();
        loop {
            match self.xml.next()? {
                Event::Start { name, empty, .. } => {
                    let name = self.xml.bytes(name).to_vec();
                    match name.as_slice() {
                        b"f" => written.formula = true,
                        b"v" => written.value = Some(Cow::Borrowed(b"")),
                        _ => {}
                    }
                    if empty {
                        continue;
                    }
                    match name.as_slice() {
                        b"v" => {
                            written.value = Some(Cow::Owned(self.text_until(b"v")?.into_bytes()));
                        }
                        b"is" => written.inline = Some(self.inline()?),
                        _ => self.skip(&name)?,
                    }
                }
                Event::End { name } if self.xml.bytes(name) == b"c" => return Ok(written),
                Event::Eof => return Err("the sheet ends inside a cell".to_owned()),
                _ => {}
            }
        }
    }

    /// The text up to the end tag `name`, decoded.
    fn text_until(&mut self, name: &[u8]) -> Result<String, String> {
        let mut text = String::new();
        loop {
            match self.xml.next()? {
                Event::Text { text: range, raw } => append(self.xml.bytes(range), raw, &mut text)?,
                Event::End { name: end } if self.xml.bytes(end) == name => return Ok(text),
                Event::Eof => return Err("the sheet ends inside a cell".to_owned()),
                Event::Start { name, empty, .. } if !empty => {
                    let name = self.xml.bytes(name).to_vec();
                    self.skip(&name)?;
                }
                _ => {}
            }
        }
    }

    /// An inline string (`<is>`), up to its end tag.
    fn inline(&mut self) -> Result<String, String> {
        let mut text = String::new();
        let mut reader = RichText::default();
        loop {
            let event = self.xml.next()?;
            if let Event::End { name } = &event
                && self.xml.bytes(*name) == b"is"
            {
                return Ok(unescape(&text));
            }
            if matches!(event, Event::Eof) {
                return Err("the sheet ends inside a cell".to_owned());
            }
            reader.take(&self.xml, &event, &mut text)?;
        }
    }

    /// Past the end tag `name` of an element just started.
    fn skip(&mut self, name: &[u8]) -> Result<(), String> {
        let mut depth = 1usize;
        while depth > 0 {
            match self.xml.next()? {
                Event::Start {
                    name: inner, empty, ..
                } if !empty && self.xml.bytes(inner) == name => {
                    depth += 1;
                }
                Event::End { name: inner } if self.xml.bytes(inner) == name => depth -= 1,
                Event::Eof => return Err("the sheet ends inside a cell".to_owned()),
                _ => {}
            }
        }
        Ok(())
    }
}

/// A cell's text as a CSV cell holds it, added to `out`; `false` when it holds nothing.
#[inline(always)]
fn write(
    context: &Context,
    kind: Kind,
    is_date: bool,
    written: Written<'_>,
    out: &mut Vec<u8>,
) -> Result<bool, String> {
    let Written {
        value,
        inline,
        formula,
    } = written;
    let value = match kind {
        Kind::Inline => inline.map(|text| Cow::Owned(text.into_bytes())),
        Kind::Formula => value.map(|text| {
            let text = String::from_utf8_lossy(&text);
            Cow::Owned(unescape(&text).into_bytes())
        }),
        _ => value.filter(|text| !text.is_empty()),
    };
    let Some(value) = value else {
        if formula {
            out.extend_from_slice(NO_VALUE.as_bytes());
        }
        return Ok(formula);
    };
    // A number cell's value of plain digits (nearly every one) and a shared string's
    // index are read from the value's bytes: digits are their own UTF-8 text.
    match kind {
        Kind::Number if !is_date && is_plain_whole(&value) => {
            out.extend_from_slice(&value);
            return Ok(true);
        }
        Kind::Shared if let Some(string) = digits(&value).and_then(|i| context.strings.get(i)) => {
            out.extend_from_slice(string.as_bytes());
            return Ok(true);
        }
        _ => {}
    }
    let value = match value {
        Cow::Borrowed(bytes) => String::from_utf8_lossy(bytes),
        Cow::Owned(bytes) => Cow::Owned(String::from_utf8_lossy(&bytes).into_owned()),
    };
    let text = match kind {
        Kind::Shared => {
            let index = value.trim().parse::<usize>().ok();
            let string = index.and_then(|index| context.strings.get(index));
            Cow::Borrowed(string.ok_or_else(|| {
                format!("a cell refers to shared string {value}, which the workbook does not have")
            })?)
        }
        Kind::Inline | Kind::Formula | Kind::Error => value,
        Kind::Bool => Cow::Borrowed(match value.trim() {
            "1" | "true" => "TRUE",
            "0" | "false" => "FALSE",
            other => return Err(format!("a boolean cell holds `{other}`")),
        }),
        Kind::Date => Cow::Owned(value.get(..10).unwrap_or(&value).to_owned()),
        Kind::Number => number(value, is_date, context.date1904),
    };
    out.extend_from_slice(text.as_bytes());
    Ok(true)
}

/// A number cell's text: a whole number of at most 15 digits is its own shown digits
/// (what [`shown`] gives for it, without reading it as a float); a date cell is its date.
#[inline(always)]
fn number(written: Cow<'_, str>, is_date: bool, date1904: bool) -> Cow<'_, str> {
    if !is_date && is_plain_whole(written.as_bytes()) {
        return written;
    }
    let text = written.trim();
    // Not a number a cell holds (`NaN`, `inf`, beyond a float's range), or a date cell's
    // number that is no date (before the first day or after 9999-12-31, which a
    // spreadsheet shows as `####`): its text, never 0 or a made-up date; the CSV reader
    // names what it is not.
    let last = if date1904 {
        MAX_DATE - 1462.0
    } else {
        MAX_DATE
    };
    let value = text
        .parse::<f64>()
        .ok()
        .filter(|value| value.is_finite() && (!is_date || (0.0..last).contains(value)));
    let Some(value) = value else {
        return Cow::Owned(text.to_owned());
    };
    Cow::Owned(if is_date {
        date_text(&ExcelDateTime::new(
            value,
            ExcelDateTimeType::DateTime,
            date1904,
        ))
    } else {
        shown(value)
    })
}

/// The day after the last date a spreadsheet shows, 9999-12-31, as a day count.
const MAX_DATE: f64 = 2_958_466.0;

/// Whether `text` is a whole number written as [`shown`] writes one: an optional `-`, at
/// most 15 digits, no leading zero, not `-0`.
#[inline(always)]
fn is_plain_whole(text: &[u8]) -> bool {
    let bytes = text.strip_prefix(b"-").unwrap_or(text);
    !bytes.is_empty()
        && bytes.len() <= 15
        && bytes.iter().all(u8::is_ascii_digit)
        && (bytes.first() != Some(&b'0') || (bytes.len() == 1 && bytes.len() == text.len()))
}

/// Text of `<t>` elements outside phonetic runs (`<rPh>`), as a shared or inline string
/// holds it.
#[derive(Default)]
struct RichText {
    in_t: bool,
    in_phonetic: bool,
}

impl RichText {
    fn take<R: xml::Source>(
        &mut self,
        xml: &Xml<R>,
        event: &Event,
        out: &mut String,
    ) -> Result<(), String> {
        match event {
            Event::Start { name, empty, .. } if !empty => match xml.bytes(*name) {
                b"t" => self.in_t = true,
                b"rPh" => self.in_phonetic = true,
                _ => {}
            },
            Event::End { name } => match xml.bytes(*name) {
                b"t" => self.in_t = false,
                b"rPh" => self.in_phonetic = false,
                _ => {}
            },
            Event::Text { text, raw } if self.in_t && !self.in_phonetic => {
                return append(xml.bytes(*text), *raw, out);
            }
            _ => {}
        }
        Ok(())
    }
}

/// A value's text with its entities decoded: as it is written (most values, every
/// number, have none; bytes that are not UTF-8 are read as [`write`] reads them), or
/// decoded. Refused when longer than any spreadsheet's, as [`append`] refuses it.
#[inline(always)]
fn decoded(bytes: &[u8]) -> Result<Cow<'_, [u8]>, String> {
    if bytes.len() <= MAX_TEXT && !bytes.contains(&b'&') {
        return Ok(Cow::Borrowed(bytes));
    }
    let mut text = String::new();
    append(bytes, false, &mut text)?;
    Ok(Cow::Owned(text.into_bytes()))
}

/// Add text to a cell's or string's `out`, refusing one longer than any spreadsheet's
/// (Excel's cells hold 32,767 characters).
fn append(bytes: &[u8], raw: bool, out: &mut String) -> Result<(), String> {
    if raw {
        out.push_str(&String::from_utf8_lossy(bytes));
    } else {
        xml::decode(bytes, out);
    }
    if out.len() > MAX_TEXT {
        return Err(format!("a text longer than {} KiB", MAX_TEXT >> 10));
    }
    Ok(())
}

/// A string with the workbook format's escapes undone: `_x000D_` is a carriage return
/// (four hex digits, a UTF-16 unit; `_x005F_` escapes a `_`).
fn unescape(text: &str) -> String {
    if !text.contains("_x") {
        return text.to_owned();
    }
    let mut units: Vec<u16> = Vec::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let escape = rest.strip_prefix("_x").and_then(|after| {
            let hex = after.get(..4)?;
            let closed = after.get(4..5)? == "_";
            let unit = u16::from_str_radix(hex, 16).ok()?;
            (closed && hex.bytes().all(|b| b.is_ascii_hexdigit())).then_some(unit)
        });
        match escape {
            Some(unit) => {
                units.push(unit);
                rest = rest.get(7..).unwrap_or_default();
            }
            None => {
                let Some(c) = rest.chars().next() else { break };
                let mut buf = [0u16; 2];
                units.extend_from_slice(c.encode_utf16(&mut buf));
                rest = rest.get(c.len_utf8()..).unwrap_or_default();
            }
        }
    }
    String::from_utf16_lossy(&units)
}

/// A cell reference (`AB12`) as its 1-based row and 0-based column.
#[inline(always)]
fn reference(place: &[u8]) -> Result<(usize, usize), String> {
    let letters = place.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let (column, row) = place.split_at(letters);
    let column = column.iter().try_fold(0usize, |n, &b| {
        let n = n * 26 + usize::from(b.to_ascii_uppercase() - b'A') + 1;
        (n <= MAX_COLUMNS).then_some(n)
    });
    match (column, row_number(row)) {
        (Some(column), Ok(row)) if column > 0 => Ok((row, column - 1)),
        _ => Err(format!(
            "a cell's place `{}` is not a cell of a sheet",
            String::from_utf8_lossy(place)
        )),
    }
}

/// A number written in at most 9 decimal digits.
#[inline(always)]
fn digits(text: &[u8]) -> Option<usize> {
    if text.is_empty() || text.len() > 9 {
        return None;
    }
    text.iter().try_fold(0usize, |n, &b| {
        b.is_ascii_digit().then(|| n * 10 + usize::from(b - b'0'))
    })
}

/// A 1-based row number, within a sheet's rows.
#[inline(always)]
fn row_number(text: &[u8]) -> Result<usize, String> {
    match digits(text) {
        Some(row) if (1..=super::MAX_ROWS).contains(&row) => Ok(row),
        _ => Err(format!(
            "row `{}` is not a row of a sheet (1 to {})",
            String::from_utf8_lossy(text),
            super::MAX_ROWS
        )),
    }
}

/// The archive's part `name`, whole, if it has one.
fn part(archive: &mut ZipArchive<File>, name: &str) -> Result<Option<Vec<u8>>, String> {
    let Some(name) = part_name(archive, name) else {
        return Ok(None);
    };
    let entry = archive
        .by_name(&name)
        .map_err(|error| format!("its part `{name}`: {error}"))?;
    // Its size as the archive states it (untrusted, so within the bound): read into a
    // buffer of that size, not one that doubles as it fills.
    let stated = usize::try_from(entry.size().min(MAX_PART)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(stated + 1);
    entry
        .take(MAX_PART + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| format!("its part `{name}`: {error}"))?;
    if bytes.len() as u64 > MAX_PART {
        return Err(format!(
            "its part `{name}` is larger than {} MiB",
            MAX_PART >> 20
        ));
    }
    Ok(Some(bytes))
}

/// The name the archive gives the part a relationship names `name`: part names are
/// compared without case (some programs write them in another case than they refer to
/// them), the exact name first.
fn part_name(archive: &ZipArchive<File>, name: &str) -> Option<String> {
    if archive.index_for_name(name).is_some() {
        return Some(name.to_owned());
    }
    let mut names = archive.file_names().flatten();
    names
        .find(|n| n.eq_ignore_ascii_case(name))
        .map(|n| n.into_owned())
}

/// The relationships in the part `name`, their targets resolved from `dir`.
fn relations(
    archive: &mut ZipArchive<File>,
    name: &str,
    dir: &str,
) -> Result<Vec<Relation>, String> {
    let Some(bytes) = part(archive, name)? else {
        return Ok(Vec::new());
    };
    let mut xml = Xml::new(bytes.as_slice());
    let mut out = Vec::new();
    loop {
        match xml
            .next()
            .map_err(|error| format!("its part `{name}`: {error}"))?
        {
            Event::Start { name, attrs, .. } if xml.bytes(name) == b"Relationship" => {
                let attrs = xml.bytes(attrs);
                let get = |key: &[u8]| {
                    let mut text = String::new();
                    xml::decode(xml::attr(attrs, key).unwrap_or_default(), &mut text);
                    text
                };
                if get(b"TargetMode").eq_ignore_ascii_case("External") {
                    continue;
                }
                out.push(Relation {
                    id: get(b"Id"),
                    kind: get(b"Type"),
                    target: resolve(dir, &get(b"Target")),
                });
            }
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

/// A relationship's target as a part name: relative to `dir`, or from the root when it
/// starts with `/`.
fn resolve(dir: &str, target: &str) -> String {
    let joined = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_owned(),
        None => format!("{dir}{target}"),
    };
    let mut parts: Vec<&str> = Vec::new();
    for segment in joined.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            segment => parts.push(segment),
        }
    }
    parts.join("/")
}

/// The workbook part's sheets, and whether it counts days from 1904.
fn sheets(workbook: &[u8], relations: &[Relation]) -> Result<(Vec<SheetEntry>, bool), String> {
    let mut xml = Xml::new(workbook);
    let mut sheets = Vec::new();
    let mut date1904 = false;
    loop {
        let (name, attrs) = match xml.next().map_err(|e| format!("its workbook part: {e}"))? {
            Event::Start { name, attrs, .. } => (name, attrs),
            Event::Eof => return Ok((sheets, date1904)),
            _ => continue,
        };
        let attrs = xml.bytes(attrs);
        match xml.bytes(name) {
            b"workbookPr" => {
                date1904 = matches!(xml::attr(attrs, b"date1904"), Some(b"1" | b"true"));
            }
            b"sheet" => {
                let mut name = String::new();
                xml::decode(xml::attr(attrs, b"name").unwrap_or_default(), &mut name);
                let id = String::from_utf8_lossy(xml::attr(attrs, b"id").unwrap_or_default());
                let relation = relations.iter().find(|r| r.id == id);
                // A chart sheet or dialog sheet has no cells.
                let Some(relation) = relation.filter(|r| r.kind.ends_with("/worksheet")) else {
                    continue;
                };
                sheets.push(SheetEntry {
                    name,
                    visible: xml::attr(attrs, b"state").is_none_or(|state| state == b"visible"),
                    part: relation.target.clone(),
                });
            }
            _ => {}
        }
    }
}

/// A workbook's shared strings, held as one text and where each string ends in it: a
/// string costs its text and four bytes, so a table of millions stays small.
#[derive(Default)]
struct Strings {
    text: String,
    ends: Vec<u32>,
}

impl Strings {
    /// The string at `index`.
    fn get(&self, index: usize) -> Option<&str> {
        let end = *self.ends.get(index)? as usize;
        let start = match index.checked_sub(1) {
            Some(before) => *self.ends.get(before)? as usize,
            None => 0,
        };
        self.text.get(start..end)
    }

    /// Add a string, within [`MAX_PART`] bytes in all.
    fn push(&mut self, string: &str) -> Result<(), String> {
        self.text.push_str(string);
        let held = self.text.len() + 4 * self.ends.len();
        match u32::try_from(self.text.len()) {
            Ok(end) if held as u64 <= MAX_PART => {
                self.ends.push(end);
                Ok(())
            }
            _ => Err(format!(
                "its shared strings take more than {} MiB",
                MAX_PART >> 20
            )),
        }
    }
}

/// The shared strings part's strings.
fn shared_strings(bytes: &[u8]) -> Result<Strings, String> {
    let mut xml = Xml::new(bytes);
    let mut strings = Strings::default();
    let mut current = String::new();
    let mut rich = RichText::default();
    loop {
        let event = xml
            .next()
            .map_err(|error| format!("its shared strings: {error}"))?;
        match &event {
            Event::Start { name, empty, .. } if xml.bytes(*name) == b"si" => {
                current.clear();
                if *empty {
                    strings.push("")?;
                }
            }
            Event::End { name } if xml.bytes(*name) == b"si" => {
                strings.push(&unescape(&current))?;
            }
            Event::Eof => return Ok(strings),
            _ => rich
                .take(&xml, &event, &mut current)
                .map_err(|error| format!("its shared strings: {error}"))?,
        }
    }
}

/// Whether each cell format of the styles part shows a date.
fn date_formats(bytes: &[u8]) -> Result<Vec<bool>, String> {
    let mut xml = Xml::new(bytes);
    let mut custom: Vec<(u32, bool)> = Vec::new();
    let mut formats: Vec<u32> = Vec::new();
    let mut in_cell_formats = false;
    loop {
        let event = xml.next().map_err(|error| format!("its styles: {error}"))?;
        let (name, attrs, empty) = match event {
            Event::Start { name, attrs, empty } => (name, attrs, empty),
            Event::End { name } if xml.bytes(name) == b"cellXfs" => {
                in_cell_formats = false;
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let attrs = xml.bytes(attrs);
        let id = || {
            let id = xml::attr(attrs, b"numFmtId").unwrap_or(b"0");
            std::str::from_utf8(id)
                .ok()
                .and_then(|id| id.parse().ok())
                .unwrap_or(0)
        };
        match xml.bytes(name) {
            b"numFmt" => {
                let mut code = String::new();
                xml::decode(
                    xml::attr(attrs, b"formatCode").unwrap_or_default(),
                    &mut code,
                );
                custom.push((id(), is_date_code(&code)));
            }
            b"cellXfs" => in_cell_formats = !empty,
            b"xf" if in_cell_formats => formats.push(id()),
            _ => {}
        }
    }
    let is_date = |id: u32| {
        let custom = custom.iter().find(|(custom, _)| *custom == id);
        custom.map_or_else(|| is_date_id(id), |(_, is_date)| *is_date)
    };
    Ok(formats.into_iter().map(is_date).collect())
}

/// Whether a built-in number format shows a date or a time (ECMA-376 18.8.30, and the
/// East Asian dates).
fn is_date_id(id: u32) -> bool {
    matches!(id, 14..=22 | 27..=36 | 45..=47 | 50..=58)
}

/// Whether a number format code shows a date or a time: a day, month, year, hour or
/// second in its first section, outside quoted text, escapes and `[...]` (a colour or a
/// condition; `[h]` is elapsed hours, a time).
fn is_date_code(code: &str) -> bool {
    let section = code.split(';').next().unwrap_or_default();
    let mut chars = section.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                chars.by_ref().find(|&c| c == '"');
            }
            '\\' | '_' | '*' => {
                chars.next();
            }
            '[' => {
                let inside: String = chars.by_ref().take_while(|&c| c != ']').collect();
                let elapsed = inside.to_ascii_lowercase();
                if !elapsed.is_empty() && elapsed.chars().all(|c| matches!(c, 'h' | 'm' | 's')) {
                    return true;
                }
            }
            c if matches!(c.to_ascii_lowercase(), 'd' | 'm' | 'y' | 'h' | 's') => return true,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_whole_number_is_what_shown_gives_for_it() {
        for text in ["0", "7", "-7", "123456789012345", "-999999999999999"] {
            assert!(is_plain_whole(text.as_bytes()), "{text}");
            assert_eq!(
                number(text.into(), false, false),
                shown(text.parse().unwrap())
            );
        }
        for text in [
            "-0",
            "007",
            "1234567890123456",
            "1.5",
            "1e3",
            "",
            "-",
            "+1",
            " 1",
        ] {
            assert!(!is_plain_whole(text.as_bytes()), "{text}");
        }
        for (text, shows) in [
            ("-0", "0"),
            ("007", "7"),
            ("0.30000000000000004", "0.3"),
            ("1234567.89", "1234567.89"),
            ("1E3", "1000"),
            ("1234567890123456", "1234567890123460"),
        ] {
            assert_eq!(number(text.into(), false, false), shows, "{text}");
        }
        assert_eq!(number("12,5".into(), false, false), "12,5");
    }

    #[test]
    fn a_value_no_cell_holds_is_its_text_never_zero_or_a_far_date() {
        // Before, `NaN`, `inf` and a number beyond a float's range were read as 0, and a
        // date-formatted one as 1899-12-31 or 9999-12-31.
        for (text, is_date, date1904) in [
            ("NaN", false, false),
            ("inf", false, false),
            ("-infinity", false, false),
            ("1e400", false, false),
            ("NaN", true, false),
            ("-5", true, false),
            ("1e20", true, false),
            ("2958466", true, false),
            ("2957004", true, true),
        ] {
            assert_eq!(number(text.into(), is_date, date1904), text, "{text}");
        }
        assert_eq!(number("2958465".into(), true, false), "9999-12-31");
        assert_eq!(number("2957003".into(), true, true), "9999-12-31");
    }

    #[test]
    fn a_date_cell_is_its_date_in_either_day_count() {
        assert_eq!(number("45657".into(), true, false), "2024-12-31");
        assert_eq!(number("45657.75".into(), true, false), "2024-12-31");
        assert_eq!(number("44195".into(), true, true), "2024-12-31");
    }

    #[test]
    fn date_formats_are_told_from_number_formats() {
        for code in [
            "yyyy-mm-dd",
            "d-mmm-yy",
            "[$-409]mmmm d, yyyy",
            "h:mm",
            "[h]:mm:ss",
            "m/d",
        ] {
            assert!(is_date_code(code), "{code}");
        }
        for code in [
            "0.00",
            "#,##0;[Red](#,##0)",
            "\"days\" 0",
            "General",
            "0.00E+00",
            "_(* #,##0_)",
            "\\d0",
        ] {
            assert!(!is_date_code(code), "{code}");
        }
        assert!(is_date_id(14) && is_date_id(22) && !is_date_id(4) && !is_date_id(49));
    }

    #[test]
    fn a_text_longer_than_any_spreadsheet_cell_is_refused() {
        let mut text = String::new();
        let half = vec![b'x'; MAX_TEXT / 2 + 1];
        assert!(append(&half, false, &mut text).is_ok());
        assert_eq!(
            append(&half, true, &mut text),
            Err("a text longer than 96 KiB".to_owned())
        );
    }

    #[test]
    fn references_and_escapes() {
        assert_eq!(reference(b"A1").unwrap(), (1, 0));
        assert_eq!(reference(b"AB12").unwrap(), (12, 27));
        assert_eq!(reference(b"XFD1048576").unwrap(), (1_048_576, 16_383));
        for bad in [&b"XFE1"[..], b"A0", b"A1048577", b"1", b"A", b"A1x"] {
            assert!(reference(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
        assert_eq!(unescape("a_x000D_b"), "a\rb");
        assert_eq!(unescape("_x005F_x000D_"), "_x000D_");
        assert_eq!(unescape("_xD83D__xDE00_"), "😀");
        assert_eq!(unescape("_x00ZZ_ and _x12"), "_x00ZZ_ and _x12");
        assert_eq!(
            resolve("xl/", "worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(
            resolve("xl/", "/xl/worksheets/s.xml"),
            "xl/worksheets/s.xml"
        );
        assert_eq!(
            resolve("xl/sub/", "../worksheets/s.xml"),
            "xl/worksheets/s.xml"
        );
    }
}
