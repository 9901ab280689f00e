//! Running a planned copy between direct layouts.

use super::item::{Item, with_item};
use super::parallel::{self, SendPtr};
use super::plan::{Dim, Plan, Strategy};
use super::skinny;
use super::strided::{Blocked, copy_run, for_each_outer, gather_line, reversed_run};
use super::tiled::{self, Transpose2};
use crate::layout::dims::DimVec;

/// Outputs at least this large are written with streaming stores where
/// whole aligned lines allow: more than the L2 cache of current x86 cores
/// (1–2 MiB) holds. Measured on the Intel machine (2 MiB of L2, one
/// thread, against 8 MiB before): f32 transposes of 2–8 MiB went from
/// 0.45–0.66 of memcpy to 0.60–0.69 in a warm loop, the 4 MiB one in
/// `examples/compare` from 0.29 to 1.0; at 1 MiB streaming lost (a
/// contiguous copy fell to 0.73 of memcpy).
const STREAM_MIN_BYTES: usize = 2 << 20;

/// Whole contiguous copies at least this large are streamed; smaller ones
/// go to the platform `memcpy`. Its non-temporal threshold comes from the
/// cache sizes the CPU reports, which virtual machines get wrong: glibc
/// 2.36 on the AMD EPYC (Zen 4) machine reads a 320 MiB L3 where `lscpu`
/// shows 32 MiB, and streams only from 240 MiB on. Measured there (one
/// thread, medians of 7 interleaved runs of a standalone test):
/// from cold caches streaming ran at 34–37 GB/s and memcpy at 21–24 from
/// 1 MiB to 64 MiB; in a warm loop streaming lost up to 8 MiB (52 against
/// 58–90 GB/s) and won from 12 MiB on (49 against 42, 35 against 21 at 32
/// MiB). On the AVX2 EPYC, earlier, the two were within 8% from 32 MiB on
/// and streaming lost 2–8 MiB copies in a warm loop. Beyond 16 MiB the
/// source and destination together fill a 32 MiB L3.
const STREAM_WHOLE_MIN_BYTES: usize = 16 << 20;

/// A cache line.
const LINE: usize = 64;

/// How much of the next row a copy by rows asks for ahead: its start,
/// after which the hardware's prefetchers follow the row. Asking for all of
/// a long row spends an instruction a line and pushes the row being copied
/// out of the L1 cache. Measured on the AMD EPYC (Zen 4), f32 (1, 0, 2)
/// permutations in a warm loop, GB/s over three interleaved runs, whole
/// rows against 2 KiB: 64x64x16384 (64 KiB rows) 38–40 against 44–46,
/// 256x256x2048 33–36 against 35–36, 512³ level (34–38 against 35–36); 8
/// rows of 80 KB (sweep problem 49) 0.80 -> 0.94 of memcpy.
const PREFETCH_ROW_BYTES: usize = 2 << 10;

/// `dims` with the first dimension cut to `start..end` (bases moved).
pub(super) fn cut(
    dims: &[Dim],
    dst: *mut u8,
    src: *const u8,
    start: usize,
    end: usize,
) -> (DimVec<Dim>, *mut u8, *const u8) {
    let mut out = DimVec::from_slice(dims);
    let first = &mut out[0];
    let dst = dst.wrapping_offset(first.dst * start as isize);
    let src = src.wrapping_offset(first.src * start as isize);
    first.extent = end - start;
    (out, dst, src)
}

/// What the destination of a copy is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Destination {
    /// Memory that already exists, in the caches or not.
    Existing,
    /// A buffer allocated for this copy and not touched yet. The kernel
    /// zeroes each page at its first touch, which leaves the page in the
    /// caches: contiguous runs are then written with plain stores
    /// (streaming stores would evict those lines again; measured: a fresh
    /// 64 MiB copy runs at about 0.75 of memcpy this way, 0.55 streamed).
    Fresh,
}

/// How a plan runs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Mode {
    /// Whether the plan may be split over threads: only if distinct index
    /// tuples reach disjoint destination bytes.
    pub(crate) parallel: bool,
    /// Bytes the whole copy writes. The plan may be one block of a larger
    /// copy (a row of an indirect image): the size of the whole decides
    /// whether its lines are streamed (measured: a PIL image's 4 KiB rows
    /// streamed run about 1.25x faster than cached).
    pub(crate) copy_bytes: usize,
    pub(crate) destination: Destination,
}

