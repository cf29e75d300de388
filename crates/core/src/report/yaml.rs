//! Reports in YAML.
//!
//! Read from the YAML parser's events, not through a deserializer, for three reasons: an
//! unquoted amount like `12345678901234567.89` keeps every digit (a deserializer hands it
//! over as a float); every value keeps its span for diagnostics; and duplicate keys and
//! aliases are refused here, in one place. Nesting is never followed past the report's own
//! two levels, so no input can make the reader recurse.

use std::collections::HashMap;
use std::str::FromStr;

use miette::SourceSpan;
use saphyr_parser::{Event, Parser, ScalarStyle, StrInput};

use super::{Meta, Report, ReportError};
use crate::unit::Unit;
use crossfoot_syntax::amount::{self, AmountError};
use crossfoot_syntax::date::Date;
use crossfoot_syntax::line::LineCode;
use crossfoot_syntax::source::{Source, Span};

/// The top-level keys a report may have.
const KEYS: [&str; 5] = ["lines", "firm", "as_of", "id", "unit"];

/// Read a YAML report. On failure, every problem found, in file order.
pub fn load_yaml(source: &Source) -> Result<Report, Vec<ReportError>> {
    load_yaml_meta(source).map_err(|(_, errors)| errors)
}

/// [`load_yaml`], and for a report that cannot be used, what could be read of its metadata
/// (its firm and date, when they were readable): an unreadable report is still the firm's
/// report of that date, which a later report's `prior(…)` must not pass over.
pub(crate) fn load_yaml_meta(source: &Source) -> Result<Report, (Meta, Vec<ReportError>)> {
    let mut reader = Reader {
        src: source.named(),
        parser: Parser::new_from_str(source.text()),
        errors: Vec::new(),
        meta: Meta::named(source.name()),
    };
    let report = reader.document(source.name());
    match report {
        Some(report) if reader.errors.is_empty() => Ok(report),
        _ => Err((reader.meta, reader.errors)),
    }
}

/// A scalar's text, how it was written, and where.
struct Scalar {
    text: String,
    style: ScalarStyle,
    span: Span,
}

/// What the parser produced next, reduced to what a report reader needs.
enum Item {
    Scalar(Scalar),
    MappingStart(Span),
    MappingEnd,
    SequenceStart(Span),
    SequenceEnd(Span),
    /// Stream and document markers.
    Marker(Span),
    End,
}

struct Reader<'s> {
    src: Source,
    parser: Parser<'s, StrInput<'s>>,
    errors: Vec<ReportError>,
    /// The metadata read so far, kept when the report turns out unreadable.
    meta: Meta,
}

