//! The compiler: AST → checked rule set. Builds the line catalogue, resolves functions and line codes,
//! checks units, and looks for rules that cannot do their job. Every problem of the whole
//! set is collected, in source order, before giving up.

mod catalogue;
mod error;
pub(crate) mod linear;
mod lint;
mod resolve;
mod rules;
mod units;

use std::collections::HashMap;

pub use catalogue::{Catalogue, LineInfo, PageInfo};
pub use error::{CheckError, FirstDefinition};
pub use rules::{
    CheckedExample, CheckedRule, Comparison, Cond, Constant, Func, Money, Node, RuleSet, Within,
};
pub use units::Kind;

use crossfoot_syntax::Print;
use crossfoot_syntax::ast::{CmpOp, Item, LineKind, Page, Rule, RuleFile, Tolerance};
use crossfoot_syntax::date::{Date, Period};
use crossfoot_syntax::line::{BuildCodeHasher, CodeMap, LineCode};
use crossfoot_syntax::source::{Source, Span, Spanned};
use resolve::Resolver;
use units::Units;

/// The most decimal places `round` may keep (all a decimal can hold).
pub const MAX_ROUND_PLACES: u32 = 28;

/// A rule set that passed every check, and the warnings found on the way.
#[derive(Debug)]
pub struct Checked {
    /// The rules, ready to evaluate.
    pub rules: RuleSet,
    /// Problems that do not stop the rules from being used, in source order.
    pub warnings: Vec<CheckError>,
}

/// Problems with their place, for sorting into source order.
struct Problems(Vec<(usize, usize, CheckError)>);

impl Problems {
    fn push(&mut self, file: usize, offset: usize, problem: CheckError) {
        self.0.push((file, offset, problem));
    }
}

/// How the outputs people read name a rule: its id, followed for a dated rule by its
/// period, `capital.customer_margin (from 2014-01-01)`, so the versions of one rule
/// (same id, different `effective` periods) never look like duplicates. Machine
/// outputs keyed by id (JSON, SARIF) keep the id alone.
pub fn version_name(rule: &CheckedRule) -> std::borrow::Cow<'_, str> {
    if rule.period.is_always() {
        std::borrow::Cow::Borrowed(&rule.id)
    } else {
        std::borrow::Cow::Owned(format!("{} ({})", rule.id, rule.period))
    }
}

/// Check parsed rule files as one rule set. On failure, every error and warning, in
/// source order.
pub fn compile(mut files: Vec<(Source, RuleFile)>) -> Result<Checked, Vec<CheckError>> {
    let srcs: Vec<Source> = files.iter().map(|(source, _)| source.named()).collect();
    let mut problems = Problems(Vec::new());
    let pages = files
        .iter()
        .enumerate()
        .flat_map(|(index, (_, file))| file.pages().map(move |page| (index, page)));
    let catalogue = build_catalogue(pages, &srcs, &mut problems);
    let (periods, ends) = periods(&files, &srcs, &mut problems);
    let mut rules = Vec::with_capacity(periods.iter().map(Vec::len).sum());
    // Each rule checks on its own: in parallel for a large set, in order either way. A
    // rule's tree is dropped as soon as it is checked, so the set is never held twice.
    for (index, ((_, file), periods)) in files.iter_mut().zip(periods).enumerate() {
        let Some(src) = srcs.get(index) else {
            continue;
        };
        let owned: Vec<(Box<Spanned<Rule>>, Period)> = std::mem::take(&mut file.items)
            .into_iter()
            .filter_map(|item| match item {
                Item::Rule(rule) => Some(rule),
                Item::Page(_) | Item::Lapse(_) => None,
            })
            .zip(periods)
            .collect();
        let checked = crate::parallel::map_owned(owned, |(rule, period)| {
            let mut errors = Vec::new();
            let checked = check_rule(&rule, index, src, &catalogue, &mut errors);
            (checked.map(|rule| CheckedRule { period, ..rule }), errors)
        });
        for (checked, errors) in checked {
            rules.extend(checked);
            for error in errors {
                problems.push(index, error.offset(), error);
            }
        }
    }
    let sources = files.into_iter().map(|(source, _)| source).collect();
    let mut set = RuleSet::new(sources, rules, catalogue);
    set.ends = ends;
    let problems = whole_set(&set, &srcs, problems);
    if problems.iter().any(|p| !p.is_warning()) {
        return Err(problems);
    }
    Ok(Checked {
        rules: set,
        warnings: problems,
    })
}

