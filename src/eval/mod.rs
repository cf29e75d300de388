//! Checked rules × a report's amounts → one status per rule, in exact arithmetic.
//!
//! This is the one place that says what a rule means on a report. Every value is an exact
//! fraction ([`Value`]); an operation whose exact result does not fit, and division by
//! zero, become an [`EvalError`] at the operator's span instead of a wrong number. A blank
//! line counts as 0; a rule whose assertion reads only blank lines, or whose `when`
//! condition is false, is skipped.
//!
//! Amounts come through [`Amounts`]: a report's row of the whole rule set
//! ([`RowAmounts`]) or a rule's own lines (an example's amounts), read the same way.

mod error;
mod root_cause;
mod value;

use rust_decimal::Decimal;

pub use error::EvalError;
pub use root_cause::{Candidate, root_causes};
pub(crate) use value::Ties;
pub use value::{Value, ValueError};

use crate::check::{CheckedRule, Comparison, Cond, Func, Node};
use crate::date::Date;
use crate::source::Span;
use crate::syntax::ast::{BinOp, CmpOp, Tolerance};

/// The amounts a rule reads, by the rule's own slot (its [`lines`](CheckedRule::lines)).
pub trait Amounts {
    /// The amount on the line in `slot`; `None` is blank.
    fn amount(&self, slot: usize) -> Option<Decimal>;
}

impl Amounts for [Option<Decimal>] {
    fn amount(&self, slot: usize) -> Option<Decimal> {
        self.get(slot).copied().flatten()
    }
}

/// One rule's amounts, read from a row of the whole rule set.
#[derive(Clone, Copy, Debug)]
pub struct RowAmounts<'a> {
    /// The report's row: an amount for each slot of the set.
    pub row: &'a [Option<Decimal>],
    /// The rule's slots in the set ([`CheckedRule::slots`]).
    pub slots: &'a [u32],
}

impl<'a> RowAmounts<'a> {
    /// A rule's view of a row.
    pub fn new(rule: &'a CheckedRule, row: &'a [Option<Decimal>]) -> Self {
        RowAmounts {
            row,
            slots: &rule.slots,
        }
    }
}

impl Amounts for RowAmounts<'_> {
    fn amount(&self, slot: usize) -> Option<Decimal> {
        let global = *self.slots.get(slot)?;
        self.row.get(global as usize).copied().flatten()
    }
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
    /// The arithmetic has no exact result within the limits.
    Error(EvalError),
}

impl Status {
    /// Both sides, for a rule that was evaluated to a verdict.
    pub fn sides(&self) -> Option<&Sides> {
        match self {
            Status::Pass(sides) | Status::Fail(sides) => Some(sides),
            Status::Skipped(_) | Status::Error(_) => None,
        }
    }
}

/// A verdict without its numbers: what [`Status`] comes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The assertion holds.
    Pass,
    /// The assertion does not hold.
    Fail,
    /// The rule did not apply.
    Skipped(Skip),
    /// The arithmetic has no exact result within the limits.
    Error,
}

impl Status {
    /// The verdict, without the numbers.
    pub fn verdict(&self) -> Verdict {
        match self {
            Status::Pass(_) => Verdict::Pass,
            Status::Fail(_) => Verdict::Fail,
            Status::Skipped(skip) => Verdict::Skipped(*skip),
            Status::Error(_) => Verdict::Error,
        }
    }
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

    /// The stable name in machine output: `all_lines_blank`, `condition_false`,
    /// `not_in_force`.
    pub fn code(self) -> &'static str {
        match self {
            Skip::AllBlank => "all_lines_blank",
            Skip::ConditionFalse => "condition_false",
            Skip::NotInForce(_) => "not_in_force",
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
    pub left: Value,
    /// The right side's value.
    pub right: Value,
    /// `left - right`; `None` only when the exact difference does not fit (the verdict is
    /// still exact: comparisons never overflow).
    pub difference: Option<Value>,
    /// The tolerance in amount terms (a relative tolerance applied to the larger side).
    pub tolerance: Value,
    /// Each `round` on the way, in evaluation order.
    pub roundings: Vec<Rounding>,
}

/// One `round(…)` applied during evaluation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rounding {
    /// The call.
    pub span: Span,
    /// The exact value before rounding.
    pub from: Value,
    /// The value after.
    pub to: Value,
}

