//! Byte planes interleaved and split: the transposes whose one side is 2
//! to 8 bytes packed together (RGB and RGBA pixels to planes and back,
//! stereo samples, the HWC <-> CHW layouts of image arrays).
//!
//! The tiled transposes move 16 x 16 byte blocks; with 3 planes there are
//! no 16 rows to block, and such copies went item by item, a byte at a
//! time (8 GB/s where memcpy ran at 19, AMD EPYC Zen 4). Here 16 pixels of
//! `M` planes are `M` 16-byte vectors on either side, and each vector on
//! one side is the `OR` of `M` byte shuffles (`pshufb`) of the vectors on
//! the other, with masks fixed at compile time for each `M`. Splitting
//! reads the interleaved pixels in order and writes `M` plane rows;
//! merging reads `M` plane rows and writes the pixels in order.
//!
//! The kernels need SSSE3's shuffle; they run at the AVX2 tier and above
//! ([`available`]), compiled for AVX2 (three-operand forms). Below it the
//! copies keep the item-by-item path.

use core::arch::x86_64::{
    __m128i, _mm_loadu_si128, _mm_or_si128, _mm_setzero_si128, _mm_shuffle_epi8, _mm_storeu_si128,
};

/// The plane counts with kernels.
pub(crate) const PLANES: core::ops::RangeInclusive<usize> = 2..=8;

/// Whether this CPU and tier run the kernels.
#[inline]
pub(crate) fn available() -> bool {
    super::avx2::available()
}

/// Masks for splitting: `masks[c][r]` moves the bytes of plane `c` in
/// input vector `r` (16 interleaved pixels are `M` vectors) to their
/// pixel's lane; `-128` (high bit set) lanes become zero.
const fn split_masks<const M: usize>() -> [[[i8; 16]; M]; M] {
    let mut masks = [[[-128i8; 16]; M]; M];
    let mut c = 0;
    while c < M {
        let mut pixel = 0;
        while pixel < 16 {
            let at = pixel * M + c;
            masks[c][at / 16][pixel] = (at % 16) as i8;
            pixel += 1;
        }
        c += 1;
    }
    masks
}

