//! Reviewing rule changes: rules in force by date, waivers over their life, run records an
//! auditor can verify, and `diff` against a git revision.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly"
)]

mod common;

use std::path::Path;

use common::{copy_pack, crossfoot_in, root, seen, stderr, stdout};

const FILING: &str = "examples/hsbc-2020-07.yaml";

/// The non-customer margin rule as the pack has it (8%, undated).
const EIGHT_PERCENT: &str = "rule capital.noncustomer_margin \"iv. Enter 8% of line A.iii (non-customer risk maintenance margin requirement)\"\n  cite \"17 CFR 1.17(a)(1)(i)(B)\"\n";

/// The same rule in two versions: 4% until the (illustrative) day the form moved to 8%.
/// 17 CFR 1.17 once took 4% of non-customer risk margin; the switch date here is this
/// fixture's own, not the regulation's.
const TWO_VERSIONS: &str = "rule capital.noncustomer_margin \"iv. Enter 4% of line A.iii (non-customer risk maintenance margin requirement)\"
  cite \"17 CFR 1.17(a)(1)(i)(B), 2006 edition\"
  effective until 2014-01-01
  7445 = round(4% * 7435)
  passes 7435 = 1003, 7445 = 40
  fails 7435 = 1003, 7445 = 80

rule capital.noncustomer_margin \"iv. Enter 8% of line A.iii (non-customer risk maintenance margin requirement)\"
  cite \"17 CFR 1.17(a)(1)(i)(B)\"
  effective from 2014-01-01
";

/// A scratch directory with the pack, its non-customer margin rule in two dated versions.
fn dated_pack() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_pack(dir.path(), |name, text| {
        if name.ends_with("6-net-capital.xfoot") {
            assert!(text.contains(EIGHT_PERCENT));
            text.replace(EIGHT_PERCENT, TWO_VERSIONS)
        } else if name.ends_with(".test.yaml") {
            let examples = root().join("examples");
            text.replace("../../../examples", examples.to_str().unwrap())
        } else {
            text
        }
    });
    dir
}

