//! The human output: rustc-style diagnostics for failing rules, a summary line per report,
//! and for a batch, a line per report that does not hold and the totals.

use std::fmt::Write as _;
use std::io::{self, Write};

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

use super::text::terminal;
use super::{RunEnd, Sink};
use crossfoot_core::compile::Within;
use crossfoot_core::compile::{CheckedRule, RuleSet};
use crossfoot_core::diagnostic::{RuleDiagnostic, difference_text};
use crossfoot_core::engine::{Engine, Outcome, ReportResult, Standing, Summary, Totals, plural};
use crossfoot_core::eval::{Status, Verdict};
use crossfoot_core::report::Unreadable;
use crossfoot_core::root_cause::root_causes;
use crossfoot_core::waiver::Waiver;
use crossfoot_syntax::amount;
use crossfoot_syntax::ast::Severity;

/// Width the diagnostics wrap their prose at.
const WIDTH: usize = 120;

/// How many reports get their full diagnostics; the rest of a batch gets a line each.
pub const MAX_DETAILED_REPORTS: usize = 10;

/// How many problems of one file are shown; the rest are counted.
pub const MAX_PROBLEMS_PER_FILE: usize = 50;

/// The file a diagnostic points into, when it quotes one.
fn file_of(diagnostic: &dyn Diagnostic) -> Option<String> {
    let source = diagnostic.source_code()?;
    let label = diagnostic.labels()?.next()?;
    let contents = source.read_span(label.inner(), 0, 0).ok()?;
    contents.name().map(str::to_owned)
}

/// Renders diagnostics and summaries for people.
#[derive(Debug)]
pub struct Human {
    handler: GraphicalReportHandler,
    color: bool,
    verbose: bool,
}

impl Human {
    /// A renderer, with or without colour, listing every rule when `verbose`.
    pub fn new(color: bool, verbose: bool) -> Self {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        // Wrapped at spaces only, so `17 CFR 1.11(e)(3)` and `2020-07-31` stay whole.
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(WIDTH)
            .with_word_separator(textwrap::WordSeparator::AsciiSpace)
            .with_word_splitter(textwrap::WordSplitter::NoHyphenation);
        Human {
            handler,
            color,
            verbose,
        }
    }

    /// Render any diagnostic as text, control characters in its message, help and labels
    /// escaped: they may quote a report's text, which must not drive the terminal. A long
    /// source line is cut around the labels on it (see [`excerpt`](super::excerpt)).
    pub fn diagnostic(&self, diagnostic: &dyn Diagnostic) -> String {
        let mut out = String::new();
        if self
            .handler
            .render_report(&mut out, &Escaped::new(diagnostic))
            .is_err()
        {
            // Rendering into a String only fails if a Display impl fails; fall back to the
            // bare message rather than lose the problem.
            out = format!("error: {}\n", terminal(&diagnostic.to_string()));
        }
        out
    }

    /// Render problems with the inputs, at most [`MAX_PROBLEMS_PER_FILE`] of each file,
    /// then how many more that file has: a file with thousands of problems on one line
    /// writes a screenful, not megabytes. (`lint`'s count still counts them all.)
    pub fn problems<E: Diagnostic>(&self, errors: &[E], out: &mut dyn Write) -> io::Result<()> {
        let mut shown: Vec<(String, usize)> = Vec::new();
        for error in errors {
            if let Some(file) = file_of(error) {
                let count = match shown.iter_mut().find(|(name, _)| *name == file) {
                    Some((_, count)) => count,
                    None => {
                        shown.push((file, 0));
                        match shown.last_mut() {
                            Some((_, count)) => count,
                            None => continue,
                        }
                    }
                };
                *count += 1;
                if *count > MAX_PROBLEMS_PER_FILE {
                    continue;
                }
            }
            write!(out, "{}", self.diagnostic(error))?;
        }
        for (file, count) in shown {
            if count > MAX_PROBLEMS_PER_FILE {
                writeln!(
                    out,
                    "… and {} more problem{} in {} not shown\n",
                    count - MAX_PROBLEMS_PER_FILE,
                    plural(count - MAX_PROBLEMS_PER_FILE),
                    terminal(&file)
                )?;
            }
        }
        Ok(())
    }

