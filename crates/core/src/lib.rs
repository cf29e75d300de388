//! Crossfoot's core: what a rule means and what it says about a report.
//!
//! Above `crossfoot-syntax` (the text of rules), in one direction: [`compile`] compiles
//! the syntax tree into a checked [`RuleSet`]; [`eval`] evaluates it in exact
//! arithmetic; [`report`] reads reports in every form the same way; an
//! [`Engine`](engine::Engine) owns a run (rules, waivers, reports, one
//! [`ReportResult`](engine::ReportResult) per report); the analyses ([`root_cause`],
//! [`coverage`], [`diff`], [`testing`], [`record`]) read those results. How results are
//! shown to people and programs is `crossfoot-render`'s; SQL is `crossfoot-sql`'s.
#![forbid(unsafe_code)]

pub mod compile;
pub mod coverage;
pub mod diagnostic;
pub mod diff;
pub mod engine;
pub mod error;
pub mod eval;
pub mod files;
pub mod load;
pub mod pack;
mod parallel;
pub mod problem;
pub mod record;
pub mod report;
pub mod root_cause;
pub mod testing;
pub mod unit;
pub mod waiver;
mod yaml;

pub use compile::RuleSet;
