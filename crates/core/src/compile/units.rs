//! Units: money and ratios are different kinds.
//!
//! Line codes and `$` constants are money; `%` constants and decimals like `1.10` are
//! ratios. Money × ratio is money and money ÷ money is a ratio; adding, comparing or taking
//! the `max` of money and a ratio, multiplying money by money and dividing a ratio by money
//! are errors.

use crossfoot_syntax::source::Source;

use super::Catalogue;
use super::CheckError;
use crossfoot_syntax::ast::{Assertion, BinOp, Condition, Expr, LineKind, Tolerance};
use crossfoot_syntax::source::{Span, Spanned};

/// The kind of an amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A dollar amount: a line, `$1,000`.
    Money,
    /// A pure number: `8%`, `1.10`.
    Ratio,
}

impl Kind {
    fn words(self) -> &'static str {
        match self {
            Kind::Money => "money",
            Kind::Ratio => "a ratio",
        }
    }
}

/// Infers kinds, recording a problem where they do not fit. `None` is "unknown": a problem
/// already reported below, not reported again above.
pub(super) struct Units<'a> {
    pub(super) src: &'a Source,
    pub(super) errors: &'a mut Vec<CheckError>,
    /// Lines declared `percent` or `ratio` are ratios.
    pub(super) catalogue: &'a Catalogue,
}

