//! Record tiles: transposes of items whose size is not a power of two
//! (3-byte RGB pixels, 6-byte RGB16, 12-byte `xyz` triples of `f32`, …),
//! which the line tiles cannot hold in whole vectors.
//!
//! A transpose of `R`-byte items is a transpose of a byte matrix whose
//! `R`-byte columns stay together. Lines and items line up every
//! [`block_cols`] items (`64 / gcd(R, 64)`: 64 RGB pixels are three lines,
//! 16 `xyz` triples too), so a *record block* takes that many source rows,
//! gathers `n` destination rows of them into a small staging area in the
//! L1 cache (each item moved with one load and one store of a power of two
//! bytes, which may reach into the next item: written in increasing order,
//! each such overhang is overwritten by the next item's own bytes), and
//! then writes each staged row out whole: with streaming stores when the
//! destination row starts at a line, so that every destination line is
//! written once, whole, without being read first. Item by item, the same
//! copy writes each line in 21 pieces (RGB) a band of rows apart, and
//! calls `memcpy` for every item.
//!
//! The kernel is portable (plain loads and stores, so it runs under Miri
//! too); only the write-out streams, with SSE2 stores at the vector tiers.
//!
//! Measured on an AMD EPYC (Zen 3, AVX2; a shared machine at load 7–11, so
//! one run each; ratios to memcpy of the same run), against item-by-item
//! copies before: RGB 4096² rotated by 90° 0.07 -> 0.30–0.32 (a naive loop
//! 0.06–0.07, ndarray 0.06), RGB 3000x5000 0.04 -> 0.22, RGB16 0.10 ->
//! 0.26–0.29, `xyz` 0.25 -> 0.36–0.37.

/// The record sizes with a kernel: 3, 5, 6, 7, 9 to 15 and 24 bytes (1,
/// 2, 4, 8 and 16 have line tiles; `with_record_size!` binds them).
pub(crate) fn has_kernel(itemsize: usize) -> bool {
    matches!(itemsize, 3 | 5 | 6 | 7 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 24)
}

/// Items per block column: the fewest whose bytes are whole 64-byte lines.
pub(crate) const fn block_cols(itemsize: usize) -> usize {
    let mut g = 64;
    let mut b = itemsize % 64;
    // gcd(itemsize, 64)
    while b != 0 {
        let t = g % b;
        g = b;
        b = t;
    }
    64 / g
}

/// Destination rows per block: as many as keep the staging area within
/// [`STAGE_BYTES`] (and the block's source, as much again, in the L1 cache
/// with it), a multiple of 8 between 8 and 64.
pub(crate) const fn block_rows(itemsize: usize) -> usize {
    let fit = STAGE_BYTES / (block_cols(itemsize) * itemsize);
    let rows = fit / 8 * 8;
    if rows < 8 {
        8
    } else if rows > 64 {
        64
    } else {
        rows
    }
}

/// The staging area's budget: a block's staged rows, with its source,
/// stay in the L1 cache (32 KiB and more on current cores).
const STAGE_BYTES: usize = 12 << 10;

/// Bytes between staged rows: a block row rounded up to whole lines, plus
/// a vector for the last item's overhang.
const fn stage_row(itemsize: usize) -> usize {
    (block_cols(itemsize) * itemsize).next_multiple_of(64) + 64
}

/// Bytes a record block's staging area needs.
pub(crate) const fn stage_bytes(itemsize: usize) -> usize {
    stage_row(itemsize) * block_rows(itemsize)
}

/// A 64-byte aligned staging area of `stage_bytes` bytes for any record
/// size with a kernel.
#[repr(C, align(64))]
pub(crate) struct Stage(pub(crate) [u8; STAGE_MAX]);

/// The largest staging area any record size needs.
const STAGE_MAX: usize = {
    let sizes = [3, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 24];
    let mut max = 0;
    let mut k = 0;
    while k < sizes.len() {
        if stage_bytes(sizes[k]) > max {
            max = stage_bytes(sizes[k]);
        }
        k += 1;
    }
    max
};

