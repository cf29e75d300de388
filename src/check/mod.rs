//! AST → checked rule set: resolves functions and line codes and collects every problem
//! of the whole set (duplicate ids across files, unknown functions, wrong arity, …) in
//! source order before giving up.

mod error;
mod rules;

use std::collections::HashMap;
use std::sync::Arc;

use miette::NamedSource;

pub use error::{CheckError, FirstDefinition};
pub use rules::{CheckedRule, Comparison, Cond, Func, Node, RuleSet};

use crate::line::LineCode;
use crate::source::{Source, Span, Spanned};
use crate::syntax::Print;
use crate::syntax::ast::{Assertion, CmpOp, Condition, Expr, Rule, RuleFile};

/// The most decimal places `round` may keep (all a decimal can hold).
pub const MAX_ROUND_PLACES: u32 = 28;

/// The functions a rule may call, with what `arity` they take.
const FUNCTIONS: [&str; 5] = ["sum", "max", "min", "abs", "round"];

/// Check parsed rule files as one rule set.
pub fn check(files: Vec<(Source, RuleFile)>) -> Result<RuleSet, Vec<CheckError>> {
    let mut errors = Vec::new();
    let mut rules = Vec::new();
    let mut first_seen: HashMap<String, (usize, Span)> = HashMap::new();
    let mut sources = Vec::with_capacity(files.len());
    for (index, (source, file)) in files.into_iter().enumerate() {
        let src = source.named();
        for rule in file.rules {
            let id = &rule.node.id;
            match first_seen.get(&id.node) {
                Some(&(first_file, first_span)) => {
                    let first_src = sources
                        .get(first_file)
                        .map_or_else(|| src.clone(), Source::named);
                    errors.push(CheckError::DuplicateRule {
                        id: id.node.clone(),
                        src: src.clone(),
                        span: id.span.into(),
                        first: vec![FirstDefinition {
                            id: id.node.clone(),
                            src: first_src,
                            span: first_span.into(),
                        }],
                    });
                }
                None => {
                    first_seen.insert(id.node.clone(), (index, id.span));
                }
            }
            if let Some(checked) = check_rule(rule, index, &src, &mut errors) {
                rules.push(checked);
            }
        }
        sources.push(source);
    }
    if errors.is_empty() {
        Ok(RuleSet { sources, rules })
    } else {
        Err(errors)
    }
}

fn check_rule(
    rule: Spanned<Rule>,
    source: usize,
    src: &NamedSource<Arc<str>>,
    errors: &mut Vec<CheckError>,
) -> Option<CheckedRule> {
    let Spanned { node: rule, span } = rule;
    let before = errors.len();
    let mut resolver = Resolver {
        src,
        errors,
        lines: Vec::new(),
        slots: HashMap::new(),
        occurrences: Vec::new(),
    };
    let assertion = resolver.comparison(&rule.assertion.node);
    let assertion_lines = resolver.lines.len();
    let condition = rule.condition.as_ref().map(|c| resolver.condition(c));
    if let Some(tolerance) = &rule.tolerance {
        let op = rule.assertion.node.op;
        if !matches!(op.node, CmpOp::Eq | CmpOp::Ne) {
            resolver.errors.push(CheckError::ToleranceOnInequality {
                op: op.node.as_str(),
                src: src.clone(),
                span: tolerance.span.into(),
                op_span: op.span.into(),
            });
        }
    }
    let Resolver {
        lines,
        mut occurrences,
        ..
    } = resolver;
    if errors.len() > before {
        return None;
    }
    occurrences.sort_by_key(|(_, span)| span.start);
    Some(CheckedRule {
        id: rule.id.node,
        source,
        span,
        description: rule.description.map(|d| d.node),
        citation: rule.citation.map(|c| c.node),
        severity: rule.severity.map(|s| s.node).unwrap_or_default(),
        condition: condition.flatten(),
        assertion: assertion?,
        assertion_span: rule.assertion.span,
        tolerance: rule.tolerance.map(|t| (t.node, t.span)),
        lines,
        assertion_lines,
        occurrences,
        left_text: Print(&rule.assertion.node.left.node).to_string(),
        right_text: Print(&rule.assertion.node.right.node).to_string(),
    })
}

/// Resolves one rule's expressions, numbering its lines as it meets them.
struct Resolver<'a> {
    src: &'a NamedSource<Arc<str>>,
    errors: &'a mut Vec<CheckError>,
    lines: Vec<LineCode>,
    /// Each line's index in `lines`, so a rule with many terms resolves in linear time.
    slots: HashMap<LineCode, usize>,
    occurrences: Vec<(usize, Span)>,
}

