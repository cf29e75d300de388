//! A checked rule set and its waivers, ready to check reports: one at a time, or a stream
//! of any length in parallel. Every report, whatever it came from, becomes a [`Row`] and is
//! evaluated by the one evaluator into one [`ReportResult`], which every output reads.

use std::collections::HashMap;
use std::sync::Arc;

use crate::compile::{CheckedRule, RuleSet};
use crate::error::Error;
use crate::eval::{Facts, NoPrior, RowAmounts, Skip, Status, Verdict, evaluate_rule, verdict};
use crate::report::{Job, Meta, Report, Row, Spare, Unreadable};
use crate::waiver::{Usage, Waivers};
use crossfoot_syntax::ast::Severity;
use crossfoot_syntax::date::Date;
use crossfoot_syntax::line::LineCode;

/// A rule set ready to check reports, with the waivers that accept some failures.
#[derive(Debug)]
pub struct Engine {
    rules: RuleSet,
    waivers: Option<Waivers>,
    /// Reports given only as previous reports (`--prior FILE`): looked up, never checked.
    priors: Vec<Arc<Row>>,
    /// The rule pack's name and version, from its `pack.yaml`.
    pack: Option<crate::pack::Pack>,
}

/// How many reports a run with previous reports checks at a time.
const PRIOR_CHUNK: usize = 4096;

/// The previous report a result's rules read (`prior(3750)`), or why there is none.
pub type Prior = Result<Arc<Row>, NoPrior>;

/// One report's results: the report as the rules read it, and one result per rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportResult {
    /// The report: its metadata and the amount of each line the rules read or the
    /// catalogue declares.
    pub row: Row,
    /// One result per rule, in the order of [`RuleSet::rules`].
    pub results: Vec<RuleResult>,
    /// Counts by outcome.
    pub summary: Summary,
    /// The same firm's previous report, for rules that read it.
    pub prior: Prior,
}

/// One rule on one report: the verdict, and the waiver that accepts a failure. The
/// numbers behind it (both sides, the roundings, an arithmetic error) are the evaluator's
/// to give again on the same amounts: [`ReportResult::status`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleResult {
    /// What the evaluator found.
    pub verdict: Verdict,
    /// For a failure a live waiver accepts, which waiver (in the waivers file's order).
    pub waiver: Option<usize>,
}

/// How a rule ended on a report, waivers applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Holds.
    Pass,
    /// Does not hold.
    Fail,
    /// Does not hold, and a live waiver accepts that.
    Waived,
    /// Did not apply.
    Skipped,
    /// Could not be evaluated.
    Error,
}

impl Outcome {
    /// Whether an output that lists findings lists this one: a failure, waived or not, and
    /// a rule that could not be evaluated (not a pass or a skip). The one decision every
    /// output makes (`--results failing`, SARIF, GitHub, CSV, HTML).
    pub fn is_finding(self) -> bool {
        matches!(self, Outcome::Fail | Outcome::Waived | Outcome::Error)
    }

    /// The word in machine output: `pass`, `fail`, `waived`, `skipped`, `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Waived => "waived",
            Outcome::Skipped => "skipped",
            Outcome::Error => "error",
        }
    }
}

impl RuleResult {
    /// How the rule ended.
    pub fn outcome(&self) -> Outcome {
        match (self.verdict, self.waiver) {
            (Verdict::Pass, _) => Outcome::Pass,
            (Verdict::Fail, Some(_)) => Outcome::Waived,
            (Verdict::Fail, None) => Outcome::Fail,
            (Verdict::Skipped(_), _) => Outcome::Skipped,
            (Verdict::Error, _) => Outcome::Error,
        }
    }
}

