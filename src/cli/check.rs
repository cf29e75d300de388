//! `crossfoot check`: one report or a few with full diagnostics, or batches (see `batch`).

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::{CheckArgs, Deny, ExitStatus, Format, batch, exit_status, use_color, write_problems};
use crate::check::RuleSet;
use crate::date::Date;
use crate::error::Error;
use crate::eval::{self, Evaluation, Verdict};
use crate::load::{load_report, load_rules, read_source, rule_files};
use crate::record::{self, ReportResults, RunRecord};
use crate::render::{Human, JsonOutput, json_report};
use crate::report::Report;
use crate::waiver::{self, Usage, Waivers};

/// `crossfoot check`: results on stdout (or the machine format in `--output`), problems
/// with the inputs on stderr.
pub fn check(args: &CheckArgs) -> io::Result<ExitStatus> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let mut err = io::stderr().lock();
    let colors = Colors {
        out: use_color(args.color, io::stdout().is_terminal()),
        err: use_color(args.color, io::stderr().is_terminal()),
    };
    let ran = run_check(args, colors, &mut out, &mut err)?;
    if let (Some(path), Some(record)) = (&args.record, &ran.record) {
        let text = serde_json::to_string_pretty(record).map_err(io::Error::other)? + "\n";
        std::fs::write(path, text).map_err(|error| {
            io::Error::new(error.kind(), format!("{}: {error}", path.display()))
        })?;
    }
    Ok(ran.status)
}

/// Whether each stream gets colour.
#[derive(Clone, Copy, Debug)]
pub(super) struct Colors {
    pub out: bool,
    pub err: bool,
}

/// What a check run came to: its exit status and, with `--record`, its record.
pub(super) struct Ran {
    pub status: ExitStatus,
    pub record: Option<RunRecord>,
}

