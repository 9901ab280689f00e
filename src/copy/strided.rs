//! Loops over the outer dimensions of a normalised copy, and the two inner
//! kernels that do not transpose: a `memcpy` per contiguous row, and an
//! itemsize-specialised strided gather.

use super::item::{Item, with_item};
use super::parallel::SendPtr;
use super::plan::Dim;
use crate::layout::dims::{DimVec, INLINE_DIMS};

/// Calls `f(dst, src)` for every index tuple of `dims` (outermost first),
/// with the bases advanced by the strides: an odometer that updates the
/// two pointers incrementally.
///
/// # Safety
///
/// Every pointer handed to `f` is `base + Σ index*stride` for an in-range
/// index tuple; `f` must only access what its contract allows for those.
/// (Computing them is always safe: `wrapping_offset`.)
#[inline]
pub(crate) fn for_each_outer(dims: &[Dim], dst: *mut u8, src: *const u8, mut f: impl FnMut(*mut u8, *const u8)) {
    if dims.iter().any(|d| d.extent == 0) {
        return;
    }
    if dims.is_empty() {
        f(dst, src);
        return;
    }
    let n = dims.len();
    // The odometer in a plain array up to INLINE_DIMS loops (indexing a
    // `DimVec` matches its variant at every step: two thirds of a small
    // copy's loop overhead).
    let mut inline = [0usize; INLINE_DIMS];
    let mut spilled = Vec::new();
    let index: &mut [usize] = if n <= INLINE_DIMS {
        &mut inline[..n]
    } else {
        spilled.resize(n, 0);
        &mut spilled
    };
    let (mut d, mut s) = (dst, src);
    loop {
        f(d, s);
        let mut level = n;
        loop {
            if level == 0 {
                return;
            }
            level -= 1;
            let dim = dims[level];
            index[level] += 1;
            if index[level] < dim.extent {
                d = d.wrapping_offset(dim.dst);
                s = s.wrapping_offset(dim.src);
                break;
            }
            // Back to the start of this dimension (the products are
            // bounded by Layout invariant 3; negating a stride first would
            // overflow for an extent-1 dimension of stride isize::MIN).
            let back = (dim.extent - 1) as isize;
            d = d.wrapping_offset(-(dim.dst * back));
            s = s.wrapping_offset(-(dim.src * back));
            index[level] = 0;
        }
    }
}

/// Copies `n` contiguous bytes: inline for short runs (a row of a few
/// hundred bytes costs less than a `memcpy` call), with streaming stores
/// when `stream` (large outputs), `memcpy` otherwise.
///
/// # Safety
///
/// `src` readable and `dst` writable for `n` bytes, not overlapping. After
/// streaming copies the calling thread must fence
/// ([`crate::simd::fence`]) before the data is used.
#[inline]
pub(crate) unsafe fn copy_run(dst: *mut u8, src: *const u8, n: usize, stream: bool) {
    // SAFETY: every branch copies bytes 0..n of both ranges, which the
    // caller guarantees valid and disjoint.
    unsafe {
        if n <= 256 {
            // 16-byte moves, the last one overlapping its predecessor
            // (rows of 28 bytes are two moves, not one and 12 bytes);
            // below 16 bytes, two overlapping moves of the largest size
            // that fits. Overlapping writes store the same bytes twice,
            // which is harmless: the ranges of `dst` and `src` are
            // disjoint.
            let copy = |at: usize, width: usize| match width {
                16 => dst.add(at).cast::<u128>().write_unaligned(src.add(at).cast::<u128>().read_unaligned()),
                8 => dst.add(at).cast::<u64>().write_unaligned(src.add(at).cast::<u64>().read_unaligned()),
                4 => dst.add(at).cast::<u32>().write_unaligned(src.add(at).cast::<u32>().read_unaligned()),
                _ => dst.add(at).cast::<u16>().write_unaligned(src.add(at).cast::<u16>().read_unaligned()),
            };
            match n {
                16.. => {
                    let mut k = 0;
                    while k + 16 < n {
                        copy(k, 16);
                        k += 16;
                    }
                    copy(n - 16, 16);
                }
                8.. => {
                    copy(0, 8);
                    copy(n - 8, 8);
                }
                4.. => {
                    copy(0, 4);
                    copy(n - 4, 4);
                }
                2.. => {
                    copy(0, 2);
                    copy(n - 2, 2);
                }
                1 => *dst = *src,
                0 => {}
            }
        } else if stream && n >= 256 {
            crate::simd::stream_copy(dst, src, n);
        } else {
            std::ptr::copy_nonoverlapping(src, dst, n);
        }
    }
}

