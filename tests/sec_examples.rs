//! The SEC pages of the shipped pack (`rules/focus/sec/`) on the reports in
//! `examples/sec/`: the two audited schedules of the earlier edition of Part II (in
//! thousands and in millions) and a current-edition report made from one of them. Every rule
//! that applies holds, every other one is skipped for the reason the report gives (the
//! edition's versions not in force, a condition, a blank total, no previous report), the
//! examples kill every mutant, and a figure moved past the rounding of its report fails
//! with the right rule and the band in the diagnostic.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly"
)]

mod common;

use common::{copy_pack, crossfoot, crossfoot_in, root, scratch, seen, stderr, stdout};

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Output;

use crossfoot_render::{JsonOutput, JsonReport};

const PACK: &str = "rules/focus";
const HSBC: &str = "examples/sec/hsbc-securities-usa-2008-12.yaml";
const SCHWAB: &str = "examples/sec/charles-schwab-co-2011-12.yaml";
const CURRENT: &str = "examples/sec/hsbc-2008-on-the-current-form.yaml";

const NO_PRIOR: &str = "no prior report: no earlier report of the firm";

/// The CFTC pages' rule ids: on the SEC reports they read only blank lines (or line D
/// alone), so every one of them but `capital.sec_requirement` is skipped.
const CFTC: &[&str] = &["seg.", "dealer.", "secured.", "swaps.", "capital."];

