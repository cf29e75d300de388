//! What the CI formats (SARIF, JUnit, GitHub) report: each rule on each report, located at
//! the rule's assertion, with the message and the numbers the human output gives.

use std::sync::Arc;

use super::Human;
use crate::amount;
use crate::check::CheckedRule;
use crate::diagnostic::{RuleDiagnostic, difference_text, failure_message};
use crate::engine::{Engine, Outcome, ReportResult, RuleResult};
use crate::eval::{Skip, Status};
use crate::syntax::ast::Severity;

/// One rule's outcome on one report, ready for any format.
pub struct Finding<'a> {
    /// The report's name.
    pub report: Arc<str>,
    /// The rule.
    pub rule: &'a CheckedRule,
    /// How it ended.
    pub outcome: Outcome,
    /// One line: `line 7190 does not equal 7180 - 7060`, or why it was skipped.
    pub message: String,
    /// The numbers: `left 198,161,468, right 198,161,467 (difference 1, tolerance 0)`.
    pub detail: String,
    /// The rule file.
    pub file: String,
    /// 1-based line and column where the assertion starts.
    pub start: (usize, usize),
    /// 1-based line and column where it ends (exclusive column).
    pub end: (usize, usize),
    engine: &'a Engine,
    report_result: &'a ReportResult,
    status: Status,
}

/// Every rule on one report, in rule order.
pub fn findings<'a>(
    engine: &'a Engine,
    result: &'a ReportResult,
) -> impl Iterator<Item = Finding<'a>> + 'a {
    let name: Arc<str> = result.row.meta.name().into();
    result
        .results(engine.rules())
        .map(move |(rule, outcome)| finding(engine, result, Arc::clone(&name), rule, outcome))
}

fn finding<'a>(
    engine: &'a Engine,
    report_result: &'a ReportResult,
    report: Arc<str>,
    rule: &'a CheckedRule,
    result: &'a RuleResult,
) -> Finding<'a> {
    let source = engine.rules().source_of(rule);
    let span = rule.assertion_span;
    let start = source.map_or((1, 1), |s| s.line_col(span.start));
    let end = source.map_or((1, 1), |s| s.line_col(span.end));
    let outcome = result.outcome();
    let numbers = |status: &Status| {
        status.sides().map_or_else(String::new, |sides| {
            format!(
                "left {}, right {} (difference {}, tolerance {})",
                amount::format_value(sides.left),
                amount::format_value(sides.right),
                difference_text(sides),
                amount::format_value(sides.tolerance)
            )
        })
    };
    let status = report_result.status(rule);
    let (message, detail) = match &status {
        Status::Pass(_) => ("holds".to_owned(), String::new()),
        Status::Fail(_) if outcome == Outcome::Waived => {
            let mut detail = numbers(&status);
            let waiver = result
                .waiver
                .and_then(|index| engine.waivers()?.waivers().get(index));
            if let Some(waiver) = waiver {
                detail.push_str(&format!(
                    "; waived: {} (approved by {}, expires {})",
                    waiver.justification, waiver.approver, waiver.expires.node
                ));
            }
            (failure_message(rule), detail)
        }
        Status::Fail(_) => (failure_message(rule), numbers(&status)),
        Status::Skipped(Skip::AllBlank) => (
            "every line the rule reads is blank".to_owned(),
            String::new(),
        ),
        Status::Skipped(Skip::ConditionFalse) => {
            ("its condition does not hold".to_owned(), String::new())
        }
        Status::Skipped(skip @ Skip::NotInForce(_)) => (skip.reason(), String::new()),
        Status::Error(error) => (format!("could not be evaluated: {error}"), String::new()),
    };
    Finding {
        report,
        rule,
        outcome,
        message,
        detail,
        file: source.map(|s| s.name().to_owned()).unwrap_or_default(),
        start,
        end,
        engine,
        report_result,
        status,
    }
}

impl Finding<'_> {
    /// The message with the numbers: `report: message: detail`.
    pub fn full_message(&self) -> String {
        let mut text = format!("{}: {}", self.report, self.message);
        if !self.detail.is_empty() {
            text.push_str(": ");
            text.push_str(&self.detail);
        }
        text
    }

    /// The human diagnostic, without colour, for a failure or an error.
    pub fn diagnostic_text(&self) -> Option<String> {
        let amounts = self.report_result.amounts(self.rule);
        let diagnostic =
            RuleDiagnostic::new(self.engine.rules(), self.rule, &self.status, &amounts)?;
        Some(Human::new(false, false).diagnostic(&diagnostic))
    }

    /// The severity a failure of this rule carries.
    pub fn severity(&self) -> Severity {
        self.rule.severity
    }
}
