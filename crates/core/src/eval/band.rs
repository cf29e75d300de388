//! `within rounding`: what the rounding of the printed figures allows.
//!
//! Each figure a report prints stands for every value within half a unit of its last
//! printed digit (`1,043,796` in thousands for 1,043,795.5 to 1,043,796.5 thousand;
//! `59.99` for 59.985 to 59.995). A rule holds `within rounding` when some choice of those
//! values satisfies it. The values each side could take are tracked as an affine form: the
//! printed value, plus one term per figure (its coefficient times a number from −1 to 1),
//! plus a remainder for what non-linear steps add. A linear rule's band is then exact: half
//! a unit times the absolute coefficient of each figure, summed (a figure read twice is
//! counted once, with its coefficients combined). Through `max`, `min`, `abs`, `round` and
//! a product or quotient of two figures the band is the interval those steps can reach
//! (wider, never narrower, than the exact set), so a rule is never failed that its figures
//! could satisfy.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::{Amounts, Band, Context, EvalError, Failed, read, rounded};
use crate::compile::{Comparison, Func, Node};
use crate::eval::Value;
use crossfoot_syntax::ast::{BinOp, CmpOp};
use crossfoot_syntax::source::Span;

/// A value that is `center`, plus `Σ coefficient × e` over the figures (each `e` anywhere
/// in −1..=1, the same `e` wherever a figure is read), plus anything within `extra`.
#[derive(Clone, Debug)]
struct Affine {
    center: Value,
    /// The coefficient of each figure, by key: a map, so a sum of many figures adds each
    /// in logarithmic time.
    terms: BTreeMap<usize, Value>,
    extra: Value,
}

/// The band of `left - right` for a comparison, found as the rule is evaluated.
pub(super) fn of<A: Amounts + ?Sized>(
    ctx: &mut Context<'_, A>,
    comparison: &Comparison,
    span: Span,
) -> Result<Band, Failed> {
    let mut walk = Walk {
        ctx,
        span,
        absorbed: Vec::new(),
    };
    let left = walk.spread(&comparison.left)?;
    let right = walk.spread(&comparison.right)?;
    let difference = add(left, negate(right), span)?;
    let radius = difference.radius(span)?;
    // The figures the band stands on: those whose coefficients do not cancel, and those
    // taken into an interval on the way.
    let mut figures = walk.absorbed;
    figures.extend(
        difference
            .terms
            .iter()
            .filter(|(_, c)| !c.is_zero())
            .map(|(key, _)| *key),
    );
    figures.sort_unstable();
    figures.dedup();
    let figures = figures.len();
    Ok(Band {
        low: difference
            .center
            .checked_sub(radius)
            .ok_or_else(|| overflow(span))?,
        high: difference
            .center
            .checked_add(radius)
            .ok_or_else(|| overflow(span))?,
        figures,
    })
}

/// Whether some difference in the band satisfies the comparison: whether the operator
/// holds ([`CmpOp::holds`]) for one of the orderings a difference in the band can have.
pub(super) fn holds(op: CmpOp, band: Band) -> bool {
    let zero = Value::ZERO;
    let below = (band.low < zero).then_some(Ordering::Less);
    let equal = (band.low <= zero && zero <= band.high).then_some(Ordering::Equal);
    let above = (band.high > zero).then_some(Ordering::Greater);
    [below, equal, above]
        .into_iter()
        .flatten()
        .any(|ordering| op.holds(ordering))
}

struct Walk<'c, 'a, A: ?Sized> {
    ctx: &'c mut Context<'a, A>,
    /// The `within rounding` clause, where an overflow is reported.
    span: Span,
    /// The figures taken into an interval by a non-linear step, by key.
    absorbed: Vec<usize>,
}

