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
//! Small transposes, and destinations whose rows are too short for line
//! tiles, skip all this: they run in plain `K x K` register blocks
//! ([`blocks`]). Transposes with a side of 2 to 8 packed items of 1 or 2
//! bytes (RGB pixels to planes and back) run in byte shuffles instead
//! ([`crate::simd::channels`], [`Transpose2::planes`]).

use super::strided::gather;
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

mod blocks;
mod carried;
mod grid;
mod joined;

pub(crate) use blocks::{MIN_TILE_ROW_BYTES, short_rows_in_blocks};
use carried::{CARRY_BAND_ROWS, CarryLine};
use grid::LineGrid;
pub(crate) use joined::Joined;

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

/// Whether a plane kernel ([`crate::simd::channels`]) takes `planes`
/// planes of `itemsize`-byte items on this CPU, at this tier.
pub(crate) fn plane_kernel(planes: usize, itemsize: usize) -> bool {
    #[cfg(all(feature = "simd", not(miri), target_arch = "x86_64"))]
    {
        crate::simd::channels::takes(planes, itemsize) && crate::simd::channels::available()
    }
    #[cfg(not(all(feature = "simd", not(miri), target_arch = "x86_64")))]
    {
        let _ = (planes, itemsize);
        false
    }
}

/// How a plane kernel runs a problem ([`Transpose2::planes`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Planes {
    /// Packed pixels in, one destination row per plane.
    Split,
    /// One source row per plane, packed pixels out.
    Merge,
}

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
        // SAFETY: forwarded from the caller.
        if unsafe { self.run_planes() } {
            return;
        }
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

    /// Which plane kernel ([`crate::simd::channels`]) can run the problem,
    /// if one can on this CPU: splitting 2 to 8 destination rows from
    /// pixels packed in the source (`src_col` is a pixel: `rows` items),
    /// or merging 2 to 8 destination columns into packed pixels (`dst_row`
    /// is a pixel), of 16 pixels or more, for the itemsizes it takes.
    pub(crate) fn planes(self) -> Option<Planes> {
        let es = self.itemsize;
        let fits = |planes: usize, packed: isize, pixels: usize| {
            packed == (planes * es) as isize && pixels >= 16 && plane_kernel(planes, es)
        };
        if fits(self.rows, self.src_col, self.cols) {
            Some(Planes::Split)
        } else if fits(self.cols, self.dst_row, self.rows) {
            Some(Planes::Merge)
        } else {
            None
        }
    }

    /// Runs the problem with its plane kernel if it has one
    /// ([`planes`](Transpose2::planes)); returns whether it did.
    ///
    /// # Safety
    ///
    /// As [`run`](Transpose2::run).
    unsafe fn run_planes(self) -> bool {
        let Some(planes) = self.planes() else { return false };
        // SAFETY: the kernels run on this CPU and take the problem
        // (`planes`). Splitting, pixel j's plane i is item (i, j): source
        // item j * rows + i (src_col is `rows` items), item j of
        // destination row i. Merging, pixel i's plane j is item (i, j):
        // destination item i * cols + j (dst_row is `cols` items), item i
        // of the source row at j * src_col.
        #[cfg(all(feature = "simd", not(miri), target_arch = "x86_64"))]
        unsafe {
            use crate::simd::channels;
            match planes {
                Planes::Split => channels::split(self.rows, self.itemsize, self.dst, self.dst_row, self.src, self.cols),
                Planes::Merge => channels::merge(self.cols, self.itemsize, self.dst, self.src, self.src_col, self.rows),
            }
        }
        // (Without the kernels, `planes` is always `None`.)
        #[cfg(not(all(feature = "simd", not(miri), target_arch = "x86_64")))]
        let _ = planes;
        true
    }

    /// Whether the destination rows are shorter than [`MIN_TILE_ROW_BYTES`]:
    /// too short for line tiles, whose ragged edges would be most of each
    /// row; such transposes run in register blocks, row block after row
    /// block ([`run_blocks`](Transpose2::run_blocks)).
    pub(crate) fn short_rows(self) -> bool {
        self.cols * self.itemsize < MIN_TILE_ROW_BYTES
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
        let per_block = tile_blocks::<T>(es, prefetch, self.stream);
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

/// How many neighbouring column blocks [`Transpose2::band_tiled`]'s line
/// tiles run together: [`lines_per_block`], but one for 4-byte line tiles
/// and for streamed 2- and 4-byte items on AMD CPUs.
fn tile_blocks<T: LineTile>(itemsize: usize, prefetch: bool, streamed: bool) -> usize {
    if itemsize == 4 && !T::square_columns() {
        // 4-byte line tiles (no 512-bit square tiles): one block.
        // Two blocks read 32 source rows at once, whose lines at
        // strides of 16 KiB and more share a few cache sets.
        // Measured on the AMD EPYC (Zen 3, AVX2, load 7), two runs
        // each: f32 4096² 0.44–0.61 of memcpy with two blocks,
        // 0.72–0.79 with one; f32 8192² 0.27–0.28 -> 0.33 (f64's
        // square tiles were better with two, u16 level).
        1
    } else if streamed && itemsize <= 4 && crate::simd::amd() {
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
        lines_per_block(itemsize, prefetch && !T::square_columns())
    }
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
