//! Copies between views and contiguous memory, in C, Fortran or "any"
//! order.
//!
//! Every copy goes through [`execute`], which asks the planner
//! ([`plan`]) for a strategy and runs it. The public operations are the
//! twins of CPython's `PyBuffer_ToContiguous` ([`copy_to_bytes`],
//! [`to_bytes`], [`to_vec`]), `PyBuffer_FromContiguous`
//! ([`copy_from_bytes`]) and `PyObject_CopyData` ([`assign`]).
//!
//! Overlap: views made by safe code never overlap (the borrow checker sees
//! to that), and raw views promise the same. [`assign`] still compares the
//! byte ranges of direct layouts (an O(ndim) test) and goes through a
//! temporary when they meet; [`Overlap::Possible`] (used by `copy_within`,
//! where both sides are parts of one view) also sends indirect copies
//! through a temporary, since where their pointers lead is not known.

mod direct;
pub(crate) mod item;
pub(crate) mod owned;
mod parallel;
pub(crate) mod plan;
mod skinny;
mod strided;
mod tiled;

use crate::error::{Error, ErrorKind, Result};
use crate::layout::dims::{DimVec, INLINE_DIMS};
use crate::layout::{Layout, Order};
use crate::raw::walk::{self, Visit};
use crate::raw::{RawBuffer, RawMut};
use direct::Destination;
use plan::{Dim, Plan};
use std::ops::ControlFlow;

/// Whether the two sides of an [`assign`] may share memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Overlap {
    /// Distinct views: only a direct-layout range test is made.
    ByContract,
    /// Two parts of one view: indirect copies also use a temporary.
    Possible,
}

/// Copies the items of `src` into `dst`, index by index: the one entry
/// point every copy goes through.
///
/// # Safety
///
/// `dst`'s items (from `dst_ptr` through `dst_layout`) must be valid for
/// writes and its pointer slots for reads; `src`'s items and slots valid
/// for reads; no item byte of `dst` may overlap one of `src`; both layouts
/// have the same shape and itemsize.
unsafe fn execute(dst_ptr: *mut u8, dst_layout: &Layout, src_ptr: *const u8, src_layout: &Layout) {
    if !dst_layout.is_indirect() && !src_layout.is_indirect() {
        // (The loops are filled in place: returned by value, the array
        // was a `memcpy` call, a fifth of a three-item copy's time.)
        let mut loops = [Dim::default(); INLINE_DIMS];
        if let Some(n) = Plan::tiny_loops(dst_layout, src_layout, &mut loops) {
            // SAFETY: forwarded from the caller: the loops are the
            // layouts' own dimensions (less those of extent 1).
            unsafe { strided::copy_loops(&loops[..n], dst_ptr, src_ptr, dst_layout.itemsize()) };
            return;
        }
        let plan = Plan::direct(dst_layout, src_layout);
        // Threads may only split a destination whose items are disjoint.
        let parallel = plan.bytes() >= parallel::PAR_MIN_BYTES && !dst_layout.has_aliased_items();
        let mode = direct::Mode { parallel, copy_bytes: plan.bytes(), destination: Destination::Existing };
        // SAFETY: forwarded from the caller; `parallel` only if disjoint.
        unsafe { direct::run(&plan, dst_ptr, src_ptr, mode) };
        return;
    }
    // Indirect: follow the pointers down to the last dereference; there,
    // either copy single items in one tight loop (suboffsets in the last
    // dimension) or copy each direct block with one plan (the blocks all
    // have the same shape and strides: PIL rows become one memcpy each).
    let itemsize = dst_layout.itemsize();
    let copy_bytes = dst_layout.nbytes();
    let mut block_plan: Option<Plan> = None;
    let mut copy_level = |ptrs: [*mut u8; 2], last: Option<&walk::Level<2>>, tail: &[walk::Level<2>]| {
        match last {
            // SAFETY: the items of the level (caller's contract), and
            // the level is stepped within its extent.
            Some(level) if tail.is_empty() => unsafe { copy_items_through(level, ptrs, itemsize) },
            Some(level) => {
                let plan = block_plan.get_or_insert_with(|| block_plan_for(itemsize, tail));
                // Contiguous blocks (PIL rows) ask for the start of the
                // next one while they copy: each block is somewhere else,
                // where the hardware prefetchers cannot guess.
                let ahead = match plan.strategy {
                    plan::Strategy::Memcpy { bytes } => bytes.min(PREFETCH_NEXT_BLOCK),
                    _ => 0,
                };
                for i in 0..level.extent {
                    // SAFETY: i < extent (and i + 1 < extent for the next
                    // block's pointers); the block's items are valid and
                    // disjoint (caller).
                    unsafe {
                        let [d, s] = level.step(ptrs, i);
                        if ahead > 0 && i + 1 < level.extent {
                            let [_, next] = level.step(ptrs, i + 1);
                            crate::simd::prefetch(next.wrapping_offset(plan.src_offset), ahead);
                        }
                        direct::run(plan, d, s, direct::Mode::serial(copy_bytes));
                    }
                }
            }
            // SAFETY: one item on each side (the naive fallback).
            None if tail.is_empty() => unsafe { strided::copy_item(ptrs[0], ptrs[1], itemsize) },
            // SAFETY: a direct block (caller's contract).
            None => unsafe {
                direct::run(&block_plan_for(itemsize, tail), ptrs[0], ptrs[1], direct::Mode::serial(copy_bytes));
            },
        }
        ControlFlow::Continue(())
    };
    // SAFETY: pointer slots of both sides are readable (caller); the shapes
    // are equal; the closure steps each level within its extent.
    let _ = unsafe {
        walk::for_each_last_level(
            [dst_ptr, src_ptr.cast_mut()],
            [dst_layout, src_layout],
            Visit::AnyOrder,
            &mut copy_level,
        )
    };
}

