//! The authoring commands: `lint`, `fmt`, `explain` and `coverage`.

use std::io::{self, IsTerminal, Write};

use super::{
    CoverageArgs, CoverageFormat, Deny, ExitStatus, ExplainArgs, FmtArgs, LintArgs, not_one,
    read_reports, use_color, write_problems,
};
use crate::error::Error;
use crate::load::{MAX_RULE_FILE_BYTES, load_rules, read_source, rule_files};
use crate::render::Human;
use crate::syntax::format_source;

/// `crossfoot lint`: every static problem of a rule set on stdout, then a count.
pub fn lint(args: &LintArgs) -> io::Result<ExitStatus> {
    let mut out = io::stdout().lock();
    let human = Human::new(use_color(args.color, io::stdout().is_terminal()), false);
    let (problems, rules) = match load_rules(&args.rules) {
        Ok(checked) => {
            let count = checked.rules.rules().len();
            (
                checked.warnings.into_iter().map(Error::from).collect(),
                Some(count),
            )
        }
        Err(errors) => (errors, None),
    };
    write_problems(&human, &problems, &mut out)?;
    let warnings = problems.iter().filter(|p| p.is_warning()).count();
    let errors = problems.len() - warnings;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match rules {
        Some(count) => writeln!(
            out,
            "{}: {}, {}",
            args.rules.display(),
            plural(count, "rule"),
            plural(warnings, "warning")
        )?,
        None => writeln!(
            out,
            "{}: {}, {}",
            args.rules.display(),
            plural(errors, "error"),
            plural(warnings, "warning")
        )?,
    }
    out.flush()?;
    let denied = args.deny == Some(Deny::Warnings) && warnings > 0;
    Ok(if errors > 0 || denied {
        ExitStatus::Error
    } else {
        ExitStatus::Pass
    })
}

/// `crossfoot fmt`: canonical layout, checked to keep every rule's meaning.
pub fn fmt(args: &FmtArgs) -> io::Result<ExitStatus> {
    let mut out = io::stdout().lock();
    let mut err = io::stderr().lock();
    let problems = Human::new(use_color(args.color, io::stderr().is_terminal()), false);
    let mut status = ExitStatus::Pass;
    for path in &args.paths {
        let files = match rule_files(path) {
            Ok(files) => files,
            Err(error) => {
                write_problems(&problems, &[error], &mut err)?;
                status = ExitStatus::Error;
                continue;
            }
        };
        for file in files {
            let source = match read_source(&file, MAX_RULE_FILE_BYTES) {
                Ok(source) => source,
                Err(error) => {
                    write_problems(&problems, &[error], &mut err)?;
                    status = ExitStatus::Error;
                    continue;
                }
            };
            let formatted = match format_source(&source) {
                Ok(formatted) => formatted,
                Err(errors) => {
                    let errors: Vec<Error> = errors.into_iter().map(Error::from).collect();
                    write_problems(&problems, &errors, &mut err)?;
                    status = ExitStatus::Error;
                    continue;
                }
            };
            if formatted == source.text() {
                continue;
            }
            let name = file.display().to_string();
            if args.check {
                let diff = similar::TextDiff::from_lines(source.text(), &formatted)
                    .unified_diff()
                    .context_radius(3)
                    .header(&name, &name)
                    .to_string();
                write!(out, "{diff}")?;
                status = status.max(ExitStatus::Fail);
            } else {
                std::fs::write(&file, &formatted)?;
                writeln!(out, "formatted {name}")?;
            }
        }
    }
    out.flush()?;
    Ok(status)
}

/// `crossfoot explain`: each rule's evaluation tree on stdout.
pub fn explain(args: &ExplainArgs) -> io::Result<ExitStatus> {
    let mut out = io::stdout().lock();
    let mut err = io::stderr().lock();
    let problems = Human::new(use_color(args.color, io::stderr().is_terminal()), false);
    let checked = match load_rules(&args.rules) {
        Ok(checked) => checked,
        Err(errors) => {
            write_problems(&problems, &errors, &mut err)?;
            return Ok(ExitStatus::Error);
        }
    };
    let rules = &checked.rules;
    let paths = [args.report.clone()];
    let wanted = args.report_id.as_deref();
    let report = match read_reports(rules, &paths, args.input_format, wanted, 1) {
        Ok(mut picked) => {
            if let Some(problem) = not_one(picked.found, wanted, "to explain") {
                writeln!(err, "error: {}: {problem}", args.report.display())?;
                return Ok(ExitStatus::Error);
            }
            picked.reports.remove(0)
        }
        Err(errors) => {
            write_problems(&problems, &errors, &mut err)?;
            return Ok(ExitStatus::Error);
        }
    };
    let unknown: Vec<&String> = args
        .rule_ids
        .iter()
        .filter(|id| !rules.rules().iter().any(|r| &&r.id == id))
        .collect();
    if !unknown.is_empty() {
        for id in unknown {
            let hint = rules
                .suggest_id(id)
                .map(|known| format!("; did you mean `{known}`?"))
                .unwrap_or_default();
            writeln!(err, "error: no rule `{id}` in {}{hint}", args.rules.display())?;
        }
        return Ok(ExitStatus::Error);
    }
    let mut first = true;
    for rule in rules.rules() {
        if !args.rule_ids.is_empty() && !args.rule_ids.contains(&rule.id) {
            continue;
        }
        if !first {
            writeln!(out)?;
        }
        first = false;
        write!(out, "{}", crate::render::explain(rules, rule, &report))?;
    }
    out.flush()?;
    Ok(ExitStatus::Pass)
}

/// `crossfoot coverage`.
pub fn coverage(args: &CoverageArgs) -> io::Result<ExitStatus> {
    let mut out = io::stdout().lock();
    let mut err = io::stderr().lock();
    let problems = Human::new(use_color(args.color, io::stderr().is_terminal()), false);
    let checked = match load_rules(&args.rules) {
        Ok(checked) => checked,
        Err(errors) => {
            write_problems(&problems, &errors, &mut err)?;
            return Ok(ExitStatus::Error);
        }
    };
    let coverage = crate::coverage::coverage(&checked.rules);
    match args.format {
        CoverageFormat::Human => write!(out, "{}", crate::render::coverage_text(&coverage))?,
        CoverageFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &coverage).map_err(io::Error::other)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(ExitStatus::Pass)
}