/// Copies the items of the loops `dims` (outermost first) in their order,
/// with no plan and no kernel set-up: the path of small copies, whose
/// set-up would cost more than the copy. The innermost loop is one run
/// where it is contiguous on both sides, a gather otherwise; no loops at
/// all is one item.
///
/// # Safety
///
/// Every item the loops reach from the bases is readable on the source
/// side and writable on the destination side, and the sides do not
/// overlap.
pub(crate) unsafe fn copy_loops(dims: &[Dim], dst: *mut u8, src: *const u8, es: usize) {
    let Some((inner, outer)) = dims.split_last() else {
        // SAFETY: the one item (caller's contract).
        unsafe { copy_item(dst, src, es) };
        return;
    };
    if inner.dst == es as isize && inner.src == es as isize {
        let row = inner.extent * es;
        // SAFETY: each call copies the inner run at an in-range outer
        // index (caller's contract).
        for_each_outer(outer, dst, src, |dp, sp| unsafe { copy_run(dp, sp, row, false) });
    } else {
        // SAFETY: as above, item by item along the inner loop.
        unsafe {
            with_item!(es, M => for_each_outer(outer, dst, src, |dp, sp| {
                gather_items::<M>(dp, inner.dst, sp, inner.src, inner.extent, es);
            }));
        };
    }
}

/// Copies one item of `itemsize` bytes.
///
/// # Safety
///
/// `src` readable and `dst` writable for `itemsize` bytes, not
/// overlapping.
#[inline(always)]
pub(crate) unsafe fn copy_item(dst: *mut u8, src: *const u8, itemsize: usize) {
    // SAFETY: one item of both sides (caller's contract), of its class.
    unsafe { with_item!(itemsize, M => M::copy(dst, src, itemsize)) }
}

/// Copies `n` items of `itemsize` bytes from `src` (stride `ss`) to `dst`
/// (stride `ds`).
///
/// # Safety
///
/// Every item `k < n` of both sides must be valid (readable / writable) and
/// the two sides must not overlap.
#[inline]
pub(crate) unsafe fn gather(dst: *mut u8, ds: isize, src: *const u8, ss: isize, n: usize, itemsize: usize) {
    // SAFETY: items k < n of both sides, valid and disjoint (caller).
    unsafe { with_item!(itemsize, M => gather_items::<M>(dst, ds, src, ss, n, itemsize)) }
}

/// The shortest rows a gather addresses from the bases (see
/// `Item::INDEXED`): short rows, such as the blocked kernel's, ran slower
/// indexed (its rows of 8 f32 in issue 13's strided and permuted copy, AMD
/// EPYC, one thread: 4.0–4.6 GB/s indexed, 4.6–5.2 bumped).
pub(crate) const INDEXED_MIN_ITEMS: usize = 16;

/// [`gather`] for the items of one class.
///
/// # Safety
///
/// As [`gather`], with `itemsize` in `M`'s class.
#[inline(always)]
pub(crate) unsafe fn gather_items<M: Item>(dst: *mut u8, ds: isize, src: *const u8, ss: isize, n: usize, es: usize) {
    // Bytes are addressed from the bases (see `Item::INDEXED`); the
    // others through two pointers bumped by the strides, two items per
    // step (one for the classes kept rolled): few live registers, so that
    // the loop does not spill inside the 2-D kernels.
    if reversed_run(ds, ss, es) {
        // SAFETY: the same items, walked as a reversed run (caller's
        // contract).
        unsafe { M::reverse(dst, src, n, es) };
        return;
    }
    if M::INDEXED && n >= INDEXED_MIN_ITEMS {
        // SAFETY: forwarded (caller's contract).
        unsafe { gather_line::<M>(dst, ds, src, ss, n, es) };
        return;
    }
    let (mut d, mut s) = (dst, src);
    if M::KEEP_ROLLED {
        // Moves at run-time offsets: the second item of a two-item step
        // kept its four offsets in registers of its own, which spilled to
        // the stack in the 2-D kernels. One item a step, a 5000 x 4
        // transpose of 58-byte items (sweep problem 119) went from 0.77x
        // ndarray's loop to 1.05–1.11x, 31 x 9 of 34-byte items (problem
        // 25) from 0.79–0.89x to 0.96–1.01x (AMD EPYC, Zen 4).
        for _ in 0..n {
            // SAFETY: the next item of both sides (caller's contract).
            unsafe { M::copy(d, s, es) };
            // The loop stays rolled (see `Item::KEEP_ROLLED`).
            core::hint::black_box(());
            s = s.wrapping_offset(ss);
            d = d.wrapping_offset(ds);
        }
        return;
    }
    for _ in 0..n / 2 {
        // SAFETY: items k and k + 1 of both sides (caller's contract).
        unsafe {
            M::copy(d, s, es);
            M::copy(d.wrapping_offset(ds), s.wrapping_offset(ss), es);
        }
        s = s.wrapping_offset(2 * ss);
        d = d.wrapping_offset(2 * ds);
    }
    if n % 2 == 1 {
        // SAFETY: the last item of both sides (caller's contract).
        unsafe { M::copy(d, s, es) };
    }
}

