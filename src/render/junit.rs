//! JUnit XML: a test suite per report, a test case per rule. Failures carry the human
//! message; skipped rules are `<skipped/>`. Everything from the input is escaped.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::Sink;
use super::findings::findings;
use crate::engine::{Engine, Outcome, ReportResult, Totals};
use crate::report::Unreadable;

/// `--format junit`: a test suite per report, a test case per rule. The root element
/// carries the totals, so the suites are kept until the end.
pub struct JunitSink<'a> {
    engine: &'a Engine,
    out: &'a mut dyn Write,
    suites: String,
    counts: Counts,
}

/// Test cases by kind.
#[derive(Clone, Copy, Debug, Default)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Counts {
    fn add(&mut self, outcome: Outcome) {
        self.tests += 1;
        match outcome {
            Outcome::Pass => {}
            Outcome::Fail => self.failures += 1,
            Outcome::Error => self.errors += 1,
            Outcome::Skipped | Outcome::Waived => self.skipped += 1,
        }
    }

    fn attributes(&self) -> String {
        format!(
            "tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\"",
            self.tests, self.failures, self.errors, self.skipped
        )
    }
}

impl<'a> JunitSink<'a> {
    /// JUnit XML on `out`.
    pub fn new(engine: &'a Engine, out: &'a mut dyn Write) -> Self {
        JunitSink {
            engine,
            out,
            suites: String::new(),
            counts: Counts::default(),
        }
    }
}

impl Sink for JunitSink<'_> {
    fn report(&mut self, result: &ReportResult) -> io::Result<()> {
        let report = &result.row.meta.name();
        let mut counts = Counts::default();
        let mut cases = String::new();
        for finding in findings(self.engine, result) {
            counts.add(finding.outcome);
            let _ = write!(
                cases,
                "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\"",
                escape(&finding.rule.id),
                escape(report),
                escape(&finding.file),
                finding.start.0
            );
            let message = escape(&finding.message);
            match finding.outcome {
                Outcome::Pass => cases.push_str("/>\n"),
                Outcome::Fail => {
                    let body = escape_text(
                        &finding
                            .diagnostic_text()
                            .unwrap_or_else(|| finding.full_message()),
                    );
                    let _ = writeln!(
                        cases,
                        ">\n      <failure message=\"{message}\" type=\"{}\">{body}</failure>\n    </testcase>",
                        finding.severity().as_str()
                    );
                }
                Outcome::Error => {
                    let body = escape_text(
                        &finding
                            .diagnostic_text()
                            .unwrap_or_else(|| finding.full_message()),
                    );
                    let _ = writeln!(
                        cases,
                        ">\n      <error message=\"{message}\" type=\"evaluation\">{body}</error>\n    </testcase>"
                    );
                }
                Outcome::Skipped => {
                    let _ = writeln!(
                        cases,
                        ">\n      <skipped message=\"{message}\"/>\n    </testcase>"
                    );
                }
                Outcome::Waived => {
                    let waived = escape(&format!("waived: {}", finding.detail));
                    let _ = writeln!(
                        cases,
                        ">\n      <skipped message=\"{waived}\"/>\n    </testcase>"
                    );
                }
            }
        }
        let _ = writeln!(
            self.suites,
            "  <testsuite name=\"{}\" {}>",
            escape(report),
            counts.attributes()
        );
        self.suites.push_str(&cases);
        self.suites.push_str("  </testsuite>\n");
        self.counts.tests += counts.tests;
        self.counts.failures += counts.failures;
        self.counts.errors += counts.errors;
        self.counts.skipped += counts.skipped;
        Ok(())
    }

    fn unreadable(&mut self, unreadable: &Unreadable) -> io::Result<()> {
        let report = escape(&unreadable.name);
        for error in &unreadable.errors {
            let message = escape(&error.to_string());
            let _ = writeln!(
                self.suites,
                "  <testsuite name=\"{report}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n    <testcase name=\"read report\" classname=\"{report}\">\n      <error message=\"{message}\" type=\"input\">{message}</error>\n    </testcase>\n  </testsuite>"
            );
            self.counts.tests += 1;
            self.counts.errors += 1;
        }
        Ok(())
    }

    fn finish(&mut self, _totals: &Totals) -> io::Result<()> {
        writeln!(
            self.out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"crossfoot\" {}>",
            self.counts.attributes()
        )?;
        self.out.write_all(self.suites.as_bytes())?;
        self.out.write_all(b"</testsuites>\n")?;
        self.out.flush()
    }
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
