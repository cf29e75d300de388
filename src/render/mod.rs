//! Outcomes → what a person or a program reads: the human diagnostics and summary, or JSON.

mod human;
mod json;

pub use human::Human;
pub use json::{
    JsonLine, JsonOutput, JsonProblem, JsonReport, JsonResult, JsonSource, JsonSummary,
    json_problem, json_report,
};
