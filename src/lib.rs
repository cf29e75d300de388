//! Crossfoot: an exact, friendly rules language for regulatory reports.
#![forbid(unsafe_code)]

pub mod amount;
pub mod check;
pub mod eval;
pub mod line;
pub mod report;
pub mod source;
pub mod syntax;