/// Masks for merging: `masks[j][c]` moves the bytes of plane vector `c`
/// (16 pixels of plane `c`) to their places in output vector `j`.
const fn merge_masks<const M: usize>() -> [[[i8; 16]; M]; M] {
    let mut masks = [[[-128i8; 16]; M]; M];
    let mut j = 0;
    while j < M {
        let mut lane = 0;
        while lane < 16 {
            let at = 16 * j + lane;
            masks[j][at % M][lane] = (at / M) as i8;
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

/// Splits `n` interleaved pixels of `planes` bytes at `src` into `planes`
/// rows of `n` bytes, row `c` at `dst + c * dst_row`.
///
/// # Safety
///
/// [`available`] returned true; `planes` is in [`PLANES`]; `src` is
/// readable for `n * planes` bytes and each destination row writable for
/// `n` bytes; no destination byte is a source byte.
pub(crate) unsafe fn split(planes: usize, dst: *mut u8, dst_row: isize, src: *const u8, n: usize) {
    // SAFETY: forwarded from the caller, with M = planes.
    unsafe {
        match planes {
            2 => split_m::<2>(dst, dst_row, src, n),
            3 => split_m::<3>(dst, dst_row, src, n),
            4 => split_m::<4>(dst, dst_row, src, n),
            5 => split_m::<5>(dst, dst_row, src, n),
            6 => split_m::<6>(dst, dst_row, src, n),
            7 => split_m::<7>(dst, dst_row, src, n),
            8 => split_m::<8>(dst, dst_row, src, n),
            _ => unreachable!("plane counts are checked by the caller"),
        }
    }
}

/// Merges `planes` rows of `n` bytes, row `c` at `src + c * src_row`, into
/// `n` interleaved pixels at `dst`.
///
/// # Safety
///
/// [`available`] returned true; `planes` is in [`PLANES`]; each source
/// row is readable for `n` bytes and `dst` writable for `n * planes`; no
/// destination byte is a source byte.
pub(crate) unsafe fn merge(planes: usize, dst: *mut u8, src: *const u8, src_row: isize, n: usize) {
    // SAFETY: forwarded from the caller, with M = planes.
    unsafe {
        match planes {
            2 => merge_m::<2>(dst, src, src_row, n),
            3 => merge_m::<3>(dst, src, src_row, n),
            4 => merge_m::<4>(dst, src, src_row, n),
            5 => merge_m::<5>(dst, src, src_row, n),
            6 => merge_m::<6>(dst, src, src_row, n),
            7 => merge_m::<7>(dst, src, src_row, n),
            8 => merge_m::<8>(dst, src, src_row, n),
            _ => unreachable!("plane counts are checked by the caller"),
        }
    }
}

/// [`split`] for `M` planes.
///
/// # Safety
///
/// As [`split`], with `planes == M`.
#[target_feature(enable = "avx2")]
unsafe fn split_m<const M: usize>(dst: *mut u8, dst_row: isize, src: *const u8, n: usize) {
    let masks = const { split_masks::<M>() };
    let mut pixel = 0;
    while pixel + 16 <= n {
        let mut input = [_mm_setzero_si128(); M];
        for (r, v) in input.iter_mut().enumerate() {
            // SAFETY: bytes 16r..16r + 16 of pixels pixel..pixel + 16, all
            // inside the source (pixel + 16 <= n).
            *v = unsafe { _mm_loadu_si128(src.add(pixel * M + 16 * r).cast()) };
        }
        for (c, masks) in masks.iter().enumerate() {
            let plane = gather_lanes(&input, masks);
            // SAFETY: bytes pixel..pixel + 16 of destination row c.
            unsafe { _mm_storeu_si128(dst.wrapping_offset(c as isize * dst_row).add(pixel).cast(), plane) };
        }
        pixel += 16;
    }
    for pixel in pixel..n {
        for c in 0..M {
            // SAFETY: byte c of the pixel, byte `pixel` of row c.
            unsafe { *dst.wrapping_offset(c as isize * dst_row).add(pixel) = *src.add(pixel * M + c) };
        }
    }
}

/// [`merge`] for `M` planes.
///
/// # Safety
///
/// As [`merge`], with `planes == M`.
#[target_feature(enable = "avx2")]
unsafe fn merge_m<const M: usize>(dst: *mut u8, src: *const u8, src_row: isize, n: usize) {
    let masks = const { merge_masks::<M>() };
    let mut pixel = 0;
    while pixel + 16 <= n {
        let mut input = [_mm_setzero_si128(); M];
        for (c, v) in input.iter_mut().enumerate() {
            // SAFETY: bytes pixel..pixel + 16 of source row c.
            *v = unsafe { _mm_loadu_si128(src.wrapping_offset(c as isize * src_row).add(pixel).cast()) };
        }
        for (j, masks) in masks.iter().enumerate() {
            let out = gather_lanes(&input, masks);
            // SAFETY: bytes 16j..16j + 16 of pixels pixel..pixel + 16, all
            // inside the destination.
            unsafe { _mm_storeu_si128(dst.add(pixel * M + 16 * j).cast(), out) };
        }
        pixel += 16;
    }
    for pixel in pixel..n {
        for c in 0..M {
            // SAFETY: byte `pixel` of row c, byte c of the pixel.
            unsafe { *dst.add(pixel * M + c) = *src.wrapping_offset(c as isize * src_row).add(pixel) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both kernels against the definition, for every plane count, pixel
    /// counts around the 16-pixel step, and rows apart by more than `n`
    /// (and, for the planes, in reverse order).
    #[test]
    fn kernels_match_the_definition() {
        if !available() {
            return;
        }
        for planes in PLANES {
            for n in [0, 1, 15, 16, 17, 31, 32, 33, 100, 1000] {
                let pixels: Vec<u8> = (0..n * planes).map(|k| (k * 37 + 11) as u8).collect();
                let row = n as isize + 5;
                // Rows from the last: row c at base - c * row.
                let mut rows = vec![0u8; (row as usize) * planes + 7];
                let base = (row as usize) * (planes - 1) + 3;
                // SAFETY: the CPU has AVX2 (checked); each row of n bytes
                // lies inside `rows`, the pixels inside `pixels`.
                unsafe { split(planes, rows.as_mut_ptr().add(base), -row, pixels.as_ptr(), n) };
                for c in 0..planes {
                    for p in 0..n {
                        assert_eq!(rows[base - c * row as usize + p], pixels[p * planes + c], "split {planes} {n}");
                    }
                }
                let mut merged = vec![0u8; n * planes + 1];
                // SAFETY: as above, the other way.
                unsafe { merge(planes, merged.as_mut_ptr(), rows.as_ptr().add(base), -row, n) };
                assert_eq!(&merged[..n * planes], &pixels[..], "merge {planes} {n}");
                assert_eq!(merged[n * planes], 0, "merge {planes} {n} wrote past the end");
            }
        }
    }
}
