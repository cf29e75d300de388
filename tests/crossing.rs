//! Every feature crossed with every other, against a reference evaluator written here from
//! the documented semantics (exact rationals of its own, no code shared with `src/`).
//!
//! Each seed makes a random rule pack (money, percentage and ratio lines, totals, previous
//! reports, conditions, every tolerance including `within rounding` with every operator,
//! rounding modes, places and steps, effective dates and versions written with `until` or
//! `through`, declared lapses between versions, severities, waivers) and a batch of
//! reports (firms, dates, units, blanks, printed decimals, duplicates, reports of one date
//! that differ, unreadable reports; notes and blank rows under a wide sheet's data). The
//! batch is checked as a
//! directory of YAML files, as JSON Lines, as a wide CSV file, as a workbook sheet with
//! descriptive headers read through a column map, as JSON Lines with
//! `--as-of` and `--firm` for the reports that carry none, and a few reports alone with
//! their previous reports given by `--prior`; every verdict must be the same in every
//! form, and the reference's. The ignored tests at the end run the same packs through the
//! SQL query on DuckDB and on Spark (`cargo test --test crossing -- --include-ignored`).
//!
//! A failure names its seed; `CROSSING_SEED=N cargo test --test crossing` runs that one,
//! `CROSSING_SEEDS=N` runs N seeds (default 60, about 16,000 rule-report cases).

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

mod common;
mod crossing_model;

use std::collections::BTreeMap;
use std::path::Path;

use common::{crossfoot_in, stderr, stdout};
use crossing_model::{Case, Outcome, Pack, Verdict};

/// Seeds whose packs failed on the build before issue 24's fixes (81e6986), each a
/// finding of that issue found again by this generator, kept so they run whatever
/// `CROSSING_SEEDS` says: a report given twice or an unreadable month read as the previous
/// report (3, 4, 5), a rule that reads no `prior(…)` failing with an error where its lines
/// are all blank because the previous report had amounts (10, 21), `!=` within rounding
/// stricter than without (17, 19), a blank total on the previous report counted as 0
/// (25, 32), a percentage on the previous report rescaled by the reports' units, in an
/// assertion and in a condition (43, 68, 73, 85).
const REGRESSION_SEEDS: &[u64] = &[3, 4, 5, 10, 17, 19, 21, 25, 32, 43, 68, 73, 85];

