//! One JSON contract: what `check --format json` and `jsonl` write is exactly what
//! `schema/check.json` declares, and exactly what the Rust types for programs that read
//! the output (`crossfoot::render::JsonOutput` and the types under it) hold.
//!
//! A small rule set exercises every feature the contract has a key for (units, `within
//! rounding` bands, `prior(…)` with and without a previous report, blank totals, waivers,
//! unreadable rows, every reason a rule is skipped, evaluation errors, root causes, a
//! pack, ids, `--results failing`), and the test checks four things of the output:
//! - it validates against the schema, whose every object refuses unknown keys;
//! - every key the schema declares appears in it (so the inputs really exercise each
//!   feature, and the schema declares nothing the writer never writes);
//! - it parses into the reader types, which refuse unknown fields;
//! - those types serialize back to the same JSON, so no key or `null` is lost on the way.

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
use std::path::Path;

use crossfoot_render::{JsonOutput, JsonProblem, JsonReport};
use serde_json::Value;
use tempfile::TempDir;

const RULES: &str = r#"page p "A page"
  7010 "Cash"
  7020 "Securities"
  7030 "Other assets"
  7040 "Total assets" total
  7050 "Capital"
  7060 "Liabilities"
  7070 "Memo one"
  7080 "Memo two"

rule t.assets "Total assets"
  7040 = 7010 + 7020 + 7030

rule t.funded "Total assets are capital and liabilities"
  7040 = 7050 + 7060

rule t.rounded "Total assets, as printed"
  7040 = 7010 + 7020 + 7030 within rounding

rule t.ratio "Cash is at least 5% of capital"
  7010 / 7050 >= 5%

rule t.cond "Securities are not negative when there are liabilities"
  7020 >= $0 when 7060 > $0

rule t.memo "The memo lines agree"
  severity info
  7070 = 7080

rule t.future "A rule not yet in force"
  effective from 2030-01-01
  7010 >= $0

rule t.growth "Cash at most doubled"
  severity warning
  7010 <= 200% * prior(7010)

rule t.memo_growth "The memo grew by at most five"
  7070 <= prior(7070) + $5

rule t.large "Other assets are large"
  7030 >= $1,000,000,000
"#;

const WAIVERS: &str = "waivers:
  - rule: t.large
    firm: Firm
    justification: Known (COMP-1)
    approver: A. Person
    expires: 2099-01-01
";

/// A rules directory (with a pack file and waivers) and the reports that exercise the
/// contract: January (thousands, no previous report, a division by zero), February (the
/// previous report is January's; a total off, so two rules fail and a root cause shows),
/// a report with a blank total and no date, and a CSV file with an unreadable row.
fn inputs() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    write("rules/r.xfoot", RULES);
    write("rules/pack.yaml", "pack: contract\nversion: 1.0.0\n");
    write("rules/waivers.yaml", WAIVERS);
    write(
        "jan.yaml",
        "firm: Firm\nas_of: 2024-01-31\nunit: thousands\nlines:\n  7010: 10\n  7020: 20\n  7030: 30\n  7040: 60\n  7050: 0\n  7060: 0\n",
    );
    write(
        "feb.yaml",
        "id: F-02\nfirm: Firm\nas_of: 2024-02-29\nunit: thousands\nlines:\n  7010: 15\n  7020: 20\n  7030: 30\n  7040: 66\n  7050: 40\n  7060: 25\n  7070: 1\n",
    );
    write(
        "undated.yaml",
        "lines:\n  7010: 5\n  7020: 1\n  7050: 50\n  7060: 1\n",
    );
    write("batch.csv", "report_id,7010,7050\nR1,12abc,1\nR2,5,10\n");
    dir
}

fn run(dir: &Path, format: &str, extra: &[&str]) -> String {
    let mut args = vec!["check", "--format", format];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["rules", "jan.yaml", "feb.yaml", "undated.yaml", "batch.csv"]);
    let output = common::crossfoot_in(dir, &args);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    stdout(&output)
}

