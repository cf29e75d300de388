//! Whole-report tests: a `*.test.yaml` file beside the pack names a report and the status
//! each rule (or each listed rule) must have on it.
//!
//! ```yaml
//! report: ../../../examples/hsbc-2020-07.yaml   # relative to this file
//! default: pass                                 # every rule not listed (optional)
//! rules:
//!   dealer.total: skipped
//! ```

use std::path::{Path, PathBuf};

use crate::compile::{CheckedRule, RuleSet};
use crate::engine::{ReportResult, check_row};
use crate::error::{Error, TestFileError};
use crate::eval::{Skip, Verdict};
use crate::files::{MAX_REPORT_BYTES, read_source};
use crate::report::Row;
use crate::yaml::{self, Node};
use crossfoot_syntax::source::{Source, Span};

/// A status a test expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    /// `pass`
    Pass,
    /// `fail`
    Fail,
    /// `skipped`
    Skipped,
}

impl Expected {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "pass" => Some(Expected::Pass),
            "fail" => Some(Expected::Fail),
            "skipped" => Some(Expected::Skipped),
            _ => None,
        }
    }

    /// The word used in test files.
    pub fn as_str(self) -> &'static str {
        match self {
            Expected::Pass => "pass",
            Expected::Fail => "fail",
            Expected::Skipped => "skipped",
        }
    }

    /// Whether a rule's verdict is this one.
    pub fn matches(self, verdict: Verdict) -> bool {
        matches!(
            (self, verdict),
            (Expected::Pass, Verdict::Pass)
                | (Expected::Fail, Verdict::Fail)
                | (Expected::Skipped, Verdict::Skipped(_))
        )
    }
}

/// A parsed test file.
#[derive(Clone, Debug)]
pub struct ReportTest {
    /// The test file.
    pub source: Source,
    /// The report it names, resolved against the test file's directory.
    pub report: PathBuf,
    /// The status of every rule not listed, if given.
    pub default: Option<Expected>,
    /// Listed rules: id, where listed, status.
    pub rules: Vec<(String, Span, Expected)>,
}

/// One rule of a whole-report test.
#[derive(Clone, Debug)]
pub struct ReportCase<'a> {
    /// The rule.
    pub rule: &'a CheckedRule,
    /// What the test expects.
    pub expected: Expected,
    /// The rule's index in the set.
    pub index: usize,
    /// Whether they agree.
    pub ok: bool,
    /// Where the expectation is written (the `default` line for unlisted rules).
    pub span: Option<Span>,
}

/// The `*.test.yaml` files under a path, sorted (none when the path is a file).
pub fn test_files(path: &Path) -> Result<Vec<PathBuf>, Error> {
    if !path.is_dir() {
        return Ok(Vec::new());
    }
    crate::files::files_under(path, |file| file.to_string_lossy().ends_with(".test.yaml"))
        .map_err(Error::from)
}

/// Read a test file, checking its rule ids against the rule set.
pub fn load_report_test(path: &Path, rules: &RuleSet) -> Result<ReportTest, Vec<Error>> {
    let source = read_source(path, MAX_REPORT_BYTES).map_err(|e| vec![e.into()])?;
    let problem = |message: String, span: Span, help: Option<&str>| {
        Error::TestFile(Box::new(TestFileError {
            message,
            src: source.named(),
            span: span.into(),
            help: help.map(str::to_owned),
        }))
    };
    let root = yaml::parse(&source).map_err(|e| vec![problem(e.message, e.span, None)])?;
    let Node::Map(pairs, _) = root else {
        return Err(vec![problem(
            "a test file is a mapping with `report:`".to_owned(),
            root.span(),
            Some("write `report: path/to/report.yaml`, then `default:` and/or `rules:`"),
        )]);
    };
    let mut errors = Vec::new();
    let mut report = None;
    let mut default = None;
    let mut listed = Vec::new();
    for (key, value) in &pairs {
        let Node::Scalar { text: key_text, .. } = key else {
            errors.push(problem("expected a key".to_owned(), key.span(), None));
            continue;
        };
        match (key_text.as_str(), value) {
            ("report", Node::Scalar { text, .. }) => {
                let base = path.parent().unwrap_or(Path::new("."));
                report = Some(base.join(text));
            }
            ("default", Node::Scalar { text, span, .. }) => match Expected::parse(text) {
                Some(expected) => default = Some(expected),
                None => errors.push(problem(format!("`{text}` is not a status"), *span, Some(STATUSES))),
            },
            ("rules", Node::Map(entries, _)) => {
                for (id, status) in entries {
                    let (Node::Scalar { text: id, span: id_span, .. }, Node::Scalar { text, span, .. }) = (id, status)
                    else {
                        errors.push(problem("expected `rule.id: status`".to_owned(), id.span(), Some(STATUSES)));
                        continue;
                    };
                    if !rules.rules().iter().any(|rule| &rule.id == id) {
                        let hint = rules.suggest_id(id).map(|known| format!("did you mean `{known}`?"));
                        errors.push(problem(format!("no rule `{id}` in the rule set"), *id_span, hint.as_deref()));
                        continue;
                    }
                    match Expected::parse(text) {
                        Some(expected) => listed.push((id.clone(), *id_span, expected)),
                        None => errors.push(problem(format!("`{text}` is not a status"), *span, Some(STATUSES))),
                    }
                }
            }
            (key, value) => errors.push(problem(
                format!("unexpected `{key}`"),
                value.span(),
                Some("a test file has `report:` (a path), `default:` (a status) and `rules:` (`id: status` pairs)"),
            )),
        }
    }
    let Some(report) = report else {
        errors.push(problem(
            "the test names no `report:`".to_owned(),
            Span::new(0, 0),
            None,
        ));
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ReportTest {
        source,
        report,
        default,
        rules: listed,
    })
}

const STATUSES: &str = "a status is `pass`, `fail` or `skipped`";

/// Evaluate the test's report and compare each rule's status with the expected one: the
/// report's results, and a case for each rule the test speaks of.
pub fn run_report_test<'a>(
    rules: &'a RuleSet,
    test: &ReportTest,
) -> Result<(ReportResult, Vec<ReportCase<'a>>), Vec<Error>> {
    let report = crate::report::read_one(rules, &test.report)
        .map_err(|errors| errors.into_iter().map(Error::from).collect::<Vec<_>>())?;
    let result = check_row(rules, None, Row::of(rules, &report));
    let mut cases = Vec::new();
    for (index, (rule, outcome)) in rules.rules().iter().zip(&result.results).enumerate() {
        // Of a rule's versions, the test speaks of the one in force on the report's date.
        let versions = rules.rules().iter().filter(|r| r.id == rule.id).count();
        if versions > 1 && matches!(outcome.verdict, Verdict::Skipped(Skip::NotInForce(_))) {
            continue;
        }
        let listed = test.rules.iter().find(|(id, _, _)| id == &rule.id);
        let (expected, span) = match (listed, test.default) {
            (Some((_, span, expected)), _) => (*expected, Some(*span)),
            (None, Some(default)) => (default, None),
            (None, None) => continue,
        };
        cases.push(ReportCase {
            rule,
            expected,
            index,
            ok: expected.matches(outcome.verdict),
            span,
        });
    }
    Ok((result, cases))
}
