//! Rules that change with the regulation (issue 26): a compliance analyst moves
//! `capital.customer_margin` from 8% to 10% from 2027-03-01, then reviews the change. Each
//! test is what that analyst sees.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly"
)]

mod common;

use common::{crossfoot_in, scratch, stderr, stdout};

/// The catalogue, with the label of 7425 changing with the form.
const PAGE: &str = r#"page cap "Capital"
  7415 "A.i Customer risk maintenance margin"
  7425 "8% of line A.i" effective until 2027-03-01
  7425 "10% of line A.i" effective from 2027-03-01
  7465 "Minimum dollar amount"
"#;

/// The rule before the change.
const BEFORE: &str = r#"
rule capital.customer_margin "Enter 8% of line A.i"
  cite "17 CFR 1.17(a)(1)(i)(B)"
  7425 = round(8% * 7415)
"#;

/// After: the 8% version through 2027-02-28, the 10% one from 2027-03-01.
const AFTER: &str = r#"
rule capital.customer_margin "Enter 8% of line A.i"
  cite "17 CFR 1.17(a)(1)(i)(B)"
  effective through 2027-02-28
  7425 = round(8% * 7415)

rule capital.customer_margin "Enter 10% of line A.i"
  cite "17 CFR 1.17(a)(1)(i)(B), as amended"
  effective from 2027-03-01
  7425 = round(10% * 7415)
"#;

/// `until` read as "through": no version on 2027-02-28.
const GAP: &str = r#"
rule capital.min "Minimum dollar amount"
  effective until 2027-02-28
  7465 >= $250,000

rule capital.min "Minimum dollar amount"
  effective from 2027-03-01
  7465 >= $300,000
"#;

fn pack(rules: &str) -> String {
    format!("{PAGE}{rules}")
}

