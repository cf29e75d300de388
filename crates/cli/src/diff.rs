//! `crossfoot diff OLD NEW [--reports PATH...]`: what a rule-set change means.

use std::fmt::Write as _;
use std::io::{self, IsTerminal, Write};

use serde::Serialize;

use super::{DiffArgs, DiffFormat, ExitStatus, not_one, use_color, write_problems};
use crossfoot_core::compile::RuleSet;
use crossfoot_core::diff::{Flip, LineChange, RuleChange, diff, diff_lines, flips};
use crossfoot_core::engine::{Engine, ReportResult};
use crossfoot_core::error::Error;
use crossfoot_core::load::load_rules;
use crossfoot_core::report::{InputFormat, Inputs, names, read_reports};
use crossfoot_render::Human;

#[derive(Serialize)]
struct Output<'a> {
    changes: &'a [RuleChange],
    /// The catalogue's changes, when there are some.
    #[serde(skip_serializing_if = "<[LineChange]>::is_empty")]
    lines: &'a [LineChange],
    #[serde(skip_serializing_if = "Option::is_none")]
    flips: Option<&'a [Flip]>,
}

/// `crossfoot diff`: exit 0 when nothing changed in meaning, 1 when something did.
pub fn run(args: &DiffArgs) -> io::Result<ExitStatus> {
    let mut out = io::stdout().lock();
    let mut err = io::stderr().lock();
    let problems = Human::new(use_color(args.color, io::stderr().is_terminal()), false);
    if let Some(problem) = revision_second(args) {
        write_problems(&problems, &[problem], &mut err)?;
        return Ok(ExitStatus::Error);
    }
    let old = if !args.old.exists() && args.new.exists() {
        // `crossfoot diff main rules/`: OLD is a git revision of NEW's path.
        let revision = args.old.to_string_lossy();
        crossfoot_core::load::git_sources(&revision, &args.new)
            .map_err(|error| vec![error])
            .and_then(crossfoot_core::load::check_sources)
    } else {
        load_rules(&args.old)
    };
    let (old, new) = match (old, load_rules(&args.new)) {
        (Ok(old), Ok(new)) => (old.rules, new.rules),
        (old, new) => {
            let errors: Vec<Error> = old.err().into_iter().chain(new.err()).flatten().collect();
            write_problems(&problems, &errors, &mut err)?;
            return Ok(ExitStatus::Error);
        }
    };
    let changes = diff(&old, &new);
    let lines = diff_lines(&old, &new);
    let flipped = if args.reports.is_empty() {
        None
    } else {
        match flips_on_reports(args, &old, &new) {
            Ok(flipped) => Some(flipped),
            Err(errors) => {
                write_problems(&problems, &errors, &mut err)?;
                return Ok(ExitStatus::Error);
            }
        }
    };
    let text = match args.format {
        // Descriptions, labels and report names are the inputs' text: escaped.
        DiffFormat::Human => {
            crossfoot_render::text::terminal_lines(&human(&changes, &lines, flipped.as_deref()))
                .into_owned()
        }
        DiffFormat::Markdown => markdown(&changes, &lines, flipped.as_deref()),
        DiffFormat::Json => {
            let output = Output {
                changes: &changes,
                lines: &lines,
                flips: flipped.as_deref(),
            };
            let mut text = serde_json::to_string_pretty(&output).map_err(io::Error::other)?;
            text.push('\n');
            text
        }
    };
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(if changes.is_empty() && lines.is_empty() {
        ExitStatus::Pass
    } else {
        ExitStatus::Fail
    })
}

/// `crossfoot diff rules/focus main`: NEW is no path but a git revision, so the
/// arguments are swapped; the problem gives the command in the right order.
fn revision_second(args: &DiffArgs) -> Option<Error> {
    if args.new.exists() || !args.old.exists() {
        return None;
    }
    let revision = args.new.to_str()?;
    if !crossfoot_core::load::is_git_revision(revision, &args.old) {
        return None;
    }
    Some(Error::RevisionSecond {
        given: revision.to_owned(),
        suggestion: format!(
            "`crossfoot diff OLD NEW` compares NEW with OLD, where OLD may be a revision: `crossfoot diff {revision} {}`",
            args.old.display()
        ),
    })
}

/// The verdicts that flip on the reports of `--reports`: every report checked by each rule
/// set exactly as `check` checks it (each reads only its own lines, and finds each
/// report's previous report among the reports and in `--prior`), the two results of a
/// report compared.
fn flips_on_reports(
    args: &DiffArgs,
    old: &RuleSet,
    new: &RuleSet,
) -> Result<Vec<Flip>, Vec<Error>> {
    if args
        .reports
        .iter()
        .chain(&args.prior)
        .any(|path| path.as_os_str() == "-")
    {
        return Err(vec![Error::StdinTwice]);
    }
    let wanted = args.report_id.as_deref();
    let before = checked(args, old)?;
    let after = checked(args, new)?;
    let (mut found, mut flipped) = (0, Vec::new());
    for (before, after) in before.iter().zip(&after) {
        let (Some(before), Some(after)) = (before, after) else {
            continue;
        };
        if wanted.is_some_and(|wanted| !names(&after.row.meta, wanted)) {
            continue;
        }
        found += 1;
        flipped.extend(flips(old, before, new, after));
    }
    let unreadable = before.iter().chain(&after).any(Option::is_none);
    let mut errors = if unreadable {
        unreadable_reports(args, old, wanted)
    } else {
        Vec::new()
    };
    if let Some(problem) = wanted.and_then(|_| not_one(found, wanted, "")) {
        let inputs: Vec<String> = args
            .reports
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        errors.push(Error::NotOneReport {
            inputs: inputs.join(", "),
            problem,
        });
    }
    if errors.is_empty() {
        Ok(flipped)
    } else {
        Err(errors)
    }
}

