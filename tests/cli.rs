//! `crossfoot check` end to end: exit codes, which stream gets what, and the JSON contract
//! parsed back into its types.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly"
)]

mod common;

use common::{crossfoot, root, scratch, seen, stderr, stdout};

use std::fs;
use std::process::Output;

use assert_cmd::cargo::cargo_bin_cmd;
use crossfoot_render::{JsonOutput, JsonResult};

const PACK: &str = "rules/focus";
const FILING: &str = "examples/hsbc-2020-07.yaml";

fn code(output: &Output) -> i32 {
    output.status.code().unwrap()
}

fn json(output: &Output) -> JsonOutput {
    serde_json::from_slice(&output.stdout).unwrap()
}

fn result<'a>(output: &'a JsonOutput, rule: &str) -> &'a JsonResult {
    output.reports[0]
        .results
        .iter()
        .find(|r| r.rule == rule)
        .unwrap_or_else(|| panic!("no result for {rule}"))
}

#[test]
fn the_pack_holds_on_the_filing() {
    let output = crossfoot(&["check", PACK, FILING]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert_eq!(
        stdout(&output),
        "ok: examples/hsbc-2020-07.yaml (HSBC Securities (USA) Inc., as of 2020-07-31): 188 rules, 48 passed, 0 failed, 140 skipped (30 not in force)\n"
    );
    assert_eq!(stderr(&output), "");
}

#[test]
fn json_output_is_the_documented_contract() {
    let output = crossfoot(&["check", "--format", "json", PACK, FILING]);
    assert_eq!(code(&output), 0);
    let parsed = json(&output);
    let report = &parsed.reports[0];
    assert_eq!(report.report, FILING);
    assert_eq!(report.firm.as_deref(), Some("HSBC Securities (USA) Inc."));
    assert_eq!(report.as_of.as_deref(), Some("2020-07-31"));
    assert_eq!(
        (
            report.summary.rules,
            report.summary.passed,
            report.summary.failed,
            report.summary.skipped
        ),
        // The filing has the CFTC pages only: every SEC rule is skipped.
        (188, 48, 0, 140)
    );
    let excess = result(&parsed, "seg.excess");
    assert_eq!(excess.status, "pass");
    assert_eq!(excess.severity, "error");
    assert_eq!(excess.source.file, "rules/focus/cftc/1-segregation.xfoot");
    assert_eq!((excess.source.line, excess.source.column), (67, 3));
    assert_eq!(excess.left.as_deref(), Some("198161467"));
    assert_eq!(excess.right.as_deref(), Some("198161467"));
    assert_eq!(excess.difference.as_deref(), Some("0"));
    assert_eq!(excess.tolerance.as_deref(), Some("0"));
    let lines: Vec<(&str, Option<&str>)> = excess
        .lines
        .iter()
        .map(|l| (l.code.as_str(), l.amount.as_deref()))
        .collect();
    assert_eq!(
        lines,
        [
            ("7190", Some("198161467")),
            ("7180", Some("4207049429")),
            ("7060", Some("4008887962"))
        ]
    );
    // A blank line is null, and a rule reading only blank lines is skipped.
    let total = result(&parsed, "seg.total_funds");
    assert!(
        total
            .lines
            .iter()
            .any(|l| l.code == "7160" && l.amount.is_none())
    );
    let dealer = result(&parsed, "dealer.total");
    assert_eq!(dealer.status, "skipped");
    assert_eq!(dealer.reason.as_deref(), Some("all_lines_blank"));
    assert_eq!(dealer.left, None);
    let branch = result(&parsed, "capital.early_warning.minimum_dollar");
    assert_eq!(branch.reason.as_deref(), Some("condition_false"));
}

#[test]
fn a_failing_rule_exits_1_with_its_numbers() {
    let filing = fs::read_to_string(root().join(FILING)).unwrap();
    let broken = filing.replace("7190: 198161467", "7190: 198161468");
    let (_dir, dir) = scratch(&[("july.yaml", &broken)]);
    let report = dir.join("july.yaml");
    let output = crossfoot(&["check", "--format", "json", PACK, report.to_str().unwrap()]);
    assert_eq!(code(&output), 1);
    let parsed = json(&output);
    let excess = result(&parsed, "seg.excess");
    assert_eq!(excess.status, "fail");
    assert_eq!(excess.difference.as_deref(), Some("1"));
    assert_eq!(
        excess.message.as_deref(),
        Some("line 7190 does not equal 7180 - 7060")
    );
    // 7190 also feeds the Management Target line.
    assert_eq!(
        result(&parsed, "seg.target_excess").difference.as_deref(),
        Some("-1")
    );

    let human = crossfoot(&["check", "--color", "never", PACK, report.to_str().unwrap()]);
    assert_eq!(code(&human), 1);
    let text = stdout(&human);
    assert!(
        text.contains("× line 7190 does not equal 7180 - 7060"),
        "{text}"
    );
    assert!(text.contains("╰── 7190 = 198,161,468"), "{text}");
    assert!(text.contains(
        "help: the report has 198,161,468; the rule expects 198,161,467 (difference 1, tolerance 0)"
    ));
    assert!(
        text.contains("failed: seg.excess, seg.target_excess"),
        "{text}"
    );
    assert_eq!(stderr(&human), "");
}

#[test]
fn warnings_fail_the_run_only_when_denied() {
    let (_dir, dir) = scratch(&[
        (
            "rules.xfoot",
            "rule n \"never negative\" cite \"x\" severity warning 7050 >= $0\n",
        ),
        ("r.yaml", "lines:\n  7050: -1\n"),
    ]);
    let rules = dir.join("rules.xfoot");
    let report = dir.join("r.yaml");
    let args = [
        "check",
        "--color",
        "never",
        rules.to_str().unwrap(),
        report.to_str().unwrap(),
    ];
    let output = crossfoot(&args);
    assert_eq!(code(&output), 0);
    assert!(stdout(&output).contains("⚠ line 7050 is less than $0"));
    assert!(stdout(&output).contains("warning: "), "{}", stdout(&output));

    let mut denied = args.to_vec();
    denied.insert(1, "--deny=warnings");
    assert_eq!(code(&crossfoot(&denied)), 1);
}

#[test]
fn unusable_inputs_exit_2_on_stderr_with_nothing_on_stdout() {
    let (_dir, dir) = scratch(&[
        ("bad.xfoot", "rule t 7190 = 7180 7060\n"),
        ("bad.yaml", "lines:\n  7190: 12abc\n"),
        ("empty/readme.txt", "no rules here"),
    ]);
    let path = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    let cases = [
        vec!["check".to_owned(), path("bad.xfoot"), FILING.to_owned()],
        vec!["check".to_owned(), PACK.to_owned(), path("bad.yaml")],
        vec!["check".to_owned(), PACK.to_owned(), path("missing.yaml")],
        vec!["check".to_owned(), path("missing.xfoot"), FILING.to_owned()],
        vec!["check".to_owned(), path("empty"), FILING.to_owned()],
        vec!["check".to_owned(), PACK.to_owned(), path("empty")],
        vec![
            "check".to_owned(),
            PACK.to_owned(),
            path("empty/readme.txt"),
        ],
    ];
    for args in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = crossfoot(&args);
        assert_eq!(code(&output), 2, "{args:?}: {}", stderr(&output));
        assert_eq!(stdout(&output), "", "{args:?}");
        assert!(!stderr(&output).is_empty(), "{args:?}");
        assert!(!stderr(&output).contains("panicked"), "{args:?}");
    }
}

