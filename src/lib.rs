//! Crossfoot: an exact, friendly rules language for regulatory reports.
//!
//! Rules are written the way the form reads (`7190 = 7180 - 7060`), checked once, and
//! evaluated on reports in exact arithmetic. This crate is the small facade an embedder
//! depends on: load rules from sources or files, an [`Engine`] that checks reports, reports
//! from text or files, the results, and their diagnostics and outputs. The work is done by
//! the workspace's crates, in one direction: `crossfoot-syntax` (rule text → AST) →
//! `crossfoot-core` (the compiler, the evaluator, report readers, the engine, the
//! analyses) → `crossfoot-render` (every output) → `crossfoot-sql`, `crossfoot-lsp` and
//! `crossfoot-cli` (the command, behind the default `cli` feature).
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

/// Source text: a rule file or a report, with its name, for diagnostics.
pub mod source {
    pub use crossfoot_syntax::source::Source;
}

/// Rules from sources or from files: parsed, checked, ready for an [`Engine`](crate::Engine).
pub mod load {
    pub use crossfoot_core::compile::{Checked, CheckedRule};
    pub use crossfoot_core::load::{check_sources, load_rules};
}

/// Reports from text or files, in every form `crossfoot check` reads.
pub mod report {
    pub use crossfoot_core::report::{
        InputFormat, Inputs, Report, ReportError, Row, Unreadable, load_yaml, read_report,
        read_reports,
    };
}

/// What a run found: each rule's verdict on a report and the numbers behind it.
pub mod results {
    pub use crossfoot_core::engine::{
        ExitStatus, Outcome, ReportResult, RuleResult, Summary, Tally,
    };
    pub use crossfoot_core::eval::{Sides, Skip, Status, Value, Verdict};
}

/// Results for people and programs: the human diagnostics, JSON and the other outputs of
/// `crossfoot check`.
pub mod render {
    pub use crossfoot_render::{
        Csv, CsvSink, Github, GithubSink, Html, HtmlSink, Human, HumanSink, Json, JsonOutput,
        JsonSink, Junit, JunitSink, Render, Sarif, SarifSink, Sink, json_report,
    };
}

/// The README's library example, compiled and run as a doctest so it cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// `docs/library.md`'s examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../docs/library.md")]
pub struct LibraryDoctests;

pub use crossfoot_core::RuleSet;
pub use crossfoot_core::engine::Engine;
pub use crossfoot_core::error::Error;
pub use report::{Inputs, Report, Row};
pub use results::{ExitStatus, Outcome, ReportResult, RuleResult, Summary, Tally};
