//! The compiler: one checked rule → SMT-LIB terms for its verdict, decided the way the
//! evaluator decides it (`crossfoot_core::eval`).
//!
//! Every line is read through the evaluator's one reading ([`read::scale`]): a line's
//! printed amount is a real variable (`v_7010`, `pv_7010` on the previous report) with a
//! boolean saying it is blank (`b_7010`; a blank line counts as 0); a percentage line is
//! read as its ratio, money of the previous report in this report's unit. The report's
//! unit is a variable too (`u`, the index in [`Unit::ALL`]; `pu` for the previous
//! report's), so a `$` constant is a choice among its four readings and one query covers
//! every unit. The verdict follows [`eval`]'s order: in force (decided before the solver
//! is asked), previous report, condition (with its short-circuits), then the assertion,
//! all-blank, blank totals, arithmetic errors, and whether it holds.
//!
//! What is decided exactly: sums, constants times lines, division by a constant, `round`
//! in every mode and step (an integer floor, `to_int`), `max`, `min`, `abs`, conditions,
//! every tolerance (`within rounding` on a rule that is linear in its lines), totals,
//! previous reports and units. A product or quotient of two lines is written as it is
//! (non-linear): the solver may still decide it, or say `unknown`. Not modelled: the
//! 38-digit limit of exact values (an overflow is an evaluation error `check` can reach
//! and the solver cannot), so every result holds for reports whose arithmetic fits.
//!
//! [`read::scale`]: crossfoot_core::eval::read::scale
//! [`eval`]: crossfoot_core::eval

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crossfoot_core::compile::{CheckedRule, Comparison, Cond, Func, Node, Within};
use crossfoot_core::eval::read;
use crossfoot_core::unit::Unit;
use crossfoot_syntax::ast::{BinOp, CmpOp, LineKind};
use crossfoot_syntax::line::LineCode;
use crossfoot_syntax::number::{RoundMode, Value};

use crate::smt::{self, and, not, or, real};

/// A line the terms read: its code, whether on the previous report, and whether its
/// printed decimals matter (`within rounding`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Read {
    /// The line.
    pub code: LineCode,
    /// On the previous report.
    pub prior: bool,
}

/// One rule compiled: the `define-fun`s of its verdict, named after `name`.
#[derive(Clone, Debug)]
pub struct Encoded {
    /// The definitions, in order.
    pub defs: String,
    /// The lines read.
    pub reads: Vec<Read>,
    /// The lines whose printed decimals the verdict depends on, with what they hold.
    pub decimals: Vec<(Read, LineKind)>,
    /// Whether a product or quotient of two lines is in it: the solver may answer
    /// `unknown`.
    pub nonlinear: bool,
    /// Whether some report could reach an evaluation error (a division by a line).
    pub may_error: bool,
    /// The report's globals the verdict depends on.
    pub mentions: Mentions,
}

/// Which of the report's globals some terms read: its unit (`u`), the previous
/// report's unit (`pu`), whether there is a previous report (`has_prior`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mentions {
    /// `u`.
    pub unit: bool,
    /// `pu`.
    pub prior_unit: bool,
    /// `has_prior`.
    pub has_prior: bool,
}

impl Mentions {
    /// What the text of some terms reads, with lines of the previous report (whose
    /// declarations and printed decimals read all three).
    fn of(text: &str, reads: &[Read]) -> Mentions {
        let mut mentions = Mentions::default();
        for token in text.split(|c: char| c == '(' || c == ')' || c.is_whitespace()) {
            match token {
                "u" => mentions.unit = true,
                "pu" => mentions.prior_unit = true,
                "has_prior" => mentions.has_prior = true,
                _ => {}
            }
        }
        if reads.iter().any(|read| read.prior) {
            mentions = Mentions {
                unit: true,
                prior_unit: true,
                has_prior: true,
            };
        }
        mentions
    }

    /// What either reads.
    pub fn or(self, other: Mentions) -> Mentions {
        Mentions {
            unit: self.unit || other.unit,
            prior_unit: self.prior_unit || other.prior_unit,
            has_prior: self.has_prior || other.has_prior,
        }
    }
}

/// The names of a rule's verdict terms.
pub fn term(name: &str, what: &str) -> String {
    format!("{name}_{what}")
}

/// Why a rule has no exact encoding: it is left out and its questions are `unknown`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsupported(pub String);