/// How many rules ended how on one report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Rules evaluated.
    pub rules: usize,
    /// Rules that hold.
    pub passed: usize,
    /// Rules that do not hold and no waiver accepts, of any severity.
    pub failed: usize,
    /// Of the failed, those of severity `error`.
    pub failed_errors: usize,
    /// Of the failed, those of severity `warning`.
    pub failed_warnings: usize,
    /// Rules skipped (all lines blank, condition false, or not in force).
    pub skipped: usize,
    /// Of the skipped, those not in force on the report's date.
    pub not_in_force: usize,
    /// Failures a live waiver covers (not counted in `failed`).
    pub waived: usize,
    /// Rules whose arithmetic could not be carried out.
    pub errors: usize,
}

impl Summary {
    /// Count one rule's result.
    fn add(&mut self, rule: &CheckedRule, result: &RuleResult) {
        self.rules += 1;
        match result.outcome() {
            Outcome::Pass => self.passed += 1,
            Outcome::Fail => {
                self.failed += 1;
                match rule.severity {
                    Severity::Error => self.failed_errors += 1,
                    Severity::Warning => self.failed_warnings += 1,
                    Severity::Info => {}
                }
            }
            Outcome::Waived => self.waived += 1,
            Outcome::Skipped => {
                self.skipped += 1;
                if let Verdict::Skipped(Skip::NotInForce(_)) = result.verdict {
                    self.not_in_force += 1;
                }
            }
            Outcome::Error => self.errors += 1,
        }
    }

    /// What the report comes to: an error if a rule could not be evaluated, a failure if
    /// a rule of severity `error` failed (or, with `deny_warnings`, one of `warning`).
    pub fn exit_status(&self, deny_warnings: bool) -> ExitStatus {
        if self.errors > 0 {
            ExitStatus::Error
        } else if self.failed_errors > 0 || (deny_warnings && self.failed_warnings > 0) {
            ExitStatus::Fail
        } else {
            ExitStatus::Pass
        }
    }

    /// Whether every rule held, was skipped or was waived.
    pub fn holds(&self) -> bool {
        self.failed == 0 && self.errors == 0
    }

    /// How the report stands, in the terms of the exit status: a failing `warning` rule
    /// fails the report only with `deny_warnings`, a failing `info` rule never does.
    pub fn standing(&self, deny_warnings: bool) -> Standing {
        if self.errors > 0 {
            Standing::Error
        } else if self.failed_errors > 0 || (deny_warnings && self.failed_warnings > 0) {
            Standing::Fail
        } else if self.failed_warnings > 0 {
            Standing::Warning
        } else if self.failed > 0 {
            Standing::Info
        } else {
            Standing::Ok
        }
    }
}

/// How a report stands, from its failures' severities.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Standing {
    /// Every rule held, was skipped or was waived.
    Ok,
    /// Only rules of severity `info` failed.
    Info,
    /// Rules of severity `warning` failed (and warnings are not denied).
    Warning,
    /// A rule that fails the run failed.
    Fail,
    /// A rule could not be evaluated.
    Error,
}

impl Standing {
    /// The word in machine output: `ok`, `info`, `warning`, `fail`, `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Ok => "ok",
            Standing::Info => "info",
            Standing::Warning => "warning",
            Standing::Fail => "fail",
            Standing::Error => "error",
        }
    }
}

/// How a run ended, decided in one place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitStatus {
    /// Every rule holds.
    Pass = 0,
    /// A rule failed.
    Fail = 1,
    /// Rules or a report could not be used.
    Error = 2,
}

impl ReportResult {
    /// Each rule with its result.
    pub fn results<'a>(
        &'a self,
        rules: &'a RuleSet,
    ) -> impl Iterator<Item = (&'a CheckedRule, &'a RuleResult)> + 'a {
        rules.rules().iter().zip(&self.results)
    }

    /// A rule's amounts on this report (and its previous report).
    pub fn amounts<'a>(&'a self, rule: &'a CheckedRule) -> RowAmounts<'a> {
        amounts(rule, &self.row, &self.prior)
    }

    /// A rule's status on this report, with its numbers: the evaluator run again on the
    /// same amounts, so it is the status the verdict came from.
    pub fn status(&self, rule: &CheckedRule) -> Status {
        evaluate_rule(rule, &self.amounts(rule), self.facts())
    }

    /// What evaluation needs to know of the report: its date and unit, and its previous
    /// report's unit.
    pub fn facts(&self) -> Facts {
        facts(&self.row, &self.prior)
    }
}

