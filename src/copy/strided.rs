//! Loops over the outer dimensions of a normalised copy, and the two inner
//! kernels that do not transpose: a `memcpy` per contiguous row, and an
//! itemsize-specialised strided gather.

use super::plan::Dim;

/// Calls `f(dst, src)` for every index tuple of `dims` (outermost first),
/// with the bases advanced by the strides: an odometer that updates the
/// two pointers incrementally.
///
/// # Safety
///
/// Every pointer handed to `f` is `base + Σ index*stride` for an in-range
/// index tuple; `f` must only access what its contract allows for those.
/// (Computing them is always safe: `wrapping_offset`.)
#[inline]
pub(crate) fn for_each_outer(dims: &[Dim], dst: *mut u8, src: *const u8, mut f: impl FnMut(*mut u8, *const u8)) {
    if dims.iter().any(|d| d.extent == 0) {
        return;
    }
    if dims.is_empty() {
        f(dst, src);
        return;
    }
    let n = dims.len();
    let mut index = crate::layout::dims::DimVec::filled(0usize, n);
    let (mut d, mut s) = (dst, src);
    loop {
        f(d, s);
        let mut level = n;
        loop {
            if level == 0 {
                return;
            }
            level -= 1;
            let dim = dims[level];
            index[level] += 1;
            if index[level] < dim.extent {
                d = d.wrapping_offset(dim.dst);
                s = s.wrapping_offset(dim.src);
                break;
            }
            // Back to the start of this dimension (the products are
            // bounded by Layout invariant 3; negating a stride first would
            // overflow for an extent-1 dimension of stride isize::MIN).
            let back = (dim.extent - 1) as isize;
            d = d.wrapping_offset(-(dim.dst * back));
            s = s.wrapping_offset(-(dim.src * back));
            index[level] = 0;
        }
    }
}

/// Copies `n` contiguous bytes: inline for short runs (a row of a few
/// hundred bytes costs less than a `memcpy` call), with streaming stores
/// when `stream` (large outputs), `memcpy` otherwise.
///
/// # Safety
///
/// `src` readable and `dst` writable for `n` bytes, not overlapping. After
/// streaming copies the calling thread must fence
/// ([`crate::simd::fence`]) before the data is used.
#[inline]
pub(crate) unsafe fn copy_run(dst: *mut u8, src: *const u8, n: usize, stream: bool) {
    // SAFETY: every branch copies bytes 0..n of both ranges, which the
    // caller guarantees valid and disjoint.
    unsafe {
        if n <= 256 {
            let mut k = 0;
            while k + 16 <= n {
                dst.add(k).cast::<u128>().write_unaligned(src.add(k).cast::<u128>().read_unaligned());
                k += 16;
            }
            while k < n {
                *dst.add(k) = *src.add(k);
                k += 1;
            }
        } else if stream && n >= 256 {
            crate::simd::stream_copy(dst, src, n);
        } else {
            std::ptr::copy_nonoverlapping(src, dst, n);
        }
    }
}

/// Copies one item of `itemsize` bytes (typed for the common sizes).
///
/// # Safety
///
/// `src` readable and `dst` writable for `itemsize` bytes, not
/// overlapping.
#[inline(always)]
pub(crate) unsafe fn copy_item(dst: *mut u8, src: *const u8, itemsize: usize) {
    // SAFETY: one item of both sides (caller's contract).
    unsafe {
        match itemsize {
            1 => *dst = *src,
            2 => dst.cast::<u16>().write_unaligned(src.cast::<u16>().read_unaligned()),
            4 => dst.cast::<u32>().write_unaligned(src.cast::<u32>().read_unaligned()),
            8 => dst.cast::<u64>().write_unaligned(src.cast::<u64>().read_unaligned()),
            _ => std::ptr::copy_nonoverlapping(src, dst, itemsize),
        }
    }
}

