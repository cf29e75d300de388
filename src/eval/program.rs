//! A rule set compiled for many reports: every line code the rules read gets a dense slot,
//! a report becomes one row of amounts, and each rule reads its amounts by index, with no
//! hashing per operation. The arithmetic is the evaluator's own, so verdicts are identical
//! to [`evaluate`](super::evaluate); only what is kept of them differs.

use rust_decimal::Decimal;

use super::{Skip, Status, Summary, in_force, status};
use crate::check::{CheckedRule, Func, Node, RuleSet};
use crate::date::Date;
use crate::line::{CodeMap, LineCode};
use crate::report::Report;
use crate::syntax::ast::{BinOp, CmpOp, Severity, Tolerance};

/// A rule set ready to evaluate many reports.
#[derive(Clone, Debug)]
pub struct Program<'a> {
    rules: &'a RuleSet,
    slots: CodeMap<usize>,
    codes: Vec<LineCode>,
    /// The global slot of each line of each rule, rule after rule, in the order of the
    /// rule's own [`lines`](CheckedRule::lines).
    lines: Vec<usize>,
    /// Where each rule's lines start in [`lines`](Self::lines), and where the last ends.
    starts: Vec<usize>,
    /// Beside each of [`lines`](Self::lines): its coefficient in its rule's integer form
    /// (0 where the rule has none, or the line is only in the condition).
    coefficients: Vec<i32>,
    /// For each rule, its integer form when it has one.
    linear: Vec<Option<Linear>>,
}

/// A rule that is `Σ cᵢ·lineᵢ + k  OP  0` with small integer coefficients: evaluated
/// exactly in `i128` when every amount it reads is a whole number below 2⁶², a bound under
/// which the decimal evaluator cannot overflow either, so the verdict is the same.
///
/// Its coefficients, one for each line of the assertion (the rule's first lines), are
/// kept in the program's [`coefficients`](Program::coefficients).
#[derive(Clone, Debug)]
struct Linear {
    /// `left - right` when every line is 0.
    constant: i128,
    op: CmpOp,
    tolerance: i128,
}

/// Amounts below this magnitude take the integer path.
const SMALL: i128 = 1 << 62;
/// Coefficients up to this magnitude take the integer path.
const SMALL_COEFFICIENT: i32 = 1 << 20;

impl Linear {
    /// The form and its coefficients (at most [`SMALL_COEFFICIENT`] in magnitude), one for
    /// each line of the assertion.
    fn of(rule: &CheckedRule) -> Option<(Self, Vec<i32>)> {
        if rule.condition.is_some() {
            return None;
        }
        let tolerance = match rule.tolerance {
            None => 0,
            Some((Tolerance::Absolute(amount), _)) => whole(amount)?,
            Some((Tolerance::Relative(_), _)) => return None,
        };
        let (coefficients, constant) = match additive_form(rule) {
            Some(form) => form,
            None => general_form(rule)?,
        };
        let mut small = Vec::with_capacity(coefficients.len());
        for coefficient in coefficients {
            let coefficient = i32::try_from(coefficient).ok()?;
            if coefficient.abs() > SMALL_COEFFICIENT {
                return None;
            }
            small.push(coefficient);
        }
        if constant.abs() >= SMALL {
            return None;
        }
        let linear = Linear {
            constant,
            op: rule.assertion.op,
            tolerance,
        };
        Some((linear, small))
    }

    /// The status, given the global slots of the assertion's lines and their
    /// coefficients, or `None` when an amount is not a small whole number.
    fn status(
        &self,
        slots: &[usize],
        coefficients: &[i32],
        row: &[Option<Decimal>],
    ) -> Option<Quick> {
        let mut sum = self.constant;
        let mut blank = 0;
        for (&slot, &coefficient) in slots.iter().zip(coefficients) {
            match row.get(slot).copied().flatten() {
                None => blank += 1,
                Some(amount) => {
                    if amount.scale() != 0 {
                        return None;
                    }
                    let value = amount.mantissa();
                    if value.abs() >= SMALL {
                        return None;
                    }
                    sum += i128::from(coefficient) * value;
                }
            }
        }
        if !slots.is_empty() && blank == slots.len() {
            return Some(Quick::Skipped(Skip::AllBlank));
        }
        let holds = match self.op {
            CmpOp::Eq => sum.abs() <= self.tolerance,
            CmpOp::Ne => sum.abs() > self.tolerance,
            CmpOp::Lt => sum < 0,
            CmpOp::Le => sum <= 0,
            CmpOp::Gt => sum > 0,
            CmpOp::Ge => sum >= 0,
        };
        Some(if holds { Quick::Pass } else { Quick::Fail })
    }
}

