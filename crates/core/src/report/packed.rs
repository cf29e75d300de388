//! Rows packed in bytes, exactly: what a run whose rules read previous reports keeps of
//! each report between reading it and checking it (in a temporary file), and what its
//! ledger keeps of a previous report. Numbers take seven bits a byte; an amount its sign,
//! scale and mantissa, so it comes back as the same [`Decimal`], never through a float.

use std::sync::Arc;

use rust_decimal::Decimal;

use super::{Meta, Place, Row, Spare};
use crate::unit::Unit;
use crossfoot_syntax::date::Date;

/// Write an unsigned number in as few bytes as it needs, seven bits a byte.
pub(crate) fn put_uint(out: &mut Vec<u8>, mut n: u128) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// A number [`put_uint`] wrote.
pub(crate) fn take_uint(bytes: &mut &[u8]) -> Option<u128> {
    let mut n: u128 = 0;
    for shift in (0..128).step_by(7) {
        let byte = take_byte(bytes)?;
        n |= u128::from(byte & 0x7f).checked_shl(shift)?;
        if byte & 0x80 == 0 {
            return Some(n);
        }
    }
    None
}

fn take_byte(bytes: &mut &[u8]) -> Option<u8> {
    let (&first, rest) = bytes.split_first()?;
    *bytes = rest;
    Some(first)
}

fn put_text(out: &mut Vec<u8>, text: Option<&str>) {
    match text {
        None => out.push(0),
        Some(text) => {
            out.push(1);
            put_uint(out, text.len() as u128);
            out.extend_from_slice(text.as_bytes());
        }
    }
}

/// A text [`put_text`] wrote, into `into`'s buffer when it has one.
fn take_text(bytes: &mut &[u8], into: Option<String>) -> Option<Option<String>> {
    if take_byte(bytes)? == 0 {
        return Some(None);
    }
    let len = usize::try_from(take_uint(bytes)?).ok()?;
    let (text, rest) = bytes.split_at_checked(len)?;
    *bytes = rest;
    let mut out = into.unwrap_or_default();
    out.clear();
    out.push_str(std::str::from_utf8(text).ok()?);
    Some(Some(out))
}

/// Write an amount exactly: a byte for blank, or for its sign, scale and how many of its
/// mantissa's three 32-bit words are needed, then those words.
#[inline]
pub(crate) fn put_amount(out: &mut Vec<u8>, amount: Option<Decimal>) {
    let Some(amount) = amount else {
        out.push(0);
        return;
    };
    let parts = amount.unpack();
    let words: u8 = if parts.hi != 0 {
        3
    } else if parts.mid != 0 {
        2
    } else {
        u8::from(parts.lo != 0)
    };
    // A scale is at most 28: five bits.
    let scale = u8::try_from(parts.scale.min(28)).unwrap_or(28);
    let sign = if parts.negative { 0x80 } else { 0 };
    let [l0, l1, l2, l3] = parts.lo.to_le_bytes();
    let [m0, m1, m2, m3] = parts.mid.to_le_bytes();
    let [h0, h1, h2, h3] = parts.hi.to_le_bytes();
    let head = sign | (words << 5) | (scale + 1);
    let packed = [head, l0, l1, l2, l3, m0, m1, m2, m3, h0, h1, h2, h3];
    // All thirteen bytes, then back to the words needed: a copy of fixed length is a move
    // of a few bytes, not a call.
    out.extend_from_slice(&packed);
    out.truncate(out.len() - 4 * usize::from(3 - words));
}

/// An amount [`put_amount`] wrote: `Some(None)` for blank, `None` when the bytes are not
/// one.
#[inline]
pub(crate) fn take_amount(bytes: &mut &[u8]) -> Option<Option<Decimal>> {
    let (&head, rest) = bytes.split_first()?;
    if head == 0 {
        *bytes = rest;
        return Some(None);
    }
    let scale = u32::from(head & 0x1f)
        .checked_sub(1)
        .filter(|&scale| scale <= 28)?;
    let words = usize::from((head >> 5) & 0x3);
    // Twelve bytes read at once where there are that many (all but the end of a part),
    // the words not written masked off.
    let mut twelve = [0; 12];
    match rest.first_chunk::<12>() {
        Some(chunk) => twelve = *chunk,
        None => twelve
            .get_mut(..4 * words)?
            .copy_from_slice(rest.get(..4 * words)?),
    }
    #[allow(
        clippy::indexing_slicing,
        reason = "called with `at` 0, 1 and 2 only: each index is within the twelve bytes"
    )]
    let word = |at: usize| {
        let value = u32::from_le_bytes([
            twelve[4 * at],
            twelve[4 * at + 1],
            twelve[4 * at + 2],
            twelve[4 * at + 3],
        ]);
        if at < words { value } else { 0 }
    };
    *bytes = rest.get(4 * words..)?;
    Some(Some(Decimal::from_parts(
        word(0),
        word(1),
        word(2),
        head & 0x80 != 0,
        scale,
    )))
}

/// Write what names a report and how its amounts are printed: its file (as an index
/// `source` the reader knows), place, id and unit.
pub(crate) fn put_name(out: &mut Vec<u8>, meta: &Meta, source: u32) {
    put_uint(out, u128::from(source));
    match meta.place {
        None => out.push(0),
        Some(Place::Row(row)) => {
            out.push(1);
            put_uint(out, row as u128);
        }
        Some(Place::Line(line)) => {
            out.push(2);
            put_uint(out, line as u128);
        }
    }
    put_text(out, meta.id.as_deref());
    out.push(meta.unit.exponent());
}