    /// One report in full: each failing rule's diagnostic on `out`, each rule that could
    /// not be evaluated on `err`, waived failures, likely root causes, every rule's status
    /// when verbose, then the summary line on `out`.
    pub fn report(
        &self,
        engine: &Engine,
        result: &ReportResult,
        deny_warnings: bool,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> io::Result<()> {
        let rules = engine.rules();
        for (rule, outcome) in result.results(rules) {
            if outcome.outcome() == Outcome::Fail {
                let amounts = result.amounts(rule);
                let status = result.status(rule);
                if let Some(diagnostic) =
                    RuleDiagnostic::new(rules, rule, &status, &amounts, result.facts())
                {
                    writeln!(out, "{}", self.diagnostic(&diagnostic))?;
                }
            }
        }
        self.errors(rules, result, err)?;
        for (rule, outcome) in result.results(rules) {
            if let (Outcome::Waived, Some(index)) = (outcome.outcome(), outcome.waiver) {
                let waiver = engine.waivers().and_then(|w| w.waivers().get(index));
                let status = result.status(rule);
                writeln!(out, "{}\n", waived_text(rule, &status, waiver))?;
            }
        }
        if result.summary.failed >= 2 {
            write!(out, "{}", root_cause_text(rules, result))?;
        }
        if self.verbose {
            // The words of JSON's `status`; a failure of a rule that is not of severity
            // `error` says its severity.
            for (rule, outcome) in result.results(rules) {
                let status = outcome.outcome().as_str();
                let why = match outcome.verdict {
                    Verdict::Skipped(skip) => format!(" ({})", skip.reason()),
                    Verdict::Pass if matches!(rule.tolerance(), Some(Within::Rounding)) => {
                        rounding_note(rule, result)
                    }
                    Verdict::Fail if rule.severity() != Severity::Error => {
                        format!(" (severity {})", rule.severity().as_str())
                    }
                    _ => String::new(),
                };
                let name = crossfoot_core::compile::version_name(rule);
                writeln!(out, "  {status:<7} {name}{why}")?;
            }
        }
        writeln!(out, "{}", self.summary_line(rules, result, deny_warnings))
    }

    /// Each rule whose arithmetic could not be carried out, as a diagnostic on `err`.
    pub fn errors(
        &self,
        rules: &RuleSet,
        result: &ReportResult,
        err: &mut dyn Write,
    ) -> io::Result<()> {
        for (rule, outcome) in result.results(rules) {
            if outcome.outcome() == Outcome::Error {
                let amounts = result.amounts(rule);
                let status = result.status(rule);
                if let Some(diagnostic) =
                    RuleDiagnostic::new(rules, rule, &status, &amounts, result.facts())
                {
                    write!(err, "{}", self.diagnostic(&diagnostic))?;
                }
            }
        }
        Ok(())
    }

    /// `ok: examples/hsbc-2020-07.yaml (HSBC …, as of 2020-07-31): 58 rules, 48 passed, …`
    pub fn summary_line(
        &self,
        rules: &RuleSet,
        result: &ReportResult,
        deny_warnings: bool,
    ) -> String {
        let summary = &result.summary;
        let meta = &result.row.meta;
        let mut line = format!(
            "{}: {}",
            self.paint(summary.standing(deny_warnings)),
            terminal(&meta.name())
        );
        let about: Vec<String> = meta
            .firm
            .as_deref()
            .map(|firm| terminal(firm).into_owned())
            .into_iter()
            .chain(meta.as_of.map(|d| format!("as of {d}")))
            .collect();
        if !about.is_empty() {
            let _ = write!(line, " ({})", about.join(", "));
        }
        let _ = write!(line, ": {}", counts(summary));
        let failed = ids(rules, result, Outcome::Fail);
        if !failed.is_empty() {
            let _ = write!(line, "\n  failed: {}", failed.join(", "));
        }
        let errors = ids(rules, result, Outcome::Error);
        if !errors.is_empty() {
            let _ = write!(line, "\n  could not be evaluated: {}", errors.join(", "));
        }
        line
    }

    /// `FAIL: reports.csv row 42 (R000041): seg.excess, seg.target_excess`: a report that
    /// does not hold, in one line.
    pub fn failing_line(
        &self,
        rules: &RuleSet,
        result: &ReportResult,
        deny_warnings: bool,
    ) -> String {
        let mut failed = ids(rules, result, Outcome::Fail);
        failed.extend(ids(rules, result, Outcome::Error));
        format!(
            "{}: {}: {}",
            self.paint(result.summary.standing(deny_warnings)),
            terminal(&result.row.meta.name()),
            failed.join(", ")
        )
    }

    /// The standing's word, coloured when colour is on.
    fn paint(&self, standing: Standing) -> String {
        let (word, code) = match standing {
            Standing::Ok => ("ok", "32"),
            Standing::Info => ("info", "36"),
            Standing::Warning => ("warning", "33"),
            Standing::Fail => ("FAIL", "31"),
            Standing::Error => ("ERROR", "31"),
        };
        if self.color {
            format!("\u{1b}[1;{code}m{word}\u{1b}[0m")
        } else {
            word.to_owned()
        }
    }
}

/// The ids of the rules with an outcome, in rule order.
fn ids<'a>(rules: &'a RuleSet, result: &'a ReportResult, wanted: Outcome) -> Vec<&'a str> {
    result
        .results(rules)
        .filter(|(_, outcome)| outcome.outcome() == wanted)
        .map(|(rule, _)| rule.id())
        .collect()
}

/// The most promising single corrections, best first.
fn root_cause_text(rules: &RuleSet, result: &ReportResult) -> String {
    let candidates: Vec<_> = root_causes(rules, result)
        .into_iter()
        .filter(|candidate| candidate.clears.len() >= 2)
        .collect();
    if candidates.is_empty() {
        return String::new();
    }
    let all = rules.rules();
    let ids = |indices: &[usize]| -> String {
        indices
            .iter()
            .filter_map(|&i| all.get(i).map(|r| r.id()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut text =
        String::from("likely root causes (one correction that clears several failures):\n");
    for candidate in candidates.iter().take(MAX_ROOT_CAUSES) {
        let count = candidate.clears.len();
        let now = candidate
            .current
            .map_or_else(|| "blank".to_owned(), amount::format);
        let _ = write!(
            text,
            "  {}: {} would clear {count} failing rule{} ({}); the report has {now}",
            candidate.line,
            amount::format(candidate.amount),
            plural(count),
            ids(&candidate.clears),
        );
        if !candidate.breaks.is_empty() {
            let _ = write!(text, ", but would break {}", ids(&candidate.breaks));
        }
        if let Some(label) = rules.label_on(candidate.line, result.row.meta.as_of) {
            let _ = write!(text, " — {}", terminal(label));
        }
        text.push('\n');
    }
    text.push('\n');
    text
}

/// How many root-cause candidates the human output lists.
const MAX_ROOT_CAUSES: usize = 5;

/// `waived: seg.excess — …`: a failure a waiver accepts, with its numbers and why.
fn waived_text(rule: &CheckedRule, status: &Status, waiver: Option<&Waiver>) -> String {
    let numbers = match status.sides() {
        Some(sides) => format!(
            "left {}, right {}, difference {}",
            amount::format_value(sides.left),
            amount::format_value(sides.right),
            difference_text(sides)
        ),
        None => String::new(),
    };
    let mut text = format!(
        "waived: `{}` fails ({}): {numbers}",
        rule.id(),
        crossfoot_core::diagnostic::failure_message(rule),
    );
    if let Some(waiver) = waiver {
        let _ = write!(
            text,
            "\n  justification: {}\n  approved by {}; the waiver expires on {}",
            terminal(&waiver.justification),
            terminal(&waiver.approver),
            waiver.expires.node
        );
    }
    text
}

/// `58 rules, 48 passed, 1 failed, 9 skipped`
pub(crate) fn counts(summary: &Summary) -> String {
    let mut parts = vec![
        format!("{} rule{}", summary.rules, plural(summary.rules)),
        format!("{} passed", summary.passed),
        format!("{} failed", summary.failed),
    ];
    if summary.waived > 0 {
        parts.push(format!("{} waived", summary.waived));
    }
    if summary.not_in_force > 0 {
        parts.push(format!(
            "{} skipped ({} not in force)",
            summary.skipped, summary.not_in_force
        ));
    } else if summary.skipped > 0 {
        parts.push(format!("{} skipped", summary.skipped));
    }
    if summary.errors > 0 {
        parts.push(format!("{} could not be evaluated", summary.errors));
    }
    parts.join(", ")
}

/// `100000 reports: 99000 ok, 1000 failed (1855 rule failures)`, …
pub fn totals_line(totals: &Totals) -> String {
    let ok = totals.reports - totals.failed - totals.warned - totals.errors;
    let mut line = format!(
        "{} report{}: {ok} ok, {} failed ({} rule failure{})",
        totals.reports,
        plural(totals.reports),
        totals.failed,
        totals.rule_failures,
        plural(totals.rule_failures)
    );
    if totals.warned > 0 {
        line.push_str(&format!(", {} with warnings only", totals.warned));
    }
    if totals.waived > 0 {
        line.push_str(&format!(
            ", {} waived failure{}",
            totals.waived,
            plural(totals.waived)
        ));
    }
    if totals.errors > 0 {
        line.push_str(&format!(", {} could not be evaluated", totals.errors));
    }
    if totals.unreadable > 0 {
        line.push_str(&format!(", {} could not be read", totals.unreadable));
    }
    line
}

/// A diagnostic whose words are shown with [`terminal`]'s escapes, its long source lines
/// cut around its labels, and the same for its related diagnostics.
struct Escaped<'a> {
    inner: &'a dyn Diagnostic,
    labels: Option<Vec<miette::LabeledSpan>>,
    /// The lines shown, when one is too long to show whole.
    excerpt: Option<super::excerpt::Excerpt>,
    related: Vec<Escaped<'a>>,
}

impl<'a> Escaped<'a> {
    fn new(inner: &'a dyn Diagnostic) -> Self {
        let labels: Option<Vec<miette::LabeledSpan>> = inner.labels().map(|labels| {
            labels
                .map(|label| {
                    let text = label.label().map(|text| terminal(text).into_owned());
                    if label.primary() {
                        miette::LabeledSpan::new_primary_with_span(text, *label.inner())
                    } else {
                        miette::LabeledSpan::new_with_span(text, *label.inner())
                    }
                })
                .collect()
        });
        let cut = match (inner.source_code(), &labels) {
            (Some(source), Some(labels)) => super::excerpt::Excerpt::of(source, labels),
            _ => None,
        };
        let (labels, excerpt) = match cut {
            Some((excerpt, moved)) => (Some(moved), Some(excerpt)),
            None => (labels, None),
        };
        let related = inner
            .related()
            .map(|related| related.map(Escaped::new).collect())
            .unwrap_or_default();
        Escaped {
            inner,
            labels,
            excerpt,
            related,
        }
    }
}

impl std::fmt::Debug for Escaped<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.inner, f)
    }
}

