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

mod band;
mod error;
pub(crate) mod linear;
pub mod read;

use std::cmp::Ordering;

use rust_decimal::Decimal;

pub use crossfoot_syntax::number::{RoundMode, Value, ValueError};
pub use error::EvalError;

use crate::compile::{CheckedRule, Comparison, Cond, Func, Node, Within};
pub use crate::unit::Unit;
use crossfoot_syntax::ast::BinOp;
use crossfoot_syntax::date::Date;
use crossfoot_syntax::line::LineCode;
use crossfoot_syntax::source::Span;

/// The amounts a rule reads, by the rule's own slot (its [`lines`](CheckedRule::lines)),
/// on the report and on the previous report of the same firm.
pub trait Amounts {
    /// The amount on the line in `slot`; `None` is blank.
    fn amount(&self, slot: usize) -> Option<Decimal>;

    /// The previous report, when there is one: `Err` says why not.
    fn prior_report(&self) -> Result<(), NoPrior> {
        Err(NoPrior::NoneEarlier)
    }

    /// The amount on the line in `slot` of the previous report; `None` is blank.
    fn prior(&self, _slot: usize) -> Option<Decimal> {
        None
    }

    /// The report's whole row, when these amounts are one: the same amounts by the rule
    /// set's slots ([`CheckedRule::slots()`] maps the rule's to them), a shorter way to them.
    fn row(&self) -> Option<&[Option<Decimal>]> {
        None
    }

    /// The previous report's whole row, by the rule set's slots, when these amounts are a
    /// report's row ([`row`](Self::row)) and there is a previous report.
    fn prior_row(&self) -> Option<&[Option<Decimal>]> {
        None
    }
}

impl Amounts for [Option<Decimal>] {
    fn amount(&self, slot: usize) -> Option<Decimal> {
        self.get(slot).copied().flatten()
    }
}

/// A report's amounts by slot with its previous report's (an example's `prior(…)` lines).
#[derive(Clone, Copy, Debug)]
pub struct WithPrior<'a> {
    /// The report's amounts, by the rule's slot.
    pub current: &'a [Option<Decimal>],
    /// The previous report's amounts, by the rule's slot, or why there is none.
    pub prior: Result<&'a [Option<Decimal>], NoPrior>,
}

impl Amounts for WithPrior<'_> {
    fn amount(&self, slot: usize) -> Option<Decimal> {
        self.current.amount(slot)
    }

    fn prior_report(&self) -> Result<(), NoPrior> {
        self.prior.map(|_| ())
    }

    fn prior(&self, slot: usize) -> Option<Decimal> {
        self.prior.ok()?.amount(slot)
    }
}

/// What a report says about itself that evaluation depends on: its date (which rules are
/// in force) and the unit its amounts are printed in (what `$` constants come to).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// The report date.
    pub as_of: Option<Date>,
    /// The unit its amounts are printed in.
    pub unit: Unit,
    /// The unit of the previous report's amounts, read in the report's own unit.
    pub prior_unit: Unit,
}

/// One rule's amounts, read from a row of the whole rule set (and from the previous
/// report's row).
#[derive(Clone, Copy, Debug)]
pub struct RowAmounts<'a> {
    /// The report's row: an amount for each slot of the set.
    pub row: &'a [Option<Decimal>],
    /// The rule's slots in the set ([`CheckedRule::slots()`]).
    pub slots: &'a [u32],
    /// The previous report's row, or why there is none.
    pub prior: Result<&'a [Option<Decimal>], NoPrior>,
}

impl<'a> RowAmounts<'a> {
    /// A rule's view of a row, without a previous report.
    pub fn new(rule: &'a CheckedRule, row: &'a [Option<Decimal>]) -> Self {
        RowAmounts {
            row,
            slots: &rule.slots,
            prior: Err(NoPrior::NoneEarlier),
        }
    }

    /// The same view with the previous report's row, or why there is none.
    pub fn with_prior(mut self, prior: Result<&'a [Option<Decimal>], NoPrior>) -> Self {
        self.prior = prior;
        self
    }
}

impl Amounts for RowAmounts<'_> {
    fn amount(&self, slot: usize) -> Option<Decimal> {
        let global = *self.slots.get(slot)?;
        self.row.get(global as usize).copied().flatten()
    }

    fn prior_report(&self) -> Result<(), NoPrior> {
        self.prior.map(|_| ())
    }

    fn prior(&self, slot: usize) -> Option<Decimal> {
        let global = *self.slots.get(slot)?;
        self.prior.ok()?.get(global as usize).copied().flatten()
    }

    fn row(&self) -> Option<&[Option<Decimal>]> {
        Some(self.row)
    }

    fn prior_row(&self) -> Option<&[Option<Decimal>]> {
        self.prior.ok()
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
    /// A line the catalogue declares a `total` is blank: unknown, not 0 (`true`: on the
    /// previous report).
    BlankTotal(LineCode, bool),
    /// The rule reads the previous report, and there is none.
    NoPrior(NoPrior),
}

