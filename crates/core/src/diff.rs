//! What a rule-set change means: rules added, removed and changed (their examples too),
//! compared by id in canonical form (so layout and comments never count); lines of the
//! catalogue added, removed, relabelled or moved; and which verdicts it flips on real
//! reports.

use serde::Serialize;

use crate::compile::{Catalogue, CheckedExample, CheckedRule, LineInfo, RuleSet};
use crate::engine::{ReportResult, RuleResult};
use crate::eval::{Skip, Verdict};
use crossfoot_syntax::Print;
use crossfoot_syntax::date::{Date, Period};
use crossfoot_syntax::line::LineCode;

/// One rule's change over some days: the version in force before and after the change
/// on those days, compared. A rule id with versions (`effective` periods) changes day by
/// day: each span of days on which the pair of old and new versions is the same is one
/// change, so a new version that replaces an old one from 2027-03-01 is one `changed`
/// from 2027-03-01 (`8%` → `10%`), beside the days on which nothing changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum RuleChange {
    /// In force on these days only under the new rules.
    Added {
        /// The rule id.
        rule: String,
        /// The days, when not every day.
        #[serde(flatten)]
        days: Days,
        /// Its assertion, canonical.
        formula: String,
        /// Its description.
        description: Option<String>,
        /// Its citation.
        citation: Option<String>,
    },
    /// In force on these days only under the old rules.
    Removed {
        /// The rule id.
        rule: String,
        /// The days, when not every day.
        #[serde(flatten)]
        days: Days,
        /// Its assertion, canonical.
        formula: String,
    },
    /// In force on these days under both, with differences.
    Changed {
        /// The rule id.
        rule: String,
        /// The days, when not every day.
        #[serde(flatten)]
        days: Days,
        /// What differs, field by field.
        fields: Vec<FieldChange>,
    },
}

impl RuleChange {
    /// The rule id.
    pub fn rule(&self) -> &str {
        match self {
            RuleChange::Added { rule, .. }
            | RuleChange::Removed { rule, .. }
            | RuleChange::Changed { rule, .. } => rule,
        }
    }

    /// The days it is about.
    pub fn days(&self) -> Days {
        match self {
            RuleChange::Added { days, .. }
            | RuleChange::Removed { days, .. }
            | RuleChange::Changed { days, .. } => *days,
        }
    }
}

/// The days a change is about: from the first (`None`: from the start) through the last
/// (`None`: with no end). Both `None`: every day.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Days {
    /// The first day.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "date_text")]
    pub from: Option<Date>,
    /// The last day.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "date_text")]
    pub through: Option<Date>,
}

impl Days {
    /// The days of a period.
    pub fn of(period: Period) -> Days {
        Days {
            from: period.from,
            through: period.last_day(),
        }
    }

    /// Whether every day.
    pub fn is_every_day(&self) -> bool {
        self.from.is_none() && self.through.is_none()
    }
}

impl std::fmt::Display for Days {
    /// `from 2027-03-01`, `from 2020-01-01 through 2027-02-28`, `through 2027-02-28`, or
    /// `every day`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.from, self.through) {
            (Some(from), Some(through)) if from == through => write!(f, "on {from}"),
            (Some(from), Some(through)) => write!(f, "from {from} through {through}"),
            (Some(from), None) => write!(f, "from {from}"),
            (None, Some(through)) => write!(f, "through {through}"),
            (None, None) => f.write_str("every day"),
        }
    }
}

/// One field of a changed rule or catalogue line, before and after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// Of a rule: `formula`, `tolerance`, `condition`, `severity`, `description`,
    /// `citation`, or `example` (one example removed, `new` null, or added, `old` null). Of
    /// a line: `label`, `deduction` or `page`.
    pub field: &'static str,
    /// The old value (`null` when absent).
    pub old: Option<String>,
    /// The new value.
    pub new: Option<String>,
}

