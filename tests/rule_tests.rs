//! `crossfoot test`: the shipped pack's examples and whole-report tests pass and kill every
//! mutant; a wrong example and weak examples are reported.

#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

mod common;

use common::{crossfoot, seen};

use std::path::Path;

#[test]
fn the_shipped_pack_passes_its_tests_and_kills_every_mutant() {
    let output = crossfoot(&["test", "--mutate", "--color", "never", "rules"]);
    let stdout = String::from_utf8(output.stdout.clone()).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines[0].starts_with("mutants: ") && lines[0].ends_with(" killed, 0 survived"),
        "{stdout}"
    );
    assert!(lines[1].ends_with(" passed, 0 failed"), "{stdout}");
    // Every rule has at least one passing and one failing example.
    for file in crossfoot_core::load::rule_files(Path::new("rules")).unwrap() {
        let text = std::fs::read_to_string(&file).unwrap();
        for rule in text.split("\nrule ").skip(1) {
            let id = rule.split_whitespace().next().unwrap();
            assert!(rule.contains("\n  passes "), "{id} has no passing example");
            assert!(rule.contains("\n  fails "), "{id} has no failing example");
        }
    }
}

#[test]
fn a_wrong_example_and_a_wrong_report_test_fail() {
    let output = crossfoot(&[
        "test",
        "--color",
        "never",
        "tests/fixtures/test_packs/wrong_example",
    ]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(seen(&output));
}

#[test]
fn weak_examples_let_mutants_survive() {
    let output = crossfoot(&[
        "test",
        "--mutate",
        "--color",
        "never",
        "tests/fixtures/test_packs/weak_examples",
    ]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(seen(&output));
}

#[test]
fn junit_output_of_tests() {
    let output = crossfoot(&[
        "test",
        "--format",
        "junit",
        "tests/fixtures/test_packs/wrong_example",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let xml = String::from_utf8(output.stdout).unwrap();
    let document = roxmltree::Document::parse(&xml).unwrap();
    let failures = document
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .count();
    assert_eq!(failures, 3);
    assert_eq!(document.root_element().attribute("tests"), Some("4"));
}

#[test]
fn an_unusable_test_file_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.xfoot"),
        "rule a 7190 >= $0\n  passes 7190 = 1\n  fails 7190 = -1\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("x.test.yaml"),
        "report: r.yaml\nrules:\n  nope: pass\n",
    )
    .unwrap();
    let output = crossfoot(&["test", "--color", "never", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no rule `nope` in the rule set"));
}

#[test]
fn a_mistyped_rule_id_in_a_test_file_gets_a_suggestion() {
    let output = crossfoot(&[
        "test",
        "--color",
        "never",
        "tests/fixtures/test_packs/mistyped_rule",
    ]);
    assert_eq!(output.status.code(), Some(2));
    insta::assert_snapshot!(seen(&output));
}

#[test]
fn examples_off_the_boundaries_let_boundary_mutants_survive() {
    let output = crossfoot(&[
        "test",
        "--mutate",
        "--color",
        "never",
        "tests/fixtures/test_packs/weak_boundaries",
    ]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(seen(&output));
}
