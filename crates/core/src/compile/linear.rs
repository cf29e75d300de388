//! The fast fraction path: a flat linear rule's verdict from its amounts' digits, in one
//! pass of integer arithmetic.
//!
//! Most rules of a form are sums: `7190 = 7180 - 7060`, `7040 = 7010 + 7020 + 7030`,
//! `7425 = 8% * 7415` or `7050 >= $0`. For such a rule `left - right` is
//! `Σ cᵢ × lineᵢ + k`, and its sign decides the verdict. The plan keeps each term as it is
//! written (a line, a ratio constant times a line, a `$` constant), its coefficient over a
//! common denominator, and the evaluator sums the printed mantissas scaled to one number of
//! decimals, in `i128`.
//!
//! The plan is made here, where the rule set numbers its lines (and again for a changed
//! copy of a rule), and run by the evaluator (`eval::linear`). It is a step inside the one
//! evaluator, not a second one: it gives only the ordering of the two sides (and whether
//! any line it read held an amount), and the evaluator decides the rest as for any rule
//! (in force, condition, blank lines and totals, the operator). Every value is exact, so
//! the sum is the exact difference the tree walk computes; the plan is made only where the
//! walk's every intermediate value is one of the plan's partial sums (a flat sum of such
//! terms), and it sums in a range where those cannot overflow either. A `round` of a line
//! (or of a ratio times a line, to places), and a `max` or `min` of lines, is a piece whose
//! value comes from the very functions the walk calls ([`Value::round`], [`Value::max`], …)
//! and is added in exactly. A line of the previous report is a term too, where the two
//! reports are printed in one unit. Past that range, and for anything else (a tolerance, a
//! previous report in another unit, a percentage line, a step, `abs`), the evaluator walks
//! the tree.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use super::{CheckedRule, Constant, Func, Money, Node};
use crate::unit::Unit;
use crossfoot_syntax::ast::{BinOp, LineKind};
use crossfoot_syntax::number::{RoundMode, Value};

/// A rule as a flat sum: `left - right` is `(Σ coefficientᵢ × lineᵢ + k) / d` for a common
/// denominator `d > 0`, so the sum's sign is the sides' ordering.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    /// Each written read of a line, with its coefficient over the common denominator.
    terms: Vec<Term>,
    /// Each `round`, `max` or `min` of lines, with its coefficient.
    pieces: Vec<Piece>,
    /// The `$` constants of `left - right`, summed, with their signs, times the common
    /// denominator, as a report in each unit of [`Unit::ALL`] reads them: (mantissa,
    /// decimal places). `None` where that has no exact decimal (the walk decides).
    constant: [Option<(i128, u32)>; 4],
    /// The most the sum's magnitude can reach while every amount has the decimals of the
    /// first and a mantissa within `i64`: the constant's magnitude plus each term's most.
    reach: i128,
    /// Whether a term reads the previous report.
    reads_prior: bool,
}

/// One written read of a line: the rule's slot, the row's, whether of the previous
/// report, and the coefficient.
#[derive(Clone, Copy, Debug)]
struct Term {
    slot: usize,
    global: u32,
    prior: bool,
    coefficient: i64,
}

/// A `round`, `max` or `min` of lines: its value on a report comes from the functions the
/// walk calls ([`Value::from_decimal`], [`Value::checked_mul`], [`Value::round`],
/// [`Value::max`], [`Value::min`]), so it is the walk's value; the plan only adds it in.
#[derive(Clone, Debug)]
struct Piece {
    kind: PieceKind,
    /// The lines read: (the rule's slot, the row's).
    reads: Vec<(usize, u32)>,
    /// The sign times the common denominator.
    coefficient: i64,
}

#[derive(Clone, Copy, Debug)]
enum PieceKind {
    /// `round(ratio × line, places)` in `mode`.
    Round {
        ratio: Value,
        places: u32,
        mode: RoundMode,
    },
    /// The greatest of the lines (blank is 0).
    Max,
    /// The least.
    Min,
}

impl Piece {
    /// The piece's value on amounts read by `amount`, and whether a line held one; `None`
    /// where the walk's own step has no exact result (the walk then says so).
    fn value(
        &self,
        amount: &impl Fn(usize, u32, bool) -> Option<Decimal>,
    ) -> Option<(Value, bool)> {
        let mut present = false;
        let mut values = self.reads.iter().map(|&(slot, global)| {
            let read = amount(slot, global, false);
            present |= read.is_some();
            read.map_or(Value::ZERO, Value::from_decimal)
        });
        let first = values.next()?;
        let value = match self.kind {
            PieceKind::Round {
                ratio,
                places,
                mode,
            } => ratio.checked_mul(first)?.round(places, mode)?,
            PieceKind::Max => values.fold(first, Value::max),
            PieceKind::Min => values.fold(first, Value::min),
        };
        Some((value, present))
    }
}

