//! Waivers: accepted exceptions to rules, kept in a YAML file in git beside the pack.
//!
//! ```yaml
//! waivers:
//!   - rule: seg.excess
//!     firm: HSBC Securities (USA) Inc.   # and/or the reports' dates:
//!     as_of: 2020-07-31                  #   one day, or `from:` / `until:`
//!     justification: Deposit of 2020-08-03 cured the deficit (ticket COMP-1234)
//!     approver: J. Doe, CCO
//!     expires: 2021-01-01                # the first day it no longer applies
//! ```
//!
//! A failure that a live waiver covers is `waived`: reported with the justification, not a
//! failure of the run. An expired waiver waives nothing and is a warning; so is a live
//! waiver that covered reports in the run on which its rule never failed.

mod error;

use std::collections::HashMap;

pub use error::WaiverError;

use crate::compile::RuleSet;
use crate::yaml::{self, Node};
use crossfoot_syntax::date::{Date, Period};
use crossfoot_syntax::source::{Source, Span, Spanned};

/// The file name looked for beside a pack.
pub const FILE_NAME: &str = "waivers.yaml";

/// One accepted exception.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiver {
    /// The rule it waives.
    pub rule: Spanned<String>,
    /// The filer it covers; any when absent.
    pub firm: Option<String>,
    /// The report dates it covers; any when absent.
    pub dates: Option<Period>,
    /// Why the exception is accepted.
    pub justification: String,
    /// Who accepted it.
    pub approver: String,
    /// The first day it no longer applies.
    pub expires: Spanned<Date>,
    /// The whole entry.
    pub span: Span,
}

impl Waiver {
    /// Whether it covers a report of `firm` dated `as_of` (whatever the rule).
    pub fn covers(&self, firm: Option<&str>, as_of: Option<Date>) -> bool {
        let firm_ok = match &self.firm {
            None => true,
            Some(wanted) => firm.is_some_and(|firm| firm.trim() == wanted),
        };
        let date_ok = match self.dates {
            None => true,
            Some(period) => as_of.is_some_and(|date| period.contains(date)),
        };
        firm_ok && date_ok
    }
}

/// A waivers file, judged on one day.
#[derive(Clone, Debug)]
pub struct Waivers {
    source: Source,
    waivers: Vec<Waiver>,
    today: Date,
    /// Live waivers of each rule, by rule id.
    live: HashMap<String, Vec<usize>>,
}

/// How each waiver fared in a run: reports it covered, failures it waived.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    covered: Vec<usize>,
    waived: Vec<usize>,
}

impl Usage {
    /// Count a report of `firm` as of `as_of`: the live waivers that cover it, and the
    /// failures they waived (`waived`, the index of the waiver that accepted each).
    pub fn add(
        &mut self,
        waivers: &Waivers,
        firm: Option<&str>,
        as_of: Option<Date>,
        waived: impl IntoIterator<Item = usize>,
    ) {
        for &index in waivers.live.values().flatten() {
            let covers = waivers
                .waivers
                .get(index)
                .is_some_and(|waiver| waiver.covers(firm, as_of));
            if let (true, Some(count)) = (covers, self.covered.get_mut(index)) {
                *count += 1;
            }
        }
        for index in waived {
            if let Some(count) = self.waived.get_mut(index) {
                *count += 1;
            }
        }
    }
}

