//! Rule outcomes as miette diagnostics: the rule's own source, each line code labelled
//! with its amount, both sides, the difference and the tolerance, in numbers.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, Severity as MietteSeverity, SourceCode};

use crate::compile::RuleSet;
use crossfoot_syntax::source::Source;

use crate::compile::{CheckedRule, Node};
use crate::eval::{Amounts, EvalError, Facts, Sides, Status, Value};
use crate::unit::Unit;
use crossfoot_syntax::amount;
use crossfoot_syntax::ast::{CmpOp, Expectation, LineKind, Severity};
use crossfoot_syntax::source::Span;
use crossfoot_syntax::source::terminal;

/// A failing rule, or a rule whose arithmetic could not be carried out, ready to render.
#[derive(Debug)]
pub struct RuleDiagnostic {
    code: String,
    severity: MietteSeverity,
    message: String,
    help: String,
    labels: Vec<LabeledSpan>,
    src: Option<Source>,
}

impl RuleDiagnostic {
    /// The diagnostic for a rule's status on these amounts, or `None` when it passed or
    /// was skipped.
    pub fn new<A: Amounts + ?Sized>(
        rules: &RuleSet,
        rule: &CheckedRule,
        status: &Status,
        amounts: &A,
        facts: Facts,
    ) -> Option<Self> {
        let unit = facts.unit;
        let src = rules.source_of(rule).map(Source::named);
        let (message, mut help, mut labels, severity) = match status {
            Status::Fail(sides) => (
                failure_message(rule),
                failure_help(rule, sides, unit),
                rounding_labels(sides),
                severity(rule.severity),
            ),
            Status::Error(error) => (
                format!("rule `{}` could not be evaluated: {error}", rule.id),
                error_help(error),
                vec![LabeledSpan::new_with_span(
                    Some(error_label(error)),
                    error.span(),
                )],
                MietteSeverity::Error,
            ),
            Status::Pass(_) | Status::Skipped(_) => return None,
        };
        labels.extend(line_labels(rules, rule, amounts, facts));
        let labels = capped(labels, &mut help);
        Some(RuleDiagnostic {
            code: rule.id.clone(),
            severity,
            message,
            help,
            labels,
            src,
        })
    }
}

impl RuleDiagnostic {
    /// An example whose verdict is not the one it expects: the rule's source with the
    /// example's amounts on each line, the example itself labelled, and the numbers.
    pub fn example<A: Amounts + ?Sized>(
        rules: &RuleSet,
        rule: &CheckedRule,
        status: &Status,
        amounts: &A,
        expect: Expectation,
        example: Span,
    ) -> Self {
        let expected = match expect {
            Expectation::Passes => "pass",
            Expectation::Fails => "fail",
            Expectation::Skips => "be skipped",
        };
        let got = verdict_words(status);
        let message = format!("this example expects the rule to {expected}, but it {got}");
        let (mut help, mut labels) = match status {
            Status::Fail(sides) => (
                failure_help(rule, sides, Unit::DOLLARS),
                rounding_labels(sides),
            ),
            Status::Pass(sides) => (
                format!(
                    "the rule holds: left {}, right {} (difference {}, {})",
                    amount::format_value(sides.left),
                    amount::format_value(sides.right),
                    difference_text(sides),
                    allowance(sides, Unit::DOLLARS)
                ),
                rounding_labels(sides),
            ),
            Status::Skipped(skip) => (format!("skipped: {}", skip.reason()), Vec::new()),
            Status::Error(error) => (error.to_string(), Vec::new()),
        };
        labels.push(LabeledSpan::new_with_span(
            Some("this example".to_owned()),
            example,
        ));
        labels.extend(line_labels(rules, rule, amounts, Facts::default()));
        let labels = capped(labels, &mut help);
        RuleDiagnostic {
            code: rule.id.clone(),
            severity: MietteSeverity::Error,
            message,
            help,
            labels,
            src: rules.source_of(rule).map(Source::named),
        }
    }

