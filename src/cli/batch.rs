//! `check` over batches: reports stream in, are evaluated in parallel a chunk at a time, and
//! their results stream out in input order, so memory does not grow with the number of
//! reports (except for SARIF, JUnit and GitHub output, which describe the whole run).

use std::fs::File;
use std::io::{self, BufWriter, Write};

use rayon::prelude::*;

use super::check::{Run, machine_output};
use super::{CheckArgs, ExitStatus, Format, exit_status, write_problems};
use crate::batch::{self, InputFormat, Item, Record};
use crate::check::RuleSet;
use crate::eval::{Program, Summary, Verdict, evaluate};
use crate::render::{Human, JsonProblem, json_report};

/// Reports evaluated together, in parallel.
const CHUNK: usize = 4096;

/// A report read (or not), its verdict, and its JSON when the format needs it.
type Evaluated = (
    Result<Record, batch::Unreadable>,
    Option<Verdict>,
    Option<String>,
);

/// Running totals of a batch.
#[derive(Default)]
struct Totals {
    reports: usize,
    failed: usize,
    warned: usize,
    errors: usize,
    unreadable: usize,
    rule_failures: usize,
    waived: usize,
}

/// `check` on batch inputs.
pub(super) fn check_batch(
    args: &CheckArgs,
    context: &Context<'_>,
    run: &mut Run<'_>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let rules = context.rules;
    let problems = context.problems;
    let deny_warnings = context.deny_warnings;
    let program = Program::new(rules);
    let input_format = args.input_format.map(InputFormat::from);
    let streamed_json = matches!(args.format, Format::Json | Format::Jsonl);
    let collect_whole_run = matches!(args.format, Format::Sarif | Format::Junit | Format::Github)
        || (args.format == Format::Human && args.output.is_some());
    let mut file = match &args.output {
        Some(path) => Some(BufWriter::new(File::create(path).map_err(|error| {
            io::Error::new(error.kind(), format!("{}: {error}", path.display()))
        })?)),
        None => None,
    };
    let human_on_stdout = args.format == Format::Human || args.output.is_some();
    let mut sink = io::sink();
    // Human text and the machine format each go to stdout, a file, or nowhere.
    let (human_out, machine): (&mut dyn Write, &mut dyn Write) = match (&mut file, human_on_stdout)
    {
        (Some(file), _) => (out, file),
        (None, true) => (out, &mut sink),
        (None, false) => (&mut sink, out),
    };
    let out = human_out;
    if args.format == Format::Json {
        machine.write_all(b"{\"reports\":[")?;
    }
    let mut totals = Totals::default();
    let mut status = ExitStatus::Pass;
    let mut unreadable: Vec<(String, String)> = Vec::new();
    let mut whole_run = Vec::new();
    let mut first_json = true;
    let summary_only = args.format == Format::Human && args.output.is_none() && !run.recording();
    for path in &args.reports {
        let csv = input_format.or_else(|| InputFormat::of(path)) == Some(InputFormat::Csv);
        if summary_only && csv && path.as_os_str() != "-" {
            if let Some(blocks) = batch::CsvBlocks::open(path, &program) {
                let name = path.display().to_string();
                // Wide CSV has no `as_of` column: every row is undated.
                run.note_date(&format!("every row of {name}"), None);
                status = status.max(csv_blocks(blocks, &name, context, &mut totals, out, err)?);
                continue;
            }
        }
        let mut items = batch::read(path, input_format, &program);
        loop {
            let chunk: Vec<Item> = items.by_ref().take(CHUNK).collect();
            if chunk.is_empty() {
                break;
            }
            let results: Vec<Evaluated> = chunk
                .into_par_iter()
                .map_init(Vec::new, |scratch, item| {
                    let item = item.resolve();
                    match &item {
                        Ok(record) => {
                            let verdict = program.verdict(&record.row, record.as_of, scratch);
                            (item, Some(verdict), None)
                        }
                        Err(_) => (item, None, None),
                    }
                })
                .collect();
            for (item, verdict, _) in results {
                match (item, verdict) {
                    (Ok(record), Some(mut verdict)) => {
                        let firm = record.firm.as_deref();
                        run.verdict(&record.name, firm, record.as_of, &mut verdict);
                        let json = streamed_json.then(|| report_json(&program, run, &record));
                        totals.reports += 1;
                        totals.rule_failures += verdict.summary.failed;
                        status = status.max(exit_status(&verdict.summary, deny_warnings));
                        if human_on_stdout {
                            if let Some(line) =
                                failing_line(rules, &record, &verdict, deny_warnings, &mut totals)
                            {
                                writeln!(out, "{line}")?;
                            }
                            totals.waived += verdict.summary.waived;
                        } else {
                            count(&verdict.summary, deny_warnings, &mut totals);
                        }
                        if let Some(json) = json {
                            if args.format == Format::Json && !first_json {
                                machine.write_all(b",")?;
                            }
                            first_json = false;
                            machine.write_all(json.as_bytes())?;
                            if args.format == Format::Jsonl {
                                machine.write_all(b"\n")?;
                            }
                        }
                        if collect_whole_run {
                            whole_run.push(record.report(&program));
                        }
                    }
                    // A record always has a verdict; an unreadable report never does.
                    (Ok(_), None) => {}
                    (Err(failure), _) => {
                        totals.unreadable += 1;
                        status = ExitStatus::Error;
                        write_problems(problems, &failure.errors, err)?;
                        for error in &failure.errors {
                            let message = error.to_string();
                            if args.format == Format::Jsonl {
                                let problem = JsonProblem {
                                    report: failure.name.clone(),
                                    message: message.clone(),
                                };
                                serde_json::to_writer(&mut *machine, &problem)
                                    .map_err(io::Error::other)?;
                                machine.write_all(b"\n")?;
                            }
                            unreadable.push((failure.name.clone(), message));
                        }
                    }
                }
            }
        }
    }
    match args.format {
        Format::Json => {
            machine.write_all(b"]")?;
            if !unreadable.is_empty() {
                let problems: Vec<JsonProblem> = unreadable
                    .iter()
                    .map(|(report, message)| JsonProblem {
                        report: report.clone(),
                        message: message.clone(),
                    })
                    .collect();
                machine.write_all(b",\"errors\":")?;
                serde_json::to_writer(&mut *machine, &problems).map_err(io::Error::other)?;
            }
            machine.write_all(b"}\n")?;
        }
        Format::Jsonl => {}
        _ if collect_whole_run => {
            let evaluations: Vec<_> = whole_run
                .iter()
                .map(|report| waived(evaluate(rules, report), run))
                .collect();
            let text = machine_output(args.format, rules, &evaluations, &unreadable, deny_warnings);
            machine.write_all(text.as_bytes())?;
        }
        _ => {}
    }
    machine.flush()?;
    if totals.reports == 0 && totals.unreadable == 0 {
        writeln!(err, "error: no reports were read")?;
        return Ok(ExitStatus::Error);
    }
    // Nothing read: the problems are on stderr, and stdout says nothing that could pass
    // for a result.
    if human_on_stdout && totals.reports > 0 {
        writeln!(out, "{}", totals_line(&totals))?;
    }
    out.flush()?;
    Ok(status)
}

