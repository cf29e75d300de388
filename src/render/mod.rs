//! Results → what a person or a program reads: the human diagnostics and summary, JSON,
//! SARIF, JUnit, GitHub workflow commands, and the explanation of one rule.
//!
//! Every format of `check` is a [`Sink`]: it is handed each report's results as soon as
//! they are final, in input order, and the run's totals at the end.

mod coverage;
mod explain;
mod findings;
mod github;
mod human;
mod json;
mod junit;
mod sarif;

use std::io;

pub use coverage::coverage_text;
pub use explain::explain;
pub use findings::{Finding, findings};
pub use github::GithubSink;
pub use human::{Human, HumanSink, Layout, MAX_DETAILED_REPORTS, totals_line};
pub use json::{
    JsonLine, JsonOutput, JsonProblem, JsonReport, JsonResult, JsonSink, JsonSource, JsonSummary,
    json_report,
};
pub use junit::{JunitSink, TestCase, test_junit};
pub use sarif::SarifSink;

use crate::engine::{ReportResult, Totals};
use crate::report::Unreadable;

/// An output of `check`, fed one report at a time.
pub trait Sink {
    /// A report's results.
    fn report(&mut self, result: &ReportResult) -> io::Result<()>;
    /// An input that could not be read.
    fn unreadable(&mut self, unreadable: &Unreadable) -> io::Result<()>;
    /// The end of the run.
    fn finish(&mut self, totals: &Totals) -> io::Result<()>;
}