impl Waivers {
    /// Read a waivers file; `today` decides which waivers are live.
    pub fn parse(source: Source, today: Date) -> Result<Waivers, Vec<WaiverError>> {
        let waivers = read(&source)?;
        let mut live: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, waiver) in waivers.iter().enumerate() {
            if today < waiver.expires.node {
                live.entry(waiver.rule.node.clone())
                    .or_default()
                    .push(index);
            }
        }
        Ok(Waivers {
            source,
            waivers,
            today,
            live,
        })
    }

    /// The file.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The waivers, in file order.
    pub fn waivers(&self) -> &[Waiver] {
        &self.waivers
    }

    /// The day expiry is judged on.
    pub fn today(&self) -> Date {
        self.today
    }

    /// A usage tally for a run.
    pub fn usage(&self) -> Usage {
        Usage {
            covered: vec![0; self.waivers.len()],
            waived: vec![0; self.waivers.len()],
        }
    }

    /// Waivers of rules the set does not have: errors, as a typo would silently waive
    /// nothing.
    pub fn check_rules(&self, rules: &RuleSet) -> Vec<WaiverError> {
        let ids: std::collections::HashSet<&str> =
            rules.rules().iter().map(|rule| rule.id.as_str()).collect();
        self.waivers
            .iter()
            .filter(|waiver| !ids.contains(waiver.rule.node.as_str()))
            .map(|waiver| WaiverError::UnknownRule {
                rule: waiver.rule.node.clone(),
                src: self.source.named(),
                span: waiver.rule.span.into(),
                help: similar_rule(rules, &waiver.rule.node),
            })
            .collect()
    }

    /// The first live waiver of `rule` covering a report of `firm` dated `as_of`.
    pub fn covering(&self, rule: &str, firm: Option<&str>, as_of: Option<Date>) -> Option<usize> {
        self.live.get(rule)?.iter().copied().find(|&index| {
            self.waivers
                .get(index)
                .is_some_and(|waiver| waiver.covers(firm, as_of))
        })
    }

    /// After a run: each expired waiver, and each live one that covered reports but never
    /// a failure.
    pub fn warnings(&self, usage: &Usage) -> Vec<WaiverError> {
        let mut found = Vec::new();
        for (index, waiver) in self.waivers.iter().enumerate() {
            let covered = usage.covered.get(index).copied().unwrap_or(0);
            let waived = usage.waived.get(index).copied().unwrap_or(0);
            if waiver.expires.node <= self.today {
                found.push(WaiverError::Expired {
                    rule: waiver.rule.node.clone(),
                    expires: waiver.expires.node.to_string(),
                    today: self.today.to_string(),
                    src: self.source.named(),
                    span: waiver.expires.span.into(),
                });
            } else if covered > 0 && waived == 0 {
                found.push(WaiverError::Unused {
                    rule: waiver.rule.node.clone(),
                    covered,
                    plural: if covered == 1 { "" } else { "s" },
                    src: self.source.named(),
                    span: waiver.rule.span.into(),
                });
            }
        }
        found
    }
}

/// `did you mean seg.excess?`
fn similar_rule(rules: &RuleSet, id: &str) -> Option<String> {
    let prefix = id.split('.').next().unwrap_or(id);
    rules
        .rules()
        .iter()
        .map(|rule| rule.id.as_str())
        .filter(|candidate| candidate.starts_with(prefix))
        .min_by_key(|candidate| crossfoot_syntax::spelling::edit_distance(candidate, id))
        .map(|candidate| format!("did you mean `{candidate}`?"))
}

const FIELDS: &str = "a waiver has `rule`, `firm` and/or `as_of` (or `from`/`until`), `justification`, `approver` and `expires`";

/// The waivers of a file, or every problem with it.
fn read(source: &Source) -> Result<Vec<Waiver>, Vec<WaiverError>> {
    let problem = |message: String, span: Span, help: &str| WaiverError::Malformed {
        message,
        src: source.named(),
        span: span.into(),
        help: help.to_owned(),
    };
    let root = yaml::parse(source).map_err(|e| vec![problem(e.message, e.span, FIELDS)])?;
    let entries = match &root {
        Node::Map(pairs, _) => match pairs.as_slice() {
            [(Node::Scalar { text, .. }, Node::Seq(entries, _))] if text == "waivers" => entries,
            [(Node::Scalar { text, .. }, Node::Map(pairs, span))]
                if text == "waivers" && pairs.is_empty() =>
            {
                return Err(vec![problem(
                    "`waivers` must be a list".to_owned(),
                    *span,
                    "write `waivers: []` for none",
                )]);
            }
            _ => {
                return Err(vec![problem(
                    "a waivers file is `waivers:` and a list".to_owned(),
                    root.span(),
                    FIELDS,
                )]);
            }
        },
        _ => {
            return Err(vec![problem(
                "a waivers file is `waivers:` and a list".to_owned(),
                root.span(),
                FIELDS,
            )]);
        }
    };
    let mut waivers = Vec::new();
    let mut errors = Vec::new();
    for entry in entries {
        match entry_of(entry, &problem) {
            Ok(waiver) => waivers.push(waiver),
            Err(found) => errors.extend(found),
        }
    }
    if errors.is_empty() {
        Ok(waivers)
    } else {
        Err(errors)
    }
}

