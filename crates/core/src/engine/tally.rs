//! A run's running totals, its warnings and the exit status they come to.

use super::{Engine, ExitStatus, ReportResult};
use crate::error::Error;
use crate::report::Unreadable;
use crate::waiver::{Usage, Waivers};
use crossfoot_syntax::date::Date;
use crossfoot_syntax::line::LineCode;

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
    /// For each id of [`RuleSet::ends`](crate::compile::RuleSet::ends): how many reports
    /// are dated on or after its end, and the first of them with its date.
    no_version: Vec<(usize, Option<(String, Date)>)>,
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
            no_version: vec![(0, None); engine.rules().ends().len()],
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
        self.add_no_version(result);
    }

    /// Count a report dated after every version of a rule has ended.
    fn add_no_version(&mut self, result: &ReportResult) {
        let Some(as_of) = result.row.meta.as_of else {
            return;
        };
        let ends = self.engine.rules().ends();
        for ((_, end), (count, first)) in ends.iter().zip(&mut self.no_version) {
            if as_of >= *end {
                *count += 1;
                if first.is_none() {
                    *first = Some((result.row.meta.name(), as_of));
                }
            }
        }
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
    /// without a date, rules with no version in force on a report's date, lines no page
    /// declares), in that order.
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
        let ends = self.engine.rules().ends();
        for ((id, end), (count, first)) in ends.iter().zip(&self.no_version) {
            if let Some((report, date)) = first {
                warnings.push(RunWarning::NoVersion {
                    id: id.clone(),
                    end: *end,
                    first: report.clone(),
                    date: *date,
                    others: count - 1,
                });
            }
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
    /// Reports dated after the last version of a rule ended, with no lapse declared: the
    /// rule is checked on none of them.
    NoVersion {
        /// The rule id.
        id: String,
        /// The first day no version or lapse covers.
        end: Date,
        /// The first such report.
        first: String,
        /// Its date.
        date: Date,
        /// How many more.
        others: usize,
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

/// `s` for a count other than one.
pub fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}
