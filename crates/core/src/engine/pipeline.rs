//! Jobs taken in windows by worker threads (the caller's among them), what each window
//! gives put back in input order on the caller's thread. Checking reports is one such work;
//! noting them for previous reports ([`Ledger`](super::Ledger)) is another.

use std::collections::BTreeMap;
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Condvar, Mutex};
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

/// `work` on windows of jobs, on `workers` threads (the caller's among them), and `each`
/// on what each window gives, in input order on the caller's thread, with the window's
/// buffers to keep what it can for the windows after. A bounded number of windows is in
/// flight, so memory does not grow with the input. The first error `each` returns stops
/// the run and is returned.
///
/// Each thread takes its next window from the input itself, so no thread only hands
/// work on: on 2 cores two threads each read, work and (the caller) write, and wait only
/// when every window allowed in flight is taken.
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
    let source = Arc::new(Source::new(jobs, 2 * workers + 2));
    // Closes the source however this returns, so no helper waits for a credit forever.
    let _close = Closing(Arc::clone(&source));
    let (done_tx, done_rx) = channel::<(usize, T, Recycled)>();
    let work = Arc::new(work);
    for _ in 1..workers.max(1) {
        let (source, done_tx, work) = (Arc::clone(&source), done_tx.clone(), Arc::clone(&work));
        scope.spawn(move || help(&source, &*work, &done_tx));
    }
    drop(done_tx);
    let mut pending: BTreeMap<usize, (T, Recycled)> = BTreeMap::new();
    let mut next = 0;
    loop {
        while let Some((done, mut spare)) = pending.remove(&next) {
            next += 1;
            each(done, &mut spare)?;
            source.give_back(spare);
        }
        if let Ok((seq, done, spare)) = done_rx.try_recv() {
            pending.insert(seq, (done, spare));
            continue;
        }
        match source.take(false) {
            Take::Window(seq, window, mut spare) => {
                let done = work(window, &mut spare);
                pending.insert(seq, (done, spare));
            }
            // Every window in flight is a helper's, or the input is read: wait for one.
            Take::Wait | Take::End => match done_rx.recv() {
                Ok((seq, done, spare)) => {
                    pending.insert(seq, (done, spare));
                }
                Err(_) => break,
            },
        }
    }
    Ok(())
}

/// A helper thread: take windows and work them until there are no more, or nobody takes
/// what they give.
fn help<I, T, W>(source: &Source<I>, work: &W, done: &Sender<(usize, T, Recycled)>)
where
    I: Iterator<Item = Job>,
    W: Fn(Vec<Job>, &mut Recycled) -> T,
{
    while let Take::Window(seq, window, mut spare) = source.take(true) {
        let given = work(window, &mut spare);
        if done.send((seq, given, spare)).is_err() {
            return;
        }
    }
}

/// The jobs, grouped into windows as threads take them, and the credits that bound the
/// windows in flight: a thread takes one with each window, the caller gives it back once
/// the window's results are handed on, with the row buffers the next window can fill.
struct Source<I> {
    state: Mutex<State<I>>,
    freed: Condvar,
}

/// What [`Source`] guards.
struct State<I> {
    /// The jobs not yet taken; `None` once all are, or the run stopped.
    jobs: Option<I>,
    /// The next window's place in the input.
    seq: usize,
    /// Credits not in flight.
    credits: Vec<Recycled>,
}

/// What a thread gets from [`Source::take`].
enum Take {
    /// A window to work: its place, its jobs, a credit.
    Window(usize, Vec<Job>, Recycled),
    /// Every credit is in flight.
    Wait,
    /// No more windows.
    End,
}

impl<I: Iterator<Item = Job>> Source<I> {
    fn new(jobs: I, in_flight: usize) -> Self {
        let credits = (0..in_flight).map(|_| Recycled::default()).collect();
        Source {
            state: Mutex::new(State {
                jobs: Some(jobs),
                seq: 0,
                credits,
            }),
            freed: Condvar::new(),
        }
    }

