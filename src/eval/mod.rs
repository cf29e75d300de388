//! Checked rules × one report → one outcome per rule, in exact decimal arithmetic.
//!
//! Every operation is checked: overflow and division by zero become an [`EvalError`] at
//! the operator's span instead of a wrong number. A blank line counts as 0; a rule whose
//! assertion reads only blank lines, or whose `when` condition is false, is skipped.

mod error;
mod program;
mod root_cause;

use rust_decimal::{Decimal, RoundingStrategy};

pub use error::EvalError;
pub use program::{Program, Verdict};
pub use root_cause::{Candidate, root_causes};

use crate::check::{CheckedRule, Comparison, Cond, Func, Node, RuleSet};
use crate::date::Date;
use crate::report::Report;
use crate::source::Span;
use crate::syntax::ast::{BinOp, CmpOp, Severity, Tolerance};

/// The outcomes of every rule of a set on one report.
#[derive(Clone, Debug)]
pub struct Evaluation<'a> {
    /// The rules evaluated.
    pub rules: &'a RuleSet,
    /// The report they were evaluated on.
    pub report: &'a Report,
    /// One outcome per rule, in the order of [`RuleSet::rules`].
    pub outcomes: Vec<Outcome>,
}

impl Evaluation<'_> {
    /// Each rule with its outcome.
    pub fn results(&self) -> impl Iterator<Item = (&CheckedRule, &Outcome)> {
        self.rules.rules().iter().zip(&self.outcomes)
    }

    /// Counts by status.
    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for (rule, outcome) in self.results() {
            summary.rules += 1;
            match &outcome.status {
                Status::Pass(_) => summary.passed += 1,
                Status::Fail(_) => {
                    summary.failed += 1;
                    match rule.severity {
                        Severity::Error => summary.failed_errors += 1,
                        Severity::Warning => summary.failed_warnings += 1,
                        Severity::Info => {}
                    }
                }
                Status::Skipped(skip) => {
                    summary.skipped += 1;
                    if let Skip::NotInForce(_) = skip {
                        summary.not_in_force += 1;
                    }
                }
                Status::Waived(_) => summary.waived += 1,
                Status::Error(_) => summary.errors += 1,
            }
        }
        summary
    }
}

/// How many rules ended how.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Rules evaluated.
    pub rules: usize,
    /// Rules that hold.
    pub passed: usize,
    /// Rules that do not hold, of any severity.
    pub failed: usize,
    /// Of the failed, those of severity `error`.
    pub failed_errors: usize,
    /// Of the failed, those of severity `warning`.
    pub failed_warnings: usize,
    /// Rules skipped (all lines blank, condition false, or not in force).
    pub skipped: usize,
    /// Of the skipped, those not in force on the report's date.
    pub not_in_force: usize,
    /// Failures a live waiver covers (not counted in `failed`).
    pub waived: usize,
    /// Rules whose arithmetic could not be carried out.
    pub errors: usize,
}

/// What became of one rule on one report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Pass, fail, skipped or error.
    pub status: Status,
    /// The report's amount for each of the rule's [`lines`](CheckedRule::lines); `None`
    /// is blank.
    pub amounts: Vec<Option<Decimal>>,
}

/// The verdict on one rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// The assertion holds.
    Pass(Sides),
    /// The assertion does not hold.
    Fail(Sides),
    /// The rule did not apply.
    Skipped(Skip),
    /// The assertion does not hold, and a live waiver accepts that.
    Waived(Box<Waived>),
    /// The arithmetic could not be carried out exactly.
    Error(EvalError),
}

/// A failure that a waiver covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waived {
    /// Both sides, as for a failure.
    pub sides: Sides,
    /// Which waiver, in the waivers file's order.
    pub waiver: usize,
    /// Why the exception was accepted.
    pub justification: String,
    /// Who accepted it.
    pub approver: String,
    /// The first day it no longer applies.
    pub expires: Date,
}

/// Why a rule was skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skip {
    /// Every line the assertion reads is blank.
    AllBlank,
    /// The `when` condition is false.
    ConditionFalse,
    /// The rule's `effective` period does not cover the report's `as_of` (`None`: the
    /// report has no `as_of`, and the rule has a period).
    NotInForce(Option<Date>),
}

impl Skip {
    /// Why, in words: `all lines blank`, `not in force on 2020-07-31`.
    pub fn reason(self) -> String {
        match self {
            Skip::AllBlank => "all lines blank".to_owned(),
            Skip::ConditionFalse => "condition false".to_owned(),
            Skip::NotInForce(Some(date)) => format!("not in force on {date}"),
            Skip::NotInForce(None) => "not in force: the report has no as_of".to_owned(),
        }
    }
}