/// How much of the next contiguous block of an indirect copy is asked for
/// ahead of time. Measured on PIL rows (u8 4096², 4 KiB rows, Intel
/// machine, four runs each): 12.4–13.2 GB/s without, 14.0–14.6 with the
/// whole next row; 512 B and 1 KiB ahead were no better than none.
const PREFETCH_NEXT_BLOCK: usize = 4 << 10;

/// The plan for the direct dimensions below the last dereference (the
/// same for every block of an indirect copy).
fn block_plan_for(itemsize: usize, tail: &[walk::Level<2>]) -> Plan {
    let mut dims = DimVec::filled(Dim::default(), tail.len());
    for (slot, l) in dims.iter_mut().zip(tail) {
        *slot = Dim { extent: l.extent, dst: l.strides[0], src: l.strides[1] };
    }
    Plan::from_dims(itemsize, &dims)
}

/// Copies the single items that one walk level reaches on each side, in
/// one loop specialised for the itemsize.
///
/// # Safety
///
/// The items and pointer slots of the level on both sides are valid (as
/// for [`execute`]).
unsafe fn copy_items_through(level: &walk::Level<2>, ptrs: [*mut u8; 2], itemsize: usize) {
    /// The loop for one itemsize.
    ///
    /// # Safety
    ///
    /// As [`copy_items_through`], with `T` of the itemsize.
    #[inline(always)]
    unsafe fn items<T: Copy>(level: &walk::Level<2>, ptrs: [*mut u8; 2]) {
        for i in 0..level.extent {
            // SAFETY: i < extent; item i on each side (caller).
            unsafe {
                let [d, s] = level.step(ptrs, i);
                d.cast::<T>().write_unaligned(s.cast::<T>().read_unaligned());
            }
        }
    }
    // SAFETY: forwarded from the caller, with the matching item type.
    unsafe {
        match itemsize {
            1 => items::<u8>(level, ptrs),
            2 => items::<u16>(level, ptrs),
            4 => items::<u32>(level, ptrs),
            8 => items::<u64>(level, ptrs),
            _ => {
                for i in 0..level.extent {
                    let [d, s] = level.step(ptrs, i);
                    strided::copy_item(d, s, itemsize);
                }
            }
        }
    }
}

