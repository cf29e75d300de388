//! `crossfoot explain`: one rule's evaluation on one report as an indented tree, each line
//! with its label and amount, amounts aligned on the decimal point. Written to be pasted
//! into an email to a controller.

use std::fmt::Write as _;

use crossfoot_core::compile::{CheckedRule, Func, Node, RuleSet};
use crossfoot_core::diagnostic::{difference_text, failure_message};
use crossfoot_core::engine::ReportResult;
use crossfoot_core::eval::{self, Amounts, Facts, RowAmounts, Skip, Status};
use crossfoot_syntax::amount;

/// A rule's status on a report and the amounts it read.
struct Explained<'a> {
    status: &'a Status,
    amounts: &'a RowAmounts<'a>,
    rule: &'a CheckedRule,
    facts: Facts,
}

/// One row of the tree: indentation, operator, text, and an amount (if it has one).
struct Row {
    depth: usize,
    op: &'static str,
    text: String,
    amount: Option<String>,
}

/// The explanation of one rule on one checked report.
pub fn explain(rules: &RuleSet, rule: &CheckedRule, result: &ReportResult) -> String {
    let amounts = result.amounts(rule);
    let status = result.status(rule);
    let outcome = Explained {
        status: &status,
        amounts: &amounts,
        rule,
        facts: result.facts(),
    };
    let mut out = String::new();
    let _ = writeln!(out, "{}", heading(rules, rule));
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "  {} {} {}",
        rule.left_text(),
        rule.assertion().op.as_str(),
        rule.right_text()
    );
    if let Some(span) = rule.tolerance_span() {
        let _ = writeln!(out, "  {}", source_text(rules, rule, span));
    }
    if let Some(condition) = &rule.condition() {
        let when = rule
            .condition_span()
            .map(|s| source_text(rules, rule, s))
            .unwrap_or_default();
        let verdict = match eval::condition_holds(rule, condition, outcome.amounts, outcome.facts) {
            Ok(true) => "holds".to_owned(),
            Ok(false) => "does not hold".to_owned(),
            Err(error) => format!("cannot be evaluated: {error}"),
        };
        let _ = writeln!(out, "  {when}: {verdict}");
    }
    let _ = writeln!(out);
    let mut rows = Vec::new();
    side_rows(
        rules,
        rule,
        &outcome,
        &rule.assertion().left,
        0,
        "",
        &mut rows,
    );
    rows.push(Row {
        depth: 0,
        op: "",
        text: rule.assertion().op.as_str().to_owned(),
        amount: None,
    });
    side_rows(
        rules,
        rule,
        &outcome,
        &rule.assertion().right,
        0,
        "",
        &mut rows,
    );
    write_rows(&mut out, &rows);
    let _ = writeln!(out);
    let _ = writeln!(out, "  {}", verdict(rule, &outcome));
    // Labels, descriptions and citations come from the rule files: shown, never acted on.
    super::text::terminal_lines(&out).into_owned()
}

/// `seg.excess: Excess (deficiency) funds …` then the citation and where the rule is.
fn heading(rules: &RuleSet, rule: &CheckedRule) -> String {
    let mut text = rule.id().to_owned();
    if let Some(description) = rule.description() {
        let _ = write!(text, ": {description}");
    }
    let mut about = Vec::new();
    if let Some(citation) = rule.citation() {
        about.push(citation.to_owned());
    }
    if let Some(source) = rules.source_of(rule) {
        let (line, _) = source.line_col(rule.assertion_span().start);
        about.push(format!("{}:{line}", source.name()));
    }
    if !about.is_empty() {
        let _ = write!(text, "\n  {}", about.join(", "));
    }
    text
}

fn verdict(rule: &CheckedRule, outcome: &Explained<'_>) -> String {
    match outcome.status {
        Status::Pass(sides) | Status::Fail(sides) => {
            let holds = matches!(outcome.status, Status::Pass(_));
            let mut text = format!(
                "difference {} (tolerance {}): ",
                difference_text(sides),
                amount::format_value(sides.tolerance)
            );
            if holds {
                text.push_str("the rule holds");
            } else {
                let _ = write!(text, "the rule FAILS: {}", failure_message(rule));
            }
            text
        }
        Status::Skipped(Skip::AllBlank) => "skipped: every line the rule reads is blank".to_owned(),
        Status::Skipped(Skip::ConditionFalse) => "skipped: its condition does not hold".to_owned(),
        Status::Skipped(skip) => format!("skipped: {}", skip.reason()),
        Status::Error(error) => format!("could not be evaluated: {error}"),
    }
}

