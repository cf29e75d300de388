//! `crossfoot prove` and `crossfoot diff --prove`: what a rule set means, decided by an
//! SMT solver over every report, not only the reports at hand.
//!
//! The checked rules are compiled to SMT-LIB 2 ([`encode`]): a rule's verdict (pass,
//! fail, skipped, error) on a report whose amounts are unknowns, the way the evaluator
//! decides it. A solver in its own process ([`solver`], z3 by default) answers questions
//! about those verdicts: whether some report passes every rule, whether a rule can fail,
//! whether a condition can hold, whether an evaluation error can be reached, and whether
//! two rule sets give some report different verdicts. `unsat` is a proof; `sat` comes
//! with a model that is turned into a report and checked by the engine ([`witness`])
//! before it is believed; `unknown` is said as it is, never counted as proved.

mod encode;
mod error;
mod parts;
mod render;
mod smt;
mod solver;
mod suggest;
mod witness;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Serialize;

use crossfoot_core::compile::{CheckedRule, RuleSet, version_name};
use crossfoot_core::diff::{Flip, flips};
use crossfoot_core::eval::{Verdict, in_force};
use crossfoot_core::unit::Unit;
use crossfoot_syntax::date::Date;
use crossfoot_syntax::line::LineCode;
use crossfoot_syntax::number::Value;

use encode::{Encoded, Read};
pub use error::ProveError;
pub use render::{diff_markdown, diff_text, proof_markdown, proof_text, suggestions_text};
use solver::{Answer, Model, Solver};
pub use suggest::{Suggestion, suggest};
pub use witness::Witness;

/// How to prove.
#[derive(Clone, Debug)]
pub struct Options {
    /// The solver program (`z3` on `PATH` when `None`).
    pub solver: Option<PathBuf>,
    /// The one date to prove at; `None`: every date on which the rules in force change,
    /// and a report without a date.
    pub as_of: Option<Date>,
    /// The time limit of each question to the solver, in milliseconds.
    pub timeout_ms: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            solver: None,
            as_of: None,
            timeout_ms: 10_000,
        }
    }
}

/// What a finding of `prove` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Rules that can all apply to one report but can never all pass on it.
    Contradiction,
    /// A rule that can apply to a report but passes on none.
    NeverPasses,
    /// A rule that no report can fail: vacuous.
    NeverFails,
    /// A rule no report makes evaluate (its condition, lines or totals never allow it).
    NeverApplies,
    /// A `when` condition no report satisfies.
    ConditionNeverHolds,
    /// An evaluation error (a division by zero) that some report reaches.
    ReachableError,
    /// A rule that cannot fail on a report where every other rule holds (information).
    Implied,
    /// A question the solver could not decide.
    Unknown,
}

impl Kind {
    /// Whether the finding makes `prove` exit 1 (every kind but `implied`, which is
    /// information).
    pub fn counts(self) -> bool {
        self != Kind::Implied
    }

    /// The stable name in JSON: `contradiction`, `never_passes`, …
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Contradiction => "contradiction",
            Kind::NeverPasses => "never_passes",
            Kind::NeverFails => "never_fails",
            Kind::NeverApplies => "never_applies",
            Kind::ConditionNeverHolds => "condition_never_holds",
            Kind::ReachableError => "reachable_error",
            Kind::Implied => "implied",
            Kind::Unknown => "unknown",
        }
    }
}

/// One thing `prove` found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// What it is.
    pub kind: Kind,
    /// The rules (as people name them: id, and period for a dated version).
    pub rules: Vec<String>,
    /// The first date it was found at (`null`: a report without a date).
    #[serde(serialize_with = "crossfoot_core::diff::date_text")]
    pub as_of: Option<Date>,
    /// What it means, in words.
    pub message: String,
    /// A report that shows it, checked by the engine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub witness: Option<Witness>,
}

/// One date `prove` looked at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Case {
    /// The date (`null`: a report without one).
    #[serde(serialize_with = "crossfoot_core::diff::date_text")]
    pub as_of: Option<Date>,
    /// The rules in force.
    pub rules: usize,
    /// How many of them one report passes together (the witness).
    pub passing: usize,
    /// The rules set aside to find that report (each named in a finding, or with a
    /// condition that excludes another rule's).
    pub set_aside: Vec<String>,
    /// A report that passes `passing` rules, checked by the engine.
    pub witness: Option<Witness>,
}

/// What `prove` found in a rule set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Proof {
    /// Each date looked at.
    pub cases: Vec<Case>,
    /// What was found, in order of kind, then rule.
    pub findings: Vec<Finding>,
}

impl Proof {
    /// Whether something was found that counts (`prove` exits 1).
    pub fn found(&self) -> bool {
        self.findings.iter().any(|f| f.kind.counts())
    }
}

/// A solver with the rules compiled so far.
struct Session {
    solver: Solver,
    declared: BTreeSet<Read>,
    halves: HashSet<String>,
    /// The lines whose printed half unit is a variable (`within rounding`).
    printed: BTreeSet<Read>,
    /// Whether the scope of a question is open.
    open: bool,
    /// How the solver was started (for [`scratch`](Self::scratch)).
    options: Options,
    /// A solver beside this one, for one part of the rules at a time.
    scratch: Option<Box<Session>>,
    /// The names with an assumption literal in the current scope ([`assume`](Self::assume)).
    assumed: HashSet<String>,
}

impl Session {
    fn start(options: &Options) -> Result<Session, ProveError> {
        let mut solver = Solver::start(options.solver.as_deref(), options.timeout_ms)?;
        solver.run(&format!(
            "{}(declare-const u Int)\n(declare-const pu Int)\n(declare-const has_prior Bool)\n(assert (and (>= u 0) (<= u 3) (>= pu 0) (<= pu 3)))\n",
            encode::PRELUDE
        ))?;
        Ok(Session {
            solver,
            declared: BTreeSet::new(),
            halves: HashSet::new(),
            printed: BTreeSet::new(),
            open: false,
            options: options.clone(),
            scratch: None,
            assumed: HashSet::new(),
        })
    }

    /// Compile a rule and send its definitions.
    fn add(
        &mut self,
        rule: &CheckedRule,
        name: &str,
    ) -> Result<Result<Encoded, encode::Unsupported>, ProveError> {
        self.close()?;
        let encoded = match encode::rule(rule, name) {
            Ok(encoded) => encoded,
            Err(unsupported) => return Ok(Err(unsupported)),
        };
        let mut text = String::new();
        for read in &encoded.reads {
            if self.declared.insert(*read) {
                text.push_str(&encode::declare(*read));
            }
        }
        for (read, kind) in &encoded.decimals {
            let first = self.printed.insert(*read);
            if self.halves.insert(format!("{read:?}{kind:?}")) {
                text.push_str(&encode::declare_decimals(*read, *kind, first));
            }
        }
        text.push_str(&encoded.defs);
        let _ = writeln!(
            text,
            "(define-fun {} () Bool (and (not {}) (not {})))",
            encode::term(name, "ok"),
            encode::term(name, "fail"),
            encode::term(name, "err")
        );
        self.solver.run(&text)?;
        Ok(Ok(encoded))
    }