/// The checks of the whole set (the lints, which only warn) added to the problems found
/// so far, all in source order.
fn whole_set(set: &RuleSet, srcs: &[Source], mut problems: Problems) -> Vec<CheckError> {
    lint::conflicting_totals(&set.rules, srcs, &mut problems);
    lint::sign_rules(&set.catalogue, &set.rules, srcs, &mut problems);
    let mut problems = problems.0;
    problems.sort_by_key(|(file, offset, _)| (*file, *offset));
    problems.into_iter().map(|(_, _, p)| p).collect()
}

/// Each file's rules' periods, in order, with the problems of periods and versions.
/// The lapses and the version gaps are checked here too: the versions of an id and its
/// declared lapses must tile time from the first to the last, and each id whose last
/// version or lapse ends is returned with the first day nothing covers.
fn periods(
    files: &[(Source, RuleFile)],
    srcs: &[Source],
    problems: &mut Problems,
) -> (Vec<Vec<Period>>, Vec<(String, Date)>) {
    let mut versions = Versions::default();
    let mut all = Vec::with_capacity(files.len());
    let ids: std::collections::HashSet<&str> = files
        .iter()
        .flat_map(|(_, file)| file.rules().map(|rule| rule.node.id.node.as_str()))
        .collect();
    for (index, ((_, file), src)) in files.iter().zip(srcs).enumerate() {
        let file_period = file.effective.as_ref().map(|e| e.node.period());
        let mut periods = Vec::with_capacity(file.items.len());
        for rule in file.rules() {
            let period = in_force(rule, file_period, src, problems, index);
            add_version(
                &mut versions,
                &rule.node.id,
                (index, period),
                srcs,
                problems,
            );
            periods.push(period);
        }
        for lapse in file.lapses() {
            let period = narrow(file_period, Some(lapse.node.effective.node.period()));
            let id = &lapse.node.id;
            if !ids.contains(id.node.as_str()) {
                problems.push(
                    index,
                    id.span.start,
                    CheckError::LapseOfNoRule {
                        id: id.node.clone(),
                        src: src.clone(),
                        span: id.span.into(),
                    },
                );
                continue;
            }
            add_version(&mut versions, id, (index, period), srcs, problems);
        }
        all.push(periods);
    }
    let ends = versions.tile(srcs, problems);
    (all, ends)
}

/// Note a version (or a lapse) of `id`, in force for `period`, written in file `index`;
/// one whose period meets an earlier one's is a problem.
fn add_version<'a>(
    versions: &mut Versions<'a, (usize, Span)>,
    id: &'a Spanned<String>,
    (index, period): (usize, Period),
    srcs: &[Source],
    problems: &mut Problems,
) {
    if let Some(earlier) = versions.add(&id.node, ((index, id.span), period)) {
        let problem = version_clash(id, period, index, earlier, srcs);
        problems.push(index, id.span.start, problem);
    }
}

/// A rule's period: the file's, narrowed by the rule's own `effective` clause.
fn in_force(
    rule: &Spanned<Rule>,
    file_period: Option<Period>,
    src: &Source,
    problems: &mut Problems,
    index: usize,
) -> Period {
    let own = rule.node.effective.as_ref();
    let period = narrow(file_period, own.map(|e| e.node.period()));
    if period.is_empty() {
        let span = own.map_or(rule.node.id.span, |e| e.span);
        let within = match (file_period, own) {
            (Some(file), Some(_)) => format!(", and within the file's period ({file})"),
            _ => String::new(),
        };
        problems.push(
            index,
            span.start,
            CheckError::NeverInForce {
                id: rule.node.id.node.clone(),
                within,
                src: src.clone(),
                span: span.into(),
                period: format!("in force {period}"),
            },
        );
    }
    period
}

