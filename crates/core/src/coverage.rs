//! Coverage of the line catalogue by a rule set: which lines no rule reads, and which are
//! the target (the left side of an `=`) of more than one rule.

use serde::{Deserialize, Serialize};

use crate::compile::RuleSet;
use crossfoot_syntax::ast::CmpOp;
use crossfoot_syntax::line::LineCode;

/// Coverage of every page of the catalogue.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Coverage {
    /// One entry per page, in declaration order.
    pub pages: Vec<PageCoverage>,
}

/// Coverage of one page.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct PageCoverage {
    /// The page id.
    pub page: String,
    /// The page's title.
    pub title: String,
    /// How many lines the page declares.
    pub lines: usize,
    /// Lines no rule reads.
    pub unreferenced: Vec<String>,
    /// Lines that more than one rule asserts equal to something, with those rules.
    pub multiple_targets: Vec<Target>,
}

/// A line and the rules that target it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Target {
    /// The line.
    pub line: String,
    /// The rules whose assertion is `line = …`.
    pub rules: Vec<String>,
    /// When one of them is dated (`effective`): each rule's period, in the order of
    /// `rules` (`from 2014-01-01`, `every day`), so versions of one rule are told apart.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub periods: Vec<String>,
}

impl Target {
    /// Each rule as people read it: its id, with its period when it is dated.
    pub fn names(&self) -> Vec<String> {
        self.rules
            .iter()
            .enumerate()
            .map(|(i, id)| match self.periods.get(i) {
                Some(period) if period != "every day" => format!("{id} ({period})"),
                _ => id.clone(),
            })
            .collect()
    }
}

/// The coverage of a rule set's catalogue (empty when it declares no pages).
pub fn coverage(rules: &RuleSet) -> Coverage {
    let referenced = |code: LineCode| rules.rules().iter().any(|rule| rule.lines.contains(&code));
    let targeting = |code: LineCode| -> Vec<&crate::compile::CheckedRule> {
        rules
            .rules()
            .iter()
            .filter(|rule| rule.assertion.op == CmpOp::Eq && target(rule) == Some(code))
            .collect()
    };
    let pages = rules
        .catalogue()
        .pages()
        .iter()
        .map(|page| PageCoverage {
            page: page.id.clone(),
            title: page.title.clone(),
            lines: page.lines.len(),
            unreferenced: page
                .lines
                .iter()
                .filter(|code| !referenced(**code))
                .map(ToString::to_string)
                .collect(),
            multiple_targets: page
                .lines
                .iter()
                .filter_map(|code| {
                    let targets = targeting(*code);
                    let dated = targets.iter().any(|rule| !rule.period.is_always());
                    (targets.len() > 1).then(|| Target {
                        line: code.to_string(),
                        rules: targets.iter().map(|rule| rule.id.clone()).collect(),
                        periods: if dated {
                            targets.iter().map(|rule| rule.period.to_string()).collect()
                        } else {
                            Vec::new()
                        },
                    })
                })
                .collect(),
        })
        .collect();
    Coverage { pages }
}

/// The line a rule's left side is, when it is one line.
fn target(rule: &crate::compile::CheckedRule) -> Option<LineCode> {
    match rule.assertion.left {
        crate::compile::Node::Line { slot, .. } => rule.lines.get(slot).copied(),
        _ => None,
    }
}
