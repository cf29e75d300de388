//! The Spark half of the proof that `crossfoot sql` is exact: `tests/spark/differential.py`
//! checks generated reports with `check --format csv` and with the generated Spark query
//! on a local PySpark session (ANSI on, the CSV read as text), over the file with every
//! construct and over the shipped pack, and requires identical violation tables; then it
//! requires every amount the type cannot hold to stop the query.
//!
//! It needs PySpark and Java: `CROSSFOOT_SPARK_PYTHON`, or the venv `.ci/run` makes in
//! `target/spark`. Without them the test says it is skipped, unless
//! `CROSSFOOT_REQUIRE_SPARK=1` (`.ci/run` sets it), which makes their absence a failure.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::root;

/// A Python that can `import pyspark`, with a Java to run it.
fn spark_python() -> Option<PathBuf> {
    let java = Command::new("java").arg("-version").output();
    if !java.is_ok_and(|output| output.status.success()) {
        return None;
    }
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(path) = std::env::var_os("CROSSFOOT_SPARK_PYTHON") {
        candidates.push(path.into());
    }
    candidates.push(root().join("target/spark/bin/python"));
    candidates.push(root().join("target/spark-venv/bin/python"));
    candidates.into_iter().find(|candidate| {
        Command::new(candidate)
            .args(["-c", "import pyspark"])
            .output()
            .is_ok_and(|output| output.status.success())
    })
}

#[test]
fn spark_gives_what_check_gives() {
    let Some(python) = spark_python() else {
        assert!(
            std::env::var_os("CROSSFOOT_REQUIRE_SPARK").is_none(),
            "CROSSFOOT_REQUIRE_SPARK is set but there is no PySpark (or no Java): \
             `python3 -m venv target/spark && target/spark/bin/pip install pyspark==4.3.0`"
        );
        eprintln!(
            "SKIPPED spark_gives_what_check_gives: no PySpark with Java here (CROSSFOOT_SPARK_PYTHON, target/spark)"
        );
        return;
    };
    let cases = [
        ("tests/fixtures/sql/features.xfoot", "2000"),
        ("rules/focus", "1000"),
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
