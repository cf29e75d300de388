//! Every output of `check` on one batch that holds each kind of result (a failure of each
//! severity, a waived failure, a rule that cannot be evaluated, a row that cannot be read):
//! the formats agree with each other, JUnit agrees with the exit status, `--results
//! failing` keeps the counts, the CSV table reads back, untrusted text is escaped, an
//! output that names an input is refused, and a large batch keeps its structure.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly"
)]

mod common;

use common::{crossfoot_in, scratch, stderr, stdout};

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;

use serde_json::Value;

const RULES: &str = r#"rule t.sum "Total (add lines 10 and 20)"
  cite "x"
  30 = 10 + 20

rule t.cap "Total within the cap"
  severity warning
  30 <= $100

rule t.sign "Line 10 is not negative"
  severity info
  10 >= $0

rule t.ratio "Line 40 is line 20 times line 30 per line 50"
  40 = 20 * (30 / 50)
"#;

const WAIVERS: &str = "waivers:
  - rule: t.sum
    firm: Waived LLC
    as_of: 2020-07-31
    justification: Known rounding (COMP-1)
    approver: J. Doe
    expires: 2021-01-01
";

/// A: holds. B: `t.sum` fails. C: the same, waived. D: unreadable. E: the `warning`
/// rule fails. F: `t.ratio` divides by a blank line. G: the `info` rule fails.
const BATCH: &str = "report_id,firm,as_of,10,20,30,40,50
A,Good Inc,2020-07-31,1,2,3,6,1
B,Bad Inc,2020-07-31,1,2,4,8,1
C,Waived LLC,2020-07-31,1,2,4,8,1
D,Bad Inc,2020-07-31,1,2x,3,6,1
E,Big Inc,2020-07-31,100,20,120,2400,1
F,Zero Inc,2020-07-31,1,2,3,6,
G,Neg Inc,2020-07-31,-1,2,1,2,1
";

fn batch() -> (tempfile::TempDir, std::path::PathBuf) {
    scratch(&[
        ("rules/t.xfoot", RULES),
        ("rules/waivers.yaml", WAIVERS),
        ("r.csv", BATCH),
    ])
}

/// The run exited with `code` and said `text` on stderr.
fn says_on_stderr(output: &Output, code: i32, text: &str) {
    assert_eq!(output.status.code(), Some(code), "{}", stderr(output));
    assert!(stderr(output).contains(text), "{}", stderr(output));
}

fn check(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["check", "--today", "2020-09-01", "--color", "never"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["rules", "r.csv"]);
    crossfoot_in(dir, &args)
}

/// `r.csv row 3 (B)` → `B`.
fn id_of(name: &str) -> String {
    let (_, id) = name.rsplit_once(" (").unwrap();
    id.trim_end_matches(')').to_owned()
}

/// `(report id, rule, status)` for every result that is not a pass or a skip, and
/// `(report id, "", "unreadable")` for each row that could not be read.
type Outcomes = BTreeSet<(String, String, String)>;

fn outcome(id: &str, rule: &str, status: &str) -> (String, String, String) {
    (id.to_owned(), rule.to_owned(), status.to_owned())
}

fn from_json_report(report: &Value, found: &mut Outcomes) {
    if report["status"] == "unreadable" {
        found.insert(outcome(
            &id_of(report["report"].as_str().unwrap()),
            "",
            "unreadable",
        ));
        return;
    }
    for result in report["results"].as_array().unwrap() {
        let status = result["status"].as_str().unwrap();
        if matches!(status, "fail" | "waived" | "error") {
            let id = report["id"].as_str().unwrap();
            found.insert(outcome(id, result["rule"].as_str().unwrap(), status));
        }
    }
}

