//! The grammar's expectations in a user's words: what stands where parsing stopped, what
//! was expected there, and advice for the common slips.

use super::G;
use crate::lexer::{self, Kind};
use crate::source::Span;

/// What stands at `at`, in words, and its span: `` `==` ``, `end of file`.
pub(super) fn found_at(text: &str, at: usize) -> (String, Span) {
    let rest = text.get(at..).unwrap_or("");
    let Some(first) = rest.chars().next() else {
        // Point at the last character written, so the label has something to underline.
        let before = text.get(..at).unwrap_or("").trim_end();
        let last = before.chars().next_back().map_or(0, char::len_utf8);
        return (
            "end of file".to_owned(),
            Span::new(before.len() - last, before.len()),
        );
    };
    if first == '\n' || first == '\r' {
        return ("end of line".to_owned(), Span::new(at, at + 1));
    }
    // The token that starts here, as the lexer reads it (white space was ruled out).
    let len = lexer::tokens(rest)
        .next()
        .map_or(first.len_utf8(), |token| match token.kind {
            // A comment or a string is named by its first character: `#`, `"`.
            Kind::Comment | Kind::String { .. } => 1,
            _ => token.span.end,
        });
    let token = rest.get(..len).unwrap_or("");
    let words = if first.is_control() {
        format!("the control character `{}`", first.escape_default())
    } else {
        format!("`{token}`")
    };
    (words, Span::new(at, at + len))
}

/// The grammar's expectations in a user's words, deduplicated, most useful first: an
/// operator before a clause keyword, and several clause keywords as "another clause".
pub(super) fn expected_words(positives: &[G]) -> String {
    const CLAUSES: [&str; 6] = [
        "`cite`",
        "`severity`",
        "`effective`",
        "`when`",
        "`within`",
        "`passes`, `fails` or `skips`",
    ];
    let mut words: Vec<&str> = Vec::new();
    for rule in positives {
        let word = describe(*rule);
        if !word.is_empty() && !words.contains(&word) {
            words.push(word);
        }
    }
    if words.iter().filter(|w| CLAUSES.contains(w)).count() >= 3 {
        words.retain(|w| !CLAUSES.contains(w));
        words.push("another clause (`cite`, `when`, `passes`, …)");
    }
    let rank = |word: &&str| match *word {
        "an operator" => 0,
        w if w.starts_with("a comparison") => 1,
        "end of file" => 3,
        _ => 2,
    };
    words.sort_by_key(rank);
    match words.as_slice() {
        [] => "something else".to_owned(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// One grammar rule in a user's words. Exhaustive so a new rule must be named here.
fn describe(rule: G) -> &'static str {
    match rule {
        G::EOI => "end of file",
        G::file | G::rule_def | G::kw_rule => "`rule`",
        G::page_def | G::kw_page => "`page`",
        // Rare, and a declaration of its own: not listed in every expectation after a
        // rule (it is still suggested for a misspelled keyword).
        G::lapse_def | G::kw_lapse => "",
        G::line_decl => "a line code and its label",
        G::line_flag => "`deduction`, `total`, `percent` or `ratio`",
        G::prior_line | G::kw_prior => "`prior`",
        G::kw_rounding => "`rounding`",
        G::name => "a rounding mode like `half_even`",
        G::rule_id | G::ident => "a rule id like `seg.excess`",
        G::description | G::string | G::string_text => "a description in double quotes",
        G::cite | G::kw_cite => "`cite`",
        G::severity | G::kw_severity => "`severity`",
        G::severity_level => "`error`, `warning` or `info`",
        G::tolerance | G::kw_within => "`within`",
        G::condition | G::kw_when => "`when`",
        G::effective | G::kw_effective => "`effective`",
        G::kw_from => "`from`",
        G::kw_until => "`until`",
        G::kw_through => "`through`",
        G::period_end => "`until` or `through`",
        G::date => "a date like 2024-07-01",
        G::assertion
        | G::expr
        | G::term
        | G::factor
        | G::primary
        | G::neg
        | G::line_code
        | G::call
        | G::call_arg
        | G::money
        | G::percent
        | G::ratio => "a line code, amount or formula",
        G::cmp_op => "a comparison (`=`, `!=`, `<`, `<=`, `>`, `>=`)",
        G::add_op | G::mul_op => "an operator",
        G::cond_or
        | G::cond_and
        | G::cond_not
        | G::cond_atom
        | G::comparison
        | G::blank_test
        | G::negation => "a condition",
        G::kw_and | G::kw_or => "`and` or `or`",
        G::kw_is => "`is`",
        G::kw_blank => "`blank`",
        G::clause => "a rule clause",
        G::example | G::expectation => "`passes`, `fails` or `skips`",
        G::example_line => "a line and its amount, like `7190 = 250`",
        G::example_amount => "an amount like `250` or `-1.5`",
        G::WHITESPACE | G::COMMENT | G::ident_char | G::word_char | G::keyword => "",
    }
}

/// The keywords a grammar rule starts with, for "did you mean `when`?".
pub(super) fn keywords(rule: G) -> &'static [&'static str] {
    match rule {
        G::rule_def | G::kw_rule => &["rule"],
        G::page_def | G::kw_page => &["page"],
        G::lapse_def | G::kw_lapse => &["lapse"],
        G::cite | G::kw_cite => &["cite"],
        G::severity | G::kw_severity => &["severity"],
        G::severity_level => &["error", "warning", "info"],
        G::tolerance | G::kw_within => &["within"],
        G::condition | G::kw_when => &["when"],
        G::effective | G::kw_effective => &["effective"],
        G::kw_from => &["from"],
        G::kw_until => &["until"],
        G::kw_through => &["through"],
        G::period_end => &["until", "through"],
        G::example | G::expectation => &["passes", "fails", "skips"],
        G::kw_and => &["and"],
        G::kw_or => &["or"],
        G::kw_is => &["is"],
        G::kw_blank => &["blank"],
        G::negation => &["not"],
        G::line_flag => &["deduction", "total", "percent", "ratio"],
        G::kw_rounding => &["rounding"],
        _ => &[],
    }
}

/// Advice for the mistakes people make most.
pub(super) fn advice(expected: &str, found: &str) -> Option<String> {
    if expected.contains("`rule`") && !expected.contains("an operator") && found != "end of file" {
        return Some(
            "every rule starts with `rule` and an id, e.g. `rule seg.excess \"Excess funds\"`"
                .to_owned(),
        );
    }
    if expected.contains("an operator") && found.starts_with("`") {
        return Some(
            "is an operator missing? A rule asserts one relationship; start another with `rule ID`"
                .to_owned(),
        );
    }
    if found == "`==`" {
        return Some("equality is written `=`".to_owned());
    }
    if found.starts_with("`\"") {
        return Some("the description goes right after the rule id".to_owned());
    }
    None
}
