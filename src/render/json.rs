//! The JSON contract CI parses (documented in the README). Amounts are strings, so no
//! digit is lost to a JSON reader's floats; a blank line's amount is `null`.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use super::Sink;
use crate::engine::Totals;
use crate::report::Unreadable;

use crate::check::{CheckedRule, RuleSet};
use crate::diagnostic;
use crate::engine::{Engine, ReportResult, RuleResult};
use crate::eval::{Amounts, Skip, Status, root_causes};

/// The whole output of `crossfoot check --format json`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct JsonOutput {
    /// One entry per report that could be read, in the order given.
    pub reports: Vec<JsonReport>,
    /// Problems that stopped a report from being read: `{"report": …, "message": …}`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<JsonProblem>,
}

/// A report that could not be used.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct JsonProblem {
    /// The report's path.
    pub report: String,
    /// What was wrong.
    pub message: String,
}

/// One report's results.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct JsonReport {
    /// The report's path.
    pub report: String,
    /// `id:` from the report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `firm:` from the report.
    #[serde(default)]
    pub firm: Option<String>,
    /// `as_of:` from the report.
    #[serde(default)]
    pub as_of: Option<String>,
    /// Counts.
    pub summary: JsonSummary,
    /// One result per rule, in rule-set order.
    pub results: Vec<JsonResult>,
    /// When two or more rules fail: single corrections that clear failures, best first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub root_causes: Vec<JsonRootCause>,
}

/// A line whose correction would clear failing rules.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct JsonRootCause {
    /// The line.
    pub line: String,
    /// The amount that clears the failures.
    pub amount: String,
    /// What the report holds (`null`: blank).
    pub current: Option<String>,
    /// The failing rules the correction clears.
    pub clears: Vec<String>,
    /// Rules that hold now and would fail after it.
    pub breaks: Vec<String>,
}

/// How many rules ended how.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct JsonSummary {
    /// Rules evaluated.
    pub rules: usize,
    /// Rules that hold.
    pub passed: usize,
    /// Rules that do not hold, any severity.
    pub failed: usize,
    /// Rules that did not apply.
    pub skipped: usize,
    /// Failures a live waiver covers (not in `failed`).
    #[serde(default)]
    pub waived: usize,
    /// Rules whose arithmetic could not be carried out.
    pub errors: usize,
}

/// The waiver that covers a `waived` result.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct JsonWaiver {
    /// Why the exception is accepted.
    pub justification: String,
    /// Who accepted it.
    pub approver: String,
    /// The first day it no longer applies.
    pub expires: String,
}

/// One rule on one report.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct JsonResult {
    /// The rule id.
    pub rule: String,
    /// `pass`, `fail`, `waived`, `skipped` or `error`.
    pub status: String,
    /// `error`, `warning` or `info`.
    pub severity: String,
    /// Where the rule's assertion is written.
    pub source: JsonSource,
    /// The human message, for `fail` and `error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Why it was skipped: `all_lines_blank`, `condition_false` or `not_in_force`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For `waived`: the waiver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<JsonWaiver>,
    /// The left side's value (null when skipped or in error).
    pub left: Option<String>,
    /// The right side's value.
    pub right: Option<String>,
    /// `left - right`.
    pub difference: Option<String>,
    /// The tolerance as an amount.
    pub tolerance: Option<String>,
    /// Every line the rule reads, with its amount; `null` is blank (counted as 0).
    pub lines: Vec<JsonLine>,
}

/// A rule's place in its file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct JsonSource {
    /// The rule file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// One line code and its amount.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct JsonLine {
    /// The code.
    pub code: String,
    /// The amount, or `null` when blank.
    pub amount: Option<String>,
}

/// One report's results in the JSON contract.
pub fn json_report(engine: &Engine, result: &ReportResult) -> JsonReport {
    let rules = engine.rules();
    let summary = &result.summary;
    let meta = &result.row.meta;
    JsonReport {
        report: meta.name(),
        id: meta.id.clone(),
        firm: meta.firm.clone(),
        as_of: meta.as_of.map(|date| date.to_string()),
        summary: JsonSummary {
            rules: summary.rules,
            passed: summary.passed,
            failed: summary.failed,
            skipped: summary.skipped,
            waived: summary.waived,
            errors: summary.errors,
        },
        results: result
            .results(rules)
            .map(|(rule, outcome)| json_result(engine, result, rule, outcome))
            .collect(),
        root_causes: if summary.failed >= 2 {
            json_root_causes(rules, result)
        } else {
            Vec::new()
        },
    }
}

