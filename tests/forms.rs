//! One meaning: the same reports, handed to crossfoot in every input form (YAML and JSON
//! files, a directory, JSON Lines, wide and long CSV, standard input, one report alone or
//! among more than ten), give the same per-rule results in JSON, the same verdicts and the
//! same exit code.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly"
)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;

use common::scratch;

const RULES: &str = r#"rule sum.total "a plain sum" cite "t"
  7030 = 7010 + 7020
rule exact.thirds "no rounding on the way" cite "t"
  7040 = 7050 / 30% * 30%
rule round.half "rounds the exact product" cite "t"
  7060 = round(7070 * 1.5)
rule round.cents "to the cent" cite "t"
  7080 = round(7090, 2)
rule tolerance.absolute "a dollar either way" cite "t"
  7100 = 7110 within $1
rule tolerance.relative "a basis point of the larger side" cite "t"
  7100 = 7110 within 0.01%
rule compare.large "at the limit of 28 digits" cite "t"
  7120 >= 7130
rule ratio.share "a share that may divide by zero" cite "t"
  7140 / 7150 >= 5%
rule condition.blank "only when 7180 is blank" cite "t"
  7160 = 7170
  when 7180 is blank
rule functions "every function" cite "t"
  7190 = max(7010, 7020) + min(7030, abs(7040)) - sum(7050, 7060)
rule overflow "a product past 38 digits" cite "t"
  7200 = 7210 * 10000000000000000000.0
"#;

/// The reports: id and amounts as text.
fn reports() -> Vec<(String, Vec<(&'static str, &'static str)>)> {
    let reports: Vec<(&str, Vec<(&str, &str)>)> = vec![
        // The issue's case: 4 / 30% * 30% is 4.
        ("R01", vec![("7040", "4"), ("7050", "4")]),
        // Near 2^62 and 2^63, and at the 28-digit limit.
        (
            "R02",
            vec![
                ("7010", "4611686018427387904"),
                ("7020", "4611686018427387904"),
                ("7030", "9223372036854775808"),
                ("7120", "9999999999999999999999999999"),
                ("7130", "-9999999999999999999999999999"),
            ],
        ),
        // Exact rounding: 0.49999…95 rounds to 0; 1.005 to 1.01; the tolerances.
        (
            "R03",
            vec![
                ("7060", "0"),
                ("7070", "0.3333333333333333333333333333"),
                ("7080", "1.01"),
                ("7090", "1.005"),
                ("7100", "100.00"),
                ("7110", "100.99"),
            ],
        ),
        // Division by zero (7150 blank), a condition that holds.
        ("R04", vec![("7140", "1"), ("7160", "1"), ("7170", "1")]),
        // Overflow, and a condition that does not hold.
        (
            "R05",
            vec![
                ("7200", "1"),
                ("7210", "9999999999999999999999999999"),
                ("7160", "1"),
                ("7180", "0"),
            ],
        ),
        // Failures by a cent and by a third.
        (
            "R06",
            vec![
                ("7010", "0.10"),
                ("7020", "0.20"),
                ("7030", "0.31"),
                ("7040", "1"),
                ("7050", "1.1"),
            ],
        ),
        // Ties away from zero, negative.
        (
            "R07",
            vec![
                ("7060", "-2"),
                ("7070", "-1"),
                ("7080", "-1.01"),
                ("7090", "-1.005"),
            ],
        ),
        // A failing sum near 2^62, cents on every function.
        (
            "R08",
            vec![
                ("7010", "4611686018427387903"),
                ("7020", "1"),
                ("7030", "4611686018427387905"),
                ("7190", "12.34"),
            ],
        ),
        // Everything blank but one line of the share.
        ("R09", vec![("7150", "3")]),
        // A share that holds, and a share of a third.
        ("R10", vec![("7140", "1"), ("7150", "3")]),
        // Large values compared.
        (
            "R11",
            vec![
                ("7120", "-9999999999999999999999999999"),
                ("7130", "9999999999999999999999999999"),
            ],
        ),
        // ±7e28: the difference is beyond what a decimal holds; the comparison is exact.
        (
            "R13",
            vec![
                ("7120", "70000000000000000000000000000"),
                ("7130", "-70000000000000000000000000000"),
            ],
        ),
        ("R12", vec![("7100", "7"), ("7110", "8.0001")]),
    ];
    reports
        .into_iter()
        .map(|(id, lines)| (id.to_owned(), lines))
        .collect()
}

