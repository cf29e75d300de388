//! Writing text into output buffers: JSON strings, XML and HTML text, values and amounts without
//! going through the formatting machinery, and untrusted text made safe for a terminal.

use std::borrow::Cow;
use std::fmt::Write as _;

use rust_decimal::Decimal;

use crossfoot_core::eval::Value;
use crossfoot_syntax::source::acts_on_display;
pub use crossfoot_syntax::source::{terminal, terminal_lines};

/// `text` as a JSON string, quotes included.
pub(crate) fn json_string(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    let bytes = text.as_bytes();
    let mut start = 0;
    for (at, &byte) in bytes.iter().enumerate() {
        let escaped: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(bytes.get(start..at).unwrap_or_default());
        if escaped.is_empty() {
            let _ = write!(Utf8(out), "\\u{byte:04x}");
        } else {
            out.extend_from_slice(escaped);
        }
        start = at + 1;
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or_default());
    out.push(b'"');
}

/// `text` for XML, in an attribute or an element: markup characters as entities, line
/// breaks and tabs as `&#10;`, `&#9;` (but line breaks in an element), other control
/// characters and bidirectional controls written as `\u{1b}` as [`terminal`] writes them,
/// and the two characters XML 1.0 cannot hold (U+FFFE, U+FFFF) as U+FFFD.
pub(crate) fn xml(text: &str, attribute: bool) -> Cow<'_, str> {
    let plain = text.chars().all(|c| {
        !matches!(c, '&' | '<' | '>' | '"' | '\'' | '\u{FFFE}' | '\u{FFFF}')
            && (!acts_on_display(c) || (!attribute && c == '\n'))
    });
    if plain {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' if !attribute => out.push('\n'),
            '\n' | '\t' | '\r' => {
                let _ = write!(out, "&#{};", u32::from(c));
            }
            '\u{FFFE}' | '\u{FFFF}' => out.push('\u{FFFD}'),
            c if acts_on_display(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `text` for HTML, in an element or an attribute: `&`, `<`, `>`, `"` and `'` as
/// entities, and control characters and bidirectional controls written as `\u{1b}` as
/// [`terminal`] writes them (a page would not show them, or would show the text around
/// them reordered); with `lines`, line breaks (`\r\n` too) and tabs are kept, for `<pre>`.
pub(crate) fn html(text: &str, lines: bool) -> Cow<'_, str> {
    let kept = |c: char| lines && matches!(c, '\n' | '\r' | '\t');
    let plain = text
        .chars()
        .all(|c| !matches!(c, '&' | '<' | '>' | '"' | '\'') && (!acts_on_display(c) || kept(c)));
    if plain {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if kept(c) => out.push(c),
            c if acts_on_display(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// An unsigned number.
pub(crate) fn number(out: &mut Vec<u8>, n: u128) {
    padded(out, n, 1);
}

/// An unsigned number in at least `width` digits, zeros in front.
fn padded(out: &mut Vec<u8>, n: u128, width: usize) {
    const TEN_19: u128 = 10_000_000_000_000_000_000;
    match u64::try_from(n) {
        Ok(small) => padded64(out, small, width),
        // Above 64 bits, in 19-digit pieces: dividing a u128 is a call, a u64 a multiply.
        Err(_) => {
            padded(out, n / TEN_19, width.saturating_sub(19));
            padded64(out, (n % TEN_19) as u64, 19);
        }
    }
}

fn padded64(out: &mut Vec<u8>, mut n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        if let Some(digit) = digits.get_mut(at) {
            *digit = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || at == 0 {
            break;
        }
    }
    for _ in digits.len() - at..width {
        out.push(b'0');
    }
    out.extend_from_slice(digits.get(at..).unwrap_or_default());
}

/// A value's exact text, as its `Display` writes it (`-1234.50`, `40/3`), without the
/// formatting machinery for the common values: those held over a power of ten.
pub(crate) fn value(out: &mut Vec<u8>, value: Value) {
    match value.plain_parts() {
        Some((negative, whole, fraction, places)) => {
            if negative {
                out.push(b'-');
            }
            number(out, whole);
            if places > 0 {
                out.push(b'.');
                padded(out, fraction, places);
            }
        }
        None => {
            let _ = write!(Utf8(out), "{value}");
        }
    }
}

/// An amount as read, exactly.
pub(crate) fn amount(out: &mut Vec<u8>, amount: Decimal) {
    value(out, Value::from_decimal(amount));
}

/// `fmt::Write` into a byte buffer.
pub(crate) struct Utf8<'a>(pub &'a mut Vec<u8>);

impl std::fmt::Write for Utf8<'_> {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        self.0.extend_from_slice(text.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(f: impl Fn(&mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        f(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn values_read_as_their_display() {
        for shown in [
            "0",
            "7",
            "-7",
            "0.50",
            "-0.05",
            "360216023.76",
            "40/3",
            "-1/3",
            "1.0000000000000000000000000000",
            "9999999999999999999999999999",
            "0.0000000000000000000000000001",
            "0.1234567890123456789012345678",
            "-1234567890123456789.012345678",
            "0.0000000001234567890123456789",
        ] {
            let parsed: Value = shown.parse().unwrap();
            assert_eq!(
                text(|out| value(out, parsed)),
                parsed.to_string(),
                "{shown}"
            );
        }
        let product = "0.08"
            .parse::<Value>()
            .unwrap()
            .checked_mul("7455".parse().unwrap())
            .unwrap();
        assert_eq!(text(|out| value(out, product)), "596.40");
    }

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(
            text(|out| json_string(out, "a\"b\\c\nd\u{1b}e\u{7f}é")),
            "\"a\\\"b\\\\c\\nd\\u001be\u{7f}é\""
        );
    }

    #[test]
    fn html_text_is_escaped() {
        assert_eq!(
            html("<script>alert('x' & \"y\")</script>", false),
            "&lt;script&gt;alert(&#39;x&#39; &amp; &quot;y&quot;)&lt;/script&gt;"
        );
        assert_eq!(html("a\nb\u{1b}[31m", false), "a\\u{a}b\\u{1b}[31m");
        assert_eq!(html("a\r\nb\tc\u{7}", true), "a\r\nb\tc\\u{7}");
        assert_eq!(html("plain text", false), "plain text");
    }

    #[test]
    fn terminal_text_shows_control_characters() {
        assert_eq!(terminal("R1\u{1b}[31m"), "R1\\u{1b}[31m");
        assert_eq!(terminal("plain"), "plain");
        assert_eq!(terminal("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(terminal("\u{2066}x\u{2069}é"), "\\u{2066}x\\u{2069}é");
    }

    #[test]
    fn a_page_shows_bidirectional_controls_escaped() {
        assert_eq!(html("id\u{202e}cod.exe", false), "id\\u{202e}cod.exe");
        assert_eq!(html("a \"quoted\" id", false), "a &quot;quoted&quot; id");
    }
}
