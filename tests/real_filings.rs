//! Real filings beyond whole dollars: a report's unit in every input form, blank totals,
//! and the previous report a rule reads with `prior(…)`, chosen the same way whatever the
//! order of the inputs.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly"
)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use common::{crossfoot_in, scratch, stderr, stdout};

const SCHEDULE_RULES: &str = r#"page nc "Computation of net capital"
  3500 "Total ownership equity qualified for net capital" total
  3480 "Total ownership equity"
  3490 "Deduct ownership equity not allowable for net capital" deduction
  3520 "Liabilities subordinated to claims of general creditors"
  3530 "Total capital and allowable subordinated liabilities" total
  3860 "Percentage of debt to debt-equity total" percent
  3880 "Minimum dollar net capital requirement"

rule nc.sign "Ownership equity not allowable is a deduction"
  3490 <= $0

rule nc.qualified "Total ownership equity qualified for net capital"
  3500 = 3480 + 3490

rule nc.capital "Total capital and allowable subordinated liabilities"
  3530 = 3500 + 3520 within rounding

rule nc.capital.chained "Total capital, from the lines of the total"
  3530 = 3480 + 3490 + 3520 within rounding

rule nc.minimum "Minimum dollar net capital requirement"
  3880 >= $250,000

rule nc.debt_equity "Percentage of debt to debt-equity total"
  3860 = round(3520 / (3520 + 3480), 0.01%) within rounding
"#;

/// Each report's JSON object from `check --format jsonl`, by id, and the exit code.
fn jsonl_by_id(dir: &Path, args: &[&str]) -> (i32, BTreeMap<String, Value>) {
    let mut full = vec!["check", "--format", "jsonl"];
    full.extend_from_slice(args);
    let output = crossfoot_in(dir, &full);
    let mut by_id = BTreeMap::new();
    for line in stdout(&output).lines() {
        let mut report: Value = serde_json::from_str(line).unwrap();
        let id = report["id"].as_str().unwrap().to_owned();
        report["report"] = Value::Null;
        by_id.insert(id, report);
    }
    (output.status.code().unwrap(), by_id)
}

#[test]
fn a_unit_means_the_same_in_every_input_form() {
    let lines = [
        ("3480", "650226"),
        ("3490", "0"),
        ("3520", "975000"),
        ("3530", "1625227"),
        ("3860", "59.99"),
        ("3880", "250"),
    ];
    let yaml_lines: String = lines
        .iter()
        .map(|(code, amount)| format!("  {code}: {amount}\n"))
        .collect();
    let json_lines: Vec<String> = lines
        .iter()
        .map(|(code, amount)| format!("\"{code}\": \"{amount}\""))
        .collect();
    let json = format!(
        "{{\"id\": \"S\", \"firm\": \"F\", \"as_of\": \"2008-12-31\", \"unit\": \"thousands\", \"lines\": {{{}}}}}",
        json_lines.join(", ")
    );
    let codes: Vec<&str> = lines.iter().map(|(code, _)| *code).collect();
    let amounts: Vec<&str> = lines.iter().map(|(_, amount)| *amount).collect();
    let csv = format!(
        "report_id,firm,as_of,unit,{}\nS,F,2008-12-31,thousands,{}\n",
        codes.join(","),
        amounts.join(",")
    );
    let yaml = format!("id: S\nfirm: F\nas_of: 2008-12-31\nunit: 1000\nlines:\n{yaml_lines}");
    let (_guard, dir) = scratch(&[
        ("rules.xfoot", SCHEDULE_RULES),
        ("s.yaml", &yaml),
        ("s.json", &json),
        ("s.jsonl", &format!("{json}\n")),
        ("s.csv", &csv),
    ]);
    let (code, expected) = jsonl_by_id(&dir, &["rules.xfoot", "s.yaml"]);
    // 3500 is a blank total: the rule that reads it is skipped; the chained form checks
    // the same total (1 thousand off, within the rounding of 4 figures) and passes.
    assert_eq!(code, 0, "{expected:?}");
    let report = &expected["S"];
    assert_eq!(report["unit"], "thousands");
    let results: BTreeMap<&str, &Value> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["rule"].as_str().unwrap(), r))
        .collect();
    assert_eq!(results["nc.qualified"]["reason"], "blank_total");
    assert_eq!(results["nc.capital"]["reason"], "blank_total");
    assert_eq!(results["nc.capital"]["message"], "total line 3500 is blank");
    assert_eq!(results["nc.capital.chained"]["status"], "pass");
    assert_eq!(results["nc.capital.chained"]["difference"], "1");
    assert_eq!(
        results["nc.capital.chained"]["band"],
        serde_json::json!({"low": "-1", "high": "3", "figures": 4})
    );
    // $250,000 is 250 in thousands: it holds at exactly 250.
    assert_eq!(results["nc.minimum"]["status"], "pass");
    assert_eq!(results["nc.minimum"]["right"], "250");
    assert_eq!(results["nc.debt_equity"]["status"], "pass");
    for file in ["s.json", "s.jsonl", "s.csv"] {
        let (other_code, other) = jsonl_by_id(&dir, &["rules.xfoot", file]);
        assert_eq!((other_code, &other), (code, &expected), "{file}");
    }
    // In dollars, the same figures fail the minimum: 250 dollars is not $250,000.
    let dollars = yaml.replace("unit: 1000\n", "");
    let (_guard, dir) = scratch(&[("rules.xfoot", SCHEDULE_RULES), ("d.yaml", &dollars)]);
    let (code, by_id) = jsonl_by_id(&dir, &["rules.xfoot", "d.yaml"]);
    assert_eq!(code, 1);
    assert!(by_id["S"].get("unit").is_none());
}

