//! Previous reports: which earlier report of the same firm a report's `prior(…)` reads.
//!
//! A run whose rules read previous reports reads its inputs twice. The first reading notes
//! each report in a [`Ledger`]: its firm and date, whether it could be read, and, for a
//! dated report that was read, its name, unit and the amounts of the lines `prior(…)`
//! reads, packed in a few bytes. The second reading checks the reports as a stream, each
//! with its previous report from the ledger. What a run holds grows with the lines
//! `prior(…)` reads, never with the width of the reports or the output.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hash, Hasher, RandomState};
use std::sync::Arc;

use rust_decimal::Decimal;

use crate::compile::RuleSet;
use crate::eval::NoPrior;
use crate::report::packed::{put_amount, put_name, take_amount, take_name};
use crate::report::{Meta, Row};
use crossfoot_syntax::date::Date;

/// The previous report a result's rules read (`prior(3750)`), or why there is none: a
/// row with the report's name, date and unit, and the amounts of the lines `prior(…)`
/// reads (its other lines are blank; its amounts end after the last line `prior` reads,
/// so read them with `get`).
pub type Prior = Result<Arc<Row>, NoPrior>;

/// A report's firm in a [`Ledger`]: an index into its firms, or none.
const NO_FIRM: u32 = u32::MAX;

/// Where an entry's packed record starts in [`Ledger::kept`], or that it has none.
const NOT_KEPT: u64 = u64::MAX;

/// What a run's reports are as previous reports, in the order they were read: the
/// reports given as previous reports (`--prior`) first, then the run's.
#[derive(Clone, Debug)]
pub(super) struct Ledger {
    /// The slots `prior(…)` reads, in slot order.
    slots: Arc<[usize]>,
    /// Each firm named, by its index.
    firms: HashMap<Box<str>, u32>,
    /// Each file a kept report came from, and its index.
    sources: Vec<Arc<str>>,
    source_index: HashMap<Arc<str>, u32>,
    /// Every report noted, in the order read.
    entries: Vec<Entry>,
    /// The packed records of the reports that can be a previous report.
    kept: Vec<u8>,
    /// The dated entries by firm, date and the order read ([`seal`](Self::seal)).
    order: Vec<u32>,
    /// Where each firm's entries are in [`order`](Self::order), as (start, end), by
    /// firm index; the last for reports without a firm.
    spans: Vec<(usize, usize)>,
    /// For each date of a firm with several reports, all read, where it starts in
    /// [`order`](Self::order): whether they are one report (the same unit and amounts).
    one: HashMap<u32, bool>,
    /// The digests of the reports of such dates: a report given twice is one report.
    digests: HashMap<u32, u128>,
    /// The keys of the digests, drawn anew for each run.
    keys: (RandomState, RandomState),
}

/// One report as the ledger notes it.
#[derive(Clone, Copy, Debug)]
struct Entry {
    /// Its packed record in [`Ledger::kept`], or [`NOT_KEPT`].
    kept: u64,
    firm: u32,
    as_of: Option<Date>,
    readable: bool,
}

/// What the first reading keeps of a report (made on the thread that read it).
pub(super) struct Note {
    meta: Meta,
    /// The amounts of the slots `prior(…)` reads; `None`: it could not be read.
    amounts: Option<Vec<Option<Decimal>>>,
}

impl Ledger {
    /// An empty ledger for `rules`.
    pub(super) fn new(rules: &RuleSet) -> Self {
        Ledger {
            slots: rules.prior_slots().into(),
            firms: HashMap::new(),
            sources: Vec::new(),
            source_index: HashMap::new(),
            entries: Vec::new(),
            kept: Vec::new(),
            order: Vec::new(),
            spans: Vec::new(),
            one: HashMap::new(),
            digests: HashMap::new(),
            keys: (RandomState::new(), RandomState::new()),
        }
    }

