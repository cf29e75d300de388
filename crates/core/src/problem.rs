//! What every problem of every stage shares, below all of them.

use miette::Diagnostic;

/// Whether a problem is a warning: its diagnostic's severity, declared once on the problem
/// (`#[diagnostic(severity(Warning))]`) and read here by every caller, so no list of
/// warning variants can drift from the severity the diagnostic shows.
pub fn is_warning(problem: &dyn Diagnostic) -> bool {
    problem.severity() == Some(miette::Severity::Warning)
}
