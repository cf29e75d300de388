//! Root causes: when several rules fail, which single line, corrected to which amount,
//! would clear the most failures.
//!
//! Each failing `=` rule that is linear in a line says what that line would have to hold
//! for the rule to hold: `x - difference / coefficient`. Every such candidate is then
//! checked by evaluating again, with the line corrected, the rules that read that line
//! (and only those), so a candidate counts only the failures it really clears, exactly,
//! and the passing rules it would break.

use rust_decimal::Decimal;

use super::{RowAmounts, Status, Value, Verdict, verdict};
use crate::check::RuleSet;
use crate::engine::{Outcome, ReportResult};
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
pub fn root_causes(rules: &RuleSet, result: &ReportResult) -> Vec<Candidate> {
    let mut proposals: Vec<(usize, Decimal)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (rule, outcome) in result.results(rules) {
        if outcome.outcome() != Outcome::Fail || rule.assertion.op != CmpOp::Eq {
            continue;
        }
        let Status::Fail(sides) = result.status(rule) else {
            continue;
        };
        let Some(difference) = sides.difference else {
            continue;
        };
        let amounts = result.amounts(rule);
        for local in 0..rule.assertion_lines {
            let left = rule.assertion.left.coefficient(local);
            let right = rule.assertion.right.coefficient(local);
            let Some(coefficient) = left.zip(right).and_then(|(l, r)| l.checked_sub(r)) else {
                continue;
            };
            if coefficient.is_zero() {
                continue;
            }
            let current = super::Amounts::amount(&amounts, local).map_or(Value::ZERO, Value::from);
            // The corrected amount must be one a report can hold: an exact decimal.
            let corrected = difference
                .checked_div(coefficient)
                .and_then(|shift| current.checked_sub(shift))
                .and_then(Value::to_decimal);
            let (Some(amount), Some(&slot)) = (corrected, rule.slots.get(local)) else {
                continue;
            };
            if seen.insert((slot, amount)) {
                proposals.push((slot as usize, amount));
            }
        }
    }
    let mut candidates: Vec<Candidate> = proposals
        .into_iter()
        .filter_map(|(slot, amount)| verify(rules, result, slot, amount))
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

/// Evaluate the rules that read the line in `slot` again with it corrected.
fn verify(
    rules: &RuleSet,
    result: &ReportResult,
    slot: usize,
    amount: Decimal,
) -> Option<Candidate> {
    let mut corrected = result.row.amounts.clone();
    let current = *corrected.get(slot)?;
    *corrected.get_mut(slot)? = Some(amount);
    let mut candidate = Candidate {
        line: rules.code(slot)?,
        amount: amount.normalize(),
        current,
        clears: Vec::new(),
        breaks: Vec::new(),
    };
    for &index in rules.readers(slot) {
        let index = index as usize;
        let (Some(rule), Some(before)) = (rules.rules().get(index), result.results.get(index))
        else {
            continue;
        };
        let after = verdict(
            rule,
            &RowAmounts::new(rule, &corrected),
            result.row.meta.as_of,
        );
        let failed_before = before.outcome() == Outcome::Fail;
        if failed_before && after == Verdict::Pass {
            candidate.clears.push(index);
        } else if before.outcome() == Outcome::Pass
            && matches!(after, Verdict::Fail | Verdict::Error)
        {
            candidate.breaks.push(index);
        }
    }
    Some(candidate)
}
