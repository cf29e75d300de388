//! Text → typed AST: the grammar (`grammar/crossfoot.pest`), the tree it builds, and the
//! canonical printer.

pub mod ast;
mod error;
mod parser;
mod print;

pub use error::SyntaxError;
pub use parser::{MAX_NESTING, parse};
pub use print::{Print, percent_text, ratio_text};
