//! `crossfoot test --suggest`: for a rule without a passing or a failing example, an
//! example from the solver, with small round amounts, in the syntax of rule files.
//!
//! An example is evaluated on the rule alone, on a day it is in force, in dollars, with a
//! previous report when it lists `prior(…)` amounts ([`testing::example_status`]); the
//! solver is asked the same: the rule's verdict on its own lines, the other lines blank.
//! It is asked first for amounts that also break no other rule that reads the same lines
//! (each of them passes or is skipped on the example as a report), so the example is one
//! a real report could hold, then without that; first for amounts that are all filled
//! and not zero, in whole hundreds, then whole amounts, then cents. Every example is
//! checked by the engine the way `crossfoot test` runs it before it is shown.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use rust_decimal::Decimal;
use serde::Serialize;

use crossfoot_core::compile::{CheckedExample, CheckedRule, RuleSet, version_name};
use crossfoot_core::eval::{Status, in_force};
use crossfoot_core::testing::{example_day, example_status, matches};
use crossfoot_syntax::ast::Expectation;
use crossfoot_syntax::line::LineCode;
use crossfoot_syntax::source::Span;

use crate::encode::{self, Encoded, Read};
use crate::parts::parts;
use crate::solver::Answer;
use crate::witness::{Amount, printed};
use crate::{Options, ProveError, Session, Tier, smt};

/// What `--suggest` has to say about one rule that lacks a passing or a failing example.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// The rule, as people name it (id, and period for a dated version).
    pub rule: String,
    /// The file it is written in.
    pub file: String,
    /// The line of the file its last clause is on: the examples go after it.
    pub line: usize,
    /// The examples found, each as a line of a rule file (`passes 7010 = 100, …`),
    /// checked by the engine.
    pub examples: Vec<String>,
    /// The kinds of example not found, with why (`fails`: "no report fails this rule").
    pub missing: Vec<(String, String)>,
    /// Whether the examples also break no other rule that reads the rule's lines.
    pub realistic: bool,
}

/// For each rule without a passing or a failing example (in the order of the set), an
/// example of each kind it lacks, or why there is none.
pub fn suggest(rules: &RuleSet, options: &Options) -> Result<Vec<Suggestion>, ProveError> {
    let mut session = Session::start(options)?;
    let encoded: Vec<Result<Encoded, encode::Unsupported>> = rules
        .rules()
        .iter()
        .enumerate()
        .map(|(index, rule)| encode::rule(rule, &format!("r{index}")))
        .collect();
    let mut found = Vec::new();
    for (index, rule) in rules.rules().iter().enumerate() {
        let lacking: Vec<Expectation> = [Expectation::Passes, Expectation::Fails]
            .into_iter()
            .filter(|&kind| !rule.examples().iter().any(|e| e.expect == kind))
            .collect();
        if lacking.is_empty() {
            continue;
        }
        let (file, line) = rules.source_of(rule).map_or_else(
            || (String::new(), 0),
            |source| {
                (
                    source.name().to_owned(),
                    source.line_col(rule.span().end.saturating_sub(1)).0,
                )
            },
        );
        let mut suggestion = Suggestion {
            rule: version_name(rule).into_owned(),
            file,
            line,
            examples: Vec::new(),
            missing: Vec::new(),
            realistic: true,
        };
        match encoded.get(index) {
            Some(Ok(_)) => {
                let asker = Asker {
                    session: &mut session,
                    rules,
                    encoded: &encoded,
                    index,
                };
                asker.examples(&lacking, &mut suggestion)?;
            }
            Some(Err(why)) => {
                for kind in lacking {
                    suggestion.missing.push((
                        kind.as_str().to_owned(),
                        format!("the rule is not compiled for the solver: {}", why.0),
                    ));
                }
            }
            None => {}
        }
        found.push(suggestion);
    }
    Ok(found)
}

/// The questions about one rule's examples.
struct Asker<'a> {
    session: &'a mut Session,
    rules: &'a RuleSet,
    encoded: &'a [Result<Encoded, encode::Unsupported>],
    index: usize,
}

/// How the lines of a rule's assertion are filled, in order of preference.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fill {
    /// Every line filled, above zero.
    Positive,
    /// Every line filled, not zero.
    NonZero,
    /// As the solver likes (blank or zero).
    Any,
}

