//! Every report a run's inputs hold, as pieces of work ([`Job`]s) that read into rows on
//! any thread.
//!
//! A path may be a report file (YAML, or JSON of the same shape), a directory (every
//! `.yaml`/`.yml`/`.json` inside, recursively, sorted), a JSON Lines file (one report per
//! line), a CSV file (long: `line,amount` for one report; wide: `report_id` then one column
//! per line code, one row per report), or `-` for standard input. CSV and JSON Lines are
//! read in blocks that end at a record boundary, so a file of any length streams in
//! bounded memory and its blocks are parsed in parallel.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::map::ColumnMap;
use super::{
    FormatError, Meta, Place, Report, ReportError, Row, Spare, csv, jsonl, load_yaml_meta,
};
use crate::compile::RuleSet;
use crate::files::{FileError, MAX_REPORT_BYTES, read_source, text_of};
use crossfoot_syntax::source::Source;

/// How a report input is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    /// One report per YAML file.
    Yaml,
    /// One report per JSON file, the same shape as YAML.
    Json,
    /// One report per line of JSON.
    Jsonl,
    /// Long (`line,amount`) or wide (`report_id,7010,…`) CSV.
    Csv,
    /// A workbook (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`): a sheet laid out as the CSV
    /// forms are.
    Workbook,
}

impl InputFormat {
    /// The format a path's extension names: what decides, everywhere, whether a file is a
    /// report and how it is read (`check`, directories, `*.test.yaml`, `explain`, `diff`).
    pub fn of(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "yaml" | "yml" => Some(InputFormat::Yaml),
            "json" => Some(InputFormat::Json),
            "jsonl" | "ndjson" => Some(InputFormat::Jsonl),
            "csv" => Some(InputFormat::Csv),
            "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => Some(InputFormat::Workbook),
            _ => None,
        }
    }

    /// The format of a report file, or why it is not one: [`InputFormat::of`], with a
    /// diagnostic that says what to do with a spreadsheet workbook or a rule file.
    pub fn for_path(path: &Path) -> Result<Self, FormatError> {
        if let Some(format) = Self::of(path) {
            return Ok(format);
        }
        let name = path.display().to_string();
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        Err(match extension.as_deref() {
            Some("numbers") => FormatError::Numbers { path: name },
            _ => FormatError::Unknown { path: name },
        })
    }
}

/// A report that could not be read: where, and why.
#[derive(Debug)]
pub struct Unreadable {
    /// Which report: its file, and for a batch file its row or line (and id, when read).
    pub meta: Meta,
    /// The problems.
    pub errors: Vec<ReportError>,
}

impl Unreadable {
    /// One problem with one report (a row or line of a batch file, or a whole file).
    pub(super) fn batch(meta: Meta, message: String) -> Self {
        Unreadable {
            errors: vec![ReportError::Batch {
                report: meta.name(),
                message,
            }],
            meta,
        }
    }

    /// Problems with a whole file.
    pub(super) fn file(name: &str, errors: Vec<ReportError>) -> Self {
        Unreadable {
            meta: Meta::named(name),
            errors,
        }
    }

    /// How the report is named in messages: `reports.csv row 42 (R000041)`.
    pub fn name(&self) -> String {
        self.meta.name()
    }

    /// Every problem in one line, `; ` between them: what an output that gives each input
    /// one entry says of it.
    pub fn message(&self) -> String {
        let messages: Vec<String> = self.errors.iter().map(ToString::to_string).collect();
        messages.join("; ")
    }
}

/// Every report the inputs at `paths` hold, in order, each with the lines `rules` read:
/// what `explain` and `diff --reports` look at closely, read as `check` reads them, a
/// block at a time.
pub fn read_reports<'a>(
    rules: &'a RuleSet,
    paths: Vec<PathBuf>,
    format: Option<InputFormat>,
) -> impl Iterator<Item = Result<Report, Unreadable>> + 'a {
    read_inputs(rules, Inputs::new(rules, paths, format))
}