/// Why each SEC rule in force that does not apply to HSBC Securities (USA) 2008-12 is
/// skipped: the reason code and, for the reasons that carry one, the message. The firm uses
/// the alternative method, is a futures commission merchant, computes weekly, prints every
/// subtotal of the net capital chain, and has no PAB page.
const HSBC_SKIPPED: &[(&str, &str, Option<&str>)] = &[
    ("netcap.total_capital.chained", "condition_false", None),
    ("netcap.before_haircuts.chained", "condition_false", None),
    ("netcap.net_capital.chained", "condition_false", None),
    ("netcap.secured_demand_note.sign", "all_lines_blank", None),
    ("netcap.month_over_month", "no_prior", Some(NO_PRIOR)),
    (
        "requirement.aggregate_indebtedness",
        "all_lines_blank",
        None,
    ),
    ("requirement.debit_items", "condition_false", None),
    ("requirement.method.one", "condition_false", None),
    ("requirement.basic", "condition_false", None),
    ("requirement.excess.basic", "condition_false", None),
    ("requirement.excess_1000", "condition_false", None),
    ("requirement.excess_debits", "condition_false", None),
    ("ai.additions", "all_lines_blank", None),
    ("ai.total", "all_lines_blank", None),
    ("ai.total.chained", "all_lines_blank", None),
    (
        "ai.special_reserve_adjustment.sign",
        "all_lines_blank",
        None,
    ),
    ("ai.ratio", "condition_false", None),
    ("ai.ratio.after_withdrawals", "condition_false", None),
    ("ai.limit", "condition_false", None),
    ("ai.early_warning", "condition_false", None),
    ("ratio.options_deductions", "all_lines_blank", None),
    ("reserve.monthly", "condition_false", None),
    ("reserve.monthly.only", "condition_false", None),
    ("reserve.frequency.one", "all_lines_blank", None),
    ("pab.total_credits", "all_lines_blank", None),
    ("pab.total_debits", "all_lines_blank", None),
    ("pab.credits.sign", "all_lines_blank", None),
    ("pab.debits.sign", "all_lines_blank", None),
    ("pab.excess_debits", "all_lines_blank", None),
    ("pab.excess_credits", "all_lines_blank", None),
    ("pab.customer_excess_debits", "condition_false", None),
    ("pab.requirement", "all_lines_blank", None),
    ("pab.new_amount", "all_lines_blank", None),
    ("pab.qualified_securities", "condition_false", None),
    ("pab.deposit", "all_lines_blank", None),
    ("pab.frequency.one", "all_lines_blank", None),
    (
        "link.total_assets",
        "blank_total",
        Some("total line 540 is blank"),
    ),
    ("link.total_liabilities", "all_lines_blank", None),
    ("link.ownership_equity", "condition_false", None),
    ("link.treasury_stock.sign", "all_lines_blank", None),
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
    (
        "requirement.aggregate_indebtedness",
        "all_lines_blank",
        None,
    ),
    ("requirement.debit_items.fcm", "condition_false", None),
    ("requirement.method.one", "condition_false", None),
    ("requirement.minimum_dollar", "all_lines_blank", None),
    ("requirement.basic", "condition_false", None),
    ("requirement.excess.basic", "condition_false", None),
    ("requirement.excess_1000", "condition_false", None),
    ("requirement.excess_debits.fcm", "condition_false", None),
    ("ai.additions", "all_lines_blank", None),
    ("ai.total", "all_lines_blank", None),
    ("ai.total.chained", "all_lines_blank", None),
    (
        "ai.special_reserve_adjustment.sign",
        "all_lines_blank",
        None,
    ),
    ("ai.ratio", "condition_false", None),
    ("ai.ratio.after_withdrawals", "condition_false", None),
    ("ai.limit", "condition_false", None),
    ("ai.early_warning", "condition_false", None),
    ("ratio.net_capital_to_debits", "condition_false", None),
    (
        "ratio.net_capital_to_debits.after_withdrawals",
        "condition_false",
        None,
    ),
    ("ratio.debt_equity", "condition_false", None),
    ("ratio.debt_equity.limit", "all_lines_blank", None),
    ("ratio.options_deductions", "all_lines_blank", None),
    ("reserve.monthly", "condition_false", None),
    ("reserve.monthly.only", "condition_false", None),
    ("reserve.frequency.one", "all_lines_blank", None),
    ("reserve.qualified_securities", "condition_false", None),
    ("pab.total_credits", "all_lines_blank", None),
    ("pab.total_debits", "all_lines_blank", None),
    ("pab.credits.sign", "all_lines_blank", None),
    ("pab.debits.sign", "all_lines_blank", None),
    ("pab.excess_debits", "all_lines_blank", None),
    ("pab.excess_credits", "all_lines_blank", None),
    ("pab.customer_excess_debits", "condition_false", None),
    ("pab.requirement", "all_lines_blank", None),
    ("pab.new_amount", "all_lines_blank", None),
    ("pab.qualified_securities", "condition_false", None),
    ("pab.deposit", "all_lines_blank", None),
    ("pab.frequency.one", "all_lines_blank", None),
    ("link.total_assets", "all_lines_blank", None),
    ("link.total_liabilities", "all_lines_blank", None),
    ("link.ownership_equity", "condition_false", None),
    ("link.treasury_stock.sign", "all_lines_blank", None),
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
];

