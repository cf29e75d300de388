//! The checked rule set: what the evaluator runs.
//!
//! Only [`compile`](super::compile) builds these, so the evaluator never sees a rule with an
//! unknown function, a wrong arity or a duplicate id. Line codes are resolved to slots in
//! the rule's own [`CheckedRule::lines`] list, so a report is read once per line per rule.

use std::sync::OnceLock;

use rust_decimal::Decimal;

use super::Catalogue;
use crate::unit::Unit;
use crossfoot_syntax::ast::{BinOp, CmpOp, Expectation, LineKind, Severity, Tolerance};
use crossfoot_syntax::date::{Date, Period};
use crossfoot_syntax::line::{CodeMap, LineCode};
use crossfoot_syntax::number::{RoundMode, Value};
use crossfoot_syntax::source::{Source, Span};

/// Rules that passed every static check, with the files they came from.
///
/// Every line any rule reads, and every line the catalogue declares, has a slot in the
/// set: a report is read once into a row of amounts, one per slot ([`Row`]), and each
/// rule reads its lines from the row. A declared line no rule reads still has its slot, so
/// a row holds the whole form as the report printed it (what the HTML view shows).
///
/// [`Row`]: crate::report::Row
#[derive(Clone, Debug)]
pub struct RuleSet {
    pub(super) sources: Vec<Source>,
    pub(super) rules: Vec<CheckedRule>,
    pub(super) catalogue: Catalogue,
    /// The line in each slot.
    pub(super) codes: Vec<LineCode>,
    /// The slot of each line a rule reads or the catalogue declares.
    pub(super) slots: CodeMap<u32>,
    /// For each slot, the rules that read it (built when first asked for).
    pub(super) readers: OnceLock<Vec<Vec<u32>>>,
    /// Each rule id whose versions and lapses end, with the first day none covers.
    pub(super) ends: Vec<(String, Date)>,
}

impl RuleSet {
    /// Number every line the rules read, in rule order, and give each rule the slots of
    /// its lines; then every declared line no rule reads, in the catalogue's order.
    pub(super) fn new(
        sources: Vec<Source>,
        mut rules: Vec<CheckedRule>,
        catalogue: Catalogue,
    ) -> Self {
        let mut codes = Vec::new();
        let mut slots: CodeMap<u32> = CodeMap::default();
        for rule in &mut rules {
            rule.slots = rule
                .lines
                .iter()
                .map(|code| {
                    *slots.entry(*code).or_insert_with(|| {
                        codes.push(*code);
                        u32::try_from(codes.len() - 1).unwrap_or(u32::MAX)
                    })
                })
                .collect();
            rule.linear = super::linear::Plan::of(rule);
        }
        for page in catalogue.pages() {
            for code in &page.lines {
                slots.entry(*code).or_insert_with(|| {
                    codes.push(*code);
                    u32::try_from(codes.len() - 1).unwrap_or(u32::MAX)
                });
            }
        }
        RuleSet {
            sources,
            rules,
            catalogue,
            codes,
            slots,
            readers: OnceLock::new(),
            ends: Vec::new(),
        }
    }

    /// How many slots a row has: the number of distinct lines the rules read or the
    /// catalogue declares.
    pub fn width(&self) -> usize {
        self.codes.len()
    }

    /// The slot of a line, when some rule reads it or the catalogue declares it.
    pub fn slot(&self, code: LineCode) -> Option<usize> {
        self.slots.get(&code).map(|&slot| slot as usize)
    }

    /// The line in a slot.
    pub fn code(&self, slot: usize) -> Option<LineCode> {
        self.codes.get(slot).copied()
    }

    /// The indices of the rules that read the line in `slot`, in rule order.
    pub fn readers(&self, slot: usize) -> &[u32] {
        let readers = self.readers.get_or_init(|| {
            let mut readers = vec![Vec::new(); self.codes.len()];
            for (index, rule) in self.rules.iter().enumerate() {
                for &slot in &rule.slots {
                    if let Some(list) = readers.get_mut(slot as usize) {
                        if list.last() != Some(&(index as u32)) {
                            list.push(index as u32);
                        }
                    }
                }
            }
            readers
        });
        readers.get(slot).map_or(&[], Vec::as_slice)
    }