#[test]
fn one_bad_report_still_checks_the_others_and_exits_2() {
    let (_dir, dir) = scratch(&[("bad.yaml", "lines:\n  7190: 12abc\n")]);
    let bad = dir.join("bad.yaml");
    let output = crossfoot(&[
        "check",
        "--format",
        "json",
        PACK,
        FILING,
        bad.to_str().unwrap(),
    ]);
    assert_eq!(code(&output), 2);
    let parsed = json(&output);
    assert_eq!(parsed.reports.len(), 1);
    assert_eq!(parsed.errors.len(), 1);
    assert_eq!(
        parsed.errors[0].message,
        "line 7190: `12abc` is not an amount"
    );
    assert!(stderr(&output).contains("`12abc` is not an amount"));
}

#[test]
fn duplicate_ids_across_files_point_at_both() {
    let (_dir, dir) = scratch(&[
        ("pack/a.xfoot", "rule seg.excess 7190 = 7180 - 7060\n"),
        ("pack/sub/b.xfoot", "rule seg.excess 7198 = 7190 - 7194\n"),
    ]);
    let pack = dir.join("pack");
    let output = crossfoot(&["check", "--color", "never", pack.to_str().unwrap(), FILING]);
    assert_eq!(code(&output), 2);
    let text = stderr(&output);
    assert!(
        text.contains("rule id `seg.excess` is used twice"),
        "{text}"
    );
    assert!(text.contains("a.xfoot:1:6]"), "{text}");
    assert!(text.contains("b.xfoot:1:6]"), "{text}");
    assert!(text.contains("first defined here"), "{text}");
}

