//! A rule set compiled for many reports: every line code the rules read gets a dense slot,
//! a report becomes one row of amounts, and each rule reads its amounts by index, with no
//! hashing per operation. The arithmetic is the evaluator's own, so verdicts are identical
//! to [`evaluate`](super::evaluate); only what is kept of them differs.

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::{Status, Summary, status};
use crate::check::RuleSet;
use crate::line::LineCode;
use crate::report::Report;
use crate::syntax::ast::Severity;

/// A rule set ready to evaluate many reports.
#[derive(Clone, Debug)]
pub struct Program<'a> {
    rules: &'a RuleSet,
    slots: HashMap<LineCode, usize>,
    codes: Vec<LineCode>,
    /// For each rule, the global slot of each of its lines.
    rule_slots: Vec<Vec<usize>>,
}

/// What a report's evaluation keeps: counts, and which rules did not hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verdict {
    /// Counts by status.
    pub summary: Summary,
    /// Indices of the rules that failed or could not be evaluated, in rule order.
    pub not_holding: Vec<usize>,
}

impl<'a> Program<'a> {
    /// Compile a rule set.
    pub fn new(rules: &'a RuleSet) -> Self {
        let mut slots = HashMap::new();
        let mut codes = Vec::new();
        let rule_slots = rules
            .rules()
            .iter()
            .map(|rule| {
                rule.lines
                    .iter()
                    .map(|code| {
                        *slots.entry(*code).or_insert_with(|| {
                            codes.push(*code);
                            codes.len() - 1
                        })
                    })
                    .collect()
            })
            .collect();
        Program {
            rules,
            slots,
            codes,
            rule_slots,
        }
    }

    /// The rule set.
    pub fn rules(&self) -> &'a RuleSet {
        self.rules
    }

    /// How many slots a row has: the number of distinct lines the rules read.
    pub fn width(&self) -> usize {
        self.codes.len()
    }

    /// The slot of a line, if any rule reads it.
    pub fn slot(&self, code: LineCode) -> Option<usize> {
        self.slots.get(&code).copied()
    }

    /// The line in a slot.
    pub fn code(&self, slot: usize) -> Option<LineCode> {
        self.codes.get(slot).copied()
    }

    /// A report as a row: the amount of each slot, `None` where blank.
    pub fn row(&self, report: &Report) -> Vec<Option<Decimal>> {
        let mut row = vec![None; self.width()];
        for (code, amount) in report.lines() {
            if let Some(cell) = self.slot(code).and_then(|slot| row.get_mut(slot)) {
                *cell = Some(amount);
            }
        }
        row
    }

    /// Evaluate every rule on one row. `scratch` is reused between calls to avoid
    /// allocating per rule.
    pub fn verdict(&self, row: &[Option<Decimal>], scratch: &mut Vec<Option<Decimal>>) -> Verdict {
        let mut verdict = Verdict::default();
        for (index, (rule, slots)) in self.rules.rules().iter().zip(&self.rule_slots).enumerate() {
            scratch.clear();
            scratch.extend(slots.iter().map(|&slot| row.get(slot).copied().flatten()));
            let summary = &mut verdict.summary;
            summary.rules += 1;
            match status(rule, scratch) {
                Status::Pass(_) => summary.passed += 1,
                Status::Skipped(_) => summary.skipped += 1,
                Status::Fail(_) => {
                    summary.failed += 1;
                    match rule.severity {
                        Severity::Error => summary.failed_errors += 1,
                        Severity::Warning => summary.failed_warnings += 1,
                        Severity::Info => {}
                    }
                    verdict.not_holding.push(index);
                }
                Status::Error(_) => {
                    summary.errors += 1;
                    verdict.not_holding.push(index);
                }
            }
        }
        verdict
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::check;
    use crate::eval::evaluate;
    use crate::source::Source;
    use crate::syntax;

    #[test]
    fn verdicts_match_the_evaluator() {
        let text = "rule a 7190 = 7180 - 7060\nrule b 7425 = round(8% * 7415)\nrule c 7050 >= $0 severity warning\nrule d 7230 = 7210 + 7220\nrule e 7010 / 7020 >= 5%\n";
        let source = Source::new("t.xfoot", text);
        let set = check(vec![(source.clone(), syntax::parse(&source).unwrap())]).unwrap().rules;
        let program = Program::new(&set);
        assert_eq!(program.width(), 11);
        let report = Report::from_lines(
            "r",
            [("7190", "5"), ("7180", "8"), ("7060", "2"), ("7415", "1003"), ("7425", "80"), ("7050", "-1"), ("7010", "1")]
                .map(|(c, a)| (c.parse().unwrap(), a.parse().unwrap())),
        );
        let full = evaluate(&set, &report);
        let verdict = program.verdict(&program.row(&report), &mut Vec::new());
        assert_eq!(verdict.summary, full.summary());
        assert_eq!(verdict.not_holding, [0, 2, 4]);
    }
}