fn outcomes(format: &str, text: &str) -> Outcomes {
    let mut found = Outcomes::new();
    match format {
        "json" => {
            let json: Value = serde_json::from_str(text).unwrap();
            for report in json["reports"].as_array().unwrap() {
                from_json_report(report, &mut found);
            }
            for error in json["errors"].as_array().unwrap() {
                from_json_report(error, &mut found);
            }
        }
        "jsonl" => {
            for line in text.lines() {
                from_json_report(&serde_json::from_str(line).unwrap(), &mut found);
            }
        }
        "sarif" => {
            let sarif: Value = serde_json::from_str(text).unwrap();
            let run = &sarif["runs"][0];
            for result in run["results"].as_array().unwrap() {
                let message = result["message"]["text"].as_str().unwrap();
                let status = if !result["suppressions"].as_array().unwrap().is_empty() {
                    "waived"
                } else if message.contains("could not be evaluated") {
                    "error"
                } else {
                    "fail"
                };
                let id = id_of(result["properties"]["report"].as_str().unwrap());
                found.insert(outcome(&id, result["ruleId"].as_str().unwrap(), status));
            }
            for note in run["invocations"][0]["toolExecutionNotifications"]
                .as_array()
                .unwrap()
            {
                let message = note["message"]["text"].as_str().unwrap();
                let (name, _) = message.split_once(": ").unwrap();
                found.insert(outcome(&id_of(name), "", "unreadable"));
            }
        }
        "junit" => {
            let document = roxmltree::Document::parse(text).unwrap();
            for case in document
                .descendants()
                .filter(|n| n.has_tag_name("testcase"))
            {
                let id = id_of(case.attribute("classname").unwrap());
                let rule = case.attribute("name").unwrap();
                let child = case.children().find(|n| n.is_element());
                let status = match child.map(|n| n.tag_name().name()) {
                    None => continue,
                    Some("failure" | "system-out") => "fail",
                    Some("skipped") => "waived",
                    Some("error") if rule == "read report" => {
                        found.insert(outcome(&id, "", "unreadable"));
                        continue;
                    }
                    Some("error") => "error",
                    Some(other) => panic!("unexpected <{other}>"),
                };
                found.insert(outcome(&id, rule, status));
            }
        }
        "github" => {
            for line in text.lines() {
                let (head, message) = line.split_once("::").unwrap().1.split_once("::").unwrap();
                let title = head.split(",title=").nth(1).unwrap();
                let (name, _) = message.split_once(": ").unwrap();
                let id = id_of(name);
                let status = if title == "unreadable report" {
                    found.insert(outcome(&id, "", "unreadable"));
                    continue;
                } else if message.contains("; waived: ") {
                    "waived"
                } else if message.contains("could not be evaluated") {
                    "error"
                } else {
                    "fail"
                };
                found.insert(outcome(&id, title, status));
            }
        }
        "csv" => {
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            for record in reader.records() {
                let record = record.unwrap();
                found.insert(outcome(&record[2], &record[5], &record[7]));
            }
        }
        "html" => {
            let options = roxmltree::ParsingOptions {
                allow_dtd: true,
                ..roxmltree::ParsingOptions::default()
            };
            let document = roxmltree::Document::parse_with_options(text, options).unwrap();
            let text_of = |node: roxmltree::Node| -> String {
                node.descendants()
                    .filter(|n| n.is_text())
                    .filter_map(|n| n.text())
                    .collect()
            };
            let class = |node: roxmltree::Node| node.attribute("class").unwrap_or("").to_owned();
            for node in document.descendants() {
                if node.has_tag_name("tr") && class(node) == "i-unreadable" {
                    let th = node.children().find(|n| n.has_tag_name("th")).unwrap();
                    found.insert(outcome(&id_of(&text_of(th)), "", "unreadable"));
                }
                let Some(status) = class(node)
                    .strip_prefix("card c-")
                    .and_then(|rest| rest.split(' ').next())
                    .map(str::to_owned)
                else {
                    continue;
                };
                let heading = node.children().find(|n| n.has_tag_name("h4")).unwrap();
                let rule = heading.children().find(|n| n.has_tag_name("code")).unwrap();
                let report = node
                    .ancestors()
                    .find(|n| class(*n) == "report")
                    .and_then(|n| n.children().find(|n| n.has_tag_name("h2")))
                    .unwrap();
                // `<h2><span class="badge">…</span> r.csv row 3 (B)</h2>`
                let name = report.last_child().and_then(|n| n.text()).unwrap().trim();
                found.insert(outcome(&id_of(name), &text_of(rule), &status));
            }
        }
        _ => unreachable!(),
    }
    found
}

#[test]
fn every_format_tells_the_same_outcomes() {
    let (_dir, dir) = batch();
    let expected: Outcomes = [
        outcome("B", "t.sum", "fail"),
        outcome("C", "t.sum", "waived"),
        outcome("D", "", "unreadable"),
        outcome("E", "t.cap", "fail"),
        outcome("F", "t.ratio", "error"),
        outcome("G", "t.sign", "fail"),
    ]
    .into_iter()
    .collect();
    for format in ["json", "jsonl", "sarif", "junit", "github", "csv", "html"] {
        for results in ["all", "failing"] {
            let output = check(&dir, &["--format", format, "--results", results]);
            assert_eq!(output.status.code(), Some(2), "{format}");
            let text = stdout(&output);
            assert_eq!(outcomes(format, &text), expected, "{format}:\n{text}");
        }
    }
}

