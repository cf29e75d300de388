//! Source texts and byte spans.
//!
//! Every AST node and every result points back into the text it came from with a
//! [`Span`] (byte offsets). The text itself lives once, in a [`Source`], and is attached
//! to a diagnostic only when one is built.

use std::borrow::Cow;
use std::fmt;
use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// Whether a character changes how text around it is shown instead of being shown: a
/// control character (escape sequences start with one) or a bidirectional control
/// (U+202E, the right-to-left override, makes `abc` read `cba`). Untrusted text is never
/// shown with one in it: each output escapes them (see `render::text`), and a diagnostic
/// quotes a source with each of their bytes as `?`.
pub fn acts_on_display(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// Untrusted text (a report id, a firm, a label, a rule's description) as a terminal, a
/// log, an editor or a pull-request comment may show it: control characters (escape
/// sequences among them) and bidirectional controls (U+202E) written as `\u{1b}`,
/// `\u{202e}`. Every output that shows text from the inputs goes through it, or through
/// the render layer's HTML escaping for a page.
pub fn terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(acts_on_display) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if acts_on_display(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A whole text for a terminal, line by line: each line as [`terminal`] shows it, the
/// line breaks kept. For outputs made of plain lines (explain, coverage, diff).
pub fn terminal_lines(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && acts_on_display(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.split_inclusive('\n') {
        match line.strip_suffix('\n') {
            Some(body) => {
                out.push_str(&terminal(body));
                out.push('\n');
            }
            None => out.push_str(&terminal(line)),
        }
    }
    Cow::Owned(out)
}

/// A half-open byte range `start..end` into one source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// First byte of the range.
    pub start: usize,
    /// One past the last byte of the range.
    pub end: usize,
}

impl Span {
    /// The range `start..end`.
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span that covers both `self` and `other`.
    pub fn join(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// Length in bytes.
    pub fn len(self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// Whether the span covers no bytes.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
}

impl From<Span> for SourceSpan {
    fn from(span: Span) -> Self {
        SourceSpan::new(span.start.into(), span.len())
    }
}

impl From<pest::Span<'_>> for Span {
    fn from(span: pest::Span<'_>) -> Self {
        Span::new(span.start(), span.end())
    }
}

/// A value with the span it was written at.
///
/// Equality ignores the span, so a reformatted file parses to an equal AST.
#[derive(Clone, Debug)]
pub struct Spanned<T> {
    /// The value.
    pub node: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wrap `node`, written at `span`.
    pub fn new(node: T, span: Span) -> Self {
        Spanned { node, span }
    }

    /// Transform the value, keeping the span.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Spanned<U> {
        Spanned::new(f(self.node), self.span)
    }
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.node == other.node
    }
}

impl<T: Eq> Eq for Spanned<T> {}

/// A named text: a rule file or a report, as read.
#[derive(Clone, Debug)]
pub struct Source {
    name: String,
    text: Arc<str>,
    /// Where each line starts, found the first time a position is asked for.
    line_starts: Arc<OnceLock<Vec<usize>>>,
    /// The text as a diagnostic shows it, when it differs: control characters (escape
    /// sequences among them) as `?`, byte for byte, so every span still fits.
    shown: Arc<OnceLock<Option<Arc<str>>>>,
    /// For a text that is not ASCII, the byte offset of every [`CHAR_STEP`]th character,
    /// found the first time a character position is asked for.
    char_marks: Arc<OnceLock<Option<Vec<usize>>>>,
}

/// How many characters apart [`Source::byte_of_char`]'s marks are: a position is found
/// from the nearest mark before it, in at most this many steps.
const CHAR_STEP: usize = 64;

impl PartialEq for Source {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.text == other.text
    }
}

impl Eq for Source {}