    /// Ask whether the named booleans can all hold, each asserted by name in a scope of
    /// its own (so the solver's context holds only the question at hand); the scope
    /// stays open for [`core`](Self::core) and [`model`](Self::model) until the next
    /// question or [`close`](Self::close).
    fn ask(&mut self, names: &[String]) -> Result<Answer, ProveError> {
        self.ask_under(names, "")
    }

    /// [`ask`](Self::ask) with more assertions (`under`, SMT-LIB commands) in the
    /// question's scope.
    fn ask_under(&mut self, names: &[String], under: &str) -> Result<Answer, ProveError> {
        self.close()?;
        let mut text = "(push 1)\n".to_owned();
        text.push_str(under);
        for name in names {
            let _ = writeln!(text, "(assert (! {name} :named L_{name}))");
        }
        self.solver.run(&text)?;
        self.open = true;
        self.solver.check(&[])
    }

    /// End the scope of the last question.
    fn close(&mut self) -> Result<(), ProveError> {
        if self.open {
            self.open = false;
            self.solver.run("(pop 1)\n")?;
        }
        Ok(())
    }

    /// The names of the last `unsat` answer's core, made minimal: each one dropped in
    /// turn, and left out when the rest are still unsat (a core of more than
    /// [`MINIMIZE`] names is kept as the solver gave it).
    fn core(&mut self) -> Result<Vec<String>, ProveError> {
        let core: Vec<String> = self
            .solver
            .core()?
            .into_iter()
            .filter_map(|literal| literal.strip_prefix("L_").map(str::to_owned))
            .collect();
        minimal(core, |names| Ok(self.ask(names)? == Answer::Unsat))
    }

    /// Start a scope for one date.
    fn push(&mut self, as_of: Option<Date>) -> Result<(), ProveError> {
        self.close()?;
        let mut text = "(push 1)\n".to_owned();
        if as_of.is_none() {
            // A report without a date has no previous report.
            text.push_str("(assert (not has_prior))\n");
        }
        self.solver.run(&text)?;
        Ok(())
    }

    fn pop(&mut self) -> Result<(), ProveError> {
        self.close()?;
        self.solver.run("(pop 1)\n")?;
        Ok(())
    }