#[test]
fn decimal_arithmetic_is_exact_end_to_end() {
    let (_dir, dir) = scratch(&[
        (
            "rules.xfoot",
            "rule cents \"0.1 + 0.2 = 0.3\" 7010 + 7020 = 7030\n\
             rule big \"twenty-plus digits\" 7040 = 7050 + 7060\n\
             rule unquoted \"a YAML number a float cannot hold\" 7070 = 7080 + $0.01\n",
        ),
        (
            "r.yaml",
            "lines:\n  7010: 0.1\n  7020: 0.2\n  7030: 0.3\n  7040: \"12,345,678,901,234,567,890.12\"\n  7050: 12345678901234567890\n  7060: 0.12\n  7070: 12345678901234567.89\n  7080: 12345678901234567.88\n",
        ),
    ]);
    let rules = dir.join("rules.xfoot");
    let report = dir.join("r.yaml");
    let output = crossfoot(&[
        "check",
        "--format",
        "json",
        rules.to_str().unwrap(),
        report.to_str().unwrap(),
    ]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    let parsed = json(&output);
    assert_eq!(
        result(&parsed, "big").left.as_deref(),
        Some("12345678901234567890.12")
    );
    assert_eq!(
        result(&parsed, "unquoted").left.as_deref(),
        Some("12345678901234567.89")
    );
}

#[test]
fn overflow_is_exit_2_not_a_panic() {
    let (_dir, dir) = scratch(&[
        (
            "rules.xfoot",
            "rule t 7010 = 7020 * 10000000000000000000000.0\n",
        ),
        (
            "r.yaml",
            "lines:\n  7020: 9999999999999999999999999999\n  7030: 2\n",
        ),
    ]);
    let rules = dir.join("rules.xfoot");
    let report = dir.join("r.yaml");
    let args = [
        "check",
        "--format",
        "json",
        rules.to_str().unwrap(),
        report.to_str().unwrap(),
    ];
    let output = crossfoot(&args);
    assert_eq!(code(&output), 2);
    let parsed = json(&output);
    assert_eq!(result(&parsed, "t").status, "error");
    assert!(stderr(&output).contains("`*` overflows"));
    assert!(!stderr(&output).contains("panicked"));
}

#[test]
fn color_follows_the_flag_and_no_color() {
    let filing = fs::read_to_string(root().join(FILING)).unwrap();
    let broken = filing.replace("7190: 198161467", "7190: 198161468");
    let (_dir, dir) = scratch(&[("july.yaml", &broken)]);
    let report = dir.join("july.yaml");
    let report = report.to_str().unwrap();
    let always = crossfoot(&["check", "--color", "always", PACK, report]);
    assert!(stdout(&always).contains('\u{1b}'));
    let never = crossfoot(&["check", "--color", "never", PACK, report]);
    assert!(!stdout(&never).contains('\u{1b}'));
    // Not a terminal: `auto` does not colour.
    let auto = crossfoot(&["check", PACK, report]);
    assert!(!stdout(&auto).contains('\u{1b}'));
    let no_color = cargo_bin_cmd!("crossfoot")
        .current_dir(root())
        .env("NO_COLOR", "1")
        .args(["check", PACK, report])
        .output()
        .unwrap();
    assert!(!stdout(&no_color).contains('\u{1b}'));
}

#[test]
fn help_shows_examples_and_version_is_set() {
    let help = crossfoot(&["check", "--help"]);
    assert_eq!(code(&help), 0);
    assert!(stdout(&help).contains("crossfoot check rules/focus examples/hsbc-2020-07.yaml"));
    let version = crossfoot(&["--version"]);
    assert_eq!(
        stdout(&version),
        format!("crossfoot {}\n", env!("CARGO_PKG_VERSION"))
    );
    // A usage mistake is exit 2 too.
    assert_eq!(code(&crossfoot(&["check", PACK])), 2);
    assert_eq!(
        code(&crossfoot(&["check", "--format", "xml", PACK, FILING])),
        2
    );
}

#[test]
fn coverage_of_the_shipped_pack() {
    let output = crossfoot(&["coverage", "--format", "json", PACK]);
    assert_eq!(code(&output), 0);
    let coverage: crossfoot_core::coverage::Coverage =
        serde_json::from_slice(&output.stdout).unwrap();
    let pages: Vec<(&str, usize)> = coverage
        .pages
        .iter()
        .map(|p| (p.page.as_str(), p.lines))
        .collect();
    assert_eq!(
        pages,
        [
            ("seg", 27),
            ("dealer", 5),
            ("secured", 12),
            ("secured.funds", 30),
            ("swaps", 27),
            ("capital", 9),
            ("netcap", 37),
            ("requirement", 29),
            ("reserve", 35),
            ("pab", 30),
            ("condition", 12),
            ("withdrawals", 1)
        ]
    );
    // Every line of every page is read by some rule.
    assert!(coverage.pages.iter().all(|p| p.unreferenced.is_empty()));
    let capital = &coverage.pages[5];
    assert_eq!(capital.multiple_targets.len(), 1);
    assert_eq!(capital.multiple_targets[0].line, "7495");
}

#[test]
fn coverage_lists_unread_and_multiply_targeted_lines() {
    let (_dir, dir) = scratch(&[(
        "r.xfoot",
        "page seg \"Segregation\"\n  7060 \"required\"\n  7180 \"total\"\n  7190 \"excess\"\n  7194 \"target\"\n\nrule a 7190 = 7180 - 7060\nrule b 7190 >= $0\nrule c 7190 = 7180 - 7060 within $1\n",
    )]);
    let rules = dir.join("r.xfoot");
    let output = crossfoot(&["coverage", rules.to_str().unwrap()]);
    assert_eq!(code(&output), 0);
    assert_eq!(
        stdout(&output),
        "seg (4 lines): Segregation\n  read by no rule: 7194\n  7190 is the target of 2 rules: a, c\n4 lines on 1 page: 3 read by rules, 1 read by none\n"
    );
}

#[test]
fn lint_exit_codes() {
    let output = crossfoot(&["lint", PACK]);
    assert_eq!(code(&output), 0);
    assert_eq!(stdout(&output), "rules/focus: 188 rules, 0 warnings\n");

    let (_dir, dir) = scratch(&[
        (
            "warn.xfoot",
            "rule a 7190 = 7180 - 7060\nrule b 7190 = 7180 - 7040\n",
        ),
        (
            "bad.xfoot",
            "rule a 7190 = 8% + 7180\nrule b $1 = $1\nrule a 7010 = maximum(7020)\n",
        ),
    ]);
    let warn = dir.join("warn.xfoot");
    let output = crossfoot(&["lint", "--color", "never", warn.to_str().unwrap()]);
    assert_eq!(code(&output), 0);
    assert!(stdout(&output).contains("⚠ line 7190 is asserted equal to two different formulas"));
    assert!(
        stdout(&output).ends_with(": 2 rules, 1 warning\n"),
        "{}",
        stdout(&output)
    );
    assert_eq!(
        code(&crossfoot(&[
            "lint",
            "--deny",
            "warnings",
            warn.to_str().unwrap()
        ])),
        2
    );
    // `check` prints lint warnings on stderr and, with --deny warnings, refuses to run.
    let check = crossfoot(&["check", "--color", "never", warn.to_str().unwrap(), FILING]);
    assert!(stderr(&check).contains("asserted equal to two different formulas"));
    assert_eq!(
        code(&crossfoot(&[
            "check",
            "--deny",
            "warnings",
            warn.to_str().unwrap(),
            FILING
        ])),
        2
    );

    let bad = dir.join("bad.xfoot");
    let output = crossfoot(&["lint", "--color", "never", bad.to_str().unwrap()]);
    assert_eq!(code(&output), 2);
    let text = stdout(&output);
    let order: Vec<usize> = [
        "cannot add money and a ratio",
        "rule `b` compares constants only",
        "rule id `a` is used twice",
        "unknown function `maximum`",
    ]
    .iter()
    .map(|m| {
        text.find(m)
            .unwrap_or_else(|| panic!("{m} missing from {text}"))
    })
    .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "not in source order: {text}"
    );
    assert!(text.ends_with(": 4 errors, 0 warnings\n"), "{text}");
}

