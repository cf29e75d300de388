//! AST expressions → resolved [`Node`]s: functions looked up, line codes numbered into the
//! rule's slots and checked against the catalogue.

use crate::line::CodeMap;

use crate::source::Source;

use super::{Catalogue, CheckError, Comparison, Cond, Func, MAX_ROUND_PLACES, Node};
use crate::line::LineCode;
use crate::source::{Span, Spanned};
use crate::syntax::ast::{Assertion, Condition, Expr};

/// Up to this many lines, a rule's lines are found by scanning them, without a map.
const SCAN_LINES: usize = 16;

/// A bare integer of this many digits or more that the catalogue does not declare is not
/// taken for a line code (FOCUS codes have 3 to 5 digits): it is most likely an amount
/// written without its `$`.
const MIN_AMOUNT_DIGITS: usize = 6;

/// The functions a rule may call.
const FUNCTIONS: [&str; 5] = ["sum", "max", "min", "abs", "round"];

/// Resolves one rule's expressions, numbering its lines as it meets them.
pub(super) struct Resolver<'a> {
    pub(super) src: &'a Source,
    pub(super) errors: &'a mut Vec<CheckError>,
    pub(super) catalogue: &'a Catalogue,
    pub(super) lines: Vec<LineCode>,
    /// Each line's index in `lines`, once the rule reads more than [`SCAN_LINES`] lines,
    /// so a rule with many terms resolves in linear time; a short `lines` is scanned.
    pub(super) slots: CodeMap<usize>,
}

impl Resolver<'_> {
    fn slot(&mut self, code: LineCode, span: Span) -> usize {
        let declared = self.catalogue.line(code).is_some();
        if !declared && code.to_string().len() >= MIN_AMOUNT_DIGITS {
            self.errors.push(CheckError::NotALineCode {
                code: code.to_string(),
                amount: as_money(code),
                src: self.src.clone(),
                span: span.into(),
            });
        } else if !declared && !self.catalogue.is_empty() {
            self.errors.push(CheckError::UnknownLine {
                code: code.to_string(),
                src: self.src.clone(),
                span: span.into(),
                help: unknown_line_help(self.catalogue, code),
            });
        }
        self.slot_of(code)
    }

    /// The slot of `code`, numbering it when it is new.
    fn slot_of(&mut self, code: LineCode) -> usize {
        let next = self.lines.len();
        if next <= SCAN_LINES {
            if let Some(slot) = self.lines.iter().position(|&known| known == code) {
                return slot;
            }
            self.lines.push(code);
            if next == SCAN_LINES {
                self.slots
                    .extend(self.lines.iter().enumerate().map(|(i, &c)| (c, i)));
            }
            return next;
        }
        let slot = *self.slots.entry(code).or_insert(next);
        if slot == next {
            self.lines.push(code);
        }
        slot
    }

    pub(super) fn comparison(&mut self, assertion: &Assertion) -> Option<Comparison> {
        let left = self.expr(&assertion.left);
        let right = self.expr(&assertion.right);
        Some(Comparison {
            left: left?,
            op: assertion.op.node,
            op_span: assertion.op.span,
            right: right?,
        })
    }

    pub(super) fn condition(&mut self, condition: &Spanned<Condition>) -> Option<Cond> {
        Some(match &condition.node {
            Condition::All(parts) => Cond::All(self.conditions(parts)?),
            Condition::Any(parts) => Cond::Any(self.conditions(parts)?),
            Condition::Not(inner) => Cond::Not(Box::new(self.condition(inner)?)),
            Condition::Blank { line, blank } => Cond::Blank {
                slot: self.slot(line.node, line.span),
                span: line.span,
                blank: *blank,
            },
            Condition::Compare(assertion) => Cond::Compare(Box::new(self.comparison(assertion)?)),
        })
    }

    fn conditions(&mut self, parts: &[Spanned<Condition>]) -> Option<Vec<Cond>> {
        let resolved: Vec<_> = parts.iter().map(|part| self.condition(part)).collect();
        resolved.into_iter().collect()
    }

    fn expr(&mut self, expr: &Spanned<Expr>) -> Option<Node> {
        Some(match &expr.node {
            Expr::Line(code) => Node::Line {
                slot: self.slot(*code, expr.span),
                span: expr.span,
            },
            Expr::Money(value) | Expr::Ratio(value) | Expr::Percent(value) => Node::Const {
                value: (*value).into(),
                span: expr.span,
            },
            Expr::Neg(inner) => Node::Neg {
                inner: Box::new(self.expr(inner)?),
                span: expr.span,
            },
            Expr::Chain { first, rest } => {
                let first = self.expr(first);
                // Every operand is resolved, so each of its problems is reported.
                let mut resolved = Vec::with_capacity(rest.len());
                let mut complete = true;
                for (op, operand) in rest {
                    match self.expr(operand) {
                        Some(node) => resolved.push((op.node, op.span, node)),
                        None => complete = false,
                    }
                }
                if !complete {
                    return None;
                }
                Node::Chain {
                    first: Box::new(first?),
                    rest: resolved,
                    span: expr.span,
                }
            }
            Expr::Call { name, args } => self.call(name, args, expr.span)?,
        })
    }

    fn call(&mut self, name: &Spanned<String>, args: &[Spanned<Expr>], span: Span) -> Option<Node> {
        let (func, expected, fits): (Func, &'static str, bool) = match name.node.as_str() {
            "sum" => (Func::Sum, "at least one argument", !args.is_empty()),
            "max" => (Func::Max, "at least one argument", !args.is_empty()),
            "min" => (Func::Min, "at least one argument", !args.is_empty()),
            "abs" => (Func::Abs, "one argument", args.len() == 1),
            "round" => (
                Func::Round { places: 0 },
                "one or two arguments",
                matches!(args.len(), 1 | 2),
            ),
            _ => {
                self.errors.push(CheckError::UnknownFunction {
                    name: name.node.clone(),
                    src: self.src.clone(),
                    span: name.span.into(),
                    help: function_help(&name.node),
                });
                return None;
            }
        };
        if !fits {
            self.errors.push(CheckError::Arity {
                name: FUNCTIONS
                    .into_iter()
                    .find(|known| *known == name.node)
                    .unwrap_or("function"),
                expected,
                given: args.len(),
                src: self.src.clone(),
                span: span.into(),
            });
            return None;
        }
        let (func, value_args) = match (func, args) {
            (Func::Round { .. }, [value, places]) => (
                Func::Round {
                    places: self.places(places)?,
                },
                std::slice::from_ref(value),
            ),
            _ => (func, args),
        };
        let resolved: Vec<_> = value_args.iter().map(|arg| self.expr(arg)).collect();
        let args = resolved.into_iter().collect::<Option<_>>()?;
        Some(Node::Call { func, args, span })
    }

    /// The second argument of `round`: a bare whole number, which the grammar reads as a
    /// line code.
    fn places(&mut self, places: &Spanned<Expr>) -> Option<u32> {
        let parsed = match &places.node {
            Expr::Line(code) => code.to_string().parse::<u32>().ok(),
            _ => None,
        };
        match parsed {
            Some(places) if places <= MAX_ROUND_PLACES => Some(places),
            _ => {
                self.errors.push(CheckError::RoundPlaces {
                    max: MAX_ROUND_PLACES,
                    src: self.src.clone(),
                    span: places.span.into(),
                });
                None
            }
        }
    }
}