fn json_root_causes(rules: &RuleSet, result: &ReportResult) -> Vec<JsonRootCause> {
    let all = rules.rules();
    let ids = |indices: &[usize]| -> Vec<String> {
        indices
            .iter()
            .filter_map(|&i| all.get(i).map(|r| r.id.clone()))
            .collect()
    };
    root_causes(rules, result)
        .into_iter()
        .map(|candidate| JsonRootCause {
            line: candidate.line.to_string(),
            amount: candidate.amount.to_string(),
            current: candidate.current.map(|a| a.to_string()),
            clears: ids(&candidate.clears),
            breaks: ids(&candidate.breaks),
        })
        .collect()
}

fn json_result(
    engine: &Engine,
    report: &ReportResult,
    rule: &CheckedRule,
    outcome: &RuleResult,
) -> JsonResult {
    let source = engine.rules().source_of(rule);
    let (line, column) = source.map_or((0, 0), |s| s.line_col(rule.assertion_span.start));
    let amounts = report.amounts(rule);
    let mut result = JsonResult {
        rule: rule.id.clone(),
        status: outcome.outcome().as_str().to_owned(),
        severity: rule.severity.as_str().to_owned(),
        source: JsonSource {
            file: source.map(|s| s.name().to_owned()).unwrap_or_default(),
            line,
            column,
        },
        message: None,
        reason: None,
        waiver: None,
        left: None,
        right: None,
        difference: None,
        tolerance: None,
        lines: rule
            .lines
            .iter()
            .enumerate()
            .map(|(slot, code)| JsonLine {
                code: code.to_string(),
                amount: amounts.amount(slot).map(|a| a.to_string()),
            })
            .collect(),
    };
    let status = report.status(rule);
    match &status {
        Status::Pass(_) => {}
        Status::Fail(_) => result.message = Some(diagnostic::failure_message(rule)),
        Status::Skipped(skip) => {
            result.reason = Some(skip.code().to_owned());
            if let Skip::NotInForce(_) = skip {
                result.message = Some(skip.reason());
            }
        }
        Status::Error(error) => result.message = Some(error.to_string()),
    }
    let waiver = outcome
        .waiver
        .and_then(|index| engine.waivers()?.waivers().get(index));
    if let Some(waiver) = waiver {
        result.message = Some(diagnostic::failure_message(rule));
        result.waiver = Some(JsonWaiver {
            justification: waiver.justification.clone(),
            approver: waiver.approver.clone(),
            expires: waiver.expires.node.to_string(),
        });
    }
    if let Some(sides) = status.sides() {
        result.left = Some(sides.left.to_string());
        result.right = Some(sides.right.to_string());
        result.difference = sides.difference.map(|d| d.to_string());
        result.tolerance = Some(sides.tolerance.to_string());
    }
    result
}

/// `--format json` (one document, reports streamed into its array) or `--format jsonl`
/// (one report per line).
pub struct JsonSink<'a> {
    engine: &'a Engine,
    out: &'a mut dyn Write,
    lines: bool,
    reports: usize,
    errors: Vec<JsonProblem>,
}

impl<'a> JsonSink<'a> {
    /// JSON (`lines: false`) or JSON Lines (`lines: true`) on `out`.
    pub fn new(engine: &'a Engine, out: &'a mut dyn Write, lines: bool) -> Self {
        JsonSink {
            engine,
            out,
            lines,
            reports: 0,
            errors: Vec::new(),
        }
    }
}

impl Sink for JsonSink<'_> {
    fn report(&mut self, result: &ReportResult) -> io::Result<()> {
        let json = json_report(self.engine, result);
        if !self.lines {
            self.out.write_all(if self.reports == 0 {
                b"{\"reports\":["
            } else {
                b","
            })?;
        }
        serde_json::to_writer(&mut *self.out, &json).map_err(io::Error::other)?;
        if self.lines {
            self.out.write_all(b"\n")?;
        }
        self.reports += 1;
        Ok(())
    }

    fn unreadable(&mut self, unreadable: &Unreadable) -> io::Result<()> {
        for error in &unreadable.errors {
            let problem = JsonProblem {
                report: unreadable.name.clone(),
                message: error.to_string(),
            };
            if self.lines {
                serde_json::to_writer(&mut *self.out, &problem).map_err(io::Error::other)?;
                self.out.write_all(b"\n")?;
            } else {
                self.errors.push(problem);
            }
        }
        Ok(())
    }

    fn finish(&mut self, _totals: &Totals) -> io::Result<()> {
        if !self.lines {
            if self.reports == 0 {
                self.out.write_all(b"{\"reports\":[")?;
            }
            self.out.write_all(b"]")?;
            if !self.errors.is_empty() {
                self.out.write_all(b",\"errors\":")?;
                serde_json::to_writer(&mut *self.out, &self.errors).map_err(io::Error::other)?;
            }
            self.out.write_all(b"}\n")?;
        }
        self.out.flush()
    }
}
