//! `crossfoot verify-record`: does a run record still hold? Every file it names is hashed
//! again, and the check is run again on the recorded day; both must match.
//!
//! A record may come from anywhere (a pull request in CI), so it is confined to its own
//! directory: every path it names must be relative, without `..`, and must not lead out
//! through a link, or nothing is read at all. The paths are read from the record's
//! directory, wherever the command is run from. What is printed is whether each file and
//! each result matches, never what a file holds.

use std::io::{self, Write};
use std::path::PathBuf;

use super::check::{Colors, run_check};
use super::{
    CheckArgs, Color, Deny, ExitStatus, Format, InputFormatArg, ReadingArgs, Results, VerifyArgs,
};
use crossfoot_core::files::{MAX_REPORT_BYTES, read_source};
use crossfoot_core::record::{RecordDir, RunRecord, Verification, compare_files, compare_results};
use crossfoot_render::text::terminal;

/// `crossfoot verify-record FILE`: exit 0 when the record matches, 1 when it does not, 2
/// when it cannot be read or names a file outside its directory.
pub fn verify_record(args: &VerifyArgs) -> io::Result<ExitStatus> {
    let mut out = io::stdout().lock();
    let mut err = io::stderr().lock();
    let shown = args.record.display().to_string();
    let refuse = |err: &mut dyn Write, message: &str| -> io::Result<ExitStatus> {
        writeln!(err, "error: {}: {}", terminal(&shown), terminal(message))?;
        Ok(ExitStatus::Error)
    };
    let record = match read_record(&args.record) {
        Ok(record) => record,
        Err(message) => return refuse(&mut err, &message),
    };
    let dir = match RecordDir::of(&args.record) {
        Ok(dir) => dir,
        Err(message) => return refuse(&mut err, &message),
    };
    // Every path is checked before any file is opened.
    let named = std::iter::once(&record.inputs.rules)
        .chain(&record.inputs.reports)
        .chain(&record.inputs.waivers)
        .chain(record.files.iter().map(|file| &file.path));
    let mut refused: Vec<String> = Vec::new();
    for message in named.filter_map(|path| dir.confine(path).err()) {
        if !refused.contains(&message) {
            refused.push(message);
        }
    }
    if !refused.is_empty() {
        for message in &refused {
            refuse(&mut err, message)?;
        }
        return Ok(ExitStatus::Error);
    }
    let check_args = match check_args(&record) {
        Ok(check_args) => check_args,
        Err(message) => return refuse(&mut err, &message),
    };
    // The record's paths are relative to its directory: read them from there.
    if let Err(error) = std::env::set_current_dir(dir.dir()) {
        let message = format!(
            "cannot go to the record's directory `{}`: {}",
            dir.dir().display(),
            crossfoot_core::files::reason(&error)
        );
        return refuse(&mut err, &message);
    }
    let mut verification = Verification::default();
    compare_files(&record.files, &mut verification);
    let colors = Colors {
        out: false,
        err: false,
    };
    // What the re-run says about the files is not shown: it could quote them.
    let ran = run_check(&check_args, colors, true, &mut io::sink(), &mut io::sink())?;
    match &ran.results {
        Some(now) => compare_results(&record.results, now, &mut verification),
        None => verification.results.push((
            "(the run)".to_owned(),
            "the check can no longer run on the recorded inputs; `crossfoot check` on them says why"
                .to_owned(),
        )),
    }
    if ran.status as u8 != record.exit {
        verification.results.push((
            "(the run)".to_owned(),
            format!("exit status was {}, is {}", record.exit, ran.status as u8),
        ));
    }
    write_verification(&record, &verification, &mut out)?;
    Ok(if verification.matches() {
        ExitStatus::Pass
    } else {
        ExitStatus::Fail
    })
}

fn read_record(path: &std::path::Path) -> Result<RunRecord, String> {
    let source = read_source(path, MAX_REPORT_BYTES).map_err(|e| e.to_string())?;
    // serde's message quotes the record's own text; the place is enough.
    serde_json::from_str(source.text()).map_err(|e| {
        format!(
            "not a run record (line {}, column {}: {})",
            e.line(),
            e.column(),
            match e.classify() {
                serde_json::error::Category::Io => "cannot be read",
                serde_json::error::Category::Syntax => "not JSON",
                serde_json::error::Category::Data => "not the fields of a record",
                serde_json::error::Category::Eof => "it ends too soon",
            }
        )
    })
}

/// The `check` arguments the record was made with.
fn check_args(record: &RunRecord) -> Result<CheckArgs, String> {
    let today = record
        .today
        .parse()
        .map_err(|e| format!("`today` {}: {e}", record.today))?;
    let input_format = match record.inputs.input_format.as_deref() {
        None => None,
        Some("yaml") => Some(InputFormatArg::Yaml),
        Some("json") => Some(InputFormatArg::Json),
        Some("jsonl") => Some(InputFormatArg::Jsonl),
        Some("csv") => Some(InputFormatArg::Csv),
        Some(other) => return Err(format!("unknown input format `{other}`")),
    };
    Ok(CheckArgs {
        rules: PathBuf::from(&record.inputs.rules),
        reports: record.inputs.reports.iter().map(PathBuf::from).collect(),
        format: Format::Human,
        results: Results::All,
        color: Color::Never,
        deny: record.inputs.deny_warnings.then_some(Deny::Warnings),
        verbose: false,
        output: None,
        input_format,
        waivers: record.inputs.waivers.as_ref().map(PathBuf::from),
        prior: Vec::new(),
        today: Some(today),
        reading: ReadingArgs {
            as_of: match &record.inputs.as_of {
                Some(date) => Some(date.parse().map_err(|e| format!("`as_of` {date}: {e}"))?),
                None => None,
            },
            firm: record.inputs.firm.clone(),
            sheet: record.inputs.sheet.clone(),
            map: record.inputs.map.as_ref().map(PathBuf::from),
        },
        record: None,
    })
}

fn write_verification(
    record: &RunRecord,
    verification: &Verification,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(
        out,
        "record of {} (crossfoot {}, waivers judged on {})",
        terminal(&record.time),
        terminal(&record.crossfoot),
        terminal(&record.today)
    )?;
    for (path, what) in &verification.files {
        writeln!(out, "  {}: {}", terminal(path), terminal(what))?;
    }
    for (report, what) in &verification.results {
        writeln!(out, "  {}: {}", terminal(report), terminal(what))?;
    }
    let reports = record.results.len();
    if verification.matches() {
        writeln!(
            out,
            "ok: the record matches: {} file{} unchanged, the same results on {reports} report{}",
            verification.unchanged,
            crossfoot_core::engine::plural(verification.unchanged),
            if reports == 1 { "" } else { "s" }
        )
    } else {
        writeln!(
            out,
            "MISMATCH: {} file{} changed or missing, {} result{} {}",
            verification.files.len(),
            crossfoot_core::engine::plural(verification.files.len()),
            verification.results.len(),
            crossfoot_core::engine::plural(verification.results.len()),
            if verification.results.len() == 1 {
                "differs"
            } else {
                "differ"
            }
        )
    }
}
