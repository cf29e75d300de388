//! The fast path for rule sets without problems: parse and check piece by piece.
//!
//! [`check`](super::check) takes the syntax trees of whole files and words every problem
//! of the set. For a set without problems, the same result comes sooner and in far less
//! memory when each file is cut into pieces (at lines that start a declaration) and each
//! piece is parsed and its rules checked on one thread, its tree dropped before the next:
//! the trees of a large set never exist all at once.
//!
//! This path words nothing. What needs the whole set (the catalogue, the periods and the
//! versions of each rule id) is checked afterwards, over the checked rules, and any problem
//! at all makes it decline: the caller then parses and checks the usual way, so what a
//! user reads about a faulty set is exactly what [`check`](super::check) says.

use std::ops::Range;
use std::sync::Arc;

use miette::NamedSource;

use super::{
    Catalogue, Checked, CheckedRule, Problems, RuleSet, Versions, build_catalogue, check_rule,
    narrow, whole_set,
};
use crate::date::Period;
use crate::source::{Source, Spanned};
use crate::syntax::ast::{Item, Page};
use crate::syntax::{parse_piece, pieces};

/// About how many bytes of a file one piece holds: large enough that a piece is worth a
/// thread, small enough that the trees of the pieces in flight stay small.
const PIECE_BYTES: usize = 64 * 1024;

/// Parse and check rule files as one rule set, piece by piece. When any file has a
/// problem (a syntax error, an error or anything else [`check`](super::check) would
/// report as an error), the sources come back untouched, for the usual path to report.
pub fn check_in_pieces(sources: Vec<Source>) -> Result<Checked, Vec<Source>> {
    check_in(sources, PIECE_BYTES)
}

/// [`check_in_pieces`] with pieces of about `piece_bytes`.
fn check_in(sources: Vec<Source>, piece_bytes: usize) -> Result<Checked, Vec<Source>> {
    let srcs: Vec<NamedSource<Arc<str>>> = sources.iter().map(Source::named).collect();
    let Some((rules, catalogue)) = checked_rules(&sources, &srcs, piece_bytes) else {
        return Err(sources);
    };
    let set = RuleSet {
        sources,
        rules,
        catalogue,
    };
    let warnings = whole_set(&set, &srcs, Problems(Vec::new()));
    if warnings.iter().any(|p| !p.is_warning()) {
        return Err(set.sources);
    }
    Ok(Checked {
        rules: set,
        warnings,
    })
}

/// What one piece of a file came to.
struct Piece {
    /// Index of its file.
    file: usize,
    /// The file's own `effective` period, when this piece declares it.
    effective: Option<Period>,
    /// Its pages.
    pages: Vec<Spanned<Page>>,
    /// Its rules, each with its own period only (the file's is not known yet).
    rules: Vec<CheckedRule>,
}

/// Every rule of the set checked, with the catalogue; `None` on any problem.
fn checked_rules(
    sources: &[Source],
    srcs: &[NamedSource<Arc<str>>],
    piece_bytes: usize,
) -> Option<(Vec<CheckedRule>, Catalogue)> {
    let mut jobs: Vec<(usize, Range<usize>)> = Vec::new();
    for (file, source) in sources.iter().enumerate() {
        jobs.extend(
            pieces(source.text(), piece_bytes)?
                .into_iter()
                .map(|piece| (file, piece)),
        );
    }
    let empty = Catalogue::default();
    let pieces: Vec<Piece> = crate::parallel::map_coarse(jobs, |(file, range)| {
        check_piece(
            file,
            sources.get(file)?.text(),
            range,
            srcs.get(file)?,
            &empty,
        )
    })
    .into_iter()
    .collect::<Option<_>>()?;
    let mut file_periods = vec![None; sources.len()];
    for piece in &pieces {
        if let (Some(period), Some(slot)) = (piece.effective, file_periods.get_mut(piece.file)) {
            *slot = Some(period);
        }
    }
    let mut problems = Problems(Vec::new());
    let declared = pieces
        .iter()
        .flat_map(|piece| piece.pages.iter().map(|page| (piece.file, page)));
    let catalogue = build_catalogue(declared, srcs, &mut problems);
    if !problems.0.is_empty() {
        return None;
    }
    let mut rules = Vec::with_capacity(pieces.iter().map(|piece| piece.rules.len()).sum());
    for piece in pieces {
        let file_period = file_periods.get(piece.file).copied().flatten();
        for mut rule in piece.rules {
            let own = rule.effective_span.map(|_| rule.period);
            rule.period = narrow(file_period, own);
            if rule.period.is_empty() || !declared_lines(&catalogue, &rule) {
                return None;
            }
            rules.push(rule);
        }
    }
    if versions_overlap(&rules) {
        return None;
    }
    Some((rules, catalogue))
}