fn yaml(id: &str, lines: &[(&str, &str)]) -> String {
    let mut text = format!("id: {id}\nlines:\n");
    for (code, amount) in lines {
        text.push_str(&format!("  {code}: {amount}\n"));
    }
    text
}

fn json(id: &str, lines: &[(&str, &str)]) -> String {
    let pairs: Vec<String> = lines
        .iter()
        .map(|(code, amount)| format!("\"{code}\": \"{amount}\""))
        .collect();
    format!("{{\"id\": \"{id}\", \"lines\": {{{}}}}}", pairs.join(", "))
}

fn codes() -> Vec<&'static str> {
    let mut codes: Vec<&str> = reports()
        .iter()
        .flat_map(|(_, lines)| lines.iter().map(|(code, _)| *code))
        .collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}

fn wide_csv() -> String {
    let codes = codes();
    let mut text = format!("report_id,{}\n", codes.join(","));
    for (id, lines) in reports() {
        let cells: Vec<&str> = codes
            .iter()
            .map(|code| {
                lines
                    .iter()
                    .find(|(c, _)| c == code)
                    .map_or("", |(_, a)| *a)
            })
            .collect();
        text.push_str(&format!("{id},{}\n", cells.join(",")));
    }
    text
}

fn long_csv(lines: &[(&str, &str)]) -> String {
    let mut text = String::from("line,amount\n");
    for (code, amount) in lines {
        text.push_str(&format!("{code},{amount}\n"));
    }
    text
}

/// Run `check --format jsonl` in `dir`: the exit code, and each report's results by id.
fn run(dir: &Path, args: &[&str], stdin: Option<String>) -> (i32, BTreeMap<String, Value>) {
    let mut command = cargo_bin_cmd!("crossfoot");
    command
        .current_dir(dir)
        .args(["check", "--format", "jsonl", "rules.xfoot"])
        .args(args);
    if let Some(input) = stdin {
        command.write_stdin(input);
    }
    let output = command.output().unwrap();
    let mut by_id = BTreeMap::new();
    for line in String::from_utf8(output.stdout).unwrap().lines() {
        let mut report: Value = serde_json::from_str(line).unwrap();
        let id = report["id"].as_str().map(str::to_owned).unwrap_or_else(|| {
            // A long CSV file has no id: its file is named after the report.
            let name = report["report"].as_str().unwrap();
            Path::new(name)
                .file_stem()
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned()
        });
        // Where the report came from differs by form; nothing else may.
        report["report"] = Value::Null;
        report["id"] = Value::Null;
        by_id.insert(id, report);
    }
    (output.status.code().unwrap(), by_id)
}

