//! `crossfoot doc`: the rule book a reviewer signs off. Every page of the catalogue with its
//! lines, and every rule in the form's words ("Line 7190 (Excess (deficiency) funds in
//! segregation) must equal line 7180 (…) minus line 7060 (…)"), with its tolerance,
//! condition, period, severity, citation and examples, generated from the checked rules so
//! it never drifts from them. The book is built once as data ([`Book`]) and written as
//! Markdown or HTML; the order is the rule set's own (pages as declared, rules in file and
//! source order), so the same rules always give the same bytes.

use std::fmt::Write as _;

use crossfoot_core::compile::{CheckedRule, Cond, Constant, Func, Node, RuleSet};
use crossfoot_core::eval::RoundMode;
use crossfoot_syntax::amount;
use crossfoot_syntax::ast::{BinOp, CmpOp, Expectation, LineKind, Tolerance};
use crossfoot_syntax::line::LineCode;
use crossfoot_syntax::source::Span;

/// The rule book of a rule set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Book {
    /// What the book was made from: the rules' path as given.
    pub title: String,
    /// One chapter per page of the catalogue, in declaration order.
    pub chapters: Vec<Chapter>,
    /// Rules whose lines are on no page (or every rule, without a catalogue).
    pub other: Vec<Entry>,
    /// How many rule files the set has.
    pub files: usize,
}

/// A page of the form: its lines and the rules about them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chapter {
    /// `seg`
    pub id: String,
    /// The page's title on the form.
    pub title: String,
    /// Its lines, in the form's order: code, label, flags (`deduction`, `total`, …).
    pub lines: Vec<(String, String, Vec<&'static str>)>,
    /// The rules whose first line is on this page, in rule order.
    pub rules: Vec<Entry>,
}

/// One rule in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// `seg.excess`
    pub id: String,
    /// The form's wording, as written after the id.
    pub description: Option<String>,
    /// What must hold: "Line 7190 (…) must equal line 7180 (…) minus line 7060 (…)."
    pub statement: String,
    /// Facts: tolerance, condition, period, severity, citation, source; in that order.
    pub facts: Vec<(&'static str, String)>,
    /// The examples as a table: the lines they give, then one row per example.
    pub examples: Examples,
}

/// A rule's examples as a table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Examples {
    /// The column headings: each line an example gives (`prior(3750)` for a previous
    /// report's), in order of first appearance.
    pub columns: Vec<String>,
    /// Per example: the amount in each column (empty: blank), and the verdict.
    pub rows: Vec<(Vec<String>, &'static str)>,
}

/// The book of a rule set; `title` names it (the path it was read from).
pub fn book(rules: &RuleSet, title: &str) -> Book {
    let catalogue = rules.catalogue();
    let mut chapters: Vec<Chapter> = catalogue
        .pages()
        .iter()
        .map(|page| Chapter {
            id: page.id.clone(),
            title: page.title.clone(),
            lines: page
                .lines
                .iter()
                .map(|code| line_row(rules, *code))
                .collect(),
            rules: Vec::new(),
        })
        .collect();
    let mut other = Vec::new();
    let root = common_dir(rules);
    for rule in rules.rules() {
        let entry = entry(rules, rule, &root);
        let page = rule
            .lines()
            .first()
            .and_then(|code| catalogue.line(*code))
            .map(|info| info.page);
        match page.and_then(|index| chapters.get_mut(index)) {
            Some(chapter) => chapter.rules.push(entry),
            None => other.push(entry),
        }
    }
    Book {
        title: title.to_owned(),
        chapters,
        other,
        files: rules.sources().len(),
    }
}

fn line_row(rules: &RuleSet, code: LineCode) -> (String, String, Vec<&'static str>) {
    let Some(info) = rules.catalogue().line(code) else {
        return (code.to_string(), String::new(), Vec::new());
    };
    let flags = [
        info.deduction.then_some("deduction"),
        info.total.then_some("total"),
        info.kind.flag(),
    ];
    let label = info.editions();
    (
        code.to_string(),
        label,
        flags.into_iter().flatten().collect(),
    )
}

