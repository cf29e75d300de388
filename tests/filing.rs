//! The shipped rule pack against the real filing (HSBC Securities (USA) Inc., July 2020):
//! every rule holds, and moving any one amount by $1 fails exactly the rules whose
//! arithmetic it breaks.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly"
)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use crossfoot::load::load_rules;
use crossfoot::report::Report;
use crossfoot::report::read_report;
use crossfoot_core::compile::{CheckedRule, Node, RuleSet};
use crossfoot_core::engine::{Engine, ReportResult};
use crossfoot_core::eval::Status;
use crossfoot_render::{JsonReport, json_report};
use crossfoot_syntax::ast::{BinOp, CmpOp};
use crossfoot_syntax::line::LineCode;
use rust_decimal::Decimal;

/// The pages the filing carries: the CFTC pages of the shipped pack. (Its SEC pages are
/// checked on the SEC reports, in `tests/sec_examples.rs`.)
fn pack() -> RuleSet {
    rules_at("rules/focus/cftc")
}

/// A rule set that lints clean.
fn rules_at(path: &str) -> RuleSet {
    let checked = load_rules(Path::new(path)).unwrap();
    let warnings: Vec<String> = checked.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        Vec::<String>::new(),
        "the shipped pack lints clean"
    );
    checked.rules
}

fn filing() -> Report {
    read_report(Path::new("examples/hsbc-2020-07.yaml")).unwrap()
}

fn code(text: &str) -> LineCode {
    text.parse().unwrap()
}

/// The filing with one line moved by `delta` (a blank line starts from 0).
fn moved(report: &Report, line: LineCode, delta: Decimal) -> Report {
    let mut changed = report.clone();
    let amount = report.amount(line).unwrap_or_default() + delta;
    changed.set_amount(line, Some(amount));
    changed
}

/// The failing rules, with their JSON `difference`.
fn failures(engine: &Engine, report: &Report) -> Vec<(String, String)> {
    let result = engine.check(report);
    parsed(engine, &result)
        .results
        .into_iter()
        .filter(|r| r.status == "fail")
        .map(|r| (r.rule, r.difference.unwrap_or_default()))
        .collect()
}

/// A report's JSON object, as `check --format json` writes it, read back.
fn parsed(engine: &Engine, result: &ReportResult) -> JsonReport {
    serde_json::from_str(&json_report(engine, result)).unwrap()
}

/// How `node` depends on the line in `slot`: `Some(c)` when it is `c × line + …` through
/// `+`, `-` and unary minus only; `None` when the line sits under `*`, `/` or a function.
fn coefficient(node: &Node, slot: usize) -> Option<i64> {
    match node {
        Node::Line { slot: s, .. } => Some(i64::from(*s == slot)),
        Node::Const { .. } => Some(0),
        Node::Neg { inner, .. } => coefficient(inner, slot).map(|c| -c),
        Node::Chain { first, rest, .. } => {
            let additive = rest.iter().all(|(op, _, _)| op.is_additive());
            let mut total = coefficient(first, slot)?;
            for (op, _, operand) in rest {
                let c = coefficient(operand, slot)?;
                if !additive && (c != 0 || total != 0) {
                    return None;
                }
                total += if *op == BinOp::Sub { -c } else { c };
            }
            Some(if additive { total } else { 0 })
        }
        Node::Call { args, .. } => {
            let used = args.iter().any(|arg| coefficient(arg, slot) != Some(0));
            if used { None } else { Some(0) }
        }
    }
}

/// For an equality rule linear in `line`, the difference a +$1 move must produce.
fn linear_difference(rule: &CheckedRule, line: LineCode) -> Option<i64> {
    let slot = rule.lines().iter().position(|&l| l == line)?;
    if rule.assertion().op != CmpOp::Eq || rule.condition().is_some() {
        return None;
    }
    let left = coefficient(&rule.assertion().left, slot)?;
    let right = coefficient(&rule.assertion().right, slot)?;
    (left != right).then_some(left - right)
}

#[test]
fn every_rule_holds_on_the_filing() {
    let engine = Engine::new(pack());
    let rules = engine.rules();
    let report = filing();
    let evaluation = engine.check(&report);
    let mut skipped = Vec::new();
    for (rule, _) in evaluation.results(rules) {
        match &evaluation.status(rule) {
            Status::Pass(_) => {}
            Status::Skipped(_) => skipped.push(rule.id()),
            other => panic!("{} does not hold on the filing: {other:?}", rule.id()),
        }
    }
    assert_eq!(rules.rules().len(), 57);
    assert_eq!(
        skipped,
        [
            "dealer.total",
            "dealer.excess",
            "dealer.excess.notice",
            "secured.funds.clearing_orgs",
            "secured.funds.clearing_short_options.sign",
            "capital.early_warning.minimum_dollar",
            "capital.early_warning.retail_forex",
            "capital.early_warning.nfa_floor",
            "capital.early_warning.nfa_ceiling",
        ]
    );
}

#[test]
fn every_rule_has_a_description_and_a_citation() {
    for rule in rules_at("rules/focus").rules() {
        assert!(
            rule.description().is_some(),
            "{} has no description",
            rule.id()
        );
        assert!(rule.citation().is_some(), "{} has no citation", rule.id());
    }
}

