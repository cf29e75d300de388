//! A checked rule set and its waivers, ready to check reports: one at a time, or a stream
//! of any length in parallel. Every report, whatever it came from, becomes a [`Row`] and is
//! evaluated by the one evaluator into one [`ReportResult`], which every output reads.

use crate::compile::{CheckedRule, RuleSet};
use crate::eval::{Facts, NoPrior, RowAmounts, Verdict, verdict};
use crate::report::kept::{Kept, Packing};
use crate::report::{Assumed, Inputs, Job, Meta, Report, Row, Spare, Unreadable};
use crate::waiver::Waivers;

/// A rule set ready to check reports, with the waivers that accept some failures.
#[derive(Debug)]
pub struct Engine {
    rules: RuleSet,
    waivers: Option<Waivers>,
    /// Reports given only as previous reports (`--prior FILE`): looked up, never checked.
    priors: Ledger,
    /// The rule pack's name and version, from its `pack.yaml`.
    pack: Option<crate::pack::Pack>,
    /// The facts assumed of a checked report that does not state them (`--as-of`).
    assumed: Assumed,
}

mod pipeline;
mod prior;
mod result;
mod tally;

use prior::Ledger;
pub use prior::Prior;
pub use result::{ExitStatus, Outcome, ReportResult, RuleResult, Standing, Summary};
pub use tally::{RunWarning, Tally, Totals, plural};

impl Engine {
    /// An engine for a checked rule set, without waivers.
    pub fn new(rules: RuleSet) -> Self {
        Engine {
            priors: Ledger::new(&rules),
            rules,
            waivers: None,
            pack: None,
            assumed: Assumed::default(),
        }
    }

    /// The same engine assuming `assumed` of every report it checks that does not state
    /// it (`--as-of`, `--firm`); previous reports given with
    /// [`with_priors`](Self::with_priors) are taken as they are.
    pub fn assuming(mut self, assumed: Assumed) -> Self {
        self.assumed = assumed;
        self
    }

    /// The same engine with the rule pack's name and version (its `pack.yaml`), which
    /// the outputs and the run record name.
    pub fn with_pack(mut self, pack: Option<crate::pack::Pack>) -> Self {
        self.pack = pack;
        self
    }

    /// The rule pack's name and version, when its rules have a `pack.yaml`.
    pub fn pack(&self) -> Option<&crate::pack::Pack> {
        self.pack.as_ref()
    }

    /// The same engine with reports that serve only as previous reports (`--prior`): a
    /// report's previous report is the latest earlier one of its firm among these and the
    /// reports of the run.
    pub fn with_priors(mut self, reports: &[Report]) -> Self {
        let mut ledger = Ledger::new(&self.rules);
        for report in reports {
            ledger.add_row(&Row::of(&self.rules, report));
        }
        ledger.seal();
        self.priors = ledger;
        self
    }

    /// The same engine with waivers (checked against the rules by the caller, see
    /// [`Waivers::check_rules`]).
    pub fn with_waivers(mut self, waivers: Option<Waivers>) -> Self {
        self.waivers = waivers;
        self
    }

    /// The rule set.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// The waivers, if any.
    pub fn waivers(&self) -> Option<&Waivers> {
        self.waivers.as_ref()
    }

    /// Check one report.
    pub fn check(&self, report: &Report) -> ReportResult {
        self.check_row(Row::of(&self.rules, report))
    }

    /// Check one report already read as a row of this rule set (its previous report, if
    /// a rule reads one, from the reports given with [`with_priors`](Self::with_priors)).
    pub fn check_row(&self, mut row: Row) -> ReportResult {
        self.assumed.fill(&mut row.meta);
        let prior = self.prior_of(&row.meta, &self.priors);
        check_row_into(&self.rules, self.waivers.as_ref(), row, prior, Vec::new())
    }

    /// The previous report of `meta`'s firm in `ledger`, when the rules read one.
    fn prior_of(&self, meta: &Meta, ledger: &Ledger) -> Prior {
        if !self.rules.reads_prior() {
            return Err(NoPrior::NoneEarlier);
        }
        ledger.lookup(meta)
    }

