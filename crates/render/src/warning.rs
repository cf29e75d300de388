//! A run's warnings in words: the engine says what it found ([`RunWarning`]), every output
//! says it in these words.

use crossfoot_core::engine::{RunWarning, plural};

/// A run warning as every output writes it: `line 7191 appears in may.yaml but no page
/// declares it, so no rule reads it; did you mean 7190 …?`.
pub fn warning_text(warning: &RunWarning) -> String {
    match warning {
        RunWarning::Waiver(error) => error.to_string(),
        RunWarning::Undated {
            first,
            others,
            dated_rules,
        } => {
            let which = match others {
                0 => first.clone(),
                n => format!("{first} and {n} other report{}", plural(*n)),
            };
            format!(
                "{which} {} no `as_of`, so the {dated_rules} rule{} with an `effective` period {} skipped; give each report its date (`as_of`), or `--as-of DATE` for inputs that carry none",
                if *others == 0 { "has" } else { "have" },
                plural(*dated_rules),
                if *dated_rules == 1 { "was" } else { "were" },
            )
        }
        RunWarning::NoVersion {
            id,
            end,
            first,
            date,
            others,
        } => {
            let which = match others {
                0 => first.clone(),
                n => format!("{first}, and {n} other report{} from {end} on", plural(*n)),
            };
            let last = end
                .previous_day()
                .map_or_else(String::new, |d| format!(" {d}"));
            format!(
                "no version of rule `{id}` is in force on {date} ({which}): its last version ended{last}; add the version in force now, or declare that it lapsed: `lapse {id} effective from {end}`"
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
            format!(
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
            format!(
                "{count} lines on no page of the catalogue ({}{more}) appear {which}in {first}, so no rule reads them",
                codes.join(", ")
            )
        }
    }
}
