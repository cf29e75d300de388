//! Long source lines in a diagnostic, cut around what its labels point at (as rustc does).
//!
//! miette draws every line a diagnostic's labels touch whole. A 9 KB rule file with 1,000
//! unknown codes on one line made 1,000 diagnostics of that 9 KB line each (18 MB). When a
//! line a diagnostic shows is longer than [`MAX_LINE_CHARS`], the diagnostic is drawn from
//! an [`Excerpt`] instead: the same lines, numbered as in the file, each long one cut to
//! the characters around its labels' ends with `…` for the rest, and the labels moved to
//! where their text now is. The location in the header stays the file's.

use miette::{LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// The longest line shown whole, in characters.
pub const MAX_LINE_CHARS: usize = 160;

/// Characters kept on each side of a label's start and end on a line that is cut.
const MARGIN: usize = 60;

/// What is shown in place of the characters cut.
const CUT: &str = "…";

/// The lines a diagnostic shows, long ones cut, as its source.
#[derive(Debug)]
pub struct Excerpt {
    name: Option<String>,
    /// The number (from 0) of the first line.
    first_line: usize,
    /// The lines, each followed by `\n`.
    text: String,
    lines: Vec<Line>,
}

/// One line of an excerpt.
#[derive(Debug)]
struct Line {
    /// Where it starts in the excerpt.
    start: usize,
    /// Its length in the excerpt, without the line break.
    len: usize,
    /// Where it starts in the file.
    original_start: usize,
    /// The pieces of the file's line kept: (start in the file, end in the file, start in
    /// the excerpt).
    kept: Vec<(usize, usize, usize)>,
}

impl Excerpt {
    /// An excerpt of `source` for `labels`, with the labels moved into it; `None` when
    /// every line shown is short enough to show whole.
    pub fn of(
        source: &dyn SourceCode,
        labels: &[LabeledSpan],
    ) -> Option<(Excerpt, Vec<LabeledSpan>)> {
        let start = labels.iter().map(LabeledSpan::offset).min()?;
        let end = labels.iter().map(|l| l.offset() + l.len()).max()?;
        let cover = SourceSpan::new(start.into(), end.saturating_sub(start));
        let contents = source.read_span(&cover, 1, 1).ok()?;
        let data = std::str::from_utf8(contents.data()).ok()?;
        let long = data
            .split('\n')
            .any(|line| line.chars().nth(MAX_LINE_CHARS).is_some());
        if !long {
            return None;
        }
        let points: Vec<usize> = labels
            .iter()
            .flat_map(|l| [l.offset(), l.offset() + l.len()])
            .collect();
        let mut excerpt = Excerpt {
            name: contents.name().map(str::to_owned),
            first_line: contents.line(),
            text: String::with_capacity(data.len().min(64 * 1024)),
            lines: Vec::new(),
        };
        let mut at = contents.span().offset();
        for raw in data.split_inclusive('\n') {
            let body = raw.trim_end_matches('\n').trim_end_matches('\r');
            excerpt.push(at, body, &points);
            at += raw.len();
        }
        let moved = labels
            .iter()
            .map(|label| {
                let start = excerpt.moved(label.offset());
                let end = excerpt.moved(label.offset() + label.len()).max(start);
                let span = SourceSpan::new(start.into(), end - start);
                let text = label.label().map(str::to_owned);
                if label.primary() {
                    LabeledSpan::new_primary_with_span(text, span)
                } else {
                    LabeledSpan::new_with_span(text, span)
                }
            })
            .collect();
        Some((excerpt, moved))
    }

    /// Add the file's line `body`, which starts at `original_start`, cut around the
    /// `points` on it when it is long.
    fn push(&mut self, original_start: usize, body: &str, points: &[usize]) {
        let start = self.text.len();
        let mut kept = Vec::new();
        if body.chars().nth(MAX_LINE_CHARS).is_none() {
            self.text.push_str(body);
            kept.push((original_start, original_start + body.len(), start));
        } else {
            let ranges = windows(body, original_start, points);
            let count = ranges.len();
            for (index, (from, to)) in ranges.into_iter().enumerate() {
                if from > 0 || index > 0 {
                    self.text.push_str(CUT);
                }
                let at = self.text.len();
                self.text.push_str(body.get(from..to).unwrap_or(""));
                kept.push((original_start + from, original_start + to, at));
                if index + 1 == count && to < body.len() {
                    self.text.push_str(CUT);
                }
            }
        }
        let len = self.text.len() - start;
        self.text.push('\n');
        self.lines.push(Line {
            start,
            len,
            original_start,
            kept,
        });
    }

    /// Where an offset in the file is in the excerpt: in the piece kept that holds it,
    /// else at the start of the next piece (or the end of its line).
    fn moved(&self, offset: usize) -> usize {
        let index = self
            .lines
            .partition_point(|line| line.original_start <= offset)
            .saturating_sub(1);
        let Some(line) = self.lines.get(index) else {
            return 0;
        };
        for &(from, to, at) in &line.kept {
            if offset < from {
                return at;
            }
            if offset <= to {
                return at + (offset - from);
            }
        }
        line.start + line.len
    }

    /// Where an offset in the excerpt is in the file (for the column in the header).
    fn original(&self, offset: usize) -> (usize, usize) {
        let index = self
            .lines
            .partition_point(|line| line.start <= offset)
            .saturating_sub(1);
        let Some(line) = self.lines.get(index) else {
            return (0, 0);
        };
        let mut found = line.original_start;
        for &(from, to, at) in &line.kept {
            if offset >= at {
                found = (from + (offset - at)).min(to);
            }
        }
        (index, found - line.original_start)
    }
}

/// The byte ranges of `body` kept: [`MARGIN`] characters each side of each point on the
/// line, merged where they meet; the first [`MAX_LINE_CHARS`] characters when no point is
/// on it.
fn windows(body: &str, original_start: usize, points: &[usize]) -> Vec<(usize, usize)> {
    let bounds: Vec<usize> = body
        .char_indices()
        .map(|(at, _)| at)
        .chain(std::iter::once(body.len()))
        .collect();
    let char_at = |byte: usize| bounds.partition_point(|&b| b < byte);
    let byte_at = |index: usize| bounds.get(index).copied().unwrap_or(body.len());
    let chars = bounds.len() - 1;
    let mut ranges: Vec<(usize, usize)> = points
        .iter()
        .filter(|&&p| p >= original_start && p <= original_start + body.len())
        .map(|&p| {
            let c = char_at(p - original_start);
            (c.saturating_sub(MARGIN), (c + MARGIN).min(chars))
        })
        .collect();
    if ranges.is_empty() {
        ranges.push((0, MAX_LINE_CHARS.min(chars)));
    }
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (from, to) in ranges {
        match merged.last_mut() {
            // Windows a few characters apart are one: a cut must save more than it costs.
            Some(last) if from <= last.1 + 4 => last.1 = last.1.max(to),
            _ => merged.push((from, to)),
        }
    }
    merged
        .into_iter()
        .map(|(from, to)| (byte_at(from), byte_at(to)))
        .collect()
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let last = self
            .lines
            .len()
            .checked_sub(1)
            .ok_or(MietteError::OutOfBounds)?;
        let line_of = |offset: usize| {
            self.lines
                .partition_point(|line| line.start <= offset)
                .saturating_sub(1)
        };
        let first = line_of(span.offset());
        let end = line_of(
            (span.offset() + span.len())
                .saturating_sub(1)
                .max(span.offset()),
        );
        let from = first.saturating_sub(context_lines_before);
        let to = (end + context_lines_after).min(last);
        let (Some(start), Some(stop)) = (self.lines.get(from), self.lines.get(to)) else {
            return Err(MietteError::OutOfBounds);
        };
        let stop = (stop.start + stop.len + 1).min(self.text.len());
        let data = self
            .text
            .get(start.start..stop)
            .ok_or(MietteError::OutOfBounds)?;
        // The header's column is the file's, counted as miette counts it (in bytes).
        let column = if context_lines_before == 0 {
            self.original(span.offset()).1
        } else {
            0
        };
        let contents = MietteSpanContents::new(
            data.as_bytes(),
            SourceSpan::new(start.start.into(), data.len()),
            self.first_line + from,
            column,
            self.first_line + to + 1,
        );
        Ok(Box::new(match &self.name {
            Some(name) => MietteSpanContents::new_named(
                name.clone(),
                contents.data(),
                *contents.span(),
                contents.line(),
                contents.column(),
                contents.line_count(),
            ),
            None => contents,
        }))
    }
}