/// Every report of `--reports` checked by `rules` as `check` checks it, in input order
/// (`None`: a report that could not be read).
fn checked(args: &DiffArgs, rules: &RuleSet) -> Result<Vec<Option<ReportResult>>, Vec<Error>> {
    let priors = super::read_reports(rules, &args.prior, None, None, usize::MAX)?.reports;
    let engine = Engine::new(rules.clone()).with_priors(&priors);
    let format = args.input_format.map(InputFormat::from);
    let inputs = Inputs::new(engine.rules(), args.reports.clone(), format);
    let mut results = Vec::new();
    let Ok(()) = engine.check_each(inputs, |result| {
        results.push(result.ok().cloned());
        Ok::<(), std::convert::Infallible>(())
    });
    Ok(results)
}

/// Why the reports that could not be read could not be: each problem in the way (with
/// `--report`, a row that is not the one named is not).
fn unreadable_reports(args: &DiffArgs, rules: &RuleSet, wanted: Option<&str>) -> Vec<Error> {
    let format = args.input_format.map(InputFormat::from);
    let mut errors = Vec::new();
    for read in read_reports(rules, args.reports.clone(), format) {
        if let Err(unreadable) = read {
            let in_the_way = match (wanted, &unreadable.meta.place) {
                (Some(wanted), Some(_)) => names(&unreadable.meta, wanted),
                _ => true,
            };
            if in_the_way {
                errors.extend(unreadable.errors.into_iter().map(Error::from));
            }
        }
    }
    errors
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

/// `2 changed, 1 added, 0 removed` of the catalogue's lines.
fn line_counts(lines: &[LineChange]) -> String {
    let count = |f: fn(&LineChange) -> bool| lines.iter().filter(|c| f(c)).count();
    format!(
        "catalogue: {} line{} changed, {} added, {} removed",
        count(|c| matches!(c, LineChange::Changed { .. })),
        if count(|c| matches!(c, LineChange::Changed { .. })) == 1 {
            ""
        } else {
            "s"
        },
        count(|c| matches!(c, LineChange::Added { .. })),
        count(|c| matches!(c, LineChange::Removed { .. }))
    )
}

/// A field's change as two lines, old then new, under a rule or a line.
fn field_lines(out: &mut String, field: &crossfoot_core::diff::FieldChange) {
    let label = format!("{}:", field.field);
    let _ = writeln!(out, "  {label:<13}{}", shown(&field.old));
    let _ = writeln!(out, "  {:<11}→ {}", "", shown(&field.new));
}

fn human(changes: &[RuleChange], lines: &[LineChange], flipped: Option<&[Flip]>) -> String {
    let mut out = String::new();
    if changes.is_empty() && lines.is_empty() {
        out.push_str("no semantic change\n");
    }
    for change in changes {
        match change {
            RuleChange::Added { rule, formula } => {
                let _ = writeln!(out, "added {rule}: {formula}");
            }
            RuleChange::Removed { rule, formula } => {
                let _ = writeln!(out, "removed {rule}: {formula}");
            }
            RuleChange::Changed { rule, fields } => {
                let _ = writeln!(out, "changed {rule}");
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
    if let Some(flipped) = flipped {
        let _ = writeln!(
            out,
            "{} verdict{} flip{}",
            flipped.len(),
            if flipped.len() == 1 { "" } else { "s" },
            if flipped.len() == 1 { "s" } else { "" }
        );
        for flip in flipped {
            let detail = flip
                .detail
                .as_ref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {}: {} {} → {}{detail}",
                flip.report, flip.rule, flip.old, flip.new
            );
        }
    }
    out
}

/// Markdown for a pull-request comment. A table cell is one line: control characters are
/// shown as `\u{…}` and `|` escaped; outside code spans `&`, `<`, `>` and backticks are
/// escaped too, so nothing in a rule or a report's name can end the cell or the table, or
/// write HTML. (Formulas, in code spans, hold no backtick.)
fn markdown(changes: &[RuleChange], lines: &[LineChange], flipped: Option<&[Flip]>) -> String {
    let code = |text: &str| crossfoot_render::text::terminal(text).replace('|', "\\|");
    let cell = |text: &str| {
        code(text)
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('`', "\\`")
    };
    let mut out = String::from("### crossfoot: what this change does to the rules\n\n");
    if changes.is_empty() && lines.is_empty() {
        out.push_str("No semantic change.\n");
    } else if !changes.is_empty() {
        out.push_str("| rule | change | before | after |\n|---|---|---|---|\n");
        for change in changes {
            match change {
                RuleChange::Added { rule, formula } => {
                    let _ = writeln!(out, "| `{rule}` | added | | `{}` |", code(formula));
                }
                RuleChange::Removed { rule, formula } => {
                    let _ = writeln!(out, "| `{rule}` | removed | `{}` | |", code(formula));
                }
                RuleChange::Changed { rule, fields } => {
                    for field in fields {
                        let _ = writeln!(
                            out,
                            "| `{rule}` | {} | {} | {} |",
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
    if let Some(flipped) = flipped {
        let _ = writeln!(
            out,
            "\n#### Verdicts that flip on the reports ({})\n",
            flipped.len()
        );
        if !flipped.is_empty() {
            out.push_str(
                "| report | rule | before | after | amounts after |\n|---|---|---|---|---|\n",
            );
            for flip in flipped {
                let _ = writeln!(
                    out,
                    "| {} | `{}` | {} | {} | {} |",
                    cell(&flip.report),
                    flip.rule,
                    flip.old,
                    flip.new,
                    cell(flip.detail.as_deref().unwrap_or(""))
                );
            }
        }
    }
    out
}
