//! Cache-tiled transposes: copies whose destination's fast dimension is
//! not the source's.
//!
//! The 2-D problem: `dst(i, j) = dst + i*dst_row + j*es` and
//! `src(i, j) = src + i*es + j*src_col`, so rows of the destination are
//! columns of the source. The destination is cut into bands of
//! [`BAND_BYTES`] of source run (so that each source row is read in long
//! sequential runs, which the hardware prefetchers follow), and each band
//! into *line tiles* of `K` destination rows by one 64-byte line
//! ([`crate::simd::LineTile`]), run two column blocks at a time so that
//! each destination row receives 128 contiguous bytes at once (kernels
//! may copy whole columns their own way, such as the square tiles of the
//! 512-bit kernels, which need no prefetching either). Columns
//! are aligned to the destination's cache lines ([`LineGrid`]; rows a
//! multiple of 16 but not of 64 bytes apart get grids shifted row by
//! row), so each tile writes whole lines;
//! for large outputs those are written with streaming stores (no read of
//! the old line), and short source runs are prefetched a column block
//! ahead. The ragged edges (the columns before each row's first line, the
//! last columns, the last rows) are copied in register blocks or item by
//! item, except where rows follow each other in memory: there a row's last
//! columns and the next row's first ones share a line, which the kernel
//! may write whole ([`crate::simd::LineTile::seams`]). Items of 16 bytes
//! are whole vectors (`K = 1`: their line tiles are one destination line
//! of four items). Other itemsizes are copied item by item in the same
//! band order, except sizes of 3 to 15 bytes and 24 (RGB pixels, `xyz`
//! triples, …): those are gathered in record blocks of whole lines
//! ([`crate::simd::records`]).
//! Small transposes skip all this: [`Transpose2::run_small`] uses plain
//! `K x K` register blocks.

use super::strided::{copy_item, gather};
use crate::simd::records::{self, RecordBlock, Stage};

/// `$run` with `$T` the line-tile kernel for `$itemsize` (1, 2, 4, 8 or 16) at
/// the SIMD tier in effect: the build's kernels, or the portable ones when
/// the tier is capped at scalar (see `crate::simd::level`).
macro_rules! with_kernel {
    ($itemsize:expr, $T:ident => $run:expr) => {{
        use crate::simd::{kernels, scalar};
        let vector = crate::simd::vector_kernels();
        match ($itemsize, vector) {
            (1, true) => {
                type $T = kernels::Tile1;
                $run
            }
            (2, true) => {
                type $T = kernels::Tile2;
                $run
            }
            (4, true) => {
                type $T = kernels::Tile4;
                $run
            }
            (8, true) => {
                type $T = kernels::Tile8;
                $run
            }
            (16, true) => {
                type $T = kernels::Tile16;
                $run
            }
            (1, false) => {
                type $T = scalar::Tile1;
                $run
            }
            (2, false) => {
                type $T = scalar::Tile2;
                $run
            }
            (4, false) => {
                type $T = scalar::Tile4;
                $run
            }
            (8, false) => {
                type $T = scalar::Tile8;
                $run
            }
            _ => {
                type $T = scalar::Tile16;
                $run
            }
        }
    }};
}
use crate::simd::{Column, LineTile, Seams};

/// Bytes of each source row read per band: long enough for the
/// prefetchers, short enough that a band's source fits the L2 cache (two
/// column blocks of 16 rows of 8 KiB for f32). On the AMD machine 16 KiB
/// bands measured much better than 4 KiB (f32 4096² 0.94 against 0.78 of
/// memcpy, f64 3000x5000 1.10 against 0.81); on the Intel machine, with
/// two column blocks at a time, 8 KiB measured better than 16 KiB (f32
/// 4096² 1.16–1.23 against 0.97–1.03, f64 0.88–0.97 against 0.75–0.85).
const BAND_BYTES: usize = 8 << 10;

/// At most this many rows per band: the byte kernel stages a line per row
/// (256 KiB, in the L2 cache).
const MAX_BAND_ROWS: usize = 4096;

/// Rows per band for items of `itemsize` bytes.
pub(crate) fn band_rows(itemsize: usize) -> usize {
    (BAND_BYTES / itemsize).clamp(1, MAX_BAND_ROWS)
}

/// Destination rows shorter than this (a line and a half) are transposed
/// in register blocks, not line tiles (see [`Transpose2::short_rows`]).
/// Measured on f32 17 x 1,000,000 transposed (68-byte rows; AMD EPYC,
/// AVX2, one thread, 2 x output bytes / time): line tiles 3.2 GB/s, the
/// gather 12.2–15.2 (0.79–0.82x memcpy), register blocks 16.4–17.5
/// (0.90–0.95x); u8 40 x 2,000,000 4.4 and 6.3–6.4; u16 30 x 1,000,000
/// 6.4–7.2 and 9.0–9.8.
pub(crate) const MIN_TILE_ROW_BYTES: usize = 96;