fn check_same_structure(dst: &Layout, src: &Layout) -> Result<()> {
    if !dst.same_structure(src) {
        return Err(Error::new(
            ErrorKind::ShapeMismatch,
            format!(
                "cannot copy items of shape {:?} ({} bytes each) into shape {:?} ({} bytes each)",
                src.shape(),
                src.itemsize(),
                dst.shape(),
                dst.itemsize()
            ),
        ));
    }
    Ok(())
}

/// Copies `src` into `dst` item by item (same shape and itemsize; formats
/// are the caller's concern). Overlapping memory is copied as if through a
/// temporary (memmove semantics).
pub(crate) fn assign(dst: &mut RawMut, src: &RawBuffer, overlap: Overlap) -> Result<()> {
    check_same_structure(dst.raw().layout(), src.layout())?;
    let (dst_ptr, dst_layout, src_layout) = (dst.raw().ptr(), dst.raw().layout(), src.layout());
    if !dst_layout.is_indirect() && !src_layout.is_indirect() {
        // Tiny copies: the overlap test on their few loops, then the loops
        // (what `execute` would do, less a pass over each layout).
        let mut loops = [Dim::default(); INLINE_DIMS];
        if let Some(n) = Plan::tiny_loops(dst_layout, src_layout, &mut loops) {
            let (loops, itemsize) = (&loops[..n], dst_layout.itemsize());
            if !plan::loops_may_overlap(loops, dst_ptr.addr(), src.ptr().addr(), itemsize) {
                // SAFETY: `dst` is a mutable view's buffer (invariant 2:
                // writable, exclusive) and `src` a readable one (invariant
                // 1); the loops are their layouts' dimensions (less those
                // of extent 1), of the same shape (checked), and the bytes
                // they reach do not overlap (checked just above).
                unsafe { strided::copy_loops(loops, dst_ptr, src.ptr(), itemsize) };
                return Ok(());
            }
        }
    }
    let overlapping = plan::may_overlap(
        (dst.raw().ptr().addr(), dst.raw().layout()),
        (src.ptr().addr(), src.layout()),
        overlap == Overlap::Possible,
    );
    if overlapping {
        let staged = to_bytes(src, Order::C)?;
        return copy_from_bytes(dst, &staged, Order::C);
    }
    let dst = dst.raw();
    // SAFETY: `dst` is a mutable view's buffer (invariant 2: writable,
    // exclusive) and `src` a readable one (invariant 1); they do not
    // overlap (checked above for direct layouts; for indirect ones by the
    // views' contracts, or we went through the temporary); the structures
    // match (checked).
    unsafe { execute(dst.ptr(), dst.layout(), src.ptr(), src.layout()) };
    Ok(())
}

/// Copies up to this size go straight to loops, without a plan.
pub(super) const SMALL_COPY_BYTES: usize = 4096;

/// Which side of a copy is the packed (contiguous) buffer.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Packed {
    /// Copying out: the destination is packed (and fresh or not).
    Dst(Destination),
    /// Copying in: the source is packed.
    Src,
}

/// Copies between a view (`view_ptr` through `layout`) and a buffer packed
/// in `order` (already resolved to C or F) at `packed`.
///
/// For direct views the loops are built straight from the shape, without a
/// second layout (this is the path small copies take); indirect views go
/// through [`execute`].
///
/// # Safety
///
/// The packed buffer must hold `layout.nbytes()` bytes, writable if it is
/// the destination; the view's items must be readable (and writable if it
/// is the destination) and its pointer slots readable; the two must not
/// overlap.
unsafe fn copy_packed(view_ptr: *mut u8, layout: &Layout, packed: *mut u8, order: Order, side: Packed) {
    if layout.is_indirect() {
        if layout.is_empty() {
            return;
        }
        // Layout::contiguous cannot fail for the shape of a valid layout.
        if let Ok(packed_layout) = Layout::contiguous(layout.shape(), layout.itemsize(), order) {
            // SAFETY: forwarded from the caller.
            unsafe {
                match side {
                    Packed::Dst(_) => execute(packed, &packed_layout, view_ptr, layout),
                    Packed::Src => execute(view_ptr, layout, packed, &packed_layout),
                }
            }
        }
        return;
    }
    let direct = Direct { shape: layout.shape(), strides: layout.strides(), itemsize: layout.itemsize() };
    // SAFETY: forwarded from the caller; the parts are a direct layout's.
    unsafe { copy_packed_direct(view_ptr, direct, packed, order, side, || layout.has_aliased_items()) }
}

