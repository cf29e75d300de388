//! Root causes: when several rules fail, which single line, corrected to which amount,
//! would clear the most failures.
//!
//! Each failing `=` rule that is linear in a line says what that line would have to hold
//! for the rule to hold: `x - difference / coefficient`. Every such candidate is then
//! checked by evaluating the rules again with the line corrected, so a candidate counts
//! only the failures it really clears, exactly, and the passing rules it would break.

use rust_decimal::Decimal;

use super::{Evaluation, Status, evaluate_rule};
use crate::line::LineCode;
use crate::syntax::ast::CmpOp;

/// One line whose correction would clear failing rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The line to correct.
    pub line: LineCode,
    /// The amount it would have to hold.
    pub amount: Decimal,
    /// What the report has now (`None`: blank).
    pub current: Option<Decimal>,
    /// Indices (in the rule set) of the failing rules the correction clears.
    pub clears: Vec<usize>,
    /// Indices of rules that hold now and would fail after the correction.
    pub breaks: Vec<usize>,
}

/// The corrections that clear failures, best first: most failures cleared, then fewest
/// rules broken, then line code.
pub fn root_causes(evaluation: &Evaluation<'_>) -> Vec<Candidate> {
    let rules = evaluation.rules.rules();
    let failing: Vec<usize> = evaluation
        .outcomes
        .iter()
        .enumerate()
        .filter(|(_, o)| matches!(o.status, Status::Fail(_)))
        .map(|(i, _)| i)
        .collect();
    let mut proposals: Vec<(LineCode, Decimal)> = Vec::new();
    for &index in &failing {
        let (Some(rule), Some(outcome)) = (rules.get(index), evaluation.outcomes.get(index)) else {
            continue;
        };
        let Status::Fail(sides) = &outcome.status else {
            continue;
        };
        if rule.assertion.op != CmpOp::Eq {
            continue;
        }
        for (slot, &line) in rule.lines.iter().enumerate().take(rule.assertion_lines) {
            let left = rule.assertion.left.coefficient(slot);
            let right = rule.assertion.right.coefficient(slot);
            let Some(coefficient) = left.zip(right).and_then(|(l, r)| l.checked_sub(r)) else {
                continue;
            };
            if coefficient.is_zero() {
                continue;
            }
            let current = outcome
                .amounts
                .get(slot)
                .copied()
                .flatten()
                .unwrap_or_default();
            let corrected = sides
                .difference
                .checked_div(coefficient)
                .and_then(|shift| current.checked_sub(shift));
            if let Some(amount) = corrected {
                if !proposals.contains(&(line, amount)) {
                    proposals.push((line, amount));
                }
            }
        }
    }
    let mut candidates: Vec<Candidate> = proposals
        .into_iter()
        .map(|(line, amount)| verify(evaluation, &failing, line, amount))
        .filter(|candidate| !candidate.clears.is_empty())
        .collect();
    candidates.sort_by(|a, b| {
        b.clears
            .len()
            .cmp(&a.clears.len())
            .then(a.breaks.len().cmp(&b.breaks.len()))
            .then(a.line.cmp(&b.line))
    });
    candidates
}

/// Evaluate the rules that read `line` again with it corrected.
fn verify(
    evaluation: &Evaluation<'_>,
    failing: &[usize],
    line: LineCode,
    amount: Decimal,
) -> Candidate {
    let mut corrected = evaluation.report.clone();
    corrected.set_amount(line, Some(amount));
    let mut candidate = Candidate {
        line,
        amount: amount.normalize(),
        current: evaluation.report.amount(line),
        clears: Vec::new(),
        breaks: Vec::new(),
    };
    for (index, (rule, outcome)) in evaluation.results().enumerate() {
        if !rule.lines.contains(&line) {
            continue;
        }
        let after = evaluate_rule(rule, &corrected).status;
        let failed_before = failing.contains(&index);
        let fails_after = matches!(after, Status::Fail(_) | Status::Error(_));
        if failed_before && matches!(after, Status::Pass(_)) {
            candidate.clears.push(index);
        } else if !failed_before && matches!(outcome.status, Status::Pass(_)) && fails_after {
            candidate.breaks.push(index);
        }
    }
    candidate
}
