//! Results → what a person or a program reads: the human diagnostics and summary, JSON,
//! JSON Lines, SARIF, JUnit, GitHub workflow commands, a CSV table of violations, and the
//! explanation of one rule.
//!
//! Every output of `check` has two halves. A [`Render`] turns one report's results into
//! bytes on the worker that checked the report, so the heavy part of a large output runs
//! on every core. A [`Sink`] gets each report's results and bytes in input order, writes
//! them (with whatever goes between and around them), and ends the output once the run's
//! totals and warnings are known. Nothing holds more than one report at a time, except
//! what an output must say at its end (JSON's `errors`, SARIF's notifications).

mod coverage;
mod csv;
mod explain;
mod findings;
mod github;
mod human;
mod json;
mod junit;
mod sarif;
pub mod text;

use std::io;

pub use self::csv::{Csv, CsvSink};
pub use coverage::coverage_text;
pub use explain::explain;
pub use findings::{Finding, findings};
pub use github::{Github, GithubSink};
pub use human::{Human, HumanSink, MAX_DETAILED_REPORTS, totals_line};
pub use json::{
    Json, JsonLine, JsonOutput, JsonProblem, JsonReport, JsonResult, JsonRootCause, JsonSink,
    JsonSource, JsonSummary, JsonWaiver, Listed, json_report,
};
pub use junit::{Junit, JunitSink, TestCase, test_junit};
pub use sarif::{Sarif, SarifSink};

use crate::engine::{ReportResult, RunWarning, Totals};
use crate::report::Unreadable;

/// What an output writes for one report, made on a worker thread.
pub trait Render: Sync {
    /// Append the bytes for `result` to `out` (nothing, for an output that says nothing
    /// about this report).
    fn render(&self, result: &ReportResult, out: &mut Vec<u8>);
}

/// Renders nothing: for outputs that write on the caller's thread only.
#[derive(Clone, Copy, Debug, Default)]
pub struct Nothing;

impl Render for Nothing {
    fn render(&self, _result: &ReportResult, _out: &mut Vec<u8>) {}
}

/// How a run ended, for the outputs that say so at their end.
#[derive(Debug)]
pub struct RunEnd<'a> {
    /// The totals.
    pub totals: Totals,
    /// The warnings about the run (waivers, undated reports).
    pub warnings: &'a [RunWarning],
}

/// An output of `check`, fed one report at a time, in input order.
pub trait Sink {
    /// A report's results, and what the output's [`Render`] made of them.
    fn report(&mut self, result: &ReportResult, rendered: &[u8]) -> io::Result<()>;
    /// An input that could not be read.
    fn unreadable(&mut self, unreadable: &Unreadable) -> io::Result<()>;
    /// The end of the run.
    fn finish(&mut self, end: &RunEnd<'_>) -> io::Result<()>;
}
