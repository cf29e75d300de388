//! Amounts as text: reading what a preparer writes and writing what an analyst reads.
//!
//! Reading never goes through a float: the digits go straight into a
//! [`Decimal`], and a number with more digits than a `Decimal` holds exactly is refused,
//! never rounded.

use rust_decimal::Decimal;
use thiserror::Error;

use crate::number::Value;

/// Why a text is not an amount.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum AmountError {
    /// `""`
    #[error("the amount is empty")]
    Empty,
    /// `"12abc"`, `"1.2.3"`, `"1e6"`
    #[error("`{0}` is not an amount")]
    Malformed(String),
    /// `"1,23,456"`
    #[error("`{0}` has misplaced thousands separators")]
    Grouping(String),
    /// `"-(5)"`
    #[error("`{0}` is negative twice: use either a minus sign or parentheses")]
    DoubleNegative(String),
    /// 30 significant digits
    #[error("`{0}` has more digits than can be held exactly (at most 28 significant digits)")]
    TooPrecise(String),
}

/// Read an amount as a report or a money literal writes it.
///
/// Accepts an optional minus sign or surrounding parentheses (negative), an optional
/// `$`, digits with or without correct thousands separators, and an optional fraction:
/// `1762813855`, `"4,207,049,429"`, `"$1,000"`, `"(168,780,790)"`, `-0.5`.
pub fn parse(text: &str) -> Result<Decimal, AmountError> {
    parse_exact(text).map_err(|error| match error {
        AmountError::Malformed(t) => AmountError::Malformed(shown(&t)),
        AmountError::Grouping(t) => AmountError::Grouping(shown(&t)),
        AmountError::DoubleNegative(t) => AmountError::DoubleNegative(shown(&t)),
        AmountError::TooPrecise(t) => AmountError::TooPrecise(shown(&t)),
        AmountError::Empty => AmountError::Empty,
    })
}

/// An amount as a message shows it: a long one cut in the middle.
fn shown(text: &str) -> String {
    let count = text.chars().count();
    if count <= 48 {
        return text.to_owned();
    }
    let head: String = text.chars().take(24).collect();
    let tail: String = text.chars().skip(count - 8).collect();
    format!("{head}…{tail}")
}

fn parse_exact(text: &str) -> Result<Decimal, AmountError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AmountError::Empty);
    }
    let malformed = || AmountError::Malformed(text.to_owned());
    let (negative, body) = match text.strip_prefix('(') {
        Some(inner) => (true, inner.strip_suffix(')').ok_or_else(malformed)?),
        None => match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        },
    };
    let body = body.trim();
    let body = body.strip_prefix('$').unwrap_or(body).trim_start();
    if body.starts_with(['-', '(']) {
        return Err(AmountError::DoubleNegative(text.to_owned()));
    }
    let (whole, fraction) = match body.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (body, None),
    };
    let digits = whole_digits(whole, text)?;
    let mut plain = String::with_capacity(body.len() + 1);
    if negative {
        plain.push('-');
    }
    plain.push_str(&digits);
    if let Some(fraction) = fraction {
        if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed());
        }
        plain.push('.');
        plain.push_str(fraction);
    }
    exact(&plain).ok_or_else(|| AmountError::TooPrecise(text.to_owned()))
}

/// The digits of the whole part, with thousands separators checked and removed.
fn whole_digits(whole: &str, text: &str) -> Result<String, AmountError> {
    let malformed = || AmountError::Malformed(text.to_owned());
    if whole.is_empty() {
        return Err(malformed());
    }
    if !whole.contains(',') {
        return if whole.bytes().all(|b| b.is_ascii_digit()) {
            Ok(whole.to_owned())
        } else {
            Err(malformed())
        };
    }
    let mut groups = whole.split(',');
    let first = groups.next().unwrap_or("");
    // `0,100` is not a number anyone writes: a grouped amount starts with a non-zero digit.
    let well_grouped = (1..=3).contains(&first.len())
        && !first.starts_with('0')
        && groups.all(|group| group.len() == 3)
        && whole.bytes().all(|b| b.is_ascii_digit() || b == b',');
    if !whole.bytes().all(|b| b.is_ascii_digit() || b == b',') {
        return Err(malformed());
    }
    if !well_grouped {
        return Err(AmountError::Grouping(text.to_owned()));
    }
    Ok(whole.replace(',', ""))
}

/// The most significant digits an amount may have.
pub const MAX_DIGITS: usize = 28;

/// `digits[.digits]` as an exact decimal, or `None` if it has more than [`MAX_DIGITS`]
/// significant digits (from the first non-zero digit to the last), more than 28 decimal
/// places, or a magnitude a decimal cannot hold (7.9 × 10²⁸).
fn exact(plain: &str) -> Option<Decimal> {
    let digits: Vec<u8> = plain.bytes().filter(u8::is_ascii_digit).collect();
    let first = digits.iter().position(|&b| b != b'0');
    let last = digits.iter().rposition(|&b| b != b'0');
    if let (Some(first), Some(last)) = (first, last) {
        if last - first + 1 > MAX_DIGITS {
            return None;
        }
    }
    let value = Decimal::from_str_exact(plain).ok()?;
    // A zero with a sign is still zero; keep `-0` out of every output, and the decimals
    // it was printed with (`0.00` stands for ±0.005 under `within rounding`).
    Some(if value.is_zero() {
        Decimal::new(0, value.scale())
    } else {
        value
    })
}

