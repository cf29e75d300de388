//! `crossfoot doc`: the rule book is generated from the rules, the shipped pack's book is
//! current, and the HTML book is one self-contained, escaped page.

#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

mod common;

use common::{crossfoot, crossfoot_in, scratch, stderr, stdout};

#[test]
fn the_shipped_packs_book_is_current() {
    let output = crossfoot(&[
        "doc",
        "rules/focus",
        "--output",
        "rules/focus/BOOK.md",
        "--check",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "regenerate it with `cargo run -- doc rules/focus --output rules/focus/BOOK.md`:\n{}{}",
        stdout(&output),
        stderr(&output)
    );
}

#[test]
fn a_stale_book_is_a_diff_and_exit_1() {
    let rules = "page seg \"Segregation\"\n  7060 \"Amount required to be segregated\"\n  7180 \"Total amount in segregation\"\n  7190 \"Excess (deficiency) funds in segregation\"\n\
                 rule seg.excess \"Excess (deficiency) funds in segregation\"\n  cite \"17 CFR 1.32\"\n  7190 = 7180 - 7060\n  passes 7180 = 10, 7060 = 4, 7190 = 6\n  fails 7180 = 10, 7060 = 4, 7190 = 7\n";
    let (_guard, dir) = scratch(&[("rules.xfoot", rules), ("BOOK.md", "old\n")]);
    let output = crossfoot_in(
        &dir,
        &["doc", "rules.xfoot", "--output", "BOOK.md", "--check"],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("+Line 7190 (Excess (deficiency) funds in segregation) must equal line 7180 (Total amount in segregation) minus line 7060 (Amount required to be segregated)."), "{}", stdout(&output));
    let output = crossfoot_in(&dir, &["doc", "rules.xfoot"]);
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!("book_markdown", stdout(&output));
    let output = crossfoot_in(&dir, &["doc", "rules.xfoot", "--format", "html"]);
    let html = stdout(&output);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        !html.contains("<script") && !html.contains("http"),
        "self-contained"
    );
    insta::assert_snapshot!("book_html", html);
}
