//! Regressions, each named after its issue: what a user saw, and what they see now.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly"
)]

mod common;

use common::{crossfoot_in, scratch, seen};

/// Run `crossfoot ARGS` in a scratch directory holding `files`, without colour; what the
/// user sees.
fn run(files: &[(&str, &str)], args: &[&str]) -> String {
    let (_dir, dir) = scratch(files);
    let mut all = vec![args[0], "--color", "never"];
    all.extend_from_slice(&args[1..]);
    seen(&crossfoot_in(&dir, &all))
}

const RULE: &str = "rule seg.excess \"Excess funds\"\n  7190 = 7180 - 7060\n";

// See: issue #23
#[test]
fn a_percentage_written_with_a_space_says_remove_the_space() {
    let rules = "rule capital.margin \"8% of line A\"\n  7445 = round(8 % * 7435)\n";
    insta::assert_snapshot!(run(&[("pack.xfoot", rules)], &["lint", "pack.xfoot"]));
}

// See: issue #23
#[test]
fn money_with_a_magnitude_suffix_says_write_it_in_full() {
    let rules = "rule nc.minimum \"Minimum net capital\"\n  3880 >= $1.2M\n";
    insta::assert_snapshot!(run(&[("pack.xfoot", rules)], &["lint", "pack.xfoot"]));
}

// See: issue #23
#[test]
fn spreadsheet_spellings_in_a_report_say_what_to_write() {
    let report = "lines:\n  7060: $1.2M\n  7180: 1.76E+09\n  7190: \" - \"\n";
    insta::assert_snapshot!(run(
        &[("pack.xfoot", RULE), ("july.yaml", report)],
        &["check", "pack.xfoot", "july.yaml"]
    ));
    let csv = "report_id,7060,7180,7190\nR1,$1.2M,1.76E+09, - \n";
    insta::assert_snapshot!(run(
        &[("pack.xfoot", RULE), ("july.csv", csv)],
        &["check", "pack.xfoot", "july.csv"]
    ));
}
