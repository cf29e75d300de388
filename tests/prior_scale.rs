//! Previous reports in a run too large to hold: each report is kept packed until every
//! report is read (beyond a few MiB, in a temporary file), and each finds its previous
//! report wherever it is in the input. A batch of 12,000 wide reports, shuffled, with a
//! report given twice, two different reports of one date and an unreadable month, checked
//! from a file and from standard input: every verdict is the one the months imply.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly"
)]

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use assert_cmd::cargo::cargo_bin_cmd;
use common::{scratch, stderr, stdout};

const FIRMS: usize = 100;
const MONTHS: usize = 120;
/// Lines besides the one the rule reads, so the packed reports outgrow memory (4 MiB).
const PADDING: usize = 100;

/// Each firm counts its months on line 1001: the rule says each report is its previous
/// report plus one.
fn rules() -> String {
    let mut text = String::from("page pad \"Padding\"\n  1001 \"Month\"\n");
    for line in 0..PADDING {
        writeln!(text, "  {} \"Padding {line}\"", 2000 + line).unwrap();
    }
    text.push_str("\nrule step \"One more month\"\n  1001 = prior(1001) + $1\n");
    text
}

/// The last day of month `month` counted from January 2000.
fn date(month: usize) -> String {
    let (year, month) = (2000 + month / 12, month % 12 + 1);
    let day = match month {
        2 if year % 4 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    format!("{year}-{month:02}-{day}")
}

/// A report's row; `value` is its line 1001, `pad` its padding amounts.
fn row(id: &str, firm: usize, month: usize, value: &str, pad: usize) -> String {
    let mut row = format!("{id},F{firm:03},{},{value}", date(month));
    for line in 0..PADDING {
        write!(row, ",{}", 1_000_000 + pad * 7 + line).unwrap();
    }
    row.push('\n');
    row
}

/// The batch, shuffled, and each report's expected verdict of `step`.
fn batch() -> (String, BTreeMap<String, &'static str>) {
    let mut rows = Vec::new();
    let mut expected = BTreeMap::new();
    for firm in 0..FIRMS {
        for month in 0..MONTHS {
            let id = format!("R{firm:03}-{month:03}");
            let mut value = month.to_string();
            let mut verdict = if month == 0 { "skipped" } else { "pass" };
            match (firm, month) {
                // Misstated; so the month after is measured against the wrong count.
                (7, 50) => {
                    value = "999".to_owned();
                    verdict = "fail";
                }
                (7, 51) => verdict = "fail",
                // Unreadable: the month after has no previous report.
                (5, 40) => value = "12O".to_owned(),
                (5, 41) => verdict = "skipped",
                // Two different reports of one date: the month after has none.
                (4, 31) => verdict = "skipped",
                _ => {}
            }
            if (firm, month) != (5, 40) {
                expected.insert(id.clone(), verdict);
            }
            rows.push(row(&id, firm, month, &value, firm + month));
        }
    }
    // The same report again, under another id: still one report.
    rows.push(row("R003-020-again", 3, 20, "20", 23));
    expected.insert("R003-020-again".to_owned(), "pass");
    // Another report of firm 4's month 30 that differs on a padding line.
    rows.push(row("R004-030-other", 4, 30, "30", 99));
    expected.insert("R004-030-other".to_owned(), "pass");
    // A fixed shuffle: stride through the rows by a number prime to their count.
    let count = rows.len();
    let mut text = String::from("report_id,firm,as_of,1001");
    for line in 0..PADDING {
        write!(text, ",{}", 2000 + line).unwrap();
    }
    text.push('\n');
    for step in 0..count {
        text.push_str(&rows[(step * 7919) % count]);
    }
    (text, expected)
}

/// Each report's verdict of `step` in `check --format json`'s output, by report id, and
/// the names of the reports that could not be read.
fn verdicts(json: &str) -> (BTreeMap<String, String>, Vec<String>) {
    let json: serde_json::Value = serde_json::from_str(json).unwrap();
    let mut found = BTreeMap::new();
    for report in json["reports"].as_array().unwrap() {
        let id = report["id"].as_str().unwrap().to_owned();
        let result = &report["results"][0];
        found.insert(id, result["status"].as_str().unwrap().to_owned());
    }
    let unreadable = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["report"].as_str().unwrap().to_owned())
        .collect();
    (found, unreadable)
}

#[test]
fn previous_reports_are_found_across_a_shuffled_batch_kept_on_disk() {
    let (csv, expected) = batch();
    assert!(
        csv.len() > 8 << 20,
        "the batch must outgrow what is kept in memory"
    );
    let (_guard, dir) = scratch(&[("r.xfoot", &rules()), ("reports.csv", &csv)]);
    let run = |args: &[&str], stdin: Option<&str>| {
        let mut command = cargo_bin_cmd!("crossfoot");
        command
            .current_dir(&dir)
            .args(["check", "--format", "json", "r.xfoot"])
            .args(args)
            .timeout(Duration::from_secs(120));
        if let Some(stdin) = stdin {
            command.write_stdin(stdin.to_owned());
        }
        command.output().unwrap()
    };
    let from_file = run(&["reports.csv"], None);
    assert_eq!(from_file.status.code(), Some(2), "{}", stderr(&from_file));
    let (found, unreadable) = verdicts(&stdout(&from_file));
    let expected: BTreeMap<String, String> = expected
        .into_iter()
        .map(|(id, verdict)| (id, verdict.to_owned()))
        .collect();
    assert_eq!(found, expected);
    assert_eq!(unreadable.len(), 1);
    assert!(
        unreadable[0].starts_with("reports.csv row "),
        "{unreadable:?}"
    );

    let from_stdin = run(&["-", "--input-format", "csv"], Some(&csv));
    assert_eq!(from_stdin.status.code(), Some(2));
    let same = stdout(&from_stdin).replace("\"- row ", "\"reports.csv row ");
    assert_eq!(same, stdout(&from_file), "standard input reads as the file");
}

#[test]
fn reports_that_cannot_be_kept_stop_the_run_with_the_reason() {
    let (csv, _) = batch();
    let (_guard, dir) = scratch(&[("r.xfoot", &rules()), ("reports.csv", &csv)]);
    let output = cargo_bin_cmd!("crossfoot")
        .current_dir(&dir)
        .env("TMPDIR", dir.join("no such directory"))
        .args(["check", "r.xfoot", "reports.csv"])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let said = stderr(&output);
    assert!(
        said.contains("cannot keep the reports until they are checked"),
        "{said}"
    );
    assert!(
        said.contains("set TMPDIR to a directory with room"),
        "{said}"
    );
}