/// The same for the 2008 figures on the current form (as of 2026-03-31): the alternative
/// method, an FCM (line D only), a weekly computation with the 3% reduction, a PAB page.
const CURRENT_SKIPPED: &[(&str, &str, Option<&str>)] = &[
    ("netcap.total_capital.chained", "condition_false", None),
    ("netcap.before_haircuts.chained", "condition_false", None),
    ("netcap.net_capital.chained", "condition_false", None),
    ("netcap.secured_demand_note.sign", "all_lines_blank", None),
    ("netcap.month_over_month", "no_prior", Some(NO_PRIOR)),
    ("requirement.tentative.excess", "condition_false", None),
    ("requirement.tentative.excess_120", "condition_false", None),
    (
        "requirement.aggregate_indebtedness",
        "all_lines_blank",
        None,
    ),
    ("requirement.debit_items", "condition_false", None),
    (
        "requirement.debit_items.fcm_segregation",
        "condition_false",
        None,
    ),
    ("requirement.method.one", "condition_false", None),
    ("ai.additions", "all_lines_blank", None),
    ("ai.total", "all_lines_blank", None),
    ("ai.total.chained", "all_lines_blank", None),
    (
        "ai.special_reserve_adjustment.sign",
        "all_lines_blank",
        None,
    ),
    ("ai.ratio", "condition_false", None),
    ("ai.ratio.after_withdrawals", "condition_false", None),
    ("ai.limit", "condition_false", None),
    ("ai.early_warning", "condition_false", None),
    ("ratio.options_deductions", "all_lines_blank", None),
    ("reserve.debit_reduction_2", "condition_false", None),
    ("reserve.debit_reduction_2.daily", "all_lines_blank", None),
    ("reserve.debit_reduction.one", "condition_false", None),
    ("reserve.reduction_box.three", "condition_false", None),
    ("reserve.reduction_box.two", "condition_false", None),
    ("reserve.debit_reduction_2.sign", "all_lines_blank", None),
    ("reserve.monthly", "condition_false", None),
    ("reserve.qualified_securities.held", "condition_false", None),
    (
        "link.total_assets",
        "blank_total",
        Some("total line 540 is blank"),
    ),
    ("link.total_liabilities", "all_lines_blank", None),
    ("link.ownership_equity", "condition_false", None),
    ("link.treasury_stock.sign", "all_lines_blank", None),
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

fn code(output: &Output) -> i32 {
    output.status.code().unwrap()
}

fn report(output: &Output) -> JsonReport {
    let mut parsed: JsonOutput = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(parsed.reports.len(), 1);
    parsed.reports.remove(0)
}

/// `check --format json` on one report: exit 0, nothing on stderr, and every result one
/// of: passed; a version of another edition, not in force (`not_in_force` of them); a
/// CFTC rule, skipped; or one of the listed SEC rules, skipped for its reason.
fn holds_with_skips(
    schedule: &str,
    skipped: &[(&str, &str, Option<&str>)],
    not_in_force: usize,
) -> JsonReport {
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
    let (mut dated, mut cftc, mut seen_listed) = (0, 0, BTreeSet::new());
    for result in &report.results {
        let rule = result.rule.as_str();
        if result.reason.as_deref() == Some("not_in_force") {
            dated += 1;
        } else if let Some((reason, message)) = expected.get(rule) {
            assert_eq!(result.status, "skipped", "{rule}");
            assert_eq!(result.reason.as_deref(), Some(*reason), "{rule}");
            assert_eq!(result.message.as_deref(), *message, "{rule}");
            assert!(seen_listed.insert(rule), "{rule} in force twice");
        } else if CFTC.iter().any(|page| rule.starts_with(page))
            && rule != "capital.sec_requirement"
        {
            assert_eq!(result.status, "skipped", "{rule} on {schedule}");
            cftc += 1;
        } else {
            assert_eq!(
                result.status, "pass",
                "{rule} on {schedule}: {:?}",
                result.message
            );
        }
    }
    assert_eq!(dated, not_in_force, "versions not in force on {schedule}");
    for rule in expected.keys() {
        assert!(seen_listed.contains(rule), "no result for {rule}");
    }
    let summary = report.summary;
    assert_eq!(summary.rules, report.results.len());
    assert_eq!(
        (summary.failed, summary.errors, summary.skipped),
        (0, 0, skipped.len() + dated + cftc)
    );
    report
}

fn result<'a>(report: &'a JsonReport, rule: &str) -> &'a crossfoot_render::JsonResult {
    report
        .results
        .iter()
        .find(|r| r.rule == rule && r.reason.as_deref() != Some("not_in_force"))
        .unwrap_or_else(|| panic!("no result in force for {rule}"))
}