/// The directory every rule file's name starts with (`rules/focus/`), so the book names
/// files within the rule set, however its path was typed.
fn common_dir(rules: &RuleSet) -> String {
    let mut names = rules.sources().iter().map(|source| source.name());
    let Some(first) = names.next() else {
        return String::new();
    };
    let mut common = first
        .rfind('/')
        .map_or("", |at| first.get(..=at).unwrap_or(""));
    for name in names {
        while !name.starts_with(common) {
            let shorter = common.trim_end_matches('/');
            common = shorter
                .rfind('/')
                .map_or("", |at| shorter.get(..=at).unwrap_or(""));
        }
    }
    common.to_owned()
}

fn entry(rules: &RuleSet, rule: &CheckedRule, root: &str) -> Entry {
    let words = Words {
        rules,
        rule,
        mentioned: std::cell::RefCell::new(Vec::new()),
    };
    let comparison = &rule.assertion();
    let mut statement = format!(
        "{} {} {}.",
        words.node(&comparison.left, false),
        must(comparison.op),
        words.node(&comparison.right, false)
    );
    capitalize(&mut statement);
    let mut facts = Vec::new();
    if let Some(tolerance) = rule.tolerance() {
        facts.push(("Tolerance", tolerance_words(tolerance.written())));
    }
    if let Some(condition) = rule.condition() {
        facts.push(("Applies when", words.condition(condition)));
    }
    if !rule.period().is_always() {
        facts.push(("In force", rule.period().to_string()));
    }
    facts.push(("Severity", rule.severity().as_str().to_owned()));
    if let Some(citation) = rule.citation() {
        facts.push(("Citation", citation.to_owned()));
    }
    // The file, not the line: a rule moved by an edit above it is not a change to the
    // book.
    if let Some(source) = rules.source_of(rule) {
        let name = source.name();
        facts.push(("Source", name.strip_prefix(root).unwrap_or(name).to_owned()));
    }
    Entry {
        id: rule.id().to_owned(),
        description: rule.description().map(str::to_owned),
        statement,
        facts,
        examples: examples(rule),
    }
}

fn capitalize(text: &mut String) {
    if let Some(first) = text.get(..1) {
        let upper = first.to_ascii_uppercase();
        text.replace_range(..1, &upper);
    }
}

/// "must equal", "must be at least", …
fn must(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "must equal",
        CmpOp::Ne => "must differ from",
        CmpOp::Lt => "must be less than",
        CmpOp::Le => "must be at most",
        CmpOp::Gt => "must be more than",
        CmpOp::Ge => "must be at least",
    }
}

/// "is", "is at least", … (a condition states, it does not require).
fn is(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "equals",
        CmpOp::Ne => "differs from",
        CmpOp::Lt => "is less than",
        CmpOp::Le => "is at most",
        CmpOp::Gt => "is more than",
        CmpOp::Ge => "is at least",
    }
}

fn tolerance_words(tolerance: Tolerance) -> String {
    match tolerance {
        Tolerance::Absolute(amount) => format!("within ${} either way", amount::format(amount)),
        Tolerance::Relative(ratio) => format!(
            "within {}% of the larger side",
            amount::format((ratio * rust_decimal::Decimal::ONE_HUNDRED).normalize())
        ),
        Tolerance::Rounding => {
            "within what the rounding of the printed figures allows (half a unit of each figure's last digit)"
                .to_owned()
        }
    }
}

/// A rule's expressions in words. A line's label is given where the rule first mentions
/// it, not again.
struct Words<'a> {
    rules: &'a RuleSet,
    rule: &'a CheckedRule,
    mentioned: std::cell::RefCell<Vec<LineCode>>,
}

