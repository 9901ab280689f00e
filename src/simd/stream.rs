//! Streaming copies: long contiguous runs written with non-temporal
//! stores, which write whole cache lines to memory without first reading
//! them (the destination of a large copy would not stay in the caches
//! anyway).
//!
//! On Intel CPUs the run is read in four streams a page apart, 256 bytes
//! from each in turn, each asking for its next 256 bytes ahead of time (the
//! layout of glibc's own large `memcpy`): one stream at a time is limited
//! by how many lines the core keeps in flight. On CPUs with AVX-512F each
//! line is one 512-bit store, chosen at run time. Measured on an Intel Xeon
//! machine of this project's kind (`examples/compare`, three runs each),
//! against `memcpy` of the same bytes: a 256 MiB copy went from 0.73 to
//! 1.00–1.10, a 32 MiB one from 1.10 to 1.34–1.68 (one stream of 128-bit
//! stores before; four of 512-bit stores after; four of 128-bit stores
//! reach about 0.9 and 1.3 in a standalone test).
//!
//! AMD CPUs run one stream, in order: on the AMD EPYC (Zen 4) machine the
//! four streams ran at 27–31 GB/s and one at 34–38 (copies of 4–256 MiB,
//! one thread, cold and warm, with and without the prefetches, 128- and
//! 512-bit stores alike; medians of 7 interleaved runs in a standalone
//! test).

/// Streams read at once, each a page after the previous one.
const STREAMS: usize = 4;
const PAGE: usize = 4096;
/// Bytes copied from one stream before the next.
const CHUNK: usize = 256;

/// Copies `n` bytes with streaming stores for the whole destination lines
/// (plain copies for the ragged ends).
///
/// # Safety
///
/// `src` readable and `dst` writable for `n` bytes, not overlapping. The
/// calling thread must [`fence`](super::fence) before the data is read by
/// anyone else.
pub(crate) unsafe fn stream_copy(dst: *mut u8, src: *const u8, n: usize) {
    let head = ((64 - dst.addr() % 64) % 64).min(n);
    let lines = (n - head) / 64 * 64;
    // SAFETY: the head, the whole lines from a line-aligned `dst + head`,
    // then the tail: together bytes 0..n of both ranges (caller).
    unsafe {
        std::ptr::copy_nonoverlapping(src, dst, head);
        let (d, s) = (dst.add(head), src.add(head));
        #[cfg(target_arch = "x86_64")]
        if super::avx512::has_avx512f() {
            super::avx512::stream_lines(d, s, lines);
        } else if super::avx2::available() {
            super::avx2::stream_lines(d, s, lines);
        } else {
            stream_lines(d, s, lines, |d, s| line_128(d, s));
        }
        #[cfg(not(target_arch = "x86_64"))]
        stream_lines(d, s, lines, |d, s| std::ptr::copy_nonoverlapping(s, d, 64));
        std::ptr::copy_nonoverlapping(src.add(head + lines), dst.add(head + lines), n - head - lines);
    }
}

/// Copies `len` bytes, a multiple of 64, from `src` to the line-aligned
/// `dst` with `line` (which streams one 64-byte line), in this CPU's stream
/// order (see the module docs).
///
/// # Safety
///
/// `src` readable and `dst` writable for `len` bytes, not overlapping;
/// `dst` 64-byte aligned; `line` sound for any such line.
#[inline(always)]
pub(super) unsafe fn stream_lines(dst: *mut u8, src: *const u8, len: usize, line: impl Fn(*mut u8, *const u8)) {
    // SAFETY: forwarded from the caller.
    unsafe { stream_lines_in(super::amd(), dst, src, len, line) }
}

/// [`stream_lines`] in one stream if `sequential`, in four otherwise.
///
/// # Safety
///
/// As [`stream_lines`].
#[inline(always)]
unsafe fn stream_lines_in(
    sequential: bool,
    dst: *mut u8,
    src: *const u8,
    len: usize,
    line: impl Fn(*mut u8, *const u8),
) {
    // Whole blocks of four pages in four streams (none if sequential),
    // then the rest line by line.
    let block = STREAMS * PAGE;
    let blocks_end = if sequential { 0 } else { len / block * block };
    let mut k = 0;
    while k < blocks_end {
        for off in (0..PAGE).step_by(CHUNK) {
            for p in 0..STREAMS {
                let at = k + p * PAGE + off;
                // The stream's next chunk (past the block's end, the next
                // block's: a hint, read either way).
                super::prefetch(src.wrapping_add(at + CHUNK), CHUNK);
                for l in (at..at + CHUNK).step_by(64) {
                    // SAFETY: line l lies below k + block <= blocks_end <= len.
                    unsafe { line(dst.add(l), src.add(l)) };
                }
            }
        }
        k += block;
    }
    while k < len {
        // SAFETY: line k lies below len.
        unsafe { line(dst.add(k), src.add(k)) };
        k += 64;
    }
}