    /// Whether some rule reads the previous report (`prior(3750)`).
    pub fn reads_prior(&self) -> bool {
        self.rules.iter().any(|rule| rule.reads_prior)
    }

    /// The slots some rule reads of the previous report (`prior(3750)`), in slot order.
    pub fn prior_slots(&self) -> Vec<usize> {
        let mut found = Vec::new();
        let mut slots = Vec::new();
        for rule in self.rules.iter().filter(|rule| rule.reads_prior) {
            found.clear();
            rule.reads_written(true, &mut found);
            // A node's slot is its place among the rule's lines.
            let global = |(local, _): &(usize, Span)| rule.slots.get(*local).copied();
            slots.extend(found.iter().filter_map(global).map(|slot| slot as usize));
        }
        slots.sort_unstable();
        slots.dedup();
        slots
    }

    /// The line catalogue (empty when no file declares a page).
    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// Whether the set has a catalogue that does not declare `code`: a report line no rule
    /// can read, worth a warning (without a catalogue, codes are free).
    pub fn undeclared(&self, code: LineCode) -> bool {
        !self.catalogue.is_empty() && self.catalogue.line(code).is_none()
    }

    /// A line's label from the catalogue (of the latest edition, when it changes).
    pub fn label(&self, code: LineCode) -> Option<&str> {
        self.catalogue.label(code)
    }

    /// A line's label on a report's date: the edition of the form in force that day.
    pub fn label_on(&self, code: LineCode, date: Option<Date>) -> Option<&str> {
        self.catalogue.label_on(code, date)
    }

    /// Each rule id whose versions and lapses all end, with the first day none of them
    /// covers: a report dated on or after it has no version of the rule in force.
    pub fn ends(&self) -> &[(String, Date)] {
        &self.ends
    }

    /// The rules, in file order then source order.
    pub fn rules(&self) -> &[CheckedRule] {
        &self.rules
    }

    /// The rule id closest to a mistyped one, for "did you mean `seg.excess`?": one whose
    /// last parts are the typed id (`excess`), or else the nearest within a few edits.
    pub fn suggest_id(&self, typed: &str) -> Option<&str> {
        let typed = typed.to_ascii_lowercase();
        let ids = || self.rules.iter().map(|rule| rule.id.as_str());
        let suffix = ids().find(|id| id.ends_with(&format!(".{typed}")));
        let reach = (typed.chars().count() / 4).max(2);
        let near = || {
            ids()
                .map(|id| {
                    (
                        crossfoot_syntax::spelling::edit_distance(&id.to_ascii_lowercase(), &typed),
                        id,
                    )
                })
                .filter(|(distance, _)| *distance <= reach)
                .min_by_key(|(distance, _)| *distance)
                .map(|(_, id)| id)
        };
        suffix.or_else(near)
    }

    /// The file a rule came from.
    pub fn source_of(&self, rule: &CheckedRule) -> Option<&Source> {
        self.sources.get(rule.source)
    }

    /// Every rule file of the set.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }
}