#[test]
fn hsbc_2008_holds_in_thousands() {
    let report = holds_with_skips(HSBC, HSBC_SKIPPED, 30);
    assert_eq!(report.firm.as_deref(), Some("HSBC Securities (USA) Inc."));
    assert_eq!((report.summary.rules, report.summary.passed), (188, 56));
    // $250,000 is 250 in a report in thousands: 2,500 clears it by 2,250.
    let minimum = result(&report, "requirement.minimum_dollar");
    assert_eq!(minimum.difference.as_deref(), Some("2250"));
    // 1,117,072 - 81,965.1 is 1,035,106.9, printed 1,035,107: the rounding of four
    // figures (5% of 1,639,302 counts for a twentieth) allows 1.025.
    let excess = result(&report, "requirement.excess_debits.fcm");
    assert_eq!(excess.difference.as_deref(), Some("-0.10"));
    assert_eq!(excess.tolerance.as_deref(), Some("1.025"));
    // 59.99 is read as the ratio 0.5999, and 975,000 / 1,625,226 rounds to it.
    let debt_equity = result(&report, "ratio.debt_equity");
    assert_eq!(debt_equity.difference.as_deref(), Some("0.0000"));
    // The CFTC requirement is below the SEC one, on the CFTC page and on the SEC one.
    let cftc = result(&report, "capital.sec_requirement");
    assert_eq!(cftc.difference.as_deref(), Some("236"));
    assert_eq!(result(&report, "requirement.alternative").status, "pass");
}

#[test]
fn schwab_2011_holds_in_millions() {
    let report = holds_with_skips(SCHWAB, SCHWAB_SKIPPED, 30);
    assert_eq!(report.firm.as_deref(), Some("Charles Schwab & Co., Inc."));
    assert_eq!((report.summary.rules, report.summary.passed), (188, 25));
    // The chained forms check the arithmetic the condensed layout's blank subtotals hide.
    for rule in [
        "netcap.total_capital.chained",
        "netcap.before_haircuts.chained",
    ] {
        assert_eq!(result(&report, rule).status, "pass", "{rule}");
    }
    // 1,188 - 5% of 11,989 is 588.55, printed 588: one unit off, within the rounding.
    let excess = result(&report, "requirement.excess_debits");
    assert_eq!(excess.difference.as_deref(), Some("-0.55"));
    assert_eq!(excess.tolerance.as_deref(), Some("1.025"));
}

#[test]
fn the_current_form_holds_with_its_own_versions() {
    let report = holds_with_skips(CURRENT, CURRENT_SKIPPED, 16);
    assert_eq!((report.summary.rules, report.summary.passed), (188, 78));
    // One requirement page: 12060 is the sum of 5A to 5D, 3760 the greater of 12060, 3880
    // and the CFTC requirement 7490.
    for rule in [
        "requirement.ratio",
        "requirement.minimum",
        "pab.requirement",
    ] {
        assert_eq!(result(&report, rule).status, "pass", "{rule}");
    }
    // 12061 = 1,117,072 - 120% of 73,276 = 1,029,140.8, printed 1,029,141.
    let excess_120 = result(&report, "requirement.excess_120");
    assert_eq!(excess_120.difference.as_deref(), Some("0.20"));
    // 3920 in its 2021 meaning: 5% of aggregate debits alone.
    let excess_debits = result(&report, "requirement.excess_debits");
    assert_eq!(excess_debits.difference.as_deref(), Some("0.10"));
    assert_eq!(excess_debits.tolerance.as_deref(), Some("1.025"));
    // The versions of the earlier edition are the ones not in force.
    let ended: BTreeSet<&str> = report
        .results
        .iter()
        .filter(|r| r.reason.as_deref() == Some("not_in_force"))
        .map(|r| r.rule.as_str())
        .collect();
    for rule in [
        "requirement.basic",
        "requirement.alternative",
        "requirement.excess.basic",
        "requirement.excess_1000",
        "requirement.excess_debits.fcm",
        "reserve.aggregate_debits",
        "pab.total_debits",
    ] {
        assert!(ended.contains(rule), "{rule}");
    }
}