/// The days a rule is in force: its file's period narrowed by its own, either of which
/// may be absent (every day).
fn narrow(file: Option<Period>, own: Option<Period>) -> Period {
    match (file, own) {
        (Some(file), Some(own)) => file.intersect(own),
        (Some(period), None) | (None, Some(period)) => period,
        (None, None) => Period::ALWAYS,
    }
}

/// The versions of each rule id seen so far, each with what its caller keeps of it (`V`)
/// and its period: a second one clashes unless their periods share no day. Most ids have
/// one version, kept without a list of its own.
struct Versions<'a, V> {
    first: IdMap<'a, (V, Period)>,
    more: IdMap<'a, Vec<(V, Period)>>,
}

impl<V> Default for Versions<'_, V> {
    fn default() -> Self {
        Versions {
            first: IdMap::default(),
            more: IdMap::default(),
        }
    }
}

/// A map keyed by rule ids, with the fast hash of [`CodeMap`].
type IdMap<'a, V> = HashMap<&'a str, V, BuildCodeHasher>;

impl<'a> Versions<'a, (usize, Span)> {
    /// Every id's versions and lapses in order of their first day: a gap between two is
    /// an error on the later one; an id whose coverage ends, with the first day after it.
    fn tile(&self, srcs: &[Source], problems: &mut Problems) -> Vec<(String, Date)> {
        let mut ends = Vec::new();
        for (id, first) in &self.first {
            let mut all: Vec<((usize, Span), Period)> = std::iter::once(*first)
                .chain(self.more.get(id).into_iter().flatten().copied())
                .filter(|(_, period)| !period.is_empty())
                .collect();
            all.sort_by_key(|(_, period)| period.from);
            for pair in all.windows(2) {
                let [(earlier, before), (later, after)] = pair else {
                    continue;
                };
                let (Some(end), Some(start)) = (before.until, after.from) else {
                    continue;
                };
                if end < start {
                    let gap = Period {
                        from: Some(end),
                        until: Some(start),
                    };
                    let problem = version_gap(id, gap, *earlier, *before, *later, srcs);
                    problems.push(later.0, later.1.start, problem);
                }
            }
            let last_end = all.iter().map(|(_, period)| period.until).max_by(|a, b| {
                // An open end (`None`) is the latest.
                match (a, b) {
                    (None, None) => std::cmp::Ordering::Equal,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (Some(a), Some(b)) => a.cmp(b),
                }
            });
            if let Some(Some(end)) = last_end {
                ends.push(((*id).to_owned(), end));
            }
        }
        ends.sort();
        ends
    }
}

/// Days between two versions (or a version and a lapse) of one rule that nothing covers.
fn version_gap(
    id: &str,
    gap: Period,
    (earlier, earlier_span): (usize, Span),
    before: Period,
    (later, later_span): (usize, Span),
    srcs: &[Source],
) -> CheckError {
    let src = srcs
        .get(later)
        .cloned()
        .unwrap_or_else(|| Source::new("", ""));
    let first_src = srcs.get(earlier).unwrap_or(&src).clone();
    let (first_day, next) = (gap.from, gap.until);
    let days = match (first_day, gap.last_day()) {
        (Some(first), Some(last)) if first == last => format!("on {first}"),
        (Some(first), Some(last)) => format!("from {first} through {last}"),
        _ => format!("{gap}"),
    };
    let show = |date: Option<Date>| date.map_or_else(|| "D".to_owned(), |d| d.to_string());
    CheckError::VersionGap {
        id: id.to_owned(),
        days,
        next: show(next),
        last: show(next.and_then(Date::previous_day)),
        first_day: show(first_day),
        src,
        span: later_span.into(),
        earlier: vec![FirstDefinition {
            what: format!("the version of `{id}` before the gap"),
            src: first_src,
            span: earlier_span.into(),
            label: format!("in force {before}"),
        }],
    }
}

impl<'a, V: Copy> Versions<'a, V> {
    /// Record a version of `id`; the first earlier version in force on a day it is too,
    /// with that first shared day (`None`: from the start).
    fn add(&mut self, id: &'a str, version: (V, Period)) -> Option<(V, Period, Option<Date>)> {
        let Some(&first) = self.first.get(id) else {
            self.first.insert(id, version);
            return None;
        };
        let more = self.more.entry(id).or_default();
        let period = version.1;
        let clash = std::iter::once(&first)
            .chain(more.iter())
            .find_map(|&(kept, other)| Some((kept, other, other.first_shared_day(period)?)));
        more.push(version);
        clash
    }
}