/// One rule, ready to evaluate.
#[derive(Clone, Debug)]
pub struct CheckedRule {
    /// `seg.excess`
    pub(crate) id: String,
    /// Index of its file in [`RuleSet::sources`].
    pub(crate) source: usize,
    /// The whole rule in its file.
    pub(crate) span: Span,
    /// The form's wording.
    pub(crate) description: Option<String>,
    /// The regulation it comes from.
    pub(crate) citation: Option<String>,
    /// How much a failure matters.
    pub(crate) severity: Severity,
    /// When the rule applies; always when absent.
    pub(crate) condition: Option<Cond>,
    /// Where the `when` clause is written.
    pub(crate) condition_span: Option<Span>,
    /// What must hold.
    pub(crate) assertion: Comparison,
    /// Where the assertion is written.
    pub(crate) assertion_span: Span,
    /// How far apart the sides of `=` may be.
    pub(crate) tolerance: Option<(Within, Span)>,
    /// The days it is in force: its file's `effective` period narrowed by its own.
    pub(crate) period: Period,
    /// Each line the rule reads, once, in order of first use (assertion first).
    pub(crate) lines: Vec<LineCode>,
    /// The set's slot of each of [`lines`](Self::lines).
    pub(crate) slots: Vec<u32>,
    /// How many of [`lines`](Self::lines) the assertion uses (the rest only the condition).
    pub(crate) assertion_lines: usize,
    /// What each of [`lines`](Self::lines) holds, as the catalogue declares it: money
    /// (the default), a percentage or a ratio.
    pub(crate) kinds: Vec<LineKind>,
    /// Whether every line the rule reads is money of the report itself (no percentage,
    /// ratio or previous report): each amount is then read as it is printed.
    pub(crate) plain: bool,
    /// The reads of the assertion of lines the catalogue declares `total`, as (slot,
    /// previous report): a blank one is unknown, and skips the rule.
    pub(crate) total_reads: Vec<(usize, bool)>,
    /// Whether the assertion compares money (in the report's unit), not ratios.
    pub(crate) money: bool,
    /// Whether the rule reads the previous report (`prior(3750)`).
    pub(crate) reads_prior: bool,
    /// The examples that prove the rule, in source order.
    pub(crate) examples: Vec<CheckedExample>,
    /// Its assertion and condition in canonical form, printed from the syntax tree.
    pub(crate) texts: Texts,
    /// The evaluator's fast path for a flat sum, when the rule is one: made from the
    /// assertion once the rule's lines have row slots, and made again for every changed
    /// copy ([`CheckedRule::changed`]).
    pub(crate) linear: Option<super::linear::Plan>,
}

/// A rule's parts as the canonical printer writes them, for messages.
#[derive(Clone, Debug)]
pub(crate) struct Texts {
    pub(crate) left: Box<str>,
    pub(crate) right: Box<str>,
    pub(crate) condition: Option<Box<str>>,
}

impl CheckedRule {
    /// Its id: `seg.excess`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Which of the rule set's [`sources`](RuleSet::sources) it was written in.
    pub fn source(&self) -> usize {
        self.source
    }

    /// Whether it reads a previous report's line (`prior(…)`).
    pub fn reads_prior(&self) -> bool {
        self.reads_prior
    }

    /// The whole rule in its source, from `rule` to its last clause.
    pub fn span(&self) -> Span {
        self.span
    }

    /// The condition's text in its source (`when …`), when it has one.
    pub fn condition_span(&self) -> Option<Span> {
        self.condition_span
    }

    /// The assertion's text in its source.
    pub fn assertion_span(&self) -> Span {
        self.assertion_span
    }

    /// The `within …` clause's text in its source, when it has one.
    pub fn tolerance_span(&self) -> Option<Span> {
        self.tolerance.as_ref().map(|(_, span)| *span)
    }

    /// The form's wording, from `rule ID "description"`.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The regulation it comes from (`cite "…"`).
    pub fn citation(&self) -> Option<&str> {
        self.citation.as_deref()
    }

    /// How much a failure matters.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// When the rule applies (`when …`); always when `None`.
    pub fn condition(&self) -> Option<&Cond> {
        self.condition.as_ref()
    }

    /// What must hold.
    pub fn assertion(&self) -> &Comparison {
        &self.assertion
    }

    /// How far apart the sides of `=` may be (`within …`).
    pub fn tolerance(&self) -> Option<&Within> {
        self.tolerance.as_ref().map(|(within, _)| within)
    }

    /// The days it is in force: its file's `effective` period narrowed by its own.
    pub fn period(&self) -> &Period {
        &self.period
    }

    /// Each line the rule reads, once, in order of first use (assertion first): the rule's
    /// slots.
    pub fn lines(&self) -> &[LineCode] {
        &self.lines
    }

    /// The rule set's slot of each of [`lines`](Self::lines): where a report's row
    /// ([`RuleSet::slot`]) holds its amount.
    pub fn slots(&self) -> &[u32] {
        &self.slots
    }

