//! Better words for the mistakes people make most, found around where the grammar gave
//! up: a parenthesis left open, a tolerance without its unit, a keyword mistyped or
//! borrowed from another language (`where` for `when`).

use crate::lexer::{self, Kind};
use crate::spelling::edit_distance;

/// Words people write for a keyword, and the keyword they mean.
const SYNONYMS: [(&str, &str); 31] = [
    ("where", "when"),
    ("if", "when"),
    ("whenever", "when"),
    ("only", "when"),
    ("tolerance", "within"),
    ("tol", "within"),
    ("tolerate", "within"),
    ("plus", "within"),
    ("approx", "within"),
    ("warn", "warning"),
    ("warnings", "warning"),
    ("err", "error"),
    ("errors", "error"),
    ("fatal", "error"),
    ("information", "info"),
    ("note", "info"),
    ("notice", "info"),
    ("citation", "cite"),
    ("cites", "cite"),
    ("ref", "cite"),
    ("reference", "cite"),
    ("pass", "passes"),
    ("passing", "passes"),
    ("passed", "passes"),
    ("fail", "fails"),
    ("failing", "fails"),
    ("failed", "fails"),
    ("skip", "skips"),
    ("skipped", "skips"),
    ("sev", "severity"),
    ("level", "severity"),
];

/// The keyword a mistyped or borrowed word most likely stands for, among those the grammar
/// accepts where the word is (`candidates`): "did you mean `when`?".
pub(super) fn keyword(candidates: &[&str], token: &str) -> Option<String> {
    if token.is_empty() || !token.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let word = token.to_ascii_lowercase();
    let synonym = SYNONYMS
        .iter()
        .find(|(typed, meant)| *typed == word && candidates.contains(meant))
        .map(|(_, meant)| *meant);
    // Short words are close to too much: `in` is one edit from `is` and `or`.
    let reach = if word.chars().count() <= 3 { 1 } else { 2 };
    let close = || {
        candidates
            .iter()
            .copied()
            .map(|known| (edit_distance(known, &word), known))
            .filter(|(distance, _)| *distance <= reach)
            .min_by_key(|(distance, _)| *distance)
            .map(|(_, known)| known)
    };
    let meant = synonym.or_else(close)?;
    Some(format!("did you mean `{meant}`?"))
}

/// Advice for an amount spelled as a person or a spreadsheet writes it, where the grammar
/// gave up at `at`: `8 %` (a space before the percent sign), `$1.2M` (a magnitude suffix).
pub(super) fn spelling(text: &str, at: usize) -> Option<String> {
    let rest = text.get(at..)?;
    if rest.starts_with('%') {
        let before = text.get(..at)?;
        let number = before.trim_end();
        if number.len() < before.len() && number.ends_with(|c: char| c.is_ascii_digit()) {
            let digits = number
                .rsplit(|c: char| !(c.is_ascii_digit() || c == '.'))
                .next()
                .unwrap_or(number);
            return Some(format!(
                "remove the space: a percentage is written `{digits}%`"
            ));
        }
    }
    if rest.starts_with('$') {
        let word: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '$' | '.' | ','))
            .collect();
        if let Some((full, _, unit)) = crate::amount::magnitude(&word) {
            return Some(format!(
                "write the amount in full, `${}`: constants are in dollars, and a report printed in {unit} says `unit: {unit}` (its `$` constants are then read in {unit})",
                crate::amount::format(full)
            ));
        }
    }
    None
}

/// `within 5`: a tolerance is money or a percentage. What was expected and how to write
/// it, when the bare number follows `within`.
pub(super) fn tolerance(text: &str, at: usize, token: &str) -> Option<(String, String)> {
    let before = text.get(..at)?.trim_end();
    let after_within = before.ends_with("within")
        && !before
            .strip_suffix("within")?
            .ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
    let number = !token.is_empty() && token.chars().all(|c| c.is_ascii_digit() || c == '.');
    if !(after_within && number) {
        return None;
    }
    Some((
        "money like `$5`, a percentage like `0.01%`, or `rounding`".to_owned(),
        format!(
            "a tolerance carries its unit: `within ${}` (absolute), a percentage such as `within 0.01%` (relative to the larger side), or `within rounding` (what the rounding of the printed figures allows)",
            grouped(token)
        ),
    ))
}

/// `250000` → `250,000`; a decimal is left as written.
fn grouped(digits: &str) -> String {
    match crate::amount::parse(digits) {
        Ok(value) if !digits.contains('.') => crate::amount::format(value),
        _ => digits.to_owned(),
    }
}