/// Whether a transpose with shorter rows than that is worth running in
/// register blocks rather than the gather: items of 1, 2 or 4 bytes, at
/// least one `K x K` block across a row. Not 8- and 16-byte items, whose
/// blocks are 2 x 2 and 1 x 1 (f64 8 x 1,000,000 transposed: 19.6 GB/s
/// gathered, 15.0–16.6 in blocks), nor bytes fewer than 16 to a row, which
/// have no block (u8 15 x 100,000: 4.5–5.3 GB/s gathered, 3.3 item by item).
pub(crate) fn short_rows_in_blocks(itemsize: usize, cols: usize) -> bool {
    matches!(itemsize, 1 | 2 | 4) && cols >= 16 / itemsize
}

/// When a transpose is split between threads, each takes a multiple of
/// this many rows: whole tiles of every itemsize and whole 64-row blocks
/// of the byte kernel. (Not whole bands: a 4096-row f32 transpose is one
/// band, which would leave the second thread idle.)
pub(crate) const SPLIT_ROWS: usize = 64;

/// In large copies (those that stream: their source comes from memory),
/// source runs (bytes per row per band) up to this long are too short for
/// the hardware prefetchers: each column block then asks for the next
/// block's source lines while it works (measured: 256³ permutations whose
/// 2-D slices have 1 KiB rows went from 0.45 to 0.70 of memcpy; in-cache
/// copies only lose by it).
const PREFETCH_MAX_RUN: usize = 1024;

/// Rows per band when rows carry their partial lines
/// ([`Transpose2::band_carried`]): the carried lines (16 KiB) stay in the
/// L1 cache, and the source runs (1 KiB of f32) are prefetched. Measured
/// on an AMD EPYC (Zen 3, AVX2, a shared machine at load 7–9; ratios to
/// memcpy of the same run, two runs each): u16 3001 x 4999 0.26–0.40
/// without the carry, 0.35–0.58 with bands of 256 rows, 0.21–0.27 with
/// 1024; f32 3001 x 4999 0.26–0.30 without, 0.37–0.52 with 256 rows,
/// 0.16–0.17 with 1024 (the line-aligned u16 4096² ran at 0.39–0.47 in the
/// same runs).
const CARRY_BAND_ROWS: usize = 256;

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
    /// Whether the copy is large (its data comes from and goes to memory,
    /// not the caches): whole aligned lines are then written with streaming
    /// stores, and short source runs prefetched.
    pub(crate) stream: bool,
    /// Which edge columns of every row another pass writes (see
    /// [`Transpose2::run_joined`]).
    pub(crate) joined: Joined,
}

/// The edge columns of a problem's rows that a seam pass writes together
/// with the neighbouring problem's (the problems' destinations follow one
/// another): the head (columns before the first whole line) and the tail.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Joined {
    pub(crate) head: bool,
    pub(crate) tail: bool,
}

impl Joined {
    /// Every column is the problem's own to write.
    pub(crate) const NONE: Joined = Joined { head: false, tail: false };
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

    /// The columns `start..end` of the problem.
    pub(crate) fn columns(self, start: usize, end: usize) -> Transpose2 {
        Transpose2 {
            dst: self.dst.wrapping_add(start * self.itemsize),
            src: self.src.wrapping_offset(start as isize * self.src_col),
            cols: end - start,
            ..self
        }
    }