#[test]
fn a_blank_total_says_why_the_rule_was_skipped() {
    let (_guard, dir) = scratch(&[
        ("rules.xfoot", SCHEDULE_RULES),
        (
            "r.yaml",
            "unit: millions\nlines:\n  3480: 2274\n  3520: 245\n  3530: 2519\n  3860: 9.73\n  3880: 1\n",
        ),
    ]);
    let output = crossfoot_in(&dir, &["check", "-v", "rules.xfoot", "r.yaml"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("  skipped nc.capital (total line 3500 is blank)\n"),
        "{text}"
    );
    assert!(text.contains("  pass    nc.capital.chained\n"), "{text}");
}

const PRIOR_RULES: &str = r#"rule nc.drop "Net capital fell by more than a fifth since the previous report"
  severity warning
  3750 >= 80% * prior(3750)
  passes 3750 = 80, prior(3750) = 100
  fails 3750 = 79, prior(3750) = 100
  skips 3750 = 79
"#;

fn report(id: &str, firm: Option<&str>, as_of: Option<&str>, net_capital: u32) -> String {
    let mut text = format!("{{\"id\": \"{id}\", ");
    if let Some(firm) = firm {
        text.push_str(&format!("\"firm\": \"{firm}\", "));
    }
    if let Some(as_of) = as_of {
        text.push_str(&format!("\"as_of\": \"{as_of}\", "));
    }
    text.push_str(&format!("\"lines\": {{\"3750\": \"{net_capital}\"}}}}\n"));
    text
}

/// What each report's previous report came to: its id's `as_of`, or the skip message.
fn priors(by_id: &BTreeMap<String, Value>) -> BTreeMap<String, String> {
    by_id
        .iter()
        .map(|(id, report)| {
            let rule = &report["results"][0];
            let found = match report.get("prior") {
                Some(prior) => format!(
                    "{} {}",
                    prior["as_of"].as_str().unwrap(),
                    rule["status"].as_str().unwrap()
                ),
                None => rule["message"].as_str().unwrap().to_owned(),
            };
            (id.clone(), found)
        })
        .collect()
}

#[test]
fn the_previous_report_is_the_same_firms_latest_earlier_one_in_any_order() {
    let reports = [
        report("A-jan", Some("A"), Some("2024-01-31"), 100),
        report("A-feb", Some("A"), Some("2024-02-29"), 70),
        // March is missing: April's previous report is February's.
        report("A-apr", Some("A"), Some("2024-04-30"), 69),
        // Two reports of A on the same day: May cannot tell which came before it.
        report("A-may-1", Some("A"), Some("2024-05-31"), 60),
        report("A-may-2", Some("A"), Some("2024-05-31"), 61),
        report("A-jun", Some("A"), Some("2024-06-30"), 60),
        // Another firm's earlier report is not A's.
        report("B-jan", Some("B"), Some("2023-12-31"), 1000),
        report("B-feb", Some("B"), Some("2024-02-29"), 10),
        // No date, no previous report; reports without a firm match each other.
        report("A-undated", Some("A"), None, 1),
        report("N-jan", None, Some("2024-01-31"), 5),
        report("N-feb", None, Some("2024-02-29"), 5),
    ];
    let forward: String = reports.concat();
    let backward: String = reports.iter().rev().map(String::as_str).collect();
    let (_guard, dir) = scratch(&[
        ("rules.xfoot", PRIOR_RULES),
        ("forward.jsonl", &forward),
        ("backward.jsonl", &backward),
    ]);
    let (code, by_id) = jsonl_by_id(&dir, &["rules.xfoot", "forward.jsonl"]);
    assert_eq!(code, 0, "warnings do not fail the run");
    let expected: BTreeMap<String, String> = [
        ("A-jan", "no prior report: no earlier report of the firm"),
        ("A-feb", "2024-01-31 fail"),
        ("A-apr", "2024-02-29 pass"),
        ("A-may-1", "2024-04-30 pass"),
        ("A-may-2", "2024-04-30 pass"),
        (
            "A-jun",
            "no prior report: more than one report of the firm as of 2024-05-31",
        ),
        ("A-undated", "no prior report: the report has no as_of"),
        ("B-jan", "no prior report: no earlier report of the firm"),
        ("B-feb", "2023-12-31 fail"),
        ("N-jan", "no prior report: no earlier report of the firm"),
        ("N-feb", "2024-01-31 pass"),
    ]
    .into_iter()
    .map(|(id, found)| (id.to_owned(), found.to_owned()))
    .collect();
    assert_eq!(priors(&by_id), expected);
    let (back_code, back) = jsonl_by_id(&dir, &["rules.xfoot", "backward.jsonl"]);
    assert_eq!((back_code, priors(&back)), (code, expected));
}

#[test]
fn a_single_report_is_given_its_previous_one() {
    let (_guard, dir) = scratch(&[
        ("rules.xfoot", PRIOR_RULES),
        (
            "may.yaml",
            "id: may\nfirm: A\nas_of: 2024-05-31\nlines:\n  3750: 70\n",
        ),
        (
            "april.yaml",
            "id: april\nfirm: A\nas_of: 2024-04-30\nlines:\n  3750: 100\n",
        ),
        (
            "other.yaml",
            "id: other\nfirm: B\nas_of: 2024-04-30\nlines:\n  3750: 1\n",
        ),
    ]);
    let output = crossfoot_in(
        &dir,
        &["check", "rules.xfoot", "may.yaml", "--prior", "april.yaml"],
    );
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.contains("on the prior report, 3750 = 100"), "{text}");
    assert!(
        text.contains("the report has 70; the rule requires at least 80.00 (short by 10.00)"),
        "{text}"
    );
    let (_, by_id) = jsonl_by_id(&dir, &["rules.xfoot", "may.yaml", "--prior", "other.yaml"]);
    assert_eq!(
        priors(&by_id)["may"],
        "no prior report: no earlier report of the firm"
    );
    // explain reads the same previous report.
    let output = crossfoot_in(
        &dir,
        &[
            "explain",
            "rules.xfoot",
            "may.yaml",
            "--prior",
            "april.yaml",
        ],
    );
    assert!(
        stdout(&output).contains("  100       * prior(3750)\n"),
        "{}",
        stdout(&output)
    );
    let output = crossfoot_in(&dir, &["explain", "rules.xfoot", "may.yaml"]);
    assert!(
        stdout(&output).contains("skipped: no prior report: no earlier report of the firm"),
        "{}",
        stdout(&output)
    );
    // The examples, with and without a previous report, hold.
    let output = crossfoot_in(&dir, &["test", "rules.xfoot"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    // --prior names a report: one that cannot be read stops the run.
    let output = crossfoot_in(
        &dir,
        &[
            "check",
            "rules.xfoot",
            "may.yaml",
            "--prior",
            "missing.yaml",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_zero_keeps_the_decimals_it_was_printed_with() {
    // `0.00` stands for ±0.005, not ±0.5: three figures printed to the cent allow ±0.015.
    let rules = "rule r \"a sum to the cent\"\n  7010 = 7020 + 7030 within rounding\n  fails 7020 = 1.00, 7030 = 0.00, 7010 = 1.50\n";
    let (_guard, dir) = scratch(&[
        ("rules.xfoot", rules),
        (
            "r.yaml",
            "id: R\nlines:\n  7020: 1.00\n  7030: -0.00\n  7010: 1.50\n",
        ),
        ("r.csv", "report_id,7020,7030,7010\nR,1.00,-0.00,1.50\n"),
    ]);
    for file in ["r.yaml", "r.csv"] {
        let (code, by_id) = jsonl_by_id(&dir, &["rules.xfoot", file]);
        assert_eq!(code, 1, "{file}");
        let result = &by_id["R"]["results"][0];
        assert_eq!(result["tolerance"], "0.015", "{file}");
        assert_eq!(result["lines"][2]["amount"], "0.00", "{file}");
    }
    let output = crossfoot_in(&dir, &["fmt", "--check", "rules.xfoot"]);
    assert!(
        !stdout(&output).contains("7030 = 0,"),
        "{}",
        stdout(&output)
    );
    let output = crossfoot_in(&dir, &["test", "rules.xfoot"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn a_previous_report_in_another_unit_is_read_in_the_reports_own() {
    let (_guard, dir) = scratch(&[
        ("rules.xfoot", PRIOR_RULES),
        (
            "may.yaml",
            "id: may\nfirm: A\nas_of: 2024-05-31\nunit: thousands\nlines:\n  3750: 85\n",
        ),
        // $100,000 in dollars is 100 thousand: 85 is at least 80% of it.
        (
            "april.yaml",
            "id: april\nfirm: A\nas_of: 2024-04-30\nlines:\n  3750: 100000\n",
        ),
        (
            "april-high.yaml",
            "id: april\nfirm: A\nas_of: 2024-04-30\nlines:\n  3750: 120000\n",
        ),
    ]);
    let output = crossfoot_in(
        &dir,
        &["check", "rules.xfoot", "may.yaml", "--prior", "april.yaml"],
    );
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).starts_with("ok: "), "{}", stdout(&output));
    let output = crossfoot_in(
        &dir,
        &[
            "check",
            "rules.xfoot",
            "may.yaml",
            "--prior",
            "april-high.yaml",
        ],
    );
    let text = stdout(&output);
    assert!(
        text.contains("on the prior report (in dollars), 3750 = 120,000"),
        "{text}"
    );
    assert!(
        text.contains("the report has 85; the rule requires at least 96.00 (short by 11.00); amounts in thousands"),
        "{text}"
    );
}

#[test]
fn swapping_the_lines_of_a_commutative_sum_is_no_mutant() {
    let rules = "rule r \"both blank or zero\"\n  abs(3870) + abs(3880) = $0\n  passes 3870 = 0, 3880 = 0\n  fails 3870 = 1, 3880 = 0\n  fails 3870 = 0, 3880 = 1\n  fails 3870 = 1, 3880 = -1\n";
    let (_guard, dir) = scratch(&[("rules.xfoot", rules)]);
    let output = crossfoot_in(&dir, &["test", "rules.xfoot", "--mutate"]);
    let text = stdout(&output);
    assert!(!text.contains("swap 3870 and 3880"), "{text}");
    assert_eq!(output.status.code(), Some(0), "{text}");
}

#[test]
fn a_rule_that_reads_only_the_previous_report_is_evaluated() {
    let rules = "rule a \"the previous report's line 100 was at least a million\"\n  prior(100) >= $1,000,000\n  fails prior(100) = 5\n  passes prior(100) = 2000000\n";
    let batch = "{\"id\":\"jan\",\"firm\":\"F\",\"as_of\":\"2024-01-31\",\"lines\":{\"100\":\"5\"}}\n{\"id\":\"feb\",\"firm\":\"F\",\"as_of\":\"2024-02-29\",\"lines\":{\"100\":\"7\"}}\n";
    let (_guard, dir) = scratch(&[("r.xfoot", rules), ("b.jsonl", batch)]);
    let (code, by_id) = jsonl_by_id(&dir, &["r.xfoot", "b.jsonl"]);
    assert_eq!(code, 1);
    assert_eq!(by_id["feb"]["results"][0]["status"], "fail");
    assert_eq!(by_id["jan"]["results"][0]["reason"], "no_prior");
    // Given again as --prior, the same reports are not two reports of each date.
    let (again, by_id_again) = jsonl_by_id(&dir, &["--prior", "b.jsonl", "r.xfoot", "b.jsonl"]);
    assert_eq!((again, by_id_again), (code, by_id));
    // explain finds the previous report in the same file, as check does.
    let output = crossfoot_in(&dir, &["explain", "r.xfoot", "b.jsonl", "--report", "feb"]);
    assert!(
        stdout(&output).contains("the rule FAILS"),
        "{}",
        stdout(&output)
    );
    let output = crossfoot_in(&dir, &["test", "r.xfoot"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let output = crossfoot_in(&dir, &["check", "--prior", "-", "r.xfoot", "b.jsonl"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--prior -: standard input cannot be a previous report"));
}

#[test]
fn a_numeric_unit_reads_the_same_in_json_lines() {
    let rules = "rule r \"two lines\"\n  100 = 200 within rounding\n";
    let (_guard, dir) = scratch(&[
        ("r.xfoot", rules),
        (
            "n.jsonl",
            "{\"id\":\"N\",\"unit\":1000,\"lines\":{\"100\":\"2.50\",\"200\":\"2.52\"}}\n",
        ),
        (
            "s.jsonl",
            "{\"id\":\"N\",\"unit\":\"thousands\",\"lines\":{\"100\":\"2.50\",\"200\":\"2.52\"}}\n",
        ),
    ]);
    let (code, numeric) = jsonl_by_id(&dir, &["r.xfoot", "n.jsonl"]);
    let (text_code, text) = jsonl_by_id(&dir, &["r.xfoot", "s.jsonl"]);
    assert_eq!(code, 1, "{numeric:?}");
    assert_eq!((code, &numeric), (text_code, &text));
    assert_eq!(numeric["N"]["unit"], "thousands");
}