impl Engine {
    /// An engine for a checked rule set, without waivers.
    pub fn new(rules: RuleSet) -> Self {
        Engine {
            rules,
            waivers: None,
            priors: Vec::new(),
            pack: None,
        }
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
    pub fn check_row(&self, row: Row) -> ReportResult {
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
            .flat_map(|job| job.read(&self.rules, &mut spare))
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

    fn check_job(&self, job: Job, spare: &mut Recycled) -> Vec<Result<ReportResult, Unreadable>> {
        job.read(&self.rules, &mut spare.rows)
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

/// Whether two rows of one firm and date are one report as far as any rule can tell: the
/// same unit and amounts. A report's identity is what it holds, never the path it was
/// given by: one file given twice under two spellings (`may.yaml`, `./may.yaml`), as a
/// report and as `--prior`, or two copies of it, is one previous report.
fn same_report(a: &Row, b: &Row) -> bool {
    a.meta.unit == b.meta.unit && a.amounts == b.amounts
}

/// A report of a run that a later one may take as its previous report: read, or known only
/// by the firm and date it could be read for.
#[derive(Clone, Copy)]
enum Earlier<'a> {
    Read(&'a Arc<Row>),
    Unreadable(&'a Meta),
}

impl<'a> Earlier<'a> {
    fn meta(self) -> &'a Meta {
        match self {
            Earlier::Read(row) => &row.meta,
            Earlier::Unreadable(meta) => meta,
        }
    }
}

/// Reports by firm and date, to find each report's previous one.
struct PriorIndex<'a> {
    /// For each firm (`None`: reports without one), its dated reports by date.
    firms: HashMap<Option<&'a str>, Vec<(Date, Earlier<'a>)>>,
}

impl<'a> PriorIndex<'a> {
    fn new(reports: impl Iterator<Item = Earlier<'a>>) -> Self {
        let mut firms: HashMap<Option<&str>, Vec<(Date, Earlier<'a>)>> = HashMap::new();
        for report in reports {
            let meta = report.meta();
            if let Some(date) = meta.as_of {
                firms
                    .entry(meta.firm.as_deref())
                    .or_default()
                    .push((date, report));
            }
        }
        for reports in firms.values_mut() {
            reports.sort_by_key(|(date, _)| *date);
        }
        PriorIndex { firms }
    }

    /// The latest report of the same firm dated before `meta`'s report. Two different
    /// reports on that date are ambiguous; one that could not be read leaves none (an older
    /// report is not the previous one).
    fn lookup(&self, meta: &Meta) -> Prior {
        let date = meta.as_of.ok_or(NoPrior::NoAsOf)?;
        let reports = self
            .firms
            .get(&meta.firm.as_deref())
            .ok_or(NoPrior::NoneEarlier)?;
        let earlier = reports.partition_point(|(d, _)| *d < date);
        let Some(&(latest, _)) = earlier.checked_sub(1).and_then(|i| reports.get(i)) else {
            return Err(NoPrior::NoneEarlier);
        };
        let mut that_day = reports
            .get(..earlier)
            .unwrap_or_default()
            .iter()
            .rev()
            .take_while(|(d, _)| *d == latest)
            .map(|(_, report)| *report);
        let mut found: Option<&Arc<Row>> = None;
        for report in &mut that_day {
            match report {
                Earlier::Unreadable(_) => return Err(NoPrior::Unreadable(latest)),
                Earlier::Read(row) => match found {
                    Some(first) if !same_report(first, row) => {
                        return Err(NoPrior::Ambiguous(latest));
                    }
                    Some(_) => {}
                    None => found = Some(row),
                },
            }
        }
        found.map(Arc::clone).ok_or(NoPrior::NoneEarlier)
    }
}

mod pipeline {
    //! Jobs read on one thread, checked in windows on worker threads, results put back in
    //! input order on the caller's thread.

    use std::collections::BTreeMap;
    use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
    use std::sync::{Arc, Mutex};
    use std::thread::Scope;

    use super::{Engine, Recycled, ReportResult};
    use crate::report::{Job, Unreadable};

    /// Work taken at once: about this many bytes of input…
    const WINDOW_BYTES: usize = 64 * 1024;
    /// …or this many jobs.
    const WINDOW_JOBS: usize = 64;

    /// A window's results, and each report's rendering: the bytes up to `ends[i]` (from
    /// the end of the one before) belong to the i-th report read.
    struct Results {
        results: Vec<Result<ReportResult, Unreadable>>,
        rendered: Vec<u8>,
        ends: Vec<usize>,
    }

    /// Jobs to check together: their place in the input, and buffers for their rows.
    type Window = (usize, Vec<Job>, Recycled);

    pub(super) fn run<'scope, 'env, I, R, F, E>(
        scope: &'scope Scope<'scope, 'env>,
        engine: &'env Engine,
        jobs: I,
        render: &'env R,
        workers: usize,
        mut each: F,
    ) -> Result<(), E>
    where
        I: Iterator<Item = Job> + Send + 'scope,
        R: Fn(&ReportResult, &mut Vec<u8>) + Sync,
        F: FnMut(Result<(&ReportResult, &[u8]), &Unreadable>) -> Result<(), E>,
    {
        // Credits bound the windows in flight: the reader takes one per window, the
        // caller gives it back once the window's results are handed on, with the row
        // buffers the next window can fill again.
        let in_flight = 2 * workers + 2;
        let (credit_tx, credit_rx) = sync_channel::<Recycled>(in_flight);
        for _ in 0..in_flight {
            let _ = credit_tx.send(Recycled::default());
        }
        let (work_tx, work_rx) = sync_channel::<Window>(workers);
        let (done_tx, done_rx) = sync_channel::<(usize, Results)>(in_flight);
        scope.spawn(move || read(jobs, &credit_rx, &work_tx));
        let work_rx = Arc::new(Mutex::new(work_rx));
        for _ in 0..workers {
            let (work_rx, done_tx) = (Arc::clone(&work_rx), done_tx.clone());
            scope.spawn(move || check(engine, render, &work_rx, &done_tx));
        }
        drop((work_rx, done_tx));
        let mut pending: BTreeMap<usize, Results> = BTreeMap::new();
        let mut next = 0;
        for (seq, results) in done_rx {
            pending.insert(seq, results);
            while let Some(done) = pending.remove(&next) {
                next += 1;
                let mut spare = Recycled::default();
                let mut ends = done.ends.iter();
                let mut start = 0;
                for result in done.results {
                    match result {
                        Ok(result) => {
                            let end = ends.next().copied().unwrap_or(start);
                            let bytes = done.rendered.get(start..end).unwrap_or_default();
                            start = end;
                            each(Ok((&result, bytes)))?;
                            spare.keep(result);
                        }
                        Err(unreadable) => each(Err(&unreadable))?,
                    }
                }
                spare.rendered = done.rendered;
                // The reader may be gone already; then nothing waits for the credit.
                let _ = credit_tx.send(spare);
            }
        }
        Ok(())
    }

    /// Group the jobs into windows and send them, a credit each.
    fn read<I: Iterator<Item = Job>>(
        mut jobs: I,
        credits: &Receiver<Recycled>,
        work: &SyncSender<Window>,
    ) {
        let mut seq = 0;
        loop {
            let mut window = Vec::new();
            let mut bytes = 0;
            while bytes < WINDOW_BYTES && window.len() < WINDOW_JOBS {
                let Some(job) = jobs.next() else {
                    break;
                };
                bytes += job.size();
                window.push(job);
            }
            if window.is_empty() {
                return;
            }
            let Ok(spare) = credits.recv() else {
                return;
            };
            if work.send((seq, window, spare)).is_err() {
                return;
            }
            seq += 1;
        }
    }

    /// Check and render windows until there are no more, or nobody takes the results.
    fn check<R: Fn(&ReportResult, &mut Vec<u8>)>(
        engine: &Engine,
        render: &R,
        work: &Mutex<Receiver<Window>>,
        done: &SyncSender<(usize, Results)>,
    ) {
        loop {
            let next = match work.lock() {
                Ok(receiver) => receiver.recv().ok(),
                Err(_) => None,
            };
            let Some((seq, window, mut spare)) = next else {
                return;
            };
            let results: Vec<_> = window
                .into_iter()
                .flat_map(|job| engine.check_job(job, &mut spare))
                .collect();
            let mut rendered = std::mem::take(&mut spare.rendered);
            rendered.clear();
            let mut ends = Vec::with_capacity(results.len());
            for result in results.iter().flatten() {
                render(result, &mut rendered);
                ends.push(rendered.len());
            }
            let done_window = Results {
                results,
                rendered,
                ends,
            };
            if done.send((seq, done_window)).is_err() {
                return;
            }
        }
    }
}

/// A run's running totals: the reports, the waivers' use, the reports without a date,
/// and the exit status they come to.
#[derive(Debug)]
pub struct Tally<'a> {
    engine: &'a Engine,
    deny_warnings: bool,
    usage: Option<Usage>,
    /// The totals so far.
    pub totals: Totals,
    dated_rules: usize,
    undated: (Option<String>, usize),
    /// Lines reports hold that the catalogue does not declare. Keyed by what reports
    /// choose, so with the standard (collision-resistant) hasher.
    unknown: std::collections::HashMap<LineCode, Undeclared>,
    /// How many reports hold a line no page declares.
    reports_with_unknown: usize,
    status: ExitStatus,
}

/// A line reports hold that no page declares, over a run.
#[derive(Debug)]
struct Undeclared {
    /// How many reports hold it.
    reports: usize,
    /// The first of them: its place in the run and its name.
    first: (usize, String),
    /// The declared line its code is one slip from (a digit changed, missing, extra or
    /// swapped with the next).
    near: Option<LineCode>,
    /// Whether that line was blank in a report holding this one: then this one is most
    /// likely that line mistyped. (A report holding both has two lines.)
    mistyped: bool,
}

/// How many codes a warning about lines no page declares lists.
const MAX_UNDECLARED_SHOWN: usize = 8;

/// How many reports ended how.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Reports checked.
    pub reports: usize,
    /// Reports with a failure that fails the run.
    pub failed: usize,
    /// Reports whose only failures are warnings or information (or, without
    /// `--deny warnings`, do not fail the run).
    pub warned: usize,
    /// Reports with a rule that could not be evaluated.
    pub errors: usize,
    /// Inputs that could not be read.
    pub unreadable: usize,
    /// Failing results, over every report.
    pub rule_failures: usize,
    /// Waived results, over every report.
    pub waived: usize,
}

impl<'a> Tally<'a> {
    /// A new run of `engine`; `deny_warnings` makes failing warnings fail the run.
    pub fn new(engine: &'a Engine, deny_warnings: bool) -> Self {
        Tally {
            engine,
            deny_warnings,
            usage: engine.waivers().map(Waivers::usage),
            totals: Totals::default(),
            dated_rules: engine
                .rules()
                .rules()
                .iter()
                .filter(|rule| !rule.period.is_always())
                .count(),
            undated: (None, 0),
            unknown: std::collections::HashMap::new(),
            reports_with_unknown: 0,
            status: ExitStatus::Pass,
        }
    }

