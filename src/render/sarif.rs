//! SARIF 2.1.0: one result per failing rule and report, located at the rule in its `.xfoot`
//! file, so code scanning annotates the rule in a pull request.

use serde_json::{Value, json};

use super::findings::{Finding, FindingKind, findings};
use crate::check::RuleSet;
use crate::eval::Evaluation;
use crate::syntax::ast::Severity;

/// The SARIF log of a run. `problems` are reports that could not be read.
pub fn sarif(
    rules: &RuleSet,
    evaluations: &[Evaluation<'_>],
    problems: &[(String, String)],
) -> Value {
    let descriptors: Vec<Value> = rules.rules().iter().map(descriptor).collect();
    let results: Vec<Value> = findings(evaluations)
        .iter()
        .filter(|f| {
            matches!(
                f.kind,
                FindingKind::Fail | FindingKind::Waived | FindingKind::Error
            )
        })
        .map(|f| result(rules, f))
        .collect();
    let notifications: Vec<Value> = problems
        .iter()
        .map(|(report, message)| {
            json!({
                "level": "error",
                "message": { "text": format!("{report}: {message}") },
                "locations": [{ "physicalLocation": { "artifactLocation": { "uri": report } } }],
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "crossfoot",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": descriptors,
                }
            },
            "invocations": [{
                "executionSuccessful": problems.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }]
    })
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn descriptor(rule: &crate::check::CheckedRule) -> Value {
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

fn result(rules: &RuleSet, finding: &Finding<'_>) -> Value {
    let index = rules.rules().iter().position(|r| r.id == finding.rule.id);
    let level = match finding.kind {
        FindingKind::Error => "error",
        _ => level(finding.severity()),
    };
    let suppressions = match &finding.outcome.status {
        crate::eval::Status::Waived(waived) => json!([{
            "kind": "external",
            "status": "accepted",
            "justification": format!(
                "{} (approved by {}, expires {})",
                waived.justification, waived.approver, waived.expires
            ),
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
        "properties": { "report": finding.report },
    })
}
