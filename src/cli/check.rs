//! `crossfoot check`: the rules and waivers loaded once, every report the inputs hold
//! checked by the engine, each result handed to the outputs as soon as it is final.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::{CheckArgs, Deny, Format, use_color, write_problems};
use crate::check::RuleSet;
use crate::date::Date;
use crate::engine::{Engine, ExitStatus, RunWarning, Tally};
use crate::error::Error;
use crate::load::{load_rules, read_source, rule_files};
use crate::record::{self, ReportResults, RunRecord};
use crate::render::{
    GithubSink, Human, HumanSink, JsonSink, JunitSink, Layout, MAX_DETAILED_REPORTS, SarifSink,
    Sink,
};
use crate::report::{InputFormat, Inputs};
use crate::waiver::{self, Waivers};

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
    let engine = Engine::new(rules).with_waivers(waivers);
    let (status, results) = run_reports(args, colors, &engine, out, err)?;
    let record = match (&args.record, results) {
        (Some(_), Some(results)) => Some(make_record(
            args,
            waivers_path.as_deref(),
            today,
            status,
            results,
        )?),
        _ => None,
    };
    Ok(Ran { status, record })
}

/// Check every report and feed the outputs; the exit status, and every report's results
/// when a record is asked for.
fn run_reports(
    args: &CheckArgs,
    colors: Colors,
    engine: &Engine,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<(ExitStatus, Option<Vec<ReportResults>>)> {
    let problems = Human::new(colors.err, false);
    let deny_warnings = args.deny == Some(Deny::Warnings);
    let input_format = args.input_format.map(InputFormat::from);
    let layout = if args.reports.len() <= MAX_DETAILED_REPORTS
        && args.reports.iter().all(|path| single(path, input_format))
    {
        Layout::Each
    } else {
        Layout::Batch
    };
    let mut file = match &args.output {
        Some(path) => Some(BufWriter::new(File::create(path).map_err(|error| {
            io::Error::new(error.kind(), format!("{}: {error}", path.display()))
        })?)),
        None => None,
    };
    let human_on_stdout = args.format == Format::Human || args.output.is_some();
    let mut nowhere = io::sink();
    let mut nowhere_err = io::sink();
    // Human text and the machine format each go to stdout, a file, or nowhere.
    let (human_out, machine_out): (&mut dyn Write, &mut dyn Write) =
        match (&mut file, human_on_stdout) {
            (Some(file), _) => (out, file),
            (None, true) => (out, &mut nowhere),
            (None, false) => (&mut nowhere, out),
        };
    let human = Human::new(colors.out, args.verbose);
    let mut human_sink = HumanSink::new(human, engine, layout, deny_warnings, human_out, err);
    let mut machine = machine_sink(
        args,
        engine,
        layout,
        deny_warnings,
        machine_out,
        &mut nowhere_err,
    );
    let mut tally = Tally::new(engine, deny_warnings);
    let mut results = args.record.is_some().then(Vec::new);
    let inputs = Inputs::new(engine.rules(), args.reports.clone(), input_format);
    engine.check_each(inputs, |checked| -> io::Result<()> {
        match checked {
            Ok(result) => {
                tally.add(result);
                human_sink.report(result)?;
                if let Some(machine) = &mut machine {
                    machine.report(result)?;
                }
                if let Some(results) = &mut results {
                    results.push(ReportResults::of(engine.rules(), result));
                }
            }
            Err(unreadable) => {
                tally.add_unreadable(unreadable);
                human_sink.problems(&problems, &unreadable.errors)?;
                if let Some(machine) = &mut machine {
                    machine.unreadable(unreadable)?;
                }
            }
        }
        Ok(())
    })?;
    let totals = tally.totals;
    if totals.reports == 0 && totals.unreadable == 0 {
        human_sink.say("error: no reports were read")?;
        return Ok((ExitStatus::Error, results));
    }
    if let Some(machine) = &mut machine {
        machine.finish(&totals)?;
    }
    human_sink.finish(&totals)?;
    for warning in tally.warnings() {
        match warning {
            RunWarning::Waiver(error) => human_sink.problems(&problems, &[error])?,
            undated => human_sink.say(&format!("warning: {undated}"))?,
        }
    }
    Ok((tally.finish(), results))
}

/// The output `--format` names, when it is not the human output on stdout: the machine
/// format, or, for `--format human --output FILE`, the human text without colour.
fn machine_sink<'a>(
    args: &CheckArgs,
    engine: &'a Engine,
    layout: Layout,
    deny_warnings: bool,
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
) -> Option<Box<dyn Sink + 'a>> {
    Some(match args.format {
        Format::Json => Box::new(JsonSink::new(engine, out, false)),
        Format::Jsonl => Box::new(JsonSink::new(engine, out, true)),
        Format::Sarif => Box::new(SarifSink::new(engine, out)),
        Format::Junit => Box::new(JunitSink::new(engine, out)),
        Format::Github => Box::new(GithubSink::new(engine, out)),
        Format::Human if args.output.is_some() => {
            let plain = Human::new(false, false);
            Box::new(HumanSink::new(
                plain,
                engine,
                layout,
                deny_warnings,
                out,
                err,
            ))
        }
        Format::Human => return None,
    })
}

/// Whether a path holds exactly one report (a YAML or JSON file).
fn single(path: &Path, format: Option<InputFormat>) -> bool {
    path != Path::new("-")
        && !path.is_dir()
        && matches!(
            format.or_else(|| InputFormat::of(path)),
            Some(InputFormat::Yaml | InputFormat::Json)
        )
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
    results: Vec<ReportResults>,
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
        results,
    })
}
