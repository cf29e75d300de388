//! The CI formats: JSON against its schema, SARIF's structure, JUnit well-formed and
//! escaped, GitHub workflow commands, and every format agreeing with the human output.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly"
)]

mod common;

use common::{crossfoot, root, stdout};

use std::collections::BTreeSet;
use std::fs;
use std::path::PathBuf;
use std::process::Output;

use serde_json::Value;
use tempfile::TempDir;

/// The CFTC pages of the shipped pack: the filing in every input form and output.
const PACK: &str = "rules/focus/cftc";
const FILING: &str = "examples/hsbc-2020-07.yaml";

/// A scratch directory with copies of the filing: one with 7190 a dollar high (two
/// failures), one with 7047 positive (a sign rule and the offset fail), one unreadable.
fn reports() -> (TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    let filing = fs::read_to_string(root().join(FILING)).unwrap();
    let files = [
        (
            "july <&\"'>.yaml",
            filing.replace("7190: 198161467 ", "7190: 198161468 "),
        ),
        (
            "offset.yaml",
            filing.replace("7047: -16446970 ", "7047: 16446970 "),
        ),
        ("bad.yaml", "lines:\n  7010: 12abc\n".to_owned()),
    ];
    let paths = files
        .iter()
        .map(|(name, text)| {
            let path = dir.path().join(name);
            fs::write(&path, text).unwrap();
            path
        })
        .collect();
    (dir, paths)
}