    /// How many of [`lines`](Self::lines) the assertion reads (the rest only the
    /// condition).
    pub fn assertion_lines(&self) -> usize {
        self.assertion_lines
    }

    /// The examples that prove the rule, in source order.
    pub fn examples(&self) -> &[CheckedExample] {
        &self.examples
    }

    /// What the line in `slot` holds: money, a percentage or a ratio.
    pub fn kind(&self, slot: usize) -> LineKind {
        self.kinds.get(slot).copied().unwrap_or_default()
    }

    /// The reads of the assertion of `total` lines, as (slot, whether of the previous
    /// report), in slot order: a blank one skips the rule.
    pub fn total_reads(&self) -> &[(usize, bool)] {
        &self.total_reads
    }

    /// Whether the assertion compares money, whose amounts are in the report's unit, or
    /// ratios (percentages, pure numbers), which have no unit.
    pub fn compares_money(&self) -> bool {
        self.money
    }

    /// Whether each line is read as printed: money of the report itself only.
    /// The rule after its assertion, condition or tolerance changed (a mutant): what is
    /// derived from them made again.
    pub(crate) fn changed(mut self) -> CheckedRule {
        self.linear = super::linear::Plan::of(&self);
        self
    }

    pub(crate) fn is_plain(&self) -> bool {
        self.plain
    }

    /// The left side in canonical form, for messages.
    pub fn left_text(&self) -> &str {
        &self.texts.left
    }

    /// The right side in canonical form, for messages.
    pub fn right_text(&self) -> &str {
        &self.texts.right
    }

    /// The `when` condition in canonical form, when there is one.
    pub fn condition_text(&self) -> Option<&str> {
        self.texts.condition.as_deref()
    }

    /// Each place the rule reads a line of the previous report (`prior(3750)`), as (slot
    /// in [`lines`](Self::lines), span of the call), in source order.
    pub fn prior_occurrences(&self) -> Vec<(usize, Span)> {
        let mut found = Vec::new();
        self.reads_written(true, &mut found);
        found.sort_by_key(|(_, span)| span.start);
        found
    }

    /// Each place a line code of the report itself is written, as (slot in
    /// [`lines`](Self::lines), span), in source order.
    pub fn occurrences(&self) -> Vec<(usize, Span)> {
        let mut found = Vec::with_capacity(self.lines.len());
        self.reads_written(false, &mut found);
        found.sort_by_key(|(_, span)| span.start);
        found
    }

    /// Each read of a line, of the previous report or of the report itself, in the
    /// assertion and the condition, as (slot, span).
    fn reads_written(&self, previous: bool, found: &mut Vec<(usize, Span)>) {
        self.assertion.reads_written(previous, found);
        if let Some(condition) = &self.condition {
            condition.reads_written(previous, found);
        }
    }
}

/// An example: amounts for some lines and the verdict the rule must give on them.
#[derive(Clone, Debug)]
pub struct CheckedExample {
    /// `passes`, `fails` or `skips`.
    pub expect: Expectation,
    /// Where the example is written.
    pub span: Span,
    /// The amounts; every other line is blank.
    pub lines: Vec<(LineCode, Decimal)>,
    /// Amounts on the previous report (`prior(3750) = 90`); `None`: the example has no
    /// previous report.
    pub prior: Option<Vec<(LineCode, Decimal)>>,
}

/// `left OP right`, resolved.
#[derive(Clone, Debug)]
pub struct Comparison {
    /// The left side.
    pub left: Node,
    /// The operator.
    pub op: CmpOp,
    /// Where the operator is written.
    pub op_span: Span,
    /// The right side.
    pub right: Node,
}

/// A resolved `when` condition.
#[derive(Clone, Debug)]
pub enum Cond {
    /// All must hold.
    All(Vec<Cond>),
    /// One must hold.
    Any(Vec<Cond>),
    /// Must not hold.
    Not(Box<Cond>),
    /// The line in `slot` is blank (`blank: true`) or present.
    Blank {
        /// Slot in [`CheckedRule::lines`].
        slot: usize,
        /// Where the line code is written.
        span: Span,
        /// Which test.
        blank: bool,
    },
    /// An exact comparison.
    Compare(Box<Comparison>),
}

