//! What a user sees for each case under `tests/fixtures/diagnostics/`: the exit code,
//! stdout and stderr of `crossfoot check CASE.xfoot CASE.yaml` (or `base.yaml` when the
//! case has no report of its own). To add a case, add a file.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly"
)]

use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;

#[test]
fn diagnostics() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    insta::glob!("fixtures/diagnostics/*.xfoot", |path| {
        let own_report = path.with_extension("yaml");
        let report = if own_report.exists() {
            own_report
        } else {
            path.with_file_name("base.yaml")
        };
        let relative = |p: &Path| p.strip_prefix(root).unwrap().to_path_buf();
        let output = cargo_bin_cmd!("crossfoot")
            .current_dir(root)
            .args(["check", "--color", "never"])
            .arg(relative(path))
            .arg(relative(&report))
            .output()
            .unwrap();
        insta::assert_snapshot!(format!(
            "exit code: {}\n--- stdout\n{}--- stderr\n{}",
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
        ));
    });
}