impl Stage {
    /// A zeroed staging area (about 10 KiB: on the stack).
    pub(crate) fn new() -> Stage {
        Stage([0; STAGE_MAX])
    }
}

impl std::fmt::Debug for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Stage")
    }
}

/// One record block: destination rows `0..rows` of `cols` items.
/// Destination row `r` receives item `r` of source rows `0..cols`, i.e.
/// `dst + r*dst_row + c*R` from `src + c*src_row + r*R`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RecordBlock {
    pub(crate) src: *const u8,
    /// Bytes between source rows (destination columns); any sign.
    pub(crate) src_row: isize,
    pub(crate) dst: *mut u8,
    /// Bytes between destination rows; any sign.
    pub(crate) dst_row: isize,
    /// At most [`block_rows`].
    pub(crate) rows: usize,
    /// At most [`block_cols`].
    pub(crate) cols: usize,
    /// Whether item `rows` of every source row (the one after the
    /// block's last) is readable, so that the block may read into it.
    pub(crate) overread: bool,
}

/// `$run` with the const `$R` bound to `$itemsize`, a size with a record
/// kernel ([`has_kernel`]).
macro_rules! with_record_size {
    ($itemsize:expr, $R:ident => $run:expr) => {{
        match $itemsize {
            3 => {
                const $R: usize = 3;
                $run
            }
            5 => {
                const $R: usize = 5;
                $run
            }
            6 => {
                const $R: usize = 6;
                $run
            }
            7 => {
                const $R: usize = 7;
                $run
            }
            9 => {
                const $R: usize = 9;
                $run
            }
            10 => {
                const $R: usize = 10;
                $run
            }
            11 => {
                const $R: usize = 11;
                $run
            }
            12 => {
                const $R: usize = 12;
                $run
            }
            13 => {
                const $R: usize = 13;
                $run
            }
            14 => {
                const $R: usize = 14;
                $run
            }
            15 => {
                const $R: usize = 15;
                $run
            }
            _ => {
                const $R: usize = 24;
                $run
            }
        }
    }};
}
pub(crate) use with_record_size;

/// Copies one `R`-byte item. With `WIDE`, as one load and one store of the
/// next power of two bytes (4, 8, 16 or 32), which reach past the item.
///
/// # Safety
///
/// `src` readable and `dst` writable for `R` bytes, or if `WIDE` for the
/// power of two bytes it moves (less than `2R`: its overhang stays inside
/// the next item); the two disjoint.
#[inline(always)]
unsafe fn copy_record<const R: usize, const WIDE: bool>(dst: *mut u8, src: *const u8) {
    // SAFETY: the caller's contract, for the bytes each arm moves.
    unsafe {
        if !WIDE {
            dst.cast::<[u8; R]>().write_unaligned(src.cast::<[u8; R]>().read_unaligned());
        } else if R <= 4 {
            dst.cast::<u32>().write_unaligned(src.cast::<u32>().read_unaligned());
        } else if R <= 8 {
            dst.cast::<u64>().write_unaligned(src.cast::<u64>().read_unaligned());
        } else if R <= 16 {
            dst.cast::<u128>().write_unaligned(src.cast::<u128>().read_unaligned());
        } else {
            dst.cast::<[u128; 2]>().write_unaligned(src.cast::<[u128; 2]>().read_unaligned());
        }
    }
}

