//! What one parsed rule file says about line codes: the lines its pages declare, the
//! rules it holds, and every place a line code is written (declared, read by a rule, or
//! given an amount in an example). Built from the library's syntax tree, so a code is
//! what the grammar says it is: `$7,190`, `71.90`, `8%`, a comment or a string never are.

use crossfoot_syntax::ast::{Assertion, Condition, Expr, LineKind, Page, Rule, RuleFile};
use crossfoot_syntax::line::LineCode;
use crossfoot_syntax::source::{Span, Spanned};

/// A line a page declares.
#[derive(Clone, Debug)]
pub struct Declaration {
    /// The line code.
    pub code: LineCode,
    /// The form's label.
    pub label: String,
    /// The page's id (`seg`).
    pub page: String,
    /// The page's title.
    pub page_title: String,
    /// Printed as a deduction (stored negative).
    pub deduction: bool,
    /// A total or subtotal.
    pub total: bool,
    /// Money, a percentage or a ratio.
    pub kind: LineKind,
    /// The days this label is the form's (`from 2027-03-01`), for a label that changes
    /// with the form.
    pub days: Option<String>,
    /// The whole declaration: code, label and flags.
    pub span: Span,
}

impl Declaration {
    /// The flags as written after the label (`deduction`, `total`, `percent`, `ratio`).
    pub fn flags(&self) -> Vec<&'static str> {
        let mut flags = Vec::new();
        if self.deduction {
            flags.push("deduction");
        }
        if self.total {
            flags.push("total");
        }
        flags.extend(self.kind.flag());
        flags
    }
}

/// A rule of the file.
#[derive(Clone, Debug)]
pub struct RuleEntry {
    /// `seg.excess`
    pub id: String,
    /// The form's wording, when written.
    pub description: Option<String>,
}

/// What a written line code is doing there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Declared on a page: the index of the [`Declaration`].
    Declared(usize),
    /// Read by a rule (its assertion or condition, `prior(…)` included): the index of
    /// the [`RuleEntry`].
    Read(usize),
    /// Given an amount in one of a rule's examples.
    Example(usize),
}

/// A line code written in the file.
#[derive(Clone, Copy, Debug)]
pub struct Mention {
    /// The code.
    pub code: LineCode,
    /// Where its digits are.
    pub span: Span,
    /// What it does there.
    pub role: Role,
}

/// The line codes of one parsed rule file.
#[derive(Clone, Debug, Default)]
pub struct FileIndex {
    /// The lines its pages declare, in order.
    pub declarations: Vec<Declaration>,
    /// Its rules, in order.
    pub rules: Vec<RuleEntry>,
    /// Every line code written, in source order.
    pub mentions: Vec<Mention>,
}

impl FileIndex {
    /// Index a parsed file.
    pub fn new(file: &RuleFile) -> Self {
        let mut index = FileIndex::default();
        for page in file.pages() {
            index.page(&page.node);
        }
        for rule in file.rules() {
            index.rule(&rule.node);
        }
        index.mentions.sort_by_key(|mention| mention.span.start);
        index
    }

    /// A page's lines.
    fn page(&mut self, page: &Page) {
        for line in &page.lines {
            self.mentions.push(Mention {
                code: line.node.code.node,
                span: line.node.code.span,
                role: Role::Declared(self.declarations.len()),
            });
            self.declarations.push(Declaration {
                code: line.node.code.node,
                label: line.node.label.node.clone(),
                page: page.id.node.clone(),
                page_title: page.title.node.clone(),
                deduction: line.node.deduction,
                total: line.node.total,
                kind: line.node.kind,
                days: line
                    .node
                    .effective
                    .as_ref()
                    .map(|e| e.node.period().to_string()),
                span: line.span,
            });
        }
    }

    /// A rule: the lines it reads, and those its examples give amounts.
    fn rule(&mut self, rule: &Rule) {
        let at = self.rules.len();
        let mut reads = Reads::default();
        reads.assertion(&rule.assertion.node);
        if let Some(condition) = &rule.condition {
            reads.condition(condition);
        }
        let examples = rule.examples.iter().flat_map(|example| {
            let lines = example.node.lines.iter().chain(&example.node.prior);
            lines.map(|(code, _)| (code.node, code.span, Role::Example(at)))
        });
        let reads = reads
            .0
            .into_iter()
            .map(|(code, span)| (code, span, Role::Read(at)));
        self.mentions
            .extend(
                reads
                    .chain(examples)
                    .map(|(code, span, role)| Mention { code, span, role }),
            );
        self.rules.push(RuleEntry {
            id: rule.id.node.clone(),
            description: rule.description.as_ref().map(|d| d.node.clone()),
        });
    }

