//! Planes interleaved and split: the transposes whose one side is 2 to 8
//! items of 1 or 2 bytes packed together (RGB and RGBA pixels to planes
//! and back, RGB16, stereo samples, the HWC <-> CHW layouts of image
//! arrays).
//!
//! The tiled transposes move 16 x 16 byte blocks; with 3 planes there are
//! no 16 rows to block, and such copies went item by item, a byte at a
//! time (8 GB/s where memcpy ran at 19, AMD EPYC Zen 4; 2-byte items at
//! 0.55-0.66x memcpy). Here 16 bytes of each of `M` planes are `M` 16-byte
//! vectors on either side, and each vector on one side is the `OR` of `M`
//! byte shuffles (`pshufb`) of the vectors on the other, with masks fixed
//! at compile time for each `M` and itemsize. Splitting reads the packed
//! pixels in order and writes `M` plane rows; merging reads `M` plane rows
//! and writes the pixels in order; one loop does both ([`run`]).
//!
//! The kernels need SSSE3's shuffle; they run at the AVX2 tier and above
//! ([`available`]), compiled for AVX2 (three-operand forms). Below it the
//! copies keep the item-by-item path.

use core::arch::x86_64::{
    __m128i, _mm_loadu_si128, _mm_or_si128, _mm_setzero_si128, _mm_shuffle_epi8, _mm_storeu_si128,
};

/// Whether there is a kernel for `planes` planes of `itemsize`-byte items:
/// 2 to 8 planes of bytes, 2 to 7 of 2-byte items (from 16 bytes a pixel
/// the line tiles take over; wider items gather at memory speed).
pub(crate) fn takes(planes: usize, itemsize: usize) -> bool {
    match itemsize {
        1 => (2..=8).contains(&planes),
        2 => (2..=7).contains(&planes),
        _ => false,
    }
}

/// Whether this CPU and tier run the kernels.
#[inline]
pub(crate) fn available() -> bool {
    super::avx2::available()
}

/// Masks for splitting: `masks[c][r]` moves the bytes of plane `c` in
/// input vector `r` (the pixels of `E`-byte items in `M` planes are `M`
/// vectors) to their places in plane `c`'s vector; `-128` (high bit set)
/// lanes become zero.
const fn split_masks<const M: usize, const E: usize>() -> [[[i8; 16]; M]; M] {
    let mut masks = [[[-128i8; 16]; M]; M];
    let mut c = 0;
    while c < M {
        let mut lane = 0;
        while lane < 16 {
            // Byte `lane % E` of pixel `lane / E`'s item of plane c.
            let at = (lane / E * M + c) * E + lane % E;
            masks[c][at / 16][lane] = (at % 16) as i8;
            lane += 1;
        }
        c += 1;
    }
    masks
}

/// Masks for merging: `masks[j][c]` moves the bytes of plane vector `c`
/// (`16 / E` pixels of plane `c`) to their places in output vector `j`.
const fn merge_masks<const M: usize, const E: usize>() -> [[[i8; 16]; M]; M] {
    let mut masks = [[[-128i8; 16]; M]; M];
    let mut j = 0;
    while j < M {
        let mut lane = 0;
        while lane < 16 {
            // Output byte `at` is byte `at % E` of pixel `at / (M * E)`'s
            // item of plane `at / E % M`.
            let at = 16 * j + lane;
            masks[j][at / E % M][lane] = (at / (M * E) * E + at % E) as i8;
            lane += 1;
        }
        j += 1;
    }
    masks
}

/// `OR` of the `M` inputs shuffled by `masks`.
#[inline]
#[target_feature(enable = "avx2")]
fn gather_lanes<const M: usize>(input: &[__m128i; M], masks: &[[i8; 16]; M]) -> __m128i {
    let mut out = _mm_setzero_si128();
    for (v, mask) in input.iter().zip(masks) {
        // SAFETY: 16 readable bytes (an array of 16).
        let mask = unsafe { _mm_loadu_si128(mask.as_ptr().cast()) };
        out = _mm_or_si128(out, _mm_shuffle_epi8(*v, mask));
    }
    out
}

/// Splits `n` packed pixels of `planes` items of `itemsize` bytes at `src`
/// into `planes` rows of `n` items, row `c` at `dst + c * dst_row` bytes.
///
/// # Safety
///
/// [`available`] returned true and [`takes`] takes `planes` and
/// `itemsize`; `src` is readable for `n * planes * itemsize` bytes and each
/// destination row writable for `n * itemsize`; no destination byte is a
/// source byte.
pub(crate) unsafe fn split(planes: usize, itemsize: usize, dst: *mut u8, dst_row: isize, src: *const u8, n: usize) {
    let (kernel, _) = kernels(planes, itemsize);
    // SAFETY: the splitting kernel of these planes and itemsize; the
    // caller's contract is `run`'s, the packed side read (never written).
    unsafe { kernel(src.cast_mut(), dst, dst_row, n) };
}

/// Merges `planes` rows of `n` items of `itemsize` bytes, row `c` at `src
/// + c * src_row` bytes, into `n` packed pixels at `dst`.
///
/// # Safety
///
/// [`available`] returned true and [`takes`] takes `planes` and
/// `itemsize`; each source row is readable for `n * itemsize` bytes and
/// `dst` writable for `n * planes * itemsize`; no destination byte is a
/// source byte.
pub(crate) unsafe fn merge(planes: usize, itemsize: usize, dst: *mut u8, src: *const u8, src_row: isize, n: usize) {
    let (_, kernel) = kernels(planes, itemsize);
    // SAFETY: the merging kernel of these planes and itemsize; the
    // caller's contract is `run`'s, the planes read (never written).
    unsafe { kernel(dst, src.cast_mut(), src_row, n) };
}