impl Resolver<'_> {
    fn slot(&mut self, code: LineCode, span: Span) -> usize {
        let next = self.lines.len();
        let slot = *self.slots.entry(code).or_insert(next);
        if slot == next {
            self.lines.push(code);
        }
        self.occurrences.push((slot, span));
        slot
    }

    fn comparison(&mut self, assertion: &Assertion) -> Option<Comparison> {
        let left = self.expr(&assertion.left);
        let right = self.expr(&assertion.right);
        Some(Comparison {
            left: left?,
            op: assertion.op.node,
            op_span: assertion.op.span,
            right: right?,
        })
    }

    fn condition(&mut self, condition: &Spanned<Condition>) -> Option<Cond> {
        Some(match &condition.node {
            Condition::All(parts) => Cond::All(self.conditions(parts)?),
            Condition::Any(parts) => Cond::Any(self.conditions(parts)?),
            Condition::Not(inner) => Cond::Not(Box::new(self.condition(inner)?)),
            Condition::Blank { line, blank } => Cond::Blank {
                slot: self.slot(line.node, line.span),
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
            Expr::Money(value) | Expr::Ratio(value) | Expr::Percent(value) => Node::Const(*value),
            Expr::Neg(inner) => Node::Neg(Box::new(self.expr(inner)?)),
            Expr::Chain { first, rest } => {
                let first = self.expr(first);
                let rest: Vec<_> = rest
                    .iter()
                    .map(|(op, operand)| Some((op.node, op.span, self.expr(operand)?)))
                    .collect();
                Node::Chain {
                    first: Box::new(first?),
                    rest: rest.into_iter().collect::<Option<_>>()?,
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

/// "did you mean `max`?" and the list of functions.
fn function_help(name: &str) -> String {
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
fn edit_distance(a: &str, b: &str) -> usize {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;

    fn check_texts(texts: &[&str]) -> Result<RuleSet, Vec<CheckError>> {
        let files = texts
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let source = Source::new(format!("f{i}.xfoot"), *text);
                let file = syntax::parse(&source).unwrap();
                (source, file)
            })
            .collect();
        check(files)
    }

    fn errors(texts: &[&str]) -> Vec<String> {
        check_texts(texts)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn numbers_lines_once_assertion_first() {
        let set = check_texts(&["rule t 7190 = 7180 - 7190 when 7060 > 7180"]).unwrap();
        let rule = &set.rules()[0];
        let lines: Vec<_> = rule.lines.iter().map(ToString::to_string).collect();
        assert_eq!(lines, ["7190", "7180", "7060"]);
        assert_eq!(rule.assertion_lines, 2);
        assert_eq!(rule.occurrences.len(), 5);
        assert_eq!(rule.right_text, "7180 - 7190");
    }

    #[test]
    fn finds_duplicates_across_files() {
        assert_eq!(
            errors(&["rule a 1 = 1", "rule b 1 = 1\nrule a 2 = 2"]),
            ["rule id `a` is used twice"]
        );
    }

    #[test]
    fn collects_every_problem_in_order() {
        assert_eq!(
            errors(&[
                "rule a 7010 = maximum(1, 2)\nrule b 7010 = abs(1, 2)\nrule c 7010 = round(7, 7010 + 1)\nrule d 7050 >= $0 within $1"
            ]),
            [
                "unknown function `maximum`",
                "`abs` takes one argument, but is given 2",
                "the places of `round` must be a whole number from 0 to 28",
                "a tolerance applies only to `=` and `!=`, not to `>=`",
            ]
        );
    }

    #[test]
    fn suggests_a_close_function() {
        assert!(function_help("Max").starts_with("did you mean `max`?"));
        assert!(function_help("rnd").starts_with("did you mean `round`?"));
        assert!(function_help("frobnicate").starts_with("the functions are"));
    }

    #[test]
    fn reads_round_places() {
        let set = check_texts(&["rule t 7010 = round(7020, 2)"]).unwrap();
        let Node::Call { func, args, .. } = &set.rules()[0].assertion.right else {
            panic!("expected a call");
        };
        assert_eq!(*func, Func::Round { places: 2 });
        assert_eq!(args.len(), 1);
        assert_eq!(set.rules()[0].lines.len(), 2, "places is not a line");
    }
}
