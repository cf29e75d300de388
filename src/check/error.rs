//! Problems `check` finds in rules that parsed.

use std::sync::Arc;

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

/// A rule that parsed but cannot be used as written.
#[derive(Debug, Error, Diagnostic)]
pub enum CheckError {
    /// Two rules called `seg.excess`.
    #[error("rule id `{id}` is used twice")]
    #[diagnostic(
        code(crossfoot::check::duplicate_rule),
        help("rule ids are unique across the whole rule set; rename one of them")
    )]
    DuplicateRule {
        /// The id.
        id: String,
        /// The file of the second definition.
        #[source_code]
        src: NamedSource<Arc<str>>,
        /// The second definition.
        #[label("defined again here")]
        span: SourceSpan,
        /// The first definition, possibly in another file.
        #[related]
        first: Vec<FirstDefinition>,
    },

    /// `maximum(7010, 7020)`
    #[error("unknown function `{name}`")]
    #[diagnostic(code(crossfoot::check::unknown_function))]
    UnknownFunction {
        /// The name as written.
        name: String,
        /// The rule file.
        #[source_code]
        src: NamedSource<Arc<str>>,
        /// The name.
        #[label("not a function")]
        span: SourceSpan,
        /// A suggestion and the list of functions.
        #[help]
        help: String,
    },

    /// `abs(7010, 7020)`
    #[error("`{name}` takes {expected}, but is given {given}")]
    #[diagnostic(code(crossfoot::check::arity))]
    Arity {
        /// The function.
        name: &'static str,
        /// `one argument`, `one or two arguments`, …
        expected: &'static str,
        /// How many it was given.
        given: usize,
        /// The rule file.
        #[source_code]
        src: NamedSource<Arc<str>>,
        /// The call.
        #[label("{given} argument(s) here")]
        span: SourceSpan,
    },

    /// `round(x, 7010 + 1)`, `round(x, 40)`
    #[error("the places of `round` must be a whole number from 0 to {max}")]
    #[diagnostic(
        code(crossfoot::check::round_places),
        help("`round(x)` rounds to whole units; `round(x, 2)` to cents")
    )]
    RoundPlaces {
        /// The most places a decimal can have.
        max: u32,
        /// The rule file.
        #[source_code]
        src: NamedSource<Arc<str>>,
        /// The second argument.
        #[label("not a number of places")]
        span: SourceSpan,
    },

    /// `7050 >= $0 within $1`
    #[error("a tolerance applies only to `=` and `!=`, not to `{op}`")]
    #[diagnostic(
        code(crossfoot::check::tolerance_on_inequality),
        help(
            "comparisons are exact; to allow slack, write it into the formula, e.g. `7050 >= -$1`"
        )
    )]
    ToleranceOnInequality {
        /// The comparison operator.
        op: &'static str,
        /// The rule file.
        #[source_code]
        src: NamedSource<Arc<str>>,
        /// The tolerance.
        #[label("this tolerance")]
        span: SourceSpan,
        /// The operator.
        #[label("compares exactly")]
        op_span: SourceSpan,
    },
}

/// Where a duplicated rule id was first defined.
#[derive(Debug, Error, Diagnostic)]
#[error("`{id}` is first defined here")]
#[diagnostic(severity(Advice))]
pub struct FirstDefinition {
    /// The id.
    pub id: String,
    /// The file of the first definition.
    #[source_code]
    pub src: NamedSource<Arc<str>>,
    /// The first definition.
    #[label("first defined here")]
    pub span: SourceSpan,
}
