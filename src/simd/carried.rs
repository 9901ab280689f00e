//! 512-bit carried rows: large transposes whose destination rows do not
//! start at cache lines, each row's lines joined in registers.
//!
//! A destination row that starts `o` bytes into a cache line has its
//! lines cut across the line tiles' 64-byte chunks: line `t` of the row is
//! the last `o` bytes of chunk `t - 1` and the first `64 - o` of chunk `t`.
//! The portable path (`Transpose2::band_carried` in `copy::tiled`) joins
//! them through a scratch buffer in memory, row by row. Here a group of
//! `K` rows walks along its columns with each row's previous chunk kept in
//! a register: one two-source permute (`vpermt2w`, or `vpermt2b` where the
//! CPU has AVX-512VBMI and a row starts at an odd byte) joins the two, and
//! the line is streamed whole. A row's first and last partial lines are
//! written with masked stores, which touch no byte outside the row.

use super::CarriedRows;
use super::avx512::{load_group, transpose};
use core::arch::x86_64::{
    _MM_HINT_T1, _mm_prefetch, _mm512_add_epi8, _mm512_add_epi16, _mm512_load_si512, _mm512_loadu_si512,
    _mm512_mask_storeu_epi8, _mm512_permutex2var_epi8, _mm512_permutex2var_epi16, _mm512_set1_epi8, _mm512_set1_epi16,
    _mm512_setzero_si512, _mm512_store_si512, _mm512_stream_si512,
};

/// Whether the CPU has AVX-512VBMI (byte permutes), checked once.
#[inline]
fn vbmi() -> bool {
    std::arch::is_x86_feature_detected!("avx512vbmi")
}

/// Whether [`carried_rows`] runs for rows at `dst`, `dst_row` bytes apart:
/// rows that start at even bytes join with 16-bit permutes, others need
/// byte permutes (AVX-512VBMI). The caller has checked AVX-512BW.
#[inline]
pub(super) fn carries(dst: usize, dst_row: isize) -> bool {
    even_rows(dst, dst_row) || vbmi()
}

/// Whether every row starts at an even byte (16-bit permutes suffice).
#[inline]
fn even_rows(dst: usize, dst_row: isize) -> bool {
    (dst | dst_row as usize).is_multiple_of(2)
}

/// Transposes a group of `K = 16 / ES` destination rows of [`CarriedRows`],
/// joining each row's lines in registers (see the module documentation).
///
/// # Safety
///
/// The CPU has AVX-512BW, [`carries`] holds for `rows.dst` and
/// `rows.dst_row`, and the contract of [`CarriedRows`] holds.
#[inline(always)]
pub(super) unsafe fn carried_rows<const ES: usize>(rows: CarriedRows) {
    let even = even_rows(rows.dst.addr(), rows.dst_row);
    // SAFETY: AVX-512BW is present and, for odd rows, AVX-512VBMI
    // (caller, `carries`); the rest is the caller's contract.
    unsafe {
        if even {
            group_words::<ES>(rows);
        } else {
            group_bytes::<ES>(rows);
        }
    }
}

/// [`group`] with 16-bit permutes.
///
/// # Safety
///
/// As [`group`], on a CPU with AVX-512BW, for rows at even bytes.
#[target_feature(enable = "avx512bw")]
unsafe fn group_words<const ES: usize>(rows: CarriedRows) {
    // SAFETY: forwarded from the caller.
    unsafe { group::<ES, false>(rows) }
}

/// [`group`] with byte permutes.
///
/// # Safety
///
/// As [`group`], on a CPU with AVX-512BW and AVX-512VBMI.
#[target_feature(enable = "avx512bw,avx512vbmi")]
unsafe fn group_bytes<const ES: usize>(rows: CarriedRows) {
    // SAFETY: forwarded from the caller.
    unsafe { group::<ES, true>(rows) }
}

