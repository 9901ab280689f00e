//! Cache-tiled transposes: copies whose destination's fast dimension is
//! not the source's.
//!
//! The 2-D problem: `dst(i, j) = dst + i*dst_row + j*es` and
//! `src(i, j) = src + i*es + j*src_col`, so rows of the destination are
//! columns of the source. The destination is cut into bands of
//! [`BAND_BYTES`] of source run (so that each source row is read in long
//! sequential runs, which the hardware prefetchers follow), and each band
//! into *line tiles* of `K` destination rows by one 64-byte line
//! ([`crate::simd::LineTile`]). Columns are aligned to the destination's
//! cache lines, so each tile writes whole lines; for large outputs those
//! rows are written with streaming stores (no read of the old line). The
//! ragged edges (the columns before the first aligned line, the last
//! columns, the last rows) are copied item by item. Itemsizes other than
//! 1, 2, 4 and 8 are copied item by item in the same band order.

use super::strided::gather;
use crate::simd::LineTile;
use crate::simd::kernels::{Tile1, Tile2, Tile4, Tile8};

/// Bytes of each source row read per band: long enough for the
/// prefetchers, short enough that a band's source fits the L2 cache.
const BAND_BYTES: usize = 4096;

/// One 2-D transpose problem (see the module docs).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Transpose2 {
    pub(crate) dst: *mut u8,
    pub(crate) dst_row: isize,
    pub(crate) src: *const u8,
    pub(crate) src_col: isize,
    /// Extent of `i` (destination rows).
    pub(crate) rows: usize,
    /// Extent of `j` (destination columns).
    pub(crate) cols: usize,
    pub(crate) itemsize: usize,
    /// Whether whole aligned lines may be written with streaming stores.
    pub(crate) stream: bool,
}

impl Transpose2 {
    /// The rows `start..end` of the problem.
    pub(crate) fn rows(self, start: usize, end: usize) -> Transpose2 {
        Transpose2 {
            dst: self.dst.wrapping_offset(start as isize * self.dst_row),
            src: self.src.wrapping_add(start * self.itemsize),
            rows: end - start,
            ..self
        }
    }

    /// Rows per band.
    pub(crate) fn band(self) -> usize {
        (BAND_BYTES / self.itemsize).max(1)
    }

    /// Runs the transpose.
    ///
    /// # Safety
    ///
    /// Every `dst(i, j)` must be writable and every `src(i, j)` readable for
    /// `itemsize` bytes, with no overlap between them.
    pub(crate) unsafe fn run(self) {
        // SAFETY: each arm runs the problem the caller vouched for, with the
        // kernel of its itemsize.
        unsafe {
            match self.itemsize {
                1 => self.run_tiled::<Tile1>(),
                2 => self.run_tiled::<Tile2>(),
                4 => self.run_tiled::<Tile4>(),
                8 => self.run_tiled::<Tile8>(),
                _ => self.run_items(),
            }
        }
    }

    /// Item by item, band by band (for itemsizes without a kernel).
    ///
    /// # Safety
    ///
    /// As [`run`](Transpose2::run).
    unsafe fn run_items(self) {
        let band = self.band();
        for i0 in (0..self.rows).step_by(band) {
            let i1 = (i0 + band).min(self.rows);
            // SAFETY: the items of the band (caller's contract).
            unsafe { self.edge(i0, i1, 0, self.cols) };
        }
    }

    /// Copies items `i0..i1` x `j0..j1` one at a time, each source run
    /// sequentially.
    ///
    /// # Safety
    ///
    /// As [`run`](Transpose2::run), for that block.
    unsafe fn edge(self, i0: usize, i1: usize, j0: usize, j1: usize) {
        let es = self.itemsize as isize;
        for j in j0..j1 {
            let d = self.dst.wrapping_offset(i0 as isize * self.dst_row + j as isize * es);
            let s = self.src.wrapping_offset(i0 as isize * es + j as isize * self.src_col);
            // SAFETY: items (i0..i1, j): inside the problem (caller).
            unsafe { gather(d, self.dst_row, s, es, i1 - i0, self.itemsize) };
        }
    }

    /// Line tiles inside, item by item at the edges.
    ///
    /// # Safety
    ///
    /// As [`run`](Transpose2::run), with `T` the kernel for `itemsize`.
    unsafe fn run_tiled<T: LineTile>(self) {
        let (k, w, es) = (T::K, T::W, self.itemsize);
        let band = self.band();
        let mut stream = [false; 16];
        for i0 in (0..self.rows).step_by(band) {
            let i1 = (i0 + band).min(self.rows);
            // Align the columns to the destination lines of row i0.
            let row_start = self.dst.wrapping_offset(i0 as isize * self.dst_row).addr();
            let head = if row_start.is_multiple_of(es) { ((64 - row_start % 64) % 64 / es).min(self.cols) } else { 0 };
            let body_end = head + (self.cols - head) / w * w;
            // SAFETY: items of the band before the first line tile.
            unsafe { self.edge(i0, i1, 0, head) };
            let mut j = head;
            while j < body_end {
                let mut i = i0;
                while i + k <= i1 {
                    let d = self.dst.wrapping_offset(i as isize * self.dst_row + (j * es) as isize);
                    for (r, flag) in stream.iter_mut().enumerate().take(k) {
                        *flag = self.stream && d.wrapping_offset(r as isize * self.dst_row).addr().is_multiple_of(64);
                    }
                    let s = self.src.wrapping_offset((i * es) as isize + j as isize * self.src_col);
                    // SAFETY: the tile's items lie inside the problem
                    // (i + k <= rows, j + w <= cols); streamed rows are
                    // 64-byte aligned (checked just above).
                    unsafe { T::tile(s, self.src_col, d, self.dst_row, &stream[..k]) };
                    i += k;
                }
                // SAFETY: the last rows of this column block.
                unsafe { self.edge(i, i1, j, j + w) };
                j += w;
            }
            // SAFETY: the columns after the last line tile.
            unsafe { self.edge(i0, i1, body_end, self.cols) };
        }
        if self.stream {
            // Streaming stores must be fenced by the thread that made them.
            crate::simd::fence();
        }
    }
}