fn run(format: &str, reports: &[PathBuf]) -> Output {
    let mut args = vec![
        "check".to_owned(),
        "--format".to_owned(),
        format.to_owned(),
        PACK.to_owned(),
    ];
    args.extend(reports.iter().map(|p| p.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    crossfoot(&args)
}

fn schema() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(&fs::read_to_string(root().join("schema/check.json")).unwrap())
            .unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn assert_valid(validator: &jsonschema::Validator, instance: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn json_output_matches_its_schema() {
    let validator = schema();
    let (_dir, mut paths) = reports();
    paths.insert(0, root().join(FILING));
    let output = run("json", &paths);
    assert_eq!(output.status.code(), Some(2));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_valid(&validator, &json);
    assert_eq!(json["reports"].as_array().unwrap().len(), 3);
    assert_eq!(json["errors"].as_array().unwrap().len(), 1);
    assert!(
        json["reports"][1]["root_causes"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
    );
    // Only the failing results, and each JSON Lines line (a report or a problem), validate.
    let mut args = vec!["check", "--format", "json", "--results", "failing", PACK];
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    args.extend(names.iter().map(String::as_str));
    let failing: Value = serde_json::from_slice(&crossfoot(&args).stdout).unwrap();
    assert_valid(&validator, &failing);
    assert_eq!(failing["reports"][1]["results_listed"], "failing");
    args[2] = "jsonl";
    let lines = stdout(&crossfoot(&args));
    assert_eq!(lines.lines().count(), 4);
    for line in lines.lines() {
        let line: Value = serde_json::from_str(line).unwrap();
        let wrapped = if line["status"] == "unreadable" {
            serde_json::json!({ "reports": [], "errors": [line] })
        } else {
            serde_json::json!({ "reports": [line] })
        };
        assert_valid(&validator, &wrapped);
    }
    // An evaluation error validates too.
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("r.xfoot"), "rule t 7010 / 7020 >= 5%\n").unwrap();
    fs::write(dir.path().join("r.yaml"), "lines:\n  7010: 1\n").unwrap();
    let output = crossfoot(&[
        "check",
        "--format",
        "json",
        dir.path().join("r.xfoot").to_str().unwrap(),
        dir.path().join("r.yaml").to_str().unwrap(),
    ]);
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["reports"][0]["results"][0]["status"], "error");
    assert_valid(&validator, &json);
    // A value without a finite decimal expansion is its exact fraction, and validates.
    fs::write(dir.path().join("r.yaml"), "lines:\n  7010: 1\n  7020: 3\n").unwrap();
    let output = crossfoot(&[
        "check",
        "--format",
        "json",
        dir.path().join("r.xfoot").to_str().unwrap(),
        dir.path().join("r.yaml").to_str().unwrap(),
    ]);
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["reports"][0]["results"][0]["left"], "1/3");
    assert_valid(&validator, &json);
    // A report in thousands, a rounding band, a blank total, a previous report: validate.
    let rules = "page p \"P\"\n  7010 \"a\"\n  7020 \"b\"\n  7030 \"total\" total\n\
                 rule band 7030 = 7010 + 7020 within rounding\n\
                 rule total 7020 = 7030 - 7010\n\
                 rule drop 7010 >= 50% * prior(7010)\n";
    fs::write(dir.path().join("r.xfoot"), rules).unwrap();
    let reports = "{\"id\": \"a\", \"firm\": \"F\", \"as_of\": \"2024-01-31\", \"unit\": \"thousands\", \"lines\": {\"7010\": \"1\", \"7020\": \"2\"}}\n\
                   {\"id\": \"b\", \"firm\": \"F\", \"as_of\": \"2024-02-29\", \"unit\": \"thousands\", \"lines\": {\"7010\": \"1\", \"7020\": \"2\", \"7030\": \"4\"}}\n";
    fs::write(dir.path().join("r.jsonl"), reports).unwrap();
    let output = crossfoot(&[
        "check",
        "--format",
        "json",
        dir.path().join("r.xfoot").to_str().unwrap(),
        dir.path().join("r.jsonl").to_str().unwrap(),
    ]);
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_valid(&validator, &json);
    let second = &json["reports"][1];
    assert_eq!(second["unit"], "thousands");
    assert_eq!(second["prior"]["as_of"], "2024-01-31");
    assert_eq!(second["results"][0]["band"]["figures"], 3);
    assert_eq!(json["reports"][0]["results"][1]["reason"], "blank_total");
    assert_eq!(json["reports"][0]["results"][2]["reason"], "no_prior");
    assert_eq!(
        second["results"][2]["lines"][0],
        serde_json::json!({"code": "7010", "amount": "1", "prior": "1"})
    );
}

#[test]
fn the_schema_rejects_what_breaks_the_contract() {
    let validator = schema();
    let output = crossfoot(&["check", "--format", "json", PACK, FILING]);
    let good: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_valid(&validator, &good);
    let mut bad = good.clone();
    bad["reports"][0]["results"][0]["status"] = Value::from("maybe");
    assert!(!validator.is_valid(&bad));
    let mut bad = good.clone();
    bad["reports"][0]["results"][0]["left"] = Value::from(198161467.0);
    assert!(
        !validator.is_valid(&bad),
        "amounts must be strings, never JSON numbers"
    );
    let mut bad = good;
    bad["reports"][0]["results"][0]["lines"][0]["amount"] = Value::from("1e9");
    assert!(!validator.is_valid(&bad));
}

#[test]
fn sarif_has_the_required_structure_and_points_at_rules() {
    let (_dir, paths) = reports();
    let output = run("sarif", &paths);
    assert_eq!(output.status.code(), Some(2));
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "crossfoot");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 57);
    assert!(
        rules
            .iter()
            .all(|r| r["id"].is_string() && r["shortDescription"]["text"].is_string())
    );
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for result in results {
        let id = result["ruleId"].as_str().unwrap();
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], id);
        assert!(["error", "warning", "note"].contains(&result["level"].as_str().unwrap()));
        let message = result["message"]["text"].as_str().unwrap();
        assert!(
            message.contains(".yaml: ") && message.contains("difference"),
            "{message}"
        );
        let location = &result["locations"][0]["physicalLocation"];
        let file = location["artifactLocation"]["uri"].as_str().unwrap();
        let line = location["region"]["startLine"].as_u64().unwrap() as usize;
        let column = location["region"]["startColumn"].as_u64().unwrap() as usize;
        // The region is the rule's assertion in a real file.
        let text = fs::read_to_string(root().join(file)).unwrap();
        let assertion = text.lines().nth(line - 1).unwrap();
        assert!(
            assertion[column - 1..].contains(" = ") || assertion[column - 1..].contains(" <= "),
            "{assertion}"
        );
    }
}

#[test]
fn junit_is_well_formed_and_escaped() {
    let (_dir, paths) = reports();
    let output = run("junit", &paths);
    let xml = stdout(&output);
    let document = roxmltree::Document::parse(&xml).unwrap();
    let suites = document.root_element();
    assert_eq!(suites.tag_name().name(), "testsuites");
    let suite_names: Vec<&str> = suites
        .children()
        .filter(|n| n.is_element())
        .map(|n| n.attribute("name").unwrap())
        .collect();
    assert_eq!(suite_names.len(), 3);
    assert!(
        suite_names[0].ends_with("july <&\"'>.yaml"),
        "{suite_names:?}"
    );
    let first = suites.children().find(|n| n.is_element()).unwrap();
    let cases: Vec<_> = first
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 57);
    let failed: Vec<&str> = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .map(|c| c.attribute("name").unwrap())
        .collect();
    assert_eq!(failed, ["seg.excess", "seg.target_excess"]);
    let skipped = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("skipped")))
        .count();
    assert_eq!(skipped, 9);
    let failure = cases[4]
        .children()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert!(
        failure
            .text()
            .unwrap()
            .contains("help: the report has 198,161,468; the rule expects 198,161,467")
    );
    assert_eq!(first.attribute("failures"), Some("2"));
    // The unreadable report is a suite of its own with one error.
    let unreadable = suites
        .children()
        .filter(|n| n.is_element())
        .find(|n| {
            n.attribute("name")
                .is_some_and(|name| name.ends_with("bad.yaml"))
        })
        .unwrap();
    assert_eq!(unreadable.attribute("errors"), Some("1"));
    // The root carries no totals: they would need every suite before the first.
    assert_eq!(suites.attribute("errors"), None);
}

