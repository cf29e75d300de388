//! SARIF 2.1.0: one result per failing rule and report, located at the rule in its `.xfoot`
//! file, so code scanning annotates the rule in a pull request. The rules are known before
//! any report, so results stream between a fixed header and footer; inputs that could not
//! be read and warnings about the run are the invocation's notifications.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::findings::{Finding, findings, location};
use super::text::json_string;
use super::{Held, Render, RunEnd, Sink};
use crossfoot_core::compile::CheckedRule;
use crossfoot_core::engine::{Engine, Outcome, ReportResult};
use crossfoot_core::report::{Place, Unreadable};
use crossfoot_syntax::ast::Severity;

/// Writes a report's results.
pub struct Sarif<'a> {
    engine: &'a Engine,
    deny_warnings: bool,
    /// Each rule's `"ruleId":…,"ruleIndex":…,"locations":[…]`.
    fixed: Vec<Vec<u8>>,
}

impl<'a> Sarif<'a> {
    /// The writer for an engine's rules; with `deny_warnings`, a failing `warning` rule
    /// is an `error`, as it fails the run.
    pub fn new(engine: &'a Engine, deny_warnings: bool) -> Self {
        let fixed = engine
            .rules()
            .rules()
            .iter()
            .enumerate()
            .map(|(index, rule)| {
                let (file, start, end) = location(engine, rule);
                let value = json!({
                    "ruleId": rule.id(),
                    "ruleIndex": index,
                    "locations": [{
                        "physicalLocation": {
                            "artifactLocation": { "uri": uri(&file) },
                            "region": {
                                "startLine": start.0,
                                "startColumn": start.1,
                                "endLine": end.0,
                                "endColumn": end.1,
                            }
                        }
                    }],
                });
                // The object's members, without its braces.
                let text = value.to_string();
                text.get(1..text.len() - 1)
                    .unwrap_or("")
                    .as_bytes()
                    .to_vec()
            })
            .collect();
        Sarif {
            engine,
            deny_warnings,
            fixed,
        }
    }
}

impl Render for Sarif<'_> {
    fn render(&self, result: &ReportResult, out: &mut Vec<u8>) {
        let wanted = Outcome::is_finding;
        // `out` may hold other reports' bytes: a comma only between this report's results.
        let mut first = true;
        for (index, finding) in findings(self.engine, result, wanted) {
            if !first {
                out.push(b',');
            }
            first = false;
            out.push(b'{');
            out.extend_from_slice(self.fixed.get(index).map_or(&[][..], Vec::as_slice));
            out.extend_from_slice(b",\"level\":\"");
            out.extend_from_slice(level(&finding, self.deny_warnings).as_bytes());
            out.extend_from_slice(b"\",\"message\":{\"text\":");
            json_string(out, &finding.full_message());
            out.extend_from_slice(b"},\"suppressions\":[");
            if finding.outcome == Outcome::Waived {
                out.extend_from_slice(
                    b"{\"kind\":\"external\",\"status\":\"accepted\",\"justification\":",
                );
                let why = finding
                    .detail
                    .split_once("; waived: ")
                    .map_or("", |(_, why)| why);
                json_string(out, why);
                out.push(b'}');
            }
            out.extend_from_slice(b"],\"properties\":{\"report\":");
            json_string(out, &result.row.meta.name());
            out.extend_from_slice(b"}}");
        }
    }
}

/// Writes the log: the header with every rule, the results in input order, the footer.
pub struct SarifSink<'a> {
    engine: &'a Engine,
    out: &'a mut dyn Write,
    results: usize,
    started: bool,
    notifications: Held,
    unreadable: bool,
}

impl<'a> SarifSink<'a> {
    /// SARIF on `out`.
    pub fn new(engine: &'a Engine, out: &'a mut dyn Write) -> Self {
        SarifSink {
            engine,
            out,
            results: 0,
            started: false,
            notifications: Held::default(),
            unreadable: false,
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
    fn report(&mut self, _result: &ReportResult, rendered: &[u8]) -> io::Result<()> {
        self.start()?;
        if rendered.is_empty() {
            return Ok(());
        }
        if self.results > 0 {
            self.out.write_all(b",")?;
        }
        self.results += 1;
        self.out.write_all(rendered)
    }

    fn unreadable(&mut self, unreadable: &Unreadable) -> io::Result<()> {
        self.unreadable = true;
        let artifact = json!({ "uri": uri(&unreadable.meta.source) });
        let location = match unreadable.meta.place {
            Some(Place::Row(n) | Place::Line(n)) => {
                json!({ "artifactLocation": artifact, "region": { "startLine": n } })
            }
            None => json!({ "artifactLocation": artifact }),
        };
        let notification = json!({
            "level": "error",
            "message": { "text": unreadable.message() },
            "locations": [{ "physicalLocation": location }],
        });
        self.notifications
            .push(notification.to_string().as_bytes(), b",")
    }

    fn finish(&mut self, end: &RunEnd<'_>) -> io::Result<()> {
        self.start()?;
        for warning in end.warnings {
            let text = crate::warning::warning_text(warning);
            let notification = json!({
                "level": "warning",
                "message": { "text": text },
            });
            self.notifications
                .push(notification.to_string().as_bytes(), b",")?;
        }
        // Successful as the exit status says: every input read, every rule evaluated.
        let totals = &end.totals;
        let successful = !self.unreadable && totals.errors == 0 && totals.reports > 0;
        write!(
            self.out,
            "],\"invocations\":[{{\"executionSuccessful\":{successful},\"toolExecutionNotifications\":["
        )?;
        self.notifications.write_to(self.out)?;
        self.out.write_all(b"]}]}]}\n")?;
        self.out.flush()
    }
}

fn level(finding: &Finding<'_>, deny_warnings: bool) -> &'static str {
    match (finding.outcome, finding.severity()) {
        (Outcome::Error, _) => "error",
        (Outcome::Fail, Severity::Warning) if deny_warnings => "error",
        (_, severity) => severity_level(severity),
    }
}

fn severity_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn descriptor(rule: &CheckedRule) -> Value {
    let description = rule.description().unwrap_or(rule.id()).to_owned();
    let full = match rule.citation() {
        Some(citation) => format!("{description} ({citation})"),
        None => description.clone(),
    };
    json!({
        "id": rule.id(),
        "name": rule.id(),
        "shortDescription": { "text": description },
        "fullDescription": { "text": full },
        "defaultConfiguration": { "level": severity_level(rule.severity()) },
        "properties": { "citation": rule.citation() },
    })
}

/// A path as a URI reference: `/` kept, every byte outside the unreserved set
/// percent-encoded (`reports 2020.csv` → `reports%202020.csv`).
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
