//! Canonical text of expressions and conditions, for messages and the formatter.
//!
//! The printer adds exactly the parentheses that the tree's shape needs, so printing and
//! parsing again gives an equal tree.

use std::fmt::{self, Display, Write};

use rust_decimal::Decimal;

use super::ast::{Assertion, Condition, Effective, Expr, Tolerance};
use crate::amount;

/// How tightly an expression binds: an operand looser than its place needs parentheses.
fn level(expr: &Expr) -> u8 {
    match expr {
        Expr::Chain { rest, .. } => match rest.first() {
            Some((op, _)) if op.node.is_additive() => 1,
            _ => 2,
        },
        Expr::Neg(_) => 3,
        _ => 4,
    }
}

fn write_operand(f: &mut fmt::Formatter<'_>, expr: &Expr, parens_below: u8) -> fmt::Result {
    if level(expr) <= parens_below {
        write!(f, "({})", Print(expr))
    } else {
        write!(f, "{}", Print(expr))
    }
}

/// An operand's text, in parentheses when it binds no tighter than `parens_below`.
pub(crate) fn operand_text(expr: &Expr, parens_below: u8) -> String {
    if level(expr) <= parens_below {
        format!("({})", Print(expr))
    } else {
        Print(expr).to_string()
    }
}

/// Displays an AST node in canonical form: `Print(&expr).to_string()`.
pub struct Print<'a, T: ?Sized>(pub &'a T);

impl Display for Print<'_, Expr> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Expr::Line(code) => write!(f, "{code}"),
            Expr::Money(value) => write!(f, "${}", amount::format(*value)),
            Expr::Ratio(value) => write!(f, "{}", ratio_text(*value)),
            Expr::Percent(value) => write!(f, "{}", percent_text(*value)),
            Expr::Neg(inner) => {
                f.write_char('-')?;
                write_operand(f, &inner.node, 3)
            }
            Expr::Chain { first, rest } => {
                let own = level(self.0);
                write_operand(f, &first.node, own)?;
                for (op, operand) in rest {
                    write!(f, " {} ", op.node.as_str())?;
                    write_operand(f, &operand.node, own)?;
                }
                Ok(())
            }
            Expr::Call { name, args } => {
                write!(f, "{}(", name.node)?;
                for (i, arg) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}", Print(&arg.node))?;
                }
                f.write_char(')')
            }
            Expr::Name(name) => f.write_str(name),
        }
    }
}

impl Display for Print<'_, Effective> {
    /// `effective from 2020-01-01 until 2024-07-01`, with the end as written.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("effective")?;
        if let Some(from) = &self.0.from {
            write!(f, " from {}", from.node)?;
        }
        if let Some((end, date)) = &self.0.end {
            write!(f, " {} {}", end.as_str(), date.node)?;
        }
        Ok(())
    }
}

impl Display for Print<'_, Assertion> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = self.0;
        write!(
            f,
            "{} {} {}",
            Print(&a.left.node),
            a.op.node.as_str(),
            Print(&a.right.node)
        )
    }
}

impl Display for Print<'_, Condition> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Condition::All(parts) => write_joined(f, parts, " and ", |c| {
                matches!(c, Condition::All(_) | Condition::Any(_))
            }),
            Condition::Any(parts) => {
                write_joined(f, parts, " or ", |c| matches!(c, Condition::Any(_)))
            }
            Condition::Not(inner) => {
                f.write_str("not ")?;
                match inner.node {
                    Condition::Blank { .. } | Condition::Compare(_) => {
                        write!(f, "{}", Print(&inner.node))
                    }
                    _ => write!(f, "({})", Print(&inner.node)),
                }
            }
            Condition::Blank { line, blank } => {
                let not = if *blank { "" } else { "not " };
                write!(f, "{} is {not}blank", line.node)
            }
            Condition::Compare(assertion) => write!(f, "{}", Print(assertion.as_ref())),
        }
    }
}

fn write_joined(
    f: &mut fmt::Formatter<'_>,
    parts: &[crate::source::Spanned<Condition>],
    sep: &str,
    needs_parens: impl Fn(&Condition) -> bool,
) -> fmt::Result {
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        if needs_parens(&part.node) {
            write!(f, "({})", Print(&part.node))?;
        } else {
            write!(f, "{}", Print(&part.node))?;
        }
    }
    Ok(())
}

impl Display for Print<'_, Tolerance> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Tolerance::Absolute(value) => write!(f, "${}", amount::format(*value)),
            Tolerance::Relative(ratio) => f.write_str(&percent_text(*ratio)),
            Tolerance::Rounding => f.write_str("rounding"),
        }
    }
}

/// `0.08` → `8%`, `1.10` → `110%`, `0.0001` → `0.01%`.
pub fn percent_text(ratio: Decimal) -> String {
    match ratio.checked_mul(Decimal::ONE_HUNDRED) {
        Some(percent) => format!("{}%", percent.normalize()),
        // INVARIANT: a parsed percentage was divided by 100, so this cannot overflow;
        // fall back to the ratio itself rather than fail to print.
        None => ratio.to_string(),
    }
}

/// A ratio keeps at least one decimal place so it reads back as a ratio: `1.10`, `2.0`.
pub fn ratio_text(ratio: Decimal) -> String {
    if ratio.scale() == 0 {
        format!("{ratio}.0")
    } else {
        ratio.to_string()
    }
}
