//! Line tiles with `wide`'s 128-bit vectors.
//!
//! Each tile loads `W` vectors (one per source row; more when rows are
//! shifted), transposes them in `K x K` blocks in registers, and stores `K`
//! destination rows of four vectors each, streaming if asked. A 16-byte
//! item is a whole vector (`K = 1`): its tile is one destination line of
//! four items from four source rows, with no shuffle at all.

use super::LineTile;
use wide::{u8x16, u16x8, u32x4, u64x2};

/// Loads a vector from a possibly unaligned address.
///
/// # Safety
///
/// `p` must be readable for 16 bytes.
#[inline(always)]
unsafe fn load<V: Copy>(p: *const u8) -> V {
    // SAFETY: the caller guarantees 16 readable bytes; `V` is a 16-byte
    // `wide` vector, valid for any bits.
    unsafe { p.cast::<V>().read_unaligned() }
}

/// Stores a vector, streaming if `STREAM` (then `p` is 16-byte aligned).
///
/// # Safety
///
/// `p` must be writable for 16 bytes, and 16-byte aligned if `STREAM`.
#[inline(always)]
unsafe fn store<V: bytemuck::Pod, const STREAM: bool>(p: *mut u8, v: V) {
    #[cfg(target_arch = "x86_64")]
    if STREAM {
        use core::arch::x86_64::{__m128i, _mm_stream_si128};
        // SAFETY: `p` is 16-byte aligned and writable (caller); SSE2 is
        // part of the x86-64 baseline.
        unsafe { _mm_stream_si128(p.cast::<__m128i>(), bytemuck::cast::<V, __m128i>(v)) };
        return;
    }
    // SAFETY: the caller guarantees 16 writable bytes.
    unsafe { p.cast::<V>().write_unaligned(v) };
}

/// The 16x16 byte transpose: interleave the bytes of each pair of rows
/// (16-bit lanes holding one column of the pair), then two 8x8 transposes
/// of those 16-bit lanes (columns 0..8, then 8..16). Output row `x` is then
/// column `x` of the pairs in order, i.e. of rows 0..16.
#[inline(always)]
fn transpose_u8(rows: [u8x16; 16]) -> [u8x16; 16] {
    let mut low = [u16x8::default(); 8];
    let mut high = [u16x8::default(); 8];
    for p in 0..8 {
        low[p] = bytemuck::cast(u8x16::unpack_low(rows[2 * p], rows[2 * p + 1]));
        high[p] = bytemuck::cast(u8x16::unpack_high(rows[2 * p], rows[2 * p + 1]));
    }
    let (low, high) = (u16x8::transpose(low), u16x8::transpose(high));
    let mut out = [u8x16::default(); 16];
    for x in 0..8 {
        out[x] = bytemuck::cast(low[x]);
        out[x + 8] = bytemuck::cast(high[x]);
    }
    out
}

#[inline(always)]
fn transpose_u16(rows: [u16x8; 8]) -> [u16x8; 8] {
    u16x8::transpose(rows)
}

#[inline(always)]
fn transpose_u32(rows: [u32x4; 4]) -> [u32x4; 4] {
    u32x4::transpose(rows)
}

#[inline(always)]
fn transpose_u64(rows: [u64x2; 2]) -> [u64x2; 2] {
    [rows[0].unpack_lo(rows[1]), rows[0].unpack_hi(rows[1])]
}

/// A 16-byte item fills a vector: its 1 x 1 block needs no shuffle.
#[inline(always)]
fn transpose_u128(rows: [u64x2; 1]) -> [u64x2; 1] {
    rows
}

macro_rules! vector_tile {
    ($name:ident, $vec:ty, $k:expr, $transpose:ident) => {
        /// Line tile for items of this size, with 128-bit vectors.
        pub(crate) struct $name;

        impl LineTile for $name {
            const K: usize = $k;
            const W: usize = 4 * $k;

            #[inline(always)]
            unsafe fn tile<const STREAM: bool, const EXTRA: usize>(
                src: *const u8,
                src_row: isize,
                dst: *mut u8,
                dst_row: isize,
                shift: &[usize],
            ) {
                // K x K blocks side by side: four make a line, EXTRA more
                // serve the rows that start further right.
                let mut blocks = [[<$vec>::default(); $k]; 7];
                for (b, block) in blocks.iter_mut().enumerate().take(4 + EXTRA) {
                    let mut rows = [<$vec>::default(); $k];
                    for (r, row) in rows.iter_mut().enumerate() {
                        let c = (b * $k + r) as isize;
                        // SAFETY: source row c, items 0..K: readable by
                        // the caller's contract.
                        *row = unsafe { load(src.wrapping_offset(c * src_row)) };
                    }
                    *block = $transpose(rows);
                }
                // Row by row, so that each line is finished before the
                // next is begun (streaming stores combine whole lines).
                for r in 0..$k {
                    // Without extra blocks every shift is 0: say so, so
                    // that the blocks stay in registers.
                    let first = if EXTRA == 0 { 0 } else { shift[r] };
                    let row = dst.wrapping_offset(r as isize * dst_row).wrapping_add(first * 16);
                    for b in 0..4 {
                        // SAFETY: destination row r, items (first+b)*K..:
                        // writable, and 16-byte aligned when streamed
                        // (caller's contract).
                        unsafe { store::<_, STREAM>(row.wrapping_add(b * 16), blocks[first + b][r]) };
                    }
                }
            }

            #[inline(always)]
            unsafe fn block(src: *const u8, src_row: isize, dst: *mut u8, dst_row: isize) {
                let mut rows = [<$vec>::default(); $k];
                for (c, row) in rows.iter_mut().enumerate() {
                    // SAFETY: source row c, items 0..K (caller).
                    *row = unsafe { load(src.wrapping_offset(c as isize * src_row)) };
                }
                for (r, v) in $transpose(rows).into_iter().enumerate() {
                    // SAFETY: destination row r, items 0..K (caller).
                    unsafe { store::<_, false>(dst.wrapping_offset(r as isize * dst_row), v) };
                }
            }
        }
    };
}

vector_tile!(Tile1, u8x16, 16, transpose_u8);
vector_tile!(Tile2, u16x8, 8, transpose_u16);
vector_tile!(Tile4, u32x4, 4, transpose_u32);
vector_tile!(Tile8, u64x2, 2, transpose_u64);
vector_tile!(Tile16, u64x2, 1, transpose_u128);
