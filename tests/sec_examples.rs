//! The SEC example pack (`examples/sec/`) on the two real schedules it ships with: every
//! rule that applies holds, every other one is skipped for the reason the schedule gives
//! (a condition, a blank total, no previous report), the examples kill every mutant, and a
//! figure moved past the rounding of its schedule fails with the band in the diagnostic.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly"
)]

mod common;

use common::{crossfoot, crossfoot_in, root, scratch, seen, stderr, stdout};

use std::collections::BTreeMap;
use std::process::Output;

use crossfoot_render::{JsonOutput, JsonReport};

const PACK: &str = "examples/sec";
const HSBC: &str = "examples/sec/hsbc-securities-usa-2008-12.yaml";
const SCHWAB: &str = "examples/sec/charles-schwab-co-2011-12.yaml";

const NO_PRIOR: &str = "no prior report: no earlier report of the firm";

/// Why each rule that does not apply to HSBC Securities (USA) 2008-12 is skipped: the
/// reason code and, for the reasons that carry one, the message. The firm uses the
/// alternative method, is a futures commission merchant, computes weekly, and prints every
/// subtotal of the net capital chain.
const HSBC_SKIPPED: &[(&str, &str, Option<&str>)] = &[
    ("netcap.total_capital.chained", "condition_false", None),
    ("netcap.before_haircuts.chained", "condition_false", None),
    ("netcap.net_capital.chained", "condition_false", None),
    ("netcap.secured_demand_note.sign", "all_lines_blank", None),
    ("netcap.month_over_month", "no_prior", Some(NO_PRIOR)),
    ("basic.minimum", "all_lines_blank", None),
    ("basic.requirement", "condition_false", None),
    ("basic.excess", "condition_false", None),
    ("basic.excess_1000", "condition_false", None),
    ("basic.aggregate_indebtedness", "all_lines_blank", None),
    ("basic.ai_ratio", "condition_false", None),
    ("basic.ai_ratio.after_withdrawals", "condition_false", None),
    ("basic.ai_limit", "condition_false", None),
    ("basic.early_warning", "condition_false", None),
    (
        "basic.special_reserve_adjustment.sign",
        "all_lines_blank",
        None,
    ),
    ("alt.debit_items", "condition_false", None),
    ("alt.early_warning_excess", "condition_false", None),
    ("method.one", "condition_false", None),
    ("reserve.monthly", "condition_false", None),
    (
        "link.liabilities_and_equity",
        "blank_total",
        Some("total line 1810 is blank"),
    ),
    (
        "link.balance",
        "blank_total",
        Some("total line 1810 is blank"),
    ),
    (
        "link.nonallowable_assets",
        "blank_total",
        Some("total line 740 is blank"),
    ),
    ("link.ai_liabilities", "all_lines_blank", None),
    ("link.withdrawals.sign", "all_lines_blank", None),
];

