//! Exact values: every amount, constant and intermediate result is a fraction of two
//! 128-bit integers, so `4 / 30% * 30%` is 4 and `round` sees the exact value it rounds.
//!
//! A value is never rounded. An operation whose exact result needs a numerator or a
//! denominator beyond 38 digits, even in lowest terms, has no value: the caller turns that
//! into an overflow diagnostic. Fractions are kept as they come (`0.08` is `8/100`) and
//! reduced only when a result would not fit otherwise, so sums of amounts with the same
//! number of decimals never pay for a greatest common divisor; equality, order, hashing
//! and the printed text are those of the exact value, whatever the representation.

use std::cmp::Ordering;
use std::fmt;

use rust_decimal::Decimal;

/// An exact rational number.
#[derive(Clone, Copy)]
pub struct Value {
    /// The numerator; never `i128::MIN`, so it can always be negated.
    num: i128,
    /// The denominator, always positive.
    den: i128,
}

/// How `round` picks a result: to the nearest (and how a tie, a value exactly half way,
/// is broken), or in one direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum RoundMode {
    /// To the nearest, ties away from zero: 2.5 → 3, −2.5 → −3. The default.
    #[default]
    HalfAwayFromZero,
    /// To the nearest, ties to the even neighbour: 2.5 → 2, 3.5 → 4 (banker's rounding).
    HalfEven,
    /// Toward zero (truncation): 2.9 → 2, −2.9 → −2.
    TowardZero,
    /// Down: 2.9 → 2, −2.1 → −3.
    Floor,
    /// Up: 2.1 → 3, −2.9 → −2.
    Ceiling,
}

impl RoundMode {
    /// Every mode, the default first.
    pub const ALL: [RoundMode; 5] = [
        RoundMode::HalfAwayFromZero,
        RoundMode::HalfEven,
        RoundMode::TowardZero,
        RoundMode::Floor,
        RoundMode::Ceiling,
    ];

    /// The name written in a rule: `half_away_from_zero`, `half_even`, `toward_zero`,
    /// `floor`, `ceiling`.
    pub fn name(self) -> &'static str {
        match self {
            RoundMode::HalfAwayFromZero => "half_away_from_zero",
            RoundMode::HalfEven => "half_even",
            RoundMode::TowardZero => "toward_zero",
            RoundMode::Floor => "floor",
            RoundMode::Ceiling => "ceiling",
        }
    }

    /// The mode a rule names.
    pub fn named(name: &str) -> Option<RoundMode> {
        RoundMode::ALL.into_iter().find(|mode| mode.name() == name)
    }

    /// In words: `ties away from zero`, `ties to even`, `toward zero`, `down`, `up`.
    pub fn words(self) -> &'static str {
        match self {
            RoundMode::HalfAwayFromZero => "ties away from zero",
            RoundMode::HalfEven => "ties to even",
            RoundMode::TowardZero => "toward zero",
            RoundMode::Floor => "down (floor)",
            RoundMode::Ceiling => "up (ceiling)",
        }
    }
}

impl Value {
    /// Zero.
    pub const ZERO: Value = Value { num: 0, den: 1 };
    /// One.
    pub const ONE: Value = Value { num: 1, den: 1 };
    /// One hundredth: a percentage to its ratio.
    pub const HUNDREDTH: Value = Value { num: 1, den: 100 };

    /// The whole number `n`.
    pub fn whole(n: i64) -> Value {
        Value {
            num: i128::from(n),
            den: 1,
        }
    }

    /// `num / den`; `None` when `den` is zero or either is `i128::MIN`.
    pub fn fraction(num: i128, den: i128) -> Option<Value> {
        if den == 0 || num == i128::MIN || den == i128::MIN {
            return None;
        }
        Some(if den < 0 {
            Value {
                num: -num,
                den: -den,
            }
        } else {
            Value { num, den }
        })
    }

    /// An exact decimal as a value (always possible: a decimal has at most 96 bits of
    /// digits and 28 decimal places).
    pub fn from_decimal(decimal: Decimal) -> Value {
        let num = decimal.mantissa();
        if decimal.scale() == 0 {
            return Value { num, den: 1 };
        }
        match ten_to(decimal.scale()) {
            Some(den) => Value { num, den },
            // INVARIANT: a decimal's scale is at most 28, so 10^scale fits; should that
            // ever change, fall back to zero rather than panic.
            None => Value::ZERO,
        }
    }

