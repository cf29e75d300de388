//! A small pull reader of the XML inside `.xlsx` files: start tags with their attributes,
//! end tags and text, read from a stream a block at a time so a sheet of any size is read
//! in little memory. It reads what spreadsheet programs write: namespace prefixes are
//! passed over (`x:c` is `c`), comments and processing instructions skipped, CDATA is
//! text. A document type declaration is refused: it is never in a workbook, and its
//! entities are how XML files are made to blow up.

use std::io::Read;

/// How much is read from the stream at a time.
const READ: usize = 256 * 1024;

/// The longest tag or text the reader holds at once: a tag or a text longer than this is
/// not a workbook's.
const MAX_TOKEN: usize = 64 * 1024 * 1024;

/// Where an event's name, attributes or text are in [`Xml::bytes`], until the next call.
#[derive(Clone, Copy, Debug)]
pub(super) struct Span {
    start: usize,
    end: usize,
}

impl Span {
    fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
}

/// What the reader found next.
#[derive(Clone, Copy, Debug)]
pub(super) enum Event {
    /// `<name attrs>` or, when `empty`, `<name attrs/>`.
    Start {
        name: Span,
        attrs: Span,
        empty: bool,
    },
    /// `</name>`.
    End { name: Span },
    /// Text between tags, entities not yet decoded (see [`decode`]); CDATA is given
    /// with `raw` set: its text is as written.
    Text { text: Span, raw: bool },
    /// The end of the document.
    Eof,
}

/// Where the reader's bytes come from: any [`Read`], or a source that hands over bytes
/// it holds without their being written into a zeroed buffer first.
pub(super) trait Source {
    /// Add at most `most` bytes (at least one, unless at the end) to the end of `buf`:
    /// how many; 0 at the end.
    fn append(&mut self, buf: &mut Vec<u8>, most: usize) -> std::io::Result<usize>;
}

impl<R: Read> Source for R {
    fn append(&mut self, buf: &mut Vec<u8>, most: usize) -> std::io::Result<usize> {
        let start = buf.len();
        buf.resize(start + most, 0);
        let read = self.read(buf.get_mut(start..).unwrap_or_default());
        buf.truncate(start + *read.as_ref().unwrap_or(&0));
        read
    }
}

/// The reader.
pub(super) struct Xml<R> {
    source: R,
    buf: Vec<u8>,
    pos: usize,
    ended: bool,
}

impl<R: Source> Xml<R> {
    /// A reader of `source`.
    pub(super) fn new(source: R) -> Xml<R> {
        Xml {
            source,
            buf: Vec::new(),
            pos: 0,
            ended: false,
        }
    }

    /// The bytes an event's ranges index.
    #[inline]
    pub(super) fn bytes(&self, span: Span) -> &[u8] {
        self.buf.get(span.start..span.end).unwrap_or_default()
    }