/// [`read_reports`] of inputs set up by the caller (the sheet of a workbook).
pub fn read_inputs<'a>(
    rules: &'a RuleSet,
    inputs: Inputs<'a>,
) -> impl Iterator<Item = Result<Report, Unreadable>> + 'a {
    let mut spare = Spare::default();
    inputs.flat_map(move |job| {
        let rows = job.read(rules, &mut spare);
        let reports: Vec<_> = rows
            .into_iter()
            .map(|row| row.map(|row| row.report(rules)))
            .collect();
        reports
    })
}

/// The one report the input at `path` holds, read as `check` reads it (any form
/// [`InputFormat::of`] names): what a whole-report test (`*.test.yaml`) checks. A file
/// that holds no report, or several, is an error.
pub fn read_one(rules: &RuleSet, path: &Path) -> Result<Report, Vec<ReportError>> {
    let mut reports = Vec::new();
    let mut errors = Vec::new();
    for read in read_reports(rules, vec![path.to_path_buf()], None) {
        match read {
            Ok(report) => reports.push(report),
            Err(unreadable) => errors.extend(unreadable.errors),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let count = reports.len();
    match (reports.pop(), count) {
        (Some(report), 1) => Ok(report),
        _ => Err(vec![ReportError::NotOne {
            path: path.display().to_string(),
            count,
        }]),
    }
}

/// A YAML or JSON report file, whatever its name (`--input-format yaml` or `json` said so).
pub fn read_report(path: &Path) -> Result<Report, Vec<ReportError>> {
    read_report_meta(path).map_err(|(_, errors)| errors)
}

/// [`read_report`], and for a report that cannot be used, what could be read of its firm
/// and date.
fn read_report_meta(path: &Path) -> Result<Report, (Meta, Vec<ReportError>)> {
    let name = path.display().to_string();
    let source = read_source(path, MAX_REPORT_BYTES)
        .map_err(|error| (Meta::named(name), vec![ReportError::from(error)]))?;
    // YAML 1.2 reads JSON, so one reader serves both.
    load_yaml_meta(&source)
}

/// Whether an input at `paths` may be read as one of `forms`: a directory may hold any
/// form; standard input is what `format` says; a file is what `format` or its extension
/// says. What tells whether `--sheet` or `--map` can apply to a run's inputs.
pub fn may_read(paths: &[PathBuf], format: Option<InputFormat>, forms: &[InputFormat]) -> bool {
    paths.iter().any(|path| {
        if path.is_dir() {
            return true;
        }
        let form = match format {
            Some(format) => Some(format),
            None if path == Path::new("-") => None,
            None => InputFormat::of(path),
        };
        form.is_some_and(|form| forms.contains(&form))
    })
}

/// Whether `wanted` (from `--report`) names a report: its `id`, or its place in its file
/// as the output writes it (`row 7`, `line 12`).
pub fn names(meta: &Meta, wanted: &str) -> bool {
    let place = match meta.place {
        Some(Place::Row(n)) => Some(format!("row {n}")),
        Some(Place::Line(n)) => Some(format!("line {n}")),
        None => None,
    };
    meta.id.as_deref() == Some(wanted) || place.as_deref() == Some(wanted)
}

/// The report files of a directory, recursively, sorted: every file [`InputFormat::of`]
/// calls a report (YAML, JSON, JSON Lines, CSV). What a directory given to `check`
/// stands for.
pub fn directory(path: &Path) -> Result<Vec<PathBuf>, FileError> {
    crate::files::files_under(path, |file| {
        // `~$july.xlsx`: the lock file a spreadsheet program keeps beside an open workbook.
        let lock = file
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| name.starts_with("~$"));
        !lock && InputFormat::of(file).is_some()
    })
}

/// A piece of input that reads into rows: a report file, a block of CSV rows or of JSON
/// Lines, or what could not be read. [`Inputs`] makes them and an
/// [`Engine`](crate::engine::Engine) reads and checks them; nothing else looks inside.
#[derive(Debug)]
pub struct Job(pub(super) Kind);

#[derive(Debug)]
pub(super) enum Kind {
    /// A YAML or JSON report file.
    File(PathBuf),
    /// A YAML or JSON report read from standard input.
    Text(Source),
    /// Rows of a wide CSV file.
    Csv(csv::Block),
    /// Lines of a JSON Lines file.
    Jsonl(jsonl::Block),
    /// Rows kept packed until every report of a run was read.
    Packed(super::kept::Packed),
    /// Read already, or could not be.
    Done(Vec<Result<Row, Unreadable>>),
}

impl Job {
    /// Read the reports the job holds, in order.
    /// Rows take their buffers from `spare` when it has some.
    pub(crate) fn read(self, rules: &RuleSet, spare: &mut Spare) -> Vec<Result<Row, Unreadable>> {
        match self.0 {
            Kind::File(path) => vec![
                read_report_meta(&path)
                    .map(|report| Row::of(rules, &report))
                    .map_err(|(meta, errors)| Unreadable { meta, errors }),
            ],
            Kind::Text(source) => vec![
                load_yaml_meta(&source)
                    .map(|report| Row::of(rules, &report))
                    .map_err(|(meta, errors)| Unreadable { meta, errors }),
            ],
            Kind::Csv(block) => block.read(rules, spare),
            Kind::Jsonl(block) => block.read(rules, spare),
            Kind::Packed(packed) => packed.read(spare),
            Kind::Done(rows) => rows,
        }
    }

    /// About how much work the job is, in bytes of input.
    pub(crate) fn size(&self) -> usize {
        match &self.0 {
            Kind::File(_) | Kind::Text(_) | Kind::Done(_) => 4096,
            Kind::Csv(block) => block.len(),
            Kind::Jsonl(block) => block.len(),
            Kind::Packed(packed) => packed.len(),
        }
    }

    fn failed(name: String, error: ReportError) -> Job {
        Job(Kind::Done(vec![Err(Unreadable::file(&name, vec![error]))]))
    }
}

#[cfg(test)]
impl Job {
    /// A job of one report that could not be read, named `name`: for tests of how jobs
    /// are worked, which need nothing read.
    pub(crate) fn named(name: &str) -> Job {
        Job(Kind::Done(vec![Err(Unreadable {
            meta: Meta::named(name),
            errors: Vec::new(),
        })]))
    }

    /// The names of the reports a job holds read already.
    pub(crate) fn names(&self) -> Vec<String> {
        match &self.0 {
            Kind::Done(rows) => rows
                .iter()
                .map(|row| match row {
                    Ok(row) => row.meta.source.to_string(),
                    Err(unreadable) => unreadable.meta.source.to_string(),
                })
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// The jobs of every input a run names, in order, one at a time.
pub struct Inputs<'a> {
    rules: &'a RuleSet,
    paths: std::vec::IntoIter<PathBuf>,
    format: Option<InputFormat>,
    /// The sheet of each workbook to read (`--sheet`); the first when `None`.
    sheet: Option<String>,
    /// The column map applied to wide CSV files and workbook sheets (`--map`).
    map: Option<Arc<ColumnMap>>,
    current: Box<dyn Iterator<Item = Job> + Send + 'a>,
}

impl<'a> Inputs<'a> {
    /// The inputs at `paths` (`-` is standard input), read for `rules`; `format` says what
    /// they hold when their extension does not (and for standard input).
    pub fn new(rules: &'a RuleSet, paths: Vec<PathBuf>, format: Option<InputFormat>) -> Self {
        Inputs {
            rules,
            paths: paths.into_iter(),
            format,
            sheet: None,
            map: None,
            current: Box::new(std::iter::empty()),
        }
    }

    /// The same inputs reading the sheet named `sheet` of each workbook (the first when
    /// `None`).
    pub fn with_sheet(mut self, sheet: Option<String>) -> Self {
        self.sheet = sheet;
        self
    }

    /// The same inputs with a column map for the headers of wide CSV files and workbook
    /// sheets.
    pub fn with_map(mut self, map: Option<Arc<ColumnMap>>) -> Self {
        self.map = map;
        self
    }

    /// The jobs of one path.
    fn jobs(&self, path: &Path) -> Box<dyn Iterator<Item = Job> + Send + 'a> {
        let name = path.display().to_string();
        let failed = |error: ReportError| -> Box<dyn Iterator<Item = Job> + Send + 'a> {
            Box::new(std::iter::once(Job::failed(
                path.display().to_string(),
                error,
            )))
        };
        if path == Path::new("-") {
            let Some(format) = self.format else {
                return failed(ReportError::StdinFormat { path: name });
            };
            return self.stream(Box::new(io::stdin()), name, format);
        }
        if path.is_dir() {
            let files = match directory(path) {
                Ok(files) => files,
                Err(error) => return failed(error.into()),
            };
            if files.is_empty() {
                return failed(ReportError::EmptyDirectory { path: name });
            }
            // Each file is read as its own extension says, whatever `--input-format` says
            // of the inputs named on the command line.
            let rules = self.rules;
            let reading = Reading {
                sheet: self.sheet.clone(),
                map: self.map.clone(),
            };
            return Box::new(files.into_iter().flat_map(move |file| {
                match InputFormat::for_path(&file) {
                    Ok(format) => file_jobs(rules, &file, format, &reading),
                    Err(error) => Box::new(std::iter::once(Job::failed(
                        file.display().to_string(),
                        error.into(),
                    ))),
                }
            }));
        }
        let format = match self.format {
            Some(format) => format,
            None => match InputFormat::for_path(path) {
                Ok(format) => format,
                Err(error) => return failed(error.into()),
            },
        };
        let reading = Reading {
            sheet: self.sheet.clone(),
            map: self.map.clone(),
        };
        file_jobs(self.rules, path, format, &reading)
    }

    /// The jobs of a stream in `format`.
    fn stream(
        &self,
        reader: Box<dyn Read + Send>,
        name: String,
        format: InputFormat,
    ) -> Box<dyn Iterator<Item = Job> + Send + 'a> {
        stream(self.rules, reader, name, format, self.map.as_deref())
    }
}