#[test]
fn explain_names_rules_and_refuses_unknown_ones() {
    let output = crossfoot(&["explain", PACK, FILING, "--rule", "seg.excess"]);
    assert_eq!(code(&output), 0);
    assert!(stdout(&output).starts_with("seg.excess: Excess (deficiency) funds in segregation"));
    assert!(stdout(&output).ends_with("difference 0 (tolerance 0): the rule holds\n"));
    let all = crossfoot(&["explain", PACK, FILING]);
    assert_eq!(
        stdout(&all).matches("\n\n  difference").count()
            + stdout(&all).matches("\n\n  skipped").count(),
        188
    );
    let unknown = crossfoot(&["explain", PACK, FILING, "--rule", "seg.exces"]);
    assert_eq!(code(&unknown), 2);
    assert_eq!(
        stderr(&unknown),
        "error: no rule `seg.exces` in rules/focus; did you mean `seg.excess`?\n"
    );
    let unknown = crossfoot(&["explain", PACK, FILING, "--rule", "nosuch"]);
    assert_eq!(code(&unknown), 2);
    assert_eq!(stderr(&unknown), "error: no rule `nosuch` in rules/focus\n");
}

#[test]
fn arguments_in_the_wrong_order_say_so() {
    let check = crossfoot(&["check", "--color", "never", FILING, PACK]);
    assert_eq!(code(&check), 2);
    insta::assert_snapshot!("check_wrong_order", seen(&check));
    let explain = crossfoot(&[
        "explain",
        "--color",
        "never",
        FILING,
        "rules/focus/cftc/1-segregation.xfoot",
    ]);
    assert_eq!(code(&explain), 2);
    insta::assert_snapshot!("explain_wrong_order", seen(&explain));
    let neither = crossfoot(&["check", "--color", "never", FILING, "july.csv"]);
    assert_eq!(code(&neither), 2);
    assert!(
        stderr(&neither)
            .contains("`crossfoot check RULES\n        examples/hsbc-2020-07.yaml july.csv`"),
        "{}",
        stderr(&neither)
    );
}