/// Write an amount with thousands separators, as the form prints it but with a minus
/// sign for negatives: `4,008,887,962`, `-168,780,790`, `360,216,023.76`.
pub fn format(value: Decimal) -> String {
    let plain = value.to_string();
    let (negative, unsigned) = match plain.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, plain.as_str()),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    grouped(negative, whole, fraction)
}

/// How many significant decimals a value without a finite decimal expansion shows.
const SHOWN_DECIMALS: usize = 6;

/// Write a computed value as [`format`] writes an amount. A value without a finite
/// decimal expansion shows six significant decimals, `…`, and the exact fraction in
/// lowest terms: `13.333333… (40/3)`, `0.0666666… (1/15)`.
pub fn format_value(value: Value) -> String {
    if value.terminates() {
        let digits = value.digits(usize::MAX);
        return grouped(digits.negative, &digits.whole, &digits.fraction);
    }
    let digits = value.digits(40);
    let leading = digits.fraction.bytes().take_while(|&b| b == b'0').count();
    let shown = digits
        .fraction
        .get(..(leading + SHOWN_DECIMALS).min(digits.fraction.len()))
        .unwrap_or(&digits.fraction);
    let (num, den) = value.parts();
    format!(
        "{}… ({num}/{den})",
        grouped(digits.negative, &digits.whole, shown)
    )
}

/// `-1,234.5` from its sign, whole digits and fraction digits.
fn grouped(negative: bool, whole: &str, fraction: &str) -> String {
    let mut out = String::with_capacity(whole.len() + whole.len() / 3 + fraction.len() + 2);
    if negative {
        out.push('-');
    }
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

/// What to write instead of a text that is not an amount, for the spellings spreadsheets
/// and printed statements use: the accounting zero `-`, scientific notation `1.76E+09`,
/// and a magnitude suffix `$1.2M`. `None` for any other text.
pub fn advice(text: &str) -> Option<String> {
    let text = text.trim();
    if matches!(text, "-" | "–" | "—" | "--" | "$-" | "$ -" | "- $") {
        return Some(
            "a dash alone is how a spreadsheet prints zero: write `0`, or leave the line out if it is blank"
                .to_owned(),
        );
    }
    if let Some(full) = exponent(text) {
        let full = full
            .map(|full| format!(" (`{full}` if nothing was dropped)"))
            .unwrap_or_default();
        return Some(format!(
            "`{text}` is a spreadsheet's scientific notation, which shows only some digits: format the cell as a number before exporting, so the amount has every digit{full}"
        ));
    }
    if let Some((full, number, unit)) = magnitude(text) {
        let full = full.to_string();
        return Some(format!(
            "write the amount in full, `{full}`; or, if the whole report is printed in {unit}, write `{number}` and say `unit: {unit}` in the report"
        ));
    }
    None
}

/// `1.76E+09`: whether the text is scientific notation, and the exact amount it writes
/// (`1760000000`) when that fits an amount.
fn exponent(text: &str) -> Option<Option<String>> {
    let (mantissa, power) = text.split_once(['e', 'E'])?;
    let mantissa = mantissa.trim_start_matches('$');
    let unsigned = mantissa.strip_prefix('-').unwrap_or(mantissa);
    let power = power.strip_prefix('+').unwrap_or(power);
    let digits = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit());
    let unsigned_power = power.strip_prefix('-').unwrap_or(power);
    if unsigned.is_empty()
        || !unsigned.chars().all(|c| c.is_ascii_digit() || c == '.')
        || unsigned.matches('.').count() > 1
        || !digits(unsigned_power)
    {
        return None;
    }
    let full = || -> Option<String> {
        let power: i32 = power.parse().ok()?;
        if power.unsigned_abs() > 28 {
            return None;
        }
        let mut scale = Decimal::ONE;
        for _ in 0..power.unsigned_abs() {
            scale = scale.checked_mul(Decimal::TEN)?;
        }
        let value = Decimal::from_str_exact(mantissa).ok()?;
        let value = if power >= 0 {
            value.checked_mul(scale)?
        } else {
            value.checked_div(scale)?
        };
        Some(value.normalize().to_string())
    };
    Some(full())
}

