//! The canonical layout of a rule file, for `crossfoot fmt`.
//!
//! One blank line between top-level declarations; clauses indented two spaces in a fixed
//! order (`cite`, `severity`, `effective`, the assertion, `within`, `when`); money with thousands
//! separators; a sum too long for one line broken before its operators, which line up
//! under the comparison. Comments stay with the declaration or clause they precede, and a
//! comment at the end of a line stays at the end of that line. A comment after a rule's
//! last clause goes with the next declaration, and so does a section comment inside a
//! rule: one at the start of its line (not indented) after a blank line, which heads what
//! follows rather than a clause (see [`Comment::section`]).
//!
//! [`format_source`] re-parses what it produced and compares the trees (spans ignored):
//! if formatting would change the meaning, it refuses rather than write.

use std::collections::VecDeque;

use super::ast::{Expr, Item, Lapse, LineDecl, Page, Rule, RuleFile};
use super::error::SyntaxError;
use super::parse;
use super::print::{Print, operand_text};
use crate::lexer::{self, Kind};
use crate::source::{Source, Span, Spanned};

/// Lines longer than this have their sums broken.
pub const MAX_WIDTH: usize = 100;

/// Parse, format and check a rule file; the canonical text.
pub fn format_source(source: &Source) -> Result<String, Vec<SyntaxError>> {
    format_aligned(source).map(|(formatted, _)| formatted)
}

/// Where each declaration starts in a source and in its canonical text (byte offsets, in
/// order): the places a diff of the two can be cut at.
pub type Aligned = Vec<(usize, usize)>;

/// [`format_source`], with where each declaration starts in both texts.
pub fn format_aligned(source: &Source) -> Result<(String, Aligned), Vec<SyntaxError>> {
    let file = parse(source)?;
    let formatted = format(source, &file);
    let again = Source::new(source.name(), formatted.as_str());
    let reparsed = parse(&again).ok().filter(|reparsed| {
        *reparsed == file && comments(&formatted).len() == comments(source.text()).len()
    });
    let Some(reparsed) = reparsed else {
        return Err(vec![SyntaxError::Unsound {
            src: source.named(),
            span: Span::new(0, 0).into(),
        }]);
    };
    let starts = |file: &RuleFile| -> Vec<usize> {
        let items = file.items.iter().map(|item| match item {
            Item::Rule(rule) => rule.span.start,
            Item::Page(page) => page.span.start,
            Item::Lapse(lapse) => lapse.span.start,
        });
        file.effective
            .iter()
            .map(|e| e.span.start)
            .chain(items)
            .collect()
    };
    let aligned = starts(&file).into_iter().zip(starts(&reparsed)).collect();
    Ok((formatted, aligned))
}

/// The canonical text of a parsed file. `source` is the text it was parsed from, for its
/// comments.
pub fn format(source: &Source, file: &RuleFile) -> String {
    let mut pending: VecDeque<Comment> = comments(source.text()).into();
    let mut out = String::new();
    let mut items: Vec<(Span, Vec<Part>, bool)> = Vec::new();
    if let Some(effective) = &file.effective {
        let line = Print(&effective.node).to_string();
        items.push((
            effective.span,
            vec![Part::new(effective.span, "", vec![line])],
            false,
        ));
    }
    items.extend(file.items.iter().map(|item| match item {
        Item::Rule(rule) => (rule.span, rule_parts(rule), true),
        Item::Page(page) => (page.span, page_parts(page), false),
        Item::Lapse(lapse) => (lapse.span, lapse_parts(lapse), true),
    }));
    let starts: Vec<usize> = items.iter().map(|(span, _, _)| span.start).collect();
    for (index, (span, parts, rule)) in items.into_iter().enumerate() {
        let next_start = starts.get(index + 1).copied().unwrap_or(usize::MAX);
        if !out.is_empty() {
            out.push('\n');
        }
        while let Some(comment) = pending.front().filter(|c| c.start < span.start) {
            out.push_str(&comment.text);
            out.push('\n');
            if comment.blank_after {
                out.push('\n');
            }
            pending.pop_front();
        }
        // Comments inside the declaration, and those ending its last line; a section
        // comment inside a rule waits for the next declaration.
        let mut own = Vec::new();
        let mut sections = Vec::new();
        while let Some(comment) = pending.front() {
            let inside = comment.start < span.end;
            let trailing = comment.start < next_start && !comment.own_line;
            if !(inside || trailing) {
                break;
            }
            let section = rule && inside && comment.section;
            let target = if section { &mut sections } else { &mut own };
            target.extend(pending.pop_front());
        }
        for comment in sections.into_iter().rev() {
            pending.push_front(comment);
        }
        write_parts(&mut out, parts, own);
    }
    if !pending.is_empty() && !out.is_empty() {
        out.push('\n');
    }
    let last = pending.len().saturating_sub(1);
    for (i, comment) in pending.into_iter().enumerate() {
        out.push_str(&comment.text);
        out.push('\n');
        if comment.blank_after && i < last {
            out.push('\n');
        }
    }
    out
}

