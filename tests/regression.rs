//! Regressions, each named after its issue: what a user saw, and what they see now.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly"
)]

mod common;

use common::{crossfoot_in, scratch, seen};

/// Run `crossfoot ARGS` in a scratch directory holding `files`, without colour; what the
/// user sees.
fn run(files: &[(&str, &str)], args: &[&str]) -> String {
    let (_dir, dir) = scratch(files);
    let mut all = vec![args[0], "--color", "never"];
    all.extend_from_slice(&args[1..]);
    seen(&crossfoot_in(&dir, &all))
}

const RULE: &str = "rule seg.excess \"Excess funds\"\n  7190 = 7180 - 7060\n";

// See: issue #23
#[test]
fn a_percentage_written_with_a_space_says_remove_the_space() {
    let rules = "rule capital.margin \"8% of line A\"\n  7445 = round(8 % * 7435)\n";
    insta::assert_snapshot!(run(&[("pack.xfoot", rules)], &["lint", "pack.xfoot"]));
}

// See: issue #23
#[test]
fn money_with_a_magnitude_suffix_says_write_it_in_full() {
    let rules = "rule nc.minimum \"Minimum net capital\"\n  3880 >= $1.2M\n";
    insta::assert_snapshot!(run(&[("pack.xfoot", rules)], &["lint", "pack.xfoot"]));
}

// See: issue #23
#[test]
fn spreadsheet_spellings_in_a_report_say_what_to_write() {
    let report = "lines:\n  7060: $1.2M\n  7180: 1.76E+09\n  7190: \" - \"\n";
    insta::assert_snapshot!(run(
        &[("pack.xfoot", RULE), ("july.yaml", report)],
        &["check", "pack.xfoot", "july.yaml"]
    ));
    let csv = "report_id,7060,7180,7190\nR1,$1.2M,1.76E+09, - \n";
    insta::assert_snapshot!(run(
        &[("pack.xfoot", RULE), ("july.csv", csv)],
        &["check", "pack.xfoot", "july.csv"]
    ));
}

const REPORT: &str = "as_of: 2020-07-31\nlines:\n  7180: 10\n  7060: 4\n  7190: 6\n";

// See: issue #23
#[test]
fn a_report_where_rule_files_go_says_which_command_reads_it() {
    let files = [("pack.xfoot", RULE), ("july.yaml", REPORT)];
    insta::assert_snapshot!("lint_a_report", run(&files, &["lint", "july.yaml"]));
    insta::assert_snapshot!("test_a_report", run(&files, &["test", "july.yaml"]));
    let files = [
        ("rules/pack.xfoot", RULE),
        (
            "rules/tests/july.test.yaml",
            "report: ../../july.yaml\ndefault: pass\n",
        ),
        ("july.yaml", REPORT),
    ];
    insta::assert_snapshot!(
        "test_a_test_file",
        run(&files, &["test", "rules/tests/july.test.yaml"])
    );
}

// See: issues #23 and #28 (workbooks are read since #28)
#[test]
fn a_broken_workbook_says_why_and_a_numbers_file_says_to_export() {
    let files = [
        ("pack.xfoot", RULE),
        ("july.xlsx", "PK\u{3}\u{4}"),
        ("july.numbers", "PK\u{3}\u{4}"),
    ];
    insta::assert_snapshot!(run(&files, &["check", "pack.xfoot", "july.xlsx"]));
    insta::assert_snapshot!(
        "a_numbers_file_says_to_export",
        run(&files, &["check", "pack.xfoot", "july.numbers"])
    );
}

// See: issue #23
#[test]
fn a_directory_of_reports_is_read_in_every_form() {
    let files = [
        ("pack.xfoot", RULE),
        ("reports/a.yaml", REPORT),
        (
            "reports/b.csv",
            "report_id,as_of,7180,7060,7190\nB1,2020-07-31,10,4,7\n",
        ),
        (
            "reports/c.jsonl",
            "{\"id\": \"C1\", \"lines\": {\"7180\": \"10\", \"7060\": \"4\", \"7190\": \"6\"}}\n",
        ),
        ("reports/notes.txt", "not a report"),
    ];
    insta::assert_snapshot!(run(&files, &["check", "pack.xfoot", "reports"]));
}

// See: issue #23
#[test]
fn a_whole_report_test_reads_its_report_as_check_does() {
    let files = [
        ("rules/pack.xfoot", RULE),
        (
            "rules/july.test.yaml",
            "report: ../july.csv\ndefault: fail\n",
        ),
        ("july.csv", "line,amount\n7180,10\n7060,4\n7190,7\n"),
    ];
    insta::assert_snapshot!(run(&files, &["test", "rules"]));
}

// See: issue #23
#[test]
fn diff_with_the_revision_second_says_it_comes_first() {
    let (_dir, dir) = scratch(&[("rules/seg.xfoot", RULE)]);
    let git = |args: &[&str]| {
        let output = std::process::Command::new("git")
            .current_dir(&dir)
            .args(["-c", "user.name=t", "-c", "user.email=t@t"])
            .args(["-c", "init.defaultBranch=main"])
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "rules"]);
    let output = crossfoot_in(&dir, &["diff", "--color", "never", "rules", "main"]);
    insta::assert_snapshot!(seen(&output));
    // A path that is no revision either is still a path that cannot be read.
    let output = crossfoot_in(&dir, &["diff", "--color", "never", "rules", "mian"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        seen(&output).contains("cannot read `mian`"),
        "{}",
        seen(&output)
    );
}