/// `left - right` as (coefficient of each assertion line, constant), for an assertion built
/// only of lines, constants, `+`, `-`, unary minus and `sum`: one walk of each side.
fn additive_form(rule: &CheckedRule) -> Option<(Vec<i128>, i128)> {
    fn walk(node: &Node, sign: i128, terms: &mut [i128], constant: &mut i128) -> Option<()> {
        match node {
            Node::Line { slot, .. } => {
                let term = terms.get_mut(*slot)?;
                *term = term.checked_add(sign)?;
            }
            Node::Const { value, .. } => {
                *constant = constant.checked_add(sign.checked_mul(whole(*value)?)?)?;
            }
            Node::Neg { inner, .. } => walk(inner, -sign, terms, constant)?,
            Node::Chain { first, rest, .. } => {
                walk(first, sign, terms, constant)?;
                for (op, _, operand) in rest {
                    match op {
                        BinOp::Add => walk(operand, sign, terms, constant)?,
                        BinOp::Sub => walk(operand, -sign, terms, constant)?,
                        BinOp::Mul | BinOp::Div => return None,
                    }
                }
            }
            Node::Call {
                func: Func::Sum,
                args,
                ..
            } => {
                for arg in args {
                    walk(arg, sign, terms, constant)?;
                }
            }
            Node::Call { .. } => return None,
        }
        Some(())
    }
    let mut terms = vec![0; rule.assertion_lines];
    let mut constant = 0;
    walk(&rule.assertion.left, 1, &mut terms, &mut constant)?;
    walk(&rule.assertion.right, -1, &mut terms, &mut constant)?;
    (constant.abs() < SMALL).then_some((terms, constant))
}

/// The same for any linear assertion, through [`Node::coefficient`] (one walk per line).
fn general_form(rule: &CheckedRule) -> Option<(Vec<i128>, i128)> {
    let mut terms = Vec::with_capacity(rule.assertion_lines);
    for local in 0..rule.assertion_lines {
        let left = rule.assertion.left.coefficient(local)?;
        let right = rule.assertion.right.coefficient(local)?;
        terms.push(whole(left.checked_sub(right)?)?);
    }
    let zeros = vec![None; rule.lines.len()];
    let left = super::value_of(&rule.assertion.left, &zeros).ok()?;
    let right = super::value_of(&rule.assertion.right, &zeros).ok()?;
    let constant = whole(left.checked_sub(right)?)?;
    (constant.abs() < SMALL).then_some((terms, constant))
}

/// A verdict without its numbers.
enum Quick {
    Pass,
    Fail,
    Skipped(Skip),
    Error,
}

/// A decimal as an `i128` when it is a whole number of small magnitude.
fn whole(value: Decimal) -> Option<i128> {
    if !value.fract().is_zero() {
        return None;
    }
    let normal = value.normalize();
    let mut mantissa = normal.mantissa();
    for _ in 0..normal.scale() {
        mantissa /= 10;
    }
    (mantissa.abs() < SMALL).then_some(mantissa)
}

/// What a report's evaluation keeps: counts, and which rules did not hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verdict {
    /// Counts by status.
    pub summary: Summary,
    /// Indices of the rules that failed, in rule order.
    pub failed: Vec<usize>,
    /// Indices of the rules that could not be evaluated, in rule order.
    pub errors: Vec<usize>,
    /// (rule, waiver) of each failure a live waiver covers, in rule order; these are not in
    /// [`failed`](Self::failed).
    pub waived: Vec<(usize, usize)>,
    /// Each rule skipped, and why, in rule order.
    pub skipped: Vec<(usize, Skip)>,
}

impl Verdict {
    /// Whether every rule held (or was skipped or waived).
    pub fn holds(&self) -> bool {
        self.failed.is_empty() && self.errors.is_empty()
    }
}

impl<'a> Program<'a> {
    /// Compile a rule set.
    pub fn new(rules: &'a RuleSet) -> Self {
        let mut slots = CodeMap::default();
        let mut codes = Vec::new();
        let all = rules.rules();
        let mut lines = Vec::with_capacity(all.iter().map(|rule| rule.lines.len()).sum());
        let mut starts = Vec::with_capacity(all.len() + 1);
        starts.push(0);
        for rule in all {
            lines.extend(rule.lines.iter().map(|code| {
                *slots.entry(*code).or_insert_with(|| {
                    codes.push(*code);
                    codes.len() - 1
                })
            }));
            starts.push(lines.len());
        }
        let mut coefficients = vec![0; lines.len()];
        let linear = crate::parallel::map(all, Linear::of)
            .into_iter()
            .zip(&starts)
            .map(|(form, &start)| {
                let (linear, small) = form?;
                let end = start + small.len();
                coefficients.get_mut(start..end)?.copy_from_slice(&small);
                Some(linear)
            })
            .collect();
        Program {
            rules,
            slots,
            codes,
            lines,
            starts,
            coefficients,
            linear,
        }
    }