    /// Rows per band.
    pub(crate) fn band(self) -> usize {
        band_rows(self.itemsize)
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
                1 | 2 | 4 | 8 | 16 if self.short_rows() => with_kernel!(self.itemsize, T => self.run_blocks::<T>()),
                1 | 2 | 4 | 8 | 16 => with_kernel!(self.itemsize, T => self.run_tiled::<T>()),
                es if records::has_kernel(es) => records::with_record_size!(es, R => self.run_records::<R>()),
                _ => self.run_items(),
            }
        }
    }

    /// Whether the destination rows are shorter than [`MIN_TILE_ROW_BYTES`]:
    /// too short for line tiles, whose ragged edges would be most of each
    /// row; such transposes run in register blocks, row block after row
    /// block ([`run_blocks`](Transpose2::run_blocks)).
    pub(crate) fn short_rows(self) -> bool {
        self.cols * self.itemsize < MIN_TILE_ROW_BYTES
    }

    /// Runs `count` problems like this one whose destinations follow one
    /// another in memory: problem `p` at `dst + p*cols*itemsize` and
    /// `src + p*src_step`. Where the rows do not start at lines, the tail
    /// of row `i` of problem `p` and the head of row `i` of problem `p + 1`
    /// share a line; kernels with seams ([`LineTile::seams`]) write it
    /// whole, instead of in two partial plain stores (measured on the Intel
    /// machine, three runs each: 256³ (2, 1, 0) into a `Vec`, 11.4–12.0
    /// GB/s without, 13.9–14.5 with).
    ///
    /// # Safety
    ///
    /// As [`run`](Transpose2::run), for every problem.
    pub(crate) unsafe fn run_joined(self, count: usize, src_step: isize) {
        // SAFETY: each arm runs the problems the caller vouched for.
        unsafe {
            match self.itemsize {
                _ if count == 1 => self.run(),
                _ if self.short_rows() => (0..count).for_each(|p| self.problem(p, src_step).run()),
                4 | 8 | 16 => with_kernel!(self.itemsize, T => self.run_joined_with::<T>(count, src_step)),
                _ => (0..count).for_each(|p| self.problem(p, src_step).run()),
            }
        }
    }

    /// Problem `p` of [`run_joined`](Transpose2::run_joined).
    fn problem(self, p: usize, src_step: isize) -> Transpose2 {
        Transpose2 {
            dst: self.dst.wrapping_add(p * self.cols * self.itemsize),
            src: self.src.wrapping_offset(p as isize * src_step),
            ..self
        }
    }

    /// [`run_joined`](Transpose2::run_joined) with the kernel `T`.
    ///
    /// # Safety
    ///
    /// As [`run_joined`](Transpose2::run_joined), with `T` the kernel for
    /// `itemsize`.
    unsafe fn run_joined_with<T: LineTile>(self, count: usize, src_step: isize) {
        let (es, w) = (self.itemsize, T::W);
        let grid = LineGrid::new(self.dst.addr(), self.dst_row, es);
        let head = grid.head.min(self.cols);
        let tail = (self.cols - head) % w;
        // Every problem then has the same head and tail, one line together.
        let joinable = self.stream
            && T::square_columns()
            && grid.aligned
            && grid.period == 1
            && (self.cols * es).is_multiple_of(64)
            && head > 0
            && head + tail == w;
        if !joinable {
            for p in 0..count {
                // SAFETY: problem p (caller).
                unsafe { self.problem(p, src_step).run_tiled::<T>() };
            }
            return;
        }
        for p in 0..count {
            let here = Transpose2 { joined: Joined { head: p > 0, tail: p + 1 < count }, ..self.problem(p, src_step) };
            // SAFETY: problem p, but for the edges the seams write (caller).
            unsafe { here.run_tiled::<T>() };
            if p + 1 == count {
                break;
            }
            let next = self.problem(p + 1, src_step);
            let first_tail = self.cols - tail;
            // SAFETY: seam i joins row i of problems p and p + 1: the tail
            // items of one (source rows first_tail.., item i) and the head
            // items of the other (source rows 0..head, item i), at the line
            // where problem p's row i ends (aligned: grid.aligned, and the
            // rows' lines are streamed).
            let done = unsafe {
                T::seams::<true>(Seams {
                    src_tail: here.src.wrapping_offset(first_tail as isize * self.src_col),
                    src_head: next.src,
                    src_row: self.src_col,
                    tail,
                    dst: here.dst.wrapping_add(first_tail * es),
                    dst_row: self.dst_row,
                    rows: self.rows,
                })
            };
            // SAFETY: the edges of the rows the seams did not reach.
            unsafe {
                here.columns(first_tail, self.cols).rows(done, self.rows).run_blocks::<T>();
                next.columns(0, head).rows(done, self.rows).run_blocks::<T>();
            }
        }
        crate::simd::fence();
    }

    /// A small transpose (inside the L1 cache): `K x K` register blocks
    /// where they fit, item by item at the edges. No bands, no alignment.
    ///
    /// # Safety
    ///
    /// As [`run`](Transpose2::run).
    pub(crate) unsafe fn run_small(self) {
        // SAFETY: each arm runs the problem the caller vouched for, with the
        // kernel of its itemsize.
        unsafe {
            match self.itemsize {
                1 | 2 | 4 | 8 | 16 => with_kernel!(self.itemsize, T => self.run_blocks::<T>()),
                _ => self.edge(0, 1, self.rows, 0, self.cols),
            }
        }
    }

    /// [`run_small`](Transpose2::run_small) with the kernel `T`.
    ///
    /// # Safety
    ///
    /// As [`run`](Transpose2::run), with `T` the kernel for `itemsize`.
    unsafe fn run_blocks<T: LineTile>(self) {
        let (k, es) = (T::K, self.itemsize);
        let (rows, cols) = (self.rows / k * k, self.cols / k * k);
        // Plain counted loops, and no calls for empty edges: an 8 x 8
        // copy is a few dozen instructions of work. The last columns of
        // each block of rows are copied with it, item by item inline
        // (short rows have few blocks per row: in a pass of their own, or
        // through `edge`'s call per block of rows, the last column of a
        // 17 x 1,000,000 f32 transpose took as long as the blocks).
        let mut i = 0;
        while i < rows {
            let mut j = 0;
            while j < cols {
                let d = self.dst.wrapping_offset(i as isize * self.dst_row + (j * es) as isize);
                let s = self.src.wrapping_offset((i * es) as isize + j as isize * self.src_col);
                // SAFETY: the block's items lie inside the problem.
                unsafe { T::block(s, self.src_col, d, self.dst_row) };
                j += k;
            }
            while j < self.cols {
                let d = self.dst.wrapping_offset(i as isize * self.dst_row + (j * es) as isize);
                let s = self.src.wrapping_offset((i * es) as isize + j as isize * self.src_col);
                for r in 0..k as isize {
                    // SAFETY: item (i + r, j), inside the problem.
                    unsafe { copy_item(d.wrapping_offset(r * self.dst_row), s.wrapping_offset(r * es as isize), es) };
                }
                j += 1;
            }
            i += k;
        }
        // SAFETY: the last rows.
        unsafe {
            if rows < self.rows {
                self.edge(rows, 1, self.rows - rows, 0, self.cols);
            }
        }
    }

    /// Record blocks ([`crate::simd::records`]), band by band: in each
    /// band, block columns of whole lines (streamed when every row's block
    /// starts at a line), and before and after them the head and tail
    /// columns in partial blocks, written plainly.
    ///
    /// # Safety
    ///
    /// As [`run`](Transpose2::run), with `R` the itemsize, which has a
    /// record kernel.
    unsafe fn run_records<const R: usize>(self) {
        let (block_cols, block_rows) = (records::block_cols(R), records::block_rows(R));
        let mut stage = Stage::new();
        // Streamed rows must start their blocks at lines: rows a whole
        // number of lines apart, and a first block column that puts the
        // first row's block at one.
        let start = self.dst.addr();
        let aligned = self.stream && self.dst_row % 64 == 0;
        let head = if aligned { (0..block_cols).find(|&h| (start + h * R).is_multiple_of(64)) } else { None };
        let stream = head.is_some();
        let head = head.unwrap_or(0).min(self.cols);
        let blocks = (self.cols - head) / block_cols;
        let body_end = head + blocks * block_cols;
        // Column blocks: (first column, columns, streamed).
        let columns = std::iter::once((0, head, false))
            .chain((0..blocks).map(|b| (head + b * block_cols, block_cols, stream)))
            .chain(std::iter::once((body_end, self.cols - body_end, false)))
            .filter(|&(_, n, _)| n > 0);
        // Bands of whole row blocks.
        let band = (self.band() / block_rows).max(1) * block_rows;
        for i0 in (0..self.rows).step_by(band) {
            let i1 = (i0 + band).min(self.rows);
            for (j, cols, stream) in columns.clone() {
                let mut i = i0;
                while i < i1 {
                    let rows = block_rows.min(i1 - i);
                    if self.stream {
                        // The next block's source runs, one per source row
                        // of the block: more streams than the hardware
                        // prefetchers follow.
                        let next = self.src.wrapping_offset(((i + rows) * R) as isize + j as isize * self.src_col);
                        let ahead = block_rows.min(i1.saturating_sub(i + rows)) * R;
                        for c in 0..cols as isize {
                            crate::simd::prefetch(next.wrapping_offset(c * self.src_col), ahead);
                        }
                    }
                    let block = RecordBlock {
                        src: self.src.wrapping_offset((i * R) as isize + j as isize * self.src_col),
                        src_row: self.src_col,
                        dst: self.dst.wrapping_offset(i as isize * self.dst_row + (j * R) as isize),
                        dst_row: self.dst_row,
                        rows,
                        cols,
                        overread: i + rows < self.rows,
                    };
                    // SAFETY: rows i..i + rows, columns j..j + cols of the
                    // problem (caller), at most a block; the item after
                    // each source run is the problem's item (i + rows, ·)
                    // when `overread`; streamed blocks start at lines
                    // (dst_row and the head column put them there) and
                    // are whole lines (block_cols).
                    unsafe { records::record_block::<R>(block, &mut stage, stream) };
                    i += rows;
                }
            }
        }
        if stream {
            // Streaming stores must be fenced by the thread that made them.
            crate::simd::fence();
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
            unsafe { self.edge(i0, 1, i1 - i0, 0, self.cols) };
        }
    }

    /// Copies items `(i, j)` for `i = first, first + step, ...` (`count`
    /// of them) and `j in j0..j1`, one column at a time (each source run
    /// read in order).
    ///
    /// # Safety
    ///
    /// As [`run`](Transpose2::run), for those items.
    unsafe fn edge(self, first: usize, step: usize, count: usize, j0: usize, j1: usize) {
        if count == 0 {
            return;
        }
        let es = self.itemsize as isize;
        for j in j0..j1 {
            let d = self.dst.wrapping_offset(first as isize * self.dst_row + j as isize * es);
            let s = self.src.wrapping_offset(first as isize * es + j as isize * self.src_col);
            // SAFETY: items (first + t*step, j) for t < count: inside the
            // problem (caller).
            unsafe { gather(d, step as isize * self.dst_row, s, step as isize * es, count, self.itemsize) };
        }
    }

    /// Line tiles inside, item by item at the edges, band by band.
    ///
    /// # Safety
    ///
    /// As [`run`](Transpose2::run), with `T` the kernel for `itemsize`.
    unsafe fn run_tiled<T: LineTile>(self) {
        let band = self.band();
        // Large copies whose destination rows no line grid fits carry
        // each row's last partial line from one column block to the next.
        let carried =
            self.stream && self.cols >= T::W && !LineGrid::new(self.dst.addr(), self.dst_row, self.itemsize).aligned;
        let band = if carried { band.min(CARRY_BAND_ROWS) } else { band };
        let mut carry = if carried { vec![CarryLine([0; 64]); band.min(self.rows)] } else { Vec::new() };
        for i0 in (0..self.rows).step_by(band) {
            let i1 = (i0 + band).min(self.rows);
            // SAFETY: rows i0..i1 of the problem (the carry has a line for
            // each row of a band).
            unsafe {
                if carried {
                    self.band_carried::<T>(i0, i1, &mut carry);
                } else {
                    self.band_tiled::<T>(i0, i1);
                }
            }
        }
        if self.stream {
            // Streaming stores must be fenced by the thread that made them.
            crate::simd::fence();
        }
    }

    /// The rows `i0..i1`: each row's columns are cut into a head, whole
    /// destination lines, and a tail.
    ///
    /// # Safety
    ///
    /// As [`run`](Transpose2::run), for rows `i0..i1`.
    // Not inlined: inlined into `run_tiled`, the tile loop of the large
    // transposes was measured 10% slower (register allocation).
    #[inline(never)]
    unsafe fn band_tiled<T: LineTile>(self, i0: usize, i1: usize) {
        let (k, w, es) = (T::K, T::W, self.itemsize);
        let grid = LineGrid::new(self.dst.wrapping_offset(i0 as isize * self.dst_row).addr(), self.dst_row, es);
        let stream = self.stream && grid.aligned;
        let max_shift = grid.shift[..grid.period].iter().max().copied().unwrap_or(0);
        let head = grid.head.min(self.cols);
        let lines = self.cols.saturating_sub(head + max_shift * k) / w;
        // Row class q (rows i0 + q, i0 + q + period, ...) has its lines in
        // columns body(q).
        let body = |q: usize| {
            let start = (head + grid.shift[q] * k).min(self.cols);
            start..(start + lines * w).min(self.cols)
        };
        if grid.period == 1 {
            // One head and one tail for all rows: where the rows follow
            // each other in memory, the tail of one and the head of the
            // next share a line, which the kernel may write whole (a
            // seam); the rest in register blocks (item by item, a
            // misaligned destination's 48-byte byte head was measured to
            // cost a third of the copy).
            let b = body(0);
            let tail = self.cols - b.end;
            let contiguous = self.dst_row == (self.cols * es) as isize && b.start + tail == w;
            let joined = self.joined != Joined::NONE;
            let seams = if stream && contiguous && !joined && b.start > 0 && i1 - i0 > 1 {
                let src_tail = self.src.wrapping_offset((i0 * es) as isize + b.end as isize * self.src_col);
                let src_head = self.src.wrapping_add((i0 + 1) * es);
                let dst = self.dst.wrapping_offset(i0 as isize * self.dst_row + (b.end * es) as isize);
                // SAFETY: seam s joins rows i0 + s and i0 + s + 1 (both in
                // the band): the tail items of the first and the head items
                // of the second, a whole line (the rows are one line
                // multiple long, contiguous, and streamed rows start at a
                // line), none of them in the body.
                unsafe {
                    T::seams::<true>(Seams {
                        src_tail,
                        src_head,
                        src_row: self.src_col,
                        tail,
                        dst,
                        dst_row: self.dst_row,
                        rows: i1 - i0 - 1,
                    })
                }
            } else {
                0
            };
            // SAFETY: the head columns of the rows whose head no seam
            // wrote (i0, and those after the seams), and the tail columns
            // of the rows whose tail no seam wrote.
            unsafe {
                if !self.joined.head {
                    let heads = self.columns(0, b.start);
                    if seams > 0 {
                        heads.rows(i0, i0 + 1).run_blocks::<T>();
                    }
                    heads.rows(i0 + seams.min(1) + seams, i1).run_blocks::<T>();
                }
                if !self.joined.tail {
                    self.columns(b.end, self.cols).rows(i0 + seams, i1).run_blocks::<T>();
                }
            }
        } else {
            for q in 0..grid.period.min(i1 - i0) {
                let count = (i1 - i0 - q).div_ceil(grid.period);
                let b = body(q);
                // SAFETY: the head and tail items of the rows of class q.
                unsafe {
                    self.edge(i0 + q, grid.period, count, 0, b.start);
                    self.edge(i0 + q, grid.period, count, b.end, self.cols);
                }
            }
        }
        let tiles_end = i0 + (i1 - i0) / k * k;
        // Tiles whose first rows are in the same class have the same
        // shifts: `phases` kinds of tile, taken one kind at a time.
        let phases = (grid.period / k).max(1);
        let prefetch = self.stream && (i1 - i0) * es <= PREFETCH_MAX_RUN;
        for phase in 0..phases {
            let mut shift = [0usize; 16];
            for (r, s) in shift.iter_mut().enumerate().take(k) {
                *s = grid.shift[(phase * k + r) % grid.period];
            }
            let low = shift[..k].iter().min().copied().unwrap_or(0);
            let extra = shift[..k].iter().max().copied().unwrap_or(0) - low;
            for s in &mut shift[..k] {
                *s -= low;
            }
            let rows = TileRows { first: i0 + phase * k, step: phases * k, end: tiles_end, shift, prefetch };
            let per_block = if es == 4 && !T::square_columns() {
                // 4-byte line tiles (no 512-bit square tiles): one block.
                // Two blocks read 32 source rows at once, whose lines at
                // strides of 16 KiB and more share a few cache sets.
                // Measured on the AMD EPYC (Zen 3, AVX2, load 7), two runs
                // each: f32 4096² 0.44–0.61 of memcpy with two blocks,
                // 0.72–0.79 with one; f32 8192² 0.27–0.28 -> 0.33 (f64's
                // square tiles were better with two, u16 level).
                1
            } else if self.stream && es <= 4 && crate::simd::amd() {
                // Streamed items of 2 and 4 bytes on AMD CPUs: one block,
                // whose 16 source rows the caches there hold better than
                // two blocks' 32. Measured on the AMD EPYC (Zen 4, 512-bit
                // square tiles), two runs of `examples/compare` each, in
                // GB/s: f32 4096² 12.8–14.3 -> 17.5–17.9, 3000x5000
                // 9.8–10.8 -> 16.5–18.5, 8192² 13.4–14.3 -> 16.2–17.5,
                // 256³ (1, 2, 0) 16.1–16.9 -> 21.4–22.2, the rest level; in
                // cache (256², not streamed) two blocks stay faster (52
                // GB/s against 37–46). u16, medians of 4 interleaved runs
                // of a warm loop: 2048² 19.1 -> 21.3, 4096² 17.7 -> 19.9,
                // 3000x5000 9.3 -> 10.0, 5000x3000 11.1 -> 12.2. (The
                // carried bands of `band_carried` measured level either
                // way: u16 3001x4999 11.6 against 11.2, 4999x3001 10.8
                // against 12.2.)
                1
            } else {
                lines_per_block(es, prefetch && !T::square_columns())
            };
            let mut line = 0;
            while line < lines {
                let n = per_block.min(lines - line);
                let j = head + line * w + low * k;
                // SAFETY: the tiles of these n column blocks and this phase:
                // rows below tiles_end, source rows j..j + (4n + extra)*K
                // within body(q) of every class (lines fit after the largest
                // shift); streamed rows start at a line (grid.aligned).
                unsafe {
                    match (stream, extra) {
                        (true, 0) => self.tiles::<T, true, 0>(j, n, &rows),
                        (true, 1) => self.tiles::<T, true, 1>(j, n, &rows),
                        (true, 2) => self.tiles::<T, true, 2>(j, n, &rows),
                        (true, _) => self.tiles::<T, true, 3>(j, n, &rows),
                        (false, 0) => self.tiles::<T, false, 0>(j, n, &rows),
                        (false, 1) => self.tiles::<T, false, 1>(j, n, &rows),
                        (false, 2) => self.tiles::<T, false, 2>(j, n, &rows),
                        (false, _) => self.tiles::<T, false, 3>(j, n, &rows),
                    }
                }
                line += n;
            }
        }
        // The last rows of the band, fewer than a tile: their lines item
        // by item.
        for i in tiles_end..i1 {
            let b = body((i - i0) % grid.period);
            // SAFETY: row i's line columns.
            unsafe { self.edge(i, 1, 1, b.start, b.end) };
        }
    }

    /// The rows `i0..i1` of a large transpose whose destination rows are
    /// not a whole number of vectors apart, so that no line grid (see
    /// [`LineGrid`]) has whole lines in every row: the line tiles then
    /// write one row's lines at different columns than the next row's.
    ///
    /// Instead, each row's columns are cut into chunks of one line's worth
    /// of items (two where [`lines_per_block`] says), from column 0. A
    /// chunk is `o` bytes past a line (`o` is the same for all chunks of a
    /// row), so with the last `o` bytes of the row's previous chunk it
    /// makes whole lines, which are streamed; those `o` bytes wait in
    /// `carry` (a line per row, in the L2 cache) while the band goes
    /// through its other rows. Only each row's first and last partial
    /// lines are written plainly. Without the carry, every line of such a
    /// destination is written in two parts, a band apart, each read from
    /// memory first (u16 3001 x 4999 ran at 0.34 of memcpy on the Intel
    /// machine, against 0.98 for the line-aligned 4096²; see
    /// [`CARRY_BAND_ROWS`] for this kernel's figures).
    ///
    /// # Safety
    ///
    /// As [`run`](Transpose2::run), for rows `i0..i1`; `carry` holds at
    /// least `i1 - i0` lines.
    #[inline(never)]
    unsafe fn band_carried<T: LineTile>(self, i0: usize, i1: usize, carry: &mut [CarryLine]) {
        let (k, w, es) = (T::K, T::W, self.itemsize);
        let lines = self.cols / w;
        let prefetch = (i1 - i0) * es <= PREFETCH_MAX_RUN;
        let per_block = lines_per_block(es, prefetch);
        let tiles_end = i0 + (i1 - i0) / k * k;
        // Tile rows in the scratch: the carried line, then the chunk.
        let stride = 64 * (per_block + 1);
        let mut scratch = [CarryLine([0; 64]); 16 * 3];
        let base = scratch.as_mut_ptr().cast::<u8>();
        let block_src = (w as isize).wrapping_mul(self.src_col);
        let vector = crate::simd::vector_kernels();
        let mut line = 0;
        while line < lines {
            let n = per_block.min(lines - line);
            let j = line * w;
            let (first, last) = (line == 0, line + n == lines);
            let mut i = i0;
            while i < tiles_end {
                let s = self.src.wrapping_offset((i * es) as isize + j as isize * self.src_col);
                if prefetch && (i * es).is_multiple_of(64) {
                    let next = block_src.wrapping_mul(n as isize);
                    for c in 0..(n * w) as isize {
                        crate::simd::prefetch(s.wrapping_offset(next + c * self.src_col), 1);
                    }
                }
                for b in 0..n {
                    // SAFETY: the tile's source items (rows i..i + K of the
                    // band, columns j + bW..j + bW + W of the body: inside
                    // the problem); its destination is scratch rows 0..K,
                    // bytes 64 + 64b..: inside `scratch` (K <= 16 rows of
                    // `stride` <= 192 bytes).
                    unsafe {
                        T::tile::<false, 0>(
                            s.wrapping_offset(b as isize * block_src),
                            self.src_col,
                            base.wrapping_add(64 + 64 * b),
                            stride as isize,
                            &[],
                        );
                    }
                }
                for r in 0..k {
                    let row = i + r;
                    let staged = base.wrapping_add(r * stride);
                    let to = self.dst.wrapping_offset(row as isize * self.dst_row + (j * es) as isize);
                    let o = to.addr() % 64;
                    let slot = &mut carry[row - i0];
                    // SAFETY: `staged` is scratch row r: the carried line,
                    // then the chunk's 64n bytes (written above); `to` is
                    // destination row `row` at column j, whose 64n bytes
                    // (the chunk's items) are writable, as are the o bytes
                    // before it when the row has an earlier chunk (its last
                    // items, carried); lines written from `to - o` are
                    // 64-byte aligned.
                    unsafe {
                        if first && o > 0 {
                            // The row's first line holds columns before
                            // this problem's: only the chunk's part.
                            std::ptr::copy_nonoverlapping(staged.wrapping_add(64), to, 64 - o);
                            stream_lines(to.wrapping_add(64 - o), staged.wrapping_add(128 - o), n - 1, vector);
                        } else {
                            if !first {
                                staged.cast::<CarryLine>().write(*slot);
                            }
                            stream_lines(to.wrapping_sub(o), staged.wrapping_add(64 - o), n, vector);
                        }
                        // The chunk's last o bytes: written plainly after
                        // the row's last chunk, carried otherwise.
                        if last {
                            let rest = 64 * n - o;
                            std::ptr::copy_nonoverlapping(staged.wrapping_add(64 + rest), to.wrapping_add(rest), o);
                        } else {
                            *slot = staged.wrapping_add(64 * n).cast::<CarryLine>().read();
                        }
                    }
                }
                i += k;
            }
            line += n;
        }
        // SAFETY: the tail columns of the band's rows, and the body of its
        // last rows (fewer than a tile), plainly.
        unsafe {
            self.columns(lines * w, self.cols).rows(i0, i1).run_blocks::<T>();
            for i in tiles_end..i1 {
                self.edge(i, 1, 1, 0, lines * w);
            }
        }
    }

    /// `blocks` neighbouring column blocks of line tiles (1 or 2): rows
    /// `rows.first, + step, ...` below `rows.end`, source rows from `j`.
    /// Each row's lines of the blocks are written one after the other.
    ///
    /// # Safety
    ///
    /// As [`run`](Transpose2::run) for the tiles' items; streamed rows
    /// start at a cache line.
    #[inline(always)]
    unsafe fn tiles<T: LineTile, const STREAM: bool, const EXTRA: usize>(
        self,
        j: usize,
        blocks: usize,
        rows: &TileRows,
    ) {
        let es = self.itemsize;
        let mut i = rows.first;
        if EXTRA == 0 && rows.step == T::K && (!rows.prefetch || T::square_columns()) {
            let d = self.dst.wrapping_offset(i as isize * self.dst_row + (j * es) as isize);
            let s = self.src.wrapping_offset((i * es) as isize + j as isize * self.src_col);
            // SAFETY: the tiles of these column blocks, rows i..end in
            // steps of K, unshifted (caller).
            i += unsafe {
                T::column::<STREAM>(Column {
                    src: s,
                    src_row: self.src_col,
                    dst: d,
                    dst_row: self.dst_row,
                    rows: rows.end - i,
                    blocks,
                })
            };
        }
        // The next column blocks' source, `blocks` * W rows further.
        let block_src = (T::W as isize).wrapping_mul(self.src_col);
        let next = block_src.wrapping_mul(blocks as isize);
        while i < rows.end {
            let d = self.dst.wrapping_offset(i as isize * self.dst_row + (j * es) as isize);
            let s = self.src.wrapping_offset((i * es) as isize + j as isize * self.src_col);
            if rows.prefetch && (i * es).is_multiple_of(64) {
                for c in 0..(blocks * T::W + EXTRA * T::K) as isize {
                    crate::simd::prefetch(s.wrapping_offset(next + c * self.src_col), 1);
                }
            }
            for b in 0..blocks {
                // SAFETY: the tile's items (caller).
                unsafe {
                    T::tile::<STREAM, EXTRA>(
                        s.wrapping_offset(b as isize * block_src),
                        self.src_col,
                        d.wrapping_add(b * T::W * es),
                        self.dst_row,
                        &rows.shift,
                    );
                }
            }
            i += rows.step;
        }
    }
}

