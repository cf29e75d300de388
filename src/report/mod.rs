//! Reports: the amounts a filing puts on each line, read from files.
//!
//! Amounts go from the file's text straight to [`Decimal`], never through a float. The
//! format readers live in submodules; YAML is the first.

mod error;
mod yaml;

use std::collections::HashMap;

use rust_decimal::Decimal;

pub use error::ReportError;
pub use yaml::load_yaml;

use crate::date::Date;
use crate::line::LineCode;

/// One report: optional metadata and an amount for each line that is not blank.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    name: String,
    id: Option<String>,
    firm: Option<String>,
    as_of: Option<Date>,
    lines: HashMap<LineCode, Decimal>,
}

impl Report {
    /// A report called `name` (usually its path) with these amounts and no metadata.
    pub fn from_lines(
        name: impl Into<String>,
        lines: impl IntoIterator<Item = (LineCode, Decimal)>,
    ) -> Self {
        Report {
            name: name.into(),
            lines: lines.into_iter().collect(),
            ..Report::default()
        }
    }

    /// The same report with its metadata set.
    pub fn with_metadata(
        mut self,
        id: Option<String>,
        firm: Option<String>,
        as_of: Option<Date>,
    ) -> Self {
        self.id = id;
        self.firm = firm;
        self.as_of = as_of;
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

    /// The name given when read, usually the path.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The report's own `id:`, if it has one.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The filer, from `firm:`.
    pub fn firm(&self) -> Option<&str> {
        self.firm.as_deref()
    }

    /// The report date, from `as_of:`.
    pub fn as_of(&self) -> Option<Date> {
        self.as_of
    }
}