impl Units<'_> {
    /// Check an assertion's kinds; the kind of its sides when they agree.
    pub(super) fn assertion(
        &mut self,
        assertion: &Assertion,
        tolerance: Option<&Spanned<Tolerance>>,
    ) -> Option<Kind> {
        let left = self.expr(&assertion.left);
        let right = self.expr(&assertion.right);
        let (Some(left), Some(right)) = (left, right) else {
            return None;
        };
        {
            if left != right {
                self.mismatch(
                    "cannot compare money with a ratio".to_owned(),
                    (&assertion.left, left),
                    (&assertion.right, right),
                    "money constants carry `$` (`$0`), ratios `%` or a decimal point (`8%`, `1.10`)",
                );
            }
            if let Some(tolerance) = tolerance {
                if matches!(tolerance.node, Tolerance::Absolute(_)) && left == Kind::Ratio {
                    self.errors.push(CheckError::Units {
                        message: "a `$` tolerance cannot apply to a comparison of ratios"
                            .to_owned(),
                        src: self.src.clone(),
                        left: assertion.left.span.join(assertion.right.span).into(),
                        left_kind: "ratios",
                        right: tolerance.span.into(),
                        right_kind: "money",
                        help: "use a relative tolerance such as `within 0.01%`",
                    });
                }
            }
        }
        (left == right).then_some(left)
    }

    pub(super) fn condition(&mut self, condition: &Condition) {
        match condition {
            Condition::All(parts) | Condition::Any(parts) => {
                for part in parts {
                    self.condition(&part.node);
                }
            }
            Condition::Not(inner) => self.condition(&inner.node),
            Condition::Blank { .. } => {}
            Condition::Compare(assertion) => {
                self.assertion(assertion, None);
            }
        }
    }

    pub(super) fn expr(&mut self, expr: &Spanned<Expr>) -> Option<Kind> {
        match &expr.node {
            Expr::Line(code) => match self.catalogue.line(*code).map(|info| info.kind) {
                Some(LineKind::Percent | LineKind::Ratio) => Some(Kind::Ratio),
                _ => Some(Kind::Money),
            },
            Expr::Money(_) => Some(Kind::Money),
            Expr::Name(_) => None,
            Expr::Ratio(_) | Expr::Percent(_) => Some(Kind::Ratio),
            Expr::Neg(inner) => self.expr(inner),
            Expr::Chain { first, rest } => {
                let mut kind = self.expr(first);
                let mut so_far = first.span;
                for (op, operand) in rest {
                    let right = self.expr(operand);
                    kind = match (kind, right) {
                        (Some(left), Some(right)) => {
                            self.combine(op.node, (so_far, left), (operand.span, right))
                        }
                        _ => None,
                    };
                    so_far = so_far.join(operand.span);
                }
                kind
            }
            Expr::Call { name, args } => {
                let kinds: Vec<Option<Kind>> = args.iter().map(|arg| self.expr(arg)).collect();
                match name.node.as_str() {
                    "round" => self.round(args, &kinds),
                    "abs" | "prior" => kinds.first().copied().flatten(),
                    "sum" | "max" | "min" => self.same_kind(&name.node, args, &kinds),
                    _ => None,
                }
            }
        }
    }

    /// `round(x, $1,000)` rounds money to a money step, `round(x, 0.01%)` a ratio to a
    /// ratio step; places (`round(x, 2)`) and a mode fit either.
    fn round(&mut self, args: &[Spanned<Expr>], kinds: &[Option<Kind>]) -> Option<Kind> {
        let kind = kinds.first().copied().flatten()?;
        if let (Some(value), Some(step), Some(Some(step_kind))) =
            (args.first(), args.get(1), kinds.get(1))
        {
            let is_step = !matches!(step.node, Expr::Line(_) | Expr::Name(_));
            if is_step && *step_kind != kind {
                self.mismatch(
                    "cannot round to a step of another kind".to_owned(),
                    (value, kind),
                    (step, *step_kind),
                    "round money to a `$` step (`$1,000`) and a ratio to a `%` step (`0.01%`)",
                );
                return None;
            }
        }
        Some(kind)
    }

    fn same_kind(
        &mut self,
        name: &str,
        args: &[Spanned<Expr>],
        kinds: &[Option<Kind>],
    ) -> Option<Kind> {
        let first = kinds.first().copied().flatten()?;
        let first_arg = args.first()?;
        for (arg, kind) in args.iter().zip(kinds) {
            let kind = (*kind)?;
            if kind != first {
                self.mismatch(
                    format!("cannot take the {name} of money and a ratio"),
                    (first_arg, first),
                    (arg, kind),
                    "every argument must be money, or every argument a ratio",
                );
                return None;
            }
        }
        Some(first)
    }

    fn combine(&mut self, op: BinOp, left: (Span, Kind), right: (Span, Kind)) -> Option<Kind> {
        use Kind::{Money, Ratio};
        let (message, help) = match (op, left.1, right.1) {
            (BinOp::Add | BinOp::Sub, l, r) if l == r => return Some(l),
            (BinOp::Mul, Money, Ratio) | (BinOp::Mul, Ratio, Money) => return Some(Money),
            (BinOp::Mul, Ratio, Ratio) => return Some(Ratio),
            (BinOp::Div, Money, Money) | (BinOp::Div, Ratio, Ratio) => return Some(Ratio),
            (BinOp::Div, Money, Ratio) => return Some(Money),
            (BinOp::Add, ..) => (
                "cannot add money and a ratio",
                "a ratio scales money: write `8% * 7415`, not `8% + 7415`",
            ),
            (BinOp::Sub, ..) => (
                "cannot subtract money and a ratio",
                "a ratio scales money: write `7415 - 8% * 7415`",
            ),
            (BinOp::Mul, ..) => (
                "cannot multiply money by money",
                "multiply money by a ratio (`8% * 7415`, `1.10 * 7455`)",
            ),
            (BinOp::Div, ..) => (
                "cannot divide a ratio by money",
                "divide money by money for a ratio (`7190 / 7060`), or money by a ratio",
            ),
        };
        self.errors.push(CheckError::Units {
            message: message.to_owned(),
            src: self.src.clone(),
            left: left.0.into(),
            left_kind: left.1.words(),
            right: right.0.into(),
            right_kind: right.1.words(),
            help,
        });
        None
    }

    fn mismatch(
        &mut self,
        message: String,
        left: (&Spanned<Expr>, Kind),
        right: (&Spanned<Expr>, Kind),
        help: &'static str,
    ) {
        self.errors.push(CheckError::Units {
            message,
            src: self.src.clone(),
            left: left.0.span.into(),
            left_kind: left.1.words(),
            right: right.0.span.into(),
            right_kind: right.1.words(),
            help,
        });
    }
}