/// Evaluate one rule on the amounts of a report dated `as_of`: its status, with both
/// sides and each rounding on the way.
pub fn evaluate_rule<A: Amounts + ?Sized>(
    rule: &CheckedRule,
    amounts: &A,
    as_of: Option<Date>,
) -> Status {
    run(rule, amounts, as_of, true)
}

/// The same evaluation, keeping only the verdict: [`evaluate_rule`] without recording the
/// roundings, so `verdict(…) == evaluate_rule(…).verdict()` by construction.
pub fn verdict<A: Amounts + ?Sized>(
    rule: &CheckedRule,
    amounts: &A,
    as_of: Option<Date>,
) -> Verdict {
    run(rule, amounts, as_of, false).verdict()
}

/// The one evaluation of a rule; `trace` records the roundings.
fn run<A: Amounts + ?Sized>(
    rule: &CheckedRule,
    amounts: &A,
    as_of: Option<Date>,
    trace: bool,
) -> Status {
    if let Err(skip) = in_force(rule, as_of) {
        return Status::Skipped(skip);
    }
    let mut ctx = Context {
        amounts,
        roundings: Vec::new(),
        trace,
        present: false,
    };
    if let Some(condition) = &rule.condition {
        match ctx.condition(condition) {
            Ok(true) => {}
            Ok(false) => return Status::Skipped(Skip::ConditionFalse),
            Err(error) => return Status::Error(*error),
        }
        ctx.roundings.clear();
    }
    // A rule whose assertion reads only blank lines is skipped, whatever its arithmetic
    // would come to. Evaluating reads every line of the assertion (nothing short-circuits),
    // so when it succeeds, whether it met an amount says whether all were blank.
    ctx.present = false;
    let evaluated = ctx.assertion(&rule.assertion, rule.tolerance);
    let all_blank = rule.assertion_lines > 0
        && match evaluated {
            Ok(_) => !ctx.present,
            Err(_) => (0..rule.assertion_lines).all(|slot| amounts.amount(slot).is_none()),
        };
    if all_blank {
        return Status::Skipped(Skip::AllBlank);
    }
    match evaluated {
        Ok((holds, mut sides)) => {
            sides.roundings = ctx.roundings;
            if holds {
                Status::Pass(sides)
            } else {
                Status::Fail(sides)
            }
        }
        Err(error) => Status::Error(*error),
    }
}

/// The value of one expression of a rule on its amounts (blank counts as 0).
pub fn value_of<A: Amounts + ?Sized>(node: &Node, amounts: &A) -> Result<Value, EvalError> {
    let mut ctx = Context {
        amounts,
        roundings: Vec::new(),
        trace: false,
        present: false,
    };
    ctx.value(node).map_err(|error| *error)
}

/// Whether a rule's `when` condition holds on its amounts.
pub fn condition_holds<A: Amounts + ?Sized>(
    condition: &Cond,
    amounts: &A,
) -> Result<bool, EvalError> {
    let mut ctx = Context {
        amounts,
        roundings: Vec::new(),
        trace: false,
        present: false,
    };
    ctx.condition(condition).map_err(|error| *error)
}

/// An arithmetic error on the way: boxed, so a successful step returns a small value.
type Failed = Box<EvalError>;

struct Context<'a, A: ?Sized> {
    amounts: &'a A,
    roundings: Vec<Rounding>,
    /// Whether to record the roundings.
    trace: bool,
    /// Whether a line read so far held an amount.
    present: bool,
}