    /// The line code written at a byte offset (the cursor just after its last digit
    /// counts).
    pub fn mention_at(&self, offset: usize) -> Option<&Mention> {
        let after = self
            .mentions
            .partition_point(|mention| mention.span.start <= offset);
        after
            .checked_sub(1)
            .and_then(|last| self.mentions.get(last))
            .filter(|mention| offset <= mention.span.end)
    }

    /// The declaration of a code in this file.
    pub fn declaration(&self, code: LineCode) -> Option<&Declaration> {
        self.declarations.iter().find(|d| d.code == code)
    }

    /// Every declaration of a line in this file: one per edition of a dated label.
    pub fn editions(&self, code: LineCode) -> impl Iterator<Item = &Declaration> + '_ {
        self.declarations.iter().filter(move |d| d.code == code)
    }

    /// Each place a rule of this file reads `code`, with the rule.
    pub fn reads(&self, code: LineCode) -> impl Iterator<Item = (&RuleEntry, Span)> + '_ {
        self.mentions
            .iter()
            .filter(move |mention| mention.code == code)
            .filter_map(|mention| match mention.role {
                Role::Read(rule) => self.rules.get(rule).map(|entry| (entry, mention.span)),
                Role::Declared(_) | Role::Example(_) => None,
            })
    }
}

/// The line codes an assertion or condition reads, as the checker resolves them: every
/// bare integer of an expression, but `round`'s places, step and mode (`round(x, 2)`
/// reads no line 2).
#[derive(Default)]
struct Reads(Vec<(LineCode, Span)>);

impl Reads {
    fn assertion(&mut self, assertion: &Assertion) {
        self.expr(&assertion.left);
        self.expr(&assertion.right);
    }

    fn condition(&mut self, condition: &Spanned<Condition>) {
        match &condition.node {
            Condition::All(parts) | Condition::Any(parts) => {
                parts.iter().for_each(|part| self.condition(part));
            }
            Condition::Not(inner) => self.condition(inner),
            Condition::Blank { line, .. } => self.0.push((line.node, line.span)),
            Condition::Compare(assertion) => self.assertion(assertion),
        }
    }

    fn expr(&mut self, expr: &Spanned<Expr>) {
        match &expr.node {
            Expr::Line(code) => self.0.push((*code, expr.span)),
            Expr::Neg(inner) => self.expr(inner),
            Expr::Chain { first, rest } => {
                self.expr(first);
                rest.iter().for_each(|(_, operand)| self.expr(operand));
            }
            Expr::Call { name, args } if name.node == "round" => {
                args.iter().take(1).for_each(|arg| self.expr(arg));
            }
            Expr::Call { args, .. } => args.iter().for_each(|arg| self.expr(arg)),
            Expr::Money(_) | Expr::Ratio(_) | Expr::Percent(_) | Expr::Name(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossfoot_syntax::source::Source;

    fn index(text: &str) -> FileIndex {
        FileIndex::new(&crossfoot_syntax::parse(&Source::new("t.xfoot", text)).unwrap())
    }

    fn code(text: &str) -> LineCode {
        text.parse().unwrap()
    }

    #[test]
    fn codes_are_found_where_the_grammar_puts_them() {
        let text = "page p \"P\"\n  7010 \"A\" deduction total\n\n\
                    rule r \"R\"\n  7010 = round(prior(7020) * 8%, 2) + $7,010\n  \
                    when 7030 is blank\n  passes 7010 = 7010\n";
        let index = index(text);
        let found: Vec<(String, Role)> = index
            .mentions
            .iter()
            .map(|m| (text[m.span.start..m.span.end].to_owned(), m.role))
            .collect();
        let expected = [
            ("7010", Role::Declared(0)),
            ("7010", Role::Read(0)),
            ("7020", Role::Read(0)),
            ("7030", Role::Read(0)),
            ("7010", Role::Example(0)),
        ];
        let expected: Vec<(String, Role)> = expected
            .iter()
            .map(|(t, r)| ((*t).to_owned(), *r))
            .collect();
        assert_eq!(found, expected);
        assert_eq!(index.declarations[0].flags(), ["deduction", "total"]);
        assert_eq!(index.reads(code("7020")).count(), 1);
        let read = text.find("7020").unwrap();
        assert_eq!(index.mention_at(read + 4).unwrap().code, code("7020"));
        assert!(index.mention_at(read - 1).is_none(), "on the `(`");
    }
}
