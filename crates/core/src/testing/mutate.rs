//! Mutation testing: change each rule a little and check that some example notices.
//!
//! Mutants of a rule's assertion: swap two line codes, flip a `+` or `-`, drop an operand
//! of a sum, change a percentage or ratio, remove the tolerance, remove a rounding. Swaps
//! that cannot change the result (two terms of one sum with the same sign, two arguments
//! of `max`, `min` or `sum`) are not generated. Mutants of the boundaries, in the assertion
//! and in the `when` condition: move a money constant by one unit of its last digit either
//! way (`$250,000` → `$249,999`, `$250,001`), make a comparison strict or not (`>=` ↔ `>`,
//! `<=` ↔ `<`); and negate or remove the condition. A mutant is killed when at least one of
//! the rule's examples gets a different verdict; one that survives shows a gap in the
//! examples (a boundary no example sits on).

use rust_decimal::Decimal;

use super::{example_status, matches};
use crate::compile::{CheckedRule, Cond, Constant, Func, Node, RuleSet, Within};
use crate::eval::{self, Value};
use crossfoot_syntax::ast::{BinOp, CmpOp};
use crossfoot_syntax::source::Span;

/// A changed copy of a rule.
#[derive(Clone, Debug)]
pub struct Mutant {
    /// What was changed: `swap 7180 and 7060`, `` `+` → `-` ``, …
    pub description: String,
    /// Where the change is, in the rule's file.
    pub span: Span,
    /// The changed rule.
    pub rule: CheckedRule,
}

/// A mutant and whether the examples kill it.
#[derive(Clone, Debug)]
pub struct MutantRun<'a> {
    /// The original rule.
    pub rule: &'a CheckedRule,
    /// The mutant.
    pub mutant: Mutant,
    /// Whether some example's verdict changed.
    pub killed: bool,
}

/// Every mutant of every rule, run against the rule's examples.
pub fn run_mutants(rules: &RuleSet) -> Vec<MutantRun<'_>> {
    let mut runs = Vec::new();
    for rule in rules.rules() {
        for mutant in mutants(rules, rule) {
            let killed = rule
                .examples
                .iter()
                .any(|e| !matches(e.expect, &example_status(&mutant.rule, e)));
            runs.push(MutantRun {
                rule,
                mutant,
                killed,
            });
        }
    }
    runs
}