/// Whether a rule applies to a report dated `as_of`: an undated rule always does; a
/// dated one only to a report whose date falls in its period.
pub fn in_force(rule: &CheckedRule, as_of: Option<Date>) -> Result<(), Skip> {
    if rule.period.is_always() {
        return Ok(());
    }
    match as_of {
        Some(date) if rule.period.contains(date) => Ok(()),
        as_of => Err(Skip::NotInForce(as_of)),
    }
}

/// Both sides of an evaluated assertion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sides {
    /// The left side's value.
    pub left: Decimal,
    /// The right side's value.
    pub right: Decimal,
    /// `left - right`.
    pub difference: Decimal,
    /// The tolerance in amount terms (a relative tolerance applied to the larger side).
    pub tolerance: Decimal,
    /// Each `round` on the way, in evaluation order.
    pub roundings: Vec<Rounding>,
}

/// One `round(…)` applied during evaluation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rounding {
    /// The call.
    pub span: Span,
    /// The value before rounding.
    pub from: Decimal,
    /// The value after.
    pub to: Decimal,
}

/// Evaluate every rule of `rules` on `report`.
pub fn evaluate<'a>(rules: &'a RuleSet, report: &'a Report) -> Evaluation<'a> {
    let outcomes = rules
        .rules()
        .iter()
        .map(|rule| evaluate_rule(rule, report))
        .collect();
    Evaluation {
        rules,
        report,
        outcomes,
    }
}

/// Evaluate one rule on `report`.
pub fn evaluate_rule(rule: &CheckedRule, report: &Report) -> Outcome {
    let amounts: Vec<Option<Decimal>> =
        rule.lines.iter().map(|&code| report.amount(code)).collect();
    let status = match in_force(rule, report.as_of()) {
        Ok(()) => status(rule, &amounts),
        Err(skip) => Status::Skipped(skip),
    };
    Outcome { status, amounts }
}

/// The value of one expression of a rule, given the report's amounts for the rule's
/// [`lines`](CheckedRule::lines) (blank is `None`, counted as 0).
pub fn value_of(node: &Node, amounts: &[Option<Decimal>]) -> Result<Decimal, EvalError> {
    let mut roundings = Vec::new();
    let mut ctx = Context {
        amounts,
        roundings: &mut roundings,
    };
    ctx.value(node)
}

/// Whether a rule's `when` condition holds on these amounts.
pub fn condition_holds(condition: &Cond, amounts: &[Option<Decimal>]) -> Result<bool, EvalError> {
    let mut roundings = Vec::new();
    let mut ctx = Context {
        amounts,
        roundings: &mut roundings,
    };
    ctx.condition(condition)
}

/// The status of a rule given its lines' amounts, in the order of [`CheckedRule::lines`].
pub(crate) fn status(rule: &CheckedRule, amounts: &[Option<Decimal>]) -> Status {
    let mut roundings = Vec::new();
    let mut ctx = Context {
        amounts,
        roundings: &mut roundings,
    };
    if let Some(condition) = &rule.condition {
        match ctx.condition(condition) {
            Ok(true) => {}
            Ok(false) => return Status::Skipped(Skip::ConditionFalse),
            Err(error) => return Status::Error(error),
        }
        ctx.roundings.clear();
    }
    let assertion_amounts = amounts.get(..rule.assertion_lines).unwrap_or(amounts);
    if !assertion_amounts.is_empty() && assertion_amounts.iter().all(Option::is_none) {
        return Status::Skipped(Skip::AllBlank);
    }
    match ctx.assertion(&rule.assertion, rule.tolerance) {
        Ok((holds, mut sides)) => {
            sides.roundings = roundings;
            if holds {
                Status::Pass(sides)
            } else {
                Status::Fail(sides)
            }
        }
        Err(error) => Status::Error(error),
    }
}

struct Context<'a> {
    amounts: &'a [Option<Decimal>],
    roundings: &'a mut Vec<Rounding>,
}

