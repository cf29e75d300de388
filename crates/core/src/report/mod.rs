//! Reports: the amounts a filing puts on each line, read from any source.
//!
//! Amounts go from the input's text straight to [`Decimal`], never through a float. A
//! [`Report`] is what a file says (any line codes); a [`Row`] is the same report as a rule
//! set reads it, one amount per line the rules read or the catalogue declares. Every source becomes rows the same
//! way, so a report means the same whether it came as YAML, JSON, a JSON Lines line, a
//! CSV row, a directory entry or standard input: [`inputs`] reads them all.

mod csv;
mod error;
mod inputs;
mod jsonl;
pub(crate) mod kept;
mod map;
pub(crate) mod packed;
#[cfg(feature = "workbook")]
mod workbook;
mod yaml;

use std::collections::HashMap;
use std::sync::Arc;

use rust_decimal::Decimal;

pub use error::{FormatError, ReportError};

/// A firm's name as every input form reads it: without surrounding blanks, and none when
/// nothing is left.
fn firm(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}
pub use inputs::{
    InputFormat, Inputs, Job, Unreadable, directory, may_read, names, read_inputs, read_one,
    read_report, read_reports,
};
pub use map::{ColumnMap, MapError, Target, parse_map, read_map};
pub use yaml::load_yaml;
use yaml::load_yaml_meta;

use crate::compile::RuleSet;
use crate::eval::Facts;
use crate::unit::Unit;
use crossfoot_syntax::date::Date;
use crossfoot_syntax::line::LineCode;

/// What identifies a report, besides its amounts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Meta {
    /// The file it came from (`-` for standard input), or the name it was given.
    pub source: Arc<str>,
    /// Where in a batch file: its row or line.
    pub place: Option<Place>,
    /// The report's own id (`id:` in YAML and JSON Lines, `report_id` in CSV).
    pub id: Option<String>,
    /// The filer (`firm`).
    pub firm: Option<String>,
    /// The report date (`as_of`).
    pub as_of: Option<Date>,
    /// The unit its amounts are printed in (`unit: thousands`); dollars when absent.
    pub unit: Unit,
}

/// Facts a run assumes of every report that does not state them itself (`check --as-of
/// 2027-03-31 --firm "ACME FUTURES"`): a long CSV or an undated YAML file carries none.
/// A report's own `as_of` and `firm` always win.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Assumed {
    /// The date of a report without `as_of`.
    pub as_of: Option<Date>,
    /// The firm of a report without `firm`.
    pub firm: Option<String>,
}

impl Assumed {
    /// Whether nothing is assumed.
    pub fn is_empty(&self) -> bool {
        self.as_of.is_none() && self.firm.is_none()
    }

    /// `meta` with what it does not state filled in.
    pub fn fill(&self, meta: &mut Meta) {
        if meta.as_of.is_none() {
            meta.as_of = self.as_of;
        }
        if meta.firm.is_none() {
            meta.firm.clone_from(&self.firm);
        }
    }
}

/// A report's place in a batch file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// A row of a CSV file (the header is row 1).
    Row(usize),
    /// A line of a JSON Lines file.
    Line(usize),
}

impl Meta {
    /// What evaluation needs to know of the report: its date and unit.
    pub fn facts(&self) -> Facts {
        Facts {
            as_of: self.as_of,
            unit: self.unit,
            prior_unit: self.unit,
        }
    }

    /// A report called `name` with no other metadata.
    pub fn named(name: impl Into<String>) -> Self {
        Meta {
            source: Arc::from(name.into()),
            ..Meta::default()
        }
    }

    /// A report at a place in a batch file.
    pub fn at(source: &Arc<str>, place: Place) -> Self {
        Meta {
            source: Arc::clone(source),
            place: Some(place),
            ..Meta::default()
        }
    }

    /// How a report is named in messages: the file, and in a batch file its row or line
    /// and id: `reports.csv row 42 (R000041)`.
    pub fn name(&self) -> String {
        self.name_in(&self.source)
    }