#[test]
fn junit_fails_only_what_fails_the_run() {
    let (_dir, dir) = batch();
    let suites = |output: &Output| -> Vec<(String, String, String)> {
        let text = stdout(output);
        let document = roxmltree::Document::parse(&text).unwrap();
        document
            .root_element()
            .children()
            .filter(|n| n.is_element())
            .map(|suite| {
                let attribute = |name| suite.attribute(name).unwrap().to_owned();
                (
                    id_of(&attribute("name")),
                    attribute("failures"),
                    attribute("errors"),
                )
            })
            .collect()
    };
    let counts = |failures: [&str; 7]| -> Vec<(String, String, String)> {
        let errors = ["0", "0", "0", "1", "0", "1", "0"];
        ["A", "B", "C", "D", "E", "F", "G"]
            .iter()
            .zip(failures.iter().zip(errors))
            .map(|(id, (f, e))| (id.to_string(), f.to_string(), e.to_owned()))
            .collect()
    };
    // A failing `warning` or `info` rule passes (its message in <system-out>), as the run
    // would exit 0 on it.
    let output = check(&dir, &["--format", "junit"]);
    assert_eq!(suites(&output), counts(["0", "1", "0", "0", "0", "0", "0"]));
    // With --deny warnings the warning fails the run, and its case fails.
    let output = check(&dir, &["--format", "junit", "--deny", "warnings"]);
    assert_eq!(suites(&output), counts(["0", "1", "0", "0", "1", "0", "0"]));
    let text = stdout(&output);
    assert!(text.contains("<failure message=\"line 30 is greater than $100\" type=\"warning\">"));
    assert!(text.contains("<system-out>info: r.csv row 8 (G): line 10 is less than $0"));
}

#[test]
fn failing_results_keep_every_count() {
    let (_dir, dir) = batch();
    let all = stdout(&check(&dir, &["--format", "json"]));
    let failing = stdout(&check(&dir, &["--format", "json", "--results", "failing"]));
    let all: Value = serde_json::from_str(&all).unwrap();
    let failing: Value = serde_json::from_str(&failing).unwrap();
    let (all, failing) = (
        all["reports"].as_array().unwrap(),
        failing["reports"].as_array().unwrap(),
    );
    assert_eq!(all.len(), 6);
    for (whole, short) in all.iter().zip(failing) {
        assert_eq!(whole["summary"], short["summary"]);
        assert_eq!(whole["status"], short["status"]);
        assert_eq!(whole["results"].as_array().unwrap().len(), 4);
        assert!(whole.get("results_listed").is_none());
        assert_eq!(short["results_listed"], "failing");
        let listed: Vec<&Value> = whole["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["status"] != "pass" && r["status"] != "skipped")
            .collect();
        assert_eq!(
            short["results"]
                .as_array()
                .unwrap()
                .iter()
                .collect::<Vec<_>>(),
            listed
        );
    }
    let statuses: Vec<&str> = all.iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["ok", "fail", "ok", "warning", "error", "info"]);
}

#[test]
fn the_csv_table_reads_back_exactly() {
    let (_dir, dir) = batch();
    let output = check(&dir, &["--format", "csv"]);
    let mut reader = csv::Reader::from_reader(output.stdout.as_slice());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header,
        [
            "report",
            "place",
            "id",
            "firm",
            "as_of",
            "rule",
            "severity",
            "status",
            "left",
            "right",
            "difference",
            "tolerance",
            "message",
            "detail",
            "unit"
        ]
    );
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(rows.len(), 6);
    assert_eq!(
        rows[0][..12],
        [
            "r.csv",
            "row 3",
            "B",
            "Bad Inc",
            "2020-07-31",
            "t.sum",
            "error",
            "fail",
            "4",
            "3",
            "1",
            "0"
        ]
    );
    assert_eq!(rows[0][14], "dollars");
    assert_eq!(rows[2][7], "unreadable");
    assert_eq!(rows[2][14], "");
    assert_eq!(
        rows[2][12],
        "r.csv row 5 (D): line 20: `2x` is not an amount"
    );
    assert!(
        rows[1][13].contains("waived: Known rounding (COMP-1)"),
        "{:?}",
        rows[1]
    );
}

