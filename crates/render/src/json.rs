//! The JSON contract CI parses (documented in the README and `schema/check.json`).
//! Amounts are strings, so no digit is lost to a JSON reader's floats; a blank line's
//! amount is `null`.
//!
//! [`Json`] writes a report object (on the worker that checked the report); the types
//! below are the contract as Rust types, for programs that read the output. They refuse
//! keys they do not know, and `tests/json_contract.rs` parses real output of every feature
//! into them, validates it against the schema and serializes it back to the same JSON.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use super::text::{self, json_string};
use super::{Held, Render, RunEnd, Sink};
use crossfoot_core::compile::CheckedRule;
use crossfoot_core::diagnostic;
use crossfoot_core::engine::{Engine, ReportResult, RuleResult};
use crossfoot_core::eval::{Amounts, Skip, Status};
use crossfoot_core::report::Unreadable;
use crossfoot_core::root_cause::root_causes;

/// The whole output of `crossfoot check --format json`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct JsonOutput {
    /// One entry per report that could be read, in the order given.
    pub reports: Vec<JsonReport>,
    /// Problems that stopped a report from being read: `{"report": …, "message": …}`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<JsonProblem>,
}

/// A report that could not be used.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct JsonProblem {
    /// `unreadable`: in JSON Lines, every line has a `status`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The report's name: its file, and its row or line.
    pub report: String,
    /// What was wrong.
    pub message: String,
}

/// One report's results.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
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
    /// The unit its amounts are printed in (`thousands`, `millions`, `billions`); absent
    /// for dollars. Every amount of its results is in this unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The previous report (the same firm's latest dated before this one), when a rule
    /// reads it (`prior(…)`) and the run has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prior: Option<JsonPrior>,
    /// The rule pack that checked it (`pack.yaml` beside the rules), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pack: Option<crossfoot_core::pack::Pack>,
    /// How the report stands: `ok`, `info`, `warning`, `fail` or `error` (the word the human
    /// summary gives it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `failing` when only the rules that did not pass are listed (`--results failing`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results_listed: Option<String>,
    /// Counts.
    pub summary: JsonSummary,
    /// One result per rule, in rule-set order.
    pub results: Vec<JsonResult>,
    /// When two or more rules fail: single corrections that clear failures, best first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub root_causes: Vec<JsonRootCause>,
}

/// A report's previous report, as `prior(…)` reads it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct JsonPrior {
    /// Its name: its file, and its row or line.
    pub report: String,
    /// Its `as_of:`.
    pub as_of: String,
}

/// A line whose correction would clear failing rules.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
pub struct JsonResult {
    /// The rule id.
    pub rule: String,
    /// `pass`, `fail`, `waived`, `skipped` or `error`.
    pub status: String,
    /// `error`, `warning` or `info`.
    pub severity: String,
    /// Where the rule's assertion is written.
    pub source: JsonSource,
    /// The human message: for `fail`, `waived` and `error`, and for a rule skipped for a
    /// reason other than blank lines or a false condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Why it was skipped: `all_lines_blank`, `condition_false`, `not_in_force`,
    /// `blank_total` or `no_prior`.
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
    /// For `within rounding`: how far the difference could have been from its printed
    /// figures before they were rounded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub band: Option<JsonBand>,
    /// Every line the rule reads, with its amount; `null` is blank (counted as 0).
    pub lines: Vec<JsonLine>,
}

/// The range `within rounding` allows: the least and most the difference could have been
/// before the printed figures were rounded.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct JsonBand {
    /// The least.
    pub low: String,
    /// The most.
    pub high: String,
    /// How many printed figures the rule read.
    pub figures: usize,
}

/// A rule's place in its file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
pub struct JsonLine {
    /// The code.
    pub code: String,
    /// The amount, or `null` when blank.
    pub amount: Option<String>,
    /// For a line read on the previous report: its amount there (`Some(None)`, `null` in
    /// JSON, when blank); `None` when the key is absent.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub prior: Option<Option<String>>,
}

/// A key that is present, even as `null`: `Some(…)` (serde reads `null` into an
/// `Option<Option<T>>` as `None`, the same as an absent key).
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// Which results a report object lists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Listed {
    /// Every rule (the version 1 contract's default).
    #[default]
    All,
    /// The rules that did not pass: failed, waived and in error.
    Failing,
}

