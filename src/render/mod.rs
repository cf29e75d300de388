//! Outcomes → what a person or a program reads: the human diagnostics and summary, JSON,
//! and the explanation of one rule.

mod coverage;
mod explain;
mod findings;
mod github;
mod human;
mod json;
mod junit;
mod sarif;

pub use coverage::coverage_text;
pub use explain::explain;
pub use findings::{Finding, FindingKind, findings};
pub use github::github;
pub use human::Human;
pub use json::{
    JsonLine, JsonOutput, JsonProblem, JsonReport, JsonResult, JsonSource, JsonSummary,
    json_problem, json_report,
};
pub use junit::{TestCase, junit, test_junit};
pub use sarif::sarif;