/// The fields of one entry, as scalars with their spans.
type Fields<'a> = HashMap<&'a str, (&'a str, Span)>;

fn entry_of(
    entry: &Node,
    problem: &dyn Fn(String, Span, &str) -> WaiverError,
) -> Result<Waiver, Vec<WaiverError>> {
    let Node::Map(pairs, span) = entry else {
        return Err(vec![problem(
            "a waiver is a mapping of fields".to_owned(),
            entry.span(),
            FIELDS,
        )]);
    };
    let mut fields: Fields<'_> = HashMap::new();
    let mut errors = Vec::new();
    for (key, value) in pairs {
        let (
            Node::Scalar { text: key, .. },
            Node::Scalar {
                text, span, quoted, ..
            },
        ) = (key, value)
        else {
            errors.push(problem(
                "expected `field: value`".to_owned(),
                value.span(),
                FIELDS,
            ));
            continue;
        };
        let known = [
            "rule",
            "firm",
            "as_of",
            "from",
            "until",
            "justification",
            "approver",
            "expires",
        ];
        match known.iter().find(|k| *k == key) {
            Some(name) => {
                // YAML's null (`~`, `null`, nothing) is no value; quoted, it is the text.
                let null = !quoted && matches!(text.as_str(), "~" | "null" | "Null" | "NULL");
                let text = if null { "" } else { text.trim() };
                if fields.insert(name, (text, *span)).is_some() {
                    errors.push(problem(format!("`{key}` is given twice"), *span, FIELDS));
                }
            }
            None => errors.push(problem(format!("unknown field `{key}`"), *span, FIELDS)),
        }
    }
    let mut required = |name: &str| -> Option<(&str, Span)> {
        match fields.get(name) {
            Some(&(text, span)) if !text.is_empty() => Some((text, span)),
            _ => {
                errors.push(problem(
                    format!("the waiver has no `{name}`"),
                    *span,
                    FIELDS,
                ));
                None
            }
        }
    };
    let rule = required("rule");
    let justification = required("justification");
    let approver = required("approver");
    let expires = required("expires");
    let date = |name: &str, errors: &mut Vec<WaiverError>| -> Option<Spanned<Date>> {
        let &(text, span) = fields.get(name)?;
        match text.parse::<Date>() {
            Ok(date) => Some(Spanned::new(date, span)),
            Err(reason) => {
                errors.push(problem(
                    format!("`{text}` is not a date"),
                    span,
                    &reason.to_string(),
                ));
                None
            }
        }
    };
    let expires = expires.and_then(|_| date("expires", &mut errors));
    let as_of = date("as_of", &mut errors);
    let from = date("from", &mut errors);
    let until = date("until", &mut errors);
    let dates = match (as_of, from.as_ref().or(until.as_ref())) {
        (Some(day), Some(other)) => {
            errors.push(problem(
                "give either `as_of` or `from`/`until`, not both".to_owned(),
                other.span,
                FIELDS,
            ));
            Some(Period {
                from: Some(day.node),
                until: day.node.next_day(),
            })
        }
        (Some(day), None) => Some(Period {
            from: Some(day.node),
            until: day.node.next_day(),
        }),
        (None, Some(_)) => Some(Period {
            from: from.as_ref().map(|d| d.node),
            until: until.as_ref().map(|d| d.node),
        }),
        (None, None) => None,
    };
    let firm = fields.get("firm").map(|&(text, _)| text.to_owned());
    if let Some(&("", at)) = fields.get("firm") {
        // An empty firm would cover no report, and a null one is no firm at all: either
        // way the waiver would not do what it reads as doing.
        errors.push(problem(
            "`firm` is empty".to_owned(),
            at,
            "name the firm as its reports write it, or leave `firm` out to cover every firm's reports on the dates given",
        ));
    }
    if firm.is_none() && dates.is_none() {
        errors.push(problem(
            "the waiver does not say which reports it covers".to_owned(),
            *span,
            "name the `firm`, the report date (`as_of`, or `from`/`until`), or both: a waiver never covers every report",
        ));
    }
    if let Some(period) = dates.filter(Period::is_empty) {
        let at = until.as_ref().map_or(*span, |d| d.span);
        errors.push(problem(
            format!("`{period}` covers no day"),
            at,
            "`until` is the first day no longer covered",
        ));
    }
    match (rule, justification, approver, expires) {
        (Some(rule), Some(justification), Some(approver), Some(expires)) if errors.is_empty() => {
            Ok(Waiver {
                rule: Spanned::new(rule.0.to_owned(), rule.1),
                firm,
                dates,
                justification: justification.0.to_owned(),
                approver: approver.0.to_owned(),
                expires,
                span: *span,
            })
        }
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        text.parse().unwrap()
    }

    fn parse(text: &str) -> Result<Waivers, Vec<WaiverError>> {
        Waivers::parse(Source::new("waivers.yaml", text), date("2020-09-01"))
    }

    const ONE: &str = "waivers:\n  - rule: seg.excess\n    firm: HSBC\n    as_of: 2020-07-31\n    justification: cured on 2020-08-03\n    approver: J. Doe\n    expires: 2021-01-01\n";

    #[test]
    fn reads_a_waiver_and_matches_its_reports() {
        let waivers = parse(ONE).unwrap();
        let waiver = &waivers.waivers()[0];
        assert_eq!(waiver.rule.node, "seg.excess");
        assert!(waiver.covers(Some("HSBC"), Some(date("2020-07-31"))));
        assert!(!waiver.covers(Some("HSBC"), Some(date("2020-08-01"))));
        assert!(!waiver.covers(Some("Other"), Some(date("2020-07-31"))));
        assert!(!waiver.covers(None, Some(date("2020-07-31"))));
        assert_eq!(
            waivers.covering("seg.excess", Some("HSBC"), Some(date("2020-07-31"))),
            Some(0)
        );
        assert_eq!(
            waivers.covering("seg.other", Some("HSBC"), Some(date("2020-07-31"))),
            None
        );
    }

    #[test]
    fn an_expired_waiver_covers_nothing() {
        let waivers = Waivers::parse(Source::new("w", ONE), date("2021-01-01")).unwrap();
        assert_eq!(
            waivers.covering("seg.excess", Some("HSBC"), Some(date("2020-07-31"))),
            None
        );
        let warnings = waivers.warnings(&waivers.usage());
        assert_eq!(warnings.len(), 1);
        assert!(matches!(warnings[0], WaiverError::Expired { .. }));
    }

    #[test]
    fn malformed_entries_say_what_is_wrong() {
        let messages = |text: &str| -> Vec<String> {
            parse(text)
                .unwrap_err()
                .iter()
                .map(ToString::to_string)
                .collect()
        };
        assert_eq!(
            messages("- a\n"),
            ["a waivers file is `waivers:` and a list"]
        );
        assert_eq!(
            messages(
                "waivers:\n  - rule: a\n    justification: j\n    approver: b\n    expires: 2021-02-30\n    colour: red\n"
            ),
            [
                "unknown field `colour`",
                "`2021-02-30` is not a date",
                "the waiver does not say which reports it covers"
            ]
        );
        assert_eq!(
            messages(
                "waivers:\n  - rule: a\n    firm: F\n    approver: b\n    expires: 2021-01-01\n"
            ),
            ["the waiver has no `justification`"]
        );
        assert_eq!(
            messages(
                "waivers:\n  - rule: a\n    from: 2020-02-01\n    until: 2020-02-01\n    justification: j\n    approver: b\n    expires: 2021-01-01\n"
            ),
            ["`from 2020-02-01 until 2020-02-01` covers no day"]
        );
    }

    // See: issue #30 (11): an empty or null firm covered nothing, or a firm named "~".
    #[test]
    fn an_empty_or_null_firm_is_refused_and_a_quoted_one_is_a_name() {
        let with_firm = |firm: &str| {
            format!(
                "waivers:\n  - rule: a\n    firm: {firm}\n    as_of: 2020-07-31\n    justification: j\n    approver: b\n    expires: 2021-01-01\n"
            )
        };
        for firm in ["\"\"", "''", "~", "null", "NULL", "\"  \"", ""] {
            let errors = parse(&with_firm(firm)).unwrap_err();
            let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
            assert_eq!(messages, ["`firm` is empty"], "firm: {firm}");
        }
        let quoted = parse(&with_firm("\"~\"")).unwrap();
        assert_eq!(quoted.waivers()[0].firm.as_deref(), Some("~"));
    }
}
