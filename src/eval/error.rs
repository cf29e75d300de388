//! Arithmetic that cannot be carried out exactly.

use rust_decimal::Decimal;
use thiserror::Error;

use crate::amount;
use crate::source::Span;

/// An operation with no exact result: the rule is neither passed nor failed.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum EvalError {
    /// `7010 * 7020` with two 20-digit amounts.
    #[error("`{op}` overflows: {} {op} {} is beyond the largest amount a decimal holds", amount::format(*left), amount::format(*right))]
    Overflow {
        /// The operator (`+`, `-`, `*`, `/`, or `within` for a relative tolerance).
        op: &'static str,
        /// Its left operand.
        left: Decimal,
        /// Its right operand.
        right: Decimal,
        /// Where the operator is written.
        span: Span,
    },
    /// `7010 / 7020` where 7020 is 0 or blank.
    #[error("division by zero: {} / 0", amount::format(*dividend))]
    DivisionByZero {
        /// What was divided.
        dividend: Decimal,
        /// Where the `/` is written.
        span: Span,
    },
}

impl EvalError {
    /// Where the failing operator is written.
    pub fn span(&self) -> Span {
        match self {
            EvalError::Overflow { span, .. } | EvalError::DivisionByZero { span, .. } => *span,
        }
    }
}