    /// How many reports are noted.
    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }

    /// What notes a report for this ledger, on any thread.
    pub(super) fn noter(&self) -> Noter {
        Noter {
            slots: Arc::clone(&self.slots),
        }
    }

    /// Note a report, after every report read before it.
    pub(super) fn add(&mut self, note: Note) {
        let firm = match &note.meta.firm {
            Some(firm) => self.firm_or_new(firm),
            None => NO_FIRM,
        };
        let kept = match (&note.amounts, note.meta.as_of) {
            (Some(amounts), Some(_)) => self.keep(&note.meta, amounts),
            _ => NOT_KEPT,
        };
        self.entries.push(Entry {
            kept,
            firm,
            as_of: note.meta.as_of,
            readable: note.amounts.is_some(),
        });
    }

    /// Note a report given as a previous report, read whole: its digest is taken at once.
    pub(super) fn add_row(&mut self, row: &Row) {
        let index = self.entries.len() as u32;
        let digest = self.digest(row);
        let amounts = self.noter().amounts(row);
        self.add(Note {
            meta: row.meta.clone(),
            amounts: Some(amounts),
        });
        self.digests.insert(index, digest);
    }

    /// Sort the dated reports by firm and date, and decide which dates with several
    /// reports hold one report; the entries whose digests that needs, when some are not
    /// taken yet (see [`take_digest`](Self::take_digest) and [`decide`](Self::decide)).
    pub(super) fn seal(&mut self) -> HashSet<u32> {
        let mut order: Vec<u32> = (0..self.entries.len() as u32)
            .filter(|&index| self.entry(index).as_of.is_some())
            .collect();
        order.sort_by_key(|&index| (self.key(index), index));
        self.order = order;
        self.spans = vec![(0, 0); self.firms.len() + 1];
        for (at, &index) in self.order.iter().enumerate() {
            let firm = self.span_of(self.entry(index).firm);
            if let Some(span) = self.spans.get_mut(firm) {
                if span.1 == 0 {
                    span.0 = at;
                }
                span.1 = at + 1;
            }
        }
        let needed = self
            .shared_dates()
            .flat_map(|(start, end)| self.order.get(start..end).unwrap_or_default())
            .copied()
            .filter(|index| !self.digests.contains_key(index))
            .collect();
        self.decide();
        needed
    }

    /// Take the digest of the report noted at `index`, read again.
    pub(super) fn take_digest(&mut self, index: u32, row: &Row) {
        let digest = self.digest(row);
        self.digests.insert(index, digest);
    }

    /// Decide, for each date of a firm with several reports all read, whether they are one
    /// report: all digests taken and equal. A report whose digest is missing (it could not
    /// be read again) makes the date's reports more than one.
    pub(super) fn decide(&mut self) {
        let decided: Vec<(u32, bool)> = self
            .shared_dates()
            .map(|(start, end)| {
                let members = self.order.get(start..end).unwrap_or_default();
                let mut digests = members.iter().map(|index| self.digests.get(index));
                let first = digests.next().flatten();
                let one = first.is_some() && digests.all(|digest| digest == first);
                (start as u32, one)
            })
            .collect();
        self.one = decided.into_iter().collect();
    }

    /// The latest report of the same firm dated before `meta`'s report. Several
    /// different reports of that date are ambiguous; one that could not be read leaves
    /// none (an older report is not the previous one).
    pub(super) fn lookup(&self, meta: &Meta) -> Prior {
        let date = meta.as_of.ok_or(NoPrior::NoAsOf)?;
        let firm = match &meta.firm {
            Some(firm) => *self.firms.get(firm.as_str()).ok_or(NoPrior::NoneEarlier)?,
            None => NO_FIRM,
        };
        let &(first, after) = self
            .spans
            .get(self.span_of(firm))
            .ok_or(NoPrior::NoneEarlier)?;
        let firms = self.order.get(first..after).unwrap_or_default();
        let end = first + firms.partition_point(|&index| self.entry(index).as_of < Some(date));
        let last = end.checked_sub(1).filter(|&at| at >= first);
        let Some(&last) = last.and_then(|at| self.order.get(at)) else {
            return Err(NoPrior::NoneEarlier);
        };
        let Some(latest_date) = self.entry(last).as_of else {
            return Err(NoPrior::NoneEarlier);
        };
        let start =
            first + firms.partition_point(|&index| self.entry(index).as_of < Some(latest_date));
        let members = self.order.get(start..end).unwrap_or_default();
        if members.iter().any(|&index| !self.entry(index).readable) {
            return Err(NoPrior::Unreadable(latest_date));
        }
        if members.len() > 1 && self.one.get(&(start as u32)) != Some(&true) {
            return Err(NoPrior::Ambiguous(latest_date));
        }
        self.row(meta, self.entry(last)).ok_or(NoPrior::NoneEarlier)
    }

    /// Where a firm's span is in [`spans`](Self::spans).
    fn span_of(&self, firm: u32) -> usize {
        if firm == NO_FIRM {
            self.firms.len()
        } else {
            firm as usize
        }
    }

    /// The noted entry at `index`.
    fn entry(&self, index: u32) -> Entry {
        self.entries.get(index as usize).copied().unwrap_or(Entry {
            kept: NOT_KEPT,
            firm: NO_FIRM,
            as_of: None,
            readable: false,
        })
    }

    /// The firm and date an entry is sorted by.
    fn key(&self, index: u32) -> (u32, Option<Date>) {
        let entry = self.entry(index);
        (entry.firm, entry.as_of)
    }

    /// Each run of [`order`](Self::order) of one firm and date with more than one report,
    /// all read, as (start, end).
    fn shared_dates(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let mut start = 0;
        std::iter::from_fn(move || {
            while start < self.order.len() {
                let key = self.order.get(start).map(|&index| self.key(index));
                let len = self
                    .order
                    .get(start..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|&&index| Some(self.key(index)) == key)
                    .count();
                let (from, to) = (start, start + len.max(1));
                start = to;
                let members = self.order.get(from..to).unwrap_or_default();
                if len > 1 && members.iter().all(|&index| self.entry(index).readable) {
                    return Some((from, to));
                }
            }
            None
        })
    }

    fn firm_or_new(&mut self, firm: &str) -> u32 {
        if let Some(&index) = self.firms.get(firm) {
            return index;
        }
        let index = self.firms.len() as u32;
        self.firms.insert(firm.into(), index);
        index
    }

    fn source_or_new(&mut self, source: &Arc<str>) -> u32 {
        if let Some(&index) = self.source_index.get(source) {
            return index;
        }
        let index = self.sources.len() as u32;
        self.sources.push(Arc::clone(source));
        self.source_index.insert(Arc::clone(source), index);
        index
    }

    /// Pack what a previous report is read for: its name and unit, and the amounts of
    /// the slots `prior(…)` reads.
    fn keep(&mut self, meta: &Meta, amounts: &[Option<Decimal>]) -> u64 {
        let at = self.kept.len() as u64;
        let source = self.source_or_new(&meta.source);
        put_name(&mut self.kept, meta, source);
        for amount in amounts {
            put_amount(&mut self.kept, *amount);
        }
        at
    }

    /// The previous report packed for `entry`, as a row of the rule set, for a report
    /// whose meta is `of` (the same firm).
    fn row(&self, of: &Meta, entry: Entry) -> Option<Arc<Row>> {
        let mut bytes = self.kept.get(usize::try_from(entry.kept).ok()?..)?;
        let mut meta = Meta::default();
        take_name(&mut bytes, &self.sources, &mut meta)?;
        meta.firm.clone_from(&of.firm);
        meta.as_of = entry.as_of;
        // Only as wide as the last slot `prior(…)` reads: a slot past it reads blank.
        let width = self.slots.last().map_or(0, |&last| last + 1);
        let mut amounts = vec![None; width];
        for &slot in self.slots.iter() {
            *amounts.get_mut(slot)? = take_amount(&mut bytes)?;
        }
        Some(Arc::new(Row {
            meta,
            amounts,
            unknown: Vec::new(),
        }))
    }

    /// What tells two reports of one firm and date apart: their unit and amounts (`1.0`
    /// and `1.00` are one amount), as a digest of 128 bits keyed for this run, so that no
    /// report can be made to look like another.
    fn digest(&self, row: &Row) -> u128 {
        let half = |keys: &RandomState| {
            let mut hasher = keys.build_hasher();
            row.meta.unit.hash(&mut hasher);
            for amount in &row.amounts {
                amount
                    .map(|amount| {
                        let amount = amount.normalize();
                        (amount.mantissa(), amount.scale())
                    })
                    .hash(&mut hasher);
            }
            hasher.finish()
        };
        (u128::from(half(&self.keys.0)) << 64) | u128::from(half(&self.keys.1))
    }
}

/// Makes [`Note`]s on the threads that read reports.
pub(super) struct Noter {
    slots: Arc<[usize]>,
}

impl Noter {
    /// What to note of a report read.
    pub(super) fn note(&self, row: &Row) -> Note {
        Note {
            meta: row.meta.clone(),
            amounts: Some(self.amounts(row)),
        }
    }

    /// What to note of a report that could not be read.
    pub(super) fn note_unreadable(&self, unreadable: &crate::report::Unreadable) -> Note {
        Note {
            meta: unreadable.meta.clone(),
            amounts: None,
        }
    }

    /// The amounts of the slots `prior(…)` reads.
    fn amounts(&self, row: &Row) -> Vec<Option<Decimal>> {
        self.slots
            .iter()
            .map(|&slot| row.amounts.get(slot).copied().flatten())
            .collect()
    }
}