/// The same for Charles Schwab & Co. 2011-12: a condensed layout (no 3500, no 3620, the
/// haircuts on one line, no percentage lines), the alternative method, not an FCM.
const SCHWAB_SKIPPED: &[(&str, &str, Option<&str>)] = &[
    (
        "netcap.qualified_equity",
        "blank_total",
        Some("total line 3500 is blank"),
    ),
    (
        "netcap.total_capital",
        "blank_total",
        Some("total line 3500 is blank"),
    ),
    (
        "netcap.total_deductions",
        "blank_total",
        Some("total line 3620 is blank"),
    ),
    (
        "netcap.before_haircuts",
        "blank_total",
        Some("total line 3620 is blank"),
    ),
    ("netcap.total_haircuts", "condition_false", None),
    ("netcap.net_capital.chained", "condition_false", None),
    ("netcap.nonallowable_equity.sign", "all_lines_blank", None),
    ("netcap.security_accounts.sign", "all_lines_blank", None),
    ("netcap.commodity_accounts.sign", "all_lines_blank", None),
    ("netcap.aged_fails.sign", "all_lines_blank", None),
    ("netcap.short_differences.sign", "all_lines_blank", None),
    ("netcap.secured_demand_note.sign", "all_lines_blank", None),
    ("netcap.commodity_charges.sign", "all_lines_blank", None),
    ("netcap.carried_accounts.sign", "all_lines_blank", None),
    ("netcap.total_deductions.sign", "all_lines_blank", None),
    ("netcap.other_additions.sign", "all_lines_blank", None),
    ("netcap.haircut.commitments.sign", "all_lines_blank", None),
    (
        "netcap.haircut.subordinated_borrowings.sign",
        "all_lines_blank",
        None,
    ),
    ("netcap.haircut.money_market.sign", "all_lines_blank", None),
    ("netcap.haircut.government.sign", "all_lines_blank", None),
    ("netcap.haircut.municipal.sign", "all_lines_blank", None),
    ("netcap.haircut.corporate.sign", "all_lines_blank", None),
    ("netcap.haircut.stocks.sign", "all_lines_blank", None),
    ("netcap.haircut.options.sign", "all_lines_blank", None),
    ("netcap.haircut.arbitrage.sign", "all_lines_blank", None),
    (
        "netcap.haircut.other_securities.sign",
        "all_lines_blank",
        None,
    ),
    ("netcap.haircut.concentration.sign", "all_lines_blank", None),
    ("netcap.haircut.other.sign", "all_lines_blank", None),
    ("netcap.month_over_month", "no_prior", Some(NO_PRIOR)),
    ("basic.minimum", "all_lines_blank", None),
    ("basic.requirement", "condition_false", None),
    ("basic.excess", "condition_false", None),
    ("basic.excess_1000", "condition_false", None),
    ("basic.aggregate_indebtedness", "all_lines_blank", None),
    ("basic.ai_ratio", "condition_false", None),
    ("basic.ai_ratio.after_withdrawals", "condition_false", None),
    ("basic.ai_limit", "condition_false", None),
    ("basic.early_warning", "condition_false", None),
    (
        "basic.special_reserve_adjustment.sign",
        "all_lines_blank",
        None,
    ),
    ("alt.debit_items.fcm", "condition_false", None),
    ("alt.minimum_dollar", "all_lines_blank", None),
    ("alt.net_capital_to_debits", "condition_false", None),
    (
        "alt.net_capital_to_debits.after_withdrawals",
        "condition_false",
        None,
    ),
    ("alt.early_warning_excess.fcm", "condition_false", None),
    ("alt.debt_equity", "condition_false", None),
    ("alt.debt_equity.limit", "all_lines_blank", None),
    ("method.one", "condition_false", None),
    ("reserve.monthly", "condition_false", None),
    ("reserve.qualified_securities", "condition_false", None),
    ("link.liabilities_and_equity", "all_lines_blank", None),
    ("link.balance", "all_lines_blank", None),
    (
        "link.equity",
        "blank_total",
        Some("total line 1800 is blank"),
    ),
    (
        "link.nonallowable_assets",
        "blank_total",
        Some("total line 740 is blank"),
    ),
    ("link.ai_liabilities", "all_lines_blank", None),
    ("link.withdrawals.sign", "all_lines_blank", None),
    ("link.cftc_requirement", "condition_false", None),
];

fn code(output: &Output) -> i32 {
    output.status.code().unwrap()
}

fn report(output: &Output) -> JsonReport {
    let mut parsed: JsonOutput = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(parsed.reports.len(), 1);
    parsed.reports.remove(0)
}

