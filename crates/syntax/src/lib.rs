//! Text → typed AST: the grammar (`grammar/crossfoot.pest`), the tree it builds, the
//! canonical printer and the formatter.

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