#[test]
fn every_input_form_gives_the_same_results() {
    let mut files: Vec<(String, String)> = vec![
        ("rules.xfoot".to_owned(), RULES.to_owned()),
        ("wide.csv".to_owned(), wide_csv()),
    ];
    let mut jsonl = String::new();
    for (id, lines) in reports() {
        files.push((format!("yaml/{id}.yaml"), yaml(&id, &lines)));
        files.push((format!("json/{id}.json"), json(&id, &lines)));
        files.push((format!("long/{id}.csv"), long_csv(&lines)));
        jsonl.push_str(&json(&id, &lines));
        jsonl.push('\n');
    }
    files.push(("all.jsonl".to_owned(), jsonl.clone()));
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(name, text)| (name.as_str(), text.as_str()))
        .collect();
    let (_guard, dir) = scratch(&borrowed);
    let ids: Vec<String> = reports().into_iter().map(|(id, _)| id).collect();
    let each = |folder: &str, extension: &str| -> Vec<String> {
        ids.iter()
            .map(|id| format!("{folder}/{id}.{extension}"))
            .collect()
    };
    let as_args = |paths: &[String]| -> Vec<String> { paths.to_vec() };

    let (expected_code, expected) = run(&dir, &["yaml"], None);
    assert_eq!(expected.len(), ids.len(), "{expected:?}");
    // The cases the test is about come out as they should.
    let status = |id: &str, rule: usize| expected[id]["results"][rule]["status"].clone();
    assert_eq!(status("R01", 1), "pass", "4 / 30% * 30% is 4");
    assert_eq!(status("R02", 0), "pass", "sums near 2^62 are exact");
    assert_eq!(
        status("R02", 6),
        "pass",
        "comparisons at the limit do not overflow"
    );
    assert_eq!(status("R03", 2), "pass", "0.49999…95 rounds to 0");
    assert_eq!(status("R04", 7), "error", "division by zero");
    assert_eq!(status("R05", 10), "error", "overflow");
    assert_eq!(status("R06", 1), "fail");
    assert_eq!(
        expected["R06"]["results"][1]["right"], "1.1",
        "1.1 / 30% * 30% is exactly 1.1"
    );
    assert_eq!(status("R10", 7), "pass");
    assert_eq!(status("R13", 6), "pass", "7e28 >= -7e28");
    assert_eq!(
        expected["R13"]["results"][6]["difference"],
        "140000000000000000000000000000"
    );
    assert_eq!(expected["R10"]["results"][7]["left"], "1/3");
    assert_eq!(expected_code, 2);

    let forms: Vec<(&str, Vec<String>, Option<String>)> = vec![
        (
            "YAML files, more than ten",
            as_args(&each("yaml", "yaml")),
            None,
        ),
        ("JSON files", as_args(&each("json", "json")), None),
        ("long CSV files", as_args(&each("long", "csv")), None),
        ("wide CSV", vec!["wide.csv".to_owned()], None),
        ("JSON Lines", vec!["all.jsonl".to_owned()], None),
        (
            "JSON Lines on standard input",
            vec![
                "--input-format".to_owned(),
                "jsonl".to_owned(),
                "-".to_owned(),
            ],
            Some(jsonl.clone()),
        ),
        (
            "wide CSV on standard input",
            vec![
                "--input-format".to_owned(),
                "csv".to_owned(),
                "-".to_owned(),
            ],
            Some(wide_csv()),
        ),
    ];
    for (form, args, stdin) in forms {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, results) = run(&dir, &args, stdin);
        assert_eq!(code, expected_code, "{form}");
        assert_eq!(
            results.keys().collect::<Vec<_>>(),
            expected.keys().collect::<Vec<_>>(),
            "{form}"
        );
        for (id, report) in &results {
            assert_eq!(report, &expected[id], "{form}: {id}");
        }
    }

    // Each report alone, in each single-report form, as among the others.
    for (id, _) in reports() {
        for path in [
            format!("yaml/{id}.yaml"),
            format!("json/{id}.json"),
            format!("long/{id}.csv"),
        ] {
            let (code, results) = run(&dir, &[path.as_str()], None);
            assert_eq!(results.len(), 1, "{path}");
            assert_eq!(results[&id], expected[&id], "{path} alone");
            let summary = &results[&id]["summary"];
            let own = if summary["errors"].as_u64().unwrap() > 0 {
                2
            } else if summary["failed"].as_u64().unwrap() > 0 {
                1
            } else {
                0
            };
            assert_eq!(code, own, "{path} alone");
        }
    }
}

/// The human verdicts agree with the JSON ones in every form: the summary counts the same
/// failing reports.
#[test]
fn the_human_summary_counts_what_the_json_says() {
    let mut jsonl = String::new();
    for (id, lines) in reports() {
        jsonl.push_str(&json(&id, &lines));
        jsonl.push('\n');
    }
    let (_guard, dir) = scratch(&[
        ("rules.xfoot", RULES),
        ("wide.csv", &wide_csv()),
        ("all.jsonl", &jsonl),
    ]);
    for input in ["wide.csv", "all.jsonl"] {
        let (code, results) = run(&dir, &[input], None);
        let number = |r: &Value, field: &str| r["summary"][field].as_u64().unwrap();
        let errors = results.values().filter(|r| number(r, "errors") > 0).count();
        let failed = results
            .values()
            .filter(|r| number(r, "errors") == 0 && number(r, "failed") > 0)
            .count();
        let failing_rules: u64 = results
            .values()
            .map(|r| r["summary"]["failed"].as_u64().unwrap())
            .sum();
        let output = cargo_bin_cmd!("crossfoot")
            .current_dir(&dir)
            .args(["check", "--color", "never", "rules.xfoot", input])
            .output()
            .unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        let ok = results.len() - errors - failed;
        let line = format!(
            "13 reports: {ok} ok, {failed} failed ({failing_rules} rule failures), {errors} could not be evaluated\n"
        );
        assert!(errors > 0 && failed > 0, "the reports exercise both");
        assert!(stdout.ends_with(&line), "{input}: expected {line}{stdout}");
        assert_eq!(output.status.code(), Some(code));
    }
}