/// Why a report has no previous report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoPrior {
    /// The report has no `as_of`.
    NoAsOf,
    /// No report of the same firm with an earlier `as_of` is in the run.
    NoneEarlier,
    /// More than one report of the firm has the latest earlier date.
    Ambiguous(Date),
    /// The firm's latest earlier report, of this date, could not be read.
    Unreadable(Date),
}

impl Skip {
    /// Why, in words: `all lines blank`, `not in force on 2020-07-31`.
    pub fn reason(self) -> String {
        match self {
            Skip::AllBlank => "all lines blank".to_owned(),
            Skip::ConditionFalse => "condition false".to_owned(),
            Skip::NotInForce(Some(date)) => format!("not in force on {date}"),
            Skip::NotInForce(None) => "not in force: the report has no as_of".to_owned(),
            Skip::BlankTotal(code, false) => format!("total line {code} is blank"),
            Skip::BlankTotal(code, true) => {
                format!("total line {code} is blank on the prior report")
            }
            Skip::NoPrior(NoPrior::NoAsOf) => "no prior report: the report has no as_of".to_owned(),
            Skip::NoPrior(NoPrior::NoneEarlier) => {
                "no prior report: no earlier report of the firm".to_owned()
            }
            Skip::NoPrior(NoPrior::Ambiguous(date)) => {
                format!("no prior report: more than one report of the firm as of {date}")
            }
            Skip::NoPrior(NoPrior::Unreadable(date)) => {
                format!("no prior report: the report of the firm as of {date} could not be read")
            }
        }
    }

    /// The stable name in machine output: `all_lines_blank`, `condition_false`,
    /// `not_in_force`, `blank_total`, `no_prior`.
    pub fn code(self) -> &'static str {
        match self {
            Skip::AllBlank => "all_lines_blank",
            Skip::ConditionFalse => "condition_false",
            Skip::NotInForce(_) => "not_in_force",
            Skip::BlankTotal(..) => "blank_total",
            Skip::NoPrior(_) => "no_prior",
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
    /// The tolerance in amount terms (a relative tolerance applied to the larger side;
    /// for `within rounding`, the larger reach of the band).
    pub tolerance: Value,
    /// For `within rounding`: what the rounding of the printed figures allows.
    pub band: Option<Band>,
    /// Each `round` on the way, in evaluation order.
    pub roundings: Vec<Rounding>,
}

/// What `within rounding` allows: every value the difference `left - right` could have
/// had before the figures were rounded to what the report prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Band {
    /// The least the true difference could be.
    pub low: Value,
    /// The most.
    pub high: Value,
    /// How many printed figures the rule read (each stands for half a unit either way).
    pub figures: usize,
}

impl Band {
    /// How far the band reaches below and above the printed difference `difference`.
    pub fn reach(&self, difference: Value) -> (Value, Value) {
        let below = difference.checked_sub(self.low).unwrap_or(Value::ZERO);
        let above = self.high.checked_sub(difference).unwrap_or(Value::ZERO);
        (below, above)
    }
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

/// Evaluate one rule on the amounts of a report: its status, with both sides and each
/// rounding on the way.
pub fn evaluate_rule<A: Amounts + ?Sized>(rule: &CheckedRule, amounts: &A, facts: Facts) -> Status {
    match run::<A, KeepSides>(rule, amounts, facts) {
        Decided::Skipped(skip) => Status::Skipped(skip),
        Decided::Error(error) => Status::Error(error),
        Decided::Holds(true, sides) => Status::Pass(sides),
        Decided::Holds(false, sides) => Status::Fail(sides),
    }
}

/// The same evaluation, keeping only the verdict: [`evaluate_rule`] without the sides, so
/// `verdict(…) == evaluate_rule(…).verdict()` by construction (one [`run`] decides both).
pub fn verdict<A: Amounts + ?Sized>(rule: &CheckedRule, amounts: &A, facts: Facts) -> Verdict {
    match run::<A, KeepVerdict>(rule, amounts, facts) {
        Decided::Skipped(skip) => Verdict::Skipped(skip),
        Decided::Error(_) => Verdict::Error,
        Decided::Holds(true, ()) => Verdict::Pass,
        Decided::Holds(false, ()) => Verdict::Fail,
    }
}

/// What [`run`] decided: a status whose sides are what the caller keeps.
enum Decided<S> {
    Skipped(Skip),
    Error(EvalError),
    /// Evaluated: whether the assertion holds, and its sides as kept.
    Holds(bool, S),
}

/// How much of an assertion's evaluation a caller keeps: the one place where the two
/// callers of [`run`] differ.
trait Keep {
    /// The sides kept.
    type Sides;
    /// Whether to record the roundings.
    const TRACE: bool;
    /// Whether the assertion holds, and its sides as kept.
    fn assess<A: Amounts + ?Sized>(
        ctx: &mut Context<'_, A>,
        rule: &CheckedRule,
    ) -> Result<(bool, Self::Sides), Failed>;
    /// The sides with the roundings of the assertion.
    fn keep_roundings(sides: Self::Sides, roundings: Vec<Rounding>) -> Self::Sides;
}

/// Both sides, the difference, the tolerance and each rounding ([`evaluate_rule`]).
struct KeepSides;

impl Keep for KeepSides {
    type Sides = Sides;
    const TRACE: bool = true;

