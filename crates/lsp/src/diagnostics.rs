//! The library's diagnostics (miette, with byte spans into named sources) as the
//! protocol's: the primary label's span as the range, the message with its help, the
//! other labels and the related diagnostics (the first definition of a duplicate,
//! possibly in another file) as related information, and the code and severity as they
//! are. A problem whose fix is certain carries it, for a quick fix.

use lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Range,
};
use miette::{Diagnostic as _, LabeledSpan};

use crossfoot_core::compile::CheckError;
use crossfoot_core::error::Error;
use crossfoot_syntax::line::LineCode;
use crossfoot_syntax::source::Span;

/// A problem of the rule set, placed in one of its files.
#[derive(Clone, Debug)]
pub struct Problem {
    /// The file it is in (an index into the analysis's files).
    pub file: usize,
    /// As the client shows it.
    pub diagnostic: Diagnostic,
    /// The edit that fixes it, when there is one.
    pub fix: Option<Fix>,
}

/// An edit that fixes a problem: replace a span of the problem's file.
#[derive(Clone, Debug)]
pub struct Fix {
    /// What the editor offers: "Change 7191 to 7190 (Excess (deficiency) funds …)".
    pub title: String,
    /// What to replace.
    pub span: Span,
    /// What to write instead.
    pub text: String,
}

/// What the conversion needs to know of the analysed files.
pub trait Files {
    /// The file a source name (a path, or a URI for a buffer) names.
    fn find(&self, name: &str) -> Option<usize>;
    /// The range of a span of a file.
    fn range(&self, file: usize, span: Span) -> Range;
    /// The URI of a file.
    fn uri(&self, file: usize) -> Option<lsp_types::Uri>;
    /// The label of a declared line, for a fix's title.
    fn label(&self, code: LineCode) -> Option<String>;
}

/// A library error as a problem; `fallback` is the file of one whose place is unknown.
pub fn problem(error: &Error, files: &impl Files, fallback: usize) -> Problem {
    let labels = labels_of(error);
    let primary = labels
        .iter()
        .find(|label| label.primary())
        .or_else(|| labels.first());
    let file = primary
        .and_then(|label| source_name(error, label))
        .and_then(|name| files.find(&name))
        .unwrap_or(fallback);
    let range = primary.map_or_else(Range::default, |label| files.range(file, span_of(label)));
    let related = related_information(error, primary, file, files);
    let diagnostic = Diagnostic {
        range,
        severity: Some(severity(error.severity())),
        code: error
            .code()
            .map(|code| NumberOrString::String(code.to_string())),
        source: Some("crossfoot".to_owned()),
        message: message(error),
        related_information: (!related.is_empty()).then_some(related),
        ..Diagnostic::default()
    };
    Problem {
        file,
        diagnostic,
        fix: fix(error, files),
    }
}

/// A problem with no place in a file (a file that cannot be read), at its start.
pub fn unplaced(error: &Error, file: usize) -> Problem {
    Problem {
        file,
        diagnostic: Diagnostic {
            severity: Some(DiagnosticSeverity::ERROR),
            code: error
                .code()
                .map(|code| NumberOrString::String(code.to_string())),
            source: Some("crossfoot".to_owned()),
            message: message(error),
            ..Diagnostic::default()
        },
        fix: None,
    }
}

/// The message and, on the next line, the help.
/// What the rule files say is escaped, as in every output (a label may hold U+202E).
fn message(error: &dyn miette::Diagnostic) -> String {
    let text = match error.help() {
        Some(help) => format!("{error}\nhelp: {help}"),
        None => error.to_string(),
    };
    crossfoot_render::text::terminal_lines(&text).into_owned()
}

fn severity(severity: Option<miette::Severity>) -> DiagnosticSeverity {
    match severity {
        Some(miette::Severity::Warning) => DiagnosticSeverity::WARNING,
        Some(miette::Severity::Advice) => DiagnosticSeverity::HINT,
        Some(miette::Severity::Error) | None => DiagnosticSeverity::ERROR,
    }
}

fn labels_of(diagnostic: &dyn miette::Diagnostic) -> Vec<LabeledSpan> {
    diagnostic
        .labels()
        .map(|labels| labels.collect())
        .unwrap_or_default()
}

fn span_of(label: &LabeledSpan) -> Span {
    Span::new(label.offset(), label.offset().saturating_add(label.len()))
}

/// The name of the source a label points into: the library's sources carry their name.
fn source_name(diagnostic: &dyn miette::Diagnostic, label: &LabeledSpan) -> Option<String> {
    let code = diagnostic.source_code()?;
    let contents = code.read_span(label.inner(), 0, 0).ok()?;
    contents.name().map(str::to_owned)
}

/// The labels but the primary one, and every related diagnostic at its first label.
fn related_information(
    error: &Error,
    primary: Option<&LabeledSpan>,
    file: usize,
    files: &impl Files,
) -> Vec<DiagnosticRelatedInformation> {
    let mut related = Vec::new();
    let Some(uri) = files.uri(file) else {
        return related;
    };
    for label in labels_of(error) {
        if Some(&label) == primary {
            continue;
        }
        if let Some(text) = label.label() {
            related.push(DiagnosticRelatedInformation {
                location: Location::new(uri.clone(), files.range(file, span_of(&label))),
                message: crossfoot_render::text::terminal(text).into_owned(),
            });
        }
    }
    for other in error.related().into_iter().flatten() {
        let labels = labels_of(other);
        let Some(label) = labels.first() else {
            continue;
        };
        let place = source_name(other, label).and_then(|name| files.find(&name));
        let Some((place, uri)) = place.and_then(|p| files.uri(p).map(|uri| (p, uri))) else {
            continue;
        };
        related.push(DiagnosticRelatedInformation {
            location: Location::new(uri, files.range(place, span_of(label))),
            message: crossfoot_render::text::terminal_lines(&other.to_string()).into_owned(),
        });
    }
    related
}

/// The fix of a problem whose fix is certain: a line code one slip from a declared line,
/// and an amount written without its `$`.
fn fix(error: &Error, files: &impl Files) -> Option<Fix> {
    let Error::Check(check) = error else {
        return None;
    };
    match check.as_ref() {
        CheckError::UnknownLine {
            code,
            span,
            suggestion: Some(known),
            ..
        } => {
            let label = files
                .label(*known)
                .map(|label| format!(" ({label})"))
                .unwrap_or_default();
            Some(Fix {
                title: format!("Change {code} to {known}{label}"),
                span: Span::new(span.offset(), span.offset() + span.len()),
                text: known.to_string(),
            })
        }
        CheckError::NotALineCode { amount, span, .. } => Some(Fix {
            title: format!("Write the amount `{amount}`"),
            span: Span::new(span.offset(), span.offset() + span.len()),
            text: amount.clone(),
        }),
        _ => None,
    }
}