impl Context<'_> {
    fn assertion(
        &mut self,
        comparison: &Comparison,
        tolerance: Option<(Tolerance, Span)>,
    ) -> Result<(bool, Sides), EvalError> {
        let left = self.value(&comparison.left)?;
        let right = self.value(&comparison.right)?;
        let difference = left.checked_sub(right).ok_or(EvalError::Overflow {
            op: "-",
            left,
            right,
            span: comparison.op_span,
        })?;
        let tolerance = match tolerance {
            None => Decimal::ZERO,
            Some((Tolerance::Absolute(amount), _)) => amount,
            Some((Tolerance::Relative(ratio), span)) => {
                let larger = left.abs().max(right.abs());
                ratio.checked_mul(larger).ok_or(EvalError::Overflow {
                    op: "*",
                    left: ratio,
                    right: larger,
                    span,
                })?
            }
        };
        let within = difference.abs() <= tolerance;
        let holds = match comparison.op {
            CmpOp::Eq => within,
            CmpOp::Ne => !within,
            CmpOp::Lt => left < right,
            CmpOp::Le => left <= right,
            CmpOp::Gt => left > right,
            CmpOp::Ge => left >= right,
        };
        let sides = Sides {
            left,
            right,
            difference,
            tolerance,
            roundings: Vec::new(),
        };
        Ok((holds, sides))
    }

    fn condition(&mut self, condition: &Cond) -> Result<bool, EvalError> {
        Ok(match condition {
            Cond::All(parts) => {
                for part in parts {
                    if !self.condition(part)? {
                        return Ok(false);
                    }
                }
                true
            }
            Cond::Any(parts) => {
                for part in parts {
                    if self.condition(part)? {
                        return Ok(true);
                    }
                }
                false
            }
            Cond::Not(inner) => !self.condition(inner)?,
            Cond::Blank { slot, blank, .. } => {
                let is_blank = self.amounts.get(*slot).copied().flatten().is_none();
                is_blank == *blank
            }
            Cond::Compare(comparison) => self.assertion(comparison, None)?.0,
        })
    }

    fn value(&mut self, node: &Node) -> Result<Decimal, EvalError> {
        match node {
            Node::Line { slot, .. } => Ok(self
                .amounts
                .get(*slot)
                .copied()
                .flatten()
                .unwrap_or_default()),
            Node::Const { value, .. } => Ok(*value),
            Node::Neg { inner, .. } => Ok(-self.value(inner)?),
            Node::Chain { first, rest, .. } => {
                let mut acc = self.value(first)?;
                for (op, span, operand) in rest {
                    let operand = self.value(operand)?;
                    acc = apply(*op, acc, operand, *span)?;
                }
                Ok(acc)
            }
            Node::Call { func, args, span } => self.call(*func, args, *span),
        }
    }

    fn call(&mut self, func: Func, args: &[Node], span: Span) -> Result<Decimal, EvalError> {
        let mut values = Vec::with_capacity(args.len());
        for arg in args {
            values.push(self.value(arg)?);
        }
        let first = values.first().copied().unwrap_or_default();
        Ok(match func {
            Func::Sum => {
                let mut total = Decimal::ZERO;
                for value in values {
                    total = apply(BinOp::Add, total, value, span)?;
                }
                total
            }
            Func::Max => values.into_iter().fold(first, Decimal::max),
            Func::Min => values.into_iter().fold(first, Decimal::min),
            Func::Abs => first.abs(),
            Func::Round { places } => {
                let to =
                    first.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
                self.roundings.push(Rounding {
                    span,
                    from: first,
                    to,
                });
                to
            }
        })
    }
}

