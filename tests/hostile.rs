//! A corpus of hostile inputs (`tests/hostile/`), one file per case: rule files are checked
//! against `tests/fixtures/hostile_base.yaml`, reports against the shipped pack, waivers
//! files (`waivers-*`) with the shipped pack, and run records (`record-*`) verified. Every
//! case is refused with exit 2 and a diagnostic, except those named `ok-*` (a byte-order
//! mark, CRLF line endings, control characters), which are accepted; nothing panics or
//! hangs. The snapshot of each holds the exit code and everything printed. Cases that need
//! large files, FIFOs, links or several files are below, each in a scratch directory.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

mod common;

use common::{crossfoot, root, seen, stdout};

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
        } else if name.starts_with("record-") {
            crossfoot(&["verify-record", &relative])
        } else if name.starts_with("waivers-") {
            crossfoot(&[
                "check",
                "--color",
                "never",
                "--waivers",
                &relative,
                "rules/focus",
                "examples/hsbc-2020-07.yaml",
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

/// Run `crossfoot` in `dir` for at most 20 seconds: a command that waits on a FIFO is
/// killed and has no exit code.
fn within(dir: &Path, args: &[&str]) -> std::process::Output {
    assert_cmd::cargo::cargo_bin_cmd!("crossfoot")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap()
}

fn says(output: &std::process::Output, code: i32, words: &str) {
    let text = seen(output);
    assert_eq!(output.status.code(), Some(code), "{text}");
    assert!(text.contains(words), "expected {words:?} in\n{text}");
}

fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(made.success());
}

const SEG: &str = "rule seg.excess \"Excess funds\"\n  7190 = 7180 - 7060\n";
const JUNE: &str = "firm: F\nas_of: 2024-06-30\nlines:\n  7190: 1\n  7180: 1\n  7060: 0\n";

/// A scratch directory with `rules/seg.xfoot` and `june.yaml`.
fn pack() -> (tempfile::TempDir, std::path::PathBuf) {
    common::scratch(&[("rules/seg.xfoot", SEG), ("june.yaml", JUNE)])
}

/// Whether a text holds a character a terminal or a page would act on: a control
/// character other than a line break or a tab, or a bidirectional control.
fn acted_on(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
                || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
        .collect()
}

// See: issue #30 (3), issue #24 (14)
/// Every command that shows text from a rule file or a report shows its control
/// characters and bidirectional controls escaped (`\u{1b}`, `\u{202e}`): nothing in a
/// description, a citation, a label, a comment, a report id or a firm can drive the
/// terminal, reorder what is shown, or end up raw in a page, a comment or an editor.
/// (JSON, JSON Lines, SARIF, CSV and SQL carry the text as data, each in its own quoting.)
#[test]
fn every_command_shows_control_characters_escaped() {
    let rules =
        std::fs::read_to_string(root().join("tests/hostile/ok-control_characters.xfoot")).unwrap();
    let report =
        std::fs::read_to_string(root().join("tests/hostile/ok-report-control_characters.yaml"))
            .unwrap();
    let test = "report: r.yaml\nrules:\n  seg.excess: pass\n";
    let (_tmp, dir) = common::scratch(&[
        ("pack/cc.xfoot", &rules),
        ("pack/r.test.yaml", test),
        ("pack/r.yaml", &report),
        (
            "new/cc.xfoot",
            &rules
                .replace("7190 = 7180 - 7060", "7190 = 7180 - 7060 + $1")
                .replace("bold", "bolder"),
        ),
        ("r.yaml", &report),
    ]);
    let record = within(&dir, &["check", "--record", "run.json", "pack", "r.yaml"]);
    assert_eq!(record.status.code(), Some(1), "{}", seen(&record));
    let commands: &[&[&str]] = &[
        &["check", "pack", "r.yaml"],
        &["check", "-v", "pack", "r.yaml"],
        &["check", "--format", "junit", "pack", "r.yaml"],
        &["check", "--format", "github", "pack", "r.yaml"],
        &["check", "--format", "html", "pack", "r.yaml"],
        &["lint", "pack"],
        &["fmt", "--check", "pack"],
        &["explain", "pack", "r.yaml"],
        &["coverage", "pack"],
        &["diff", "pack", "new", "--reports", "r.yaml"],
        &[
            "diff",
            "--format",
            "markdown",
            "pack",
            "new",
            "--reports",
            "r.yaml",
        ],
        &["doc", "pack"],
        &["doc", "--format", "html", "pack"],
        &["test", "pack"],
        &["test", "--format", "junit", "pack"],
        &["verify-record", "run.json"],
    ];
    for args in commands {
        let output = within(&dir, args);
        let code = output.status.code();
        assert!(matches!(code, Some(0..=1)), "{args:?}: {}", seen(&output));
        let text = seen(&output);
        assert!(
            acted_on(&text).is_empty(),
            "{args:?}: {:?}\n{text}",
            acted_on(&text)
        );
        // What was escaped is still there to read, where the output shows it.
        let shows_text = ["explain", "coverage", "diff", "doc"].contains(&args[0])
            || *args == ["check", "pack", "r.yaml"];
        assert!(
            !shows_text || text.contains("\\u{1b}") && text.contains("\\u{202e}"),
            "{args:?}\n{text}"
        );
    }
    // The language server: diagnostics, hover and completion of the same file.
    let uri = format!("file://{}", dir.join("pack/cc.xfoot").display());
    let session = lsp_session(&dir, &uri, &rules);
    assert!(acted_on(&session).is_empty(), "{:?}", acted_on(&session));
    for escaped in ["\\\\u001b", "\\\\u0007"] {
        // A raw control character in a message is written `\u001b` in JSON.
        assert!(!session.contains(escaped), "{escaped} in {session}");
    }
    assert!(session.contains("\\\\u{202e}"), "{session}");
}

/// The messages of a language-server session that opens `text` and asks for a hover on
/// line 7190's declaration and completions, then shuts down.
fn lsp_session(dir: &Path, uri: &str, text: &str) -> String {
    let frame = |message: serde_json::Value| {
        let body = message.to_string();
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    };
    let line = text.lines().position(|l| l.contains("7190 \"")).unwrap();
    let messages = [
        serde_json::json!({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}),
        serde_json::json!({"jsonrpc":"2.0","method":"initialized","params":{}}),
        serde_json::json!({"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":uri,"languageId":"crossfoot","version":1,"text":text}}}),
        serde_json::json!({"jsonrpc":"2.0","id":2,"method":"textDocument/hover","params":{"textDocument":{"uri":uri},"position":{"line":line,"character":3}}}),
        serde_json::json!({"jsonrpc":"2.0","id":3,"method":"textDocument/completion","params":{"textDocument":{"uri":uri},"position":{"line":line + 6,"character":2}}}),
        serde_json::json!({"jsonrpc":"2.0","id":4,"method":"shutdown"}),
        serde_json::json!({"jsonrpc":"2.0","method":"exit"}),
    ];
    let input: String = messages.into_iter().map(frame).collect();
    let output = assert_cmd::cargo::cargo_bin_cmd!("crossfoot")
        .current_dir(dir)
        .arg("lsp")
        .write_stdin(input)
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", seen(&output));
    String::from_utf8(output.stdout).unwrap()
}