/// How many neighbouring column blocks a band's tiles run together:
/// two, so that each destination row gets 128 contiguous bytes at a time.
/// Measured on the Intel machine against one block (with the 8 KiB bands
/// of [`BAND_BYTES`] and, for 8-byte items, the 8 x 8 column tiles, which
/// together with two blocks took f64 4096² from 0.6 to 0.9 of memcpy):
/// f32 4096² 0.88 -> 1.0–1.2, u16 0.9 -> 0.95; with the 128-bit tiles
/// only, f64 0.5–0.6 -> 0.7–0.8. Not for bytes, whose staged columns
/// already read 64 source rows per block, nor for short source runs,
/// which are prefetched block by block (the 256³ (2, 1, 0) permutation
/// measured 0.70–0.76 of memcpy with two blocks against 0.74–0.78).
///
fn lines_per_block(itemsize: usize, prefetch: bool) -> usize {
    if itemsize == 1 || prefetch { 1 } else { 2 }
}

/// One line of a row's carried bytes (see [`Transpose2::band_carried`]),
/// aligned so that it copies as whole vectors.
#[derive(Clone, Copy, Debug)]
#[repr(C, align(64))]
struct CarryLine([u8; 64]);

/// Copies `lines` whole lines from `from` (any alignment) to the
/// line-aligned `to`: with streaming stores if `vector` (the vector tier
/// is in effect) where this build has them, plainly otherwise.
///
/// # Safety
///
/// `from` readable and `to` writable for `64 * lines` bytes, not
/// overlapping; `to` 64-byte aligned; the calling thread must
/// [`crate::simd::fence`] before the data is read by anyone else.
#[inline(always)]
unsafe fn stream_lines(to: *mut u8, from: *const u8, lines: usize, vector: bool) {
    #[cfg(all(feature = "simd", not(miri), target_arch = "x86_64"))]
    if vector {
        use core::arch::x86_64::{__m128i, _mm_loadu_si128, _mm_stream_si128};
        for k in (0..64 * lines).step_by(16) {
            // SAFETY: 16 bytes at offset k < 64 * lines of both, the
            // stores aligned (caller); SSE2 is part of the x86-64 baseline.
            unsafe {
                let v = _mm_loadu_si128(from.wrapping_add(k).cast::<__m128i>());
                _mm_stream_si128(to.wrapping_add(k).cast::<__m128i>(), v);
            }
        }
        return;
    }
    let _ = vector;
    // SAFETY: the caller's contract.
    unsafe { std::ptr::copy_nonoverlapping(from, to, 64 * lines) };
}