/// One printed piece of a declaration: where it was in the source (for its comments) and
/// its lines in canonical form.
struct Part {
    span: Span,
    indent: &'static str,
    lines: Vec<String>,
    leading: Vec<String>,
    trailing: Vec<String>,
}

impl Part {
    fn new(span: Span, indent: &'static str, lines: Vec<String>) -> Self {
        Part {
            span,
            indent,
            lines,
            leading: Vec::new(),
            trailing: Vec::new(),
        }
    }
}

/// Attach each comment to a part, then print the parts in canonical order.
///
/// A comment on a line of its own goes before the part it precedes (or sits inside). A
/// comment after code stays at the end of the line of the part that holds that code; a
/// line ends with one comment, so a second one for the same part goes on its own line
/// before it. Every comment survives, wherever the grammar allowed it.
fn write_parts(out: &mut String, mut parts: Vec<Part>, comments: Vec<Comment>) {
    let mut by_source: Vec<usize> = (0..parts.len()).collect();
    by_source.sort_by_key(|&i| parts.get(i).map_or(0, |p| p.span.start));
    let last = by_source.last().copied().unwrap_or(0);
    for comment in comments {
        let at = comment.start;
        let target = if comment.own_line {
            // The part it precedes (or sits inside); after the last part, the last part.
            by_source
                .iter()
                .copied()
                .find(|&i| parts.get(i).is_some_and(|p| p.span.end > at))
                .map(|i| (i, true))
        } else {
            // The part that holds the code before it, or else the part that ends before it.
            let inside = by_source.iter().copied().find(|&i| {
                parts
                    .get(i)
                    .is_some_and(|p| p.span.start <= at && at < p.span.end)
            });
            let before = || {
                by_source
                    .iter()
                    .copied()
                    .rev()
                    .find(|&i| parts.get(i).is_some_and(|p| p.span.end <= at))
            };
            inside.or_else(before).map(|i| (i, false))
        };
        let (index, leading) = target.unwrap_or((last, false));
        if let Some(part) = parts.get_mut(index) {
            if leading || !part.trailing.is_empty() {
                part.leading.push(comment.text);
            } else {
                part.trailing.push(comment.text);
            }
        }
    }
    for part in parts {
        for comment in &part.leading {
            out.push_str(part.indent);
            out.push_str(comment);
            out.push('\n');
        }
        let last = part.lines.len().saturating_sub(1);
        for (i, line) in part.lines.iter().enumerate() {
            out.push_str(line);
            if i == last {
                for comment in &part.trailing {
                    out.push(' ');
                    out.push_str(comment);
                }
            }
            out.push('\n');
        }
    }
}

fn rule_parts(rule: &Spanned<Rule>) -> Vec<Part> {
    let r = &rule.node;
    let mut header = format!("rule {}", r.id.node);
    let mut header_span = r.id.span;
    if let Some(description) = &r.description {
        header.push(' ');
        header.push_str(&quoted(&description.node));
        header_span = header_span.join(description.span);
    }
    header_span.start = rule.span.start;
    let mut parts = vec![Part::new(header_span, "", vec![header])];
    if let Some(citation) = &r.citation {
        let line = format!("  cite {}", quoted(&citation.node));
        parts.push(Part::new(citation.span, "  ", vec![line]));
    }
    if let Some(severity) = &r.severity {
        let line = format!("  severity {}", severity.node.as_str());
        parts.push(Part::new(severity.span, "  ", vec![line]));
    }
    if let Some(effective) = &r.effective {
        let line = format!("  {}", Print(&effective.node));
        parts.push(Part::new(effective.span, "  ", vec![line]));
    }
    let assertion = &r.assertion;
    parts.push(Part::new(
        assertion.span,
        "  ",
        assertion_lines(&assertion.node),
    ));
    if let Some(tolerance) = &r.tolerance {
        let line = format!("  within {}", Print(&tolerance.node));
        parts.push(Part::new(tolerance.span, "  ", vec![line]));
    }
    if let Some(condition) = &r.condition {
        let line = format!("  when {}", Print(&condition.node));
        parts.push(Part::new(condition.span, "  ", vec![line]));
    }
    for example in &r.examples {
        let lines: Vec<String> = example
            .node
            .lines
            .iter()
            .map(|(code, amount)| format!("{} = {}", code.node, amount.node))
            .chain(
                example
                    .node
                    .prior
                    .iter()
                    .map(|(code, amount)| format!("prior({}) = {}", code.node, amount.node)),
            )
            .collect();
        let line = format!("  {} {}", example.node.expect.as_str(), lines.join(", "));
        parts.push(Part::new(example.span, "  ", vec![line]));
    }
    parts
}

