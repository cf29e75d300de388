//! Any bytes as a rule file: parsing and checking return diagnostics, never panic, and
//! never report an internal error; and the fast path parses exactly as the pest parser
//! generated from the grammar does, spans included.
#![no_main]

use crossfoot::source::Source;
use crossfoot::syntax::{SyntaxError, parse, parse_reference};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let source = Source::new("fuzz.xfoot", text);
    let parsed = parse(&source);
    let reference = parse_reference(&source);
    match (&parsed, &reference) {
        // `Debug` shows every span; `==` would ignore them.
        (Ok(file), Ok(expected)) => assert_eq!(format!("{file:?}"), format!("{expected:?}")),
        (Err(_), Err(_)) => {}
        _ => panic!("the parsers disagree on {text:?}: {parsed:?} vs {reference:?}"),
    }
    match parsed {
        Ok(file) => {
            let _ = crossfoot::check::check(vec![(source, file)]);
        }
        Err(errors) => {
            for error in errors {
                assert!(!matches!(error, SyntaxError::Internal { .. }), "internal error: {error:?}");
            }
        }
    }
});
