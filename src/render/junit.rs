//! JUnit XML: a test suite per report, a test case per rule. Failures carry the human
//! message; skipped rules are `<skipped/>`. Everything from the input is escaped.

use std::fmt::Write as _;

use super::findings::{FindingKind, findings};
use crate::eval::Evaluation;

/// The JUnit document of a run. `problems` are reports that could not be read; each is a
/// suite with one erroring case.
pub fn junit(evaluations: &[Evaluation<'_>], problems: &[(String, String)]) -> String {
    let all = findings(evaluations);
    let count = |kind: FindingKind| all.iter().filter(|f| f.kind == kind).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"crossfoot\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
        all.len() + problems.len(),
        count(FindingKind::Fail),
        count(FindingKind::Error) + problems.len(),
        count(FindingKind::Skipped) + count(FindingKind::Waived)
    );
    for evaluation in evaluations {
        let report = evaluation.report.name();
        let mine: Vec<_> = all.iter().filter(|f| f.report == report).collect();
        let of = |kind: FindingKind| mine.iter().filter(|f| f.kind == kind).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
            escape(report),
            mine.len(),
            of(FindingKind::Fail),
            of(FindingKind::Error),
            of(FindingKind::Skipped) + of(FindingKind::Waived)
        );
        for finding in mine {
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\"",
                escape(&finding.rule.id),
                escape(report),
                escape(&finding.file),
                finding.start.0
            );
            let body = escape_text(
                &finding
                    .diagnostic_text()
                    .unwrap_or_else(|| finding.full_message()),
            );
            let message = escape(&finding.message);
            match finding.kind {
                FindingKind::Pass => out.push_str("/>\n"),
                FindingKind::Fail => {
                    let _ = writeln!(
                        out,
                        ">\n      <failure message=\"{message}\" type=\"{}\">{body}</failure>\n    </testcase>",
                        finding.severity().as_str()
                    );
                }
                FindingKind::Error => {
                    let _ = writeln!(
                        out,
                        ">\n      <error message=\"{message}\" type=\"evaluation\">{body}</error>\n    </testcase>"
                    );
                }
                FindingKind::Skipped => {
                    let _ = writeln!(
                        out,
                        ">\n      <skipped message=\"{message}\"/>\n    </testcase>"
                    );
                }
                FindingKind::Waived => {
                    let waived = escape(&format!("waived: {}", finding.detail));
                    let _ = writeln!(
                        out,
                        ">\n      <skipped message=\"{waived}\"/>\n    </testcase>"
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    for (report, message) in problems {
        let (report, message) = (escape(report), escape(message));
        let _ = writeln!(
            out,
            "  <testsuite name=\"{report}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n    <testcase name=\"read report\" classname=\"{report}\">\n      <error message=\"{message}\" type=\"input\">{message}</error>\n    </testcase>\n  </testsuite>"
        );
    }
    out.push_str("</testsuites>\n");
    out
}

/// Escaping for element text: as for attributes, but line breaks stay as they are.
pub fn escape_text(text: &str) -> String {
    text.split('\n').map(escape).collect::<Vec<_>>().join("\n")
}

/// Attribute escaping; characters XML 1.0 cannot hold at all become U+FFFD.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => {
                let _ = write!(out, "&#{};", u32::from(c));
            }
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// One test of `crossfoot test`, for the JUnit output.
#[derive(Clone, Debug)]
pub struct TestCase {
    /// The suite it belongs to: `examples`, `mutants`, or a whole-report test file.
    pub suite: String,
    /// The case's name.
    pub name: String,
    /// The diagnostic text when it failed.
    pub failure: Option<String>,
}

/// `crossfoot test --format junit`: a suite per kind of test.
pub fn test_junit(cases: &[TestCase]) -> String {
    let mut suites: Vec<&str> = Vec::new();
    for case in cases {
        if !suites.contains(&case.suite.as_str()) {
            suites.push(&case.suite);
        }
    }
    let failures = cases.iter().filter(|c| c.failure.is_some()).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"crossfoot test\" tests=\"{}\" failures=\"{failures}\">",
        cases.len()
    );
    for suite in suites {
        let mine: Vec<&TestCase> = cases.iter().filter(|c| c.suite == suite).collect();
        let failed = mine.iter().filter(|c| c.failure.is_some()).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\">",
            escape(suite),
            mine.len()
        );
        for case in mine {
            match &case.failure {
                None => {
                    let _ = writeln!(
                        out,
                        "    <testcase name=\"{}\" classname=\"{}\"/>",
                        escape(&case.name),
                        escape(suite)
                    );
                }
                Some(failure) => {
                    let first = failure
                        .lines()
                        .find(|l| !l.trim().is_empty())
                        .unwrap_or("failed");
                    let _ = writeln!(
                        out,
                        "    <testcase name=\"{}\" classname=\"{}\">\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                        escape(&case.name),
                        escape(suite),
                        escape(first.trim()),
                        escape_text(failure)
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