impl Mode {
    /// One thread, an existing destination, `copy_bytes` in all.
    pub(crate) fn serial(copy_bytes: usize) -> Mode {
        Mode { parallel: false, copy_bytes, destination: Destination::Existing }
    }
}

/// Runs `plan` from these bases.
///
/// # Safety
///
/// Every item the plan's loops reach from the (offset) bases must be
/// writable on the destination side and readable on the source side, with
/// no overlap between the sides. If `mode.parallel`, distinct index tuples
/// must reach disjoint destination bytes.
pub(crate) unsafe fn run(plan: &Plan, dst: *mut u8, src: *const u8, mode: Mode) {
    let dst = dst.wrapping_offset(plan.dst_offset);
    let src = src.wrapping_offset(plan.src_offset);
    let bytes = plan.bytes();
    let parallel = mode.parallel && bytes >= parallel::PAR_MIN_BYTES;
    let es = plan.itemsize;
    let stream = crate::simd::STREAMING && mode.copy_bytes.max(bytes) >= STREAM_MIN_BYTES;
    // Transposes into fresh pages still stream (measured: slightly faster).
    let stream_runs = stream && mode.destination == Destination::Existing;
    let (d, s) = (SendPtr(dst), SendPtr(src.cast_mut()));
    let small = match plan.strategy {
        Strategy::Gather => bytes <= super::SMALL_COPY_BYTES,
        // Rows of an L1-sized copy need no prefetching.
        Strategy::Rows => bytes <= 4 * super::SMALL_COPY_BYTES,
        _ => false,
    };
    if small {
        // The plan's loops as they are: the kernels' set-up (blocks,
        // thread splits, the loops' copies) costs more than such a copy
        // (a 2x2x2x2 copy of 28-byte items, sweep problem 146: 260 ns
        // through the kernels, a naive loop 80).
        // SAFETY: forwarded: the plan's items from these bases.
        unsafe { super::strided::copy_loops(&plan.dims, dst, src, es) };
        return;
    }
    match plan.strategy {
        Strategy::Nothing => {}
        // A whole copy that is one contiguous run is the platform
        // memcpy's job up to `STREAM_WHOLE_MIN_BYTES`, and streamed above
        // it. Runs that are blocks of a larger copy (the rows of a PIL
        // image) stream from `STREAM_MIN_BYTES`, see `Mode::copy_bytes`.
        Strategy::Memcpy { bytes } => {
            let stream_block = stream_runs && (bytes < mode.copy_bytes || bytes >= STREAM_WHOLE_MIN_BYTES);
            parallel::split(bytes, 1 << 20, parallel, |a, b| {
                // SAFETY: bytes a..b of the contiguous destination and
                // source (the plan's items; disjoint: caller).
                unsafe { copy_run(d.get().wrapping_add(a), s.get().wrapping_add(a), b - a, stream_block) };
                // Streaming stores are fenced by the thread that made them.
                if stream_block {
                    crate::simd::fence();
                }
            });
        }
        Strategy::Rows => {
            let (inner, outer) = plan.dims.split_last().unwrap_or((&Dim { extent: 1, dst: 0, src: 0 }, &[]));
            // Rows of a permutation come from scattered places that the
            // hardware cannot guess: ask for the start of the next one
            // (usually one step of the innermost outer loop away) while
            // copying this one.
            let next_row = outer.last().map_or(0, |d| d.src);
            // Rows are streamed when their lines are whole: each row starts
            // on a line and fills its last one, or is long enough (16
            // lines) that the lines it shares with its neighbours do not
            // matter. A shared line is written half streamed, half cached,
            // and both halves wait for each other: 264-byte rows of a 33
            // MiB copy ran at 0.36x memcpy streamed, 0.64x cached (sweep
            // problem 58, AMD EPYC), while the 1 KiB rows of a 256^3 f32
            // (1, 0, 2) permutation run at 21 GB/s streamed, 13 cached.
            let row_bytes = inner.extent * es;
            let whole_lines = dst.addr().is_multiple_of(LINE)
                && row_bytes.is_multiple_of(LINE)
                && outer.iter().all(|d| d.dst % LINE as isize == 0);
            let stream_runs = stream_runs && (whole_lines || row_bytes >= 16 * LINE);
            let copy_inner = |dp: *mut u8, sp: *const u8| {
                // SAFETY: the inner run of items at an in-range outer index.
                unsafe {
                    crate::simd::prefetch(sp.wrapping_offset(next_row), (inner.extent * es).min(PREFETCH_ROW_BYTES));
                    copy_run(dp, sp, inner.extent * es, stream_runs);
                }
            };
            match outer.first() {
                None => {
                    copy_inner(dst, src);
                    crate::simd::fence();
                }
                Some(first) => parallel::split(first.extent, 1, parallel, |a, b| {
                    let (dims, dp, sp) = cut(outer, d.get(), s.get(), a, b);
                    for_each_outer(&dims, dp, sp, copy_inner);
                    // Streaming stores are fenced by the thread that made them.
                    crate::simd::fence();
                }),
            }
        }
        Strategy::Gather => {
            // Two loops in a 2-D kernel, the others around it; a single
            // loop of items at fixed offsets as a line of its own.
            let (kernel, rest) = Blocked::gather(&plan.dims, es);
            // (A reversed run, forwards into backwards, has its own loop.)
            let line = match &plan.dims[..] {
                [a] if !parallel && !reversed_run(a.dst, a.src, es) => Some(*a),
                _ => None,
            };
            // SAFETY: forwarded: the plan's items from these bases.
            unsafe {
                with_item!(es, M => match line {
                    Some(a) if !M::INDEXED && !M::KEEP_ROLLED => {
                        gather_line::<M>(dst, a.dst, src, a.src, a.extent, es);
                    }
                    _ => kernel.run_all::<M>(&rest, d, s, parallel),
                });
            };
        }
        Strategy::Blocked { fast_src } => {
            // The innermost loop and the source's fastest in a blocked 2-D
            // kernel, the others around it.
            let n = plan.dims.len();
            let (a, b) = (plan.dims[n - 1], plan.dims[fast_src]);
            let mut rest = DimVec::from_slice(&plan.dims[..n - 1]);
            rest.remove(fast_src);
            let kernel = Blocked::new(a, b, es, Blocked::items_for(a));
            // SAFETY: forwarded: the plan's items from these bases.
            unsafe { with_item!(es, M => kernel.run_all::<M>(&rest, d, s, parallel)) };
        }
        Strategy::Transpose { fast_dst, fast_src } => {
            let (a, b) = (plan.dims[fast_dst], plan.dims[fast_src]);
            let mut rest = DimVec::from_slice(&plan.dims);
            rest.remove(fast_dst.max(fast_src));
            rest.remove(fast_dst.min(fast_src));
            let n = rest.len();
            let problem = |dp: *mut u8, sp: *const u8| Transpose2 {
                dst: dp,
                dst_row: b.dst,
                src: sp,
                src_col: a.src,
                rows: b.extent,
                cols: a.extent,
                itemsize: es,
                stream,
                joined: tiled::Joined::NONE,
            };
            if n == 0 {
                // SAFETY: the 2-D problem (caller's contract).
                if unsafe { skinny::run(problem(dst, src), parallel) } {
                    return;
                }
                parallel::split(b.extent, tiled::SPLIT_ROWS, parallel, |lo, hi| {
                    // SAFETY: rows lo..hi of the 2-D problem.
                    unsafe { problem(d.get(), s.get()).rows(lo, hi).run() };
                });
            } else {
                // When the innermost other dimension continues the
                // destination rows (its problems' rows follow one another),
                // its problems run together, joined at their edges.
                let innermost = rest[n - 1];
                let joined = innermost.dst == (a.extent * es) as isize;
                parallel::split(rest[0].extent, 1, parallel, |lo, hi| {
                    let (dims, dp, sp) = cut(&rest, d.get(), s.get(), lo, hi);
                    let (outer, count) = if joined { (&dims[..n - 1], dims[n - 1].extent) } else { (&dims[..], 1) };
                    for_each_outer(outer, dp, sp, |dp, sp| {
                        // SAFETY: the 2-D slices at in-range outer indices:
                        // `count` of them along the innermost dimension when
                        // joined, one otherwise.
                        unsafe { problem(dp, sp).run_joined(count, innermost.src) };
                    });
                });
            }
        }
    }
}