    /// Count a report's results.
    pub fn add(&mut self, result: &ReportResult) {
        let summary = &result.summary;
        let totals = &mut self.totals;
        totals.reports += 1;
        totals.rule_failures += summary.failed;
        totals.waived += summary.waived;
        let status = summary.exit_status(self.deny_warnings);
        match status {
            ExitStatus::Error => totals.errors += 1,
            ExitStatus::Fail => totals.failed += 1,
            ExitStatus::Pass if summary.failed > 0 => totals.warned += 1,
            ExitStatus::Pass => {}
        }
        self.status = self.status.max(status);
        if let (Some(usage), Some(waivers)) = (&mut self.usage, self.engine.waivers()) {
            let meta = &result.row.meta;
            let waived = result.results.iter().filter_map(|r| r.waiver);
            usage.add(waivers, meta.firm.as_deref(), meta.as_of, waived);
        }
        if result.row.meta.as_of.is_none() && self.dated_rules > 0 {
            if self.undated.0.is_none() {
                self.undated.0 = Some(result.row.meta.name());
            }
            self.undated.1 += 1;
        }
        self.add_unknown(result);
    }

    /// Count the lines a report holds that no page declares.
    fn add_unknown(&mut self, result: &ReportResult) {
        let rules = self.engine.rules();
        let row = &result.row;
        self.reports_with_unknown += usize::from(!row.unknown.is_empty());
        for &code in &row.unknown {
            let line = self.unknown.entry(code).or_insert_with(|| Undeclared {
                reports: 0,
                first: (self.totals.reports, row.meta.name()),
                near: rules.catalogue().suggest(code).map(|(near, _)| near),
                mistyped: false,
            });
            line.reports += 1;
            let blank = |near: LineCode| {
                rules
                    .slot(near)
                    .and_then(|slot| row.amounts.get(slot))
                    .is_none_or(Option::is_none)
            };
            line.mistyped |= line.near.is_some_and(blank);
        }
    }