/// Compile a rule's verdict into definitions named `NAME_pass`, `NAME_fail`, `NAME_skip`,
/// `NAME_err`, `NAME_eval` (the assertion is evaluated) and `NAME_cond` (the condition
/// holds, without error).
pub fn rule(rule: &CheckedRule, name: &str) -> Result<Encoded, Unsupported> {
    let mut compiler = Compiler {
        rule,
        reads: Vec::new(),
        decimals: Vec::new(),
        nonlinear: false,
    };
    let (cond_err, cond_val) = match rule.condition() {
        Some(condition) => compiler.condition(condition)?,
        None => ("false".to_owned(), "true".to_owned()),
    };
    let comparison = rule.assertion();
    let left = compiler.expr(&comparison.left)?;
    let right = compiler.expr(&comparison.right)?;
    let holds = match rule.tolerance() {
        None => ordered(comparison.op, &left.text, &right.text, "false"),
        Some(Within::Amount(money)) => {
            let tolerance = per_unit(|unit| money.in_unit(unit))?;
            let within = format!(
                "(<= (abs_ (- {} {})) {})",
                left.text,
                right.text,
                unit_choice(|i| real(at(&tolerance, i)))
            );
            ordered(comparison.op, &left.text, &right.text, &within)
        }
        Some(Within::Relative(ratio)) => {
            let within = format!(
                "(<= (abs_ (- {l} {r})) (* {k} (max_ (abs_ {l}) (abs_ {r}))))",
                l = left.text,
                r = right.text,
                k = real(*ratio)
            );
            ordered(comparison.op, &left.text, &right.text, &within)
        }
        Some(Within::Rounding) => compiler.band(comparison, &left.text, &right.text)?,
    };
    let assert_err = or(&[left.err, right.err]);
    let all_blank = if rule.assertion_lines() > 0 {
        let reads = comparison.reads();
        and(&reads
            .iter()
            .map(|&(slot, prior)| compiler.blank(slot, prior))
            .collect::<Result<Vec<_>, _>>()?)
    } else {
        "false".to_owned()
    };
    let blank_total = or(&rule
        .total_reads()
        .iter()
        .map(|&(slot, prior)| compiler.blank(slot, prior))
        .collect::<Result<Vec<_>, _>>()?);
    let no_prior = if rule.reads_prior() {
        "(not has_prior)".to_owned()
    } else {
        "false".to_owned()
    };
    let may_error = assert_err != "false" || cond_err != "false";
    let mut defs = String::new();
    let mut define = |what: &str, body: &str| {
        let _ = writeln!(defs, "(define-fun {} () Bool {body})", term(name, what));
    };
    define("np", &no_prior);
    define("ce", &cond_err);
    define("cv", &cond_val);
    define("ab", &all_blank);
    define("bt", &blank_total);
    define("ae", &assert_err);
    define("h", &holds);
    let t = |what: &str| term(name, what);
    define(
        "cond",
        &format!("(and (not {}) (not {}) {})", t("np"), t("ce"), t("cv")),
    );
    define(
        "eval",
        &format!("(and {} (not {}) (not {}))", t("cond"), t("ab"), t("bt")),
    );
    define(
        "pass",
        &format!("(and {} (not {}) {})", t("eval"), t("ae"), t("h")),
    );
    define(
        "fail",
        &format!("(and {} (not {}) (not {}))", t("eval"), t("ae"), t("h")),
    );
    define(
        "err",
        &format!(
            "(or (and (not {}) {}) (and {} {}))",
            t("np"),
            t("ce"),
            t("eval"),
            t("ae")
        ),
    );
    define(
        "skip",
        &format!(
            "(and (not {}) (not {}) (not {}))",
            t("pass"),
            t("fail"),
            t("err")
        ),
    );
    let mut reads = compiler.reads;
    reads.sort();
    reads.dedup();
    let mut decimals = compiler.decimals;
    decimals.sort_by_key(|(read, kind)| (*read, kind_letter(*kind)));
    decimals.dedup();
    let mentions = Mentions::of(&defs, &reads);
    Ok(Encoded {
        defs,
        reads,
        decimals,
        nonlinear: compiler.nonlinear,
        may_error,
        mentions,
    })
}

/// The definitions every rule's terms use: `abs_` and `max_` of reals.
pub const PRELUDE: &str = "(define-fun abs_ ((x Real)) Real (ite (>= x 0.0) x (- x)))\n(define-fun max_ ((x Real) (y Real)) Real (ite (>= x y) x y))\n(define-fun min_ ((x Real) (y Real)) Real (ite (<= x y) x y))\n";

