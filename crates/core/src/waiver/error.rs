//! Problems with a waivers file, and warnings about its waivers after a run.

use crossfoot_syntax::source::Source;

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

/// A waivers file that cannot be used, or a waiver that needs attention.
#[derive(Debug, Error, Diagnostic)]
pub enum WaiverError {
    /// Not a waivers file, or an entry without what a waiver needs.
    #[error("{message}")]
    #[diagnostic(code(crossfoot::waiver::malformed), help("{help}"))]
    Malformed {
        /// What is wrong.
        message: String,
        /// The waivers file.
        #[source_code]
        src: Source,
        /// Where.
        #[label("here")]
        span: SourceSpan,
        /// How to write it.
        help: String,
    },

    /// A waiver of a rule the set does not have.
    #[error("the waiver names rule `{rule}`, which the rule set does not have")]
    #[diagnostic(code(crossfoot::waiver::unknown_rule))]
    UnknownRule {
        /// The id as written.
        rule: String,
        /// The waivers file.
        #[source_code]
        src: Source,
        /// The id.
        #[label("no such rule")]
        span: SourceSpan,
        /// A near id.
        #[help]
        help: Option<String>,
    },

    /// A waiver past its expiry: it waives nothing.
    #[error("the waiver of `{rule}` expired on {expires}")]
    #[diagnostic(
        code(crossfoot::waiver::expired),
        severity(Warning),
        help(
            "failures of `{rule}` count again (today is {today}); renew the waiver with a new approval, or remove it"
        )
    )]
    Expired {
        /// The rule.
        rule: String,
        /// The expiry.
        expires: String,
        /// The day it was judged on.
        today: String,
        /// The waivers file.
        #[source_code]
        src: Source,
        /// The expiry date.
        #[label("expired")]
        span: SourceSpan,
    },

    /// A live waiver that covered reports on which its rule never failed.
    #[error(
        "the waiver of `{rule}` is unused: the rule did not fail on the {covered} report{plural} it covers"
    )]
    #[diagnostic(
        code(crossfoot::waiver::unused),
        severity(Warning),
        help("if the exception is over, remove the waiver so a new failure is not hidden")
    )]
    Unused {
        /// The rule.
        rule: String,
        /// Reports of the run the waiver covers.
        covered: usize,
        /// `s` or nothing.
        plural: &'static str,
        /// The waivers file.
        #[source_code]
        src: Source,
        /// The waiver.
        #[label("never needed")]
        span: SourceSpan,
    },
}

impl WaiverError {
    /// Whether this is a warning rather than an error: what its
    /// `#[diagnostic(severity(Warning))]` declares, the one place that says so.
    pub fn is_warning(&self) -> bool {
        crate::problem::is_warning(self)
    }
}
