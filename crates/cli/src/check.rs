//! `crossfoot check`: the rules and waivers loaded once, every report the inputs hold
//! checked by the engine, each result handed to the outputs as soon as it is final.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::output::{self, Pipe};
use super::{CheckArgs, Deny, Format, Results, use_color, write_problems};
use crossfoot_core::compile::RuleSet;
use crossfoot_core::engine::ReportResult;
use crossfoot_core::engine::{Engine, ExitStatus, RunWarning, Tally};
use crossfoot_core::error::Error;
use crossfoot_core::files::{MAX_RULE_FILE_BYTES, read_source};
use crossfoot_core::files::{Staged, remove_stale};
use crossfoot_core::load::{load_rules, rule_files};
use crossfoot_core::record::{self, RecordDir, ReportResults, RunRecord};
use crossfoot_core::report::{InputFormat, Inputs};
use crossfoot_core::waiver::{self, Waivers};
use crossfoot_render::{
    Csv, CsvSink, Github, GithubSink, Html, HtmlSink, Human, HumanSink, Json, JsonSink, Junit,
    JunitSink, Listed, Nothing, Render, RunEnd, Sarif, SarifSink, Sink,
};
use crossfoot_syntax::date::Date;

/// `crossfoot check`: results on stdout (or the machine format in `--output`), problems
/// with the inputs on stderr.
pub fn check(args: &CheckArgs) -> io::Result<ExitStatus> {
    let mut err = io::stderr().lock();
    let colors = Colors {
        out: use_color(args.color, io::stdout().is_terminal()),
        err: use_color(args.color, io::stderr().is_terminal()),
    };
    let mut out = Pipe::new(super::stdout());
    let ran = run_check(args, colors, false, &mut out, &mut err)?;
    out.flush()?;
    if let (Some(path), Some(record)) = (&args.record, &ran.record) {
        let mut file = Staged::create(path)?;
        serde_json::to_writer_pretty(&mut file, record).map_err(io::Error::other)?;
        file.write_all(b"\n")?;
        file.finish()?;
    }
    Ok(ran.status)
}

/// Whether each stream gets colour.
#[derive(Clone, Copy, Debug)]
pub(super) struct Colors {
    pub out: bool,
    pub err: bool,
}

/// What a check run came to: its exit status, every report's results when they were
/// asked for, and with `--record`, its record.
pub(super) struct Ran {
    pub status: ExitStatus,
    pub results: Option<Vec<ReportResults>>,
    pub record: Option<RunRecord>,
}