/// The declarations of a line's variables and what ties them: a blank line is 0, and a
/// line of the previous report is blank when there is none.
pub fn declare(read: Read) -> String {
    let (v, b) = (
        smt::amount(read.code, read.prior),
        smt::blank(read.code, read.prior),
    );
    let mut text = format!(
        "(declare-const {v} Real)\n(declare-const {b} Bool)\n(assert (=> {b} (= {v} 0.0)))\n"
    );
    if read.prior {
        let _ = writeln!(text, "(assert (=> (not has_prior) {b}))");
    }
    text
}

/// The declarations of half a printed unit of a line, for `within rounding`: `e` is half
/// a unit of the last digit the line is printed with (0.5 for `1043796`, 0.005 for
/// `59.99`), and `h…` the same as the rule reads the line ([`read::half_unit`]); 0 for a
/// blank line. `e` is any amount from 0 to one half, not only those of a decimal place:
/// the reports the solver ranges over include every real one, so a proof is a proof,
/// and a model is a witness only once the engine confirms it.
/// `e` is declared when `first` (once per line, whatever kinds rules read it as).
pub fn declare_decimals(read: Read, kind: LineKind, first: bool) -> String {
    let b = smt::blank(read.code, read.prior);
    let e = smt::decimals(read.code, read.prior);
    let mut text = String::new();
    if first {
        let _ = writeln!(
            text,
            "(declare-const {e} Real)\n(assert (ite {b} (= {e} 0.0) (and (> {e} 0.0) (<= {e} 0.5))))"
        );
    }
    let scaled = match kind {
        LineKind::Percent => format!("(* {} {e})", real(Value::HUNDREDTH)),
        LineKind::Money if read.prior => prior_scaled(&e),
        LineKind::Money | LineKind::Ratio => e,
    };
    let _ = writeln!(
        text,
        "(define-fun {} () Real {scaled})",
        half_name(read, kind)
    );
    text
}

/// The name of half a printed unit of a line, as a line of `kind` reads it.
fn half_name(read: Read, kind: LineKind) -> String {
    format!(
        "{}h{}_{}",
        if read.prior { "p" } else { "" },
        kind_letter(kind),
        read.code
    )
}

/// A letter for what a line holds, in names.
fn kind_letter(kind: LineKind) -> char {
    match kind {
        LineKind::Money => 'm',
        LineKind::Percent => 'p',
        LineKind::Ratio => 'r',
    }
}

/// `term` in the previous report's unit, read in this report's: times 1,000 for each
/// step the previous unit is above this one ([`read::scale`] of money of the previous
/// report).
fn prior_scaled(term: &str) -> String {
    let mut text = String::new();
    let mut closing = String::new();
    let shifts: Vec<i32> = (-3..=3).collect();
    for (index, shift) in shifts.iter().enumerate() {
        let factor = power_of_thousand(*shift);
        let scaled = if *shift == 0 {
            term.to_owned()
        } else {
            format!("(* {} {term})", real(factor))
        };
        if index + 1 == shifts.len() {
            text.push_str(&scaled);
        } else {
            let _ = write!(text, "(ite (= (- pu u) {shift}) {scaled} ");
            closing.push(')');
        }
    }
    text.push_str(&closing);
    text
}

/// 1,000 to the power `shift` (-3 to 3), as what a unit `shift` steps above another is
/// worth in it ([`crossfoot_core::eval::Facts::prior_scale`]).
fn power_of_thousand(shift: i32) -> Value {
    let thousand = Value::whole(1000);
    let mut factor = Value::ONE;
    for _ in 0..shift.unsigned_abs() {
        factor = if shift > 0 {
            factor.checked_mul(thousand).unwrap_or(factor)
        } else {
            factor.checked_div(thousand).unwrap_or(factor)
        };
    }
    factor
}

/// A value in each unit of [`Unit::ALL`].
type PerUnit = [Value; 4];

/// The value of a [`PerUnit`] in the unit at index `i` of [`Unit::ALL`].
fn at(values: &PerUnit, i: usize) -> Value {
    values.get(i).copied().unwrap_or(Value::ZERO)
}

/// A value in each unit, or why not (it does not fit in one).
fn per_unit(value: impl Fn(Unit) -> Option<Value>) -> Result<PerUnit, Unsupported> {
    let mut values = [Value::ZERO; 4];
    for (slot, unit) in values.iter_mut().zip(Unit::ALL) {
        *slot = value(unit).ok_or_else(|| {
            Unsupported("a constant does not fit in 38 digits in some unit".to_owned())
        })?;
    }
    Ok(values)
}

