//! The reports of a run kept from the moment they are read until they are checked: what a
//! run whose rules read previous reports needs, since a report's previous report may come
//! after it in the input. Each report read is packed ([`packed`](super::packed)), in input
//! order, in memory while that is small and in a temporary file
//! ([`spill`](crate::files::spill)) beyond; a report that could not be read is kept as it
//! is. Replayed, they are jobs that read into the same rows again, so the input is read
//! once whatever its form (standard input and workbooks included).

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, Write};
use std::sync::Arc;

use super::inputs::{Job, Kind};
use super::packed::{put_row, take_row};
use super::{ReportError, Row, Spare, Unreadable};

/// Packed rows beyond this many bytes go to a temporary file.
const IN_MEMORY: usize = 4 << 20;

/// The reports of one job (a file, or a block of a batch file), packed on the thread that
/// read them.
pub(crate) struct Packing {
    /// The rows read, packed one after another.
    bytes: Vec<u8>,
    /// The job's files, which the packed rows name by index.
    sources: Vec<Arc<str>>,
    /// In input order: runs of packed rows, and the reports that could not be read.
    pieces: Vec<Piece>,
}

enum Piece {
    /// How many rows, and how many bytes they take.
    Rows(usize, usize),
    Unreadable(Unreadable),
}

impl Packing {
    /// Nothing packed yet.
    pub(crate) fn new() -> Self {
        Packing {
            bytes: Vec::new(),
            sources: Vec::new(),
            pieces: Vec::new(),
        }
    }

    /// Pack a report read.
    pub(crate) fn row(&mut self, row: &Row) {
        let source =
            match self.sources.iter().position(|source| {
                Arc::ptr_eq(source, &row.meta.source) || *source == row.meta.source
            }) {
                Some(index) => index,
                None => {
                    self.sources.push(Arc::clone(&row.meta.source));
                    self.sources.len() - 1
                }
            };
        let start = self.bytes.len();
        // About what a row takes: a word and a head byte an amount, and its name.
        self.bytes.reserve(row.amounts.len() * 5 + 64);
        put_row(&mut self.bytes, row, source as u32);
        let len = self.bytes.len() - start;
        match self.pieces.last_mut() {
            Some(Piece::Rows(rows, bytes)) => {
                *rows += 1;
                *bytes += len;
            }
            _ => self.pieces.push(Piece::Rows(1, len)),
        }
    }

    /// Keep a report that could not be read.
    pub(crate) fn unreadable(&mut self, unreadable: Unreadable) {
        self.pieces.push(Piece::Unreadable(unreadable));
    }
}

/// Every report of a run, kept in input order.
pub(crate) struct Kept {
    width: usize,
    store: Store,
    segments: Vec<Segment>,
}

/// Where packed rows are: in memory, then in a temporary file.
enum Store {
    Memory(Vec<u8>),
    File(BufWriter<File>),
    /// A write failed: what was kept before stays readable.
    Failed(String),
}

enum Segment {
    /// Packed rows: how many, their length in the store, the files they name.
    Rows {
        rows: usize,
        len: usize,
        sources: Arc<[Arc<str>]>,
    },
    Unreadable(Unreadable),
    /// The rows that follow could not be kept.
    Failed(String),
}

impl Kept {
    /// Nothing kept yet, for rows `width` amounts wide.
    pub(crate) fn new(width: usize) -> Self {
        Kept {
            width,
            store: Store::Memory(Vec::new()),
            segments: Vec::new(),
        }
    }

    /// Keep a job's reports, after every report read before them.
    pub(crate) fn add(&mut self, packing: Packing) {
        let Packing {
            bytes,
            sources,
            pieces,
        } = packing;
        let sources: Arc<[Arc<str>]> = sources.into();
        let mut start = 0;
        for piece in pieces {
            match piece {
                Piece::Unreadable(unreadable) => {
                    self.segments.push(Segment::Unreadable(unreadable))
                }
                Piece::Rows(rows, len) => {
                    let part = bytes.get(start..start + len).unwrap_or_default();
                    self.write(part, rows, &sources);
                    start += len;
                }
            }
        }
    }

    /// Keep `rows` packed rows.
    fn write(&mut self, bytes: &[u8], rows: usize, sources: &Arc<[Arc<str>]>) {
        if let Err(reason) = self.store(bytes) {
            if !matches!(self.segments.last(), Some(Segment::Failed(_))) {
                self.segments.push(Segment::Failed(reason));
            }
            return;
        }
        self.segments.push(Segment::Rows {
            rows,
            len: bytes.len(),
            sources: Arc::clone(sources),
        });
    }

    /// Put bytes in the store, moving it to a temporary file once it is large.
    fn store(&mut self, bytes: &[u8]) -> Result<(), String> {
        if let Store::Memory(memory) = &mut self.store {
            if memory.len() + bytes.len() <= IN_MEMORY {
                memory.extend_from_slice(bytes);
                return Ok(());
            }
            let moved = crate::files::spill().and_then(|file| {
                let mut file = BufWriter::with_capacity(1 << 20, file);
                file.write_all(memory)?;
                Ok(file)
            });
            self.store = match moved {
                Ok(file) => Store::File(file),
                Err(error) => Store::Failed(crate::files::reason(&error)),
            };
        }
        match &mut self.store {
            Store::File(file) => file.write_all(bytes).map_err(|error| {
                let reason = crate::files::reason(&error);
                self.store = Store::Failed(reason.clone());
                reason
            }),
            Store::Failed(reason) => Err(reason.clone()),
            Store::Memory(_) => Ok(()),
        }
    }