/// A version of a rule that clashes with an earlier one, reported on its id.
fn version_clash(
    id: &Spanned<String>,
    period: Period,
    index: usize,
    earlier: ((usize, Span), Period, Option<Date>),
    srcs: &[Source],
) -> CheckError {
    let ((first_file, first_span), first_period, day) = earlier;
    let src = srcs
        .get(index)
        .cloned()
        .unwrap_or_else(|| Source::new("", ""));
    let first_src = srcs.get(first_file).unwrap_or(&src).clone();
    if period.is_always() && first_period.is_always() {
        CheckError::DuplicateRule {
            id: id.node.clone(),
            src,
            span: id.span.into(),
            first: vec![FirstDefinition {
                what: format!("`{}` is first defined here", id.node),
                src: first_src,
                span: first_span.into(),
                label: "first defined here".to_owned(),
            }],
        }
    } else {
        CheckError::OverlappingVersions {
            id: id.node.clone(),
            when: day.map_or_else(|| "from the start".to_owned(), |d| format!("on {d}")),
            advice: version_advice(period, first_period),
            src,
            span: id.span.into(),
            period: format!("in force {period}"),
            first: vec![FirstDefinition {
                what: format!("the other version of `{}`", id.node),
                src: first_src,
                span: first_span.into(),
                label: format!("in force {first_period}"),
            }],
        }
    }
}

/// How to make two versions' periods meet without overlapping.
fn version_advice(a: Period, b: Period) -> String {
    if a.is_always() || b.is_always() {
        return "a rule without `effective` is in force every day; give the older version `effective until D` and the newer `effective from D`, for the day D the change took effect".to_owned();
    }
    let next = [a.from, b.from].into_iter().flatten().max();
    let day = next.map_or_else(|| "D".to_owned(), |d| d.to_string());
    format!(
        "end one version where the next begins: `effective until {day}` on the old one and `effective from {day}` on the new one (`until` is the first day a rule no longer applies)"
    )
}

/// The catalogue of the pages declared, each with the index of its file, in order.
fn build_catalogue<'p>(
    pages: impl Iterator<Item = (usize, &'p Spanned<Page>)>,
    srcs: &[Source],
    problems: &mut Problems,
) -> Catalogue {
    let mut catalogue = Catalogue::default();
    for (index, page) in pages {
        let Some(src) = srcs.get(index) else {
            continue;
        };
        let page_index = catalogue.pages.len();
        let mut codes = Vec::new();
        for line in &page.node.lines {
            let code = line.node.code.node;
            let period = line.node.effective.as_ref().map(|e| e.node.period());
            if let Some(first) = catalogue.lines.get_mut(&code) {
                let first_src = srcs.get(first.source).unwrap_or(src).clone();
                if let (Some(period), false) = (period, first.labels.is_empty()) {
                    let what = if first.page != page_index {
                        Some("its page changes on a date")
                    } else if (first.deduction, first.total, first.kind)
                        != (line.node.deduction, line.node.total, line.node.kind)
                    {
                        Some("its flags change on a date")
                    } else if first
                        .labels
                        .iter()
                        .any(|(other, _)| other.first_shared_day(period).is_some())
                    {
                        Some("two editions of its label cover the same days")
                    } else {
                        None
                    };
                    match what {
                        None => {
                            let label = line.node.label.node.clone();
                            let latest = first
                                .labels
                                .iter()
                                .all(|(other, _)| other.from < period.from);
                            if latest {
                                first.label.clone_from(&label);
                            }
                            first.labels.push((period, label));
                        }
                        Some(what) => problems.push(
                            index,
                            line.span.start,
                            CheckError::DatedLine {
                                code: code.to_string(),
                                what: what.to_owned(),
                                src: src.clone(),
                                span: line.span.into(),
                                first: vec![FirstDefinition {
                                    what: format!("line {code} is first declared here"),
                                    src: first_src,
                                    span: first.span.into(),
                                    label: "first declared here".to_owned(),
                                }],
                            },
                        ),
                    }
                    continue;
                }
                problems.push(
                    index,
                    line.span.start,
                    CheckError::DuplicateLine {
                        code: code.to_string(),
                        src: src.clone(),
                        span: line.span.into(),
                        first: vec![FirstDefinition {
                            what: format!("line {code} is first declared here"),
                            src: first_src,
                            span: first.span.into(),
                            label: "first declared here".to_owned(),
                        }],
                    },
                );
                continue;
            }
            codes.push(code);
            catalogue.lines.insert(
                code,
                LineInfo {
                    label: line.node.label.node.clone(),
                    labels: period
                        .map(|period| vec![(period, line.node.label.node.clone())])
                        .unwrap_or_default(),
                    page: page_index,
                    deduction: line.node.deduction,
                    total: line.node.total,
                    kind: line.node.kind,
                    source: index,
                    span: line.span,
                },
            );
        }
        catalogue.pages.push(PageInfo {
            id: page.node.id.node.clone(),
            title: page.node.title.node.clone(),
            lines: codes,
        });
    }
    catalogue
}