    /// A mutant no example tells apart from the rule.
    pub fn survivor(rules: &RuleSet, rule: &CheckedRule, description: &str, span: Span) -> Self {
        RuleDiagnostic {
            code: rule.id.clone(),
            severity: MietteSeverity::Warning,
            message: format!("a mutant of `{}` survives: {description}", rule.id),
            help: "no example gets a different verdict from the changed rule; add an example that tells them apart"
                .to_owned(),
            labels: vec![LabeledSpan::new_with_span(Some(description.to_owned()), span)],
            src: rules.source_of(rule).map(Source::named),
        }
    }
}

impl fmt::Display for RuleDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RuleDiagnostic {}

impl Diagnostic for RuleDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<MietteSeverity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.help))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.src.as_ref().map(|src| src as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

fn severity(severity: Severity) -> MietteSeverity {
    match severity {
        Severity::Error => MietteSeverity::Error,
        Severity::Warning => MietteSeverity::Warning,
        Severity::Info => MietteSeverity::Advice,
    }
}

/// `line 7190 does not equal 7180 - 7060`
pub fn failure_message(rule: &CheckedRule) -> String {
    let subject = match rule.assertion.left {
        Node::Line { .. } => format!("line {}", rule.left_text()),
        _ => rule.left_text().to_owned(),
    };
    let verb = match rule.assertion.op {
        CmpOp::Eq => "does not equal",
        CmpOp::Ne => "equals",
        CmpOp::Lt => "is not less than",
        CmpOp::Le => "is greater than",
        CmpOp::Gt => "is not greater than",
        CmpOp::Ge => "is less than",
    };
    format!("{subject} {verb} {}", rule.right_text())
}

/// Whether a rule's numbers are shown as percentages: its left side is a percentage line.
fn in_percent(rule: &CheckedRule) -> bool {
    match rule.assertion.left {
        Node::Line {
            slot, prior: false, ..
        } => rule.kind(slot) == LineKind::Percent,
        _ => false,
    }
}

/// For a rule that holds only thanks to `within rounding`: `difference 0.10, the rounding
/// of 4 figures in thousands allows ±1.025`; `None` when it would hold exactly too.
pub fn rounding_note(rule: &CheckedRule, sides: &Sides, unit: Unit) -> Option<String> {
    sides.band?;
    let difference = sides.difference?;
    let exactly = rule.assertion.op.holds(difference.cmp(&Value::ZERO));
    if exactly {
        return None;
    }
    let percent = in_percent(rule);
    let unit = if rule.compares_money() {
        unit
    } else {
        Unit::DOLLARS
    };
    Some(format!(
        "difference {}, {}",
        shown(difference, percent),
        allowance_in(sides, unit, percent)
    ))
}

/// The numbers: what the report has, what the rule expects, the difference, the
/// tolerance; then the rule's description and citation.
fn failure_help(rule: &CheckedRule, sides: &Sides, unit: Unit) -> String {
    let numbers = failure_numbers(rule, sides, unit);
    match note(rule) {
        Some(note) => format!("{numbers}\nnote: {note}"),
        None => numbers,
    }
}

/// A failure's numbers as the diagnostic's help gives them: `the report has 198,161,468;
/// the rule expects 198,161,467 (difference 1, tolerance 0)`, in percentages for a rule
/// about a percentage line, with the unit of a scaled report.
pub fn failure_numbers(rule: &CheckedRule, sides: &Sides, unit: Unit) -> String {
    // A rule about a percentage line shows its numbers as percentages, as the form does.
    let percent = in_percent(rule);
    let unit = if rule.compares_money() {
        unit
    } else {
        Unit::DOLLARS
    };
    let left = shown(sides.left, percent);
    let right = shown(sides.right, percent);
    let has = match rule.assertion.left {
        Node::Line { .. } => format!("the report has {left}"),
        _ => format!("the left side is {left}"),
    };
    let gap = sides
        .difference
        .map_or_else(|| TOO_LARGE.to_owned(), |d| shown(d.abs(), percent));
    let difference = sides
        .difference
        .map_or_else(|| TOO_LARGE.to_owned(), |d| shown(d, percent));
    let allowed = allowance_in(sides, unit, percent);
    let also = if sides.band.is_some() {
        format!(", {allowed}")
    } else {
        String::new()
    };
    let numbers = match rule.assertion.op {
        CmpOp::Eq => {
            format!("{has}; the rule expects {right} (difference {difference}, {allowed})")
        }
        CmpOp::Ne => format!(
            "{has}; the rule expects anything but {right} (difference {difference}, {allowed})"
        ),
        CmpOp::Lt => format!("{has}; the rule requires less than {right} (over by {gap}{also})"),
        CmpOp::Le => format!("{has}; the rule requires at most {right} (over by {gap}{also})"),
        CmpOp::Gt => format!("{has}; the rule requires more than {right} (short by {gap}{also})"),
        CmpOp::Ge => format!("{has}; the rule requires at least {right} (short by {gap}{also})"),
    };
    if unit.is_dollars() || sides.band.is_some() {
        numbers
    } else {
        format!("{numbers}; amounts in {unit}")
    }
}

/// What the rule allows: `tolerance 0`, or for `within rounding` `the rounding of 3
/// figures in thousands allows ±1.5`.
pub fn allowance(sides: &Sides, unit: Unit) -> String {
    allowance_in(sides, unit, false)
}

/// A value as a ratio, or as a percentage (`59.99%`) when `percent`.
fn shown(value: Value, percent: bool) -> String {
    if !percent {
        return amount::format_value(value);
    }
    match value.checked_mul(Value::whole(100)) {
        Some(hundredfold) => format!("{}%", amount::format_value(hundredfold.reduced())),
        None => amount::format_value(value),
    }
}

/// [`allowance`], its amounts as percentages when `percent`.
fn allowance_in(sides: &Sides, unit: Unit, percent: bool) -> String {
    let Some(band) = sides.band else {
        return format!("tolerance {}", shown(sides.tolerance, percent));
    };
    let in_unit = if unit.is_dollars() {
        String::new()
    } else {
        format!(" in {unit}")
    };
    let figures = match band.figures {
        1 => "1 figure".to_owned(),
        n => format!("{n} figures"),
    };
    let (below, above) = sides
        .difference
        .map_or((Value::ZERO, Value::ZERO), |d| band.reach(d));
    if below == above {
        let reach = shown(below, percent);
        format!("the rounding of {figures}{in_unit} allows ±{reach}")
    } else {
        format!(
            "the rounding of {figures}{in_unit} allows -{} to +{}",
            shown(below, percent),
            shown(above, percent)
        )
    }
}

/// What a difference too large to hold is shown as.
const TOO_LARGE: &str = "more than 38 digits";

/// The difference of two sides as people read it.
pub fn difference_text(sides: &Sides) -> String {
    sides
        .difference
        .map_or_else(|| TOO_LARGE.to_owned(), amount::format_value)
}

/// `Excess (deficiency) funds in segregation — 17 CFR 1.20`
fn note(rule: &CheckedRule) -> Option<String> {
    let shown = |text: &String| terminal(text).into_owned();
    match (
        rule.description.as_ref().map(shown),
        rule.citation.as_ref().map(shown),
    ) {
        (Some(description), Some(citation)) => Some(format!("{description} — {citation}")),
        (Some(description), None) => Some(description),
        (None, Some(citation)) => Some(citation),
        (None, None) => None,
    }
}

fn error_help(error: &EvalError) -> String {
    match error {
        EvalError::Overflow { .. } | EvalError::BandOverflow { .. } => {
            "values are kept exact up to 38 digits; check the report for a misplaced amount"
                .to_owned()
        }
        EvalError::DivisionByZero { .. } => {
            "the divisor is 0 (a blank line counts as 0); guard the rule with `when … != $0`"
                .to_owned()
        }
        EvalError::UnboundedBand { .. } => {
            "a figure rounded to 0 could be either sign; guard the rule with `when …` or drop \
             `within rounding`"
                .to_owned()
        }
    }
}

fn error_label(error: &EvalError) -> String {
    match error {
        EvalError::Overflow { op, .. } => format!("this `{op}` overflows"),
        EvalError::BandOverflow { .. } => "its rounding band overflows".to_owned(),
        EvalError::DivisionByZero { .. } => "divides by 0".to_owned(),
        EvalError::UnboundedBand { .. } => "could divide by 0".to_owned(),
    }
}

/// The most labels a diagnostic draws: each label is drawn with a line down from every
/// label after it on the same source line, so a rule of thousands of terms would print
/// output growing with the square of its terms.
const MAX_LABELS: usize = 24;

/// The labels in source order, at most [`MAX_LABELS`] of them; `help` says how many more
/// there were.
fn capped(mut labels: Vec<LabeledSpan>, help: &mut String) -> Vec<LabeledSpan> {
    labels.sort_by_key(|label| (label.offset(), label.len()));
    if labels.len() > MAX_LABELS {
        let more = labels.len() - MAX_LABELS;
        labels.truncate(MAX_LABELS);
        help.push_str(&format!(
            "\n{more} more amount{} not labelled here; `crossfoot explain` shows every one",
            if more == 1 { " is" } else { "s are" }
        ));
    }
    labels
}

/// `7060 = 4,008,887,962 — Amount required to be segregated` under each line code;
/// `7160 is blank (counted as 0)` for a blank one; `on the prior report, 3750 = 1,000`
/// under each `prior(…)`, with its unit when it differs from the report's.
fn line_labels<'a, A: Amounts + ?Sized>(
    rules: &'a RuleSet,
    rule: &'a CheckedRule,
    amounts: &'a A,
    facts: Facts,
) -> impl Iterator<Item = LabeledSpan> + 'a {
    rule.occurrences()
        .into_iter()
        .filter_map(move |(slot, span)| {
            let code = *rule.lines.get(slot)?;
            let percent = if rule.kind(slot) == LineKind::Percent {
                "%"
            } else {
                ""
            };
            let mut text = match amounts.amount(slot) {
                Some(amount) => format!("{code} = {}{percent}", amount::format(amount)),
                None => format!("{code} is blank (counted as 0)"),
            };
            if let Some(label) = rules.label_on(code, facts.as_of) {
                text.push_str(" — ");
                text.push_str(&terminal(label));
            }
            Some(LabeledSpan::new_with_span(Some(text), span))
        })
        .chain(
            rule.prior_occurrences()
                .into_iter()
                .filter_map(move |(slot, span)| {
                    let code = *rule.lines.get(slot)?;
                    let report = if facts.prior_unit == facts.unit {
                        "on the prior report".to_owned()
                    } else {
                        format!("on the prior report (in {})", facts.prior_unit)
                    };
                    let text = match amounts.prior(slot) {
                        Some(amount) => format!("{report}, {code} = {}", amount::format(amount)),
                        None => format!("{report}, {code} is blank (counted as 0)"),
                    };
                    Some(LabeledSpan::new_with_span(Some(text), span))
                }),
        )
}

/// `rounds 360,216,023.76 to 360,216,024` under each `round(…)`.
fn rounding_labels(sides: &Sides) -> Vec<LabeledSpan> {
    sides
        .roundings
        .iter()
        .map(|rounding| {
            let text = format!(
                "rounds {} to {}",
                amount::format_value(rounding.from),
                amount::format_value(rounding.to)
            );
            LabeledSpan::new_with_span(Some(text), rounding.span)
        })
        .collect()
}

/// A verdict in the words of an example: `passes`, `fails`, `is skipped`, `cannot be evaluated`.
pub fn verdict_words(status: &Status) -> &'static str {
    match status {
        Status::Pass(_) => "passes",
        Status::Fail(_) => "fails",
        Status::Skipped(_) => "is skipped",
        Status::Error(_) => "cannot be evaluated",
    }
}
