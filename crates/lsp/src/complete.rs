//! Completion: the catalogue's line codes with their labels where a number is being
//! written, the keywords and functions where a word is.

use crossfoot_render::text::terminal;
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionItemLabelDetails, Documentation, Position,
};

use super::text::LineIndex;
use super::words;
use super::workspace::Analysis;
use crossfoot_core::eval::RoundMode;

/// The keywords of the language, with what each introduces.
const KEYWORDS: [(&str, &str); 27] = [
    (
        "rule",
        "a rule: `rule ID \"description\"`, then its clauses",
    ),
    (
        "lapse",
        "days no version of a rule is in force: `lapse ID effective from DATE until DATE`",
    ),
    (
        "page",
        "a page of the form: `page ID \"title\"`, then its lines",
    ),
    (
        "cite",
        "the regulation a rule comes from: `cite \"17 CFR 1.32\"`",
    ),
    (
        "severity",
        "how much a failure matters: `severity error|warning|info`",
    ),
    (
        "within",
        "a tolerance: `within $1`, `within 0.01%`, `within rounding`",
    ),
    (
        "when",
        "the condition a rule applies under: `when 7455 >= 7465`",
    ),
    (
        "effective",
        "when a rule is in force: `effective from DATE until DATE`",
    ),
    ("from", "the first day in force"),
    ("until", "the first day no longer in force"),
    ("through", "the last day in force"),
    (
        "passes",
        "an example the rule must pass: `passes 7180 = 1411, 7190 = 0`",
    ),
    ("fails", "an example the rule must fail"),
    ("skips", "an example the rule must skip"),
    ("and", "both conditions"),
    ("or", "either condition"),
    ("not", "the condition does not hold"),
    ("is", "`7475 is blank`, `3760 is not blank`"),
    ("blank", "a line absent from the report"),
    (
        "rounding",
        "`within rounding`: what the rounding of the printed figures allows",
    ),
    ("error", "severity: fails the run"),
    (
        "warning",
        "severity: reported; fails the run only with `--deny warnings`",
    ),
    ("info", "severity: reported for information"),
    (
        "deduction",
        "line flag: printed as a deduction, stored negative",
    ),
    (
        "total",
        "line flag: a total; blank, it skips the rules that read it",
    ),
    (
        "percent",
        "line flag: holds a percentage as printed (59.99 is 59.99%)",
    ),
    ("ratio", "line flag: holds a pure number"),
];

/// The functions, with what each computes.
const FUNCTIONS: [(&str, &str); 6] = [
    ("sum", "sum(a, b, …): the sum"),
    ("max", "max(a, b, …): the greatest of"),
    ("min", "min(a, b, …): the least of"),
    ("abs", "abs(x): the absolute value"),
    (
        "round",
        "round(x), round(x, 2), round(x, $1,000): to the nearest unit, places or step; ties away from zero",
    ),
    (
        "prior",
        "prior(LINE): the line on the firm's previous report",
    ),
];

/// What may be written at a position of a text: nothing in a comment, a string, an
/// amount or a decimal.
pub fn completion(analysis: &Analysis, text: &str, position: Position) -> Vec<CompletionItem> {
    let lines = LineIndex::new(text);
    let offset = lines.offset(text, position);
    let line_start = lines.offset(text, Position::new(position.line, 0));
    if words::in_comment_or_string(text.get(line_start..offset).unwrap_or("")) {
        return Vec::new();
    }
    let (word, before) = words::word_before(text, offset);
    if matches!(before, Some('$' | '.' | ',' | '"')) {
        return Vec::new();
    }
    let number = word.chars().next().is_some_and(|c| c.is_ascii_digit());
    let mut items = Vec::new();
    if word.is_empty() || number {
        items.extend(line_codes(analysis));
    }
    if !number {
        items.extend(words_items());
    }
    items
}

/// The declared lines: the code, its label beside it, its page in the documentation.
fn line_codes(analysis: &Analysis) -> impl Iterator<Item = CompletionItem> + '_ {
    analysis.declarations().map(|(_, declaration)| {
        let flags = declaration.flags();
        let flags = if flags.is_empty() {
            String::new()
        } else {
            format!(" ({})", flags.join(", "))
        };
        // The rule file's text, shown as text (escaped, as in every output).
        let label = terminal(&declaration.label).into_owned();
        CompletionItem {
            label: declaration.code.to_string(),
            label_details: Some(CompletionItemLabelDetails {
                detail: None,
                description: Some(label.clone()),
            }),
            kind: Some(CompletionItemKind::CONSTANT),
            detail: Some(label),
            documentation: Some(Documentation::String(format!(
                "page {}: {}{flags}",
                declaration.page,
                terminal(&declaration.page_title)
            ))),
            ..CompletionItem::default()
        }
    })
}

/// The keywords, the functions and the rounding modes.
fn words_items() -> impl Iterator<Item = CompletionItem> {
    let keywords = KEYWORDS
        .iter()
        .map(|(word, doc)| (*word, (*doc).to_owned(), CompletionItemKind::KEYWORD));
    let functions = FUNCTIONS
        .iter()
        .map(|(word, doc)| (*word, (*doc).to_owned(), CompletionItemKind::FUNCTION));
    let modes = RoundMode::ALL.into_iter().map(|mode| {
        let doc = format!(
            "rounding mode, `round`'s last argument: `round(x, 0, {})`",
            mode.name()
        );
        (mode.name(), doc, CompletionItemKind::ENUM_MEMBER)
    });
    keywords
        .chain(functions)
        .chain(modes)
        .map(|(word, doc, kind)| CompletionItem {
            label: word.to_owned(),
            kind: Some(kind),
            detail: Some(doc),
            ..CompletionItem::default()
        })
}
