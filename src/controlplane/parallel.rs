//! Running independent work on the available cores, with results in order.
//!
//! Member clusters do not share state, and neither do the templates the detector claims or
//! the bindings the scheduler, the binding controller and the status aggregators handle, so
//! those controllers handle several at once. Results come back in input order and every
//! shared write happens afterwards, in that order: the outcome is the same, byte for byte,
//! whatever the number of cores.

use std::num::NonZeroUsize;

/// Below this much work in a pass, threads cost more than they save.
const MIN_PARALLEL_WEIGHT: usize = 512;

/// At most this many threads by default.
const MAX_THREADS: usize = 8;

/// The number of threads used when not told otherwise: the available cores, at most
/// [`MAX_THREADS`].
pub(crate) fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, NonZeroUsize::get)
        .clamp(1, MAX_THREADS)
}

/// Whether `total` weight of work is worth spreading over `threads` threads.
pub(crate) fn worth_splitting(threads: usize, total: usize) -> bool {
    threads >= 2 && total >= MIN_PARALLEL_WEIGHT
}

/// `items.map(job)`, in order, spread over up to `threads` threads when the items weigh
/// enough (`weight` tells how much work an item is). A panic in a job is resumed in the
/// caller.
pub(crate) fn map_in_order<T, R, J>(
    threads: usize,
    items: Vec<T>,
    weight: impl Fn(&T) -> usize,
    job: J,
) -> Vec<R>
where
    T: Send,
    R: Send,
    J: Fn(T) -> R + Sync,
{
    let total: usize = items.iter().map(&weight).sum();
    let threads = threads.min(items.len());
    if !worth_splitting(threads, total) {
        return items.into_iter().map(job).collect();
    }
    let chunks = split_by_weight(items, &weight, total, threads);
    let job = &job;
    std::thread::scope(|scope| {
        let mut chunks = chunks.into_iter();
        let first = chunks.next().unwrap_or_default();
        let handles: Vec<_> = chunks
            .map(|chunk| scope.spawn(move || chunk.into_iter().map(job).collect::<Vec<R>>()))
            .collect();
        let mut out: Vec<R> = first.into_iter().map(job).collect();
        for handle in handles {
            match handle.join() {
                Ok(results) => out.extend(results),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}

/// Contiguous chunks of roughly `total / parts` weight each.
fn split_by_weight<T>(
    items: Vec<T>,
    weight: &impl Fn(&T) -> usize,
    total: usize,
    parts: usize,
) -> Vec<Vec<T>> {
    let target = total.div_ceil(parts).max(1);
    let mut chunks: Vec<Vec<T>> = Vec::with_capacity(parts);
    let mut current = Vec::new();
    let mut load = 0;
    for item in items {
        load += weight(&item);
        current.push(item);
        if load >= target && chunks.len() + 1 < parts {
            chunks.push(std::mem::take(&mut current));
            load = 0;
        }
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_input_order() {
        for n in [0usize, 1, 7, 600, 5000] {
            let items: Vec<usize> = (0..n).collect();
            for threads in [1, 2, 3] {
                let out = map_in_order(threads, items.clone(), |_| 1, |i| i * 2);
                assert_eq!(out, (0..n).map(|i| i * 2).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn chunks_are_contiguous_and_complete() {
        let items: Vec<usize> = (0..103).collect();
        let chunks = split_by_weight(items, &|i: &usize| i % 5 + 1, 309, 4);
        assert!(chunks.len() <= 4);
        let flat: Vec<usize> = chunks.concat();
        assert_eq!(flat, (0..103).collect::<Vec<_>>());
    }
}
