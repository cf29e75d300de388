//! The fast path: a hand-written parser for well-formed rule files.
//!
//! `grammar/crossfoot.pest` defines the language, and the pest parser words every
//! diagnostic. This parser follows the grammar rule for rule (ordered choice, greedy
//! repetition, backtracking exactly where the grammar does, white space and comments
//! between tokens) and builds the same tree with the same spans, without building pest's
//! token queue first: a generated 100,000-rule pack parses many times faster.
//!
//! It reports nothing. On anything it does not accept, or on a value the builder would
//! refuse (a bad number or date, `==`, a repeated clause, a rule without an assertion),
//! it returns `None` and the pest parser parses the text instead. Declining is always safe;
//! accepting must give exactly what the pest parser gives, which the differential tests
//! below check, spans included.
//!
//! Each grammar function starts at its first token (the caller has skipped white space)
//! and, on success, leaves the position at the end of its last token; on `None` the caller
//! puts the position back.

use rust_decimal::Decimal;

use super::{Clauses, MAX_NESTING, unescape};
use crate::amount;
use crate::date::Date;
use crate::line::LineCode;
use crate::source::{Span, Spanned};
use crate::syntax::ast::{
    Assertion, BinOp, CmpOp, Condition, Effective, Example, Expectation, Expr, Item, LineDecl,
    Page, Rule, RuleFile, Severity, Tolerance,
};

/// The words `keyword` lists in the grammar: never a function name.
const KEYWORDS: [&[u8]; 17] = [
    b"rule",
    b"page",
    b"cite",
    b"severity",
    b"effective",
    b"from",
    b"until",
    b"when",
    b"within",
    b"and",
    b"or",
    b"not",
    b"is",
    b"blank",
    b"passes",
    b"fails",
    b"skips",
];

/// Parse a whole rule file, or `None` to leave it to the pest parser.
pub(super) fn parse(text: &str) -> Option<RuleFile> {
    parse_from(text, 0)
}

/// Parse the part of `text` from byte `start` on as a rule file (spans are offsets into
/// the whole `text`), or `None` to leave it to the pest parser.
pub(super) fn parse_from(text: &str, start: usize) -> Option<RuleFile> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: start,
        depth: 0,
        bad: false,
        operands: Vec::new(),
    };
    let file = parser.file();
    if parser.bad { None } else { file }
}

/// The expression written exactly at `span` of `text`, or `None` when it is not one.
pub(super) fn expr_at(text: &str, span: Span) -> Option<Expr> {
    at(text, span, |p| p.expr().map(|e| e.node))
}

/// The condition of the `when` clause written exactly at `span` of `text`, or `None`.
pub(super) fn condition_at(text: &str, span: Span) -> Option<Condition> {
    at(text, span, |p| {
        p.keyword(b"when")
            .then(|| p.next(Parser::cond_or))
            .flatten()
            .map(|c| c.node)
    })
}

/// What `item` reads from the start of `span`, when it ends exactly at the span's end.
fn at<T>(text: &str, span: Span, item: impl FnOnce(&mut Parser<'_>) -> Option<T>) -> Option<T> {
    let text = text.get(..span.end)?;
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: span.start,
        depth: 0,
        bad: false,
        operands: Vec::new(),
    };
    let node = item(&mut parser)?;
    (!parser.bad && parser.pos == span.end).then_some(node)
}

struct Parser<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    /// Parentheses open around the position: past [`MAX_NESTING`], the builder refuses
    /// the file, and this bounds the recursion.
    depth: usize,
    /// A value the builder would refuse was seen: decline, whatever the parse.
    bad: bool,
    /// Operators and operands of the chains being read, innermost last: each chain's
    /// list is then allocated once, at its exact length.
    operands: Vec<(Spanned<BinOp>, Spanned<Expr>)>,
}

