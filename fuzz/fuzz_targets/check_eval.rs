//! Any rule file and any amounts: checked and evaluated, outcomes or diagnostics, never a
//! panic. The input is a rule file, a NUL byte, then bytes that become the amounts of the
//! lines the rules read (every magnitude up to 28 digits, every scale, blanks), so the
//! fuzzer reaches ties, cents, overflow and amounts near 2^62 and 2^96. The same report
//! read from YAML and from a wide CSV row gives the same results, every verdict is the one
//! the full evaluation gives, and the root causes and JSON render. A byte picks the report's
//! unit (dollars, thousands, millions) and whether a previous report (the same amounts,
//! dated a month earlier) is given for `prior(…)`.
#![no_main]

use crossfoot_core::engine::Engine;
use crossfoot_core::report::{Inputs, Report};
use crossfoot_syntax::source::Source;
use libfuzzer_sys::fuzz_target;
use rust_decimal::Decimal;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let (rules, amounts) = data.split_at(split);
    let Ok(text) = std::str::from_utf8(rules) else { return };
    let source = Source::new("fuzz.xfoot", text);
    let Ok(checked) = crossfoot_core::load::check_sources(vec![source]) else { return };
    let engine = Engine::new(checked.rules);
    let rules = engine.rules();
    let setting = amounts.get(1).copied().unwrap_or(0);
    let unit = ["dollars", "thousands", "millions"][usize::from(setting % 3)];
    let Ok(unit) = unit.parse::<crossfoot_core::unit::Unit>() else { return };
    let with_prior = setting & 4 != 0;
    let mut bytes = amounts.iter().copied().skip(2);
    let mut lines = Vec::new();
    for slot in 0..rules.width() {
        let Some(code) = rules.code(slot) else { continue };
        let chunk: Vec<u8> = bytes.by_ref().take(17).collect();
        if chunk.len() < 17 || chunk[0] & 7 == 0 {
            continue;
        }
        let mut raw = [0u8; 16];
        raw.copy_from_slice(&chunk[1..17]);
        let mantissa = i128::from_le_bytes(raw) % 10i128.pow(28);
        let scale = u32::from(chunk[0] >> 3) % 29;
        let Ok(amount) = Decimal::try_from_i128_with_scale(mantissa, scale) else { continue };
        lines.push((code, amount));
    }
    let (Ok(month), Ok(before)) = ("2024-02-29".parse(), "2024-01-31".parse()) else { return };
    let report = Report::from_lines("fuzz.yaml", lines.clone())
        .with_unit(unit)
        .with_metadata(Some("R".to_owned()), None, Some(month));
    let prior = Report::from_lines("prior.yaml", lines.clone())
        .with_unit(unit)
        .with_metadata(None, None, Some(before));
    let engine = if with_prior { engine.with_priors(&[prior]) } else { engine };
    let rules = engine.rules();
    let result = engine.check(&report);
    for (rule, outcome) in result.results(rules) {
        assert_eq!(result.status(rule).verdict(), outcome.verdict, "the verdict is the evaluation's");
    }
    let _ = crossfoot_core::root_cause::root_causes(rules, &result);
    let _ = crossfoot_render::json_report(&engine, &result);

    // The same amounts as a wide CSV row: the same verdicts.
    let dir = std::env::temp_dir().join(format!("crossfoot-fuzz-eval-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let csv = dir.join("r.csv");
    let header: String = lines.iter().map(|(code, _)| format!(",{code}")).collect();
    let cells: String = lines.iter().map(|(_, amount)| format!(",{amount}")).collect();
    let text = format!("report_id,as_of,unit{header}\nR,2024-02-29,{unit}{cells}\n");
    if std::fs::write(&csv, text).is_err() {
        return;
    }
    let mut from_csv = Vec::new();
    let _ = engine.check_each(Inputs::new(rules, vec![csv], None), |read| -> Result<(), ()> {
        if let Ok(read) = read {
            from_csv.push(read.results.clone());
        }
        Ok(())
    });
    assert_eq!(from_csv, vec![result.results], "a CSV row means what the same report does");
});
