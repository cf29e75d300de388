//! `crossfoot check`: one report or a few with full diagnostics, or batches (see `batch`).

use std::io::{self, IsTerminal, Write};

use super::{CheckArgs, Deny, ExitStatus, Format, batch, exit_status, use_color, write_problems};
use crate::error::Error;
use crate::eval;
use crate::load::{load_report, load_rules};
use crate::render::{Human, JsonOutput, json_report};

/// `crossfoot check`: results on stdout (or the machine format in `--output`), problems
/// with the inputs on stderr.
pub fn check(args: &CheckArgs) -> io::Result<ExitStatus> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let mut err = io::stderr().lock();
    let human = Human::new(
        use_color(args.color, io::stdout().is_terminal()),
        args.verbose,
    );
    let problems = Human::new(use_color(args.color, io::stderr().is_terminal()), false);
    let deny_warnings = args.deny == Some(Deny::Warnings);

    let rules = match load_rules(&args.rules) {
        Ok(checked) => {
            let warnings: Vec<Error> = checked.warnings.into_iter().map(Error::from).collect();
            write_problems(&problems, &warnings, &mut err)?;
            if deny_warnings && !warnings.is_empty() {
                return Ok(ExitStatus::Error);
            }
            checked.rules
        }
        Err(errors) => {
            write_problems(&problems, &errors, &mut err)?;
            return Ok(ExitStatus::Error);
        }
    };
    let input_format = args.input_format.map(crate::batch::InputFormat::from);
    let few_files = args.reports.len() <= MAX_DETAILED_REPORTS
        && args
            .reports
            .iter()
            .all(|path| crate::batch::is_single(path, input_format));
    if !few_files {
        return batch::check_batch(args, &rules, &human, &problems, deny_warnings);
    }
    let mut status = ExitStatus::Pass;
    let mut reports = Vec::new();
    let mut unreadable: Vec<(String, String)> = Vec::new();
    for path in &args.reports {
        match load_report(path) {
            Ok(report) => reports.push(report),
            Err(errors) => {
                write_problems(&problems, &errors, &mut err)?;
                let name = path.display().to_string();
                unreadable.extend(errors.iter().map(|e| (name.clone(), e.to_string())));
                status = ExitStatus::Error;
            }
        }
    }
    let evaluations: Vec<_> = reports
        .iter()
        .map(|report| eval::evaluate(&rules, report))
        .collect();
    for evaluation in &evaluations {
        status = status.max(exit_status(&evaluation.summary(), deny_warnings));
    }
    // The human output goes to stdout unless stdout carries the machine format.
    let machine_on_stdout = args.format != Format::Human && args.output.is_none();
    for evaluation in &evaluations {
        if machine_on_stdout {
            problems.errors(evaluation, &mut err)?;
        } else {
            human.report(evaluation, deny_warnings, &mut out, &mut err)?;
        }
    }
    if args.format != Format::Human || args.output.is_some() {
        let text = machine_output(
            args.format,
            &rules,
            &evaluations,
            &unreadable,
            deny_warnings,
        );
        match &args.output {
            Some(path) => std::fs::write(path, text).map_err(|error| {
                io::Error::new(error.kind(), format!("{}: {error}", path.display()))
            })?,
            None => out.write_all(text.as_bytes())?,
        }
    }
    out.flush()?;
    Ok(status)
}

/// Up to this many report files, `check` shows every failing rule's diagnostic; beyond it,
/// or for batch inputs, one line per failing report and the totals.
pub const MAX_DETAILED_REPORTS: usize = 10;

/// The whole run in a machine format (or, for `--output` with `human`, plain human text).
pub(super) fn machine_output(
    format: Format,
    rules: &crate::check::RuleSet,
    evaluations: &[crate::eval::Evaluation<'_>],
    unreadable: &[(String, String)],
    deny_warnings: bool,
) -> String {
    match format {
        Format::Json => {
            let output = JsonOutput {
                reports: evaluations.iter().map(json_report).collect(),
                errors: unreadable
                    .iter()
                    .map(|(report, message)| crate::render::JsonProblem {
                        report: report.clone(),
                        message: message.clone(),
                    })
                    .collect(),
            };
            let mut text = serde_json::to_string_pretty(&output).unwrap_or_default();
            text.push('\n');
            text
        }
        Format::Sarif => {
            let mut text =
                serde_json::to_string_pretty(&crate::render::sarif(rules, evaluations, unreadable))
                    .unwrap_or_default();
            text.push('\n');
            text
        }
        Format::Jsonl => {
            let mut text = String::new();
            for evaluation in evaluations {
                text.push_str(&serde_json::to_string(&json_report(evaluation)).unwrap_or_default());
                text.push('\n');
            }
            for (report, message) in unreadable {
                let problem = crate::render::JsonProblem {
                    report: report.clone(),
                    message: message.clone(),
                };
                text.push_str(&serde_json::to_string(&problem).unwrap_or_default());
                text.push('\n');
            }
            text
        }
        Format::Junit => crate::render::junit(evaluations, unreadable),
        Format::Github => crate::render::github(evaluations, unreadable),
        Format::Human => {
            let plain = Human::new(false, false);
            let mut buffer = Vec::new();
            for evaluation in evaluations {
                let _ = plain.report(evaluation, deny_warnings, &mut buffer, &mut io::sink());
            }
            String::from_utf8_lossy(&buffer).into_owned()
        }
    }
}