    /// The value as a decimal, when it is one: a terminating fraction with at most 28
    /// decimal places and 96 bits of digits.
    pub fn to_decimal(self) -> Option<Decimal> {
        let reduced = self.reduced();
        let (twos, fives, rest) = factor_ten(reduced.den);
        if rest != 1 {
            return None;
        }
        let places = twos.max(fives);
        let scale_up = pow(2, places - twos)?.checked_mul(pow(5, places - fives)?)?;
        let mantissa = reduced.num.checked_mul(scale_up)?;
        Decimal::try_from_i128_with_scale(mantissa, places).ok()
    }

    /// The numerator and denominator in lowest terms.
    pub fn parts(self) -> (i128, i128) {
        let reduced = self.reduced();
        (reduced.num, reduced.den)
    }

    /// Whether the value is zero.
    pub fn is_zero(self) -> bool {
        self.num == 0
    }

    /// Whether the value is a whole number.
    pub fn is_whole(self) -> bool {
        self.num % self.den == 0
    }

    /// Whether the value has a finite decimal expansion (`1/8` does, `1/3` does not).
    pub fn terminates(self) -> bool {
        factor_ten(self.den).2 == 1 || factor_ten(self.reduced().den).2 == 1
    }

    /// `|self|`.
    pub fn abs(self) -> Value {
        Value {
            num: self.num.abs(),
            den: self.den,
        }
    }

    /// `self + other`, or `None` when the exact sum does not fit.
    pub fn checked_add(self, other: Value) -> Option<Value> {
        self.add_as_is(other).or_else(|| {
            let (a, b) = (self.reduced(), other.reduced());
            let g = gcd(a.den, b.den);
            let num = a
                .num
                .checked_mul(b.den / g)?
                .checked_add(b.num.checked_mul(a.den / g)?)?;
            let den = (a.den / g).checked_mul(b.den)?;
            Value::fraction(num, den).map(Value::reduced)
        })
    }

    /// The sum without reducing anything first: the common case of equal denominators, or
    /// one dividing the other (`1.5 + 2` or `0.25 + 0.5`).
    fn add_as_is(self, other: Value) -> Option<Value> {
        if self.den == other.den {
            let num = self.num.checked_add(other.num)?;
            return (num != i128::MIN).then_some(Value { num, den: self.den });
        }
        let (small, large) = if self.den < other.den {
            (self, other)
        } else {
            (other, self)
        };
        let (times, rest) = div_rem(large.den, small.den);
        if rest == 0 {
            let num = small.num.checked_mul(times)?;
            return Value::fraction(num.checked_add(large.num)?, large.den);
        }
        let num = self
            .num
            .checked_mul(other.den)?
            .checked_add(other.num.checked_mul(self.den)?)?;
        Value::fraction(num, self.den.checked_mul(other.den)?)
    }

    /// `self - other`, or `None` when the exact difference does not fit.
    pub fn checked_sub(self, other: Value) -> Option<Value> {
        self.checked_add(-other)
    }

    /// `self × other`, or `None` when the exact product does not fit.
    pub fn checked_mul(self, other: Value) -> Option<Value> {
        let as_is = || {
            Value::fraction(
                self.num.checked_mul(other.num)?,
                self.den.checked_mul(other.den)?,
            )
        };
        as_is().or_else(|| {
            // Cancel across before multiplying: a/b × c/d = (a/g1 × c/g2) / (b/g2 × d/g1).
            let (a, b) = (self.reduced(), other.reduced());
            let g1 = gcd(a.num, b.den);
            let g2 = gcd(b.num, a.den);
            let num = (a.num / g1).checked_mul(b.num / g2)?;
            let den = (a.den / g2).checked_mul(b.den / g1)?;
            Value::fraction(num, den)
        })
    }

    /// `self ÷ other`, or `None` when `other` is zero or the exact quotient does not fit.
    pub fn checked_div(self, other: Value) -> Option<Value> {
        let reciprocal = Value::fraction(other.den, other.num)?;
        self.checked_mul(reciprocal)
    }

    /// The value rounded to `places` decimal places as `mode` says; `None` when the
    /// rounded value does not fit.
    pub fn round(self, places: u32, mode: RoundMode) -> Option<Value> {
        let unit = ten_to(places)?;
        let scaled = self.checked_mul(Value { num: unit, den: 1 })?;
        Value::fraction(scaled.to_whole(mode)?, unit)
    }