/// Whether a line of `itemsize`-byte items with these strides copies a
/// contiguous run into a backwards one ([`Item::reverse`]'s case).
#[inline(always)]
pub(crate) fn reversed_run(ds: isize, ss: isize, itemsize: usize) -> bool {
    ds == itemsize as isize && ss == -(itemsize as isize)
}

/// Items addressed from the bases by index, which the compiler unrolls
/// with one pointer bump per unrolled step. Bytes take it in
/// [`gather_items`] (`Item::INDEXED`); the other classes at fixed offsets
/// (not `Item::KEEP_ROLLED`) when the copy is one line of items, not a
/// reversed run (`direct::run`). The bumped pointers of [`gather_items`]
/// are a chain of one addition per item, the loop's bound: 5000-item
/// gathers of 2- and 4-byte items ran at 0.87–0.88x ndarray's loop that
/// way, 1.06–1.10x this way (sweep problems 26 and 44, AMD EPYC Zen 4).
/// Inside the 2-D kernels, whose other loops hold registers, the indexed
/// form slowed 3-byte records to 0.6x, so there only bytes take it.
///
/// # Safety
///
/// As [`gather`], with `itemsize` in `M`'s class.
#[inline(always)]
pub(crate) unsafe fn gather_line<M: Item>(dst: *mut u8, ds: isize, src: *const u8, ss: isize, n: usize, es: usize) {
    for k in 0..n as isize {
        // SAFETY: item k of both sides (caller's contract).
        unsafe { M::copy(dst.wrapping_offset(k * ds), src.wrapping_offset(k * ss), es) };
    }
}

/// Copies an `n0 x n1` block item by item: item `(i, j)` from
/// `src + i*s0 + j*s1` to `dst + i*d0 + j*d1`. The small-copy path: two
/// plain loops over items of a fixed size, which the compiler optimises
/// like a hand-written loop.
///
/// # Safety
///
/// Every item of the block must be valid on both sides (readable /
/// writable), and the sides must not overlap.
#[allow(clippy::too_many_arguments)]
#[inline]
pub(crate) unsafe fn copy_2d(
    dst: *mut u8,
    d0: isize,
    d1: isize,
    src: *const u8,
    s0: isize,
    s1: isize,
    n0: usize,
    n1: usize,
    itemsize: usize,
) {
    // SAFETY: the items of the block (caller's contract), of their class.
    unsafe { with_item!(itemsize, M => copy_2d_items::<M>(dst, d0, d1, src, s0, s1, n0, n1, itemsize)) }
}

/// [`copy_2d`] for the items of one class.
///
/// # Safety
///
/// As [`copy_2d`], with `es` in `M`'s class.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(crate) unsafe fn copy_2d_items<M: Item>(
    dst: *mut u8,
    d0: isize,
    d1: isize,
    src: *const u8,
    s0: isize,
    s1: isize,
    n0: usize,
    n1: usize,
    es: usize,
) {
    let (mut drow, mut srow) = (dst, src);
    for _ in 0..n0 {
        // SAFETY: row i of the block (caller's contract).
        unsafe { gather_items::<M>(drow, d1, srow, s1, n1, es) };
        drow = drow.wrapping_offset(d0);
        srow = srow.wrapping_offset(s0);
    }
}

