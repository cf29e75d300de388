//! The outside engines some tests need: DuckDB (through its Python wheel), PySpark with
//! Java, and a headless Chromium.
//!
//! One policy for every engine (CONTRIBUTING.md): a test that needs one is
//! `#[ignore = "needs ENGINE: see CONTRIBUTING.md"]`, so `cargo test` lists it as ignored
//! with the reason, and runs with `cargo test -- --include-ignored` (as `.ci/run` does,
//! after installing every engine). A test asked to run fails when its engine is missing,
//! naming the command that installs it: it never passes without having run.

#![allow(
    clippy::panic,
    reason = "a missing engine fails the test that asked for it"
)]

use std::path::PathBuf;
use std::process::Command;

use super::root;

/// Whether the Python `program` can import `module`.
fn imports(program: &PathBuf, module: &str) -> bool {
    Command::new(program)
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|output| output.status.success())
}

/// A Python that can `import duckdb`: `CROSSFOOT_PYTHON`, the venv `.ci/run` makes in
/// `target/py`, the benchmarks' venv, or `python3`.
pub fn duckdb_python() -> PathBuf {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(path) = std::env::var_os("CROSSFOOT_PYTHON") {
        candidates.push(path.into());
    }
    candidates.push(root().join("target/py/bin/python"));
    candidates.push(root().join("target/bench/.venv/bin/python"));
    candidates.push("python3".into());
    candidates
        .into_iter()
        .find(|candidate| imports(candidate, "duckdb"))
        .unwrap_or_else(|| {
            panic!(
                "this test needs DuckDB's Python wheel and found none (CROSSFOOT_PYTHON, \
                 target/py, python3): run `python3 -m venv target/py && \
                 target/py/bin/pip install duckdb==1.5.6`, or leave out the ignored tests \
                 (see CONTRIBUTING.md)"
            )
        })
}

/// A Python that can `import pyspark`, with a Java to run it: `CROSSFOOT_SPARK_PYTHON`,
/// or the venv `.ci/run` makes in `target/spark`.
pub fn spark_python() -> PathBuf {
    let java = Command::new("java").arg("-version").output();
    assert!(
        java.is_ok_and(|output| output.status.success()),
        "this test needs Java to run Spark and found no `java`: install Debian's \
         `openjdk-17-jre-headless`, or leave out the ignored tests (see CONTRIBUTING.md)"
    );
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(path) = std::env::var_os("CROSSFOOT_SPARK_PYTHON") {
        candidates.push(path.into());
    }
    candidates.push(root().join("target/spark/bin/python"));
    candidates.push(root().join("target/spark-venv/bin/python"));
    candidates
        .into_iter()
        .find(|candidate| imports(candidate, "pyspark"))
        .unwrap_or_else(|| {
            panic!(
                "this test needs PySpark and found none (CROSSFOOT_SPARK_PYTHON, \
                 target/spark): run `python3 -m venv target/spark && \
                 target/spark/bin/pip install pyspark==4.3.0`, or leave out the ignored \
                 tests (see CONTRIBUTING.md)"
            )
        })
}

/// The browser to drive: `CROSSFOOT_CHROMIUM`, or the first of the usual names on `PATH`.
pub fn chromium() -> PathBuf {
    if let Some(path) = std::env::var_os("CROSSFOOT_CHROMIUM") {
        return PathBuf::from(path);
    }
    let names = [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ];
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!(
                "this test needs a headless Chromium and found none (CROSSFOOT_CHROMIUM, \
                 chromium, chromium-browser, google-chrome on PATH): install Debian's \
                 `chromium`, or leave out the ignored tests (see CONTRIBUTING.md)"
            )
        })
}