impl Reader<'_> {
    fn document(&mut self, name: &str) -> Option<Report> {
        // StreamStart, then DocumentStart.
        self.next()?;
        let start = match self.next()? {
            Item::End => Span::new(0, 0),
            Item::Marker(span) => span,
            _ => return self.structure("a YAML document", "something else", Span::new(0, 0)),
        };
        let report = match self.next()? {
            Item::MappingStart(_) => self.top_mapping(name, start)?,
            Item::End => return self.no_lines(start),
            item => return self.unexpected("a mapping with `lines:`", &item),
        };
        // DocumentEnd, then StreamEnd or a second document.
        self.next()?;
        if let Item::Marker(span) = self.next()? {
            self.errors.push(ReportError::Documents {
                src: self.src.clone(),
                span: span.into(),
            });
            return None;
        }
        Some(report)
    }

    fn top_mapping(&mut self, name: &str, start: Span) -> Option<Report> {
        let mut report = Report {
            meta: super::Meta::named(name),
            ..Report::default()
        };
        let mut seen: HashMap<String, Span> = HashMap::new();
        let mut has_lines = false;
        loop {
            let key = match self.next()? {
                Item::MappingEnd => break,
                Item::Scalar(key) => key,
                item => {
                    self.unexpected("a key like `lines` or `firm`", &item)?;
                    continue;
                }
            };
            if let Some(first) = seen.insert(key.text.clone(), key.span) {
                self.duplicate(&key.text, first, key.span);
            }
            match key.text.as_str() {
                "lines" => {
                    has_lines = true;
                    self.lines(&mut report)?;
                }
                "firm" => report.meta.firm = self.text_value()?.as_deref().and_then(super::firm),
                "id" => report.meta.id = self.text_value()?,
                "as_of" => report.meta.as_of = self.date_value()?,
                "unit" => report.meta.unit = self.unit_value()?,
                _ => {
                    self.unknown_key(&key);
                    self.skip_value()?;
                }
            }
            self.meta.clone_from(&report.meta);
        }
        if !has_lines {
            return self.no_lines(start);
        }
        Some(report)
    }

    fn lines(&mut self, report: &mut Report) -> Option<()> {
        match self.next()? {
            Item::MappingStart(_) => {}
            Item::Scalar(scalar) if is_null(&scalar) => return Some(()),
            item => return self.unexpected("`code: amount` pairs", &item),
        }
        let mut seen: HashMap<LineCode, Span> = HashMap::new();
        loop {
            let key = match self.next()? {
                Item::MappingEnd => return Some(()),
                Item::Scalar(key) => key,
                item => {
                    self.unexpected("a line code", &item)?;
                    self.skip_value()?;
                    continue;
                }
            };
            let value = match self.next()? {
                Item::Scalar(value) => value,
                item => {
                    self.unexpected("an amount", &item)?;
                    continue;
                }
            };
            let code = match LineCode::from_str(key.text.trim()) {
                Ok(code) => code,
                Err(error) => {
                    self.errors.push(ReportError::LineCode {
                        text: key.text.clone(),
                        reason: error.to_string(),
                        src: self.src.clone(),
                        span: self.span(key.span),
                    });
                    continue;
                }
            };
            if let Some(first) = seen.insert(code, key.span) {
                self.duplicate(&code.to_string(), first, key.span);
            }
            if let Some(amount) = self.amount(code, &value) {
                report.lines.insert(code, amount);
            }
        }
    }

    fn amount(&mut self, code: LineCode, value: &Scalar) -> Option<rust_decimal::Decimal> {
        if is_null(value) || value.text.trim().is_empty() {
            return None;
        }
        match amount::parse(&value.text) {
            Ok(amount) => Some(amount),
            Err(error) => {
                let reason = match error {
                    AmountError::Empty => "the amount is empty".to_owned(),
                    other => other.to_string(),
                };
                self.errors.push(ReportError::Amount {
                    code: code.to_string(),
                    reason,
                    help: amount::advice(&value.text)
                        .unwrap_or_else(|| super::error::AMOUNT_HELP.to_owned()),
                    src: self.src.clone(),
                    span: self.span(value.span),
                });
                None
            }
        }
    }

    fn text_value(&mut self) -> Option<Option<String>> {
        match self.next()? {
            Item::Scalar(value) if is_null(&value) => Some(None),
            Item::Scalar(value) => Some(Some(value.text)),
            item => self.unexpected("a text", &item),
        }
    }

    fn date_value(&mut self) -> Option<Option<Date>> {
        let Item::Scalar(value) = self.next()? else {
            return self.structure("a date like 2020-07-31", "a structure", Span::new(0, 0));
        };
        if is_null(&value) {
            return Some(None);
        }
        let reason = match value.text.trim().parse::<Date>() {
            Ok(date) => return Some(Some(date)),
            Err(reason) => reason,
        };
        self.errors.push(ReportError::Date {
            text: value.text,
            reason,
            src: self.src.clone(),
            span: self.span(value.span),
        });
        Some(None)
    }

    fn unit_value(&mut self) -> Option<Unit> {
        let Item::Scalar(value) = self.next()? else {
            return self.structure("a unit like `thousands`", "a structure", Span::new(0, 0));
        };
        if is_null(&value) {
            return Some(Unit::DOLLARS);
        }
        if let Ok(unit) = Unit::of_field(&value.text) {
            return Some(unit);
        }
        self.errors.push(ReportError::Unit {
            text: value.text,
            src: self.src.clone(),
            span: self.span(value.span),
        });
        Some(Unit::DOLLARS)
    }

    /// Step over the value of a key that is being reported as unknown.
    fn skip_value(&mut self) -> Option<()> {
        let mut depth = 0usize;
        loop {
            match self.next()? {
                Item::MappingStart(_) => depth += 1,
                Item::MappingEnd => depth = depth.saturating_sub(1),
                Item::SequenceStart(_) => depth += 1,
                Item::SequenceEnd(_) => depth = depth.saturating_sub(1),
                Item::End => return None,
                _ => {}
            }
            if depth == 0 {
                return Some(());
            }
        }
    }

    /// The next event, or `None` once an error has been recorded.
    fn next(&mut self) -> Option<Item> {
        let (event, span) = match self.parser.next_event() {
            None => return Some(Item::End),
            Some(Ok(next)) => next,
            Some(Err(error)) => {
                let at = self.byte(error.marker().index());
                self.errors.push(ReportError::Yaml {
                    message: error.info().to_owned(),
                    src: self.src.clone(),
                    span: SourceSpan::new(at.into(), 0),
                });
                return None;
            }
        };
        let span = Span::new(span.start.index(), span.end.index());
        Some(match event {
            Event::Scalar(text, style, _, _) => Item::Scalar(Scalar {
                text: text.into_owned(),
                style,
                span,
            }),
            Event::MappingStart(..) => Item::MappingStart(span),
            Event::MappingEnd => Item::MappingEnd,
            Event::Alias(_) => {
                self.errors.push(ReportError::Alias {
                    src: self.src.clone(),
                    span: self.span(span),
                });
                return None;
            }
            Event::StreamEnd => Item::End,
            Event::SequenceStart(..) => Item::SequenceStart(span),
            Event::SequenceEnd => Item::SequenceEnd(span),
            Event::StreamStart | Event::DocumentStart(_) | Event::DocumentEnd | Event::Nothing => {
                Item::Marker(span)
            }
        })
    }

    fn unexpected<T>(&mut self, expected: &'static str, item: &Item) -> Option<T> {
        let (found, span) = match item {
            Item::Scalar(scalar) => ("a single value", scalar.span),
            Item::MappingStart(span) => ("a mapping", *span),
            Item::MappingEnd => ("the end of a mapping", Span::new(0, 0)),
            Item::SequenceStart(span) => ("a list", *span),
            Item::SequenceEnd(span) => ("the end of a list", *span),
            Item::Marker(span) => ("a document marker", *span),
            Item::End => ("the end of the file", Span::new(usize::MAX, usize::MAX)),
        };
        self.structure(expected, found, span)
    }

    fn structure<T>(
        &mut self,
        expected: &'static str,
        found: &'static str,
        span: Span,
    ) -> Option<T> {
        self.errors.push(ReportError::Structure {
            expected,
            found,
            src: self.src.clone(),
            span: self.span(span),
        });
        None
    }

    fn no_lines<T>(&mut self, start: Span) -> Option<T> {
        self.errors.push(ReportError::NoLines {
            src: self.src.clone(),
            span: self.span(start),
        });
        None
    }

    fn duplicate(&mut self, key: &str, first: Span, second: Span) {
        self.errors.push(ReportError::DuplicateKey {
            key: key.to_owned(),
            src: self.src.clone(),
            first: self.span(first),
            second: self.span(second),
        });
    }

    fn unknown_key(&mut self, key: &Scalar) {
        let close = KEYS
            .into_iter()
            .find(|known| key.text.starts_with(&known[..known.len().min(3)]));
        let help = match close {
            Some(known) => {
                format!(
                    "did you mean `{known}`? A report has `lines`, `firm`, `as_of`, `id` and `unit`"
                )
            }
            None => "a report has `lines`, `firm`, `as_of`, `id` and `unit`".to_owned(),
        };
        self.errors.push(ReportError::UnknownKey {
            key: key.text.clone(),
            src: self.src.clone(),
            span: self.span(key.span),
            help,
        });
    }

    /// A parser span (in characters) as a miette span (in bytes).
    fn span(&self, span: Span) -> SourceSpan {
        let start = self.byte(span.start);
        let end = self.byte(span.end);
        SourceSpan::new(start.into(), end.saturating_sub(start))
    }

    fn byte(&self, char_index: usize) -> usize {
        self.src.byte_of_char(char_index)
    }
}

