//! Where two features cross: the verdicts of issue 24's findings, each as a user sees it
//! (exit code and the line `check` prints), so a wrong verdict at a crossing cannot come
//! back unnoticed. The random crossing of every feature with every other is
//! `tests/crossing.rs`.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly"
)]

mod common;

use common::{crossfoot_in, scratch, stderr, stdout};

/// `check -v --format json`'s one report: the status of each rule (`rule: status
/// (reason)`), and the exit code.
fn verdicts(files: &[(&str, &str)], args: &[&str]) -> (Vec<String>, Option<i32>) {
    let (_guard, dir) = scratch(files);
    let mut all = vec!["check", "--format", "json"];
    all.extend(args);
    let output = crossfoot_in(&dir, &all);
    let json: serde_json::Value = match serde_json::from_str(&stdout(&output)) {
        Ok(json) => json,
        Err(_) => panic!("not JSON: {}\n{}", stdout(&output), stderr(&output)),
    };
    let mut found = Vec::new();
    for report in json["reports"].as_array().unwrap() {
        for result in report["results"].as_array().unwrap() {
            let mut text = format!(
                "{} {}: {}",
                report["report"].as_str().unwrap_or_default(),
                result["rule"].as_str().unwrap(),
                result["status"].as_str().unwrap()
            );
            if let Some(reason) = result["reason"].as_str() {
                text.push_str(&format!(" ({reason})"));
            }
            found.push(text);
        }
    }
    (found, output.status.code())
}

const PERCENT_PACK: &str = "page nc \"Net capital\"\n  3860 \"Percentage of debt to debt-equity total\" percent\n  3750 \"Net capital\" total\n";

// See: issue #24 (1)
#[test]
fn a_percentage_on_the_previous_report_has_no_unit() {
    let rules = format!(
        "{PERCENT_PACK}\nrule ratio.rise \"The percentage rose by at most 5 points\"\n  3860 <= prior(3860) + 5%\n"
    );
    let may = "firm: F\nas_of: 2024-05-31\nunit: thousands\nlines:\n  3860: 10.00\n";
    let june = "firm: F\nas_of: 2024-06-30\nlines:\n  3860: 50.00\n";
    let (found, code) = verdicts(
        &[("r.xfoot", &rules), ("may.yaml", may), ("june.yaml", june)],
        &["r.xfoot", "may.yaml", "june.yaml"],
    );
    assert_eq!(
        found,
        [
            "may.yaml ratio.rise: skipped (no_prior)",
            "june.yaml ratio.rise: fail"
        ]
    );
    assert_eq!(code, Some(1));
    // The same percentage, the later report in thousands: equal, whatever the units.
    let rules = format!("{PERCENT_PACK}\nrule ratio.same \"Unchanged\"\n  3860 = prior(3860)\n");
    let may = "firm: F\nas_of: 2024-05-31\nlines:\n  3860: 59.99\n";
    let june = "firm: F\nas_of: 2024-06-30\nunit: thousands\nlines:\n  3860: 59.99\n";
    let (found, code) = verdicts(
        &[("r.xfoot", &rules), ("may.yaml", may), ("june.yaml", june)],
        &["r.xfoot", "may.yaml", "june.yaml"],
    );
    assert_eq!(found[1], "june.yaml ratio.same: pass");
    assert_eq!(code, Some(0));
}

// See: issue #24 (3)
#[test]
fn a_blank_total_on_the_previous_report_skips_the_rule() {
    let rules = format!(
        "{PERCENT_PACK}\nrule nc.growth \"Net capital grew by at most a fifth\"\n  3750 <= 120% * prior(3750)\n\
         rule nc.drop \"Net capital fell by at most a fifth\"\n  3750 >= 80% * prior(3750)\n"
    );
    let may = "firm: F\nas_of: 2024-05-31\nlines:\n  3860: 10\n";
    let june = "firm: F\nas_of: 2024-06-30\nlines:\n  3750: 100\n";
    let (found, code) = verdicts(
        &[("r.xfoot", &rules), ("may.yaml", may), ("june.yaml", june)],
        &["r.xfoot", "june.yaml", "--prior", "may.yaml"],
    );
    assert_eq!(
        found,
        [
            "june.yaml nc.growth: skipped (blank_total)",
            "june.yaml nc.drop: skipped (blank_total)"
        ]
    );
    assert_eq!(code, Some(0));
    let (_guard, dir) = scratch(&[("r.xfoot", &rules), ("may.yaml", may), ("june.yaml", june)]);
    let text = stdout(&crossfoot_in(
        &dir,
        &["check", "-v", "r.xfoot", "june.yaml", "--prior", "may.yaml"],
    ));
    assert!(
        text.contains("total line 3750 is blank on the prior report"),
        "{text}"
    );
}

