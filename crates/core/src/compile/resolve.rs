//! AST expressions → resolved [`Node`]s: functions looked up, line codes numbered into the
//! rule's slots and checked against the catalogue.

use crossfoot_syntax::line::CodeMap;

use crossfoot_syntax::source::Source;

use super::{
    Catalogue, CheckError, Comparison, Cond, Constant, Func, MAX_ROUND_PLACES, Money, Node,
};
use crossfoot_syntax::ast::{Assertion, Condition, Expr};
use crossfoot_syntax::line::LineCode;
use crossfoot_syntax::number::RoundMode;
use crossfoot_syntax::source::{Span, Spanned};
use crossfoot_syntax::spelling::edit_distance;

/// Up to this many lines, a rule's lines are found by scanning them, without a map.
const SCAN_LINES: usize = 16;

/// A bare integer of this many digits or more that the catalogue does not declare is not
/// taken for a line code (FOCUS codes have 3 to 5 digits): it is most likely an amount
/// written without its `$`.
const MIN_AMOUNT_DIGITS: usize = 6;

/// The functions a rule may call.
const FUNCTIONS: [&str; 6] = ["sum", "max", "min", "abs", "round", "prior"];

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
                suggestion: self.catalogue.suggest(code).map(|(known, _)| known),
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
                prior: false,
            },
            Expr::Money(value) => Node::Const {
                value: Constant::Money(Money::new((*value).into())),
                span: expr.span,
            },
            Expr::Ratio(value) | Expr::Percent(value) => Node::Const {
                value: Constant::Ratio((*value).into()),
                span: expr.span,
            },
            Expr::Name(name) => {
                self.misplaced_name(name, expr.span);
                return None;
            }
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
                Func::Round {
                    places: Some(0),
                    mode: RoundMode::default(),
                },
                "one to three arguments",
                matches!(args.len(), 1..=3),
            ),
            "prior" => return self.prior(args, span),
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
        if let Func::Round { .. } = func {
            return self.round(args, span);
        }
        let resolved: Vec<_> = args.iter().map(|arg| self.expr(arg)).collect();
        let args = resolved.into_iter().collect::<Option<_>>()?;
        Some(Node::Call { func, args, span })
    }

    /// `round(x)`, `round(x, 2)`, `round(x, $1,000)`, `round(x, 0.01%)`, each with an
    /// optional mode last: `round(x, 0, half_even)`.
    fn round(&mut self, args: &[Spanned<Expr>], span: Span) -> Option<Node> {
        let (mut args, mut mode) = (args, Some(RoundMode::default()));
        if let [init @ .., last] = args {
            if let Expr::Name(name) = &last.node {
                mode = self.mode(name, last.span);
                args = init;
            }
        }
        let (value, places, step) = match args {
            [value] => (self.expr(value), Some(Some(0)), None),
            [value, to] => match &to.node {
                Expr::Money(_) | Expr::Ratio(_) | Expr::Percent(_) | Expr::Neg(_) => {
                    (self.expr(value), Some(None), Some(self.step(to)))
                }
                _ => (self.expr(value), self.places(to).map(Some), None),
            },
            _ => {
                self.errors.push(CheckError::Arity {
                    name: "round",
                    expected: "a value, then places or a step, then a mode",
                    given: args.len(),
                    src: self.src.clone(),
                    span: span.into(),
                });
                return None;
            }
        };
        let func = Func::Round {
            places: places?,
            mode: mode?,
        };
        let mut resolved = vec![value?];
        if let Some(step) = step {
            resolved.push(step?);
        }
        Some(Node::Call {
            func,
            args: resolved,
            span,
        })
    }

    /// The second argument of `round` as places: a bare whole number, which the grammar
    /// reads as a line code.
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

    /// The second argument of `round` as a step: a positive constant, money or a ratio.
    fn step(&mut self, step: &Spanned<Expr>) -> Option<Node> {
        let positive = match &step.node {
            Expr::Money(value) | Expr::Ratio(value) | Expr::Percent(value) => {
                value.is_sign_positive() && !value.is_zero()
            }
            _ => false,
        };
        if !positive {
            self.errors.push(CheckError::Argument {
                message: "`round` rounds to places or to a positive constant step".to_owned(),
                src: self.src.clone(),
                span: step.span.into(),
                label: "not places or a step",
                help: "write `round(x, 2)` for two decimal places, `round(x, $1,000)` for \
                       thousands of dollars or `round(x, 0.01%)` for hundredths of a percent"
                    .to_owned(),
            });
            return None;
        }
        self.expr(step)
    }

    /// A rounding mode by name.
    fn mode(&mut self, name: &str, span: Span) -> Option<RoundMode> {
        if let Some(mode) = RoundMode::named(name) {
            return Some(mode);
        }
        let names = RoundMode::ALL.map(RoundMode::name);
        let close = names
            .iter()
            .min_by_key(|known| edit_distance(known, name))
            .filter(|known| edit_distance(known, name) <= 3);
        let list = names.map(|n| format!("`{n}`")).join(", ");
        let help = match close {
            Some(known) => format!("did you mean `{known}`? The modes are {list}"),
            None => format!("the modes are {list}"),
        };
        self.errors.push(CheckError::Argument {
            message: format!("`{name}` is not a rounding mode"),
            src: self.src.clone(),
            span: span.into(),
            label: "unknown mode",
            help,
        });
        None
    }

    /// A bare word anywhere but as `round`'s last argument.
    fn misplaced_name(&mut self, name: &str, span: Span) {
        let help = match RoundMode::named(name) {
            Some(_) => format!("a rounding mode is `round`'s last argument: `round(x, 0, {name})`"),
            None => "line codes are bare numbers, money carries `$` and ratios `%` or a \
                     decimal point"
                .to_owned(),
        };
        self.errors.push(CheckError::Argument {
            message: format!("`{name}` is not a value"),
            src: self.src.clone(),
            span: span.into(),
            label: "not a line, amount or formula",
            help,
        });
    }

    /// `prior(3750)`: the line on the same firm's previous report.
    fn prior(&mut self, args: &[Spanned<Expr>], span: Span) -> Option<Node> {
        if let [line] = args {
            if let Expr::Line(code) = line.node {
                return Some(Node::Line {
                    slot: self.slot(code, line.span),
                    span,
                    prior: true,
                });
            }
        }
        self.errors.push(CheckError::Argument {
            message: "`prior` takes one line code".to_owned(),
            src: self.src.clone(),
            span: span.into(),
            label: "not one line code",
            help: "write `prior(3750)` for line 3750 on the previous report; \
                   `prior(3750) + prior(3760)` for more"
                .to_owned(),
        });
        None
    }
}

/// A bare integer as the money it most likely is: `250000` → `$250,000`.
fn as_money(code: LineCode) -> String {
    let digits = code.to_string();
    let value = crossfoot_syntax::amount::parse(&digits).unwrap_or_default();
    format!("${}", crossfoot_syntax::amount::format(value))
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