    /// Drop what has been read, once it is most of the buffer: called where no event's
    /// span is held.
    fn compact(&mut self) {
        if self.pos > READ && self.pos * 2 > self.buf.len() {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
    }

    /// The next event.
    pub(super) fn next(&mut self) -> Result<Event, String> {
        loop {
            self.compact();
            if self.pos >= self.buf.len() && !self.fill()? {
                return Ok(Event::Eof);
            }
            if self.buf.get(self.pos) != Some(&b'<') {
                return self.text();
            }
            if let Some(event) = self.markup()? {
                return Ok(event);
            }
        }
    }

    /// A cell written the plain way, as spreadsheet programs write nearly every cell, when
    /// that is what comes next: `<c`, attributes each after one space, named without a
    /// prefix in letters and digits, their values in double quotes; then `/>`, or `>` and
    /// (when the cell holds no more than a value without markup) `<v>TEXT</v></c>`. Read
    /// past what it matched: the whole cell, or its start tag when what follows is read
    /// by [`Xml::next`]. `None` (nothing read) for anything else, read by
    /// [`Xml::cell_start`] or [`Xml::next`]: it reads what matches here as they do,
    /// attribute for attribute and byte for byte, without a general tokenizer's work.
    #[inline(always)]
    pub(super) fn plain_cell(&mut self) -> Result<Option<CellTag>, String> {
        self.compact();
        if self.buf.len() - self.pos < 512 {
            self.fill()?;
        }
        let base = self.pos;
        let rest = self.buf.get(base..).unwrap_or_default();
        let Some((tag, len)) = scan_cell(rest) else {
            return Ok(None);
        };
        self.pos = base + len;
        let at = |span: Span| Span::new(base + span.start, base + span.end);
        Ok(Some(CellTag {
            place: tag.place.map(at),
            kind: tag.kind.map(at),
            style: tag.style.map(at),
            content: match tag.content {
                Content::Value(span) => Content::Value(at(span)),
                other => other,
            },
        }))
    }

    /// A cell's start tag (`<c ...>` or `<c .../>`, without a prefix) when that is what
    /// comes next: its attributes and whether it is empty, as [`Xml::next`] gives them,
    /// read without looking for any other markup. `None` (nothing read) for anything else.
    pub(super) fn cell_start(&mut self) -> Result<Option<(Span, bool)>, String> {
        self.compact();
        if self.buf.len() - self.pos < 256 {
            self.fill()?;
        }
        let rest = self.buf.get(self.pos..).unwrap_or_default();
        if !matches!(rest, [b'<', b'c', b' ' | b'>' | b'/', ..]) {
            return Ok(None);
        }
        // A cell's tag is short: its end within the bytes at hand, outside quotes.
        let mut quote = None;
        let end = rest.iter().take(256).position(|&b| {
            match (quote, b) {
                (None, b'>') => return true,
                (None, b'"' | b'\'') => quote = Some(b),
                (Some(open), _) if open == b => quote = None,
                _ => {}
            }
            false
        });
        let Some(end) = end else {
            return Ok(None);
        };
        let empty = end > 2 && rest.get(end - 1) == Some(&b'/');
        let attrs = Span::new(self.pos + 2, self.pos + end - usize::from(empty));
        self.pos += end + 1;
        Ok(Some((attrs, empty)))
    }

    /// The text of a cell's value written the plain way, `<v>TEXT</v></c>`, when that is
    /// what comes next: read past the cell's end tag. `None` (nothing read) for anything
    /// else, which [`Xml::next`] reads.
    pub(super) fn plain_value(&mut self) -> Result<Option<Span>, String> {
        const OPEN: &[u8] = b"<v>";
        const CLOSE: &[u8] = b"</v></c>";
        if self.buf.len() - self.pos < 256 {
            self.fill()?;
        }
        let rest = self.buf.get(self.pos..).unwrap_or_default();
        if !rest.starts_with(OPEN) {
            return Ok(None);
        }
        let start = self.pos + OPEN.len();
        let text = rest.get(OPEN.len()..).unwrap_or_default();
        let Some(len) = memchr::memchr(b'<', text) else {
            return Ok(None);
        };
        if !text.get(len..).unwrap_or_default().starts_with(CLOSE) {
            return Ok(None);
        }
        self.pos = start + len + CLOSE.len();
        Ok(Some(Span::new(start, start + len)))
    }

    /// Read more of the stream; `false` at its end.
    fn fill(&mut self) -> Result<bool, String> {
        if self.ended {
            return Ok(false);
        }
        if self.buf.len() - self.pos > MAX_TOKEN {
            return Err(format!("a tag or text longer than {} MiB", MAX_TOKEN >> 20));
        }
        let start = self.buf.len();
        let read = loop {
            match self.source.append(&mut self.buf, READ) {
                Ok(read) => break read,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                Err(error) => {
                    self.buf.truncate(start);
                    return Err(error.to_string());
                }
            }
        };
        self.ended = read == 0;
        if start == 0 && self.pos == 0 && is_utf16(self.buf.get(..2).unwrap_or_default()) {
            return Err("it is UTF-16 text; crossfoot reads workbook parts in UTF-8: save the workbook again from the spreadsheet program".to_owned());
        }
        Ok(read > 0)
    }

    /// The index of `needle` at or after `from`, reading more as needed; `None` at the
    /// end of the stream.
    fn find(&mut self, from: usize, needle: &[u8]) -> Result<Option<usize>, String> {
        let mut from = from;
        loop {
            let hay = self.buf.get(from..).unwrap_or_default();
            let found = match needle {
                [byte] => memchr::memchr(*byte, hay),
                _ => memchr::memmem::find(hay, needle),
            };
            if let Some(at) = found {
                return Ok(Some(from + at));
            }
            // The needle may start in what was scanned and end in what comes next.
            from = self.buf.len().saturating_sub(needle.len() - 1).max(from);
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    /// Text up to the next `<` or the end.
    fn text(&mut self) -> Result<Event, String> {
        let start = self.pos;
        let end = self.find(start, b"<")?.unwrap_or(self.buf.len());
        self.pos = end;
        Ok(Event::Text {
            text: Span::new(start, end),
            raw: false,
        })
    }

    /// The markup at `pos` (a `<`): `None` for what is skipped.
    fn markup(&mut self) -> Result<Option<Event>, String> {
        let start = self.pos;
        while self.buf.len() < start + 9 && self.fill()? {}
        let head = self.buf.get(start..).unwrap_or_default();
        let skip_to = |close: &'static [u8]| close;
        if head.starts_with(b"<!--") {
            return self.skip(start + 4, skip_to(b"-->")).map(|()| None);
        }
        if head.starts_with(b"<?") {
            return self.skip(start + 2, skip_to(b"?>")).map(|()| None);
        }
        if head.starts_with(b"<![CDATA[") {
            let from = start + 9;
            let end = self
                .find(from, b"]]>")?
                .ok_or("a CDATA section is not closed")?;
            self.pos = end + 3;
            return Ok(Some(Event::Text {
                text: Span::new(from, end),
                raw: true,
            }));
        }
        if head.starts_with(b"<!") {
            return Err("a document type declaration, which a workbook never has".to_owned());
        }
        let end = self.tag_end(start + 1)?;
        self.pos = end + 1;
        let inner = Span::new(start + 1, end);
        let bytes = self.bytes(inner);
        if let Some(rest) = bytes.strip_prefix(b"/") {
            let name = local(inner.start + 1, rest.trim_ascii_end());
            return Ok(Some(Event::End { name }));
        }
        let empty = bytes.ends_with(b"/");
        let inner = Span::new(inner.start, inner.end - usize::from(empty));
        let bytes = self.bytes(inner);
        let name_len = bytes
            .iter()
            .position(|b| b.is_ascii_whitespace())
            .unwrap_or(bytes.len());
        let name = local(inner.start, bytes.get(..name_len).unwrap_or_default());
        Ok(Some(Event::Start {
            name,
            attrs: Span::new(inner.start + name_len, inner.end),
            empty,
        }))
    }

    /// Past the next `close` after `from`.
    fn skip(&mut self, from: usize, close: &[u8]) -> Result<(), String> {
        let end = self
            .find(from, close)?
            .ok_or("a comment or processing instruction is not closed")?;
        self.pos = end + close.len();
        Ok(())
    }

    /// The `>` that ends the tag whose name starts at `from`: a `>` inside a quoted
    /// attribute value does not.
    fn tag_end(&mut self, from: usize) -> Result<usize, String> {
        let mut at = from;
        loop {
            let hay = self.buf.get(at..).unwrap_or_default();
            let Some(found) = memchr::memchr3(b'>', b'"', b'\'', hay) else {
                at = self.buf.len();
                if !self.fill()? {
                    return Err("a tag is not closed".to_owned());
                }
                continue;
            };
            let quote = match self.buf.get(at + found) {
                Some(b'>') => return Ok(at + found),
                Some(&quote) => quote,
                None => return Err("a tag is not closed".to_owned()),
            };
            let closing = self
                .find(at + found + 1, &[quote])?
                .ok_or("a quoted attribute value is not closed")?;
            at = closing + 1;
        }
    }
}

/// A cell's start tag as [`Xml::plain_cell`] reads it: where its `r`, `t` and `s`
/// attributes' values are (undecoded, as [`Attrs`] gives them), and what follows it.
pub(super) struct CellTag {
    pub(super) place: Option<Span>,
    pub(super) kind: Option<Span>,
    pub(super) style: Option<Span>,
    pub(super) content: Content,
}

/// What a cell read by [`Xml::plain_cell`] holds.
#[derive(Clone, Copy)]
pub(super) enum Content {
    /// Nothing: the tag was `<c .../>`.
    Empty,
    /// A value without markup, `<v>TEXT</v>`, entities not yet decoded; the cell's end
    /// tag is read.
    Value(Span),
    /// Something else, read from the end of the start tag on.
    Other,
}

/// The longest attribute value [`scan_cell`] reads: a cell's place, type and style are
/// short.
const PLAIN_ATTR: usize = 32;

/// A plain cell (see [`Xml::plain_cell`]) at the start of `bytes`, its spans from there,
/// and how many bytes it takes; `None` when `bytes` start with anything else or end
/// before it does.
#[inline(always)]
fn scan_cell(bytes: &[u8]) -> Option<(CellTag, usize)> {
    if bytes.get(..2)? != b"<c" {
        return None;
    }
    let mut tag = CellTag {
        place: None,
        kind: None,
        style: None,
        content: Content::Other,
    };
    let mut at = 2;
    loop {
        match *bytes.get(at)? {
            b' ' => {
                let name = at + 1;
                let mut eq = name;
                while bytes.get(eq)?.is_ascii_alphanumeric() {
                    eq += 1;
                }
                if eq == name || bytes.get(eq..eq + 2)? != b"=\"" {
                    return None;
                }
                let start = eq + 2;
                let mut value = bytes.get(start..)?.iter().take(PLAIN_ATTR + 1);
                let len = value.position(|&b| b == b'"')?;
                let span = Some(Span::new(start, start + len));
                match bytes.get(name..eq)? {
                    b"r" => tag.place = span,
                    b"t" => tag.kind = span,
                    b"s" => tag.style = span,
                    _ => {}
                }
                at = start + len + 1;
            }
            b'/' if bytes.get(at + 1) == Some(&b'>') => {
                tag.content = Content::Empty;
                return Some((tag, at + 2));
            }
            b'>' => break,
            _ => return None,
        }
    }
    let body = at + 1;
    let plain = bytes.get(body..).and_then(|rest| {
        let text = rest.strip_prefix(b"<v>")?;
        let len = text.iter().position(|&b| b == b'<')?;
        text.get(len..)?.starts_with(b"</v></c>").then_some(len)
    });
    Some(match plain {
        Some(len) => {
            let start = body + 3;
            tag.content = Content::Value(Span::new(start, start + len));
            (tag, start + len + 8)
        }
        None => (tag, body),
    })
}

/// Whether a part starting with `head` is UTF-16 text: its byte-order mark, or `<` as a
/// UTF-16 unit. (A document is UTF-8 or UTF-16; read as UTF-8, UTF-16 is no markup.)
fn is_utf16(head: &[u8]) -> bool {
    matches!(head, [0xFF, 0xFE] | [0xFE, 0xFF] | [b'<', 0] | [0, b'<'])
}

/// The local part of a name starting at `start` (`x:c` is `c`).
fn local(start: usize, name: &[u8]) -> Span {
    let colon = name.iter().rposition(|&b| b == b':').map_or(0, |at| at + 1);
    Span::new(start + colon, start + name.len())
}

/// The value of the attribute whose local name is `wanted` in `attrs`, undecoded.
pub(super) fn attr<'a>(attrs: &'a [u8], wanted: &[u8]) -> Option<&'a [u8]> {
    Attrs(attrs).find_map(|(name, value)| (name == wanted).then_some(value))
}

/// The attributes of a start tag: each one's local name and its value, undecoded.
pub(super) struct Attrs<'a>(pub(super) &'a [u8]);