/// The amounts asked for, in order of preference: every line of the assertion filled
/// (above zero, then not zero) in whole hundreds of growing size, then whole amounts;
/// then any amounts.
/// Each is asked first of a report on which the rules connected to this one hold, then
/// of the rule alone.
fn preferences() -> Vec<(Fill, bool, Tier)> {
    let mut order = Vec::new();
    let round = [
        Tier::Hundreds(1_000),
        Tier::Hundreds(10_000),
        Tier::Hundreds(1_000_000),
        Tier::Hundreds(1_000_000_000),
        Tier::Whole(1_000),
        Tier::Whole(1_000_000_000),
    ];
    for fill in [Fill::Positive, Fill::NonZero] {
        for realistic in [true, false] {
            for tier in round {
                order.push((fill, realistic, tier));
            }
        }
    }
    for realistic in [true, false] {
        for tier in [
            Tier::Hundreds(1_000_000),
            Tier::Whole(1_000_000_000),
            Tier::Cents,
            Tier::Any,
        ] {
            order.push((Fill::Any, realistic, tier));
        }
    }
    order
}

impl Asker<'_> {
    /// An example of each kind in `lacking`, added to `suggestion`, or why not.
    fn examples(
        self,
        lacking: &[Expectation],
        suggestion: &mut Suggestion,
    ) -> Result<(), ProveError> {
        let Asker {
            session,
            rules,
            encoded,
            index,
        } = self;
        let reads = |i: usize| -> &[Read] {
            match encoded.get(i) {
                Some(Ok(encoded)) => &encoded.reads,
                _ => &[],
            }
        };
        let Some(rule) = rules.rules().get(index) else {
            return Ok(());
        };
        let day = example_day(rule);
        // The rules in force that are connected to this one through their lines.
        let in_force_here: Vec<usize> = (0..rules.rules().len())
            .filter(|&j| matches!(encoded.get(j), Some(Ok(_))))
            .filter(|&j| {
                rules
                    .rules()
                    .get(j)
                    .is_some_and(|r| in_force(r, day).is_ok())
            })
            .chain(std::iter::once(index))
            .collect::<BTreeSet<usize>>()
            .into_iter()
            .collect();
        let connected: Vec<usize> = parts(&in_force_here, reads)
            .into_iter()
            .find(|part| part.contains(&index))
            .unwrap_or_default()
            .into_iter()
            .filter(|&j| j != index)
            .collect();
        session.close()?;
        session.solver.run("(push 1)\n")?;
        let mut compiled = session.add(rule, &format!("r{index}"))?.is_ok();
        for &j in &connected {
            if let Some(other) = rules.rules().get(j) {
                compiled &= session.add(other, &format!("r{j}"))?.is_ok();
            }
        }
        let mine: Vec<Read> = reads(index).to_vec();
        // The lines the assertion reads: those an example fills (a line only the
        // condition reads may have to be blank).
        let asserted: Vec<LineCode> = rule
            .lines()
            .iter()
            .take(rule.assertion_lines())
            .copied()
            .collect();
        let all: Vec<Read> = connected
            .iter()
            .flat_map(|&j| reads(j).iter().copied())
            .chain(mine.iter().copied())
            .collect::<BTreeSet<Read>>()
            .into_iter()
            .collect();
        // Dollars; a previous report only when the rule reads one, with an amount on it
        // (an example without `prior(…)` has none).
        let mut base = "(assert (and (= u 0) (= pu 0)))\n".to_owned();
        if rule.reads_prior() {
            let filled: Vec<String> = mine
                .iter()
                .filter(|read| read.prior)
                .map(|read| smt::not(&smt::blank(read.code, true)))
                .collect();
            let _ = writeln!(base, "(assert (and has_prior {}))", smt::or(&filled));
        } else {
            base.push_str("(assert (not has_prior))\n");
        }
        for &kind in lacking {
            let verdict = if kind == Expectation::Passes {
                "pass"
            } else {
                "fail"
            };
            let target = format!("r{index}_{verdict}");
            let mut example = None;
            for (fill, realistic, tier) in preferences() {
                if !compiled {
                    break;
                }
                let mut names = vec![target.clone()];
                if realistic {
                    names.extend(connected.iter().map(|j| format!("r{j}_ok")));
                }
                let mut under = base.clone();
                under.push_str(&session.tier_assertions(tier, &mine));
                for read in mine.iter().filter(|read| asserted.contains(&read.code)) {
                    let (b, v) = (
                        smt::blank(read.code, read.prior),
                        smt::amount(read.code, read.prior),
                    );
                    match fill {
                        Fill::Positive => {
                            let _ = writeln!(under, "(assert (and (not {b}) (> {v} 0.0)))");
                        }
                        Fill::NonZero => {
                            let _ = writeln!(under, "(assert (and (not {b}) (not (= {v} 0.0))))");
                        }
                        Fill::Any => {}
                    }
                }
                if session.ask_under(&names, &under)? != Answer::Sat {
                    continue;
                }
                let amounts = session.amounts(if realistic { &all } else { &mine })?;
                let Some(candidate) = Candidate::new(rule, kind, &amounts) else {
                    continue;
                };
                if !candidate.holds(rule, kind) {
                    continue;
                }
                if realistic
                    && !connected
                        .iter()
                        .filter_map(|&j| rules.rules().get(j))
                        .all(|other| candidate.breaks_nothing(other))
                {
                    continue;
                }
                if !realistic && !connected.is_empty() {
                    suggestion.realistic = false;
                }
                example = Some(candidate.text);
                break;
            }
            match example {
                Some(text) => suggestion.examples.push(text),
                None => {
                    let why = if !compiled {
                        "a rule connected to it is not compiled for the solver".to_owned()
                    } else {
                        match session.ask_under(std::slice::from_ref(&target), &base)? {
                            Answer::Unsat => format!(
                                "no example {} it (see `crossfoot prove`)",
                                if kind == Expectation::Passes {
                                    "passes"
                                } else {
                                    "fails"
                                }
                            ),
                            Answer::Unknown => "the solver could not decide".to_owned(),
                            Answer::Sat => "the solver found none the engine confirms".to_owned(),
                        }
                    };
                    suggestion.missing.push((kind.as_str().to_owned(), why));
                }
            }
        }
        session.leave()?;
        Ok(())
    }
}