/// One line's change in the catalogue (the `page` declarations).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum LineChange {
    /// Only in the new catalogue.
    Added {
        /// The line code.
        line: String,
        /// Its label.
        label: String,
    },
    /// Only in the old catalogue.
    Removed {
        /// The line code.
        line: String,
        /// Its label.
        label: String,
    },
    /// In both, with differences: its label, whether it is a deduction, its page.
    Changed {
        /// The line code.
        line: String,
        /// What differs, field by field.
        fields: Vec<FieldChange>,
    },
}

/// A verdict that the change flips on one report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Flip {
    /// The report (its file, and its row or line in a batch file).
    pub report: String,
    /// The report's own id, when it has one.
    pub id: Option<String>,
    /// The report's date, which picks the version of a dated rule.
    #[serde(serialize_with = "date_text")]
    pub as_of: Option<Date>,
    /// The rule.
    pub rule: String,
    /// Its status under the old rules (`absent` when the rule is new).
    pub old: String,
    /// Its status under the new rules (`absent` when the rule is removed).
    pub new: String,
    /// The numbers under the new rules, in the words of a diagnostic: `the report has
    /// 100; the rule expects 80 (difference 20)`.
    pub detail: Option<String>,
    /// Each line the new version reads, with its label and amount on the report.
    pub lines: Vec<FlipLine>,
}

/// A date as JSON writes it: `"2027-03-01"`, or `null` (for `#[serde(serialize_with)]`;
/// `prove`'s results use it too).
pub fn date_text<S: serde::Serializer>(
    date: &Option<Date>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match date {
        Some(date) => serializer.collect_str(date),
        None => serializer.serialize_none(),
    }
}

/// A line a flipped rule reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FlipLine {
    /// The line code.
    pub line: String,
    /// Its label in the catalogue.
    pub label: Option<String>,
    /// Its amount on the report (`None`: blank).
    pub amount: Option<String>,
}

/// The fields compared, canonical.
fn fields(rule: &CheckedRule) -> [(&'static str, Option<String>); 6] {
    [
        ("formula", Some(formula(rule))),
        (
            "tolerance",
            rule.tolerance.map(|(t, _)| Print(&t.written()).to_string()),
        ),
        ("condition", rule.condition_text().map(str::to_owned)),
        ("severity", Some(rule.severity.as_str().to_owned())),
        ("description", rule.description.clone()),
        ("citation", rule.citation.clone()),
    ]
}

fn formula(rule: &CheckedRule) -> String {
    format!(
        "{} {} {}",
        rule.left_text(),
        rule.assertion.op.as_str(),
        rule.right_text()
    )
}

/// The changes from `old` to `new`: each rule id in the new set's order, then the ids
/// only the old set has, each id's changes in order of their days.
pub fn diff(old: &RuleSet, new: &RuleSet) -> Vec<RuleChange> {
    let (old_versions, new_versions) = (versions(old), versions(new));
    let mut seen = std::collections::HashSet::new();
    let ids = new
        .rules()
        .iter()
        .chain(old.rules())
        .map(|rule| rule.id.as_str())
        .filter(|id| seen.insert(*id));
    let mut changes = Vec::new();
    for id in ids {
        let (before, after) = (of_id(old, &old_versions, id), of_id(new, &new_versions, id));
        for (period, was, now) in segments(&before, &after) {
            changes.extend(change(id, Days::of(period), was, now));
        }
    }
    changes
}

/// A day on which a rule starts, ends or changes, within a rule set: the version in
/// force the day before and the one in force that day, compared as [`diff`] compares
/// two rule sets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DatedChange {
    /// The day.
    #[serde(serialize_with = "day_text")]
    pub on: Date,
    /// `added`: a version starts with none the day before; `removed`: the last version
    /// ended the day before; `changed`: one version replaces another.
    #[serde(flatten)]
    pub change: RuleChange,
    /// The citation of the version in force from that day (of the one that ended, when
    /// none is).
    #[serde(rename = "cite")]
    pub citation: Option<String>,
}

fn day_text<S: serde::Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(date)
}