/// What the plan found on a report: how `left` compares with `right`, and whether any line
/// read held an amount.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sum {
    pub(crate) ordering: Ordering,
    pub(crate) present: bool,
}

/// The most the sum of the terms' magnitudes may reach for the plan to decide: well inside
/// `i128`, so neither the plan nor the walk can overflow on the way.
const BOUND: i128 = 10i128.pow(37);

/// The largest common denominator and coefficient a plan keeps.
const MAX_DENOMINATOR: i128 = 1_000_000_000;
const MAX_COEFFICIENT: i128 = 1_000_000_000_000;

impl Plan {
    /// The plan of a rule without a tolerance whose lines are all money and whose
    /// assertion is a flat sum; `None` for any other, and for a rule whose lines have no
    /// row slots yet. Made where the rule set numbers its lines, and again for every
    /// changed copy of a rule (a mutant). A line of the previous report is a term like any
    /// other; the evaluator takes the plan only where it reads such a line as printed
    /// ([`Plan::reads_prior`]).
    pub(crate) fn of(rule: &CheckedRule) -> Option<Plan> {
        let money = (0..rule.lines.len()).all(|slot| rule.kind(slot) == LineKind::Money);
        if !money || rule.tolerance.is_some() {
            return None;
        }
        let mut terms = Terms::default();
        terms.side(&rule.assertion.left, 1)?;
        terms.side(&rule.assertion.right, -1)?;
        if terms.lines.is_empty() && terms.pieces.is_empty() {
            return None;
        }
        let mut denominator: i128 = 1;
        for (_, _, (_, q)) in &terms.lines {
            denominator = lcm(denominator, *q)?;
            if denominator > MAX_DENOMINATOR {
                return None;
            }
        }
        let mut scaled = Vec::with_capacity(terms.lines.len());
        let mut reach: i128 = 0;
        let reads_prior = terms.lines.iter().any(|&(_, prior, _)| prior);
        for (slot, prior, (p, q)) in terms.lines {
            let coefficient = p.checked_mul(denominator / q)?;
            if coefficient.abs() > MAX_COEFFICIENT {
                return None;
            }
            reach = reach.checked_add(coefficient.abs().checked_mul(i128::from(i64::MAX))?)?;
            scaled.push(Term {
                slot,
                global: *rule.slots.get(slot)?,
                prior,
                coefficient: i64::try_from(coefficient).ok()?,
            });
        }
        let mut pieces = Vec::with_capacity(terms.pieces.len());
        for (kind, slots, sign) in terms.pieces {
            let reads = slots
                .into_iter()
                .map(|slot| Some((slot, *rule.slots.get(slot)?)))
                .collect::<Option<Vec<_>>>()?;
            let coefficient = i64::try_from(sign.checked_mul(denominator)?).ok()?;
            pieces.push(Piece {
                kind,
                reads,
                coefficient,
            });
        }
        let constant = Unit::ALL.map(|unit| match terms.constant {
            None => Some((0, 0)),
            Some(money) => {
                let times = money
                    .in_unit(unit)?
                    .checked_mul(Value::whole(i64::try_from(denominator).ok()?))?;
                let decimal = times.to_decimal()?;
                Some((decimal.mantissa(), decimal.scale()))
            }
        });
        Some(Plan {
            terms: scaled,
            pieces,
            constant,
            reach,
            reads_prior,
        })
    }

    /// Whether a term reads the previous report: the plan then needs its row, and its
    /// money read as printed.
    pub(crate) fn reads_prior(&self) -> bool {
        self.reads_prior
    }

    /// How the sides compare on a report's row (the rule set's slots) printed in `unit`,
    /// and its previous report's row, when the sum stays in range.
    #[inline]
    pub(crate) fn sum_row(
        &self,
        row: &[Option<Decimal>],
        prior: &[Option<Decimal>],
        unit: Unit,
    ) -> Option<Sum> {
        self.sum_of(unit, |_, global, of_prior| {
            let row = if of_prior { prior } else { row };
            row.get(global as usize).copied().flatten()
        })
    }

    /// How the sides compare on amounts read by the rule's own slots, printed in `unit`,
    /// when the sum stays in range: the same amounts as [`sum_row`](Plan::sum_row) reads
    /// by the row's slots.
    #[inline]
    pub(crate) fn sum_slots(
        &self,
        amount: impl Fn(usize, bool) -> Option<Decimal>,
        unit: Unit,
    ) -> Option<Sum> {
        self.sum_of(unit, |slot, _, prior| amount(slot, prior))
    }

