//! GitHub Actions workflow commands: one `::error file=…,line=…::message` per failing rule,
//! so the run's summary and the pull request annotate the rule.

use std::io::{self, Write};

use super::Sink;
use super::findings::findings;
use crate::engine::{Engine, Outcome, ReportResult, Totals};
use crate::report::Unreadable;
use crate::syntax::ast::Severity;

/// `--format github`.
pub struct GithubSink<'a> {
    engine: &'a Engine,
    out: &'a mut dyn Write,
}

impl<'a> GithubSink<'a> {
    /// Workflow commands on `out`.
    pub fn new(engine: &'a Engine, out: &'a mut dyn Write) -> Self {
        GithubSink { engine, out }
    }
}

impl Sink for GithubSink<'_> {
    fn report(&mut self, result: &ReportResult) -> io::Result<()> {
        for finding in findings(self.engine, result) {
            let command = match (finding.outcome, finding.severity()) {
                (Outcome::Error, _) | (Outcome::Fail, Severity::Error) => "error",
                (Outcome::Fail, Severity::Warning) => "warning",
                (Outcome::Fail, Severity::Info) | (Outcome::Waived, _) => "notice",
                (Outcome::Pass | Outcome::Skipped, _) => continue,
            };
            writeln!(
                self.out,
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                property(&finding.file),
                finding.start.0,
                finding.start.1,
                finding.end.0,
                finding.end.1,
                property(&finding.rule.id),
                data(&finding.full_message())
            )?;
        }
        Ok(())
    }

    fn unreadable(&mut self, unreadable: &Unreadable) -> io::Result<()> {
        for error in &unreadable.errors {
            writeln!(
                self.out,
                "::error file={}::{}",
                property(&unreadable.name),
                data(&error.to_string())
            )?;
        }
        Ok(())
    }

    fn finish(&mut self, _totals: &Totals) -> io::Result<()> {
        self.out.flush()
    }
}

/// Escaping for a command's message.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping for a command's property values.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}