fn check_rule(
    rule: &Spanned<Rule>,
    source: usize,
    src: &Source,
    catalogue: &Catalogue,
    errors: &mut Vec<CheckError>,
) -> Option<CheckedRule> {
    let Spanned { node: rule, span } = rule;
    let mut resolver = Resolver {
        src,
        errors,
        catalogue,
        lines: Vec::new(),
        slots: CodeMap::default(),
    };
    let assertion = resolver.comparison(&rule.assertion.node);
    let assertion_lines = resolver.lines.len();
    let condition = rule.condition.as_ref().map(|c| resolver.condition(c));
    let lines = resolver.lines;
    let before = errors.len();
    check_tolerance(rule, src, errors);
    let mut units = Units {
        src,
        errors,
        catalogue,
    };
    let kind = units.assertion(&rule.assertion.node, rule.tolerance.as_ref());
    if let Some(condition) = &rule.condition {
        units.condition(&condition.node);
    }
    let examples = check_examples(rule, src, catalogue, errors);
    lint::trivial(rule, assertion_lines, src, errors);
    lint::literal_division_by_zero(rule, src, errors);
    let assertion = assertion?;
    let condition = match condition {
        Some(resolved) => Some(resolved?),
        None => None,
    };
    if errors.len() > before {
        return None;
    }
    lint::unread_example_lines(rule, &lines, src, errors);
    let declared = |code: &LineCode| catalogue.line(*code);
    let kinds: Vec<LineKind> = lines
        .iter()
        .map(|code| declared(code).map_or(LineKind::Money, |info| info.kind))
        .collect();
    let reads_prior = assertion.reads_prior() || condition.as_ref().is_some_and(Cond::reads_prior);
    let plain = !reads_prior && kinds.iter().all(|kind| *kind == LineKind::Money);
    let total_reads = rules::total_reads(&assertion, |slot| {
        lines
            .get(slot)
            .and_then(declared)
            .is_some_and(|info| info.total)
    });
    Some(CheckedRule {
        id: rule.id.node.clone(),
        source,
        span: *span,
        description: rule.description.as_ref().map(|d| d.node.clone()),
        citation: rule.citation.as_ref().map(|c| c.node.clone()),
        severity: rule.severity.as_ref().map(|s| s.node).unwrap_or_default(),
        condition,
        condition_span: rule.condition.as_ref().map(|c| c.span),
        assertion,
        assertion_span: rule.assertion.span,
        tolerance: rule.tolerance.as_ref().map(|t| (t.node.into(), t.span)),
        period: Period::ALWAYS,
        lines,
        slots: Vec::new(),
        assertion_lines,
        kinds,
        plain,
        total_reads,
        money: kind != Some(Kind::Ratio),
        reads_prior,
        examples,
        texts: rules::Texts {
            left: Print(&rule.assertion.node.left.node).to_string().into(),
            right: Print(&rule.assertion.node.right.node).to_string().into(),
            condition: rule
                .condition
                .as_ref()
                .map(|c| Print(&c.node).to_string().into()),
        },
        linear: None,
    })
}

