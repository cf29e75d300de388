//! Properties, over generated inputs: consistent reports satisfy the shipped pack's sums and
//! a change to one amount fails exactly the sums that read it, by that amount; `fmt` is
//! idempotent and keeps the rules; amount spellings read back exactly; arithmetic never
//! panics.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly"
)]

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use crossfoot::report::{Report, Row};
use crossfoot::source::Source;
use crossfoot_core::compile::{CheckedRule, RuleSet};
use crossfoot_core::engine::{ReportResult, check_row};
use crossfoot_core::eval::{Status, value_of};
use crossfoot_syntax::ast::CmpOp;
use crossfoot_syntax::line::LineCode;
use proptest::prelude::*;
use rust_decimal::Decimal;

fn pack() -> &'static RuleSet {
    static PACK: OnceLock<RuleSet> = OnceLock::new();
    PACK.get_or_init(|| {
        crossfoot::load::load_rules(Path::new("rules/focus"))
            .unwrap()
            .rules
    })
}

/// The pack's unconditional sums `LINE = …` with integer coefficients, in an order where
/// every line a sum reads is defined before it (or is a leaf).
fn sums() -> &'static (Vec<&'static CheckedRule>, Vec<LineCode>) {
    static SUMS: OnceLock<(Vec<&'static CheckedRule>, Vec<LineCode>)> = OnceLock::new();
    SUMS.get_or_init(|| {
        let linear = |rule: &CheckedRule| {
            (0..rule.assertion_lines()).all(|slot| {
                rule.assertion()
                    .right
                    .coefficient(slot)
                    .is_some_and(|c| c.is_whole())
            })
        };
        let candidates: Vec<&CheckedRule> = pack()
            .rules()
            .iter()
            .filter(|r| {
                r.condition().is_none() && r.assertion().op == CmpOp::Eq && r.tolerance().is_none()
            })
            .filter(|r| {
                matches!(
                    r.assertion().left,
                    crossfoot_core::compile::Node::Line { .. }
                ) && linear(r)
            })
            .collect();
        let target = |r: &CheckedRule| r.lines()[0];
        let targets: Vec<LineCode> = candidates.iter().map(|r| target(r)).collect();
        let mut leaves: Vec<LineCode> = candidates
            .iter()
            .flat_map(|r| r.lines().iter().copied())
            .filter(|l| !targets.contains(l))
            .collect();
        leaves.sort();
        leaves.dedup();
        let mut known: Vec<LineCode> = leaves.clone();
        let mut ordered = Vec::new();
        let mut pending = candidates;
        while !pending.is_empty() {
            let before = pending.len();
            pending.retain(|rule| {
                let ready = rule.lines().iter().skip(1).all(|l| known.contains(l));
                if ready {
                    ordered.push(*rule);
                    known.push(target(rule));
                }
                !ready
            });
            assert!(pending.len() < before, "the sums form a cycle");
        }
        (ordered, leaves)
    })
}

/// A report where every sum holds: leaves given, totals computed in order.
fn consistent(leaves: &[Decimal]) -> Report {
    let (rules, leaf_codes) = sums();
    let mut amounts: HashMap<LineCode, Decimal> = leaf_codes
        .iter()
        .copied()
        .zip(leaves.iter().copied())
        .collect();
    for rule in rules {
        let row: Vec<Option<Decimal>> = rule
            .lines()
            .iter()
            .map(|l| amounts.get(l).copied())
            .collect();
        let facts = crossfoot_core::eval::Facts::default();
        let total = value_of(rule, &rule.assertion().right, row.as_slice(), facts).unwrap();
        amounts.insert(rule.lines()[0], total.to_decimal().unwrap());
    }
    Report::from_lines("generated", amounts)
}

/// Every rule of `rules` on a report.
fn evaluate(rules: &RuleSet, report: &Report) -> ReportResult {
    check_row(rules, None, Row::of(rules, report))
}

/// Amounts with cents and up to 24 significant digits, so every total stays exact.
fn amount() -> impl Strategy<Value = Decimal> {
    (-10i128.pow(23)..10i128.pow(23)).prop_map(|cents| Decimal::from_i128_with_scale(cents, 2))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn consistent_reports_satisfy_every_sum_and_a_change_fails_exactly_its_sums(
        leaves in proptest::collection::vec(amount(), 120),
        pick in any::<prop::sample::Index>(),
        delta in amount().prop_filter("non-zero", |d| !d.is_zero()),
    ) {
        let (rules, leaf_codes) = sums();
        prop_assume!(leaf_codes.len() <= leaves.len());
        let report = consistent(&leaves[..leaf_codes.len()]);
        let evaluation = evaluate(pack(), &report);
        for (rule, _) in evaluation.results(pack()) {
            if rules.iter().any(|r| r.id() == rule.id()) {
                prop_assert!(matches!(evaluation.status(rule), Status::Pass(_)), "{} does not hold: {:?}", rule.id(), evaluation.status(rule));
            }
        }
        // Move one line the sums read by `delta`.
        let mut lines: Vec<LineCode> = rules.iter().flat_map(|r| r.lines().iter().copied()).collect();
        lines.sort();
        lines.dedup();
        let line = *pick.get(&lines);
        let mut changed = report.clone();
        changed.set_amount(line, Some(report.amount(line).unwrap_or_default() + delta));
        let evaluation = evaluate(pack(), &changed);
        for (rule, _) in evaluation.results(pack()) {
            if !rules.iter().any(|r| r.id() == rule.id()) {
                continue;
            }
            let slot = rule.lines().iter().position(|l| *l == line);
            let coefficient = slot.map(|s| rule.assertion().left.coefficient(s).unwrap().checked_sub(rule.assertion().right.coefficient(s).unwrap()).unwrap());
            match coefficient {
                Some(c) if !c.is_zero() => {
                    let expected = c.checked_mul(delta.into()).unwrap();
                    match &evaluation.status(rule) {
                        Status::Fail(sides) => prop_assert_eq!(sides.difference, Some(expected), "{}", rule.id()),
                        other => prop_assert!(false, "{} should fail by {}, got {:?}", rule.id(), expected, other),
                    }
                }
                _ => prop_assert!(matches!(evaluation.status(rule), Status::Pass(_)), "{} should still hold", rule.id()),
            }
        }
    }

    #[test]
    fn amount_spellings_read_back_exactly(cents in -10i128.pow(26)..10i128.pow(26), scale in 0u32..4) {
        let value = Decimal::from_i128_with_scale(cents, scale);
        let magnitude = crossfoot_syntax::amount::format(value.abs());
        let mut spellings = vec![value.to_string(), crossfoot_syntax::amount::format(value)];
        if value.is_sign_negative() && !value.is_zero() {
            spellings.push(format!("({magnitude})"));
            spellings.push(format!("(${magnitude})"));
            spellings.push(format!("-${magnitude}"));
        } else {
            spellings.push(format!("${magnitude}"));
        }
        for spelling in spellings {
            prop_assert_eq!(crossfoot_syntax::amount::parse(&spelling), Ok(value), "{}", spelling);
        }
    }

    #[test]
    fn arithmetic_never_panics(
        values in proptest::collection::vec((any::<i64>(), 0u32..28), 4),
        ops in proptest::collection::vec(0usize..4, 3),
    ) {
        let symbols = ["+", "-", "*", "/"];
        let ratio = ["+", "-", "*", "/"].map(|op| if op == "*" || op == "/" { "1.5" } else { "7020" });
        let text = format!(
            "rule t 7010 = 7020 {} {} {} 7030 {} 7040\nrule u 7010 / 7020 >= 5%\nrule v 7010 = round(7020 * 1.000000000000000000000000001, 27)\n",
            symbols[ops[0]], ratio[ops[0]], symbols[ops[1]].replace('*', "+").replace('/', "-"), symbols[ops[2]].replace('*', "+").replace('/', "-"),
        );
        let source = Source::new("p.xfoot", text);
        let file = crossfoot_syntax::parse(&source).unwrap();
        let rules = crossfoot_core::compile::compile(vec![(source, file)]).unwrap().rules;
        let codes = ["7010", "7020", "7030", "7040"];
        let report = Report::from_lines(
            "r",
            codes.iter().zip(&values).map(|(c, (m, s))| (c.parse().unwrap(), Decimal::from_i128_with_scale(i128::from(*m), *s))),
        );
        // Overflow and division by zero are outcomes, never panics.
        let _ = evaluate(&rules, &report);
    }
}

/// Rule files from a small grammar, for the formatter.
fn rule_file() -> impl Strategy<Value = String> {
    let line = (7000u32..7100).prop_map(|c| c.to_string());
    let constant = prop_oneof![
        (0u64..10_000_000).prop_map(|v| format!("${v}")),
        (1u32..200).prop_map(|p| format!("{p}%")),
        (1u32..300).prop_map(|r| format!("{}.{:02}", r / 100, r % 100)),
    ];
    let atom = prop_oneof![3 => line, 1 => constant];
    let expr = atom.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(vec!["+", "-"]),
                inner.clone()
            )
                .prop_map(|(a, op, b)| format!("{a} {op} {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) * 1.5 + {b}")),
            inner.clone().prop_map(|a| format!("-({a})")),
            proptest::collection::vec(inner.clone(), 1..4)
                .prop_map(|args| format!("max({})", args.join(", "))),
            inner.prop_map(|a| format!("round({a}, 2)")),
        ]
    });
    let rule = (
        0u32..1000,
        expr.clone(),
        prop::sample::select(vec!["=", "<=", ">="]),
        expr,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(n, left, op, right, comment, cite)| {
            let mut text = format!("rule r{n} \"rule {n}\"\n");
            if cite {
                text.push_str("  cite \"17 CFR 1.17\"   # why\n");
            }
            if comment {
                text.push_str("# a comment before the assertion\n");
            }
            text.push_str(&format!("   {left}   {op}   {right}\n"));
            text
        });
    proptest::collection::vec(rule, 1..6).prop_map(|rules| rules.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn fmt_is_idempotent_and_keeps_the_rules(text in rule_file()) {
        let source = Source::new("g.xfoot", text.as_str());
        let original = crossfoot_syntax::parse(&source);
        prop_assume!(original.is_ok());
        let once = crossfoot_syntax::format_source(&source).unwrap();
        let twice = crossfoot_syntax::format_source(&Source::new("g.xfoot", once.as_str())).unwrap();
        prop_assert_eq!(&once, &twice);
        let reparsed = crossfoot_syntax::parse(&Source::new("g.xfoot", once.as_str())).unwrap();
        prop_assert_eq!(reparsed, original.unwrap());
    }
}

