//! The Spark half of the proof that `crossfoot sql` is exact: `tests/spark/differential.py`
//! checks generated reports with `check --format csv` and with the generated Spark query
//! on a local PySpark session (ANSI on, the CSV read as text), over the file with every
//! construct and over the shipped pack, and requires identical violation tables; then it
//! requires every amount the type cannot hold to stop the query.
//!
//! It needs PySpark and Java (`CROSSFOOT_SPARK_PYTHON`, or the venv `.ci/run` makes in
//! `target/spark`), so it is ignored by default: `cargo test --test spark --
//! --include-ignored` runs it, and fails when they are missing (see CONTRIBUTING.md).

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

mod common;

use std::process::Command;

use common::engines::spark_python;
use common::root;

#[test]
#[ignore = "needs PySpark and Java: see CONTRIBUTING.md"]
fn spark_gives_what_check_gives() {
    let python = spark_python();
    let cases = [
        ("tests/fixtures/sql/features.xfoot", "2000"),
        ("rules/focus/cftc", "1000"),
    ];
    for (rules, reports) in cases {
        let run = Command::new(&python)
            .arg(root().join("tests/spark/differential.py"))
            .arg(env!("CARGO_BIN_EXE_crossfoot"))
            .arg(root().join(rules))
            .arg(reports)
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&run.stdout);
        eprintln!("{said}");
        assert!(
            run.status.success(),
            "{rules}: {said}\n{}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert!(said.contains("\nidentical\n"), "{rules}: {said}");
        assert!(
            said.contains("every amount the type cannot hold stopped the query"),
            "{rules}: {said}"
        );
    }
}