/// `check --format json` on one schedule: exit 0, and every rule passed except the listed
/// ones, each skipped for its reason.
fn holds_with_skips(schedule: &str, skipped: &[(&str, &str, Option<&str>)]) -> JsonReport {
    let output = crossfoot(&["check", "--format", "json", PACK, schedule]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
    let report = report(&output);
    assert_eq!(report.status.as_deref(), Some("ok"));
    let expected: BTreeMap<&str, (&str, Option<&str>)> = skipped
        .iter()
        .map(|(rule, reason, message)| (*rule, (*reason, *message)))
        .collect();
    assert_eq!(expected.len(), skipped.len(), "a rule listed twice");
    for result in &report.results {
        match expected.get(result.rule.as_str()) {
            Some((reason, message)) => {
                assert_eq!(result.status, "skipped", "{}", result.rule);
                assert_eq!(result.reason.as_deref(), Some(*reason), "{}", result.rule);
                assert_eq!(result.message.as_deref(), *message, "{}", result.rule);
            }
            None => assert_eq!(
                result.status, "pass",
                "{} on {schedule}: {:?}",
                result.rule, result.message
            ),
        }
    }
    let listed: Vec<&str> = report.results.iter().map(|r| r.rule.as_str()).collect();
    for rule in expected.keys() {
        assert!(listed.contains(rule), "no result for {rule}");
    }
    let summary = report.summary;
    assert_eq!(summary.rules, report.results.len());
    assert_eq!(
        (summary.failed, summary.errors, summary.skipped),
        (0, 0, skipped.len())
    );
    assert_eq!(summary.passed, summary.rules - skipped.len());
    report
}

fn result<'a>(report: &'a JsonReport, rule: &str) -> &'a crossfoot_render::JsonResult {
    report
        .results
        .iter()
        .find(|r| r.rule == rule)
        .unwrap_or_else(|| panic!("no result for {rule}"))
}

#[test]
fn hsbc_2008_holds_in_thousands() {
    let report = holds_with_skips(HSBC, HSBC_SKIPPED);
    assert_eq!(report.firm.as_deref(), Some("HSBC Securities (USA) Inc."));
    assert_eq!((report.summary.rules, report.summary.passed), (80, 56));
    // $250,000 is 250 in a report in thousands: 2,500 clears it by 2,250.
    let minimum = result(&report, "alt.minimum_dollar");
    assert_eq!(minimum.difference.as_deref(), Some("2250"));
    // 1,117,072 - 81,965.1 is 1,035,106.9, printed 1,035,107: the rounding of four
    // figures (5% of 1,639,302 counts for a twentieth) allows 1.025.
    let excess = result(&report, "alt.early_warning_excess.fcm");
    assert_eq!(excess.difference.as_deref(), Some("-0.10"));
    assert_eq!(excess.tolerance.as_deref(), Some("1.025"));
    // 59.99 is read as the ratio 0.5999, and 975,000 / 1,625,226 rounds to it.
    let debt_equity = result(&report, "alt.debt_equity");
    assert_eq!(debt_equity.difference.as_deref(), Some("0.0000"));
    // The CFTC requirement is below the SEC one.
    let cftc = result(&report, "link.cftc_requirement");
    assert_eq!(cftc.difference.as_deref(), Some("236"));
}

#[test]
fn schwab_2011_holds_in_millions() {
    let report = holds_with_skips(SCHWAB, SCHWAB_SKIPPED);
    assert_eq!(report.firm.as_deref(), Some("Charles Schwab & Co., Inc."));
    assert_eq!((report.summary.rules, report.summary.passed), (80, 24));
    // The chained forms check the arithmetic the condensed layout's blank subtotals hide.
    for rule in [
        "netcap.total_capital.chained",
        "netcap.before_haircuts.chained",
    ] {
        assert_eq!(result(&report, rule).status, "pass", "{rule}");
    }
    // 1,188 - 5% of 11,989 is 588.55, printed 588: one unit off, within the rounding.
    let excess = result(&report, "alt.early_warning_excess");
    assert_eq!(excess.difference.as_deref(), Some("-0.55"));
    assert_eq!(excess.tolerance.as_deref(), Some("1.025"));
}