    /// Count an input that could not be read.
    pub fn add_unreadable(&mut self, _unreadable: &Unreadable) {
        self.totals.unreadable += 1;
        self.status = ExitStatus::Error;
    }

    /// The run's exit status so far.
    pub fn status(&self) -> ExitStatus {
        self.status
    }

    /// After every report: the warnings about the run (waivers expired or unused, reports
    /// without a date, lines no page declares), in that order.
    pub fn warnings(&self) -> Vec<RunWarning> {
        let mut warnings: Vec<RunWarning> = match (&self.usage, self.engine.waivers()) {
            (Some(usage), Some(waivers)) => waivers
                .warnings(usage)
                .into_iter()
                .map(|warning| RunWarning::Waiver(Error::from(warning)))
                .collect(),
            _ => Vec::new(),
        };
        if let (Some(first), count) = &self.undated {
            warnings.push(RunWarning::Undated {
                first: first.clone(),
                others: count - 1,
                dated_rules: self.dated_rules,
            });
        }
        warnings.extend(self.unknown_lines());
        warnings
    }

    /// The warnings about lines the reports hold that no page declares, each line once
    /// per run however many reports hold it, in code order: one for each that looks like
    /// a declared line mistyped, with that line; then the others, in one warning (they are
    /// most likely lines of pages the rule set does not cover).
    fn unknown_lines(&self) -> Vec<RunWarning> {
        let mut lines: Vec<_> = self.unknown.iter().collect();
        lines.sort_unstable_by_key(|(code, _)| **code);
        let catalogue = self.engine.rules().catalogue();
        let (mistyped, others): (Vec<_>, Vec<_>) =
            lines.into_iter().partition(|(_, line)| line.mistyped);
        let mut warnings: Vec<RunWarning> = mistyped
            .into_iter()
            .map(|(code, line)| RunWarning::UnknownLine {
                code: code.to_string(),
                reports: line.reports,
                first: line.first.1.clone(),
                suggestion: line.near.and_then(|near| {
                    let label = catalogue.label(near)?;
                    Some(format!("{near} {label}"))
                }),
            })
            .collect();
        match others.as_slice() {
            [] => {}
            [(code, line)] => warnings.push(RunWarning::UnknownLine {
                code: code.to_string(),
                reports: line.reports,
                first: line.first.1.clone(),
                suggestion: None,
            }),
            many => {
                let first = many.iter().map(|(_, line)| &line.first).min();
                warnings.push(RunWarning::UnknownLines {
                    count: many.len(),
                    codes: many
                        .iter()
                        .take(MAX_UNDECLARED_SHOWN)
                        .map(|(code, _)| code.to_string())
                        .collect(),
                    first: first.map(|(_, name)| name.clone()).unwrap_or_default(),
                    one_report: self.reports_with_unknown == 1,
                });
            }
        }
        warnings
    }