/// Which line tiles a column block runs: rows `first, first + step, ...`
/// below `end`, each tile with these row shifts (in vectors).
struct TileRows {
    first: usize,
    step: usize,
    end: usize,
    shift: [usize; 16],
    /// Whether to ask for the next column block's source ahead of time.
    prefetch: bool,
}

/// Where the destination lines fall in a band's rows.
///
/// Row `i0 + q` of a band has its first line `head + shift[q % period]*K`
/// items in, where `K = 16 / itemsize`. The shifts exist when the rows are
/// a multiple of 16 bytes apart (`aligned`); otherwise lines are aligned in
/// the first row only (and nothing is streamed).
struct LineGrid {
    head: usize,
    period: usize,
    shift: [usize; 4],
    aligned: bool,
}

impl LineGrid {
    /// The grid for rows starting at address `start`, `dst_row` bytes apart.
    fn new(start: usize, dst_row: isize, itemsize: usize) -> LineGrid {
        if !start.is_multiple_of(itemsize) {
            // Items straddle lines whatever the columns: no alignment.
            return LineGrid { head: 0, period: 1, shift: [0; 4], aligned: false };
        }
        let head = (64 - start % 64) % 64 / itemsize;
        let delta = dst_row.rem_euclid(64) as usize;
        if !delta.is_multiple_of(16) {
            return LineGrid { head, period: 1, shift: [0; 4], aligned: false };
        }
        // Row q starts q*delta bytes past a line boundary of row 0's grid,
        // so its first line is (-q*delta) mod 64 bytes further right: the
        // pattern repeats after 64 / gcd(delta, 64) rows.
        let period = match delta {
            0 => 1,
            32 => 2,
            _ => 4,
        };
        let mut shift = [0; 4];
        for (q, s) in shift.iter_mut().enumerate().take(period) {
            *s = (64 - q * delta % 64) % 64 / 16;
        }
        LineGrid { head, period, shift, aligned: true }
    }
}
