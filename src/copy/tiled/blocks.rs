//! Register-block transposes: `K x K` blocks of the 128-bit kernels,
//! block row after block row, for destinations whose rows are too short
//! for line tiles (the 68-byte rows of a 17 x 1,000,000 f32 matrix
//! transposed) and for small transposes. Rows of up to six blocks are
//! unrolled; the last block of a row, and the last block row, overlap the
//! ones before them instead of running item by item; large ones prefetch
//! their many source rows and run compiled for AVX-512 where the CPU has
//! it.

use super::Transpose2;
use crate::simd::LineTile;

/// Destination rows shorter than this (a line and a half) are transposed
/// in register blocks, not line tiles (see [`Transpose2::short_rows`]).
/// Measured on f32 17 x 1,000,000 transposed (68-byte rows; AMD EPYC,
/// AVX2, one thread, 2 x output bytes / time): line tiles 3.2 GB/s, the
/// gather 12.2–15.2 (0.79–0.82x memcpy), register blocks 16.4–17.5
/// (0.90–0.95x); u8 40 x 2,000,000 4.4 and 6.3–6.4; u16 30 x 1,000,000
/// 6.4–7.2 and 9.0–9.8.
pub(crate) const MIN_TILE_ROW_BYTES: usize = 96;

/// Whether a transpose with shorter rows than that is worth running in
/// register blocks rather than the gather: items of 1, 2, 4 or 8 bytes, at
/// least one `K x K` block across a row. Since the blocks of a row are
/// unrolled and its last block overlaps the one before it (see
/// [`Transpose2::run_blocks`]), f64 k x 1,000,000 transposes run faster in
/// 2 x 2 blocks than gathered (AMD EPYC Zen 4, one thread, against memcpy:
/// k = 8 0.78–0.80 gathered, 1.08 in blocks; k = 11 0.92–0.93 and
/// 1.05–1.07; k = 5 level at 0.89–0.96). Not 16-byte items, whose blocks
/// are single items, nor bytes fewer than 16 to a row, which have no block
/// (u8 15 x 100,000: 4.5–5.3 GB/s gathered, 3.3 item by item).
pub(crate) fn short_rows_in_blocks(itemsize: usize, cols: usize) -> bool {
    matches!(itemsize, 1 | 2 | 4 | 8) && cols >= 16 / itemsize
}

/// In large copies in register blocks of items of 4 bytes or more, each
/// source row's line this many bytes ahead is asked for when the blocks
/// reach a new line of it. Short rows read many source rows at once (17
/// for the transpose of a 17 x 1,000,000 f32 matrix), more streams than
/// the hardware prefetchers follow well. Measured on the AMD EPYC (Zen 4),
/// k x 1,000,000 transposed, one thread, against memcpy: f32 k = 17 from
/// 0.85–0.87 to 1.03–1.05, k = 20 from 0.76–0.89 to 0.97–1.00, k = 9 from
/// 0.80–0.81 to 0.89–0.92, farther ahead (256–2048 bytes) slower; f64 k = 8
/// from 0.90–0.91 to 1.08, k = 11 from 1.00–1.04 to 1.05–1.07, k = 5 level.
/// Not for 1- and 2-byte items, whose blocks are more shuffling than
/// reading: u16 30 x 1,000,000 went from 0.51–0.64 to 0.46–0.60, u8 40 x
/// 2,000,000 from 0.51–0.54 to 0.46–0.52.
const BLOCKS_PREFETCH_AHEAD: usize = 128;

/// Register-block transposes of at least this many bytes run compiled for
/// AVX-512 where the CPU has it ([`crate::simd::with_wide_registers`]).
/// Smaller ones (an 8 x 8 f32 block, a few nanoseconds) run as they are:
/// the feature check and the call cost more than the spills they save.
const WIDE_BLOCKS_MIN_BYTES: usize = 16 << 10;