    /// Each report kept, in input order, with its place among them: the row, or `None`
    /// for one that could not be read (or kept).
    pub(crate) fn rows(&mut self, mut each: impl FnMut(usize, Option<Row>)) {
        let mut reader = reader(&mut self.store);
        let mut spare = Spare::default();
        let mut index = 0;
        for segment in &self.segments {
            match segment {
                Segment::Unreadable(_) | Segment::Failed(_) => {
                    each(index, None);
                    index += 1;
                }
                Segment::Rows { rows, len, sources } => {
                    let bytes = reader.take(*len).unwrap_or_default();
                    let packed = Packed {
                        bytes,
                        rows: *rows,
                        width: self.width,
                        sources: Arc::clone(sources),
                    };
                    for row in packed.read(&mut spare) {
                        each(index, row.ok());
                        index += 1;
                    }
                }
            }
        }
    }

    /// Every report kept, in input order, as jobs that read into rows again: the last
    /// use of what is kept. When some could not be kept, only why.
    pub(crate) fn replay(&mut self) -> Replay<'_> {
        let mut segments = std::mem::take(&mut self.segments);
        // Reports that could not all be kept are not checked at all: a run checks every
        // report or says why it could not.
        if let Some(at) = segments
            .iter()
            .position(|s| matches!(s, Segment::Failed(_)))
        {
            segments = segments.split_off(at);
            segments.truncate(1);
        }
        let segments = segments.into_iter();
        Replay {
            width: self.width,
            reader: reader(&mut self.store),
            segments,
        }
    }
}

/// A reader of the store from its start.
fn reader(store: &mut Store) -> Reader<'_> {
    match store {
        Store::Memory(memory) => Reader::Memory(memory.as_slice()),
        Store::File(file) => match rewind(file) {
            Ok(file) => Reader::File(file),
            Err(error) => Reader::Failed(crate::files::reason(&error)),
        },
        Store::Failed(reason) => Reader::Failed(reason.clone()),
    }
}

/// The file, written out, to read from its start.
fn rewind(file: &mut BufWriter<File>) -> io::Result<File> {
    file.flush()?;
    let mut again = file.get_ref().try_clone()?;
    again.seek(io::SeekFrom::Start(0))?;
    Ok(again)
}

enum Reader<'a> {
    Memory(&'a [u8]),
    File(File),
    Failed(String),
}

impl Reader<'_> {
    /// The next `len` bytes.
    fn take(&mut self, len: usize) -> Result<Vec<u8>, String> {
        match self {
            Reader::Memory(memory) => {
                let (bytes, rest) = memory.split_at_checked(len).unwrap_or((memory, &[]));
                *memory = rest;
                Ok(bytes.to_vec())
            }
            Reader::File(file) => {
                let mut bytes = Vec::with_capacity(len);
                match file.take(len as u64).read_to_end(&mut bytes) {
                    Ok(n) if n == len => Ok(bytes),
                    Ok(_) => Err("the temporary file ended early".to_owned()),
                    Err(error) => Err(crate::files::reason(&error)),
                }
            }
            Reader::Failed(reason) => Err(reason.clone()),
        }
    }
}

/// A report in place of those that could not be kept.
fn not_kept(reason: String) -> Unreadable {
    Unreadable {
        meta: super::Meta::named("the reports kept for checking"),
        errors: vec![ReportError::Kept { reason }],
    }
}

/// The kept reports as jobs, in input order.
pub(crate) struct Replay<'a> {
    width: usize,
    reader: Reader<'a>,
    segments: std::vec::IntoIter<Segment>,
}

impl Iterator for Replay<'_> {
    type Item = Job;

    fn next(&mut self) -> Option<Job> {
        let read = match self.segments.next()? {
            Segment::Unreadable(unreadable) => Err(unreadable),
            Segment::Failed(reason) => Err(not_kept(reason)),
            Segment::Rows { rows, len, sources } => match self.reader.take(len) {
                Ok(bytes) => {
                    return Some(Job(Kind::Packed(Packed {
                        bytes,
                        rows,
                        width: self.width,
                        sources,
                    })));
                }
                Err(reason) => Err(not_kept(reason)),
            },
        };
        if let Err(unreadable) = &read {
            if matches!(unreadable.errors.first(), Some(ReportError::Kept { .. })) {
                // Nothing after what could not be kept is checked.
                self.segments = Vec::new().into_iter();
            }
        }
        Some(Job(Kind::Done(vec![read])))
    }
}

/// Kept rows, read back into rows by [`Job::read`].
#[derive(Debug)]
pub(crate) struct Packed {
    bytes: Vec<u8>,
    rows: usize,
    width: usize,
    sources: Arc<[Arc<str>]>,
}

impl Packed {
    /// The rows, in the spare rows' buffers.
    pub(crate) fn read(self, spare: &mut Spare) -> Vec<Result<Row, Unreadable>> {
        let mut bytes = self.bytes.as_slice();
        let mut rows = Vec::with_capacity(self.rows);
        for _ in 0..self.rows {
            match take_row(&mut bytes, self.width, &self.sources, spare) {
                Some(row) => rows.push(Ok(row)),
                None => {
                    let reason = "a kept report could not be read back".to_owned();
                    rows.push(Err(not_kept(reason)));
                    break;
                }
            }
        }
        rows
    }

    /// How many bytes it holds.
    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }
}
