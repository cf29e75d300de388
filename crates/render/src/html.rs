//! `--format html`: one self-contained page (inline CSS, no script, nothing fetched) that
//! shows each report as the form prints it. For each page of the catalogue, its lines in
//! order with the report's amounts; the lines a failing rule reads highlighted (by a mark
//! and words as well as colour), and beside them each failing rule with the numbers the
//! human diagnostic gives, its source, citation and the likely root cause; then every rule
//! of the page with its status. A batch gets an index of every report, unreadable inputs
//! included, each linking to its section.
//!
//! Each report's index row is rendered on the worker that checked it. The full sections
//! are capped ([`MAX_HTML_DETAILED`]), so the sink renders them for the reports it keeps,
//! and nothing is rendered only to be dropped. The index and the sections list the
//! reports that do not hold (and the inputs that could not be read) first, each group in
//! input order, numbered by its place in the input. The index comes before the
//! sections in the document, so both are held (in memory up to [`Held::MEMORY`], then in
//! a temporary file) and the document is written when the run ends.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use rust_decimal::Decimal;

use super::findings::{Finding, fails_the_run};
use super::human::{counts, totals_line};
use super::text::{html, terminal};
use super::{Held, Listed, Render, RunEnd, Sink};
use crossfoot_core::compile::{CheckedRule, RuleSet};
use crossfoot_core::diagnostic::failure_numbers;
use crossfoot_core::engine::{Engine, Outcome, ReportResult, Standing};
use crossfoot_core::eval::{Amounts, Status};
use crossfoot_core::report::Unreadable;
use crossfoot_core::root_cause::{Candidate, root_causes};
use crossfoot_syntax::amount;
use crossfoot_syntax::ast::{LineKind, Severity};
use crossfoot_syntax::line::LineCode;

/// How many reports a page shows in full, as the human output does with its 10: the first
/// this many reports that do not hold, and the reports that hold among the first this many
/// of the run. The index lists every report.
pub const MAX_HTML_DETAILED: usize = 100;

/// How many root-cause candidates a report lists.
const MAX_ROOT_CAUSES: usize = 5;

/// `write!` into a `String`, which cannot fail.
macro_rules! put {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}

/// Renders reports as HTML: a report's index row on the worker, its full section for the
/// sink.
pub struct Html<'a> {
    engine: &'a Engine,
    listed: Listed,
    deny_warnings: bool,
    /// The rules of each page of the catalogue, in rule order, then those of no page.
    groups: Vec<Vec<usize>>,
    /// Each rule's fixed text.
    texts: Vec<RuleText>,
}

/// What a rule's card always shows, escaped.
struct RuleText {
    /// `<code>seg.excess</code>`
    id: String,
    /// The description, escaped (empty when none).
    description: String,
    /// The citation, escaped (empty when none).
    citation: String,
    /// `rules/focus/cftc/1-segregation.xfoot:67`
    place: String,
    /// The assertion as written.
    assertion: String,
    /// The whole rule as written, for `<pre>`.
    source: String,
}

impl<'a> Html<'a> {
    /// The renderer for an engine's rules: `listed` says which rules each page's rule
    /// table lists; `deny_warnings` decides a report's status as it does the exit status.
    pub fn new(engine: &'a Engine, listed: Listed, deny_warnings: bool) -> Self {
        let rules = engine.rules();
        let catalogue = rules.catalogue();
        let mut groups = vec![Vec::new(); catalogue.pages().len() + 1];
        for (index, rule) in rules.rules().iter().enumerate() {
            let page = rule
                .lines()
                .first()
                .and_then(|code| catalogue.line(*code))
                .map_or(catalogue.pages().len(), |info| info.page);
            if let Some(group) = groups.get_mut(page) {
                group.push(index);
            }
        }
        let texts = rules
            .rules()
            .iter()
            .map(|rule| rule_text(rules, rule))
            .collect();
        Html {
            engine,
            listed,
            deny_warnings,
            groups,
            texts,
        }
    }

    /// A report's section: its pages with their lines, failures and rules. `n` is the
    /// report's place in the run (from 1, inputs that could not be read counted): the
    /// section is `#r{n}`, and every id in it starts so.
    pub fn section(&self, result: &ReportResult, n: usize, out: &mut String) {
        let report = Report::new(self, result, n);
        report.write(out);
    }
}

impl Render for Html<'_> {
    /// The cells of the report's index row after its name (which the sink writes, with
    /// the link to its section when it has one).
    fn render(&self, result: &ReportResult, out: &mut Vec<u8>) {
        let mut text = String::new();
        let meta = &result.row.meta;
        let standing = result.summary.standing(self.deny_warnings);
        put!(
            text,
            "<td>{}</td><td>{}</td>{}<td>{}</td><td>",
            html(meta.firm.as_deref().unwrap_or(""), false),
            meta.as_of.map(|d| d.to_string()).unwrap_or_default(),
            standing_cell(standing),
            counts(&result.summary),
        );
        let mut first = true;
        for (rule, outcome) in result.results(self.engine.rules()) {
            if matches!(outcome.outcome(), Outcome::Fail | Outcome::Error) {
                if !first {
                    text.push_str(", ");
                }
                first = false;
                put!(text, "<code>{}</code>", html(rule.id(), false));
            }
        }
        text.push_str("</td>");
        out.extend_from_slice(text.as_bytes());
    }
}

