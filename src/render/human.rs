//! The human output: rustc-style diagnostics for failing rules, then one summary line
//! per report.

use std::fmt::Write as _;
use std::io::{self, Write};

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

use crate::amount;
use crate::diagnostic::RuleDiagnostic;
use crate::eval::{Evaluation, Status, Summary, root_causes};

/// Width the diagnostics wrap their prose at.
const WIDTH: usize = 120;

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
        Human {
            handler: GraphicalReportHandler::new_themed(theme).with_width(WIDTH),
            color,
            verbose,
        }
    }

    /// Render any diagnostic as text.
    pub fn diagnostic(&self, diagnostic: &dyn Diagnostic) -> String {
        let mut out = String::new();
        if self.handler.render_report(&mut out, diagnostic).is_err() {
            // Rendering into a String only fails if a Display impl fails; fall back to the
            // bare message rather than lose the problem.
            out = format!("error: {diagnostic}\n");
        }
        out
    }

    /// One report: each failing rule's diagnostic on `out`, each rule that could not be
    /// evaluated on `err`, then the summary line on `out`.
    pub fn report(
        &self,
        evaluation: &Evaluation<'_>,
        deny_warnings: bool,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> io::Result<()> {
        for (rule, outcome) in evaluation.results() {
            if matches!(outcome.status, Status::Fail(_)) {
                if let Some(diagnostic) = RuleDiagnostic::new(evaluation.rules, rule, outcome) {
                    writeln!(out, "{}", self.diagnostic(&diagnostic))?;
                }
            }
        }
        self.errors(evaluation, err)?;
        for (rule, outcome) in evaluation.results() {
            if let Status::Waived(waived) = &outcome.status {
                writeln!(out, "{}\n", waived_text(rule, waived))?;
            }
        }
        if evaluation.summary().failed >= 2 {
            write!(out, "{}", root_cause_text(evaluation))?;
        }
        if self.verbose {
            for (rule, outcome) in evaluation.results() {
                let status = match &outcome.status {
                    Status::Pass(_) => "pass   ".to_owned(),
                    Status::Fail(_) => format!("{:<7}", rule.severity.as_str()),
                    Status::Waived(_) => "waived ".to_owned(),
                    Status::Skipped(_) => "skipped".to_owned(),
                    Status::Error(_) => "ERROR  ".to_owned(),
                };
                let why = match &outcome.status {
                    Status::Skipped(skip) => format!(" ({})", skip.reason()),
                    _ => String::new(),
                };
                writeln!(out, "  {status} {}{why}", rule.id)?;
            }
        }
        writeln!(out, "{}", self.summary_line(evaluation, deny_warnings))
    }

    /// Each rule whose arithmetic could not be carried out, as a diagnostic on `err`.
    pub fn errors(&self, evaluation: &Evaluation<'_>, err: &mut dyn Write) -> io::Result<()> {
        for (rule, outcome) in evaluation.results() {
            if matches!(outcome.status, Status::Error(_)) {
                if let Some(diagnostic) = RuleDiagnostic::new(evaluation.rules, rule, outcome) {
                    write!(err, "{}", self.diagnostic(&diagnostic))?;
                }
            }
        }
        Ok(())
    }

    /// `ok: examples/hsbc-2020-07.yaml (HSBC …, as of 2020-07-31): 57 rules, 52 passed, …`
    pub fn summary_line(&self, evaluation: &Evaluation<'_>, deny_warnings: bool) -> String {
        let summary = evaluation.summary();
        let report = evaluation.report;
        let verdict = verdict(&summary, deny_warnings);
        let mut line = format!("{}: {}", self.paint(verdict), report.name());
        let about: Vec<String> = report
            .firm()
            .map(str::to_owned)
            .into_iter()
            .chain(report.as_of().map(|d| format!("as of {d}")))
            .collect();
        if !about.is_empty() {
            let _ = write!(line, " ({})", about.join(", "));
        }
        let _ = write!(line, ": {}", counts(&summary));
        let ids = |wanted: fn(&Status) -> bool| -> Vec<&str> {
            evaluation
                .results()
                .filter(|(_, outcome)| wanted(&outcome.status))
                .map(|(rule, _)| rule.id.as_str())
                .collect()
        };
        let failed = ids(|status| matches!(status, Status::Fail(_)));
        if !failed.is_empty() {
            let _ = write!(line, "\n  failed: {}", failed.join(", "));
        }
        let errors = ids(|status| matches!(status, Status::Error(_)));
        if !errors.is_empty() {
            let _ = write!(line, "\n  could not be evaluated: {}", errors.join(", "));
        }
        line
    }

    fn paint(&self, verdict: &'static str) -> String {
        if !self.color {
            return verdict.to_owned();
        }
        let code = match verdict {
            "ok" => "32",
            "warning" => "33",
            _ => "31",
        };
        format!("\u{1b}[1;{code}m{verdict}\u{1b}[0m")
    }
}

/// The most promising single corrections, best first.
fn root_cause_text(evaluation: &Evaluation<'_>) -> String {
    let candidates: Vec<_> = root_causes(evaluation)
        .into_iter()
        .filter(|candidate| candidate.clears.len() >= 2)
        .collect();
    if candidates.is_empty() {
        return String::new();
    }
    let rules = evaluation.rules.rules();
    let ids = |indices: &[usize]| -> String {
        indices
            .iter()
            .filter_map(|&i| rules.get(i).map(|r| r.id.as_str()))
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
            if count == 1 { "" } else { "s" },
            ids(&candidate.clears),
        );
        if !candidate.breaks.is_empty() {
            let _ = write!(text, ", but would break {}", ids(&candidate.breaks));
        }
        if let Some(label) = evaluation.rules.label(candidate.line) {
            let _ = write!(text, " — {label}");
        }
        text.push('\n');
    }
    text.push('\n');
    text
}

/// How many root-cause candidates the human output lists.
const MAX_ROOT_CAUSES: usize = 5;

/// `ok`, `warning`, `FAIL` or `ERROR` for a report.
fn verdict(summary: &Summary, deny_warnings: bool) -> &'static str {
    if summary.errors > 0 {
        "ERROR"
    } else if summary.failed_errors > 0 || (deny_warnings && summary.failed_warnings > 0) {
        "FAIL"
    } else if summary.failed > 0 {
        "warning"
    } else {
        "ok"
    }
}

/// `waived: seg.excess — …`: a failure a waiver accepts, with its numbers and why.
fn waived_text(rule: &crate::check::CheckedRule, waived: &crate::eval::Waived) -> String {
    let sides = &waived.sides;
    format!(
        "waived: `{}` fails ({}): left {}, right {}, difference {}\n  justification: {}\n  approved by {}; the waiver expires on {}",
        rule.id,
        crate::diagnostic::failure_message(rule),
        amount::format(sides.left),
        amount::format(sides.right),
        amount::format(sides.difference),
        waived.justification,
        waived.approver,
        waived.expires
    )
}

/// `57 rules, 52 passed, 1 failed, 4 skipped`
fn counts(summary: &Summary) -> String {
    let mut parts = vec![
        format!(
            "{} rule{}",
            summary.rules,
            if summary.rules == 1 { "" } else { "s" }
        ),
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