// See: issue #30 (1)
/// `--output` and `--record` never replace a report inside a `--prior` directory, and a
/// record is never deleted before it is refused: the run stops first, exit 2, and the
/// previous report is still there for the rule that reads it.
#[test]
fn an_output_never_replaces_a_report_in_a_prior_directory() {
    let rules = "rule cap.drop \"net capital may not fall by half\"\n  7490 >= 50% * prior(7490)\n";
    let (_tmp, dir) = common::scratch(&[
        ("p.xfoot", rules),
        (
            "prior/june.yaml",
            "firm: F\nas_of: 2024-06-30\nlines:\n  7490: 100\n",
        ),
        (
            "july.yaml",
            "firm: F\nas_of: 2024-07-31\nlines:\n  7490: 10\n",
        ),
    ]);
    let june = std::fs::read_to_string(dir.join("prior/june.yaml")).unwrap();
    let cases: [(&[&str], &str); 3] = [
        (
            &["--format", "json", "--output", "prior/june.yaml"],
            "--output prior/june.yaml is a --prior report; writing it would destroy the input",
        ),
        (
            &["--record", "prior/june.yaml"],
            "--record prior/june.yaml is a --prior report; writing it would destroy the input",
        ),
        (
            &["--format", "json", "--output", "prior/new.json"],
            "--output prior/new.json is inside a --prior directory; write it elsewhere",
        ),
    ];
    for (flags, words) in cases {
        let mut args = vec!["check", "--prior", "prior"];
        args.extend(flags);
        args.extend(["p.xfoot", "july.yaml"]);
        says(&within(&dir, &args), 2, words);
        assert_eq!(
            std::fs::read_to_string(dir.join("prior/june.yaml")).unwrap(),
            june
        );
        assert!(!dir.join("prior/new.json").exists());
    }
    // The rule still finds June and fails July.
    says(
        &within(&dir, &["check", "--prior", "prior", "p.xfoot", "july.yaml"]),
        1,
        "on the prior report, 7490 = 100",
    );
}

