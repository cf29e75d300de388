//! Helpers shared by the end-to-end tests: run the binary from the crate root, read what it
//! printed, and make scratch files.

#![allow(dead_code, reason = "each test binary uses some of the helpers")]
#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

pub mod engines;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use assert_cmd::cargo::cargo_bin_cmd;
use tempfile::TempDir;

/// The crate root, where the tests run the binary.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Run `crossfoot` from the crate root, without `NO_COLOR`, for at most a minute.
pub fn crossfoot(args: &[&str]) -> Output {
    cargo_bin_cmd!("crossfoot")
        .current_dir(root())
        .env_remove("NO_COLOR")
        .args(args)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap()
}

/// What it printed on stdout.
pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// What it printed on stderr.
pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// Everything a user sees: the exit code, stdout and stderr, for snapshots.
pub fn seen(output: &Output) -> String {
    format!(
        "exit code: {}\n--- stdout\n{}--- stderr\n{}",
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A scratch directory holding the given files (names may include subdirectories).
pub fn scratch(files: &[(&str, &str)]) -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let path = dir.path().to_path_buf();
    (dir, path)
}

/// Run `crossfoot` in `dir` (so paths in its output are relative to it). `CROSSFOOT_BIN`
/// names another build to run instead (to see a test fail on a build before a fix).
pub fn crossfoot_in(dir: &Path, args: &[&str]) -> Output {
    let mut command = match std::env::var_os("CROSSFOOT_BIN") {
        Some(binary) => assert_cmd::Command::new(binary),
        None => cargo_bin_cmd!("crossfoot"),
    };
    command
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .args(args)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap()
}

/// A copy of the shipped pack (`rules/focus`) in `dir/rules`, with `edit` applied to the
/// text of each file.
pub fn copy_pack(dir: &Path, edit: impl Fn(&str, String) -> String) {
    let mut pending = vec![root().join("rules/focus")];
    while let Some(from) = pending.pop() {
        for entry in std::fs::read_dir(&from).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let relative = path.strip_prefix(root().join("rules/focus")).unwrap();
            let to = dir.join("rules").join(relative);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            let name = relative.display().to_string();
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(to, edit(&name, text)).unwrap();
        }
    }
}
