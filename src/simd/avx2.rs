//! The staged byte column with 256-bit vectors, for CPUs with AVX2 but
//! not AVX-512BW (chosen at run time by [`super::avx512`]).
//!
//! The same four passes as the 512-bit [`staged_column`]
//! (`super::avx512`): pass `g` reads source rows `16g..16g + 16` in
//! 32-byte halves, transposes each 16 x 16 byte block lane by lane and
//! parks it; a last pass joins the four 16-byte quarters of every
//! destination line two at a time (`vperm2i128`) and streams the line out
//! as two 32-byte stores. Without it, a byte transpose on such a CPU reads
//! its 64 source rows at once, more streams than the prefetchers follow.
//!
//! [`staged_column`]: super::avx512

use core::arch::x86_64::{
    __m256i, _mm256_loadu_si256, _mm256_permute2x128_si256, _mm256_setzero_si256, _mm256_stream_si256,
    _mm256_unpackhi_epi8, _mm256_unpackhi_epi16, _mm256_unpackhi_epi32, _mm256_unpackhi_epi64, _mm256_unpacklo_epi8,
    _mm256_unpacklo_epi16, _mm256_unpacklo_epi32, _mm256_unpacklo_epi64,
};

/// Whether this CPU runs the 256-bit byte column.
#[inline]
pub(crate) fn available() -> bool {
    std::arch::is_x86_feature_detected!("avx2")
}

std::thread_local! {
    /// Each thread's staging area for [`byte_column`] (up to 256 KiB, kept
    /// between copies, as the 512-bit one).
    static STAGE: std::cell::Cell<Vec<__m256i>> = const { std::cell::Cell::new(Vec::new()) };
}

/// A column of byte line tiles, `64 * blocks` destination rows by one line,
/// in four passes over 16 source rows each.
///
/// # Safety
///
/// The CPU has AVX2. For `i < 64 * blocks` and `c < 64`: `src + c*src_row +
/// i` readable and `dst + i*dst_row + c` writable, the two disjoint; each
/// `dst + i*dst_row` is 64-byte aligned; the caller fences before the data
/// is read elsewhere.
pub(crate) unsafe fn byte_column(src: *const u8, src_row: isize, dst: *mut u8, dst_row: isize, blocks: usize) {
    STAGE.with(|cell| {
        let mut stage = cell.take();
        // SAFETY: forwarded from the caller.
        unsafe { staged(src, src_row, dst, dst_row, blocks, &mut stage) };
        cell.set(stage);
    });
}

/// [`byte_column`] with its stage.
///
/// # Safety
///
/// As [`byte_column`].
#[target_feature(enable = "avx2")]
unsafe fn staged(
    src: *const u8,
    src_row: isize,
    dst: *mut u8,
    dst_row: isize,
    blocks: usize,
    stage: &mut Vec<__m256i>,
) {
    // Block b, pass g, half h, vector r at ((4b + g)2 + h)16 + r.
    stage.resize(stage.len().max(128 * blocks), _mm256_setzero_si256());
    for g in 0..4 {
        for b in 0..blocks {
            for h in 0..2 {
                let mut x = [_mm256_setzero_si256(); 16];
                for (r, x) in x.iter_mut().enumerate() {
                    let at = src.wrapping_offset((16 * g + r) as isize * src_row).wrapping_add(64 * b + 32 * h);
                    // SAFETY: source row 16g + r, bytes 64b + 32h.. (32 of
                    // them): readable (caller).
                    *x = unsafe { _mm256_loadu_si256(at.cast()) };
                }
                // Lane l of output r: byte 32h + 16l + r of the 16 rows,
                // i.e. destination row 64b + 32h + 16l + r, columns
                // 16g..16g + 16.
                let at = ((4 * b + g) * 2 + h) * 16;
                stage[at..at + 16].copy_from_slice(&transpose8(x));
            }
        }
    }
    for b in 0..blocks {
        for h in 0..2 {
            for r in 0..16 {
                let quarter = |g: usize| stage[((4 * b + g) * 2 + h) * 16 + r];
                let (q0, q1, q2, q3) = (quarter(0), quarter(1), quarter(2), quarter(3));
                // Lane l of the quarters makes the line of row
                // 64b + 32h + 16l + r: low lanes (0x20), then high (0x31).
                let lines = [
                    [_mm256_permute2x128_si256::<0x20>(q0, q1), _mm256_permute2x128_si256::<0x20>(q2, q3)],
                    [_mm256_permute2x128_si256::<0x31>(q0, q1), _mm256_permute2x128_si256::<0x31>(q2, q3)],
                ];
                for (l, [first, second]) in lines.into_iter().enumerate() {
                    let to = dst.wrapping_offset((64 * b + 32 * h + 16 * l + r) as isize * dst_row);
                    // SAFETY: destination row 64b + 32h + 16l + r, columns
                    // 0..64: writable and 64-byte aligned (caller).
                    unsafe {
                        _mm256_stream_si256(to.cast(), first);
                        _mm256_stream_si256(to.wrapping_add(32).cast(), second);
                    }
                }
            }
        }
    }
}

super::lanes::in_lane_transposes!(
    __m256i,
    "avx2",
    _mm256_unpacklo_epi8,
    _mm256_unpackhi_epi8,
    _mm256_unpacklo_epi16,
    _mm256_unpackhi_epi16,
    _mm256_unpacklo_epi32,
    _mm256_unpackhi_epi32,
    _mm256_unpacklo_epi64,
    _mm256_unpackhi_epi64
);
