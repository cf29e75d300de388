//! Results → what a person or a program reads: the human diagnostics and summary, JSON,
//! JSON Lines, SARIF, JUnit, GitHub workflow commands, a CSV table of violations, an HTML
//! view of the reports' pages, and the explanation of one rule.
//!
//! Every output of `check` has two halves. A [`Render`] turns one report's results into
//! bytes on the worker that checked the report, so the heavy part of a large output runs
//! on every core. A [`Sink`] gets each report's results and bytes in input order, writes
//! them (with whatever goes between and around them), and ends the output once the run's
//! totals and warnings are known. Nothing holds more than one report at a time, except
//! what an output must say at its end (JSON's `errors`, SARIF's notifications).

pub mod book;
mod coverage;
mod csv;
mod diff;
mod excerpt;
mod explain;
mod findings;
mod github;
mod html;
mod human;
mod json;
mod junit;
mod sarif;
pub mod text;
mod warning;

use std::io;

pub use self::csv::{Csv, CsvSink};
pub use coverage::coverage_text;
pub use diff::{MAX_MARKDOWN_FLIPS, changes_markdown, changes_text, diff_markdown, diff_text};
pub use explain::explain;
pub use findings::{Finding, findings};
pub use github::{Github, GithubSink};
pub use html::{Html, HtmlSink, MAX_HTML_DETAILED};
pub use human::{Human, HumanSink, MAX_DETAILED_REPORTS, totals_line};
pub use json::{
    Json, JsonBand, JsonLine, JsonOutput, JsonPrior, JsonProblem, JsonReport, JsonResult,
    JsonRootCause, JsonSink, JsonSource, JsonSummary, JsonWaiver, Listed, json_report,
};
pub use junit::{Junit, JunitSink, TestCase, test_junit};
pub use sarif::{Sarif, SarifSink};
pub use warning::warning_text;

use crossfoot_core::engine::{ReportResult, RunWarning, Totals};
use crossfoot_core::report::Unreadable;

/// What an output writes for one report, made on a worker thread.
pub trait Render: Sync {
    /// Append the bytes for `result` to `out` (nothing, for an output that says nothing
    /// about this report).
    fn render(&self, result: &ReportResult, out: &mut Vec<u8>);
}

/// What an output must hold until its end (JSON's `errors`, SARIF's notifications): in
/// memory up to [`Held::MEMORY`] bytes, then in a temporary file, so a run with a million
/// unreadable rows holds them in bounded memory.
#[derive(Debug, Default)]
pub struct Held {
    memory: Vec<u8>,
    file: Option<std::io::BufWriter<std::fs::File>>,
    entries: usize,
}

impl Held {
    /// How much is held in memory before the rest goes to a file.
    pub const MEMORY: usize = 1 << 20;

    /// Hold one entry (entries are written back with `separator` between them).
    pub fn push(&mut self, entry: &[u8], separator: &[u8]) -> io::Result<()> {
        if self.entries > 0 {
            self.write(separator)?;
        }
        self.entries += 1;
        self.write(entry)
    }

    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        use std::io::Write;
        if let Some(file) = &mut self.file {
            return file.write_all(bytes);
        }
        self.memory.extend_from_slice(bytes);
        if self.memory.len() > Self::MEMORY {
            let mut file = std::io::BufWriter::new(spill_file()?);
            file.write_all(&self.memory)?;
            self.memory = Vec::new();
            self.file = Some(file);
        }
        Ok(())
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.entries == 0
    }

    /// Write everything held to `out`, in the order it came.
    pub fn write_to(&mut self, out: &mut dyn std::io::Write) -> io::Result<()> {
        use std::io::Seek;
        out.write_all(&self.memory)?;
        if let Some(file) = self.file.take() {
            let mut file = file
                .into_inner()
                .map_err(std::io::IntoInnerError::into_error)?;
            file.seek(std::io::SeekFrom::Start(0))?;
            std::io::copy(&mut file, out)?;
        }
        Ok(())
    }
}

/// A temporary file no other process sees: created new, removed at once (on Unix the open
/// handle keeps it until it is closed; elsewhere it is removed when the run ends).
fn spill_file() -> io::Result<std::fs::File> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let name = format!(
        "crossfoot-{}-{}.held",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let path = std::env::temp_dir().join(name);
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)?;
    if cfg!(unix) {
        std::fs::remove_file(&path)?;
    }
    Ok(file)
}

/// Renders nothing: for outputs that write on the caller's thread only.
#[derive(Clone, Copy, Debug, Default)]
pub struct Nothing;

impl Render for Nothing {
    fn render(&self, _result: &ReportResult, _out: &mut Vec<u8>) {}
}

/// How a run ended, for the outputs that say so at their end.
#[derive(Debug)]
pub struct RunEnd<'a> {
    /// The totals.
    pub totals: Totals,
    /// The warnings about the run (waivers, undated reports).
    pub warnings: &'a [RunWarning],
}

/// An output of `check`, fed one report at a time, in input order.
pub trait Sink {
    /// A report's results, and what the output's [`Render`] made of them.
    fn report(&mut self, result: &ReportResult, rendered: &[u8]) -> io::Result<()>;
    /// An input that could not be read.
    fn unreadable(&mut self, unreadable: &Unreadable) -> io::Result<()>;
    /// The end of the run.
    fn finish(&mut self, end: &RunEnd<'_>) -> io::Result<()>;
}