/// What [`put_name`] wrote, into `meta` (its firm and date are left as they are), with
/// the files by index.
pub(crate) fn take_name(bytes: &mut &[u8], sources: &[Arc<str>], meta: &mut Meta) -> Option<()> {
    let source = sources.get(usize::try_from(take_uint(bytes)?).ok()?)?;
    if !Arc::ptr_eq(&meta.source, source) {
        meta.source = Arc::clone(source);
    }
    meta.place = match take_byte(bytes)? {
        1 => Some(Place::Row(usize::try_from(take_uint(bytes)?).ok()?)),
        2 => Some(Place::Line(usize::try_from(take_uint(bytes)?).ok()?)),
        _ => None,
    };
    meta.id = take_text(bytes, meta.id.take())?;
    let exponent = take_byte(bytes)?;
    meta.unit = Unit::ALL
        .into_iter()
        .find(|unit| unit.exponent() == exponent)?;
    Some(())
}

/// Write a whole row: its name, firm, date, every amount and the undeclared lines it holds.
pub(crate) fn put_row(out: &mut Vec<u8>, row: &Row, source: u32) {
    put_name(out, &row.meta, source);
    put_text(out, row.meta.firm.as_deref());
    match row.meta.as_of {
        None => out.push(0),
        Some(date) => {
            out.push(1);
            let (year, month, day) = date.parts();
            put_uint(out, u128::from(year));
            out.push(month);
            out.push(day);
        }
    }
    for amount in &row.amounts {
        put_amount(out, *amount);
    }
    put_uint(out, row.unknown.len() as u128);
    for code in &row.unknown {
        put_text(out, Some(&code.to_string()));
    }
}

/// A row [`put_row`] wrote, with `width` amounts, in a spare row's buffers.
pub(crate) fn take_row(
    bytes: &mut &[u8],
    width: usize,
    sources: &[Arc<str>],
    spare: &mut Spare,
) -> Option<Row> {
    let mut row = spare.blank(width);
    take_name(bytes, sources, &mut row.meta)?;
    row.meta.firm = take_text(bytes, row.meta.firm.take())?;
    row.meta.as_of = match take_byte(bytes)? {
        0 => None,
        _ => {
            let year = u16::try_from(take_uint(bytes)?).ok()?;
            let month = take_byte(bytes)?;
            let day = take_byte(bytes)?;
            Some(Date::new(year, month, day).ok()?)
        }
    };
    for amount in &mut row.amounts {
        *amount = take_amount(bytes)?;
    }
    let unknown = usize::try_from(take_uint(bytes)?).ok()?;
    for _ in 0..unknown {
        let code = take_text(bytes, None)??;
        row.unknown.push(code.parse().ok()?);
    }
    Some(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_pack_exactly() {
        let amounts = [
            None,
            Some(Decimal::ZERO),
            Some(Decimal::new(-0, 2)),
            Some(Decimal::new(123_456_789, 2)),
            Some(Decimal::new(-5, 0)),
            Some(Decimal::MAX),
            Some(Decimal::MIN),
            Some(Decimal::new(1, 28)),
        ];
        let mut out = Vec::new();
        for amount in amounts {
            put_amount(&mut out, amount);
        }
        let mut bytes = out.as_slice();
        for amount in amounts {
            let back = take_amount(&mut bytes).unwrap();
            assert_eq!(back.map(|a| a.serialize()), amount.map(|a| a.serialize()));
        }
        assert!(bytes.is_empty());
        assert_eq!(
            take_amount(&mut [0x21, 0x80].as_slice()),
            None,
            "a word cut short"
        );
        assert_eq!(take_amount(&mut [0x1f].as_slice()), None, "scale 30");
    }

    #[test]
    fn rows_pack_exactly() {
        let sources: Vec<Arc<str>> = vec![Arc::from("a.csv"), Arc::from("b.jsonl")];
        let rows = [
            Row {
                meta: Meta {
                    source: Arc::clone(&sources[1]),
                    place: Some(Place::Line(7)),
                    id: Some("R-1 é".to_owned()),
                    firm: Some("ACME FUTURES".to_owned()),
                    as_of: Some(Date::new(2024, 2, 29).unwrap()),
                    unit: Unit::ALL[2],
                },
                amounts: vec![None, Some(Decimal::new(-12_345, 2)), Some(Decimal::ZERO)],
                unknown: vec!["0042".parse().unwrap(), "9999".parse().unwrap()],
            },
            Row {
                meta: Meta {
                    source: Arc::clone(&sources[0]),
                    ..Meta::default()
                },
                amounts: vec![None; 3],
                unknown: Vec::new(),
            },
        ];
        let mut out = Vec::new();
        put_row(&mut out, &rows[0], 1);
        put_row(&mut out, &rows[1], 0);
        let mut bytes = out.as_slice();
        let mut spare = Spare::default();
        for row in &rows {
            assert_eq!(&take_row(&mut bytes, 3, &sources, &mut spare).unwrap(), row);
        }
        assert!(bytes.is_empty());
        assert!(take_row(&mut [0x05].as_slice(), 3, &sources, &mut spare).is_none());
    }
}