impl<A: Amounts + ?Sized> Context<'_, A> {
    fn assertion(
        &mut self,
        comparison: &Comparison,
        tolerance: Option<(Tolerance, Span)>,
    ) -> Result<(bool, Sides), Failed> {
        let left = self.value(&comparison.left)?;
        let right = self.value(&comparison.right)?;
        let difference = left.checked_sub(right);
        let tolerance = match tolerance {
            None => Value::ZERO,
            Some((Tolerance::Absolute(amount), _)) => Value::from(amount),
            Some((Tolerance::Relative(ratio), span)) => {
                let ratio = Value::from(ratio);
                let larger = left.abs().max(right.abs());
                ratio.checked_mul(larger).ok_or_else(|| {
                    Box::new(EvalError::Overflow {
                        op: "within",
                        left: ratio,
                        right: larger,
                        span,
                    })
                })?
            }
        };
        let within = match difference {
            Some(difference) => difference.abs() <= tolerance,
            None if tolerance.is_zero() => left == right,
            None => {
                return Err(Box::new(EvalError::Overflow {
                    op: "-",
                    left,
                    right,
                    span: comparison.op_span,
                }));
            }
        };
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

    fn condition(&mut self, condition: &Cond) -> Result<bool, Failed> {
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
            Cond::Blank { slot, blank, .. } => self.amounts.amount(*slot).is_none() == *blank,
            Cond::Compare(comparison) => {
                let left = self.value(&comparison.left)?;
                let right = self.value(&comparison.right)?;
                match comparison.op {
                    CmpOp::Eq => left == right,
                    CmpOp::Ne => left != right,
                    CmpOp::Lt => left < right,
                    CmpOp::Le => left <= right,
                    CmpOp::Gt => left > right,
                    CmpOp::Ge => left >= right,
                }
            }
        })
    }

    fn value(&mut self, node: &Node) -> Result<Value, Failed> {
        match node {
            Node::Line { slot, .. } => Ok(self.line(*slot)),
            Node::Const { value, .. } => Ok(*value),
            Node::Neg { inner, .. } => Ok(-self.value(inner)?),
            Node::Chain { first, rest, .. } => {
                let mut acc = self.value(first)?;
                for (op, span, operand) in rest {
                    // A line, the most common operand, is read in place.
                    let operand = match operand {
                        Node::Line { slot, .. } => self.line(*slot),
                        _ => self.value(operand)?,
                    };
                    acc = apply(*op, acc, operand, *span)?;
                }
                Ok(acc)
            }
            Node::Call { func, args, span } => self.call(*func, args, *span),
        }
    }

    /// The amount on the line in `slot`; blank counts as 0.
    fn line(&mut self, slot: usize) -> Value {
        match self.amounts.amount(slot) {
            Some(amount) => {
                self.present = true;
                Value::from_decimal(amount)
            }
            None => Value::ZERO,
        }
    }

    fn call(&mut self, func: Func, args: &[Node], span: Span) -> Result<Value, Failed> {
        let mut values = args.iter().map(|arg| self.value(arg));
        let first = values.next().transpose()?.unwrap_or(Value::ZERO);
        Ok(match func {
            Func::Sum => {
                let mut total = first;
                for value in values {
                    total = apply(BinOp::Add, total, value?, span)?;
                }
                total
            }
            Func::Max => values.try_fold(first, |acc, value| value.map(|v| acc.max(v)))?,
            Func::Min => values.try_fold(first, |acc, value| value.map(|v| acc.min(v)))?,
            Func::Abs => first.abs(),
            Func::Round { places } => {
                let to = first.round(places, Ties::AwayFromZero).ok_or_else(|| {
                    Box::new(EvalError::Overflow {
                        op: "round",
                        left: first,
                        right: Value::whole(i64::from(places)),
                        span,
                    })
                })?;
                if self.trace {
                    self.roundings.push(Rounding {
                        span,
                        from: first,
                        to,
                    });
                }
                to
            }
        })
    }
}