/// A resolved arithmetic expression.
#[derive(Clone, Debug)]
pub enum Node {
    /// The report's amount on the line in `slot`; blank counts as 0.
    Line {
        /// Slot in [`CheckedRule::lines`].
        slot: usize,
        /// Where it is written.
        span: Span,
        /// Whether it is read from the previous report: `prior(3750)`.
        prior: bool,
    },
    /// A money or ratio constant.
    Const {
        /// Its value: money, read in the report's unit, or a ratio.
        value: Constant,
        /// Where it is written.
        span: Span,
    },
    /// `-x`
    Neg {
        /// The negated operand.
        inner: Box<Node>,
        /// The whole `-x`.
        span: Span,
    },
    /// Left-to-right operators of one precedence level.
    Chain {
        /// The first operand.
        first: Box<Node>,
        /// Each operator, where it is written, and its operand.
        rest: Vec<(BinOp, Span, Node)>,
        /// The whole chain.
        span: Span,
    },
    /// A built-in function.
    Call {
        /// Which.
        func: Func,
        /// Its arguments (for `round`, only the value).
        args: Vec<Node>,
        /// The whole call.
        span: Span,
    },
}

/// A constant: money, which a report reads in the unit it is printed in, or a ratio, which
/// has no unit. The two are different types, so nothing can read money without its unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Constant {
    /// `$250,000`
    Money(Money),
    /// `8%` (0.08), `1.10`
    Ratio(Value),
}

/// An amount of money written in a rule (`$250,000`, `within $1`): its value depends on
/// the unit of the report that reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Money(Value);

impl Money {
    /// The amount of dollars written.
    pub fn new(dollars: Value) -> Self {
        Money(dollars)
    }

    /// What a report printed in `unit` reads: `$250,000` is 250 in thousands. `None` when
    /// the exact quotient does not fit.
    pub fn in_unit(self, unit: Unit) -> Option<Value> {
        if unit.is_dollars() {
            return Some(self.0);
        }
        self.0.checked_div(unit.factor()).map(Value::reduced)
    }

    /// The dollars as written, for messages and for changing the rule (mutants); never a
    /// report's reading (see [`in_unit`](Self::in_unit)).
    pub fn as_written(self) -> Value {
        self.0
    }
}

impl Constant {
    /// Its value on a report printed in `unit`: the one reading of a constant.
    pub fn in_unit(self, unit: Unit) -> Option<Value> {
        match self {
            Constant::Money(money) => money.in_unit(unit),
            Constant::Ratio(ratio) => Some(ratio),
        }
    }

    /// The value as written (money in dollars), for messages and mutants.
    pub fn as_written(self) -> Value {
        match self {
            Constant::Money(money) => money.as_written(),
            Constant::Ratio(ratio) => ratio,
        }
    }

    /// Whether it is money.
    pub fn is_money(self) -> bool {
        matches!(self, Constant::Money(_))
    }

    /// Whether it is zero (in every unit).
    pub fn is_zero(self) -> bool {
        self.as_written().is_zero()
    }

    /// The same kind of constant with another value (as written).
    pub fn with_value(self, value: Value) -> Constant {
        match self {
            Constant::Money(_) => Constant::Money(Money(value)),
            Constant::Ratio(_) => Constant::Ratio(value),
        }
    }
}

/// A rule's tolerance, checked: `within $1` is money, read in the report's unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Within {
    /// `within $1`
    Amount(Money),
    /// `within 0.01%`, as the ratio (0.0001), applied to the larger side.
    Relative(Value),
    /// `within rounding`: what the rounding of the printed figures allows.
    Rounding,
}

impl Within {
    /// The tolerance as written, for printing.
    pub fn written(self) -> Tolerance {
        match self {
            Within::Amount(money) => {
                Tolerance::Absolute(money.as_written().to_decimal().unwrap_or_default())
            }
            Within::Relative(ratio) => Tolerance::Relative(ratio.to_decimal().unwrap_or_default()),
            Within::Rounding => Tolerance::Rounding,
        }
    }
}