fn seeds() -> Vec<u64> {
    if let Ok(seed) = std::env::var("CROSSING_SEED") {
        return vec![seed.parse().expect("CROSSING_SEED is a number")];
    }
    let count: u64 = std::env::var("CROSSING_SEEDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(60);
    let mut seeds: Vec<u64> = (1..=count).collect();
    seeds.extend(REGRESSION_SEEDS.iter().filter(|s| **s > count));
    seeds
}

/// What `check --format json` said of a batch: each readable report's statuses by id, and
/// the exit code.
fn run_check(dir: &Path, inputs: &[&str], extra: &[&str]) -> (BTreeMap<String, Vec<String>>, i32) {
    let mut args = vec![
        "check",
        "--format",
        "json",
        "--waivers",
        "waivers.yaml",
        "--today",
        crossing_model::TODAY,
        "rules.xfoot",
    ];
    args.extend(inputs);
    args.extend(extra);
    let output = crossfoot_in(dir, &args);
    let code = output.status.code().unwrap_or(-1);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap_or_else(|_| {
        panic!(
            "not JSON (exit {code}): {}\n{}",
            stdout(&output),
            stderr(&output)
        )
    });
    let mut found = BTreeMap::new();
    for report in json["reports"].as_array().into_iter().flatten() {
        let id = report["id"].as_str().unwrap_or_default().to_owned();
        let statuses = report["results"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|result| {
                let status = result["status"].as_str().unwrap_or_default();
                match result["reason"].as_str() {
                    Some(reason) => format!("{status} ({reason})"),
                    None => status.to_owned(),
                }
            })
            .collect();
        found.insert(id, statuses);
    }
    (found, code)
}

#[test]
fn every_feature_crossed_gives_the_reference_verdict_in_every_form() {
    let mut cases = 0usize;
    let mut sound_only = 0usize;
    let seeds = seeds();
    for &seed in &seeds {
        let pack = Pack::generate(seed);
        let dir = tempfile::tempdir().unwrap();
        pack.write(dir.path());
        let expected = pack.reference();
        let context = || {
            format!(
                "seed {seed} (CROSSING_SEED={seed}); pack:\n{}",
                pack.rules_text()
            )
        };
        let forms: [(&str, &[&str], &[&str]); 4] = [
            ("yaml", &["reports"], &[]),
            ("jsonl", &["reports.jsonl"], &[]),
            ("csv", &["reports.csv"], &[]),
            // A workbook with descriptive headers, read through its column map.
            ("xlsx", &["reports.xlsx"], &["--map", "reports.map.yaml"]),
        ];
        for (form, inputs, extra) in forms {
            let (found, code) = run_check(dir.path(), inputs, extra);
            if let Some(expected) = pack.exit_code(&expected) {
                assert_eq!(code, expected, "{form}: exit code\n{}", context());
            }
            for (report, verdicts) in &expected {
                let Some(statuses) = found.get(&report.id) else {
                    panic!("{form}: no result for {}\n{}", report.id, context());
                };
                assert_eq!(statuses.len(), verdicts.len(), "{}", context());
                for ((rule, verdict), status) in pack.rules.iter().zip(verdicts).zip(statuses) {
                    let case = Case {
                        report,
                        rule,
                        verdict,
                    };
                    if !case.agrees(status) {
                        panic!(
                            "{form}: report {} rule {}: check says `{status}`, the reference {:?}\nreport: {:?}\n{}",
                            report.id,
                            rule.id,
                            verdict,
                            report,
                            context()
                        );
                    }
                    if form == "yaml" {
                        cases += 1;
                        sound_only += usize::from(matches!(verdict, Verdict::Sound { .. }));
                    }
                }
            }
            assert_eq!(
                found.len(),
                expected.len(),
                "{form}: reports\n{}",
                context()
            );
        }
        // The batch with a date and a firm assumed for the reports that carry none.
        let date = (seed % crossing_model::DATES.len() as u64) as u32;
        let assumed = pack.assuming(date, "F2");
        let expected_assumed = assumed.reference();
        let as_of = crossing_model::DATES[date as usize];
        let extra = ["--as-of", as_of, "--firm", "F2"];
        let (found, code) = run_check(dir.path(), &["reports.jsonl"], &extra);
        if let Some(expected) = assumed.exit_code(&expected_assumed) {
            assert_eq!(code, expected, "--as-of {as_of}: exit code\n{}", context());
        }
        for (report, verdicts) in &expected_assumed {
            let statuses = &found[&report.id];
            for ((rule, verdict), status) in assumed.rules.iter().zip(verdicts).zip(statuses) {
                let case = Case {
                    report,
                    rule,
                    verdict,
                };
                assert!(
                    case.agrees(status),
                    "--as-of {as_of}: report {} rule {}: check says `{status}`, the reference {verdict:?}\n{}",
                    report.id,
                    rule.id,
                    context()
                );
            }
        }
        // A few reports alone, their previous reports given with `--prior` (only readable
        // files can be: an unreadable `--prior` file stops the run).
        for (report, verdicts) in expected.iter().take(3) {
            let priors: Vec<String> = pack
                .reports
                .iter()
                .filter(|other| other.id != report.id && other.readable())
                .map(|other| format!("reports/{}.yaml", other.id))
                .collect();
            if pack.prior_unreadable(report) {
                continue;
            }
            let mut extra: Vec<&str> = Vec::new();
            for prior in &priors {
                extra.extend(["--prior", prior]);
            }
            let file = format!("reports/{}.yaml", report.id);
            let (found, _) = run_check(dir.path(), &[&file], &extra);
            let statuses = &found[&report.id];
            for ((rule, verdict), status) in pack.rules.iter().zip(verdicts).zip(statuses) {
                let case = Case {
                    report,
                    rule,
                    verdict,
                };
                assert!(
                    case.agrees(status),
                    "alone: report {} rule {}: check says `{status}`, the reference {verdict:?}\n{}",
                    report.id,
                    rule.id,
                    context()
                );
            }
        }
    }
    eprintln!(
        "{} seeds: {cases} rule-report cases, each in 4 forms ({sound_only} within rounding through non-linear steps, checked for soundness)",
        seeds.len()
    );
    assert!(seeds.len() < 60 || cases >= 10_000, "only {cases} cases");
}

#[test]
fn the_reference_sees_every_outcome() {
    // A generator that never produced a kind of verdict would cross nothing there.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for seed in 1..=20 {
        let pack = Pack::generate(seed);
        for verdicts in pack.reference().values() {
            for verdict in verdicts {
                *seen.entry(verdict.kind()).or_default() += 1;
            }
        }
    }
    for kind in [
        "pass",
        "fail",
        "waived",
        "error",
        "sound",
        "skipped (all_lines_blank)",
        "skipped (condition_false)",
        "skipped (not_in_force)",
        "skipped (blank_total)",
        "skipped (no_prior)",
    ] {
        assert!(
            seen.get(kind).copied().unwrap_or(0) > 0,
            "never {kind}: {seen:?}"
        );
    }
    let _ = Outcome::Pass;
}