impl Words<'_> {
    /// `nested`: the node is an operand of a larger expression, so a chain is bracketed.
    fn node(&self, node: &Node, nested: bool) -> String {
        match node {
            Node::Line { slot, prior, .. } => self.line(*slot, *prior),
            Node::Const { span, .. } => self.text(*span),
            Node::Neg { inner, .. } => format!("minus {}", self.node(inner, true)),
            Node::Chain { first, rest, .. } => {
                let mut text = self.node(first, true);
                for (op, _, operand) in rest {
                    let operand = self.node(operand, true);
                    let joined = match op {
                        BinOp::Add => format!(" plus {operand}"),
                        BinOp::Sub => format!(" minus {operand}"),
                        BinOp::Mul if is_ratio(first) && rest.len() == 1 => {
                            format!(" of {operand}")
                        }
                        BinOp::Mul => format!(" times {operand}"),
                        BinOp::Div => format!(" divided by {operand}"),
                    };
                    text.push_str(&joined);
                }
                if nested { format!("({text})") } else { text }
            }
            Node::Call { func, args, .. } => {
                let text = self.call(*func, args);
                if nested && matches!(func, Func::Round { .. }) {
                    format!("({text})")
                } else {
                    text
                }
            }
        }
    }

    fn call(&self, func: Func, args: &[Node]) -> String {
        let list = |args: &[Node]| {
            let words: Vec<String> = args.iter().map(|arg| self.node(arg, false)).collect();
            match words.as_slice() {
                [] => String::new(),
                [one] => one.clone(),
                [init @ .., last] => format!("{} and {last}", init.join(", ")),
            }
        };
        let first = args
            .first()
            .map(|a| self.node(a, false))
            .unwrap_or_default();
        match func {
            Func::Sum => format!("the sum of {}", list(args)),
            Func::Max => format!("the greatest of {}", list(args)),
            Func::Min => format!("the least of {}", list(args)),
            Func::Abs => format!("the absolute value of {first}"),
            Func::Round { places, mode } => {
                let to = match (places, args.get(1)) {
                    (Some(0), _) => "whole units".to_owned(),
                    (Some(1), _) => "1 decimal place".to_owned(),
                    (Some(n), _) => format!("{n} decimal places"),
                    (None, Some(step)) => format!("a multiple of {}", self.node(step, false)),
                    (None, None) => "whole units".to_owned(),
                };
                let how = match mode {
                    RoundMode::HalfAwayFromZero => "ties away from zero",
                    RoundMode::HalfEven => "ties to even",
                    RoundMode::TowardZero => "toward zero",
                    RoundMode::Floor => "down",
                    RoundMode::Ceiling => "up",
                };
                format!("{first}, rounded to {to} ({how})")
            }
        }
    }

    /// "line 7190 (Excess (deficiency) funds in segregation)", "… on the previous report".
    fn line(&self, slot: usize, prior: bool) -> String {
        let Some(code) = self.rule.lines().get(slot) else {
            return String::new();
        };
        let mut text = format!("line {code}");
        let first = {
            let mut mentioned = self.mentioned.borrow_mut();
            let first = !mentioned.contains(code);
            if first {
                mentioned.push(*code);
            }
            first
        };
        // The label of the form's edition on the version's days.
        let period = self.rule.period();
        let day = period.from.or(period.last_day());
        if let (true, Some(label)) = (first, self.rules.label_on(*code, day)) {
            let _ = write!(text, " ({label})");
        }
        let percent = self
            .rules
            .catalogue()
            .line(*code)
            .is_some_and(|info| info.kind == LineKind::Percent);
        if percent {
            text.push_str(" as a ratio");
        }
        if prior {
            text.push_str(" on the previous report");
        }
        text
    }

    fn text(&self, span: Span) -> String {
        self.rules
            .source_of(self.rule)
            .map(|source| {
                source
                    .slice(span)
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default()
    }

    fn condition(&self, condition: &Cond) -> String {
        match condition {
            Cond::All(parts) => self.conditions(parts, " and "),
            Cond::Any(parts) => self.conditions(parts, " or "),
            Cond::Not(inner) => format!("it is not the case that {}", self.condition(inner)),
            Cond::Blank { slot, blank, .. } => {
                let state = if *blank { "is blank" } else { "is not blank" };
                format!("{} {state}", self.line(*slot, false))
            }
            Cond::Compare(comparison) => format!(
                "{} {} {}",
                self.node(&comparison.left, false),
                is(comparison.op),
                self.node(&comparison.right, false)
            ),
        }
    }

    fn conditions(&self, parts: &[Cond], joiner: &str) -> String {
        let words: Vec<String> = parts
            .iter()
            .map(|part| match part {
                Cond::All(_) | Cond::Any(_) => format!("({})", self.condition(part)),
                _ => self.condition(part),
            })
            .collect();
        words.join(joiner)
    }
}

/// Whether a node is a ratio constant (`8%`, `1.10`), read "8% of …".
fn is_ratio(node: &Node) -> bool {
    matches!(
        node,
        Node::Const {
            value: Constant::Ratio(_),
            ..
        }
    )
}

fn examples(rule: &CheckedRule) -> Examples {
    let mut columns: Vec<(LineCode, bool)> = Vec::new();
    for example in rule.examples() {
        let prior = example
            .prior
            .iter()
            .flatten()
            .map(|(code, _)| (*code, true));
        for key in example
            .lines
            .iter()
            .map(|(code, _)| (*code, false))
            .chain(prior)
        {
            if !columns.contains(&key) {
                columns.push(key);
            }
        }
    }
    let rows = rule
        .examples()
        .iter()
        .map(|example| {
            let cells = columns
                .iter()
                .map(|(code, prior)| {
                    let lines = if *prior {
                        example.prior.as_deref().unwrap_or_default()
                    } else {
                        example.lines.as_slice()
                    };
                    lines
                        .iter()
                        .find(|(listed, _)| listed == code)
                        .map(|(_, amount)| amount::format(*amount))
                        .unwrap_or_default()
                })
                .collect();
            let verdict = match example.expect {
                Expectation::Passes => "passes",
                Expectation::Fails => "fails",
                Expectation::Skips => "is skipped",
            };
            (cells, verdict)
        })
        .collect();
    Examples {
        columns: columns
            .iter()
            .map(|(code, prior)| {
                if *prior {
                    format!("prior({code})")
                } else {
                    code.to_string()
                }
            })
            .collect(),
        rows,
    }
}

impl Book {
    /// How many rules the book holds.
    pub fn rule_count(&self) -> usize {
        self.chapters.iter().map(|c| c.rules.len()).sum::<usize>() + self.other.len()
    }

    /// The book as Markdown.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# Rule book: {}\n", md(&self.title));
        let _ = writeln!(
            out,
            "Generated by `crossfoot doc` from the rules themselves: {} rule file{}, {} page{}, {} rule{}. Regenerate it; do not edit it.\n",
            self.files,
            plural(self.files),
            self.chapters.len(),
            plural(self.chapters.len()),
            self.rule_count(),
            plural(self.rule_count())
        );
        for chapter in &self.chapters {
            let _ = writeln!(out, "- [{}](#{})", md(&chapter.title), anchor(&chapter.id));
        }
        if !self.other.is_empty() {
            let _ = writeln!(out, "- [Other rules](#other-rules)");
        }
        for chapter in &self.chapters {
            let _ = writeln!(out, "\n<a id=\"{}\"></a>", anchor(&chapter.id));
            let _ = writeln!(out, "## {} (`{}`)\n", md(&chapter.title), chapter.id);
            out.push_str("| Line | Label | |\n|---|---|---|\n");
            for (code, label, flags) in &chapter.lines {
                let _ = writeln!(out, "| {code} | {} | {} |", md(label), flags.join(", "));
            }
            for entry in &chapter.rules {
                entry_markdown(entry, &mut out);
            }
        }
        if !self.other.is_empty() {
            out.push_str("\n<a id=\"other-rules\"></a>\n## Other rules\n");
            for entry in &self.other {
                entry_markdown(entry, &mut out);
            }
        }
        out
    }

    /// The book as one self-contained HTML page.
    pub fn html(&self) -> String {
        let mut out = String::new();
        let title = format!("Rule book: {}", self.title);
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
            h(&title),
            h(&title)
        );
        let _ = writeln!(
            out,
            "<p>Generated by <code>crossfoot doc</code> from the rules themselves: {} rule file{}, {} page{}, {} rule{}.</p>",
            self.files,
            plural(self.files),
            self.chapters.len(),
            plural(self.chapters.len()),
            self.rule_count(),
            plural(self.rule_count())
        );
        out.push_str("<nav><ul>\n");
        for chapter in &self.chapters {
            let _ = writeln!(
                out,
                "<li><a href=\"#{}\">{}</a></li>",
                anchor(&chapter.id),
                h(&chapter.title)
            );
        }
        if !self.other.is_empty() {
            out.push_str("<li><a href=\"#other-rules\">Other rules</a></li>\n");
        }
        out.push_str("</ul></nav>\n");
        for chapter in &self.chapters {
            let _ = writeln!(
                out,
                "<section id=\"{}\">\n<h2>{} (<code>{}</code>)</h2>",
                anchor(&chapter.id),
                h(&chapter.title),
                h(&chapter.id)
            );
            let _ = writeln!(
                out,
                "<table>\n<caption>Lines of {}</caption>\n<thead><tr><th scope=\"col\">Line</th><th scope=\"col\">Label</th><th scope=\"col\">Flags</th></tr></thead>\n<tbody>",
                h(&chapter.title)
            );
            for (code, label, flags) in &chapter.lines {
                let _ = writeln!(
                    out,
                    "<tr><th scope=\"row\">{code}</th><td>{}</td><td>{}</td></tr>",
                    h(label),
                    flags.join(", ")
                );
            }
            out.push_str("</tbody>\n</table>\n");
            for entry in &chapter.rules {
                entry_html(entry, &mut out);
            }
            out.push_str("</section>\n");
        }
        if !self.other.is_empty() {
            out.push_str("<section id=\"other-rules\">\n<h2>Other rules</h2>\n");
            for entry in &self.other {
                entry_html(entry, &mut out);
            }
            out.push_str("</section>\n");
        }
        out.push_str("</body>\n</html>\n");
        out
    }
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45;color:#111}table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #999;padding:.2rem .5rem;text-align:left;vertical-align:top}td.amount{text-align:right;font-variant-numeric:tabular-nums}caption{text-align:left;font-weight:600}article{border-top:1px solid #ccc;margin-top:1rem}dl{display:grid;grid-template-columns:max-content auto;gap:.1rem 1rem}dt{font-weight:600}@media print{nav{display:none}section{break-before:page}article{break-inside:avoid}}";

