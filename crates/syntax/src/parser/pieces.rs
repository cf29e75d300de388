//! Parsing a large file in pieces on every core: cut at lines that start a declaration,
//! each piece parsed alone and its spans shifted to the whole file's, the same tree as the
//! whole file parsed at once (a test holds every rule file of the repository to it).

use std::ops::Range;

use super::Builder;
use crate::ast::RuleFile;
use crate::source::Source;

/// Files at least this large are parsed in pieces on every core.
pub(super) const PARALLEL_BYTES: usize = 256 * 1024;

/// About how large a piece is.
const PIECE_BYTES: usize = 64 * 1024;

/// A large file parsed in pieces, in parallel, by the same parser and builder: `None` when
/// a piece has a problem, and the whole file is then parsed at once, so a faulty file gets
/// exactly the diagnostics of one parse.
///
/// A piece starts at a line that begins with `rule ` or `page `. Such a line always starts
/// a declaration, and the declaration before it always ends there: strings and comments
/// end at their line, no clause or expression begins with `rule` or `page` (keywords are
/// not function names), and a file's own `effective` period comes before its first
/// declaration. So the file is exactly its pieces in order, and parsing each is parsing it;
/// the builder places each piece's spans in the file as it builds them.
pub(super) fn in_pieces(source: &Source) -> Option<RuleFile> {
    in_pieces_of(source, PIECE_BYTES)
}

/// [`in_pieces`], with pieces of about `target` bytes.
pub(super) fn in_pieces_of(source: &Source, target: usize) -> Option<RuleFile> {
    use rayon::prelude::*;

    let text = source.text();
    let files: Vec<Option<RuleFile>> = pieces(text, target)
        .into_par_iter()
        .map(|range| {
            let piece = text.get(range.clone())?;
            Builder::new(source, piece, range.start).run().ok()
        })
        .collect();
    let mut whole = RuleFile {
        effective: None,
        items: Vec::with_capacity(files.iter().flatten().map(|f| f.items.len()).sum()),
    };
    for file in files {
        let file = file?;
        whole.effective = whole.effective.or(file.effective);
        whole.items.extend(file.items);
    }
    Some(whole)
}

/// `text` cut into pieces of about `target` bytes, each starting at a line that begins
/// with `rule ` or `page ` (see [`in_pieces`]).
fn pieces(text: &str, target: usize) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut pieces = Vec::with_capacity(text.len() / target.max(1) + 1);
    let mut start = 0;
    let mut from = target;
    while let Some(rest) = bytes.get(from..) {
        let cut = memchr::memchr_iter(b'\n', rest)
            .map(|at| from + at + 1)
            .find(|&at| {
                let line = bytes.get(at..).unwrap_or_default();
                line.starts_with(b"rule ") || line.starts_with(b"page ")
            });
        let Some(cut) = cut else {
            break;
        };
        pieces.push(start..cut);
        start = cut;
        from = cut + target.max(1);
    }
    pieces.push(start..text.len());
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::{Builder, parse};

    #[test]
    fn a_large_file_parsed_in_pieces_is_the_file_parsed_whole_spans_included() {
        let mut text = String::from(
            "# a header comment\neffective from 2020-01-01\npage p \"P\"\n  7010 \"a\"\n",
        );
        for i in 0..2_500 {
            text.push_str(&format!(
                "\nrule r{i} \"a rule\" # note\n  cite \"x\"\n  {} = 7010 + ({} - 7020) * 2.0 # note\n  when 7010 > $0\n  passes 7010 = 1, 7020 = 2\npage q{i} \"Q\"\n  {} \"b\" deduction\n",
                100_000 + i,
                200_000 + i,
                300_000 + i,
            ));
        }
        assert!(text.len() >= PARALLEL_BYTES);
        let source = Source::new("big.xfoot", text.as_str());
        assert!(pieces(&text, PIECE_BYTES).len() > 4);
        let in_pieces = in_pieces(&source).expect("parsed in pieces");
        let whole = Builder::new(&source, source.text(), 0).run().unwrap();
        // `Debug` shows every span; `==` would ignore them.
        let (got, expected) = (format!("{in_pieces:?}"), format!("{whole:?}"));
        let first = got
            .bytes()
            .zip(expected.bytes())
            .position(|(a, b)| a != b)
            .unwrap_or(got.len().min(expected.len()));
        assert!(
            got == expected,
            "pieces {} vs whole {}",
            &got[first.saturating_sub(300)..(first + 100).min(got.len())],
            &expected[first.saturating_sub(300)..(first + 100).min(expected.len())]
        );
        // A problem in any piece: the whole file is parsed at once, for its diagnostics.
        let broken = Source::new("big.xfoot", format!("{text}\nrule bad 7010 = = 1\n"));
        assert!(super::in_pieces(&broken).is_none());
        let errors = parse(&broken).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors[0].to_string(),
            "expected a line code, amount or formula, found `=`"
        );
    }

    /// Every rule file of the repository, cut into pieces of every small size, parses to
    /// the tree of the whole file, spans included.
    #[test]
    fn every_rule_file_in_pieces_is_the_file() {
        fn xfoot_under(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    xfoot_under(&path, out);
                } else if path.extension().is_some_and(|e| e == "xfoot") {
                    out.push(path);
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut files = Vec::new();
        for dir in ["rules", "tests/fixtures", "tests/hostile"] {
            xfoot_under(&root.join(dir), &mut files);
        }
        assert!(files.len() > 20);
        for path in files {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let source = Source::new(path.display().to_string(), text);
            let Ok(whole) = Builder::new(&source, source.text(), 0).run() else {
                continue;
            };
            for target in [1, 40, 300, 4096] {
                let got = in_pieces_of(&source, target)
                    .unwrap_or_else(|| panic!("{} in pieces of {target}", path.display()));
                assert_eq!(
                    format!("{got:?}"),
                    format!("{whole:?}"),
                    "{} in pieces of {target}",
                    path.display()
                );
            }
        }
    }
}
