//! GitHub Actions workflow commands: one `::error file=…,line=…::message` per failing rule,
//! so the run's summary and the pull request annotate the rule.

use std::fmt::Write as _;

use super::findings::{FindingKind, findings};
use crate::eval::Evaluation;
use crate::syntax::ast::Severity;

/// The workflow commands of a run. `problems` are reports that could not be read.
pub fn github(evaluations: &[Evaluation<'_>], problems: &[(String, String)]) -> String {
    let mut out = String::new();
    for finding in findings(evaluations) {
        let command = match (finding.kind, finding.severity()) {
            (FindingKind::Error, _) | (FindingKind::Fail, Severity::Error) => "error",
            (FindingKind::Fail, Severity::Warning) => "warning",
            (FindingKind::Fail, Severity::Info) | (FindingKind::Waived, _) => "notice",
            (FindingKind::Pass | FindingKind::Skipped, _) => continue,
        };
        let _ = writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            property(&finding.file),
            finding.start.0,
            finding.start.1,
            finding.end.0,
            finding.end.1,
            property(&finding.rule.id),
            data(&finding.full_message())
        );
    }
    for (report, message) in problems {
        let _ = writeln!(out, "::error file={}::{}", property(report), data(message));
    }
    out
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