// See: issue #24 (4)
#[test]
fn not_equal_within_rounding_holds_when_the_figures_could_differ() {
    let rules = "rule differ \"Two lines differ\"\n  1001 != 1002 within rounding\n";
    for (a, b, status) in [
        ("10", "10.2", "pass"),
        ("10", "10", "pass"),
        ("10.0", "10.0", "pass"),
        ("0", "0.0", "pass"),
    ] {
        let report = format!("lines:\n  1001: {a}\n  1002: {b}\n");
        let (found, _) = verdicts(
            &[("r.xfoot", rules), ("r.yaml", &report)],
            &["r.xfoot", "r.yaml"],
        );
        assert_eq!(found, [format!("r.yaml differ: {status}")], "{a} {b}");
    }
    // Never stricter than the rule without the clause.
    let exact = "rule differ \"Two lines differ\"\n  1001 != 1002\n";
    let (found, _) = verdicts(
        &[
            ("r.xfoot", exact),
            ("r.yaml", "lines:\n  1001: 10\n  1002: 10.2\n"),
        ],
        &["r.xfoot", "r.yaml"],
    );
    assert_eq!(found, ["r.yaml differ: pass"]);
}

// See: issue #24 (4): where the band is a single point, `!=` fails as without it.
#[test]
fn not_equal_within_rounding_fails_only_on_a_band_of_one_point() {
    // Both sides read the same figure: the difference is exactly 0 whatever it stood for.
    let rules = "rule same \"A line differs from itself\"\n  1001 != 1001 + $0 within rounding\n";
    let (found, code) = verdicts(
        &[("r.xfoot", rules), ("r.yaml", "lines:\n  1001: 10\n")],
        &["r.xfoot", "r.yaml"],
    );
    assert_eq!(found, ["r.yaml same: fail"]);
    assert_eq!(code, Some(1));
}