/// A term that depends on the report's unit: the four terms, chosen by `u`, or one when
/// they are the same.
fn unit_choice(term: impl Fn(usize) -> String) -> String {
    let terms: Vec<String> = (0..4).map(term).collect();
    if terms.iter().all(|t| Some(t) == terms.first()) {
        return terms.into_iter().next().unwrap_or_default();
    }
    let [a, b, c, d] = <[String; 4]>::try_from(terms).unwrap_or_default();
    format!("(ite (= u 0) {a} (ite (= u 1) {b} (ite (= u 2) {c} {d})))")
}

/// Whether `left OP right` holds, with `within` the sides counting as equal when true:
/// the orderings [`CmpOp::holds`] accepts, each as a term.
fn ordered(op: CmpOp, left: &str, right: &str, within: &str) -> String {
    use std::cmp::Ordering::{Equal, Greater, Less};
    let close = within != "false";
    let mut cases = Vec::new();
    for (ordering, test) in [(Less, "<"), (Equal, "="), (Greater, ">")] {
        if !op.holds(ordering) {
            continue;
        }
        let base = format!("({test} {left} {right})");
        cases.push(match (ordering, close) {
            (_, false) => base,
            (Equal, true) => within.to_owned(),
            (_, true) => and(&[not(within), base]),
        });
    }
    or(&cases)
}

/// A compiled expression: its term, its value when it is a constant (per unit), and
/// when evaluating it is an error.
struct Expr {
    text: String,
    constant: Option<PerUnit>,
    err: String,
}

impl Expr {
    fn constant(values: PerUnit) -> Expr {
        Expr {
            text: unit_choice(|i| real(at(&values, i))),
            constant: Some(values),
            err: "false".to_owned(),
        }
    }
}

struct Compiler<'r> {
    rule: &'r CheckedRule,
    reads: Vec<Read>,
    decimals: Vec<(Read, LineKind)>,
    nonlinear: bool,
}