fn schema() -> Value {
    serde_json::from_str(&fs::read_to_string(root().join("schema/check.json")).unwrap()).unwrap()
}

fn assert_valid(validator: &jsonschema::Validator, instance: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\nin {instance:#}");
}

/// The schema at a `$ref` of this file (`#/$defs/report`).
fn resolve<'a>(schema: &'a Value, at: &'a Value) -> &'a Value {
    match at.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.strip_prefix('#').unwrap();
            resolve(schema, schema.pointer(pointer).unwrap())
        }
        None => at,
    }
}

/// Every key path the schema declares (`reports[].results[].band.low`), following
/// `$ref`s, `items` and the branches of `oneOf`; `then` branches only narrow types.
fn declared(schema: &Value, at: &Value, path: &str, out: &mut BTreeSet<String>) {
    let at = resolve(schema, at);
    if let Some(properties) = at.get("properties").and_then(Value::as_object) {
        for (key, property) in properties {
            let path = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            out.insert(path.clone());
            declared(schema, property, &path, out);
        }
    }
    if let Some(items) = at.get("items") {
        declared(schema, items, &format!("{path}[]"), out);
    }
    for branch in at
        .get("oneOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        declared(schema, branch, path, out);
    }
}

/// Every key path an instance holds.
fn seen(value: &Value, path: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                let path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                out.insert(path.clone());
                seen(value, &path, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                seen(item, &format!("{path}[]"), out);
            }
        }
        _ => {}
    }
}

/// Every object schema in the file refuses keys it does not declare.
fn assert_closed(at: &Value, path: &str) {
    match at {
        Value::Object(map) => {
            let is_object = map.get("type") == Some(&Value::from("object"))
                || map.contains_key("properties") && !map.contains_key("if");
            let in_condition = path.ends_with("/if") || path.ends_with("/then");
            if is_object && !in_condition {
                assert_eq!(
                    map.get("additionalProperties"),
                    Some(&Value::Bool(false)),
                    "the object schema at {path} accepts keys it does not declare"
                );
            }
            for (key, value) in map {
                assert_closed(value, &format!("{path}/{key}"));
            }
        }
        Value::Array(items) => {
            for (n, item) in items.iter().enumerate() {
                assert_closed(item, &format!("{path}/{n}"));
            }
        }
        _ => {}
    }
}

/// The document parses into the reader types and serializes back to itself.
fn assert_round_trip(document: &Value) {
    let parsed: JsonOutput =
        serde_json::from_value(document.clone()).unwrap_or_else(|e| panic!("{e}\nin {document:#}"));
    assert_eq!(&serde_json::to_value(&parsed).unwrap(), document);
}

#[test]
fn the_schema_refuses_unknown_keys_everywhere() {
    assert_closed(&schema(), "#");
}

