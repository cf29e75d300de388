//! SARIF 2.1.0: one result per failing rule and report, located at the rule in its `.xfoot`
//! file, so code scanning annotates the rule in a pull request. The rules are known before
//! any report, so results stream between a fixed header and footer.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::Sink;
use super::findings::{Finding, findings};
use crate::check::CheckedRule;
use crate::engine::{Engine, Outcome, ReportResult, Totals};
use crate::report::Unreadable;
use crate::syntax::ast::Severity;

/// `--format sarif`.
pub struct SarifSink<'a> {
    engine: &'a Engine,
    out: &'a mut dyn Write,
    results: usize,
    started: bool,
    notifications: Vec<Value>,
}

impl<'a> SarifSink<'a> {
    /// SARIF on `out`.
    pub fn new(engine: &'a Engine, out: &'a mut dyn Write) -> Self {
        SarifSink {
            engine,
            out,
            results: 0,
            started: false,
            notifications: Vec::new(),
        }
    }

    /// The log up to the opening of its results.
    fn start(&mut self) -> io::Result<()> {
        if self.started {
            return Ok(());
        }
        self.started = true;
        let descriptors: Vec<Value> = self.engine.rules().rules().iter().map(descriptor).collect();
        let driver = json!({
            "name": "crossfoot",
            "version": env!("CARGO_PKG_VERSION"),
            "rules": descriptors,
        });
        write!(
            self.out,
            "{{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{{\"tool\":{{\"driver\":{driver}}},\"results\":["
        )
    }
}

impl Sink for SarifSink<'_> {
    fn report(&mut self, result: &ReportResult) -> io::Result<()> {
        self.start()?;
        for (index, finding) in findings(self.engine, result).enumerate() {
            if !matches!(
                finding.outcome,
                Outcome::Fail | Outcome::Waived | Outcome::Error
            ) {
                continue;
            }
            if self.results > 0 {
                self.out.write_all(b",")?;
            }
            self.results += 1;
            let value = sarif_result(index, &finding);
            serde_json::to_writer(&mut *self.out, &value).map_err(io::Error::other)?;
        }
        Ok(())
    }

    fn unreadable(&mut self, unreadable: &Unreadable) -> io::Result<()> {
        for error in &unreadable.errors {
            self.notifications.push(json!({
                "level": "error",
                "message": { "text": format!("{}: {error}", unreadable.name) },
                "locations": [{ "physicalLocation": { "artifactLocation": { "uri": unreadable.name } } }],
            }));
        }
        Ok(())
    }

    fn finish(&mut self, _totals: &Totals) -> io::Result<()> {
        self.start()?;
        let invocation = json!([{
            "executionSuccessful": self.notifications.is_empty(),
            "toolExecutionNotifications": self.notifications,
        }]);
        writeln!(self.out, "],\"invocations\":{invocation}}}]}}")?;
        self.out.flush()
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn descriptor(rule: &CheckedRule) -> Value {
    let description = rule.description.clone().unwrap_or_else(|| rule.id.clone());
    let full = match &rule.citation {
        Some(citation) => format!("{description} ({citation})"),
        None => description.clone(),
    };
    json!({
        "id": rule.id,
        "name": rule.id,
        "shortDescription": { "text": description },
        "fullDescription": { "text": full },
        "defaultConfiguration": { "level": level(rule.severity) },
        "properties": { "citation": rule.citation },
    })
}

fn sarif_result(index: usize, finding: &Finding<'_>) -> Value {
    let level = match finding.outcome {
        Outcome::Error => "error",
        _ => level(finding.severity()),
    };
    let suppressions = match finding.outcome {
        Outcome::Waived => json!([{
            "kind": "external",
            "status": "accepted",
            "justification": finding.detail.split_once("; waived: ").map_or("", |(_, why)| why),
        }]),
        _ => json!([]),
    };
    json!({
        "ruleId": finding.rule.id,
        "ruleIndex": index,
        "suppressions": suppressions,
        "level": level,
        "message": { "text": finding.full_message() },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": finding.file },
                "region": {
                    "startLine": finding.start.0,
                    "startColumn": finding.start.1,
                    "endLine": finding.end.0,
                    "endColumn": finding.end.1,
                }
            }
        }],
        "properties": { "report": &*finding.report },
    })
}