#[test]
fn untrusted_text_is_escaped_for_the_terminal() {
    let report = "id: \"a\\e[31mb\"\nfirm: \"ACME\\n::error file=x::forged\\e[2J\"\nlines:\n  10: 5\n  20: 6\n";
    let (_dir, dir) = scratch(&[("e.xfoot", "rule a \"x\"\n  10 = 20\n"), ("r.yaml", report)]);
    for format in ["human", "github"] {
        let output = crossfoot_in(&dir, &["check", "--format", format, "e.xfoot", "r.yaml"]);
        assert_eq!(output.status.code(), Some(1));
        let text = stdout(&output);
        assert!(!text.contains('\u{1b}'), "{format}: {text:?}");
        assert!(
            !text.lines().any(|line| line.starts_with("::error file=x")),
            "{format}: {text}"
        );
    }
    let output = crossfoot_in(&dir, &["check", "--color", "never", "e.xfoot", "r.yaml"]);
    assert!(
        stdout(&output).contains("FAIL: r.yaml (ACME\\u{a}::error file=x::forged\\u{1b}[2J)"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn an_output_that_names_an_input_is_refused() {
    let (_dir, dir) = batch();
    for output in ["r.csv", "./r.csv"] {
        let run = crossfoot_in(
            &dir,
            &[
                "check", "--format", "json", "--output", output, "rules", "r.csv",
            ],
        );
        assert_eq!(run.status.code(), Some(2));
        assert!(
            stderr(&run).contains("is one of the reports being checked"),
            "{}",
            stderr(&run)
        );
        assert_eq!(std::fs::read_to_string(dir.join("r.csv")).unwrap(), BATCH);
    }
    // A file inside a report directory is an input too.
    std::fs::create_dir(dir.join("reports")).unwrap();
    std::fs::write(dir.join("reports/a.yaml"), "lines:\n  10: 1\n").unwrap();
    let run = crossfoot_in(
        &dir,
        &[
            "check",
            "--format",
            "json",
            "--output",
            "reports/a.yaml",
            "rules",
            "reports",
        ],
    );
    assert_eq!(run.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(dir.join("reports/a.yaml")).unwrap(),
        "lines:\n  10: 1\n"
    );
}

/// 20,000 reports, every 100th failing: each format holds one entry per report or per
/// failure. (Quadratic output code would make this test slow; its time is measured in
/// the benchmarks, not here.)
#[test]
fn a_large_batch_keeps_its_structure_in_every_format() {
    let mut text = String::from("report_id,10,20,30,40,50\n");
    for row in 0..20_000 {
        let total = if row % 100 == 7 { 4 } else { 3 };
        text.push_str(&format!("R{row},1,2,{total},{},1\n", 2 * total));
    }
    let (_dir, dir) = scratch(&[("rules/t.xfoot", RULES), ("r.csv", &text)]);
    let run = |format: &str, results: &str| {
        let output = crossfoot_in(
            &dir,
            &[
                "check",
                "--format",
                format,
                "--results",
                results,
                "rules",
                "r.csv",
            ],
        );
        assert_eq!(output.status.code(), Some(1), "{format}");
        stdout(&output)
    };
    let jsonl = run("jsonl", "all");
    assert_eq!(jsonl.lines().count(), 20_000);
    let failing: Vec<Value> = run("jsonl", "failing")
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .filter(|report: &Value| report["status"] != "ok")
        .collect();
    assert_eq!(failing.len(), 200);
    assert_eq!(failing[0]["id"], "R7");
    let json: Value = serde_json::from_str(&run("json", "failing")).unwrap();
    assert_eq!(json["reports"].as_array().unwrap().len(), 20_000);
    let sarif: Value = serde_json::from_str(&run("sarif", "all")).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 200);
    let junit = run("junit", "all");
    let document = roxmltree::Document::parse(&junit).unwrap();
    let suites = document
        .root_element()
        .children()
        .filter(|n| n.is_element())
        .count();
    assert_eq!(suites, 20_000);
    assert_eq!(junit.matches("<failure ").count(), 200);
    assert_eq!(run("github", "all").lines().count(), 200);
    assert_eq!(run("csv", "all").lines().count(), 201);
    let human = run("human", "all");
    assert!(
        human.ends_with("20000 reports: 19800 ok, 200 failed (200 rule failures)\n"),
        "{human}"
    );
    assert_eq!(
        human.matches("\nFAIL: ").count() + usize::from(human.starts_with("FAIL: ")),
        200
    );
}

/// The same report as YAML and as a JSON Lines line spelled the ways JSON allows (escaped
/// amount, key with blanks, padded firm) gives the same results; `"lines": null` is
/// `lines:` with nothing after it.
#[test]
fn json_lines_reads_what_yaml_reads() {
    let yaml = "firm: ACME\nlines:\n  10: 5\n  20: 5\n";
    let jsonl = "{\"firm\":\" ACME \",\"lines\":{\" 10\":\"\\u0035\",\"20\":\"5\"}}\n";
    let (_dir, dir) = scratch(&[
        ("e.xfoot", "rule a \"x\"\n  10 = 20\n"),
        ("r.yaml", yaml),
        ("r.jsonl", jsonl),
        ("r.txt", yaml),
        ("empty.yaml", "lines:\n"),
        ("empty.jsonl", "{\"lines\":null}\n"),
    ]);
    let results = |input: &str, extra: &[&str]| -> (Option<i32>, Value) {
        let mut args = vec!["check", "--format", "jsonl"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["e.xfoot", input]);
        let output = crossfoot_in(&dir, &args);
        let mut report: Value = serde_json::from_str(&stdout(&output)).unwrap();
        report["report"] = Value::Null;
        (output.status.code(), report)
    };
    let (code, yaml) = results("r.yaml", &[]);
    assert_eq!(code, Some(0));
    assert_eq!(results("r.jsonl", &[]), (code, yaml.clone()));
    // --input-format names what a file holds whatever its extension.
    assert_eq!(results("r.txt", &["--input-format", "yaml"]), (code, yaml));
    assert_eq!(results("empty.jsonl", &[]), results("empty.yaml", &[]));
}

#[test]
fn explain_and_diff_read_a_batch_and_pick_a_report() {
    let (_dir, dir) = batch();
    let output = crossfoot_in(&dir, &["explain", "rules", "r.csv", "--rule", "t.sum"]);
    says_on_stderr(&output, 2, "`2x` is not an amount");
    let readable: String = BATCH
        .lines()
        .filter(|l| !l.starts_with("D,"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(dir.join("ok.csv"), readable).unwrap();
    let output = crossfoot_in(&dir, &["explain", "rules", "ok.csv", "--rule", "t.sum"]);
    says_on_stderr(
        &output,
        2,
        "ok.csv: holds 6 reports; name the one to explain with --report ID",
    );
    for wanted in ["B", "row 3"] {
        let output = crossfoot_in(
            &dir,
            &[
                "explain", "rules", "r.csv", "--report", wanted, "--rule", "t.sum",
            ],
        );
        // See: issue #23. A rule explained that fails exits 1, as `check` would.
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        assert!(
            stdout(&output).contains("the rule FAILS"),
            "{}",
            stdout(&output)
        );
    }
    let output = crossfoot_in(&dir, &["explain", "rules", "r.csv", "--report", "Z"]);
    says_on_stderr(&output, 2, "`r.csv`: no report is `Z`");
    // The batch has an unreadable row: diff says so rather than comparing the rest.
    let output = crossfoot_in(&dir, &["diff", "rules", "rules", "--reports", "r.csv"]);
    says_on_stderr(&output, 2, "`2x` is not an amount");
    let output = crossfoot_in(
        &dir,
        &[
            "diff",
            "rules",
            "rules",
            "--reports",
            "r.csv",
            "--report",
            "B",
            "--format",
            "json",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let flips: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert!(flips["flips"].as_array().unwrap().is_empty());
    // A --report that names nothing is an error, not "0 verdicts flip".
    let output = crossfoot_in(
        &dir,
        &[
            "diff",
            "rules",
            "rules",
            "--reports",
            "r.csv",
            "--report",
            "nosuch",
        ],
    );
    says_on_stderr(&output, 2, "no report is `nosuch`");
    // A flip names the report's row and id.
    let changed = RULES.replace("30 = 10 + 20", "30 = 10 + 20 + 50");
    std::fs::create_dir(dir.join("new")).unwrap();
    std::fs::write(dir.join("new/t.xfoot"), changed).unwrap();
    let output = crossfoot_in(&dir, &["diff", "rules", "new", "--reports", "ok.csv"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).contains("ok.csv row 2 (A), as of 2020-07-31: t.sum pass → fail"),
        "{}",
        stdout(&output)
    );
}

/// An expired waiver is a warning on stderr and a notification in SARIF; a
/// report on standard input gets the same full diagnostic as the same report in a file.
#[test]
fn run_warnings_reach_sarif_and_stdin_gets_full_detail() {
    let (_dir, dir) = batch();
    let expired = "  - rule: t.cap\n    firm: Nobody\n    justification: long gone\n    approver: J. Doe\n    expires: 2020-08-01\n";
    std::fs::write(
        dir.join("rules/waivers.yaml"),
        format!("{WAIVERS}{expired}"),
    )
    .unwrap();
    let output = check(&dir, &["--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    let warnings: Vec<&str> = notes
        .iter()
        .filter(|n| n["level"] == "warning")
        .map(|n| n["message"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(warnings.len(), 1, "{notes:?}");
    assert!(warnings[0].contains("t.cap"), "{warnings:?}");
    assert!(stderr(&output).contains("t.cap"), "{}", stderr(&output));

    let row_b = "lines:\n  10: 1\n  20: 2\n  30: 4\n  40: 8\n  50: 1\n";
    std::fs::write(dir.join("b.yaml"), row_b).unwrap();
    let file = crossfoot_in(&dir, &["check", "--color", "never", "rules", "b.yaml"]);
    let stdin = assert_cmd::cargo::cargo_bin_cmd!("crossfoot")
        .current_dir(&dir)
        .args([
            "check",
            "--color",
            "never",
            "--input-format",
            "yaml",
            "rules",
            "-",
        ])
        .write_stdin(row_b)
        .output()
        .unwrap();
    assert_eq!(stdin.status.code(), Some(1));
    assert!(
        stdout(&stdin).contains("× line 30 does not equal 10 + 20"),
        "{}",
        stdout(&stdin)
    );
    assert_eq!(stdout(&stdin), stdout(&file).replace("b.yaml", "-"));
}

/// No file the run reads may be written: not a rule file, the waivers, a report by another
/// name (a hard link), standard input, nor the record's path.
#[test]
fn no_output_overwrites_an_input() {
    let (_dir, dir) = batch();
    std::fs::hard_link(dir.join("r.csv"), dir.join("hard.csv")).unwrap();
    let cases: [&[&str]; 6] = [
        &["--format", "json", "--output", "rules/t.xfoot"],
        &["--format", "json", "--output", "rules/waivers.yaml"],
        &["--format", "json", "--output", "hard.csv"],
        &["--record", "r.csv"],
        &[
            "--format", "json", "--output", "o.json", "--record", "o.json",
        ],
        &["--format", "json", "--output", "-"],
    ];
    for extra in cases {
        let output = check(&dir, extra);
        assert_eq!(output.status.code(), Some(2), "{extra:?}");
        assert!(
            stderr(&output).starts_with("error: "),
            "{extra:?}: {}",
            stderr(&output)
        );
        assert_eq!(std::fs::read_to_string(dir.join("r.csv")).unwrap(), BATCH);
        assert_eq!(
            std::fs::read_to_string(dir.join("rules/t.xfoot")).unwrap(),
            RULES
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("rules/waivers.yaml")).unwrap(),
            WAIVERS
        );
        assert!(!dir.join("o.json").exists());
    }
    // Standard input redirected from the very file.
    let output = std::process::Command::new(assert_cmd::cargo::cargo_bin!("crossfoot"))
        .current_dir(&dir)
        .args([
            "check",
            "--input-format",
            "csv",
            "--format",
            "csv",
            "--output",
            "r.csv",
        ])
        .args(["rules", "-"])
        .stdin(std::fs::File::open(dir.join("r.csv")).unwrap())
        .output()
        .unwrap();
    says_on_stderr(&output, 2, "is standard input");
    assert_eq!(std::fs::read_to_string(dir.join("r.csv")).unwrap(), BATCH);
}

/// A run that fails before writing leaves no earlier output behind; a run that reads no
/// report still writes a whole document; a reader that stops early changes neither the
/// file nor the exit status.
#[test]
fn output_files_are_whole_or_absent() {
    let (_dir, dir) = batch();
    std::fs::write(dir.join("out.json"), "{\"reports\":[]}\n").unwrap();
    std::fs::write(dir.join("bad.xfoot"), "rule a \"x\"\n  10 =\n").unwrap();
    let output = crossfoot_in(
        &dir,
        &[
            "check",
            "--format",
            "json",
            "--output",
            "out.json",
            "bad.xfoot",
            "r.csv",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(!dir.join("out.json").exists(), "a stale result stayed");

    std::fs::write(dir.join("none.csv"), "report_id,10\n").unwrap();
    for format in ["json", "sarif", "junit", "csv"] {
        let output = crossfoot_in(&dir, &["check", "--format", format, "rules", "none.csv"]);
        assert_eq!(output.status.code(), Some(2));
        let text = stdout(&output);
        match format {
            "json" => assert_eq!(text, "{\"reports\":[]}\n"),
            "sarif" => {
                let sarif: Value = serde_json::from_str(&text).unwrap();
                assert_eq!(
                    sarif["runs"][0]["invocations"][0]["executionSuccessful"],
                    false
                );
            }
            "junit" => assert!(roxmltree::Document::parse(&text).is_ok(), "{text}"),
            _ => assert!(text.starts_with("report,place,id,"), "{text}"),
        }
    }

    // `check … | head -1`: the pipe closes after one line, long before the 5,000 lines of
    // the human output are written (more than a pipe holds); the run goes on.
    let mut many = String::from("report_id,10,20,30,40,50\n");
    for row in 0..5_000 {
        many.push_str(&format!("R{row},1,2,4,8,1\n"));
    }
    std::fs::write(dir.join("many.csv"), many).unwrap();
    let script = "crossfoot check --format json --output out.json rules many.csv | head -1; echo \"${PIPESTATUS[0]}\"";
    let bin = assert_cmd::cargo::cargo_bin!("crossfoot");
    let output = std::process::Command::new("bash")
        .current_dir(&dir)
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.parent().unwrap().display(),
                std::env::var("PATH").unwrap()
            ),
        )
        .args(["-c", script])
        .output()
        .unwrap();
    let said = stdout(&output);
    assert_eq!(said.lines().count(), 2, "{said}");
    assert!(said.ends_with("\n1\n"), "{said}");
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out.json")).unwrap()).unwrap();
    assert_eq!(json["reports"].as_array().unwrap().len(), 5_000);
}

/// Cells a spreadsheet would run as formulas are made inert; numbers stay numbers.
#[test]
fn the_csv_table_cannot_carry_a_formula() {
    let batch =
        "report_id,firm,10,20,30,40,50\n=HYPERLINK(\"x\"),@SUM(1),1,2,4,8,1\n-5,Plain,1,2,4,8,1\n";
    let (_dir, dir) = scratch(&[("rules/t.xfoot", RULES), ("r.csv", batch)]);
    let output = crossfoot_in(&dir, &["check", "--format", "csv", "rules", "r.csv"]);
    let mut reader = csv::Reader::from_reader(output.stdout.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(&rows[0][2], "'=HYPERLINK(\"x\")");
    assert_eq!(&rows[0][3], "'@SUM(1)");
    assert_eq!(&rows[1][2], "-5");
    assert_eq!(&rows[1][8], "4");
}

/// A rule set without a rule (a catalogue alone, or an empty file) checks nothing, so a
/// run with it fails rather than passes.
#[test]
fn a_rule_set_without_rules_is_refused() {
    let (_dir, dir) = scratch(&[
        ("empty.xfoot", "# nothing yet\n"),
        ("r.yaml", "lines:\n  10: 1\n"),
    ]);
    let output = crossfoot_in(&dir, &["check", "empty.xfoot", "r.yaml"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "error: empty.xfoot holds no rules; nothing would be checked\n"
    );
}

/// An output that is not a regular file (a named pipe here; `/dev/null` alike) is written
/// in place: never removed as stale, never replaced by a file moved over it.
#[cfg(unix)]
#[test]
fn an_output_that_is_not_a_file_stays_what_it_is() {
    use std::os::unix::fs::FileTypeExt;
    let (_dir, dir) = batch();
    let fifo = dir.join("results.pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let output = check(&dir, &["--format", "jsonl", "--output", "results.pipe"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let written = reader.join().unwrap();
    assert_eq!(written.lines().count(), 7, "{written}");
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "{kind:?}");
}