    /// The sum, reading each line by (the rule's slot, the row's, whether of the previous
    /// report).
    #[inline]
    fn sum_of(
        &self,
        unit: Unit,
        amount: impl Fn(usize, u32, bool) -> Option<Decimal>,
    ) -> Option<Sum> {
        let (constant, places) = (*self.constant.get(unit.index())?)?;
        let mut sum = Accumulator::new(constant, places, self.reach)?;
        let mut present = false;
        for term in &self.terms {
            if let Some(amount) = amount(term.slot, term.global, term.prior) {
                present = true;
                sum.add(amount.mantissa(), amount.scale(), term.coefficient)?;
            }
        }
        for piece in &self.pieces {
            let (value, read) = piece.value(&amount)?;
            present |= read;
            let (mantissa, places) = decimal_parts(value)?;
            sum.add_counted(mantissa, places, piece.coefficient)?;
        }
        Some(Sum {
            ordering: sum.total.cmp(&0),
            present,
        })
    }
}

/// A value as (mantissa, decimal places), when its denominator is a power of ten (every
/// piece's is: a printed amount, or one rounded to places).
fn decimal_parts(value: Value) -> Option<(i128, u32)> {
    let (num, den) = value.parts();
    let mut places = 0;
    let mut power: i128 = 1;
    while power < den {
        power = power.checked_mul(10)?;
        places += 1;
    }
    (power == den).then_some((num, places))
}

/// A running sum of scaled mantissas at the most decimal places seen. `bound` is at least
/// the sum of the magnitudes added so far (and of those the plan's reach allows for): the
/// common case adds without counting, since the reach covers it; a rescaled sum or a wide
/// mantissa counts exactly, and past [`BOUND`] the walk decides.
struct Accumulator {
    total: i128,
    bound: i128,
    places: u32,
}

impl Accumulator {
    fn new(constant: i128, places: u32, reach: i128) -> Option<Accumulator> {
        let bound = constant.checked_abs()?.checked_add(reach)?;
        (bound <= BOUND).then_some(Accumulator {
            total: constant,
            bound,
            places,
        })
    }

    /// Adds `coefficient × mantissa / 10^places`.
    #[inline]
    fn add(&mut self, mantissa: i128, places: u32, coefficient: i64) -> Option<()> {
        match i64::try_from(mantissa) {
            // The common case: the plan's reach, counted in `bound`, covers this term, and
            // `bound` is within `BOUND`, so neither the product nor the sum can overflow.
            Ok(small) if places == self.places => {
                self.total += i128::from(small) * i128::from(coefficient);
                Some(())
            }
            _ => self.add_counted(mantissa, places, coefficient),
        }
    }

    /// [`add`](Self::add) for an amount with other decimal places than the sum so far (the
    /// one with fewer is scaled up) or a mantissa past `i64`: every step checked, its
    /// magnitude counted.
    #[cold]
    fn add_counted(&mut self, mantissa: i128, places: u32, coefficient: i64) -> Option<()> {
        if places > self.places {
            let up = ten(places - self.places)?;
            self.total = self.total.checked_mul(up)?;
            self.bound = self.bound.checked_mul(up)?;
            self.places = places;
        }
        let term = mantissa
            .checked_mul(i128::from(coefficient))?
            .checked_mul(ten(self.places - places)?)?;
        self.total = self.total.checked_add(term)?;
        self.bound = self.bound.checked_add(term.checked_abs()?)?;
        (self.bound <= BOUND).then_some(())
    }
}

/// The written terms of `left - right`, as a flat sum.
#[derive(Default)]
struct Terms {
    /// (slot, whether of the previous report, (numerator, denominator)) per written read
    /// of a line.
    lines: Vec<(usize, bool, (i128, i128))>,
    /// (kind, the slots it reads, sign) per `round`, `max` or `min` piece.
    pieces: Vec<(PieceKind, Vec<usize>, i128)>,
    constant: Option<Money>,
}

