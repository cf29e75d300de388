//! Criterion benchmarks of the stages: parse + check of the shipped pack and of a generated
//! 10,000-rule pack, evaluation of one report, and reading a wide CSV. Timed tests are not
//! used anywhere; the comparison with other tools is benches/compare.sh.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a benchmark; criterion_group! generates undocumented items"
)]

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use crossfoot::report::Inputs;
use crossfoot::report::read_report;
use crossfoot::source::Source;
use crossfoot_core::compile::{RuleSet, compile};
use crossfoot_core::engine::Engine;
use crossfoot_core::load::rule_files;
use crossfoot_syntax::parse;

/// The shipped pack's files, read once.
fn shipped() -> Vec<Source> {
    rule_files(Path::new("rules/focus"))
        .unwrap()
        .into_iter()
        .map(|path| {
            Source::new(
                path.display().to_string(),
                std::fs::read_to_string(&path).unwrap(),
            )
        })
        .collect()
}

/// A pack of `n` rules (at most 30,000) in the shape of the peers' large pack: sums of 2
/// to 12 leaves, with 5-digit codes (longer bare integers are taken for amounts unless a
/// page declares them).
fn generated(n: usize) -> Source {
    let mut text = String::with_capacity(n * 60);
    for i in 0..n {
        let terms = 2 + i % 11;
        let leaves: Vec<String> = (0..terms)
            .map(|t| (10_000 + (i * 7 + t * 13) % (2 * n)).to_string())
            .collect();
        text.push_str(&format!(
            "rule g{i}\n  {} = {}\n\n",
            10_000 + 2 * n + i,
            leaves.join(" + ")
        ));
    }
    Source::new("generated.xfoot", text)
}

fn parse_and_check(sources: &[Source]) -> RuleSet {
    let files = sources
        .iter()
        .map(|s| (s.clone(), parse(s).unwrap()))
        .collect();
    compile(files).unwrap().rules
}

fn benches(c: &mut Criterion) {
    let pack = shipped();
    c.bench_function("parse+check shipped pack (58 rules)", |b| {
        b.iter(|| parse_and_check(black_box(&pack)))
    });

    let large = vec![generated(10_000)];
    c.bench_function("parse+check 10,000-rule pack", |b| {
        b.iter(|| parse_and_check(black_box(&large)))
    });

    let engine = Engine::new(parse_and_check(&pack));
    let report = read_report(Path::new("examples/hsbc-2020-07.yaml")).unwrap();
    c.bench_function("check the filing", |b| {
        b.iter(|| engine.check(black_box(&report)))
    });

    // 10,000 rows of the filing as a wide CSV.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("reports.csv");
    let lines: Vec<(String, String)> = report
        .lines()
        .map(|(c, a)| (c.to_string(), a.to_string()))
        .collect();
    let mut text = String::from("report_id");
    for (code, _) in &lines {
        text.push_str(&format!(",{code}"));
    }
    text.push('\n');
    for row in 0..10_000 {
        text.push_str(&format!("R{row}"));
        for (_, amount) in &lines {
            text.push_str(&format!(",{amount}"));
        }
        text.push('\n');
    }
    std::fs::write(&csv, text).unwrap();
    c.bench_function("read and check a 10,000-row wide CSV", |b| {
        b.iter(|| {
            let inputs = Inputs::new(engine.rules(), vec![csv.clone()], None);
            let mut rows = 0;
            engine
                .check_each(inputs, |result| -> Result<(), ()> {
                    rows += usize::from(result.is_ok());
                    Ok(())
                })
                .unwrap();
            assert_eq!(rows, 10_000);
        })
    });
}

/// The stages whose time must grow linearly with their input: each at two sizes, so a
/// regression to quadratic time shows as a fourfold step instead of a twofold one.
fn linear(c: &mut Criterion) {
    for n in [5_000, 10_000] {
        // JSON of one report on an n-rule pack: every result's line and column.
        let engine = Engine::new(parse_and_check(&[generated(n)]));
        let report = crossfoot::report::Report::from_lines("r", []);
        let result = engine.check(&report);
        c.bench_function(&format!("JSON of one report, {n} rules"), |b| {
            b.iter(|| crossfoot::render::json_report(&engine, black_box(&result)))
        });
    }
    for n in [200, 400] {
        // Root causes on a report where n chained totals fail.
        let text: String = (0..n)
            .map(|i| format!("rule r{i}\n  {} = {} + 50000\n", 30_000 + i + 1, 30_000 + i))
            .collect();
        let engine = Engine::new(parse_and_check(&[Source::new("chain.xfoot", text)]));
        let lines = (0..=n).map(|i| {
            (
                (30_000 + i).to_string().parse().unwrap(),
                rust_decimal::Decimal::from(i),
            )
        });
        let report = crossfoot::report::Report::from_lines("r", lines);
        let result = engine.check(&report);
        assert!(result.summary.failed >= n);
        c.bench_function(&format!("root causes, {n} failing rules"), |b| {
            b.iter(|| crossfoot_core::root_cause::root_causes(engine.rules(), black_box(&result)))
        });
    }
    for n in [2_000, 4_000] {
        // The diagnostic of a failing rule with n terms.
        let terms: Vec<String> = (0..n).map(|i| (10_000 + i).to_string()).collect();
        let source = Source::new(
            "long.xfoot",
            format!("rule t\n  90000 = {}\n", terms.join(" + ")),
        );
        let engine = Engine::new(parse_and_check(&[source]));
        let lines = terms
            .iter()
            .map(|t| (t.parse().unwrap(), rust_decimal::Decimal::ONE));
        let result = engine.check(&crossfoot::report::Report::from_lines("r", lines));
        let human = crossfoot::render::Human::new(false, false);
        c.bench_function(&format!("diagnostic of a rule with {n} terms"), |b| {
            b.iter(|| {
                let mut out = Vec::new();
                human
                    .report(
                        &engine,
                        black_box(&result),
                        false,
                        &mut out,
                        &mut std::io::sink(),
                    )
                    .unwrap();
                out.len()
            })
        });
    }
    for mib in [1, 2] {
        // A wide CSV whose quoted cell spans `mib` MiB: each byte is scanned once.
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("quoted.csv");
        let cell = "x".repeat(mib << 20);
        std::fs::write(&csv, format!("report_id,7010\n\"{cell}\",1\nB,2\n")).unwrap();
        let engine = Engine::new(parse_and_check(&[Source::new(
            "r.xfoot",
            "rule t 7010 >= $0\n",
        )]));
        c.bench_function(&format!("a CSV cell spanning {mib} MiB"), |b| {
            b.iter(|| {
                let inputs = Inputs::new(engine.rules(), vec![csv.clone()], None);
                let mut rows = 0;
                engine
                    .check_each(inputs, |result| -> Result<(), ()> {
                        rows += usize::from(result.is_ok());
                        Ok(())
                    })
                    .unwrap();
                assert_eq!(rows, 2);
            })
        });
    }
}

criterion_group!(stages, benches, linear);
criterion_main!(stages);
