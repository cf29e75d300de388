//! What the CI formats (SARIF, JUnit, GitHub, CSV) and the HTML view say of a rule on a
//! report that did not pass: the message and the numbers the human output gives, and where
//! the rule is.

use super::Human;
use super::text::terminal;
use crossfoot_core::compile::CheckedRule;
use crossfoot_core::diagnostic::{RuleDiagnostic, allowance, difference_text, failure_message};
use crossfoot_core::engine::{Engine, Outcome, ReportResult, RuleResult};
use crossfoot_core::eval::{Skip, Status};
use crossfoot_syntax::amount;
use crossfoot_syntax::ast::Severity;

/// One rule's outcome on one report, ready for any format.
pub struct Finding<'a> {
    /// The rule.
    pub rule: &'a CheckedRule,
    /// How it ended.
    pub outcome: Outcome,
    /// The status behind it, with the numbers.
    pub status: Status,
    /// One line: `line 7190 does not equal 7180 - 7060`, or why it was skipped.
    pub message: String,
    /// The numbers: `left 198,161,468, right 198,161,467 (difference 1, tolerance 0)`,
    /// and for a waived failure the waiver.
    pub detail: String,
    engine: &'a Engine,
    report: &'a ReportResult,
}

/// Each rule on a report whose outcome `wanted` accepts, with its index in the rule set,
/// in rule order. The numbers are worked out only for those.
pub fn findings<'a>(
    engine: &'a Engine,
    report: &'a ReportResult,
    wanted: impl Fn(Outcome) -> bool + 'a,
) -> impl Iterator<Item = (usize, Finding<'a>)> + 'a {
    report
        .results(engine.rules())
        .enumerate()
        .filter(move |(_, (_, result))| wanted(result.outcome()))
        .map(move |(index, (rule, result))| (index, Finding::of(engine, report, rule, result)))
}

impl<'a> Finding<'a> {
    /// A rule's finding on a report.
    pub fn of(
        engine: &'a Engine,
        report: &'a ReportResult,
        rule: &'a CheckedRule,
        result: &RuleResult,
    ) -> Self {
        let outcome = result.outcome();
        let status = report.status(rule);
        // Ratios have no unit: only a rule comparing money says the report's.
        let unit = if rule.compares_money() {
            report.row.meta.unit
        } else {
            crossfoot_core::unit::Unit::DOLLARS
        };
        let numbers = status.sides().map_or_else(String::new, |sides| {
            let in_unit = if unit.is_dollars() || sides.band.is_some() {
                String::new()
            } else {
                format!("; amounts in {unit}")
            };
            format!(
                "left {}, right {} (difference {}, {}){in_unit}",
                amount::format_value(sides.left),
                amount::format_value(sides.right),
                difference_text(sides),
                allowance(sides, unit)
            )
        });
        let (message, detail) = match &status {
            Status::Pass(_) => ("holds".to_owned(), String::new()),
            Status::Fail(_) => {
                let mut detail = numbers;
                let waiver = result
                    .waiver
                    .and_then(|index| engine.waivers()?.waivers().get(index));
                if let Some(waiver) = waiver {
                    detail.push_str(&format!(
                        "; waived: {} (approved by {}, expires {})",
                        terminal(&waiver.justification),
                        terminal(&waiver.approver),
                        waiver.expires.node
                    ));
                }
                (failure_message(rule), detail)
            }
            Status::Skipped(Skip::AllBlank) => (
                "every line the rule reads is blank".to_owned(),
                String::new(),
            ),
            Status::Skipped(Skip::ConditionFalse) => {
                ("its condition does not hold".to_owned(), String::new())
            }
            Status::Skipped(skip) => (skip.reason(), String::new()),
            Status::Error(error) => (format!("could not be evaluated: {error}"), String::new()),
        };
        Finding {
            rule,
            outcome,
            status,
            message,
            detail,
            engine,
            report,
        }
    }

    /// The message with the numbers, after the report's name: `report: message: detail`.
    pub fn full_message(&self) -> String {
        let mut text = format!(
            "{}: {}",
            terminal(&self.report.row.meta.name()),
            self.message
        );
        if !self.detail.is_empty() {
            text.push_str(": ");
            text.push_str(&self.detail);
        }
        text
    }

    /// The human diagnostic, without colour, for a failure or an error.
    pub fn diagnostic_text(&self) -> Option<String> {
        let amounts = self.report.amounts(self.rule);
        let facts = self.report.facts();
        let diagnostic = RuleDiagnostic::new(
            self.engine.rules(),
            self.rule,
            &self.status,
            &amounts,
            facts,
        )?;
        Some(Human::new(false, false).diagnostic(&diagnostic))
    }

    /// The severity a failure of this rule carries.
    pub fn severity(&self) -> Severity {
        self.rule.severity()
    }
}

/// Where a rule's assertion is written: the file, and 1-based line and column where it
/// starts and ends (the end column exclusive).
pub(crate) fn location(
    engine: &Engine,
    rule: &CheckedRule,
) -> (String, (usize, usize), (usize, usize)) {
    let source = engine.rules().source_of(rule);
    let span = rule.assertion_span();
    let start = source.map_or((1, 1), |s| s.line_col(span.start));
    let end = source.map_or((1, 1), |s| s.line_col(span.end));
    let file = source.map(|s| s.name().to_owned()).unwrap_or_default();
    (file, start, end)
}

/// Whether a failure of a rule of `severity` fails the run.
pub(crate) fn fails_the_run(severity: Severity, deny_warnings: bool) -> bool {
    match severity {
        Severity::Error => true,
        Severity::Warning => deny_warnings,
        Severity::Info => false,
    }
}
