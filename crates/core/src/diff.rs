//! What a rule-set change means: rules added, removed and changed (their examples too),
//! compared by id in canonical form (so layout and comments never count); lines of the
//! catalogue added, removed, relabelled or moved; and which verdicts it flips on real
//! reports.

use serde::Serialize;

use crate::compile::{Catalogue, CheckedExample, CheckedRule, LineInfo, RuleSet};
use crate::engine::{ReportResult, RuleResult};
use crate::eval::{Skip, Status, Verdict};
use crossfoot_syntax::Print;
use crossfoot_syntax::line::LineCode;

/// One rule's change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum RuleChange {
    /// Only in the new set.
    Added {
        /// The rule id.
        rule: String,
        /// Its assertion, canonical.
        formula: String,
    },
    /// Only in the old set.
    Removed {
        /// The rule id.
        rule: String,
        /// Its assertion, canonical.
        formula: String,
    },
    /// In both, with differences.
    Changed {
        /// The rule id.
        rule: String,
        /// What differs, field by field.
        fields: Vec<FieldChange>,
    },
}

/// One field of a changed rule or catalogue line, before and after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// Of a rule: `formula`, `effective`, `tolerance`, `condition`, `severity`,
    /// `description`, `citation`, or `example` (one example removed, `new` null, or added,
    /// `old` null). Of a line: `label`, `deduction` or `page`.
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
    /// The report.
    pub report: String,
    /// The rule.
    pub rule: String,
    /// Its status under the old rules (`absent` when the rule is new).
    pub old: String,
    /// Its status under the new rules (`absent` when the rule is removed).
    pub new: String,
    /// `left`, `right` and `difference` under the new rules, when it has them.
    pub detail: Option<String>,
}