/// The parts of a direct layout: what a copy of its items needs.
#[derive(Clone, Copy)]
struct Direct<'l> {
    shape: &'l [usize],
    strides: &'l [isize],
    itemsize: usize,
}

/// [`copy_packed`] for a direct view given by its parts. `aliased` says
/// whether two items of the view share bytes (asked only when threads
/// would write into the view).
///
/// # Safety
///
/// As [`copy_packed`]; `direct` satisfies the invariants of a direct
/// [`Layout`].
unsafe fn copy_packed_direct(
    view_ptr: *mut u8,
    direct: Direct<'_>,
    packed: *mut u8,
    order: Order,
    side: Packed,
    aliased: impl FnOnce() -> bool,
) {
    let Direct { shape, strides, itemsize: es } = direct;
    // The common small cases (one or two dimensions, inside the L1 cache)
    // without the general machinery: the shape is read once, and the
    // loops are built straight from it.
    let (n0, n1, v0, v1) = match (shape, strides) {
        (&[n], &[v]) => (1, n, 0, v),
        (&[n0, n1], &[v0, v1]) => (n0, n1, v0, v1),
        _ => (0, 0, 0, 0),
    };
    // Invariant 2 of `Layout` bounds the product.
    let small_bytes = n0 * n1 * es;
    if small_bytes != 0 && small_bytes <= SMALL_COPY_BYTES {
        let esi = es as isize;
        let (p0, p1) =
            if order == Order::F && shape.len() == 2 { (esi, esi * n0 as isize) } else { (esi * n1 as isize, esi) };
        let (dst, d0, d1, src, s0, s1) = match side {
            Packed::Dst(_) => (packed, p0, p1, view_ptr.cast_const(), v0, v1),
            Packed::Src => (view_ptr, v0, v1, packed.cast_const(), p0, p1),
        };
        if d1 == esi && s0 == esi {
            // A transpose: register blocks.
            let t = tiled::Transpose2 {
                dst,
                dst_row: d0,
                src,
                src_col: s1,
                rows: n0,
                cols: n1,
                itemsize: es,
                stream: false,
                joined: tiled::Joined::NONE,
            };
            // SAFETY: the n0 x n1 items of both sides (caller's contract).
            unsafe { t.run_small() };
        } else {
            // SAFETY: the n0 x n1 items of both sides (caller's contract).
            unsafe { strided::copy_2d(dst, d0, d1, src, s0, s1, n0, n1, es) };
        }
        return;
    }
    if shape.contains(&0) {
        return;
    }
    let ndim = shape.len();
    let mut dims = DimVec::filled(Dim::default(), ndim);
    // Packed strides: the last (C) or first (F) dimension fastest.
    let mut step = es as isize;
    let mut fill = |k: usize| {
        let (extent, stride) = (shape[k], strides[k]);
        dims[k] = match side {
            Packed::Dst(_) => Dim { extent, dst: step, src: stride },
            Packed::Src => Dim { extent, dst: stride, src: step },
        };
        // Layout invariant 2 bounds this product.
        step = step.wrapping_mul(extent as isize);
    };
    if order == Order::F {
        (0..ndim).for_each(&mut fill);
    } else {
        (0..ndim).rev().for_each(&mut fill);
    }
    let (dst, src) = match side {
        Packed::Dst(_) => (packed, view_ptr.cast_const()),
        Packed::Src => (view_ptr, packed.cast_const()),
    };
    // Invariant 2 of `Layout` bounds the product.
    let nbytes = shape.iter().product::<usize>() * es;
    if nbytes <= SMALL_COPY_BYTES {
        // Small copies (inside the L1 cache) skip the planner: plain loops
        // in the view's dimension order.
        // SAFETY: the items of the copy (caller's contract).
        unsafe { strided::copy_loops(&dims, dst, src, es) };
        return;
    }
    let plan = Plan::from_dims(es, &dims);
    // Threads may split the destination if its items are disjoint: always
    // for the packed buffer, after a check for a view.
    let parallel = plan.bytes() >= parallel::PAR_MIN_BYTES && (matches!(side, Packed::Dst(_)) || !aliased());
    let destination = if let Packed::Dst(destination) = side { destination } else { Destination::Existing };
    // SAFETY: forwarded from the caller; `parallel` only for a destination
    // whose items are disjoint.
    unsafe { direct::run(&plan, dst, src, direct::Mode { parallel, copy_bytes: plan.bytes(), destination }) };
}

