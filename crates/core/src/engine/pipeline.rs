//! Jobs read on one thread, worked in windows on worker threads, what each window gives
//! put back in input order on the caller's thread. Checking reports is one such work;
//! noting them for previous reports ([`Ledger`](super::Ledger)) is another.

use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::Scope;

use super::{Engine, Ledger, Recycled, ReportResult};
use crate::report::{Job, Unreadable};

/// Work taken at once: about this many bytes of input…
const WINDOW_BYTES: usize = 64 * 1024;
/// …or this many jobs.
const WINDOW_JOBS: usize = 64;

/// A window's results, and each report's rendering: the bytes up to `ends[i]` (from
/// the end of the one before) belong to the i-th report read.
struct Results {
    results: Vec<Result<ReportResult, Unreadable>>,
    rendered: Vec<u8>,
    ends: Vec<usize>,
}

/// Jobs to work together: their place in the input, and buffers for their rows.
type Window = (usize, Vec<Job>, Recycled);

/// Check every job's reports on `workers` threads, each rendered by `render`, and hand
/// each result to `each` in input order.
pub(super) fn run<'scope, 'env, I, R, F, E>(
    scope: &'scope Scope<'scope, 'env>,
    engine: &'env Engine,
    ledger: &'env Ledger,
    jobs: I,
    render: &'env R,
    workers: usize,
    mut each: F,
) -> Result<(), E>
where
    I: Iterator<Item = Job> + Send + 'scope,
    R: Fn(&ReportResult, &mut Vec<u8>) + Sync,
    F: FnMut(Result<(&ReportResult, &[u8]), &Unreadable>) -> Result<(), E>,
{
    let work = move |window: Vec<Job>, spare: &mut Recycled| {
        let results: Vec<_> = window
            .into_iter()
            .flat_map(|job| engine.check_job(job, ledger, spare))
            .collect();
        let mut rendered = std::mem::take(&mut spare.rendered);
        rendered.clear();
        let mut ends = Vec::with_capacity(results.len());
        for result in results.iter().flatten() {
            render(result, &mut rendered);
            ends.push(rendered.len());
        }
        Results {
            results,
            rendered,
            ends,
        }
    };
    ordered(scope, jobs, workers, work, |done: Results, spare| {
        let mut ends = done.ends.iter();
        let mut start = 0;
        for result in done.results {
            match result {
                Ok(result) => {
                    let end = ends.next().copied().unwrap_or(start);
                    let bytes = done.rendered.get(start..end).unwrap_or_default();
                    start = end;
                    each(Ok((&result, bytes)))?;
                    spare.keep(result);
                }
                Err(unreadable) => each(Err(&unreadable))?,
            }
        }
        spare.rendered = done.rendered;
        Ok(())
    })
}

/// `work` on windows of jobs, on `workers` threads, and `each` on what each window gives,
/// in input order on the caller's thread, with the window's buffers to keep what it can
/// for the windows after. A bounded number of windows is in flight, so memory does not
/// grow with the input. The first error `each` returns stops the run and is returned.
pub(super) fn ordered<'scope, 'env, I, T, W, F, E>(
    scope: &'scope Scope<'scope, 'env>,
    jobs: I,
    workers: usize,
    work: W,
    mut each: F,
) -> Result<(), E>
where
    I: Iterator<Item = Job> + Send + 'scope,
    T: Send + 'scope,
    W: Fn(Vec<Job>, &mut Recycled) -> T + Send + Sync + 'scope,
    F: FnMut(T, &mut Recycled) -> Result<(), E>,
{
    // Credits bound the windows in flight: the reader takes one per window, the
    // caller gives it back once the window's results are handed on, with the row
    // buffers the next window can fill again.
    let in_flight = 2 * workers + 2;
    let (credit_tx, credit_rx) = sync_channel::<Recycled>(in_flight);
    for _ in 0..in_flight {
        let _ = credit_tx.send(Recycled::default());
    }
    let (work_tx, work_rx) = sync_channel::<Window>(workers);
    let (done_tx, done_rx) = sync_channel::<(usize, T, Recycled)>(in_flight);
    scope.spawn(move || read(jobs, &credit_rx, &work_tx));
    let work_rx = Arc::new(Mutex::new(work_rx));
    let work = Arc::new(work);
    for _ in 0..workers {
        let (work_rx, done_tx) = (Arc::clone(&work_rx), done_tx.clone());
        let work = Arc::clone(&work);
        scope.spawn(move || worker(&*work, &work_rx, &done_tx));
    }
    drop((work_rx, done_tx));
    let mut pending: BTreeMap<usize, (T, Recycled)> = BTreeMap::new();
    let mut next = 0;
    for (seq, done, spare) in done_rx {
        pending.insert(seq, (done, spare));
        while let Some((done, mut spare)) = pending.remove(&next) {
            next += 1;
            each(done, &mut spare)?;
            // The reader may be gone already; then nothing waits for the credit.
            let _ = credit_tx.send(spare);
        }
    }
    Ok(())
}

/// Group the jobs into windows and send them, a credit each.
fn read<I: Iterator<Item = Job>>(
    mut jobs: I,
    credits: &Receiver<Recycled>,
    work: &SyncSender<Window>,
) {
    let mut seq = 0;
    loop {
        let mut window = Vec::new();
        let mut bytes = 0;
        while bytes < WINDOW_BYTES && window.len() < WINDOW_JOBS {
            let Some(job) = jobs.next() else {
                break;
            };
            bytes += job.size();
            window.push(job);
        }
        if window.is_empty() {
            return;
        }
        let Ok(spare) = credits.recv() else {
            return;
        };
        if work.send((seq, window, spare)).is_err() {
            return;
        }
        seq += 1;
    }
}

/// Work windows until there are no more, or nobody takes what they give.
fn worker<T, W: Fn(Vec<Job>, &mut Recycled) -> T>(
    work: &W,
    windows: &Mutex<Receiver<Window>>,
    done: &SyncSender<(usize, T, Recycled)>,
) {
    loop {
        let next = match windows.lock() {
            Ok(receiver) => receiver.recv().ok(),
            Err(_) => None,
        };
        let Some((seq, window, mut spare)) = next else {
            return;
        };
        let given = work(window, &mut spare);
        if done.send((seq, given, spare)).is_err() {
            return;
        }
    }
}