/// A rule's examples: lines known to the catalogue, each once.
fn check_examples(
    rule: &Rule,
    src: &Source,
    catalogue: &Catalogue,
    errors: &mut Vec<CheckError>,
) -> Vec<CheckedExample> {
    let mut checked = Vec::with_capacity(rule.examples.len());
    for example in &rule.examples {
        let mut seen: HashMap<LineCode, Span> = HashMap::new();
        let mut lines = Vec::with_capacity(example.node.lines.len());
        for (code, amount) in &example.node.lines {
            if let Some(first) = seen.insert(code.node, code.span) {
                errors.push(CheckError::DuplicateExampleLine {
                    code: code.node.to_string(),
                    src: src.clone(),
                    first: first.into(),
                    span: code.span.into(),
                });
            }
            if !catalogue.is_empty() && catalogue.line(code.node).is_none() {
                errors.push(CheckError::UnknownLine {
                    code: code.node.to_string(),
                    src: src.clone(),
                    span: code.span.into(),
                    help: resolve::unknown_line_help(catalogue, code.node),
                    suggestion: catalogue.suggest(code.node).map(|(known, _)| known),
                });
            }
            lines.push((code.node, amount.node));
        }
        let prior = (!example.node.prior.is_empty()).then(|| {
            example
                .node
                .prior
                .iter()
                .map(|(code, amount)| (code.node, amount.node))
                .collect()
        });
        checked.push(CheckedExample {
            expect: example.node.expect,
            span: example.span,
            lines,
            prior,
        });
    }
    checked
}

fn check_tolerance(rule: &Rule, src: &Source, errors: &mut Vec<CheckError>) {
    let Some(tolerance) = &rule.tolerance else {
        return;
    };
    let op = &rule.assertion.node.op;
    let any_comparison = matches!(tolerance.node, Tolerance::Rounding);
    if !any_comparison && !matches!(op.node, CmpOp::Eq | CmpOp::Ne) {
        errors.push(CheckError::ToleranceOnInequality {
            op: op.node.as_str(),
            src: src.clone(),
            span: tolerance.span.into(),
            op_span: op.span.into(),
        });
    }
}