// See: issue #23
#[test]
fn explain_exits_as_check_would() {
    let failing = "as_of: 2020-07-31\nlines:\n  7180: 10\n  7060: 4\n  7190: 7\n";
    let files = [
        ("pack.xfoot", RULE),
        ("july.yaml", failing),
        ("ok.yaml", REPORT),
    ];
    let (_dir, dir) = scratch(&files);
    let fails = crossfoot_in(&dir, &["explain", "pack.xfoot", "july.yaml"]);
    assert_eq!(fails.status.code(), Some(1), "{}", seen(&fails));
    assert!(seen(&fails).contains("the rule FAILS"));
    let holds = crossfoot_in(&dir, &["explain", "pack.xfoot", "ok.yaml"]);
    assert_eq!(holds.status.code(), Some(0), "{}", seen(&holds));
    // A failing warning does not fail `check`, nor `explain`.
    let warning = RULE.replace("  7190 =", "  severity warning\n  7190 =");
    let (_dir, dir) = scratch(&[("pack.xfoot", &warning), ("july.yaml", failing)]);
    let warned = crossfoot_in(&dir, &["explain", "pack.xfoot", "july.yaml"]);
    assert_eq!(warned.status.code(), Some(0), "{}", seen(&warned));
}

// See: issue #23
#[test]
fn an_example_setting_a_line_its_rule_does_not_read_is_flagged() {
    let rules = "rule seg.excess \"Excess funds\"\n  7190 = 7180 - 7060\n  \
                 passes 7180 = 1411, 7050 = 2096, 7190 = -685\n  \
                 skips 7010 = 5\n";
    insta::assert_snapshot!(run(&[("pack.xfoot", rules)], &["lint", "pack.xfoot"]));
}

/// Two versions of one rule, as the regulation changed.
const VERSIONS: &str = "rule capital.margin \"iv. Enter 4% of line A.iii\"\n  \
                        effective until 2014-01-01\n  7445 = round(4% * 7435)\n\n\
                        rule capital.margin \"iv. Enter 8% of line A.iii\"\n  \
                        effective from 2014-01-01\n  7445 = round(8% * 7435)\n";

// See: issue #23
#[test]
fn versions_of_one_rule_are_told_apart_by_their_dates() {
    let catalogue = "page capital \"Capital\"\n  7435 \"A.iii\"\n  7445 \"iv\"\n\n";
    let rules = format!("{catalogue}{VERSIONS}");
    let report = "as_of: 2020-07-31\nlines:\n  7435: 100\n  7445: 8\n";
    let files = [("pack.xfoot", rules.as_str()), ("july.yaml", report)];
    insta::assert_snapshot!(
        "versions_coverage",
        run(&files, &["coverage", "pack.xfoot"])
    );
    insta::assert_snapshot!(
        "versions_verbose",
        run(&files, &["check", "-v", "pack.xfoot", "july.yaml"])
    );
    let junit = run(
        &files,
        &["check", "--format", "junit", "pack.xfoot", "july.yaml"],
    );
    assert!(
        junit.contains("<testcase name=\"capital.margin (through 2013-12-31)\"")
            && junit.contains("<testcase name=\"capital.margin (from 2014-01-01)\""),
        "{junit}"
    );
    let json = run(&files, &["coverage", "--format", "json", "pack.xfoot"]);
    assert!(
        json.contains("\"periods\": [\n") && json.contains("\"from 2014-01-01\""),
        "{json}"
    );
}

// See: issue #23
#[test]
fn the_html_index_lists_failing_reports_first() {
    let failing = "report_id,as_of,7180,7060,7190\nA,2020-07-31,10,4,6\nB,2020-07-31,10,4,7\nC,2020-07-31,10,4,6\n";
    let files = [("pack.xfoot", RULE), ("r.csv", failing)];
    let (_dir, dir) = scratch(&files);
    let output = crossfoot_in(&dir, &["check", "--format", "html", "pack.xfoot", "r.csv"]);
    assert_eq!(output.status.code(), Some(1));
    let page = String::from_utf8(output.stdout).unwrap();
    let index = &page[page.find("<table class=\"index\">").unwrap()..];
    let index = &index[..index.find("</table>").unwrap()];
    let rows: Vec<&str> = index
        .split("<td class=\"num\">")
        .skip(1)
        .map(|row| &row[..row.find('<').unwrap()])
        .collect();
    assert_eq!(rows, ["2", "1", "3"], "the failing report B (row 2) first");
    let sections: Vec<&str> = page
        .split("<section class=\"report\" id=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert_eq!(sections, ["r2", "r1", "r3"]);
}

// See: issue #23
#[test]
fn the_pack_version_is_shown_and_recorded() {
    let files = [
        ("rules/pack.xfoot", RULE),
        ("rules/pack.yaml", "pack: seg\nversion: 1.2.0\n"),
        ("july.yaml", REPORT),
    ];
    insta::assert_snapshot!(
        "pack_verbose",
        run(&files, &["check", "-v", "rules", "july.yaml"])
    );
    let json = run(&files, &["check", "--format", "json", "rules", "july.yaml"]);
    assert!(
        json.contains("\"pack\":{\"name\":\"seg\",\"version\":\"1.2.0\"}"),
        "{json}"
    );
    let broken = [
        ("rules/pack.xfoot", RULE),
        ("rules/pack.yaml", "pack: seg\nversion: one two\n"),
        ("july.yaml", REPORT),
    ];
    insta::assert_snapshot!(
        "pack_broken",
        run(&broken, &["check", "rules", "july.yaml"])
    );
}