/// The rules of a pack the SQL query holds: those that read no previous report and are not
/// `within rounding`, less any the compiler refuses (a divisor that is not a constant, …).
fn sql_rules(pack: &Pack, dialect: crossfoot_sql::Dialect) -> Vec<crossing_model::Rule> {
    let mut rules: Vec<_> = pack
        .rules
        .iter()
        .filter(|r| r.sql_candidate())
        .cloned()
        .collect();
    loop {
        let source = crossfoot::source::Source::new("sql.xfoot", pack.rules_text_of(&rules));
        let checked = crossfoot::load::check_sources(vec![source]).expect("the pack checks");
        let options = crossfoot_sql::Options {
            dialect,
            precision: 18,
            scale: 4,
            ..crossfoot_sql::Options::default()
        };
        let refused: Vec<String> = match crossfoot_sql::compile(&checked.rules, &options) {
            Ok(_) => return rules,
            Err(errors) => errors
                .into_iter()
                .filter_map(|error| match error {
                    crossfoot_sql::SqlError::Inexact { rule, .. } => Some(rule),
                    _ => None,
                })
                .collect(),
        };
        assert!(!refused.is_empty(), "a refusal without a rule");
        rules.retain(|rule| !refused.contains(&rule.id));
    }
}

#[test]
#[ignore = "needs DuckDB: see CONTRIBUTING.md"]
fn the_query_agrees_with_the_reference_on_crossed_packs() {
    let python = common::engines::duckdb_python();
    let (mut compared, mut failing) = (0usize, 0usize);
    for seed in seeds() {
        let Some(job) = QueryJob::write(seed, crossfoot_sql::Dialect::DuckDb) else {
            continue;
        };
        let run = std::process::Command::new(&python)
            .arg(common::root().join("tests/sql/run_duckdb.py"))
            .arg(job.dir.path().join("query.sql"))
            .arg(job.dir.path().join("reports.csv"))
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "seed {seed} (CROSSING_SEED={seed}): the query stopped: {}\n{}",
            String::from_utf8_lossy(&run.stderr),
            job.pack.rules_text_of(&job.rules)
        );
        let (cases, rows) = job.compare(&String::from_utf8(run.stdout).unwrap());
        compared += cases;
        failing += rows;
    }
    eprintln!(
        "{compared} rule-report cases on DuckDB, {failing} failing rows, as the reference says"
    );
    let one_seed = std::env::var_os("CROSSING_SEED").is_some();
    assert!(
        one_seed || compared >= 3_000,
        "only {compared} cases reached the query"
    );
}