impl From<Tolerance> for Within {
    fn from(tolerance: Tolerance) -> Self {
        match tolerance {
            Tolerance::Absolute(amount) => Within::Amount(Money(amount.into())),
            Tolerance::Relative(ratio) => Within::Relative(ratio.into()),
            Tolerance::Rounding => Within::Rounding,
        }
    }
}

/// The built-in functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    /// `sum(a, b, …)`
    Sum,
    /// `max(a, b, …)`: "the greatest of"
    Max,
    /// `min(a, b, …)`
    Min,
    /// `abs(x)`
    Abs,
    /// `round(x)`, `round(x, places)`, `round(x, $1,000)`, each with an optional mode:
    /// to the nearest, ties away from zero, unless the mode says otherwise.
    Round {
        /// Decimal places kept; `None` when the second argument is a step (`$1,000`,
        /// `0.01%`) to round to a multiple of.
        places: Option<u32>,
        /// How to round.
        mode: RoundMode,
    },
}

impl Comparison {
    /// Each line both sides read, as (slot, whether of the previous report), each once.
    pub fn reads(&self) -> Vec<(usize, bool)> {
        let mut reads = Vec::new();
        for previous in [false, true] {
            let mut found = Vec::new();
            self.reads_written(previous, &mut found);
            reads.extend(found.into_iter().map(|(slot, _)| (slot, previous)));
        }
        reads.sort_unstable();
        reads.dedup();
        reads
    }

    /// Whether either side reads the previous report.
    pub fn reads_prior(&self) -> bool {
        self.left.reads_prior() || self.right.reads_prior()
    }

    /// Each read of a line of both sides, of the previous report or not, as (slot, span).
    fn reads_written(&self, previous: bool, found: &mut Vec<(usize, Span)>) {
        self.left.reads_written(previous, found);
        self.right.reads_written(previous, found);
    }
}

impl Cond {
    /// Whether the condition reads the previous report.
    pub fn reads_prior(&self) -> bool {
        match self {
            Cond::All(parts) | Cond::Any(parts) => parts.iter().any(Cond::reads_prior),
            Cond::Not(inner) => inner.reads_prior(),
            Cond::Blank { .. } => false,
            Cond::Compare(comparison) => comparison.reads_prior(),
        }
    }

    /// Each read of a line of the condition, of the previous report or not, as (slot,
    /// span).
    fn reads_written(&self, previous: bool, found: &mut Vec<(usize, Span)>) {
        match self {
            Cond::All(parts) | Cond::Any(parts) => {
                for part in parts {
                    part.reads_written(previous, found);
                }
            }
            Cond::Not(inner) => inner.reads_written(previous, found),
            Cond::Blank { slot, span, .. } => {
                if !previous {
                    found.push((*slot, *span));
                }
            }
            Cond::Compare(comparison) => comparison.reads_written(previous, found),
        }
    }
}

impl Node {
    /// Whether the expression reads the previous report.
    pub fn reads_prior(&self) -> bool {
        match self {
            Node::Line { prior, .. } => *prior,
            Node::Const { .. } => false,
            Node::Neg { inner, .. } => inner.reads_prior(),
            Node::Chain { first, rest, .. } => {
                first.reads_prior() || rest.iter().any(|(_, _, n)| n.reads_prior())
            }
            Node::Call { args, .. } => args.iter().any(Node::reads_prior),
        }
    }

    /// Each read of a line of the previous report (`prior`) or of the report itself, as
    /// (slot, span).
    fn reads_written(&self, previous: bool, found: &mut Vec<(usize, Span)>) {
        match self {
            Node::Line { slot, span, prior } => {
                if *prior == previous {
                    found.push((*slot, *span));
                }
            }
            Node::Const { .. } => {}
            Node::Neg { inner, .. } => inner.reads_written(previous, found),
            Node::Chain { first, rest, .. } => {
                first.reads_written(previous, found);
                for (_, _, operand) in rest {
                    operand.reads_written(previous, found);
                }
            }
            Node::Call { args, .. } => {
                for arg in args {
                    arg.reads_written(previous, found);
                }
            }
        }
    }

