//! Root causes, an analysis of a report's results: when several rules fail, which single
//! line, corrected to which amount, would clear the most failures.
//!
//! Each failing `=` rule that is linear in a line says what that line would have to hold
//! for the rule to hold: `x - difference / coefficient`. Every such candidate is then
//! checked by evaluating again, with the line corrected, the rules that read that line
//! (and only those), so a candidate counts only the failures it really clears, exactly,
//! and the passing rules it would break.

use rust_decimal::Decimal;

use crate::compile::RuleSet;
use crate::engine::{Outcome, ReportResult};
use crate::eval::{Amounts, RowAmounts, Status, Value, Verdict, read, verdict};
use crossfoot_syntax::ast::CmpOp;
use crossfoot_syntax::line::LineCode;

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
            // The coefficient is of the line as the rule reads it; a printed amount is
            // read times its scale (a percentage as its ratio), so the correction of the
            // printed amount is the difference over both.
            let coefficient = match read::scale(rule.kind(local), false, None) {
                Some(scale) => coefficient.checked_mul(scale),
                None => Some(coefficient),
            };
            let current = Amounts::amount(&amounts, local).map_or(Value::ZERO, Value::from);
            // The corrected amount must be one a report can hold: an exact decimal.
            let corrected = coefficient
                .and_then(|coefficient| difference.checked_div(coefficient))
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
    // Each check evaluates the rules that read the line again. A report that fails most
    // of a large rule set through shared lines could propose as many corrections as it
    // has failures, each re-evaluating as many rules: past a budget, the rest are left.
    let mut budget = MAX_EVALUATIONS;
    let mut candidates: Vec<Candidate> = proposals
        .into_iter()
        .take_while(|&(slot, _)| {
            let cost = rules.readers(slot).len();
            budget = budget.saturating_sub(cost);
            budget > 0
        })
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

/// How many rule evaluations one report's root causes may take.
const MAX_EVALUATIONS: usize = 1 << 20;

/// A rule's view of a row with one line (a slot of the set) corrected, the row itself
/// untouched.
struct Corrected<'a> {
    view: RowAmounts<'a>,
    slot: usize,
    amount: Decimal,
}

impl Amounts for Corrected<'_> {
    fn amount(&self, local: usize) -> Option<Decimal> {
        let global = *self.view.slots.get(local)? as usize;
        if global == self.slot {
            Some(self.amount)
        } else {
            self.view.row.get(global).copied().flatten()
        }
    }

    fn prior_report(&self) -> Result<(), crate::eval::NoPrior> {
        self.view.prior_report()
    }

    fn prior(&self, local: usize) -> Option<Decimal> {
        self.view.prior(local)
    }
}

/// Evaluate the rules that read the line in `slot` again with it corrected.
fn verify(
    rules: &RuleSet,
    result: &ReportResult,
    slot: usize,
    amount: Decimal,
) -> Option<Candidate> {
    let current = *result.row.amounts.get(slot)?;
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
        let corrected = Corrected {
            view: result.amounts(rule),
            slot,
            amount,
        };
        let after = verdict(rule, &corrected, result.facts());
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