    /// The report's name with its file called `source` (a run record names each file
    /// relative to the record's directory).
    pub fn name_in(&self, source: &str) -> String {
        let place = match self.place {
            None => return source.to_owned(),
            Some(Place::Row(row)) => format!("{source} row {row}"),
            Some(Place::Line(line)) => format!("{source} line {line}"),
        };
        // The id as it is: each output escapes what it cannot show (render::text).
        match &self.id {
            Some(id) if id.chars().nth(MAX_ID_SHOWN).is_some() => {
                let start: String = id.chars().take(MAX_ID_SHOWN).collect();
                format!("{place} ({start}…)")
            }
            Some(id) => format!("{place} ({id})"),
            None => place,
        }
    }
}

/// How much of a report's id its name shows: an id longer than this (a quote left open
/// can make one of a whole file) is cut, with `…`; the `id` field of JSON keeps it whole.
const MAX_ID_SHOWN: usize = 80;

/// One report: its metadata and an amount for each line that is not blank.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    meta: Meta,
    lines: HashMap<LineCode, Decimal>,
}

impl Report {
    /// A report called `name` (usually its path) with these amounts and no metadata.
    pub fn from_lines(
        name: impl Into<String>,
        lines: impl IntoIterator<Item = (LineCode, Decimal)>,
    ) -> Self {
        Report {
            meta: Meta::named(name),
            lines: lines.into_iter().collect(),
        }
    }

    /// The same report with its metadata set.
    pub fn with_metadata(
        mut self,
        id: Option<String>,
        firm: Option<String>,
        as_of: Option<Date>,
    ) -> Self {
        self.meta.id = id;
        self.meta.firm = firm;
        self.meta.as_of = as_of;
        self
    }

    /// The same report with its amounts in `unit` (`unit: thousands`).
    pub fn with_unit(mut self, unit: Unit) -> Self {
        self.meta.unit = unit;
        self
    }

    /// The amount on a line; `None` when the line is blank.
    pub fn amount(&self, code: LineCode) -> Option<Decimal> {
        self.lines.get(&code).copied()
    }

    /// Every line that holds an amount, in no particular order.
    pub fn lines(&self) -> impl Iterator<Item = (LineCode, Decimal)> + '_ {
        self.lines.iter().map(|(code, amount)| (*code, *amount))
    }

    /// Set a line's amount, or make it blank with `None`.
    pub fn set_amount(&mut self, code: LineCode, amount: Option<Decimal>) {
        match amount {
            Some(amount) => self.lines.insert(code, amount),
            None => self.lines.remove(&code),
        };
    }

    /// The metadata.
    pub fn meta(&self) -> &Meta {
        &self.meta
    }

    /// The name given when read, usually the path.
    pub fn name(&self) -> &str {
        &self.meta.source
    }

    /// The report's own `id:`, if it has one.
    pub fn id(&self) -> Option<&str> {
        self.meta.id.as_deref()
    }

    /// The filer, from `firm:`.
    pub fn firm(&self) -> Option<&str> {
        self.meta.firm.as_deref()
    }

    /// The report date, from `as_of:`.
    pub fn as_of(&self) -> Option<Date> {
        self.meta.as_of
    }
}

/// Rows given back after use, so a batch does not allocate a row per report: the next
/// rows are made in their buffers, on the thread that reads them.
#[derive(Debug, Default)]
pub(crate) struct Spare(Vec<Row>);

impl Spare {
    /// Keep a row for another.
    pub(crate) fn keep(&mut self, row: Row) {
        self.0.push(row);
    }

    /// A row of `width` blank amounts, in a kept row's buffers when there is one (its
    /// meta is the kept row's, to be written over).
    pub(crate) fn blank(&mut self, width: usize) -> Row {
        let mut row = self.reused();
        row.amounts.clear();
        row.amounts.resize(width, None);
        row
    }

    /// A kept row with no undeclared lines, or a new one; its amounts as they were.
    fn reused(&mut self) -> Row {
        let mut row = self.0.pop().unwrap_or_else(|| Row {
            meta: Meta::default(),
            amounts: Vec::new(),
            unknown: Vec::new(),
        });
        row.unknown.clear();
        row
    }