    /// Where the node is written.
    pub fn span(&self) -> Span {
        match self {
            Node::Line { span, .. }
            | Node::Const { span, .. }
            | Node::Neg { span, .. }
            | Node::Chain { span, .. }
            | Node::Call { span, .. } => *span,
        }
    }

    /// How the node depends on the line in `slot`, when it is linear in it: the `c` of
    /// `c × line + rest`, exactly. `Some(0)` when the line does not occur; `None` when it
    /// occurs under a non-linear operation (a product of two lines, `max`, `round`, …) or
    /// the coefficient does not fit.
    pub fn coefficient(&self, slot: usize) -> Option<Value> {
        match self {
            Node::Line { slot: s, prior, .. } => Some(if *s == slot && !prior {
                Value::ONE
            } else {
                Value::ZERO
            }),
            Node::Const { .. } => Some(Value::ZERO),
            Node::Neg { inner, .. } => inner.coefficient(slot).map(|v| -v),
            Node::Chain { first, rest, .. } => {
                if rest.iter().all(|(op, _, _)| op.is_additive()) {
                    let mut total = first.coefficient(slot)?;
                    for (op, _, operand) in rest {
                        let c = operand.coefficient(slot)?;
                        total = match op {
                            BinOp::Sub => total.checked_sub(c)?,
                            _ => total.checked_add(c)?,
                        };
                    }
                    return Some(total);
                }
                product_coefficient(first, rest, slot)
            }
            Node::Call { func, args, .. } => {
                let coefficients: Option<Vec<Value>> =
                    args.iter().map(|a| a.coefficient(slot)).collect();
                let coefficients = coefficients?;
                if *func == Func::Sum {
                    return coefficients
                        .into_iter()
                        .try_fold(Value::ZERO, Value::checked_add);
                }
                coefficients
                    .iter()
                    .all(|c| c.is_zero())
                    .then_some(Value::ZERO)
            }
        }
    }
}

/// The reads of `total` lines in an assertion, as (slot, previous report), each once, in
/// slot order.
pub(super) fn total_reads(
    assertion: &Comparison,
    total: impl Fn(usize) -> bool,
) -> Vec<(usize, bool)> {
    let mut reads = assertion.reads();
    reads.retain(|(slot, _)| total(*slot));
    reads
}

/// The coefficient of a product: linear when exactly one factor, not a divisor, carries
/// the line and every other factor is a constant.
fn product_coefficient(first: &Node, rest: &[(BinOp, Span, Node)], slot: usize) -> Option<Value> {
    let factors =
        std::iter::once((BinOp::Mul, first)).chain(rest.iter().map(|(op, _, n)| (*op, n)));
    let mut carrier = None;
    let mut scale = Value::ONE;
    let mut other_lines = false;
    for (op, factor) in factors {
        let c = factor.coefficient(slot)?;
        if !c.is_zero() {
            if carrier.is_some() || op == BinOp::Div {
                return None;
            }
            carrier = Some(c);
            continue;
        }
        match (op, constant(factor)) {
            (BinOp::Div, Some(k)) if !k.is_zero() => scale = scale.checked_div(k)?,
            (BinOp::Mul, Some(k)) => scale = scale.checked_mul(k)?,
            _ => other_lines = true,
        }
    }
    match carrier {
        None => Some(Value::ZERO),
        // Scaled by another line: linear, but not by a constant.
        Some(_) if other_lines => None,
        Some(c) => c.checked_mul(scale),
    }
}

/// The value of a node made of ratio constants only: a factor that scales a line the same
/// on every report (a money constant's value depends on the report's unit).
fn constant(node: &Node) -> Option<Value> {
    match node {
        Node::Const {
            value: Constant::Ratio(value),
            ..
        } => Some(*value),
        Node::Neg { inner, .. } => constant(inner).map(|v| -v),
        _ => None,
    }
}