/// The mutants of one rule.
pub fn mutants(rules: &RuleSet, rule: &CheckedRule) -> Vec<Mutant> {
    let text = |span: Span| -> String {
        let raw = rules.source_of(rule).map(|s| s.slice(span)).unwrap_or("");
        raw.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let mut found = Vec::new();
    swaps(rule, &mut found);
    for kind in [Site::Flip, Site::Drop, Site::Constant, Site::Round] {
        let mut count = 0;
        let mut probe = rule.clone();
        visit(&mut probe, &mut |node| count += sites(node, kind, &text));
        for target in 0..count {
            let mut mutant = rule.clone();
            let mut seen = 0;
            let mut change = None;
            visit(&mut mutant, &mut |node| {
                let here = sites(node, kind, &text);
                if change.is_none() && (seen..seen + here).contains(&target) {
                    change = apply(node, kind, target - seen, &text);
                }
                seen += here;
            });
            if let Some((description, span)) = change {
                found.push(Mutant {
                    description,
                    span,
                    rule: mutant.changed(),
                });
            }
        }
    }
    if let Some((_, span)) = rule.tolerance {
        let mut mutant = rule.clone();
        mutant.tolerance = None;
        found.push(Mutant {
            description: format!("remove `{}`", text(span)),
            span,
            rule: mutant.changed(),
        });
    }
    boundaries(rule, &text, &mut found);
    conditions(rule, &text, &mut found);
    found
}

/// Money constants moved by one unit, then comparisons made strict or not, in the
/// assertion and the condition.
fn boundaries(rule: &CheckedRule, text: &dyn Fn(Span) -> String, found: &mut Vec<Mutant>) {
    let mut count = 0;
    let mut probe = rule.clone();
    visit_all(&mut probe, &mut |node| count += money_sites(node, text));
    for target in 0..count {
        let mut mutant = rule.clone();
        let (mut seen, mut change) = (0, None);
        visit_all(&mut mutant, &mut |node| {
            let here = money_sites(node, text);
            if change.is_none() && (seen..seen + here).contains(&target) {
                change = move_money(node, target - seen, text);
            }
            seen += here;
        });
        if let Some((description, span)) = change {
            found.push(Mutant {
                description,
                span,
                rule: mutant.changed(),
            });
        }
    }
    let mut count = 0;
    let mut probe = rule.clone();
    comparisons(&mut probe, &mut |op, _| {
        count += usize::from(loosened(*op).is_some())
    });
    for target in 0..count {
        let mut mutant = rule.clone();
        let (mut seen, mut change) = (0, None);
        comparisons(&mut mutant, &mut |op, span| {
            let Some(other) = loosened(*op) else {
                return;
            };
            if seen == target {
                change = Some((format!("`{}` → `{}`", op.as_str(), other.as_str()), span));
                *op = other;
            }
            seen += 1;
        });
        if let Some((description, span)) = change {
            found.push(Mutant {
                description,
                span,
                rule: mutant.changed(),
            });
        }
    }
}

/// The comparison that differs from `op` only on its boundary: `>=` ↔ `>`, `<=` ↔ `<`.
/// (`=` and `!=` have no boundary to move.)
fn loosened(op: CmpOp) -> Option<CmpOp> {
    match op {
        CmpOp::Ge => Some(CmpOp::Gt),
        CmpOp::Gt => Some(CmpOp::Ge),
        CmpOp::Le => Some(CmpOp::Lt),
        CmpOp::Lt => Some(CmpOp::Le),
        CmpOp::Eq | CmpOp::Ne => None,
    }
}

/// The condition negated, and removed.
fn conditions(rule: &CheckedRule, text: &dyn Fn(Span) -> String, found: &mut Vec<Mutant>) {
    let (Some(condition), Some(span)) = (&rule.condition, rule.condition_span) else {
        return;
    };
    let written = text(span);
    let mut negated = rule.clone();
    negated.condition = Some(Cond::Not(Box::new(condition.clone())));
    found.push(Mutant {
        description: format!("negate `{written}`"),
        span,
        rule: negated.changed(),
    });
    let mut removed = rule.clone();
    removed.condition = None;
    found.push(Mutant {
        description: format!("remove `{written}`"),
        span,
        rule: removed.changed(),
    });
}

/// Each comparison's operator and where it is written: the assertion's, then the
/// condition's, in order.
fn comparisons(rule: &mut CheckedRule, f: &mut dyn FnMut(&mut CmpOp, Span)) {
    // Under `within rounding` the true values range over intervals, so a strict and a
    // non-strict comparison differ only when a band ends exactly on the boundary, which
    // printed figures (each ±5 in the digit after its last) almost never reach: those
    // mutants would survive every honest example. Conditions stay exact and are mutated.
    if !matches!(rule.tolerance, Some((Within::Rounding, _))) {
        f(&mut rule.assertion.op, rule.assertion.op_span);
    }
    if let Some(condition) = &mut rule.condition {
        cond_comparisons(condition, f);
    }
}

fn cond_comparisons(condition: &mut Cond, f: &mut dyn FnMut(&mut CmpOp, Span)) {
    match condition {
        Cond::All(parts) | Cond::Any(parts) => {
            for part in parts {
                cond_comparisons(part, f);
            }
        }
        Cond::Not(inner) => cond_comparisons(inner, f),
        Cond::Compare(comparison) => f(&mut comparison.op, comparison.op_span),
        Cond::Blank { .. } => {}
    }
}

/// Visit both sides of the assertion, then both sides of every comparison of the
/// condition, each node before its children.
fn visit_all(rule: &mut CheckedRule, f: &mut dyn FnMut(&mut Node)) {
    visit(rule, f);
    if let Some(condition) = &mut rule.condition {
        visit_cond(condition, f);
    }
}

fn visit_cond(condition: &mut Cond, f: &mut dyn FnMut(&mut Node)) {
    match condition {
        Cond::All(parts) | Cond::Any(parts) => {
            for part in parts {
                visit_cond(part, f);
            }
        }
        Cond::Not(inner) => visit_cond(inner, f),
        Cond::Compare(comparison) => {
            walk(&mut comparison.left, f);
            walk(&mut comparison.right, f);
        }
        Cond::Blank { .. } => {}
    }
}

/// Two mutants for a money constant (one unit less, one more); none for anything else.
fn money_sites(node: &Node, text: &dyn Fn(Span) -> String) -> usize {
    match node {
        Node::Const {
            value: Constant::Money(_),
            span,
        } if text(*span).starts_with('$') => 2,
        _ => 0,
    }
}

/// A money constant moved by one unit of its last digit: down for `index` 0, up for 1.
fn move_money(
    node: &mut Node,
    index: usize,
    text: &dyn Fn(Span) -> String,
) -> Option<(String, Span)> {
    let Node::Const { value, span, .. } = node else {
        return None;
    };
    let written = text(*span);
    let digits: String = written.chars().filter(|c| *c != '$' && *c != ',').collect();
    let amount: Decimal = digits.parse().ok()?;
    let unit = Decimal::new(1, amount.scale());
    let moved = if index == 0 {
        amount.checked_sub(unit)?
    } else {
        amount.checked_add(unit)?
    };
    *value = value.with_value(Value::from(moved));
    let shown = if moved.is_sign_negative() {
        format!("-${}", crossfoot_syntax::amount::format(-moved))
    } else {
        format!("${}", crossfoot_syntax::amount::format(moved))
    };
    Some((format!("`{written}` → `{shown}`"), *span))
}

/// The kinds of place a mutation applies to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Site {
    /// Each operator of a sum.
    Flip,
    /// Each operand of a sum.
    Drop,
    /// Each percentage or ratio constant.
    Constant,
    /// Each `round`.
    Round,
}

