//! The word at the cursor, for what the syntax tree cannot say: the prefix being typed
//! (a completion is asked for in the middle of an unfinished clause), and the code under
//! the cursor while a file does not parse. Whenever the file parses, a line code is found
//! through the tree instead ([`super::index`]).

use crossfoot_syntax::lexer;
use crossfoot_syntax::line::LineCode;
use crossfoot_syntax::source::Span;

/// Whether the end of a line's text is inside a comment or a string, as the one lexer
/// reads it.
pub fn in_comment_or_string(line: &str) -> bool {
    lexer::in_comment_or_string(line, line.len())
}

/// The word (letters, digits, `_`) that ends at `offset`, and the character before it.
pub fn word_before(text: &str, offset: usize) -> (&str, Option<char>) {
    let head = text.get(..offset).unwrap_or("");
    let start = head
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word(*c))
        .last()
        .map_or(head.len(), |(at, _)| at);
    let word = head.get(start..).unwrap_or("");
    let before = head.get(..start).and_then(|h| h.chars().next_back());
    (word, before)
}

/// The bare integer around `offset` when it reads as a line code: not part of money
/// (`$7,190`), a decimal (`71.90`), a percentage (`8%`), a word, a comment or a string.
pub fn code_around(text: &str, offset: usize) -> Option<(LineCode, Span)> {
    let bytes = text.as_bytes();
    let offset = offset.min(text.len());
    let start = offset - count_back(bytes, offset, |b| b.is_ascii_digit());
    let end = offset
        + bytes
            .get(offset..)?
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
    if start == end {
        return None;
    }
    let before = start.checked_sub(1).and_then(|at| bytes.get(at)).copied();
    let after = bytes.get(end).copied();
    let glued = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
    if glued(before) || glued(after) || matches!(before, Some(b'.' | b'$')) {
        return None;
    }
    if matches!(after, Some(b'.' | b'%')) || in_money(bytes, start) {
        return None;
    }
    let line_start = text
        .get(..start)?
        .rfind(['\n', '\r'])
        .map_or(0, |at| at + 1);
    if in_comment_or_string(text.get(line_start..start)?) {
        return None;
    }
    let code = text.get(start..end)?.parse().ok()?;
    Some((code, Span::new(start, end)))
}

/// Whether the digits starting at `start` follow `$` through digits and commas
/// (`$1,000`).
fn in_money(bytes: &[u8], start: usize) -> bool {
    let back = count_back(bytes, start, |b| b.is_ascii_digit() || b == b',');
    back > 0
        && start
            .checked_sub(back + 1)
            .and_then(|at| bytes.get(at))
            .is_some_and(|b| *b == b'$')
}

fn count_back(bytes: &[u8], end: usize, keep: impl Fn(u8) -> bool) -> usize {
    bytes
        .get(..end)
        .unwrap_or(&[])
        .iter()
        .rev()
        .take_while(|b| keep(**b))
        .count()
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str, at: &str) -> Option<String> {
        let offset = text.find(at).unwrap() + 1;
        code_around(text, offset).map(|(code, _)| code.to_string())
    }

    #[test]
    fn codes_are_bare_integers() {
        assert_eq!(code("7190 = 7180 - 7060", "7180").as_deref(), Some("7180"));
        assert_eq!(code("max(7010,7020)", "7020").as_deref(), Some("7020"));
        assert_eq!(code("x >= $1,000", "000"), None);
        assert_eq!(code("x >= $1000", "1000"), None);
        assert_eq!(code("1.10 * 7010", "10 "), None);
        assert_eq!(code("8% * 7010", "8%"), None);
        assert_eq!(code("7010 # 7020", "7020"), None);
        assert_eq!(code("cite \"7020\"", "7020"), None);
        assert_eq!(code("x7020", "7020"), None);
    }

    #[test]
    fn words_end_at_the_cursor() {
        assert_eq!(word_before("  7190 = 71", 11), ("71", Some(' ')));
        assert_eq!(word_before("rule x\n  ci", 11), ("ci", Some(' ')));
        assert_eq!(word_before("é", 1), ("", None), "not a boundary");
        assert_eq!(word_before("", 0), ("", None));
        assert!(in_comment_or_string("  7010 # a"));
        assert!(in_comment_or_string("cite \"a \\\" b"));
        assert!(!in_comment_or_string("cite \"a\" 70"));
    }
}