    /// A witness for a `sat` answer to `names` that `confirm` accepts, naming only the
    /// lines in `lines`: asked first with whole amounts of at most a thousand, then of
    /// at most a billion, then in cents, then as the solver likes (the model as it is),
    /// so the report is easy to read. `None`: no model was confirmed.
    ///
    /// When `parts` splits the names into groups that read no line in common, each
    /// group's amounts are asked of that group alone, with the report's globals fixed
    /// (dollars when some report in dollars answers `names`): small questions instead
    /// of one over every line. Only when that gives no confirmed report are the amounts
    /// asked of all the names at once.
    fn witness(
        &mut self,
        as_of: Option<Date>,
        names: &[String],
        parts: &[Part<'_>],
        lines: &BTreeSet<LineCode>,
        confirm: &dyn Fn(&Witness) -> bool,
    ) -> Result<Option<Witness>, ProveError> {
        if !parts.is_empty()
            && let Some(found) = self.witness_by_parts(as_of, names, parts, lines)?
            && confirm(&found)
        {
            return Ok(Some(found));
        }
        for tier in [
            Tier::Whole(1_000),
            Tier::Whole(1_000_000_000),
            Tier::Cents,
            Tier::Any,
        ] {
            let mut under = String::new();
            if matches!(tier, Tier::Whole(_) | Tier::Hundreds(_)) {
                // In dollars, unless only another unit shows it.
                under.push_str("(assert (and (= u 0) (= pu 0)))\n");
            }
            under.push_str(&self.tier_assertions(tier, &self.declared));
            let found = match self.ask_under(names, &under)? {
                Answer::Sat => self.model(as_of, lines)?,
                Answer::Unsat | Answer::Unknown => None,
            };
            self.close()?;
            if let Some(found) = found.filter(|w| confirm(w)) {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }

    /// A report answering `names`, its amounts asked part by part (see
    /// [`witness`](Self::witness)); `None` when some part has no model.
    fn witness_by_parts(
        &mut self,
        as_of: Option<Date>,
        names: &[String],
        parts: &[Part<'_>],
        lines: &BTreeSet<LineCode>,
    ) -> Result<Option<Witness>, ProveError> {
        if self.ask(names)? != Answer::Sat {
            return Ok(None);
        }
        let Some(found) = self.globals()? else {
            return Ok(None);
        };
        let dollars = Globals {
            unit: 0,
            prior_unit: 0,
            has_prior: found.has_prior,
        };
        let fixed =
            if dollars == found || self.ask_under(names, &dollars.assertion())? == Answer::Sat {
                dollars
            } else {
                found
            };
        self.close()?;
        let mut amounts = BTreeMap::new();
        for part in parts {
            match self.scratch()?.part_amounts(as_of, fixed, part)? {
                Some(found) => amounts.extend(found),
                None => return Ok(None),
            }
        }
        Ok(self.report(as_of, fixed, &amounts, lines))
    }

    /// The solver beside this one for the amounts of one part at a time, started on
    /// first use.
    fn scratch(&mut self) -> Result<&mut Session, ProveError> {
        match &mut self.scratch {
            Some(scratch) => Ok(scratch),
            slot @ None => Ok(slot.insert(Box::new(Session::start(&self.options)?))),
        }
    }

    /// On a scratch solver: open a scope for a date with only `rules` compiled, and
    /// `under` asserted. `false`: a rule could not be compiled (the scope is open all
    /// the same, for [`leave`](Self::leave)).
    fn enter(
        &mut self,
        as_of: Option<Date>,
        rules: &[(&CheckedRule, String)],
        under: &str,
    ) -> Result<bool, ProveError> {
        self.push(as_of)?;
        let mut compiled = true;
        for (rule, name) in rules {
            compiled &= self.add(rule, name)?.is_ok();
        }
        if !under.is_empty() {
            self.solver.run(under)?;
        }
        Ok(compiled)
    }

    /// Close the scope [`enter`](Self::enter) opened, and forget what it declared.
    fn leave(&mut self) -> Result<(), ProveError> {
        self.pop()?;
        self.declared.clear();
        self.halves.clear();
        self.printed.clear();
        self.assumed.clear();
        Ok(())
    }

    /// Whether the named booleans can all hold, asked as assumptions (`A_name`, each
    /// declared once in the scope): the solver compiles the terms once for all the
    /// questions of a scope, where [`ask`](Self::ask) asserts them anew each time.
    fn assume(&mut self, names: &[String]) -> Result<Answer, ProveError> {
        self.close()?;
        let mut text = String::new();
        for name in names {
            if self.assumed.insert(name.clone()) {
                let _ = writeln!(
                    text,
                    "(declare-const A_{name} Bool)\n(assert (= A_{name} {name}))"
                );
            }
        }
        if !text.is_empty() {
            self.solver.run(&text)?;
        }
        let literals: Vec<String> = names.iter().map(|name| format!("A_{name}")).collect();
        self.solver.check(&literals)
    }

    /// The names of the last `unsat` answer of [`assume`](Self::assume) that suffice
    /// for it, made minimal as [`core`](Self::core) does.
    fn assumed_core(&mut self, names: &[String]) -> Result<Vec<String>, ProveError> {
        let core: Vec<String> = self
            .solver
            .core()?
            .into_iter()
            .filter_map(|literal| literal.strip_prefix("A_").map(str::to_owned))
            .filter(|name| names.contains(name))
            .collect();
        minimal(core, |names| Ok(self.assume(names)? == Answer::Unsat))
    }

    /// On a scratch solver: a part's amounts with the globals fixed, in the first tier
    /// that has some, its rules compiled in a scope of their own (so the solver holds
    /// only them, and building a model looks at nothing else). `None`: no tier has.
    fn part_amounts(
        &mut self,
        as_of: Option<Date>,
        fixed: Globals,
        part: &Part<'_>,
    ) -> Result<Option<BTreeMap<Read, witness::Amount>>, ProveError> {
        let compiled = self.enter(as_of, &part.rules, "")?;
        let mut found = None;
        if compiled {
            for tier in [
                Tier::Whole(1_000),
                Tier::Whole(1_000_000_000),
                Tier::Cents,
                Tier::Any,
            ] {
                let mut under = fixed.assertion();
                under.push_str(&self.tier_assertions(tier, &part.reads));
                if self.ask_under(&part.names, &under)? == Answer::Sat {
                    found = Some(self.amounts(&part.reads)?);
                    break;
                }
            }
        }
        self.leave()?;
        Ok(found)
    }

    /// The assertions of a tier of amounts over some lines.
    fn tier_assertions<'r>(&self, tier: Tier, reads: impl IntoIterator<Item = &'r Read>) -> String {
        let mut text = String::new();
        for read in reads {
            let v = smt::amount(read.code, read.prior);
            let b = smt::blank(read.code, read.prior);
            let e = smt::decimals(read.code, read.prior);
            let printed = self.printed.contains(read);
            match tier {
                Tier::Whole(most) => {
                    let _ = writeln!(
                        text,
                        "(assert (and (is_int {v}) (<= (- {most}.0) {v}) (<= {v} {most}.0)))"
                    );
                    if printed {
                        let _ = writeln!(text, "(assert (=> (not {b}) (= {e} 0.5)))");
                    }
                }
                Tier::Hundreds(most) => {
                    let _ = writeln!(
                        text,
                        "(assert (and (is_int (* (/ 1.0 100.0) {v})) (<= (- {most}.0) {v}) (<= {v} {most}.0)))"
                    );
                    if printed {
                        let _ = writeln!(text, "(assert (=> (not {b}) (= {e} 0.5)))");
                    }
                }
                Tier::Cents => {
                    let _ = writeln!(text, "(assert (is_int (* 100.0 {v})))");
                    if printed {
                        let _ = writeln!(text, "(assert (=> (not {b}) (= {e} 0.005)))");
                    }
                }
                Tier::Any => {}
            }
        }
        text
    }

    /// The report's globals in the last model.
    fn globals(&mut self) -> Result<Option<Globals>, ProveError> {
        let names = ["u".to_owned(), "pu".to_owned(), "has_prior".to_owned()];
        let values: BTreeMap<String, Model> = self.solver.values(&names)?.into_iter().collect();
        let index = |name: &str| match values.get(name) {
            Some(Model::Number(value)) => usize::try_from(value.parts().0)
                .ok()
                .filter(|&i| i < Unit::ALL.len()),
            _ => None,
        };
        let has_prior = match values.get("has_prior") {
            Some(Model::Bool(flag)) => *flag,
            _ => return Ok(None),
        };
        Ok(index("u")
            .zip(index("pu"))
            .map(|(unit, prior_unit)| Globals {
                unit,
                prior_unit,
                has_prior,
            }))
    }

    /// The amounts of some lines in the last model (blank lines left out).
    fn amounts(&mut self, reads: &[Read]) -> Result<BTreeMap<Read, witness::Amount>, ProveError> {
        let mut names = Vec::new();
        for read in reads {
            names.push(smt::amount(read.code, read.prior));
            names.push(smt::blank(read.code, read.prior));
            if self.printed.contains(read) {
                names.push(smt::decimals(read.code, read.prior));
            }
        }
        let values: BTreeMap<String, Model> = self.solver.values(&names)?.into_iter().collect();
        let number = |name: &str| match values.get(name) {
            Some(Model::Number(value)) => Some(*value),
            _ => None,
        };
        let mut amounts = BTreeMap::new();
        for read in reads {
            if matches!(
                values.get(&smt::blank(read.code, read.prior)),
                Some(Model::Bool(true))
            ) {
                continue;
            }
            let Some(value) = number(&smt::amount(read.code, read.prior)) else {
                continue;
            };
            let decimals = if self.printed.contains(read) {
                number(&smt::decimals(read.code, read.prior)).and_then(places)
            } else {
                None
            };
            amounts.insert(*read, witness::Amount { value, decimals });
        }
        Ok(amounts)
    }

    /// A report of the lines in `lines` from amounts and globals.
    fn report(
        &self,
        as_of: Option<Date>,
        globals: Globals,
        amounts: &BTreeMap<Read, witness::Amount>,
        lines: &BTreeSet<LineCode>,
    ) -> Option<Witness> {
        let unit = |i: usize| Unit::ALL.get(i).copied().unwrap_or(Unit::DOLLARS);
        let mut current = BTreeMap::new();
        let mut previous = BTreeMap::new();
        for (read, amount) in amounts {
            if !lines.contains(&read.code) {
                continue;
            }
            if read.prior {
                previous.insert(read.code, *amount);
            } else {
                current.insert(read.code, *amount);
            }
        }
        let prior =
            (globals.has_prior && as_of.is_some()).then_some((unit(globals.prior_unit), &previous));
        Witness::new(as_of, unit(globals.unit), &current, prior)
    }

    /// The last model as a report of the lines in `lines` (the others left blank).
    fn model(
        &mut self,
        as_of: Option<Date>,
        lines: &BTreeSet<LineCode>,
    ) -> Result<Option<Witness>, ProveError> {
        let Some(globals) = self.globals()? else {
            return Ok(None);
        };
        let reads: Vec<Read> = self
            .declared
            .iter()
            .filter(|read| lines.contains(&read.code))
            .copied()
            .collect();
        let amounts = self.amounts(&reads)?;
        Ok(self.report(as_of, globals, &amounts, lines))
    }
}

/// The decimal places whose half unit `half` is (0.5 → 0, 0.005 → 2), if it is one.
fn places(half: Value) -> Option<u32> {
    let mut unit = Value::fraction(1, 2)?;
    for places in 0..=28 {
        if unit == half {
            return Some(places);
        }
        unit = unit.checked_div(Value::whole(10))?;
    }
    None
}

/// A report's unit, its previous report's unit and whether it has one, as a model has
/// them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Globals {
    /// The index of the report's unit in [`Unit::ALL`] (`u`).
    unit: usize,
    /// The index of the previous report's unit (`pu`).
    prior_unit: usize,
    /// Whether there is a previous report (`has_prior`).
    has_prior: bool,
}

impl Globals {
    /// The assertions fixing them.
    fn assertion(&self) -> String {
        format!(
            "(assert (and (= u {}) (= pu {}) {}))\n",
            self.unit,
            self.prior_unit,
            if self.has_prior {
                "has_prior"
            } else {
                "(not has_prior)"
            }
        )
    }
}

/// A set of values of a report's globals (unit, previous unit, previous report): 4 × 4
/// × 2 points, one bit each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Points(u32);

impl Points {
    const NONE: Points = Points(0);
    const ALL: Points = Points(u32::MAX);

    /// The bit of a point.
    fn bit(unit: usize, prior_unit: usize, has_prior: bool) -> u32 {
        1 << (unit * 8 + prior_unit * 2 + usize::from(has_prior))
    }

    /// The points a report on this date can have: no previous report without a date.
    fn feasible(as_of: Option<Date>) -> Points {
        if as_of.is_some() {
            return Points::ALL;
        }
        let mut bits = 0;
        for unit in 0..4 {
            for prior_unit in 0..4 {
                bits |= Points::bit(unit, prior_unit, false);
            }
        }
        Points(bits)
    }

    fn and(self, other: Points) -> Points {
        Points(self.0 & other.0)
    }

    fn or(self, other: Points) -> Points {
        Points(self.0 | other.0)
    }

    fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The values of the globals `mentions` names, each a choice fixing those and
    /// leaving the others free.
    fn choices(mentions: encode::Mentions) -> Vec<Choice> {
        let units: Vec<Option<usize>> = if mentions.unit {
            (0..4).map(Some).collect()
        } else {
            vec![None]
        };
        let prior_units: Vec<Option<usize>> = if mentions.prior_unit {
            (0..4).map(Some).collect()
        } else {
            vec![None]
        };
        let has_priors: Vec<Option<bool>> = if mentions.has_prior {
            vec![Some(false), Some(true)]
        } else {
            vec![None]
        };
        let mut choices = Vec::new();
        for &unit in &units {
            for &prior_unit in &prior_units {
                for &has_prior in &has_priors {
                    choices.push(Choice {
                        unit,
                        prior_unit,
                        has_prior,
                    });
                }
            }
        }
        choices
    }

    /// An assertion that the globals are one of the points.
    fn assertion(self) -> String {
        let mut cases = Vec::new();
        for unit in 0..4 {
            for prior_unit in 0..4 {
                for has_prior in [false, true] {
                    if self.0 & Points::bit(unit, prior_unit, has_prior) != 0 {
                        cases.push(
                            Choice {
                                unit: Some(unit),
                                prior_unit: Some(prior_unit),
                                has_prior: Some(has_prior),
                            }
                            .term(),
                        );
                    }
                }
            }
        }
        format!("(assert {})\n", smt::or(&cases))
    }
}

/// Some of the globals fixed, the others free.
#[derive(Clone, Copy, Debug)]
struct Choice {
    unit: Option<usize>,
    prior_unit: Option<usize>,
    has_prior: Option<bool>,
}

impl Choice {
    /// The term saying the globals are as chosen.
    fn term(&self) -> String {
        let mut parts = Vec::new();
        if let Some(unit) = self.unit {
            parts.push(format!("(= u {unit})"));
        }
        if let Some(prior_unit) = self.prior_unit {
            parts.push(format!("(= pu {prior_unit})"));
        }
        match self.has_prior {
            Some(true) => parts.push("has_prior".to_owned()),
            Some(false) => parts.push("(not has_prior)".to_owned()),
            None => {}
        }
        smt::and(&parts)
    }

    /// The points it covers.
    fn points(&self) -> Points {
        let mut bits = 0;
        for unit in 0..4 {
            for prior_unit in 0..4 {
                for has_prior in [false, true] {
                    if self.unit.is_none_or(|u| u == unit)
                        && self.prior_unit.is_none_or(|p| p == prior_unit)
                        && self.has_prior.is_none_or(|h| h == has_prior)
                    {
                        bits |= Points::bit(unit, prior_unit, has_prior);
                    }
                }
            }
        }
        Points(bits)
    }
}

/// Names asked together, with the lines they read: one part of a question whose other
/// parts read none of these lines.
struct Part<'r> {
    names: Vec<String>,
    reads: Vec<Read>,
    /// The rules the names are of, with the names of their terms (`r12`).
    rules: Vec<(&'r CheckedRule, String)>,
}

/// The largest unsat core made minimal by dropping one name at a time.
const MINIMIZE: usize = 16;

/// How a witness's amounts are asked for, in order of preference.
#[derive(Clone, Copy)]
enum Tier {
    /// Whole hundreds of at most this many units.
    Hundreds(u64),
    /// Whole amounts of at most this many units.
    Whole(u64),
    /// Amounts in cents.
    Cents,
    /// Whatever the solver finds.
    Any,
}

/// The lines the rules read, on either report.
fn lines_of<'r>(rules: impl IntoIterator<Item = &'r CheckedRule>) -> BTreeSet<LineCode> {
    rules
        .into_iter()
        .flat_map(|rule| rule.lines().iter().copied())
        .collect()
}

/// The dates to prove at: `--as-of`, or a report without a date and each day on which
/// the rules in force can change (the first day of every period, the first day after
/// one, and a day before them all), or one date when no rule is dated but some reads the
/// previous report (which a report needs a date to have).
fn dates(sets: &[&RuleSet], as_of: Option<Date>) -> Vec<Option<Date>> {
    if as_of.is_some() {
        return vec![as_of];
    }
    let mut bounds = BTreeSet::new();
    for set in sets {
        for rule in set.rules() {
            bounds.extend(rule.period().from);
            bounds.extend(rule.period().until);
        }
    }
    let mut dates = vec![None];
    if let Some(first) = bounds.first().copied() {
        dates.extend(first.previous_day().map(Some));
    } else if sets.iter().any(|set| set.reads_prior()) {
        dates.extend(Date::new(2020, 12, 31).ok().map(Some));
    }
    dates.extend(bounds.into_iter().map(Some));
    dates
}

/// Prove what a rule set means: see [`Kind`] for what is looked for.
pub fn prove(rules: &RuleSet, options: &Options) -> Result<Proof, ProveError> {
    let dates = dates(&[rules], options.as_of);
    // The dates are independent questions: each thread asks its share of them of a
    // solver of its own, with every rule encoded.
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, dates.len().max(1));
    let shares: Vec<Result<Share, ProveError>> = std::thread::scope(|scope| {
        let dates = &dates;
        let handles: Vec<_> = (0..threads)
            .map(|thread| {
                let mine = dates.iter().enumerate().skip(thread).step_by(threads);
                scope.spawn(move || prove_dates(rules, options, mine))
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle.join().unwrap_or_else(|_| {
                    Err(ProveError::Solver {
                        program: options
                            .solver
                            .as_deref()
                            .map_or_else(|| "z3".to_owned(), |p| p.display().to_string()),
                        reason: "a thread asking the solver stopped".to_owned(),
                    })
                })
            })
            .collect()
    });
    let mut findings = Vec::new();
    let mut dated = Vec::new();
    for (thread, share) in shares.into_iter().enumerate() {
        let share = share?;
        if thread == 0 {
            // What could not be encoded is the same for every thread: said once.
            findings.extend(share.unencoded);
        }
        dated.extend(share.cases);
    }
    dated.sort_by_key(|(at, _, _)| *at);
    let mut cases = Vec::new();
    for (_, case, found) in dated {
        cases.push(case);
        findings.extend(found);
    }
    // A rule whose condition never holds never applies: said once, as the condition.
    let condition: HashSet<Vec<String>> = findings
        .iter()
        .filter(|f| f.kind == Kind::ConditionNeverHolds)
        .map(|f| f.rules.clone())
        .collect();
    findings.retain(|f| f.kind != Kind::NeverApplies || !condition.contains(&f.rules));
    // The same finding at several dates is said once, at the first.
    let mut seen = HashSet::new();
    findings.retain(|f| seen.insert((f.kind, f.rules.clone(), f.message.clone())));
    findings.sort_by(|a, b| (a.kind, &a.rules).cmp(&(b.kind, &b.rules)));
    Ok(Proof { cases, findings })
}