// See: issue #30 (2)
/// A run record from anywhere (a pull request) cannot make `verify-record` read or print
/// a file outside the record's directory: an absolute path, `..`, or a link out is refused
/// before any file is opened, and what the file holds never appears.
#[test]
fn verify_record_reads_nothing_outside_its_directory() {
    let (_tmp, dir) = pack();
    let made = within(
        &dir,
        &["check", "--record", "run.json", "rules", "june.yaml"],
    );
    assert_eq!(made.status.code(), Some(0), "{}", seen(&made));
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("run.json")).unwrap()).unwrap();
    std::os::unix::fs::symlink("/etc", dir.join("etc")).unwrap();
    let edits: [(&str, serde_json::Value, &str); 4] = [
        (
            "/inputs/waivers",
            "/etc/passwd".into(),
            "`/etc/passwd` is absolute",
        ),
        (
            "/inputs/waivers",
            "../../../../etc/passwd".into(),
            "goes up with `..`",
        ),
        (
            "/inputs/rules",
            "etc".into(),
            "`etc` leads out of the directory through a link",
        ),
        (
            "/files/1/path",
            "etc/passwd".into(),
            "`etc/passwd` leads out of the directory",
        ),
    ];
    for (pointer, value, words) in edits {
        let mut evil = record.clone();
        *evil.pointer_mut(pointer).unwrap() = value;
        std::fs::write(dir.join("evil.json"), evil.to_string()).unwrap();
        let output = within(&dir, &["verify-record", "evil.json"]);
        says(&output, 2, words);
        assert!(!seen(&output).contains("root:"), "{}", seen(&output));
    }
}

// See: issue #30 (4), (9)
/// No command waits on a FIFO, a device or a directory where it expects a file: each is
/// a diagnostic, and `verify-record` says the file no longer matches.
#[test]
fn no_command_waits_on_a_fifo() {
    let (_tmp, dir) = pack();
    let made = within(
        &dir,
        &["check", "--record", "run.json", "rules", "june.yaml"],
    );
    assert_eq!(made.status.code(), Some(0), "{}", seen(&made));
    mkfifo(&dir.join("pipe.yaml"));
    mkfifo(&dir.join("pipe.xfoot"));
    std::fs::create_dir(dir.join("reports")).unwrap();
    std::fs::write(dir.join("reports/june.yaml"), JUNE).unwrap();
    mkfifo(&dir.join("reports/pipe.yaml"));
    let refused: &[&[&str]] = &[
        &["check", "rules", "pipe.yaml"],
        &["check", "--record", "run2.json", "rules", "reports"],
        &["check", "--waivers", "pipe.yaml", "rules", "june.yaml"],
        &["check", "--prior", "pipe.yaml", "rules", "june.yaml"],
        &["check", "--input-format", "csv", "rules", "pipe.yaml"],
        &["lint", "pipe.xfoot"],
        &["fmt", "pipe.xfoot"],
        &["explain", "rules", "pipe.yaml"],
        &["diff", "pipe.xfoot", "rules"],
        &["diff", "rules", "rules", "--reports", "pipe.yaml"],
        &["doc", "--output", "pipe.yaml", "--check", "rules"],
    ];
    for args in refused {
        says(&within(&dir, args), 2, "it is not a regular file");
    }
    assert!(
        !dir.join("run2.json").exists(),
        "a record of files it could not hash"
    );
    // The report of the record replaced by a FIFO.
    std::fs::rename(dir.join("june.yaml"), dir.join("june.bak")).unwrap();
    mkfifo(&dir.join("june.yaml"));
    let output = within(&dir, &["verify-record", "run.json"]);
    says(
        &output,
        1,
        "june.yaml: missing or unreadable: it is not a regular file",
    );
    assert!(stdout(&output).ends_with("MISMATCH: 1 file changed or missing, 2 results differ\n"));
    // … by a link to a device: outside the record's directory.
    std::fs::remove_file(dir.join("june.yaml")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.join("june.yaml")).unwrap();
    says(
        &within(&dir, &["verify-record", "run.json"]),
        2,
        "`june.yaml` leads out of the directory through a link",
    );
    // A test file that is a FIFO.
    mkfifo(&dir.join("rules/july.test.yaml"));
    says(
        &within(&dir, &["test", "rules"]),
        2,
        "it is not a regular file",
    );
}

