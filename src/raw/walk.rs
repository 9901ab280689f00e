//! Walking items: addresses with suboffsets, and a visitor that hands out
//! runs of items along the innermost dimension.
//!
//! This is the only place that loads pointers from pointer tables. The
//! visitor follows each buffer's dereferences once per step of the
//! dimension they belong to (not once per item), and gives the innermost
//! dimension to its callback as a run `(pointers, strides, len)`, so a
//! caller can copy a contiguous row with one `memcpy`.
//!
//! It walks several buffers of the same shape in lockstep, in an order that
//! is valid for all of them: C order for direct buffers, the common
//! application order when indirect buffers were transposed (see
//! [`Layout`]). When two indirect buffers disagree on that order, it falls
//! back to computing every address from scratch.

use crate::layout::Layout;
use crate::layout::dims::DimVec;
use std::ops::ControlFlow;

/// Loads the pointer stored (possibly unaligned) at `slot`.
///
/// # Safety
///
/// `slot` must be valid for a read of one pointer.
pub(crate) unsafe fn load_pointer(slot: *const u8) -> *mut u8 {
    // SAFETY: the caller guarantees the read; `read_unaligned` imposes no
    // alignment (rule 11: exporters need not align pointer tables).
    unsafe { slot.cast::<*mut u8>().read_unaligned() }
}

/// The address of the item at `index`, every entry in range
/// (`PyBuffer_GetPointer`).
///
/// # Safety
///
/// Every pointer slot the walk from `base` loads must be valid for reads
/// (invariant 1 of [`RawBuffer`](super::RawBuffer)), and `index` must be
/// within the shape.
pub(crate) unsafe fn item_ptr(base: *mut u8, layout: &Layout, index: &[usize]) -> *mut u8 {
    let step = |dim: usize| layout.strides()[dim].wrapping_mul(index[dim] as isize);
    match layout.indirection() {
        None => index.iter().enumerate().fold(base, |p, (dim, _)| p.wrapping_offset(step(dim))),
        Some(ind) => {
            let mut p = base;
            for &dim in ind.order.iter() {
                let dim = usize::from(dim);
                p = p.wrapping_offset(step(dim));
                if ind.deref[dim] {
                    // SAFETY: the caller guarantees that the slots on this
                    // item's path are readable.
                    p = unsafe { load_pointer(p) }.wrapping_offset(ind.suboffsets[dim]);
                }
            }
            p
        }
    }
}

/// Items `ptrs[j] + k * strides[j]` for `k in 0..len`, one per buffer.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Run<const N: usize> {
    pub(crate) ptrs: [*mut u8; N],
    pub(crate) strides: [isize; N],
    pub(crate) len: usize,
}

/// Which orders of visiting are acceptable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Visit {
    /// Logical C order (the last index fastest), e.g. for iteration.
    COrder,
    /// Any order that reaches every index tuple once (copies, comparisons).
    AnyOrder,
}

/// One dimension of the walk, for all buffers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Level<const N: usize> {
    pub(crate) extent: usize,
    pub(crate) strides: [isize; N],
    /// The displacement after a pointer load, for buffers that load one.
    pub(crate) derefs: [Option<isize>; N],
}

impl<const N: usize> Default for Level<N> {
    /// An empty level (a placeholder in inline level arrays).
    fn default() -> Level<N> {
        Level { extent: 0, strides: [0; N], derefs: [None; N] }
    }
}

impl<const N: usize> Level<N> {
    /// The pointers at index `i` of this level: strides applied, then the
    /// pointer loads of the buffers that dereference here.
    ///
    /// # Safety
    ///
    /// `i < extent`, and the pointer slots reached (as for
    /// [`for_each_run`]) must be readable.
    #[inline(always)]
    pub(crate) unsafe fn step(&self, ptrs: [*mut u8; N], i: usize) -> [*mut u8; N] {
        let mut next = ptrs;
        for j in 0..N {
            // i < extent: within the span (Layout invariant 3).
            next[j] = ptrs[j].wrapping_offset(self.strides[j].wrapping_mul(i as isize));
            if let Some(suboffset) = self.derefs[j] {
                // SAFETY: this slot is on the path of the items below index
                // i, which the caller guarantees readable.
                next[j] = unsafe { load_pointer(next[j]) }.wrapping_offset(suboffset);
            }
        }
        next
    }
}