/// What one thread of [`prove`] found: the rules it could not encode, and for each of
/// its dates (with its place among all of them) the case and the findings.
struct Share {
    unencoded: Vec<Finding>,
    cases: Vec<(usize, Case, Vec<Finding>)>,
}

/// The questions about some of the dates, of a solver of this thread's own.
fn prove_dates<'a>(
    rules: &RuleSet,
    options: &Options,
    dates: impl Iterator<Item = (usize, &'a Option<Date>)>,
) -> Result<Share, ProveError> {
    let mut session = Session::start(options)?;
    let mut encoded = Vec::with_capacity(rules.rules().len());
    let mut unencoded = Vec::new();
    for (index, rule) in rules.rules().iter().enumerate() {
        match session.add(rule, &format!("r{index}"))? {
            Ok(done) => encoded.push(Some(done)),
            Err(unsupported) => {
                unencoded.push(Finding {
                    kind: Kind::Unknown,
                    rules: vec![version_name(rule).into_owned()],
                    as_of: None,
                    message: format!("not compiled for the solver: {}", unsupported.0),
                    witness: None,
                });
                encoded.push(None);
            }
        }
    }
    let mut cases = Vec::new();
    for (at, &as_of) in dates {
        let in_force: Vec<usize> = (0..rules.rules().len())
            .filter(|&i| {
                rules
                    .rules()
                    .get(i)
                    .is_some_and(|rule| in_force(rule, as_of).is_ok())
            })
            .collect();
        // A report without a date has no previous report: the rules that read one are
        // skipped there, which says nothing about them.
        let supported: Vec<usize> = in_force
            .iter()
            .copied()
            .filter(|&i| encoded.get(i).is_some_and(Option::is_some))
            .filter(|&i| {
                as_of.is_some() || !rules.rules().get(i).is_some_and(CheckedRule::reads_prior)
            })
            .collect();
        session.push(as_of)?;
        let mut findings = Vec::new();
        let mut prover = Prover {
            session: &mut session,
            rules,
            encoded: &encoded,
            parts: parts::parts(&supported, |i| reads_of(&encoded, i)),
            parts_hold: Vec::new(),
            as_of,
            findings: &mut findings,
        };
        prover.parts_hold = vec![None; prover.parts.len()];
        let case = prover.consistency(in_force.len(), &supported)?;
        let mut can_fail = Vec::new();
        for &index in &supported {
            let Some(Some(compiled)) = encoded.get(index) else {
                continue;
            };
            if prover.rule(index, &supported, compiled.may_error, compiled.nonlinear)? {
                can_fail.push(index);
            }
        }
        prover.implied(&can_fail, &supported)?;
        session.pop()?;
        cases.push((at, case, findings));
    }
    Ok(Share { unencoded, cases })
}

