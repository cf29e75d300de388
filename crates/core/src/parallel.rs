//! Work over many independent items, in parallel when there are enough of them.

use rayon::prelude::*;

/// Fewer items than this are mapped on the calling thread: a small rule set does not
/// start the thread pool, which costs more than the work.
const PARALLEL_ITEMS: usize = 512;

/// `f` over every item, taking each by value (so it is dropped where it is used),
/// results in item order.
pub(crate) fn map_owned<T: Send, R: Send>(
    items: Vec<T>,
    f: impl Fn(T) -> R + Sync + Send,
) -> Vec<R> {
    if items.len() < PARALLEL_ITEMS {
        items.into_iter().map(f).collect()
    } else {
        items.into_par_iter().with_min_len(64).map(f).collect()
    }
}
