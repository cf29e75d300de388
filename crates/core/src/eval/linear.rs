//! The evaluator's fast fraction path: a flat linear rule's verdict from its amounts'
//! digits, in one pass of integer arithmetic ([`Plan`], made by the checker where the rule
//! set numbers its lines).
//!
//! It gives only the ordering of the two sides (and whether any line it read held an
//! amount); [`run`](super::run) decides the rest as for any rule (in force, condition,
//! blank lines and totals, the operator).

use super::{Amounts, Value, read};
use crate::compile::linear::{Plan, Sum};
use crate::unit::Unit;
use crossfoot_syntax::ast::LineKind;

/// How the sides of `plan`'s rule compare on `amounts` printed in `unit`, when the sum
/// stays in range. A report's row is read by the row's slots, any other amounts by the
/// rule's: the same amounts ([`Amounts::row`]). A plan that reads the previous report
/// decides only where [`read::scale`] reads its money as printed (the two reports in one
/// unit); elsewhere the walk scales it.
#[inline]
pub(crate) fn sum<A: Amounts + ?Sized>(
    plan: &Plan,
    amounts: &A,
    unit: Unit,
    prior_scale: Option<Value>,
) -> Option<Sum> {
    if plan.reads_prior() && read::scale(LineKind::Money, true, prior_scale).is_some() {
        return None;
    }
    match (amounts.row(), amounts.prior_row()) {
        (Some(row), Some(prior)) => plan.sum_row(row, prior, unit),
        (Some(row), None) if !plan.reads_prior() => plan.sum_row(row, &[], unit),
        _ => plan.sum_slots(
            |slot, prior| {
                if prior {
                    amounts.prior(slot)
                } else {
                    amounts.amount(slot)
                }
            },
            unit,
        ),
    }
}

#[cfg(test)]
mod tests {
    //! The plan is the walk's own arithmetic in another order; these cases try the places
    //! where the two could part: mixed decimal places, ratio coefficients, `$` constants
    //! in every unit, blank lines, amounts near the bound, `/`, and `round`, `max` and
    //! `min` pieces in every rounding mode.

    use rust_decimal::Decimal;

    use super::super::{Facts, RowAmounts, Unit, evaluate_rule, verdict};
    use crate::compile::compile;
    use crossfoot_syntax as syntax;
    use crossfoot_syntax::source::Source;

    /// A small deterministic generator (xorshift), so a failure names its case.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    fn term(rng: &mut Rng) -> String {
        let line = 7000 + rng.below(6) * 10;
        let other = 7000 + rng.below(6) * 10;
        let mode =
            ["", ", half_even", ", toward_zero", ", floor", ", ceiling"][rng.below(5) as usize];
        match rng.below(12) {
            10 => format!("prior({line})"),
            11 => format!("{}% * prior({line})", rng.below(250)),
            6 => format!("round({}% * {line}{mode})", rng.below(250)),
            7 => format!("round({line} / {}.5, {}{mode})", rng.below(7), rng.below(3)),
            8 => format!("max({line}, {other})"),
            9 => format!("min({line}, {other}, 7050)"),
            0 => format!("{}% * {line}", rng.below(250)),
            1 => format!("{line} * 0.{}", rng.below(1000)),
            2 => format!("{line} / {}.5", rng.below(7)),
            3 => format!(
                "${}{:03}.{:02}",
                1 + rng.below(900),
                rng.below(1000),
                rng.below(100)
            ),
            _ => line.to_string(),
        }
    }

    fn side(rng: &mut Rng) -> String {
        let mut text = term(rng);
        for _ in 0..rng.below(4) {
            let op = if rng.below(2) == 0 { "+" } else { "-" };
            text = format!("{text} {op} {}", term(rng));
        }
        if rng.below(5) == 0 {
            text = format!("-({text})");
        }
        text
    }

    fn amount(rng: &mut Rng) -> Option<Decimal> {
        let digits = match rng.below(8) {
            0 => return None,
            1 => 10i64.pow(18) - 1 - rng.below(1000) as i64,
            _ => rng.below(1 << 40) as i64,
        };
        let signed = if rng.below(3) == 0 { -digits } else { digits };
        Some(Decimal::new(signed, rng.below(5) as u32))
    }

    #[test]
    fn the_plan_gives_the_walks_verdict_on_flat_sums() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let (mut planned, mut planned_prior) = (0, 0);
        for case in 0..3000 {
            let op = ["=", "!=", "<", "<=", ">", ">="][rng.below(6) as usize];
            // A rule before it takes the first row slots, so the rule's slots and the
            // row's differ.
            let text = format!(
                "rule before\n  7990 = 7991 + 7040\n\nrule t\n  {} {op} {}\n",
                side(&mut rng),
                side(&mut rng)
            );
            let source = Source::new("t.xfoot", text.clone());
            let file = syntax::parse(&source).expect("the generator writes rules that parse");
            // A side of constants only is refused by the checker: not a rule to try.
            let Ok(checked) = compile(vec![(source, file)]) else {
                continue;
            };
            let set = checked.rules;
            let rule = &set.rules()[1];
            planned += usize::from(rule.linear.is_some());
            planned_prior += usize::from(rule.linear.as_ref().is_some_and(|p| p.reads_prior()));
            for _ in 0..20 {
                let amounts: Vec<Option<Decimal>> =
                    rule.lines.iter().map(|_| amount(&mut rng)).collect();
                let unit = Unit::ALL[rng.below(4) as usize];
                // Mostly one unit for both reports (the plan decides); now and then the
                // previous report in another (the walk scales its money).
                let prior_unit = if rng.below(4) == 0 {
                    Unit::ALL[rng.below(4) as usize]
                } else {
                    unit
                };
                let facts = Facts {
                    as_of: None,
                    unit,
                    prior_unit,
                };
                let walked = evaluate_rule(rule, amounts.as_slice(), facts).verdict();
                assert_eq!(
                    verdict(rule, amounts.as_slice(), facts),
                    walked,
                    "case {case}: {text} on {amounts:?} in {unit:?}"
                );
                // The same amounts as a report's row, read by the row's slots.
                let row: Vec<Option<Decimal>> = (0..set.width())
                    .map(|global| {
                        let slot = rule.slots.iter().position(|&g| g as usize == global)?;
                        amounts[slot]
                    })
                    .collect();
                let as_row = RowAmounts::new(rule, &row);
                assert_eq!(
                    verdict(rule, &as_row, facts),
                    walked,
                    "case {case} as a row: {text} on {amounts:?} in {unit:?}"
                );
                // With a previous report: the plan reads its row by the row's slots.
                let prior: Vec<Option<Decimal>> =
                    (0..set.width()).map(|_| amount(&mut rng)).collect();
                let with_prior = RowAmounts::new(rule, &row).with_prior(Ok(&prior));
                assert_eq!(
                    verdict(rule, &with_prior, facts),
                    evaluate_rule(rule, &with_prior, facts).verdict(),
                    "case {case} with {prior:?} before: {text} on {amounts:?} in {unit:?}, \
                     {prior_unit:?} before"
                );
            }
        }
        assert!(planned > 2000, "only {planned} of 3000 rules had a plan");
        assert!(
            planned_prior > 500,
            "only {planned_prior} plans read a previous report"
        );
    }
}