/// One report being written: what its section needs, worked out once.
struct Report<'h, 'a> {
    html: &'h Html<'a>,
    result: &'h ReportResult,
    rules: &'h RuleSet,
    /// `r3`: the prefix of every id in the section.
    anchor: String,
    /// Each rule's outcome.
    outcomes: Vec<Outcome>,
    /// For each rule that did not pass and was not skipped: its finding.
    findings: Vec<Option<Finding<'h>>>,
    /// The likely root causes (corrections that clear two or more failures).
    causes: Vec<Candidate>,
    /// For each line of the report a rule that did not pass reads, those rules (of any
    /// page: a failing rule of one page may read another page's lines).
    marks: HashMap<LineCode, Vec<usize>>,
}

impl<'h, 'a> Report<'h, 'a> {
    fn new(html: &'h Html<'a>, result: &'h ReportResult, n: usize) -> Self {
        let engine = html.engine;
        let rules = engine.rules();
        let mut outcomes = Vec::with_capacity(rules.rules().len());
        let mut findings = Vec::with_capacity(rules.rules().len());
        for (rule, outcome) in result.results(rules) {
            let kind = outcome.outcome();
            outcomes.push(kind);
            findings.push(
                kind.is_finding()
                    .then(|| Finding::of(engine, result, rule, outcome)),
            );
        }
        let causes = if result.summary.failed >= 2 {
            root_causes(rules, result)
                .into_iter()
                .filter(|candidate| candidate.clears.len() >= 2)
                .take(MAX_ROOT_CAUSES)
                .collect()
        } else {
            Vec::new()
        };
        let mut marks: HashMap<LineCode, Vec<usize>> = HashMap::new();
        for (index, rule) in rules.rules().iter().enumerate() {
            if findings.get(index).is_none_or(Option::is_none) {
                continue;
            }
            for (slot, _) in rule.occurrences() {
                if let Some(code) = rule.lines().get(slot) {
                    let readers = marks.entry(*code).or_default();
                    if readers.last() != Some(&index) {
                        readers.push(index);
                    }
                }
            }
        }
        Report {
            html,
            result,
            rules,
            anchor: format!("r{n}"),
            outcomes,
            findings,
            causes,
            marks,
        }
    }

    fn write(&self, out: &mut String) {
        let meta = &self.result.row.meta;
        let summary = &self.result.summary;
        let standing = summary.standing(self.html.deny_warnings);
        let a = &self.anchor;
        put!(
            out,
            "<section class=\"report\" id=\"{a}\" aria-labelledby=\"{a}-h\">\n<h2 id=\"{a}-h\">{} {}</h2>\n<dl class=\"about\">",
            standing_badge(standing),
            html(&meta.name(), false)
        );
        if let Some(firm) = &meta.firm {
            put!(out, "<dt>Firm</dt><dd>{}</dd>", html(firm, false));
        }
        if let Some(date) = meta.as_of {
            put!(out, "<dt>As of</dt><dd>{date}</dd>");
        }
        if !meta.unit.is_dollars() {
            put!(out, "<dt>Amounts</dt><dd>in {}</dd>", meta.unit);
        }
        if let (true, Ok(prior)) = (self.rules.reads_prior(), &self.result.prior) {
            put!(
                out,
                "<dt>Previous report</dt><dd>{}</dd>",
                html(&prior.meta.name(), false)
            );
        }
        put!(out, "<dt>Rules</dt><dd>{}</dd></dl>\n", counts(summary));
        self.write_causes(out);
        self.write_contents(out);
        let pages = self.rules.catalogue().pages();
        for (index, group) in self.html.groups.iter().enumerate() {
            match pages.get(index) {
                Some(page) => {
                    let title = format!(
                        "{} <span class=\"page-id\">({})</span>",
                        html(&page.title, false),
                        html(&page.id, false)
                    );
                    let name = format!("page <code>{}</code>", html(&page.id, false));
                    self.write_page(out, index, (&title, &name), &page.lines, group);
                }
                None if self.rules.catalogue().is_empty() => {
                    // Without a catalogue, the lines are those the rules read.
                    let lines: Vec<LineCode> = (0..self.rules.width())
                        .filter_map(|slot| self.rules.code(slot))
                        .collect();
                    let title = "Rules and the lines they read";
                    self.write_page(out, index, (title, "the rule set"), &lines, group);
                }
                None if !group.is_empty() => {
                    let title = "Other rules";
                    self.write_page(out, index, (title, "no page"), &[], group);
                }
                None => {}
            }
        }
        if !self.result.row.unknown.is_empty() {
            put!(
                out,
                "<section class=\"page\" id=\"{a}-unknown\" aria-labelledby=\"{a}-unknown-h\">\n<h3 id=\"{a}-unknown-h\">Lines no page declares</h3>\n<p>The report holds these lines, which no page of the catalogue declares, so no rule reads them: "
            );
            let codes: Vec<String> = self
                .result
                .row
                .unknown
                .iter()
                .map(|code| format!("<code>{code}</code>"))
                .collect();
            put!(out, "{}.</p>\n</section>\n", codes.join(", "));
        }
        out.push_str("</section>\n");
    }