fn lapse_parts(lapse: &Spanned<Lapse>) -> Vec<Part> {
    let l = &lapse.node;
    let mut header = format!("lapse {}", l.id.node);
    let mut header_span = l.id.span;
    if let Some(description) = &l.description {
        header.push(' ');
        header.push_str(&quoted(&description.node));
        header_span = header_span.join(description.span);
    }
    header_span.start = lapse.span.start;
    let mut parts = vec![Part::new(header_span, "", vec![header])];
    if let Some(citation) = &l.citation {
        let line = format!("  cite {}", quoted(&citation.node));
        parts.push(Part::new(citation.span, "  ", vec![line]));
    }
    let line = format!("  {}", Print(&l.effective.node));
    parts.push(Part::new(l.effective.span, "  ", vec![line]));
    parts
}

fn page_parts(page: &Spanned<Page>) -> Vec<Part> {
    let p = &page.node;
    let header = format!("page {} {}", p.id.node, quoted(&p.title.node));
    let header_span = Span::new(page.span.start, p.title.span.end);
    let mut parts = vec![Part::new(header_span, "", vec![header])];
    for line in &p.lines {
        parts.push(Part::new(line.span, "  ", vec![line_decl(&line.node)]));
    }
    parts
}

fn line_decl(line: &LineDecl) -> String {
    let mut text = format!("  {} {}", line.code.node, quoted(&line.label.node));
    let flags = [
        line.deduction.then_some("deduction"),
        line.total.then_some("total"),
        line.kind.flag(),
    ];
    for flag in flags.into_iter().flatten() {
        text.push(' ');
        text.push_str(flag);
    }
    if let Some(effective) = &line.effective {
        text.push(' ');
        text.push_str(&Print(&effective.node).to_string());
    }
    text
}

/// `  LEFT OP RIGHT`, with a long sum on the right broken before its operators:
///
/// ```text
///   7180 = 7070 + 7080 + …
///        + 7150
/// ```
fn assertion_lines(assertion: &super::ast::Assertion) -> Vec<String> {
    let one_line = format!("  {}", Print(assertion));
    if one_line.chars().count() <= MAX_WIDTH {
        return vec![one_line];
    }
    let Expr::Chain { first, rest } = &assertion.right.node else {
        return vec![one_line];
    };
    if !rest.first().is_some_and(|(op, _)| op.node.is_additive()) {
        return vec![one_line];
    }
    let prefix = format!(
        "  {} {} ",
        Print(&assertion.left.node),
        assertion.op.node.as_str()
    );
    let indent = " ".repeat(prefix.chars().count().saturating_sub(2));
    let mut lines = Vec::new();
    let mut line = format!("{prefix}{}", operand_text(&first.node, 1));
    for (op, operand) in rest {
        let piece = format!("{} {}", op.node.as_str(), operand_text(&operand.node, 1));
        if line.chars().count() + 1 + piece.chars().count() > MAX_WIDTH {
            lines.push(line);
            line = format!("{indent}{piece}");
        } else {
            line.push(' ');
            line.push_str(&piece);
        }
    }
    lines.push(line);
    lines
}

/// A string literal: `"…"` with `"` and `\` escaped.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// A `#` comment as found in the source.
#[derive(Clone, Debug)]
struct Comment {
    start: usize,
    text: String,
    /// Nothing but white space before it on its line.
    own_line: bool,
    /// The line after it is blank.
    blank_after: bool,
    /// It starts its line (not indented) and follows a blank line: a heading for what
    /// comes next, not a note on a clause, so inside a rule it goes with the next
    /// declaration (a section heading that examples were later added below).
    section: bool,
}