/// The questions about one date.
struct Prover<'a> {
    session: &'a mut Session,
    rules: &'a RuleSet,
    /// Each rule compiled (`None`: not compiled).
    encoded: &'a [Option<Encoded>],
    /// The rules asked about on this date, in parts that read no line in common.
    parts: Vec<Vec<usize>>,
    /// For each part (by its place in `parts`), once asked: the globals with which some
    /// report fails or errs on none of its rules (`None`: not decided).
    parts_hold: Vec<Option<Option<Points>>>,
    as_of: Option<Date>,
    findings: &'a mut Vec<Finding>,
}

/// The rules `rules`, in parts that read no line in common, each as the names
/// `r{i}_{what}` of its rules with the lines they read.
fn parts_of<'r>(
    set: &'r RuleSet,
    encoded: &[Option<Encoded>],
    rules: &[usize],
    what: &str,
) -> Vec<Part<'r>> {
    parts::parts(rules, |i| reads_of(encoded, i))
        .into_iter()
        .map(|part| {
            let mut reads: Vec<Read> = part
                .iter()
                .flat_map(|&i| reads_of(encoded, i).iter().copied())
                .collect();
            reads.sort();
            reads.dedup();
            Part {
                names: part.iter().map(|i| format!("r{i}_{what}")).collect(),
                reads,
                rules: part
                    .iter()
                    .filter_map(|&i| Some((set.rules().get(i)?, format!("r{i}"))))
                    .collect(),
            }
        })
        .collect()
}

/// The rules of the `r{i}_ok` names among `names`.
fn ok_rules(names: &[String]) -> Vec<usize> {
    names
        .iter()
        .filter_map(|name| name.strip_prefix('r')?.strip_suffix("_ok")?.parse().ok())
        .collect()
}

/// The lines a rule reads (none when it was not compiled).
fn reads_of(encoded: &[Option<Encoded>], index: usize) -> &[Read] {
    encoded
        .get(index)
        .and_then(Option::as_ref)
        .map_or(&[], |e| e.reads.as_slice())
}