/// `PyBuffer_ToContiguous`: the items of `src` packed into `dst` in
/// `order` ([`Order::A`] keeps the stored order of a contiguous buffer).
pub(crate) fn copy_to_bytes(src: &RawBuffer, dst: &mut [u8], order: Order) -> Result<()> {
    let layout = src.layout();
    if dst.len() != layout.nbytes() {
        return Err(Error::new(
            ErrorKind::LengthMismatch,
            format!("destination holds {} bytes, the view {}", dst.len(), layout.nbytes()),
        ));
    }
    // SAFETY: `dst` is an exclusive byte slice of exactly `nbytes` bytes;
    // `src` is a view's buffer (invariant 1), and a `&mut [u8]` cannot
    // overlap memory a live view reads.
    unsafe {
        copy_packed(
            src.ptr(),
            layout,
            dst.as_mut_ptr(),
            layout.resolve_order(order),
            Packed::Dst(Destination::Existing),
        );
    }
    Ok(())
}

/// A view of a slice by its parts: item (0, …, 0) is element `offset` of
/// the slice, and `strides` are in bytes (any sign). What
/// [`crate::FixedView`] holds.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SliceView<'v> {
    pub(crate) offset: usize,
    pub(crate) shape: &'v [usize],
    pub(crate) strides: &'v [isize],
}

impl SliceView<'_> {
    /// Whether every item is an element of a slice of `len` elements of
    /// `itemsize` bytes: inside it, and on its grid of elements (strides of
    /// dimensions with two or more items are multiples of `itemsize`).
    #[inline]
    fn fits(&self, len: usize, itemsize: usize) -> bool {
        let Some((low, high)) = crate::layout::check::parts_byte_range(self.shape, self.strides, itemsize) else {
            return true; // no items
        };
        let on_grid = self
            .shape
            .iter()
            .zip(self.strides)
            .all(|(&extent, &stride)| extent == 1 || stride.unsigned_abs().is_multiple_of(itemsize));
        // The base item's byte offset in the slice, then the range from it.
        let base = self.offset.checked_mul(itemsize).and_then(|o| isize::try_from(o).ok());
        let range = base.and_then(|base| Some((base.checked_add(low)?, base.checked_add(high)?)));
        on_grid
            && range.is_some_and(|(low, high)| {
                low >= 0 && usize::try_from(high).is_ok_and(|high| high <= len.saturating_mul(itemsize))
            })
    }
}

/// The items of `view` (a view of `data`) packed into `dst` in `order`.
///
/// # Errors
///
/// [`ErrorKind::LengthMismatch`] unless `dst` holds one element per item;
/// [`ErrorKind::OutOfBounds`] if an item lies outside `data`.
#[inline]
pub(crate) fn copy_slice_view<T: Copy>(data: &[T], view: SliceView<'_>, dst: &mut [T], order: Order) -> Result<()> {
    // SAFETY: `MaybeUninit<T>` has the layout of `T`, and the
    // copy only ever writes `T`s into `dst` (never uninitialized bytes).
    let dst: &mut [std::mem::MaybeUninit<T>] =
        unsafe { &mut *(std::ptr::from_mut(dst) as *mut [std::mem::MaybeUninit<T>]) };
    copy_slice_view_into(data, view, dst, order, Destination::Existing)
}