/// Every day from `from` through `to` (either open) on which a rule of the set starts,
/// ends or changes: the change log of a period, in order of days and then of the rules.
pub fn changes_between(rules: &RuleSet, from: Option<Date>, to: Option<Date>) -> Vec<DatedChange> {
    let versions = versions(rules);
    let mut seen = std::collections::HashSet::new();
    let mut found = Vec::new();
    for rule in rules.rules() {
        let id = rule.id.as_str();
        if !seen.insert(id) {
            continue;
        }
        let all = of_id(rules, &versions, id);
        let mut days: Vec<Date> = all
            .iter()
            .flat_map(|rule| [rule.period.from, rule.period.until])
            .flatten()
            .filter(|day| from.is_none_or(|from| from <= *day) && to.is_none_or(|to| *day <= to))
            .collect();
        days.sort();
        days.dedup();
        for day in days {
            let in_force = |date: Option<Date>| {
                let date = date?;
                all.iter().copied().find(|rule| rule.period.contains(date))
            };
            let (was, now) = (in_force(day.previous_day()), in_force(Some(day)));
            let citation = now.or(was).and_then(|rule| rule.citation.clone());
            let days = Days {
                from: Some(day),
                through: None,
            };
            if let Some(change) = change(id, days, was, now) {
                found.push(DatedChange {
                    on: day,
                    change,
                    citation,
                });
            }
        }
    }
    found.sort_by_key(|change| change.on);
    found
}

/// The versions of `id` in a rule set.
fn of_id<'r>(
    set: &'r RuleSet,
    versions: &std::collections::HashMap<&str, Vec<usize>>,
    id: &str,
) -> Vec<&'r CheckedRule> {
    let indices = versions.get(id).map_or(&[][..], Vec::as_slice);
    indices.iter().filter_map(|&i| set.rules().get(i)).collect()
}

/// What changed on some days: the versions in force on them before and after.
fn change(
    id: &str,
    days: Days,
    was: Option<&CheckedRule>,
    now: Option<&CheckedRule>,
) -> Option<RuleChange> {
    let rule = id.to_owned();
    match (was, now) {
        (None, None) => None,
        (None, Some(now)) => Some(RuleChange::Added {
            rule,
            days,
            formula: formula(now),
            description: now.description.clone(),
            citation: now.citation.clone(),
        }),
        (Some(was), None) => Some(RuleChange::Removed {
            rule,
            days,
            formula: formula(was),
        }),
        (Some(was), Some(now)) => {
            let mut fields: Vec<FieldChange> = fields(was)
                .into_iter()
                .zip(fields(now))
                .filter(|((_, a), (_, b))| a != b)
                .map(|((field, old), (_, new))| FieldChange { field, old, new })
                .collect();
            fields.extend(example_changes(was, now));
            (!fields.is_empty()).then_some(RuleChange::Changed { rule, days, fields })
        }
    }
}

