//! JUnit XML: a test suite per report, written as soon as the report is checked, and a
//! test case per rule. A failure that fails the run is a `<failure>` with the human
//! diagnostic; a failing rule of severity `warning` (without `--deny warnings`) or `info`
//! passes with its message in `<system-out>`, so the CI dashboard agrees with the exit
//! status; skipped and waived rules are `<skipped/>`. Everything from the input is escaped.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::findings::{Finding, fails_the_run, location};
use super::text::{Utf8, terminal, xml};
use super::{Render, RunEnd, Sink};
use crossfoot_core::engine::{Engine, Outcome, ReportResult};
use crossfoot_core::report::Unreadable;

/// Writes a report's test suite.
pub struct Junit<'a> {
    engine: &'a Engine,
    deny_warnings: bool,
    /// Each rule's `name="…"` and, after the classname, `file="…" line="…"`.
    names: Vec<(String, String)>,
}

impl<'a> Junit<'a> {
    /// The writer for an engine's rules.
    pub fn new(engine: &'a Engine, deny_warnings: bool) -> Self {
        let names = engine
            .rules()
            .rules()
            .iter()
            .map(|rule| {
                let (file, start, _) = location(engine, rule);
                (
                    format!(
                        "    <testcase name=\"{}\" classname=\"",
                        xml(&crossfoot_core::compile::version_name(rule), true)
                    ),
                    format!("\" file=\"{}\" line=\"{}\"", xml(&file, true), start.0),
                )
            })
            .collect();
        Junit {
            engine,
            deny_warnings,
            names,
        }
    }
}

impl Render for Junit<'_> {
    fn render(&self, result: &ReportResult, out: &mut Vec<u8>) {
        let name = terminal(&result.row.meta.name()).into_owned();
        let classname = xml(&name, true);
        // The counts come from the summary, so the suite's cases go straight after it.
        let summary = &result.summary;
        let failures = summary.failed_errors
            + if self.deny_warnings {
                summary.failed_warnings
            } else {
                0
            };
        let _ = writeln!(
            Utf8(out),
            "  <testsuite name=\"{classname}\" tests=\"{}\" failures=\"{failures}\" errors=\"{}\" skipped=\"{}\">",
            summary.rules,
            summary.errors,
            summary.skipped + summary.waived,
        );
        for (index, (rule, outcome)) in result.results(self.engine.rules()).enumerate() {
            let (head, tail) = self.names.get(index).map_or(("", ""), |(h, t)| (h, t));
            out.extend_from_slice(head.as_bytes());
            out.extend_from_slice(classname.as_bytes());
            out.extend_from_slice(tail.as_bytes());
            let kind = outcome.outcome();
            if kind == Outcome::Pass {
                out.extend_from_slice(b"/>\n");
                continue;
            }
            let finding = Finding::of(self.engine, result, rule, outcome);
            self.case_body(&finding, kind, Utf8(out));
        }
        out.extend_from_slice(b"  </testsuite>\n");
    }
}

impl Junit<'_> {
    /// What a case that did not pass holds, after its attributes.
    fn case_body(&self, finding: &Finding<'_>, kind: Outcome, mut out: Utf8<'_>) {
        let message = xml(&finding.message, true);
        let body = || {
            let text = finding
                .diagnostic_text()
                .unwrap_or_else(|| finding.full_message());
            xml(&text, false).into_owned()
        };
        let _ = match kind {
            Outcome::Fail if fails_the_run(finding.severity(), self.deny_warnings) => writeln!(
                out,
                ">\n      <failure message=\"{message}\" type=\"{}\">{}</failure>\n    </testcase>",
                finding.severity().as_str(),
                body()
            ),
            Outcome::Fail => writeln!(
                out,
                ">\n      <system-out>{}: {}</system-out>\n    </testcase>",
                finding.severity().as_str(),
                xml(&finding.full_message(), false)
            ),
            Outcome::Error => writeln!(
                out,
                ">\n      <error message=\"{message}\" type=\"evaluation\">{}</error>\n    </testcase>",
                body()
            ),
            Outcome::Waived => {
                let text = format!("{}: {}", finding.message, finding.detail);
                let waived = xml(&text, true).into_owned();
                writeln!(
                    out,
                    ">\n      <skipped message=\"{waived}\"/>\n    </testcase>"
                )
            }
            Outcome::Skipped | Outcome::Pass => writeln!(
                out,
                ">\n      <skipped message=\"{message}\"/>\n    </testcase>"
            ),
        };
    }
}

/// Writes the document: the root element, each report's suite as it comes, the end. The
/// root carries no totals, which would need every suite first; each suite has its own.
pub struct JunitSink<'a> {
    out: &'a mut dyn Write,
    started: bool,
}

impl<'a> JunitSink<'a> {
    /// JUnit XML on `out`.
    pub fn new(out: &'a mut dyn Write) -> Self {
        JunitSink {
            out,
            started: false,
        }
    }

    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.started = true;
            self.out.write_all(
                b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"crossfoot\">\n",
            )?;
        }
        Ok(())
    }
}

impl Sink for JunitSink<'_> {
    fn report(&mut self, _result: &ReportResult, rendered: &[u8]) -> io::Result<()> {
        self.start()?;
        self.out.write_all(rendered)
    }

    fn unreadable(&mut self, unreadable: &Unreadable) -> io::Result<()> {
        self.start()?;
        let name = terminal(&unreadable.name()).into_owned();
        let report = xml(&name, true);
        let text = terminal(&unreadable.message()).into_owned();
        writeln!(
            self.out,
            "  <testsuite name=\"{report}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n    <testcase name=\"read report\" classname=\"{report}\">\n      <error message=\"{}\" type=\"input\">{}</error>\n    </testcase>\n  </testsuite>",
            xml(&text, true),
            xml(&text, false)
        )
    }

    fn finish(&mut self, end: &RunEnd<'_>) -> io::Result<()> {
        self.start()?;
        if !end.warnings.is_empty() {
            let mut text = String::new();
            for warning in end.warnings {
                let line = crate::warning::warning_text(warning);
                let _ = writeln!(text, "warning: {}", terminal(&line));
            }
            writeln!(self.out, "  <system-err>{}</system-err>", xml(&text, false))?;
        }
        self.out.write_all(b"</testsuites>\n")?;
        self.out.flush()
    }
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
            xml_attribute(suite),
            mine.len()
        );
        for case in mine {
            match &case.failure {
                None => {
                    let _ = writeln!(
                        out,
                        "    <testcase name=\"{}\" classname=\"{}\"/>",
                        xml_attribute(&case.name),
                        xml_attribute(suite)
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
                        xml_attribute(&case.name),
                        xml_attribute(suite),
                        xml_attribute(first.trim()),
                        xml(failure, false)
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// Text for an attribute.
fn xml_attribute(text: &str) -> String {
    xml(text, true).into_owned()
}