impl Transpose2 {
    /// [`run_small`](Transpose2::run_small) with the kernel `T`: `K x K`
    /// register blocks, block row after block row. When `K` does not
    /// divide the columns, each block row's last block overlaps the one
    /// before it (and the last block row the one before it, for the rows):
    /// those items are written twice with the same values instead of item
    /// by item. (A destination whose items overlap, as foreign memory's
    /// may, still ends as writing each item once in some order leaves it:
    /// every write is of a whole item.) Fewer than `K` rows or columns go
    /// item by item.
    ///
    /// # Safety
    ///
    /// As [`run`](Transpose2::run), with `T` the kernel for `itemsize`.
    pub(super) unsafe fn run_blocks<T: LineTile>(self) {
        let k = T::K;
        // SAFETY: every arm runs the problem the caller vouched for; the
        // block arms have at least one block across and down.
        unsafe {
            if self.rows < k || self.cols < k {
                return self.edge(0, 1, self.rows, 0, self.cols);
            }
            // Rows of up to six blocks (all short rows: fewer than
            // `MIN_TILE_ROW_BYTES` = 6 x 16 bytes) unrolled, with constant
            // offsets, as fast as the same loop written by hand for one
            // width. With the overlapping last block, k x n transposes
            // against memcpy (AMD EPYC Zen 4, one thread, before the
            // prefetches of `block_rows`): f32 17 x 1,000,000 from
            // 0.86–0.88 to 0.99–1.01, 9 x 3,000,000 from 0.61–0.67 to
            // 0.79–0.94, u16 12 x 2,000,000 from 0.64–0.68 to 0.89–0.96,
            // 30 x 1,000,000 from 0.56–0.60 to 0.68–0.69, u8 40 x
            // 2,000,000 from 0.42–0.46 to 0.55–0.56.
            //
            // Compiled for AVX-512 where the CPU has it (see
            // `simd::with_wide_registers`), unless the copy is too small to
            // repay the check and the call.
            let wide = self.rows.saturating_mul(self.cols).saturating_mul(self.itemsize) >= WIDE_BLOCKS_MIN_BYTES;
            macro_rules! rows {
                ($n:literal) => {
                    if wide {
                        crate::simd::with_wide_registers(|| self.block_rows::<T, $n>())
                    } else {
                        self.block_rows::<T, $n>()
                    }
                };
            }
            match self.cols.div_ceil(k) {
                1 => rows!(1),
                2 => rows!(2),
                3 => rows!(3),
                4 => rows!(4),
                5 => rows!(5),
                6 => rows!(6),
                _ => rows!(0),
            }
        }
    }

    /// [`run_blocks`](Transpose2::run_blocks) with `N` blocks to a block
    /// row (any number, counted at run time, if `N` is 0).
    ///
    /// # Safety
    ///
    /// As [`run_blocks`](Transpose2::run_blocks), with at least `K` rows
    /// and columns, and `N` 0 or `cols.div_ceil(K)`.
    #[inline(always)]
    unsafe fn block_rows<T: LineTile, const N: usize>(self) {
        let (k, es) = (T::K, self.itemsize);
        let blocks = if N == 0 { self.cols.div_ceil(k) } else { N };
        let (last_row, last_col) = (self.rows - k, self.cols - k);
        let prefetch = self.stream && k <= 4;
        let mut i = 0;
        loop {
            let row = i.min(last_row);
            if prefetch && (row * es).is_multiple_of(64) {
                // A new line of every source row begins: ask for the one
                // after next.
                for j in 0..self.cols {
                    crate::simd::prefetch(
                        self.src
                            .wrapping_offset((row * es + BLOCKS_PREFETCH_AHEAD) as isize + j as isize * self.src_col),
                        1,
                    );
                }
            }
            let d = self.dst.wrapping_offset(row as isize * self.dst_row);
            let s = self.src.wrapping_add(row * es);
            for b in 0..blocks {
                // The last block ends at the last column.
                let j = (b * k).min(last_col);
                // SAFETY: rows row..row + K and columns j..j + K, inside
                // the problem (row <= rows - K, j <= cols - K).
                unsafe {
                    T::block(
                        s.wrapping_offset(j as isize * self.src_col),
                        self.src_col,
                        d.wrapping_add(j * es),
                        self.dst_row,
                    );
                }
            }
            if row == last_row {
                break;
            }
            i += k;
        }
    }
}