    /// The multiple of `step` that rounding `self / step` to a whole number as `mode`
    /// says gives; `None` when `step` is zero or a result does not fit.
    pub fn round_to(self, step: Value, mode: RoundMode) -> Option<Value> {
        let steps = self.checked_div(step)?;
        Value::whole_i128(steps.to_whole(mode)?)?.checked_mul(step)
    }

    /// The whole number `n`; `None` for `i128::MIN`.
    fn whole_i128(n: i128) -> Option<Value> {
        Value::fraction(n, 1)
    }

    /// The value rounded to a whole number as `mode` says.
    fn to_whole(self, mode: RoundMode) -> Option<i128> {
        let (quotient, remainder) = div_rem(self.num, self.den);
        if remainder == 0 {
            return Some(quotient);
        }
        let rest = remainder.abs();
        // Compare |remainder| with den / 2 without overflow: with den − |remainder|.
        let other = self.den - rest;
        let away = match mode {
            RoundMode::HalfAwayFromZero => rest >= other,
            RoundMode::HalfEven => rest > other || (rest == other && quotient % 2 != 0),
            RoundMode::TowardZero => false,
            RoundMode::Floor => remainder < 0,
            RoundMode::Ceiling => remainder > 0,
        };
        if away {
            quotient.checked_add(remainder.signum())
        } else {
            Some(quotient)
        }
    }

    /// The same value in lowest terms.
    pub fn reduced(self) -> Value {
        if self.den == 1 {
            return self;
        }
        if self.num == 0 {
            return Value::ZERO;
        }
        let g = gcd(self.num, self.den);
        Value {
            num: self.num / g,
            den: self.den / g,
        }
    }

    /// The larger of two values.
    pub fn max(self, other: Value) -> Value {
        if other > self { other } else { self }
    }

    /// The smaller of two values.
    pub fn min(self, other: Value) -> Value {
        if other < self { other } else { self }
    }
}

impl std::ops::Neg for Value {
    type Output = Value;

    fn neg(self) -> Value {
        Value {
            num: -self.num,
            den: self.den,
        }
    }
}

impl From<Decimal> for Value {
    fn from(decimal: Decimal) -> Self {
        Value::from_decimal(decimal)
    }
}

/// Why a text is not a value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an exact number (a decimal like `-12.5` or a fraction like `40/3`)")]
pub struct ValueError(String);

impl std::str::FromStr for Value {
    type Err = ValueError;

    /// The machine form [`Display`](fmt::Display) writes: `-12.5` or `40/3`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || ValueError(text.to_owned());
        match text.split_once('/') {
            Some((num, den)) => {
                let num = num.parse().map_err(|_| error())?;
                let den: i128 = den.parse().map_err(|_| error())?;
                if den <= 0 {
                    return Err(error());
                }
                Value::fraction(num, den).ok_or_else(error)
            }
            None => Decimal::from_str_exact(text)
                .map(Value::from_decimal)
                .map_err(|_| error()),
        }
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Value {}

impl PartialOrd for Value {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Value {
    /// Exact, and never overflows: the cross products are taken in 256 bits.
    fn cmp(&self, other: &Self) -> Ordering {
        if self.den == other.den {
            return self.num.cmp(&other.num);
        }
        let sign = self.num.signum().cmp(&other.num.signum());
        if sign != Ordering::Equal || self.num == 0 {
            return sign;
        }
        let left = wide_mul(self.num.unsigned_abs(), other.den.unsigned_abs());
        let right = wide_mul(other.num.unsigned_abs(), self.den.unsigned_abs());
        if self.num < 0 {
            right.cmp(&left)
        } else {
            left.cmp(&right)
        }
    }
}

impl std::hash::Hash for Value {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let reduced = self.reduced();
        reduced.num.hash(state);
        reduced.den.hash(state);
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl fmt::Display for Value {
    /// The exact value: a plain decimal (`-1234.50`) when it terminates, else the fraction
    /// in lowest terms (`40/3`). No thousands separators: this is the machine form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.terminates() {
            let reduced = self.reduced();
            return write!(f, "{}/{}", reduced.num, reduced.den);
        }
        f.write_str(&self.digits(usize::MAX).plain())
    }
}

/// A value's decimal digits: sign, whole part, and as many fraction digits as asked for.
pub(crate) struct Digits {
    /// Whether the value is below zero.
    pub negative: bool,
    /// The whole part's digits, without sign.
    pub whole: String,
    /// Fraction digits, without trailing zeros when the expansion ends.
    pub fraction: String,
}

impl Digits {
    /// `-1234.5`.
    fn plain(&self) -> String {
        let sign = if self.negative { "-" } else { "" };
        if self.fraction.is_empty() {
            format!("{sign}{}", self.whole)
        } else {
            format!("{sign}{}.{}", self.whole, self.fraction)
        }
    }
}

impl Value {
    /// For a value held over a power of ten (every amount, and every sum and product of
    /// amounts): its sign, whole part, fraction digits as a number, and how many places
    /// they fill; the same digits [`Display`](fmt::Display) writes.
    pub fn plain_parts(self) -> Option<(bool, u128, u128, usize)> {
        let places = places_of(self.den)?;
        let magnitude = self.num.unsigned_abs();
        let den = self.den.unsigned_abs();
        // Most amounts fit 64 bits, where dividing is a few cycles instead of a call.
        if let (Ok(magnitude), Ok(den)) = (u64::try_from(magnitude), u64::try_from(den)) {
            let (whole, fraction) = (magnitude / den, magnitude % den);
            return Some((self.num < 0, whole.into(), fraction.into(), places));
        }
        Some((self.num < 0, magnitude / den, magnitude % den, places))
    }