/// Every comment of a text, outside strings, in order.
fn comments(text: &str) -> Vec<Comment> {
    let comments = lexer::tokens(text).filter(|token| token.kind == Kind::Comment);
    comments
        .map(|token| {
            let (i, end) = (token.span.start, token.span.end);
            let line_start = text
                .get(..i)
                .and_then(|before| before.rfind('\n'))
                .map_or(0, |n| n + 1);
            let own_line = text
                .get(line_start..i)
                .is_some_and(|before| before.trim().is_empty());
            let after = text.get(end..).unwrap_or("");
            let next_line = after.strip_prefix('\n').unwrap_or("");
            let next_line = next_line.split('\n').next().unwrap_or("");
            let blank_after = after.starts_with('\n')
                && next_line.trim().is_empty()
                && next_line.len() < after.len();
            let blank_before = line_start > 0
                && text
                    .get(..line_start - 1)
                    .map(|before| before.rsplit('\n').next().unwrap_or(""))
                    .is_some_and(|line| line.trim().is_empty());
            Comment {
                start: i,
                text: token.text(text).trim_end().to_owned(),
                own_line,
                blank_after,
                section: line_start == i && blank_before,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(text: &str) -> String {
        format_source(&Source::new("t.xfoot", text)).unwrap()
    }

    #[test]
    fn lays_out_a_rule_canonically() {
        assert_eq!(
            fmt(
                "rule   seg.excess\n\"Excess\"  7190=7180-7060 within $1 severity warning cite \"17 CFR 1.32\""
            ),
            "rule seg.excess \"Excess\"\n  cite \"17 CFR 1.32\"\n  severity warning\n  7190 = 7180 - 7060\n  within $1\n"
        );
        assert_eq!(
            fmt("rule t 7490>=$1000000 when 7455>=7465 and (7475 is blank or 7475<7455)"),
            "rule t\n  7490 >= $1,000,000\n  when 7455 >= 7465 and (7475 is blank or 7475 < 7455)\n"
        );
    }

    #[test]
    fn keeps_comments_where_they_were() {
        let text = "# header\n\n# about the rule\nrule t \"x\" # after the header\n  # before the assertion\n  7190 = 7180 - 7060 # trailing\n# at the end\n";
        assert_eq!(fmt(text), text.replace("# at the end", "\n# at the end"));
    }

    #[test]
    fn breaks_long_sums_before_their_operators() {
        let terms: Vec<String> = (0..30).map(|i| (7000 + i).to_string()).collect();
        let text = format!("rule t 7180 = {}", terms.join(" + "));
        let formatted = fmt(&text);
        let lines: Vec<&str> = formatted.lines().collect();
        assert!(lines.len() > 2);
        assert!(lines.iter().all(|l| l.chars().count() <= MAX_WIDTH));
        assert!(lines[2].starts_with("       + 70"), "{formatted}");
        assert_eq!(fmt(&formatted), formatted);
    }

    #[test]
    fn puts_effective_periods_first_in_the_file_and_after_severity() {
        assert_eq!(
            fmt(
                "# pack period\neffective   from 2014-01-01 until 2030-01-01\nrule a 7190=7180 effective until 2020-01-01 severity warning\n"
            ),
            "# pack period\neffective from 2014-01-01 until 2030-01-01\n\nrule a\n  severity warning\n  effective until 2020-01-01\n  7190 = 7180\n"
        );
    }

    #[test]
    fn keeps_through_as_written_and_lays_out_lapses() {
        assert_eq!(
            fmt(
                "rule a 7190=7180 effective from 2020-01-01  through 2027-02-28\nlapse a \"Suspended\" effective from 2027-03-01 through 2027-03-31 cite \"Order 4\""
            ),
            "rule a\n  effective from 2020-01-01 through 2027-02-28\n  7190 = 7180\n\nlapse a \"Suspended\"\n  cite \"Order 4\"\n  effective from 2027-03-01 through 2027-03-31\n"
        );
        // `through D` is in force on D: the period ends the day after.
        let file = parse(&Source::new(
            "t",
            "rule a effective through 2027-02-28 7190 = 7180",
        ))
        .unwrap();
        let period = file
            .rules()
            .next()
            .unwrap()
            .node
            .effective
            .as_ref()
            .unwrap()
            .node
            .period();
        assert_eq!(
            period.until.map(|d| d.to_string()).as_deref(),
            Some("2027-03-01")
        );
    }

    #[test]
    fn formats_pages() {
        assert_eq!(
            fmt(
                "page seg  \"Segregation\" 7010 \"cash\"\n7033 \"deduct\"   deduction\nrule t 7010 >= $0"
            ),
            "page seg \"Segregation\"\n  7010 \"cash\"\n  7033 \"deduct\" deduction\n\nrule t\n  7010 >= $0\n"
        );
    }

    #[test]
    fn keeps_comments_wherever_the_grammar_allows_them() {
        let text = "rule a # x\n  7010 = # c\n  0\n";
        assert_eq!(fmt(text), "rule a # x\n  7010 = 0 # c\n");
        let text = "rule # after the keyword\n  a # after the id\n  \"A\" # after the description\n  7010 # after the line\n  = # after the operator\n  7020 # after the right side\n  + # after the plus\n  7030\n";
        let once = fmt(text);
        assert_eq!(fmt(&once), once);
        assert_eq!(comments(&once).len(), 7, "{once}");
    }

    #[test]
    fn is_idempotent_and_keeps_escapes() {
        let text = "rule t \"a \\\"quoted\\\" # not a comment\" 7010 = (7020 + 7030) + -(-7040)\n";
        let once = fmt(text);
        assert_eq!(fmt(&once), once);
        assert!(once.contains("\\\"quoted\\\" # not a comment"));
    }
}