    /// The global slots of a rule's lines, and their coefficients in its integer form.
    fn rule_lines(&self, index: usize) -> (&[usize], &[i32]) {
        let range = match (self.starts.get(index), self.starts.get(index + 1)) {
            (Some(&start), Some(&end)) => start..end,
            _ => 0..0,
        };
        (
            self.lines.get(range.clone()).unwrap_or(&[]),
            self.coefficients.get(range).unwrap_or(&[]),
        )
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

    /// Evaluate every rule in force on `as_of` on one row. `scratch` is reused between
    /// calls to avoid allocating per rule.
    pub fn verdict(
        &self,
        row: &[Option<Decimal>],
        as_of: Option<Date>,
        scratch: &mut Vec<Option<Decimal>>,
    ) -> Verdict {
        let mut verdict = Verdict::default();
        let rules = self.rules.rules().iter().zip(&self.linear);
        for (index, (rule, linear)) in rules.enumerate() {
            let (slots, coefficients) = self.rule_lines(index);
            let quick = if let Err(skip) = in_force(rule, as_of) {
                Quick::Skipped(skip)
            } else {
                let assertion = rule.assertion_lines;
                let quick = linear.as_ref().and_then(|linear| {
                    let slots = slots.get(..assertion)?;
                    linear.status(slots, coefficients.get(..assertion)?, row)
                });
                match quick {
                    Some(quick) => quick,
                    None => {
                        scratch.clear();
                        scratch.extend(slots.iter().map(|&slot| row.get(slot).copied().flatten()));
                        match status(rule, scratch) {
                            Status::Pass(_) => Quick::Pass,
                            Status::Fail(_) => Quick::Fail,
                            Status::Skipped(skip) => Quick::Skipped(skip),
                            Status::Waived(_) => Quick::Fail,
                            Status::Error(_) => Quick::Error,
                        }
                    }
                }
            };
            let summary = &mut verdict.summary;
            summary.rules += 1;
            match quick {
                Quick::Pass => summary.passed += 1,
                Quick::Skipped(skip) => {
                    summary.skipped += 1;
                    if let Skip::NotInForce(_) = skip {
                        summary.not_in_force += 1;
                    }
                    verdict.skipped.push((index, skip));
                }
                Quick::Fail => {
                    summary.failed += 1;
                    match rule.severity {
                        Severity::Error => summary.failed_errors += 1,
                        Severity::Warning => summary.failed_warnings += 1,
                        Severity::Info => {}
                    }
                    verdict.failed.push(index);
                }
                Quick::Error => {
                    summary.errors += 1;
                    verdict.errors.push(index);
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
    fn the_one_walk_linear_form_equals_the_general_one() {
        let text = "rule a 7190 = 7180 - 7060\nrule b 7230 = sum(7210, -7220) + $5 - (7010 - 7020)\nrule c -7050 = 7050 + 7050 - 7040\nrule d 7425 = 7415 * 2.0\nrule e 7445 = $1.50 + 7435\n";
        let source = Source::new("t.xfoot", text);
        let set = check(vec![(source.clone(), syntax::parse(&source).unwrap())])
            .unwrap()
            .rules;
        let forms: Vec<_> = set.rules().iter().map(additive_form).collect();
        assert_eq!(forms[0], Some((vec![1, -1, 1], 0)));
        assert_eq!(forms[1], Some((vec![1, -1, 1, 1, -1], -5)));
        assert_eq!(forms[2], Some((vec![-3, 1], 0)));
        assert_eq!(forms[3], None, "a product takes the general path");
        assert_eq!(forms[4], None, "a constant with cents is not whole");
        for (rule, form) in set.rules().iter().zip(&forms) {
            if form.is_some() {
                assert_eq!(form, &general_form(rule), "{}", rule.id);
            }
        }
        assert_eq!(general_form(&set.rules()[3]), Some((vec![1, -2], 0)));
    }

    #[test]
    fn verdicts_match_the_evaluator() {
        let text = "rule a 7190 = 7180 - 7060\nrule b 7425 = round(8% * 7415)\nrule c 7050 >= $0 severity warning\nrule d 7230 = 7210 + 7220\nrule e 7010 / 7020 >= 5%\n";
        let source = Source::new("t.xfoot", text);
        let set = check(vec![(source.clone(), syntax::parse(&source).unwrap())])
            .unwrap()
            .rules;
        let program = Program::new(&set);
        assert_eq!(program.width(), 11);
        let report = Report::from_lines(
            "r",
            [
                ("7190", "5"),
                ("7180", "8"),
                ("7060", "2"),
                ("7415", "1003"),
                ("7425", "80"),
                ("7050", "-1"),
                ("7010", "1"),
            ]
            .map(|(c, a)| (c.parse().unwrap(), a.parse().unwrap())),
        );
        let full = evaluate(&set, &report);
        let verdict = program.verdict(&program.row(&report), None, &mut Vec::new());
        assert_eq!(verdict.summary, full.summary());
        assert_eq!(verdict.failed, [0, 2]);
        assert_eq!(verdict.errors, [4]);
    }
}