/// Where the grammar allows a comment: before each white-space character outside strings
/// and comments.
fn gaps(text: &str) -> Vec<usize> {
    let mut found = Vec::new();
    let (mut in_string, mut in_comment, mut escaped) = (false, false, false);
    for (i, c) in text.char_indices() {
        if in_comment {
            in_comment = c != '\n';
            continue;
        }
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' | '\n' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '#' => in_comment = true,
            c if c.is_whitespace() => found.push(i),
            _ => {}
        }
    }
    found
}

/// `text` with a comment (and a line end) inserted at each chosen gap.
fn with_comments(text: &str, picks: &[prop::sample::Index]) -> String {
    let gaps = gaps(text);
    let mut at: Vec<usize> = picks.iter().map(|pick| *pick.get(&gaps)).collect();
    at.sort_unstable();
    at.dedup();
    let mut out = text.to_owned();
    for (n, &position) in at.iter().enumerate().rev() {
        out.insert_str(position, &format!(" # c{n}\n"));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn fmt_keeps_comments_wherever_the_grammar_allows_them(
        text in rule_file(),
        picks in proptest::collection::vec(any::<prop::sample::Index>(), 1..8),
    ) {
        prop_assume!(!gaps(&text).is_empty());
        let commented = with_comments(&text, &picks);
        let source = Source::new("g.xfoot", commented.as_str());
        let original = crossfoot_syntax::parse(&source);
        prop_assume!(original.is_ok());
        let once = crossfoot_syntax::format_source(&source);
        prop_assert!(once.is_ok(), "fmt refused:\n{commented}");
        let once = once.unwrap();
        let twice = crossfoot_syntax::format_source(&Source::new("g.xfoot", once.as_str())).unwrap();
        prop_assert_eq!(&once, &twice);
        prop_assert_eq!(once.matches(" # c").count() + once.matches("\n# c").count() + usize::from(once.starts_with("# c")), commented.matches(" # c").count());
    }

    #[test]
    fn fmt_keeps_comments_anywhere_in_the_shipped_pack(
        file in prop::sample::select(vec![
            "rules/focus/cftc/1-segregation.xfoot",
            "rules/focus/cftc/6-net-capital.xfoot",
            "rules/focus/cftc/5-cleared-swaps.xfoot",
        ]),
        picks in proptest::collection::vec(any::<prop::sample::Index>(), 1..12),
    ) {
        let text = std::fs::read_to_string(file).unwrap();
        let commented = with_comments(&text, &picks);
        let source = Source::new(file, commented.as_str());
        prop_assert!(crossfoot_syntax::parse(&source).is_ok());
        let once = crossfoot_syntax::format_source(&source);
        prop_assert!(once.is_ok(), "fmt refused {file} with comments at {picks:?}");
        let once = once.unwrap();
        let twice = crossfoot_syntax::format_source(&Source::new(file, once.as_str())).unwrap();
        prop_assert_eq!(once, twice);
    }
}

/// Two linear rules `within rounding`: a sum with a difference, and a sum with a ratio.
fn rounding_rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| {
        let text = "rule sum \"a sum\"\n  7030 = 7010 + 7020 - 7040 within rounding\n\
                    rule share \"a share\"\n  7050 = 7010 + 50% * 7020 within rounding\n";
        let source = Source::new("rounding.xfoot", text);
        let file = crossfoot_syntax::parse(&source).unwrap();
        crossfoot_core::compile::compile(vec![(source, file)])
            .unwrap()
            .rules
    })
}