/// The days of an id's versions cut where any version of either side starts or ends:
/// each span with the version in force on it before and after, adjacent spans with the
/// same pair joined.
fn segments<'r>(
    before: &[&'r CheckedRule],
    after: &[&'r CheckedRule],
) -> Vec<(Period, Option<&'r CheckedRule>, Option<&'r CheckedRule>)> {
    let mut cuts: Vec<Date> = before
        .iter()
        .chain(after)
        .flat_map(|rule| [rule.period.from, rule.period.until])
        .flatten()
        .collect();
    cuts.sort();
    cuts.dedup();
    // The first day of each span: the start of time, then each cut.
    let starts = std::iter::once(None).chain(cuts.iter().copied().map(Some));
    let ends = cuts.iter().copied().map(Some).chain(std::iter::once(None));
    let in_force = |versions: &[&'r CheckedRule], start: Option<Date>| {
        versions.iter().copied().find(|rule| match start {
            None => rule.period.from.is_none() && !rule.period.is_empty(),
            Some(day) => rule.period.contains(day),
        })
    };
    let mut spans: Vec<(Period, Option<&'r CheckedRule>, Option<&'r CheckedRule>)> = Vec::new();
    for (from, until) in starts.zip(ends) {
        let (was, now) = (in_force(before, from), in_force(after, from));
        let same = |a: Option<&CheckedRule>, b: Option<&CheckedRule>| match (a, b) {
            (Some(a), Some(b)) => std::ptr::eq(a, b),
            (None, None) => true,
            _ => false,
        };
        match spans.last_mut() {
            Some((period, last_was, last_now)) if same(*last_was, was) && same(*last_now, now) => {
                period.until = until;
            }
            _ => spans.push((Period { from, until }, was, now)),
        }
    }
    spans
}

/// An example in canonical form: `passes 7180 = 1411, 7060 = 2096, 7190 = -685`.
fn example_text(example: &CheckedExample) -> String {
    let lines: Vec<String> = example
        .lines
        .iter()
        .map(|(code, amount)| format!("{code} = {amount}"))
        .collect();
    format!("{} {}", example.expect.as_str(), lines.join(", "))
}

/// The examples one version of a rule has and the other lacks: removed ones first (the
/// new side null), then added ones (the old side null), each in its rule's order.
fn example_changes(old: &CheckedRule, new: &CheckedRule) -> Vec<FieldChange> {
    let (mut before, mut after): (Vec<String>, Vec<String>) = (
        old.examples.iter().map(example_text).collect(),
        new.examples.iter().map(example_text).collect(),
    );
    // Examples both versions have, each as often as both have it, are no change.
    before.retain(|text| match after.iter().position(|t| t == text) {
        Some(at) => {
            after.remove(at);
            false
        }
        None => true,
    });
    let removed = before.into_iter().map(|text| FieldChange {
        field: "example",
        old: Some(text),
        new: None,
    });
    let added = after.into_iter().map(|text| FieldChange {
        field: "example",
        old: None,
        new: Some(text),
    });
    removed.chain(added).collect()
}

/// The catalogue's changes from `old` to `new`: lines in the new catalogue's order,
/// removals last.
pub fn diff_lines(old: &RuleSet, new: &RuleSet) -> Vec<LineChange> {
    let (before, after) = (old.catalogue(), new.catalogue());
    let fields = |catalogue: &Catalogue, info: &LineInfo| {
        let page = catalogue.pages().get(info.page).map(|p| p.id.clone());
        [
            ("label", Some(info.editions())),
            ("deduction", info.deduction.then(|| "deduction".to_owned())),
            ("page", page),
        ]
    };
    let codes = |catalogue: &Catalogue| -> Vec<LineCode> {
        catalogue
            .pages()
            .iter()
            .flat_map(|page| page.lines.iter().copied())
            .collect()
    };
    let mut changes = Vec::new();
    for code in codes(after) {
        let Some(now) = after.line(code) else {
            continue;
        };
        let Some(was) = before.line(code) else {
            changes.push(LineChange::Added {
                line: code.to_string(),
                label: now.label.clone(),
            });
            continue;
        };
        let differ: Vec<FieldChange> = fields(before, was)
            .into_iter()
            .zip(fields(after, now))
            .filter(|((_, a), (_, b))| a != b)
            .map(|((field, old), (_, new))| FieldChange { field, old, new })
            .collect();
        if !differ.is_empty() {
            changes.push(LineChange::Changed {
                line: code.to_string(),
                fields: differ,
            });
        }
    }
    for code in codes(before) {
        if let (Some(was), None) = (before.line(code), after.line(code)) {
            changes.push(LineChange::Removed {
                line: code.to_string(),
                label: was.label.clone(),
            });
        }
    }
    changes
}

fn word(result: &RuleResult) -> &'static str {
    match (result.outcome(), result.verdict) {
        (_, Verdict::Skipped(Skip::NotInForce(_))) => "not in force",
        (outcome, _) => outcome.as_str(),
    }
}

/// Of an id's versions, the one in force on the report's date (or the first).
fn status_in<'r>(
    rules: &'r RuleSet,
    result: &'r ReportResult,
    versions: Option<&Vec<usize>>,
) -> Option<(&'r CheckedRule, &'r RuleResult)> {
    let pick = |&index: &usize| Some((rules.rules().get(index)?, result.results.get(index)?));
    let versions = versions?;
    let in_force = versions
        .iter()
        .filter_map(pick)
        .find(|(_, o)| !matches!(o.verdict, Verdict::Skipped(Skip::NotInForce(_))));
    in_force.or_else(|| versions.first().and_then(pick))
}