impl Source {
    /// A source called `name` (usually its path) holding `text`.
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        Source {
            name: name.into(),
            text: text.into(),
            line_starts: Arc::default(),
            shown: Arc::default(),
            char_marks: Arc::default(),
        }
    }

    /// The name given at construction, usually the path.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text a span covers; empty if the span is out of range.
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    /// The 1-based line and column (in characters) of a byte offset: a binary search of
    /// the line starts, so asking for every rule of a large file takes linear time.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let starts = self.line_starts();
        let line = starts.partition_point(|&start| start <= offset).max(1);
        let line_start = starts.get(line - 1).copied().unwrap_or(0);
        let column = self
            .text
            .get(line_start..offset)
            .unwrap_or("")
            .chars()
            .count()
            + 1;
        (line, column)
    }

    /// The byte offset of the character at `index` (counted from 0; the end of the text
    /// for an index past it). Parsers that count in characters (the YAML parser) give
    /// their positions this way; each is found in constant time from marks made in one
    /// pass over the text, so the positions of every event of a large file take linear
    /// time, ASCII or not.
    pub fn byte_of_char(&self, index: usize) -> usize {
        let marks = self.char_marks.get_or_init(|| {
            if self.text.is_ascii() {
                return None;
            }
            let marks = self
                .text
                .char_indices()
                .step_by(CHAR_STEP)
                .map(|(at, _)| at)
                .collect();
            Some(marks)
        });
        let Some(marks) = marks else {
            return index.min(self.text.len());
        };
        let Some(&mark) = marks.get(index / CHAR_STEP) else {
            return self.text.len();
        };
        let rest = self.text.get(mark..).unwrap_or("");
        rest.char_indices()
            .nth(index % CHAR_STEP)
            .map_or(self.text.len(), |(at, _)| mark + at)
    }

    /// The source as a diagnostic attaches it (a cheap copy: the text is shared).
    pub fn named(&self) -> Source {
        self.clone()
    }

    /// The text a diagnostic shows: the text itself, or, when it holds characters a
    /// terminal would act on ([`acts_on_display`]), a copy with each of their bytes as `?`.
    fn shown(&self) -> &str {
        let shown = self.shown.get_or_init(|| {
            let acted_on = |c: char| acts_on_display(c) && !matches!(c, '\n' | '\r' | '\t');
            if !self.text.chars().any(acted_on) {
                return None;
            }
            let copy: String = self
                .text
                .chars()
                .flat_map(|c| {
                    let n = if acted_on(c) { c.len_utf8() } else { 0 };
                    let keep = (n == 0).then_some(c);
                    keep.into_iter().chain(std::iter::repeat_n('?', n))
                })
                .collect();
            Some(Arc::from(copy))
        });
        shown.as_deref().unwrap_or(&self.text)
    }

    /// Where each line starts, found the first time it is asked for.
    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|at| at + 1))
                .collect()
        })
    }
}

impl SourceCode for Source {
    /// The lines around a span, found through the line index: miette's own reading of a
    /// text starts at its first byte, which for every diagnostic of a large file would
    /// make the output take time quadratic in the file. The window handed to it starts at
    /// the first context line, and its positions are moved back into the whole text, so
    /// what is drawn is the same.
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let starts = self.line_starts();
        let line = starts
            .partition_point(|&start| start <= span.offset())
            .max(1)
            - 1;
        let first = line.saturating_sub(context_lines_before);
        let base = starts.get(first).copied().unwrap_or(0);
        let window = self.shown().get(base..).unwrap_or("");
        let local = SourceSpan::new(span.offset().saturating_sub(base).into(), span.len());
        let contents = window.read_span(&local, context_lines_before, context_lines_after)?;
        let found = SourceSpan::new(
            (contents.span().offset() + base).into(),
            contents.span().len(),
        );
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            contents.data(),
            found,
            contents.line() + first,
            contents.column(),
            contents.line_count() + first,
        )))
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_lines_and_characters() {
        let source = Source::new("t", "ab\nc€d\n");
        assert_eq!(source.line_col(0), (1, 1));
        assert_eq!(source.line_col(3), (2, 1));
        // `d` follows a three-byte character but is the third character.
        assert_eq!(source.line_col(7), (2, 3));
        assert_eq!(source.line_col(2), (1, 3), "the line end is on its line");
        assert_eq!(source.line_col(9), (3, 1), "the end of the text");
        assert_eq!(source.line_col(99), (3, 1), "past the end");
    }

    #[test]
    fn byte_of_char_finds_characters_in_any_text() {
        for text in ["", "abc", "é", "aé€\u{1F600}b", &"xé".repeat(200)] {
            let source = Source::new("t", text);
            let expected: Vec<usize> = text.char_indices().map(|(at, _)| at).collect();
            for (index, at) in expected.iter().enumerate() {
                assert_eq!(source.byte_of_char(index), *at, "{text:?} {index}");
            }
            for past in [expected.len(), expected.len() + 1, usize::MAX] {
                assert_eq!(source.byte_of_char(past), text.len(), "{text:?} {past}");
            }
        }
    }

    #[test]
    fn spanned_equality_ignores_spans() {
        assert_eq!(
            Spanned::new(1, Span::new(0, 1)),
            Spanned::new(1, Span::new(5, 9))
        );
    }
}