#[test]
fn json_output_is_exactly_the_schema_and_the_reader_types() {
    let dir = inputs();
    let schema = schema();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut keys = BTreeSet::new();

    let all: Value = serde_json::from_str(&run(dir.path(), "json", &[])).unwrap();
    assert_valid(&validator, &all);
    assert_round_trip(&all);
    seen(&all, "", &mut keys);

    let failing: Value =
        serde_json::from_str(&run(dir.path(), "json", &["--results", "failing"])).unwrap();
    assert_valid(&validator, &failing);
    assert_round_trip(&failing);
    seen(&failing, "", &mut keys);

    // Each JSON Lines line is a report object or a problem, as in the document.
    let lines = run(dir.path(), "jsonl", &[]);
    let mut problems = 0;
    for line in lines.lines() {
        let line: Value = serde_json::from_str(line).unwrap();
        let wrapped = if line["status"] == "unreadable" {
            problems += 1;
            let _: JsonProblem = serde_json::from_value(line.clone()).unwrap();
            serde_json::json!({ "reports": [], "errors": [line] })
        } else {
            let _: JsonReport = serde_json::from_value(line.clone()).unwrap();
            serde_json::json!({ "reports": [line] })
        };
        assert_valid(&validator, &wrapped);
        assert_round_trip(&wrapped);
    }
    assert_eq!((lines.lines().count(), problems), (5, 1));

    // Rules that cannot be used: the document still parses, its problem under `errors`.
    fs::write(dir.path().join("rules/r.xfoot"), "rule t.broken 7010 =\n").unwrap();
    let stopped: Value = serde_json::from_str(&run(dir.path(), "json", &[])).unwrap();
    assert_valid(&validator, &stopped);
    assert_round_trip(&stopped);
    assert_eq!(stopped["reports"], serde_json::json!([]));

    let mut want = BTreeSet::new();
    declared(&schema, &schema, "", &mut want);
    let missing: Vec<&String> = want.difference(&keys).collect();
    assert!(
        missing.is_empty(),
        "the schema declares keys the inputs never made the writer write: {missing:?}"
    );
    let undeclared: Vec<&String> = keys.difference(&want).collect();
    assert!(undeclared.is_empty(), "undeclared keys: {undeclared:?}");

    // What each feature wrote, as a reader sees it.
    let parsed: JsonOutput = serde_json::from_value(all).unwrap();
    let [jan, feb, undated, r2] = &parsed.reports[..] else {
        panic!("{parsed:#?}");
    };
    let result = |report: &JsonReport, rule: &str| {
        report
            .results
            .iter()
            .find(|r| r.rule == rule)
            .unwrap()
            .clone()
    };
    assert_eq!(jan.unit.as_deref(), Some("thousands"));
    assert!(jan.prior.is_none());
    assert_eq!(result(jan, "t.growth").reason.as_deref(), Some("no_prior"));
    assert_eq!(result(jan, "t.ratio").status, "error");
    assert_eq!(
        result(jan, "t.cond").reason.as_deref(),
        Some("condition_false")
    );
    assert_eq!(
        result(jan, "t.memo").reason.as_deref(),
        Some("all_lines_blank")
    );
    assert_eq!(
        result(jan, "t.future").reason.as_deref(),
        Some("not_in_force")
    );
    let prior = feb.prior.as_ref().unwrap();
    assert_eq!(
        (prior.report.as_str(), prior.as_of.as_str()),
        ("jan.yaml", "2024-01-31")
    );
    let growth = result(feb, "t.growth");
    assert_eq!(growth.lines[0].prior, Some(Some("10".to_owned())));
    // A line blank on the previous report is `"prior": null`, not an absent key.
    let memo = result(feb, "t.memo_growth");
    assert_eq!(memo.lines[0].prior, Some(None));
    assert_eq!(result(jan, "t.memo_growth").lines[0].prior, None);
    let band = result(feb, "t.rounded").band.unwrap();
    assert_eq!(
        (band.low.as_str(), band.high.as_str(), band.figures),
        ("-1", "3", 4)
    );
    assert_eq!(result(feb, "t.large").status, "waived");
    assert!(!feb.root_causes.is_empty());
    assert_eq!(
        result(undated, "t.assets").reason.as_deref(),
        Some("blank_total")
    );
    assert_eq!(r2.id.as_deref(), Some("R2"));
    assert_eq!(parsed.errors.len(), 1);
    assert_eq!(jan.pack.as_ref().unwrap().to_string(), "contract 1.0.0");
}

#[test]
fn the_reader_types_refuse_unknown_keys() {
    let dir = inputs();
    let mut document: Value = serde_json::from_str(&run(dir.path(), "json", &[])).unwrap();
    document["reports"][0]["results"][0]["surprise"] = Value::Bool(true);
    let error = serde_json::from_value::<JsonOutput>(document)
        .unwrap_err()
        .to_string();
    assert!(error.contains("unknown field `surprise`"), "{error}");
    let _ = crossfoot;
}
