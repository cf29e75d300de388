//! `crossfoot coverage` for people.

use crossfoot_core::engine::plural;
use std::fmt::Write as _;

use crossfoot_core::coverage::Coverage;

/// Per page: its size, the lines no rule reads, the lines several rules target.
pub fn coverage_text(coverage: &Coverage) -> String {
    let mut out = String::new();
    if coverage.pages.is_empty() {
        out.push_str("no line catalogue: declare the form's pages (`page ID \"title\"` and its lines) to measure coverage\n");
        return out;
    }
    let mut lines = 0;
    let mut unreferenced = 0;
    for page in &coverage.pages {
        lines += page.lines;
        unreferenced += page.unreferenced.len();
        let plural = if page.lines == 1 { "" } else { "s" };
        let _ = writeln!(
            out,
            "{} ({} line{plural}): {}",
            page.page, page.lines, page.title
        );
        if page.unreferenced.is_empty() {
            let _ = writeln!(out, "  every line is read by a rule");
        } else {
            let _ = writeln!(out, "  read by no rule: {}", page.unreferenced.join(", "));
        }
        for target in &page.multiple_targets {
            let _ = writeln!(
                out,
                "  {} is the target of {} rules: {}",
                target.line,
                target.rules.len(),
                target.names().join(", ")
            );
        }
    }
    let _ = writeln!(
        out,
        "{lines} line{} on {} page{}: {} read by rules, {unreferenced} read by none",
        plural(lines),
        coverage.pages.len(),
        plural(coverage.pages.len()),
        lines - unreferenced
    );
    super::text::terminal_lines(&out).into_owned()
}