/// `~`, `null` or nothing at all, unquoted: YAML's null, which a report reads as blank.
fn is_null(scalar: &Scalar) -> bool {
    scalar.style == ScalarStyle::Plain
        && matches!(scalar.text.as_str(), "" | "~" | "null" | "Null" | "NULL")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn load(text: &str) -> Result<Report, Vec<String>> {
        load_yaml(&Source::new("r.yaml", text))
            .map_err(|errors| errors.iter().map(ToString::to_string).collect())
    }

    fn amount(report: &Report, code: &str) -> Option<String> {
        report.amount(code.parse().unwrap()).map(|a| a.to_string())
    }

    #[test]
    fn reads_metadata_and_every_amount_spelling() {
        let report = load(
            "firm: HSBC Securities (USA) Inc.\nas_of: 2020-07-31\nlines:\n  7010: 1762813855\n  7033: -168780790\n  7180: \"4,207,049,429\"\n  7047: (16,446,970)\n  7050: $0\n  7160:\n  7170: ~\n  '7200': 12345678901234567.89\n",
        )
        .unwrap();
        assert_eq!(report.firm(), Some("HSBC Securities (USA) Inc."));
        assert_eq!(
            report.as_of().map(|d| d.to_string()).as_deref(),
            Some("2020-07-31")
        );
        assert_eq!(amount(&report, "7010").as_deref(), Some("1762813855"));
        assert_eq!(amount(&report, "7033").as_deref(), Some("-168780790"));
        assert_eq!(amount(&report, "7180").as_deref(), Some("4207049429"));
        assert_eq!(amount(&report, "7047").as_deref(), Some("-16446970"));
        assert_eq!(report.amount("7050".parse().unwrap()), Some(Decimal::ZERO));
        assert_eq!(amount(&report, "7160"), None);
        assert_eq!(amount(&report, "7170"), None);
        assert_eq!(
            amount(&report, "7200").as_deref(),
            Some("12345678901234567.89")
        );
    }

    #[test]
    fn collects_every_problem() {
        let errors =
            load("firm: x\nline: 5\nlines:\n  7010: 12abc\n  70a0: 5\n  7010: 7\n  7020: 1e6\n")
                .unwrap_err();
        assert_eq!(
            errors,
            [
                "unknown key `line`",
                "line 7010: `12abc` is not an amount",
                "`70a0` is not a line code: a line code is digits only",
                "`7010` appears twice",
                "line 7020: `1e6` is not an amount",
            ]
        );
    }

    #[test]
    fn refuses_what_it_cannot_use() {
        let first = |text: &str| load(text).unwrap_err().remove(0);
        assert_eq!(
            first("lines: [1, 2]"),
            "expected `code: amount` pairs, found a list"
        );
        assert_eq!(
            first("- 1\n"),
            "expected a mapping with `lines:`, found a list"
        );
        assert_eq!(first("firm: x\n"), "the report has no `lines`");
        assert_eq!(first(""), "the report has no `lines`");
        assert_eq!(
            first("lines:\n  7010: &a 5\n  7020: *a\n"),
            "YAML aliases are not accepted in reports"
        );
        assert_eq!(
            first("as_of: 2020-02-30\nlines: {}\n"),
            "`2020-02-30` is not a date"
        );
        assert!(first("lines:\n  7010: \"5\n").starts_with("the report is not valid YAML"));
        assert_eq!(
            first("lines: {}\n---\nlines: {}\n"),
            "a report file holds one report, but this one has several YAML documents"
        );
        assert_eq!(
            first("lines:\n  7010: 79228162514264337593543950335\n"),
            "line 7010: `79228162514264337593543950335` has more digits than can be held exactly (at most 28 significant digits)"
        );
    }

    #[test]
    fn deep_nesting_is_refused_without_recursion() {
        let deep = format!(
            "lines:\n  7010: {}{}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(load(&deep).is_err());
    }
}