#[test]
fn github_commands_annotate_the_rules() {
    let (_dir, paths) = reports();
    let output = run("github", &paths);
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("::error file=rules/focus/cftc/1-segregation.xfoot,line=67,col=3,endLine=67,endColumn=21,title=seg.excess::"), "{}", lines[0]);
    assert!(lines.iter().all(|l| l.starts_with("::error ")
        || l.starts_with("::warning ")
        || l.starts_with("::notice ")));
    // The unreadable report is an error too.
    let last = lines.last().unwrap();
    assert!(last.starts_with("::error file="), "{text}");
    assert!(
        last.ends_with("bad.yaml,title=unreadable report::line 7010: `12abc` is not an amount"),
        "{text}"
    );
}

/// `(report, rule)` pairs that did not hold, as each format tells it.
fn failing(format: &str, output: &Output) -> BTreeSet<(String, String)> {
    let text = stdout(output);
    match format {
        "human" => {
            let mut found = BTreeSet::new();
            let mut report = String::new();
            for line in text.lines() {
                if let Some(rest) = line
                    .strip_prefix("FAIL: ")
                    .or_else(|| line.strip_prefix("warning: "))
                {
                    report = rest.split(" (").next().unwrap().to_owned();
                }
                if let Some(ids) = line.strip_prefix("  failed: ") {
                    for id in ids.split(", ") {
                        found.insert((report.clone(), id.to_owned()));
                    }
                }
            }
            found
        }
        "json" => {
            let json: Value = serde_json::from_str(&text).unwrap();
            json["reports"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|r| {
                    let name = r["report"].as_str().unwrap().to_owned();
                    r["results"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter(|x| x["status"] == "fail")
                        .map(move |x| (name.clone(), x["rule"].as_str().unwrap().to_owned()))
                })
                .collect()
        }
        "sarif" => {
            let sarif: Value = serde_json::from_str(&text).unwrap();
            sarif["runs"][0]["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r["properties"]["report"].as_str().unwrap().to_owned(),
                        r["ruleId"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        }
        "junit" => {
            let document = roxmltree::Document::parse(&text).unwrap();
            document
                .descendants()
                .filter(|n| {
                    n.has_tag_name("testcase") && n.children().any(|c| c.has_tag_name("failure"))
                })
                .map(|n| {
                    (
                        n.attribute("classname").unwrap().to_owned(),
                        n.attribute("name").unwrap().to_owned(),
                    )
                })
                .collect()
        }
        "github" => text
            .lines()
            .filter(|l| l.contains(",title="))
            .map(|l| {
                let title = l.split(",title=").nth(1).unwrap();
                let (rule, message) = title.split_once("::").unwrap();
                let report = message.split(".yaml: ").next().unwrap().to_owned() + ".yaml";
                (report, rule.to_owned())
            })
            .collect(),
        _ => unreachable!(),
    }
}

#[test]
fn every_format_reports_the_same_outcomes() {
    let (_dir, paths) = reports();
    let paths = &paths[..2];
    let human = run("human", paths);
    let expected = failing("human", &human);
    assert_eq!(expected.len(), 4, "{expected:?}");
    for format in ["json", "sarif", "junit", "github"] {
        let output = run(format, paths);
        assert_eq!(output.status.code(), human.status.code(), "{format}");
        assert_eq!(failing(format, &output), expected, "{format}");
    }
}

#[test]
fn output_writes_the_machine_format_and_keeps_the_human_summary() {
    let (dir, paths) = reports();
    let file = dir.path().join("results.sarif");
    let output = crossfoot(&[
        "check",
        "--format",
        "sarif",
        "--output",
        file.to_str().unwrap(),
        "--color",
        "never",
        PACK,
        paths[0].to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("× line 7190 does not equal 7180 - 7060"));
    assert!(stdout(&output).contains("FAIL: "));
    let sarif: Value = serde_json::from_str(&fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 2);
}
