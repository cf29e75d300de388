//! GitHub Actions workflow commands: one `::error file=…,line=…::message` per failing rule,
//! so the run's summary and the pull request annotate the rule; an unreadable report
//! points at its file and, in a batch file, its row or line.

use std::io::{self, Write};

use super::findings::{Finding, fails_the_run, findings, location};
use super::text::terminal;
use super::{Render, RunEnd, Sink};
use crossfoot_core::engine::{Engine, Outcome, ReportResult};
use crossfoot_core::report::{Place, Unreadable};
use crossfoot_syntax::ast::Severity;

/// Writes the commands for a report's failures.
pub struct Github<'a> {
    engine: &'a Engine,
    deny_warnings: bool,
    /// Each rule's `file=…,line=…,col=…,endLine=…,endColumn=…,title=…`.
    places: Vec<String>,
}

impl<'a> Github<'a> {
    /// The writer for an engine's rules.
    pub fn new(engine: &'a Engine, deny_warnings: bool) -> Self {
        let places = engine
            .rules()
            .rules()
            .iter()
            .map(|rule| {
                let (file, start, end) = location(engine, rule);
                format!(
                    "file={},line={},col={},endLine={},endColumn={},title={}",
                    property(&file),
                    start.0,
                    start.1,
                    end.0,
                    end.1,
                    property(rule.id())
                )
            })
            .collect();
        Github {
            engine,
            deny_warnings,
            places,
        }
    }

    /// The command for a finding: `error` when it fails the run, else `warning` or
    /// `notice`.
    fn command(&self, finding: &Finding<'_>) -> &'static str {
        match finding.outcome {
            Outcome::Error => "error",
            Outcome::Fail if fails_the_run(finding.severity(), self.deny_warnings) => "error",
            Outcome::Fail if finding.severity() == Severity::Warning => "warning",
            _ => "notice",
        }
    }
}

impl Render for Github<'_> {
    fn render(&self, result: &ReportResult, out: &mut Vec<u8>) {
        let wanted = Outcome::is_finding;
        for (index, finding) in findings(self.engine, result, wanted) {
            let place = self.places.get(index).map_or("", String::as_str);
            let _ = writeln!(
                out,
                "::{} {place}::{}",
                self.command(&finding),
                data(&finding.full_message())
            );
        }
    }
}

/// Writes the commands in input order.
pub struct GithubSink<'a> {
    out: &'a mut dyn Write,
}

impl<'a> GithubSink<'a> {
    /// Workflow commands on `out`.
    pub fn new(out: &'a mut dyn Write) -> Self {
        GithubSink { out }
    }
}

impl Sink for GithubSink<'_> {
    fn report(&mut self, _result: &ReportResult, rendered: &[u8]) -> io::Result<()> {
        self.out.write_all(rendered)
    }

    fn unreadable(&mut self, unreadable: &Unreadable) -> io::Result<()> {
        let line = match unreadable.meta.place {
            Some(Place::Row(n) | Place::Line(n)) => format!(",line={n}"),
            None => String::new(),
        };
        writeln!(
            self.out,
            "::error file={}{line},title=unreadable report::{}",
            property(&unreadable.meta.source),
            data(&unreadable.message())
        )
    }

    fn finish(&mut self, end: &RunEnd<'_>) -> io::Result<()> {
        for warning in end.warnings {
            let text = crate::warning::warning_text(warning);
            writeln!(self.out, "::warning title=crossfoot::{}", data(&text))?;
        }
        self.out.flush()
    }
}

/// Escaping for a command's message.
fn data(text: &str) -> String {
    terminal(text)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping for a command's property values.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}
