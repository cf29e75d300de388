//! Batches: every input kind, bad rows named and the rest still checked, the block path for
//! wide CSV agreeing with the general path, and standard input.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly"
)]

mod common;

use common::{crossfoot, root, scratch, stderr, stdout};

use std::fs;

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;

/// The CFTC pages of the shipped pack: the filing in every input form and output.
const PACK: &str = "rules/focus/cftc";

/// The filing's amounts, `(code, amount)`, read from the example.
fn filing() -> Vec<(String, String)> {
    let text = fs::read_to_string(root().join("examples/hsbc-2020-07.yaml")).unwrap();
    text.lines()
        .filter_map(|line| {
            let line = line.split('#').next().unwrap().trim();
            let (code, amount) = line.split_once(':')?;
            (code.len() == 4 && code.bytes().all(|b| b.is_ascii_digit()))
                .then(|| (code.to_owned(), amount.trim().to_owned()))
        })
        .collect()
}

/// A wide CSV of `rows` copies of the filing; `change(row, code, amount)` edits cells.
fn wide_csv(rows: usize, change: impl Fn(usize, &str, &str) -> String) -> String {
    let lines = filing();
    let mut text = String::from("report_id");
    for (code, _) in &lines {
        text.push(',');
        text.push_str(code);
    }
    text.push('\n');
    for row in 0..rows {
        text.push_str(&format!("R{row:05}"));
        for (code, amount) in &lines {
            text.push(',');
            text.push_str(&change(row, code, amount));
        }
        text.push('\n');
    }
    text
}

/// Rows 3 and 7 break 7190 by a dollar; row 5 has a malformed amount.
fn broken(row: usize, code: &str, amount: &str) -> String {
    match (row, code) {
        (3 | 7, "7190") => "198161468".to_owned(),
        (5, "7010") => "12abc".to_owned(),
        _ => amount.to_owned(),
    }
}