impl std::fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&terminal(&self.inner.to_string()))
    }
}

impl std::error::Error for Escaped<'_> {}

impl Diagnostic for Escaped<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.inner.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.inner.severity()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        // Help runs over lines of its own making; within them, nothing is let through.
        let help = self.inner.help()?.to_string();
        let lines: Vec<String> = help.split('\n').map(|l| terminal(l).into_owned()).collect();
        Some(Box::new(lines.join("\n")))
    }
    fn url<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.inner.url()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        match &self.excerpt {
            Some(excerpt) => Some(excerpt),
            None => self.inner.source_code(),
        }
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let labels = self.labels.as_ref()?;
        Some(Box::new(labels.iter().cloned()))
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related
                .iter()
                .map(|related| related as &dyn Diagnostic),
        ))
    }
    fn diagnostic_source(&self) -> Option<&dyn Diagnostic> {
        self.inner.diagnostic_source()
    }
}

/// The human output of a `check` run, report by report.
///
/// How much it shows depends on what the run finds, never on where the reports came from:
/// the first [`MAX_DETAILED_REPORTS`] reports that do not hold are shown in full (each
/// failing rule's diagnostic, then the report's summary), the others in a line each; a
/// report that holds gets its summary line while the run has shown fewer than
/// [`MAX_DETAILED_REPORTS`] reports; and a run of more than one report ends with the
/// totals.
pub struct HumanSink<'a> {
    human: Human,
    engine: &'a Engine,
    deny_warnings: bool,
    /// Reports seen so far.
    seen: usize,
    /// Reports shown in full so far.
    detailed: usize,
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
}

