//! The vocabulary of a run's results: one report's [`ReportResult`], each rule's
//! [`RuleResult`] and [`Outcome`], the counts ([`Summary`]), how a report stands
//! ([`Standing`]) and how a run ends ([`ExitStatus`]). ARCHITECTURE.md's glossary names
//! each.

use super::{Prior, amounts, facts};
use crate::compile::{CheckedRule, RuleSet};
use crate::eval::{Facts, RowAmounts, Skip, Status, Verdict, evaluate_rule};
use crate::report::Row;
use crossfoot_syntax::ast::Severity;

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
    pub(super) fn add(&mut self, rule: &CheckedRule, result: &RuleResult) {
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
