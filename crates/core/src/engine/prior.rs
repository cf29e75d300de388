//! Previous reports: which earlier report of the same firm a report's `prior(…)` reads.

use std::collections::HashMap;
use std::sync::Arc;

use crate::eval::NoPrior;
use crate::report::{Meta, Row};
use crossfoot_syntax::date::Date;

/// The previous report a result's rules read (`prior(3750)`), or why there is none.
pub type Prior = Result<Arc<Row>, NoPrior>;

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
pub(super) enum Earlier<'a> {
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
pub(super) struct PriorIndex<'a> {
    /// For each firm (`None`: reports without one), its dated reports by date.
    firms: HashMap<Option<&'a str>, Vec<(Date, Earlier<'a>)>>,
}

impl<'a> PriorIndex<'a> {
    pub(super) fn new(reports: impl Iterator<Item = Earlier<'a>>) -> Self {
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
    pub(super) fn lookup(&self, meta: &Meta) -> Prior {
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
