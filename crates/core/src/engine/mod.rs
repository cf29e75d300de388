//! A checked rule set and its waivers, ready to check reports: one at a time, or a stream
//! of any length in parallel. Every report, whatever it came from, becomes a [`Row`] and is
//! evaluated by the one evaluator into one [`ReportResult`], which every output reads.

use std::sync::Arc;

use crate::compile::{CheckedRule, RuleSet};
use crate::eval::{Facts, NoPrior, RowAmounts, Verdict, verdict};
use crate::report::{Assumed, Job, Meta, Report, Row, Spare, Unreadable};
use crate::waiver::Waivers;

/// A rule set ready to check reports, with the waivers that accept some failures.
#[derive(Debug)]
pub struct Engine {
    rules: RuleSet,
    waivers: Option<Waivers>,
    /// Reports given only as previous reports (`--prior FILE`): looked up, never checked.
    priors: Vec<Arc<Row>>,
    /// The rule pack's name and version, from its `pack.yaml`.
    pack: Option<crate::pack::Pack>,
    /// The facts assumed of a checked report that does not state them (`--as-of`).
    assumed: Assumed,
}

/// How many reports a run with previous reports checks at a time.
const PRIOR_CHUNK: usize = 4096;

mod pipeline;
mod prior;
mod result;
mod tally;

pub use prior::Prior;
use prior::{Earlier, PriorIndex};
pub use result::{ExitStatus, Outcome, ReportResult, RuleResult, Standing, Summary};
pub use tally::{RunWarning, Tally, Totals, plural};

impl Engine {
    /// An engine for a checked rule set, without waivers.
    pub fn new(rules: RuleSet) -> Self {
        Engine {
            rules,
            waivers: None,
            priors: Vec::new(),
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
        self.priors = reports
            .iter()
            .map(|report| Arc::new(Row::of(&self.rules, report)))
            .collect();
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
        let prior = self.prior_of(&row.meta, &[]);
        check_row_into(&self.rules, self.waivers.as_ref(), row, prior, Vec::new())
    }

    /// The previous report of `meta`'s firm among the given priors and `batch`, when the
    /// rules read one.
    fn prior_of(&self, meta: &Meta, batch: &[Arc<Row>]) -> Prior {
        if !self.rules.reads_prior() {
            return Err(NoPrior::NoneEarlier);
        }
        PriorIndex::new(self.priors.iter().chain(batch).map(Earlier::Read)).lookup(meta)
    }

    /// Check every report `jobs` hold (see [`Inputs`](crate::report::Inputs)) and hand
    /// each result to `each`, in input order, as soon as it and every earlier one are
    /// final. Jobs are read on one thread and checked on every core; a bounded number of
    /// windows of work is in flight, so memory does not grow with the number of reports
    /// (clone a result to keep it). The first error `each` returns stops the run and is
    /// returned.
    pub fn check_each<I, F, E>(&self, jobs: I, mut each: F) -> Result<(), E>
    where
        I: Iterator<Item = Job> + Send,
        F: FnMut(Result<&ReportResult, &Unreadable>) -> Result<(), E>,
    {
        self.check_rendered(jobs, &|_, _| {}, |checked| {
            each(checked.map(|(result, _)| result))
        })
    }

    /// [`check_each`](Self::check_each), with each result also rendered by `render` on
    /// the worker that checked it: `each` gets the bytes with the result, so the caller
    /// only writes them out, and an output as large as every result of every report
    /// costs the cores, not the caller's thread.
    pub fn check_rendered<I, R, F, E>(&self, jobs: I, render: &R, each: F) -> Result<(), E>
    where
        I: Iterator<Item = Job> + Send,
        R: Fn(&ReportResult, &mut Vec<u8>) + Sync,
        F: FnMut(Result<(&ReportResult, &[u8]), &Unreadable>) -> Result<(), E>,
    {
        if self.rules.reads_prior() {
            return self.check_with_priors(jobs, render, each);
        }
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get().min(32));
        std::thread::scope(|scope| pipeline::run(scope, self, jobs, render, workers, each))
    }

    /// [`check_rendered`](Self::check_rendered) for rules that read previous reports:
    /// every report is read first, so each can be given the latest earlier report of its
    /// firm wherever it is in the input, then checked by the same evaluator.
    fn check_with_priors<I, R, F, E>(&self, jobs: I, render: &R, mut each: F) -> Result<(), E>
    where
        I: Iterator<Item = Job> + Send,
        R: Fn(&ReportResult, &mut Vec<u8>) + Sync,
        F: FnMut(Result<(&ReportResult, &[u8]), &Unreadable>) -> Result<(), E>,
    {
        let mut spare = Spare::default();
        let read: Vec<Result<Arc<Row>, Unreadable>> = jobs
            .flat_map(|job| self.read(job, &mut spare))
            .map(|row| row.map(Arc::new))
            .collect();
        let rows = read.iter().map(|row| match row {
            Ok(row) => Earlier::Read(row),
            Err(unreadable) => Earlier::Unreadable(&unreadable.meta),
        });
        let index = PriorIndex::new(self.priors.iter().map(Earlier::Read).chain(rows));
        // Checked and written a chunk at a time, so the rendered output is never all held.
        for chunk in read.chunks(PRIOR_CHUNK) {
            let checked = crate::parallel::map_owned(chunk.iter().collect(), |row| {
                let row = row.as_ref().ok()?;
                let prior = index.lookup(&row.meta);
                let row = Row::clone(row);
                let waivers = self.waivers.as_ref();
                let result = check_row_into(&self.rules, waivers, row, prior, Vec::new());
                let mut bytes = Vec::new();
                render(&result, &mut bytes);
                Some((result, bytes))
            });
            for (read, checked) in chunk.iter().zip(&checked) {
                match (read, checked) {
                    (Err(unreadable), _) => each(Err(unreadable))?,
                    (Ok(_), Some((result, bytes))) => each(Ok((result, bytes)))?,
                    (Ok(_), None) => {}
                }
            }
        }
        Ok(())
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

    fn check_job(&self, job: Job, spare: &mut Recycled) -> Vec<Result<ReportResult, Unreadable>> {
        self.read(job, &mut spare.rows)
            .into_iter()
            .map(|row| {
                row.map(|row| {
                    let results = spare.results.pop().unwrap_or_default();
                    let prior = self.prior_of(&row.meta, &[]);
                    check_row_into(&self.rules, self.waivers.as_ref(), row, prior, results)
                })
            })
            .collect()
    }
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