impl<'a> Iterator for Attrs<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        // Attributes are short: a plain search beats setting up a vectorised one.
        let rest = self.0.trim_ascii_start();
        let eq = rest.iter().position(|&b| b == b'=')?;
        let name = rest.get(..eq)?.trim_ascii_end();
        let after = rest.get(eq + 1..)?.trim_ascii_start();
        let quote = *after.first()?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let value_len = after.get(1..)?.iter().position(|&b| b == quote)?;
        let value = after.get(1..1 + value_len)?;
        self.0 = after.get(value_len + 2..)?;
        let colon = name.iter().rposition(|&b| b == b':').map_or(0, |at| at + 1);
        Some((name.get(colon..)?, value))
    }
}

/// Text with its entities (`&amp;`, `&#8364;`, ...) decoded, added to `out`; an entity
/// that is not one is kept as written.
pub(super) fn decode(bytes: &[u8], out: &mut String) {
    // Most text (every number) is ASCII with nothing to decode.
    if memchr::memchr(b'&', bytes).is_none()
        && let Ok(text) = std::str::from_utf8(bytes)
    {
        out.push_str(text);
        return;
    }
    let mut rest = bytes;
    while let Some(at) = memchr::memchr(b'&', rest) {
        out.push_str(&String::from_utf8_lossy(rest.get(..at).unwrap_or_default()));
        let after = rest.get(at..).unwrap_or_default();
        let end = after.iter().take(12).position(|&b| b == b';');
        let entity = end.and_then(|end| after.get(1..end)).and_then(entity);
        match (entity, end) {
            (Some(c), Some(end)) => {
                out.push(c);
                rest = after.get(end + 1..).unwrap_or_default();
            }
            _ => {
                out.push('&');
                rest = after.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(&String::from_utf8_lossy(rest));
}

/// The character an entity's name stands for.
fn entity(name: &[u8]) -> Option<char> {
    match name {
        b"amp" => Some('&'),
        b"lt" => Some('<'),
        b"gt" => Some('>'),
        b"quot" => Some('"'),
        b"apos" => Some('\''),
        [b'#', b'x' | b'X', hex @ ..] => number(hex, 16),
        [b'#', decimal @ ..] => number(decimal, 10),
        _ => None,
    }
}

fn number(digits: &[u8], radix: u32) -> Option<char> {
    let digits = std::str::from_utf8(digits).ok()?;
    char::from_u32(u32::from_str_radix(digits, radix).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every event of `text`, read `chunk` bytes at a time, as strings.
    fn events(text: &str, chunk: usize) -> Vec<String> {
        struct Trickle<'a>(&'a [u8], usize);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.1.min(self.0.len()).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut xml = Xml::new(Trickle(text.as_bytes(), chunk));
        let mut out = Vec::new();
        loop {
            let shown = match xml.next().unwrap() {
                Event::Start { name, attrs, empty } => format!(
                    "<{}|{}{}>",
                    String::from_utf8_lossy(xml.bytes(name)),
                    String::from_utf8_lossy(xml.bytes(attrs)).trim(),
                    if empty { "/" } else { "" }
                ),
                Event::End { name } => format!("</{}>", String::from_utf8_lossy(xml.bytes(name))),
                Event::Text { text, raw } => {
                    let mut s = String::new();
                    if raw {
                        s.push_str(&String::from_utf8_lossy(xml.bytes(text)));
                    } else {
                        decode(xml.bytes(text), &mut s);
                    }
                    format!("'{s}'")
                }
                Event::Eof => break,
            };
            out.push(shown);
        }
        out
    }

    #[test]
    fn tags_text_and_entities_read_alike_in_any_chunks() {
        let text = r#"<?xml version="1.0"?><x:c r="A1" t='s' f="a>b"><!-- no --><v>1 &amp; 2 &#8364;&#x41;&bogus;</v><e/></x:c><t><![CDATA[<raw>]]></t>"#;
        let whole = events(text, 1 << 20);
        assert_eq!(
            whole,
            [
                r#"<c|r="A1" t='s' f="a>b">"#,
                "<v|>",
                "'1 & 2 €A&bogus;'",
                "</v>",
                "<e|/>",
                "</c>",
                "<t|>",
                "'<raw>'",
                "</t>",
            ]
        );
        for chunk in [1, 2, 3, 7] {
            assert_eq!(events(text, chunk), whole, "chunk {chunk}");
        }
    }

    #[test]
    fn a_cell_start_read_the_short_way_is_what_next_reads() {
        for tag in [
            r#"<c r="A1" t='s'>"#,
            "<c/>",
            "<c>",
            r#"<c r="B2" s="3"/>"#,
            r#"<c r="C3" x="a>b">"#,
        ] {
            let mut short = Xml::new(tag.as_bytes());
            let (attrs, empty) = short.cell_start().unwrap().unwrap();
            let mut long = Xml::new(tag.as_bytes());
            let Event::Start {
                name,
                attrs: a,
                empty: e,
            } = long.next().unwrap()
            else {
                panic!("{tag}");
            };
            assert_eq!(long.bytes(name), b"c", "{tag}");
            assert_eq!((short.bytes(attrs), empty), (long.bytes(a), e), "{tag}");
            assert!(matches!(short.next().unwrap(), Event::Eof), "{tag}");
        }
        for other in ["<col>", "<x:c r=\"A1\">", "<row>", "text", "<c r=\"A1\""] {
            let mut xml = Xml::new(other.as_bytes());
            assert!(xml.cell_start().unwrap().is_none(), "{other}");
        }
    }

    /// A cell as [`Xml::next`] and [`Attrs`] read it: its `r`, `t` and `s` values and its
    /// plain value (`<v>TEXT</v>` then `</c>`), or `None` for a value written otherwise.
    type Seen = (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<Option<String>>,
    );

    fn long_way(cell: &str) -> Seen {
        let mut xml = Xml::new(cell.as_bytes());
        let Event::Start { name, attrs, empty } = xml.next().unwrap() else {
            panic!("{cell}");
        };
        assert_eq!(xml.bytes(name), b"c", "{cell}");
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
        let attrs = xml.bytes(attrs).to_vec();
        // The last of an attribute given twice, as the sheet's reader takes it.
        let get = |key: &[u8]| {
            let values = Attrs(&attrs).filter(|(name, _)| *name == key);
            values.last().map(|(_, value)| text(value))
        };
        let value = if empty {
            Some(None)
        } else {
            let events: Vec<String> = std::iter::from_fn(|| match xml.next().unwrap() {
                Event::Eof => None,
                Event::Start { name, .. } => Some(format!("<{}>", text(xml.bytes(name)))),
                Event::End { name } => Some(format!("</{}>", text(xml.bytes(name)))),
                Event::Text { text: span, raw } => Some(format!("{raw}:{}", text(xml.bytes(span)))),
            })
            .collect();
            match events.as_slice() {
                [open, value, close, end] if open == "<v>" && close == "</v>" && end == "</c>" => {
                    value.strip_prefix("false:").map(|v| Some(v.to_owned()))
                }
                [open, close, end] if open == "<v>" && close == "</v>" && end == "</c>" => {
                    Some(Some(String::new()))
                }
                _ => None,
            }
        };
        (get(b"r"), get(b"t"), get(b"s"), value)
    }

    #[test]
    fn a_plain_cell_read_the_short_way_is_what_next_reads() {
        let plain = [
            r#"<c r="B2"><v>1762813855</v></c>"#,
            r#"<c r="A1" t="s"><v>5</v></c>"#,
            r#"<c r="C3" s="2" t="n"><v>-0.5</v></c>"#,
            r#"<c r="C3" x14="y" t="s" r="D4"><v>1 &amp; 2</v></c>"#,
            r#"<c r="E5" s="1"/>"#,
            "<c/>",
            r#"<c r="F6"><v></v></c>"#,
            r#"<c r="G7" t="str"><f>A1</f><v>x</v></c>"#,
            r#"<c r="H8" t="inlineStr"><is><t>a</t></is></c>"#,
            r#"<c r="I9"><v>1</v><extLst/></c>"#,
        ];
        for cell in plain {
            let mut xml = Xml::new(cell.as_bytes());
            let tag = xml
                .plain_cell()
                .unwrap()
                .unwrap_or_else(|| panic!("{cell}"));
            let text = |span: Span| String::from_utf8_lossy(xml.bytes(span)).into_owned();
            let value = match tag.content {
                Content::Empty => Some(None),
                Content::Value(span) => Some(Some(text(span))),
                Content::Other => None,
            };
            let short = (
                tag.place.map(text),
                tag.kind.map(text),
                tag.style.map(text),
                value,
            );
            assert_eq!(short, long_way(cell), "{cell}");
        }
        // Anything else is left to the long way, nothing read.
        for other in [
            r#"<c r='A1'><v>1</v></c>"#,
            r#"<c  r="A1"><v>1</v></c>"#,
            r#"<c r = "A1"><v>1</v></c>"#,
            r#"<c x:r="A1"><v>1</v></c>"#,
            r#"<x:c r="A1"><v>1</v></x:c>"#,
            "<c	r=\"A1\"><v>1</v></c>",
            r#"<c r="A1" "#,
            r#"<col min="1"/>"#,
        ] {
            let mut xml = Xml::new(other.as_bytes());
            assert!(xml.plain_cell().unwrap().is_none(), "{other}");
            assert_eq!(xml.pos, 0, "{other}");
        }
    }

    #[test]
    fn attributes_are_found_by_local_name() {
        let attrs = br#" name="Reports" sheetId='2' r:id="rId7" state="hidden""#;
        assert_eq!(attr(attrs, b"name"), Some(&b"Reports"[..]));
        assert_eq!(attr(attrs, b"sheetId"), Some(&b"2"[..]));
        assert_eq!(attr(attrs, b"id"), Some(&b"rId7"[..]));
        assert_eq!(attr(attrs, b"state"), Some(&b"hidden"[..]));
        assert_eq!(attr(attrs, b"missing"), None);
    }

    #[test]
    fn a_utf16_part_is_refused_by_its_encoding() {
        let text: Vec<u8> = "\u{feff}<worksheet/>"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        for bytes in [&text[..], &text[2..]] {
            let error = Xml::new(bytes).next().unwrap_err();
            assert!(error.starts_with("it is UTF-16 text"), "{error}");
        }
        // A UTF-8 byte-order mark is text before the root, passed over.
        let mut xml = Xml::new("\u{feff}<a/>".as_bytes());
        assert!(matches!(xml.next().unwrap(), Event::Text { .. }));
        assert!(matches!(
            xml.next().unwrap(),
            Event::Start { empty: true, .. }
        ));
    }

    #[test]
    fn a_document_type_or_an_open_tag_is_refused() {
        let mut xml = Xml::new(&b"<!DOCTYPE x [<!ENTITY a \"b\">]><x/>"[..]);
        assert!(xml.next().is_err());
        let mut xml = Xml::new(&b"<c r=\"A1\""[..]);
        assert!(xml.next().is_err());
    }
}