/// Whether a resolved side is exactly one line, and which.
fn single_line(rule: &CheckedRule, node: &Node) -> Option<LineCode> {
    match node {
        Node::Line {
            slot, prior: false, ..
        } => rule.lines.get(*slot).copied(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossfoot_syntax as syntax;
    use crossfoot_syntax::Print;

    fn check_texts(texts: &[&str]) -> Result<RuleSet, Vec<CheckError>> {
        let files = texts
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let source = Source::new(format!("f{i}.xfoot"), *text);
                let file = syntax::parse(&source).unwrap();
                (source, file)
            })
            .collect();
        compile(files).map(|checked| checked.rules)
    }

    fn errors(texts: &[&str]) -> Vec<String> {
        check_texts(texts)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn numbers_lines_once_assertion_first() {
        let set = check_texts(&["rule t 7190 = 7180 - 7190 when 7060 > 7180"]).unwrap();
        let rule = &set.rules()[0];
        let lines: Vec<_> = rule.lines.iter().map(ToString::to_string).collect();
        assert_eq!(lines, ["7190", "7180", "7060"]);
        assert_eq!(rule.assertion_lines, 2);
        assert_eq!(rule.occurrences().len(), 5);
        assert_eq!(rule.right_text(), "7180 - 7190");
    }

    #[test]
    fn every_declared_line_has_a_slot_after_the_lines_rules_read() {
        let set = check_texts(&[
            "page seg \"Segregation\"\n  7010 \"cash\"\n  7060 \"required\"\n  7180 \"total\"\n  7190 \"excess\"\n\nrule t 7190 = 7180 - 7060\n",
        ])
        .unwrap();
        let codes: Vec<String> = (0..set.width())
            .filter_map(|slot| set.code(slot))
            .map(|code| code.to_string())
            .collect();
        assert_eq!(codes, ["7190", "7180", "7060", "7010"]);
        let cash = "7010".parse().unwrap();
        assert_eq!(set.slot(cash), Some(3));
        assert!(set.readers(3).is_empty());
    }

    #[test]
    fn canonical_texts_are_those_of_the_tree() {
        let text = "rule t ( 7010+(7020) ) = -(7030 - 7040)*2.0 + round( 7050 , 0 ) + max(7060,$1,000)\n  within 1%\n  when not (7070 is   blank or 7080>$0) and 7090 != 7100 # note\n";
        let source = Source::new("t.xfoot", text);
        let file = syntax::parse(&source).unwrap();
        let ast = file.rules().next().unwrap().node.clone();
        let set = check_texts(&[text]).unwrap();
        let rule = &set.rules()[0];
        let print = |e: &crossfoot_syntax::ast::Expr| Print(e).to_string();
        assert_eq!(rule.left_text(), print(&ast.assertion.node.left.node));
        assert_eq!(rule.right_text(), print(&ast.assertion.node.right.node));
        assert_eq!(
            rule.right_text(),
            "-(7030 - 7040) * 2.0 + round(7050, 0) + max(7060, $1,000)"
        );
        assert_eq!(
            rule.condition_text().unwrap(),
            Print(&ast.condition.unwrap().node).to_string()
        );
        assert_eq!(
            rule.condition_text().unwrap(),
            "not (7070 is blank or 7080 > $0) and 7090 != 7100"
        );
    }

    #[test]
    fn finds_duplicates_across_files() {
        assert_eq!(
            errors(&[
                "rule a 7010 = 7020",
                "rule b 7030 = 7040\nrule a 7050 = 7060"
            ]),
            ["rule id `a` is used twice"]
        );
    }

    #[test]
    fn collects_every_problem_in_order() {
        assert_eq!(
            errors(&[
                "rule a 7010 = maximum(1, 2)\nrule b 7010 = abs(1, 2)\nrule c 7010 = round(7, 7010 + 1)\nrule d 7050 >= $0 within $1"
            ]),
            [
                "unknown function `maximum`",
                "`abs` takes one argument, but is given 2",
                "the places of `round` must be a whole number from 0 to 28",
                "a tolerance applies only to `=` and `!=`, not to `>=`",
            ]
        );
    }

    #[test]
    fn suggests_a_close_function() {
        let help = |name: &str| resolve::function_help(name);
        assert!(help("Max").starts_with("did you mean `max`?"));
        assert!(help("rnd").starts_with("did you mean `round`?"));
        assert!(help("frobnicate").starts_with("the functions are"));
    }

    fn warnings(texts: &[&str]) -> Vec<String> {
        let files = texts
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let source = Source::new(format!("f{i}.xfoot"), *text);
                (source.clone(), syntax::parse(&source).unwrap())
            })
            .collect();
        compile(files)
            .unwrap()
            .warnings
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    const CATALOGUE: &str = "page seg \"Segregation\"\n  7060 \"Amount required to be segregated\"\n  7180 \"Total amount in segregation\"\n  7190 \"Excess (deficiency) funds in segregation\"\n  7033 \"Deduct options granted\" deduction\n";

    #[test]
    fn a_catalogue_makes_unknown_codes_errors_with_a_suggestion() {
        let errors =
            check_texts(&[CATALOGUE, "rule t 7191 = 7180 - 7060\nrule s 7033 <= $0"]).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors[0].to_string(),
            "line 7191 is not in the line catalogue"
        );
        let CheckError::UnknownLine { help, .. } = &errors[0] else {
            panic!()
        };
        assert_eq!(
            help,
            "did you mean 7190 Excess (deficiency) funds in segregation?"
        );
        // Without a catalogue, any code goes.
        assert!(check_texts(&["rule t 7191 = 7180 - 7060"]).is_ok());
    }

    #[test]
    fn a_long_bare_integer_is_an_amount_without_its_dollar_sign() {
        assert_eq!(
            errors(&["rule t 9040 >= 250000"]),
            ["`250000` is not a line code: FOCUS line codes have 3 to 5 digits"]
        );
        let CheckError::NotALineCode { amount, .. } =
            &check_texts(&["rule t 9040 >= 0250000 when 1234567 is blank"]).unwrap_err()[0]
        else {
            panic!()
        };
        assert_eq!(amount, "$250,000");
        // Places of `round`, example amounts, short codes with leading zeros, and long codes
        // a page declares are all fine.
        for texts in [
            &["rule t 7010 = round(7020, 2)\n  passes 7020 = 250000, 7010 = 250000"][..],
            &["rule t 0005 = 7010"],
            &[
                "page p \"P\"\n  250000 \"a long code\"\n  7010 \"a\"",
                "rule t 7010 = 250000",
            ],
        ] {
            assert!(check_texts(texts).is_ok(), "{texts:?}");
        }
    }

    #[test]
    fn money_and_ratios_are_different_kinds() {
        for (text, message) in [
            ("rule t 7010 = 8% + 7020", "cannot add money and a ratio"),
            (
                "rule t 7010 = 7020 * 7030",
                "cannot multiply money by money",
            ),
            ("rule t 7010 >= 0.0", "cannot compare money with a ratio"),
            (
                "rule t 8% = 7010 / 7020 within $1",
                "a `$` tolerance cannot apply to a comparison of ratios",
            ),
            (
                "rule t 7010 = max(7020, 1.5)",
                "cannot take the max of money and a ratio",
            ),
            ("rule t 7010 = 8% / 7020", "cannot divide a ratio by money"),
        ] {
            assert_eq!(errors(&[text]), [message], "{text}");
        }
        for text in [
            "rule t 7425 = round(8% * 7415)",
            "rule t 7010 / 7020 >= 5%",
            "rule t 7010 = 7020 / 1.10",
            "rule t 7010 = -7020 * 2.0 - $5",
        ] {
            assert!(check_texts(&[text]).is_ok(), "{text}");
        }
    }

    #[test]
    fn rules_that_cannot_fail_or_hold_are_errors() {
        assert_eq!(
            errors(&["rule t $1 = $1"]),
            ["rule `t` compares constants only"]
        );
        assert_eq!(
            errors(&["rule t 7010 + 7020 = 7010 + 7020"]),
            ["rule `t` has the same formula on both sides"]
        );
        assert_eq!(errors(&["rule t 7010 = 7020 / 0.0"]), ["division by zero"]);
    }

    #[test]
    fn warns_about_conflicting_totals_and_missing_sign_rules() {
        assert_eq!(
            warnings(&[
                "rule a 7180 = 7070 + 7080\nrule b 7180 = 7070 + 7090\nrule c 7180 = 7070 + 7080"
            ]),
            ["line 7180 is asserted equal to two different formulas, in `a` and `b`"]
        );
        assert_eq!(
            warnings(&[CATALOGUE, "rule t 7190 = 7180 - 7060"]),
            ["deduction line 7033 has no sign rule"]
        );
        assert_eq!(
            warnings(&[CATALOGUE, "rule t 7190 = 7180 - 7060\nrule s 7033 <= $0"]),
            Vec::<String>::new()
        );
    }

    #[test]
    fn coefficients_of_linear_rules() {
        let set = check_texts(&[
            "rule t 7010 = 7020 - 2.0 * (7030 + 7020) / 4.0 + round(7040) + sum(7050, 7050)",
        ])
        .unwrap();
        let rule = &set.rules()[0];
        let c = |code: &str| {
            let slot = rule
                .lines
                .iter()
                .position(|l| l.to_string() == code)
                .unwrap();
            rule.assertion.right.coefficient(slot)
        };
        assert_eq!(c("7020"), Some("0.5".parse().unwrap()));
        assert_eq!(c("7030"), Some("-0.5".parse().unwrap()));
        assert_eq!(c("7040"), None);
        assert_eq!(c("7050"), Some("2".parse().unwrap()));
        assert_eq!(c("7010"), Some(crossfoot_syntax::number::Value::ZERO));
    }

    #[test]
    fn reads_round_places() {
        let set = check_texts(&["rule t 7010 = round(7020, 2)"]).unwrap();
        let Node::Call { func, args, .. } = &set.rules()[0].assertion.right else {
            panic!("expected a call");
        };
        assert_eq!(
            *func,
            Func::Round {
                places: Some(2),
                mode: crossfoot_syntax::number::RoundMode::HalfAwayFromZero
            }
        );
        assert_eq!(args.len(), 1);
        assert_eq!(set.rules()[0].lines.len(), 2, "places is not a line");
    }
}
