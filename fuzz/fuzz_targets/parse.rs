//! Any bytes as a rule file: parsing and checking return diagnostics, never panic, and
//! never report an internal error; and the fast path parses exactly as the pest parser
//! generated from the grammar does, spans included; and checking piece by piece gives what
//! checking the whole file gives.
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
            // The piece-by-piece path gives what the whole-file check gives, or declines
            // exactly when that finds a problem.
            let pieces = crossfoot::check::check_in_pieces(vec![source.clone()]);
            let whole = crossfoot::check::check(vec![(source, file)]);
            match (pieces, whole) {
                (Ok(got), Ok(expected)) => {
                    assert_eq!(format!("{:?}", got.rules), format!("{:?}", expected.rules));
                    let shown = |c: &crossfoot::check::Checked| -> Vec<String> {
                        c.warnings.iter().map(ToString::to_string).collect()
                    };
                    assert_eq!(shown(&got), shown(&expected));
                }
                (Err(_), Err(_)) => {}
                (got, expected) => panic!(
                    "the piece path disagrees on {text:?}: {:?} vs {:?}",
                    got.is_ok(),
                    expected.map(|_| ()).map_err(|e| e.iter().map(ToString::to_string).collect::<Vec<_>>())
                ),
            }
        }
        Err(errors) => {
            for error in errors {
                assert!(!matches!(error, SyntaxError::Internal { .. }), "internal error: {error:?}");
            }
        }
    }
});
