//! `crossfoot test`: the examples written beside each rule, whole-report tests
//! (`*.test.yaml` beside the pack), and mutation testing of the examples.

mod mutate;
mod report_test;

use crate::check::{CheckedExample, CheckedRule, RuleSet};
use crate::date::Date;
use crate::eval::{Outcome, Status, evaluate_rule};
use crate::report::Report;
use crate::syntax::ast::Expectation;

pub use mutate::{Mutant, MutantRun, mutants, run_mutants};
pub use report_test::{
    Expected, ReportCase, ReportTest, load_report_test, run_report_test, test_files,
};

/// One example of one rule, run.
#[derive(Clone, Debug)]
pub struct ExampleRun<'a> {
    /// The rule.
    pub rule: &'a CheckedRule,
    /// The example.
    pub example: &'a CheckedExample,
    /// What the rule did on the example's amounts.
    pub outcome: Outcome,
    /// Whether that is what the example expects.
    pub ok: bool,
}

/// Run every example of every rule.
pub fn run_examples(rules: &RuleSet) -> Vec<ExampleRun<'_>> {
    rules
        .rules()
        .iter()
        .flat_map(|rule| rule.examples.iter().map(move |example| (rule, example)))
        .map(|(rule, example)| {
            let outcome = evaluate_rule(rule, &example_report(rule, example));
            let ok = matches(example.expect, &outcome.status);
            ExampleRun {
                rule,
                example,
                outcome,
                ok,
            }
        })
        .collect()
}

/// The report an example describes: its amounts, every other line blank, dated on a day
/// the rule is in force (an example is about the formula, not the calendar).
pub fn example_report(rule: &CheckedRule, example: &CheckedExample) -> Report {
    let day = match (rule.period.from, rule.period.until) {
        (Some(from), _) => Some(from),
        (None, Some(_)) => Date::new(1, 1, 1).ok(),
        (None, None) => None,
    };
    Report::from_lines("example", example.lines.iter().copied()).with_metadata(None, None, day)
}

/// Whether a rule's verdict is the one an example expects.
pub fn matches(expect: Expectation, status: &Status) -> bool {
    matches!(
        (expect, status),
        (Expectation::Passes, Status::Pass(_))
            | (Expectation::Fails, Status::Fail(_))
            | (Expectation::Skips, Status::Skipped(_))
    )
}

/// A verdict in the words of an example: `passes`, `fails`, `is skipped`, `cannot be evaluated`.
pub fn verdict_words(status: &Status) -> &'static str {
    match status {
        Status::Pass(_) => "passes",
        Status::Fail(_) => "fails",
        Status::Skipped(_) => "is skipped",
        Status::Waived(_) => "fails (waived)",
        Status::Error(_) => "cannot be evaluated",
    }
}