/// One checked arithmetic step.
fn apply(op: BinOp, left: Decimal, right: Decimal, span: Span) -> Result<Decimal, EvalError> {
    let overflow = || EvalError::Overflow {
        op: op.as_str(),
        left,
        right,
        span,
    };
    match op {
        BinOp::Add => left.checked_add(right).ok_or_else(overflow),
        BinOp::Sub => left.checked_sub(right).ok_or_else(overflow),
        BinOp::Mul => left.checked_mul(right).ok_or_else(overflow),
        BinOp::Div if right.is_zero() => Err(EvalError::DivisionByZero {
            dividend: left,
            span,
        }),
        BinOp::Div => left.checked_div(right).ok_or_else(overflow),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::check;
    use crate::line::LineCode;
    use crate::source::Source;
    use crate::syntax;
    use std::str::FromStr;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    fn run(rule: &str, lines: &[(&str, &str)]) -> Status {
        let source = Source::new("t.xfoot", format!("rule t {rule}"));
        let file = syntax::parse(&source).unwrap();
        let set = check(vec![(source, file)]).unwrap().rules;
        let report = Report::from_lines(
            "r.yaml",
            lines
                .iter()
                .map(|(code, amount)| (LineCode::from_str(code).unwrap(), dec(amount))),
        );
        evaluate(&set, &report).outcomes.remove(0).status
    }

    fn holds(rule: &str, lines: &[(&str, &str)]) {
        let status = run(rule, lines);
        assert!(matches!(status, Status::Pass(_)), "{rule}: {status:?}");
    }

    fn fails(rule: &str, lines: &[(&str, &str)]) -> Sides {
        match run(rule, lines) {
            Status::Fail(sides) => sides,
            other => panic!("{rule}: expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn sums_and_differences() {
        let lines = [
            ("7190", "198161467"),
            ("7180", "4207049429"),
            ("7060", "4008887962"),
        ];
        holds("7190 = 7180 - 7060", &lines);
        let sides = fails(
            "7190 = 7180 - 7060",
            &[("7190", "198161468"), lines[1], lines[2]],
        );
        assert_eq!(sides.difference, Decimal::ONE);
        assert_eq!(sides.left, dec("198161468"));
        assert_eq!(sides.right, dec("198161467"));
    }

    #[test]
    fn decimal_arithmetic_is_exact() {
        holds(
            "7010 + 7020 = 7030",
            &[("7010", "0.1"), ("7020", "0.2"), ("7030", "0.3")],
        );
        holds(
            "7010 + 7020 = 7030",
            &[
                ("7010", "12345678901234567890.12"),
                ("7020", "0.01"),
                ("7030", "12345678901234567890.13"),
            ],
        );
    }

    #[test]
    fn rounds_to_nearest_ties_away_from_zero() {
        holds(
            "7425 = round(8% * 7415)",
            &[("7415", "4502700297"), ("7425", "360216024")],
        );
        holds(
            "7445 = round(8% * 7435)",
            &[("7435", "1341926240"), ("7445", "107354099")],
        );
        holds("7010 = round(1.10 * 7020)", &[("7020", "5"), ("7010", "6")]);
        holds(
            "7010 = round(1.10 * 7020)",
            &[("7020", "-5"), ("7010", "-6")],
        );
        holds(
            "7010 = round(7020, 2)",
            &[("7020", "1.005"), ("7010", "1.01")],
        );
        let sides = fails("7010 = round(7020)", &[("7020", "2.5"), ("7010", "2")]);
        assert_eq!(sides.roundings[0].from, dec("2.5"));
        assert_eq!(sides.roundings[0].to, dec("3"));
    }

    #[test]
    fn tolerances() {
        holds("7010 = 7020 within $1", &[("7010", "100"), ("7020", "101")]);
        fails("7010 = 7020 within $1", &[("7010", "100"), ("7020", "102")]);
        // 1% of the larger side (200) is 2.
        holds("7010 = 7020 within 1%", &[("7010", "198"), ("7020", "200")]);
        let sides = fails("7010 = 7020 within 1%", &[("7010", "197"), ("7020", "200")]);
        assert_eq!(sides.tolerance, dec("2"));
    }

    #[test]
    fn comparisons_are_exact() {
        holds("7050 >= $0", &[("7050", "0")]);
        fails("7050 >= $0", &[("7050", "-0.01")]);
        holds("abs(7047) <= 7045", &[("7047", "-5"), ("7045", "5")]);
        holds(
            "7360 = max(7305, 7355)",
            &[("7305", "0"), ("7355", "7"), ("7360", "7")],
        );
        holds(
            "7010 = min(7020, 7030)",
            &[("7020", "3"), ("7030", "-7"), ("7010", "-7")],
        );
        holds("7010 != 7020", &[("7010", "1")]);
        holds(
            "7010 = sum(7020, 7030)",
            &[("7010", "3"), ("7020", "1"), ("7030", "2")],
        );
    }

    #[test]
    fn blanks_count_as_zero_and_all_blank_skips() {
        holds("7180 = 7070 + 7160", &[("7180", "5"), ("7070", "5")]);
        assert_eq!(
            run("7230 = 7210 + 7220", &[]),
            Status::Skipped(Skip::AllBlank)
        );
        assert_eq!(
            run("7495 = 7455 when 7490 = 7455", &[("7490", "1")]),
            Status::Skipped(Skip::ConditionFalse)
        );
        holds(
            "7495 = 7455 when 7475 is blank",
            &[("7495", "1"), ("7455", "1")],
        );
    }

    #[test]
    fn overflow_and_division_by_zero_are_errors() {
        let max = Decimal::MAX.to_string();
        let status = run("7010 = 7020 * 2.0", &[("7020", &max)]);
        assert!(matches!(
            status,
            Status::Error(EvalError::Overflow { op: "*", .. })
        ));
        let status = run("7010 / 7030 >= 5%", &[("7010", "1")]);
        assert!(matches!(
            status,
            Status::Error(EvalError::DivisionByZero { .. })
        ));
        let status = run("7010 = 7020 + 7030", &[("7020", &max), ("7030", "1")]);
        assert!(matches!(
            status,
            Status::Error(EvalError::Overflow { op: "+", .. })
        ));
    }
}
