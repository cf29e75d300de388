//! Problems the compiler finds in rules that parsed.

use crossfoot_syntax::line::LineCode;
use crossfoot_syntax::source::Source;

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

/// A rule that parsed but cannot be used as written.
#[derive(Debug, Error, Diagnostic)]
pub enum CheckError {
    /// Two rules called `seg.excess`.
    #[error("rule id `{id}` is used twice")]
    #[diagnostic(
        code(crossfoot::check::duplicate_rule),
        help(
            "rule ids are unique across the whole rule set; rename one of them, or, if one replaces the other on a date, give each an `effective` period"
        )
    )]
    DuplicateRule {
        /// The id.
        id: String,
        /// The file of the second definition.
        #[source_code]
        src: Source,
        /// The second definition.
        #[label("defined again here")]
        span: SourceSpan,
        /// The first definition, possibly in another file.
        #[related]
        first: Vec<FirstDefinition>,
    },

    /// Two versions of a rule whose periods share a day.
    #[error("two versions of rule `{id}` are in force {when}")]
    #[diagnostic(code(crossfoot::check::overlapping_versions), help("{advice}"))]
    OverlappingVersions {
        /// The id.
        id: String,
        /// `on 2024-07-01`, or `from the start` when both have no start.
        when: String,
        /// How to separate them.
        advice: String,
        /// The file of the second version.
        #[source_code]
        src: Source,
        /// The second version's id.
        #[label("this version ({period})")]
        span: SourceSpan,
        /// Its period.
        period: String,
        /// The first version, possibly in another file.
        #[related]
        first: Vec<FirstDefinition>,
    },

    /// Versions `until 2027-02-28` and `from 2027-03-01`: 2027-02-28 has no version.
    #[error("no version of rule `{id}` is in force {days}")]
    #[diagnostic(
        code(crossfoot::check::version_gap),
        help(
            "`until` is the first day a version no longer applies: end the earlier version `until {next}` (or `through {last}`) to meet this one; if no version is meant to be in force then, declare it: `lapse {id} effective from {first_day} until {next}`"
        )
    )]
    VersionGap {
        /// The id.
        id: String,
        /// `on 2027-02-28`, `from 2027-02-01 through 2027-02-28`.
        days: String,
        /// The first day of the later version.
        next: String,
        /// The day before it.
        last: String,
        /// The first day nothing covers.
        first_day: String,
        /// The file of the later version.
        #[source_code]
        src: Source,
        /// The later version's id.
        #[label("this version starts after the gap")]
        span: SourceSpan,
        /// The version before the gap, possibly in another file.
        #[related]
        earlier: Vec<FirstDefinition>,
    },

    /// `lapse capital.mni …` where no rule is `capital.mni`.
    #[error("no rule is `{id}`, so it cannot lapse")]
    #[diagnostic(
        code(crossfoot::check::lapse_of_no_rule),
        help("a lapse names the id of a rule of the rule set, whose versions it sits between")
    )]
    LapseOfNoRule {
        /// The id as written.
        id: String,
        /// The rule file.
        #[source_code]
        src: Source,
        /// The id.
        #[label("no rule has this id")]
        span: SourceSpan,
    },

    /// `effective from 2024-07-01 until 2024-07-01`
    #[error("rule `{id}` is never in force")]
    #[diagnostic(
        code(crossfoot::check::never_in_force),
        help(
            "`until` is the first day the rule no longer applies, so it must come after `from`{within}"
        )
    )]
    NeverInForce {
        /// The id.
        id: String,
        /// `, and within the file's period (…)` when the file has one.
        within: String,
        /// The rule file.
        #[source_code]
        src: Source,
        /// The `effective` clause.
        #[label("{period}")]
        span: SourceSpan,
        /// The period, in words.
        period: String,
    },

    /// `maximum(7010, 7020)`
    #[error("unknown function `{name}`")]
    #[diagnostic(code(crossfoot::check::unknown_function))]
    UnknownFunction {
        /// The name as written.
        name: String,
        /// The rule file.
        #[source_code]
        src: Source,
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
        src: Source,
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
        src: Source,
        /// The second argument.
        #[label("not a number of places")]
        span: SourceSpan,
    },

    /// `round(x, 2, half_odd)`, `prior(7010 + 7020)`, `half_even` outside `round`
    #[error("{message}")]
    #[diagnostic(code(crossfoot::check::argument))]
    Argument {
        /// What is wrong.
        message: String,
        /// The rule file.
        #[source_code]
        src: Source,
        /// The argument.
        #[label("{label}")]
        span: SourceSpan,
        /// What the label says.
        label: &'static str,
        /// How to write it.
        #[help]
        help: String,
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
        src: Source,
        /// The tolerance.
        #[label("this tolerance")]
        span: SourceSpan,
        /// The operator.
        #[label("compares exactly")]
        op_span: SourceSpan,
    },

    /// `9040 >= 250000`: a bare integer too long for a FOCUS line code, most likely an
    /// amount written without its `$`.
    #[error("`{code}` is not a line code: FOCUS line codes have 3 to 5 digits")]
    #[diagnostic(
        code(crossfoot::check::not_a_line_code),
        help(
            "write an amount with `$`: `{amount}` (a line code of 6 or more digits must be declared on a page)"
        )
    )]
    NotALineCode {
        /// The digits as written.
        code: String,
        /// The same number as money, with thousands separators: `$250,000`.
        amount: String,
        /// The rule file.
        #[source_code]
        src: Source,
        /// The number.
        #[label("an amount without `$`?")]
        span: SourceSpan,
    },

    /// `7191` when the catalogue has no such line.
    #[error("line {code} is not in the line catalogue")]
    #[diagnostic(code(crossfoot::check::unknown_line))]
    UnknownLine {
        /// The code as written.
        code: String,
        /// The rule file.
        #[source_code]
        src: Source,
        /// The code.
        #[label("unknown line")]
        span: SourceSpan,
        /// A suggestion, or how to declare the line.
        #[help]
        help: String,
        /// The declared line the code most likely is (one digit off, or two swapped): what
        /// an editor's quick fix writes instead.
        suggestion: Option<LineCode>,
    },

    /// `passes 7010 = 1, 7010 = 2`
    #[error("line {code} appears twice in one example")]
    #[diagnostic(
        code(crossfoot::check::duplicate_example_line),
        help("give each line one amount; lines not listed are blank")
    )]
    DuplicateExampleLine {
        /// The line.
        code: String,
        /// The rule file.
        #[source_code]
        src: Source,
        /// The first amount.
        #[label("first here")]
        first: SourceSpan,
        /// The second.
        #[label("again here")]
        span: SourceSpan,
    },

    /// `7010` declared on two pages.
    #[error("line {code} is declared twice")]
    #[diagnostic(
        code(crossfoot::check::duplicate_line),
        help("each line code is declared once, on the page that prints it")
    )]
    DuplicateLine {
        /// The code.
        code: String,
        /// The file of the second declaration.
        #[source_code]
        src: Source,
        /// The second declaration.
        #[label("declared again here")]
        span: SourceSpan,
        /// The first declaration, possibly in another file.
        #[related]
        first: Vec<FirstDefinition>,
    },

    /// `7425 "8% …" effective until …` then `7425 "10% …" total effective from …`.
    #[error("line {code}: {what}")]
    #[diagnostic(
        code(crossfoot::check::dated_line),
        help(
            "each edition of a line gives its label and the days it is in force, on the same page with the same flags (deduction, total, percent, ratio); a line whose meaning changes needs a code of its own"
        )
    )]
    DatedLine {
        /// The code.
        code: String,
        /// `its page changes on a date`, `its flags change on a date`, or `two editions
        /// cover the same days`.
        what: String,
        /// The file of the later declaration.
        #[source_code]
        src: Source,
        /// The later declaration.
        #[label("this edition")]
        span: SourceSpan,
        /// The first declaration, possibly in another file.
        #[related]
        first: Vec<FirstDefinition>,
    },

    /// `8% + 7415`, `7010 * 7020`, `7050 >= 0.0`
    #[error("{message}")]
    #[diagnostic(code(crossfoot::check::units))]
    Units {
        /// `cannot add money and a ratio`
        message: String,
        /// The rule file.
        #[source_code]
        src: Source,
        /// The first operand.
        #[label("{left_kind}")]
        left: SourceSpan,
        /// Its kind, in words.
        left_kind: &'static str,
        /// The second operand.
        #[label("{right_kind}")]
        right: SourceSpan,
        /// Its kind, in words.
        right_kind: &'static str,
        /// How to write it instead.
        #[help]
        help: &'static str,
    },

    /// `$1 = $1`, `7010 = 7010`
    #[error("rule `{rule}` {why}")]
    #[diagnostic(
        code(crossfoot::check::trivial_rule),
        help("a rule must be able both to hold and to fail depending on the report's amounts")
    )]
    TrivialRule {
        /// The rule id.
        rule: String,
        /// `compares constants only: …`
        why: &'static str,
        /// The rule file.
        #[source_code]
        src: Source,
        /// The assertion.
        #[label("{verdict}")]
        span: SourceSpan,
        /// `holds on every report`, …
        verdict: &'static str,
    },

    /// `7010 / $0`
    #[error("division by zero")]
    #[diagnostic(code(crossfoot::check::division_by_zero))]
    DivisionByZero {
        /// The rule file.
        #[source_code]
        src: Source,
        /// The zero.
        #[label("this is zero")]
        span: SourceSpan,
    },

    /// `7190 = 7180 - 7060` with the example `passes 7180 = 1411, 7050 = 2096, …`.
    #[error("the example sets line {code}, which `{rule}` does not read")]
    #[diagnostic(
        code(crossfoot::check::unread_example_line),
        severity(Warning),
        help(
            "`{rule}` reads {reads}; an example line the rule does not read is most likely a code that changed in the rule but not in its examples"
        )
    )]
    UnreadExampleLine {
        /// The line the example sets.
        code: String,
        /// The rule.
        rule: String,
        /// The lines the rule reads, `7190, 7180, 7060`.
        reads: String,
        /// The rule file.
        #[source_code]
        src: Source,
        /// The line in the example.
        #[label("not read by the rule")]
        span: SourceSpan,
    },

    /// `7180 = 7070 + 7080` in one rule and `7180 = 7070 + 7090` in another.
    #[error(
        "line {line} is asserted equal to two different formulas, in `{first_rule}` and `{rule}`"
    )]
    #[diagnostic(
        code(crossfoot::check::conflicting_totals),
        severity(Warning),
        help(
            "a report can satisfy both only if the formulas agree; keep one, or give them conditions"
        )
    )]
    ConflictingTotals {
        /// The line.
        line: String,
        /// The rule met first.
        first_rule: String,
        /// The rule met second.
        rule: String,
        /// The file of the second rule.
        #[source_code]
        src: Source,
        /// The second rule's assertion.
        #[label("{line} = {formula}")]
        span: SourceSpan,
        /// The second formula.
        formula: String,
        /// The first rule's assertion.
        #[related]
        first: Vec<FirstDefinition>,
    },

    /// A deduction line with no `7033 <= $0`.
    #[error("deduction line {code} has no sign rule")]
    #[diagnostic(
        code(crossfoot::check::missing_sign_rule),
        severity(Warning),
        help(
            "deduction lines are stored negative; add a rule `{code} <= $0` so a positive amount is caught"
        )
    )]
    MissingSignRule {
        /// The line.
        code: String,
        /// The catalogue file.
        #[source_code]
        src: Source,
        /// The line's declaration.
        #[label("declared as a deduction here")]
        span: SourceSpan,
    },
}