/// Transposes one record block of `R`-byte items through `stage`; each
/// staged row is written out with streaming stores if `stream`, plainly
/// otherwise.
///
/// # Safety
///
/// `R` has a kernel ([`has_kernel`]); `block.rows <= block_rows(R)` and
/// `block.cols <= block_cols(R)`. For `r < rows` and `c < cols`:
/// `src + c*src_row + r*R` readable (and, if `overread`, the `R` bytes
/// after it too) and `dst + r*dst_row + c*R` writable for `R` bytes, the
/// two disjoint. If `stream`, every `dst + r*dst_row` is 64-byte aligned,
/// `cols * R` is a multiple of 64, and the caller must
/// [`super::fence`] before the data is read by anyone else.
#[inline(never)]
pub(crate) unsafe fn record_block<const R: usize>(block: RecordBlock, stage: &mut Stage, stream: bool) {
    let RecordBlock { src, src_row, dst, dst_row, rows, cols, overread } = block;
    let sr = stage_row(R);
    debug_assert!(rows <= block_rows(R) && cols <= block_cols(R) && rows * sr <= STAGE_MAX);
    let staged = stage.0.as_mut_ptr();
    // Gather: source row c's items 0..rows, read in order, go to staged
    // column c. Rows are taken in increasing column order, so each wide
    // store's overhang is overwritten by the next column's item (the last
    // one's lands in the row's slack).
    for c in 0..cols {
        let from = src.wrapping_offset(c as isize * src_row);
        let to = staged.wrapping_add(c * R);
        // The last item of the run reads wide only if the item after it
        // exists.
        let wide = if overread { rows } else { rows - 1 };
        for r in 0..wide {
            // SAFETY: item r of source row c and the bytes after it (item
            // r + 1 of the same row, or with `overread` the item after the
            // block: the overhang is less than an item, `copy_record`),
            // readable (caller); staged row r, bytes c*R.. plus less than
            // an item, inside the row's slack (stage_row), inside the
            // stage (rows * stage_row <= STAGE_MAX).
            unsafe { copy_record::<R, true>(to.wrapping_add(r * sr), from.wrapping_add(r * R)) };
        }
        if wide < rows {
            let r = rows - 1;
            // SAFETY: item r of source row c (caller) into staged row r.
            unsafe { copy_record::<R, false>(to.wrapping_add(r * sr), from.wrapping_add(r * R)) };
        }
    }
    // Write out: each staged row is one destination row's `cols` items.
    let bytes = cols * R;
    let stream = stream && super::vector_kernels();
    for r in 0..rows {
        let to = dst.wrapping_offset(r as isize * dst_row);
        let from = staged.wrapping_add(r * sr).cast_const();
        // SAFETY: destination row r, items 0..cols: writable (caller), and
        // line-aligned whole lines if `stream`; staged row r holds them
        // (written above), line-aligned, and the stage is not the
        // destination.
        unsafe {
            if stream {
                stream_lines(to, from, bytes);
            } else {
                std::ptr::copy_nonoverlapping(from, to, bytes);
            }
        }
    }
}

/// Copies `bytes` (a multiple of 64) from the line-aligned `from` to the
/// line-aligned `to` with streaming stores: one 16-byte load and store at
/// a time, inline (a staged row is a few lines, too short for
/// [`super::stream_copy`]'s set-up).
///
/// # Safety
///
/// `from` readable and `to` writable for `bytes` bytes, both 64-byte
/// aligned, not overlapping; the vector tier is in effect; the caller
/// must [`super::fence`] before the data is read by anyone else.
#[inline(always)]
unsafe fn stream_lines(to: *mut u8, from: *const u8, bytes: usize) {
    #[cfg(all(feature = "simd", not(miri), target_arch = "x86_64"))]
    {
        use core::arch::x86_64::{__m128i, _mm_load_si128, _mm_stream_si128};
        for k in (0..bytes).step_by(16) {
            // SAFETY: 16 bytes at offset k < bytes of both, aligned
            // (caller); SSE2 is part of the x86-64 baseline.
            unsafe {
                let v = _mm_load_si128(from.wrapping_add(k).cast::<__m128i>());
                _mm_stream_si128(to.wrapping_add(k).cast::<__m128i>(), v);
            }
        }
    }
    #[cfg(not(all(feature = "simd", not(miri), target_arch = "x86_64")))]
    // SAFETY: the caller's contract.
    unsafe {
        std::ptr::copy_nonoverlapping(from, to, bytes);
    }
}
