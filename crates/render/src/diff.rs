//! `crossfoot diff` for people: what a rule-set change does, as text for a terminal and
//! as Markdown for a pull-request comment. (Its JSON is the serialized
//! [`RuleChange`]s, [`LineChange`]s and [`Flip`]s.)

use std::fmt::Write as _;

use crossfoot_core::diff::{DatedChange, Days, FieldChange, Flip, LineChange, RuleChange};

/// The most flips the Markdown lists: a pull-request comment stays short, and the JSON has
/// them all.
pub const MAX_MARKDOWN_FLIPS: usize = 50;

/// A rule change as text: `changed capital.customer_margin from 2027-03-01`, then its
/// fields old → new; `added seg.net_deficit: 7050 = 7045 + 7047`.
pub fn diff_text(changes: &[RuleChange], lines: &[LineChange], flips: Option<&[Flip]>) -> String {
    let mut out = String::new();
    if changes.is_empty() && lines.is_empty() {
        out.push_str("no semantic change\n");
    }
    for change in changes {
        let head = heading(change);
        match change {
            RuleChange::Added {
                formula,
                description,
                ..
            } => {
                let about = description
                    .as_ref()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default();
                let _ = writeln!(out, "added {head}: {formula}{about}");
            }
            RuleChange::Removed { formula, .. } => {
                let _ = writeln!(out, "removed {head}: {formula}");
            }
            RuleChange::Changed { fields, .. } => {
                let _ = writeln!(out, "changed {head}");
                for field in fields {
                    field_lines(&mut out, field);
                }
            }
        }
    }
    if !changes.is_empty() {
        let _ = writeln!(out, "{}", counts(changes));
    }
    for change in lines {
        match change {
            LineChange::Added { line, label } => {
                let _ = writeln!(out, "added line {line}: {label}");
            }
            LineChange::Removed { line, label } => {
                let _ = writeln!(out, "removed line {line}: {label}");
            }
            LineChange::Changed { line, fields } => {
                let _ = writeln!(out, "changed line {line}");
                for field in fields {
                    field_lines(&mut out, field);
                }
            }
        }
    }
    if !lines.is_empty() {
        let _ = writeln!(out, "{}", line_counts(lines));
    }
    if let Some(flips) = flips {
        let _ = writeln!(out, "{}", flip_count(flips.len()));
        for flip in flips {
            let _ = writeln!(
                out,
                "  {}: {} {} → {}",
                report(flip),
                flip.rule,
                flip.old,
                flip.new
            );
            if let Some(detail) = &flip.detail {
                let _ = writeln!(out, "    {detail}");
            }
            if !flip.lines.is_empty() {
                let _ = writeln!(out, "    {}", flip_lines(flip));
            }
        }
    }
    out
}

/// The same for a pull-request comment. A table cell is one line: control characters are
/// shown as `\u{…}` and `|` escaped; outside code spans `&`, `<`, `>` and backticks are
/// escaped too, so nothing in a rule or a report's name can end the cell or the table, or
/// write HTML. (Formulas, in code spans, hold no backtick.)
pub fn diff_markdown(
    changes: &[RuleChange],
    lines: &[LineChange],
    flips: Option<&[Flip]>,
) -> String {
    let mut out = String::from("### crossfoot: what this change does to the rules\n\n");
    if changes.is_empty() && lines.is_empty() {
        out.push_str("No semantic change.\n");
    } else if !changes.is_empty() {
        // The days column only when some change is about some days.
        let dated = changes.iter().any(|c| !c.days().is_every_day());
        out.push_str(if dated {
            "| rule | days | change | before | after |\n|---|---|---|---|---|\n"
        } else {
            "| rule | change | before | after |\n|---|---|---|---|\n"
        });
        for change in changes {
            let rule = code(change.rule());
            let days = if dated {
                format!(" {} |", days_cell(change))
            } else {
                String::new()
            };
            match change {
                RuleChange::Added { formula, .. } => {
                    let _ = writeln!(out, "| `{rule}` |{days} added | | `{}` |", code(formula));
                }
                RuleChange::Removed { formula, .. } => {
                    let _ = writeln!(out, "| `{rule}` |{days} removed | `{}` | |", code(formula));
                }
                RuleChange::Changed { fields, .. } => {
                    for field in fields {
                        let _ = writeln!(
                            out,
                            "| `{rule}` |{days} {} | {} | {} |",
                            field.field,
                            cell(&shown(&field.old)),
                            cell(&shown(&field.new))
                        );
                    }
                }
            }
        }
        let _ = writeln!(out, "\n{}", counts(changes));
    }
    if !lines.is_empty() {
        if !changes.is_empty() {
            out.push('\n');
        }
        out.push_str(
            "#### Line catalogue\n\n| line | change | before | after |\n|---|---|---|---|\n",
        );
        for change in lines {
            match change {
                LineChange::Added { line, label } => {
                    let _ = writeln!(out, "| {line} | added | | {} |", cell(label));
                }
                LineChange::Removed { line, label } => {
                    let _ = writeln!(out, "| {line} | removed | {} | |", cell(label));
                }
                LineChange::Changed { line, fields } => {
                    for field in fields {
                        let _ = writeln!(
                            out,
                            "| {line} | {} | {} | {} |",
                            field.field,
                            cell(&shown(&field.old)),
                            cell(&shown(&field.new))
                        );
                    }
                }
            }
        }
        let _ = writeln!(out, "\n{}", line_counts(lines));
    }
    if let Some(flips) = flips {
        markdown_flips(&mut out, flips);
    }
    out
}