impl<A: Amounts + ?Sized> Walk<'_, '_, A> {
    fn spread(&mut self, node: &Node) -> Result<Affine, Failed> {
        match node {
            Node::Line { slot, prior, span } => self.figure(*slot, *prior, *span),
            Node::Const { .. } => Ok(exact(self.ctx.value(node)?)),
            Node::Neg { inner, .. } => Ok(negate(self.spread(inner)?)),
            Node::Chain { first, rest, .. } => {
                let mut acc = self.spread(first)?;
                for (op, span, operand) in rest {
                    let operand = self.spread(operand)?;
                    acc = match op {
                        BinOp::Add => add(acc, operand, self.span)?,
                        BinOp::Sub => add(acc, negate(operand), self.span)?,
                        BinOp::Mul => mul(acc, operand, self.span)?,
                        BinOp::Div => {
                            if !operand.is_exact() {
                                self.absorbed.extend(acc.terms.keys().copied());
                                self.absorbed.extend(operand.terms.keys().copied());
                            }
                            div(acc, operand, *span)?
                        }
                    };
                }
                Ok(acc)
            }
            Node::Call { func, args, .. } => self.call(*func, args),
        }
    }

    /// A printed figure: its value, give or take half a unit of its last digit, both as
    /// the rule reads the line ([`read`](super::read)).
    fn figure(&mut self, slot: usize, prior: bool, span: Span) -> Result<Affine, Failed> {
        let value = self.ctx.line(slot, prior, span)?;
        let Some(amount) = self.ctx.amount(slot, prior) else {
            return Ok(exact(value));
        };
        let half = read::half_unit(amount, self.ctx.scale(slot, prior))
            .ok_or_else(|| overflow(self.span))?;
        let key = slot * 2 + usize::from(prior);
        Ok(Affine {
            center: value,
            terms: BTreeMap::from([(key, half)]),
            extra: Value::ZERO,
        })
    }

    fn call(&mut self, func: Func, args: &[Node]) -> Result<Affine, Failed> {
        let mut spread = Vec::with_capacity(args.len());
        for arg in args {
            spread.push(self.spread(arg)?);
        }
        let span = self.span;
        if func != Func::Sum {
            for value in &spread {
                self.absorbed.extend(value.terms.keys().copied());
            }
        }
        let mut values = spread.into_iter();
        let first = values.next().unwrap_or_else(|| exact(Value::ZERO));
        match func {
            Func::Sum => values.try_fold(first, |acc, next| add(acc, next, span)),
            Func::Max | Func::Min => {
                let (mut low, mut high) = first.interval(span)?;
                for next in values {
                    let (l, h) = next.interval(span)?;
                    (low, high) = if func == Func::Max {
                        (low.max(l), high.max(h))
                    } else {
                        (low.min(l), high.min(h))
                    };
                }
                from_interval(low, high, span)
            }
            Func::Abs => {
                let (low, high) = first.interval(span)?;
                if low >= Value::ZERO {
                    from_interval(low, high, span)
                } else if high <= Value::ZERO {
                    from_interval(-high, -low, span)
                } else {
                    from_interval(Value::ZERO, high.max(-low), span)
                }
            }
            Func::Round { places, mode } => {
                let step = values.next().map(|s| s.center);
                let (low, high) = first.interval(span)?;
                let low = rounded(low, places, step, mode).ok_or_else(|| overflow(span))?;
                let high = rounded(high, places, step, mode).ok_or_else(|| overflow(span))?;
                from_interval(low, high, span)
            }
        }
    }
}

fn exact(value: Value) -> Affine {
    Affine {
        center: value,
        terms: BTreeMap::new(),
        extra: Value::ZERO,
    }
}

fn overflow(span: Span) -> Failed {
    Box::new(EvalError::BandOverflow { span })
}

impl Affine {
    fn is_exact(&self) -> bool {
        self.terms.is_empty() && self.extra.is_zero()
    }

    /// How far the value can be from its center.
    fn radius(&self, span: Span) -> Result<Value, Failed> {
        self.terms
            .iter()
            .try_fold(self.extra, |acc, (_, c)| acc.checked_add(c.abs()))
            .ok_or_else(|| overflow(span))
    }

    fn interval(&self, span: Span) -> Result<(Value, Value), Failed> {
        let radius = self.radius(span)?;
        let low = self.center.checked_sub(radius);
        let high = self.center.checked_add(radius);
        low.zip(high).ok_or_else(|| overflow(span))
    }