/// How files are read beyond their format: the sheet of a workbook, a column map.
#[derive(Clone, Default)]
struct Reading {
    #[cfg_attr(
        not(feature = "workbook"),
        expect(dead_code, reason = "only the workbook reader reads sheets")
    )]
    sheet: Option<String>,
    map: Option<Arc<ColumnMap>>,
}

/// The jobs of one report file in `format`.
fn file_jobs<'a>(
    rules: &'a RuleSet,
    path: &Path,
    format: InputFormat,
    reading: &Reading,
) -> Box<dyn Iterator<Item = Job> + Send + 'a> {
    let map = reading.map.as_deref();
    match format {
        #[cfg(feature = "workbook")]
        InputFormat::Workbook => match super::workbook::read(path, reading.sheet.as_deref(), map) {
            Ok(read) => csv::jobs(
                read.reader,
                path.display().to_string(),
                rules,
                Some(read.sheet),
                map,
            ),
            Err(error) => Box::new(std::iter::once(Job::failed(
                path.display().to_string(),
                *error,
            ))),
        },
        #[cfg(not(feature = "workbook"))]
        InputFormat::Workbook => Box::new(std::iter::once(Job::failed(
            path.display().to_string(),
            ReportError::NotAWorkbook {
                path: path.display().to_string(),
                reason:
                    "this build of crossfoot reads no workbooks (its `workbook` feature is off)"
                        .to_owned(),
            },
        ))),
        InputFormat::Yaml | InputFormat::Json => {
            Box::new(std::iter::once(Job(Kind::File(path.to_path_buf()))))
        }
        InputFormat::Jsonl | InputFormat::Csv => match open(path) {
            Ok(file) => stream(
                rules,
                Box::new(file),
                path.display().to_string(),
                format,
                map,
            ),
            Err(error) => Box::new(std::iter::once(Job::failed(
                path.display().to_string(),
                error.into(),
            ))),
        },
    }
}

