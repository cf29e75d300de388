//! Crossfoot: an exact, friendly rules language for regulatory reports.
#![forbid(unsafe_code)]

pub mod amount;
pub mod line;
pub mod source;
pub mod syntax;