/// Calls `f` for runs covering every index tuple of the buffers, which all
/// have the same shape. Stops early when `f` breaks.
///
/// # Safety
///
/// For every `j`, every pointer slot reached from `bases[j]` through
/// `layouts[j]` must be valid for reads (invariant 1 of
/// [`RawBuffer`](super::RawBuffer)); all layouts must have the same shape.
pub(crate) unsafe fn for_each_run<const N: usize>(
    bases: [*mut u8; N],
    layouts: [&Layout; N],
    visit: Visit,
    f: &mut impl FnMut(Run<N>) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let mut per_block = |ptrs: [*mut u8; N], tail: &[Level<N>]| {
        let Some((inner, outer)) = tail.split_last() else {
            return f(Run { ptrs, strides: [0; N], len: 1 });
        };
        // An odometer over the outer direct levels, runs along the inner.
        let mut index = [0usize; crate::layout::MAX_NDIM];
        let mut at = ptrs;
        loop {
            f(Run { ptrs: at, strides: inner.strides, len: inner.extent })?;
            let mut level = outer.len();
            loop {
                if level == 0 {
                    return ControlFlow::Continue(());
                }
                level -= 1;
                let l = &outer[level];
                index[level] += 1;
                if index[level] < l.extent {
                    for (p, stride) in at.iter_mut().zip(l.strides) {
                        *p = p.wrapping_offset(stride);
                    }
                    break;
                }
                // Back to the start of this level. The product is bounded
                // by Layout invariant 3; negating the stride first would
                // overflow for an extent-1 dimension of stride isize::MIN.
                let back = (l.extent - 1) as isize;
                for (p, stride) in at.iter_mut().zip(l.strides) {
                    *p = p.wrapping_offset(-(stride * back));
                }
                index[level] = 0;
            }
        }
    };
    // SAFETY: forwarded from the caller.
    unsafe { for_each_block(bases, layouts, visit, &mut per_block) }
}

/// Calls `f` once per *block*: the pointers reached after following every
/// dimension that loads a pointer (on any side), and the direct dimensions
/// that remain (the same for every block, innermost last). For direct
/// buffers there is one block holding every dimension. Stops early when
/// `f` breaks.
///
/// # Safety
///
/// As [`for_each_run`].
pub(crate) unsafe fn for_each_block<const N: usize>(
    bases: [*mut u8; N],
    layouts: [&Layout; N],
    visit: Visit,
    f: &mut impl FnMut([*mut u8; N], &[Level<N>]) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let mut per_level = |ptrs: [*mut u8; N], last: Option<&Level<N>>, tail: &[Level<N>]| match last {
        None => f(ptrs, tail),
        Some(level) => {
            for i in 0..level.extent {
                // SAFETY: i < extent; slots readable (caller).
                f(unsafe { level.step(ptrs, i) }, tail)?;
            }
            ControlFlow::Continue(())
        }
    };
    // SAFETY: forwarded from the caller.
    unsafe { for_each_last_level(bases, layouts, visit, &mut per_level) }
}

