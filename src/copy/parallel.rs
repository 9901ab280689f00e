//! Splitting a copy over threads (with the `rayon` feature).
//!
//! A copy is split only along a dimension in which the destination's
//! items do not overlap (checked by the caller), into chunks that write
//! disjoint items; below [`PAR_MIN_BYTES`] it runs on the calling thread
//! with no overhead at all.

/// Copies smaller than this run on one thread. Measured on the AMD machine
/// (2 shared cores; f64 copies in a warm loop, medians of 15 interleaved
/// runs, two sets): at 4 MiB two threads ran 0.96–1.07x as fast as one
/// on row copies and transposes, 1.07–1.24x on a gather (and sweep
/// problem 122, 4 MiB of rows from cold caches, 0.77–0.84x); at 8 MiB
/// 1.45–1.84x, except one set of row copies (0.90x).
pub(crate) const PAR_MIN_BYTES: usize = 8 << 20;

/// A pointer that may cross threads.
///
/// It lives only inside one planned copy, whose chunks read the source and
/// write disjoint parts of the destination; see [`split`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct SendPtr(pub(crate) *mut u8);

// SAFETY: `SendPtr` is only created by the copy engine for one copy whose
// chunks write disjoint destination items and only read the source (the
// copy's contract makes both valid for its duration, and the chunks end
// before the copy returns), so using the pointer from several threads at
// once is race-free.
unsafe impl Send for SendPtr {}
// SAFETY: as for `Send`: shared use only reads the pointer value.
unsafe impl Sync for SendPtr {}

impl SendPtr {
    /// The pointer. (A method, so that closures capture the whole
    /// `SendPtr` rather than its field.)
    pub(crate) fn get(self) -> *mut u8 {
        self.0
    }
}

/// How many threads a large copy may use.
pub(crate) fn threads() -> usize {
    #[cfg(feature = "rayon")]
    {
        rayon::current_num_threads()
    }
    #[cfg(not(feature = "rayon"))]
    {
        1
    }
}

/// Runs `task(start, end)` over `0..n`: on the calling thread if not
/// `parallel` (or there is one thread), else in one chunk per thread
/// (rounded up to a multiple of `grain`) on rayon's pool. (One long chunk
/// per thread streams through memory better than many short ones.)
///
/// The caller guarantees that tasks over disjoint ranges write disjoint
/// memory.
pub(crate) fn split(n: usize, grain: usize, parallel: bool, task: impl Fn(usize, usize) + Sync) {
    if !parallel || n <= grain {
        task(0, n);
        return;
    }
    let threads = threads();
    if threads <= 1 {
        task(0, n);
        return;
    }
    #[cfg(feature = "rayon")]
    {
        use rayon::prelude::*;
        let grain = grain.max(1);
        let chunk = n.div_ceil(threads).div_ceil(grain) * grain;
        let chunks = n.div_ceil(chunk);
        (0..chunks).into_par_iter().for_each(|c| task(c * chunk, ((c + 1) * chunk).min(n)));
    }
    #[cfg(not(feature = "rayon"))]
    task(0, n);
}