    /// Check every report `jobs` hold (see [`Inputs`](crate::report::Inputs)) and hand
    /// each result to `each`, in input order, as soon as it and every earlier one are
    /// final. Each core takes the next window of jobs, reads and checks it; a bounded number of
    /// windows of work is in flight, so memory does not grow with the number of reports
    /// (clone a result to keep it). The first error `each` returns stops the run and is
    /// returned.
    pub fn check_each<F, E>(&self, inputs: Inputs<'_>, mut each: F) -> Result<(), E>
    where
        F: FnMut(Result<&ReportResult, &Unreadable>) -> Result<(), E>,
    {
        self.check_rendered(inputs, &|_, _| {}, |checked| {
            each(checked.map(|(result, _)| result))
        })
    }

    /// [`check_each`](Self::check_each), with each result also rendered by `render` on
    /// the worker that checked it: `each` gets the bytes with the result, so the caller
    /// only writes them out, and an output as large as every result of every report
    /// costs the cores, not the caller's thread.
    pub fn check_rendered<R, F, E>(&self, inputs: Inputs<'_>, render: &R, each: F) -> Result<(), E>
    where
        R: Fn(&ReportResult, &mut Vec<u8>) + Sync,
        F: FnMut(Result<(&ReportResult, &[u8]), &Unreadable>) -> Result<(), E>,
    {
        if self.rules.reads_prior() {
            return self.check_with_priors(inputs, render, each);
        }
        self.stream(inputs, &self.priors, render, each)
    }

    /// Check the reports `jobs` hold as a stream, each with its previous report from
    /// `ledger`.
    fn stream<I, R, F, E>(&self, jobs: I, ledger: &Ledger, render: &R, each: F) -> Result<(), E>
    where
        I: Iterator<Item = Job> + Send,
        R: Fn(&ReportResult, &mut Vec<u8>) + Sync,
        F: FnMut(Result<(&ReportResult, &[u8]), &Unreadable>) -> Result<(), E>,
    {
        std::thread::scope(|scope| {
            pipeline::run(scope, self, ledger, jobs, render, workers(), each)
        })
    }

    /// [`check_rendered`](Self::check_rendered) for rules that read previous reports. A
    /// report's previous report may come after it in the input, so every report is read
    /// first: each noted in a [`Ledger`] (its firm, date and the lines `prior(…)` reads)
    /// and kept packed ([`Kept`]: in memory, then in a temporary file). Then the kept
    /// reports are checked as a stream, each with its previous report from the ledger.
    fn check_with_priors<R, F, E>(&self, inputs: Inputs<'_>, render: &R, each: F) -> Result<(), E>
    where
        R: Fn(&ReportResult, &mut Vec<u8>) + Sync,
        F: FnMut(Result<(&ReportResult, &[u8]), &Unreadable>) -> Result<(), E>,
    {
        let mut ledger = self.priors.clone();
        let first = ledger.len();
        let noter = ledger.noter();
        let mut kept = Kept::new(self.rules.width());
        let note = |window: Vec<Job>, spare: &mut Recycled| {
            let mut packing = Packing::new();
            let mut notes = Vec::new();
            for job in window {
                for read in self.read(job, &mut spare.rows) {
                    match read {
                        Ok(row) => {
                            packing.row(&row);
                            notes.push(noter.note(&row));
                            spare.rows.keep(row);
                        }
                        Err(unreadable) => {
                            notes.push(noter.note_unreadable(&unreadable));
                            packing.unreadable(unreadable);
                        }
                    }
                }
            }
            (notes, packing)
        };
        let keep = |(notes, packing): (Vec<_>, Packing), _: &mut Recycled| {
            notes.into_iter().for_each(|note| ledger.add(note));
            kept.add(packing);
            Ok::<(), std::convert::Infallible>(())
        };
        let Ok(()) =
            std::thread::scope(|scope| pipeline::ordered(scope, inputs, workers(), note, keep));
        let needed = ledger.seal();
        if !needed.is_empty() {
            kept.rows(|index, row| {
                let index = (first + index) as u32;
                if let Some(row) = row.filter(|_| needed.contains(&index)) {
                    ledger.take_digest(index, &row);
                }
            });
            ledger.decide();
        }
        self.stream(kept.replay(), &ledger, render, each)
    }

    /// The reports a job holds, with the facts the run assumes filled in: the one place a
    /// checked report is read.
    fn read(&self, job: Job, spare: &mut Spare) -> Vec<Result<Row, Unreadable>> {
        let mut rows = job.read(&self.rules, spare);
        if !self.assumed.is_empty() {
            // An unreadable report is a report of the run too: with the facts assumed, it
            // is the previous report it would have been (and makes that one unreadable).
            for row in &mut rows {
                match row {
                    Ok(row) => self.assumed.fill(&mut row.meta),
                    Err(unreadable) => self.assumed.fill(&mut unreadable.meta),
                }
            }
        }
        rows
    }

    fn check_job(
        &self,
        job: Job,
        ledger: &Ledger,
        spare: &mut Recycled,
    ) -> Vec<Result<ReportResult, Unreadable>> {
        self.read(job, &mut spare.rows)
            .into_iter()
            .map(|row| {
                row.map(|row| {
                    let results = spare.results.pop().unwrap_or_default();
                    let prior = self.prior_of(&row.meta, ledger);
                    check_row_into(&self.rules, self.waivers.as_ref(), row, prior, results)
                })
            })
            .collect()
    }
}

/// How many threads check reports.
fn workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().min(32))
}

/// What a window's results leave behind for the next windows to fill again.
#[derive(Debug, Default)]
struct Recycled {
    rows: Spare,
    results: Vec<Vec<RuleResult>>,
    rendered: Vec<u8>,
}

impl Recycled {
    /// Keep a result's buffers.
    fn keep(&mut self, result: ReportResult) {
        self.rows.keep(result.row);
        self.results.push(result.results);
    }
}

/// Every rule of `rules` on one report's row, with the failures `waivers` accept marked:
/// what [`Engine::check_row`] does, for a rule set without an engine of its own.
/// There is no previous report: a rule that reads one is skipped.
pub fn check_row(rules: &RuleSet, waivers: Option<&Waivers>, row: Row) -> ReportResult {
    let prior = Err(NoPrior::NoneEarlier);
    check_row_into(rules, waivers, row, prior, Vec::new())
}

/// A report's facts, with its previous report's unit.
fn facts(row: &Row, prior: &Prior) -> Facts {
    let mut facts = row.meta.facts();
    if let Ok(prior) = prior {
        facts.prior_unit = prior.meta.unit;
    }
    facts
}

/// A rule's amounts on a row and its previous report.
fn amounts<'a>(rule: &'a CheckedRule, row: &'a Row, prior: &'a Prior) -> RowAmounts<'a> {
    let prior = match prior {
        Ok(prior) => Ok(prior.amounts.as_slice()),
        Err(why) => Err(*why),
    };
    RowAmounts::new(rule, &row.amounts).with_prior(prior)
}

/// [`check_row`] with a previous report, the results in `results`' buffer.
fn check_row_into(
    rules: &RuleSet,
    waivers: Option<&Waivers>,
    row: Row,
    prior: Prior,
    mut results: Vec<RuleResult>,
) -> ReportResult {
    let (firm, as_of) = (row.meta.firm.as_deref(), row.meta.as_of);
    let facts = facts(&row, &prior);
    let mut summary = Summary::default();
    results.clear();
    results.extend(rules.rules().iter().map(|rule| {
        let verdict = verdict(rule, &amounts(rule, &row, &prior), facts);
        let waiver = match (verdict, waivers) {
            (Verdict::Fail, Some(waivers)) => waivers.covering(&rule.id, firm, as_of),
            _ => None,
        };
        let result = RuleResult { verdict, waiver };
        summary.add(rule, &result);
        result
    }));
    ReportResult {
        row,
        results,
        summary,
        prior,
    }
}