/// One 64-byte line, streamed with 128-bit stores.
///
/// # Safety
///
/// As [`stream_lines`], for the line at `dst`.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn line_128(dst: *mut u8, src: *const u8) {
    use core::arch::x86_64::{__m128i, _mm_loadu_si128, _mm_stream_si128};
    // SAFETY: 64 bytes of both ranges; `dst` is 64-byte aligned, so each
    // 16-byte store is aligned (caller); SSE2 is part of the x86-64
    // baseline.
    unsafe {
        let s = src.cast::<__m128i>();
        let d = dst.cast::<__m128i>();
        let (a, b, c, e) =
            (_mm_loadu_si128(s), _mm_loadu_si128(s.add(1)), _mm_loadu_si128(s.add(2)), _mm_loadu_si128(s.add(3)));
        _mm_stream_si128(d, a);
        _mm_stream_si128(d.add(1), b);
        _mm_stream_si128(d.add(2), c);
        _mm_stream_si128(d.add(3), e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lengths around the four-page blocks, at every kind of alignment,
    /// against a plain copy; nothing outside the range is written.
    #[test]
    fn streamed_copies_match_plain_copies() {
        let block = STREAMS * PAGE;
        let src: Vec<u8> = (0..3 * block + 4096).map(|k| (k * 131 + k / 251) as u8).collect();
        for n in [block - 1, block, block + 1, block + 64 * 3 + 5, 2 * block + 999, 3 * block] {
            for shift in [0, 1, 16, 63] {
                let mut dst = vec![0u8; n + 128];
                // SAFETY: `src[shift..]` and `dst[shift..]` hold n bytes.
                unsafe { stream_copy(dst.as_mut_ptr().add(shift), src.as_ptr().add(shift + 7), n) };
                crate::simd::fence();
                assert!(dst[shift..shift + n] == src[shift + 7..shift + 7 + n], "{n} bytes at {shift}");
                assert!(dst[..shift].iter().chain(&dst[shift + n..]).all(|&b| b == 0), "{n} at {shift}: outside");
            }
        }
    }

    /// Every line kernel, whichever one `stream_copy` picks on this CPU.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn every_line_kernel_copies_lines() {
        use super::super::{avx2, avx512};
        let len = 2 * STREAMS * PAGE + 64 * 5;
        let src: Vec<u8> = (0..len).map(|k| (k * 7 + k / 4096) as u8).collect();
        let mut dst = vec![0u8; len + 64];
        let at = (64 - dst.as_ptr().addr() % 64) % 64;
        /// A line kernel as `stream_lines` takes it: (dst, src, len).
        type Lines = unsafe fn(*mut u8, *const u8, usize);
        /// The portable lines, in the same form.
        unsafe fn lines_128(d: *mut u8, s: *const u8, n: usize) {
            // SAFETY: forwarded from the caller.
            unsafe { stream_lines(d, s, n, |d, s| line_128(d, s)) }
        }
        let kernels: [(&str, bool, Lines); 3] = [
            ("128-bit", true, lines_128),
            ("256-bit", avx2::available(), avx2::stream_lines),
            ("512-bit", avx512::has_avx512f(), avx512::stream_lines),
        ];
        for (name, runs, kernel) in kernels {
            if !runs {
                eprintln!("skipped: {name} streaming lines (not on this CPU)");
                continue;
            }
            dst.fill(0);
            // SAFETY: `dst[at..]` is line-aligned and holds `len` bytes;
            // the kernel runs only where the CPU has its instructions.
            unsafe { kernel(dst.as_mut_ptr().add(at), src.as_ptr(), len) };
            crate::simd::fence();
            assert!(dst[at..at + len] == src[..], "{name} lines");
        }
    }

    /// Both stream orders, whichever one this CPU runs, at lengths around
    /// the four-page blocks; nothing past the range is written.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn both_stream_orders_copy_lines() {
        let block = STREAMS * PAGE;
        let src: Vec<u8> = (0..3 * block).map(|k| (k * 13 + k / 4099) as u8).collect();
        let mut dst = vec![0u8; 3 * block + 128];
        let at = (64 - dst.as_ptr().addr() % 64) % 64;
        for sequential in [false, true] {
            for len in [0, 64, block - 64, block, block + 64, 2 * block + 640, 3 * block] {
                dst.fill(0);
                // SAFETY: `dst[at..]` is line-aligned and holds `len` bytes,
                // `src` holds them too; SSE2 is part of the x86-64 baseline.
                unsafe {
                    stream_lines_in(sequential, dst.as_mut_ptr().add(at), src.as_ptr(), len, |d, s| line_128(d, s));
                }
                crate::simd::fence();
                assert!(dst[at..at + len] == src[..len], "{len} bytes, sequential {sequential}");
                assert!(dst[at + len..].iter().all(|&b| b == 0), "{len} bytes, sequential {sequential}: past the end");
            }
        }
    }
}