/// What the batch paths need besides the run and the output streams.
pub(super) struct Context<'a> {
    /// The rules.
    pub rules: &'a RuleSet,
    /// Renders problems with the inputs.
    pub problems: &'a Human,
    /// `--deny warnings`.
    pub deny_warnings: bool,
}

/// A wide CSV file, blocks tokenized and evaluated in parallel; one line per row that does
/// not hold, in file order.
fn csv_blocks(
    mut blocks: batch::CsvBlocks<'_>,
    name: &str,
    context: &Context<'_>,
    totals: &mut Totals,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let parser = blocks.parser();
    let mut status = ExitStatus::Pass;
    let mut rows_done = 0;
    let in_flight = 2 * rayon::current_num_threads().max(1);
    loop {
        let chunk = blocks.next_blocks(in_flight)?;
        if chunk.is_empty() {
            break;
        }
        let results: Vec<batch::BlockResult> = chunk
            .par_iter()
            .map_init(
                || (Vec::new(), Vec::new()),
                |(row, scratch), block| parser.process(block, row, scratch),
            )
            .collect();
        for result in results {
            let mut unreadable = 0;
            for finding in result.findings {
                let number = rows_done + finding.index + 2;
                let report = format!("{name} row {number} ({})", finding.id);
                match finding.result {
                    Ok(verdict) => {
                        totals.rule_failures += verdict.summary.failed;
                        status = status.max(exit_status(&verdict.summary, context.deny_warnings));
                        let record = Record {
                            name: report,
                            id: Some(finding.id),
                            firm: None,
                            as_of: None,
                            row: Vec::new(),
                        };
                        if let Some(line) = failing_line(
                            context.rules,
                            &record,
                            &verdict,
                            context.deny_warnings,
                            totals,
                        ) {
                            writeln!(out, "{line}")?;
                        }
                    }
                    Err(message) => {
                        unreadable += 1;
                        totals.unreadable += 1;
                        status = ExitStatus::Error;
                        let error = crate::error::Error::Batch { report, message };
                        write_problems(context.problems, &[error], err)?;
                    }
                }
            }
            totals.reports += result.rows - unreadable;
            rows_done += result.rows;
        }
    }
    Ok(status)
}

