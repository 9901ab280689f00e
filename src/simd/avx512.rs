//! 512-bit line tiles, chosen at run time on CPUs with AVX-512BW.
//!
//! `wide` fixes its instruction set when the crate is compiled, and the
//! default x86-64 build gets SSE2. There a line tile costs `W / K` separate
//! `K x K` transposes, and the four vectors of each destination line are
//! only complete at the end, so the byte and 16-bit tiles keep their
//! results on the stack. With 512-bit registers the four blocks travel
//! together: vector `r` holds source rows `r`, `K + r`, `2K + r` and
//! `3K + r` in its four 128-bit lanes, one in-lane transpose (the same
//! interleaves as the 128-bit kernels) turns the four blocks at once, and
//! output vector `r` *is* destination row `r`'s whole line: one store, no
//! spills, a quarter of the shuffles. (Measured on the 4096² byte
//! transpose: see the README's performance section.)
//!
//! [`Avx512`] wraps a 128-bit kernel: it runs the 512-bit tile when the CPU
//! has AVX-512BW (detected once, then a cached flag) and the rows are not
//! shifted (`EXTRA == 0`, the common case of rows a whole number of lines
//! apart; streamed rows must then start at lines), and the wrapped kernel
//! otherwise.

use super::LineTile;
use core::arch::x86_64::{
    __m512i, _mm_loadu_si128, _mm512_alignr_epi64, _mm512_castsi128_si512, _mm512_inserti32x4, _mm512_setzero_si512,
    _mm512_storeu_si512, _mm512_stream_si512, _mm512_unpackhi_epi8, _mm512_unpackhi_epi16, _mm512_unpackhi_epi32,
    _mm512_unpackhi_epi64, _mm512_unpacklo_epi8, _mm512_unpacklo_epi16, _mm512_unpacklo_epi32, _mm512_unpacklo_epi64,
};
use std::marker::PhantomData;

/// The line tile `T`, run with 512-bit vectors where the CPU allows.
pub(crate) struct Avx512<T>(PhantomData<T>);

/// Whether this CPU runs the 512-bit tiles.
#[inline]
fn available() -> bool {
    std::arch::is_x86_feature_detected!("avx512bw")
}

impl<T: LineTile> LineTile for Avx512<T> {
    const K: usize = T::K;
    const W: usize = T::W;

    #[inline(always)]
    unsafe fn tile<const STREAM: bool, const EXTRA: usize>(
        src: *const u8,
        src_row: isize,
        dst: *mut u8,
        dst_row: isize,
        shift: &[usize],
    ) {
        if available() {
            // SAFETY: AVX-512BW is present (just checked); the rest is the
            // caller's contract, which `line_tile` repeats with
            // K = 16 / itemsize.
            unsafe {
                match T::K {
                    16 => line_tile::<1, STREAM, EXTRA>(src, src_row, dst, dst_row, shift),
                    8 => line_tile::<2, STREAM, EXTRA>(src, src_row, dst, dst_row, shift),
                    4 => line_tile::<4, STREAM, EXTRA>(src, src_row, dst, dst_row, shift),
                    _ => line_tile::<8, STREAM, EXTRA>(src, src_row, dst, dst_row, shift),
                }
            }
        } else {
            // SAFETY: forwarded from the caller.
            unsafe { T::tile::<STREAM, EXTRA>(src, src_row, dst, dst_row, shift) }
        }
    }

    #[inline(always)]
    unsafe fn block(src: *const u8, src_row: isize, dst: *mut u8, dst_row: isize) {
        // SAFETY: forwarded from the caller.
        unsafe { T::block(src, src_row, dst, dst_row) }
    }
}

/// Loads vector `r` of a group of four blocks: lane `b` holds row `r` of
/// block `first + b` (source row `(first + b)*K + r`, items `0..K`), for
/// the `count` lanes that exist; the others are zero.
///
/// # Safety
///
/// The CPU has AVX-512BW; those source rows are readable for 16 bytes.
#[inline]
#[target_feature(enable = "avx512bw")]
unsafe fn load_group(src: *const u8, src_row: isize, k: usize, r: usize, first: usize, count: usize) -> __m512i {
    let row = |b: usize| src.wrapping_offset(((first + b) * k + r) as isize * src_row).cast();
    // SAFETY: rows of the lanes below `count` only (caller).
    unsafe {
        let mut v = _mm512_castsi128_si512(_mm_loadu_si128(row(0)));
        if count > 1 {
            v = _mm512_inserti32x4::<1>(v, _mm_loadu_si128(row(1)));
        }
        if count > 2 {
            v = _mm512_inserti32x4::<2>(v, _mm_loadu_si128(row(2)));
        }
        if count > 3 {
            v = _mm512_inserti32x4::<3>(v, _mm_loadu_si128(row(3)));
        }
        v
    }
}

/// The in-lane transpose for `ES`-byte items.
#[inline]
#[target_feature(enable = "avx512bw")]
fn transpose<const ES: usize>(x: [__m512i; 16]) -> [__m512i; 16] {
    match ES {
        1 => transpose8(x),
        2 => transpose16(x),
        4 => transpose32(x),
        _ => transpose64(x),
    }
}