/// Parse one piece and check its rules against no catalogue, dropping each rule's tree
/// as soon as it is checked; `None` on any problem.
fn check_piece(
    file: usize,
    text: &str,
    range: Range<usize>,
    src: &NamedSource<Arc<str>>,
    empty: &Catalogue,
) -> Option<Piece> {
    let parsed = parse_piece(text, range)?;
    let mut piece = Piece {
        file,
        effective: parsed.effective.map(|e| e.node.period()),
        pages: Vec::new(),
        rules: Vec::with_capacity(parsed.items.len()),
    };
    let mut errors = Vec::new();
    for item in parsed.items {
        match item {
            Item::Page(page) => piece.pages.push(page),
            Item::Rule(rule) => {
                let own = rule.node.effective.as_ref().map(|e| e.node.period());
                let mut checked = check_rule(&rule, file, src, empty, &mut errors)?;
                if !errors.is_empty() {
                    return None;
                }
                checked.period = own.unwrap_or(Period::ALWAYS);
                piece.rules.push(checked);
            }
        }
    }
    Some(piece)
}

/// Whether every line a rule reads, and every line of its examples, is in the catalogue
/// (always, when it is empty).
fn declared_lines(catalogue: &Catalogue, rule: &CheckedRule) -> bool {
    let known = |code| catalogue.line(code).is_some();
    catalogue.is_empty()
        || (rule.lines.iter().copied().all(known)
            && rule
                .examples
                .iter()
                .flat_map(|example| example.lines.iter().map(|(code, _)| *code))
                .all(known))
}

