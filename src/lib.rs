//! Crossfoot: an exact, friendly rules language for regulatory reports.
//!
//! Rules are written the way the form reads (`7190 = 7180 - 7060`), checked once, and
//! evaluated on reports in exact decimal arithmetic. Data flows one way:
//! text → [`syntax`] → [`check`] → [`eval`] → [`diagnostic`] / [`render`].
//!
//! ```
//! use crossfoot::{check, eval, report, source::Source, syntax};
//!
//! let rules = Source::new("segregation.xfoot", r#"
//! rule seg.excess "Excess (deficiency) funds in segregation (subtract line 6 from line 13)"
//!   cite "17 CFR 1.20"
//!   7190 = 7180 - 7060
//! "#);
//! let file = syntax::parse(&rules).map_err(|e| e.len())?;
//! let set = check::check(vec![(rules, file)]).map_err(|e| e.len())?.rules;
//!
//! let report = Source::new("july.yaml", "lines:\n  7060: 4,008,887,962\n  7180: 4,207,049,429\n  7190: 198,161,468\n");
//! let report = report::load_yaml(&report).map_err(|e| e.len())?;
//!
//! let evaluation = eval::evaluate(&set, &report);
//! let eval::Status::Fail(sides) = &evaluation.outcomes[0].status else { panic!() };
//! assert_eq!(sides.difference.to_string(), "1");
//! # Ok::<(), usize>(())
//! ```
#![forbid(unsafe_code)]

pub mod amount;
pub mod batch;
pub mod check;
pub mod cli;
pub mod coverage;
pub mod date;
pub mod diagnostic;
pub mod diff;
pub mod error;
pub mod eval;
pub mod line;
pub mod load;
mod parallel;
pub mod record;
pub mod render;
pub mod report;
pub mod source;
pub mod syntax;
pub mod testing;
pub mod waiver;
pub mod yaml;

pub use error::Error;
