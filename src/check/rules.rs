//! The checked rule set: what the evaluator runs.
//!
//! Only [`check`](super::check) builds these, so the evaluator never sees a rule with an
//! unknown function, a wrong arity or a duplicate id. Line codes are resolved to slots in
//! the rule's own [`CheckedRule::lines`] list, so a report is read once per line per rule.

use rust_decimal::Decimal;

use crate::line::LineCode;
use crate::source::{Source, Span};
use crate::syntax::ast::{BinOp, CmpOp, Severity, Tolerance};

/// Rules that passed every static check, with the files they came from.
#[derive(Clone, Debug)]
pub struct RuleSet {
    pub(super) sources: Vec<Source>,
    pub(super) rules: Vec<CheckedRule>,
}

impl RuleSet {
    /// The rules, in file order then source order.
    pub fn rules(&self) -> &[CheckedRule] {
        &self.rules
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
    pub id: String,
    /// Index of its file in [`RuleSet::sources`].
    pub source: usize,
    /// The whole rule in its file.
    pub span: Span,
    /// The form's wording.
    pub description: Option<String>,
    /// The regulation it comes from.
    pub citation: Option<String>,
    /// How much a failure matters.
    pub severity: Severity,
    /// When the rule applies; always when absent.
    pub condition: Option<Cond>,
    /// What must hold.
    pub assertion: Comparison,
    /// Where the assertion is written.
    pub assertion_span: Span,
    /// How far apart the sides of `=` may be.
    pub tolerance: Option<(Tolerance, Span)>,
    /// Each line the rule reads, once, in order of first use (assertion first).
    pub lines: Vec<LineCode>,
    /// How many of [`lines`](Self::lines) the assertion uses (the rest only the condition).
    pub assertion_lines: usize,
    /// Each place a line code is written, as (slot in `lines`, span), in source order.
    pub occurrences: Vec<(usize, Span)>,
    /// The left side in canonical form, for messages.
    pub left_text: String,
    /// The right side in canonical form, for messages.
    pub right_text: String,
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
    },
    /// A money or ratio constant.
    Const(Decimal),
    /// `-x`
    Neg(Box<Node>),
    /// Left-to-right operators of one precedence level.
    Chain {
        /// The first operand.
        first: Box<Node>,
        /// Each operator, where it is written, and its operand.
        rest: Vec<(BinOp, Span, Node)>,
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
    /// `round(x)` / `round(x, places)`: to nearest, ties away from zero.
    Round {
        /// Decimal places kept.
        places: u32,
    },
}