/// The crossed packs through the Spark query, in one Spark session: the first 20 seeds
/// and the regression seeds (a JVM and Spark's planning make each pack take about a
/// second).
#[test]
#[ignore = "needs PySpark and Java: see CONTRIBUTING.md"]
fn the_spark_query_agrees_with_the_reference_on_crossed_packs() {
    let python = common::engines::spark_python();
    let mut seeds = seeds();
    if std::env::var_os("CROSSING_SEED").is_none() && std::env::var_os("CROSSING_SEEDS").is_none() {
        seeds.retain(|seed| *seed <= 20 || REGRESSION_SEEDS.contains(seed));
    }
    let jobs: Vec<(u64, QueryJob)> = seeds
        .into_iter()
        .filter_map(|seed| Some((seed, QueryJob::write(seed, crossfoot_sql::Dialect::Spark)?)))
        .collect();
    let list = tempfile::NamedTempFile::new().unwrap();
    let lines: String = jobs
        .iter()
        .map(|(_, job)| {
            let at = |name: &str| job.dir.path().join(name).display().to_string();
            format!(
                "{}\t{}\t{}\n",
                at("query.sql"),
                at("reports.csv"),
                at("rows.jsonl")
            )
        })
        .collect();
    std::fs::write(list.path(), lines).unwrap();
    let run = std::process::Command::new(&python)
        .arg(common::root().join("tests/spark/run_many.py"))
        .arg(list.path())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "Spark did not run: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let (mut compared, mut failing) = (0usize, 0usize);
    for (seed, job) in &jobs {
        let rows = job.dir.path().join("rows.jsonl");
        let stopped = std::fs::read_to_string(rows.with_extension("jsonl.error"));
        assert!(
            stopped.is_err(),
            "seed {seed} (CROSSING_SEED={seed}): the Spark query stopped: {}\n{}",
            stopped.unwrap_or_default(),
            job.pack.rules_text_of(&job.rules)
        );
        let (cases, rows) = job.compare(&std::fs::read_to_string(rows).unwrap());
        compared += cases;
        failing += rows;
    }
    eprintln!(
        "{compared} rule-report cases on Spark, {failing} failing rows, as the reference says"
    );
    let one_seed = std::env::var_os("CROSSING_SEED").is_some();
    assert!(
        one_seed || compared >= 1_000,
        "only {compared} cases reached the query"
    );
}

/// One crossed pack written for an engine: the rules the query can compile exactly, the
/// reports as a wide CSV file, and the query.
struct QueryJob {
    pack: Pack,
    rules: Vec<crossing_model::Rule>,
    dir: tempfile::TempDir,
}

impl QueryJob {
    /// The pack of `seed` and its query in `dialect`; `None` when no rule compiles.
    fn write(seed: u64, dialect: crossfoot_sql::Dialect) -> Option<QueryJob> {
        let pack = Pack::generate(seed);
        let rules = sql_rules(&pack, dialect);
        if rules.is_empty() {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("sql.xfoot"), pack.rules_text_of(&rules)).unwrap();
        std::fs::write(dir.path().join("reports.csv"), pack.sql_csv()).unwrap();
        let name = match dialect {
            crossfoot_sql::Dialect::DuckDb => "duckdb",
            crossfoot_sql::Dialect::Spark => "spark",
        };
        let query = crossfoot_in(
            dir.path(),
            &[
                "sql",
                "--dialect",
                name,
                "--precision",
                "18",
                "--scale",
                "4",
                "sql.xfoot",
            ],
        );
        assert_eq!(
            query.status.code(),
            Some(0),
            "seed {seed}: {}",
            stderr(&query)
        );
        std::fs::write(dir.path().join("query.sql"), &query.stdout).unwrap();
        Some(QueryJob { pack, rules, dir })
    }

    /// The query's rows (JSON arrays, one a line) against the reference: the rule-report
    /// cases compared and the failing rows, or a panic naming the seed.
    fn compare(&self, rows: &str) -> (usize, usize) {
        let seed = self.pack.seed;
        let (expected, unknown) = self.pack.sql_rows(&self.rules);
        let mut found = std::collections::BTreeSet::new();
        for line in rows.lines() {
            let row: Vec<Option<String>> = serde_json::from_str(line).unwrap();
            let get = |i: usize| row[i].clone().unwrap_or_default();
            if unknown.contains(&(get(0), get(1))) {
                continue;
            }
            let number = |i: usize| crossing_model::parse_decimal(&get(i));
            found.insert((get(0), get(1), number(4), number(5)));
        }
        let expected: std::collections::BTreeSet<_> = expected
            .into_iter()
            .filter(|(report, rule, ..)| !unknown.contains(&(report.clone(), rule.clone())))
            .collect();
        let missing: Vec<_> = expected.difference(&found).take(5).collect();
        let extra: Vec<_> = found.difference(&expected).take(5).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "seed {seed} (CROSSING_SEED={seed}): only the reference fails {missing:?}; only the query {extra:?}\n{}",
            self.pack.rules_text_of(&self.rules)
        );
        let readable = self.pack.reports.iter().filter(|r| r.readable()).count();
        (self.rules.len() * readable, expected.len())
    }
}
