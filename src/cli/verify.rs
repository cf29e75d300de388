//! `crossfoot verify-record`: does a run record still hold? Every file it names is hashed
//! again, and the check is run again on the recorded day; both must match.

use std::io::{self, Write};
use std::path::PathBuf;

use super::check::{Colors, run_check};
use super::{CheckArgs, Color, Deny, ExitStatus, Format, InputFormatArg, Results, VerifyArgs};
use crate::load::{MAX_REPORT_BYTES, read_source};
use crate::record::{RunRecord, Verification, compare_files, compare_results};

/// `crossfoot verify-record FILE`: exit 0 when the record matches, 1 when it does not, 2
/// when it cannot be read.
pub fn verify_record(args: &VerifyArgs) -> io::Result<ExitStatus> {
    let mut out = io::stdout().lock();
    let mut err = io::stderr().lock();
    let record = match read_record(&args.record) {
        Ok(record) => record,
        Err(message) => {
            writeln!(err, "error: {}: {message}", args.record.display())?;
            return Ok(ExitStatus::Error);
        }
    };
    let mut verification = Verification::default();
    compare_files(&record.files, &mut verification);
    let check_args = match check_args(&record) {
        Ok(check_args) => check_args,
        Err(message) => {
            writeln!(err, "error: {}: {message}", args.record.display())?;
            return Ok(ExitStatus::Error);
        }
    };
    let colors = Colors {
        out: false,
        err: false,
    };
    let mut problems = Vec::new();
    let ran = run_check(&check_args, colors, &mut io::sink(), &mut problems)?;
    match &ran.record {
        Some(now) => {
            compare_results(&record.results, &now.results, &mut verification);
            if now.exit != record.exit {
                verification.results.push((
                    "(the run)".to_owned(),
                    format!("exit status was {}, is {}", record.exit, now.exit),
                ));
            }
        }
        None => verification.results.push((
            "(the run)".to_owned(),
            format!(
                "the check can no longer run:\n{}",
                String::from_utf8_lossy(&problems).trim_end()
            ),
        )),
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
    serde_json::from_str(source.text()).map_err(|e| format!("not a run record: {e}"))
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
        // Recording again gives the results to compare; nothing is written.
        record: Some(PathBuf::new()),
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
        record.time, record.crossfoot, record.today
    )?;
    for (path, what) in &verification.files {
        writeln!(out, "  {path}: {what}")?;
    }
    for (report, what) in &verification.results {
        writeln!(out, "  {report}: {what}")?;
    }
    let reports = record.results.len();
    if verification.matches() {
        writeln!(
            out,
            "ok: the record matches: {} file{} unchanged, the same results on {reports} report{}",
            verification.unchanged,
            crate::engine::plural(verification.unchanged),
            if reports == 1 { "" } else { "s" }
        )
    } else {
        writeln!(
            out,
            "MISMATCH: {} file{} changed or missing, {} result{} {}",
            verification.files.len(),
            crate::engine::plural(verification.files.len()),
            verification.results.len(),
            crate::engine::plural(verification.results.len()),
            if verification.results.len() == 1 {
                "differs"
            } else {
                "differ"
            }
        )
    }
}
