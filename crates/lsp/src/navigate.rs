//! Hover, go to definition and find references on a line code.

use lsp_types::{Hover, HoverContents, Location, MarkupContent, MarkupKind, Position, Uri};

use super::words;
use super::workspace::{Analysis, AnalyzedFile};
use crossfoot_syntax::line::LineCode;
use crossfoot_syntax::source::Span;

/// The most rules a hover lists by name.
const MAX_LISTED_RULES: usize = 20;

/// The line code at a position of a file, and where it is written: through the syntax
/// tree when the file parses, else by its characters.
pub fn code_at(file: &AnalyzedFile, position: Position) -> Option<(LineCode, Span)> {
    let offset = file.offset(position);
    if file.current {
        let index = file.index.as_ref()?;
        return index
            .mention_at(offset)
            .map(|mention| (mention.code, mention.span));
    }
    words::code_around(file.source.text(), offset)
}

/// A line's label, page and flags, and the rules that read it.
pub fn hover(analysis: &Analysis, file: &AnalyzedFile, position: Position) -> Option<Hover> {
    let (code, span) = code_at(file, position)?;
    let mut text = match analysis.declaration(code) {
        Some((_, declaration)) => {
            let mut text = format!("**{code}** {}", escape(&declaration.label));
            // A label that changes with the form: each edition with its days.
            if declaration.days.is_some() {
                text.clear();
                for edition in analysis.editions(code) {
                    let days = edition.days.as_deref().unwrap_or("every day");
                    text.push_str(&format!(
                        "**{code}** {} ({days})\n\n",
                        escape(&edition.label)
                    ));
                }
                text.truncate(text.trim_end().len());
            }
            text.push_str("\n\n");
            text.push_str(&format!(
                "page `{}`: {}",
                declaration.page,
                escape(&declaration.page_title)
            ));
            let flags = declaration.flags();
            if !flags.is_empty() {
                text.push_str(&format!(" · {}", flags.join(", ")));
            }
            text
        }
        None if analysis.declarations().next().is_some() => {
            format!("**{code}** is not declared on any page")
        }
        None => format!("**{code}**"),
    };
    text.push_str("\n\n");
    text.push_str(&readers(analysis, code));
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: Some(file.range(span)),
    })
}

/// "Read by 2 rules:" and a list of them, or "Read by no rule." Each rule once (in
/// order, through a set, so a line read by 100,000 rules answers at once).
fn readers(analysis: &Analysis, code: LineCode) -> String {
    let mut seen = std::collections::HashSet::new();
    let mut rules: Vec<(&str, Option<&str>)> = Vec::new();
    for (_, rule, _) in analysis.reads(code) {
        if seen.insert(rule.id.as_str()) {
            rules.push((&rule.id, rule.description.as_deref()));
        }
    }
    let mut text = match rules.len() {
        0 => return "Read by no rule.".to_owned(),
        1 => "Read by 1 rule:\n".to_owned(),
        n => format!("Read by {n} rules:\n"),
    };
    for (id, description) in rules.iter().take(MAX_LISTED_RULES) {
        let description = description.map(escape).unwrap_or_default();
        text.push_str(&format!("- `{id}` {description}\n"));
    }
    if rules.len() > MAX_LISTED_RULES {
        let more = rules.len() - MAX_LISTED_RULES;
        text.push_str(&format!("- … and {more} more\n"));
    }
    text
}

/// Where the line at a position is declared.
pub fn definition(
    analysis: &Analysis,
    file: &AnalyzedFile,
    position: Position,
) -> Option<Location> {
    let (code, _) = code_at(file, position)?;
    let (place, declaration) = analysis.declaration(code)?;
    Some(Location::new(
        place.uri.clone()?,
        place.range(declaration.span),
    ))
}

/// Every place a rule reads the line at a position, and its declaration when asked for.
pub fn references(
    analysis: &Analysis,
    file: &AnalyzedFile,
    position: Position,
    declaration: bool,
) -> Option<Vec<Location>> {
    let (code, _) = code_at(file, position)?;
    let mut found = Vec::new();
    if declaration {
        if let Some((place, declared)) = analysis.declaration(code) {
            found.extend(location(place, declared.span));
        }
    }
    found.extend(
        analysis
            .reads(code)
            .filter_map(|(place, _, span)| location(place, span)),
    );
    Some(found)
}

fn location(file: &AnalyzedFile, span: Span) -> Option<Location> {
    let uri: Uri = file.uri.clone()?;
    Some(Location::new(uri, file.range(span)))
}

/// Text shown as it is in Markdown, in the middle of a line: the characters that mark
/// emphasis, code, links, HTML, tables and entities escaped, and control and
/// bidirectional characters shown as `\u{202e}` (as in every output).
fn escape(text: &str) -> String {
    let text = crossfoot_render::text::terminal(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
