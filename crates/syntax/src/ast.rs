//! The typed syntax tree of a rule file, with a span on every node.

use rust_decimal::Decimal;

use crate::date::{Date, Period};
use crate::line::LineCode;
use crate::source::Spanned;

/// A whole `.xfoot` file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleFile {
    /// `effective from … until …` at the top: the period of every rule in the file.
    pub effective: Option<Spanned<Effective>>,
    /// Page declarations and rules, in source order.
    pub items: Vec<Item>,
}

/// `effective from 2020-01-01 until 2024-07-01`: when a rule (or every rule of a file)
/// is in force. `from` is the first day; the end is the first day it no longer is
/// (`until`) or the last day it is (`through`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Effective {
    /// The first day in force.
    pub from: Option<Spanned<Date>>,
    /// The end as written: `until` the first day no longer in force, or `through` the
    /// last day in force.
    pub end: Option<(End, Spanned<Date>)>,
}

/// How the end of an `effective` period is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// `until 2024-07-01`: the first day no longer in force.
    Until,
    /// `through 2024-06-30`: the last day in force.
    Through,
}

impl End {
    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            End::Until => "until",
            End::Through => "through",
        }
    }
}

impl Effective {
    /// The period, without spans: its end always the first day no longer in force.
    pub fn period(&self) -> Period {
        let until = self.end.as_ref().and_then(|(end, date)| match end {
            End::Until => Some(date.node),
            // Through the last day there is: open.
            End::Through => date.node.next_day(),
        });
        Period {
            from: self.from.as_ref().map(|date| date.node),
            until,
        }
    }
}

impl RuleFile {
    /// The declared lapses, in source order.
    pub fn lapses(&self) -> impl Iterator<Item = &Spanned<Lapse>> {
        self.items.iter().filter_map(|item| match item {
            Item::Lapse(lapse) => Some(lapse),
            _ => None,
        })
    }

    /// The rules, in source order.
    pub fn rules(&self) -> impl Iterator<Item = &Spanned<Rule>> {
        self.items.iter().filter_map(|item| match item {
            Item::Rule(rule) => Some(&**rule),
            _ => None,
        })
    }

    /// The page declarations, in source order.
    pub fn pages(&self) -> impl Iterator<Item = &Spanned<Page>> {
        self.items.iter().filter_map(|item| match item {
            Item::Page(page) => Some(page),
            _ => None,
        })
    }
}

/// One top-level declaration.
///
/// A rule is boxed: the checker takes each one by value and frees it as soon as it is
/// checked, so a large set's trees are never all held beside the checked rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// `page seg "…"` and its lines.
    Page(Spanned<Page>),
    /// `rule seg.excess …`
    Rule(Box<Spanned<Rule>>),
    /// `lapse capital.min … effective from … until …`
    Lapse(Spanned<Lapse>),
}

/// Days on which, deliberately, no version of a rule is in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lapse {
    /// The id of the rule that lapses.
    pub id: Spanned<String>,
    /// Why, in words.
    pub description: Option<Spanned<String>>,
    /// `cite "…"`: what suspends or repeals the rule.
    pub citation: Option<Spanned<String>>,
    /// When: the lapse's own period, narrowed by the file's.
    pub effective: Spanned<Effective>,
}

/// A page of the form: part of the line catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// `seg`
    pub id: Spanned<String>,
    /// The page's title on the form.
    pub title: Spanned<String>,
    /// Its lines, in the form's order.
    pub lines: Vec<Spanned<LineDecl>>,
}

/// One line of a page: `7033 "3.B Deduct options granted (sold)" deduction`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineDecl {
    /// The line code.
    pub code: Spanned<LineCode>,
    /// The form's label.
    pub label: Spanned<String>,
    /// Whether the form prints it as a deduction (stored negative).
    pub deduction: bool,
    /// Whether it is a total or subtotal: blank, it skips the rules that read it.
    pub total: bool,
    /// What its amount is: money (the default), a percentage or a ratio.
    pub kind: LineKind,
    /// `effective from 2027-03-01`: the days this label is the form's; every day when
    /// absent.
    pub effective: Option<Spanned<Effective>>,
}

/// What a line's amount is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum LineKind {
    /// Dollars (or the report's unit): the default.
    #[default]
    Money,
    /// A percentage as printed: `59.99` is 59.99%, the ratio 0.5999.
    Percent,
    /// A pure number, read as it is.
    Ratio,
}

impl LineKind {
    /// The flag that declares it (`percent`, `ratio`); `None` for money.
    pub fn flag(self) -> Option<&'static str> {
        match self {
            LineKind::Money => None,
            LineKind::Percent => Some("percent"),
            LineKind::Ratio => Some("ratio"),
        }
    }
}

/// One rule: an id, what it says, and the one relationship it asserts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// `seg.excess`
    pub id: Spanned<String>,
    /// The form's own wording, as written after the id.
    pub description: Option<Spanned<String>>,
    /// `cite "17 CFR 1.20"`
    pub citation: Option<Spanned<String>>,
    /// `severity warning`; `error` when absent.
    pub severity: Option<Spanned<Severity>>,
    /// `effective from 2024-07-01`; in force whenever the file is, when absent.
    pub effective: Option<Spanned<Effective>>,
    /// `when 7455 >= 7465`
    pub condition: Option<Spanned<Condition>>,
    /// `within $1`, `within 0.01%`
    pub tolerance: Option<Spanned<Tolerance>>,
    /// `7190 = 7180 - 7060`
    pub assertion: Spanned<Assertion>,
    /// `passes 7180 = 700, 7060 = 450, 7190 = 250`, in source order.
    pub examples: Vec<Spanned<Example>>,
}