/// The whole of `check`, writing to the given streams.
pub(super) fn run_check(
    args: &CheckArgs,
    colors: Colors,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Ran> {
    let human = Human::new(colors.out, args.verbose);
    let problems = Human::new(colors.err, false);
    let deny_warnings = args.deny == Some(Deny::Warnings);
    let failed = |status| Ran {
        status,
        record: None,
    };
    let rules = match load_rules(&args.rules) {
        Ok(checked) => {
            let warnings: Vec<Error> = checked.warnings.into_iter().map(Error::from).collect();
            write_problems(&problems, &warnings, err)?;
            if deny_warnings && !warnings.is_empty() {
                return Ok(failed(ExitStatus::Error));
            }
            checked.rules
        }
        Err(errors) => {
            write_problems(&problems, &errors, err)?;
            return Ok(failed(ExitStatus::Error));
        }
    };
    let today = args.today.unwrap_or_else(Date::today);
    let waivers_path = waivers_path(args);
    let waivers = match load_waivers(waivers_path.as_deref(), &rules, today) {
        Ok(waivers) => waivers,
        Err(errors) => {
            write_problems(&problems, &errors, err)?;
            return Ok(failed(ExitStatus::Error));
        }
    };
    if args.record.is_some() && args.reports.iter().any(|p| p.as_os_str() == "-") {
        writeln!(
            err,
            "error: --record needs report files it can hash again; standard input cannot be"
        )?;
        return Ok(failed(ExitStatus::Error));
    }
    let mut run = Run::new(&rules, waivers.as_ref(), args.record.is_some());
    let input_format = args.input_format.map(crate::batch::InputFormat::from);
    let few_files = args.reports.len() <= MAX_DETAILED_REPORTS
        && args
            .reports
            .iter()
            .all(|path| crate::batch::is_single(path, input_format));
    let mut status = if few_files {
        detailed(args, &mut run, &human, &problems, out, err)?
    } else {
        let context = batch::Context {
            rules: &rules,
            problems: &problems,
            deny_warnings,
        };
        batch::check_batch(args, &context, &mut run, out, err)?
    };
    status = status.max(run.finish(&problems, deny_warnings, err)?);
    let record = match &args.record {
        Some(_) => Some(make_record(
            args,
            waivers_path.as_deref(),
            today,
            status,
            run,
        )?),
        None => None,
    };
    Ok(Ran { status, record })
}

/// A few report files, each rule's diagnostic shown.
fn detailed(
    args: &CheckArgs,
    run: &mut Run<'_>,
    human: &Human,
    problems: &Human,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let deny_warnings = args.deny == Some(Deny::Warnings);
    let mut status = ExitStatus::Pass;
    let mut reports = Vec::new();
    let mut unreadable: Vec<(String, String)> = Vec::new();
    for path in &args.reports {
        match load_report(path) {
            Ok(report) => reports.push(report),
            Err(errors) => {
                write_problems(problems, &errors, err)?;
                let name = path.display().to_string();
                unreadable.extend(errors.iter().map(|e| (name.clone(), e.to_string())));
                status = ExitStatus::Error;
            }
        }
    }
    let evaluations: Vec<_> = reports.iter().map(|report| run.evaluate(report)).collect();
    for evaluation in &evaluations {
        status = status.max(exit_status(&evaluation.summary(), deny_warnings));
    }
    // The human output goes to stdout unless stdout carries the machine format.
    let machine_on_stdout = args.format != Format::Human && args.output.is_none();
    for evaluation in &evaluations {
        if machine_on_stdout {
            problems.errors(evaluation, err)?;
        } else {
            human.report(evaluation, deny_warnings, out, err)?;
        }
    }
    if args.format != Format::Human || args.output.is_some() {
        let text = machine_output(
            args.format,
            run.rules,
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

/// What a run carries besides the rules: the waivers and how they were used, reports
/// without a date, and the results for the record.
pub(super) struct Run<'a> {
    /// The rules.
    pub rules: &'a RuleSet,
    waivers: Option<&'a Waivers>,
    usage: Usage,
    dated_rules: usize,
    undated_reports: Vec<String>,
    results: Option<Vec<ReportResults>>,
}

impl<'a> Run<'a> {
    fn new(rules: &'a RuleSet, waivers: Option<&'a Waivers>, record: bool) -> Self {
        Run {
            rules,
            waivers,
            usage: waivers.map(Waivers::usage).unwrap_or_default(),
            dated_rules: rules
                .rules()
                .iter()
                .filter(|rule| !rule.period.is_always())
                .count(),
            undated_reports: Vec::new(),
            results: record.then(Vec::new),
        }
    }

    /// Evaluate one report fully, waivers applied.
    pub fn evaluate<'r>(&mut self, report: &'r Report) -> Evaluation<'r>
    where
        'a: 'r,
    {
        let mut evaluation = eval::evaluate(self.rules, report);
        if let Some(waivers) = self.waivers {
            waivers.apply(&mut evaluation, &mut self.usage);
        }
        self.note_date(report.name(), report.as_of());
        if let Some(results) = &mut self.results {
            results.push(ReportResults::of_evaluation(&evaluation));
        }
        evaluation
    }

    /// Apply the waivers to a batch verdict, and note it.
    pub fn verdict(
        &mut self,
        name: &str,
        firm: Option<&str>,
        as_of: Option<Date>,
        verdict: &mut Verdict,
    ) {
        if let Some(waivers) = self.waivers {
            waivers.apply_verdict(self.rules, verdict, firm, as_of, &mut self.usage);
        }
        self.note_date(name, as_of);
        if let Some(results) = &mut self.results {
            results.push(ReportResults::of_verdict(self.rules, name, verdict));
        }
    }

    /// Whether the run keeps every verdict for a record.
    pub fn recording(&self) -> bool {
        self.results.is_some()
    }

    /// The waivers, for evaluating a report's JSON in a batch.
    pub fn waivers(&self) -> Option<&'a Waivers> {
        self.waivers
    }

    /// Note a report's date, to warn about undated reports when rules have periods.
    pub fn note_date(&mut self, name: &str, as_of: Option<Date>) {
        if as_of.is_none() && self.dated_rules > 0 {
            self.undated_reports.push(name.to_owned());
        }
    }

    /// After every report: the warnings about the run (waivers expired or unused, reports
    /// without a date), and the exit status they call for.
    fn finish(
        &self,
        problems: &Human,
        deny_warnings: bool,
        err: &mut dyn Write,
    ) -> io::Result<ExitStatus> {
        let mut warned = false;
        if let Some(waivers) = self.waivers {
            let warnings: Vec<Error> = waivers
                .warnings(&self.usage)
                .into_iter()
                .map(Error::from)
                .collect();
            write_problems(problems, &warnings, err)?;
            warned |= !warnings.is_empty();
        }
        if let Some(first) = self.undated_reports.first() {
            let others = self.undated_reports.len() - 1;
            let which = match others {
                0 => first.clone(),
                n => format!(
                    "{first} and {n} other report{}",
                    if n == 1 { "" } else { "s" }
                ),
            };
            writeln!(
                err,
                "warning: {which} {} no `as_of`, so the {} rule{} with an `effective` period {} skipped; give each report its date",
                if others == 0 { "has" } else { "have" },
                self.dated_rules,
                if self.dated_rules == 1 { "" } else { "s" },
                if self.dated_rules == 1 { "was" } else { "were" },
            )?;
            warned = true;
        }
        Ok(if warned && deny_warnings {
            ExitStatus::Error
        } else {
            ExitStatus::Pass
        })
    }
}

/// `--waivers`, or `waivers.yaml` beside the rules when it exists.
fn waivers_path(args: &CheckArgs) -> Option<PathBuf> {
    if let Some(path) = &args.waivers {
        return Some(path.clone());
    }
    let dir = if args.rules.is_dir() {
        args.rules.clone()
    } else {
        args.rules.parent()?.to_path_buf()
    };
    let beside = dir.join(waiver::FILE_NAME);
    beside.is_file().then_some(beside)
}

/// Read and check the waivers file, if there is one.
fn load_waivers(
    path: Option<&Path>,
    rules: &RuleSet,
    today: Date,
) -> Result<Option<Waivers>, Vec<Error>> {
    let Some(path) = path else {
        return Ok(None);
    };
    let source = read_source(path, crate::load::MAX_RULE_FILE_BYTES).map_err(|e| vec![e])?;
    let waivers = Waivers::parse(source, today)
        .map_err(|found| found.into_iter().map(Error::from).collect::<Vec<_>>())?;
    let unknown: Vec<Error> = waivers
        .check_rules(rules)
        .into_iter()
        .map(Error::from)
        .collect();
    if unknown.is_empty() {
        Ok(Some(waivers))
    } else {
        Err(unknown)
    }
}

/// The record of a finished run.
fn make_record(
    args: &CheckArgs,
    waivers: Option<&Path>,
    today: Date,
    status: ExitStatus,
    run: Run<'_>,
) -> io::Result<RunRecord> {
    let rule_files = rule_files(&args.rules).map_err(|e| io::Error::other(e.to_string()))?;
    let files = record::files_read(&rule_files, &args.reports, waivers);
    let files = record::digests(&files).map_err(io::Error::other)?;
    Ok(RunRecord {
        crossfoot: env!("CARGO_PKG_VERSION").to_owned(),
        time: Date::now_utc(),
        today: today.to_string(),
        inputs: record::Inputs {
            rules: args.rules.display().to_string(),
            reports: args
                .reports
                .iter()
                .map(|p| p.display().to_string())
                .collect(),
            waivers: waivers.map(|p| p.display().to_string()),
            input_format: args
                .input_format
                .map(|f| format!("{f:?}").to_ascii_lowercase()),
            deny_warnings: args.deny == Some(Deny::Warnings),
        },
        files,
        exit: status as u8,
        results: run.results.unwrap_or_default(),
    })
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