/// An example's lines, and its previous report's when it has one.
type ExampleLines = (Vec<(LineCode, Decimal)>, Option<Vec<(LineCode, Decimal)>>);

/// An example made of a model's amounts.
struct Candidate {
    /// The rule's own lines and previous lines: the example.
    mine: ExampleLines,
    /// Every line of the model (the rule's and those of the rules connected to it).
    lines: Vec<(LineCode, Decimal)>,
    prior: Option<Vec<(LineCode, Decimal)>>,
    /// As a line of a rule file.
    text: String,
}

impl Candidate {
    /// The model's amounts (blank lines left out) as an example; its text lists the
    /// rule's lines, in the rule's order, then those of the previous report. `None`
    /// when an amount has no exact decimal form or none of the rule's lines is filled.
    fn new(
        rule: &CheckedRule,
        kind: Expectation,
        amounts: &BTreeMap<Read, Amount>,
    ) -> Option<Candidate> {
        let mut lines = Vec::new();
        let mut prior = Vec::new();
        for (read, amount) in amounts {
            let decimal: Decimal = printed(*amount)?.parse().ok()?;
            if read.prior {
                prior.push((read.code, decimal));
            } else {
                lines.push((read.code, decimal));
            }
        }
        let mut words = Vec::new();
        for (on_prior, listed) in [(false, &lines), (true, &prior)] {
            for &code in rule.lines() {
                let Some((_, amount)) = listed.iter().find(|(c, _)| *c == code) else {
                    continue;
                };
                words.push(if on_prior {
                    format!("prior({code}) = {amount}")
                } else {
                    format!("{code} = {amount}")
                });
            }
        }
        if words.is_empty() {
            return None;
        }
        let mine = |listed: &[(LineCode, Decimal)]| -> Vec<(LineCode, Decimal)> {
            listed
                .iter()
                .filter(|(code, _)| rule.lines().contains(code))
                .copied()
                .collect()
        };
        let has_prior = rule.reads_prior() && !mine(&prior).is_empty();
        Some(Candidate {
            mine: (mine(&lines), has_prior.then(|| mine(&prior))),
            lines,
            prior: has_prior.then_some(prior),
            text: format!("{} {}", kind.as_str(), words.join(", ")),
        })
    }

    fn example(&self, expect: Expectation) -> CheckedExample {
        CheckedExample {
            expect,
            span: Span { start: 0, end: 0 },
            lines: self.lines.clone(),
            prior: self.prior.clone(),
        }
    }

    /// Whether `rule` gives the verdict `kind` on the example (its own lines, every
    /// other one blank), as `crossfoot test` runs it.
    fn holds(&self, rule: &CheckedRule, kind: Expectation) -> bool {
        let example = CheckedExample {
            lines: self.mine.0.clone(),
            prior: self.mine.1.clone(),
            ..self.example(kind)
        };
        matches(kind, &example_status(rule, &example))
    }

    /// Whether `other` passes or is skipped on it.
    fn breaks_nothing(&self, other: &CheckedRule) -> bool {
        let lines: Vec<(LineCode, Decimal)> = self
            .lines
            .iter()
            .filter(|(code, _)| other.lines().contains(code))
            .copied()
            .collect();
        let example = CheckedExample {
            lines,
            ..self.example(Expectation::Passes)
        };
        matches!(
            example_status(other, &example),
            Status::Pass(_) | Status::Skipped(_)
        )
    }
}