    /// A row of `width` blank amounts from `source`, with its place and id, in a kept
    /// row's buffers when there is one.
    pub(crate) fn row(
        &mut self,
        width: usize,
        source: &Arc<str>,
        place: Place,
        id: Option<&str>,
    ) -> Row {
        let row = self.blank(width);
        named(row, source, place, id)
    }

    /// [`row`](Self::row) for a reader that writes every slot but `unfilled` (a wide CSV
    /// row: each column's cell is written, blank or not): a kept row of the same width
    /// has only those slots blanked, not all of them. A row its reader does not finish is
    /// no report, so what its other slots held is never read.
    pub(crate) fn row_to_fill(
        &mut self,
        width: usize,
        unfilled: &[usize],
        source: &Arc<str>,
        place: Place,
        id: Option<&str>,
    ) -> Row {
        let mut row = self.reused();
        if row.amounts.len() == width {
            for &slot in unfilled {
                if let Some(amount) = row.amounts.get_mut(slot) {
                    *amount = None;
                }
            }
        } else {
            row.amounts.clear();
            row.amounts.resize(width, None);
        }
        named(row, source, place, id)
    }
}

/// `row` as the report from `source` at `place` with `id`, its other facts unknown.
fn named(mut row: Row, source: &Arc<str>, place: Place, id: Option<&str>) -> Row {
    let id = id.map(|id| {
        let mut text = row.meta.id.take().unwrap_or_default();
        text.clear();
        text.push_str(id);
        text
    });
    if !Arc::ptr_eq(&row.meta.source, source) {
        row.meta.source = Arc::clone(source);
    }
    row.meta = Meta {
        source: std::mem::take(&mut row.meta.source),
        place: Some(place),
        id,
        firm: None,
        as_of: None,
        unit: Unit::DOLLARS,
    };
    row
}

/// A report as a rule set reads it: an amount for each of the set's slots (each line some
/// rule reads or the catalogue declares), `None` where blank. Other lines are not kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Which report.
    pub meta: Meta,
    /// The amount of each slot of the rule set ([`RuleSet::slot`]).
    pub amounts: Vec<Option<Decimal>>,
    /// The lines holding an amount that the rule set's catalogue does not declare
    /// ([`RuleSet::undeclared`]), for a warning; none when the set has no catalogue.
    pub unknown: Vec<LineCode>,
}

impl Row {
    /// A report's row for a rule set.
    pub fn of(rules: &RuleSet, report: &Report) -> Row {
        let mut amounts = vec![None; rules.width()];
        let mut unknown = Vec::new();
        for (code, amount) in report.lines() {
            match rules.slot(code).and_then(|slot| amounts.get_mut(slot)) {
                Some(cell) => *cell = Some(amount),
                None if rules.undeclared(code) => unknown.push(code),
                None => {}
            }
        }
        unknown.sort_unstable();
        Row {
            meta: report.meta.clone(),
            amounts,
            unknown,
        }
    }

    /// The row as a report again, with the lines the rules read or the catalogue declares.
    pub fn report(&self, rules: &RuleSet) -> Report {
        let lines = self
            .amounts
            .iter()
            .enumerate()
            .filter_map(|(slot, amount)| Some((rules.code(slot)?, (*amount)?)));
        Report {
            meta: self.meta.clone(),
            lines: lines.collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossfoot_syntax::source::Source;

    #[test]
    fn a_declared_line_no_rule_reads_has_its_place_in_the_row() {
        let text = "page seg \"Segregation\"\n  7010 \"cash\"\n  7060 \"required\"\n  7180 \"total\"\n  7190 \"excess\"\n\nrule t 7190 = 7180 - 7060\n";
        let source = Source::new("t.xfoot", text);
        let file = crossfoot_syntax::parse(&source).unwrap();
        let set = crate::compile::compile(vec![(source, file)]).unwrap().rules;
        let cash: LineCode = "7010".parse().unwrap();
        assert_eq!(set.slot(cash), Some(3));
        let report = Report::from_lines("r", [(cash, 5.into())]);
        let row = Row::of(&set, &report);
        assert_eq!(row.amounts[3], Some(5.into()));
        assert!(row.unknown.is_empty());
        assert_eq!(row.report(&set), report);
    }
}
