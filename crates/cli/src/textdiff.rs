//! Unified diffs for `fmt --check` and `doc --check`, in time linear in the texts.
//!
//! A minimal line diff of two large texts that differ everywhere takes time quadratic in
//! their length (100,000 rules written off the canonical layout took 28 s). Here the texts
//! are first cut where their lines are known to correspond: at the start of each
//! declaration of a rule file (the formatter keeps them in order), or at lines that occur
//! exactly once in each text, in the same order. Each piece is diffed on its own; a piece
//! too large for that is shown replaced whole. Every line shown has its control characters
//! escaped, as all terminal output does.

use std::fmt::Write as _;

use similar::{Algorithm, DiffOp, capture_diff_slices, group_diff_ops};

use crossfoot_render::text::terminal;

/// Lines (of both sides together) a piece may have to be diffed line by line; a larger
/// one is shown replaced whole, so no piece costs more than this squared.
const MAX_PIECE_LINES: usize = 4_000;

/// The unified diff (three lines of context) from `old` to `new`, headed `--- old_name`
/// and `+++ new_name`; empty when they are equal. `anchors` are (old line, new line)
/// pairs, counted from 0, known to be the same place in both texts, in increasing order
/// of both; lines that occur once in each text are added to them.
pub(super) fn unified(
    old_name: &str,
    new_name: &str,
    old: &str,
    new: &str,
    anchors: &[(usize, usize)],
) -> String {
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    let mut last = (0, 0);
    for &(o, n) in anchors {
        let within = o <= old_lines.len() && n <= new_lines.len();
        if within && o >= last.0 && n >= last.1 {
            // Between two given anchors, the lines found once in each text.
            cuts.extend(unique_anchors(&old_lines, &new_lines, last, (o, n)));
            cuts.push((o, n));
            last = (o, n);
        }
    }
    let end = (old_lines.len(), new_lines.len());
    cuts.extend(unique_anchors(&old_lines, &new_lines, last, end));
    cuts.push(end);
    let mut ops = Vec::new();
    let mut from = (0, 0);
    for (o, n) in cuts {
        if o < from.0 || n < from.1 {
            continue;
        }
        piece(&old_lines, &new_lines, from, (o, n), &mut ops);
        from = (o, n);
    }
    let ops = merged(ops);
    let mut out = String::new();
    for hunk in group_diff_ops(ops, 3) {
        if hunk.iter().all(|op| matches!(op, DiffOp::Equal { .. })) {
            continue;
        }
        if out.is_empty() {
            let _ = writeln!(out, "--- {}", terminal(old_name));
            let _ = writeln!(out, "+++ {}", terminal(new_name));
        }
        write_hunk(&mut out, &hunk, &old_lines, &new_lines);
    }
    out
}

/// The diff of one piece, `from` to `to` (exclusive) on each side, appended to `ops`.
fn piece(
    old: &[&str],
    new: &[&str],
    from: (usize, usize),
    to: (usize, usize),
    ops: &mut Vec<DiffOp>,
) {
    let (Some(before), Some(after)) = (old.get(from.0..to.0), new.get(from.1..to.1)) else {
        return;
    };
    if before == after {
        if !before.is_empty() {
            ops.push(DiffOp::Equal {
                old_index: from.0,
                new_index: from.1,
                len: before.len(),
            });
        }
        return;
    }
    if before.len() + after.len() > MAX_PIECE_LINES {
        ops.push(match (before.len(), after.len()) {
            (0, new_len) => DiffOp::Insert {
                old_index: from.0,
                new_index: from.1,
                new_len,
            },
            (old_len, 0) => DiffOp::Delete {
                old_index: from.0,
                old_len,
                new_index: from.1,
            },
            (old_len, new_len) => DiffOp::Replace {
                old_index: from.0,
                old_len,
                new_index: from.1,
                new_len,
            },
        });
        return;
    }
    for op in capture_diff_slices(Algorithm::Myers, before, after) {
        ops.push(shifted(op, from));
    }
}

