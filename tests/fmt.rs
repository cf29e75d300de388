//! `crossfoot fmt`: canonical, idempotent, meaning-preserving, and the shipped pack is
//! already canonical.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly"
)]

use std::fs;
use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;
use crossfoot::source::Source;
use crossfoot_core::load::rule_files;
use crossfoot_syntax::{format_source, parse};

#[test]
fn messy_files_format_canonically() {
    insta::glob!("fixtures/fmt/*.xfoot", |path| {
        let text = fs::read_to_string(path).unwrap();
        let source = Source::new(path.display().to_string(), text);
        let formatted = format_source(&source).unwrap();
        // Meaning kept: the same tree, spans aside.
        let reparsed = parse(&Source::new("formatted", formatted.as_str())).unwrap();
        assert_eq!(reparsed, parse(&source).unwrap());
        // Idempotent.
        let again = format_source(&Source::new("formatted", formatted.as_str())).unwrap();
        assert_eq!(again, formatted);
        insta::assert_snapshot!(formatted);
    });
}

#[test]
fn the_shipped_pack_is_canonical() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for file in rule_files(&root.join("rules")).unwrap() {
        let text = fs::read_to_string(&file).unwrap();
        let formatted =
            format_source(&Source::new(file.display().to_string(), text.as_str())).unwrap();
        assert_eq!(formatted, text, "{} is not canonical", file.display());
    }
}

#[test]
fn check_prints_a_diff_and_exits_1_and_fmt_rewrites() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.xfoot");
    fs::write(&file, "rule t  7190=7180-7060\n").unwrap();
    let check = cargo_bin_cmd!("crossfoot")
        .args(["fmt", "--check"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(1));
    let diff = String::from_utf8(check.stdout).unwrap();
    assert!(
        diff.contains("-rule t  7190=7180-7060\n+rule t\n+  7190 = 7180 - 7060\n"),
        "{diff}"
    );
    assert_eq!(
        fs::read_to_string(&file).unwrap(),
        "rule t  7190=7180-7060\n",
        "--check writes nothing"
    );

    let write = cargo_bin_cmd!("crossfoot")
        .args(["fmt"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(write.status.code(), Some(0));
    assert_eq!(
        fs::read_to_string(&file).unwrap(),
        "rule t\n  7190 = 7180 - 7060\n"
    );
    let again = cargo_bin_cmd!("crossfoot")
        .args(["fmt", "--check"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(0));
    assert!(again.stdout.is_empty());
}

#[test]
fn a_file_that_does_not_parse_is_left_alone_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.xfoot");
    fs::write(&file, "rule t 7190 = \n").unwrap();
    let output = cargo_bin_cmd!("crossfoot")
        .args(["fmt"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8(output.stderr)
            .unwrap()
            .contains("expected")
    );
    assert_eq!(fs::read_to_string(&file).unwrap(), "rule t 7190 = \n");
}

/// Exit code, stdout and stderr of `crossfoot ARGS` given `input` on standard input.
fn with_stdin(args: &[&str], input: &str) -> String {
    let output = cargo_bin_cmd!("crossfoot")
        .args(args)
        .write_stdin(input)
        .output()
        .unwrap();
    format!(
        "exit code: {}\n--- stdout\n{}--- stderr\n{}",
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn fmt_and_lint_read_standard_input() {
    let messy = "rule seg.excess \"Excess\"  7190=7180-7060 # note\n";
    insta::assert_snapshot!("fmt_stdin", with_stdin(&["fmt", "-"], messy));
    insta::assert_snapshot!(
        "fmt_check_stdin",
        with_stdin(&["fmt", "--check", "-"], messy)
    );
    insta::assert_snapshot!(
        "lint_stdin",
        with_stdin(
            &["lint", "--color", "never", "-"],
            "rule t 7190 = 7180 7060\n"
        )
    );
    let fine = with_stdin(&["lint", "-"], messy);
    assert_eq!(
        fine,
        "exit code: 0\n--- stdout\n<stdin>: 1 rule, 0 warnings\n--- stderr\n"
    );
    let mixed = with_stdin(&["fmt", "-", "rules/focus"], messy);
    assert!(
        mixed
            .starts_with("exit code: 2\n--- stdout\n--- stderr\nerror: `-` formats standard input"),
        "{mixed}"
    );
}