/// A 2-D copy kernel over dimensions `a` (the destination's fastest) and
/// `b`, looping over any others around it: blocks of `block` items of
/// `a`, and for each block every index of `b` in turn, the block's items
/// innermost.
///
/// With `block` the whole extent of `a` and `b` the next dimension out,
/// this is the plain gather (the two innermost loops in one kernel, so
/// that the loops around it run once per 2-D slice, not once per row).
/// With `b` the source's fastest dimension (the
/// [`Strategy::Blocked`](super::plan::Strategy::Blocked) plan) and short
/// blocks, consecutive indices of `b` read from the same source lines (its
/// stride is short), so each line is read from memory once and used while
/// it is in the L1 cache, while the destination is written in runs of the
/// block's length.
///
/// Where `a` is shorter than [`SHORT_ROW`] items and `b` longer, rows of
/// `a` would cost more in loop overhead than in moves: the kernel then runs
/// `b` innermost instead, in chunks of [`CHUNK`] indices (all of `a` for
/// each chunk, so that the destination lines of a chunk, one or a few per
/// index of `b`, stay in the L1 cache until they are complete).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Blocked {
    a: Dim,
    b: Dim,
    itemsize: usize,
    block: usize,
    /// Whether `b` runs innermost (short rows of `a`).
    b_inner: bool,
}

/// Rows of `a` shorter than this run `b` innermost (if it is longer).
const SHORT_ROW: usize = 8;

/// Indices of `b` per chunk when `b` runs innermost.
const CHUNK: usize = 128;

/// Destination bytes per block row, which is also how many source rows
/// (lines, when the source's `a` stride is long) are read at once: few
/// enough for the hardware to follow as streams. Measured on the AMD
/// machine on issue 13's `a[1:, :, ::3]` of 64x512x3000 f32, axes
/// (1, 0, 2), into F order (three interleaved sets of nine runs, loaded
/// machine): 16 bytes 176–209 ms, 32 bytes 160–172 ms, 64 bytes 198–213
/// ms, 128 and 256 bytes 188–206 ms (the gather before: 1290 ms); the
/// same blocks with the source index innermost, 400–440 ms; software
/// prefetching of the source rows or the destination lines only lost.
const BLOCK_ROW_BYTES: usize = 32;

/// Source lines per block when a line holds several items of `a`.
const BLOCK_SOURCE_LINES: usize = 8;

impl Blocked {
    /// The kernel over `a` and `b` in blocks of `block` items of `a`.
    pub(crate) fn new(a: Dim, b: Dim, itemsize: usize, block: usize) -> Blocked {
        let b_inner = a.extent < SHORT_ROW && b.extent > a.extent;
        Blocked { a, b, itemsize, block: if b_inner { a.extent } else { block.max(1) }, b_inner }
    }

    /// The kernel of the plain gather over the loops `dims` (outermost
    /// first, at least one) and the loops that stay around it: `a` the
    /// innermost loop, `b` the next one out, each 2-D slice one block.
    ///
    /// When `a` and the next loop out are both short (under [`SHORT_ROW`]
    /// items), the longest of the other loops is `b` instead, and runs
    /// innermost: the kernel is entered once per slice, and a slice of two
    /// short loops is a handful of items (a 6x2x2x32x26 copy of 11-byte
    /// items had 2x2 slices, and ran at 0.4x ndarray's loop over rows of
    /// 26; sweep problem 97). A long next loop stays `b`: it is the one
    /// with the shorter strides (sweep problem 36, whose source is
    /// contiguous along it).
    pub(crate) fn gather(dims: &[Dim], itemsize: usize) -> (Blocked, DimVec<Dim>) {
        let one = Dim { extent: 1, dst: 0, src: 0 };
        let Some((&a, outer)) = dims.split_last() else {
            return (Blocked::new(one, one, itemsize, 1), DimVec::from_slice(&[]));
        };
        let next = outer.len().checked_sub(1);
        // The innermost of the longest (`max_by_key` keeps the last).
        let longest = outer.iter().enumerate().max_by_key(|(_, d)| d.extent).map(|(k, _)| k);
        let pick = match (next, longest) {
            (Some(next), Some(longest)) if a.extent < SHORT_ROW && outer[next].extent < SHORT_ROW => Some(longest),
            (next, _) => next,
        };
        let Some(k) = pick else {
            return (Blocked::new(a, one, itemsize, a.extent), DimVec::from_slice(&[]));
        };
        let mut rest = DimVec::from_slice(outer);
        rest.remove(k);
        (Blocked::new(a, outer[k], itemsize, a.extent), rest)
    }