/// Writes report objects: each rule's fixed part is written once, when the rule set is
/// known, and copied into every report.
pub struct Json<'a> {
    engine: &'a Engine,
    listed: Listed,
    deny_warnings: bool,
    rules: Vec<RuleText>,
}

/// What a rule's result always holds, as JSON text.
struct RuleText {
    /// `{"rule":"…","severity":"…","source":{…}`
    head: Vec<u8>,
    /// Its failure message, as a JSON string.
    message: Vec<u8>,
    /// `{"code":"7010","amount":` for each of its lines.
    lines: Vec<Vec<u8>>,
}

impl<'a> Json<'a> {
    /// The writer for an engine's rules.
    pub fn new(engine: &'a Engine, listed: Listed, deny_warnings: bool) -> Self {
        let rules = engine
            .rules()
            .rules()
            .iter()
            .map(|rule| rule_text(engine, rule))
            .collect();
        Json {
            engine,
            listed,
            deny_warnings,
            rules,
        }
    }

    /// One report's object.
    pub fn report(&self, result: &ReportResult, out: &mut Vec<u8>) {
        let meta = &result.row.meta;
        let summary = &result.summary;
        out.extend_from_slice(b"{\"report\":");
        json_string(out, &meta.name());
        if let Some(id) = &meta.id {
            out.extend_from_slice(b",\"id\":");
            json_string(out, id);
        }
        out.extend_from_slice(b",\"firm\":");
        match &meta.firm {
            Some(firm) => json_string(out, firm),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"as_of\":");
        match meta.as_of {
            Some(date) => json_string(out, &date.to_string()),
            None => out.extend_from_slice(b"null"),
        }
        if !meta.unit.is_dollars() {
            out.extend_from_slice(b",\"unit\":\"");
            out.extend_from_slice(meta.unit.name().as_bytes());
            out.push(b'"');
        }
        if let (true, Ok(prior)) = (self.engine.rules().reads_prior(), &result.prior) {
            out.extend_from_slice(b",\"prior\":{\"report\":");
            json_string(out, &prior.meta.name());
            out.extend_from_slice(b",\"as_of\":");
            match prior.meta.as_of {
                Some(date) => json_string(out, &date.to_string()),
                None => out.extend_from_slice(b"null"),
            }
            out.push(b'}');
        }
        if let Some(pack) = self.engine.pack() {
            out.extend_from_slice(b",\"pack\":{\"name\":");
            json_string(out, pack.name());
            out.extend_from_slice(b",\"version\":");
            json_string(out, pack.version());
            out.push(b'}');
        }
        out.extend_from_slice(b",\"status\":\"");
        out.extend_from_slice(summary.standing(self.deny_warnings).as_str().as_bytes());
        out.extend_from_slice(b"\"");
        if self.listed == Listed::Failing {
            out.extend_from_slice(b",\"results_listed\":\"failing\"");
        }
        out.extend_from_slice(b",\"summary\":{\"rules\":");
        for (name, count) in [
            ("", summary.rules),
            (",\"passed\":", summary.passed),
            (",\"failed\":", summary.failed),
            (",\"skipped\":", summary.skipped),
            (",\"waived\":", summary.waived),
            (",\"errors\":", summary.errors),
        ] {
            out.extend_from_slice(name.as_bytes());
            text::number(out, count as u128);
        }
        out.extend_from_slice(b"},\"results\":[");
        let mut first = true;
        for ((rule, outcome), fixed) in result.results(self.engine.rules()).zip(&self.rules) {
            let listed = match self.listed {
                Listed::All => true,
                Listed::Failing => outcome.outcome().is_finding(),
            };
            if !listed {
                continue;
            }
            if !first {
                out.push(b',');
            }
            first = false;
            self.rule_result(result, rule, outcome, fixed, out);
        }
        out.push(b']');
        if summary.failed >= 2 {
            self.root_causes(result, out);
        }
        out.push(b'}');
    }