/// Each rule id's indices in a rule set (its versions), in order.
fn versions(rules: &RuleSet) -> std::collections::HashMap<&str, Vec<usize>> {
    let mut found: std::collections::HashMap<&str, Vec<usize>> = std::collections::HashMap::new();
    for (index, rule) in rules.rules().iter().enumerate() {
        found.entry(rule.id.as_str()).or_default().push(index);
    }
    found
}

/// Every verdict the change flips on one report, rule by rule: `before` is the report
/// checked by the old rules, `after` by the new, each as `check` checks it (with its
/// previous report).
pub fn flips(
    old: &RuleSet,
    before: &ReportResult,
    new: &RuleSet,
    after: &ReportResult,
) -> Vec<Flip> {
    // Every rule id of the new set, then those only the old set has, each once.
    let mut seen = std::collections::HashSet::new();
    let ids: Vec<&str> = new
        .rules()
        .iter()
        .chain(old.rules())
        .map(|rule| rule.id.as_str())
        .filter(|id| seen.insert(*id))
        .collect();
    let (old_versions, new_versions) = (versions(old), versions(new));
    let mut found = Vec::new();
    for &id in &ids {
        let was = status_in(old, before, old_versions.get(id));
        let now = status_in(new, after, new_versions.get(id));
        let (was_word, now_word) = (
            was.map_or("absent", |(_, o)| word(o)),
            now.map_or("absent", |(_, o)| word(o)),
        );
        if was_word == now_word {
            continue;
        }
        let status = now.map(|(rule, _)| (rule, after.status(rule)));
        let detail = status.as_ref().and_then(|(rule, status)| {
            let sides = status.sides()?;
            Some(crate::diagnostic::failure_numbers(
                rule,
                sides,
                after.row.meta.unit,
            ))
        });
        let (rules, result) = match (now, was) {
            (Some(_), _) | (None, None) => (new, after),
            (None, Some(_)) => (old, before),
        };
        let lines = now
            .or(was)
            .map(|(rule, _)| flip_lines(rules, rule, result))
            .unwrap_or_default();
        let meta = &after.row.meta;
        found.push(Flip {
            report: meta.name(),
            id: meta.id.clone(),
            as_of: meta.as_of,
            rule: id.to_owned(),
            old: was_word.to_owned(),
            new: now_word.to_owned(),
            detail,
            lines,
        });
    }
    found
}