/// Visit both sides of the assertion, each node before its children.
fn visit(rule: &mut CheckedRule, f: &mut dyn FnMut(&mut Node)) {
    walk(&mut rule.assertion.left, f);
    walk(&mut rule.assertion.right, f);
}

fn walk(node: &mut Node, f: &mut dyn FnMut(&mut Node)) {
    f(node);
    match node {
        Node::Neg { inner, .. } => walk(inner, f),
        Node::Chain { first, rest, .. } => {
            walk(first, f);
            for (_, _, operand) in rest {
                walk(operand, f);
            }
        }
        Node::Call { args, .. } => {
            for arg in args {
                walk(arg, f);
            }
        }
        Node::Line { .. } | Node::Const { .. } => {}
    }
}

fn is_sum(rest: &[(BinOp, Span, Node)]) -> bool {
    rest.iter().all(|(op, _, _)| op.is_additive())
}

/// How many sites of a kind this node itself offers.
fn sites(node: &Node, kind: Site, text: &dyn Fn(Span) -> String) -> usize {
    match (kind, node) {
        (Site::Flip, Node::Chain { rest, .. }) if is_sum(rest) => rest.len(),
        (Site::Drop, Node::Chain { rest, .. }) if is_sum(rest) => rest.len() + 1,
        (Site::Constant, Node::Const { span, .. }) => {
            let written = text(*span);
            usize::from(
                written.ends_with('%') || (written.contains('.') && !written.starts_with('$')),
            )
        }
        (
            Site::Round,
            Node::Call {
                func: Func::Round { .. },
                ..
            },
        ) => 1,
        _ => 0,
    }
}

/// Apply the `index`-th site of `kind` on this node; what changed and where.
fn apply(
    node: &mut Node,
    kind: Site,
    index: usize,
    text: &dyn Fn(Span) -> String,
) -> Option<(String, Span)> {
    match (kind, &mut *node) {
        (Site::Flip, Node::Chain { rest, .. }) => {
            let (op, span, _) = rest.get_mut(index)?;
            let from = *op;
            *op = if from == BinOp::Add {
                BinOp::Sub
            } else {
                BinOp::Add
            };
            Some((format!("`{}` → `{}`", from.as_str(), op.as_str()), *span))
        }
        (Site::Drop, Node::Chain { first, rest, .. }) => {
            if index == 0 {
                let (op, _, next) = rest.first()?.clone();
                let dropped = first.span();
                rest.remove(0);
                **first = if op == BinOp::Sub {
                    Node::Neg {
                        span: next.span(),
                        inner: Box::new(next),
                    }
                } else {
                    next
                };
                if rest.is_empty() {
                    *node = (**first).clone();
                }
                return Some((format!("drop `{}`", text(dropped)), dropped));
            }
            let (_, _, operand) = rest.get(index - 1)?;
            let dropped = operand.span();
            rest.remove(index - 1);
            if rest.is_empty() {
                *node = (**first).clone();
            }
            Some((format!("drop `{}`", text(dropped)), dropped))
        }
        (Site::Constant, Node::Const { value, span, .. }) => {
            let written = text(*span);
            // One percentage point (0.01) more: 8% → 9%, 1.10 → 1.11.
            *value = value.with_value(
                value
                    .as_written()
                    .checked_add(Value::from(Decimal::new(1, 2)))?,
            );
            Some((
                format!("`{written}` changed by 0.01 (one percentage point)"),
                *span,
            ))
        }
        (
            Site::Round,
            Node::Call {
                func: Func::Round { .. },
                args,
                span,
            },
        ) => {
            let call = *span;
            let inner = args.first()?.clone();
            *node = inner;
            Some((format!("remove the rounding in `{}`", text(call)), call))
        }
        _ => None,
    }
}

