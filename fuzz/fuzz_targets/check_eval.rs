//! Any rule file, checked and evaluated on a fixed report (the real filing): outcomes or
//! diagnostics, never a panic; the compiled verdict agrees with the full evaluation.
#![no_main]

use std::sync::OnceLock;

use crossfoot::eval::{Program, evaluate};
use crossfoot::report::{Report, load_yaml};
use crossfoot::source::Source;
use libfuzzer_sys::fuzz_target;

fn filing() -> &'static Report {
    static FILING: OnceLock<Report> = OnceLock::new();
    FILING.get_or_init(|| {
        let text = include_str!("../../examples/hsbc-2020-07.yaml");
        load_yaml(&Source::new("filing.yaml", text)).expect("the filing loads")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let source = Source::new("fuzz.xfoot", text);
    let Ok(file) = crossfoot::syntax::parse(&source) else { return };
    let Ok(checked) = crossfoot::check::check(vec![(source, file)]) else { return };
    let evaluation = evaluate(&checked.rules, filing());
    let program = Program::new(&checked.rules);
    let verdict = program.verdict(&program.row(filing()), filing().as_of(), &mut Vec::new());
    assert_eq!(verdict.summary, evaluation.summary(), "compiled and full evaluation disagree");
    let _ = crossfoot::eval::root_causes(&evaluation);
});
