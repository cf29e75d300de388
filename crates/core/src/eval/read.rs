//! Reading a line: what a printed amount is to a rule, decided once for every interpreter.
//!
//! A rule reads the amounts a report prints. Money is read as printed, in the report's
//! unit; money of the previous report is read in this report's unit (a previous report in
//! dollars, read by one in thousands, is divided by 1,000). A percentage line holds a
//! percentage as printed and is read as its ratio (59.99 is 0.5999); a ratio line is read
//! as printed. Neither a percentage nor a ratio has a unit, on either report. A blank line
//! counts as 0, except a blank `total`, which is unknown (the rule is skipped).
//!
//! The evaluator, the rounding band, root causes, `explain` (through the evaluator) and the
//! SQL compiler all read lines through [`scale`]: the evaluator multiplies, the band scales
//! half a printed unit, root causes divide a correction back into printed terms, and the
//! SQL compiler writes the same factor as a constant.

use rust_decimal::Decimal;

use super::{Facts, Value};
use crossfoot_syntax::ast::LineKind;

/// 1/100: a percentage as printed, to its ratio.
const HUNDREDTH: Value = Value::HUNDREDTH;

/// What one printed unit of a line is worth in a rule's arithmetic, when it is not 1: the
/// exact factor a printed amount is multiplied by. `prior_scale` is what one unit of the
/// previous report's money is in this report's unit ([`Facts::prior_scale`]).
pub fn scale(kind: LineKind, prior: bool, prior_scale: Option<Value>) -> Option<Value> {
    match kind {
        LineKind::Percent => Some(HUNDREDTH),
        LineKind::Ratio => None,
        LineKind::Money if prior => prior_scale,
        LineKind::Money => None,
    }
}

/// A printed amount as a rule reads it, with the factor [`scale`] gave. `None` only when
/// the exact product does not fit (it always does for amounts of at most 28 digits).
pub fn value(amount: Decimal, scale: Option<Value>) -> Option<Value> {
    let value = Value::from_decimal(amount);
    match scale {
        None => Some(value),
        Some(scale) => value.checked_mul(scale).map(Value::reduced),
    }
}

/// Half a unit of the last digit an amount is printed with, in the terms the rule reads it
/// ([`scale`]): 0.5 for `1043796`, 0.005 for `59.99`, 0.00005 for `59.99` on a percentage
/// line. What `within rounding` lets the true value differ by.
pub fn half_unit(amount: Decimal, scale: Option<Value>) -> Option<Value> {
    let mut den: i128 = 2;
    for _ in 0..amount.scale() {
        den = den.checked_mul(10)?;
    }
    let half = Value::fraction(1, den)?;
    match scale {
        None => Some(half),
        Some(scale) => half.checked_mul(scale).map(Value::reduced),
    }
}

impl Facts {
    /// What one unit of the previous report's money is in this report's unit, when the
    /// two reports are printed in different units: 1/1,000 for a previous report in
    /// dollars read by one in thousands.
    pub fn prior_scale(&self) -> Option<Value> {
        if self.prior_unit == self.unit {
            return None;
        }
        self.prior_unit
            .factor()
            .checked_div(self.unit.factor())
            .map(Value::reduced)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::Unit;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn only_money_of_the_previous_report_changes_unit() {
        let facts = Facts {
            as_of: None,
            unit: Unit::DOLLARS,
            prior_unit: "thousands".parse().unwrap(),
        };
        let thousand = facts.prior_scale();
        assert_eq!(thousand, Some(Value::whole(1000)));
        let read = |kind, prior| value(dec("10.00"), scale(kind, prior, thousand)).unwrap();
        assert_eq!(read(LineKind::Money, true), Value::whole(10_000));
        assert_eq!(read(LineKind::Money, false), Value::whole(10));
        assert_eq!(read(LineKind::Percent, true), "0.1".parse().unwrap());
        assert_eq!(read(LineKind::Percent, false), "0.1".parse().unwrap());
        assert_eq!(read(LineKind::Ratio, true), Value::whole(10));
    }

    #[test]
    fn half_a_printed_unit_in_the_terms_the_rule_reads() {
        let half = |amount, kind, prior_scale| {
            half_unit(dec(amount), scale(kind, false, prior_scale)).unwrap()
        };
        assert_eq!(
            half("1043796", LineKind::Money, None),
            "0.5".parse().unwrap()
        );
        assert_eq!(
            half("59.99", LineKind::Money, None),
            "0.005".parse().unwrap()
        );
        assert_eq!(
            half("59.99", LineKind::Percent, None),
            "0.00005".parse().unwrap()
        );
    }
}