    /// The form times a constant.
    fn scaled(self, by: Value, span: Span) -> Result<Affine, Failed> {
        let terms: Option<BTreeMap<_, _>> = self
            .terms
            .into_iter()
            .map(|(figure, c)| Some((figure, c.checked_mul(by)?)))
            .collect();
        Ok(Affine {
            center: self.center.checked_mul(by).ok_or_else(|| overflow(span))?,
            terms: terms.ok_or_else(|| overflow(span))?,
            extra: self
                .extra
                .checked_mul(by.abs())
                .ok_or_else(|| overflow(span))?,
        })
    }
}

fn from_interval(low: Value, high: Value, span: Span) -> Result<Affine, Failed> {
    let two = Value::whole(2);
    let center = low
        .checked_add(high)
        .and_then(|sum| sum.checked_div(two))
        .ok_or_else(|| overflow(span))?;
    let extra = high
        .checked_sub(low)
        .and_then(|width| width.checked_div(two))
        .ok_or_else(|| overflow(span))?;
    Ok(Affine {
        center,
        terms: BTreeMap::new(),
        extra,
    })
}

fn negate(form: Affine) -> Affine {
    Affine {
        center: -form.center,
        terms: form.terms.into_iter().map(|(f, c)| (f, -c)).collect(),
        extra: form.extra,
    }
}

fn add(a: Affine, b: Affine, span: Span) -> Result<Affine, Failed> {
    // The smaller form's terms go into the larger's: a long sum stays linear-logarithmic.
    let (mut a, b) = if a.terms.len() < b.terms.len() {
        (b, a)
    } else {
        (a, b)
    };
    a.center = a
        .center
        .checked_add(b.center)
        .ok_or_else(|| overflow(span))?;
    a.extra = a.extra.checked_add(b.extra).ok_or_else(|| overflow(span))?;
    for (figure, c) in b.terms {
        let existing = a.terms.entry(figure).or_insert(Value::ZERO);
        *existing = existing.checked_add(c).ok_or_else(|| overflow(span))?;
    }
    Ok(a)
}

fn mul(a: Affine, b: Affine, span: Span) -> Result<Affine, Failed> {
    if b.is_exact() {
        return a.scaled(b.center, span);
    }
    if a.is_exact() {
        return b.scaled(a.center, span);
    }
    let (ra, rb) = (a.radius(span)?, b.radius(span)?);
    let cross = ra.checked_mul(rb);
    let extra = a
        .center
        .abs()
        .checked_mul(b.extra)
        .zip(b.center.abs().checked_mul(a.extra))
        .and_then(|(x, y)| x.checked_add(y))
        .zip(cross)
        .and_then(|(x, y)| x.checked_add(y))
        .ok_or_else(|| overflow(span))?;
    let (ca, cb) = (a.center, b.center);
    let left = Affine {
        extra: Value::ZERO,
        ..a
    }
    .scaled(cb, span)?;
    let right = Affine {
        center: Value::ZERO,
        extra: Value::ZERO,
        ..b
    }
    .scaled(ca, span)?;
    let mut product = add(left, right, span)?;
    product.extra = extra;
    Ok(product)
}

fn div(a: Affine, b: Affine, span: Span) -> Result<Affine, Failed> {
    if b.is_exact() {
        let reciprocal = Value::ONE
            .checked_div(b.center)
            .ok_or(EvalError::DivisionByZero {
                dividend: a.center,
                span,
            })
            .map_err(Box::new)?;
        return a.scaled(reciprocal, span);
    }
    let (bl, bh) = b.interval(span)?;
    if bl <= Value::ZERO && Value::ZERO <= bh {
        return Err(Box::new(EvalError::UnboundedBand { span }));
    }
    let (al, ah) = a.interval(span)?;
    let mut corners = Vec::with_capacity(4);
    for x in [al, ah] {
        for y in [bl, bh] {
            corners.push(x.checked_div(y).ok_or_else(|| overflow(span))?);
        }
    }
    let low = corners.iter().copied().min().unwrap_or(Value::ZERO);
    let high = corners.iter().copied().max().unwrap_or(Value::ZERO);
    from_interval(low, high, span)
}
