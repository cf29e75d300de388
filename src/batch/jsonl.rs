//! JSON Lines reports: one report per line,
//! `{"id": …, "firm": …, "as_of": …, "lines": {"7010": "1762813855", …}}`.

use std::io::BufRead;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::{Item, Record, Unreadable, cell, row_error};
use crate::date::Date;
use crate::eval::Program;
use crate::line::LineCode;

/// One report per line of JSON: `{"id": …, "firm": …, "as_of": …, "lines": {"7010": "…"}}`.
pub(super) struct JsonLines<'p, R> {
    pub(super) lines: R,
    pub(super) name: String,
    pub(super) number: usize,
    pub(super) program: &'p Program<'p>,
    pub(super) buffer: String,
}

impl<R: BufRead> Iterator for JsonLines<'_, R> {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            self.buffer.clear();
            self.number += 1;
            match self.lines.read_line(&mut self.buffer) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(error) => {
                    let name = format!("{} line {}", self.name, self.number);
                    return Some(Item::Done(Err(row_error(name, error.to_string()))));
                }
            }
            if !self.buffer.trim().is_empty() {
                break;
            }
        }
        let name = format!("{} line {}", self.name, self.number);
        Some(Item::Done(json_line(&self.buffer, name, self.program)))
    }
}

fn json_line(text: &str, name: String, program: &Program<'_>) -> Result<Record, Unreadable> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Shape<'a> {
        #[serde(default, borrow)]
        id: Option<std::borrow::Cow<'a, str>>,
        #[serde(default, borrow)]
        firm: Option<std::borrow::Cow<'a, str>>,
        #[serde(default, borrow)]
        as_of: Option<std::borrow::Cow<'a, str>>,
        #[serde(borrow)]
        lines: Pairs<'a>,
    }
    let shape: Shape<'_> = match serde_json::from_str(text) {
        Ok(shape) => shape,
        Err(error) => return Err(row_error(name, format!("not a report: {error}"))),
    };
    let label = match &shape.id {
        Some(id) => format!("{name} ({id})"),
        None => name,
    };
    let mut row = vec![None; program.width()];
    let mut problems = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (key, value) in &shape.lines.0 {
        let code = match key.parse::<LineCode>() {
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
        let text = raw
            .strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
            .unwrap_or(raw);
        let amount = if raw == "null" {
            Ok(None)
        } else {
            cell(text.as_bytes())
        };
        match amount {
            Ok(amount) => {
                if let Some(target) = program.slot(code).and_then(|slot| row.get_mut(slot)) {
                    *target = amount;
                }
            }
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
    if !problems.is_empty() {
        return Err(row_error(label, problems.join("; ")));
    }
    Ok(Record {
        name: label,
        id: shape.id.map(|id| id.into_owned()),
        firm: shape.firm.map(|firm| firm.into_owned()),
        as_of,
        row,
    })
}

/// A JSON object read as its key/value pairs, in order, duplicates kept.
struct Pairs<'a>(Vec<(std::borrow::Cow<'a, str>, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Pairs<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visit<'a> {
            type Value = Pairs<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of line codes and amounts")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<Pairs<'a>, M::Error> {
                let mut pairs = Vec::new();
                while let Some((key, value)) =
                    map.next_entry::<std::borrow::Cow<'de, str>, &'de RawValue>()?
                {
                    pairs.push((key, value));
                }
                Ok(Pairs(pairs))
            }
        }
        deserializer.deserialize_map(Visit(std::marker::PhantomData))
    }
}