/// A kernel: `run::<M, E, SPLIT>`.
type Kernel = unsafe fn(*mut u8, *mut u8, isize, usize);

/// The split and merge kernels of `planes` planes of `itemsize`-byte items.
fn kernels(planes: usize, itemsize: usize) -> (Kernel, Kernel) {
    fn both<const M: usize, const E: usize>() -> (Kernel, Kernel) {
        (run::<M, E, true>, run::<M, E, false>)
    }
    match (planes, itemsize) {
        (2, 1) => both::<2, 1>(),
        (3, 1) => both::<3, 1>(),
        (4, 1) => both::<4, 1>(),
        (5, 1) => both::<5, 1>(),
        (6, 1) => both::<6, 1>(),
        (7, 1) => both::<7, 1>(),
        (8, 1) => both::<8, 1>(),
        (2, 2) => both::<2, 2>(),
        (3, 2) => both::<3, 2>(),
        (4, 2) => both::<4, 2>(),
        (5, 2) => both::<5, 2>(),
        (6, 2) => both::<6, 2>(),
        (7, 2) => both::<7, 2>(),
        _ => unreachable!("`takes` is checked by the callers"),
    }
}

/// Moves `n` pixels of `M` planes of `E`-byte items between `packed` (the
/// pixels one after the other) and the plane rows (row `c` at `planes + c
/// * row` bytes): from the packed side if `SPLIT`, into it otherwise.
///
/// # Safety
///
/// The CPU has AVX2; the packed side holds `n * M * E` bytes and each row
/// `n * E`, readable on the side read and writable on the other; the
/// sides do not overlap.
#[target_feature(enable = "avx2")]
unsafe fn run<const M: usize, const E: usize, const SPLIT: bool>(
    packed: *mut u8,
    planes: *mut u8,
    row: isize,
    n: usize,
) {
    let masks = const { if SPLIT { split_masks::<M, E>() } else { merge_masks::<M, E>() } };
    // Vector `v` of the pixels from `pixel` on the packed side, or on the
    // plane side.
    let at = |on_packed: bool, pixel: usize, v: usize| {
        if on_packed {
            packed.wrapping_add(pixel * M * E + 16 * v)
        } else {
            planes.wrapping_offset(v as isize * row).wrapping_add(pixel * E)
        }
    };
    // Pixels a vector of each plane holds.
    let step = 16 / E;
    let mut pixel = 0;
    while pixel + step <= n {
        let mut input = [_mm_setzero_si128(); M];
        for (v, x) in input.iter_mut().enumerate() {
            // SAFETY: vector v of these pixels on the side read, inside it
            // (pixel + step <= n).
            *x = unsafe { _mm_loadu_si128(at(SPLIT, pixel, v).cast()) };
        }
        for (v, masks) in masks.iter().enumerate() {
            let out = gather_lanes(&input, masks);
            // SAFETY: vector v of these pixels on the side written.
            unsafe { _mm_storeu_si128(at(!SPLIT, pixel, v).cast(), out) };
        }
        pixel += step;
    }
    for pixel in pixel..n {
        for c in 0..M {
            let (p, q) = (
                packed.wrapping_add((pixel * M + c) * E),
                planes.wrapping_offset(c as isize * row).wrapping_add(pixel * E),
            );
            let (from, to) = if SPLIT { (p, q) } else { (q, p) };
            // SAFETY: item c of the pixel on the packed side, item `pixel`
            // of row c on the other.
            unsafe { core::ptr::copy_nonoverlapping(from, to, E) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both kernels against the definition, for every plane count and
    /// itemsize they take, pixel counts around the vector step, and rows
    /// apart by more than a row (in reverse order).
    #[test]
    fn kernels_match_the_definition() {
        if !available() {
            return;
        }
        for (planes, es) in (1..=2).flat_map(|es| (1..=9).map(move |planes| (planes, es))) {
            if !takes(planes, es) {
                continue;
            }
            for n in [0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 100, 1000] {
                let pixels: Vec<u8> = (0..n * planes * es).map(|k| (k * 37 + k / 256 + 11) as u8).collect();
                let row = (n * es + 5) as isize;
                // Rows from the last: row c at base - c * row.
                let mut rows = vec![0u8; (row as usize) * planes + 7];
                let base = (row as usize) * (planes - 1) + 3;
                // SAFETY: the CPU has AVX2 (checked); each row of n items
                // lies inside `rows`, the pixels inside `pixels`.
                unsafe { split(planes, es, rows.as_mut_ptr().add(base), -row, pixels.as_ptr(), n) };
                for c in 0..planes {
                    for p in 0..n * es {
                        let from = (p / es * planes + c) * es + p % es;
                        assert_eq!(rows[base - c * row as usize + p], pixels[from], "split {planes} x {es} {n}");
                    }
                }
                let mut merged = vec![0u8; n * planes * es + 1];
                // SAFETY: as above, the other way.
                unsafe { merge(planes, es, merged.as_mut_ptr(), rows.as_ptr().add(base), -row, n) };
                assert_eq!(&merged[..n * planes * es], &pixels[..], "merge {planes} x {es} {n}");
                assert_eq!(merged[n * planes * es], 0, "merge {planes} x {es} {n} wrote past the end");
            }
        }
    }
}