// See: issue #30 (9)
/// A `waivers.yaml` beside the rules that is a FIFO, a directory or a broken link is an
/// error, as the same path given with `--waivers` is: never silently no waivers.
#[test]
fn a_waivers_file_beside_the_rules_that_is_not_a_file_is_an_error() {
    let (_tmp, dir) = pack();
    let beside = dir.join("rules/waivers.yaml");
    mkfifo(&beside);
    says(
        &within(&dir, &["check", "rules", "june.yaml"]),
        2,
        "cannot read `rules/waivers.yaml`: it is not a regular file",
    );
    std::fs::remove_file(&beside).unwrap();
    std::fs::create_dir(&beside).unwrap();
    says(
        &within(&dir, &["check", "rules", "june.yaml"]),
        2,
        "cannot read `rules/waivers.yaml`: it is a directory",
    );
    std::fs::remove_dir(&beside).unwrap();
    std::os::unix::fs::symlink("gone.yaml", &beside).unwrap();
    says(
        &within(&dir, &["check", "rules", "june.yaml"]),
        2,
        "cannot read `rules/waivers.yaml`: no such file or directory",
    );
    // Beside a rule file given alone, the same.
    says(
        &within(&dir, &["check", "rules/seg.xfoot", "june.yaml"]),
        2,
        "cannot read `rules/waivers.yaml`",
    );
}

// See: issue #30 (7)
/// `doc --output` never writes over a file of the rule set (a rule file, a test), by its
/// name or through a link, and `--output -` is refused rather than a file named `-`; the
/// book itself may live beside the rules.
#[test]
fn doc_never_writes_over_a_rule_file_or_a_test() {
    let (_tmp, dir) = pack();
    std::fs::write(dir.join("rules/june.test.yaml"), "report: ../june.yaml\n").unwrap();
    std::os::unix::fs::symlink("rules/seg.xfoot", dir.join("book.md")).unwrap();
    std::fs::hard_link(dir.join("rules/june.test.yaml"), dir.join("hard.md")).unwrap();
    for (output, words) in [
        ("rules/seg.xfoot", "is a file of the rule set"),
        ("rules/june.test.yaml", "is a file of the rule set"),
        ("book.md", "is a file of the rule set"),
        ("hard.md", "is a file of the rule set"),
        ("rules/new.xfoot", "is inside the rules directory"),
        (
            "-",
            "--output -: standard output is where the output goes without --output",
        ),
        ("rules", "is a directory"),
    ] {
        says(
            &within(&dir, &["doc", "--output", output, "rules"]),
            2,
            words,
        );
    }
    assert_eq!(
        std::fs::read_to_string(dir.join("rules/seg.xfoot")).unwrap(),
        SEG
    );
    assert!(!dir.join("-").exists() && !dir.join("rules/new.xfoot").exists());
    let book = within(&dir, &["doc", "--output", "rules/BOOK.md", "rules"]);
    assert_eq!(book.status.code(), Some(0), "{}", seen(&book));
    assert!(
        std::fs::read_to_string(dir.join("rules/BOOK.md"))
            .unwrap()
            .contains("seg.excess")
    );
}