impl Compiler<'_> {
    fn code(&self, slot: usize) -> Result<LineCode, Unsupported> {
        self.rule
            .lines()
            .get(slot)
            .copied()
            .ok_or_else(|| Unsupported("a line outside the rule".to_owned()))
    }

    fn blank(&mut self, slot: usize, prior: bool) -> Result<String, Unsupported> {
        let code = self.code(slot)?;
        self.reads.push(Read { code, prior });
        Ok(smt::blank(code, prior))
    }

    /// A line as the rule reads it ([`read::scale`]).
    fn line(&mut self, slot: usize, prior: bool) -> Result<Expr, Unsupported> {
        let code = self.code(slot)?;
        self.reads.push(Read { code, prior });
        let v = smt::amount(code, prior);
        let kind = self.rule.kind(slot);
        // The scale of a percentage or ratio does not depend on units; money of the
        // previous report is scaled by the two reports' units.
        let text = match read::scale(kind, prior, Some(Value::ONE)) {
            Some(scale) if kind == LineKind::Money => {
                debug_assert!(prior && scale == Value::ONE);
                prior_scaled(&v)
            }
            Some(scale) => format!("(* {} {v})", real(scale)),
            None => v,
        };
        Ok(Expr {
            text,
            constant: None,
            err: "false".to_owned(),
        })
    }

    fn expr(&mut self, node: &Node) -> Result<Expr, Unsupported> {
        match node {
            Node::Line { slot, prior, .. } => self.line(*slot, *prior),
            Node::Const { value, .. } => Ok(Expr::constant(per_unit(|u| value.in_unit(u))?)),
            Node::Neg { inner, .. } => {
                let inner = self.expr(inner)?;
                Ok(match inner.constant {
                    Some(values) => Expr::constant(values.map(|v| -v)),
                    None => Expr {
                        text: format!("(- {})", inner.text),
                        ..inner
                    },
                })
            }
            Node::Chain { first, rest, .. } => {
                let mut acc = self.expr(first)?;
                for (op, _, operand) in rest {
                    let operand = self.expr(operand)?;
                    acc = self.apply(*op, acc, operand)?;
                }
                Ok(acc)
            }
            Node::Call { func, args, .. } => self.call(*func, args),
        }
    }

    fn apply(&mut self, op: BinOp, left: Expr, right: Expr) -> Result<Expr, Unsupported> {
        let err = or(&[left.err.clone(), right.err.clone()]);
        if let (Some(a), Some(b)) = (left.constant, right.constant) {
            let mut values = [Value::ZERO; 4];
            for i in 0..4 {
                let (x, y) = (a.get(i).copied(), b.get(i).copied());
                let (Some(x), Some(y)) = (x, y) else { continue };
                let result = match op {
                    BinOp::Add => x.checked_add(y),
                    BinOp::Sub => x.checked_sub(y),
                    BinOp::Mul => x.checked_mul(y),
                    BinOp::Div if y.is_zero() => {
                        return Ok(Expr {
                            text: "0.0".to_owned(),
                            constant: None,
                            err: "true".to_owned(),
                        });
                    }
                    BinOp::Div => x.checked_div(y),
                };
                if let Some(slot) = values.get_mut(i) {
                    *slot = result.ok_or_else(|| {
                        Unsupported("constant arithmetic past 38 digits".to_owned())
                    })?;
                }
            }
            return Ok(Expr {
                err,
                ..Expr::constant(values)
            });
        }
        let text = match op {
            BinOp::Add => format!("(+ {} {})", left.text, right.text),
            BinOp::Sub => format!("(- {} {})", left.text, right.text),
            BinOp::Mul => match (left.constant, right.constant) {
                (Some(k), _) => unit_choice(|i| format!("(* {} {})", real(at(&k, i)), right.text)),
                (_, Some(k)) => unit_choice(|i| format!("(* {} {})", left.text, real(at(&k, i)))),
                _ => {
                    self.nonlinear = true;
                    format!("(* {} {})", left.text, right.text)
                }
            },
            BinOp::Div => match right.constant {
                Some(k) if k.iter().any(|v| v.is_zero()) => {
                    return Ok(Expr {
                        text: "0.0".to_owned(),
                        constant: None,
                        err: "true".to_owned(),
                    });
                }
                Some(k) => unit_choice(|i| {
                    let inverse = Value::ONE.checked_div(at(&k, i)).unwrap_or(Value::ZERO);
                    format!("(* {} {})", real(inverse), left.text)
                }),
                None => {
                    self.nonlinear = true;
                    let divisor_zero = format!("(= {} 0.0)", right.text);
                    return Ok(Expr {
                        text: format!("(/ {} {})", left.text, right.text),
                        constant: None,
                        err: or(&[err, divisor_zero]),
                    });
                }
            },
        };
        Ok(Expr {
            text,
            constant: None,
            err,
        })
    }

    fn call(&mut self, func: Func, args: &[Node]) -> Result<Expr, Unsupported> {
        let mut values = Vec::with_capacity(args.len());
        for arg in args {
            values.push(self.expr(arg)?);
        }
        let err = or(&values.iter().map(|v| v.err.clone()).collect::<Vec<_>>());
        if let Func::Round { places, mode } = func {
            let mut values = values.into_iter();
            let (Some(value), step) = (values.next(), values.next()) else {
                return Err(Unsupported("`round` without a value".to_owned()));
            };
            let steps: PerUnit = match step {
                Some(step) => step.constant.ok_or_else(|| {
                    Unsupported("a `round` step that is not a constant".to_owned())
                })?,
                None => {
                    let mut ten = Value::ONE;
                    for _ in 0..places.unwrap_or(0) {
                        ten = ten.checked_mul(Value::whole(10)).ok_or_else(|| {
                            Unsupported("`round` places past 38 digits".to_owned())
                        })?;
                    }
                    let step = Value::ONE
                        .checked_div(ten)
                        .ok_or_else(|| Unsupported("`round` places past 38 digits".to_owned()))?;
                    [step; 4]
                }
            };
            if steps.iter().any(|s| s.is_zero()) {
                return Err(Unsupported("a `round` step of zero".to_owned()));
            }
            if let Some(constant) = value.constant {
                let mut rounded = [Value::ZERO; 4];
                for i in 0..4 {
                    let (Some(x), Some(q), Some(slot)) =
                        (constant.get(i), steps.get(i), rounded.get_mut(i))
                    else {
                        continue;
                    };
                    *slot = x.round_to(*q, mode).ok_or_else(|| {
                        Unsupported("a rounded constant past 38 digits".to_owned())
                    })?;
                }
                return Ok(Expr {
                    err,
                    ..Expr::constant(rounded)
                });
            }
            let text = unit_choice(|i| {
                let q = steps.get(i).copied().unwrap_or(Value::ONE);
                rounding(&value.text, q, mode)
            });
            return Ok(Expr {
                text,
                constant: None,
                err,
            });
        }
        let mut values = values.into_iter();
        let Some(first) = values.next() else {
            return Err(Unsupported("a function without arguments".to_owned()));
        };
        let mut text = first.text;
        match func {
            Func::Sum => {
                for value in values {
                    text = format!("(+ {text} {})", value.text);
                }
            }
            Func::Max | Func::Min => {
                let name = if func == Func::Max { "max_" } else { "min_" };
                for value in values {
                    text = format!("({name} {text} {})", value.text);
                }
            }
            Func::Abs | Func::Round { .. } => text = format!("(abs_ {text})"),
        }
        Ok(Expr {
            text,
            constant: None,
            err,
        })
    }

    fn condition(&mut self, condition: &Cond) -> Result<(String, String), Unsupported> {
        Ok(match condition {
            Cond::All(parts) | Cond::Any(parts) => {
                let all = matches!(condition, Cond::All(_));
                // Folded from the last part: a part is evaluated only when those before
                // it did not decide (`and` stops at a false part, `or` at a true one).
                let mut err = "false".to_owned();
                let mut val = if all { "true" } else { "false" }.to_owned();
                for part in parts.iter().rev() {
                    let (part_err, part_val) = self.condition(part)?;
                    let goes_on = if all {
                        part_val.clone()
                    } else {
                        not(&part_val)
                    };
                    err = or(&[part_err, and(&[goes_on, err])]);
                    val = if all {
                        and(&[part_val, val])
                    } else {
                        or(&[part_val, val])
                    };
                }
                (err, val)
            }
            Cond::Not(inner) => {
                let (err, val) = self.condition(inner)?;
                (err, not(&val))
            }
            Cond::Blank { slot, blank, .. } => {
                let is_blank = self.blank(*slot, false)?;
                (
                    "false".to_owned(),
                    if *blank { is_blank } else { not(&is_blank) },
                )
            }
            Cond::Compare(comparison) => {
                let left = self.expr(&comparison.left)?;
                let right = self.expr(&comparison.right)?;
                (
                    or(&[left.err, right.err]),
                    ordered(comparison.op, &left.text, &right.text, "false"),
                )
            }
        })
    }

    /// `within rounding` on a rule linear in its lines: the band of `left - right` is
    /// half a printed unit of each line times its coefficient, either way
    /// (`crossfoot_core::eval` band), and the comparison holds when some difference in
    /// it satisfies the operator.
    fn band(
        &mut self,
        comparison: &Comparison,
        left: &str,
        right: &str,
    ) -> Result<String, Unsupported> {
        let mut terms = BTreeMap::new();
        self.coefficients(&comparison.left, Value::ONE, &mut terms)?;
        self.coefficients(&comparison.right, -Value::ONE, &mut terms)?;
        let mut radius = Vec::new();
        for (&(slot, prior), coefficient) in &terms {
            if coefficient.is_zero() {
                continue;
            }
            let code = self.code(slot)?;
            let read = Read { code, prior };
            let kind = self.rule.kind(slot);
            self.decimals.push((read, kind));
            radius.push(format!(
                "(* {} {})",
                real(coefficient.abs()),
                half_name(read, kind)
            ));
        }
        let radius = match radius.as_slice() {
            [] => "0.0".to_owned(),
            [one] => one.clone(),
            _ => format!("(+ {})", radius.join(" ")),
        };
        let center = format!("(- {left} {right})");
        let low = format!("(- {center} {radius})");
        let high = format!("(+ {center} {radius})");
        use std::cmp::Ordering::{Equal, Greater, Less};
        let reachable = [
            (Less, format!("(< {low} 0.0)")),
            (Equal, format!("(and (<= {low} 0.0) (>= {high} 0.0))")),
            (Greater, format!("(> {high} 0.0)")),
        ];
        Ok(or(&reachable
            .into_iter()
            .filter(|(ordering, _)| comparison.op.holds(*ordering))
            .map(|(_, term)| term)
            .collect::<Vec<_>>()))
    }

    /// Each line's coefficient in `scale × node`, added to `terms`; unsupported when
    /// the node is not linear in its lines with constant coefficients.
    fn coefficients(
        &mut self,
        node: &Node,
        scale: Value,
        terms: &mut BTreeMap<(usize, bool), Value>,
    ) -> Result<(), Unsupported> {
        let nonlinear = || {
            Unsupported(
                "`within rounding` on a rule that is not linear in its lines (max, min, abs, round, or a product of lines)".to_owned(),
            )
        };
        let overflow = || Unsupported("a coefficient past 38 digits".to_owned());
        match node {
            Node::Line { slot, prior, .. } => {
                let entry = terms.entry((*slot, *prior)).or_insert(Value::ZERO);
                *entry = entry.checked_add(scale).ok_or_else(overflow)?;
            }
            Node::Const { .. } => {}
            Node::Neg { inner, .. } => self.coefficients(inner, -scale, terms)?,
            Node::Chain { first, rest, .. } => {
                if rest.iter().all(|(op, _, _)| op.is_additive()) {
                    self.coefficients(first, scale, terms)?;
                    for (op, _, operand) in rest {
                        let sign = if *op == BinOp::Sub { -scale } else { scale };
                        self.coefficients(operand, sign, terms)?;
                    }
                    return Ok(());
                }
                // A product: one factor carries lines, the others are ratios.
                let mut factor = scale;
                let mut carrier = None;
                for (op, operand) in std::iter::once((BinOp::Mul, first.as_ref()))
                    .chain(rest.iter().map(|(op, _, n)| (*op, n)))
                {
                    match ratio(operand) {
                        Some(k) if op == BinOp::Div && !k.is_zero() => {
                            factor = factor.checked_div(k).ok_or_else(overflow)?;
                        }
                        Some(k) if op == BinOp::Mul => {
                            factor = factor.checked_mul(k).ok_or_else(overflow)?;
                        }
                        _ if op == BinOp::Mul && carrier.is_none() => carrier = Some(operand),
                        _ => return Err(nonlinear()),
                    }
                }
                if let Some(carrier) = carrier {
                    self.coefficients(carrier, factor, terms)?;
                }
            }
            Node::Call {
                func: Func::Sum,
                args,
                ..
            } => {
                for arg in args {
                    self.coefficients(arg, scale, terms)?;
                }
            }
            Node::Call { args, .. } => {
                if args.iter().any(reads_a_line) {
                    return Err(nonlinear());
                }
            }
        }
        Ok(())
    }
}