impl Prover<'_> {
    fn name(&self, index: usize) -> String {
        self.rules
            .rules()
            .get(index)
            .map(|rule| version_name(rule).into_owned())
            .unwrap_or_default()
    }

    fn find(&mut self, kind: Kind, rules: &[usize], message: String, witness: Option<Witness>) {
        let rules = rules.iter().map(|&i| self.name(i)).collect();
        self.findings.push(Finding {
            kind,
            rules,
            as_of: self.as_of,
            message,
            witness,
        });
    }

    /// One report that passes as many rules as it can: every rule, or all but those set
    /// aside by the unsat cores on the way (a contradiction, a rule that never passes,
    /// or rules whose conditions exclude each other).
    fn consistency(&mut self, in_force: usize, supported: &[usize]) -> Result<Case, ProveError> {
        let mut candidates: Vec<usize> = supported.to_vec();
        let mut set_aside = Vec::new();
        let mut witness = None;
        while !candidates.is_empty() {
            let names: Vec<String> = candidates.iter().map(|i| format!("r{i}_pass")).collect();
            match self.session.ask(&names)? {
                Answer::Sat => {
                    let rules = self.rules;
                    let passing = candidates.clone();
                    let confirm = move |w: &Witness| {
                        w.check(rules).is_some_and(|result| {
                            passing.iter().all(|&i| {
                                result
                                    .results
                                    .get(i)
                                    .is_some_and(|r| r.verdict == Verdict::Pass)
                            })
                        })
                    };
                    let lines = lines_of(candidates.iter().filter_map(|&i| rules.rules().get(i)));
                    let parts = parts_of(self.rules, self.encoded, &candidates, "pass");
                    witness = self
                        .session
                        .witness(self.as_of, &names, &parts, &lines, &confirm)?;
                    if witness.is_none() {
                        self.find(
                            Kind::Unknown,
                            &candidates,
                            "the solver found a report passing these rules together, but the engine did not confirm it".to_owned(),
                            None,
                        );
                    }
                    break;
                }
                Answer::Unknown => {
                    self.find(
                        Kind::Unknown,
                        &candidates,
                        "the solver could not decide whether one report passes these rules together".to_owned(),
                        None,
                    );
                    candidates.clear();
                    break;
                }
                Answer::Unsat => {
                    let mut core: Vec<usize> = self
                        .session
                        .core()?
                        .iter()
                        .filter_map(|name| {
                            name.strip_prefix('r')?.strip_suffix("_pass")?.parse().ok()
                        })
                        .collect();
                    core.sort_unstable();
                    let Some(&last) = core.last() else {
                        break;
                    };
                    self.explain_core(&core)?;
                    candidates.retain(|&i| i != last);
                    set_aside.push(self.name(last));
                }
            }
        }
        Ok(Case {
            as_of: self.as_of,
            rules: in_force,
            passing: candidates.len(),
            set_aside,
            witness,
        })
    }

    /// Why the rules of an unsat core cannot all pass: one rule that never does, rules
    /// that can all apply but never all pass (a contradiction), or conditions that
    /// exclude each other (not a finding).
    fn explain_core(&mut self, core: &[usize]) -> Result<(), ProveError> {
        let evaluated: Vec<String> = core.iter().map(|i| format!("r{i}_eval")).collect();
        match self.session.ask(&evaluated)? {
            Answer::Unsat if core.len() == 1 => {
                self.find(
                    Kind::NeverApplies,
                    core,
                    "no report makes this rule evaluate: its condition, its lines or its totals never allow it".to_owned(),
                    None,
                );
            }
            Answer::Unsat => {}
            Answer::Unknown => self.find(
                Kind::Unknown,
                core,
                "the solver could not decide whether these rules can apply together".to_owned(),
                None,
            ),
            Answer::Sat if core.len() == 1 => self.find(
                Kind::NeverPasses,
                core,
                "this rule applies to some reports but passes on none: whenever it applies, it fails".to_owned(),
                None,
            ),
            Answer::Sat => self.find(
                Kind::Contradiction,
                core,
                "these rules can all apply to one report, but no report passes them all: any report they all apply to fails one".to_owned(),
                None,
            ),
        }
        Ok(())
    }

    /// The questions about one rule: can it fail, can its condition hold, can it reach
    /// an error, and is it implied by the others.
    fn rule(
        &mut self,
        index: usize,
        supported: &[usize],
        may_error: bool,
        nonlinear: bool,
    ) -> Result<bool, ProveError> {
        let why = if nonlinear {
            " (the rule multiplies or divides lines: non-linear arithmetic)"
        } else {
            ""
        };
        let rule = self.rules.rules().get(index);
        let has_condition = rule.is_some_and(|r| r.condition().is_some());
        let fail = format!("r{index}_fail");
        let can_fail = self.session.ask(std::slice::from_ref(&fail))?;
        match can_fail {
            Answer::Unsat => {
                let applies = self.session.ask(&[format!("r{index}_eval")])?;
                if applies == Answer::Sat {
                    self.find(
                        Kind::NeverFails,
                        &[index],
                        "no report fails this rule: wherever it applies, it holds".to_owned(),
                        None,
                    );
                }
            }
            Answer::Unknown => self.find(
                Kind::Unknown,
                &[index],
                format!("the solver could not decide whether some report fails this rule{why}"),
                None,
            ),
            Answer::Sat => {}
        }
        if has_condition {
            match self.session.ask(&[format!("r{index}_cond")])? {
                Answer::Unsat => self.find(
                    Kind::ConditionNeverHolds,
                    &[index],
                    "no report satisfies this rule's `when` condition: it is always skipped"
                        .to_owned(),
                    None,
                ),
                Answer::Unknown => self.find(
                    Kind::Unknown,
                    &[index],
                    "the solver could not decide whether this rule's condition can hold".to_owned(),
                    None,
                ),
                Answer::Sat => {}
            }
        }
        if may_error {
            let err = vec![format!("r{index}_err")];
            match self.session.ask(&err)? {
                Answer::Sat => {
                    let rules = self.rules;
                    let confirm = move |w: &Witness| {
                        w.check(rules).is_some_and(|result| {
                            result
                                .results
                                .get(index)
                                .is_some_and(|r| r.verdict == Verdict::Error)
                        })
                    };
                    let lines = lines_of(self.rules.rules().get(index));
                    let parts = parts_of(self.rules, self.encoded, &[index], "err");
                    match self
                        .session
                        .witness(self.as_of, &err, &parts, &lines, &confirm)?
                    {
                        Some(witness) => self.find(
                            Kind::ReachableError,
                            &[index],
                            "a report makes this rule divide by zero: its verdict is an error, and `check` exits 2".to_owned(),
                            Some(witness),
                        ),
                        None => self.find(
                            Kind::Unknown,
                            &[index],
                            "the solver found a division by zero the engine did not confirm".to_owned(),
                            None,
                        ),
                    }
                }
                Answer::Unknown => self.find(
                    Kind::Unknown,
                    &[index],
                    format!(
                        "the solver could not decide whether this rule can divide by zero{why}"
                    ),
                    None,
                ),
                Answer::Unsat => {}
            }
        }
        Ok(can_fail == Answer::Sat && supported.len() > 1)
    }

    /// The finding that rule `index` is implied by the rules `by`.
    fn implied_by(&mut self, index: usize, mut by: Vec<usize>) {
        by.sort_unstable();
        let by: Vec<String> = by.iter().map(|&i| format!("`{}`", self.name(i))).collect();
        self.find(
            Kind::Implied,
            &[index],
            format!(
                "no report fails this rule on which {} hold: it is implied by them",
                if by.is_empty() {
                    "the other rules".to_owned()
                } else {
                    by.join(", ")
                }
            ),
            None,
        );
    }
}

