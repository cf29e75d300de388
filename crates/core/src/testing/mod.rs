//! `crossfoot test`: the examples written beside each rule, whole-report tests
//! (`*.test.yaml` beside the pack), and mutation testing of the examples.

mod mutate;
mod report_test;

use rust_decimal::Decimal;

use crate::compile::{CheckedExample, CheckedRule, RuleSet};
pub use crate::diagnostic::verdict_words;
use crate::eval::{Facts, NoPrior, Status, WithPrior, evaluate_rule};
use crate::unit::Unit;
use crossfoot_syntax::ast::Expectation;
use crossfoot_syntax::date::Date;
use crossfoot_syntax::line::LineCode;

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
    pub status: Status,
    /// The example's amount for each of the rule's lines.
    pub amounts: Vec<Option<Decimal>>,
    /// The example's previous report's amounts (`prior(…) = …`), when it gives any.
    pub prior: Option<Vec<Option<Decimal>>>,
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
            let amounts = example_amounts(rule, example);
            let prior = example.prior.as_deref().map(|lines| by_slot(rule, lines));
            let status = example_status(rule, example);
            let ok = matches(example.expect, &status);
            ExampleRun {
                rule,
                example,
                status,
                amounts,
                prior,
                ok,
            }
        })
        .collect()
}

/// What `rule` (the example's rule, or a mutant of it) does on an example's amounts, on a
/// day it is in force, in dollars; with a previous report when the example lists
/// `prior(…)` amounts.
pub fn example_status(rule: &CheckedRule, example: &CheckedExample) -> Status {
    let current = example_amounts(rule, example);
    let prior = example.prior.as_deref().map(|lines| by_slot(rule, lines));
    let amounts = WithPrior {
        current: &current,
        prior: prior.as_deref().ok_or(NoPrior::NoneEarlier),
    };
    let facts = Facts {
        as_of: example_day(rule),
        unit: Unit::DOLLARS,
        prior_unit: Unit::DOLLARS,
    };
    evaluate_rule(rule, &amounts, facts)
}

/// The amounts an example gives the rule's lines (in the order of
/// [`CheckedRule::lines`]); every line it does not list is blank.
pub fn example_amounts(rule: &CheckedRule, example: &CheckedExample) -> Vec<Option<Decimal>> {
    by_slot(rule, &example.lines)
}

/// Listed amounts by the rule's slots; lines not listed are blank.
fn by_slot(rule: &CheckedRule, lines: &[(LineCode, Decimal)]) -> Vec<Option<Decimal>> {
    rule.lines
        .iter()
        .map(|code| {
            lines
                .iter()
                .find(|(listed, _)| listed == code)
                .map(|(_, amount)| *amount)
        })
        .collect()
}

/// A day the rule is in force, for its examples (an example is about the formula, not
/// the calendar).
pub fn example_day(rule: &CheckedRule) -> Option<Date> {
    match (rule.period.from, rule.period.until) {
        (Some(from), _) => Some(from),
        (None, Some(_)) => Date::new(1, 1, 1).ok(),
        (None, None) => None,
    }
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
