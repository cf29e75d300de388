//! JSON Lines reports: one report per line,
//! `{"id": …, "firm": …, "as_of": …, "lines": {"7010": "1762813855", …}}`.

use std::borrow::Cow;
use std::io::Read;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::csv::cell;
use super::inputs::{Boundaries, Buffers, Cutter, Job, Kind, Unreadable};
use super::{Meta, Place, Row, Spare};
use crate::compile::RuleSet;
use crate::unit::Unit;
use crossfoot_syntax::date::Date;
use crossfoot_syntax::line::LineCode;

/// Lines of a JSON Lines file, with the number of the first.
#[derive(Debug)]
pub(super) struct Block {
    file: Arc<str>,
    first: usize,
    bytes: Vec<u8>,
    /// Where the bytes' buffer goes once read.
    buffers: Arc<Buffers>,
}

/// A JSON Lines stream, a block of whole lines at a time.
pub(super) struct Blocks {
    cutter: Cutter<Box<dyn Read + Send>, Lines>,
    file: Arc<str>,
    next_line: usize,
}

impl Blocks {
    pub(super) fn new(reader: Box<dyn Read + Send>, name: String) -> Self {
        Blocks {
            cutter: Cutter::new(reader, Lines),
            file: name.into(),
            next_line: 1,
        }
    }
}

impl Iterator for Blocks {
    type Item = Job;

    fn next(&mut self) -> Option<Job> {
        let first = self.next_line;
        Some(match self.cutter.next_piece()? {
            Ok(piece) => {
                self.next_line += piece.records;
                Job(Kind::Jsonl(Block {
                    file: Arc::clone(&self.file),
                    first,
                    bytes: piece.bytes,
                    buffers: self.cutter.buffers(),
                }))
            }
            Err(message) => {
                let meta = Meta::at(&self.file, Place::Line(first));
                Job(Kind::Done(vec![Err(Unreadable::batch(meta, message))]))
            }
        })
    }
}

/// Lines end at `\n` (a JSON text holds no raw line break inside a string).
struct Lines;

impl Boundaries for Lines {
    fn scan(&mut self, bytes: &[u8]) -> (Option<usize>, usize) {
        let count = memchr::memchr_iter(b'\n', bytes).count();
        (memchr::memrchr(b'\n', bytes).map(|at| at + 1), count)
    }
}

impl Block {
    /// The bytes' length.
    pub(super) fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Each non-blank line as a report's row for `rules`, or why it is not one; the
    /// block's buffer goes back to its stream.
    pub(super) fn read(self, rules: &RuleSet, spare: &mut Spare) -> Vec<Result<Row, Unreadable>> {
        let rows = self.rows(rules, spare);
        self.buffers.give(self.bytes);
        rows
    }

    /// Each non-blank line as a report's row for `rules`, or why it is not one.
    fn rows(&self, rules: &RuleSet, spare: &mut Spare) -> Vec<Result<Row, Unreadable>> {
        let mut rows = Vec::with_capacity(memchr::memchr_iter(b'\n', &self.bytes).count() + 1);
        for (offset, line) in self.bytes.split(|&b| b == b'\n').enumerate() {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let place = Place::Line(self.first + offset);
            rows.push(match std::str::from_utf8(line) {
                Ok(text) => json_line(text, &self.file, place, rules, spare),
                Err(_) => Err(Unreadable::batch(
                    Meta::at(&self.file, place),
                    "the line is not UTF-8 text".to_owned(),
                )),
            });
        }
        rows
    }
}