    /// The likely root causes, when two or more failures could be cleared by one
    /// correction.
    fn write_causes(&self, out: &mut String) {
        if self.causes.is_empty() {
            return;
        }
        put!(
            out,
            "<div class=\"causes\" role=\"note\">\n<h3>Likely root cause{}: one correction that clears several failures</h3>\n<ul>\n",
            if self.causes.len() == 1 { "" } else { "s" }
        );
        for cause in &self.causes {
            out.push_str("<li>");
            self.write_cause(out, cause);
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n</div>\n");
    }

    /// `line 7190 (label): 198,161,467 would clear 2 failing rules (…); the report has …`
    fn write_cause(&self, out: &mut String, cause: &Candidate) {
        let all = self.rules.rules();
        let ids = |indices: &[usize]| -> String {
            indices
                .iter()
                .filter_map(|&i| {
                    let rule = all.get(i)?;
                    Some(format!(
                        "<a href=\"#{}-rule{i}\"><code>{}</code></a>",
                        self.anchor,
                        html(rule.id(), false)
                    ))
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let kind = self.kind(cause.line);
        let count = cause.clears.len();
        put!(
            out,
            "line <a href=\"#{}-l{}\">{}</a>",
            self.anchor,
            cause.line,
            cause.line
        );
        if let Some(label) = self.rules.label_on(cause.line, self.result.row.meta.as_of) {
            put!(out, " ({})", html(label, false));
        }
        put!(
            out,
            ": <strong>{}</strong> would clear {count} failing rule{} ({}); the report has {}",
            printed(Some(cause.amount), kind),
            if count == 1 { "" } else { "s" },
            ids(&cause.clears),
            printed(cause.current, kind)
        );
        if !cause.breaks.is_empty() {
            put!(out, ", but would break {}", ids(&cause.breaks));
        }
    }

    /// A root cause in a failing rule's card: `line 7190 holds 198,161,468; 198,161,467
    /// would clear this rule and seg.target_excess`.
    fn write_card_cause(&self, out: &mut String, cause: &Candidate, index: usize) {
        let kind = self.kind(cause.line);
        let others: Vec<String> = cause
            .clears
            .iter()
            .filter(|&&i| i != index)
            .filter_map(|&i| {
                let rule = self.rules.rules().get(i)?;
                Some(format!(
                    "<a href=\"#{}-rule{i}\"><code>{}</code></a>",
                    self.anchor,
                    html(rule.id(), false)
                ))
            })
            .collect();
        put!(
            out,
            "<p class=\"cause\"><strong>Likely root cause:</strong> line <a href=\"#{}-l{}\">{}</a> holds {}; <strong>{}</strong> would clear this rule and {}",
            self.anchor,
            cause.line,
            cause.line,
            printed(cause.current, kind),
            printed(Some(cause.amount), kind),
            others.join(", ")
        );
        if !cause.breaks.is_empty() {
            let broken: Vec<String> = cause
                .breaks
                .iter()
                .filter_map(|&i| self.rules.rules().get(i))
                .map(|rule| format!("<code>{}</code>", html(rule.id(), false)))
                .collect();
            put!(out, ", but would break {}", broken.join(", "));
        }
        out.push_str("</p>\n");
    }

    /// Links to each page, with what failed on it.
    fn write_contents(&self, out: &mut String) {
        let pages = self.rules.catalogue().pages();
        let a = &self.anchor;
        put!(
            out,
            "<nav class=\"contents\" aria-label=\"Pages of {}\"><ol>",
            html(&self.result.row.meta.name(), false)
        );
        for (index, group) in self.html.groups.iter().enumerate() {
            let title = match pages.get(index) {
                Some(page) => html(&page.title, false).into_owned(),
                None if self.rules.catalogue().is_empty() => {
                    "Rules and the lines they read".to_owned()
                }
                None if !group.is_empty() => "Other rules".to_owned(),
                None => continue,
            };
            let failing = group
                .iter()
                .filter(|&&i| matches!(self.outcomes.get(i), Some(Outcome::Fail | Outcome::Error)))
                .count();
            let mark = if failing > 0 {
                format!(
                    "<span class=\"tag t-fail\"><span aria-hidden=\"true\">✗</span> {failing} failing</span> "
                )
            } else {
                String::new()
            };
            put!(out, "<li>{mark}<a href=\"#{a}-p{index}\">{title}</a></li>");
        }
        out.push_str("</ol></nav>\n");
    }

    /// One page: its lines (the ones failing rules read highlighted) beside its failing
    /// rules, then every rule of the page with its status. `names` are its heading and
    /// what captions call it (`page <code>seg</code>`), as markup.
    fn write_page(
        &self,
        out: &mut String,
        index: usize,
        names: (&str, &str),
        lines: &[LineCode],
        group: &[usize],
    ) {
        let (title, name) = names;
        let a = &self.anchor;
        let id = format!("{a}-p{index}");
        put!(
            out,
            "<section class=\"page\" id=\"{id}\" aria-labelledby=\"{id}-h\">\n<h3 id=\"{id}-h\">{title}</h3>\n"
        );
        let carded: Vec<usize> = group
            .iter()
            .copied()
            .filter(|&i| self.findings.get(i).is_some_and(Option::is_some))
            .collect();
        let split = !carded.is_empty() && !lines.is_empty();
        if split {
            out.push_str("<div class=\"split\">\n");
        }
        if !lines.is_empty() {
            self.write_lines(out, name, lines);
        }
        if !carded.is_empty() {
            out.push_str("<div class=\"cards\">\n");
            for &i in &carded {
                self.write_card(out, i);
            }
            out.push_str("</div>\n");
        }
        if split {
            out.push_str("</div>\n");
        }
        self.write_rule_table(out, name, group);
        out.push_str("</section>\n");
    }

    /// The page's lines as the report has them.
    fn write_lines(&self, out: &mut String, name: &str, lines: &[LineCode]) {
        let a = &self.anchor;
        let unit = self.result.row.meta.unit;
        let (in_unit, amount_unit) = if unit.is_dollars() {
            (String::new(), String::new())
        } else {
            (
                format!(" (in {unit})"),
                format!("<span class=\"unit\"> (in {unit})</span>"),
            )
        };
        put!(
            out,
            "<table class=\"lines\">\n<caption>Lines of {name} as the report has them{in_unit}</caption>\n<thead><tr><th scope=\"col\">Line</th><th scope=\"col\">Label</th><th scope=\"col\" class=\"num\">Amount{amount_unit}</th><th scope=\"col\">Rules that do not hold</th></tr></thead>\n<tbody>\n"
        );
        for &code in lines {
            let amount = self
                .rules
                .slot(code)
                .and_then(|slot| self.result.row.amounts.get(slot).copied())
                .flatten();
            let readers = self.marks.get(&code).map_or(&[][..], Vec::as_slice);
            let failing: Vec<&usize> = readers
                .iter()
                .filter(|&&i| matches!(self.outcomes.get(i), Some(Outcome::Fail | Outcome::Error)))
                .collect();
            let mut class = Vec::new();
            if !failing.is_empty() {
                class.push("flagged");
            }
            if amount.is_none() {
                class.push("blank");
            }
            let class = if class.is_empty() {
                String::new()
            } else {
                format!(" class=\"{}\"", class.join(" "))
            };
            let data = if failing.is_empty() {
                String::new()
            } else {
                let ids: Vec<String> = failing
                    .iter()
                    .filter_map(|&&i| self.rules.rules().get(i))
                    .map(|rule| html(rule.id(), false).into_owned())
                    .collect();
                format!(" data-failing=\"{}\"", ids.join(" "))
            };
            let label = self
                .rules
                .label_on(code, self.result.row.meta.as_of)
                .unwrap_or("");
            let deduction = self
                .rules
                .catalogue()
                .line(code)
                .is_some_and(|info| info.deduction);
            put!(
                out,
                "<tr id=\"{a}-l{code}\"{class}{data}><th scope=\"row\">{code}</th><td>{}{}</td>",
                html(label, false),
                if deduction {
                    " <span class=\"note\">(deduction)</span>"
                } else {
                    ""
                }
            );
            match amount {
                Some(_) => put!(
                    out,
                    "<td class=\"num\">{}</td>",
                    printed(amount, self.kind(code))
                ),
                None => {
                    out.push_str("<td class=\"num\"><span class=\"blank-word\">blank</span></td>")
                }
            }
            out.push_str("<td class=\"marks\">");
            for (n, &i) in readers.iter().enumerate() {
                let Some(rule) = self.rules.rules().get(i) else {
                    continue;
                };
                if n > 0 {
                    out.push(' ');
                }
                let outcome = self.outcomes.get(i).copied().unwrap_or(Outcome::Pass);
                put!(
                    out,
                    "<a class=\"tag t-{}\" href=\"#{a}-rule{i}\"><span aria-hidden=\"true\">{}</span> <span class=\"sr\">{} </span><code>{}</code></a>",
                    outcome.as_str(),
                    outcome_icon(outcome),
                    outcome.as_str(),
                    html(rule.id(), false)
                );
            }
            out.push_str("</td></tr>\n");
        }
        out.push_str("</tbody>\n</table>\n");
    }

    /// A rule that did not pass: its numbers, the lines it reads, its root cause, its
    /// waiver, its source.
    fn write_card(&self, out: &mut String, index: usize) {
        let (Some(rule), Some(Some(finding)), Some(text)) = (
            self.rules.rules().get(index),
            self.findings.get(index),
            self.html.texts.get(index),
        ) else {
            return;
        };
        let a = &self.anchor;
        let outcome = finding.outcome;
        let id = format!("{a}-rule{index}");
        put!(
            out,
            "<article class=\"card c-{} severity-{}\" id=\"{id}\" aria-labelledby=\"{id}-h\">\n<h4 id=\"{id}-h\">{} {}{}</h4>\n",
            outcome.as_str(),
            rule.severity().as_str(),
            outcome_tag(outcome),
            text.id,
            severity_note(rule.severity(), outcome, self.html.deny_warnings)
        );
        if !text.description.is_empty() || !text.citation.is_empty() {
            out.push_str("<p class=\"desc\">");
            out.push_str(&text.description);
            if !text.citation.is_empty() {
                put!(out, " <span class=\"cite\">{}</span>", text.citation);
            }
            out.push_str("</p>\n");
        }
        put!(
            out,
            "<p class=\"message\">{}</p>\n",
            html(&finding.message, false)
        );
        let unit = self.result.row.meta.unit;
        if let Status::Fail(sides) = &finding.status {
            put!(
                out,
                "<p class=\"numbers\">{}</p>\n",
                html(&failure_numbers(rule, sides, unit), false)
            );
            if !sides.roundings.is_empty() {
                out.push_str("<ul class=\"roundings\">");
                let source = self.rules.source_of(rule);
                for rounding in &sides.roundings {
                    let call = source.map_or("", |s| s.slice(rounding.span));
                    put!(
                        out,
                        "<li><code>{}</code> rounds {} to {}</li>",
                        html(call, false),
                        amount::format_value(rounding.from),
                        amount::format_value(rounding.to)
                    );
                }
                out.push_str("</ul>\n");
            }
        }
        self.write_read_lines(out, rule);
        if let Some(cause) = self.causes.iter().find(|c| c.clears.contains(&index)) {
            self.write_card_cause(out, cause, index);
        }
        let waiver = self
            .result
            .results
            .get(index)
            .and_then(|result| result.waiver)
            .and_then(|i| self.html.engine.waivers()?.waivers().get(i));
        if let Some(waiver) = waiver {
            put!(
                out,
                "<p class=\"waiver\"><strong>Waived:</strong> {}; approved by {}; the waiver expires on {}</p>\n",
                html(&waiver.justification, false),
                html(&waiver.approver, false),
                waiver.expires.node
            );
        }
        put!(
            out,
            "<p class=\"where\">Written at <code>{}</code></p>\n<pre class=\"source\"><code>{}</code></pre>\n</article>\n",
            text.place,
            text.source
        );
    }

    /// The lines a rule reads, with the report's amounts (and the previous report's).
    fn write_read_lines(&self, out: &mut String, rule: &CheckedRule) {
        if rule.lines().is_empty() {
            return;
        }
        let a = &self.anchor;
        let amounts = self.result.amounts(rule);
        let prior: Vec<usize> = match (rule.reads_prior(), &self.result.prior) {
            (true, Ok(_)) => rule.prior_occurrences().iter().map(|(s, _)| *s).collect(),
            _ => Vec::new(),
        };
        let current: Vec<usize> = rule.occurrences().iter().map(|(s, _)| *s).collect();
        put!(
            out,
            "<table class=\"read\">\n<caption>Lines <code>{}</code> reads</caption>\n<thead><tr><th scope=\"col\">Line</th><th scope=\"col\">Label</th><th scope=\"col\" class=\"num\">Amount</th></tr></thead>\n<tbody>\n",
            html(rule.id(), false)
        );
        for (slot, code) in rule.lines().iter().enumerate() {
            let kind = self.kind(*code);
            let as_of = self.result.row.meta.as_of;
            let label = html(self.rules.label_on(*code, as_of).unwrap_or(""), false);
            if current.contains(&slot) {
                put!(
                    out,
                    "<tr><th scope=\"row\"><a href=\"#{a}-l{code}\">{code}</a></th><td>{label}</td><td class=\"num\">{}</td></tr>\n",
                    printed(amounts.amount(slot), kind)
                );
            }
            if prior.contains(&slot) {
                put!(
                    out,
                    "<tr><th scope=\"row\">prior({code})</th><td>{label} (previous report)</td><td class=\"num\">{}</td></tr>\n",
                    printed(amounts.prior(slot), kind)
                );
            }
        }
        out.push_str("</tbody>\n</table>\n");
    }

    /// Every rule of the page (or, with `--results failing`, those that did not pass),
    /// with its status and why.
    fn write_rule_table(&self, out: &mut String, name: &str, group: &[usize]) {
        let listed: Vec<usize> = group
            .iter()
            .copied()
            .filter(|&i| {
                self.html.listed == Listed::All
                    || self.outcomes.get(i).is_some_and(|o| o.is_finding())
            })
            .collect();
        if listed.is_empty() {
            if self.html.listed == Listed::Failing && !group.is_empty() {
                out.push_str("<p class=\"note\">Every rule of this page holds or was skipped (only the rules that do not hold are listed).</p>\n");
            }
            return;
        }
        let which = match self.html.listed {
            Listed::All => "Rules",
            Listed::Failing => "Rules that do not hold",
        };
        put!(
            out,
            "<table class=\"rules\">\n<caption>{which} of {name}</caption>\n<thead><tr><th scope=\"col\">Rule</th><th scope=\"col\">Status</th><th scope=\"col\">What it checks</th></tr></thead>\n<tbody>\n"
        );
        let a = &self.anchor;
        for i in listed {
            let (Some(rule), Some(text), Some(result)) = (
                self.rules.rules().get(i),
                self.html.texts.get(i),
                self.result.results.get(i),
            ) else {
                continue;
            };
            let outcome = result.outcome();
            let carded = self.findings.get(i).is_some_and(Option::is_some);
            let name = if carded {
                format!("<a href=\"#{a}-rule{i}\">{}</a>", text.id)
            } else {
                text.id.clone()
            };
            let mut why = if text.description.is_empty() {
                format!("<code>{}</code>", text.assertion)
            } else {
                text.description.clone()
            };
            match result.verdict {
                crossfoot_core::eval::Verdict::Skipped(skip) => put!(
                    why,
                    " <span class=\"why\">(skipped: {})</span>",
                    html(&skip.reason(), false)
                ),
                _ if outcome == Outcome::Error => {
                    if let Some(finding) = self.findings.get(i).and_then(Option::as_ref) {
                        put!(
                            why,
                            " <span class=\"why\">({})</span>",
                            html(&finding.message, false)
                        );
                    }
                }
                _ => {}
            }
            put!(
                out,
                "<tr class=\"o-{}\"><th scope=\"row\">{name}</th><td>{}{}</td><td>{why}</td></tr>\n",
                outcome.as_str(),
                outcome_tag(outcome),
                severity_note(rule.severity(), outcome, self.html.deny_warnings)
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }

    /// What a line holds: money, a percentage or a ratio.
    fn kind(&self, code: LineCode) -> LineKind {
        self.rules
            .catalogue()
            .line(code)
            .map_or(LineKind::Money, |info| info.kind)
    }
}

/// A rule's fixed text, escaped.
fn rule_text(rules: &RuleSet, rule: &CheckedRule) -> RuleText {
    let source = rules.source_of(rule);
    let line = source.map_or(0, |s| s.line_col(rule.assertion_span().start).0);
    let name = source.map_or("", |s| s.name());
    RuleText {
        id: format!("<code>{}</code>", html(rule.id(), false)),
        description: rule
            .description()
            .map(|d| html(d, false).into_owned())
            .unwrap_or_default(),
        citation: rule
            .citation()
            .map(|c| html(c, false).into_owned())
            .unwrap_or_default(),
        place: format!("{}:{line}", html(name, false)),
        assertion: html(source.map_or("", |s| s.slice(rule.assertion_span())), false).into_owned(),
        source: html(source.map_or("", |s| s.slice(rule.span())), true).into_owned(),
    }
}

/// An amount as the form prints it: thousands separators, a negative amount in
/// parentheses, a percentage with `%`; `blank` when there is none.
fn printed(amount: Option<Decimal>, kind: LineKind) -> String {
    let Some(amount) = amount else {
        return "blank".to_owned();
    };
    let magnitude = amount::format(amount.abs());
    let shown = match kind {
        LineKind::Percent => format!("{magnitude}%"),
        LineKind::Money | LineKind::Ratio => magnitude,
    };
    if amount.is_sign_negative() && !amount.is_zero() {
        format!("({shown})")
    } else {
        shown
    }
}

fn outcome_icon(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Pass => "✓",
        Outcome::Fail => "✗",
        Outcome::Waived => "⚑",
        Outcome::Skipped => "–",
        Outcome::Error => "‼",
    }
}

/// `✗ fail` as a tag: an icon and the word, so the status does not rest on colour.
fn outcome_tag(outcome: Outcome) -> String {
    format!(
        "<span class=\"tag t-{}\"><span aria-hidden=\"true\">{}</span> {}</span>",
        outcome.as_str(),
        outcome_icon(outcome),
        outcome.as_str()
    )
}

/// ` (severity warning, does not fail the run)` for a failure that is not of severity
/// `error`.
fn severity_note(severity: Severity, outcome: Outcome, deny_warnings: bool) -> String {
    if severity == Severity::Error || !matches!(outcome, Outcome::Fail | Outcome::Waived) {
        return String::new();
    }
    let effect = if outcome == Outcome::Fail && !fails_the_run(severity, deny_warnings) {
        ", does not fail the run"
    } else {
        ""
    };
    format!(
        " <span class=\"severity\">(severity {}{effect})</span>",
        severity.as_str()
    )
}

fn standing_parts(standing: Standing) -> (&'static str, &'static str, &'static str) {
    match standing {
        Standing::Ok => ("ok", "✓", "ok"),
        Standing::Info => ("info", "ℹ", "info"),
        Standing::Warning => ("warning", "⚠", "warning"),
        Standing::Fail => ("fail", "✗", "FAIL"),
        Standing::Error => ("error", "‼", "ERROR"),
    }
}

/// A report's status as a badge: icon, word and colour.
fn standing_badge(standing: Standing) -> String {
    let (class, icon, word) = standing_parts(standing);
    format!(
        "<span class=\"badge b-{class}\"><span aria-hidden=\"true\">{icon}</span> {word}</span>"
    )
}

/// A report's status as an index cell.
fn standing_cell(standing: Standing) -> String {
    format!("<td>{}</td>", standing_badge(standing))
}

/// Writes the document when the run ends: the run's totals, the index of every report
/// (for more than one), the sections of the reports shown in full, and the warnings.
pub struct HtmlSink<'a> {
    html: Html<'a>,
    out: &'a mut dyn Write,
    /// Entries so far: reports and inputs that could not be read.
    entries: usize,
    /// Reports so far.
    reports: usize,
    /// Reports that do not hold shown in full so far.
    failing_shown: usize,
    /// Reports shown in full so far.
    shown: usize,
    /// Reports not shown in full.
    not_shown: usize,
    unreadable: usize,
    /// The first report's name, for the title of a run of one report.
    first: Option<String>,
    /// Index rows of the reports that do not hold and of the inputs that could not be
    /// read, which the index lists first; then those of the reports that hold.
    index_failing: Held,
    index: Held,
    /// Sections in the same order: reports that do not hold first.
    sections_failing: Held,
    sections: Held,
}

impl<'a> HtmlSink<'a> {
    /// The page on `out`, written when the run ends.
    pub fn new(html: Html<'a>, out: &'a mut dyn Write) -> Self {
        HtmlSink {
            html,
            out,
            entries: 0,
            reports: 0,
            failing_shown: 0,
            shown: 0,
            not_shown: 0,
            unreadable: 0,
            first: None,
            index_failing: Held::default(),
            index: Held::default(),
            sections_failing: Held::default(),
            sections: Held::default(),
        }
    }

    /// The document's start, up to the body's header.
    fn head(&self, title: &str) -> String {
        let mut out = String::new();
        put!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<meta name=\"generator\" content=\"crossfoot {}\"/>\n<title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
            env!("CARGO_PKG_VERSION"),
            html(title, false)
        );
        out
    }
}

impl Sink for HtmlSink<'_> {
    fn report(&mut self, result: &ReportResult, rendered: &[u8]) -> io::Result<()> {
        self.entries += 1;
        self.reports += 1;
        let n = self.entries;
        let holds = result.summary.holds();
        let full = if holds {
            self.reports <= MAX_HTML_DETAILED
        } else {
            self.failing_shown < MAX_HTML_DETAILED
        };
        let name = html(&result.row.meta.name(), false).into_owned();
        if self.first.is_none() {
            self.first = Some(result.row.meta.name());
        }
        let standing = result.summary.standing(self.html.deny_warnings);
        let (class, _, _) = standing_parts(standing);
        let mut row =
            format!("<tr class=\"i-{class}\"><td class=\"num\">{n}</td><th scope=\"row\">");
        if full {
            self.shown += 1;
            if !holds {
                self.failing_shown += 1;
            }
            put!(row, "<a href=\"#r{n}\">{name}</a>");
            let mut section = String::new();
            self.html.section(result, n, &mut section);
            let sections = if holds {
                &mut self.sections
            } else {
                &mut self.sections_failing
            };
            sections.push(section.as_bytes(), b"")?;
        } else {
            self.not_shown += 1;
            put!(
                row,
                "{name} <span class=\"note\">(not shown in full)</span>"
            );
        }
        row.push_str("</th>");
        let mut entry = row.into_bytes();
        entry.extend_from_slice(rendered);
        entry.extend_from_slice(b"</tr>\n");
        if holds {
            self.index.push(&entry, b"")
        } else {
            self.index_failing.push(&entry, b"")
        }
    }

    fn unreadable(&mut self, unreadable: &Unreadable) -> io::Result<()> {
        self.entries += 1;
        self.unreadable += 1;
        let n = self.entries;
        let meta = &unreadable.meta;
        let row = format!(
            "<tr class=\"i-unreadable\" id=\"r{n}\"><td class=\"num\">{n}</td><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td><span class=\"badge b-unreadable\"><span aria-hidden=\"true\">⊘</span> unreadable</span></td><td colspan=\"2\">{}</td></tr>\n",
            html(&unreadable.name(), false),
            html(meta.firm.as_deref().unwrap_or(""), false),
            meta.as_of.map(|d| d.to_string()).unwrap_or_default(),
            html(&unreadable.message(), false)
        );
        self.index_failing.push(row.as_bytes(), b"")
    }

    fn finish(&mut self, end: &RunEnd<'_>) -> io::Result<()> {
        let totals = &end.totals;
        let mut title = match (&self.first, self.reports) {
            (Some(name), 1) => format!("crossfoot check: {}", terminal(name)),
            (_, reports) => format!(
                "crossfoot check: {reports} report{}",
                if reports == 1 { "" } else { "s" }
            ),
        };
        if self.unreadable > 0 {
            put!(title, ", {} could not be read", self.unreadable);
        }
        let mut top = self.head(&title);
        top.push_str("<header>\n<h1>crossfoot check</h1>\n");
        // A run of one report says its counts in the report's section.
        if self.entries > 1 || self.unreadable > 0 {
            put!(
                top,
                "<p class=\"totals\">{}</p>\n",
                html(&totals_line(totals), false)
            );
        }
        let rules = self.html.engine.rules();
        let files: Vec<String> = rules
            .sources()
            .iter()
            .map(|s| format!("<li><code>{}</code></li>", html(s.name(), false)))
            .collect();
        put!(
            top,
            "<details class=\"ruleset\"><summary>{} rule{} from {} file{}</summary><ul>{}</ul></details>\n",
            rules.rules().len(),
            if rules.rules().len() == 1 { "" } else { "s" },
            files.len(),
            if files.len() == 1 { "" } else { "s" },
            files.concat()
        );
        if self.html.listed == Listed::Failing {
            top.push_str("<p class=\"note\">Each page lists only the rules that do not hold (<code>--results failing</code>); the counts cover every rule.</p>\n");
        }
        top.push_str("</header>\n<main>\n");
        self.out.write_all(top.as_bytes())?;
        let indexed = self.entries > 1 || self.unreadable > 0;
        if indexed {
            let mut head = String::from(
                "<section class=\"index\" id=\"index\" aria-labelledby=\"index-h\">\n<h2 id=\"index-h\">Reports</h2>\n",
            );
            if self.not_shown > 0 {
                put!(
                    head,
                    "<p class=\"note\">{} report{} shown in full: the first {MAX_HTML_DETAILED} reports that do not hold, and the reports that hold among the first {MAX_HTML_DETAILED}. {} other report{} only listed here.</p>\n",
                    self.shown,
                    if self.shown == 1 { " is" } else { "s are" },
                    self.not_shown,
                    if self.not_shown == 1 { " is" } else { "s are" },
                );
            }
            head.push_str("<table class=\"index\">\n<caption>Every report of the run with its status: those that do not hold (or could not be read) first, then those that hold, each numbered by its place in the input</caption>\n<thead><tr><th scope=\"col\" class=\"num\">#</th><th scope=\"col\">Report</th><th scope=\"col\">Firm</th><th scope=\"col\">As of</th><th scope=\"col\">Status</th><th scope=\"col\">Rules</th><th scope=\"col\">Rules that do not hold</th></tr></thead>\n<tbody>\n");
            self.out.write_all(head.as_bytes())?;
            self.index_failing.write_to(self.out)?;
            self.index.write_to(self.out)?;
            self.out.write_all(b"</tbody>\n</table>\n</section>\n")?;
        }
        self.sections_failing.write_to(self.out)?;
        self.sections.write_to(self.out)?;
        let mut tail = String::new();
        if !end.warnings.is_empty() {
            tail.push_str("<section class=\"warnings\" aria-labelledby=\"warnings-h\">\n<h2 id=\"warnings-h\">Warnings</h2>\n<ul>\n");
            for warning in end.warnings {
                let text = crate::warning::warning_text(warning);
                put!(
                    tail,
                    "<li><span aria-hidden=\"true\">⚠</span> {}</li>\n",
                    html(&terminal(&text), false)
                );
            }
            tail.push_str("</ul>\n</section>\n");
        }
        if self.entries == 0 {
            tail.push_str("<p class=\"note\">No report was read.</p>\n");
        }
        put!(
            tail,
            "</main>\n<footer><p>Written by crossfoot {}.</p></footer>\n</body>\n</html>\n",
            env!("CARGO_PKG_VERSION")
        );
        self.out.write_all(tail.as_bytes())?;
        self.out.flush()
    }
}

/// The page's style: system fonts, tables that read in print, a status never shown by
/// colour alone (each has its icon and word).
const STYLE: &str = r#":root { --fail: #a4161a; --fail-bg: #fde8e8; --warn: #8a5a00; --warn-bg: #fff4d6;
  --ok: #1b6e2d; --ok-bg: #e3f4e6; --info: #1d4f91; --info-bg: #e4eefb; --muted: #5f6368;
  --line: #d0d4d9; --flag-bg: #fff1c2; --flag: #b45309; }
* { box-sizing: border-box; }
body { font: 13.5px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  color: #1f2328; margin: 0 auto; max-width: 1400px; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; }
h3 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
h4 { font-size: .95rem; margin: 0 0 .3rem; }
header p, .note { color: var(--muted); margin: .2rem 0; }
.page-id, .severity { color: var(--muted); font-weight: normal; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .92em; }
table { border-collapse: collapse; width: 100%; margin: .25rem 0 1rem; }
caption { text-align: left; color: var(--muted); font-size: .85rem; padding: .2rem 0; caption-side: top; }
th, td { text-align: left; vertical-align: top; padding: .15rem .45rem; border-bottom: 1px solid var(--line); }
thead th { border-bottom: 2px solid #8c959f; font-size: .85rem; }
thead th.num { white-space: normal; }
thead .unit { font-weight: normal; }
tbody th { font-weight: 600; font-family: ui-monospace, "DejaVu Sans Mono", monospace; white-space: nowrap; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.blank td, .blank-word { color: var(--muted); }
.blank-word { font-style: italic; }
tr.flagged { background: var(--flag-bg); }
tr.flagged th { box-shadow: inset 4px 0 0 var(--flag); }
tr.flagged td.num { font-weight: 700; }
.marks a { margin-right: .25rem; }
.tag, .badge { display: inline-block; border-radius: 3px; padding: 0 .35rem; font-size: .85em;
  text-decoration: none; white-space: nowrap; border: 1px solid transparent; }
.badge { font-weight: 700; padding: .05rem .5rem; }
.t-fail, .b-fail { color: var(--fail); background: var(--fail-bg); border-color: var(--fail); }
.t-error, .b-error, .b-unreadable { color: #6b1d7a; background: #f5e6f8; border-color: #6b1d7a; }
.t-waived, .b-warning { color: var(--warn); background: var(--warn-bg); border-color: var(--warn); }
.t-pass, .b-ok { color: var(--ok); background: var(--ok-bg); border-color: var(--ok); }
.t-skipped { color: var(--muted); background: #f1f3f4; border-color: #9aa0a6; }
.b-info { color: var(--info); background: var(--info-bg); border-color: var(--info); }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
dl.about { display: flex; flex-wrap: wrap; gap: .2rem 1.5rem; margin: .25rem 0 .75rem; }
dl.about dt { color: var(--muted); }
dl.about dt::after { content: ":"; }
dl.about dd { margin: 0 0 0 -1.2rem; font-weight: 600; }
nav.contents ol { padding-left: 0; list-style-position: inside; margin: .5rem 0; columns: 2; column-gap: 2rem; font-size: .9em; }
nav.contents li { break-inside: avoid; margin-bottom: .1rem; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
details.ruleset { color: var(--muted); margin: .2rem 0; }
details.ruleset ul { margin: .2rem 0; }
.causes { border: 1px solid var(--flag); background: #fffaf0; border-radius: 4px; padding: .1rem .9rem; margin: .6rem 0; }
.causes h3 { border: 0; margin: .4rem 0 .2rem; font-size: .95rem; }
.causes ul { margin: .2rem 0 .5rem; }
.split { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1.25rem; align-items: start; }
.card { border: 1px solid var(--line); border-left: 5px solid var(--fail); border-radius: 4px; padding: .6rem .8rem; margin: .25rem 0 1rem; background: #fff; }
.card.c-fail.severity-warning { border-left-color: var(--warn); }
.card.c-fail.severity-info { border-left-color: var(--info); }
.card.c-waived { border-left-color: var(--warn); }
.card.c-error { border-left-color: #6b1d7a; }
.card p { margin: .3rem 0; }
.card .message { font-weight: 700; }
.card .numbers { font-variant-numeric: tabular-nums; }
.card .cite { color: var(--muted); white-space: nowrap; }
.card .cite::before { content: "— "; }
.card table { font-size: .9em; margin: .4rem 0; }
.card .cause { background: #fffaf0; border-left: 3px solid var(--flag); padding: .2rem .5rem; }
.card .waiver { background: var(--warn-bg); padding: .2rem .5rem; }
.where { color: var(--muted); font-size: .85em; }
pre.source { background: #f6f8fa; border: 1px solid var(--line); border-radius: 3px; padding: .4rem .6rem; margin: .2rem 0 0;
  overflow-x: auto; white-space: pre-wrap; font-size: .85em; }
table.lines { max-width: 62rem; table-layout: fixed; }
table.lines th:nth-child(1) { width: 4.5rem; }
table.lines th:nth-child(3) { width: 9rem; }
table.lines th:nth-child(4) { width: 10.5rem; }
.marks .tag { font-size: .8em; margin: 0 .2rem .1rem 0; }
.split table.lines { max-width: none; }
table.rules { table-layout: fixed; }
table.rules th:first-child { width: 30%; }
table.rules th:nth-child(2) { width: 9rem; }
table.rules tbody th { overflow-wrap: anywhere; white-space: normal; }
.why { color: var(--muted); }
table.index tr.i-fail th, table.index tr.i-error th, table.index tr.i-unreadable th { box-shadow: inset 4px 0 0 var(--fail); }
section.report { border-top: 3px solid #1f2328; margin-top: 1.5rem; }
section.report > h2 { margin-top: .75rem; }
footer { color: var(--muted); font-size: .85em; margin-top: 3rem; }
@media (max-width: 900px) { .split { display: block; } }
@media print {
  body { font-size: 10pt; max-width: none; padding: 0; }
  nav.contents { display: none; }
  a { color: inherit; text-decoration: none; }
  .split { display: block; }
  section.report { break-before: page; border-top: 0; margin-top: 0; }
  main > section.report:first-child { break-before: auto; }
  tr, .card, .causes { break-inside: avoid; }
  thead { display: table-header-group; }
  tr.flagged, .tag, .badge, .card, .causes { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  pre.source { white-space: pre-wrap; }
}
"#;
