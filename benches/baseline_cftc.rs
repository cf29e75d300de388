//! The practical limit for the benchmark: the peers' 29 CFTC rules written by hand as a
//! plain loop over the wide CSV, with `rust_decimal`, single-threaded, no rules language.
//! Prints the same `RESULT {…}` line as the peers.
//!
//! Run: `cargo run --release --example baseline_cftc -- DATA/reports.csv` (see benches/compare.sh).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a benchmark program"
)]

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Instant;

use rust_decimal::{Decimal, RoundingStrategy};

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: baseline_cftc REPORTS.csv");
    let start = Instant::now();
    let mut reader = csv::ReaderBuilder::new()
        .from_path(&path)
        .expect("open the CSV");
    let header: Vec<String> = reader
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_owned)
        .collect();
    let column: HashMap<&str, usize> = header
        .iter()
        .enumerate()
        .map(|(i, h)| (h.as_str(), i))
        .collect();
    let col = |code: &str| column.get(code).copied();
    let codes = [
        "7010", "7020", "7030", "7032", "7033", "7040", "7045", "7047", "7050", "7060", "7070",
        "7080", "7090", "7100", "7110", "7120", "7130", "7132", "7133", "7140", "7160", "7170",
        "7150", "7180", "7190", "7194", "7198", "7345", "7315", "7317", "7325", "7335", "7337",
        "7354", "7351", "7352", "7355", "7360", "7305", "7530", "7500", "7520", "7570", "7540",
        "7560", "7620", "7580", "7590", "7600", "7610", "7615", "7680", "7640", "7650", "7660",
        "7670", "7675", "7740", "7700", "7710", "7720", "7730", "7735", "7770", "7760", "7765",
        "7380", "7785", "7780", "8550", "8500", "8510", "8520", "8530", "8540", "8580", "8560",
        "8570", "8590", "8720", "8600", "8610", "8620", "8630", "8640", "8650", "8660", "8670",
        "8680", "8690", "8700", "8710", "8715", "8730", "8770", "8760", "7425", "7415", "7445",
        "7435", "7455", "7490", "7465", "7475", "7495",
    ];
    // Each code's position in `values`, and the CSV column it is read from.
    let position: HashMap<&str, usize> = codes.iter().enumerate().map(|(i, c)| (*c, i)).collect();
    let columns: Vec<Option<usize>> = codes.iter().map(|c| col(c)).collect();
    let mut values = vec![Decimal::ZERO; codes.len()];
    let mut record = csv::ByteRecord::new();
    let (mut failing, mut violations, mut reports) = (0u64, 0u64, 0u64);
    while reader.read_byte_record(&mut record).expect("a row") {
        reports += 1;
        // Parse each cell once.
        for (value, column) in values.iter_mut().zip(&columns) {
            *value = match column.and_then(|i| record.get(i)) {
                Some(cell) if !cell.is_empty() => {
                    Decimal::from_str(std::str::from_utf8(cell).unwrap()).unwrap()
                }
                _ => Decimal::ZERO,
            };
        }
        let v = |code: &str| -> Decimal { values[position[code]] };
        let sum = |codes: &[&str]| codes.iter().map(|c| v(c)).sum::<Decimal>();
        let round =
            |d: Decimal| d.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
        let pct = |p: i64| Decimal::new(p, 2);
        let checks = [
            v("7040") == sum(&["7010", "7020", "7030", "7032", "7033"]),
            v("7050") == sum(&["7045", "7047"]),
            v("7060") == sum(&["7040", "7050"]),
            v("7180")
                == sum(&[
                    "7070", "7080", "7090", "7100", "7110", "7120", "7130", "7132", "7133", "7140",
                    "7160", "7170", "7150",
                ]),
            v("7190") == v("7180") - v("7060"),
            v("7198") == v("7190") - v("7194"),
            v("7345") == sum(&["7315", "7317", "7325", "7335", "7337"]),
            v("7354") == sum(&["7351", "7352"]),
            v("7355") == sum(&["7345", "7354"]),
            v("7360") == v("7305").max(v("7355")),
            v("7530") == sum(&["7500", "7520"]),
            v("7570") == sum(&["7540", "7560"]),
            v("7620") == sum(&["7580", "7590", "7600", "7610", "7615"]),
            v("7680") == sum(&["7640", "7650", "7660", "7670", "7675"]),
            v("7740") == sum(&["7700", "7710", "7720", "7730", "7735"]),
            v("7770") == sum(&["7530", "7570", "7620", "7680", "7740", "7760", "7765"]),
            v("7380") == v("7770") - v("7360"),
            v("7785") == v("7380") - v("7780"),
            v("8550") == sum(&["8500", "8510", "8520", "8530", "8540"]),
            v("8580") == sum(&["8560", "8570"]),
            v("8590") == sum(&["8550", "8580"]),
            v("8720")
                == sum(&[
                    "8600", "8610", "8620", "8630", "8640", "8650", "8660", "8670", "8680", "8690",
                    "8700", "8710", "8715",
                ]),
            v("8730") == v("8720") - v("8590"),
            v("8770") == v("8730") - v("8760"),
            v("7425") == round(pct(8) * v("7415")),
            v("7445") == round(pct(8) * v("7435")),
            v("7455") == sum(&["7425", "7445"]),
            v("7490") == v("7455").max(v("7465")).max(v("7475")),
            v("7495") == round(pct(110) * v("7455")),
        ];
        let failed = checks.iter().filter(|ok| !**ok).count() as u64;
        violations += failed;
        failing += u64::from(failed > 0);
    }
    let total = start.elapsed().as_secs_f64();
    println!(
        "rust-baseline: {reports} reports -> {failing} failing reports, {violations} rule violations in {total:.3}s"
    );
    println!(
        "RESULT {{\"peer\": \"rust-baseline\", \"reports\": {reports}, \"rules\": 29, \"failing_reports\": {failing}, \"violations\": {violations}, \"total_s\": {total:.4}}}"
    );
}