/// The jobs of a stream in `format`.
fn stream<'a>(
    rules: &'a RuleSet,
    reader: Box<dyn Read + Send>,
    name: String,
    format: InputFormat,
    map: Option<&ColumnMap>,
) -> Box<dyn Iterator<Item = Job> + Send + 'a> {
    match format {
        InputFormat::Csv => csv::jobs(reader, name, rules, None, map),
        InputFormat::Workbook => Box::new(std::iter::once(Job::failed(
            name.clone(),
            ReportError::Workbook {
                path: name,
                message: "a workbook is read from a file, not from standard input".to_owned(),
            },
        ))),
        InputFormat::Jsonl => Box::new(jsonl::Blocks::new(reader, name)),
        InputFormat::Yaml | InputFormat::Json => {
            let mut bytes = Vec::new();
            let read = reader.take(MAX_REPORT_BYTES + 1).read_to_end(&mut bytes);
            let job = match read {
                Err(error) => Job::failed(name.clone(), FileError::Io { path: name, error }.into()),
                Ok(_) => match text_of(bytes, &name, MAX_REPORT_BYTES, 0) {
                    Ok(text) => Job(Kind::Text(Source::new(name, text))),
                    Err(error) => Job::failed(name, error.into()),
                },
            };
            Box::new(std::iter::once(job))
        }
    }
}

