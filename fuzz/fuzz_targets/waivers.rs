//! Any bytes as a waivers file: it is read or refused with diagnostics whose spans lie in
//! the file, never a panic; a waiver read always names the reports it covers (a firm that
//! is not empty, or dates), and checking it against a rule set and a run never panics.
#![no_main]

use std::sync::OnceLock;

use crossfoot_core::compile::RuleSet;
use crossfoot_syntax::date::Date;
use crossfoot_syntax::source::Source;
use crossfoot_core::waiver::Waivers;
use libfuzzer_sys::fuzz_target;
use miette::Diagnostic;

/// A small rule set whose ids waivers may name.
fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| {
        let text = "rule seg.excess \"x\"\n  7190 = 7180 - 7060\n\nrule seg.sign \"y\"\n  7033 <= $0\n";
        match crossfoot_core::load::check_sources(vec![Source::new("pack.xfoot", text)]) {
            Ok(checked) => checked.rules,
            Err(_) => std::process::abort(),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(today) = "2024-07-01".parse::<Date>() else { return };
    match Waivers::parse(Source::new("waivers.yaml", text), today) {
        Ok(waivers) => {
            for waiver in waivers.waivers() {
                let firm = waiver.firm.as_deref().filter(|firm| !firm.trim().is_empty());
                assert!(firm.is_some() || waiver.dates.is_some(), "a blanket waiver: {waiver:?}");
                assert!(waiver.firm.as_deref() != Some(""), "an empty firm: {waiver:?}");
                let as_of = waiver.dates.and_then(|period| period.from);
                let _ = waivers.covering(&waiver.rule.node, waiver.firm.as_deref(), as_of);
            }
            for error in waivers.check_rules(rules()) {
                within(&error, text.len());
            }
            for warning in waivers.warnings(&waivers.usage()) {
                within(&warning, text.len());
            }
        }
        Err(errors) => {
            assert!(!errors.is_empty());
            for error in &errors {
                within(error, text.len());
            }
        }
    }
});

/// Every label of a diagnostic points inside the text (positions in characters were
/// turned into bytes right).
fn within(diagnostic: &dyn Diagnostic, len: usize) {
    for label in diagnostic.labels().into_iter().flatten() {
        assert!(label.offset() + label.len() <= len, "{label:?} past {len}");
    }
    let _ = diagnostic.to_string();
}