/// `value` (in dollars) printed in `unit`, rounded to the nearest unit, ties away from zero.
fn printed(value: Decimal, unit: u32) -> Decimal {
    let factor = Decimal::from(10i64.pow(unit));
    (value / factor).round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Figures rounded from exact values to the report's unit always satisfy a linear rule
    /// `within rounding`; moving the total by more than the band (half a unit per figure)
    /// (by whole units, as printed) always fails it.
    #[test]
    fn within_rounding_holds_for_rounded_figures_and_fails_beyond_the_band(
        exact in proptest::collection::vec(-10i64.pow(15)..10i64.pow(15), 3),
        unit in prop::sample::select(vec![3u32, 6]),
        beyond in 1i64..1000,
        down in any::<bool>(),
    ) {
        let cents: Vec<Decimal> = exact.iter().map(|c| Decimal::new(*c, 2)).collect();
        let (a, b, c) = (cents[0], cents[1], cents[2]);
        let total = a + b - c;
        let share = a + b / Decimal::TWO;
        let named = |unit: u32| if unit == 3 { "thousands" } else { "millions" };
        let unit_of = named(unit).parse::<crossfoot_core::unit::Unit>().unwrap();
        let figures = [
            ("7010", printed(a, unit)),
            ("7020", printed(b, unit)),
            ("7040", printed(c, unit)),
            ("7030", printed(total, unit)),
            ("7050", printed(share, unit)),
        ];
        let report = |moved: Option<Decimal>| {
            let lines = figures.iter().map(|(code, amount)| {
                let amount = match (*code, moved) {
                    ("7030", Some(moved)) => moved,
                    _ => *amount,
                };
                (code.parse::<LineCode>().unwrap(), amount)
            });
            Report::from_lines("generated", lines.collect::<Vec<_>>()).with_unit(unit_of)
        };
        let rules = rounding_rules();
        let result = evaluate(rules, &report(None));
        for rule in rules.rules() {
            prop_assert!(
                matches!(result.status(rule), Status::Pass(_)),
                "{} on {figures:?}: {:?}", rule.id(), result.status(rule)
            );
        }
        // The sum reads four figures: a band of ±2 around the printed difference.
        let sum = &rules.rules()[0];
        let expected = figures[0].1 + figures[1].1 - figures[2].1;
        let step = Decimal::TWO + Decimal::from(beyond);
        let moved = if down { expected - step } else { expected + step };
        let result = evaluate(rules, &report(Some(moved)));
        prop_assert!(
            matches!(result.status(sum), Status::Fail(_)),
            "{moved} for {expected}: {:?}", result.status(sum)
        );
        if let Status::Fail(sides) = result.status(sum) {
            let band = sides.band.unwrap();
            prop_assert_eq!(band.figures, 4);
            let two = crossfoot_core::eval::Value::whole(2);
            prop_assert_eq!(sides.difference.unwrap().checked_sub(band.low).unwrap(), two);
            prop_assert_eq!(band.high.checked_sub(sides.difference.unwrap()).unwrap(), two);
        }
    }
}