impl Iterator for Inputs<'_> {
    type Item = Job;

    fn next(&mut self) -> Option<Job> {
        loop {
            if let Some(job) = self.current.next() {
                return Some(job);
            }
            let path = self.paths.next()?;
            self.current = self.jobs(&path);
        }
    }
}

/// Open a batch file for reading, refusing what is not a regular file (a FIFO would block).
fn open(path: &Path) -> Result<File, FileError> {
    crate::files::open_regular(path)
}

/// The size of a block of a batch file read at once.
pub(super) const BLOCK: usize = 64 * 1024;

/// The longest record (a CSV row, a JSON line) a batch file may have.
pub(super) const MAX_RECORD: usize = 4 * 1024 * 1024;

/// Where records end in a batch file's bytes.
pub(super) trait Boundaries {
    /// Scan `bytes` (which continue what was scanned before): the end of the last complete
    /// record in them, if any, and how many records (as the file's reader numbers them)
    /// they complete.
    fn scan(&mut self, bytes: &[u8]) -> (Option<usize>, usize);
}

/// Block buffers given back once their records are read, for the next blocks: a stream
/// of any length is read through a few buffers.
#[derive(Debug, Default)]
pub(super) struct Buffers(Mutex<Vec<Vec<u8>>>);

impl Buffers {
    /// An empty buffer, reused when one was given back.
    fn take(&self) -> Vec<u8> {
        let reused = self.0.lock().ok().and_then(|mut kept| kept.pop());
        let mut buffer = reused.unwrap_or_default();
        buffer.clear();
        buffer
    }

    /// Give a buffer back (a few are kept; the rest are freed).
    pub(super) fn give(&self, buffer: Vec<u8>) {
        if let Ok(mut kept) = self.0.lock() {
            if kept.len() < 64 {
                kept.push(buffer);
            }
        }
    }
}