/// Copies `n` items of `itemsize` bytes from `src` (stride `ss`) to `dst`
/// (stride `ds`).
///
/// # Safety
///
/// Every item `k < n` of both sides must be valid (readable / writable) and
/// the two sides must not overlap.
#[inline]
pub(crate) unsafe fn gather(dst: *mut u8, ds: isize, src: *const u8, ss: isize, n: usize, itemsize: usize) {
    // SAFETY: every arm copies items k < n of both sides, which the caller
    // guarantees valid and disjoint.
    unsafe {
        match itemsize {
            1 => gather_typed::<u8>(dst, ds, src, ss, n),
            2 => gather_typed::<u16>(dst, ds, src, ss, n),
            4 => gather_typed::<u32>(dst, ds, src, ss, n),
            8 => gather_typed::<u64>(dst, ds, src, ss, n),
            16 => gather_typed::<u128>(dst, ds, src, ss, n),
            _ => {
                for k in 0..n as isize {
                    std::ptr::copy_nonoverlapping(src.wrapping_offset(k * ss), dst.wrapping_offset(k * ds), itemsize);
                }
            }
        }
    }
}

/// [`gather`] for items that fit a primitive: unaligned loads and stores,
/// four at a time.
///
/// # Safety
///
/// As [`gather`], with `itemsize == size_of::<T>()`.
#[inline(always)]
unsafe fn gather_typed<T: Copy>(dst: *mut u8, ds: isize, src: *const u8, ss: isize, n: usize) {
    if ds == size_of::<T>() as isize {
        // A contiguous destination: index it as a slice-like run, which the
        // compiler unrolls and schedules best.
        let d = dst.cast::<T>();
        for k in 0..n {
            // SAFETY: item k of both sides (caller's contract).
            unsafe {
                d.wrapping_add(k).write_unaligned(src.wrapping_offset(k as isize * ss).cast::<T>().read_unaligned());
            }
        }
        return;
    }
    let (mut d, mut s) = (dst, src);
    for _ in 0..n {
        // SAFETY: item k of both sides (caller's contract).
        unsafe { d.cast::<T>().write_unaligned(s.cast::<T>().read_unaligned()) };
        s = s.wrapping_offset(ss);
        d = d.wrapping_offset(ds);
    }
}

/// Copies an `n0 x n1` block item by item: item `(i, j)` from
/// `src + i*s0 + j*s1` to `dst + i*d0 + j*d1`. The small-copy path: two
/// plain loops over items of a fixed size, which the compiler optimises
/// like a hand-written loop.
///
/// # Safety
///
/// Every item of the block must be valid on both sides (readable /
/// writable), and the sides must not overlap.
#[allow(clippy::too_many_arguments)]
#[inline]
pub(crate) unsafe fn copy_2d(
    dst: *mut u8,
    d0: isize,
    d1: isize,
    src: *const u8,
    s0: isize,
    s1: isize,
    n0: usize,
    n1: usize,
    itemsize: usize,
) {
    // SAFETY: every arm copies the items of the block (caller's contract).
    unsafe {
        match itemsize {
            1 => copy_2d_typed::<u8>(dst, d0, d1, src, s0, s1, n0, n1),
            2 => copy_2d_typed::<u16>(dst, d0, d1, src, s0, s1, n0, n1),
            4 => copy_2d_typed::<u32>(dst, d0, d1, src, s0, s1, n0, n1),
            8 => copy_2d_typed::<u64>(dst, d0, d1, src, s0, s1, n0, n1),
            _ => {
                for i in 0..n0 as isize {
                    gather(dst.wrapping_offset(i * d0), d1, src.wrapping_offset(i * s0), s1, n1, itemsize);
                }
            }
        }
    }
}

/// [`copy_2d`] for one primitive item type.
///
/// # Safety
///
/// As [`copy_2d`], with `itemsize == size_of::<T>()`.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
unsafe fn copy_2d_typed<T: Copy>(
    dst: *mut u8,
    d0: isize,
    d1: isize,
    src: *const u8,
    s0: isize,
    s1: isize,
    n0: usize,
    n1: usize,
) {
    let (mut drow, mut srow) = (dst, src);
    for _ in 0..n0 {
        let (mut d, mut s) = (drow, srow);
        for _ in 0..n1 {
            // SAFETY: item (i, j) of both sides (caller's contract).
            unsafe { d.cast::<T>().write_unaligned(s.cast::<T>().read_unaligned()) };
            d = d.wrapping_offset(d1);
            s = s.wrapping_offset(s1);
        }
        drow = drow.wrapping_offset(d0);
        srow = srow.wrapping_offset(s0);
    }
}