    /// The next window with a credit; if every credit is in flight, wait for one when
    /// `block`, else [`Take::Wait`].
    fn take(&self, block: bool) -> Take {
        let mut state = self.lock();
        loop {
            let State { jobs, seq, credits } = &mut *state;
            let Some(source) = jobs else {
                return Take::End;
            };
            if let Some(spare) = credits.pop() {
                let window = window(source);
                if window.is_empty() {
                    *jobs = None;
                    credits.push(spare);
                    self.freed.notify_all();
                    return Take::End;
                }
                *seq += 1;
                return Take::Window(*seq - 1, window, spare);
            }
            if !block {
                return Take::Wait;
            }
            state = match self.freed.wait(state) {
                Ok(state) => state,
                Err(poisoned) => poisoned.into_inner(),
            };
        }
    }

    /// A credit back, for a thread waiting for one.
    fn give_back(&self, spare: Recycled) {
        self.lock().credits.push(spare);
        self.freed.notify_one();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State<I>> {
        // A thread that panicked holding the lock left the state whole: each change
        // to it is one assignment.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Stops a [`Source`] when dropped: no window is taken after, and waiting threads end.
struct Closing<I: Iterator<Item = Job>>(Arc<Source<I>>);

impl<I: Iterator<Item = Job>> Drop for Closing<I> {
    fn drop(&mut self) {
        self.0.lock().jobs = None;
        self.0.freed.notify_all();
    }
}

/// The next window of jobs: about [`WINDOW_BYTES`] of input or [`WINDOW_JOBS`] jobs.
fn window<I: Iterator<Item = Job>>(jobs: &mut I) -> Vec<Job> {
    let mut window = Vec::new();
    let mut bytes = 0;
    while bytes < WINDOW_BYTES && window.len() < WINDOW_JOBS {
        let Some(job) = jobs.next() else {
            break;
        };
        bytes += job.size();
        window.push(job);
    }
    window
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names of `count` jobs as [`ordered`] hands them on, worked on `workers` threads
    /// (each window's names, the window reversed to show it is the window's work), and
    /// `each` failing at the `stop`-th window.
    fn worked(
        count: usize,
        workers: usize,
        stop: Option<usize>,
    ) -> (Vec<String>, Result<(), usize>) {
        let jobs = (0..count).map(|i| Job::named(&i.to_string()));
        let work = |window: Vec<Job>, _: &mut Recycled| {
            let mut names: Vec<String> = window.iter().flat_map(Job::names).collect();
            names.reverse();
            names
        };
        let mut seen = Vec::new();
        let mut windows = 0;
        let result = std::thread::scope(|scope| {
            ordered(scope, jobs, workers, work, |mut names: Vec<String>, _| {
                if Some(windows) == stop {
                    return Err(windows);
                }
                windows += 1;
                names.reverse();
                seen.extend(names);
                Ok(())
            })
        });
        (seen, result)
    }

    #[test]
    fn windows_come_back_in_input_order_on_any_number_of_threads() {
        // 4096 bytes a job: 16 to a window, so 1,000 jobs are 63 windows.
        let expected: Vec<String> = (0..1000).map(|i| i.to_string()).collect();
        for workers in [1, 2, 3, 8] {
            let (seen, result) = worked(1000, workers, None);
            assert_eq!(result, Ok(()));
            assert_eq!(seen, expected, "{workers} workers");
        }
        assert_eq!(worked(0, 2, None), (Vec::new(), Ok(())));
    }

    #[test]
    fn an_error_stops_the_run_and_every_thread_ends() {
        for workers in [1, 2, 8] {
            for stop in [0, 1, 5, 62] {
                let (seen, result) = worked(1000, workers, Some(stop));
                assert_eq!(result, Err(stop));
                assert_eq!(seen.len(), 16 * stop, "{workers} workers, stop {stop}");
            }
        }
    }
}