    /// The decimal digits, up to `max_fraction` after the point. A value held over a
    /// power of ten keeps that many decimals, as a decimal amount would (`0.08 × 7455` has
    /// two, `5.00` keeps its zeros); any other is written in lowest terms.
    pub(crate) fn digits(self, max_fraction: usize) -> Digits {
        if let Some(places) = places_of(self.den) {
            let magnitude = self.num.unsigned_abs();
            let den = self.den.unsigned_abs();
            let fraction = if places == 0 {
                String::new()
            } else {
                format!("{:0places$}", magnitude % den)
            };
            return Digits {
                negative: self.num < 0,
                whole: (magnitude / den).to_string(),
                fraction,
            };
        }
        let reduced = self.reduced();
        let den = reduced.den.unsigned_abs();
        let magnitude = reduced.num.unsigned_abs();
        let whole = (magnitude / den).to_string();
        let mut remainder = magnitude % den;
        let mut fraction = String::new();
        while remainder != 0 && fraction.len() < max_fraction {
            let (digit, rest) = next_digit(remainder, den);
            fraction.push(char::from(b'0' + digit));
            remainder = rest;
        }
        Digits {
            negative: reduced.num < 0,
            whole,
            fraction,
        }
    }
}

/// `(remainder × 10) / den` and its remainder, for `remainder < den`, without overflow.
fn next_digit(remainder: u128, den: u128) -> (u8, u128) {
    if let Some(scaled) = remainder.checked_mul(10) {
        // The quotient is below 10 because `remainder < den`.
        return ((scaled / den) as u8, scaled % den);
    }
    // remainder × 10 in 256 bits, then at most nine subtractions of `den`.
    let (mut high, mut low) = wide_mul(remainder, 10);
    let mut digit = 0u8;
    while high > 0 || low >= den {
        let (next, borrow) = low.overflowing_sub(den);
        low = next;
        high -= u128::from(borrow);
        digit += 1;
    }
    (digit, low)
}

/// `a × b` as (high, low) 128-bit halves.
fn wide_mul(a: u128, b: u128) -> (u128, u128) {
    const HALF: u32 = 64;
    const MASK: u128 = (1 << HALF) - 1;
    let (a_high, a_low) = (a >> HALF, a & MASK);
    let (b_high, b_low) = (b >> HALF, b & MASK);
    let low_low = a_low * b_low;
    let low_high = a_low * b_high;
    let high_low = a_high * b_low;
    let high_high = a_high * b_high;
    let middle = (low_low >> HALF) + (low_high & MASK) + (high_low & MASK);
    let low = (low_low & MASK) | (middle << HALF);
    let high = high_high + (low_high >> HALF) + (high_low >> HALF) + (middle >> HALF);
    (high, low)
}

/// The greatest common divisor of two integers, positive (1 when both are zero).
/// `num / den` and `num % den` for a positive `den`, in one 64-bit division when both fit
/// (the common case: a printed amount over a power of ten).
#[inline]
fn div_rem(num: i128, den: i128) -> (i128, i128) {
    match (i64::try_from(num), i64::try_from(den)) {
        // `den` is positive, so `n / d` cannot overflow.
        (Ok(n), Ok(d)) if d > 0 => (i128::from(n / d), i128::from(n % d)),
        _ => (num / den, num % den),
    }
}

fn gcd(a: i128, b: i128) -> i128 {
    let (mut a, mut b) = (a.unsigned_abs(), b.unsigned_abs());
    if a == 0 || b == 0 {
        return i128::try_from((a | b).max(1)).unwrap_or(1);
    }
    let shift = (a | b).trailing_zeros();
    a >>= a.trailing_zeros();
    loop {
        b >>= b.trailing_zeros();
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        b -= a;
        if b == 0 {
            break;
        }
    }
    i128::try_from(a << shift).unwrap_or(1)
}

/// `den` as 2^twos × 5^fives × rest.
fn factor_ten(mut den: i128) -> (u32, u32, i128) {
    let twos = den.trailing_zeros().min(127);
    den >>= twos;
    let mut fives = 0;
    while den % 5 == 0 && den != 0 {
        den /= 5;
        fives += 1;
    }
    (twos, fives, den)
}

/// `base^exponent`, or `None` when it does not fit.
fn pow(base: i128, exponent: u32) -> Option<i128> {
    base.checked_pow(exponent)
}

/// 10^places, for at most 28 places.
fn ten_to(places: u32) -> Option<i128> {
    if places > 28 {
        return None;
    }
    10i128.checked_pow(places)
}

/// `k` when `den` is 10^k.
fn places_of(den: i128) -> Option<usize> {
    // A power of ten is positive; its logarithm says which one it would be.
    let den = u128::try_from(den).ok()?;
    let places = den.checked_ilog10()?;
    (10u128.checked_pow(places) == Some(den)).then_some(places as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn v(text: &str) -> Value {
        match text.split_once('/') {
            Some((n, d)) => Value::fraction(n.parse().unwrap(), d.parse().unwrap()).unwrap(),
            None => Value::from_decimal(Decimal::from_str(text).unwrap()),
        }
    }

    #[test]
    fn division_and_multiplication_are_exact() {
        let four = v("4");
        let thirty = v("0.30");
        assert_eq!(
            four.checked_div(thirty).unwrap().checked_mul(thirty),
            Some(four)
        );
        let two_thirds = v("2").checked_div(v("3")).unwrap();
        assert_eq!(two_thirds.checked_mul(v("3")), Some(v("2")));
        assert_eq!(two_thirds.to_string(), "2/3");
        assert_eq!(v("0.1").checked_add(v("0.2")), Some(v("0.3")));
    }

    #[test]
    fn every_rounding_mode() {
        use RoundMode::{Ceiling, Floor, HalfAwayFromZero, HalfEven, TowardZero};
        let cases = [
            (
                "2.5",
                [
                    ("3", HalfAwayFromZero),
                    ("2", HalfEven),
                    ("2", TowardZero),
                    ("2", Floor),
                    ("3", Ceiling),
                ],
            ),
            (
                "-2.5",
                [
                    ("-3", HalfAwayFromZero),
                    ("-2", HalfEven),
                    ("-2", TowardZero),
                    ("-3", Floor),
                    ("-2", Ceiling),
                ],
            ),
            (
                "3.5",
                [
                    ("4", HalfAwayFromZero),
                    ("4", HalfEven),
                    ("3", TowardZero),
                    ("3", Floor),
                    ("4", Ceiling),
                ],
            ),
            (
                "2.9",
                [
                    ("3", HalfAwayFromZero),
                    ("3", HalfEven),
                    ("2", TowardZero),
                    ("2", Floor),
                    ("3", Ceiling),
                ],
            ),
            (
                "-2.1",
                [
                    ("-2", HalfAwayFromZero),
                    ("-2", HalfEven),
                    ("-2", TowardZero),
                    ("-3", Floor),
                    ("-2", Ceiling),
                ],
            ),
            (
                "7",
                [
                    ("7", HalfAwayFromZero),
                    ("7", HalfEven),
                    ("7", TowardZero),
                    ("7", Floor),
                    ("7", Ceiling),
                ],
            ),
        ];
        for (value, expected) in cases {
            for (result, mode) in expected {
                assert_eq!(v(value).round(0, mode), Some(v(result)), "{value} {mode:?}");
            }
        }
        // Steps: to thousands, and to hundredths of a percent.
        assert_eq!(v("1500").round_to(v("1000"), HalfEven), Some(v("2000")));
        assert_eq!(v("2500").round_to(v("1000"), HalfEven), Some(v("2000")));
        assert_eq!(
            v("2500").round_to(v("1000"), HalfAwayFromZero),
            Some(v("3000"))
        );
        assert_eq!(
            v("162500/270871").round_to(v("0.0001"), HalfAwayFromZero),
            Some(v("0.5999"))
        );
        assert_eq!(v("1").round_to(Value::ZERO, HalfAwayFromZero), None);
        for mode in RoundMode::ALL {
            assert_eq!(RoundMode::named(mode.name()), Some(mode));
        }
    }

    #[test]
    fn rounds_the_exact_value_once() {
        // 0.3333333333333333333333333333 × 1.5 = 0.49999999999999999999999999995: below a half.
        let third = v("0.3333333333333333333333333333");
        let product = third.checked_mul(v("1.5")).unwrap();
        assert_eq!(product.to_string(), "0.49999999999999999999999999995");
        assert_eq!(
            product.round(0, RoundMode::HalfAwayFromZero),
            Some(Value::ZERO)
        );
        assert_eq!(v("2.5").round(0, RoundMode::HalfAwayFromZero), Some(v("3")));
        assert_eq!(
            v("-2.5").round(0, RoundMode::HalfAwayFromZero),
            Some(v("-3"))
        );
        assert_eq!(
            v("1.005").round(2, RoundMode::HalfAwayFromZero),
            Some(v("1.01"))
        );
        assert_eq!(
            v("40/3").round(2, RoundMode::HalfAwayFromZero),
            Some(v("13.33"))
        );
        assert_eq!(
            v("-1/3").round(0, RoundMode::HalfAwayFromZero),
            Some(Value::ZERO)
        );
    }

    #[test]
    fn compares_exactly_without_overflow() {
        let big = v("70000000000000000000000000000");
        assert!(big > -big);
        assert_eq!(
            big.checked_sub(-big).unwrap().to_string(),
            "140000000000000000000000000000"
        );
        let tiny = Value::fraction(1, i128::MAX).unwrap();
        let tinier = Value::fraction(1, i128::MAX - 1).unwrap();
        assert!(tiny < tinier);
        assert!(-tiny > -tinier);
        assert_eq!(v("1/2"), v("0.5"));
        assert_eq!(v("2/4").cmp(&v("1/2")), Ordering::Equal);
    }

    #[test]
    fn prints_exact_text_and_never_minus_zero() {
        assert_eq!(v("-0.00").to_string(), "0.00");
        assert_eq!((-v("0")).to_string(), "0");
        assert_eq!(v("360216023.76").to_string(), "360216023.76");
        assert_eq!(v("5.00").to_string(), "5.00");
        assert_eq!(
            v("0.08").checked_mul(v("7455")).unwrap().to_string(),
            "596.40"
        );
        assert_eq!(v("2/4").to_string(), "0.5");
        assert_eq!(v("1/15").to_string(), "1/15");
        assert_eq!(v("-40/3").to_string(), "-40/3");
        assert_eq!(v("1/8").to_string(), "0.125");
        let huge = Value::fraction(i128::MAX, 1).unwrap();
        assert_eq!(huge.to_string(), i128::MAX.to_string());
        let digits = Value::fraction(1, i128::MAX).unwrap().digits(40);
        assert_eq!(digits.fraction.len(), 40);
    }

    #[test]
    fn converts_to_decimal_when_it_is_one() {
        assert_eq!(
            v("1/8").to_decimal(),
            Some(Decimal::from_str("0.125").unwrap())
        );
        assert_eq!(v("1/3").to_decimal(), None);
        assert_eq!(
            v("-12.50").to_decimal(),
            Some(Decimal::from_str("-12.5").unwrap())
        );
    }

    #[test]
    fn what_does_not_fit_is_none_never_rounded() {
        let big = Value::fraction(i128::MAX, 1).unwrap();
        assert_eq!(big.checked_add(Value::ONE), None);
        assert_eq!(big.checked_mul(v("2")), None);
        assert_eq!(Value::ONE.checked_div(Value::ZERO), None);
        // Reducing first makes room: (big/3) × 3 fits.
        let third = Value::fraction(i128::MAX - 1, 3).unwrap();
        assert!(third.checked_mul(v("3")).is_some());
    }

    #[test]
    fn wide_products_are_right() {
        assert_eq!(wide_mul(u128::MAX, u128::MAX), (u128::MAX - 1, 1));
        assert_eq!(wide_mul(1 << 64, 1 << 64), (1, 0));
        assert_eq!(next_digit(u128::MAX / 2, u128::MAX), (4, u128::MAX - 5));
    }
}