fn markdown_flips(out: &mut String, flips: &[Flip]) {
    let _ = writeln!(
        out,
        "\n#### Verdicts that flip on the reports ({})\n",
        flips.len()
    );
    if flips.is_empty() {
        return;
    }
    out.push_str("| report | as of | rule | before | after | why |\n|---|---|---|---|---|---|\n");
    for flip in flips.iter().take(MAX_MARKDOWN_FLIPS) {
        let as_of = flip.as_of.map(|d| d.to_string()).unwrap_or_default();
        let mut why = flip.detail.clone().unwrap_or_default();
        if !flip.lines.is_empty() {
            if !why.is_empty() {
                why.push_str("; ");
            }
            why.push_str(&flip_lines(flip));
        }
        let _ = writeln!(
            out,
            "| {} | {as_of} | `{}` | {} | {} | {} |",
            cell(&flip.report),
            code(&flip.rule),
            flip.old,
            flip.new,
            cell(&why)
        );
    }
    if flips.len() > MAX_MARKDOWN_FLIPS {
        let _ = writeln!(
            out,
            "\n… and {} more (`--format json` lists every one)",
            flips.len() - MAX_MARKDOWN_FLIPS
        );
    }
}

/// `crossfoot changes` as text: each day of the period on which a rule starts, ends or
/// changes, and what it does.
pub fn changes_text(changes: &[DatedChange], period: Days) -> String {
    let mut out = String::new();
    let mut day = None;
    for dated in changes {
        if day != Some(dated.on) {
            day = Some(dated.on);
            let _ = writeln!(out, "{}", dated.on);
        }
        let rule = dated.change.rule();
        let cite = dated
            .citation
            .as_ref()
            .map(|c| format!(" ({c})"))
            .unwrap_or_default();
        match &dated.change {
            RuleChange::Added { formula, .. } => {
                let _ = writeln!(out, "  starts {rule}{cite}: {formula}");
            }
            RuleChange::Removed { formula, .. } => {
                let _ = writeln!(out, "  ends {rule}{cite}: {formula}");
            }
            RuleChange::Changed { fields, .. } => {
                let _ = writeln!(out, "  changes {rule}{cite}");
                for field in fields {
                    let mut lines = String::new();
                    field_lines(&mut lines, field);
                    for line in lines.lines() {
                        let _ = writeln!(out, "  {line}");
                    }
                }
            }
        }
    }
    let days = count_days(changes);
    let within = if period.is_every_day() {
        String::new()
    } else {
        format!(" {period}")
    };
    let _ = writeln!(
        out,
        "{} change{} on {days} day{}{within}",
        changes.len(),
        if changes.len() == 1 { "" } else { "s" },
        if days == 1 { "" } else { "s" },
    );
    out
}

