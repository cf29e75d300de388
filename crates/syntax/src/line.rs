//! Line codes: the numbers the form prints beside each amount (`7010`, `7190`).

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// The most digits a line code may have.
pub const MAX_CODE_DIGITS: usize = 18;

/// A line code such as `7190`.
///
/// Codes are compared as written, digits and width both: `0005` (a cover-page code) and
/// `5` are different lines. Stored as a number and a width so it is `Copy` and hashes fast.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LineCode {
    value: u64,
    width: u8,
}

/// A map keyed by line codes from rule files, with a fast hash (FxHash's multiply-rotate).
/// Not for maps whose keys an untrusted report chooses: those keep the standard hasher,
/// which resists crafted collisions.
pub type CodeMap<V> = std::collections::HashMap<LineCode, V, BuildCodeHasher>;

/// Builds [`CodeHasher`]s.
#[derive(Clone, Copy, Debug, Default)]
pub struct BuildCodeHasher;

impl std::hash::BuildHasher for BuildCodeHasher {
    type Hasher = CodeHasher;

    fn build_hasher(&self) -> CodeHasher {
        CodeHasher(0)
    }
}

/// A multiply-rotate hasher for the two integers of a [`LineCode`].
#[derive(Clone, Copy, Debug, Default)]
pub struct CodeHasher(u64);

impl CodeHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for CodeHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.add(u64::from(byte));
        }
    }

    fn write_u8(&mut self, value: u8) {
        self.add(u64::from(value));
    }

    fn write_u64(&mut self, value: u64) {
        self.add(value);
    }
}

/// Why a text is not a line code.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum LineCodeError {
    /// `""`
    #[error("a line code cannot be empty")]
    Empty,
    /// `"70a0"`, `"-7010"`
    #[error("a line code is digits only")]
    NotDigits,
    /// `"1234567890123456789"`
    #[error("a line code has at most {MAX_CODE_DIGITS} digits")]
    TooLong,
}

impl FromStr for LineCode {
    type Err = LineCodeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.is_empty() {
            return Err(LineCodeError::Empty);
        }
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(LineCodeError::NotDigits);
        }
        if text.len() > MAX_CODE_DIGITS {
            return Err(LineCodeError::TooLong);
        }
        let value = text.parse().map_err(|_| LineCodeError::TooLong)?;
        let width = u8::try_from(text.len()).map_err(|_| LineCodeError::TooLong)?;
        Ok(LineCode { value, width })
    }
}

impl fmt::Display for LineCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:0width$}", self.value, width = usize::from(self.width))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> LineCode {
        text.parse().unwrap()
    }

    #[test]
    fn codes_keep_their_digits() {
        assert_eq!(code("7190").to_string(), "7190");
        assert_eq!(code("0005").to_string(), "0005");
        assert_ne!(code("0005"), code("5"));
    }

    #[test]
    fn rejects_what_is_not_a_code() {
        assert_eq!("".parse::<LineCode>(), Err(LineCodeError::Empty));
        assert_eq!("7a".parse::<LineCode>(), Err(LineCodeError::NotDigits));
        assert_eq!("-1".parse::<LineCode>(), Err(LineCodeError::NotDigits));
        assert_eq!(
            "1234567890123456789".parse::<LineCode>(),
            Err(LineCodeError::TooLong)
        );
    }
}