    fn rule_result(
        &self,
        report: &ReportResult,
        rule: &CheckedRule,
        outcome: &RuleResult,
        fixed: &RuleText,
        out: &mut Vec<u8>,
    ) {
        let status = report.status(rule);
        out.extend_from_slice(&fixed.head);
        out.extend_from_slice(b",\"status\":\"");
        out.extend_from_slice(outcome.outcome().as_str().as_bytes());
        out.push(b'"');
        match &status {
            Status::Pass(_) => {}
            Status::Fail(_) => {
                out.extend_from_slice(b",\"message\":");
                out.extend_from_slice(&fixed.message);
            }
            Status::Skipped(skip) => {
                out.extend_from_slice(b",\"reason\":\"");
                out.extend_from_slice(skip.code().as_bytes());
                out.push(b'"');
                if !matches!(skip, Skip::AllBlank | Skip::ConditionFalse) {
                    out.extend_from_slice(b",\"message\":");
                    json_string(out, &skip.reason());
                }
            }
            Status::Error(error) => {
                out.extend_from_slice(b",\"message\":");
                json_string(out, &error.to_string());
            }
        }
        let waiver = outcome
            .waiver
            .and_then(|index| self.engine.waivers()?.waivers().get(index));
        if let Some(waiver) = waiver {
            out.extend_from_slice(b",\"waiver\":{\"justification\":");
            json_string(out, &waiver.justification);
            out.extend_from_slice(b",\"approver\":");
            json_string(out, &waiver.approver);
            out.extend_from_slice(b",\"expires\":");
            json_string(out, &waiver.expires.node.to_string());
            out.push(b'}');
        }
        let sides = status.sides();
        let values = [
            ("left", sides.map(|s| s.left)),
            ("right", sides.map(|s| s.right)),
            ("difference", sides.and_then(|s| s.difference)),
            ("tolerance", sides.map(|s| s.tolerance)),
        ];
        for (name, value) in values {
            out.extend_from_slice(b",\"");
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b"\":");
            string_or_null(out, value, text::value);
        }
        if let Some(band) = sides.and_then(|s| s.band) {
            out.extend_from_slice(b",\"band\":{\"low\":");
            string_or_null(out, Some(band.low), text::value);
            out.extend_from_slice(b",\"high\":");
            string_or_null(out, Some(band.high), text::value);
            out.extend_from_slice(b",\"figures\":");
            text::number(out, band.figures as u128);
            out.push(b'}');
        }
        out.extend_from_slice(b",\"lines\":[");
        let amounts = report.amounts(rule);
        let prior_slots: Vec<usize> = match (rule.reads_prior(), &report.prior) {
            (true, Ok(_)) => rule.prior_occurrences().iter().map(|(s, _)| *s).collect(),
            _ => Vec::new(),
        };
        for (slot, head) in fixed.lines.iter().enumerate() {
            if slot > 0 {
                out.push(b',');
            }
            out.extend_from_slice(head);
            string_or_null(out, amounts.amount(slot), text::amount);
            if prior_slots.contains(&slot) {
                out.extend_from_slice(b",\"prior\":");
                string_or_null(out, amounts.prior(slot), text::amount);
            }
            out.push(b'}');
        }
        out.extend_from_slice(b"]}");
    }

    fn root_causes(&self, result: &ReportResult, out: &mut Vec<u8>) {
        let rules = self.engine.rules().rules();
        let causes = root_causes(self.engine.rules(), result);
        if causes.is_empty() {
            return;
        }
        let ids = |out: &mut Vec<u8>, indices: &[usize]| {
            out.push(b'[');
            for (n, rule) in indices.iter().filter_map(|&i| rules.get(i)).enumerate() {
                if n > 0 {
                    out.push(b',');
                }
                json_string(out, rule.id());
            }
            out.push(b']');
        };
        out.extend_from_slice(b",\"root_causes\":[");
        for (n, cause) in causes.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"line\":");
            json_string(out, &cause.line.to_string());
            out.extend_from_slice(b",\"amount\":\"");
            text::amount(out, cause.amount);
            out.extend_from_slice(b"\",\"current\":");
            string_or_null(out, cause.current, text::amount);
            out.extend_from_slice(b",\"clears\":");
            ids(out, &cause.clears);
            out.extend_from_slice(b",\"breaks\":");
            ids(out, &cause.breaks);
            out.push(b'}');
        }
        out.push(b']');
    }
}

/// A number as a JSON string (`"-12.50"`), or `null`.
fn string_or_null<T>(out: &mut Vec<u8>, value: Option<T>, write: fn(&mut Vec<u8>, T)) {
    match value {
        Some(value) => {
            out.push(b'"');
            write(out, value);
            out.push(b'"');
        }
        None => out.extend_from_slice(b"null"),
    }
}