/// Whether two rules of one id are in force on a common day.
fn versions_overlap(rules: &[CheckedRule]) -> bool {
    let mut versions = Versions::default();
    rules
        .iter()
        .any(|rule| versions.add(&rule.id, ((), rule.period)).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::CheckError;
    use crate::syntax;

    /// What the usual path makes of the sources: the rules and warnings, or the problems.
    fn whole(sources: &[Source]) -> Result<(String, Vec<String>), Vec<String>> {
        let mut files = Vec::new();
        for source in sources {
            match syntax::parse(source) {
                Ok(file) => files.push((source.clone(), file)),
                Err(errors) => return Err(errors.iter().map(ToString::to_string).collect()),
            }
        }
        match super::super::check(files) {
            Ok(checked) => Ok(shown(&checked)),
            Err(errors) => Err(errors.iter().map(CheckError::to_string).collect()),
        }
    }

    fn shown(checked: &Checked) -> (String, Vec<String>) {
        let warnings = checked.warnings.iter().map(ToString::to_string).collect();
        (format!("{:#?}", checked.rules), warnings)
    }

    /// The piece path, at several piece sizes, gives exactly what the usual path gives when
    /// there is no problem (and takes every set without one), and declines otherwise.
    fn agrees(sources: &[Source]) {
        let expected = whole(sources);
        for size in [1, 40, 300, PIECE_BYTES] {
            let got = check_in(sources.to_vec(), size);
            match (&expected, got) {
                (Ok(expected), Ok(got)) => assert_eq!(expected, &shown(&got), "size {size}"),
                (Err(_), Err(back)) => assert_eq!(back, sources, "the sources come back"),
                (Ok(_), Err(_)) => panic!("declined a good set at size {size}: {sources:?}"),
                (Err(errors), Ok(_)) => panic!("took a set with problems {errors:?}"),
            }
        }
    }

    fn read(path: &std::path::Path) -> Option<Source> {
        let text = std::fs::read_to_string(path).ok()?;
        Some(Source::new(path.display().to_string(), text))
    }

    fn xfoot_files(dir: &str) -> Vec<std::path::PathBuf> {
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "xfoot"))
            .collect();
        paths.sort();
        paths
    }

    #[test]
    fn the_shipped_pack_as_one_set() {
        let sources: Vec<Source> = xfoot_files("rules/focus/cftc")
            .iter()
            .filter_map(|path| read(path))
            .collect();
        assert_eq!(sources.len(), 6);
        agrees(&sources);
        assert!(check_in(sources, 1).is_ok());
    }

    #[test]
    fn every_fixture_alone() {
        for dir in [
            "tests/fixtures/diagnostics",
            "tests/hostile",
            "tests/fixtures/fmt",
        ] {
            for path in xfoot_files(dir) {
                if let Some(source) = read(&path) {
                    agrees(&[source]);
                }
            }
        }
    }

    fn texts(texts: &[&str]) -> Vec<Source> {
        texts
            .iter()
            .enumerate()
            .map(|(i, text)| Source::new(format!("f{i}.xfoot"), *text))
            .collect()
    }

    #[test]
    fn what_needs_the_whole_set_is_checked_across_pieces() {
        let page = "page seg \"Segregation\"\n  7010 \"Cash\"\n  7020 \"Securities\"\n  7033 \"Options\" deduction\n";
        let good = [
            // The file's period, declared in the first piece, narrows rules in later ones.
            "effective from 2024-01-01\nrule a 7010 = 7020\nrule b 7010 >= $0 effective until 2030-01-01\n",
            // Versions of one id that do not overlap, in different pieces and files.
            "rule v 7010 = 7020 effective until 2025-01-01\n",
            "rule v 7010 = 7020 + 7033 effective from 2025-01-01\nrule s 7033 <= $0 passes 7033 = -1\n",
            // A catalogue declared after the rules that use it.
            page,
        ];
        assert!(whole(&texts(&good)).is_ok(), "{:?}", whole(&texts(&good)));
        agrees(&texts(&good));
        let checked = check_in(texts(&good), 1).unwrap();
        let periods: Vec<String> = checked
            .rules
            .rules()
            .iter()
            .map(|rule| rule.period.to_string())
            .collect();
        assert_eq!(
            periods,
            [
                "from 2024-01-01",
                "from 2024-01-01 until 2030-01-01",
                "until 2025-01-01",
                "from 2025-01-01",
                "every day"
            ]
        );
        for bad in [
            // A duplicate id, pieces apart.
            [
                "rule a 7010 = 7020\nrule b 7010 > $0\nrule a 7010 = 7020\n",
                page,
            ],
            // Overlapping versions.
            [
                "rule v 7010 = 7020 effective from 2024-01-01\nrule v 7010 = 7020 effective until 2025-01-01\n",
                page,
            ],
            // Never in force within the file's period.
            [
                "effective until 2024-01-01\nrule a 7010 = 7020\nrule b 7010 = 7020 effective from 2025-01-01\n",
                page,
            ],
            // A line, or an example's line, not in the catalogue declared later.
            ["rule a 7010 = 7020 + 7030\n", page],
            ["rule a 7010 >= $0 passes 7040 = 1\n", page],
            // A line declared twice.
            ["rule a 7010 = 7020\n", "page x \"X\"\n  7010 \"Again\"\n"],
        ] {
            let sources = texts(&[bad[0], page, bad[1]]);
            agrees(&sources);
            assert!(check_in(sources, 1).is_err(), "{bad:?}");
        }
    }
}