/// [`copy_slice_view`] into slots that may be uninitialized, of a
/// destination of the kind `destination`.
#[inline]
fn copy_slice_view_into<T: Copy>(
    data: &[T],
    view: SliceView<'_>,
    dst: &mut [std::mem::MaybeUninit<T>],
    order: Order,
    destination: Destination,
) -> Result<()> {
    let itemsize = const {
        assert!(size_of::<T>() > 0, "zero-sized types cannot be view items");
        size_of::<T>()
    };
    let count = view.shape.iter().try_fold(1_usize, |n, &extent| n.checked_mul(extent));
    if count != Some(dst.len()) {
        return Err(Error::new(
            ErrorKind::LengthMismatch,
            format!("destination holds {} items, the view {:?}", dst.len(), view.shape),
        ));
    }
    if dst.is_empty() {
        return Ok(());
    }
    if !view.fits(data.len(), itemsize) {
        return Err(Error::new(ErrorKind::OutOfBounds, "the view's items are not elements of its slice"));
    }
    let direct = Direct { shape: view.shape, strides: view.strides, itemsize };
    let order = crate::layout::order::resolve_order(direct.shape, direct.strides, itemsize, order);
    // From the whole slice's pointer: items may lie before element
    // `offset` (negative strides), and a pointer taken from a subslice
    // could not reach them. (Element `offset` exists: the view is not
    // empty and fits.)
    let base = data.as_ptr().wrapping_add(view.offset).cast::<u8>().cast_mut();
    // SAFETY: every item is an element of `data` (checked: `fits`), read
    // only; `dst` is an exclusive slice of exactly one element per item
    // (checked), so it cannot overlap `data`; byte strides of elements of
    // one slice satisfy a direct layout's invariants (the reach of every
    // dimension lies inside the slice). Bytes of `T`s copied into `T`s
    // are `T`s.
    unsafe { copy_packed_direct(base, direct, dst.as_mut_ptr().cast(), order, Packed::Dst(destination), || true) };
    Ok(())
}

/// The items of `view` (a view of `data`) in a fresh vector, packed in
/// `order`.
///
/// # Errors
///
/// [`ErrorKind::OutOfBounds`] if an item lies outside `data`;
/// [`ErrorKind::Overflow`] if the item count does not fit in `usize`.
pub(crate) fn slice_view_to_vec<T: Copy>(data: &[T], view: SliceView<'_>, order: Order) -> Result<Vec<T>> {
    let Some(count) = view.shape.iter().try_fold(1_usize, |n, &extent| n.checked_mul(extent)) else {
        return Err(Error::new(ErrorKind::Overflow, "the view's item count does not fit in usize"));
    };
    let mut out: Vec<T> = try_with_capacity(count)?;
    owned::advise_huge_pages(out.as_mut_ptr().cast(), count.saturating_mul(size_of::<T>()));
    let spare = &mut out.spare_capacity_mut()[..count];
    // `MaybeUninit<T>` has the layout of `T`; the copy writes every slot.
    copy_slice_view_into(data, view, spare, order, Destination::Fresh)?;
    // SAFETY: `copy_slice_view_into` succeeded, so it wrote all `count`
    // slots with the bytes of `T`s (elements of `data`).
    unsafe { out.set_len(count) };
    Ok(out)
}

/// `PyBuffer_FromContiguous`: fills `dst` from bytes packed in `order`
/// ([`Order::A`]: `dst`'s stored order if it is contiguous, C otherwise).
pub(crate) fn copy_from_bytes(dst: &mut RawMut, src: &[u8], order: Order) -> Result<()> {
    let layout = dst.raw().layout();
    if src.len() != layout.nbytes() {
        return Err(Error::new(
            ErrorKind::LengthMismatch,
            format!("source holds {} bytes, the view {}", src.len(), layout.nbytes()),
        ));
    }
    let dst = dst.raw();
    // SAFETY: `dst` is a mutable view's buffer (invariant 2); `src` is a
    // shared slice of exactly the packed size, which cannot overlap it.
    // The packed side is only read.
    unsafe { copy_packed(dst.ptr(), layout, src.as_ptr().cast_mut(), layout.resolve_order(order), Packed::Src) };
    Ok(())
}

