//! Rules that parse and resolve but cannot do their job: trivial rules, division by a
//! literal zero, conflicting totals, deduction lines without a sign rule.

use crossfoot_syntax::source::Source;

use super::{Catalogue, CheckError, CheckedRule, FirstDefinition, Node, Problems, single_line};
use crossfoot_syntax::ast::{BinOp, CmpOp, Condition, Expr, Rule};
use crossfoot_syntax::line::{CodeMap, LineCode};
use crossfoot_syntax::source::Spanned;

/// `$1 = $1` (constants only) and `7010 = 7010` (the same formula on both sides).
pub(super) fn trivial(
    rule: &Rule,
    assertion_lines: usize,
    src: &Source,
    errors: &mut Vec<CheckError>,
) {
    let assertion = &rule.assertion.node;
    let (why, verdict) = if assertion_lines == 0 {
        (
            "compares constants only",
            "reads no line, so its verdict is the same on every report",
        )
    } else if assertion.left == assertion.right {
        let verdict = match assertion.op.node {
            CmpOp::Eq | CmpOp::Le | CmpOp::Ge => "holds on every report",
            CmpOp::Ne | CmpOp::Lt | CmpOp::Gt => "fails on every report",
        };
        ("has the same formula on both sides", verdict)
    } else {
        return;
    };
    errors.push(CheckError::TrivialRule {
        rule: rule.id.node.clone(),
        why,
        src: src.clone(),
        span: rule.assertion.span.into(),
        verdict,
    });
}

/// `7010 / $0`, `7010 / 0.0`: a division that fails on every report.
pub(super) fn literal_division_by_zero(rule: &Rule, src: &Source, errors: &mut Vec<CheckError>) {
    let mut pending: Vec<&Spanned<Expr>> =
        vec![&rule.assertion.node.left, &rule.assertion.node.right];
    let mut conditions: Vec<&Condition> = rule.condition.iter().map(|c| &c.node).collect();
    while let Some(condition) = conditions.pop() {
        match condition {
            Condition::All(parts) | Condition::Any(parts) => {
                conditions.extend(parts.iter().map(|p| &p.node));
            }
            Condition::Not(inner) => conditions.push(&inner.node),
            Condition::Blank { .. } => {}
            Condition::Compare(assertion) => {
                pending.push(&assertion.left);
                pending.push(&assertion.right);
            }
        }
    }
    while let Some(expr) = pending.pop() {
        match &expr.node {
            Expr::Neg(inner) => pending.push(inner),
            Expr::Chain { first, rest } => {
                pending.push(first);
                for (op, operand) in rest {
                    if op.node == BinOp::Div && is_zero_literal(&operand.node) {
                        errors.push(CheckError::DivisionByZero {
                            src: src.clone(),
                            span: operand.span.into(),
                        });
                    }
                    pending.push(operand);
                }
            }
            Expr::Call { args, .. } => pending.extend(args),
            Expr::Line(_) | Expr::Money(_) | Expr::Ratio(_) | Expr::Percent(_) | Expr::Name(_) => {}
        }
    }
}

fn is_zero_literal(expr: &Expr) -> bool {
    match expr {
        Expr::Money(v) | Expr::Ratio(v) | Expr::Percent(v) => v.is_zero(),
        Expr::Neg(inner) => is_zero_literal(&inner.node),
        _ => false,
    }
}

/// An example that sets a line its rule does not read: most likely a line code that
/// changed in the rule and not in its examples (the example then tests a blank line).
/// A warning at each such line of a `passes` or `fails` example, `prior(…)` amounts
/// included. A `skips` example may set other lines on purpose: they describe the report
/// the rule is skipped on (a condensed layout that gives a detail line and leaves the
/// total blank).
pub(super) fn unread_example_lines(
    rule: &Rule,
    reads: &[LineCode],
    src: &Source,
    warnings: &mut Vec<CheckError>,
) {
    let read: Vec<String> = reads.iter().map(ToString::to_string).collect();
    for example in &rule.examples {
        if example.node.expect == crossfoot_syntax::ast::Expectation::Skips {
            continue;
        }
        let set = example.node.lines.iter().chain(&example.node.prior);
        for (code, _) in set {
            if reads.contains(&code.node) {
                continue;
            }
            warnings.push(CheckError::UnreadExampleLine {
                code: code.node.to_string(),
                rule: rule.id.node.clone(),
                reads: read.join(", "),
                src: src.clone(),
                span: code.span.into(),
            });
        }
    }
}

/// A line asserted equal to two different formulas by unconditional rules.
pub(super) fn conflicting_totals(rules: &[CheckedRule], srcs: &[Source], problems: &mut Problems) {
    let mut totals: CodeMap<Vec<&CheckedRule>> = CodeMap::default();
    for rule in rules {
        if rule.assertion.op != CmpOp::Eq || rule.condition.is_some() {
            continue;
        }
        let Some(line) = single_line(rule, &rule.assertion.left) else {
            continue;
        };
        let earlier = totals.entry(line).or_default();
        // Versions of one rule, and rules never in force on the same day, cannot conflict.
        let first = earlier.iter().copied().find(|first| {
            first.id != rule.id && first.period.first_shared_day(rule.period).is_some()
        });
        earlier.push(rule);
        let Some(first) = first else {
            continue;
        };
        let (formula, first_formula) = (rule.right_text(), first.right_text());
        if formula == first_formula {
            continue;
        }
        let (Some(src), Some(first_src)) = (srcs.get(rule.source), srcs.get(first.source)) else {
            continue;
        };
        problems.push(
            rule.source,
            rule.span.start,
            CheckError::ConflictingTotals {
                line: line.to_string(),
                first_rule: first.id.clone(),
                rule: rule.id.clone(),
                src: src.clone(),
                span: rule.assertion_span.into(),
                formula: formula.to_owned(),
                first: vec![FirstDefinition {
                    what: format!("`{}` asserts {line} = {first_formula}", first.id),
                    src: first_src.clone(),
                    span: first.assertion_span.into(),
                    label: format!("{line} = {first_formula}"),
                }],
            },
        );
    }
}

/// Every deduction line of the catalogue should have a rule `LINE <= $0`.
pub(super) fn sign_rules(
    catalogue: &Catalogue,
    rules: &[CheckedRule],
    srcs: &[Source],
    problems: &mut Problems,
) {
    let signed: Vec<LineCode> = rules.iter().filter_map(sign_rule_line).collect();
    for page in catalogue.pages() {
        for code in &page.lines {
            let Some(info) = catalogue.line(*code) else {
                continue;
            };
            if !info.deduction || signed.contains(code) {
                continue;
            }
            let Some(src) = srcs.get(info.source) else {
                continue;
            };
            problems.push(
                info.source,
                info.span.start,
                CheckError::MissingSignRule {
                    code: code.to_string(),
                    src: src.clone(),
                    span: info.span.into(),
                },
            );
        }
    }
}

/// The line a rule keeps from being positive: `7033 <= $0` or `$0 >= 7033`.
fn sign_rule_line(rule: &CheckedRule) -> Option<LineCode> {
    let zero = |node: &Node| matches!(node, Node::Const { value, .. } if value.is_zero());
    let a = &rule.assertion;
    match a.op {
        CmpOp::Le if zero(&a.right) => single_line(rule, &a.left),
        CmpOp::Ge if zero(&a.left) => single_line(rule, &a.right),
        _ => None,
    }
}
