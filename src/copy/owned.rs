//! Fresh output buffers that are not capped by page faults.
//!
//! A large new `Vec` is backed by memory the kernel has not mapped yet, and
//! every first touch of a 4 KiB page costs a fault (about 1.9 µs here),
//! which caps a fresh 64 MiB copy at about 4 GB/s. Asking Linux for
//! transparent huge pages on the buffer (`madvise(MADV_HUGEPAGE)`, what
//! NumPy does) makes one fault map 2 MiB instead. The advice only changes
//! how the memory is backed, never its contents; elsewhere (other systems,
//! Miri) it is skipped.

#[cfg(feature = "python")]
/// One cache line of bytes, aligned to 64: the unit of [`AlignedBytes`].
#[derive(Clone, Copy, Debug, bytemuck::Zeroable, bytemuck::Pod)]
#[repr(C, align(64))]
pub(crate) struct Line(pub(crate) [u8; 64]);

#[cfg(feature = "python")]
/// A fresh byte buffer that starts on a cache line: aligned for every
/// item type (and for the SIMD kernels), as NumPy aligns its arrays.
#[derive(Clone, Debug)]
pub(crate) struct AlignedBytes {
    pub(crate) lines: Vec<Line>,
    pub(crate) len: usize,
}

#[cfg(feature = "python")]
impl AlignedBytes {
    /// The bytes.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &bytemuck::cast_slice(&self.lines)[..self.len]
    }

    /// The bytes, writable.
    pub(crate) fn as_bytes_mut(&mut self) -> &mut [u8] {
        &mut bytemuck::cast_slice_mut(&mut self.lines)[..self.len]
    }
}

/// Buffers at least this large get the huge-page advice.
const HUGE_PAGE_MIN_BYTES: usize = 4 << 20;

/// Size of a transparent huge page on x86-64 and aarch64 Linux.
#[cfg(all(target_os = "linux", not(miri)))]
const HUGE_PAGE: usize = 2 << 20;

/// Advises the kernel to back `len` bytes from `ptr` (a fresh, untouched
/// allocation) with huge pages, if the buffer is large enough to matter.
pub(crate) fn advise_huge_pages(ptr: *mut u8, len: usize) {
    if len < HUGE_PAGE_MIN_BYTES {
        return;
    }
    #[cfg(all(target_os = "linux", not(miri)))]
    {
        use core::ffi::{c_int, c_void};
        const MADV_HUGEPAGE: c_int = 14;
        unsafe extern "C" {
            fn madvise(addr: *mut c_void, len: usize, advice: c_int) -> c_int;
        }
        // Only whole huge pages inside the allocation can be advised.
        let start = ptr.addr().next_multiple_of(HUGE_PAGE);
        let end = (ptr.addr() + len) / HUGE_PAGE * HUGE_PAGE;
        if end > start {
            let aligned = ptr.wrapping_add(start - ptr.addr());
            // SAFETY: `madvise` with MADV_HUGEPAGE on a range inside an
            // allocation we own changes only how the kernel backs the pages
            // (it never changes their contents or access rights); a failure
            // (e.g. THP disabled) is harmless and ignored.
            let _ = unsafe { madvise(aligned.cast::<c_void>(), end - start, MADV_HUGEPAGE) };
        }
    }
    #[cfg(not(all(target_os = "linux", not(miri))))]
    let _ = ptr;
}
