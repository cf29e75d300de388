//! Any bytes as a run record: it is read or refused, never a panic; every path it names
//! that is accepted is relative, made of plain names only, and lies inside the record's
//! directory (which holds a link out, to be refused); a record's results always match
//! themselves.
#![no_main]

use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

use crossfoot_core::record::{RecordDir, RunRecord, Verification, compare_results};
use libfuzzer_sys::fuzz_target;

/// A record's directory: a rule file, a report, a subdirectory, and a link to `/etc`.
fn place() -> &'static (PathBuf, RecordDir) {
    static PLACE: OnceLock<(PathBuf, RecordDir)> = OnceLock::new();
    PLACE.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("crossfoot-fuzz-record-{}", std::process::id()));
        let made = std::fs::create_dir_all(dir.join("rules"))
            .and_then(|()| std::fs::write(dir.join("rules/seg.xfoot"), "rule a\n  7190 = 7180\n"))
            .and_then(|()| std::fs::write(dir.join("june.yaml"), "lines:\n  7190: 1\n"));
        #[cfg(unix)]
        let _ = std::os::unix::fs::symlink("/etc", dir.join("etc"));
        let Ok(canonical) = made.and_then(|()| dir.canonicalize()) else {
            std::process::abort()
        };
        match RecordDir::of(&canonical.join("run.json")) {
            Ok(record_dir) => (canonical, record_dir),
            Err(_) => std::process::abort(),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(record) = serde_json::from_slice::<RunRecord>(data) else { return };
    let (dir, record_dir) = place();
    let named = std::iter::once(&record.inputs.rules)
        .chain(&record.inputs.reports)
        .chain(&record.inputs.waivers)
        .chain(record.files.iter().map(|file| &file.path));
    for path in named {
        let Ok(confined) = record_dir.confine(path) else { continue };
        assert!(
            confined.components().all(|part| matches!(part, Component::Normal(_))),
            "{path:?} accepted as {confined:?}"
        );
        if let Ok(real) = dir.join(&confined).canonicalize() {
            assert!(real.starts_with(dir), "{path:?} leads to {real:?}");
        }
        assert!(!Path::new(path).is_absolute());
    }
    let mut same = Verification::default();
    compare_results(&record.results, &record.results, &mut same);
    assert!(same.matches(), "{same:?}");
    let mut none = Verification::default();
    compare_results(&record.results, &[], &mut none);
    assert_eq!(none.matches(), record.results.is_empty());
});
