//! Crossfoot: an exact, friendly rules language for regulatory reports.
//!
//! Rules are written the way the form reads (`7190 = 7180 - 7060`), checked once, and
//! evaluated on reports in exact arithmetic. Data flows one way: text → [`syntax`] (the
//! pest grammar, a typed tree with spans) → [`check`] (a [`RuleSet`]) → [`eval`] (one
//! status per rule) → [`render`] (human, JSON, SARIF, …). An [`Engine`] owns a run: the
//! rule set and its waivers, every report read the same way whatever its format
//! ([`report`]), and one [`ReportResult`] per report that every output reads.
//!
//! ```
//! use crossfoot::{Engine, Outcome, source::Source};
//!
//! let pack = Source::new("segregation.xfoot", r#"
//! rule seg.excess "Excess (deficiency) funds in segregation (subtract line 6 from line 13)"
//!   cite "17 CFR 1.32"
//!   7190 = 7180 - 7060
//! "#);
//! let rules = crossfoot::load::check_sources(vec![pack]).map_err(|e| e.len())?.rules;
//! let engine = Engine::new(rules);
//!
//! let july = Source::new("july.yaml", "lines:\n  7060: 4,008,887,962\n  7180: 4,207,049,429\n  7190: 198,161,468\n");
//! let report = crossfoot::report::load_yaml(&july).map_err(|e| e.len())?;
//!
//! let result = engine.check(&report);
//! assert_eq!(result.summary.failed, 1);
//! let (rule, outcome) = result.results(engine.rules()).next().expect("one rule");
//! assert_eq!(outcome.outcome(), Outcome::Fail);
//! // The numbers behind the verdict: the report has 198,161,468, the rule expects 1 less.
//! let status = result.status(rule);
//! let sides = status.sides().expect("a failure has both sides");
//! assert_eq!(sides.difference.map(|d| d.to_string()).as_deref(), Some("1"));
//! # Ok::<(), usize>(())
//! ```
#![forbid(unsafe_code)]

pub mod amount;
pub mod check;
#[cfg(feature = "cli")]
pub mod cli;
pub mod coverage;
pub mod date;
pub mod diagnostic;
pub mod diff;
pub mod engine;
pub mod error;
pub mod eval;
pub mod files;
pub mod line;
pub mod load;
#[cfg(feature = "lsp")]
pub mod lsp;
pub mod number;
pub mod pack;
mod parallel;
pub mod record;
pub mod render;
pub mod report;
pub mod root_cause;
pub mod source;
mod spelling;
pub mod sql;
pub mod syntax;
pub mod testing;
pub mod unit;
pub mod waiver;
mod yaml;

/// The README's library example, compiled and run as a doctest so it cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// `docs/library.md`'s examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../docs/library.md")]
pub struct LibraryDoctests;

pub use check::RuleSet;
pub use engine::{Engine, ExitStatus, Outcome, ReportResult, RuleResult, Summary, Tally};
pub use error::Error;
pub use report::{Inputs, Report, Row};