/// `ASCII_ALPHANUMERIC | "_" | "-"`: what may continue an identifier or keyword.
fn ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// `ASCII_ALPHANUMERIC | "_"`: what may not follow a number.
fn word_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl<'t> Parser<'t> {
    // ----- tokens -------------------------------------------------------------------

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    fn slice(&self, start: usize) -> &'t str {
        self.text.get(start..self.pos).unwrap_or("")
    }

    fn span(&self, start: usize) -> Span {
        Span::new(start, self.pos)
    }

    /// `(WHITESPACE | COMMENT)*`
    fn skip(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => self.pos += 1,
                b'#' => {
                    let rest = self.bytes.get(self.pos..).unwrap_or(&[]);
                    self.pos += memchr::memchr(b'\n', rest).unwrap_or(rest.len());
                }
                _ => break,
            }
        }
    }

    /// A literal string of bytes.
    fn eat(&mut self, literal: &[u8]) -> bool {
        let matches = self
            .bytes
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(literal));
        if matches {
            self.pos += literal.len();
        }
        matches
    }

    /// `"word" ~ !ident_char`
    fn keyword(&mut self, word: &[u8]) -> bool {
        let end = self.pos + word.len();
        let matches = self.bytes.get(self.pos..end) == Some(word)
            && !self.bytes.get(end).copied().is_some_and(ident_char);
        if matches {
            self.pos = end;
        }
        matches
    }

    /// `ASCII_DIGIT+`
    fn digits(&mut self) -> bool {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        self.pos > start
    }

    /// `("." ~ ASCII_DIGIT+)?`
    fn fraction(&mut self) {
        if self.peek() == Some(b'.') && self.peek_at(1).is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
            self.digits();
        }
    }

    fn followed_by(&self, not: impl Fn(u8) -> bool) -> bool {
        self.peek().is_some_and(not)
    }

    /// `ident = ASCII_ALPHA ~ ident_char*`
    fn ident(&mut self) -> bool {
        if !self.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
            return false;
        }
        while self.peek().is_some_and(ident_char) {
            self.pos += 1;
        }
        true
    }

    /// `rule_id = ident ~ ("." ~ ident)*`
    fn rule_id(&mut self) -> Option<Spanned<String>> {
        let start = self.pos;
        if !self.ident() {
            return None;
        }
        loop {
            let save = self.pos;
            if !(self.eat(b".") && self.ident()) {
                self.pos = save;
                break;
            }
        }
        Some(Spanned::new(self.slice(start).to_owned(), self.span(start)))
    }

    /// `string = "\"" ~ string_text ~ "\""`, unescaped.
    fn string(&mut self) -> Option<Spanned<String>> {
        let start = self.pos;
        if !self.eat(b"\"") {
            return None;
        }
        let mut escaped = false;
        loop {
            match self.peek()? {
                b'"' => break,
                b'\n' => return None,
                b'\\' => match self.peek_at(1)? {
                    b'"' | b'\\' => {
                        escaped = true;
                        self.pos += 2;
                    }
                    _ => return None,
                },
                _ => self.pos += 1,
            }
        }
        let inner = self.text.get(start + 1..self.pos)?;
        self.pos += 1;
        let text = if escaped {
            unescape(inner)
        } else {
            inner.to_owned()
        };
        Some(Spanned::new(text, self.span(start)))
    }

    /// `line_code = ASCII_DIGIT+ ~ !(word_char | "." | "%")`
    fn line_code(&mut self) -> Option<Spanned<LineCode>> {
        let start = self.pos;
        if !self.digits() || self.followed_by(|b| word_char(b) || b == b'.' || b == b'%') {
            self.pos = start;
            return None;
        }
        match self.slice(start).parse::<LineCode>() {
            Ok(code) => Some(Spanned::new(code, self.span(start))),
            Err(_) => self.refuse(),
        }
    }

    /// `money = "$" ~ ASCII_DIGIT+ ~ ("," ~ ASCII_DIGIT+)* ~ ("." ~ ASCII_DIGIT+)? ~ !word_char`
    fn money(&mut self) -> Option<Spanned<Decimal>> {
        let start = self.pos;
        if !(self.eat(b"$") && self.digits()) {
            self.pos = start;
            return None;
        }
        while self.peek() == Some(b',') && self.peek_at(1).is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
            self.digits();
        }
        self.fraction();
        if self.followed_by(word_char) {
            self.pos = start;
            return None;
        }
        let value = self.number(self.slice(start).trim_start_matches('$'))?;
        Some(Spanned::new(value, self.span(start)))
    }

    /// `percent = ASCII_DIGIT+ ~ ("." ~ ASCII_DIGIT+)? ~ "%"`, as the ratio.
    fn percent(&mut self) -> Option<Spanned<Decimal>> {
        let start = self.pos;
        if !self.digits() {
            return None;
        }
        self.fraction();
        if !self.eat(b"%") {
            self.pos = start;
            return None;
        }
        let percent = self.number(self.slice(start).trim_end_matches('%'))?;
        let mut ratio = percent;
        if ratio.set_scale(percent.scale() + 2).is_err() {
            return self.refuse();
        }
        Some(Spanned::new(ratio, self.span(start)))
    }

    /// `ratio = ASCII_DIGIT+ ~ "." ~ ASCII_DIGIT+ ~ !word_char`
    fn ratio(&mut self) -> Option<Spanned<Decimal>> {
        let start = self.pos;
        let shape = self.digits() && self.eat(b".") && self.digits();
        if !shape || self.followed_by(word_char) {
            self.pos = start;
            return None;
        }
        let value = self.number(self.slice(start))?;
        Some(Spanned::new(value, self.span(start)))
    }

    /// `date = ASCII_DIGIT{4} ~ "-" ~ ASCII_DIGIT{2} ~ "-" ~ ASCII_DIGIT{2} ~ !(word_char | "." | "%" | "-")`
    fn date(&mut self) -> Option<Spanned<Date>> {
        let start = self.pos;
        let shape = self.bytes.get(start..start + 10)?;
        let fits = shape.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
        let next = self.bytes.get(start + 10).copied();
        if !fits || next.is_some_and(|b| word_char(b) || b == b'.' || b == b'%' || b == b'-') {
            return None;
        }
        self.pos = start + 10;
        match self.slice(start).parse::<Date>() {
            Ok(date) => Some(Spanned::new(date, self.span(start))),
            Err(_) => self.refuse(),
        }
    }

    /// The digits of a literal as an exact decimal, as the builder reads them.
    fn number(&mut self, digits: &str) -> Option<Decimal> {
        match amount::parse(digits) {
            Ok(value) => Some(value),
            Err(_) => self.refuse(),
        }
    }

    /// Something the builder would report: give the file to the pest parser.
    fn refuse<T>(&mut self) -> Option<T> {
        self.bad = true;
        None
    }

    /// Run `item`; on `None`, put the position back.
    fn attempt<T>(&mut self, item: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        let save = self.pos;
        let result = item(self);
        if result.is_none() {
            self.pos = save;
        }
        result
    }

    /// Run `item` one parenthesis deeper.
    fn nested<T>(&mut self, item: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        if self.depth >= MAX_NESTING {
            return self.refuse();
        }
        self.depth += 1;
        let result = item(self);
        self.depth -= 1;
        result
    }

    /// Skip, then run `item`; on `None`, put the position back before the skip.
    fn next<T>(&mut self, item: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        self.attempt(|p| {
            p.skip();
            item(p)
        })
    }

    // ----- file, pages, rules ---------------------------------------------------------

    /// `file = SOI ~ effective? ~ (page_def | rule_def)* ~ EOI`
    fn file(&mut self) -> Option<RuleFile> {
        let effective = self.next(Self::effective);
        let mut items = Vec::new();
        loop {
            self.skip();
            match self.peek() {
                None => break,
                Some(b'p') => items.push(Item::Page(self.page()?)),
                Some(b'r') => items.push(Item::Rule(Box::new(self.rule()?))),
                Some(_) => return None,
            }
        }
        Some(RuleFile { effective, items })
    }

    /// `page_def = kw_page ~ rule_id ~ string ~ line_decl*`
    fn page(&mut self) -> Option<Spanned<Page>> {
        let start = self.pos;
        if !self.keyword(b"page") {
            return None;
        }
        let id = self.next(Self::rule_id)?;
        let title = self.next(Self::string)?;
        let mut lines = Vec::new();
        while let Some(line) = self.next(Self::line_decl) {
            lines.push(line);
        }
        Some(Spanned::new(Page { id, title, lines }, self.span(start)))
    }

    /// `line_decl = line_code ~ string ~ deduction?`
    fn line_decl(&mut self) -> Option<Spanned<LineDecl>> {
        let start = self.pos;
        let code = self.line_code()?;
        let label = self.next(Self::string)?;
        let deduction = self
            .next(|p| p.keyword(b"deduction").then_some(()))
            .is_some();
        let decl = LineDecl {
            code,
            label,
            deduction,
        };
        Some(Spanned::new(decl, self.span(start)))
    }

    /// `rule_def = kw_rule ~ rule_id ~ description? ~ clause* ~ (assertion ~ clause*)?`
    fn rule(&mut self) -> Option<Spanned<Rule>> {
        let start = self.pos;
        if !self.keyword(b"rule") {
            return None;
        }
        let id = self.next(Self::rule_id)?;
        let mut clauses = Clauses {
            description: self.next(Self::string),
            ..Clauses::default()
        };
        self.clauses(&mut clauses);
        if let Some(assertion) = self.next(Self::comparison) {
            clauses.assertion = Some(assertion);
            self.clauses(&mut clauses);
        }
        match clauses.into_rule(id) {
            Ok(rule) => Some(Spanned::new(rule, self.span(start))),
            Err(_) => self.refuse(),
        }
    }

    /// `clause*`, each stored in its slot; a second of a kind is refused.
    fn clauses(&mut self, clauses: &mut Clauses) {
        while self.next(|p| p.clause(clauses)).is_some() {}
    }

    /// `clause = cite | severity | effective | condition | tolerance | example`: each
    /// starts with its own keyword.
    fn clause(&mut self, clauses: &mut Clauses) -> Option<()> {
        let start = self.pos;
        if self.keyword(b"cite") {
            let text = self.next(Self::string)?.node;
            return self.once(&mut clauses.citation, text, start);
        }
        if self.keyword(b"severity") {
            let level = self.next(Self::severity_level)?;
            return self.once(&mut clauses.severity, level, start);
        }
        if self.peek() == Some(b'e') {
            let effective = self.effective()?.node;
            return self.once(&mut clauses.effective, effective, start);
        }
        if self.keyword(b"when") {
            let condition = self.next(Self::cond_or)?.node;
            return self.once(&mut clauses.condition, condition, start);
        }
        if self.keyword(b"within") {
            let tolerance = self.next(Self::tolerance)?;
            return self.once(&mut clauses.tolerance, tolerance, start);
        }
        let example = self.example()?;
        clauses.examples.push(example);
        Some(())
    }

    /// Store a clause that may appear once.
    fn once<T>(&mut self, slot: &mut Option<Spanned<T>>, value: T, start: usize) -> Option<()> {
        if slot.is_some() {
            return self.refuse();
        }
        *slot = Some(Spanned::new(value, self.span(start)));
        Some(())
    }

    /// `severity_level = ("error" | "warning" | "info") ~ !ident_char`
    fn severity_level(&mut self) -> Option<Severity> {
        [
            (&b"error"[..], Severity::Error),
            (b"warning", Severity::Warning),
            (b"info", Severity::Info),
        ]
        .into_iter()
        .find_map(|(word, level)| self.keyword(word).then_some(level))
    }

    /// `tolerance = kw_within ~ (money | percent)`, after the keyword.
    fn tolerance(&mut self) -> Option<Tolerance> {
        if self.peek() == Some(b'$') {
            return self.money().map(|m| Tolerance::Absolute(m.node));
        }
        self.percent().map(|p| Tolerance::Relative(p.node))
    }

    /// `effective = kw_effective ~ (kw_from ~ date ~ (kw_until ~ date)? | kw_until ~ date)`
    fn effective(&mut self) -> Option<Spanned<Effective>> {
        let start = self.pos;
        if !self.keyword(b"effective") {
            return None;
        }
        let mut effective = Effective::default();
        if self.next(|p| p.keyword(b"from").then_some(())).is_some() {
            effective.from = Some(self.next(Self::date)?);
            effective.until = self.next(|p| {
                if !p.keyword(b"until") {
                    return None;
                }
                p.next(Self::date)
            });
        } else if self.next(|p| p.keyword(b"until").then_some(())).is_some() {
            effective.until = Some(self.next(Self::date)?);
        } else {
            return None;
        }
        Some(Spanned::new(effective, self.span(start)))
    }

    /// `example = expectation ~ example_line ~ ("," ~ example_line)*`
    fn example(&mut self) -> Option<Spanned<Example>> {
        let start = self.pos;
        let expect = [
            (&b"passes"[..], Expectation::Passes),
            (b"fails", Expectation::Fails),
            (b"skips", Expectation::Skips),
        ]
        .into_iter()
        .find_map(|(word, expect)| self.keyword(word).then_some(expect))?;
        let mut lines = vec![self.next(Self::example_line)?];
        while let Some(line) = self.next(|p| {
            if !p.eat(b",") {
                return None;
            }
            p.next(Self::example_line)
        }) {
            lines.push(line);
        }
        Some(Spanned::new(Example { expect, lines }, self.span(start)))
    }

    /// `example_line = line_code ~ "=" ~ example_amount`, with
    /// `example_amount = "-"? ~ ASCII_DIGIT+ ~ ("." ~ ASCII_DIGIT+)? ~ !(word_char | ".")`
    fn example_line(&mut self) -> Option<(Spanned<LineCode>, Spanned<Decimal>)> {
        let code = self.line_code()?;
        self.next(|p| p.eat(b"=").then_some(()))?;
        let amount = self.next(|p| {
            let start = p.pos;
            p.eat(b"-");
            if !p.digits() {
                return None;
            }
            p.fraction();
            if p.followed_by(|b| word_char(b) || b == b'.') {
                return None;
            }
            let value = p.number(p.slice(start))?;
            Some(Spanned::new(value, p.span(start)))
        })?;
        Some((code, amount))
    }

    // ----- conditions -----------------------------------------------------------------

    /// `cond_or = cond_and ~ (kw_or ~ cond_and)*`
    fn cond_or(&mut self) -> Option<Spanned<Condition>> {
        self.junction(b"or", Self::cond_and, Condition::Any)
    }

    /// `cond_and = cond_not ~ (kw_and ~ cond_not)*`
    fn cond_and(&mut self) -> Option<Spanned<Condition>> {
        self.junction(b"and", Self::cond_not, Condition::All)
    }

    /// Operands joined by one keyword; one operand stands for itself.
    fn junction(
        &mut self,
        separator: &[u8],
        operand: fn(&mut Self) -> Option<Spanned<Condition>>,
        make: fn(Vec<Spanned<Condition>>) -> Condition,
    ) -> Option<Spanned<Condition>> {
        let start = self.pos;
        let mut parts = vec![operand(self)?];
        while let Some(part) = self.next(|p| {
            if !p.keyword(separator) {
                return None;
            }
            p.next(operand)
        }) {
            parts.push(part);
        }
        let span = self.span(start);
        if parts.len() == 1 {
            return parts.pop().map(|only| Spanned::new(only.node, span));
        }
        Some(Spanned::new(make(parts), span))
    }

    /// `cond_not = negation? ~ cond_atom`
    fn cond_not(&mut self) -> Option<Spanned<Condition>> {
        let start = self.pos;
        let negated = self.keyword(b"not");
        let atom = if negated {
            self.next(Self::cond_atom)?
        } else {
            self.cond_atom()?
        };
        let span = self.span(start);
        Some(if negated {
            Spanned::new(Condition::Not(Box::new(atom)), span)
        } else {
            Spanned::new(atom.node, span)
        })
    }

    /// `cond_atom = "(" ~ cond_or ~ ")" | blank_test | comparison`
    fn cond_atom(&mut self) -> Option<Spanned<Condition>> {
        let parenthesised = self.attempt(|p| {
            if !p.eat(b"(") {
                return None;
            }
            let inner = p.nested(|p| p.next(Self::cond_or))?;
            p.next(|p| p.eat(b")").then_some(()))?;
            Some(inner)
        });
        if parenthesised.is_some() {
            return parenthesised;
        }
        if let Some(blank) = self.attempt(Self::blank_test) {
            return Some(blank);
        }
        let start = self.pos;
        let comparison = self.comparison()?;
        Some(Spanned::new(
            Condition::Compare(Box::new(comparison.node)),
            self.span(start),
        ))
    }

    /// `blank_test = line_code ~ kw_is ~ negation? ~ kw_blank`
    fn blank_test(&mut self) -> Option<Spanned<Condition>> {
        let start = self.pos;
        let line = self.line_code()?;
        self.next(|p| p.keyword(b"is").then_some(()))?;
        let negated = self.next(|p| p.keyword(b"not").then_some(())).is_some();
        self.next(|p| p.keyword(b"blank").then_some(()))?;
        let blank = !negated;
        Some(Spanned::new(
            Condition::Blank { line, blank },
            self.span(start),
        ))
    }

    /// `comparison = expr ~ cmp_op ~ expr` (and `assertion`, the same shape).
    fn comparison(&mut self) -> Option<Spanned<Assertion>> {
        let start = self.pos;
        let left = self.expr()?;
        let op = self.next(Self::cmp_op)?;
        let right = self.next(Self::expr)?;
        let assertion = Assertion { left, op, right };
        Some(Spanned::new(assertion, self.span(start)))
    }

    /// `cmp_op = "<=" | ">=" | "!=" | "==" | "=" | "<" | ">"`; `==` is refused.
    fn cmp_op(&mut self) -> Option<Spanned<CmpOp>> {
        let start = self.pos;
        let op = match (self.peek()?, self.peek_at(1)) {
            (b'<', Some(b'=')) => CmpOp::Le,
            (b'>', Some(b'=')) => CmpOp::Ge,
            (b'!', Some(b'=')) => CmpOp::Ne,
            (b'=', Some(b'=')) => return self.refuse(),
            (b'=', _) => CmpOp::Eq,
            (b'<', _) => CmpOp::Lt,
            (b'>', _) => CmpOp::Gt,
            _ => return None,
        };
        self.pos += op.as_str().len();
        Some(Spanned::new(op, self.span(start)))
    }

    // ----- expressions ----------------------------------------------------------------
    //
    // A node's span is not always its grammar rule's extent: `(a + b)` as an operand is
    // the node `a + b`, spanned without the parentheses, as the builder spans it.

    /// `expr = term ~ (add_op ~ term)*`
    fn expr(&mut self) -> Option<Spanned<Expr>> {
        self.chain(Self::term, |b| match b {
            b'+' => Some(BinOp::Add),
            b'-' => Some(BinOp::Sub),
            _ => None,
        })
    }

    /// `term = factor ~ (mul_op ~ factor)*`
    fn term(&mut self) -> Option<Spanned<Expr>> {
        self.chain(Self::factor, |b| match b {
            b'*' => Some(BinOp::Mul),
            b'/' => Some(BinOp::Div),
            _ => None,
        })
    }

    /// Operands of one precedence level: one flat node, or the only operand itself.
    fn chain(
        &mut self,
        operand: fn(&mut Self) -> Option<Spanned<Expr>>,
        operator: fn(u8) -> Option<BinOp>,
    ) -> Option<Spanned<Expr>> {
        let start = self.pos;
        let first = operand(self)?;
        // An operand's own chains push and take their pairs above `base` before this
        // chain pushes its next pair.
        let base = self.operands.len();
        while let Some(pair) = self.next(|p| {
            let op_start = p.pos;
            let op = operator(p.peek()?)?;
            p.pos += 1;
            let op = Spanned::new(op, p.span(op_start));
            let value = p.next(operand)?;
            Some((op, value))
        }) {
            self.operands.push(pair);
        }
        let span = self.span(start);
        if self.operands.len() == base {
            return Some(first);
        }
        let rest: Vec<_> = self.operands.drain(base..).collect();
        let first = Box::new(first);
        Some(Spanned::new(Expr::Chain { first, rest }, span))
    }

    /// `factor = neg? ~ primary`
    fn factor(&mut self) -> Option<Spanned<Expr>> {
        let start = self.pos;
        if self.eat(b"-") {
            let operand = self.next(Self::primary)?;
            let span = self.span(start);
            return Some(Spanned::new(Expr::Neg(Box::new(operand)), span));
        }
        let operand = self.primary()?;
        Some(operand)
    }

    /// `primary = line_code | money | percent | ratio | call | "(" ~ expr ~ ")"`: the
    /// alternatives start with different characters, except the three numbers.
    fn primary(&mut self) -> Option<Spanned<Expr>> {
        match self.peek()? {
            b'0'..=b'9' => {
                if let Some(code) = self.line_code() {
                    return Some(code.map(Expr::Line));
                }
                if let Some(percent) = self.percent() {
                    return Some(percent.map(Expr::Percent));
                }
                self.ratio().map(|ratio| ratio.map(Expr::Ratio))
            }
            b'$' => self.money().map(|money| money.map(Expr::Money)),
            b'(' => self.attempt(|p| {
                p.pos += 1;
                let inner = p.nested(|p| p.next(Self::expr))?;
                p.next(|p| p.eat(b")").then_some(()))?;
                Some(inner)
            }),
            _ => self.attempt(Self::call),
        }
    }

    /// `call = !keyword ~ ident ~ "(" ~ (expr ~ ("," ~ expr)*)? ~ ")"`
    fn call(&mut self) -> Option<Spanned<Expr>> {
        let start = self.pos;
        if !self.ident() {
            return None;
        }
        let name = self.slice(start);
        if KEYWORDS.contains(&name.as_bytes()) {
            return None;
        }
        let name = Spanned::new(name.to_owned(), self.span(start));
        self.next(|p| p.eat(b"(").then_some(()))?;
        let args = self.nested(Self::args)?;
        self.next(|p| p.eat(b")").then_some(()))?;
        Some(Spanned::new(Expr::Call { name, args }, self.span(start)))
    }

    /// `(expr ~ ("," ~ expr)*)?`
    fn args(&mut self) -> Option<Vec<Spanned<Expr>>> {
        let mut args = Vec::new();
        if let Some(first) = self.next(Self::expr) {
            args.push(first);
            while let Some(arg) = self.next(|p| {
                if !p.eat(b",") {
                    return None;
                }
                p.next(Self::expr)
            }) {
                args.push(arg);
            }
        }
        Some(args)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use proptest::prelude::*;

    use super::super::with_pest;
    use crate::source::Source;

    /// Both parsers on one text: when the fast one accepts, pest must give the same tree,
    /// spans included (`Debug` shows them; `==` ignores them). Returns whether the fast
    /// parser accepted.
    fn agree(text: &str) -> Result<bool, String> {
        let reference = with_pest(&Source::new("t.xfoot", text));
        let fast = super::parse(text);
        match (fast, reference) {
            (Some(fast), Ok(reference)) => {
                let (fast, reference) = (format!("{fast:#?}"), format!("{reference:#?}"));
                if fast == reference {
                    Ok(true)
                } else {
                    Err(format!(
                        "trees differ on {text:?}:\n{fast}\n---\n{reference}"
                    ))
                }
            }
            (Some(_), Err(errors)) => Err(format!(
                "fast accepted what pest refuses: {text:?}: {errors:?}"
            )),
            (None, Ok(_)) => Err(format!("fast declined what pest accepts: {text:?}")),
            (None, Err(_)) => Ok(false),
        }
    }

    fn xfoot_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                xfoot_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "xfoot") {
                out.push(path);
            }
        }
    }

    #[test]
    fn agrees_with_pest_on_every_rule_file_in_the_repository() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        // The fuzz corpus too, where it has been seeded (it is not committed).
        for dir in ["rules", "tests", "fuzz/corpus/rules"] {
            if root.join(dir).is_dir() {
                xfoot_files(&root.join(dir), &mut files);
            }
        }
        assert!(files.len() > 40, "found only {} rule files", files.len());
        let mut accepted = 0;
        for path in &files {
            // Hostile fixtures include bytes that are not UTF-8: never a rule file.
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            if agree(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display())) {
                accepted += 1;
            }
        }
        // The shipped pack and most fixtures are well formed; the rest are diagnostics.
        assert!(
            accepted > 20,
            "the fast parser accepted only {accepted} files"
        );
    }

    #[test]
    fn agrees_with_pest_on_tricky_texts() {
        for text in [
            "",
            "  # only a comment",
            "effective from 2020-01-01\nrule a 1 = 2",
            "effective until 2020-01-01 rule a 1 = 2",
            "effective from 2020-01-01 until 2021-01-01 rule a 1 = 2 effective from 2020-02-01",
            "rule a 1 = 2 effective from 2020-02-30",
            "rule a 1 = 2 effective from 2020-01-01 until",
            "rule a 1 = 2 effective from 2020-01-01 until 2020-01-01x",
            "rule a \"x \\\"y\\\" \\\\\" cite \"c\" severity warning 7010 = 7020",
            "rule a \"bad \\n escape\" 1 = 2",
            "rule a \"unterminated\n\" 1 = 2",
            "rule a 1 = 2 cite \"x\" cite \"y\"",
            "rule a cite \"x\"",
            "rule a 1 == 2",
            "rule a 1 = 2 3 = 4",
            "rule a 7010 = $1,000,000.50 + 8% * 1.10 - 0.5%",
            "rule a 7010 = $1,00",
            "rule a 7010 = $1,000,",
            "rule a 7010 = max($1,000, 7020)",
            "rule a 7010 = max($1,7020)",
            "rule a 7010 = 1.5.3",
            "rule a 7010 = 7020a",
            "rule a 7010 = 7020_",
            "rule a 7010 = 70.",
            "rule a 7010=7020-7030+-7040*-(7050/7060)",
            "rule a 7010 = - 7020",
            "rule a 7010 = --7020",
            "rule a 7010 = 7020 -",
            "rule a 7010 = max ( 7020 , 7030 ) + round(7040, 2) + f()",
            "rule a 7010 = is(7020)",
            "rule a 7010 = isx(7020) + when-x(1)",
            "rule a 7010 = 7020 when 7030 is blank",
            "rule a 7010 = 7020 when 7030 is not blank and not 7040 > 0 or (7050 < 1 or 7060 is blank)",
            "rule a 7010 = 7020 when (7030 + 7040) > 0",
            "rule a 7010 = 7020 when ((7030 + 7040) > 0 and (7050))",
            "rule a 7010 = 7020 when not (7030 > 0)",
            "rule a 7010 = 7020 when 7030 > 0 or",
            "rule a 7010 = 7020 when 7030 is",
            "rule a when 7455 >= 7465 -7190 = 0",
            "rule a 7010 = 7020 within $1 within 1%",
            "rule a 7010 = 7020 within 0.01%",
            "rule a 7010 = 7020 within .5%",
            "rule a 7010 = 7020 within 5%a(7010) = 3",
            "rule a 7010 = 7020 passes 7010 = 1, 7020 = -2.5 fails 7010 = 1 skips 7030 = 0",
            "rule a 7010 = 7020 passes 7010 = 1,",
            "rule a 7010 = 7020 passes 7010 = 1.5.",
            "rule a 7010 = 7020 passes 7010 == 1",
            "page p \"P\" 7010 \"a\" deduction 7020 \"b\" rule a 7010 = 7020",
            "page p \"P\" 7010 \"a\" deductions",
            "page p.q-r_s \"P\"",
            "pages p \"P\"",
            "rule a.b. 1 = 2",
            "rule a.b.c-d_e 1 = 2 # trailing\n\n",
            "rule a 1 = 2\rrule b 3 = 4\t",
            "rule a 1234567890123456789 = 2",
            "rule a 1 = $99999999999999999999999999999999",
            "rule a 1 = 99999999999999999999999999999.5%",
            "rule a 1 = 2 passes 1 = 1, 1 = 2",
            "rule a 1 = 2 severity fatal",
            "rule a 1 = 2 severity warning2",
            "rule a 1 = 2 whenx 3 > 4",
            "rule  é 1 = 2",
            "rule a \"é ü\" 1 = 2 # ü",
            "rule a 1 = (2",
            "rule a 1 = 2)",
            "rule a 1 <> 2",
            "rule a 1 ! 2",
            // Tokens run together: every lookahead of the grammar decides.
            "rule a 1 = 1.5rule b 1 = 2",
            "rule a 1 = $5rule b 1 = 2",
            "rule a 1 = 7020rule b 1 = 2",
            "rule a 1 = 5%rule b 1 = 2",
            "rule a 1 = 2 passes 1 = 5rule b 1 = 2",
            "rule a 1 = 2 effective from 2020-01-01rule b 1 = 2",
            "rule a 1 = 2 effective from 2020-01-01-rule b 1 = 2",
            "rule a 1 = 2 severity inforule b 1 = 2",
            "rule a 1 = 2 severity info-rule b 1 = 2",
            "rule a\"x\"cite\"y\"1=2when(1>2)within$1",
            "page p\"P\"7010\"a\"deduction rule a 1 = 2",
            "page p\"P\"7010\"a\"deductionrule a 1 = 2",
            "rule a 1 = 2 whennot 1 > 2",
            "rule a 1 = 2 when not(1 > 2)",
            "rule a 1 = 2 when not 7010 is blank and not 1 > 2 or not (3 < 4)",
            "rule a 1 = 2 when 1 is not blank",
            "rule a 1 = 2 when 1 isnot blank",
            "rule a 1 = 2 when 1 > 2 andor 3 > 4",
            "rule a 1 = max(1)(2)",
            "rule a 1 = rule(2)",
            "rule a 1 = rules(2)",
        ] {
            agree(text).unwrap();
        }
    }

    /// Separators between tokens: white space and comments of every kind.
    fn gap() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            " ",
            " ",
            "  ",
            "\n  ",
            "\t",
            "\r\n",
            " # note\n",
            "\n# c\n\n",
        ])
    }

    fn expr() -> impl Strategy<Value = Vec<String>> {
        let leaf = prop_oneof![
            4 => (1u32..10_000).prop_map(|c| vec![c.to_string()]),
            1 => (0u64..5_000_000).prop_map(|v| vec![format!("${v}")]),
            1 => Just(vec!["$1,000,000.50".to_owned()]),
            1 => (1u32..200).prop_map(|p| vec![format!("{p}%")]),
            1 => Just(vec!["0.01%".to_owned()]),
            1 => (1u32..300).prop_map(|r| vec![format!("{}.{:02}", r / 100, r % 100)]),
        ];
        leaf.prop_recursive(4, 32, 4, |inner| {
            let op = prop::sample::select(vec!["+", "-", "*", "/"]);
            prop_oneof![
                (inner.clone(), op, inner.clone()).prop_map(|(mut a, op, b)| {
                    a.push(op.to_owned());
                    a.extend(b);
                    a
                }),
                inner.clone().prop_map(|a| {
                    let mut v = vec!["(".to_owned()];
                    v.extend(a);
                    v.push(")".to_owned());
                    v
                }),
                inner.clone().prop_map(|a| {
                    // At most one sign: `-(-x)`, never `- -x`.
                    let mut v = vec!["-".to_owned()];
                    if a.first().is_some_and(|t| t == "-") {
                        v.push("(".to_owned());
                        v.extend(a);
                        v.push(")".to_owned());
                    } else {
                        v.extend(a);
                    }
                    v
                }),
                (
                    prop::sample::select(vec!["max", "min", "sum", "round", "abs"]),
                    proptest::collection::vec(inner, 0..3)
                )
                    .prop_map(|(name, args)| {
                        let mut v = vec![name.to_owned(), "(".to_owned()];
                        for (i, arg) in args.into_iter().enumerate() {
                            if i > 0 {
                                v.push(",".to_owned());
                            }
                            v.extend(arg);
                        }
                        v.push(")".to_owned());
                        v
                    }),
            ]
        })
    }

    fn condition() -> impl Strategy<Value = Vec<String>> {
        let op = prop::sample::select(vec!["=", "!=", "<", "<=", ">", ">="]);
        let leaf = prop_oneof![
            (expr(), op, expr()).prop_map(|(mut a, op, b)| {
                a.push(op.to_owned());
                a.extend(b);
                a
            }),
            ((7000u32..7100), any::<bool>()).prop_map(|(c, not)| {
                let mut v = vec![c.to_string(), "is".to_owned()];
                if not {
                    v.push("not".to_owned());
                }
                v.push("blank".to_owned());
                v
            }),
        ];
        leaf.prop_recursive(3, 12, 3, |inner| {
            prop_oneof![
                (
                    inner.clone(),
                    prop::sample::select(vec!["and", "or"]),
                    inner.clone()
                )
                    .prop_map(|(mut a, j, b)| {
                        a.push(j.to_owned());
                        a.extend(b);
                        a
                    }),
                (inner.clone(), any::<bool>()).prop_map(|(a, bare)| {
                    // `not x` negates one atom; `not not x` is not in the grammar.
                    let mut v = vec!["not".to_owned()];
                    if bare && a.first().is_some_and(|t| t != "not") {
                        v.extend(a);
                    } else {
                        v.push("(".to_owned());
                        v.extend(a);
                        v.push(")".to_owned());
                    }
                    v
                }),
                inner.prop_map(|a| {
                    let mut v = vec!["(".to_owned()];
                    v.extend(a);
                    v.push(")".to_owned());
                    v
                }),
            ]
        })
    }

    fn rule() -> impl Strategy<Value = Vec<String>> {
        let clauses = (
            proptest::option::of(Just(vec![
                "cite".to_owned(),
                "\"17 CFR 1.17(c)\"".to_owned(),
            ])),
            proptest::option::of(prop::sample::select(vec!["error", "warning", "info"])),
            proptest::option::of(Just(vec![
                "effective".to_owned(),
                "from".to_owned(),
                "2020-01-01".to_owned(),
                "until".to_owned(),
                "2024-07-01".to_owned(),
            ])),
            proptest::option::of(condition()),
            proptest::option::of(prop::sample::select(vec!["$1", "0.01%", "$1,000"])),
            proptest::option::of(Just(vec![
                "passes".to_owned(),
                "7010".to_owned(),
                "=".to_owned(),
                "-1.5".to_owned(),
                ",".to_owned(),
                "7020".to_owned(),
                "=".to_owned(),
                "3".to_owned(),
            ])),
        );
        (
            0u32..1000,
            any::<bool>(),
            expr(),
            prop::sample::select(vec!["=", "!=", "<", "<=", ">", ">="]),
            expr(),
            clauses,
            0usize..7,
        )
            .prop_map(|(n, described, left, op, right, clauses, at)| {
                let (cite, severity, effective, condition, tolerance, example) = clauses;
                let mut parts: Vec<Vec<String>> = Vec::new();
                parts.extend(cite);
                parts.extend(severity.map(|s| vec!["severity".to_owned(), s.to_owned()]));
                parts.extend(effective);
                parts.extend(condition.map(|c| {
                    let mut v = vec!["when".to_owned()];
                    v.extend(c);
                    v
                }));
                parts.extend(tolerance.map(|t| vec!["within".to_owned(), t.to_owned()]));
                parts.extend(example);
                let mut assertion = left;
                assertion.push(op.to_owned());
                assertion.extend(right);
                // A `when` right before an assertion that starts with `-` reads as one
                // condition: put the assertion first then, as `fmt` does.
                let at = if assertion.first().is_some_and(|t| t == "-") {
                    0
                } else {
                    at.min(parts.len())
                };
                parts.insert(at, assertion);
                let mut tokens = vec!["rule".to_owned(), format!("r.n{n}")];
                if described {
                    tokens.push(format!("\"rule {n}\""));
                }
                tokens.extend(parts.into_iter().flatten());
                tokens
            })
    }

    fn file() -> impl Strategy<Value = String> {
        let page = Just(
            [
                "page",
                "seg",
                "\"Segregation\"",
                "7010",
                "\"1.A cash\"",
                "7033",
                "\"3.B options\"",
                "deduction",
            ]
            .map(str::to_owned)
            .to_vec(),
        );
        (
            any::<bool>(),
            proptest::option::of(page),
            proptest::collection::vec(rule(), 1..5),
            proptest::collection::vec(gap(), 256),
        )
            .prop_map(|(dated, page, rules, gaps)| {
                let mut tokens = Vec::new();
                if dated {
                    tokens.extend(["effective", "until", "2030-01-01"].map(str::to_owned));
                }
                tokens.extend(page.into_iter().flatten());
                tokens.extend(rules.into_iter().flatten());
                let mut text = String::new();
                for (i, token) in tokens.iter().enumerate() {
                    text.push_str(gaps.get(i % gaps.len()).copied().unwrap_or(" "));
                    text.push_str(token);
                }
                text
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn accepts_what_the_grammar_generates_exactly_as_pest_does(text in file()) {
            prop_assert_eq!(agree(&text), Ok(true));
        }

        #[test]
        fn never_accepts_differently_from_pest_after_an_edit(
            text in file(),
            at in any::<prop::sample::Index>(),
            len in 0usize..4,
            insert in prop::sample::select(vec!["", "(", ")", "-", ",", "=", "==", "%", ".", "$", "a", "not ", "is", "#", "\"", "\n", "7", "rule ", "when "]),
        ) {
            let start = at.index(text.len() + 1);
            let start = (0..=start).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
            let end = (start + len..=text.len()).find(|&i| text.is_char_boundary(i)).unwrap_or(text.len());
            let edited = format!("{}{}{}", &text[..start], insert, &text[end..]);
            prop_assert!(agree(&edited).is_ok(), "{}", agree(&edited).unwrap_err());
        }
    }
}