/// The full JSON object of one report, for `json` and `jsonl`.
fn report_json(program: &Program<'_>, run: &Run<'_>, record: &Record) -> String {
    let report = record.report(program);
    let evaluation = waived(evaluate(program.rules(), &report), run);
    serde_json::to_string(&json_report(&evaluation)).unwrap_or_default()
}

/// An evaluation with the run's waivers applied (their use is tallied from the verdicts).
fn waived<'r>(
    mut evaluation: crate::eval::Evaluation<'r>,
    run: &Run<'_>,
) -> crate::eval::Evaluation<'r> {
    if let Some(waivers) = run.waivers() {
        waivers.apply(&mut evaluation, &mut waivers.usage());
    }
    evaluation
}

fn count(summary: &Summary, deny_warnings: bool, totals: &mut Totals) {
    if summary.errors > 0 {
        totals.errors += 1;
    } else if summary.failed_errors > 0 || (deny_warnings && summary.failed_warnings > 0) {
        totals.failed += 1;
    } else if summary.failed > 0 {
        totals.warned += 1;
    }
}

/// `FAIL: reports.csv row 42 (R000041): seg.excess, seg.target_excess`, for a report with a
/// rule that does not hold.
fn failing_line(
    rules: &RuleSet,
    record: &Record,
    verdict: &Verdict,
    deny_warnings: bool,
    totals: &mut Totals,
) -> Option<String> {
    count(&verdict.summary, deny_warnings, totals);
    if verdict.holds() {
        return None;
    }
    let summary = &verdict.summary;
    let word = if summary.errors > 0 {
        "ERROR"
    } else if summary.failed_errors > 0 || (deny_warnings && summary.failed_warnings > 0) {
        "FAIL"
    } else {
        "warning"
    };
    let ids: Vec<&str> = verdict
        .failed
        .iter()
        .chain(&verdict.errors)
        .filter_map(|&i| rules.rules().get(i).map(|r| r.id.as_str()))
        .collect();
    Some(format!("{word}: {}: {}", record.name, ids.join(", ")))
}

/// `100000 reports: 99000 ok, 1000 failed, 0 with warnings only, …`
fn totals_line(totals: &Totals) -> String {
    let ok = totals.reports - totals.failed - totals.warned - totals.errors;
    let mut line = format!(
        "{} reports: {ok} ok, {} failed ({} failing rules)",
        totals.reports, totals.failed, totals.rule_failures
    );
    if totals.warned > 0 {
        line.push_str(&format!(", {} with warnings only", totals.warned));
    }
    if totals.waived > 0 {
        line.push_str(&format!(", {} waived failures", totals.waived));
    }
    if totals.errors > 0 {
        line.push_str(&format!(", {} could not be evaluated", totals.errors));
    }
    if totals.unreadable > 0 {
        line.push_str(&format!(", {} could not be read", totals.unreadable));
    }
    line
}