    /// Items of `a` per block for a blocked copy: [`BLOCK_ROW_BYTES`] of
    /// destination, or where the source's `a` stride is short (a few items
    /// per line), as many as [`BLOCK_SOURCE_LINES`] lines of it hold.
    pub(crate) fn items_for(a: Dim) -> usize {
        let by_dst = BLOCK_ROW_BYTES / a.dst.unsigned_abs().max(1);
        let by_src = match a.src.unsigned_abs() {
            short @ 1..64 => BLOCK_SOURCE_LINES * 64 / short,
            _ => 0,
        };
        by_dst.max(by_src).clamp(1, 1024)
    }

    /// Runs the kernel for every index of `rest` (outermost first), split
    /// over threads if `parallel`: along `rest`'s first dimension, or
    /// without one, along `b` (when it runs innermost or `a` is one block)
    /// or `a`.
    ///
    /// # Safety
    ///
    /// Every item the loops reach from the bases is valid on both sides,
    /// and the sides do not overlap; `itemsize` is in `M`'s class; if
    /// `parallel`, distinct index tuples reach disjoint destination bytes.
    #[inline(always)]
    pub(crate) unsafe fn run_all<M: Item>(&self, rest: &[Dim], dst: SendPtr, src: SendPtr, parallel: bool) {
        let (a, b) = (self.a, self.b);
        match rest.first() {
            Some(first) => super::parallel::split(first.extent, 1, parallel, |lo, hi| {
                let (dims, dp, sp) = super::direct::cut(rest, dst.get(), src.get(), lo, hi);
                // SAFETY: the 2-D slices at in-range outer indices.
                for_each_outer(&dims, dp, sp, |dp, sp| unsafe { self.run::<M>(dp, sp) });
            }),
            None if b.extent > 1 && (self.b_inner || self.block >= a.extent) => {
                let grain = if self.b_inner { CHUNK } else { 1 };
                super::parallel::split(b.extent, grain, parallel, |lo, hi| {
                    let part = Blocked { b: Dim { extent: hi - lo, ..b }, ..*self };
                    let at = lo as isize;
                    // SAFETY: indices lo..hi of b, every index of a.
                    unsafe {
                        part.run::<M>(dst.get().wrapping_offset(at * b.dst), src.get().wrapping_offset(at * b.src));
                    }
                });
            }
            None => super::parallel::split(a.extent, self.block.min(64), parallel, |lo, hi| {
                let part = Blocked { a: Dim { extent: hi - lo, ..a }, ..*self };
                let at = lo as isize;
                // SAFETY: items lo..hi of a, every index of b.
                unsafe { part.run::<M>(dst.get().wrapping_offset(at * a.dst), src.get().wrapping_offset(at * a.src)) };
            }),
        }
    }

    /// Copies the 2-D slice at these bases.
    ///
    /// # Safety
    ///
    /// Every item `(i, j)` for `i < b.extent`, `j < a.extent` is valid on
    /// both sides (`base + i*b.stride + j*a.stride`), and the sides do not
    /// overlap; `itemsize` is in `M`'s class.
    #[inline(always)]
    unsafe fn run<M: Item>(&self, dst: *mut u8, src: *const u8) {
        let (a, b, es) = (self.a, self.b, self.itemsize);
        if self.b_inner {
            let mut i = 0;
            while i < b.extent {
                let n = CHUNK.min(b.extent - i);
                let (dp, sp) = (dst.wrapping_offset(i as isize * b.dst), src.wrapping_offset(i as isize * b.src));
                // SAFETY: items (i..i + n, j) for every j (caller).
                unsafe { copy_2d_items::<M>(dp, a.dst, b.dst, sp, a.src, b.src, a.extent, n, es) };
                i += n;
            }
            return;
        }
        let mut j = 0;
        while j < a.extent {
            let n = self.block.min(a.extent - j);
            let (dp, sp) = (dst.wrapping_offset(j as isize * a.dst), src.wrapping_offset(j as isize * a.src));
            // SAFETY: items (i, j..j + n) for every i (caller).
            unsafe { copy_2d_items::<M>(dp, b.dst, a.dst, sp, b.src, a.src, b.extent, n, es) };
            j += n;
        }
    }
}
