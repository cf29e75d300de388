//! The unit a report's amounts are printed in: dollars, or thousands, millions or billions
//! of dollars, as audited schedules print them. Rules stay written in dollars; a report
//! printed in thousands reads `$250,000` as 250.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

use crossfoot_syntax::number::Value;

/// The unit of a report's amounts: 10^(3k) dollars.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Unit {
    /// The power of ten: 0, 3, 6 or 9.
    exponent: u8,
}

/// Why a text is not a unit.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error(
    "`{0}` is not a unit: write `dollars`, `thousands`, `millions` or `billions` (or 1, 1000, 1000000, 1000000000)"
)]
pub struct UnitError(pub String);

/// The units by name, with their powers of ten.
const NAMES: [(&str, u8); 4] = [
    ("dollars", 0),
    ("thousands", 3),
    ("millions", 6),
    ("billions", 9),
];

impl Unit {
    /// Whole dollars: amounts as the FOCUS report prints them.
    pub const DOLLARS: Unit = Unit { exponent: 0 };

    /// Every unit, dollars first.
    pub const ALL: [Unit; 4] = [
        Unit { exponent: 0 },
        Unit { exponent: 3 },
        Unit { exponent: 6 },
        Unit { exponent: 9 },
    ];

    /// A report's `unit` field, as every input form reads it: blank (empty or spaces) is
    /// not given, so dollars; anything else a unit by name or number.
    pub fn of_field(text: &str) -> Result<Unit, UnitError> {
        if text.trim().is_empty() {
            return Ok(Unit::DOLLARS);
        }
        text.parse()
    }

    /// The unit as a number of dollars, written out: `1`, `1000`, …
    pub fn digits(self) -> String {
        format!("1{}", "0".repeat(usize::from(self.exponent)))
    }

    /// Whether amounts are in dollars.
    pub fn is_dollars(self) -> bool {
        self.exponent == 0
    }

    /// How many dollars one printed unit is: 1, 1,000, …
    pub fn factor(self) -> Value {
        let mut factor = Value::ONE;
        for _ in 0..self.exponent {
            factor = factor.checked_mul(Value::whole(10)).unwrap_or(factor);
        }
        factor
    }

    /// Its position in [`Unit::ALL`].
    pub(crate) fn index(self) -> usize {
        usize::from(self.exponent / 3)
    }

    /// The power of ten.
    pub fn exponent(self) -> u8 {
        self.exponent
    }

    /// The unit's name: `dollars`, `thousands`, `millions`, `billions`.
    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(_, exponent)| *exponent == self.exponent)
            .map_or("dollars", |(name, _)| name)
    }
}

impl FromStr for Unit {
    type Err = UnitError;

    /// `thousands` or `1000` (also `1,000`).
    fn from_str(text: &str) -> Result<Unit, UnitError> {
        let trimmed = text.trim();
        let lower = trimmed.to_ascii_lowercase();
        let digits: String = lower.chars().filter(|c| *c != ',' && *c != '_').collect();
        NAMES
            .iter()
            .find(|(name, exponent)| {
                *name == lower
                    || digits
                        == Unit {
                            exponent: *exponent,
                        }
                        .digits()
            })
            .map(|(_, exponent)| Unit {
                exponent: *exponent,
            })
            .ok_or_else(|| UnitError(trimmed.chars().take(40).collect()))
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers() {
        for (text, name) in [
            ("thousands", "thousands"),
            ("1000", "thousands"),
            ("1,000", "thousands"),
            (" Millions ", "millions"),
            ("1000000", "millions"),
            ("1", "dollars"),
            ("billions", "billions"),
        ] {
            assert_eq!(text.parse::<Unit>().map(|u| u.name()), Ok(name), "{text}");
        }
        for bad in ["100", "10", "thousand", "", "1e3", "0"] {
            assert!(bad.parse::<Unit>().is_err(), "{bad}");
        }
        assert_eq!(
            "millions".parse::<Unit>().unwrap().factor(),
            Value::whole(1_000_000)
        );
    }
}