// See: issue #30 (10)
/// `--output` and `--record` never write where the rules are read from (a rule file, the
/// waivers beside the rules), so no run can break the next one.
#[test]
fn outputs_never_land_where_the_rules_are_read() {
    let (_tmp, dir) = pack();
    for (flags, words) in [
        (
            ["--format", "json", "--output", "rules/out.xfoot"],
            "is inside the rules directory",
        ),
        (
            ["--format", "json", "--output", "rules/waivers.yaml"],
            "is inside the rules directory",
        ),
        (
            ["--format", "json", "--output", "rules/sub/x.json"],
            "its directory cannot be read",
        ),
    ] {
        let mut args = vec!["check"];
        args.extend(flags);
        args.extend(["rules", "june.yaml"]);
        says(&within(&dir, &args), 2, words);
    }
    let beside = [
        "check",
        "--format",
        "json",
        "--output",
        "rules/waivers.yaml",
        "rules/seg.xfoot",
        "june.yaml",
    ];
    says(
        &within(&dir, &beside),
        2,
        "--output rules/waivers.yaml is beside the rule file, where the next run would read it",
    );
    // So is the pack manifest beside a rule file given alone.
    let pack = beside.map(|arg| {
        if arg == "rules/waivers.yaml" {
            "rules/pack.yaml"
        } else {
            arg
        }
    });
    says(
        &within(&dir, &pack),
        2,
        "--output rules/pack.yaml is beside the rule file, where the next run would read it",
    );
    let after = within(&dir, &["check", "rules", "june.yaml"]);
    assert_eq!(after.status.code(), Some(0), "{}", seen(&after));
    // A report written in the rules directory in a form no run reads is fine.
    let sarif = within(
        &dir,
        &[
            "check",
            "--format",
            "sarif",
            "--output",
            "rules/results.sarif",
            "rules",
            "june.yaml",
        ],
    );
    assert_eq!(sarif.status.code(), Some(0), "{}", seen(&sarif));
}

// See: issue #30 (8)
/// A recorded report that is gone is `MISMATCH`, exit 1, as documented; `check --record`
/// with a report that cannot be read says no record was written.
#[test]
fn verify_record_of_a_deleted_report_says_mismatch() {
    let (_tmp, dir) = pack();
    let made = within(
        &dir,
        &["check", "--record", "run.json", "rules", "june.yaml"],
    );
    assert_eq!(made.status.code(), Some(0), "{}", seen(&made));
    std::fs::remove_file(dir.join("june.yaml")).unwrap();
    let output = within(&dir, &["verify-record", "run.json"]);
    assert_eq!(output.status.code(), Some(1), "{}", seen(&output));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(
        lines,
        [
            "  june.yaml: missing or unreadable: no such file or directory",
            "  (the run): 1 report recorded, 0 now",
            "  (the run): exit status was 0, is 2",
            "MISMATCH: 1 file changed or missing, 2 results differ",
        ]
    );
    let output = within(
        &dir,
        &["check", "--record", "run2.json", "rules", "june.yaml"],
    );
    says(
        &output,
        2,
        "error: --record: no record written: cannot read `june.yaml`: no such file or directory",
    );
    assert!(!seen(&output).contains("cannot write output"));
    assert!(!dir.join("run2.json").exists());
}