    fn assess<A: Amounts + ?Sized>(
        ctx: &mut Context<'_, A>,
        rule: &CheckedRule,
    ) -> Result<(bool, Sides), Failed> {
        ctx.assertion(&rule.assertion, rule.tolerance)
    }

    fn keep_roundings(mut sides: Sides, roundings: Vec<Rounding>) -> Sides {
        sides.roundings = roundings;
        sides
    }
}

/// Only whether the assertion holds ([`verdict`]). A flat sum is summed on the fast
/// fraction path ([`linear`]): the same exact `left - right` in one pass of integer
/// arithmetic, compared by the same operator.
struct KeepVerdict;

impl Keep for KeepVerdict {
    type Sides = ();
    const TRACE: bool = false;

    fn assess<A: Amounts + ?Sized>(
        ctx: &mut Context<'_, A>,
        rule: &CheckedRule,
    ) -> Result<(bool, ()), Failed> {
        if let Some(sum) = rule
            .linear
            .as_ref()
            .and_then(|plan| linear::sum(plan, ctx.amounts, ctx.unit, ctx.prior_scale))
        {
            ctx.present = sum.present;
            return Ok((rule.assertion.op.holds(sum.ordering), ()));
        }
        ctx.assertion(&rule.assertion, rule.tolerance)
            .map(|(holds, _)| (holds, ()))
    }

    fn keep_roundings((): (), _: Vec<Rounding>) {}
}

/// The one evaluation of a rule: whether it is in force, its previous report, its
/// condition, its assertion, then whether it read only blank lines or a blank total.
fn run<A: Amounts + ?Sized, K: Keep>(
    rule: &CheckedRule,
    amounts: &A,
    facts: Facts,
) -> Decided<K::Sides> {
    if let Err(skip) = in_force(rule, facts.as_of) {
        return Decided::Skipped(skip);
    }
    if rule.reads_prior {
        if let Err(why) = amounts.prior_report() {
            return Decided::Skipped(Skip::NoPrior(why));
        }
    }
    let mut ctx = Context::new(rule, amounts, facts);
    ctx.trace = K::TRACE;
    if let Some(condition) = &rule.condition {
        match ctx.condition(condition) {
            Ok(true) => {}
            Ok(false) => return Decided::Skipped(Skip::ConditionFalse),
            Err(error) => return Decided::Error(*error),
        }
        ctx.roundings.clear();
    }
    // A rule whose assertion reads only blank lines is skipped, whatever its arithmetic
    // would come to. Evaluating reads every line of the assertion (nothing short-circuits),
    // so when it succeeds, whether it met an amount says whether all were blank.
    ctx.present = false;
    let evaluated = K::assess(&mut ctx, rule);
    let all_blank = rule.assertion_lines > 0
        && match evaluated {
            Ok(_) => !ctx.present,
            // The evaluation stopped part way: every line the assertion reads, on the report
            // or the previous report as it reads it.
            Err(_) => rule
                .assertion
                .reads()
                .into_iter()
                .all(|(slot, prior)| ctx.amount(slot, prior).is_none()),
        };
    if all_blank {
        return Decided::Skipped(Skip::AllBlank);
    }
    let blank = |&&(slot, prior): &&(usize, bool)| {
        let amount = if prior {
            amounts.prior(slot)
        } else {
            amounts.amount(slot)
        };
        amount.is_none()
    };
    if let Some(&(slot, prior)) = rule.total_reads().iter().find(blank) {
        if let Some(&code) = rule.lines.get(slot) {
            return Decided::Skipped(Skip::BlankTotal(code, prior));
        }
    }
    let roundings = std::mem::take(&mut ctx.roundings);
    match evaluated {
        Ok((holds, sides)) => Decided::Holds(holds, K::keep_roundings(sides, roundings)),
        Err(error) => Decided::Error(*error),
    }
}

/// The value of one expression of a rule on its amounts (blank counts as 0).
pub fn value_of<A: Amounts + ?Sized>(
    rule: &CheckedRule,
    node: &Node,
    amounts: &A,
    facts: Facts,
) -> Result<Value, EvalError> {
    Context::new(rule, amounts, facts)
        .value(node)
        .map_err(|error| *error)
}

/// Whether a rule's `when` condition holds on its amounts.
pub fn condition_holds<A: Amounts + ?Sized>(
    rule: &CheckedRule,
    condition: &Cond,
    amounts: &A,
    facts: Facts,
) -> Result<bool, EvalError> {
    Context::new(rule, amounts, facts)
        .condition(condition)
        .map_err(|error| *error)
}

/// An arithmetic error on the way: boxed, so a successful step returns a small value.
type Failed = Box<EvalError>;

struct Context<'a, A: ?Sized> {
    amounts: &'a A,
    rule: &'a CheckedRule,
    /// The unit the report is printed in: `$` constants are read in it.
    unit: Unit,
    /// What one unit of the previous report's money is in the report's unit, when not 1.
    prior_scale: Option<Value>,
    roundings: Vec<Rounding>,
    /// Whether to record the roundings.
    trace: bool,
    /// Whether a line read so far held an amount.
    present: bool,
}

