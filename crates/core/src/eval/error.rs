//! Arithmetic that has no exact result within the limits.

use thiserror::Error;

use super::Value;
use crossfoot_syntax::amount;
use crossfoot_syntax::source::Span;

/// An operation with no exact result: the rule is neither passed nor failed.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum EvalError {
    /// `7010 * 1000000000000000000000.0` with a 28-digit amount.
    #[error(
        "`{op}` overflows: the exact result of {} {op} {} needs more than 38 digits",
        amount::format_value(*left),
        amount::format_value(*right)
    )]
    Overflow {
        /// The operator (`+`, `-`, `*`, `/`, `round`, or `within` for a relative
        /// tolerance).
        op: &'static str,
        /// Its left operand.
        left: Value,
        /// Its right operand (for `round`, the places).
        right: Value,
        /// Where the operator is written.
        span: Span,
    },
    /// `7010 / 7020` where 7020 is 0 or blank.
    #[error("division by zero: {} / 0", amount::format_value(*dividend))]
    DivisionByZero {
        /// What was divided.
        dividend: Value,
        /// Where the `/` is written.
        span: Span,
    },
    /// `within rounding` where the values the printed figures allow reach past 38 digits.
    #[error(
        "`within rounding` overflows: the values the rounding of the printed figures allows need more than 38 digits"
    )]
    BandOverflow {
        /// Where the operation is written.
        span: Span,
    },
    /// `within rounding` on `7010 / 7020` where the rounding of 7020 could make it 0.
    #[error(
        "`within rounding` has no bound here: the rounding of the printed figures lets a divisor be 0"
    )]
    UnboundedBand {
        /// Where the `/` is written.
        span: Span,
    },
}

impl EvalError {
    /// Where the failing operator is written.
    pub fn span(&self) -> Span {
        match self {
            EvalError::Overflow { span, .. }
            | EvalError::DivisionByZero { span, .. }
            | EvalError::BandOverflow { span }
            | EvalError::UnboundedBand { span } => *span,
        }
    }
}
