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
use crossfoot::check::{RuleSet, check};
use crossfoot::engine::Engine;
use crossfoot::load::{load_report, rule_files};
use crossfoot::report::Inputs;
use crossfoot::source::Source;
use crossfoot::syntax::parse;

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

/// A pack of `n` rules in the shape of the peers' large pack: sums of 2 to 12 leaves.
fn generated(n: usize) -> Source {
    let mut text = String::with_capacity(n * 60);
    for i in 0..n {
        let terms = 2 + i % 11;
        let leaves: Vec<String> = (0..terms)
            .map(|t| (100_000 + (i * 7 + t * 13) % (2 * n)).to_string())
            .collect();
        text.push_str(&format!(
            "rule g{i}\n  {} = {}\n\n",
            200_000 + i,
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
    check(files).unwrap().rules
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
    let report = load_report(Path::new("examples/hsbc-2020-07.yaml")).unwrap();
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

criterion_group!(stages, benches);
criterion_main!(stages);
