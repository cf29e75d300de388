//! `--format csv`: the violations table a warehouse or a spreadsheet loads, one row per
//! rule result that did not pass (failed, waived, or in error) and one per input that
//! could not be read. RFC 4180 quoting by the `csv` crate; amounts and values as exact
//! text (`360216023.76`, `4000/3`).

use std::io::{self, Write};

use super::findings::findings;
use super::{Render, RunEnd, Sink};
use crossfoot_core::engine::{Engine, Outcome, ReportResult};
use crossfoot_core::report::{Meta, Place, Unreadable};

/// The columns, in order.
pub const COLUMNS: [&str; 15] = [
    "report",
    "place",
    "id",
    "firm",
    "as_of",
    "rule",
    "severity",
    "status",
    "left",
    "right",
    "difference",
    "tolerance",
    "message",
    "detail",
    "unit",
];

/// Writes a report's rows.
pub struct Csv<'a> {
    engine: &'a Engine,
}

impl<'a> Csv<'a> {
    /// The writer for an engine's rules.
    pub fn new(engine: &'a Engine) -> Self {
        Csv { engine }
    }
}

/// A report's file, its row or line, its id, firm and date, as cells.
fn report_cells(meta: &Meta) -> [String; 5] {
    let place = match meta.place {
        Some(Place::Row(n)) => format!("row {n}"),
        Some(Place::Line(n)) => format!("line {n}"),
        None => String::new(),
    };
    [
        inert(meta.source.to_string()),
        place,
        inert(meta.id.clone().unwrap_or_default()),
        inert(meta.firm.clone().unwrap_or_default()),
        meta.as_of.map(|d| d.to_string()).unwrap_or_default(),
    ]
}

/// Text from the inputs as a spreadsheet will not run it: a cell that starts like a
/// formula (`=`, `+`, `-`, `@`, a tab or a carriage return) gets a `'` in front, unless it
/// is a plain number. Amount columns are numbers and are written as they are.
fn inert(text: String) -> String {
    let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if formula && text.parse::<rust_decimal::Decimal>().is_err() {
        format!("'{text}")
    } else {
        text
    }
}

fn writer(out: &mut Vec<u8>) -> csv::Writer<&mut Vec<u8>> {
    csv::WriterBuilder::new()
        .buffer_capacity(4096)
        .from_writer(out)
}

impl Render for Csv<'_> {
    fn render(&self, result: &ReportResult, out: &mut Vec<u8>) {
        if result.summary.failed + result.summary.waived + result.summary.errors == 0 {
            return;
        }
        let report = report_cells(&result.row.meta);
        let mut rows = writer(out);
        let wanted = Outcome::is_finding;
        for (_, finding) in findings(self.engine, result, wanted) {
            let sides = finding.status.sides();
            let value = |v: Option<crossfoot_core::eval::Value>| {
                v.map(|v| v.to_string()).unwrap_or_default()
            };
            let cells = [
                finding.rule.id().to_owned(),
                finding.severity().as_str().to_owned(),
                finding.outcome.as_str().to_owned(),
                value(sides.map(|s| s.left)),
                value(sides.map(|s| s.right)),
                value(sides.and_then(|s| s.difference)),
                value(sides.map(|s| s.tolerance)),
                inert(finding.message.clone()),
                inert(finding.detail.clone()),
                result.row.meta.unit.name().to_owned(),
            ];
            let _ = rows.write_record(report.iter().chain(cells.iter()));
        }
        let _ = rows.flush();
    }
}

/// Writes the table: the header, then each report's rows in input order.
pub struct CsvSink<'a> {
    out: &'a mut dyn Write,
    started: bool,
}

impl<'a> CsvSink<'a> {
    /// The table on `out`.
    pub fn new(out: &'a mut dyn Write) -> Self {
        CsvSink {
            out,
            started: false,
        }
    }

    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.started = true;
            let mut header = Vec::new();
            let mut rows = writer(&mut header);
            rows.write_record(COLUMNS).map_err(io::Error::other)?;
            rows.flush()?;
            drop(rows);
            self.out.write_all(&header)?;
        }
        Ok(())
    }
}

impl Sink for CsvSink<'_> {
    fn report(&mut self, _result: &ReportResult, rendered: &[u8]) -> io::Result<()> {
        self.start()?;
        self.out.write_all(rendered)
    }

    fn unreadable(&mut self, unreadable: &Unreadable) -> io::Result<()> {
        self.start()?;
        let report = report_cells(&unreadable.meta);
        let mut bytes = Vec::new();
        let mut rows = writer(&mut bytes);
        let cells = ["", "", "unreadable", "", "", "", ""]
            .map(str::to_owned)
            .into_iter()
            .chain([inert(unreadable.message()), String::new(), String::new()]);
        rows.write_record(report.iter().cloned().chain(cells))
            .map_err(io::Error::other)?;
        rows.flush()?;
        drop(rows);
        self.out.write_all(&bytes)
    }

    fn finish(&mut self, _end: &RunEnd<'_>) -> io::Result<()> {
        self.start()?;
        self.out.flush()
    }
}