impl CheckError {
    /// Where the problem is, for ordering problems as they appear in the file.
    pub fn offset(&self) -> usize {
        let span = match self {
            CheckError::DuplicateRule { span, .. }
            | CheckError::OverlappingVersions { span, .. }
            | CheckError::VersionGap { span, .. }
            | CheckError::LapseOfNoRule { span, .. }
            | CheckError::NeverInForce { span, .. }
            | CheckError::UnknownFunction { span, .. }
            | CheckError::Arity { span, .. }
            | CheckError::RoundPlaces { span, .. }
            | CheckError::Argument { span, .. }
            | CheckError::UnknownLine { span, .. }
            | CheckError::NotALineCode { span, .. }
            | CheckError::DuplicateLine { span, .. }
            | CheckError::DatedLine { span, .. }
            | CheckError::TrivialRule { span, .. }
            | CheckError::DivisionByZero { span, .. }
            | CheckError::ConflictingTotals { span, .. }
            | CheckError::MissingSignRule { span, .. }
            | CheckError::UnreadExampleLine { span, .. }
            | CheckError::DuplicateExampleLine { span, .. } => span,
            CheckError::ToleranceOnInequality { op_span, .. } => op_span,
            CheckError::Units { left, .. } => left,
        };
        span.offset()
    }

    /// Whether this is a warning rather than an error: what its
    /// `#[diagnostic(severity(Warning))]` declares, the one place that says so.
    pub fn is_warning(&self) -> bool {
        crate::problem::is_warning(self)
    }
}

/// The other place a duplicate or conflict points at.
#[derive(Debug, Error, Diagnostic)]
#[error("{what}")]
#[diagnostic(severity(Advice))]
pub struct FirstDefinition {
    /// `` `seg.excess` is first defined here ``
    pub what: String,
    /// The file of the first definition.
    #[source_code]
    pub src: Source,
    /// The first definition.
    #[label("{label}")]
    pub span: SourceSpan,
    /// `first defined here`
    pub label: String,
}