/// Runs of equal lines that follow one another as one, so the hunks' context is counted
/// as a diff of the whole texts counts it.
fn merged(ops: Vec<DiffOp>) -> Vec<DiffOp> {
    let mut out: Vec<DiffOp> = Vec::with_capacity(ops.len());
    for op in ops {
        if let (Some(DiffOp::Equal { len, .. }), DiffOp::Equal { len: more, .. }) =
            (out.last_mut(), op)
        {
            *len += more;
            continue;
        }
        out.push(op);
    }
    out
}

/// An operation of a piece, placed in the whole texts.
fn shifted(op: DiffOp, (o, n): (usize, usize)) -> DiffOp {
    match op {
        DiffOp::Equal {
            old_index,
            new_index,
            len,
        } => DiffOp::Equal {
            old_index: old_index + o,
            new_index: new_index + n,
            len,
        },
        DiffOp::Delete {
            old_index,
            old_len,
            new_index,
        } => DiffOp::Delete {
            old_index: old_index + o,
            old_len,
            new_index: new_index + n,
        },
        DiffOp::Insert {
            old_index,
            new_index,
            new_len,
        } => DiffOp::Insert {
            old_index: old_index + o,
            new_index: new_index + n,
            new_len,
        },
        DiffOp::Replace {
            old_index,
            old_len,
            new_index,
            new_len,
        } => DiffOp::Replace {
            old_index: old_index + o,
            old_len,
            new_index: new_index + n,
            new_len,
        },
    }
}

/// Lines between `from` and `to` that occur exactly once on each side there, as (old,
/// new) pairs increasing on both sides (the longest such chain, as patience diff finds
/// it): O(n log n) in the lines.
fn unique_anchors(
    old: &[&str],
    new: &[&str],
    from: (usize, usize),
    to: (usize, usize),
) -> Vec<(usize, usize)> {
    use std::collections::HashMap;
    let (Some(before), Some(after)) = (old.get(from.0..to.0), new.get(from.1..to.1)) else {
        return Vec::new();
    };
    // For each line: how often on each side, and where it was last seen.
    let mut seen: HashMap<&str, (usize, usize, usize, usize)> = HashMap::new();
    for (at, line) in before.iter().enumerate() {
        let entry = seen.entry(line).or_insert((0, 0, 0, 0));
        entry.0 += 1;
        entry.2 = at;
    }
    for (at, line) in after.iter().enumerate() {
        let entry = seen.entry(line).or_insert((0, 0, 0, 0));
        entry.1 += 1;
        entry.3 = at;
    }
    let mut pairs: Vec<(usize, usize)> = seen
        .into_values()
        .filter(|&(in_old, in_new, _, _)| in_old == 1 && in_new == 1)
        .map(|(_, _, o, n)| (o, n))
        .collect();
    pairs.sort_unstable();
    // The longest chain increasing in the new line too (patience sorting).
    let mut tails: Vec<usize> = Vec::new();
    let mut previous: Vec<Option<usize>> = Vec::with_capacity(pairs.len());
    for (index, &(_, n)) in pairs.iter().enumerate() {
        let place = tails.partition_point(|&tail| pairs.get(tail).is_some_and(|p| p.1 < n));
        previous.push(place.checked_sub(1).and_then(|p| tails.get(p).copied()));
        match tails.get_mut(place) {
            Some(tail) => *tail = index,
            None => tails.push(index),
        }
    }
    let mut chain = Vec::new();
    let mut at = tails.last().copied();
    while let Some(index) = at {
        if let Some(&(o, n)) = pairs.get(index) {
            chain.push((o + from.0, n + from.1));
        }
        at = previous.get(index).copied().flatten();
    }
    chain.reverse();
    // Each anchor line cuts before itself and after itself, so it is a piece alone.
    chain
        .into_iter()
        .flat_map(|(o, n)| [(o, n), (o + 1, n + 1)])
        .collect()
}