    /// The exit status of the whole run: the reports', raised to an error when
    /// `deny_warnings` and there are warnings about the run.
    pub fn finish(&self) -> ExitStatus {
        if self.deny_warnings && !self.warnings().is_empty() {
            ExitStatus::Error
        } else {
            self.status
        }
    }
}

/// A warning about a run as a whole.
#[derive(Debug)]
pub enum RunWarning {
    /// A waiver expired, or covered reports but never a failure.
    Waiver(Error),
    /// Reports without `as_of` while some rules have an `effective` period.
    Undated {
        /// The first such report.
        first: String,
        /// How many more.
        others: usize,
        /// How many rules have a period (and were skipped on them).
        dated_rules: usize,
    },
    /// A line reports hold that no page of the catalogue declares, so no rule reads it.
    UnknownLine {
        /// The line code.
        code: String,
        /// How many reports hold it.
        reports: usize,
        /// The first of them.
        first: String,
        /// The declared line it most likely means: `7190 Excess (deficiency) funds…`.
        suggestion: Option<String>,
    },
    /// Several lines reports hold that no page declares, none of them like a declared
    /// line mistyped.
    UnknownLines {
        /// How many.
        count: usize,
        /// The first few codes.
        codes: Vec<String>,
        /// The first report holding one of them.
        first: String,
        /// Whether that is the only report holding any.
        one_report: bool,
    },
}

impl std::fmt::Display for RunWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunWarning::Waiver(error) => write!(f, "{error}"),
            RunWarning::Undated {
                first,
                others,
                dated_rules,
            } => {
                let which = match others {
                    0 => first.clone(),
                    n => format!("{first} and {n} other report{}", plural(*n)),
                };
                write!(
                    f,
                    "{which} {} no `as_of`, so the {dated_rules} rule{} with an `effective` period {} skipped; give each report its date",
                    if *others == 0 { "has" } else { "have" },
                    plural(*dated_rules),
                    if *dated_rules == 1 { "was" } else { "were" },
                )
            }
            RunWarning::UnknownLine {
                code,
                reports,
                first,
                suggestion,
            } => {
                let in_which = match reports {
                    1 => first.clone(),
                    n => format!("{n} reports (the first: {first})"),
                };
                let meant = suggestion
                    .as_ref()
                    .map(|line| format!("; did you mean {line}?"))
                    .unwrap_or_default();
                write!(
                    f,
                    "line {code} appears in {in_which} but no page declares it, so no rule reads it{meant}"
                )
            }
            RunWarning::UnknownLines {
                count,
                codes,
                first,
                one_report,
            } => {
                let more = if *count > codes.len() { ", …" } else { "" };
                let which = if *one_report { "" } else { "first " };
                write!(
                    f,
                    "{count} lines on no page of the catalogue ({}{more}) appear {which}in {first}, so no rule reads them",
                    codes.join(", ")
                )
            }
        }
    }
}

/// `s` for a count other than one.
pub fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}
