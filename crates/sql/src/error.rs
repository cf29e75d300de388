//! What cannot be compiled to exact SQL, at the rule's span.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

use crossfoot_syntax::source::Source;

/// A rule (or the options) with no exact SQL form.
#[derive(Debug, Error, Diagnostic)]
pub enum SqlError {
    /// A part of a rule the SQL form cannot compute exactly.
    #[error("rule `{rule}` cannot be compiled to exact SQL: {what}")]
    #[diagnostic(code(crossfoot::sql::inexact))]
    Inexact {
        /// The rule.
        rule: String,
        /// What is in the way.
        what: String,
        /// The rule file.
        #[source_code]
        src: Source,
        /// The part.
        #[label("{label}")]
        span: SourceSpan,
        /// What the label says.
        label: String,
        /// What to do instead.
        #[help]
        help: String,
    },
    /// `--precision 40`, `--scale 5 --precision 3`.
    #[error("amounts as DECIMAL({precision}, {scale}) are not a type SQL engines have")]
    #[diagnostic(
        code(crossfoot::sql::options),
        help(
            "the precision is 1 to 38 digits, and the scale at most the precision: the default is DECIMAL(15, 2)"
        )
    )]
    Options {
        /// `--precision`.
        precision: u32,
        /// `--scale`.
        scale: u32,
    },
}