#[test]
fn the_summary_lines() {
    for (schedule, line) in [
        (
            HSBC,
            "ok: examples/sec/hsbc-securities-usa-2008-12.yaml (HSBC Securities (USA) Inc., as of 2008-12-31): 188 rules, 56 passed, 0 failed, 132 skipped (30 not in force)\n",
        ),
        (
            SCHWAB,
            "ok: examples/sec/charles-schwab-co-2011-12.yaml (Charles Schwab & Co., Inc., as of 2011-12-31): 188 rules, 25 passed, 0 failed, 163 skipped (30 not in force)\n",
        ),
        (
            CURRENT,
            "ok: examples/sec/hsbc-2008-on-the-current-form.yaml (HSBC Securities (USA) Inc. (2008 figures on the current form), as of 2026-03-31): 188 rules, 78 passed, 0 failed, 110 skipped (16 not in force)\n",
        ),
    ] {
        let output = crossfoot(&["check", PACK, schedule]);
        assert_eq!(code(&output), 0);
        assert_eq!(stdout(&output), line);
        assert_eq!(stderr(&output), "");
    }
}

#[test]
fn the_pack_lints_clean_tiles_time_and_is_formatted() {
    // A gap between two versions of a rule would be an error here; a warning fails too.
    let lint = crossfoot(&["lint", "--deny", "warnings", PACK]);
    assert_eq!(code(&lint), 0, "{}", seen(&lint));
    assert_eq!(stdout(&lint), "rules/focus: 188 rules, 0 warnings\n");
    let fmt = crossfoot(&["fmt", "--check", "rules/"]);
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

/// The change log of the pack names the two editions' days, and nothing else.
#[test]
fn the_editions_are_the_days_the_pack_changes() {
    let output = crossfoot(&["changes", "--format", "json", PACK]);
    assert_eq!(code(&output), 0, "{}", seen(&output));
    let changes: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let days: BTreeSet<String> = changes
        .as_array()
        .unwrap()
        .iter()
        .map(|change| change["on"].as_str().unwrap().to_owned())
        .collect();
    let expected: BTreeSet<String> = ["2021-10-31", "2026-03-01"].map(str::to_owned).into();
    assert_eq!(days, expected);
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

/// The pack copied to `dir/rules/focus` and `report` with `from` replaced by `to` written
/// to `dir/examples/sec/NAME`, so the output names the files as a user in the repository
/// sees them; then `check --color never` on it.
fn check_moved(report: &str, from: &str, to: &str, name: &str) -> Output {
    let text = std::fs::read_to_string(root().join(report)).unwrap();
    let moved = text.replace(from, to);
    assert_ne!(moved, text, "{from} is not in {report}");
    let relative = format!("examples/sec/{name}");
    let (_dir, path) = scratch(&[(relative.as_str(), moved.as_str())]);
    copy_pack(&path.join("copy"), |_, text| text);
    std::fs::rename(path.join("copy/rules"), path.join("rules-focus")).unwrap();
    std::fs::create_dir_all(path.join("rules")).unwrap();
    std::fs::rename(path.join("rules-focus"), path.join("rules/focus")).unwrap();
    assert!(Path::new(&path.join("rules/focus/sec/1-net-capital.xfoot")).exists());
    crossfoot_in(&path, &["check", "--color", "never", PACK, &relative])
}

/// The failing rules of a `check --format json` run on the moved report, in order.
fn failing(output: &Output) -> Vec<String> {
    report(output)
        .results
        .into_iter()
        .filter(|r| r.status == "fail")
        .map(|r| r.rule)
        .collect()
}

fn check_moved_json(report: &str, from: &str, to: &str) -> Output {
    let text = std::fs::read_to_string(root().join(report)).unwrap();
    let moved = text.replace(from, to);
    let (_dir, path) = scratch(&[("moved.yaml", moved.as_str())]);
    crossfoot(&[
        "check",
        "--format",
        "json",
        PACK,
        path.join("moved.yaml").to_str().unwrap(),
    ])
}

/// The HSBC schedule with net capital (3750) moved by 2 thousand: more than the ±1.5 the
/// rounding of three figures in thousands allows, so the net capital sum and the excess
/// net capital fail, and the root cause points back at 3750.
#[test]
fn net_capital_moved_past_the_rounding() {
    let output = check_moved(
        HSBC,
        "  3750: 1117072 ",
        "  3750: 1117074 ",
        "hsbc-securities-usa-2008-12-moved.yaml",
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

/// On the current form, net capital (3750) moved by 5 thousand fails the net capital sum
/// and every line computed from it (3910, 12061, 3920), and the root cause is 3750.
#[test]
fn net_capital_moved_by_5_on_the_current_form() {
    let json = check_moved_json(CURRENT, "  3750: 1117072\n", "  3750: 1117077\n");
    assert_eq!(code(&json), 1, "{}", stderr(&json));
    assert_eq!(
        failing(&json),
        [
            "netcap.net_capital",
            "requirement.excess",
            "requirement.excess_120",
            "requirement.excess_debits",
        ]
    );
    let output = check_moved(
        CURRENT,
        "  3750: 1117072\n",
        "  3750: 1117077\n",
        "hsbc-2008-on-the-current-form-3750.yaml",
    );
    assert_eq!(code(&output), 1);
    assert!(stdout(&output).contains("3750: 1,117,072 would clear 4 failing rules"));
    insta::assert_snapshot!(seen(&output));
}

/// On the current form, the minimum ratio requirement (12060) moved by 5 thousand fails
/// its sum (5A to 5D) and the requirement that takes the greater of it and 3880, and the
/// root cause is 12060.
#[test]
fn minimum_ratio_requirement_moved_by_5_on_the_current_form() {
    let json = check_moved_json(CURRENT, "  12060: 73276 ", "  12060: 73281 ");
    assert_eq!(code(&json), 1, "{}", stderr(&json));
    assert_eq!(failing(&json), ["requirement.ratio", "requirement.minimum"]);
    let output = check_moved(
        CURRENT,
        "  12060: 73276 ",
        "  12060: 73281 ",
        "hsbc-2008-on-the-current-form-12060.yaml",
    );
    assert_eq!(code(&output), 1);
    assert!(stdout(&output).contains("12060: 73,276 would clear 2 failing rules"));
    insta::assert_snapshot!(seen(&output));
}

/// `within rounding` depends on how each amount was printed, which a SQL table does not
/// keep, so the SEC pages have no exact SQL form: `sql` refuses the whole pack (exit 2, no
/// partial query) and compiles its CFTC pages alone.
#[test]
fn the_sec_pages_are_refused_by_sql_and_the_cftc_pages_compile() {
    let output = crossfoot(&["sql", "--color", "never", PACK]);
    assert_eq!(code(&output), 2);
    assert!(stdout(&output).is_empty(), "no partial query");
    let said = stderr(&output);
    assert!(
        said.contains("rule `netcap.net_capital` cannot be compiled to exact SQL: `within rounding` depends on how each amount was"),
        "{said}"
    );
    let cftc = crossfoot(&["sql", "rules/focus/cftc"]);
    assert_eq!(code(&cftc), 0, "{}", stderr(&cftc));
    assert!(stdout(&cftc).starts_with("-- crossfoot sql: 57 rules"));
}

/// The editions are dated: the current-form report holds from 2026-03-01, the day the
/// PAB Treasury clearing margin (12844) joined the PAB debits; dated the day before, its
/// 12844 is no debit of the form in force, so the PAB total fails, and nothing else does.
#[test]
fn the_march_2026_additions_start_on_their_day() {
    for (day, failed) in [
        ("2026-03-01", vec![]),
        ("2026-02-28", vec!["pab.total_debits"]),
    ] {
        let json = check_moved_json(CURRENT, "as_of: 2026-03-31\n", &format!("as_of: {day}\n"));
        assert_eq!(failing(&json), failed, "{day}");
    }
}