// See: issue #24 (11)
#[test]
fn a_misprinted_percentage_is_found_as_a_root_cause() {
    // 3860 printed 60.00 where 3520 / (3520 + 3480) is 59.99%: the three rules that read it
    // fail, and correcting the printed percentage clears them all.
    let rules = format!(
        "{PERCENT_PACK}  3520 \"Debt\"\n  3480 \"Equity\"\n\n\
         rule ratio.debt \"Percentage of debt to debt-equity total\"\n  3860 = round(3520 / (3520 + 3480), 0.01%)\n\
         rule ratio.cap \"At most 59.99%\"\n  3860 <= 59.99%\n\
         rule ratio.same \"The same percentage again\"\n  3860 = 3861\n"
    );
    let rules = rules.replace(
        "  3750 \"Net capital\" total\n",
        "  3750 \"Net capital\" total\n  3861 \"Copy\" percent\n",
    );
    let report = "lines:\n  3520: 5999\n  3480: 4001\n  3860: 60.00\n  3861: 59.99\n";
    let (_guard, dir) = scratch(&[("r.xfoot", &rules), ("r.yaml", report)]);
    let output = crossfoot_in(&dir, &["check", "--format", "json", "r.xfoot", "r.yaml"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let causes = &json["reports"][0]["root_causes"];
    assert_eq!(causes[0]["line"], "3860", "{causes:#}");
    assert_eq!(causes[0]["amount"], "59.99", "{causes:#}");
    let text = stdout(&crossfoot_in(&dir, &["check", "r.xfoot", "r.yaml"]));
    assert!(
        text.contains("3860: 59.99 would clear 3 failing rules"),
        "{text}"
    );
}

// See: issue #24 (14)
#[test]
fn a_percentage_rule_says_no_unit_in_any_output() {
    let rules = format!(
        "{PERCENT_PACK}\nrule ratio.cap \"At most 59.99%\"\n  3860 <= 59.99%\n\
         rule nc.minimum \"At least $250,000\"\n  3750 >= $250,000\n"
    );
    let report = "unit: thousands\nlines:\n  3860: 60.00\n  3750: 200\n";
    let (_guard, dir) = scratch(&[("r.xfoot", &rules), ("r.yaml", report)]);
    let csv = stdout(&crossfoot_in(
        &dir,
        &["check", "--format", "csv", "r.xfoot", "r.yaml"],
    ));
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{csv}");
    assert!(
        rows[0].contains("ratio.cap") && !rows[0].contains("amounts in"),
        "{csv}"
    );
    assert!(
        rows[1].contains("nc.minimum") && rows[1].contains("; amounts in thousands"),
        "{csv}"
    );
    let human = stdout(&crossfoot_in(&dir, &["check", "r.xfoot", "r.yaml"]));
    assert!(
        human.contains("the report has 60%; the rule requires at most 59.99% (over by 0.01%)\n"),
        "{human}"
    );
}

// See: issue #24 (14)
#[test]
fn a_blank_unit_is_dollars_in_every_input_form() {
    let rules = "rule nc.minimum \"At least $250,000\"\n  3750 >= $250,000\n";
    for (name, text) in [
        ("r.yaml", "unit: \"\"\nlines:\n  3750: 300\n"),
        (
            "r.json",
            "{\"unit\": \" \", \"lines\": {\"3750\": \"300\"}}\n",
        ),
        (
            "r.jsonl",
            "{\"id\": \"A\", \"unit\": \"\", \"lines\": {\"3750\": \"300\"}}\n",
        ),
        ("r.csv", "report_id,unit,3750\nA,,300\n"),
    ] {
        let (found, code) = verdicts(&[("r.xfoot", rules), (name, text)], &["r.xfoot", name]);
        assert_eq!(code, Some(1), "{name}: {found:?}");
        assert!(found[0].ends_with("nc.minimum: fail"), "{name}: {found:?}");
    }
}

const DROP: &str =
    "rule nc.drop \"Net capital fell by at most a fifth\"\n  3750 >= 80% * prior(3750)\n";

// See: issue #24 (2)
#[test]
fn one_report_given_twice_under_two_spellings_counts_once() {
    let may = "firm: F\nas_of: 2024-05-31\nlines:\n  3750: 100\n";
    let june = "firm: F\nas_of: 2024-06-30\nlines:\n  3750: 50\n";
    let files = [
        ("r.xfoot", DROP),
        ("may.yaml", may),
        ("june.yaml", june),
        ("reports/may.yaml", may),
    ];
    for args in [
        &["r.xfoot", "june.yaml", "./may.yaml", "--prior", "may.yaml"][..],
        &[
            "r.xfoot",
            "june.yaml",
            "--prior",
            "./may.yaml",
            "--prior",
            "may.yaml",
        ],
        &[
            "r.xfoot",
            "june.yaml",
            "--prior",
            "reports/may.yaml",
            "--prior",
            "may.yaml",
        ],
        &["r.xfoot", "reports", "june.yaml", "may.yaml"],
    ] {
        let (found, code) = verdicts(&files, args);
        assert!(
            found.contains(&"june.yaml nc.drop: fail".to_owned()),
            "{args:?}: {found:?}"
        );
        assert_eq!(code, Some(1), "{args:?}");
    }
    // Two different reports of the firm on one date are ambiguous.
    let other = "firm: F\nas_of: 2024-05-31\nlines:\n  3750: 90\n";
    let (found, code) = verdicts(
        &[
            ("r.xfoot", DROP),
            ("may.yaml", may),
            ("other.yaml", other),
            ("june.yaml", june),
        ],
        &[
            "r.xfoot",
            "june.yaml",
            "--prior",
            "may.yaml",
            "--prior",
            "other.yaml",
        ],
    );
    assert_eq!(found, ["june.yaml nc.drop: skipped (no_prior)"]);
    assert_eq!(code, Some(0));
}

// See: issue #24 (10)
#[test]
fn an_unreadable_previous_month_leaves_no_prior() {
    let jan = "firm: F\nas_of: 2024-01-31\nlines:\n  3750: 100\n";
    let feb = "firm: F\nas_of: 2024-02-29\nlines:\n  3750: 1O0\n";
    let mar = "firm: F\nas_of: 2024-03-31\nlines:\n  3750: 85\n";
    let files = [
        ("r.xfoot", DROP),
        ("jan.yaml", jan),
        ("feb.yaml", feb),
        ("mar.yaml", mar),
    ];
    let (found, code) = verdicts(&files, &["r.xfoot", "jan.yaml", "feb.yaml", "mar.yaml"]);
    assert_eq!(
        found,
        [
            "jan.yaml nc.drop: skipped (no_prior)",
            "mar.yaml nc.drop: skipped (no_prior)"
        ]
    );
    assert_eq!(code, Some(2), "February could not be read");
    let (_guard, dir) = scratch(&files);
    let text = stdout(&crossfoot_in(
        &dir,
        &["check", "-v", "r.xfoot", "jan.yaml", "feb.yaml", "mar.yaml"],
    ));
    assert!(
        text.contains("no prior report: the report of the firm as of 2024-02-29 could not be read"),
        "{text}"
    );
    // The same in every batch form: a CSV row and a JSON Lines line that cannot be read.
    let csv =
        "report_id,firm,as_of,3750\nJ,F,2024-01-31,100\nE,F,2024-02-29,1O0\nM,F,2024-03-31,85\n";
    let jsonl = "{\"id\":\"J\",\"firm\":\"F\",\"as_of\":\"2024-01-31\",\"lines\":{\"3750\":\"100\"}}\n\
                 {\"id\":\"E\",\"firm\":\"F\",\"as_of\":\"2024-02-29\",\"lines\":{\"3750\":\"1O0\"}}\n\
                 {\"id\":\"M\",\"firm\":\"F\",\"as_of\":\"2024-03-31\",\"lines\":{\"3750\":\"85\"}}\n";
    for (name, text) in [("r.csv", csv), ("r.jsonl", jsonl)] {
        let (found, code) = verdicts(&[("r.xfoot", DROP), (name, text)], &["r.xfoot", name]);
        assert_eq!(found.len(), 2, "{name}: {found:?}");
        assert!(
            found[1].ends_with("nc.drop: skipped (no_prior)"),
            "{name}: {found:?}"
        );
        assert_eq!(code, Some(2));
    }
}

// See: issue #24 (7)
#[test]
fn diff_finds_previous_reports_as_check_does() {
    let old = "rule nc.drop \"Net capital fell by at most a fifth\"\n  3750 >= 80% * prior(3750)\n";
    let new =
        "rule nc.drop \"Net capital fell by at most three fifths\"\n  3750 >= 40% * prior(3750)\n";
    let may = "firm: F\nas_of: 2024-05-31\nlines:\n  3750: 100\n";
    let june = "firm: F\nas_of: 2024-06-30\nlines:\n  3750: 50\n";
    let (_guard, dir) = scratch(&[
        ("old.xfoot", old),
        ("new.xfoot", new),
        ("may.yaml", may),
        ("june.yaml", june),
    ]);
    let flips = |args: &[&str]| {
        let mut all = vec!["diff", "--format", "json", "old.xfoot", "new.xfoot"];
        all.extend(args);
        let output = crossfoot_in(&dir, &all);
        let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        json["flips"].clone()
    };
    let found = flips(&["--reports", "may.yaml", "june.yaml"]);
    assert_eq!(found.as_array().map(Vec::len), Some(1), "{found:#}");
    assert_eq!(found[0]["report"], "june.yaml");
    assert_eq!(
        (found[0]["old"].as_str(), found[0]["new"].as_str()),
        (Some("fail"), Some("pass"))
    );
    // The previous report given with `--prior`, as `check --prior` takes it.
    let found = flips(&["--reports", "june.yaml", "--prior", "may.yaml"]);
    assert_eq!(found.as_array().map(Vec::len), Some(1), "{found:#}");
}

// Found by a review of issue #28's previous reports: `explain` on a batch with a report
// that cannot be read never found the previous report among the others.
#[test]
fn explain_finds_the_previous_report_in_its_batch_as_check_does() {
    let rules = "rule step \"Grows\"\n  1000 >= prior(1000)\n";
    let batch = "{\"id\": \"a1\", \"firm\": \"A\", \"as_of\": \"2024-01-31\", \"lines\": {\"1000\": \"100\"}}\n\
                 {\"id\": \"b1\", \"firm\": \"B\", \"as_of\": \"2024-01-31\", \"lines\": {\"1000\": \"1O0\"}}\n\
                 {\"id\": \"a2\", \"firm\": \"A\", \"as_of\": \"2024-02-29\", \"lines\": {\"1000\": \"50\"}}\n";
    let (_guard, dir) = scratch(&[("r.xfoot", rules), ("all.jsonl", batch)]);
    let explain = crossfoot_in(
        &dir,
        &[
            "explain",
            "r.xfoot",
            "all.jsonl",
            "--report",
            "a2",
            "--rule",
            "step",
        ],
    );
    assert_eq!(explain.status.code(), Some(1), "{}", stderr(&explain));
    assert!(
        stdout(&explain).contains("the rule FAILS: line 1000 is less than prior(1000)"),
        "{}",
        stdout(&explain)
    );
    let (found, code) = verdicts(
        &[("r.xfoot", rules), ("all.jsonl", batch)],
        &["r.xfoot", "all.jsonl"],
    );
    assert_eq!(code, Some(2), "b1 cannot be read");
    assert!(
        found.contains(&"all.jsonl line 3 (a2) step: fail".to_owned()),
        "{found:?}"
    );
}
