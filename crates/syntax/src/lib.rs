//! Crossfoot's syntax: rule text → a typed AST with byte spans on every node.
//!
//! The bottom of the workspace. The exact number type ([`number`]) and the reading of an
//! amount's text ([`amount`]), source text ([`source`]), line codes ([`line`]) and dates
//! ([`date`]) are here because a rule's text holds all of them; then the grammar
//! (`grammar/crossfoot.pest`), the tree it builds, the canonical printer and the
//! formatter. Nothing here knows what a rule means: that is `crossfoot-core`'s compiler.
#![forbid(unsafe_code)]

pub mod amount;
pub mod date;
pub mod lexer;
pub mod line;
pub mod number;
pub mod source;
pub mod spelling;

pub mod ast;
mod error;
mod format;
mod hints;
mod parser;
mod print;

pub use error::SyntaxError;
pub use format::{MAX_WIDTH, format, format_aligned, format_source};
pub use parser::{MAX_NESTING, parse};
pub use print::{Print, percent_text, ratio_text};