impl<'a> HumanSink<'a> {
    /// A sink writing results to `out` and evaluation errors to `err`.
    pub fn new(
        human: Human,
        engine: &'a Engine,
        deny_warnings: bool,
        out: &'a mut dyn Write,
        err: &'a mut dyn Write,
    ) -> Self {
        HumanSink {
            human,
            engine,
            deny_warnings,
            seen: 0,
            detailed: 0,
            out,
            err,
        }
    }

    /// Problems with the inputs, on the error stream, rendered by `problems`.
    pub fn problems<E: Diagnostic>(&mut self, problems: &Human, errors: &[E]) -> io::Result<()> {
        problems.problems(errors, self.err)
    }

    /// A line on the error stream.
    pub fn say(&mut self, line: &str) -> io::Result<()> {
        writeln!(self.err, "{}", super::text::terminal_lines(line))
    }
}

impl Sink for HumanSink<'_> {
    fn report(&mut self, result: &ReportResult, _rendered: &[u8]) -> io::Result<()> {
        if let (0, true, Some(pack)) = (self.seen, self.human.verbose, self.engine.pack()) {
            // Which version of the pack checked the reports, before the first of them.
            writeln!(self.out, "rule pack {pack}")?;
        }
        self.seen += 1;
        let holds = result.summary.holds();
        if !holds && self.detailed < MAX_DETAILED_REPORTS {
            self.detailed += 1;
            return self
                .human
                .report(self.engine, result, self.deny_warnings, self.out, self.err);
        }
        if holds {
            // Its summary, with its waived failures and (verbose) every rule's status.
            if self.seen <= MAX_DETAILED_REPORTS {
                return self.human.report(
                    self.engine,
                    result,
                    self.deny_warnings,
                    self.out,
                    self.err,
                );
            }
            return Ok(());
        }
        if self.detailed == MAX_DETAILED_REPORTS {
            self.detailed += 1;
            writeln!(
                self.out,
                "(the first {MAX_DETAILED_REPORTS} reports that do not hold are shown in full; one line for each other one)"
            )?;
        }
        let line = self
            .human
            .failing_line(self.engine.rules(), result, self.deny_warnings);
        writeln!(self.out, "{line}")
    }

    fn unreadable(&mut self, _unreadable: &Unreadable) -> io::Result<()> {
        self.seen += 1;
        Ok(())
    }

    fn finish(&mut self, end: &RunEnd<'_>) -> io::Result<()> {
        let totals = &end.totals;
        if totals.reports > 0 && totals.reports + totals.unreadable > 1 {
            writeln!(self.out, "{}", totals_line(totals))?;
        }
        self.out.flush()
    }
}