/// `$1.2M` → (1200000, `1.2`, `millions`): an amount written with a magnitude suffix.
pub(crate) fn magnitude(text: &str) -> Option<(Decimal, String, &'static str)> {
    let body = text.strip_prefix('$').unwrap_or(text).trim();
    let split = body.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, suffix) = body.split_at(split);
    let (factor, unit): (u64, &'static str) = match suffix.trim().to_ascii_lowercase().as_str() {
        "k" | "thousand" | "thousands" => (1_000, "thousands"),
        "m" | "mm" | "mn" | "mio" | "million" | "millions" => (1_000_000, "millions"),
        "b" | "bn" | "billion" | "billions" => (1_000_000_000, "billions"),
        _ => return None,
    };
    let number = number.trim().replace(',', "");
    let value = Decimal::from_str_exact(&number).ok()?;
    let full = value.checked_mul(Decimal::from(factor))?.normalize();
    Some((full, number, unit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn advises_on_spreadsheet_spellings() {
        let said = |text: &str| advice(text).unwrap_or_default();
        assert!(said(" - ").starts_with("a dash alone is how a spreadsheet prints zero"));
        assert!(said("-").contains("write `0`"));
        assert!(said("1.76E+09").contains("(`1760000000` if nothing was dropped)"));
        assert!(said("2.5e-3").contains("`0.0025`"));
        assert_eq!(
            said("$1.2M"),
            "write the amount in full, `1200000`; or, if the whole report is printed in millions, write `1.2` and say `unit: millions` in the report"
        );
        assert!(said("350k").contains("`350000`") && said("350k").contains("unit: thousands"));
        assert!(said("$3bn").contains("`3000000000`"));
        assert_eq!(advice("12abc"), None);
        assert_eq!(advice("1.2.3"), None);
        assert_eq!(advice("e5"), None);
        assert!(said("1e400").ends_with("so the amount has every digit"));
    }

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn reads_every_spelling_a_report_uses() {
        assert_eq!(parse("1762813855"), Ok(dec("1762813855")));
        assert_eq!(parse("4,207,049,429"), Ok(dec("4207049429")));
        assert_eq!(parse("$1,000"), Ok(dec("1000")));
        assert_eq!(parse("(168,780,790)"), Ok(dec("-168780790")));
        assert_eq!(parse("($5.25)"), Ok(dec("-5.25")));
        assert_eq!(parse("-$5"), Ok(dec("-5")));
        assert_eq!(parse(" 12 "), Ok(dec("12")));
        assert_eq!(parse("-0"), Ok(Decimal::ZERO));
    }

    #[test]
    fn keeps_every_digit() {
        assert_eq!(
            parse("12345678901234567.89").unwrap().to_string(),
            "12345678901234567.89"
        );
        assert_eq!(
            parse("9,999,999,999,999,999,999,999,999,999")
                .unwrap()
                .to_string(),
            "9999999999999999999999999999"
        );
        assert_eq!(
            parse("0.0000000000000000000000000001").unwrap().to_string(),
            "0.0000000000000000000000000001"
        );
    }

    #[test]
    fn refuses_what_it_cannot_hold_exactly() {
        // 29 significant digits, though a decimal could hold this one.
        assert!(matches!(
            parse("79228162514264337593543950335"),
            Err(AmountError::TooPrecise(_))
        ));
        // Trailing and leading zeros are not significant: these hold.
        assert_eq!(
            parse("1.0000000000000000000000000000").unwrap().to_string(),
            "1.0000000000000000000000000000"
        );
        assert_eq!(
            parse("70,000,000,000,000,000,000,000,000,000")
                .unwrap()
                .to_string(),
            "70000000000000000000000000000"
        );
        // Beyond what a decimal holds, whatever the digits.
        assert!(matches!(
            parse("80000000000000000000000000000"),
            Err(AmountError::TooPrecise(_))
        ));
        assert!(matches!(
            parse("0.12345678901234567890123456789"),
            Err(AmountError::TooPrecise(_))
        ));
    }

    #[test]
    fn refuses_malformed_text() {
        for text in [
            "abc", "1e6", "1.2.3", "1.", ".5", "(5", "$", "0x10", "1 000", "+5",
        ] {
            assert!(parse(text).is_err(), "{text} should be refused");
        }
        assert_eq!(parse(""), Err(AmountError::Empty));
        assert!(matches!(parse("1,23,456"), Err(AmountError::Grouping(_))));
        assert!(matches!(parse("1234,567"), Err(AmountError::Grouping(_))));
        assert!(matches!(parse("0,100"), Err(AmountError::Grouping(_))));
        assert!(matches!(parse("$0,100"), Err(AmountError::Grouping(_))));
        assert!(matches!(parse("-(5)"), Err(AmountError::DoubleNegative(_))));
    }

    #[test]
    fn formats_with_thousands_separators() {
        assert_eq!(format(dec("4008887962")), "4,008,887,962");
        assert_eq!(format(dec("-168780790")), "-168,780,790");
        assert_eq!(format(dec("360216023.76")), "360,216,023.76");
        assert_eq!(format(dec("100")), "100");
        assert_eq!(format(dec("-1000")), "-1,000");
        assert_eq!(format(Decimal::ZERO), "0");
    }

    #[test]
    fn formats_values_that_do_not_terminate() {
        let value = |text: &str| text.parse::<Value>().unwrap();
        assert_eq!(format_value(value("40/3")), "13.333333… (40/3)");
        assert_eq!(format_value(value("-1/15")), "-0.0666666… (-1/15)");
        assert_eq!(
            format_value(value("1234567/3")),
            "411,522.333333… (1234567/3)"
        );
        assert_eq!(format_value(value("-4008887962.5")), "-4,008,887,962.5");
        assert_eq!(format_value(value("0")), "0");
    }
}