impl<'a, A: Amounts + ?Sized> Context<'a, A> {
    fn new(rule: &'a CheckedRule, amounts: &'a A, facts: Facts) -> Self {
        Context {
            amounts,
            rule,
            unit: facts.unit,
            prior_scale: if rule.reads_prior {
                facts.prior_scale()
            } else {
                None
            },
            roundings: Vec::new(),
            trace: false,
            present: false,
        }
    }

    fn assertion(
        &mut self,
        comparison: &Comparison,
        tolerance: Option<(Within, Span)>,
    ) -> Result<(bool, Sides), Failed> {
        let left = self.value(&comparison.left)?;
        let right = self.value(&comparison.right)?;
        let difference = left.checked_sub(right);
        let overflow = |op: &'static str, l: Value, r: Value, span: Span| {
            Box::new(EvalError::Overflow {
                op,
                left: l,
                right: r,
                span,
            })
        };
        let (tolerance, band) = match tolerance {
            None => (Value::ZERO, None),
            Some((Within::Amount(money), span)) => {
                let amount = money
                    .in_unit(self.unit)
                    .ok_or_else(|| overflow("/", money.as_written(), self.unit.factor(), span))?;
                (amount, None)
            }
            Some((Within::Relative(ratio), span)) => {
                let larger = left.abs().max(right.abs());
                let amount = ratio
                    .checked_mul(larger)
                    .ok_or_else(|| overflow("within", ratio, larger, span))?;
                (amount, None)
            }
            Some((Within::Rounding, span)) => {
                let band = band::of(self, comparison, span)?;
                let reach = difference.map(|d| band.reach(d));
                let tolerance = reach.map_or(Value::ZERO, |(below, above)| below.max(above));
                (tolerance, Some(band))
            }
        };
        let holds = match band {
            Some(band) => band::holds(comparison.op, band),
            None => {
                // Within the tolerance, the sides count as equal (a tolerance is only
                // allowed on `=` and `!=`; on the others it is zero).
                let ordering = match difference {
                    Some(difference) if difference.abs() <= tolerance => Ordering::Equal,
                    Some(_) => left.cmp(&right),
                    None if tolerance.is_zero() => left.cmp(&right),
                    None => return Err(overflow("-", left, right, comparison.op_span)),
                };
                comparison.op.holds(ordering)
            }
        };
        let sides = Sides {
            left,
            right,
            difference,
            tolerance,
            band,
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
                comparison.op.holds(left.cmp(&right))
            }
        })
    }

    fn value(&mut self, node: &Node) -> Result<Value, Failed> {
        match node {
            Node::Line { slot, prior, span } => self.line(*slot, *prior, *span),
            Node::Const { value, span } => value.in_unit(self.unit).ok_or_else(|| {
                Box::new(EvalError::Overflow {
                    op: "/",
                    left: value.as_written(),
                    right: self.unit.factor(),
                    span: *span,
                })
            }),
            Node::Neg { inner, .. } => Ok(-self.value(inner)?),
            Node::Chain { first, rest, .. } => {
                let mut acc = self.value(first)?;
                for (op, span, operand) in rest {
                    // A line, the most common operand, is read in place.
                    let operand = match operand {
                        Node::Line { slot, prior, span } => self.line(*slot, *prior, *span)?,
                        _ => self.value(operand)?,
                    };
                    acc = apply(*op, acc, operand, *span)?;
                }
                Ok(acc)
            }
            Node::Call { func, args, span } => self.call(*func, args, *span),
        }
    }

    /// The amount on the line in `slot` (of the previous report, for `prior`) as the rule
    /// reads it ([`read`]); blank counts as 0.
    #[inline(always)]
    fn line(&mut self, slot: usize, prior: bool, span: Span) -> Result<Value, Failed> {
        if !self.rule.is_plain() {
            return self.line_read(slot, prior, span);
        }
        // The common case, kept small enough to inline: money of the report itself, read
        // as printed (`read::scale` is none).
        Ok(match self.amounts.amount(slot) {
            Some(amount) => {
                self.present = true;
                Value::from_decimal(amount)
            }
            None => Value::ZERO,
        })
    }

    /// [`line`](Self::line) for a rule with a percentage or ratio line, or one that reads
    /// the previous report.
    #[inline(never)]
    fn line_read(&mut self, slot: usize, prior: bool, span: Span) -> Result<Value, Failed> {
        let Some(amount) = self.amount(slot, prior) else {
            return Ok(Value::ZERO);
        };
        self.present = true;
        let scale = self.scale(slot, prior);
        read::value(amount, scale).ok_or_else(|| {
            Box::new(EvalError::Overflow {
                op: "*",
                left: Value::from_decimal(amount),
                right: scale.unwrap_or(Value::ONE),
                span,
            })
        })
    }

    /// The printed amount on the line in `slot`, of the report or the previous report.
    fn amount(&self, slot: usize, prior: bool) -> Option<Decimal> {
        if prior {
            self.amounts.prior(slot)
        } else {
            self.amounts.amount(slot)
        }
    }

    /// What one printed unit of the line in `slot` is worth to the rule ([`read::scale`]).
    fn scale(&self, slot: usize, prior: bool) -> Option<Value> {
        read::scale(self.rule.kind(slot), prior, self.prior_scale)
    }

    fn call(&mut self, func: Func, args: &[Node], span: Span) -> Result<Value, Failed> {
        if let Func::Round { places, mode } = func {
            return self.round(args, places, mode, span);
        }
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
            Func::Abs | Func::Round { .. } => first.abs(),
        })
    }

    /// `round(x, places)` or `round(x, step)`, as `mode` says.
    fn round(
        &mut self,
        args: &[Node],
        places: Option<u32>,
        mode: RoundMode,
        span: Span,
    ) -> Result<Value, Failed> {
        let (value, step) = match args {
            [value] => (self.value(value)?, None),
            [value, step, ..] => (self.value(value)?, Some(self.value(step)?)),
            [] => (Value::ZERO, None),
        };
        let to = rounded(value, places, step, mode).ok_or_else(|| {
            Box::new(EvalError::Overflow {
                op: "round",
                left: value,
                right: step.unwrap_or_else(|| Value::whole(i64::from(places.unwrap_or(0)))),
                span,
            })
        })?;
        if self.trace {
            self.roundings.push(Rounding {
                span,
                from: value,
                to,
            });
        }
        Ok(to)
    }
}

/// `value` rounded to `places` or to a multiple of `step`.
fn rounded(
    value: Value,
    places: Option<u32>,
    step: Option<Value>,
    mode: RoundMode,
) -> Option<Value> {
    match step {
        Some(step) => value.round_to(step, mode),
        None => value.round(places.unwrap_or(0), mode),
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
    use crate::compile::compile;
    use crossfoot_syntax as syntax;
    use crossfoot_syntax::source::Source;
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
        let set = compile(vec![(source, file)]).unwrap().rules;
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
        evaluate_rule(rule, amounts.as_slice(), Facts::default())
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
        // The product is exact in 38 digits; the values its rounding allows are not.
        let nines = "9999999999999999999999999999";
        let status = run(
            "7010 / 7020 = 7030 / 7040 within rounding",
            &[("7010", "1"), ("7020", nines), ("7030", "3"), ("7040", "7")],
        );
        assert!(
            matches!(status, Status::Error(EvalError::BandOverflow { .. })),
            "{status:?}"
        );
    }
}