#[test]
fn a_gap_between_versions_fails_lint_and_check_naming_the_day() {
    let rules = pack(GAP);
    let report = "as_of: 2027-02-28\nlines:\n  7465: 100\n";
    let (_guard, dir) = scratch(&[("rules.xfoot", rules.as_str()), ("feb.yaml", report)]);
    let lint = crossfoot_in(&dir, &["lint", "rules.xfoot"]);
    assert_eq!(lint.status.code(), Some(2));
    // lint's problems are its results: on stdout (words rewrapped to one line here).
    let said = stdout(&lint)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        said.contains("no version of rule `capital.min` is in force on 2027-02-28"),
        "{said}"
    );
    assert!(
        said.contains("`lapse capital.min effective from 2027-02-28 until 2027-03-01`"),
        "{said}"
    );
    // The minimum is never silently skipped: check refuses the rules.
    let check = crossfoot_in(
        &dir,
        &["check", "--deny", "warnings", "rules.xfoot", "feb.yaml"],
    );
    assert_eq!(check.status.code(), Some(2));
    // Declared, the lapse is deliberate: the rules load and the day is not in force.
    let lapsed = format!(
        "{rules}\nlapse capital.min \"Suspended for a day\"\n  effective from 2027-02-28 until 2027-03-01\n"
    );
    std::fs::write(dir.join("rules.xfoot"), lapsed).unwrap();
    let check = crossfoot_in(&dir, &["check", "rules.xfoot", "feb.yaml"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    assert!(
        stdout(&check).contains("2 not in force"),
        "{}",
        stdout(&check)
    );
}

#[test]
fn a_report_after_the_last_version_warns_and_fails_with_deny_warnings() {
    let rules = pack("rule capital.min\n  effective until 2027-03-01\n  7465 >= $250,000\n");
    let report = "as_of: 2027-04-30\nlines:\n  7465: 100\n";
    let (_guard, dir) = scratch(&[("rules.xfoot", rules.as_str()), ("april.yaml", report)]);
    let check = crossfoot_in(&dir, &["check", "rules.xfoot", "april.yaml"]);
    assert_eq!(check.status.code(), Some(0));
    assert_eq!(
        stderr(&check),
        "warning: no version of rule `capital.min` is in force on 2027-04-30 (april.yaml): its last version ended 2027-02-28; add the version in force now, or declare that it lapsed: `lapse capital.min effective from 2027-03-01`\n"
    );
    let denied = crossfoot_in(
        &dir,
        &["check", "--deny", "warnings", "rules.xfoot", "april.yaml"],
    );
    assert_ne!(denied.status.code(), Some(0));
}

#[test]
fn as_of_dates_a_long_csv_and_picks_the_2027_version() {
    let rules = pack(AFTER);
    // 100 is 10% of 1,000 and not 8%: only the 2027 version passes it.
    let csv = "line,amount\n7415,1000\n7425,100\n";
    let dated = "line,amount\nas_of,2027-03-31\nfirm,ACME FUTURES\n7415,1000\n7425,100\n";
    let (_guard, dir) = scratch(&[
        ("rules.xfoot", rules.as_str()),
        ("march.csv", csv),
        ("dated.csv", dated),
    ]);
    let undated = crossfoot_in(&dir, &["check", "rules.xfoot", "march.csv"]);
    assert!(
        stdout(&undated).contains("2 not in force"),
        "{}",
        stdout(&undated)
    );
    let march = crossfoot_in(
        &dir,
        &["check", "--as-of", "2027-03-31", "rules.xfoot", "march.csv"],
    );
    assert_eq!(march.status.code(), Some(0), "{}", stdout(&march));
    assert_eq!(
        stdout(&march),
        "ok: march.csv (as of 2027-03-31): 2 rules, 1 passed, 0 failed, 1 skipped (1 not in force)\n"
    );
    let january = crossfoot_in(
        &dir,
        &["check", "--as-of", "2027-01-31", "rules.xfoot", "march.csv"],
    );
    assert_eq!(january.status.code(), Some(1));
    // The diagnostic labels 7425 with the edition of the form in force on the date.
    let shown = format!("{}{}", stdout(&january), stderr(&january));
    assert!(shown.contains("7425 = 100 — 8% of line A.i"), "{shown}");
    // A long CSV may carry its own date and firm, which --as-of does not override.
    let own = crossfoot_in(
        &dir,
        &["check", "--as-of", "2026-01-31", "rules.xfoot", "dated.csv"],
    );
    assert_eq!(own.status.code(), Some(0), "{}", stdout(&own));
    assert!(
        stdout(&own).contains("dated.csv (ACME FUTURES, as of 2027-03-31)"),
        "{}",
        stdout(&own)
    );
}

#[test]
fn the_diff_shows_the_new_version_beside_the_one_it_replaces() {
    let report = "as_of: 2027-03-31\nlines:\n  7415: 1000\n  7425: 80\n";
    let (_guard, dir) = scratch(&[
        ("old/rules.xfoot", pack(BEFORE).as_str()),
        ("new/rules.xfoot", pack(AFTER).as_str()),
        ("march.yaml", report),
    ]);
    let output = crossfoot_in(
        &dir,
        &[
            "diff",
            "old",
            "new",
            "--reports",
            "march.yaml",
            "--format",
            "markdown",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&output));
    let json = crossfoot_in(
        &dir,
        &[
            "diff",
            "old",
            "new",
            "--reports",
            "march.yaml",
            "--format",
            "json",
        ],
    );
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    // The id and the days are separate fields.
    assert_eq!(json["changes"][0]["rule"], "capital.customer_margin");
    assert_eq!(json["changes"][0]["from"], "2027-03-01");
    assert_eq!(json["flips"][0]["as_of"], "2027-03-31");
    assert_eq!(json["flips"][0]["lines"][0]["label"], "10% of line A.i");
}

#[test]
fn the_book_gives_each_version_its_last_day_and_each_label_its_days() {
    let (_guard, dir) = scratch(&[("rules.xfoot", pack(AFTER).as_str())]);
    let output = crossfoot_in(&dir, &["doc", "rules.xfoot"]);
    assert_eq!(output.status.code(), Some(0));
    let book = stdout(&output);
    assert!(book.contains("- In force: through 2027-02-28"), "{book}");
    assert!(book.contains("- In force: from 2027-03-01"), "{book}");
    assert!(
        book.contains(
            "| 7425 | 8% of line A.i (through 2027-02-28); 10% of line A.i (from 2027-03-01) |"
        ),
        "{book}"
    );
    // Each version's statement uses the label of its own edition.
    assert!(
        book.contains("Line 7425 (8% of line A.i) must equal 8% of line 7415"),
        "{book}"
    );
    assert!(
        book.contains("Line 7425 (10% of line A.i) must equal 10% of line 7415"),
        "{book}"
    );
}

#[test]
fn changes_lists_the_2027_change_with_its_citation() {
    let (_guard, dir) = scratch(&[("rules.xfoot", pack(AFTER).as_str())]);
    let output = crossfoot_in(
        &dir,
        &[
            "changes",
            "rules.xfoot",
            "--from",
            "2026-01-01",
            "--to",
            "2027-12-31",
        ],
    );
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!(stdout(&output));
    // Outside the period: nothing changes.
    let later = crossfoot_in(&dir, &["changes", "rules.xfoot", "--from", "2028-01-01"]);
    assert_eq!(stdout(&later), "0 changes on 0 days from 2028-01-01\n");
    // The JSON names each key once: the change's own citation, and `cite`, the citation in
    // force from that day.
    let json = crossfoot_in(&dir, &["changes", "rules.xfoot", "--format", "json"]);
    let text = stdout(&json);
    let log: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(log[0]["on"], "2027-03-01");
    assert_eq!(log[0]["cite"], "17 CFR 1.17(a)(1)(i)(B), as amended");
    assert_eq!(text.matches("\"cite\"").count(), 1, "{text}");
    let backwards = crossfoot_in(
        &dir,
        &[
            "changes",
            "rules.xfoot",
            "--from",
            "2028-01-01",
            "--to",
            "2027-01-01",
        ],
    );
    assert_eq!(backwards.status.code(), Some(2));
}

#[test]
fn a_lapse_of_no_rule_is_an_error() {
    let rules = pack(&format!(
        "{GAP}\nlapse capital.mni \"typo\"\n  effective from 2027-02-28 until 2027-03-01\n"
    ));
    let (_guard, dir) = scratch(&[("rules.xfoot", rules.as_str())]);
    let lint = crossfoot_in(&dir, &["lint", "rules.xfoot"]);
    assert_eq!(lint.status.code(), Some(2));
    assert!(
        stdout(&lint).contains("no rule is `capital.mni`, so it cannot lapse"),
        "{}",
        stdout(&lint)
    );
}

#[test]
fn a_label_edition_cannot_change_the_flags() {
    let page = "page cap \"Capital\"\n  7425 \"8%\" effective until 2027-03-01\n  7425 \"10%\" total effective from 2027-03-01\n";
    let (_guard, dir) = scratch(&[("rules.xfoot", page)]);
    let output = crossfoot_in(&dir, &["lint", "rules.xfoot"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stdout(&output).contains("line 7425: its flags change on a date"),
        "{}",
        stdout(&output)
    );
}