/// For a rule that holds only thanks to `within rounding`: the difference and the band.
fn rounding_note(rule: &CheckedRule, result: &ReportResult) -> String {
    let status = result.status(rule);
    status
        .sides()
        .and_then(|sides| {
            crossfoot_core::diagnostic::rounding_note(rule, sides, result.row.meta.unit)
        })
        .map(|note| format!(" ({note})"))
        .unwrap_or_default()
}

/// How [`excerpt`](super::excerpt) cuts long lines, as the human output shows it.
#[cfg(test)]
mod excerpt_tests {
    use super::Human;
    use crossfoot_syntax::source::Source;

    /// The human rendering of an error at `at..at + len` in `text`.
    fn shown(text: &str, at: usize, len: usize) -> String {
        let labels = vec![miette::LabeledSpan::new_primary_with_span(
            Some("here".to_owned()),
            (at, len),
        )];
        let report = miette::miette!(labels = labels, "a problem")
            .with_source_code(Source::new("t.xfoot", text));
        Human::new(false, false).diagnostic(report.as_ref())
    }

    #[test]
    fn a_long_line_is_cut_around_the_label_and_keeps_its_place() {
        let line = format!("  7190 = {}9999 + 1", "1000 + ".repeat(2_000));
        let text = format!("rule a \"x\"\n{line}\nrule b \"y\"\n");
        let at = text.find("9999").unwrap();
        let out = shown(&text, at, 4);
        assert!(out.len() < 1_000, "{out}");
        let column = line.find("9999").unwrap() + 1;
        assert!(out.contains(&format!("[t.xfoot:2:{column}]")), "{out}");
        let cut = out.lines().find(|l| l.contains("9999")).unwrap();
        // Sixty characters before the label, the end of the line after it.
        assert_eq!(
            cut,
            " 2 │ …0 + 1000 + 1000 + 1000 + 1000 + 1000 + 1000 + 1000 + 1000 + 9999 + 1"
        );
        // The underline is under the code it labels.
        let under = out.lines().find(|l| l.contains("──")).unwrap();
        let column = |line: &str, at: usize| line.get(..at).map(|l| l.chars().count());
        assert_eq!(
            under.find('─').and_then(|at| column(under, at)),
            cut.find("9999").and_then(|at| column(cut, at))
        );
    }

    #[test]
    fn short_lines_are_shown_whole() {
        let text = "rule a \"x\"\n  7190 = 1000 + 9999\n";
        let out = shown(text, text.find("9999").unwrap(), 4);
        assert!(!out.contains('…'), "{out}");
        assert!(out.contains(" 2 │   7190 = 1000 + 9999\n"), "{out}");
    }

    #[test]
    fn a_long_label_keeps_both_ends_and_lines_around_it_are_cut_too() {
        let long = format!("  7190 = {}1", "é + ".repeat(100));
        let text = format!("{long}\r\n{long}\r\n{long}\r\n");
        let start = long.len() + 2;
        let out = shown(&text, start + 2, long.len() - 2);
        for line in out.lines() {
            assert!(line.chars().count() < 200, "{line}");
        }
        assert!(out.contains(" 2 │   7190 = é + é"), "{out}");
        assert!(out.contains("é + 1\n"), "{out}");
        assert_eq!(out.matches('…').count(), 3, "{out}");
    }
}