/// The JSON contract (`schema/check.json`) holds for the new statuses too.
fn assert_matches_schema(instance: &serde_json::Value) {
    let text = std::fs::read_to_string(root().join("schema/check.json")).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// A small report: the margin lines only.
fn margin_report(as_of: Option<&str>, noncustomer: u64) -> String {
    let date = as_of.map_or(String::new(), |d| format!("as_of: {d}\n"));
    format!(
        "firm: Fixture FCM\n{date}lines:\n  7435: 1003\n  7445: {noncustomer}\n  7455: {noncustomer}\n  7490: {noncustomer}\n  7495: 44\n"
    )
}

/// The lines of `check -v` about one rule, and the summary lines.
fn about(text: &str, rule: &str) -> String {
    text.lines()
        .filter(|line| {
            (line.starts_with("  ") && line.contains(rule))
                || line.starts_with("ok")
                || line.starts_with("FAIL")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_version_in_force_on_the_report_date_decides() {
    let dir = dated_pack();
    let dir = dir.path();
    // The last day of the 4% version, and the first day of the 8% one.
    write(dir, "dec31.yaml", &margin_report(Some("2013-12-31"), 40));
    write(dir, "jan01.yaml", &margin_report(Some("2014-01-01"), 40));
    let output = crossfoot_in(dir, &["check", "-v", "rules", "dec31.yaml", "jan01.yaml"]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(about(&stdout(&output), "noncustomer"));
    assert_eq!(stderr(&output), "");

    let json = crossfoot_in(dir, &["check", "--format", "json", "rules", "dec31.yaml"]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_matches_schema(&json);
    let versions: Vec<_> = json["reports"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["rule"] == "capital.noncustomer_margin")
        .map(|r| {
            (
                r["status"].clone(),
                r["reason"].clone(),
                r["message"].clone(),
            )
        })
        .collect();
    assert_eq!(
        versions,
        [
            (
                "pass".into(),
                serde_json::Value::Null,
                serde_json::Value::Null
            ),
            (
                "skipped".into(),
                "not_in_force".into(),
                "not in force on 2013-12-31".into()
            ),
        ]
    );
}

#[test]
fn each_version_proves_its_own_examples() {
    let dir = dated_pack();
    // The copied book is stale once the pack has versions: `test` says so.
    let stale = crossfoot_in(dir.path(), &["test", "rules"]);
    assert_eq!(stale.status.code(), Some(1), "{}", seen(&stale));
    assert!(
        stdout(&stale).starts_with(
            "rules/BOOK.md: not the current rule book: run `crossfoot doc rules --output rules/BOOK.md`\n"
        ),
        "{}",
        seen(&stale)
    );
    let doc = crossfoot_in(dir.path(), &["doc", "rules", "--output", "rules/BOOK.md"]);
    assert_eq!(doc.status.code(), Some(0), "{}", seen(&doc));
    let output = crossfoot_in(dir.path(), &["test", "--mutate", "rules"]);
    assert_eq!(output.status.code(), Some(0), "{}", seen(&output));
    assert!(
        stdout(&output)
            .ends_with("mutants: 1412 generated, 1412 killed, 0 survived\n2977 passed, 0 failed\n")
    );
    let formatted = crossfoot_in(dir.path(), &["fmt", "--check", "rules"]);
    assert_eq!(formatted.status.code(), Some(0), "{}", seen(&formatted));
}

#[test]
fn the_filing_is_checked_by_the_current_version() {
    let dir = dated_pack();
    let filing = root().join(FILING);
    let output = crossfoot_in(dir.path(), &["check", "rules", filing.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stdout(&output)
            .ends_with(": 189 rules, 48 passed, 0 failed, 141 skipped (31 not in force)\n"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn a_report_without_a_date_warns_when_rules_have_dates() {
    let dir = dated_pack();
    write(dir.path(), "undated.yaml", &margin_report(None, 40));
    let output = crossfoot_in(dir.path(), &["check", "-v", "rules", "undated.yaml"]);
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!(about(&stdout(&output), "noncustomer"));
    assert_eq!(
        stderr(&output),
        "warning: undated.yaml has no `as_of`, so the 48 rules with an `effective` period were skipped; give each report its date (`as_of`), or `--as-of DATE` for inputs that carry none\n"
    );
    let denied = crossfoot_in(
        dir.path(),
        &["check", "--deny", "warnings", "rules", "undated.yaml"],
    );
    assert_eq!(denied.status.code(), Some(2));
}

#[test]
fn diff_shows_the_new_version_and_flips_only_old_reports() {
    let dir = dated_pack();
    let dir = dir.path();
    write(dir, "dec31.yaml", &margin_report(Some("2013-12-31"), 40));
    let filing = root().join(FILING);
    let pack = root().join("rules/focus");
    let output = crossfoot_in(
        dir,
        &[
            "diff",
            pack.to_str().unwrap(),
            "rules",
            "--reports",
            filing.to_str().unwrap(),
            "dec31.yaml",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn diff_against_a_git_revision() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .current_dir(dir)
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .output()
            .unwrap();
        assert!(status.status.success(), "{status:?}");
    };
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    let rule = "rule seg.excess \"Excess\"\n  7190 = 7180 - 7060\n";
    write(&dir.join("rules"), "seg.xfoot", rule);
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "rules"]);
    let unchanged = crossfoot_in(dir, &["diff", "main", "rules/"]);
    assert_eq!(
        seen(&unchanged),
        "exit code: 0\n--- stdout\nno semantic change\n--- stderr\n"
    );
    let changed = rule.replace("7190 = 7180 - 7060", "7190 = 7180 - 7060\n  within $1");
    write(&dir.join("rules"), "seg.xfoot", &changed);
    let output = crossfoot_in(dir, &["diff", "main", "rules/"]);
    insta::assert_snapshot!(seen(&output));
    let unknown = crossfoot_in(dir, &["diff", "no-such-branch", "rules/"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("cannot read `rules/` at revision `no-such-branch` with git")
    );
}

/// The filing with line 7190 one dollar short, so `seg.excess` fails.
fn deficit() -> String {
    let filing = std::fs::read_to_string(root().join(FILING)).unwrap();
    assert!(filing.contains("  7190: 198161467 "));
    filing.replace("  7190: 198161467 ", "  7190: 198161466 ")
}

/// One misstated line fails both excess rules that read it; each gets a waiver.
const WAIVER: &str = "waivers:
  - rule: seg.excess
    firm: HSBC Securities (USA) Inc.
    as_of: 2020-07-31
    justification: Rounding in the July seg computation, corrected in the August filing (COMP-1234)
    approver: J. Doe, Chief Compliance Officer
    expires: 2021-01-01
  - rule: seg.target_excess
    firm: HSBC Securities (USA) Inc.
    from: 2020-07-01
    until: 2020-08-01
    justification: Follows from the seg.excess rounding (COMP-1234)
    approver: J. Doe, Chief Compliance Officer
    expires: 2021-01-01
";

/// The pack with `waivers.yaml` beside it, the filing and the filing with a deficit.
fn waived_pack() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_pack(dir.path(), |_, text| text);
    write(&dir.path().join("rules"), "waivers.yaml", WAIVER);
    write(dir.path(), "deficit.yaml", &deficit());
    std::fs::copy(root().join(FILING), dir.path().join("filing.yaml")).unwrap();
    dir
}

#[test]
fn a_live_waiver_reports_the_failure_as_waived() {
    let dir = waived_pack();
    let args = ["check", "--today", "2020-09-01", "rules", "deficit.yaml"];
    let output = crossfoot_in(dir.path(), &args);
    insta::assert_snapshot!(seen(&output));
    let json = crossfoot_in(
        dir.path(),
        &[&args[..1], &["--format", "json"], &args[1..]].concat(),
    );
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_matches_schema(&json);
    let report = &json["reports"][0];
    assert_eq!(report["summary"]["waived"], 2);
    assert_eq!(report["summary"]["failed"], 0);
    let result = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "seg.excess")
        .unwrap();
    assert_eq!(result["status"], "waived");
    assert_eq!(result["difference"], "-1");
    assert_eq!(
        result["waiver"]["approver"],
        "J. Doe, Chief Compliance Officer"
    );
    let sarif = crossfoot_in(
        dir.path(),
        &[&args[..1], &["--format", "sarif"], &args[1..]].concat(),
    );
    let sarif: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert!(
        results
            .iter()
            .all(|r| r["suppressions"][0]["kind"] == "external")
    );
}

#[test]
fn an_expired_waiver_waives_nothing_and_warns() {
    let dir = waived_pack();
    let output = crossfoot_in(
        dir.path(),
        &[
            "check",
            "--color",
            "never",
            "--today",
            "2021-01-01",
            "rules",
            "deficit.yaml",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("FAIL: deficit.yaml"));
    insta::assert_snapshot!(stderr(&output));
}

#[test]
fn an_unused_waiver_warns() {
    let dir = waived_pack();
    let output = crossfoot_in(
        dir.path(),
        &[
            "check",
            "--color",
            "never",
            "--today",
            "2020-09-01",
            "rules",
            "filing.yaml",
        ],
    );
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!(stderr(&output));
    // A waiver for another firm's reports is not "unused" on this one: it covers nothing here.
    write(
        &dir.path().join("rules"),
        "waivers.yaml",
        &WAIVER.replace("HSBC Securities (USA) Inc.", "Other FCM"),
    );
    let other = crossfoot_in(
        dir.path(),
        &["check", "--today", "2020-09-01", "rules", "filing.yaml"],
    );
    assert_eq!(seen(&other).lines().last(), Some("--- stderr"));
}

#[test]
fn a_malformed_waivers_file_is_exit_2_with_a_span() {
    let dir = waived_pack();
    write(
        dir.path(),
        "bad.yaml",
        "waivers:\n  - rule: seg.exces\n    firm: HSBC\n    justification: j\n    approver: a\n    expires: 2021-01-01\n  - rule: seg.excess\n    justification: j\n    expires: 2021-13-01\n",
    );
    let output = crossfoot_in(
        dir.path(),
        &[
            "check",
            "--color",
            "never",
            "--waivers",
            "bad.yaml",
            "rules",
            "filing.yaml",
        ],
    );
    insta::assert_snapshot!(seen(&output));
    write(
        dir.path(),
        "typo.yaml",
        &WAIVER.replace("seg.excess", "seg.exces"),
    );
    let typo = crossfoot_in(
        dir.path(),
        &[
            "check",
            "--color",
            "never",
            "--waivers",
            "typo.yaml",
            "rules",
            "filing.yaml",
        ],
    );
    assert_eq!(typo.status.code(), Some(2));
    assert!(
        stderr(&typo).contains("did you mean `seg.excess`?"),
        "{}",
        stderr(&typo)
    );
}

#[test]
fn waivers_apply_to_batches_by_firm_and_date() {
    let dir = waived_pack();
    let report =
        crossfoot::report::load_yaml(&crossfoot::source::Source::new("d", deficit())).unwrap();
    let lines: serde_json::Map<String, serde_json::Value> = report
        .lines()
        .map(|(code, amount)| (code.to_string(), amount.to_string().into()))
        .collect();
    let line = |firm: &str| {
        let json =
            serde_json::json!({"id": firm, "firm": firm, "as_of": "2020-07-31", "lines": lines});
        format!("{json}\n")
    };
    let batch = line("HSBC Securities (USA) Inc.") + &line("Other FCM");
    write(dir.path(), "batch.jsonl", &batch);
    let output = crossfoot_in(
        dir.path(),
        &["check", "--today", "2020-09-01", "rules", "batch.jsonl"],
    );
    insta::assert_snapshot!(seen(&output));
    // The same two reports as wide CSV, with `firm` and `as_of` columns.
    let mut codes: Vec<String> = lines.keys().cloned().collect();
    codes.sort();
    let amounts: Vec<String> = codes
        .iter()
        .map(|c| lines[c].as_str().unwrap().to_owned())
        .collect();
    let csv = format!(
        "report_id,firm,as_of,{}\nA,HSBC Securities (USA) Inc.,2020-07-31,{}\nB,Other FCM,2020-07-31,{}\n",
        codes.join(","),
        amounts.join(","),
        amounts.join(",")
    );
    write(dir.path(), "batch.csv", &csv);
    let output = crossfoot_in(
        dir.path(),
        &["check", "--today", "2020-09-01", "rules", "batch.csv"],
    );
    let out = stdout(&output);
    assert!(
        out.contains("FAIL: batch.csv row 3 (B) (Other FCM, as of 2020-07-31): 188 rules, 46 passed, 2 failed, 140 skipped (30 not in force)\n  failed: seg.excess, seg.target_excess\n"),
        "{out}"
    );
    assert!(
        out.ends_with("2 reports: 1 ok, 1 failed (2 rule failures), 2 waived failures\n"),
        "{out}"
    );
    write(
        dir.path(),
        "bad.csv",
        "report_id,as_of,7190\nA,2020-02-30,1\n",
    );
    let bad = crossfoot_in(
        dir.path(),
        &["check", "--color", "never", "rules", "bad.csv"],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("as_of `2020-02-30` is not a date"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn a_run_record_verifies_until_a_file_changes() {
    let dir = waived_pack();
    let dir = dir.path();
    let run = crossfoot_in(
        dir,
        &[
            "check",
            "--today",
            "2020-09-01",
            "--record",
            "run.json",
            "rules",
            "deficit.yaml",
            "filing.yaml",
        ],
    );
    assert_eq!(run.status.code(), Some(0));
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("run.json")).unwrap()).unwrap();
    assert_eq!(record["crossfoot"], env!("CARGO_PKG_VERSION"));
    assert_eq!(record["today"], "2020-09-01");
    let files = record["files"].as_array().unwrap();
    let roles: Vec<&str> = files.iter().map(|f| f["role"].as_str().unwrap()).collect();
    // Six files of CFTC pages and six of SEC pages.
    assert_eq!(roles.iter().filter(|r| **r == "rules").count(), 12);
    assert_eq!(roles[12..], ["report", "report", "waivers", "pack"]);
    // See: issue #23. The record names the version of the pack that checked the reports.
    assert_eq!(
        record["pack"],
        serde_json::json!({"name": "focus", "version": "2026.12.1"})
    );
    assert!(
        files
            .iter()
            .all(|f| f["sha256"].as_str().unwrap().len() == 64)
    );
    assert_eq!(record["results"][0]["waived"][0], "seg.excess");
    assert_eq!(record["results"][1]["passed"], 48);

    let verified = crossfoot_in(dir, &["verify-record", "run.json"]);
    assert_eq!(verified.status.code(), Some(0), "{}", seen(&verified));
    assert!(
        stdout(&verified).ends_with(
            "ok: the record matches: 16 files unchanged, the same results on 2 reports\n"
        )
    );

    // The report is edited after the run: its digest and its results no longer match.
    let edited = deficit().replace("  7060: 4008887962", "  7060: 4008887963");
    write(dir, "deficit.yaml", &edited);
    let changed = crossfoot_in(dir, &["verify-record", "run.json"]);
    assert_eq!(changed.status.code(), Some(1));
    let text = stdout(&changed);
    let text: Vec<&str> = text.lines().skip(1).collect();
    insta::assert_snapshot!(text.join("\n"));

    write(dir, "garbage.json", "{\"crossfoot\": 1}");
    let garbage = crossfoot_in(dir, &["verify-record", "garbage.json"]);
    assert_eq!(garbage.status.code(), Some(2));
    assert!(stderr(&garbage).starts_with("error: garbage.json: not a run record"));
}