fn json_line(
    text: &str,
    file: &Arc<str>,
    place: Place,
    rules: &RuleSet,
    spare: &mut Spare,
) -> Result<Row, Unreadable> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Shape<'a> {
        #[serde(default, borrow)]
        id: Option<Cow<'a, str>>,
        #[serde(default, borrow)]
        firm: Option<Cow<'a, str>>,
        #[serde(default, borrow)]
        as_of: Option<Cow<'a, str>>,
        #[serde(default, borrow)]
        unit: Option<&'a RawValue>,
        #[serde(borrow)]
        lines: Pairs<'a>,
    }
    let shape: Shape<'_> = match serde_json::from_str(text) {
        Ok(shape) => shape,
        Err(error) => {
            return Err(Unreadable::batch(
                Meta::at(file, place),
                format!("not a report: {error}"),
            ));
        }
    };
    let Row {
        mut meta,
        mut amounts,
        mut unknown,
    } = spare.row(rules.width(), file, place, shape.id.as_deref());
    meta.firm = shape.firm.as_deref().and_then(super::firm);
    let mut problems = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (key, value) in &shape.lines.0 {
        let code = match key.trim().parse::<LineCode>() {
            Ok(code) => code,
            Err(error) => {
                problems.push(format!("`{key}` is not a line code: {error}"));
                continue;
            }
        };
        if !seen.insert(code) {
            problems.push(format!("line {code} appears twice"));
        }
        let raw = value.get();
        let amount = if raw == "null" {
            Ok(None)
        } else if raw.starts_with('"') && raw.contains('\\') {
            // A string with escapes (`"\u0035"`) means what it decodes to.
            match serde_json::from_str::<String>(raw) {
                Ok(text) => cell(text.as_bytes()),
                Err(error) => Err(format!("`{raw}` is not a string: {error}")),
            }
        } else {
            let text = raw
                .strip_prefix('"')
                .and_then(|r| r.strip_suffix('"'))
                .unwrap_or(raw);
            cell(text.as_bytes())
        };
        match amount {
            Ok(amount) => match rules.slot(code).and_then(|slot| amounts.get_mut(slot)) {
                Some(target) => *target = amount,
                None if amount.is_some() && rules.undeclared(code) => unknown.push(code),
                None => {}
            },
            Err(error) => problems.push(format!("line {code}: {error}")),
        }
    }
    let as_of = match shape.as_of.as_deref().map(str::parse::<Date>).transpose() {
        Ok(as_of) => as_of,
        Err(error) => {
            let text = shape.as_of.as_deref().unwrap_or_default();
            problems.push(format!("as_of `{text}` is not a date: {error}"));
            None
        }
    };
    // `"unit": "thousands"` or `"unit": 1000`, as YAML and JSON files take it.
    let unit = shape.unit.map(RawValue::get).filter(|raw| *raw != "null");
    let unit = unit.map(|raw| match serde_json::from_str::<String>(raw) {
        Ok(text) => Unit::of_field(&text),
        Err(_) => Unit::of_field(raw),
    });
    match unit.transpose() {
        Ok(unit) => meta.unit = unit.unwrap_or_default(),
        Err(error) => problems.push(error.to_string()),
    }
    // The date is kept even when an amount is bad: an unreadable report still tells a later
    // one that its previous report could not be read.
    meta.as_of = as_of;
    if !problems.is_empty() {
        return Err(Unreadable::batch(meta, problems.join("; ")));
    }
    Ok(Row {
        meta,
        amounts,
        unknown,
    })
}

/// A JSON object read as its key/value pairs, in order, duplicates kept.
struct Pairs<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Pairs<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visit<'a> {
            type Value = Pairs<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of line codes and amounts")
            }
            /// `"lines": null` holds no lines, as `lines:` with nothing after it does in YAML.
            fn visit_unit<E: serde::de::Error>(self) -> Result<Pairs<'a>, E> {
                Ok(Pairs(Vec::new()))
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<Pairs<'a>, M::Error> {
                let mut pairs = Vec::new();
                while let Some((key, value)) = map.next_entry::<Cow<'de, str>, &'de RawValue>()? {
                    pairs.push((key, value));
                }
                Ok(Pairs(pairs))
            }
        }
        deserializer.deserialize_any(Visit(std::marker::PhantomData))
    }
}