impl Prover<'_> {
    /// Whether each rule of `candidates` (rules that can fail) is implied: no report
    /// fails it on which every other rule of `supported` holds (passes or is skipped).
    ///
    /// Asked of the rule's part alone (the rules connected to it through lines), with
    /// the report's globals (unit, previous unit, previous report) limited to those with
    /// which every other part has a report on which none of its rules fails: the parts
    /// read no line in common, so such reports make one report with the part's. That
    /// is the question of all the rules, exactly, in a much smaller one, asked of a
    /// solver holding only the part's rules, each compiled once for all of its
    /// questions. When some part is `unknown`, or the other parts never hold together,
    /// or the part's answer is `unknown`, it is asked of all the rules.
    fn implied(&mut self, candidates: &[usize], supported: &[usize]) -> Result<(), ProveError> {
        let feasible = Points::feasible(self.as_of);
        for at in 0..self.parts.len() {
            let part = self.parts.get(at).cloned().unwrap_or_default();
            let asked: Vec<usize> = part
                .iter()
                .copied()
                .filter(|i| candidates.contains(i))
                .collect();
            if asked.is_empty() {
                continue;
            }
            let mut allowed = Some(feasible);
            for other in 0..self.parts.len() {
                if other != at {
                    allowed = match (allowed, self.part_holds(other)?) {
                        (Some(a), Some(points)) => Some(a.and(points)),
                        _ => None,
                    };
                }
            }
            let Some(allowed) = allowed.filter(|a| !a.is_empty()) else {
                for index in asked {
                    self.implied_whole(index, supported)?;
                }
                continue;
            };
            let under = if allowed.and(feasible) == feasible {
                String::new()
            } else {
                allowed.assertion()
            };
            let rules = self.rules;
            let members: Vec<(&CheckedRule, String)> = part
                .iter()
                .filter_map(|&i| Some((rules.rules().get(i)?, format!("r{i}"))))
                .collect();
            let scratch = self.session.scratch()?;
            let mut answers = Vec::new();
            if scratch.enter(self.as_of, &members, &under)? {
                for &index in &asked {
                    let mut names = vec![format!("r{index}_fail")];
                    names.extend(
                        part.iter()
                            .filter(|&&i| i != index)
                            .map(|i| format!("r{i}_ok")),
                    );
                    let answer = scratch.assume(&names)?;
                    let core = if answer == Answer::Unsat {
                        scratch.assumed_core(&names)?
                    } else {
                        Vec::new()
                    };
                    answers.push((index, answer, core));
                }
            }
            scratch.leave()?;
            if answers.len() != asked.len() {
                for index in asked {
                    self.implied_whole(index, supported)?;
                }
                continue;
            }
            for (index, answer, core) in answers {
                match answer {
                    Answer::Unsat => self.implied_by(index, ok_rules(&core)),
                    Answer::Sat => {}
                    Answer::Unknown => self.implied_whole(index, supported)?,
                }
            }
        }
        Ok(())
    }

    /// Whether rule `index` is implied, asked of all the rules at once.
    fn implied_whole(&mut self, index: usize, supported: &[usize]) -> Result<(), ProveError> {
        let mut names = vec![format!("r{index}_fail")];
        names.extend(
            supported
                .iter()
                .filter(|&&i| i != index)
                .map(|i| format!("r{i}_ok")),
        );
        if self.session.ask(&names)? == Answer::Unsat {
            let core = self.session.core()?;
            self.implied_by(index, ok_rules(&core));
        }
        Ok(())
    }

    /// The globals with which some report fails or errs on no rule of a part (`None`:
    /// the solver could not decide for some, or a rule is not compiled), asked once a
    /// date for each value of the globals the part's rules read.
    fn part_holds(&mut self, part: usize) -> Result<Option<Points>, ProveError> {
        if let Some(known) = self.parts_hold.get(part).copied().flatten() {
            return Ok(known);
        }
        let rules: Vec<usize> = self.parts.get(part).cloned().unwrap_or_default();
        let names: Vec<String> = rules.iter().map(|i| format!("r{i}_ok")).collect();
        let mentions = rules
            .iter()
            .filter_map(|&i| self.encoded.get(i).and_then(Option::as_ref))
            .fold(encode::Mentions::default(), |m, e| m.or(e.mentions));
        // Asked of the scratch solver with only the part's rules compiled, once for all
        // the choices: each choice a term asked as an assumption.
        let members: Vec<(&CheckedRule, String)> = rules
            .iter()
            .filter_map(|&i| Some((self.rules.rules().get(i)?, format!("r{i}"))))
            .collect();
        let choices = Points::choices(mentions);
        let mut defined = String::new();
        for (k, choice) in choices.iter().enumerate() {
            let _ = writeln!(defined, "(define-fun choice{k} () Bool {})", choice.term());
        }
        let scratch = self.session.scratch()?;
        let mut points = Points::NONE;
        let mut known = scratch.enter(self.as_of, &members, &defined)?;
        if known {
            for (k, choice) in choices.iter().enumerate() {
                let mut asked = names.clone();
                asked.push(format!("choice{k}"));
                match scratch.assume(&asked)? {
                    Answer::Sat => points = points.or(choice.points()),
                    Answer::Unsat => {}
                    Answer::Unknown => known = false,
                }
            }
        }
        scratch.leave()?;
        let found = known.then_some(points);
        if let Some(slot) = self.parts_hold.get_mut(part) {
            *slot = Some(found);
        }
        Ok(found)
    }
}

/// What `diff --prove` found: whether some report gets a different verdict under the two
/// rule sets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Equivalence {
    /// The rule ids whose meaning could differ (changed, added or removed).
    pub compared: Vec<String>,
    /// Each date looked at, and what was found there.
    pub cases: Vec<DiffCase>,
    /// A report on which the verdicts differ, checked by the engine under both sets.
    pub witness: Option<Witness>,
    /// The verdicts that differ on the witness, as `diff --reports` lists them.
    pub flips: Vec<Flip>,
    /// Rules whose change the solver could not decide, with why.
    pub unknown: Vec<String>,
}

/// One date of `diff --prove`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DiffCase {
    /// The date (`null`: a report without one).
    #[serde(serialize_with = "crossfoot_core::diff::date_text")]
    pub as_of: Option<Date>,
    /// `same` (proved: no report gets a different verdict), `differs` (a witness) or
    /// `unknown`.
    pub answer: &'static str,
}

impl Equivalence {
    /// Whether no report can get a different verdict: proved at every date, nothing
    /// unknown.
    pub fn proved_same(&self) -> bool {
        self.witness.is_none()
            && self.unknown.is_empty()
            && self.cases.iter().all(|c| c.answer == "same")
    }
}

/// Whether two versions of a rule give the same verdict on every report by construction:
/// the same assertion, tolerance, condition, period, line kinds and totals.
fn same_rule(old: &CheckedRule, new: &CheckedRule) -> bool {
    let key = |rule: &CheckedRule| {
        (
            rule.left_text().to_owned(),
            rule.assertion().op,
            rule.right_text().to_owned(),
            rule.tolerance().copied(),
            rule.condition_text().map(str::to_owned),
            *rule.period(),
            rule.lines().to_vec(),
            (0..rule.lines().len())
                .map(|s| rule.kind(s))
                .collect::<Vec<_>>(),
            rule.total_reads().to_vec(),
        )
    };
    key(old) == key(new)
}

/// What a rule id comes to on a date under a set: the index of its version in force, or
/// the word `diff` gives when none is (`absent`, `not in force`).
fn version_at(set: &RuleSet, id: &str, as_of: Option<Date>) -> Result<usize, &'static str> {
    let mut known = false;
    for (index, rule) in set.rules().iter().enumerate() {
        if rule.id() == id {
            known = true;
            if in_force(rule, as_of).is_ok() {
                return Ok(index);
            }
        }
    }
    Err(if known { "not in force" } else { "absent" })
}

