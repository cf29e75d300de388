//! The one lexer: a rule file's text as comments, strings, words, numbers and punctuation,
//! with their byte spans.
//!
//! pest parses; this lexer serves everything that looks at text the grammar did not
//! accept or does not keep: the parser's limits and its expected-token messages, the
//! hints for a parenthesis left open, the formatter's comments, the language server's
//! word at the cursor. Its classes are the grammar's (`COMMENT`, `string`, `ident`,
//! numbers, `cmp_op`), so every caller agrees with the parser on what is a comment or a
//! string. Every delimiter is ASCII, so every span starts and ends on a character
//! boundary.

use crate::source::Span;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `# …` to the end of its line (the line break not included).
    Comment,
    /// `"…"` with `\"` and `\\` escapes. A string the line or the text ends in before its
    /// closing quote is not `closed`.
    String {
        /// Whether it ends with its closing quote.
        closed: bool,
    },
    /// A letter or `_`, then letters, digits, `_`, `-` and `.`: a keyword, a function, a
    /// rule id (`seg.excess`, `cap-1`).
    Word,
    /// A digit, then letters, digits, `_` and `.`: a line code, a ratio, an example amount
    /// (`7190`, `1.10`; `7010a` stays one token, as it is one mistake).
    Number,
    /// Anything else, one character at a time, except the two-character operators
    /// `<=`, `>=`, `==` and `!=`.
    Punct,
}

/// One token: its kind and where it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: Kind,
    /// Its bytes in the text.
    pub span: Span,
}

impl Token {
    /// Its text in `text`, the text it was read from.
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.span.start..self.span.end).unwrap_or("")
    }
}

/// The tokens of `text`, in order; white space (spaces, tabs, line breaks) between them.
pub fn tokens(text: &str) -> Tokens<'_> {
    Tokens { text, at: 0 }
}

/// The iterator [`tokens`] returns.
#[derive(Clone, Debug)]
pub struct Tokens<'t> {
    text: &'t str,
    at: usize,
}

impl Iterator for Tokens<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        let bytes = self.text.as_bytes();
        let start = self.at
            + count(bytes, self.at, |b| {
                matches!(b, b' ' | b'\t' | b'\r' | b'\n')
            });
        let first = *bytes.get(start)?;
        let (kind, end) = match first {
            b'#' => (Kind::Comment, line_end(bytes, start)),
            b'"' => string(bytes, start),
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                let word = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
                (Kind::Word, start + 1 + count(bytes, start + 1, word))
            }
            b'0'..=b'9' => {
                let number = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.');
                (Kind::Number, start + 1 + count(bytes, start + 1, number))
            }
            b'<' | b'>' | b'=' | b'!' if bytes.get(start + 1) == Some(&b'=') => {
                (Kind::Punct, start + 2)
            }
            _ => {
                let width = self
                    .text
                    .get(start..)
                    .and_then(|rest| rest.chars().next())
                    .map_or(1, char::len_utf8);
                (Kind::Punct, start + width)
            }
        };
        self.at = end;
        Some(Token {
            kind,
            span: Span::new(start, end),
        })
    }
}

/// How many bytes from `from` on `keep` holds for.
fn count(bytes: &[u8], from: usize, keep: impl Fn(u8) -> bool) -> usize {
    bytes
        .get(from..)
        .unwrap_or_default()
        .iter()
        .take_while(|&&b| keep(b))
        .count()
}

/// Where the line holding `at` ends: its line break, or the end of the text.
fn line_end(bytes: &[u8], at: usize) -> usize {
    let rest = bytes.get(at..).unwrap_or_default();
    memchr::memchr(b'\n', rest).map_or(bytes.len(), |n| at + n)
}

/// The string that opens at `start`: where it ends, and whether it is closed.
fn string(bytes: &[u8], start: usize) -> (Kind, usize) {
    let mut i = start + 1;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => return (Kind::String { closed: true }, i + 1),
            b'\n' => break,
            b'\\' if bytes.get(i + 1).is_some_and(|&next| next != b'\n') => i += 2,
            _ => i += 1,
        }
    }
    (Kind::String { closed: false }, i.min(bytes.len()))
}

/// Whether `at` is inside a comment or a string of `text` (a string's opening quote is
/// inside it; the byte just past a closed string is not).
pub fn in_comment_or_string(text: &str, at: usize) -> bool {
    tokens(text)
        .take_while(|token| token.span.start < at)
        .any(|token| match token.kind {
            Kind::Comment | Kind::String { closed: false } => at <= token.span.end,
            Kind::String { closed: true } => at < token.span.end,
            _ => false,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexed(text: &str) -> Vec<(Kind, &str)> {
        tokens(text).map(|t| (t.kind, t.text(text))).collect()
    }

    #[test]
    fn a_rule_in_tokens() {
        let text =
            "rule seg.excess \"Excess (a \\\"b\\\")\" # note (\n  7190 <= 7180 - $1,000 * 8%";
        assert_eq!(
            lexed(text),
            [
                (Kind::Word, "rule"),
                (Kind::Word, "seg.excess"),
                (Kind::String { closed: true }, "\"Excess (a \\\"b\\\")\""),
                (Kind::Comment, "# note ("),
                (Kind::Number, "7190"),
                (Kind::Punct, "<="),
                (Kind::Number, "7180"),
                (Kind::Punct, "-"),
                (Kind::Punct, "$"),
                (Kind::Number, "1"),
                (Kind::Punct, ","),
                (Kind::Number, "000"),
                (Kind::Punct, "*"),
                (Kind::Number, "8"),
                (Kind::Punct, "%"),
            ]
        );
    }

    #[test]
    fn a_string_ends_at_its_line() {
        let text = "cite \"open ( \n 7010 = (7020)";
        let kinds: Vec<Kind> = tokens(text).map(|t| t.kind).collect();
        assert_eq!(kinds[1], Kind::String { closed: false });
        assert_eq!(lexed(text)[1].1, "\"open ( ");
        assert_eq!(lexed(text).len(), 7);
        assert_eq!(lexed("\"a\\"), [(Kind::String { closed: false }, "\"a\\")]);
        assert_eq!(lexed("é=="), [(Kind::Punct, "é"), (Kind::Punct, "==")]);
    }

    #[test]
    fn inside_comments_and_strings() {
        let text = "cite \"a # b\" 70 # c";
        assert!(in_comment_or_string(text, text.find('a').unwrap()));
        assert!(in_comment_or_string(text, text.find(" b").unwrap()));
        assert!(!in_comment_or_string(text, text.find("70").unwrap()));
        assert!(in_comment_or_string(text, text.len()));
        assert!(in_comment_or_string("cite \"a \\\" b", 12));
        assert!(!in_comment_or_string("cite \"a\"", 8));
    }
}
