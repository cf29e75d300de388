//! A corpus of hostile inputs (`tests/hostile/`), one file per case: rule files are checked
//! against `tests/fixtures/hostile_base.yaml`, reports against the shipped pack. Every case
//! is refused with exit 2 and a diagnostic, except those named `ok-*` (a byte-order mark,
//! CRLF line endings), which are accepted; nothing panics or hangs. The snapshot of each
//! holds the exit code and everything printed. Limits that need large files are tested
//! below with generated ones.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

mod common;

use common::{crossfoot, seen};

use std::path::Path;

#[test]
fn hostile_inputs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    insta::glob!("hostile/*", |path| {
        let relative = path
            .strip_prefix(root)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        let name = path.file_name().unwrap().to_str().unwrap();
        let output = if name.ends_with(".xfoot") {
            crossfoot(&[
                "check",
                "--color",
                "never",
                &relative,
                "tests/fixtures/hostile_base.yaml",
            ])
        } else {
            crossfoot(&["check", "--color", "never", "rules/focus", &relative])
        };
        let text = seen(&output);
        assert!(!text.contains("panicked"), "{name}: {text}");
        let expected = if name.starts_with("ok-") {
            [0, 1]
        } else {
            [2, 2]
        };
        let code = output.status.code().unwrap_or(-1);
        assert!(expected.contains(&code), "{name}: exit {code}\n{text}");
        insta::assert_snapshot!(text);
    });
}

#[test]
fn oversized_files_are_refused_with_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("big.xfoot");
    let line = "# padding padding padding padding padding padding padding padding padding\n";
    let mut text = String::new();
    while text.len() <= 16 * 1024 * 1024 {
        text.push_str(line);
    }
    std::fs::write(&rules, &text).unwrap();
    let output = crossfoot(&[
        "check",
        rules.to_str().unwrap(),
        "examples/hsbc-2020-07.yaml",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("the limit is 16777216 bytes"), "{stderr}");
}

#[test]
fn an_oversized_report_is_refused_with_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("big.yaml");
    let mut text = String::from("lines:\n  7190: 5\n");
    let padding = "# padding padding padding padding padding padding padding padding padding\n";
    while text.len() <= 64 * 1024 * 1024 {
        text.push_str(padding);
    }
    std::fs::write(&report, &text).unwrap();
    let output = crossfoot(&["check", "rules/focus", report.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("the limit is 67108864 bytes"), "{stderr}");
}

#[test]
fn paths_that_are_not_files() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("a.yaml");
    std::fs::create_dir(&folder).unwrap();
    let missing = dir.path().join("missing.yaml");
    let fifo = dir.path().join("pipe.yaml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    for (path, reason) in [
        (&missing, "no such file or directory"),
        (&fifo, "it is not a regular file"),
    ] {
        let output = crossfoot(&["check", "rules/focus", path.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(2), "{}", path.display());
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(reason),
            "{}",
            seen(&output)
        );
    }
    // A directory named like a report is read as a directory of reports: here, none.
    let output = crossfoot(&["check", "rules/focus", folder.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("the directory holds no reports"));
    // A FIFO as the rule set is refused too, rather than waited on.
    let output = crossfoot(&[
        "check",
        fifo.to_str().unwrap(),
        "examples/hsbc-2020-07.yaml",
    ]);
    assert_eq!(output.status.code(), Some(2));
}