// See: issue #23
/// `verify-record` reads the record's files from the record's directory: run from
/// anywhere, a record that matches matches.
#[test]
fn verify_record_works_from_any_directory() {
    let (_tmp, dir) = pack();
    std::fs::create_dir(dir.join("elsewhere")).unwrap();
    let made = within(
        &dir,
        &["check", "--record", "run.json", "rules", "june.yaml"],
    );
    assert_eq!(made.status.code(), Some(0), "{}", seen(&made));
    let record = dir.join("run.json");
    for from in [dir.join("elsewhere"), std::path::PathBuf::from("/")] {
        let output = within(&from, &["verify-record", record.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(0), "{}", seen(&output));
        assert!(stdout(&output).ends_with(
            "ok: the record matches: 2 files unchanged, the same results on 1 report\n"
        ));
    }
    // Relative spellings from another directory name the same files.
    let output = within(
        &dir.join("elsewhere"),
        &[
            "check",
            "--record",
            "../run3.json",
            "../rules",
            "../june.yaml",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", seen(&output));
    let ours: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("run3.json")).unwrap()).unwrap();
    assert_eq!(ours["inputs"]["reports"][0], "june.yaml");
    assert_eq!(ours["files"][0]["path"], "rules/seg.xfoot");
    assert_eq!(ours["results"][0]["report"], "june.yaml");
    let output = within(&dir.join("elsewhere"), &["verify-record", "../run3.json"]);
    assert_eq!(output.status.code(), Some(0), "{}", seen(&output));
}

// See: issue #30 (11)
/// A record names its files relative to its own directory: an input outside it, or a
/// path that is not UTF-8 (which a record would store wrongly), is refused before the run.
#[test]
fn a_record_names_only_files_below_its_directory() {
    let (_tmp, dir) = pack();
    std::fs::create_dir(dir.join("out")).unwrap();
    says(
        &within(
            &dir,
            &["check", "--record", "out/run.json", "rules", "june.yaml"],
        ),
        2,
        "error: --record out/run.json: `rules` is not inside the record's directory `out`",
    );
    use std::os::unix::ffi::OsStrExt;
    let name = std::ffi::OsStr::from_bytes(b"june-\xff.yaml");
    std::fs::write(dir.join(name), JUNE).unwrap();
    let output = assert_cmd::cargo::cargo_bin_cmd!("crossfoot")
        .current_dir(&dir)
        .args(["check", "--record", "run.json", "rules"])
        .arg(name)
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    says(
        &output,
        2,
        "is not UTF-8; a record names its files in UTF-8, so rename it",
    );
    assert!(!dir.join("run.json").exists());
}

// See: issue #30 (11)
/// `check --format json` prints a document even when the rules cannot be used, their
/// problems under `errors`, so a program reading it gets JSON.
#[test]
fn check_json_prints_a_document_when_the_rules_cannot_be_used() {
    let (_tmp, dir) = common::scratch(&[
        ("bad.xfoot", "rule a \"x\"\n  7190 = 9999 +\n"),
        ("june.yaml", JUNE),
    ]);
    let output = within(
        &dir,
        &["check", "--format", "json", "bad.xfoot", "june.yaml"],
    );
    assert_eq!(output.status.code(), Some(2));
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(document["reports"], serde_json::json!([]));
    assert_eq!(document["errors"][0]["status"], "unreadable");
    assert_eq!(document["errors"][0]["report"], "bad.xfoot");
    let lines = within(
        &dir,
        &["check", "--format", "jsonl", "bad.xfoot", "june.yaml"],
    );
    let line: serde_json::Value = serde_json::from_slice(&lines.stdout).unwrap();
    assert_eq!(line["report"], "bad.xfoot");
}

// See: issue #24 (12)
/// A rule file with a thousand unknown codes on one 9 KB line shows fifty problems, each
/// with its line cut around the code, and counts the rest; it wrote 14 MB before.
#[test]
fn a_thousand_problems_on_one_line_show_fifty_and_count_the_rest() {
    let codes: Vec<String> = (1000..2000).map(|code| code.to_string()).collect();
    let text = format!(
        "page p \"P\"\n  7190 \"Excess\"\n\nrule a.many \"x\"\n  7190 = {}\n",
        codes.join(" + ")
    );
    let (_tmp, dir) = common::scratch(&[("many.xfoot", &text)]);
    for args in [
        &["lint", "many.xfoot"][..],
        &["check", "many.xfoot", "june.yaml"],
    ] {
        let output = within(&dir, args);
        assert_eq!(output.status.code(), Some(2));
        let text = seen(&output);
        assert!(text.len() < 40_000, "{} bytes", text.len());
        assert_eq!(text.matches("is not in the line catalogue").count(), 50);
        assert!(
            text.contains("× line 1049 is not in the line catalogue"),
            "{text}"
        );
        assert!(!text.contains("line 1050 is not"), "{text}");
        assert!(
            text.contains("… and 950 more problems in many.xfoot not shown"),
            "{text}"
        );
        for line in text.lines() {
            assert!(line.chars().count() < 150, "{line}");
        }
    }
    assert!(
        stdout(&within(&dir, &["lint", "many.xfoot"]))
            .ends_with("many.xfoot: 1000 errors, 0 warnings\n")
    );
}