/// The fields compared, canonical.
fn fields(rule: &CheckedRule) -> [(&'static str, Option<String>); 7] {
    [
        ("formula", Some(formula(rule))),
        (
            "effective",
            (!rule.period.is_always()).then(|| rule.period.to_string()),
        ),
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

/// The changes from `old` to `new`, in the new set's order, removals last. Rules pair up
/// by id; when an id has several versions (`effective` periods), by id and first day, then
/// in order.
pub fn diff(old: &RuleSet, new: &RuleSet) -> Vec<RuleChange> {
    let pairs = pair_up(old.rules(), new.rules());
    let mut paired_old = vec![false; old.rules().len()];
    for &o in pairs.iter().flatten() {
        if let Some(slot) = paired_old.get_mut(o) {
            *slot = true;
        }
    }
    let mut changes = Vec::new();
    for (rule, pair) in new.rules().iter().zip(&pairs) {
        let before = pair.and_then(|o| old.rules().get(o));
        match before {
            None => changes.push(RuleChange::Added {
                rule: label(rule),
                formula: formula(rule),
            }),
            Some(before) => {
                let mut fields: Vec<FieldChange> = fields(before)
                    .into_iter()
                    .zip(fields(rule))
                    .filter(|((_, a), (_, b))| a != b)
                    .map(|((field, old), (_, new))| FieldChange { field, old, new })
                    .collect();
                fields.extend(example_changes(before, rule));
                if !fields.is_empty() {
                    changes.push(RuleChange::Changed {
                        rule: label(rule),
                        fields,
                    });
                }
            }
        }
    }
    for (rule, paired) in old.rules().iter().zip(&paired_old) {
        if !paired {
            changes.push(RuleChange::Removed {
                rule: label(rule),
                formula: formula(rule),
            });
        }
    }
    changes
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
            ("label", Some(info.label.clone())),
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

/// For each rule of the new set, the index of the same rule in the old set, if any: same
/// id and first day, then the remaining versions of an id in order. Found through maps
/// keyed by id, so pairing takes time linear in the rules.
fn pair_up(old: &[CheckedRule], new: &[CheckedRule]) -> Vec<Option<usize>> {
    use std::collections::{HashMap, VecDeque};
    let mut paired: Vec<Option<usize>> = vec![None; new.len()];
    let mut taken = vec![false; old.len()];
    // Each id's first day's versions in the old set, in order.
    let mut exact: HashMap<(&str, Option<crossfoot_syntax::date::Date>), VecDeque<usize>> =
        HashMap::new();
    for (o, rule) in old.iter().enumerate() {
        exact
            .entry((rule.id.as_str(), rule.period.from))
            .or_default()
            .push_back(o);
    }
    for (rule, pair) in new.iter().zip(&mut paired) {
        let key = (rule.id.as_str(), rule.period.from);
        *pair = exact.get_mut(&key).and_then(VecDeque::pop_front);
        if let Some(slot) = pair.and_then(|o| taken.get_mut(o)) {
            *slot = true;
        }
    }
    // The versions left over pair up by id alone, in order.
    let mut by_id: HashMap<&str, VecDeque<usize>> = HashMap::new();
    for ((o, rule), taken) in old.iter().enumerate().zip(&taken) {
        if !taken {
            by_id.entry(rule.id.as_str()).or_default().push_back(o);
        }
    }
    for (rule, pair) in new.iter().zip(&mut paired) {
        if pair.is_none() {
            *pair = by_id
                .get_mut(rule.id.as_str())
                .and_then(VecDeque::pop_front);
        }
    }
    paired
}

/// The rule's id, with its period when it has one: `cap.x (from 2014-01-01)`.
fn label(rule: &CheckedRule) -> String {
    if rule.period.is_always() {
        rule.id.clone()
    } else {
        format!("{} ({})", rule.id, rule.period)
    }
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
        let status = now.map(|(rule, _)| after.status(rule));
        let detail = status.as_ref().and_then(Status::sides).map(|s| {
            format!(
                "left {}, right {}, difference {}",
                crossfoot_syntax::amount::format_value(s.left),
                crossfoot_syntax::amount::format_value(s.right),
                crate::diagnostic::difference_text(s)
            )
        });
        found.push(Flip {
            report: after.row.meta.name(),
            rule: id.to_owned(),
            old: was_word.to_owned(),
            new: now_word.to_owned(),
            detail,
        });
    }
    found
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
            .map(|change| match change {
                RuleChange::Added { rule, .. } => format!("added {rule}"),
                RuleChange::Removed { rule, .. } => format!("removed {rule}"),
                RuleChange::Changed { rule, fields } => {
                    let names: Vec<&str> = fields.iter().map(|f| f.field).collect();
                    format!("changed {rule}: {}", names.join(", "))
                }
            })
            .collect()
    }

    #[test]
    fn versions_pair_by_id_and_first_day_then_in_order() {
        let old = "rule a\n  effective until 2014-01-01\n  7010 = 7020\n\n\
                   rule a\n  effective from 2014-01-01\n  7010 = 7030\n\n\
                   rule b\n  7010 = 7040\n";
        // The versions swapped in the file still pair by their first day.
        let swapped = "rule b\n  7010 = 7040\n\n\
                       rule a\n  effective from 2014-01-01\n  7010 = 7030\n\n\
                       rule a\n  effective until 2014-01-01\n  7010 = 7020\n";
        assert!(
            changed(old, swapped).is_empty(),
            "{:?}",
            changed(old, swapped)
        );
        // A first day moved pairs by id, in order; a new id is added, a gone one removed.
        let moved = "rule a\n  effective until 2015-01-01\n  7010 = 7020\n\n\
                     rule a\n  effective from 2015-01-01\n  7010 = 7030\n\n\
                     rule c\n  7010 = 7040\n";
        assert_eq!(
            changed(old, moved),
            [
                "changed a (until 2015-01-01): effective",
                "changed a (from 2015-01-01): effective",
                "added c",
                "removed b"
            ]
        );
    }
}