/// A bare integer as the money it most likely is: `250000` → `$250,000`.
fn as_money(code: LineCode) -> String {
    let digits = code.to_string();
    let value = crate::amount::parse(&digits).unwrap_or_default();
    format!("${}", crate::amount::format(value))
}

/// "did you mean 7190 Excess (deficiency) funds in segregation?", or how to declare it.
pub(super) fn unknown_line_help(catalogue: &Catalogue, code: LineCode) -> String {
    match catalogue.suggest(code) {
        Some((known, info)) => format!("did you mean {known} {}?", info.label),
        None => "declare it on its page: `page ID \"title\"` then `CODE \"label\"`".to_owned(),
    }
}

/// "did you mean `max`?" and the list of functions.
pub(super) fn function_help(name: &str) -> String {
    let list = FUNCTIONS.map(|f| format!("`{f}`")).join(", ");
    let lower = name.to_ascii_lowercase();
    let close = FUNCTIONS
        .into_iter()
        .filter(|known| *known == lower || edit_distance(known, &lower) <= 2)
        .min_by_key(|known| edit_distance(known, &lower));
    match close {
        Some(known) => format!("did you mean `{known}`? The functions are {list}"),
        None => format!("the functions are {list}"),
    }
}

/// Levenshtein distance, for suggestions.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let above = row.get(j + 1).copied().unwrap_or(0);
            let left = row.get(j).copied().unwrap_or(0);
            let cost = usize::from(ca != *cb);
            let value = (above + 1).min(left + 1).min(diagonal + cost);
            diagonal = above;
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = value;
            }
        }
    }
    row.last().copied().unwrap_or(0)
}