/// One hunk: its header, then each line with ` `, `-` or `+`.
fn write_hunk(out: &mut String, hunk: &[DiffOp], old: &[&str], new: &[&str]) {
    let (Some(first), Some(last)) = (hunk.first(), hunk.last()) else {
        return;
    };
    let range = |start: usize, end: usize| {
        let len = end.saturating_sub(start);
        match len {
            1 => format!("{}", start + 1),
            0 => format!("{start},0"),
            _ => format!("{},{len}", start + 1),
        }
    };
    let _ = writeln!(
        out,
        "@@ -{} +{} @@",
        range(first.old_range().start, last.old_range().end),
        range(first.new_range().start, last.new_range().end)
    );
    let mut line = |tag: char, text: &str| {
        let (body, newline) = match text.strip_suffix('\n') {
            Some(body) => (body, true),
            None => (text, false),
        };
        let _ = writeln!(out, "{tag}{}", terminal(body));
        if !newline {
            out.push_str("\\ No newline at end of file\n");
        }
    };
    for op in hunk {
        let (removed, added) = match *op {
            DiffOp::Equal { old_index, len, .. } => {
                let same = old.get(old_index..old_index + len).unwrap_or_default();
                for text in same {
                    line(' ', text);
                }
                continue;
            }
            _ => (op.old_range(), op.new_range()),
        };
        for text in old.get(removed).unwrap_or_default() {
            line('-', text);
        }
        for text in new.get(added).unwrap_or_default() {
            line('+', text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn similar_diff(old: &str, new: &str) -> String {
        similar::TextDiff::from_lines(old, new)
            .unified_diff()
            .context_radius(3)
            .header("a", "b")
            .to_string()
    }

    #[test]
    fn small_diffs_read_as_a_minimal_diff_does() {
        let cases = [
            ("a\nb\nc\n", "a\nB\nc\n"),
            ("a\nb\nc\n", "a\nb\nc\n"),
            ("", "a\n"),
            ("a\n", ""),
            ("a\nb", "a\nb\n"),
            (
                "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n",
                "1\n2\nx\n4\n5\n6\n7\n8\n9\ny\n11\n",
            ),
            ("x\ny\nx\ny\n", "y\nx\ny\nx\n"),
        ];
        for (old, new) in cases {
            assert_eq!(
                unified("a", "b", old, new, &[]),
                similar_diff(old, new),
                "{old:?} → {new:?}"
            );
        }
    }

    #[test]
    fn a_large_text_that_differs_everywhere_is_diffed_in_pieces() {
        let old: String = (0..50_000)
            .map(|i| format!("rule r{i}   \"R\"\n"))
            .collect();
        let new: String = (0..50_000)
            .map(|i| format!("rule r{i} \"R\"\n\n"))
            .collect();
        // No line is the same: one piece, too large to diff line by line, shown replaced.
        let diff = unified("a", "b", &old, &new, &[]);
        assert!(
            diff.starts_with("--- a\n+++ b\n@@ -1,50000 +1,100000 @@\n-rule r0   \"R\"\n-rule r1 ")
        );
        // With an anchor at each declaration, each is a small piece of its own.
        let anchors: Vec<(usize, usize)> = (0..50_000).map(|i| (i, 2 * i)).collect();
        let diff = unified("a", "b", &old, &new, &anchors);
        assert!(diff.starts_with(
            "--- a\n+++ b\n@@ -1,50000 +1,100000 @@\n-rule r0   \"R\"\n+rule r0 \"R\"\n+\n-rule r1 "
        ));
    }

    #[test]
    fn control_characters_are_escaped() {
        let diff = unified("a\u{1b}", "b", "x\u{1b}[31m\n", "y\n", &[]);
        assert_eq!(
            diff,
            "--- a\\u{1b}\n+++ b\n@@ -1 +1 @@\n-x\\u{1b}[31m\n+y\n"
        );
    }
}