/// Prove that no report gets a different verdict under `new` than under `old`, or find
/// one that does.
pub fn prove_diff(
    old: &RuleSet,
    new: &RuleSet,
    options: &Options,
) -> Result<Equivalence, ProveError> {
    let mut ids: Vec<&str> = Vec::new();
    let mut seen = HashSet::new();
    for rule in new.rules().iter().chain(old.rules()) {
        if seen.insert(rule.id()) {
            ids.push(rule.id());
        }
    }
    let dates = dates(&[old, new], options.as_of);
    // The ids that could differ on some date.
    let compared: Vec<&str> = ids
        .iter()
        .copied()
        .filter(|id| {
            dates.iter().any(|&as_of| {
                match (version_at(old, id, as_of), version_at(new, id, as_of)) {
                    (Ok(a), Ok(b)) => match (old.rules().get(a), new.rules().get(b)) {
                        (Some(a), Some(b)) => !same_rule(a, b),
                        _ => true,
                    },
                    (Err(a), Err(b)) => a != b,
                    _ => true,
                }
            })
        })
        .collect();
    let mut result = Equivalence {
        compared: compared.iter().map(|id| (*id).to_owned()).collect(),
        cases: Vec::new(),
        witness: None,
        flips: Vec::new(),
        unknown: Vec::new(),
    };
    if compared.is_empty() {
        result.cases = dates
            .iter()
            .map(|&as_of| DiffCase {
                as_of,
                answer: "same",
            })
            .collect();
        return Ok(result);
    }
    let mut session = Session::start(options)?;
    let mut added: BTreeMap<String, bool> = BTreeMap::new();
    let lines = lines_of(
        old.rules()
            .iter()
            .chain(new.rules())
            .filter(|rule| compared.contains(&rule.id())),
    );
    let confirm = |w: &Witness| -> bool {
        match (w.check(old), w.check(new)) {
            (Some(before), Some(after)) => !flips(old, &before, new, &after).is_empty(),
            _ => false,
        }
    };
    for as_of in dates {
        let mut differ = Vec::new();
        let mut always = false;
        let mut unknown = false;
        let mut text = String::new();
        for id in &compared {
            match (version_at(old, id, as_of), version_at(new, id, as_of)) {
                (Err(a), Err(b)) => always |= a != b,
                (Ok(_), Err(_)) | (Err(_), Ok(_)) => always = true,
                (Ok(a), Ok(b)) => {
                    let (Some(rule_a), Some(rule_b)) = (old.rules().get(a), new.rules().get(b))
                    else {
                        continue;
                    };
                    if same_rule(rule_a, rule_b) {
                        continue;
                    }
                    let mut ready = true;
                    for (rule, name) in [(rule_a, format!("o{a}")), (rule_b, format!("n{b}"))] {
                        let ok = match added.get(&name) {
                            Some(ok) => *ok,
                            None => {
                                let ok = match session.add(rule, &name)? {
                                    Ok(_) => true,
                                    Err(why) => {
                                        result.unknown.push(format!(
                                            "`{}`: not compiled for the solver: {}",
                                            version_name(rule),
                                            why.0
                                        ));
                                        false
                                    }
                                };
                                added.insert(name.clone(), ok);
                                ok
                            }
                        };
                        ready &= ok;
                    }
                    if !ready {
                        unknown = true;
                        continue;
                    }
                    let name = format!("d_o{a}_n{b}");
                    if added.insert(name.clone(), true).is_none() {
                        let same: Vec<String> = ["pass", "fail", "err"]
                            .iter()
                            .map(|v| format!("(= o{a}_{v} n{b}_{v})"))
                            .collect();
                        let _ = writeln!(
                            text,
                            "(define-fun {name} () Bool (not (and {})))",
                            same.join(" ")
                        );
                    }
                    differ.push(name);
                }
            }
        }
        if !text.is_empty() {
            session.close()?;
            session.solver.run(&text)?;
        }
        session.push(as_of)?;
        let any = if always {
            "true".to_owned()
        } else {
            smt::or(&differ)
        };
        session.close()?;
        session
            .solver
            .run(&format!("(define-fun differs () Bool {any})\n"))?;
        let names = vec!["differs".to_owned()];
        let answer = match session.ask(&names)? {
            Answer::Sat => match session.witness(as_of, &names, &[], &lines, &confirm)? {
                Some(witness) => {
                    if let (Some(before), Some(after)) = (witness.check(old), witness.check(new)) {
                        result.flips = flips(old, &before, new, &after);
                    }
                    result.witness = Some(witness);
                    "differs"
                }
                None => {
                    result.unknown.push(format!(
                        "{}: the solver found a report with different verdicts that the engine did not confirm",
                        as_of.map_or_else(|| "a report without a date".to_owned(), |d| format!("on {d}"))
                    ));
                    "unknown"
                }
            },
            Answer::Unsat if unknown => "unknown",
            Answer::Unsat => "same",
            Answer::Unknown => {
                result.unknown.push(format!(
                    "{}: the solver could not decide",
                    as_of.map_or_else(
                        || "a report without a date".to_owned(),
                        |d| format!("on {d}")
                    )
                ));
                "unknown"
            }
        };
        session.pop()?;
        result.cases.push(DiffCase { as_of, answer });
        if result.witness.is_some() {
            break;
        }
    }
    Ok(result)
}

/// An unsat core made minimal: each name dropped in turn, and left out when
/// `still_unsat` holds of the rest (a core of more than [`MINIMIZE`] names is kept as
/// the solver gave it).
fn minimal(
    mut core: Vec<String>,
    mut still_unsat: impl FnMut(&[String]) -> Result<bool, ProveError>,
) -> Result<Vec<String>, ProveError> {
    if core.len() > MINIMIZE {
        return Ok(core);
    }
    let mut at = 0;
    while at < core.len() && core.len() > 1 {
        let mut without = core.clone();
        without.remove(at);
        if still_unsat(&without)? {
            core = without;
        } else {
            at += 1;
        }
    }
    Ok(core)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_choices_of_globals_cover_every_point_once() {
        let every = encode::Mentions {
            unit: true,
            prior_unit: true,
            has_prior: true,
        };
        for mentions in [encode::Mentions::default(), every] {
            let choices = Points::choices(mentions);
            let mut covered = Points::NONE;
            for choice in &choices {
                let points = choice.points();
                assert!(covered.and(points).is_empty(), "a point chosen twice");
                covered = covered.or(points);
            }
            assert_eq!(covered, Points::ALL);
        }
        assert_eq!(Points::choices(every).len(), 32);
        assert_eq!(Points::choices(encode::Mentions::default()).len(), 1);
        // Without a date there is no previous report: half the points.
        let undated = Points::feasible(None);
        assert_eq!(undated.0.count_ones(), 16);
        let text = undated.assertion();
        assert_eq!(
            text.matches("has_prior").count(),
            text.matches("(not has_prior)").count()
        );
    }
}
