//! Edits the server offers: the canonical layout of `crossfoot fmt`, and quick fixes.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Range, TextEdit, Uri, WorkspaceEdit,
};

use super::text::LineIndex;
use super::workspace::Analysis;
use crossfoot_core::files::MAX_RULE_FILE_BYTES;
use crossfoot_syntax::source::Source;

/// The whole document in `fmt`'s layout: one edit, none when it is already canonical,
/// and `None` when it does not parse (or formatting would change its rules): the text is
/// never touched then.
pub fn format(name: &str, text: &str) -> Option<Vec<TextEdit>> {
    if u64::try_from(text.len()).unwrap_or(u64::MAX) > MAX_RULE_FILE_BYTES {
        return None;
    }
    let formatted = crossfoot_syntax::format_source(&Source::new(name, text)).ok()?;
    if formatted == text {
        return Some(Vec::new());
    }
    let lines = LineIndex::new(text);
    let whole = Range::new(Default::default(), lines.position(text, text.len()));
    Some(vec![TextEdit::new(whole, formatted)])
}

/// The quick fixes of the problems of a file that a range touches.
pub fn quick_fixes(
    analysis: &Analysis,
    file: usize,
    uri: &Uri,
    range: Range,
    only: Option<&[CodeActionKind]>,
) -> Vec<CodeActionOrCommand> {
    let wanted = only.is_none_or(|kinds| {
        kinds
            .iter()
            .any(|kind| CodeActionKind::QUICKFIX.as_str().starts_with(kind.as_str()))
    });
    if !wanted {
        return Vec::new();
    }
    analysis
        .problems
        .iter()
        .filter(|problem| problem.file == file && touches(problem.diagnostic.range, range))
        .filter_map(|problem| {
            let fix = problem.fix.as_ref()?;
            let place = analysis.files.get(file)?;
            let edit = TextEdit::new(place.range(fix.span), fix.text.clone());
            Some(CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![problem.diagnostic.clone()]),
                edit: Some(WorkspaceEdit::new(HashMap::from([(
                    uri.clone(),
                    vec![edit],
                )]))),
                is_preferred: Some(true),
                ..CodeAction::default()
            }))
        })
        .collect()
}

/// Whether two ranges share a position (ends included: a cursor at a word's end touches
/// it).
fn touches(a: Range, b: Range) -> bool {
    a.start <= b.end && b.start <= a.end
}