impl Terms {
    /// The terms of `node`, with `sign` (+1 or -1); `None` when it is not a flat sum.
    fn side(&mut self, node: &Node, sign: i128) -> Option<()> {
        match node {
            Node::Line { slot, prior, .. } => self.lines.push((*slot, *prior, (sign, 1))),
            Node::Const {
                value: Constant::Money(money),
                ..
            } => {
                let value = money.as_written();
                let signed = if sign < 0 { -value } else { value };
                let sum = match self.constant {
                    Some(other) => other.as_written().checked_add(signed)?,
                    None => signed,
                };
                self.constant = Some(Money::new(sum));
            }
            Node::Neg { inner, .. } => self.side(inner, -sign)?,
            Node::Chain { first, rest, .. } if rest.iter().all(|(op, ..)| op.is_additive()) => {
                self.side(first, sign)?;
                for (op, _, operand) in rest {
                    let sign = if *op == BinOp::Sub { -sign } else { sign };
                    self.side(operand, sign)?;
                }
            }
            Node::Chain { first, rest, .. } => self.product(first, rest, sign)?,
            Node::Call {
                func: Func::Sum,
                args,
                ..
            } => {
                for arg in args {
                    self.side(arg, sign)?;
                }
            }
            Node::Call { func, args, .. } => self.piece(*func, args, sign)?,
            _ => return None,
        }
        Some(())
    }

    /// `c * line`, `line * c` or `line / c` with `c` a ratio constant: one line, one
    /// factor, so the walk's product is the term itself.
    fn product(
        &mut self,
        first: &Node,
        rest: &[(BinOp, crossfoot_syntax::source::Span, Node)],
        sign: i128,
    ) -> Option<()> {
        let (slot, prior, p, q) = scaled_line(first, rest)?;
        self.lines.push((slot, prior, (p.checked_mul(sign)?, q)));
        Some(())
    }

    /// `round(line)` or `round(c * line, places)` (any mode, no step), or `max`/`min` of
    /// lines: a piece whose value the plan computes with the walk's own functions.
    fn piece(&mut self, func: Func, args: &[Node], sign: i128) -> Option<()> {
        let kind = match (func, args) {
            (
                Func::Round {
                    places: Some(places),
                    mode,
                },
                [inner],
            ) => {
                let (slot, p, q) = match inner {
                    Node::Line {
                        slot, prior: false, ..
                    } => (*slot, 1, 1),
                    Node::Chain { first, rest, .. } => match scaled_line(first, rest)? {
                        (slot, false, p, q) => (slot, p, q),
                        (_, true, ..) => return None,
                    },
                    _ => return None,
                };
                let ratio = Value::fraction(p, q)?;
                self.pieces.push((
                    PieceKind::Round {
                        ratio,
                        places,
                        mode,
                    },
                    vec![slot],
                    sign,
                ));
                return Some(());
            }
            (Func::Max, _) => PieceKind::Max,
            (Func::Min, _) => PieceKind::Min,
            _ => return None,
        };
        let slots = args
            .iter()
            .map(|arg| match arg {
                Node::Line {
                    slot, prior: false, ..
                } => Some(*slot),
                _ => None,
            })
            .collect::<Option<Vec<usize>>>()?;
        if slots.is_empty() {
            return None;
        }
        self.pieces.push((kind, slots, sign));
        Some(())
    }
}

/// `c * line`, `line * c` or `line / c` with `c` a ratio constant, as (slot, whether of
/// the previous report, p, q) with `p / q` the factor and `q > 0`.
fn scaled_line(
    first: &Node,
    rest: &[(BinOp, crossfoot_syntax::source::Span, Node)],
) -> Option<(usize, bool, i128, i128)> {
    let [(op, _, second)] = rest else {
        return None;
    };
    let (line, ratio, divide) = match (first, second, op) {
        (
            line @ Node::Line { .. },
            Node::Const {
                value: Constant::Ratio(c),
                ..
            },
            BinOp::Mul,
        ) => (line, *c, false),
        (
            line @ Node::Line { .. },
            Node::Const {
                value: Constant::Ratio(c),
                ..
            },
            BinOp::Div,
        ) => (line, *c, true),
        (
            Node::Const {
                value: Constant::Ratio(c),
                ..
            },
            line @ Node::Line { .. },
            BinOp::Mul,
        ) => (line, *c, false),
        _ => return None,
    };
    let Node::Line { slot, prior, .. } = line else {
        return None;
    };
    let (p, q) = ratio.parts();
    let (p, q) = if divide { (q, p) } else { (p, q) };
    if p == 0 && divide {
        return None;
    }
    Some(if q < 0 {
        (*slot, *prior, -p, -q)
    } else {
        (*slot, *prior, p, q)
    })
}

/// 10^places, within `i128`.
fn ten(places: u32) -> Option<i128> {
    10i128.checked_pow(places)
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

fn lcm(a: i128, b: i128) -> Option<i128> {
    let g = gcd(a, b);
    if g == 0 {
        return Some(0);
    }
    (a / g).checked_mul(b)
}
