//! Rules that share no line: independent parts of one question.
//!
//! Two rules are connected when they read the same line of the same report (the line's
//! amount, blank flag and printed decimals are the only variables a rule's terms have of
//! their own). Rules in different parts share only the report's globals (its unit, the
//! previous report's unit, whether there is a previous report), so a question about the
//! rules of one part is answered, for fixed globals, by that part alone.

use std::collections::BTreeMap;

use crate::encode::Read;

/// The rules in `rules`, split into parts that read no line in common: each part in
/// increasing order, the parts in the order of their first rule. `reads` gives the
/// lines a rule reads.
pub fn parts<'r>(rules: &[usize], reads: impl Fn(usize) -> &'r [Read]) -> Vec<Vec<usize>> {
    // Union-find over the positions in `rules`.
    let mut parent: Vec<usize> = (0..rules.len()).collect();
    let mut owner: BTreeMap<Read, usize> = BTreeMap::new();
    for (at, &rule) in rules.iter().enumerate() {
        for read in reads(rule) {
            match owner.get(read) {
                Some(&other) => union(&mut parent, at, other),
                None => {
                    owner.insert(*read, at);
                }
            }
        }
    }
    let mut by_root: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (at, &rule) in rules.iter().enumerate() {
        by_root.entry(find(&mut parent, at)).or_default().push(rule);
    }
    let mut parts: Vec<Vec<usize>> = by_root.into_values().collect();
    for part in &mut parts {
        part.sort_unstable();
    }
    parts.sort_by_key(|part| part.first().copied());
    parts
}

fn find(parent: &mut [usize], at: usize) -> usize {
    let mut root = at;
    while let Some(&up) = parent.get(root) {
        if up == root {
            break;
        }
        root = up;
    }
    // Path compression.
    let mut node = at;
    while let Some(slot) = parent.get_mut(node) {
        if *slot == root {
            break;
        }
        node = std::mem::replace(slot, root);
    }
    root
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        let (low, high) = (ra.min(rb), ra.max(rb));
        if let Some(slot) = parent.get_mut(high) {
            *slot = low;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(code: &str, prior: bool) -> Read {
        Read {
            code: code.parse().unwrap(),
            prior,
        }
    }

    #[test]
    fn rules_sharing_a_line_are_one_part() {
        let reads = [
            vec![read("7010", false), read("7020", false)],
            vec![read("7030", false)],
            vec![read("7020", false), read("7040", false)],
            vec![read("7010", true)],
            vec![],
            vec![read("7040", false), read("7030", false)],
        ];
        let all: Vec<usize> = (0..reads.len()).collect();
        let split = parts(&all, |i| reads[i].as_slice());
        assert_eq!(split, vec![vec![0, 1, 2, 5], vec![3], vec![4]]);
        // Without the rule that joins them, the rest fall apart.
        let split = parts(&[0, 1, 2, 3], |i| reads[i].as_slice());
        assert_eq!(split, vec![vec![0, 2], vec![1], vec![3]]);
    }
}