/// Rows for one expression and, indented below it, its parts.
fn side_rows(
    rules: &RuleSet,
    rule: &CheckedRule,
    outcome: &Explained<'_>,
    node: &Node,
    depth: usize,
    op: &'static str,
    rows: &mut Vec<Row>,
) {
    let value = eval::value_of(outcome.rule, node, outcome.amounts, outcome.facts);
    let amount = Some(match &value {
        Ok(value) => amount::format_value(*value),
        Err(_) => "(cannot be evaluated)".to_owned(),
    });
    match node {
        Node::Line { slot, prior, .. } => {
            let code = rule
                .lines()
                .get(*slot)
                .map(ToString::to_string)
                .unwrap_or_default();
            let (blank, mut text) = if *prior {
                let blank = outcome.amounts.prior(*slot).is_none();
                (blank, format!("prior({code})"))
            } else {
                (outcome.amounts.amount(*slot).is_none(), code.clone())
            };
            if let Some(label) = rule
                .lines()
                .get(*slot)
                .and_then(|c| rules.label_on(*c, outcome.facts.as_of))
            {
                let _ = write!(text, "  {label}");
            }
            if blank && rule.total_reads().contains(&(*slot, *prior)) {
                text.push_str(" (blank total: the rule is skipped)");
            } else if blank {
                text.push_str(" (blank, counted as 0)");
            }
            rows.push(Row {
                depth,
                op,
                text,
                amount,
            });
        }
        Node::Const { span, .. } => rows.push(Row {
            depth,
            op,
            text: source_text(rules, rule, *span),
            amount,
        }),
        Node::Neg { inner, span } => {
            rows.push(Row {
                depth,
                op,
                text: source_text(rules, rule, *span),
                amount,
            });
            side_rows(rules, rule, outcome, inner, depth + 1, "-", rows);
        }
        Node::Chain { first, rest, span } => {
            rows.push(Row {
                depth,
                op,
                text: source_text(rules, rule, *span),
                amount,
            });
            side_rows(rules, rule, outcome, first, depth + 1, "", rows);
            for (op, _, operand) in rest {
                side_rows(rules, rule, outcome, operand, depth + 1, op.as_str(), rows);
            }
        }
        Node::Call { func, args, span } => {
            let mut text = source_text(rules, rule, *span);
            if let (Func::Round { places, mode }, Some(arg)) = (func, args.first()) {
                let unit = match places {
                    Some(0) => "whole units".to_owned(),
                    Some(places) => format!("{places} decimal places"),
                    None => match args
                        .get(1)
                        .map(|step| source_text(rules, rule, step.span()))
                    {
                        Some(step) => format!("a multiple of {step}"),
                        None => "whole units".to_owned(),
                    },
                };
                let _ = write!(text, ", rounded to {unit}, {}", mode.words());
                if let Ok(from) = eval::value_of(outcome.rule, arg, outcome.amounts, outcome.facts)
                {
                    if Ok(from) != value {
                        let _ = write!(text, ", from {}", amount::format_value(from));
                    }
                }
            }
            rows.push(Row {
                depth,
                op,
                text,
                amount,
            });
            for arg in args {
                side_rows(rules, rule, outcome, arg, depth + 1, "", rows);
            }
        }
    }
}

/// The rule's own text at a span, on one line.
fn source_text(
    rules: &RuleSet,
    rule: &CheckedRule,
    span: crossfoot_syntax::source::Span,
) -> String {
    let text = rules.source_of(rule).map(|s| s.slice(span)).unwrap_or("");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The rows: amounts first, in one column aligned on the decimal point, then the tree.
fn write_rows(out: &mut String, rows: &[Row]) {
    let split = |amount: &str| -> (String, String) {
        match amount.split_once('.') {
            Some((whole, fraction)) => (whole.to_owned(), format!(".{fraction}")),
            None => (amount.to_owned(), String::new()),
        }
    };
    let amounts: Vec<(String, String)> = rows
        .iter()
        .map(|r| r.amount.as_deref().map(split).unwrap_or_default())
        .collect();
    let whole_width = amounts
        .iter()
        .map(|(w, _)| w.chars().count())
        .max()
        .unwrap_or(0);
    let fraction_width = amounts
        .iter()
        .map(|(_, f)| f.chars().count())
        .max()
        .unwrap_or(0);
    for (row, (whole, fraction)) in rows.iter().zip(&amounts) {
        let op = if row.op.is_empty() {
            "  ".to_owned()
        } else {
            format!("{} ", row.op)
        };
        let tree = format!("{}{op}{}", "  ".repeat(row.depth), row.text);
        let line = format!("  {whole:>whole_width$}{fraction:<fraction_width$}  {tree}");
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossfoot_core::compile::compile;
    use crossfoot_syntax as syntax;
    use crossfoot_syntax::source::Source;
    use rust_decimal::Decimal;

    fn explain_text(rules: &str, lines: &[(&str, &str)]) -> String {
        let source = Source::new("t.xfoot", rules);
        let file = syntax::parse(&source).unwrap();
        let set = compile(vec![(source, file)]).unwrap().rules;
        let report = crossfoot_core::report::Report::from_lines(
            "r.yaml",
            lines
                .iter()
                .map(|(c, a)| (c.parse().unwrap(), a.parse::<Decimal>().unwrap())),
        );
        let row = crossfoot_core::report::Row::of(&set, &report);
        let result = crossfoot_core::engine::check_row(&set, None, row);
        explain(&set, &set.rules()[0], &result)
    }

    #[test]
    fn aligns_amounts_on_the_decimal_point() {
        let text = explain_text(
            "page p \"P\"\n  7415 \"Customer margin\"\n  7425 \"8% of A.i\"\nrule c \"ii\" cite \"17 CFR 1.17\"\n  7425 = round(8% * 7415)\n",
            &[("7415", "4502700297"), ("7425", "360216024")],
        );
        assert_eq!(
            text,
            "c: ii\n  17 CFR 1.17, t.xfoot:5\n\n  7425 = round(8% * 7415)\n\n    360,216,024       7425  8% of A.i\n                      =\n    360,216,024       round(8% * 7415), rounded to whole units, ties away from zero, from 360,216,023.76\n    360,216,023.76      8% * 7415\n              0.08        8%\n  4,502,700,297         * 7415  Customer margin\n\n  difference 0 (tolerance 0): the rule holds\n"
        );
    }
}