/// The whole of `check`, writing to the given streams; with `collect`, every report's
/// results are kept (as `--record` keeps them).
pub(super) fn run_check(
    args: &CheckArgs,
    colors: Colors,
    collect: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Ran> {
    let problems = Human::new(colors.err, false);
    let deny_warnings = args.deny == Some(Deny::Warnings);
    let failed = |status| Ran {
        status,
        results: None,
        record: None,
    };
    if let Some(problem) = super::misordered("check", &args.rules, &args.reports) {
        write_problems(&problems, &[problem], err)?;
        return Ok(failed(ExitStatus::Error));
    }
    let waivers_path = waivers_path(args);
    // Nothing is read or written before what is written is known to be no input, and a
    // record to name only files below its own directory.
    if let Some(problem) = output::refused(args, waivers_path.as_deref()) {
        writeln!(err, "error: {problem}")?;
        return Ok(failed(ExitStatus::Error));
    }
    let names = match &args.record {
        Some(record) => match recordable(args, record, waivers_path.as_deref()) {
            Ok(names) => Some(names),
            Err(problem) => {
                writeln!(err, "error: --record {}: {problem}", record.display())?;
                return Ok(failed(ExitStatus::Error));
            }
        },
        None => None,
    };
    for path in [&args.output, &args.record].into_iter().flatten() {
        remove_stale(path)?;
    }
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
            stopped(args, &args.rules, errors, out)?;
            return Ok(failed(ExitStatus::Error));
        }
    };
    if rules.rules().is_empty() {
        // A run that checks nothing must not pass: the path is most likely the wrong one.
        writeln!(
            err,
            "error: {} holds no rules; nothing would be checked",
            args.rules.display()
        )?;
        return Ok(failed(ExitStatus::Error));
    }
    let pack = match crossfoot_core::pack::find(&args.rules) {
        Ok(pack) => pack,
        Err(error) => {
            write_problems(&problems, &[Error::from(error)], err)?;
            return Ok(failed(ExitStatus::Error));
        }
    };
    let today = args.today.unwrap_or_else(Date::today);
    let waivers = match load_waivers(waivers_path.as_deref(), &rules, today) {
        Ok(waivers) => waivers,
        Err(errors) => {
            write_problems(&problems, &errors, err)?;
            if let Some(path) = &waivers_path {
                stopped(args, path, errors, out)?;
            }
            return Ok(failed(ExitStatus::Error));
        }
    };
    if let Some(problem) = super::prior_from_stdin(&args.prior) {
        writeln!(err, "error: {problem}")?;
        return Ok(failed(ExitStatus::Error));
    }
    // A column map that cannot be used stops the run before any report is read.
    let input_format = args.input_format.map(InputFormat::from);
    if let Err(error) = args.reading.column_map(&args.reports, input_format) {
        write_problems(&problems, &[error], err)?;
        return Ok(failed(ExitStatus::Error));
    }
    let priors = match super::read_reports(&rules, &args.prior, None, None, usize::MAX, None) {
        Ok(picked) => picked.reports,
        Err(errors) => {
            write_problems(&problems, &errors, err)?;
            return Ok(failed(ExitStatus::Error));
        }
    };
    if !args.prior.is_empty() && !rules.reads_prior() {
        writeln!(
            err,
            "warning: --prior is given, but no rule reads the previous report (`prior(…)`)"
        )?;
    }
    let (pack, pack_path) = pack.unzip();
    let engine = Engine::new(rules)
        .with_waivers(waivers)
        .with_priors(&priors)
        .with_pack(pack)
        .assuming(args.reading.assumed());
    let collect = collect || names.is_some();
    let (status, results) = run_reports(args, colors, &engine, collect, out, err)?;
    let record = match (&names, &results) {
        (Some(names), Some(collected)) => {
            let read = (waivers_path.as_deref(), pack_path.as_deref());
            match make_record(args, names, read, engine.pack(), today, status, collected) {
                Ok(record) => Some(record),
                Err(problem) => {
                    writeln!(err, "error: --record: no record written: {problem}")?;
                    return Ok(Ran {
                        status: ExitStatus::Error,
                        results,
                        record: None,
                    });
                }
            }
        }
        _ => None,
    };
    Ok(Ran {
        status,
        results,
        record,
    })
}

/// A run that stops before any report because `input` (the rules, the waivers) cannot be
/// used: with `--format json` or `jsonl` on standard output, the document is printed all
/// the same, its problem under `errors`, so a program reading it gets JSON, not nothing.
/// (A file named with `--output` is not written: a run that stops leaves none.)
fn stopped(
    args: &CheckArgs,
    input: &Path,
    errors: Vec<Error>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let lines = match args.format {
        Format::Json => false,
        Format::Jsonl => true,
        _ => return Ok(()),
    };
    if args.output.is_some() {
        return Ok(());
    }
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let mut sink = JsonSink::new(out, lines);
    sink.input_problem(&input.display().to_string(), &messages.join("; "))?;
    sink.finish(&RunEnd {
        totals: crossfoot_core::engine::Totals::default(),
        warnings: &[],
    })
}

