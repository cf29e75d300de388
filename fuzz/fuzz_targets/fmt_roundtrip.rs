//! Any rule file that parses: formatting keeps its meaning (the formatter checks that
//! itself and must never refuse), and formatting the result again changes nothing.
#![no_main]

use crossfoot_syntax::source::Source;
use crossfoot_syntax::{format_source, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let source = Source::new("fuzz.xfoot", text);
    if parse(&source).is_err() {
        return;
    }
    let once = format_source(&source).expect("a file that parses formats soundly");
    let twice = format_source(&Source::new("fuzz.xfoot", once.as_str())).expect("formatted text formats");
    assert_eq!(once, twice, "formatting is not idempotent");
    assert_eq!(parse(&Source::new("f", once.as_str())).ok(), parse(&source).ok(), "formatting changed the rules");
});