/// Whether a node reads a line.
fn reads_a_line(node: &Node) -> bool {
    match node {
        Node::Line { .. } => true,
        Node::Const { .. } => false,
        Node::Neg { inner, .. } => reads_a_line(inner),
        Node::Chain { first, rest, .. } => {
            reads_a_line(first) || rest.iter().any(|(_, _, n)| reads_a_line(n))
        }
        Node::Call { args, .. } => args.iter().any(reads_a_line),
    }
}

/// The value of a ratio constant (`8%`, `-1.5`), the same in every unit.
fn ratio(node: &Node) -> Option<Value> {
    match node {
        Node::Const { value, .. } if !value.is_money() => value.in_unit(Unit::DOLLARS),
        Node::Neg { inner, .. } => ratio(inner).map(|v| -v),
        _ => None,
    }
}

/// `round(x)` to a multiple of `step` as `mode` says, as the evaluator rounds
/// (`Value::round_to`): `x / step` to a whole number, times `step`, with `to_int` the
/// floor.
fn rounding(x: &str, step: Value, mode: RoundMode) -> String {
    let inverse = Value::ONE.checked_div(step).unwrap_or(Value::ONE);
    let whole = match mode {
        RoundMode::Floor => "(to_int y)".to_owned(),
        RoundMode::Ceiling => "(- (to_int (- y)))".to_owned(),
        RoundMode::TowardZero => "(ite (>= y 0.0) (to_int y) (- (to_int (- y))))".to_owned(),
        RoundMode::HalfAwayFromZero => {
            "(ite (>= y 0.0) (to_int (+ y 0.5)) (- (to_int (+ (- y) 0.5))))".to_owned()
        }
        RoundMode::HalfEven => "(let ((f (to_int y))) (ite (> (- y (to_real f)) 0.5) (+ f 1) (ite (< (- y (to_real f)) 0.5) f (ite (= (mod f 2) 0) f (+ f 1)))))".to_owned(),
    };
    format!(
        "(* {} (to_real (let ((y (* {} {x}))) {whole})))",
        real(step),
        real(inverse)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossfoot_core::compile::compile;
    use crossfoot_syntax::source::Source;

    pub(crate) fn one(text: &str) -> CheckedRule {
        let source = Source::new("t.xfoot", text);
        let file = crossfoot_syntax::parse(&source).unwrap();
        let set = compile(vec![(source, file)]).unwrap().rules;
        set.rules()[0].clone()
    }

    #[test]
    fn a_sum_is_linear_with_blank_lines_and_no_error() {
        let encoded = rule(&one("rule t 7190 = 7180 - 7060"), "r0").unwrap();
        assert!(!encoded.nonlinear && !encoded.may_error);
        assert!(
            encoded
                .defs
                .contains("(define-fun r0_h () Bool (= v_7190 (- v_7180 v_7060)))")
        );
        assert!(
            encoded
                .defs
                .contains("(define-fun r0_ab () Bool (and b_7190 b_7180 b_7060))")
        );
        assert_eq!(encoded.reads.len(), 3);
    }

    #[test]
    fn money_constants_are_read_in_each_unit() {
        let encoded = rule(&one("rule t 7465 >= $1,000,000"), "r0").unwrap();
        assert!(
            encoded.defs.contains(
                "(ite (= u 0) 1000000.0 (ite (= u 1) 1000.0 (ite (= u 2) 1.0 (/ 1.0 1000.0))))"
            ),
            "{}",
            encoded.defs
        );
        // Zero is zero in every unit: no choice.
        let zero = rule(&one("rule t 7190 >= $0"), "r0").unwrap();
        assert!(
            zero.defs.contains("(or (= v_7190 0.0) (> v_7190 0.0))"),
            "{}",
            zero.defs
        );
    }

    #[test]
    fn round_is_a_floor_of_the_steps() {
        let encoded = rule(&one("rule t 7495 = round(110% * 7455)"), "r0").unwrap();
        assert!(
            encoded.defs.contains("(to_int (+ y 0.5))"),
            "{}",
            encoded.defs
        );
        assert!(
            encoded.defs.contains("(* (/ 11.0 10.0) v_7455)"),
            "{}",
            encoded.defs
        );
    }

    #[test]
    fn division_by_a_line_is_nonlinear_and_may_fail() {
        let encoded = rule(&one("rule t 7010 / 7020 >= 5%"), "r0").unwrap();
        assert!(encoded.nonlinear && encoded.may_error);
        assert!(
            encoded
                .defs
                .contains("(define-fun r0_ae () Bool (= v_7020 0.0))"),
            "{}",
            encoded.defs
        );
    }

    #[test]
    fn conditions_short_circuit() {
        let encoded = rule(
            &one("rule t 7010 = 7020 when 7030 > $0 and 7040 / 7050 > 1.0"),
            "r0",
        )
        .unwrap();
        assert!(
            encoded
                .defs
                .contains("(define-fun r0_ce () Bool (and (> v_7030 0.0) (= v_7050 0.0)))"),
            "{}",
            encoded.defs
        );
    }

    #[test]
    fn within_rounding_is_a_band_of_half_units() {
        let encoded = rule(
            &one("rule t 7010 = 7020 + 2.0 * 7030 within rounding"),
            "r0",
        )
        .unwrap();
        assert!(encoded.defs.contains("(* 2.0 hm_7030)"), "{}", encoded.defs);
        assert_eq!(encoded.decimals.len(), 3);
        let unsupported = rule(&one("rule t 7010 = max(7020, 7030) within rounding"), "r0");
        assert!(unsupported.is_err());
    }

    #[test]
    fn the_globals_a_rule_reads_are_known() {
        let none = rule(&one("rule t 7190 = 7180 - 7060"), "r0").unwrap();
        assert_eq!(none.mentions, Mentions::default());
        let unit = rule(&one("rule t 7465 >= $1,000,000"), "r0").unwrap();
        assert!(unit.mentions.unit && !unit.mentions.has_prior);
        let prior = rule(&one("rule t 7010 = prior(7010)"), "r0").unwrap();
        assert!(prior.mentions.unit && prior.mentions.prior_unit && prior.mentions.has_prior);
    }

    #[test]
    fn tolerances_make_close_sides_equal() {
        let encoded = rule(&one("rule t 7010 = 7020 within $1"), "r0").unwrap();
        assert!(
            encoded
                .defs
                .contains("(<= (abs_ (- v_7010 v_7020)) (ite (= u 0) 1.0"),
            "{}",
            encoded.defs
        );
    }
}