/// One exact arithmetic step.
fn apply(op: BinOp, left: Value, right: Value, span: Span) -> Result<Value, Failed> {
    let result = match op {
        BinOp::Add => left.checked_add(right),
        BinOp::Sub => left.checked_sub(right),
        BinOp::Mul => left.checked_mul(right),
        BinOp::Div if right.is_zero() => {
            return Err(Box::new(EvalError::DivisionByZero {
                dividend: left,
                span,
            }));
        }
        BinOp::Div => left.checked_div(right),
    };
    result.ok_or_else(|| {
        Box::new(EvalError::Overflow {
            op: op.as_str(),
            left,
            right,
            span,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::check;
    use crate::source::Source;
    use crate::syntax;
    use std::str::FromStr;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    fn val(text: &str) -> Value {
        text.parse().unwrap()
    }

    fn run(rule: &str, lines: &[(&str, &str)]) -> Status {
        let source = Source::new("t.xfoot", format!("rule t {rule}"));
        let file = syntax::parse(&source).unwrap();
        let set = check(vec![(source, file)]).unwrap().rules;
        let rule = &set.rules()[0];
        let amounts: Vec<Option<Decimal>> = rule
            .lines
            .iter()
            .map(|code| {
                lines
                    .iter()
                    .find(|(c, _)| *c == code.to_string())
                    .map(|(_, amount)| dec(amount))
            })
            .collect();
        evaluate_rule(rule, amounts.as_slice(), None)
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
        assert_eq!(sides.difference, Some(Value::ONE));
        assert_eq!(sides.left, val("198161468"));
        assert_eq!(sides.right, val("198161467"));
    }

    #[test]
    fn arithmetic_is_exact() {
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
        // 4 / 0.3 is 40/3, and times 0.3 it is 4 again: no rounding on the way.
        holds("7010 = 7020 / 30% * 30%", &[("7010", "4"), ("7020", "4")]);
        holds("7010 = 7020 / 3.0 * 3.0", &[("7010", "2"), ("7020", "2")]);
        // The exact product is 0.49999…95, which rounds to 0, not to 1.
        holds(
            "7010 = round(7020 * 1.5)",
            &[("7010", "0"), ("7020", "0.3333333333333333333333333333")],
        );
        let sides = fails("7010 = 7020 / 3.0", &[("7010", "1"), ("7020", "4")]);
        assert_eq!(sides.right.to_string(), "4/3");
        assert_eq!(sides.difference.unwrap().to_string(), "-1/3");
    }

    #[test]
    fn comparisons_never_overflow() {
        let big = "70000000000000000000000000000";
        holds(
            "7010 >= 7020",
            &[("7010", big), ("7020", &format!("-{big}"))],
        );
        fails(
            "7010 = 7020",
            &[("7010", big), ("7020", &format!("-{big}"))],
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
        assert_eq!(sides.roundings[0].from, val("2.5"));
        assert_eq!(sides.roundings[0].to, val("3"));
    }

    #[test]
    fn tolerances() {
        holds("7010 = 7020 within $1", &[("7010", "100"), ("7020", "101")]);
        fails("7010 = 7020 within $1", &[("7010", "100"), ("7020", "102")]);
        // 1% of the larger side (200) is 2.
        holds("7010 = 7020 within 1%", &[("7010", "198"), ("7020", "200")]);
        let sides = fails("7010 = 7020 within 1%", &[("7010", "197"), ("7020", "200")]);
        assert_eq!(sides.tolerance, val("2"));
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
        let max = "9999999999999999999999999999";
        let status = run(
            "7010 = 7020 * 10000000000000000000000000.0",
            &[("7020", max)],
        );
        assert!(
            matches!(status, Status::Error(EvalError::Overflow { .. })),
            "{status:?}"
        );
        let status = run("7010 / 7030 >= 5%", &[("7010", "1")]);
        assert!(matches!(
            status,
            Status::Error(EvalError::DivisionByZero { .. })
        ));
    }
}
