//! What the CI formats (SARIF, JUnit, GitHub) report: each rule on each report, located at
//! the rule's assertion, with the message and the numbers the human output gives.

use super::Human;
use crate::amount;
use crate::check::CheckedRule;
use crate::diagnostic::{RuleDiagnostic, failure_message};
use crate::eval::{Evaluation, Outcome, Skip, Status};
use crate::syntax::ast::Severity;

/// One rule's outcome on one report, ready for any format.
pub struct Finding<'a> {
    /// The report's path.
    pub report: &'a str,
    /// The rule.
    pub rule: &'a CheckedRule,
    /// The evaluation it comes from.
    pub evaluation: &'a Evaluation<'a>,
    /// Its outcome.
    pub outcome: &'a Outcome,
    /// How it ended.
    pub kind: FindingKind,
    /// One line: `line 7190 does not equal 7180 - 7060`, or why it was skipped.
    pub message: String,
    /// The numbers: `the report has 198,161,468; the rule expects 198,161,467 (difference 1, tolerance 0)`.
    pub detail: String,
    /// The rule file.
    pub file: String,
    /// 1-based line and column where the assertion starts.
    pub start: (usize, usize),
    /// 1-based line and column where it ends (exclusive column).
    pub end: (usize, usize),
}

/// How a rule ended on a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FindingKind {
    /// Holds.
    Pass,
    /// Does not hold.
    Fail,
    /// Does not hold, and a live waiver accepts that.
    Waived,
    /// Did not apply.
    Skipped,
    /// Could not be evaluated.
    Error,
}

/// Every rule on every report, in order.
pub fn findings<'a>(evaluations: &'a [Evaluation<'a>]) -> Vec<Finding<'a>> {
    let mut found = Vec::new();
    for evaluation in evaluations {
        for (rule, outcome) in evaluation.results() {
            found.push(finding(evaluation, rule, outcome));
        }
    }
    found
}

fn finding<'a>(
    evaluation: &'a Evaluation<'a>,
    rule: &'a CheckedRule,
    outcome: &'a Outcome,
) -> Finding<'a> {
    let source = evaluation.rules.source_of(rule);
    let span = rule.assertion_span;
    let start = source.map_or((1, 1), |s| s.line_col(span.start));
    let end = source.map_or((1, 1), |s| s.line_col(span.end));
    let (kind, message, detail) = match &outcome.status {
        Status::Pass(_) => (FindingKind::Pass, "holds".to_owned(), String::new()),
        Status::Fail(sides) => {
            let detail = format!(
                "left {}, right {} (difference {}, tolerance {})",
                amount::format(sides.left),
                amount::format(sides.right),
                amount::format(sides.difference),
                amount::format(sides.tolerance)
            );
            (FindingKind::Fail, failure_message(rule), detail)
        }
        Status::Waived(waived) => {
            let sides = &waived.sides;
            let detail = format!(
                "left {}, right {} (difference {}, tolerance {}); waived: {} (approved by {}, expires {})",
                amount::format(sides.left),
                amount::format(sides.right),
                amount::format(sides.difference),
                amount::format(sides.tolerance),
                waived.justification,
                waived.approver,
                waived.expires
            );
            (FindingKind::Waived, failure_message(rule), detail)
        }
        Status::Skipped(Skip::AllBlank) => (
            FindingKind::Skipped,
            "every line the rule reads is blank".to_owned(),
            String::new(),
        ),
        Status::Skipped(Skip::ConditionFalse) => (
            FindingKind::Skipped,
            "its condition does not hold".to_owned(),
            String::new(),
        ),
        Status::Skipped(skip @ Skip::NotInForce(_)) => {
            (FindingKind::Skipped, skip.reason(), String::new())
        }
        Status::Error(error) => (
            FindingKind::Error,
            format!("could not be evaluated: {error}"),
            String::new(),
        ),
    };
    Finding {
        report: evaluation.report.name(),
        rule,
        evaluation,
        outcome,
        kind,
        message,
        detail,
        file: source.map(|s| s.name().to_owned()).unwrap_or_default(),
        start,
        end,
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
        let diagnostic = RuleDiagnostic::new(self.evaluation.rules, self.rule, self.outcome)?;
        Some(Human::new(false, false).diagnostic(&diagnostic))
    }

    /// The severity a failure of this rule carries.
    pub fn severity(&self) -> Severity {
        self.rule.severity
    }
}