#[test]
fn report_lines_no_page_declares_are_warned_about_once_per_run() {
    let rules = "tests/fixtures/reports/segregation.xfoot";
    let output = crossfoot(&[
        "check",
        "--color",
        "never",
        rules,
        "tests/fixtures/reports/undeclared_lines.csv",
        "tests/fixtures/reports/undeclared_line.yaml",
        "tests/fixtures/reports/undeclared_line.jsonl",
    ]);
    assert_eq!(code(&output), 0);
    insta::assert_snapshot!("undeclared_report_lines", seen(&output));
    // Every output that carries warnings about the run carries them.
    let github = crossfoot(&[
        "check",
        "--format",
        "github",
        rules,
        "tests/fixtures/reports/undeclared_lines.csv",
    ]);
    assert!(
        stdout(&github).contains("::warning title=crossfoot::line 7191 appears in 3 reports"),
        "{}",
        stdout(&github)
    );
    // They are warnings: `--deny warnings` makes them fail the run.
    let denied = crossfoot(&[
        "check",
        "--deny",
        "warnings",
        rules,
        "tests/fixtures/reports/undeclared_lines.csv",
    ]);
    assert_eq!(code(&denied), 2);
    // Without a catalogue, codes are free.
    let free = crossfoot(&[
        "check",
        "tests/fixtures/diagnostics/exact_division.xfoot",
        "tests/fixtures/reports/undeclared_lines.csv",
    ]);
    assert!(
        !stderr(&free).contains("no page declares"),
        "{}",
        stderr(&free)
    );
}