/// Where the parenthesis is that the declaration holding `at` leaves open, when the
/// grammar gave up at `at` with it still open: the last `(` before `at` that nothing
/// closes (outside strings and comments), within the declaration (from its `rule` or
/// `page` to the next one).
pub(super) fn unclosed_paren(text: &str, at: usize) -> Option<usize> {
    let tokens = scan(text);
    let start = tokens
        .iter()
        .rev()
        .find_map(|token| match token {
            Token::Declaration(position) if *position < at => Some(*position),
            _ => None,
        })
        .unwrap_or(0);
    let end = tokens
        .iter()
        .find_map(|token| match token {
            Token::Declaration(position) if *position >= at && *position > start => Some(*position),
            _ => None,
        })
        .unwrap_or(text.len());
    let mut open = Vec::new();
    for token in &tokens {
        match *token {
            Token::Open(position) if (start..end).contains(&position) => open.push(position),
            Token::Close(position) if (start..end).contains(&position) => {
                open.pop();
            }
            _ => {}
        }
    }
    open.into_iter().rev().find(|&position| position < at)
}

/// What [`unclosed_paren`] looks at.
enum Token {
    /// A `rule` or `page` keyword, which starts a declaration.
    Declaration(usize),
    /// `(`
    Open(usize),
    /// `)`
    Close(usize),
}

/// The parentheses and declaration keywords of a text, outside strings and comments.
fn scan(text: &str) -> Vec<Token> {
    lexer::tokens(text)
        .filter_map(|token| match (token.kind, token.text(text)) {
            (Kind::Punct, "(") => Some(Token::Open(token.span.start)),
            (Kind::Punct, ")") => Some(Token::Close(token.span.start)),
            (Kind::Word, "rule" | "page" | "lapse") => Some(Token::Declaration(token.span.start)),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_keywords() {
        let clauses = ["cite", "severity", "effective", "when", "within", "passes"];
        assert_eq!(
            keyword(&clauses, "where").as_deref(),
            Some("did you mean `when`?")
        );
        assert_eq!(
            keyword(&clauses, "tolerance").as_deref(),
            Some("did you mean `within`?")
        );
        assert_eq!(
            keyword(&clauses, "wihtin").as_deref(),
            Some("did you mean `within`?")
        );
        assert_eq!(
            keyword(&["error", "warning", "info"], "warn").as_deref(),
            Some("did you mean `warning`?")
        );
        assert_eq!(keyword(&clauses, "frobnicate"), None);
        // Only keywords the grammar accepts there.
        assert_eq!(keyword(&["rule", "page"], "where"), None);
    }

    #[test]
    fn advises_on_amount_spellings() {
        let text = "rule a \"a\"\n  7010 >= 8 % * 7020\n";
        let at = text.find('%').unwrap();
        assert_eq!(
            spelling(text, at).as_deref(),
            Some("remove the space: a percentage is written `8%`")
        );
        let text = "rule a \"a\"\n  7010 >= $1.2M\n";
        let at = text.find('$').unwrap();
        assert_eq!(
            spelling(text, at).as_deref(),
            Some(
                "write the amount in full, `$1,200,000`: constants are in dollars, and a report printed in millions says `unit: millions` (its `$` constants are then read in millions)"
            )
        );
        assert_eq!(spelling("7010 >= 8%", 9), None);
        assert_eq!(spelling("7010 >= $12", 8), None);
    }

    #[test]
    fn finds_the_parenthesis_left_open() {
        let text = "rule t 7010 = (7020 + 7030\nrule u \"(\" 7010 = (7020)\n";
        assert_eq!(
            unclosed_paren(text, text.find("\nrule u").unwrap() + 1),
            Some(14)
        );
        let text = "rule t 7010 = max(7020, (7030)";
        assert_eq!(unclosed_paren(text, text.len()), Some(17));
        // Balanced: the problem is something else.
        let text = "rule t 7010 = (7020 7030)";
        assert_eq!(unclosed_paren(text, text.find("7030").unwrap()), None);
        // A parenthesis in a string or comment does not count.
        let text = "rule t \"(\" 7010 = 7020 # (\n 7030";
        assert_eq!(unclosed_paren(text, text.len() - 4), None);
    }

    #[test]
    fn tolerances_carry_their_unit() {
        let text = "rule t 7010 = 7020 within 250000";
        let (_, help) = tolerance(text, text.len() - 6, "250000").unwrap();
        assert!(help.contains("`within $250,000`"), "{help}");
        assert!(tolerance("rule t 7010 = 7020 unwithin 5", 27, "5").is_none());
    }
}