/// Swap each pair of distinct lines the assertion reads, unless the swap cannot matter.
fn swaps(rule: &CheckedRule, found: &mut Vec<Mutant>) {
    let mut places: Vec<(usize, Option<(usize, i8)>)> = Vec::new();
    let mut group = 0;
    collect(&rule.assertion.left, None, &mut group, &mut places);
    collect(&rule.assertion.right, None, &mut group, &mut places);
    let slots = rule.assertion_lines;
    for a in 0..slots {
        for b in a + 1..slots {
            let place = |slot: usize| -> Vec<Option<(usize, i8)>> {
                places
                    .iter()
                    .filter(|(s, _)| *s == slot)
                    .map(|(_, p)| *p)
                    .collect()
            };
            let (pa, pb) = (place(a), place(b));
            let interchangeable =
                matches!((pa.as_slice(), pb.as_slice()), ([Some(x)], [Some(y)]) if x == y);
            if interchangeable || same_linear_rule(rule, a, b) {
                continue;
            }
            let mut mutant = rule.clone();
            let mut swap = |node: &mut Node| {
                if let Node::Line { slot, .. } = node {
                    if *slot == a {
                        *slot = b;
                    } else if *slot == b {
                        *slot = a;
                    }
                }
            };
            visit(&mut mutant, &mut swap);
            if same_shape(rule, &mutant) {
                // `abs(3870) + abs(3880)`: the swap only reorders a commutative operation.
                continue;
            }
            let (Some(code_a), Some(code_b)) = (rule.lines.get(a), rule.lines.get(b)) else {
                continue;
            };
            found.push(Mutant {
                description: format!("swap {code_a} and {code_b}"),
                span: rule.assertion_span,
                rule: mutant.changed(),
            });
        }
    }
}

/// Whether a mutant is the rule itself up to the order of the terms of a sum or the
/// arguments of `sum`, `max` or `min`.
fn same_shape(rule: &CheckedRule, mutant: &CheckedRule) -> bool {
    let sides = |r: &CheckedRule| (shape(r, &r.assertion.left), shape(r, &r.assertion.right));
    sides(rule) == sides(mutant)
}

/// A node as text with commutative operations in a canonical order.
fn shape(rule: &CheckedRule, node: &Node) -> String {
    match node {
        Node::Line { slot, prior, .. } => {
            let code = rule
                .lines
                .get(*slot)
                .map(ToString::to_string)
                .unwrap_or_default();
            if *prior {
                format!("prior({code})")
            } else {
                code
            }
        }
        Node::Const { value, .. } => format!("#{}", value.as_written()),
        Node::Neg { inner, .. } => format!("-({})", shape(rule, inner)),
        Node::Chain { first, rest, .. } => {
            let mut parts = vec![format!("+{}", shape(rule, first))];
            parts.extend(
                rest.iter()
                    .map(|(op, _, n)| format!("{}{}", op.as_str(), shape(rule, n))),
            );
            if rest.iter().all(|(op, _, _)| op.is_additive()) {
                parts.sort();
            }
            format!("({})", parts.join(" "))
        }
        Node::Call { func, args, .. } => {
            let mut parts: Vec<String> = args.iter().map(|a| shape(rule, a)).collect();
            if matches!(func, Func::Sum | Func::Max | Func::Min) {
                parts.sort();
            }
            format!("{func:?}({})", parts.join(","))
        }
    }
}

