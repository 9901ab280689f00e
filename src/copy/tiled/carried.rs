//! Transposes whose destination rows have no line grid: each row's last
//! partial line is carried from one column block to the next
//! ([`Transpose2::band_carried`]), so that every whole line is streamed.
//! Where the kernel can ([`LineTile::carries`]: the 512-bit one), groups
//! of rows join their lines in registers along strips of columns
//! ([`Transpose2::band_joined`]); elsewhere through a scratch buffer.

use super::{PREFETCH_MAX_RUN, Transpose2, lines_per_block};
use crate::simd::{CarriedRows, LineTile};

/// Rows per band when rows carry their partial lines
/// ([`Transpose2::band_carried`]): the carried lines (16 KiB) stay in the
/// L1 cache, and the source runs (1 KiB of f32) are prefetched. Measured
/// on an AMD EPYC (Zen 3, AVX2, a shared machine at load 7–9; ratios to
/// memcpy of the same run, two runs each): u16 3001 x 4999 0.26–0.40
/// without the carry, 0.35–0.58 with bands of 256 rows, 0.21–0.27 with
/// 1024; f32 3001 x 4999 0.26–0.30 without, 0.37–0.52 with 256 rows,
/// 0.16–0.17 with 1024 (the line-aligned u16 4096² ran at 0.39–0.47 in the
/// same runs).
pub(super) const CARRY_BAND_ROWS: usize = 256;

impl Transpose2 {
    /// The rows `i0..i1` of a large transpose whose destination rows are
    /// not a whole number of vectors apart, so that no line grid (see
    /// [`LineGrid`](super::grid::LineGrid)) has whole lines in every row: the line tiles then
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
    pub(super) unsafe fn band_carried<T: LineTile>(self, i0: usize, i1: usize, carry: &mut [CarryLine]) {
        if T::carries(self.dst.wrapping_offset(i0 as isize * self.dst_row), self.dst_row) {
            // SAFETY: forwarded from the caller.
            return unsafe { self.band_joined::<T>(i0, i1, carry) };
        }
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

    /// [`band_carried`](Transpose2::band_carried) where the kernel joins
    /// each row's lines in registers ([`LineTile::carried`]): groups of
    /// `K` rows walk along strips of [`STRIP_ROWS`] columns, each row's
    /// last chunk carried from one strip to the next in `carry`.
    ///
    /// # Safety
    ///
    /// As [`band_carried`](Transpose2::band_carried), where
    /// [`LineTile::carries`] holds for the band's rows.
    unsafe fn band_joined<T: LineTile>(self, i0: usize, i1: usize, carry: &mut [CarryLine]) {
        let (k, w, es) = (T::K, T::W, self.itemsize);
        let lines = self.cols / w;
        let tiles_end = i0 + (i1 - i0) / k * k;
        let strip = (STRIP_ROWS / w).max(1);
        let mut line = 0;
        while line < lines {
            let n = strip.min(lines - line);
            let j = line * w;
            for i in (i0..tiles_end).step_by(k) {
                let rows = CarriedRows {
                    src: self.src.wrapping_offset((i * es) as isize + j as isize * self.src_col),
                    src_row: self.src_col,
                    dst: self.dst.wrapping_offset(i as isize * self.dst_row + (j * es) as isize),
                    dst_row: self.dst_row,
                    lines: n,
                    carry: carry[i - i0..].as_mut_ptr().cast(),
                    first: line == 0,
                    last: line + n == lines,
                    prefetch: (i * es).is_multiple_of(64),
                };
                // SAFETY: rows i..i + K (below tiles_end) and columns
                // j..j + nW of the problem (caller); the carry's lines
                // i - i0.. (it holds one per row of the band), written by
                // the same group in the previous strip.
                unsafe { T::carried(rows) };
            }
            line += n;
        }
        // SAFETY: the tail columns of the band's rows, and the body of its
        // last rows (fewer than a group), plainly.
        unsafe {
            self.columns(lines * w, self.cols).rows(i0, i1).run_blocks::<T>();
            for i in tiles_end..i1 {
                self.edge(i, 1, 1, 0, lines * w);
            }
        }
    }
}

/// Source rows (destination columns) per strip of
/// [`Transpose2::band_joined`]: a group reads 16 bytes of each, and the
/// next three groups the rest of the same lines (32 KiB of lines, asked
/// into the L2 cache ahead of them). Measured on the AMD EPYC (Zen 4,
/// AVX-512), transposes of 3001 x 4999 in a warm loop, GB/s over four
/// interleaved runs (bands of 256 rows): u16 22–27 with strips of 256
/// rows, 22–32 (median 31) with 512, 23–31 with 1024; f32 25–33, 32–39,
/// 36–37. (Bands of 64 or 4096 rows ran at 8–15 with any strip.)
const STRIP_ROWS: usize = 512;

/// One line of a row's carried bytes (see [`Transpose2::band_carried`]),
/// aligned so that it copies as whole vectors.
#[derive(Clone, Copy, Debug)]
#[repr(C, align(64))]
pub(super) struct CarryLine(pub(super) [u8; 64]);

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
