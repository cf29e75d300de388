//! A model of the solver made into a report, and checked by the evaluator.
//!
//! The solver's model is never shown as it is: it becomes the text of a YAML report
//! (and of its previous report, when a rule reads one), that text is read back by the
//! same reader `check` uses, and the engine checks it. Only a report on which the engine
//! confirms what the solver claimed is a witness.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rust_decimal::Decimal;
use serde::Serialize;

use crossfoot_core::compile::RuleSet;
use crossfoot_core::engine::{Engine, ReportResult};
use crossfoot_core::report::{Report, load_yaml};
use crossfoot_core::unit::Unit;
use crossfoot_syntax::date::Date;
use crossfoot_syntax::line::LineCode;
use crossfoot_syntax::number::Value;
use crossfoot_syntax::source::Source;

/// A report the solver found, as amounts by line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Witness {
    /// The report's date (`null`: a report without one).
    #[serde(serialize_with = "crossfoot_core::diff::date_text")]
    pub as_of: Option<Date>,
    /// The unit its amounts are printed in.
    pub unit: String,
    /// Each line that is not blank, with its amount as printed.
    pub lines: BTreeMap<String, String>,
    /// The previous report's lines, when a rule reads it and the witness has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prior: Option<Prior>,
}

/// The previous report of a witness.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Prior {
    /// Its date: the day before the witness's.
    #[serde(serialize_with = "crossfoot_core::diff::date_text")]
    pub as_of: Option<Date>,
    /// Its unit.
    pub unit: String,
    /// Its lines that are not blank.
    pub lines: BTreeMap<String, String>,
}

/// The firm every witness is filed by.
const FIRM: &str = "crossfoot prove witness";

/// A line's amount in a model: its value and the decimals it is printed with.
#[derive(Clone, Copy, Debug)]
pub struct Amount {
    /// The exact value.
    pub value: Value,
    /// Decimals to print, when the model says (`within rounding`).
    pub decimals: Option<u32>,
}

/// An amount as a report prints it, exactly; `None` when the value has no finite
/// decimal form or does not fit the decimals asked for.
pub fn printed(amount: Amount) -> Option<String> {
    let mut decimal: Decimal = amount.value.reduced().to_decimal()?;
    if Value::from_decimal(decimal) != amount.value {
        return None;
    }
    decimal = decimal.normalize();
    if let Some(places) = amount.decimals {
        if decimal.scale() > places {
            return None;
        }
        decimal.rescale(places);
    }
    Some(decimal.to_string())
}

impl Witness {
    /// A witness from a model's amounts (blank lines left out).
    pub fn new(
        as_of: Option<Date>,
        unit: Unit,
        lines: &BTreeMap<LineCode, Amount>,
        prior: Option<(Unit, &BTreeMap<LineCode, Amount>)>,
    ) -> Option<Witness> {
        let print = |lines: &BTreeMap<LineCode, Amount>| -> Option<BTreeMap<String, String>> {
            lines
                .iter()
                .map(|(code, amount)| Some((code.to_string(), printed(*amount)?)))
                .collect()
        };
        Some(Witness {
            as_of,
            unit: unit_name(unit),
            lines: print(lines)?,
            prior: match prior {
                Some((unit, lines)) => Some(Prior {
                    as_of: as_of.and_then(Date::previous_day),
                    unit: unit_name(unit),
                    lines: print(lines)?,
                }),
                None => None,
            },
        })
    }

    /// The report as YAML, as `check` reads it.
    pub fn yaml(&self) -> String {
        report_yaml(self.as_of, &self.unit, &self.lines)
    }

    /// The previous report as YAML, when there is one.
    pub fn prior_yaml(&self) -> Option<String> {
        self.prior
            .as_ref()
            .map(|prior| report_yaml(prior.as_of, &prior.unit, &prior.lines))
    }

    /// The report checked by `rules` as `check` checks it: read back from its YAML, with
    /// its previous report. `None` when the text does not read back (never expected).
    pub fn check(&self, rules: &RuleSet) -> Option<ReportResult> {
        let report = read(&self.yaml(), "witness.yaml")?;
        let priors: Vec<Report> = match self.prior_yaml() {
            Some(text) => vec![read(&text, "witness.prior.yaml")?],
            None => Vec::new(),
        };
        Some(
            Engine::new(rules.clone())
                .with_priors(&priors)
                .check(&report),
        )
    }
}

fn read(text: &str, name: &str) -> Option<Report> {
    load_yaml(&Source::new(name, text)).ok()
}

/// A unit's name in a report.
fn unit_name(unit: Unit) -> String {
    ["dollars", "thousands", "millions", "billions"]
        .get(usize::from(unit.exponent() / 3))
        .copied()
        .unwrap_or("dollars")
        .to_owned()
}

fn report_yaml(as_of: Option<Date>, unit: &str, lines: &BTreeMap<String, String>) -> String {
    let mut text = format!("firm: {FIRM}\n");
    if let Some(date) = as_of {
        let _ = writeln!(text, "as_of: {date}");
    }
    if unit != "dollars" {
        let _ = writeln!(text, "unit: {unit}");
    }
    if lines.is_empty() {
        text.push_str("lines: {}\n");
    } else {
        text.push_str("lines:\n");
        for (code, amount) in lines {
            let _ = writeln!(text, "  {code}: \"{amount}\"");
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_print_exactly_or_not_at_all() {
        let amount = |text: &str, decimals| Amount {
            value: text.parse().unwrap(),
            decimals,
        };
        assert_eq!(printed(amount("5", None)).unwrap(), "5");
        assert_eq!(printed(amount("5", Some(2))).unwrap(), "5.00");
        assert_eq!(printed(amount("-2.5", None)).unwrap(), "-2.5");
        assert_eq!(printed(amount("2.55", Some(1))), None);
        let third = Amount {
            value: Value::fraction(1, 3).unwrap(),
            decimals: None,
        };
        assert_eq!(printed(third), None);
    }

    #[test]
    fn a_witness_reads_back_as_a_report() {
        let lines = BTreeMap::from([(
            "7010".parse().unwrap(),
            Amount {
                value: Value::whole(5),
                decimals: None,
            },
        )]);
        let witness = Witness::new(None, Unit::ALL[1], &lines, None).unwrap();
        assert_eq!(
            witness.yaml(),
            "firm: crossfoot prove witness\nunit: thousands\nlines:\n  7010: \"5\"\n"
        );
        assert!(read(&witness.yaml(), "w.yaml").is_some());
    }
}