/// Whether swapping two lines gives the same rule, for a rule linear in every line it
/// reads: the coefficients of `left - right` are unchanged by the swap, or, for `=` and
/// `!=` without a constant term, exactly negated (`7190 = 7180 - 7060` swapped to
/// `7060 = 7180 - 7190` is the same equation).
fn same_linear_rule(rule: &CheckedRule, a: usize, b: usize) -> bool {
    let coefficients: Option<Vec<Value>> = (0..rule.assertion_lines)
        .map(|slot| {
            let left = rule.assertion.left.coefficient(slot)?;
            let right = rule.assertion.right.coefficient(slot)?;
            left.checked_sub(right)
        })
        .collect();
    let Some(before) = coefficients else {
        return false;
    };
    let mut after = before.clone();
    after.swap(a, b);
    if after == before {
        return true;
    }
    let zeros = vec![None; rule.lines.len()];
    let facts = eval::Facts::default();
    let constant = |node: &Node| eval::value_of(rule, node, zeros.as_slice(), facts).ok();
    let no_constant = constant(&rule.assertion.left)
        .zip(constant(&rule.assertion.right))
        .is_some_and(|(l, r)| l == r);
    let equation = matches!(rule.assertion.op, CmpOp::Eq | CmpOp::Ne);
    equation && no_constant && after.iter().zip(&before).all(|(x, y)| *x == -*y)
}

/// Where each line occurrence sits: in which commutative group (a sum, or the arguments of
/// `max`/`min`/`sum`), with which sign; `None` where order matters.
fn collect(
    node: &Node,
    place: Option<(usize, i8)>,
    group: &mut usize,
    out: &mut Vec<(usize, Option<(usize, i8)>)>,
) {
    match node {
        Node::Line { slot, .. } => out.push((*slot, place)),
        Node::Const { .. } => {}
        Node::Neg { inner, .. } => collect(inner, None, group, out),
        Node::Chain { first, rest, .. } => {
            let sum = is_sum(rest);
            *group += 1;
            let id = *group;
            collect(first, sum.then_some((id, 1)), group, out);
            for (op, _, operand) in rest {
                let sign = if *op == BinOp::Sub { -1 } else { 1 };
                collect(operand, sum.then_some((id, sign)), group, out);
            }
        }
        Node::Call { func, args, .. } => {
            let commutative = matches!(func, Func::Max | Func::Min | Func::Sum);
            *group += 1;
            let id = *group;
            for arg in args {
                collect(arg, commutative.then_some((id, 0)), group, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossfoot_syntax::source::Source;

    fn descriptions(text: &str) -> Vec<String> {
        let source = Source::new("t.xfoot", text);
        let checked = crate::load::check_sources(vec![source]).unwrap();
        let rules = checked.rules;
        let rule = &rules.rules()[0];
        mutants(&rules, rule)
            .into_iter()
            .map(|m| m.description)
            .collect()
    }

    /// A mutant is a changed rule: the evaluator's verdict on it is its own, never the
    /// original's (the fast path of a flat sum is made again for it).
    #[test]
    fn a_mutant_is_evaluated_as_changed() {
        let source = Source::new("t.xfoot", "rule t 7190 = 7180 - 7060 + 7070 - $5");
        let rules = crate::load::check_sources(vec![source]).unwrap().rules;
        let rule = &rules.rules()[0];
        let row: Vec<Option<rust_decimal::Decimal>> = [20, 30, 20, 15]
            .iter()
            .map(|&n| Some(rust_decimal::Decimal::from(n)))
            .collect();
        let facts = crate::eval::Facts::default();
        let mut differ = 0;
        for mutant in mutants(&rules, rule) {
            let amounts = crate::eval::RowAmounts::new(&mutant.rule, &row);
            let walked = crate::eval::evaluate_rule(&mutant.rule, &amounts, facts).verdict();
            assert_eq!(
                crate::eval::verdict(&mutant.rule, &amounts, facts),
                walked,
                "{}",
                mutant.description
            );
            let original = crate::eval::verdict(rule, &amounts, facts);
            differ += usize::from(walked != original);
        }
        assert!(differ > 0, "no mutant changed the verdict");
    }

    #[test]
    fn moves_money_by_one_unit_of_its_last_digit_and_boundaries_by_one_step() {
        let found = descriptions("rule t 7010 <= $0.50 when 7020 > $0 and not 7030 = $1,000");
        for expected in [
            "`$0.50` → `$0.49`",
            "`$0.50` → `$0.51`",
            "`$0` → `-$1`",
            "`$0` → `$1`",
            "`$1,000` → `$999`",
            "`$1,000` → `$1,001`",
            "`<=` → `<`",
            "`>` → `>=`",
            "negate `when 7020 > $0 and not 7030 = $1,000`",
            "remove `when 7020 > $0 and not 7030 = $1,000`",
        ] {
            assert!(
                found.iter().any(|d| d == expected),
                "{expected} in {found:?}"
            );
        }
        // `=` and `!=` have no boundary to move.
        assert!(!found.iter().any(|d| d.starts_with("`=`")), "{found:?}");
    }
}