#[test]
fn moving_a_line_by_one_dollar_fails_exactly_the_rules_it_breaks() {
    let engine = Engine::new(pack());
    let rules = engine.rules();
    let report = filing();
    let mut lines: Vec<LineCode> = rules
        .rules()
        .iter()
        .flat_map(|r| r.lines().to_vec())
        .collect();
    lines.sort();
    lines.dedup();
    let mut table = String::new();
    let mut linear_checks = 0;
    for &line in &lines {
        let failed: BTreeMap<String, String> =
            failures(&engine, &moved(&report, line, Decimal::ONE))
                .into_iter()
                .collect();
        for rule in rules.rules() {
            let reads_line = rule.lines().contains(&line);
            if let Some(expected) = linear_difference(rule, line) {
                // The moved line is no longer blank, so the rule is never skipped.
                linear_checks += 1;
                assert_eq!(
                    failed.get(rule.id()).map(String::as_str),
                    Some(expected.to_string().as_str()),
                    "{line} + $1 must fail {} with difference {expected}",
                    rule.id()
                );
            }
            if failed.contains_key(rule.id()) {
                assert!(
                    reads_line,
                    "{line} + $1 failed {}, which does not read it",
                    rule.id()
                );
            }
        }
        let listed: Vec<String> = failed.iter().map(|(id, d)| format!("{id} ({d})")).collect();
        let _ = writeln!(
            table,
            "{line}: {}",
            if listed.is_empty() {
                "-".to_owned()
            } else {
                listed.join(", ")
            }
        );
    }
    assert!(
        linear_checks >= 100,
        "only {linear_checks} linear checks ran"
    );
    insta::assert_snapshot!(table);
}

#[test]
fn changes_that_do_not_break_the_arithmetic_fail_nothing() {
    let engine = Engine::new(pack());
    let report = filing();
    // 7305 sits under a max() that 7355 wins; 7475 is blank and loses to 7455.
    for line in ["7305", "7475"] {
        assert_eq!(
            failures(&engine, &moved(&report, code(line), Decimal::ONE)),
            []
        );
    }
    // 8% of 7415 moves by $0.08 and of 7435 by $0.08: rounding absorbs both.
    for line in ["7415", "7435"] {
        assert_eq!(
            failures(&engine, &moved(&report, code(line), Decimal::ONE)),
            []
        );
    }
}

#[test]
fn the_early_warning_level_follows_the_binding_requirement() {
    let engine = Engine::new(pack());
    let mut report = filing();
    // Make the $1,000,000 minimum the binding requirement: the early-warning level must
    // then be 150% of it, and the risk-based branch no longer applies.
    for (line, amount) in [
        ("7415", "0"),
        ("7425", "0"),
        ("7435", "0"),
        ("7445", "0"),
        ("7455", "0"),
        ("7490", "1000000"),
    ] {
        report.set_amount(code(line), Some(amount.parse().unwrap()));
    }
    let failed = failures(&engine, &report);
    assert_eq!(
        failed,
        [(
            "capital.early_warning.minimum_dollar".to_owned(),
            "512827135".to_owned()
        )]
    );
    report.set_amount(code("7495"), Some("1500000".parse().unwrap()));
    assert_eq!(failures(&engine, &report), []);
}

#[test]
fn explain_on_the_filing() {
    let rules = pack();
    let mut report = filing();
    report.set_amount(code("7190"), Some("198161468".parse().unwrap()));
    let result = crossfoot_core::engine::Engine::new(rules.clone()).check(&report);
    for id in [
        "seg.excess",
        "seg.total_funds",
        "capital.customer_margin",
        "capital.early_warning.risk_based",
        "capital.early_warning.minimum_dollar",
        "dealer.total",
    ] {
        let rule = rules.rules().iter().find(|r| r.id() == id).unwrap();
        insta::assert_snapshot!(id, crossfoot_render::explain(&rules, rule, &result));
    }
}

/// Lines that more than one unconditional `=` rule reads linearly: changing one fails
/// several rules, and only its own correction clears them all.
fn shared_totals(rules: &RuleSet) -> Vec<LineCode> {
    let mut lines: Vec<LineCode> = rules
        .rules()
        .iter()
        .flat_map(|r| r.lines().to_vec())
        .collect();
    lines.sort();
    lines.dedup();
    lines
        .into_iter()
        .filter(|&line| {
            rules
                .rules()
                .iter()
                .filter(|rule| linear_difference(rule, line).is_some())
                .count()
                >= 2
        })
        .collect()
}

#[test]
fn the_changed_total_ranks_first_among_root_causes() {
    let engine = Engine::new(pack());
    let report = filing();
    let totals = shared_totals(engine.rules());
    assert!(totals.len() >= 20, "only {} shared totals", totals.len());
    for line in totals {
        let changed = moved(&report, line, Decimal::from(1_000));
        let evaluation = engine.check(&changed);
        assert!(evaluation.summary.failed >= 2, "{line}");
        let causes = crossfoot_core::root_cause::root_causes(engine.rules(), &evaluation);
        let first = &causes[0];
        assert_eq!(first.line, line, "{line}: {causes:?}");
        assert_eq!(
            Some(first.amount),
            report.amount(line).or(Some(Decimal::ZERO)),
            "{line}"
        );
        assert_eq!(first.clears.len(), evaluation.summary.failed, "{line}");
        assert!(first.breaks.is_empty(), "{line}");
        assert!(
            causes
                .iter()
                .skip(1)
                .all(|c| c.clears.len() < first.clears.len()),
            "{line}: a tie"
        );
        // The JSON carries the same ranking.
        let json = parsed(&engine, &evaluation);
        assert_eq!(json.root_causes[0].line, line.to_string());
    }
}
