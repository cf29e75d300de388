//! Byte offsets (what every span of the library holds) and LSP positions (a line and a
//! column in UTF-16 code units, what the protocol speaks), both ways.
//!
//! A line ends at `\n`, `\r\n` or a lone `\r`, as the protocol counts lines. A position
//! past the end of its line is the line's end, a line past the end of the text is the
//! text's end, and a column inside a character (half of a surrogate pair) is that
//! character's start: no position a client sends can fail or split a character.

use lsp_types::{Position, Range, TextDocumentContentChangeEvent};

use crossfoot_syntax::source::Span;

/// Where each line of a text starts, for turning offsets into positions and back.
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// The byte offset of each line's first character; the first is 0.
    starts: Vec<usize>,
}

impl LineIndex {
    /// The lines of `text`.
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (at, &byte) in bytes.iter().enumerate() {
            let ends_line = match byte {
                b'\n' => true,
                b'\r' => bytes.get(at + 1) != Some(&b'\n'),
                _ => false,
            };
            if ends_line {
                starts.push(at + 1);
            }
        }
        LineIndex { starts }
    }

    /// The position of a byte offset (clamped to the text, moved back to a character
    /// boundary).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_boundary(text, offset.min(text.len()));
        let line = self
            .starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let column: usize = text
            .get(start..offset)
            .unwrap_or("")
            .chars()
            .map(char::len_utf16)
            .sum();
        Position::new(to_u32(line), to_u32(column))
    }

    /// The range of a span.
    pub fn range(&self, text: &str, span: Span) -> Range {
        Range::new(
            self.position(text, span.start),
            self.position(text, span.end.max(span.start)),
        )
    }

    /// The byte offset of a position: always a character boundary inside the text.
    pub fn offset(&self, text: &str, position: Position) -> usize {
        let line = usize::try_from(position.line).unwrap_or(usize::MAX);
        let Some(&start) = self.starts.get(line) else {
            return text.len();
        };
        let end = self.line_end(text, line);
        let wanted = usize::try_from(position.character).unwrap_or(usize::MAX);
        let mut column = 0;
        for (at, c) in text.get(start..end).unwrap_or("").char_indices() {
            column += c.len_utf16();
            if column > wanted {
                return start + at;
            }
        }
        end
    }

    /// The span of a range (its ends in order).
    pub fn span(&self, text: &str, range: Range) -> Span {
        let (a, b) = (self.offset(text, range.start), self.offset(text, range.end));
        Span::new(a.min(b), a.max(b))
    }

    /// Where a line's text ends, before its line break.
    fn line_end(&self, text: &str, line: usize) -> usize {
        let next = self.starts.get(line + 1).copied().unwrap_or(text.len());
        let body = text.get(..next).unwrap_or(text);
        let body = body.strip_suffix('\n').unwrap_or(body);
        let body = body.strip_suffix('\r').unwrap_or(body);
        body.len().max(self.starts.get(line).copied().unwrap_or(0))
    }
}

/// The text after the changes a client sent, in order: a change without a range replaces
/// the whole text, one with a range replaces that range (clamped, as any position is).
pub fn apply_changes(text: &str, changes: Vec<TextDocumentContentChangeEvent>) -> String {
    let mut text = text.to_owned();
    for change in changes {
        match change.range {
            None => text = change.text,
            Some(range) => {
                let index = LineIndex::new(&text);
                let span = index.span(&text, range);
                text.replace_range(span.start..span.end, &change.text);
            }
        }
    }
    text
}

/// The nearest character boundary at or before `offset`.
fn floor_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// A count as the protocol's unsigned integer (a text of 4 GiB lines is far past the
/// rule file limit, so the saturation never shows).
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u32, character: u32) -> Position {
        Position::new(line, character)
    }

    #[test]
    fn columns_count_utf16_units() {
        // `é` is 2 bytes and 1 unit, `𝄞` 4 bytes and 2 units.
        let text = "ab\n# é𝄞 x\n7190";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(index.position(text, x), at(1, 6));
        assert_eq!(index.offset(text, at(1, 6)), x);
        assert_eq!(index.position(text, text.len()), at(2, 4));
    }

    #[test]
    fn every_line_break_counts() {
        let text = "a\r\nb\rc\nd";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, text.find('b').unwrap()), at(1, 0));
        assert_eq!(index.position(text, text.find('c').unwrap()), at(2, 0));
        assert_eq!(index.position(text, text.find('d').unwrap()), at(3, 0));
        // The end of `a`'s line is before `\r\n`.
        assert_eq!(index.offset(text, at(0, 99)), 1);
    }

    #[test]
    fn bad_positions_are_clamped() {
        let text = "é𝄞\nz";
        let index = LineIndex::new(text);
        assert_eq!(index.offset(text, at(9, 9)), text.len());
        assert_eq!(index.offset(text, at(0, u32::MAX)), "é𝄞".len());
        // Inside the surrogate pair of `𝄞`: its start.
        assert_eq!(index.offset(text, at(0, 2)), "é".len());
        assert_eq!(index.position(text, 1), at(0, 0), "inside `é`");
        assert_eq!(index.position(text, 999), at(1, 1));
    }

    proptest::proptest! {
        /// Every offset on a character boundary comes back from its position, but the one
        /// between `\r` and `\n` (no position is there); every position lands on a
        /// boundary.
        #[test]
        fn offsets_and_positions_round_trip(
            text in "[a\\r\\né€𝄞 ]{0,40}",
            line in 0u32..12,
            character in 0u32..12,
        ) {
            let index = LineIndex::new(&text);
            for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
                let inside_crlf = text.get(..offset).is_some_and(|t| t.ends_with('\r'))
                    && text.get(offset..).is_some_and(|t| t.starts_with('\n'));
                if !inside_crlf {
                    let position = index.position(&text, offset);
                    proptest::prop_assert_eq!(index.offset(&text, position), offset);
                }
            }
            let offset = index.offset(&text, Position::new(line, character));
            proptest::prop_assert!(text.is_char_boundary(offset));
        }
    }

    #[test]
    fn changes_apply_in_order() {
        let change = |range: Option<Range>, text: &str| TextDocumentContentChangeEvent {
            range,
            range_length: None,
            text: text.to_owned(),
        };
        let text = apply_changes(
            "7190 = 7180",
            vec![
                change(Some(Range::new(at(0, 7), at(0, 11))), "7180 - 7060"),
                change(Some(Range::new(at(0, 99), at(0, 7))), "!"),
            ],
        );
        assert_eq!(text, "7190 = !");
        assert_eq!(apply_changes("x", vec![change(None, "y")]), "y");
    }
}