/// A stream cut into blocks of whole records, each about [`BLOCK`] bytes.
pub(super) struct Cutter<R, B> {
    reader: R,
    boundaries: B,
    buffers: Arc<Buffers>,
    buffer: Vec<u8>,
    /// How much of `buffer` has been scanned.
    scanned: usize,
    /// The end of the last complete record in `buffer`.
    cut: usize,
    /// How many records end before `cut` (none ends between `cut` and `scanned`).
    records: usize,
    done: bool,
    /// Why a read failed, said once the whole records read before it are handed on.
    failed: Option<String>,
    /// Whether anything has been read yet (a leading byte-order mark is dropped).
    started: bool,
}

/// One block: its bytes, and how many records it completes.
pub(super) struct Piece {
    pub bytes: Vec<u8>,
    pub records: usize,
}

impl<R: Read, B: Boundaries> Cutter<R, B> {
    pub(super) fn new(reader: R, boundaries: B) -> Self {
        Cutter {
            reader,
            boundaries,
            buffers: Arc::default(),
            buffer: Vec::new(),
            scanned: 0,
            cut: 0,
            records: 0,
            done: false,
            failed: None,
            started: false,
        }
    }

    /// The next block of whole records (the last may lack its line end); `None` at the
    /// end; an error for a read that failed or a record longer than [`MAX_RECORD`], after
    /// which the stream ends. The whole records read before a read failed come first.
    pub(super) fn next_piece(&mut self) -> Option<Result<Piece, String>> {
        loop {
            if self.cut > 0 && (self.buffer.len() >= BLOCK || self.done) {
                let mut rest = self.buffers.take();
                rest.extend_from_slice(self.buffer.get(self.cut..).unwrap_or_default());
                self.buffer.truncate(self.cut);
                let bytes = std::mem::replace(&mut self.buffer, rest);
                self.scanned -= self.cut;
                self.cut = 0;
                let records = std::mem::take(&mut self.records);
                return Some(Ok(Piece { bytes, records }));
            }
            if let Some(error) = self.failed.take() {
                self.buffer = Vec::new();
                return Some(Err(error));
            }
            if self.done {
                if self.buffer.is_empty() {
                    return None;
                }
                let bytes = std::mem::take(&mut self.buffer);
                self.scanned = 0;
                return Some(Ok(Piece { bytes, records: 1 }));
            }
            if self.buffer.len() > MAX_RECORD {
                self.done = true;
                self.buffer = Vec::new();
                return Some(Err(format!(
                    "a record is longer than {} MiB (is a quote left open?)",
                    MAX_RECORD >> 20
                )));
            }
            if let Err(error) = self.fill() {
                // The record the failed read cut short is not one; those before it are.
                self.done = true;
                self.buffer.truncate(self.cut);
                self.scanned = self.cut;
                self.failed = Some(error.to_string());
            }
        }
    }

    /// Where the blocks' buffers go back to.
    pub(super) fn buffers(&self) -> Arc<Buffers> {
        Arc::clone(&self.buffers)
    }

    /// Read up to a block more, and scan what is new: each byte is scanned once, however
    /// long a record is.
    fn fill(&mut self) -> io::Result<()> {
        let start = self.buffer.len();
        self.buffer.resize(start + BLOCK, 0);
        let mut filled = start;
        let mut failed = None;
        while filled < self.buffer.len() {
            match self
                .reader
                .read(self.buffer.get_mut(filled..).unwrap_or_default())
            {
                Ok(0) => {
                    self.done = true;
                    break;
                }
                Ok(n) => filled += n,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => {
                    failed = Some(error);
                    break;
                }
            }
        }
        self.buffer.truncate(filled);
        if !self.started {
            self.started = true;
            if self.buffer.starts_with("\u{feff}".as_bytes()) {
                self.buffer.drain(..3);
            }
        }
        let new = self.buffer.get(self.scanned..).unwrap_or_default();
        let (last, records) = self.boundaries.scan(new);
        if let Some(end) = last {
            self.cut = self.scanned + end;
        }
        self.records += records;
        self.scanned = self.buffer.len();
        // What was read before a failed read is scanned first, so its whole records are
        // handed on.
        failed.map_or(Ok(()), Err)
    }
}