fn entry_markdown(entry: &Entry, out: &mut String) {
    let _ = write!(out, "\n### `{}`", entry.id);
    if let Some(description) = &entry.description {
        let _ = write!(out, ": {}", md(description));
    }
    let _ = writeln!(out, "\n\n{}\n", md(&entry.statement));
    for (name, value) in &entry.facts {
        let _ = writeln!(out, "- {name}: {}", md(value));
    }
    let examples = &entry.examples;
    if examples.rows.is_empty() {
        out.push_str("\nNo examples.\n");
        return;
    }
    out.push_str("\n| Example |");
    for column in &examples.columns {
        let _ = write!(out, " {column} |");
    }
    out.push_str(" The rule |\n|---|");
    for _ in &examples.columns {
        out.push_str("--:|");
    }
    out.push_str("---|\n");
    for (index, (cells, verdict)) in examples.rows.iter().enumerate() {
        let _ = write!(out, "| {} |", index + 1);
        for cell in cells {
            let shown = if cell.is_empty() { "blank" } else { cell };
            let _ = write!(out, " {shown} |");
        }
        let _ = writeln!(out, " {verdict} |");
    }
}

fn entry_html(entry: &Entry, out: &mut String) {
    let _ = write!(
        out,
        "<article id=\"rule-{}\">\n<h3><code>{}</code>",
        anchor(&entry.id),
        h(&entry.id)
    );
    if let Some(description) = &entry.description {
        let _ = write!(out, ": {}", h(description));
    }
    let _ = writeln!(out, "</h3>\n<p>{}</p>\n<dl>", h(&entry.statement));
    for (name, value) in &entry.facts {
        let _ = writeln!(out, "<dt>{name}</dt><dd>{}</dd>", h(value));
    }
    out.push_str("</dl>\n");
    let examples = &entry.examples;
    if examples.rows.is_empty() {
        out.push_str("<p>No examples.</p>\n</article>\n");
        return;
    }
    let _ = write!(
        out,
        "<table>\n<caption>Examples of {}</caption>\n<thead><tr><th scope=\"col\">Example</th>",
        h(&entry.id)
    );
    for column in &examples.columns {
        let _ = write!(out, "<th scope=\"col\">{}</th>", h(column));
    }
    out.push_str("<th scope=\"col\">The rule</th></tr></thead>\n<tbody>\n");
    for (index, (cells, verdict)) in examples.rows.iter().enumerate() {
        let _ = write!(out, "<tr><th scope=\"row\">{}</th>", index + 1);
        for cell in cells {
            let shown = if cell.is_empty() { "blank" } else { cell };
            let _ = write!(out, "<td class=\"amount\">{}</td>", h(shown));
        }
        let _ = writeln!(out, "<td>{verdict}</td></tr>");
    }
    out.push_str("</tbody>\n</table>\n</article>\n");
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// An id as an HTML anchor: letters, digits, `-`, `_` and `.` kept, anything else `-`.
fn anchor(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Text for a Markdown table cell or paragraph: `|`, `\`, `*`, `_`, `` ` ``, `<`, `[` and
/// `]` escaped, line ends as spaces, control and bidirectional characters shown as
/// `\u{1b}` (as every output shows them).
fn md(text: &str) -> String {
    let lines: String = text
        .chars()
        .map(|c| if matches!(c, '\n' | '\r') { ' ' } else { c })
        .collect();
    let mut out = String::with_capacity(text.len());
    for c in super::text::terminal(&lines).chars() {
        if matches!(
            c,
            '|' | '\\' | '*' | '_' | '`' | '<' | '>' | '[' | ']' | '#'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Text for HTML.
fn h(text: &str) -> String {
    super::text::xml(text, true).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossfoot_core::compile::compile;
    use crossfoot_syntax as syntax;
    use crossfoot_syntax::source::Source;

    fn book_of(text: &str) -> Book {
        let source = Source::new("t.xfoot", text);
        let file = syntax::parse(&source).unwrap();
        let rules = compile(vec![(source, file)]).unwrap().rules;
        book(&rules, "t.xfoot")
    }

    #[test]
    fn rules_read_the_way_the_form_does() {
        let book = book_of(
            "page seg \"Segregation\"\n  7060 \"Amount required to be segregated\"\n  7180 \"Total amount in segregation\"\n  7190 \"Excess (deficiency) funds in segregation\"\n  7415 \"Margin\"\n  7425 \"8% of margin\"\n\
             rule seg.excess \"Excess\" cite \"17 CFR 1.32\"\n  7190 = 7180 - 7060\n  passes 7180 = 10, 7060 = 4, 7190 = 6\n\
             rule cap \"8%\" severity warning\n  7425 = round(8% * 7415) within $1\n  when 7415 >= $0 and 7060 is not blank\n",
        );
        let rules = &book.chapters[0].rules;
        assert_eq!(
            rules[0].statement,
            "Line 7190 (Excess (deficiency) funds in segregation) must equal line 7180 (Total amount in segregation) minus line 7060 (Amount required to be segregated)."
        );
        assert_eq!(
            rules[1].statement,
            "Line 7425 (8% of margin) must equal 8% of line 7415 (Margin), rounded to whole units (ties away from zero)."
        );
        assert_eq!(
            rules[1].facts[..3],
            [
                ("Tolerance", "within $1 either way".to_owned()),
                (
                    "Applies when",
                    "line 7415 is at least $0 and line 7060 (Amount required to be segregated) is not blank".to_owned()
                ),
                ("Severity", "warning".to_owned()),
            ]
        );
        assert_eq!(rules[0].examples.columns, ["7180", "7060", "7190"]);
        assert_eq!(rules[0].examples.rows[0].1, "passes");
    }

    #[test]
    fn untrusted_text_is_escaped() {
        let book =
            book_of("page p \"<script>|x\"\n  7010 \"a|b*c\"\nrule r \"<b>\"\n  7010 >= $0\n");
        assert!(book.html().contains("&lt;script&gt;|x"));
        assert!(!book.html().contains("<script>"));
        assert!(book.markdown().contains("| 7010 | a\\|b\\*c |"));
    }
}