/// An empty vector with room for exactly `count` items of `T`, or an
/// [`ErrorKind::OutOfMemory`] error where that much memory cannot be had
/// (a broadcast view of 2^61 items, say), instead of the abort of a
/// failed `Vec::with_capacity`.
pub(crate) fn try_with_capacity<T>(count: usize) -> Result<Vec<T>> {
    let mut out: Vec<T> = Vec::new();
    out.try_reserve_exact(count).map_err(|_| {
        Error::new(
            ErrorKind::OutOfMemory,
            format!("cannot allocate a result of {count} items of {} bytes", size_of::<T>()),
        )
    })?;
    Ok(out)
}

/// The items of `src` as a vector of `T`s packed in `order`.
///
/// # Errors
///
/// [`ErrorKind::OutOfMemory`] if the vector cannot be allocated.
///
/// # Safety
///
/// Every item of `src` must be a valid `T`, and the itemsize
/// `size_of::<T>()`.
pub(crate) unsafe fn to_vec<T>(src: &RawBuffer, order: Order) -> Result<Vec<T>> {
    let layout = src.layout();
    let count = layout.len();
    let mut out: Vec<T> = try_with_capacity(count)?;
    owned::advise_huge_pages(out.as_mut_ptr().cast(), layout.nbytes());
    // SAFETY: the spare capacity holds `count` items of itemsize bytes,
    // exactly the packed size; fresh memory cannot overlap `src`
    // (invariant 1: readable).
    unsafe {
        copy_packed(
            src.ptr(),
            layout,
            out.as_mut_ptr().cast(),
            layout.resolve_order(order),
            Packed::Dst(Destination::Fresh),
        );
    }
    // SAFETY: every one of the `count` items was written with the bytes of
    // a valid `T` (caller's contract).
    unsafe { out.set_len(count) };
    Ok(out)
}

/// The items of `src` packed into a fresh byte vector.
///
/// # Errors
///
/// [`ErrorKind::OutOfMemory`] if the vector cannot be allocated.
pub(crate) fn to_bytes(src: &RawBuffer, order: Order) -> Result<Vec<u8>> {
    let layout = src.layout();
    let nbytes = layout.nbytes();
    let mut out: Vec<u8> = try_with_capacity(nbytes)?;
    owned::advise_huge_pages(out.as_mut_ptr(), nbytes);
    // SAFETY: as in `to_vec`, with `nbytes` bytes of spare capacity.
    unsafe {
        copy_packed(src.ptr(), layout, out.as_mut_ptr(), layout.resolve_order(order), Packed::Dst(Destination::Fresh));
    }
    // SAFETY: all `nbytes` bytes were written; any byte is a valid u8.
    unsafe { out.set_len(nbytes) };
    Ok(out)
}

/// The items of `src` packed in `order` into a fresh buffer aligned to a
/// cache line (what the Python bridge hands out as a new array).
///
/// # Errors
///
/// [`ErrorKind::OutOfMemory`] if the buffer cannot be allocated.
#[cfg(feature = "python")]
pub(crate) fn to_aligned_bytes(src: &RawBuffer, order: Order) -> Result<owned::AlignedBytes> {
    let layout = src.layout();
    let nbytes = layout.nbytes();
    let mut lines: Vec<owned::Line> = try_with_capacity(nbytes.div_ceil(64))?;
    owned::advise_huge_pages(lines.as_mut_ptr().cast(), nbytes);
    // SAFETY: the spare capacity holds at least `nbytes` bytes (whole
    // lines); fresh memory cannot overlap `src` (invariant 1: readable).
    unsafe {
        copy_packed(
            src.ptr(),
            layout,
            lines.as_mut_ptr().cast(),
            layout.resolve_order(order),
            Packed::Dst(Destination::Fresh),
        );
        // The tail of the last line is not part of the items: zero it, so
        // that every line is initialized.
        let written = lines.as_mut_ptr().cast::<u8>();
        std::ptr::write_bytes(written.add(nbytes), 0, nbytes.div_ceil(64) * 64 - nbytes);
    }
    // SAFETY: every byte of the `nbytes.div_ceil(64)` lines was written
    // above (the items, then the tail), and any bytes are a valid `Line`.
    unsafe { lines.set_len(nbytes.div_ceil(64)) };
    Ok(owned::AlignedBytes { lines, len: nbytes })
}

#[cfg(test)]
mod tests;