/// Check every report and feed the outputs; the exit status, and every report's results
/// when a record is asked for.
fn run_reports(
    args: &CheckArgs,
    colors: Colors,
    engine: &Engine,
    collect: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<(ExitStatus, Option<Vec<ReportResults>>)> {
    let mut file = args.output.as_deref().map(Staged::create).transpose()?;
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
    let ran = feed(
        args,
        colors,
        engine,
        collect,
        human_out,
        machine_out,
        err,
        &mut nowhere_err,
    )?;
    // Only a run that got to its end puts its file in place.
    if let Some(file) = file {
        file.finish()?;
    }
    Ok(ran)
}

/// [`run_reports`] once its streams are chosen.
#[allow(clippy::too_many_arguments, reason = "the streams of one run")]
fn feed(
    args: &CheckArgs,
    colors: Colors,
    engine: &Engine,
    collect: bool,
    human_out: &mut dyn Write,
    machine_out: &mut dyn Write,
    err: &mut dyn Write,
    nowhere_err: &mut dyn Write,
) -> io::Result<(ExitStatus, Option<Vec<ReportResults>>)> {
    let problems = Human::new(colors.err, false);
    let deny_warnings = args.deny == Some(Deny::Warnings);
    let input_format = args.input_format.map(InputFormat::from);
    let human = Human::new(colors.out, args.verbose);
    let mut human_sink = HumanSink::new(human, engine, deny_warnings, human_out, err);
    let (render, mut machine) = match machine(args, engine, deny_warnings, machine_out, nowhere_err)
    {
        Some((render, sink)) => (render, Some(sink)),
        None => (Box::new(Nothing) as Box<dyn Render + '_>, None),
    };
    let mut tally = Tally::new(engine, deny_warnings);
    let mut results = collect.then(Vec::new);
    // Read and checked before the run began.
    let map = args
        .reading
        .column_map(&args.reports, input_format)
        .ok()
        .flatten();
    let inputs = args.reading.apply(
        Inputs::new(engine.rules(), args.reports.clone(), input_format),
        map,
    );
    let render_one = |result: &ReportResult, bytes: &mut Vec<u8>| render.render(result, bytes);
    engine.check_rendered(inputs, &render_one, |checked| -> io::Result<()> {
        match checked {
            Ok((result, rendered)) => {
                tally.add(result);
                human_sink.report(result, &[])?;
                if let Some(machine) = &mut machine {
                    machine.report(result, rendered)?;
                }
                if let Some(results) = &mut results {
                    results.push(ReportResults::of(engine.rules(), result));
                }
            }
            Err(unreadable) => {
                tally.add_unreadable(unreadable);
                human_sink.problems(&problems, &unreadable.errors)?;
                human_sink.unreadable(unreadable)?;
                if let Some(machine) = &mut machine {
                    machine.unreadable(unreadable)?;
                }
            }
        }
        Ok(())
    })?;
    let totals = tally.totals;
    let warnings = tally.warnings();
    let end = RunEnd {
        totals,
        warnings: &warnings,
    };
    // Even a run that read nothing ends its document, so a machine output always parses.
    if let Some(machine) = &mut machine {
        machine.finish(&end)?;
    }
    if totals.reports == 0 && totals.unreadable == 0 {
        human_sink.say("error: no reports were read")?;
        return Ok((ExitStatus::Error, results));
    }
    human_sink.finish(&end)?;
    for warning in warnings {
        match warning {
            RunWarning::Waiver(error) => human_sink.problems(&problems, &[error])?,
            other => human_sink.say(&format!(
                "warning: {}",
                crossfoot_render::warning_text(&other)
            ))?,
        }
    }
    Ok((tally.finish(), results))
}

/// The output `--format` names, when it is not the human output on stdout: what renders
/// each report on the workers and what writes them in order. For `--format human
/// --output FILE`, the human text without colour.
fn machine<'a>(
    args: &CheckArgs,
    engine: &'a Engine,
    deny_warnings: bool,
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
) -> Option<(Box<dyn Render + 'a>, Box<dyn Sink + 'a>)> {
    let listed = match args.results {
        Results::All => Listed::All,
        Results::Failing => Listed::Failing,
    };
    Some(match args.format {
        Format::Json => (
            Box::new(Json::new(engine, listed, deny_warnings)),
            Box::new(JsonSink::new(out, false)),
        ),
        Format::Jsonl => (
            Box::new(Json::new(engine, listed, deny_warnings)),
            Box::new(JsonSink::new(out, true)),
        ),
        Format::Sarif => (
            Box::new(Sarif::new(engine, deny_warnings)),
            Box::new(SarifSink::new(engine, out)),
        ),
        Format::Junit => (
            Box::new(Junit::new(engine, deny_warnings)),
            Box::new(JunitSink::new(out)),
        ),
        Format::Github => (
            Box::new(Github::new(engine, deny_warnings)),
            Box::new(GithubSink::new(out)),
        ),
        Format::Csv => (Box::new(Csv::new(engine)), Box::new(CsvSink::new(out))),
        Format::Html => (
            Box::new(Html::new(engine, listed, deny_warnings)),
            Box::new(HtmlSink::new(Html::new(engine, listed, deny_warnings), out)),
        ),
        Format::Human if args.output.is_some() => {
            let plain = Human::new(false, args.verbose);
            (
                Box::new(Nothing),
                Box::new(HumanSink::new(plain, engine, deny_warnings, out, err)),
            )
        }
        Format::Human => return None,
    })
}

/// `--waivers`, or `waivers.yaml` beside the rules when there is one. One that is there
/// but is not a file to read (a FIFO, a directory, a broken link) is named all the same,
/// so reading it says why rather than the run going on without waivers.
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
    std::fs::symlink_metadata(&beside).is_ok().then_some(beside)
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
    let source = read_source(path, MAX_RULE_FILE_BYTES).map_err(|e| vec![e.into()])?;
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

/// How a record names the run's files: each input as given, and the same relative to the
/// record's directory.
pub(super) struct RecordNames {
    /// (the path as given, its name in the record), longest first.
    inputs: Vec<(String, String)>,
}

impl RecordNames {
    /// The record's name for a file read through one of the inputs (the input itself, or a
    /// file under an input directory); its path as given otherwise.
    fn file(&self, path: &str) -> String {
        for (given, recorded) in &self.inputs {
            let Some(rest) = path.strip_prefix(given.as_str()) else {
                continue;
            };
            if rest.is_empty() {
                return recorded.clone();
            }
            let separated = given.ends_with('/') || rest.starts_with('/');
            if separated {
                return format!("{recorded}/{}", rest.trim_start_matches('/'));
            }
        }
        path.to_owned()
    }
}

/// Whether the run can be recorded: no report from standard input, no `--prior` yet, and
/// every input below the record's directory (so the record names it relative to that
/// directory, and `verify-record` reads nothing outside it). Decided before anything is
/// read.
fn recordable(
    args: &CheckArgs,
    record: &Path,
    waivers: Option<&Path>,
) -> Result<RecordNames, String> {
    if !args.prior.is_empty() {
        return Err(
            "a record does not yet keep --prior reports; give the previous reports among the reports checked"
                .to_owned(),
        );
    }
    if args.reports.iter().any(|p| p.as_os_str() == "-") {
        return Err(
            "a record needs report files it can hash again; standard input cannot be".to_owned(),
        );
    }
    let dir = RecordDir::of(record)?;
    let mut inputs = Vec::new();
    // The rule set's `pack.yaml`, when it has one, is hashed too: beside a rules file, it
    // is not under the rules input.
    let pack = crossfoot_core::pack::path_for(&args.rules).filter(|path| path.is_file());
    let given = std::iter::once(args.rules.as_path())
        .chain(args.reports.iter().map(PathBuf::as_path))
        .chain(waivers)
        .chain(pack.as_deref());
    for path in given {
        let name = dir.name(path)?;
        let shown = path.to_str().ok_or_else(|| {
            format!(
                "`{}` is not UTF-8; a record names its files in UTF-8, so rename it",
                path.display()
            )
        })?;
        inputs.push((shown.to_owned(), name));
    }
    inputs.sort_by_key(|(given, _)| std::cmp::Reverse(given.len()));
    Ok(RecordNames { inputs })
}

/// The record of a finished run, its files named relative to the record's directory; why
/// not, when a file it read can no longer be hashed. `read` holds the waivers file and the
/// pack file, when there were some.
fn make_record(
    args: &CheckArgs,
    names: &RecordNames,
    read: (Option<&Path>, Option<&Path>),
    pack: Option<&crossfoot_core::pack::Pack>,
    today: Date,
    status: ExitStatus,
    results: &[ReportResults],
) -> Result<RunRecord, String> {
    let (waivers, pack_file) = read;
    let rule_files = rule_files(&args.rules).map_err(|e| e.to_string())?;
    let mut files = record::files_read(&rule_files, &args.reports, waivers);
    files.extend(pack_file.map(|path| (path.to_path_buf(), "pack")));
    files.extend(args.reading.map.clone().map(|path| (path, "map")));
    let name = |path: &Path| names.file(&path.display().to_string());
    let files = record::digests(&files, name).map_err(|e| e.to_string())?;
    let results = results
        .iter()
        .map(|result| ReportResults {
            report: names.file(&result.report),
            ..result.clone()
        })
        .collect();
    Ok(RunRecord {
        crossfoot: env!("CARGO_PKG_VERSION").to_owned(),
        pack: pack.cloned(),
        time: Date::now_utc(),
        today: today.to_string(),
        inputs: record::Inputs {
            rules: name(&args.rules),
            reports: args.reports.iter().map(|p| name(p)).collect(),
            waivers: waivers.map(name),
            input_format: args
                .input_format
                .map(|f| format!("{f:?}").to_ascii_lowercase()),
            deny_warnings: args.deny == Some(Deny::Warnings),
            as_of: args.reading.as_of.map(|date| date.to_string()),
            firm: args.reading.firm.clone(),
            sheet: args.reading.sheet.clone(),
            map: args.reading.map.as_deref().map(name),
        },
        files,
        exit: status as u8,
        results,
    })
}
