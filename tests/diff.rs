//! `crossfoot diff`: by meaning, not layout; what changed, field by field; and the
//! verdicts a change flips on real reports.

#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

mod common;

use common::{crossfoot, stdout};

const OLD: &str = "tests/fixtures/diff/old.xfoot";
const NEW: &str = "tests/fixtures/diff/new.xfoot";

#[test]
fn a_reformat_is_no_semantic_change() {
    let output = crossfoot(&["diff", OLD, "tests/fixtures/diff/reformatted.xfoot"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "no semantic change\n");
}

#[test]
fn changes_field_by_field() {
    let output = crossfoot(&["diff", OLD, NEW]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!("human", stdout(&output));
    let markdown = crossfoot(&["diff", "--format", "markdown", OLD, NEW]);
    insta::assert_snapshot!("markdown", stdout(&markdown));
}

#[test]
fn flips_on_the_filing() {
    let dir = tempfile::tempdir().unwrap();
    let changed = std::fs::read_to_string("rules/focus/cftc/1-segregation.xfoot")
        .unwrap()
        .replace("  7190 = 7180 - 7060\n", "  7190 = 7180 - 7045\n");
    std::fs::create_dir_all(dir.path().join("cftc")).unwrap();
    for file in std::fs::read_dir("rules/focus/cftc").unwrap() {
        let file = file.unwrap().path();
        std::fs::copy(
            &file,
            dir.path().join("cftc").join(file.file_name().unwrap()),
        )
        .unwrap();
    }
    std::fs::write(dir.path().join("cftc/1-segregation.xfoot"), changed).unwrap();
    let output = crossfoot(&[
        "diff",
        "--format",
        "json",
        "rules/focus/cftc",
        dir.path().join("cftc").to_str().unwrap(),
        "--reports",
        "examples/hsbc-2020-07.yaml",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let changes = json["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["rule"], "seg.excess");
    assert_eq!(changes[0]["fields"][0]["field"], "formula");
    assert_eq!(changes[0]["fields"][0]["new"], "7190 = 7180 - 7045");
    let flips = json["flips"].as_array().unwrap();
    assert_eq!(flips.len(), 1, "{flips:?}");
    assert_eq!(flips[0]["rule"], "seg.excess");
    assert_eq!(
        (flips[0]["old"].as_str(), flips[0]["new"].as_str()),
        (Some("pass"), Some("fail"))
    );
    assert_eq!(
        flips[0]["detail"],
        "the report has 198,161,467; the rule expects 4,190,602,459 (difference -3,992,440,992, tolerance 0)"
    );
    // Each line the rule reads, with its label and amount.
    assert_eq!(flips[0]["lines"][0]["line"], "7190");
    assert_eq!(flips[0]["lines"][0]["amount"], "198,161,467");
    assert!(
        flips[0]["lines"][0]["label"]
            .as_str()
            .unwrap()
            .contains("Excess")
    );
}

#[test]
fn unusable_rules_are_exit_2() {
    let output = crossfoot(&["diff", OLD, "tests/fixtures/diagnostics/syntax_error.xfoot"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stdout(&output).is_empty());
}

#[test]
fn examples_and_catalogue_lines_count_as_changes() {
    const OLD: &str = "tests/fixtures/diff/examples_old.xfoot";
    const NEW: &str = "tests/fixtures/diff/examples_new.xfoot";
    let human = crossfoot(&["diff", OLD, NEW]);
    assert_eq!(human.status.code(), Some(1));
    insta::assert_snapshot!("examples_and_lines_human", stdout(&human));
    let markdown = crossfoot(&["diff", "--format", "markdown", OLD, NEW]);
    assert_eq!(markdown.status.code(), Some(1));
    insta::assert_snapshot!("examples_and_lines_markdown", stdout(&markdown));
    let json = crossfoot(&["diff", "--format", "json", OLD, NEW]);
    assert_eq!(json.status.code(), Some(1));
    insta::assert_snapshot!("examples_and_lines_json", stdout(&json));
}