/// Like [`for_each_block`], but hands `f` the last dimension that loads a
/// pointer *unapplied* (with the pointers before it), so that `f` can loop
/// over it in one tight loop: `f(ptrs, Some(level), tail)` covers
/// `level.step(ptrs, i)` for every `i`, each followed by the direct `tail`.
/// `f(ptrs, None, tail)` is a single block (direct buffers, or one item of
/// the naive fallback).
///
/// # Safety
///
/// As [`for_each_run`]; `f` must only step `level` within its extent.
pub(crate) unsafe fn for_each_last_level<const N: usize>(
    bases: [*mut u8; N],
    layouts: [&Layout; N],
    visit: Visit,
    f: &mut impl FnMut([*mut u8; N], Option<&Level<N>>, &[Level<N>]) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let shape = layouts[0].shape();
    if shape.contains(&0) {
        return ControlFlow::Continue(());
    }
    let Some(order) = walk_order(&layouts, visit) else {
        // SAFETY: forwarded from the caller.
        return unsafe { for_each_item_naive(bases, layouts, &mut |ptrs| f(ptrs, None, &[])) };
    };
    // Inline for up to eight dimensions: walking allocates nothing.
    let mut levels: DimVec<Level<N>> = DimVec::filled(Level::default(), order.len());
    for (level, &dim) in levels.iter_mut().zip(order.iter()) {
        *level = Level {
            extent: shape[dim],
            strides: layouts.map(|l| l.strides()[dim]),
            derefs: layouts.map(|l| l.indirection().filter(|ind| ind.deref[dim]).map(|ind| ind.suboffsets[dim])),
        };
    }
    let Some(last) = levels.iter().rposition(|l| l.derefs.iter().any(Option::is_some)) else {
        return f(bases, None, &levels);
    };
    let (walked, rest) = levels.split_at(last);
    let (level, tail) = rest.split_first().unwrap_or((&levels[last], &[]));
    // SAFETY: forwarded from the caller; the levels follow each buffer's
    // application order.
    unsafe { walk_levels(walked, bases, &mut |ptrs| f(ptrs, Some(level), tail)) }
}

/// A loop order valid for every buffer: the application order shared by
/// the indirect buffers (C order if there are none). `None` if they
/// disagree, or if C order is required and the shared order is not C.
fn walk_order<const N: usize>(layouts: &[&Layout; N], visit: Visit) -> Option<DimVec<usize>> {
    let mut shared: Option<&[u8]> = None;
    for layout in layouts {
        if let Some(ind) = layout.indirection() {
            match shared {
                None => shared = Some(&ind.order),
                Some(order) if order == &*ind.order => {}
                Some(_) => return None,
            }
        }
    }
    let ndim = layouts[0].ndim();
    let mut order = DimVec::filled(0_usize, ndim);
    for (k, slot) in order.iter_mut().enumerate() {
        *slot = shared.map_or(k, |shared| usize::from(shared[k]));
    }
    let is_c = order.iter().enumerate().all(|(k, &d)| k == d);
    if visit == Visit::COrder && !is_c { None } else { Some(order) }
}

/// Follows `levels` (each with its pointer loads) and calls `f` with the
/// pointers at every leaf.
///
/// # Safety
///
/// As [`for_each_run`], with `levels` built from the layouts.
unsafe fn walk_levels<const N: usize>(
    levels: &[Level<N>],
    ptrs: [*mut u8; N],
    f: &mut impl FnMut([*mut u8; N]) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let Some((level, rest)) = levels.split_first() else {
        return f(ptrs);
    };
    for i in 0..level.extent {
        // SAFETY: i < extent; the slots on these items' paths are readable
        // (caller).
        let next = unsafe { level.step(ptrs, i) };
        if rest.is_empty() {
            // The innermost walked level: no recursion per item.
            f(next)?;
        } else {
            // SAFETY: forwarded; `rest` are the remaining levels.
            unsafe { walk_levels(rest, next, f) }?;
        }
    }
    ControlFlow::Continue(())
}

/// Every item in C order, each address computed from scratch.
///
/// # Safety
///
/// As [`for_each_run`].
unsafe fn for_each_item_naive<const N: usize>(
    bases: [*mut u8; N],
    layouts: [&Layout; N],
    f: &mut impl FnMut([*mut u8; N]) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let shape = layouts[0].shape();
    let mut index = vec![0_usize; shape.len()];
    loop {
        let mut ptrs = bases;
        for j in 0..N {
            // SAFETY: `index` is within the shape; slots are readable
            // (caller).
            ptrs[j] = unsafe { item_ptr(bases[j], layouts[j], &index) };
        }
        f(ptrs)?;
        // Advance the odometer, last index fastest.
        let mut dim = shape.len();
        loop {
            if dim == 0 {
                return ControlFlow::Continue(());
            }
            dim -= 1;
            index[dim] += 1;
            if index[dim] < shape[dim] {
                break;
            }
            index[dim] = 0;
        }
    }
}
