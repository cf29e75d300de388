//! Everything that can be wrong with the text of a rule file.

use crate::source::Source;

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

/// A problem with the text of a rule file. Each carries the file, so it renders alone.
#[derive(Debug, Error, Diagnostic)]
pub enum SyntaxError {
    /// `rule x.y 7190 7180`: the text does not fit the grammar.
    #[error("expected {expected}, found {found}")]
    #[diagnostic(code(crossfoot::syntax::unexpected))]
    Unexpected {
        /// What the grammar would have accepted, in words.
        expected: String,
        /// What is there, in words.
        found: String,
        /// The rule file.
        #[source_code]
        src: Source,
        /// Where.
        #[label("expected {expected}")]
        span: SourceSpan,
        /// Advice for common mistakes.
        #[help]
        help: Option<String>,
    },

    /// `((((…))))` nested deeper than the limit.
    #[error("parentheses are nested deeper than {limit} levels")]
    #[diagnostic(
        code(crossfoot::syntax::too_deep),
        help("split the formula into several rules, or remove redundant parentheses")
    )]
    TooDeep {
        /// The nesting limit.
        limit: usize,
        /// The rule file.
        #[source_code]
        src: Source,
        /// The parenthesis that goes past the limit.
        #[label("this one is level {}", limit + 1)]
        span: SourceSpan,
    },

    /// `7010 = (7020 + 7030` and the formula ends: reported at the `(`.
    #[error("unclosed parenthesis")]
    #[diagnostic(
        code(crossfoot::syntax::unclosed_paren),
        help("close it with `)` where the part in parentheses ends")
    )]
    UnclosedParen {
        /// The rule file.
        #[source_code]
        src: Source,
        /// The `(` that nothing closes.
        #[label("this `(` is never closed")]
        span: SourceSpan,
        /// Where the grammar gave up, still inside it.
        #[label("still open here")]
        end: SourceSpan,
    },

    /// `$1,00`, `99999999999999999999999999999999` or `0.000000000000000000000000000001%`.
    #[error("`{text}` is not a usable number: {reason}")]
    #[diagnostic(code(crossfoot::syntax::bad_number))]
    BadNumber {
        /// The literal as written.
        text: String,
        /// Why it cannot be used.
        reason: String,
        /// The rule file.
        #[source_code]
        src: Source,
        /// The literal.
        #[label("here")]
        span: SourceSpan,
        /// How to write it.
        #[help]
        help: Option<String>,
    },

    /// `7190 == 7180` (write `=`).
    #[error("`==` is not an operator; equality is written `=`")]
    #[diagnostic(
        code(crossfoot::syntax::double_equals),
        help("write `7190 = 7180 - 7060`")
    )]
    DoubleEquals {
        /// The rule file.
        #[source_code]
        src: Source,
        /// The `==`.
        #[label("write `=` here")]
        span: SourceSpan,
    },

    /// Two `cite` clauses in one rule.
    #[error("rule `{rule}` has more than one {clause}")]
    #[diagnostic(code(crossfoot::syntax::duplicate_clause))]
    DuplicateClause {
        /// The rule id.
        rule: String,
        /// `a citation`, `an assertion`, …
        clause: &'static str,
        /// The rule file.
        #[source_code]
        src: Source,
        /// The first one.
        #[label("first here")]
        first: SourceSpan,
        /// The second one.
        #[label("again here")]
        second: SourceSpan,
    },

    /// `effective from 2023-02-29`
    #[error("`{text}` is not a date")]
    #[diagnostic(code(crossfoot::syntax::date), help("{reason}"))]
    BadDate {
        /// The date as written.
        text: String,
        /// What is wrong with it.
        reason: crate::date::DateError,
        /// The rule file.
        #[source_code]
        src: Source,
        /// The date.
        #[label("no such day")]
        span: SourceSpan,
    },

    /// `lapse capital.min "…"` with no `effective` period.
    #[error("the lapse of rule `{id}` does not say when")]
    #[diagnostic(
        code(crossfoot::syntax::lapse_without_period),
        help(
            "a lapse declares the days no version of the rule is in force: `lapse {id} effective from 2027-02-01 until 2027-03-01`"
        )
    )]
    LapseWithoutPeriod {
        /// The rule id.
        id: String,
        /// The rule file.
        #[source_code]
        src: Source,
        /// The rule id.
        #[label("no `effective` period")]
        span: SourceSpan,
    },

    /// `rule seg.excess "…"` with no `7190 = …`.
    #[error("rule `{rule}` has no assertion")]
    #[diagnostic(
        code(crossfoot::syntax::missing_assertion),
        help("a rule asserts one relationship, e.g. `7190 = 7180 - 7060`")
    )]
    MissingAssertion {
        /// The rule id.
        rule: String,
        /// The rule file.
        #[source_code]
        src: Source,
        /// The rule id.
        #[label("this rule asserts nothing")]
        span: SourceSpan,
    },

    /// The formatter's output would not parse back to the same rules: a bug.
    #[error("formatting this file would change its meaning, so it was left as it is")]
    #[diagnostic(
        code(crossfoot::fmt::unsound),
        help("this is a bug in crossfoot; please report it with the rule file")
    )]
    Unsound {
        /// The rule file.
        #[source_code]
        src: Source,
        /// The start of the file.
        #[label("this file")]
        span: SourceSpan,
    },

    /// The parse tree had a shape the builder did not expect: a bug.
    #[error("internal error while reading the rule file: {what}")]
    #[diagnostic(
        code(crossfoot::internal),
        help("this is a bug in crossfoot; please report it with the rule file")
    )]
    Internal {
        /// What went wrong.
        what: String,
        /// The rule file.
        #[source_code]
        src: Source,
        /// Where the builder was.
        #[label("here")]
        span: SourceSpan,
    },
}