#[test]
fn the_summary_lines() {
    for (schedule, line) in [
        (
            HSBC,
            "ok: examples/sec/hsbc-securities-usa-2008-12.yaml (HSBC Securities (USA) Inc., as of 2008-12-31): 80 rules, 56 passed, 0 failed, 24 skipped\n",
        ),
        (
            SCHWAB,
            "ok: examples/sec/charles-schwab-co-2011-12.yaml (Charles Schwab & Co., Inc., as of 2011-12-31): 80 rules, 24 passed, 0 failed, 56 skipped\n",
        ),
    ] {
        let output = crossfoot(&["check", PACK, schedule]);
        assert_eq!(code(&output), 0);
        assert_eq!(stdout(&output), line);
        assert_eq!(stderr(&output), "");
    }
}

#[test]
fn the_pack_lints_clean_and_is_formatted() {
    let lint = crossfoot(&["lint", "--deny", "warnings", PACK]);
    assert_eq!(code(&lint), 0, "{}", seen(&lint));
    let fmt = crossfoot(&["fmt", "--check", PACK]);
    assert_eq!(code(&fmt), 0, "{}", seen(&fmt));
}

#[test]
fn the_examples_kill_every_mutant() {
    let output = crossfoot(&["test", PACK, "--mutate"]);
    assert_eq!(code(&output), 0, "{}", seen(&output));
    let out = stdout(&output);
    assert!(out.contains(" 0 survived"), "{out}");
    assert!(out.ends_with(", 0 failed\n"), "{out}");
    assert!(!out.contains("survives"), "{out}");
}

#[test]
fn a_month_over_month_drop_warns_with_a_prior_report() {
    // A hypothetical previous month (not real data) with net capital of 1,500,000
    // thousand: 80% of it is 1,200,000, above the December figure of 1,117,072.
    let (_dir, path) = scratch(&[(
        "prior.yaml",
        "firm: HSBC Securities (USA) Inc.\nas_of: 2008-11-30\nunit: thousands\nlines:\n  3750: 1500000\n",
    )]);
    let prior = path.join("prior.yaml");
    let args = [
        "check",
        "--format",
        "json",
        "--prior",
        prior.to_str().unwrap(),
        PACK,
        HSBC,
    ];
    let output = crossfoot(&args);
    // A warning does not fail the run.
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = report(&output);
    assert_eq!(report.status.as_deref(), Some("warning"));
    let drop = result(&report, "netcap.month_over_month");
    assert_eq!(drop.status, "fail");
    assert_eq!(drop.severity, "warning");
    assert_eq!(drop.difference.as_deref(), Some("-82928.00"));
    assert_eq!(report.summary.failed, 1);
}

/// The HSBC schedule with net capital (3750) moved by 2 thousand: more than the ±1.5 the
/// rounding of three figures in thousands allows, so the net capital sum and the excess
/// net capital fail, and the root cause points back at 3750.
#[test]
fn net_capital_moved_past_the_rounding() {
    let schedule = std::fs::read_to_string(root().join(HSBC)).unwrap();
    let moved = schedule.replace("  3750: 1117072 ", "  3750: 1117074 ");
    assert_ne!(moved, schedule);
    let mut files: Vec<(String, String)> = vec![(
        "examples/sec/hsbc-securities-usa-2008-12-moved.yaml".to_owned(),
        moved,
    )];
    for entry in std::fs::read_dir(root().join(PACK)).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "xfoot") {
            let name = format!("{PACK}/{}", path.file_name().unwrap().to_str().unwrap());
            files.push((name, std::fs::read_to_string(&path).unwrap()));
        }
    }
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(name, text)| (name.as_str(), text.as_str()))
        .collect();
    let (_dir, path) = scratch(&borrowed);
    let output = crossfoot_in(
        &path,
        &[
            "check",
            "--color",
            "never",
            PACK,
            "examples/sec/hsbc-securities-usa-2008-12-moved.yaml",
        ],
    );
    assert_eq!(code(&output), 1);
    let out = stdout(&output);
    let words = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("(difference 2, the rounding of 3 figures in thousands allows ±1.5)"),
        "{out}"
    );
    insta::assert_snapshot!(seen(&output));
}