/// One line tile of `ES`-byte items (`K = 16 / ES`), as
/// [`LineTile::tile`]: destination row `r < K` receives item `r` of source
/// rows `shift[r]*K .. shift[r]*K + 4K`.
///
/// Blocks `0..4` travel in one set of vectors, blocks `4..4 + EXTRA` (the
/// rows that start further right) in a second; a shifted row's line is
/// then four consecutive lanes of the pair, picked with one `valignq`.
///
/// # Safety
///
/// The CPU has AVX-512BW, and the contract of [`LineTile::tile`] holds.
#[target_feature(enable = "avx512bw")]
unsafe fn line_tile<const ES: usize, const STREAM: bool, const EXTRA: usize>(
    src: *const u8,
    src_row: isize,
    dst: *mut u8,
    dst_row: isize,
    shift: &[usize],
) {
    let k = 16 / ES;
    let zero = _mm512_setzero_si512();
    let (mut low, mut high) = ([zero; 16], [zero; 16]);
    for r in 0..k {
        // SAFETY: source rows b*K + r for blocks b < 4 + EXTRA, items
        // 0..K: the tile's (caller).
        unsafe {
            low[r] = load_group(src, src_row, k, r, 0, 4);
            if EXTRA > 0 {
                high[r] = load_group(src, src_row, k, r, 4, EXTRA);
            }
        }
    }
    let low = transpose::<ES>(low);
    let high = if EXTRA > 0 { transpose::<ES>(high) } else { high };
    for r in 0..k {
        // Lanes shift[r]..shift[r] + 4 of (low, high): valignq counts
        // 64-bit elements, two per lane.
        let line = match if EXTRA == 0 { 0 } else { shift[r] } {
            0 => low[r],
            1 => _mm512_alignr_epi64::<2>(high[r], low[r]),
            2 => _mm512_alignr_epi64::<4>(high[r], low[r]),
            _ => _mm512_alignr_epi64::<6>(high[r], low[r]),
        };
        let first = if EXTRA == 0 { 0 } else { shift[r] * 16 };
        let to = dst.wrapping_offset(r as isize * dst_row).wrapping_add(first);
        // SAFETY: destination row r, items shift[r]*K.. (64 bytes):
        // writable, and 64-byte aligned when streamed (caller).
        unsafe {
            if STREAM {
                _mm512_stream_si512(to.cast(), line);
            } else {
                _mm512_storeu_si512(to.cast(), line);
            }
        }
    }
}

// The in-lane transposes: each 128-bit lane of the inputs `x[0..K]` holds
// one K x K block (row r of every block in `x[r]`); the outputs hold the
// blocks' columns the same way. The interleaves act lane by lane.

/// 2 x 2 blocks of 64-bit items.
#[target_feature(enable = "avx512bw")]
fn transpose64(x: [__m512i; 16]) -> [__m512i; 16] {
    let mut out = x;
    out[0] = _mm512_unpacklo_epi64(x[0], x[1]);
    out[1] = _mm512_unpackhi_epi64(x[0], x[1]);
    out
}

/// 4 x 4 blocks of 32-bit items.
#[target_feature(enable = "avx512bw")]
fn transpose32(x: [__m512i; 16]) -> [__m512i; 16] {
    // Pairs of rows, then pairs of pairs: t holds (row 2q, row 2q + 1)
    // items interleaved.
    let t = [
        _mm512_unpacklo_epi32(x[0], x[1]),
        _mm512_unpackhi_epi32(x[0], x[1]),
        _mm512_unpacklo_epi32(x[2], x[3]),
        _mm512_unpackhi_epi32(x[2], x[3]),
    ];
    let mut out = x;
    out[0] = _mm512_unpacklo_epi64(t[0], t[2]);
    out[1] = _mm512_unpackhi_epi64(t[0], t[2]);
    out[2] = _mm512_unpacklo_epi64(t[1], t[3]);
    out[3] = _mm512_unpackhi_epi64(t[1], t[3]);
    out
}

/// 8 x 8 blocks of 16-bit items (of `x[0..8]`).
#[target_feature(enable = "avx512bw")]
fn transpose16(x: [__m512i; 16]) -> [__m512i; 16] {
    // t[2q], t[2q + 1]: rows 2q and 2q + 1 interleaved (items 0..4, 4..8).
    let mut t = x;
    for q in 0..4 {
        t[2 * q] = _mm512_unpacklo_epi16(x[2 * q], x[2 * q + 1]);
        t[2 * q + 1] = _mm512_unpackhi_epi16(x[2 * q], x[2 * q + 1]);
    }
    // u[m]: rows 0..4 (m < 4) or 4..8, items 2(m % 4) and 2(m % 4) + 1.
    let mut u = x;
    for h in 0..2 {
        let b = 4 * h;
        u[b] = _mm512_unpacklo_epi32(t[b], t[b + 2]);
        u[b + 1] = _mm512_unpackhi_epi32(t[b], t[b + 2]);
        u[b + 2] = _mm512_unpacklo_epi32(t[b + 1], t[b + 3]);
        u[b + 3] = _mm512_unpackhi_epi32(t[b + 1], t[b + 3]);
    }
    let mut out = x;
    for m in 0..4 {
        out[2 * m] = _mm512_unpacklo_epi64(u[m], u[m + 4]);
        out[2 * m + 1] = _mm512_unpackhi_epi64(u[m], u[m + 4]);
    }
    out
}

/// 16 x 16 blocks of bytes: interleave each pair of rows (16-bit items
/// holding one column of the pair), then 8 x 8 transposes of those items,
/// for columns 0..8 and 8..16.
#[target_feature(enable = "avx512bw")]
fn transpose8(x: [__m512i; 16]) -> [__m512i; 16] {
    let (mut low, mut high) = (x, x);
    for p in 0..8 {
        low[p] = _mm512_unpacklo_epi8(x[2 * p], x[2 * p + 1]);
        high[p] = _mm512_unpackhi_epi8(x[2 * p], x[2 * p + 1]);
    }
    let (low, high) = (transpose16(low), transpose16(high));
    let mut out = x;
    out[..8].copy_from_slice(&low[..8]);
    out[8..].copy_from_slice(&high[..8]);
    out
}