/// `crossfoot changes` as Markdown: one table per day, for release notes.
pub fn changes_markdown(changes: &[DatedChange], period: Days) -> String {
    let mut out = if period.is_every_day() {
        "### Rule changes\n".to_owned()
    } else {
        format!("### Rule changes {period}\n")
    };
    if changes.is_empty() {
        out.push_str("\nNo rule starts, ends or changes.\n");
        return out;
    }
    let mut day = None;
    for dated in changes {
        if day != Some(dated.on) {
            day = Some(dated.on);
            let _ = write!(
                out,
                "\n#### {}\n\n| rule | change | before | after | citation |\n|---|---|---|---|---|\n",
                dated.on
            );
        }
        let rule = code(dated.change.rule());
        let cite = cell(dated.citation.as_deref().unwrap_or(""));
        match &dated.change {
            RuleChange::Added { formula, .. } => {
                let _ = writeln!(
                    out,
                    "| `{rule}` | starts | | `{}` | {cite} |",
                    code(formula)
                );
            }
            RuleChange::Removed { formula, .. } => {
                let _ = writeln!(out, "| `{rule}` | ends | `{}` | | {cite} |", code(formula));
            }
            RuleChange::Changed { fields, .. } => {
                for field in fields {
                    let _ = writeln!(
                        out,
                        "| `{rule}` | {} | {} | {} | {cite} |",
                        field.field,
                        cell(&shown(&field.old)),
                        cell(&shown(&field.new))
                    );
                }
            }
        }
    }
    out
}

fn count_days(changes: &[DatedChange]) -> usize {
    let mut days: Vec<_> = changes.iter().map(|c| c.on).collect();
    days.dedup();
    days.len()
}

/// `capital.customer_margin from 2027-03-01`, or the id alone for every day.
fn heading(change: &RuleChange) -> String {
    let days = change.days();
    if days.is_every_day() {
        change.rule().to_owned()
    } else {
        format!("{} {days}", change.rule())
    }
}

fn days_cell(change: &RuleChange) -> String {
    let days = change.days();
    if days.is_every_day() {
        String::new()
    } else {
        days.to_string()
    }
}

/// `r.csv row 2 (R7), as of 2027-03-31`: the report's name (with its id) and date.
fn report(flip: &Flip) -> String {
    match flip.as_of {
        Some(date) => format!("{}, as of {date}", flip.report),
        None => flip.report.clone(),
    }
}

/// `7425 8% of line A.i = 100, 7415 A.i Customer risk = 1,000`.
fn flip_lines(flip: &Flip) -> String {
    let lines: Vec<String> = flip
        .lines
        .iter()
        .map(|line| {
            let label = line
                .label
                .as_ref()
                .map(|l| format!(" {l}"))
                .unwrap_or_default();
            let amount = line.amount.as_deref().unwrap_or("blank");
            format!("{}{label} = {amount}", line.line)
        })
        .collect();
    lines.join(", ")
}

fn flip_count(count: usize) -> String {
    format!(
        "{count} verdict{} flip{}",
        if count == 1 { "" } else { "s" },
        if count == 1 { "s" } else { "" }
    )
}

fn code(text: &str) -> String {
    crate::text::terminal(text).replace('|', "\\|")
}

fn cell(text: &str) -> String {
    code(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('`', "\\`")
}

fn shown(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| "(none)".to_owned())
}

fn counts(changes: &[RuleChange]) -> String {
    let count = |f: fn(&RuleChange) -> bool| changes.iter().filter(|c| f(c)).count();
    format!(
        "{} changed, {} added, {} removed",
        count(|c| matches!(c, RuleChange::Changed { .. })),
        count(|c| matches!(c, RuleChange::Added { .. })),
        count(|c| matches!(c, RuleChange::Removed { .. }))
    )
}

/// `catalogue: 2 lines changed, 1 added, 0 removed`.
fn line_counts(lines: &[LineChange]) -> String {
    let count = |f: fn(&LineChange) -> bool| lines.iter().filter(|c| f(c)).count();
    let changed = count(|c| matches!(c, LineChange::Changed { .. }));
    format!(
        "catalogue: {changed} line{} changed, {} added, {} removed",
        if changed == 1 { "" } else { "s" },
        count(|c| matches!(c, LineChange::Added { .. })),
        count(|c| matches!(c, LineChange::Removed { .. }))
    )
}

/// A field's change as two lines, old then new, under a rule or a line.
fn field_lines(out: &mut String, field: &FieldChange) {
    let label = format!("{}:", field.field);
    let _ = writeln!(out, "  {label:<13}{}", shown(&field.old));
    let _ = writeln!(out, "  {:<11}→ {}", "", shown(&field.new));
}