/// A rule's fixed text.
fn rule_text(engine: &Engine, rule: &CheckedRule) -> RuleText {
    let source = engine.rules().source_of(rule);
    let (line, column) = source.map_or((0, 0), |s| s.line_col(rule.assertion_span().start));
    let mut head = b"{\"rule\":".to_vec();
    json_string(&mut head, rule.id());
    head.extend_from_slice(b",\"severity\":\"");
    head.extend_from_slice(rule.severity().as_str().as_bytes());
    head.extend_from_slice(b"\",\"source\":{\"file\":");
    json_string(&mut head, source.map_or("", |s| s.name()));
    head.extend_from_slice(b",\"line\":");
    text::number(&mut head, line as u128);
    head.extend_from_slice(b",\"column\":");
    text::number(&mut head, column as u128);
    head.push(b'}');
    let mut message = Vec::new();
    json_string(&mut message, &diagnostic::failure_message(rule));
    let lines = rule
        .lines()
        .iter()
        .map(|code| {
            let mut text = b"{\"code\":\"".to_vec();
            text.extend_from_slice(code.to_string().as_bytes());
            text.extend_from_slice(b"\",\"amount\":");
            text
        })
        .collect();
    RuleText {
        head,
        message,
        lines,
    }
}

impl Render for Json<'_> {
    fn render(&self, result: &ReportResult, out: &mut Vec<u8>) {
        self.report(result, out);
    }
}

/// One report's object, every result listed: the text `check --format json` writes for it.
pub fn json_report(engine: &Engine, result: &ReportResult) -> String {
    let mut out = Vec::new();
    Json::new(engine, Listed::All, false).report(result, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// A problem with an input as a JSON object: `{"status":"unreadable","report":…,"message":…}`.
fn problem(out: &mut Vec<u8>, name: &str, message: &str) {
    out.extend_from_slice(b"{\"status\":\"unreadable\",\"report\":");
    json_string(out, name);
    out.extend_from_slice(b",\"message\":");
    json_string(out, message);
    out.push(b'}');
}

/// `--format json` (one document, reports streamed into its array) or `--format jsonl`
/// (one object per line, each with a `status`).
pub struct JsonSink<'a> {
    out: &'a mut dyn Write,
    lines: bool,
    reports: usize,
    errors: Held,
}

impl<'a> JsonSink<'a> {
    /// JSON (`lines: false`) or JSON Lines (`lines: true`) on `out`.
    pub fn new(out: &'a mut dyn Write, lines: bool) -> Self {
        JsonSink {
            out,
            lines,
            reports: 0,
            errors: Held::default(),
        }
    }

    /// An input that could not be used, named `name` (a report, or the rules or waivers
    /// a run stopped at), with every problem in one line: an entry of `errors`.
    pub fn input_problem(&mut self, name: &str, message: &str) -> io::Result<()> {
        let mut entry = Vec::new();
        problem(&mut entry, name, message);
        if self.lines {
            entry.push(b'\n');
            self.out.write_all(&entry)
        } else {
            self.errors.push(&entry, b",")
        }
    }
}

impl Sink for JsonSink<'_> {
    fn report(&mut self, _result: &ReportResult, rendered: &[u8]) -> io::Result<()> {
        if !self.lines {
            self.out.write_all(if self.reports == 0 {
                b"{\"reports\":["
            } else {
                b","
            })?;
        }
        self.out.write_all(rendered)?;
        if self.lines {
            self.out.write_all(b"\n")?;
        }
        self.reports += 1;
        Ok(())
    }

    fn unreadable(&mut self, unreadable: &Unreadable) -> io::Result<()> {
        self.input_problem(&unreadable.name(), &unreadable.message())
    }

    fn finish(&mut self, _end: &RunEnd<'_>) -> io::Result<()> {
        if !self.lines {
            if self.reports == 0 {
                self.out.write_all(b"{\"reports\":[")?;
            }
            self.out.write_all(b"]")?;
            if !self.errors.is_empty() {
                self.out.write_all(b",\"errors\":[")?;
                self.errors.write_to(self.out)?;
                self.out.write_all(b"]")?;
            }
            self.out.write_all(b"}\n")?;
        }
        self.out.flush()
    }
}