#[test]
fn wide_csv_names_failing_and_unreadable_rows_and_checks_the_rest() {
    let (_dir, dir) = scratch(&[("reports.csv", &wide_csv(10, broken))]);
    let csv = dir.join("reports.csv");
    let output = crossfoot(&["check", "--color", "never", PACK, csv.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let name = csv.display().to_string();
    let out = stdout(&output);
    // Each failing row gets the diagnostics a single report would, then its summary.
    assert_eq!(
        out.matches("× line 7190 does not equal 7180 - 7060")
            .count(),
        2,
        "{out}"
    );
    for row in ["row 5 (R00003)", "row 9 (R00007)"] {
        assert!(
            out.contains(&format!(
                "FAIL: {name} {row}: 57 rules, 46 passed, 2 failed, 9 skipped\n  failed: seg.excess, seg.target_excess\n"
            )),
            "{out}"
        );
    }
    assert!(
        out.ends_with("9 reports: 7 ok, 2 failed (4 rule failures), 1 could not be read\n"),
        "{out}"
    );
    assert!(
        stderr(&output).contains(&format!(
            "{name} row 7 (R00005): line 7010: `12abc` is not an amount"
        )),
        "{}",
        stderr(&output)
    );
}

#[test]
fn the_block_path_and_the_general_path_agree() {
    let (_dir, dir) = scratch(&[("reports.csv", &wide_csv(10, broken))]);
    let csv = dir.join("reports.csv");
    let output = crossfoot(&["check", "--format", "jsonl", PACK, csv.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let lines: Vec<Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 10, "one object per row, in input order");
    let failing: Vec<(String, usize)> = lines
        .iter()
        .filter(|l| l["summary"]["failed"].as_u64().unwrap_or(0) > 0)
        .map(|l| {
            (
                l["id"].as_str().unwrap().to_owned(),
                l["summary"]["failed"].as_u64().unwrap() as usize,
            )
        })
        .collect();
    assert_eq!(
        failing,
        [("R00003".to_owned(), 2), ("R00007".to_owned(), 2)]
    );
    assert!(
        lines[5]["message"]
            .as_str()
            .unwrap()
            .contains("`12abc` is not an amount")
    );
    // The streamed single JSON document holds the same.
    let output = crossfoot(&["check", "--format", "json", PACK, csv.to_str().unwrap()]);
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["reports"].as_array().unwrap().len(), 9);
    assert_eq!(json["errors"].as_array().unwrap().len(), 1);
}

#[test]
fn quoted_cells_and_crlf_are_read() {
    let text = wide_csv(2, |row, code, amount| match (row, code) {
        (1, "7180") => "\"4,207,049,429\"".to_owned(),
        _ => amount.to_owned(),
    })
    .replace('\n', "\r\n");
    let (_dir, dir) = scratch(&[("reports.csv", &text)]);
    let output = crossfoot(&["check", PACK, dir.join("reports.csv").to_str().unwrap()]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    let name = dir.join("reports.csv").display().to_string();
    assert_eq!(
        stdout(&output),
        format!(
            "ok: {name} row 2 (R00000): 57 rules, 48 passed, 0 failed, 9 skipped\n\
             ok: {name} row 3 (R00001): 57 rules, 48 passed, 0 failed, 9 skipped\n\
             2 reports: 2 ok, 0 failed (0 rule failures)\n"
        )
    );
}

#[test]
fn long_csv_json_lines_directories_and_stdin() {
    let lines = filing();
    let long: String = std::iter::once("line,amount".to_owned())
        .chain(lines.iter().map(|(c, a)| format!("{c},{a}")))
        .collect::<Vec<_>>()
        .join("\n");
    let pairs: Vec<String> = lines
        .iter()
        .map(|(c, a)| format!("\"{c}\":\"{a}\""))
        .collect();
    let good = format!(
        "{{\"id\":\"A\",\"firm\":\"HSBC\",\"as_of\":\"2020-07-31\",\"lines\":{{{}}}}}",
        pairs.join(",")
    );
    let broken = good
        .replace("\"7190\":\"198161467\"", "\"7190\":\"198161468\"")
        .replace("\"A\"", "\"B\"");
    let duplicate = good
        .replace("\"A\"", "\"C\"")
        .replace("\"7010\":", "\"7020\":\"1\",\"7010\":");
    let jsonl = format!("{good}\n{broken}\n\n{duplicate}\nnot json\n");
    let yaml = fs::read_to_string(root().join("examples/hsbc-2020-07.yaml")).unwrap();
    let (_dir, dir) = scratch(&[
        ("long.csv", &long),
        ("r.jsonl", &jsonl),
        ("dir/a.yaml", &yaml),
        ("dir/sub/b.yml", &yaml),
    ]);
    let path = |name: &str| dir.join(name).display().to_string();

    let output = crossfoot(&["check", PACK, &path("long.csv"), &path("dir")]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let firm = "(HSBC Securities (USA) Inc., as of 2020-07-31)";
    let counts = "57 rules, 48 passed, 0 failed, 9 skipped";
    assert_eq!(
        stdout(&output),
        format!(
            "ok: {}: {counts}\nok: {} {firm}: {counts}\nok: {} {firm}: {counts}\n\
             3 reports: 3 ok, 0 failed (0 rule failures)\n",
            path("long.csv"),
            path("dir/a.yaml"),
            path("dir/sub/b.yml"),
        )
    );

    let output = crossfoot(&["check", "--color", "never", PACK, &path("r.jsonl")]);
    assert_eq!(output.status.code(), Some(2));
    let out = stdout(&output);
    assert!(
        out.contains(&format!(
            "FAIL: {} line 2 (B) (HSBC, as of 2020-07-31): 57 rules, 46 passed, 2 failed, 9 skipped\n",
            path("r.jsonl")
        )),
        "{out}"
    );
    assert!(
        out.ends_with("2 reports: 1 ok, 1 failed (2 rule failures), 2 could not be read\n"),
        "{out}"
    );
    let errors = stderr(&output);
    assert!(
        errors.contains(&format!(
            "{} line 4 (C): line 7020 appears twice",
            path("r.jsonl")
        )),
        "{errors}"
    );
    assert!(
        errors.contains(&format!("{} line 5: not a report", path("r.jsonl"))),
        "{errors}"
    );

    let output = cargo_bin_cmd!("crossfoot")
        .current_dir(root())
        .args(["check", "--input-format", "csv", PACK, "-"])
        .write_stdin(wide_csv(3, |_, _, a| a.to_owned()))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let counts = "57 rules, 48 passed, 0 failed, 9 skipped";
    assert_eq!(
        stdout(&output),
        format!(
            "ok: - row 2 (R00000): {counts}\nok: - row 3 (R00001): {counts}\n\
             ok: - row 4 (R00002): {counts}\n3 reports: 3 ok, 0 failed (0 rule failures)\n"
        )
    );

    let output = crossfoot(&["check", PACK, "-"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--input-format"));
}

#[test]
fn exactness_survives_the_fast_paths() {
    // Cents, a 20-digit amount and a large total: the integer path must step aside and
    // the decimal evaluator decide, exactly.
    let text = "report_id,7010,7020,7030\nA,0.1,0.2,0.3\nB,12345678901234567890,1,12345678901234567891\nC,0.1,0.2,0.30000000000000004\n";
    let rules = "rule t \"sum\" cite \"x\"\n  7030 = 7010 + 7020\n  passes 7010 = 1, 7020 = 2, 7030 = 3\n  fails 7010 = 1, 7020 = 2, 7030 = 4\n";
    let (_dir, dir) = scratch(&[("r.csv", text), ("r.xfoot", rules)]);
    let output = crossfoot(&[
        "check",
        dir.join("r.xfoot").to_str().unwrap(),
        dir.join("r.csv").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let out = stdout(&output);
    assert!(
        out.contains("row 4 (C): 1 rule, 0 passed, 1 failed"),
        "{out}"
    );
    assert!(
        out.ends_with("3 reports: 2 ok, 1 failed (1 rule failure)\n"),
        "{out}"
    );
}

#[test]
fn a_line_one_file_lacks_is_blank_there_though_another_file_filled_it() {
    // Rows' buffers are reused from report to report, and across files: a line the
    // second file has no column for must read blank there, never the first file's amount.
    let rules = "page p \"A page\"\n  7010 \"Cash\"\n  7040 \"Other\"\n\n\
                 rule p.other \"Other is at least 10\"\n  7040 >= $10\n";
    let mut with = String::from("report_id,7010,7040\n");
    let mut without = String::from("report_id,7010\n");
    // More windows of rows than are in flight at once, so B's rows are made in buffers
    // A's rows were made in.
    for n in 0..60_000 {
        with.push_str(&format!("A{n},1,5\n"));
        without.push_str(&format!("B{n},1\n"));
    }
    let (_guard, dir) = scratch(&[
        ("rules.xfoot", rules),
        ("a.csv", with.as_str()),
        ("b.csv", without.as_str()),
    ]);
    let output = common::crossfoot_in(&dir, &["check", "rules.xfoot", "a.csv", "b.csv"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    // Every A report fails (7040 is 5); every B report skips the rule (7040 blank).
    assert!(
        stdout(&output).ends_with("120000 reports: 60000 ok, 60000 failed (60000 rule failures)\n"),
        "{}",
        stdout(&output).lines().last().unwrap_or_default()
    );
}