/// The group's rows, their lines joined with byte permutes if `BYTES`
/// (any row offset), 16-bit permutes otherwise (even offsets). Inlined
/// into [`group_words`] and [`group_bytes`], whose target features its
/// intrinsics take.
///
/// # Safety
///
/// The CPU has AVX-512BW (and AVX-512VBMI if `BYTES`); every row starts at
/// an even byte unless `BYTES`; the contract of [`CarriedRows`] holds.
#[inline(always)]
unsafe fn group<const ES: usize, const BYTES: bool>(rows: CarriedRows) {
    let (k, w) = (16 / ES, 64 / ES);
    // SAFETY: the intrinsics run on a CPU with the features the caller
    // guarantees; each memory access below says which part of the
    // contract of `CarriedRows` covers it.
    unsafe {
        let zero = _mm512_setzero_si512();
        // Row r: its line-aligned start, its offset o into that line, and
        // the permute that takes bytes 64 - o .. 128 - o of (previous
        // chunk, chunk).
        let mut start = [rows.dst; 16];
        let mut offset = [0usize; 16];
        let mut join = [zero; 16];
        let bytes: [u8; 64] = core::array::from_fn(|i| i as u8);
        let words: [u16; 32] = core::array::from_fn(|i| i as u16);
        let iota =
            if BYTES { _mm512_loadu_si512(bytes.as_ptr().cast()) } else { _mm512_loadu_si512(words.as_ptr().cast()) };
        for r in 0..k {
            let to = rows.dst.wrapping_offset(r as isize * rows.dst_row);
            let o = to.addr() % 64;
            start[r] = to.wrapping_sub(o);
            offset[r] = o;
            join[r] = if BYTES {
                _mm512_add_epi8(iota, _mm512_set1_epi8((64 - o) as i8))
            } else {
                _mm512_add_epi16(iota, _mm512_set1_epi16(((64 - o) / 2) as i16))
            };
        }
        let mut carry = [zero; 16];
        if !rows.first {
            for (r, c) in carry.iter_mut().enumerate().take(k) {
                // Line r of the carry (caller), 64-byte aligned.
                *c = _mm512_load_si512(rows.carry.wrapping_add(64 * r).cast());
            }
        }
        let block = (w as isize).wrapping_mul(rows.src_row);
        for t in 0..rows.lines {
            let s = rows.src.wrapping_offset(t as isize * block);
            if rows.prefetch {
                // This group is the first to read its source lines: it
                // asks for those of the block after next (into the L1
                // cache), and for the next line of this block's rows (into
                // the L2 cache), which the group 64 bytes of columns on
                // reads in this strip.
                let ahead = s.wrapping_offset(2 * block);
                let next_line = s.wrapping_add(64);
                for c in 0..w as isize {
                    super::prefetch(ahead.wrapping_offset(c * rows.src_row), 1);
                    _mm_prefetch::<_MM_HINT_T1>(next_line.wrapping_offset(c * rows.src_row).cast());
                }
            }
            let mut x = [zero; 16];
            for (r, v) in x.iter_mut().enumerate().take(k) {
                // Source rows tW..(t + 1)W, items 0..K of each: the
                // group's (caller).
                *v = load_group(s, rows.src_row, k, r, 0, 4);
            }
            let chunk = transpose::<ES>(x);
            for r in 0..k {
                let line = if BYTES {
                    _mm512_permutex2var_epi8(carry[r], join[r], chunk[r])
                } else {
                    _mm512_permutex2var_epi16(carry[r], join[r], chunk[r])
                };
                // Line t of row r from its line-aligned start: bytes the
                // row's columns cover (the carried ones before the chunk,
                // the chunk's first 64 - o), except at the row's first
                // line, where the mask keeps the o bytes before the row
                // (caller).
                let to = start[r].wrapping_add(64 * t);
                if rows.first && t == 0 && offset[r] > 0 {
                    _mm512_mask_storeu_epi8(to.cast(), !0u64 << offset[r], line);
                } else {
                    _mm512_stream_si512(to.cast(), line);
                }
                carry[r] = chunk[r];
            }
        }
        for r in 0..k {
            if rows.last {
                // The row's last o bytes, the end of its last chunk: after
                // its last whole line, the end of its columns (caller); the
                // mask keeps the rest.
                let o = offset[r];
                if o > 0 {
                    let line = if BYTES {
                        _mm512_permutex2var_epi8(carry[r], join[r], zero)
                    } else {
                        _mm512_permutex2var_epi16(carry[r], join[r], zero)
                    };
                    let to = start[r].wrapping_add(64 * rows.lines);
                    _mm512_mask_storeu_epi8(to.cast(), (1u64 << o) - 1, line);
                }
            } else {
                // Line r of the carry (caller), 64-byte aligned.
                _mm512_store_si512(rows.carry.wrapping_add(64 * r).cast(), carry[r]);
            }
        }
    }
}