/// Line amounts on which a rule must pass, fail or be skipped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Example {
    /// The verdict the rule must give.
    pub expect: Expectation,
    /// The amounts; lines not listed are blank.
    pub lines: Vec<(Spanned<LineCode>, Spanned<Decimal>)>,
    /// `prior(3750) = 90`: amounts on the previous report. An example with none has no
    /// previous report.
    pub prior: Vec<(Spanned<LineCode>, Spanned<Decimal>)>,
}

/// What an example expects of its rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Expectation {
    /// `passes`
    Passes,
    /// `fails`
    Fails,
    /// `skips`
    Skips,
}

impl Expectation {
    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Expectation::Passes => "passes",
            Expectation::Fails => "fails",
            Expectation::Skips => "skips",
        }
    }
}

/// How much a failing rule matters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Severity {
    /// Fails the run.
    #[default]
    Error,
    /// Reported; fails the run only with `--deny warnings`.
    Warning,
    /// Reported for information.
    Info,
}

impl Severity {
    /// The keyword as written in a rule file.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// How far apart the two sides of an `=` may be and still hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tolerance {
    /// `within $1`
    Absolute(Decimal),
    /// `within 0.01%`, stored as the ratio (0.0001), applied to the larger side.
    Relative(Decimal),
    /// `within rounding`: each printed figure stands for every value within half a unit
    /// of its last printed digit; the rule holds if such values could satisfy it.
    Rounding,
}

/// `left OP right`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assertion {
    /// The side before the operator.
    pub left: Spanned<Expr>,
    /// The comparison.
    pub op: Spanned<CmpOp>,
    /// The side after the operator.
    pub right: Spanned<Expr>,
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    /// Whether `left OP right` holds when `left` compares to `right` as `ordering`: the one
    /// definition of each operator, which every interpreter uses (the evaluator, the
    /// rounding band, diagnostics, the SQL compiler through [`negated`](Self::negated)).
    pub fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        match self {
            CmpOp::Eq => ordering == Equal,
            CmpOp::Ne => ordering != Equal,
            CmpOp::Lt => ordering == Less,
            CmpOp::Le => ordering != Greater,
            CmpOp::Gt => ordering == Greater,
            CmpOp::Ge => ordering != Less,
        }
    }

    /// The operator that holds exactly where this one does not: `=` and `!=`, `<` and
    /// `>=`, `<=` and `>`.
    pub fn negated(self) -> CmpOp {
        match self {
            CmpOp::Eq => CmpOp::Ne,
            CmpOp::Ne => CmpOp::Eq,
            CmpOp::Lt => CmpOp::Ge,
            CmpOp::Le => CmpOp::Gt,
            CmpOp::Gt => CmpOp::Le,
            CmpOp::Ge => CmpOp::Lt,
        }
    }

    /// Every operator.
    pub const ALL: [CmpOp; 6] = [
        CmpOp::Eq,
        CmpOp::Ne,
        CmpOp::Lt,
        CmpOp::Le,
        CmpOp::Gt,
        CmpOp::Ge,
    ];
}

/// A `when` condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// `a and b and c`
    All(Vec<Spanned<Condition>>),
    /// `a or b`
    Any(Vec<Spanned<Condition>>),
    /// `not a`
    Not(Box<Spanned<Condition>>),
    /// `7475 is blank` (`blank: true`) or `7475 is not blank`.
    Blank {
        /// The line tested.
        line: Spanned<LineCode>,
        /// Whether the test is for blank (`is blank`) or present (`is not blank`).
        blank: bool,
    },
    /// `7455 >= 7465`: the operands compare exactly.
    Compare(Box<Assertion>),
}

/// An arithmetic expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// `7190`: the report's amount on that line.
    Line(LineCode),
    /// `$1,000,000`: a money constant.
    Money(Decimal),
    /// `1.10`: a ratio constant.
    Ratio(Decimal),
    /// `8%`: a ratio constant written as a percentage, stored as the ratio (0.08).
    Percent(Decimal),
    /// `-x`
    Neg(Box<Spanned<Expr>>),
    /// `a + b - c` or `a * b / c`: operators of one precedence level, applied left to right.
    Chain {
        /// The first operand.
        first: Box<Spanned<Expr>>,
        /// Each following operator with its operand.
        rest: Vec<(Spanned<BinOp>, Spanned<Expr>)>,
    },
    /// `max(7455, 7465, 7475)`: any name parses; `check` knows the functions.
    Call {
        /// The function's name as written.
        name: Spanned<String>,
        /// The arguments in order.
        args: Vec<Spanned<Expr>>,
    },
    /// A bare word, allowed only as `round`'s rounding mode: `half_even`.
    Name(String),
}

/// A binary arithmetic operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

impl BinOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }

    /// Whether the operator is `+` or `-` (the looser-binding level).
    pub fn is_additive(self) -> bool {
        matches!(self, BinOp::Add | BinOp::Sub)
    }
}

#[cfg(test)]
mod tests {
    use super::CmpOp;
    use std::cmp::Ordering;

    #[test]
    fn a_negated_operator_holds_exactly_where_the_operator_does_not() {
        for op in CmpOp::ALL {
            for ordering in [Ordering::Less, Ordering::Equal, Ordering::Greater] {
                assert_ne!(op.holds(ordering), op.negated().holds(ordering), "{op:?}");
            }
            assert_eq!(op.negated().negated(), op);
        }
        assert!(CmpOp::Le.holds(Ordering::Equal) && !CmpOp::Lt.holds(Ordering::Equal));
    }
}