/// Each line a rule reads, with its label and its amount on the report.
fn flip_lines(rules: &RuleSet, rule: &CheckedRule, result: &ReportResult) -> Vec<FlipLine> {
    rule.lines
        .iter()
        .zip(&rule.slots)
        .map(|(code, slot)| {
            let amount = usize::try_from(*slot)
                .ok()
                .and_then(|slot| result.row.amounts.get(slot).copied().flatten());
            FlipLine {
                line: code.to_string(),
                label: rules
                    .label_on(*code, result.row.meta.as_of)
                    .map(str::to_owned),
                amount: amount.map(crossfoot_syntax::amount::format),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossfoot_syntax::source::Source;

    fn rules(text: &str) -> RuleSet {
        crate::load::check_sources(vec![Source::new("t.xfoot", text)])
            .unwrap()
            .rules
    }

    fn changed(old: &str, new: &str) -> Vec<String> {
        diff(&rules(old), &rules(new))
            .iter()
            .map(|change| {
                let days = change.days();
                let days = if days.is_every_day() {
                    String::new()
                } else {
                    format!(" {days}")
                };
                match change {
                    RuleChange::Added { rule, .. } => format!("added {rule}{days}"),
                    RuleChange::Removed { rule, .. } => format!("removed {rule}{days}"),
                    RuleChange::Changed { rule, fields, .. } => {
                        let names: Vec<String> = fields
                            .iter()
                            .map(|f| format!("{} {} → {}", f.field, shown(&f.old), shown(&f.new)))
                            .collect();
                        format!("changed {rule}{days}: {}", names.join("; "))
                    }
                }
            })
            .collect()
    }

    fn shown(value: &Option<String>) -> &str {
        value.as_deref().unwrap_or("(none)")
    }

    #[test]
    fn versions_are_compared_day_by_day() {
        let old = "rule a\n  effective until 2014-01-01\n  7010 = 7020\n\n\
                   rule a\n  effective from 2014-01-01\n  7010 = 7030\n\n\
                   rule b\n  7010 = 7040\n";
        // The versions swapped in the file: the same rule on every day.
        let swapped = "rule b\n  7010 = 7040\n\n\
                       rule a\n  effective from 2014-01-01\n  7010 = 7030\n\n\
                       rule a\n  effective until 2014-01-01\n  7010 = 7020\n";
        assert!(
            changed(old, swapped).is_empty(),
            "{:?}",
            changed(old, swapped)
        );
        // The change of version moved a year later: in 2014 the old first version is in
        // force where the second was; a new id is added, a gone one removed.
        let moved = "rule a\n  effective until 2015-01-01\n  7010 = 7020\n\n\
                     rule a\n  effective from 2015-01-01\n  7010 = 7030\n\n\
                     rule c\n  7010 = 7040\n";
        assert_eq!(
            changed(old, moved),
            [
                "changed a from 2014-01-01 through 2014-12-31: formula 7010 = 7030 → 7010 = 7020",
                "added c",
                "removed b"
            ]
        );
    }

    #[test]
    fn the_change_log_of_a_period_lists_starts_ends_and_changes() {
        let set = rules(
            "rule m \"8%\"\n  effective through 2027-02-28\n  7425 = round(8% * 7415)\n\n\
             rule m \"10%\"\n  cite \"amended\"\n  effective from 2027-03-01\n  7425 = round(10% * 7415)\n\n\
             rule n\n  effective from 2026-06-01 until 2027-01-01\n  7010 >= $0\n\n\
             rule o\n  7010 = 7020\n",
        );
        let day = |text: &str| text.parse::<Date>().unwrap();
        let log: Vec<String> =
            changes_between(&set, Some(day("2026-01-01")), Some(day("2027-12-31")))
                .iter()
                .map(|c| {
                    let kind = match &c.change {
                        RuleChange::Added { .. } => "starts",
                        RuleChange::Removed { .. } => "ends",
                        RuleChange::Changed { .. } => "changes",
                    };
                    format!(
                        "{} {} {kind} {}",
                        c.on,
                        c.change.rule(),
                        c.citation.as_deref().unwrap_or("-")
                    )
                })
                .collect();
        assert_eq!(
            log,
            [
                "2026-06-01 n starts -",
                "2027-01-01 n ends -",
                "2027-03-01 m changes amended"
            ]
        );
        // Outside the period: nothing.
        assert!(changes_between(&set, Some(day("2028-01-01")), None).is_empty());
    }

    #[test]
    fn a_new_version_is_paired_with_the_one_it_replaces() {
        let old = "rule m \"8% margin\"\n  cite \"r 1\"\n  7425 = round(8% * 7415)\n";
        let new = "rule m \"8% margin\"\n  cite \"r 1\"\n  effective through 2027-02-28\n  7425 = round(8% * 7415)\n\n\
                   rule m \"10% margin\"\n  cite \"r 2\"\n  effective from 2027-03-01\n  7425 = round(10% * 7415)\n";
        assert_eq!(
            changed(old, new),
            [
                "changed m from 2027-03-01: formula 7425 = round(8% * 7415) → 7425 = round(10% * 7415); description 8% margin → 10% margin; citation r 1 → r 2"
            ]
        );
        // A rule that ends is removed from the day after its last; one that starts later
        // is added from its first.
        let ended = "rule m \"8% margin\"\n  cite \"r 1\"\n  effective until 2027-03-01\n  7425 = round(8% * 7415)\n";
        assert_eq!(changed(old, ended), ["removed m from 2027-03-01"]);
        assert_eq!(changed(ended, old), ["added m from 2027-03-01"]);
    }
}
