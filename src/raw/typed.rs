//! Typed item access: reading and writing `T`s at unaligned addresses.
//!
//! Typed views ([`MemoryView`](crate::MemoryView) and
//! [`MemoryViewMut`](crate::MemoryViewMut)) carry invariant 3 of
//! [`RawBuffer`]: every item is a valid `T`. [`check`] establishes it (the
//! format must describe `T`; for types with invalid bit patterns such as
//! `bool`, every item is checked once); the functions here rely on it.

use super::walk::{self, Visit};
use super::{RawBuffer, RawMut};
use crate::error::{Error, ErrorKind, Result};
use crate::format::Element;
use crate::format::element::{check_element, needs_validation};
use crate::layout::Order;
use crate::layout::dims::DimVec;
use std::marker::PhantomData;
use std::ops::ControlFlow;

/// Who may use a typed view: checks differ for views that can write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    Read,
    Write,
}

/// Checks that the items of `raw` are `T`s: the format must describe `T`
/// in native byte order, and every item must be a valid bit pattern.
///
/// For a view that writes `T`s with invalid bit patterns (`bool`, records
/// holding one), items must also not overlap *partly*: a write to one item
/// would otherwise put arbitrary bytes into the middle of another, which
/// could then read as an invalid value. Items may coincide exactly (a zero
/// stride): writing a valid `T` there keeps both valid. The exact test is
/// that every item starts at the same address modulo the itemsize; it is
/// made on the walk that validates the items anyway.
///
/// # Errors
///
/// [`ErrorKind::IncompatibleFormat`], [`ErrorKind::InvalidValue`], or
/// [`ErrorKind::Aliased`].
pub(crate) fn check<T: Element>(raw: &RawBuffer, access: Access) -> Result<()> {
    check_element::<T>(raw.format(), raw.layout().itemsize())?;
    if !needs_validation::<T>() {
        return Ok(());
    }
    let size = size_of::<T>();
    let residue = raw.ptr().addr() % size;
    let mut problem = None;
    let mut check_run = |run: walk::Run<1>| {
        if access == Access::Write
            && run.len > 0
            && (run.ptrs[0].addr() % size != residue || (run.len > 1 && run.strides[0] % size as isize != 0))
        {
            problem = Some(ErrorKind::Aliased);
            return ControlFlow::Break(());
        }
        for k in 0..run.len {
            let p = run.ptrs[0].wrapping_offset(run.strides[0].wrapping_mul(k as isize));
            // SAFETY: invariant 1: items are readable for itemsize bytes,
            // which equals size_of::<T>() == size_of::<T::Bits>() (checked
            // above); `Bits: AnyBitPattern`, so any bytes are a `Bits`.
            let bits = unsafe { p.cast::<T::Bits>().read_unaligned() };
            if !T::is_valid_bit_pattern(&bits) {
                problem = Some(ErrorKind::InvalidValue);
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    };
    // SAFETY: invariant 1 of `raw` makes every pointer slot readable.
    let _ = unsafe { walk::for_each_run([raw.ptr()], [raw.layout()], Visit::AnyOrder, &mut check_run) };
    let name = std::any::type_name::<T>();
    match problem {
        None => Ok(()),
        Some(ErrorKind::Aliased) => Err(Error::new(
            ErrorKind::Aliased,
            format!(
                "items overlap partly (one starts inside another), so writing a {name} \
                 could make its neighbour an invalid {name}; a writable view of {name} \
                 needs items that are disjoint or coincide exactly"
            ),
        )),
        Some(kind) => Err(Error::new(kind, format!("an item holds bytes that are not a valid {name}"))),
    }
}

/// The item at `index` (each entry in range).
///
/// # Safety
///
/// Every item of `raw` must be a valid `T` (invariant 3; in particular
/// `itemsize == size_of::<T>()`).
pub(crate) unsafe fn read<T: Element>(raw: &RawBuffer, index: &[usize]) -> T {
    let ptr = raw.item_ptr(index);
    // SAFETY: invariant 1 (readable for itemsize bytes) and the caller's
    // guarantee (a valid `T`); `read_unaligned` needs no alignment.
    unsafe { ptr.cast::<T>().read_unaligned() }
}

/// Writes `value` to the item at `index` (each entry in range).
///
/// # Safety
///
/// `raw`'s itemsize must be `size_of::<T>()`, and a `T` written there must
/// leave every view of the memory valid (true for typed views of `T`).
pub(crate) unsafe fn write<T: Element>(raw: &mut RawMut, index: &[usize], value: T) {
    let ptr = raw.raw().item_ptr(index);
    // SAFETY: invariant 2: the item is writable for itemsize ==
    // size_of::<T>() bytes and exclusively ours.
    unsafe { ptr.cast::<T>().write_unaligned(value) };
}

/// Whether the items are direct, C-contiguous and aligned for `T`: then
/// they form a `[T]` of `len()` items from the base pointer.
fn is_slice<T>(raw: &RawBuffer) -> bool {
    let layout = raw.layout();
    layout.is_contiguous(Order::C) && (layout.is_empty() || raw.ptr().cast::<T>().is_aligned())
}

/// The items as a slice, if [`is_slice`].
///
/// # Safety
///
/// As [`read`].
pub(crate) unsafe fn as_slice<T: Element>(raw: &RawBuffer) -> Option<&[T]> {
    if !is_slice::<T>(raw) {
        return None;
    }
    if raw.layout().is_empty() {
        return Some(&[]);
    }
    // SAFETY: direct and C-contiguous: `len()` items lie back to back from
    // the base (invariant 1: readable), aligned (checked), valid `T`s
    // (caller), not written while `raw` is borrowed (invariants 2, 4).
    Some(unsafe { std::slice::from_raw_parts(raw.ptr().cast::<T>(), raw.layout().len()) })
}

/// The items as a mutable slice, if [`is_slice`].
///
/// # Safety
///
/// As [`read`].
pub(crate) unsafe fn as_mut_slice<T: Element>(raw: &mut RawMut) -> Option<&mut [T]> {
    if !is_slice::<T>(raw.raw()) {
        return None;
    }
    let len = raw.raw().layout().len();
    if raw.raw().layout().is_empty() {
        return Some(&mut []);
    }
    // SAFETY: as in `as_slice`, plus invariant 2: writable, and nothing
    // else accesses the items while `raw` is borrowed mutably.
    Some(unsafe { std::slice::from_raw_parts_mut(raw.raw().ptr().cast::<T>(), len) })
}

/// Steps an odometer over `shape` one item forwards (C order: the last
/// index fastest). Wraps to all zeros after the last item.
fn step_forward(index: &mut [usize], shape: &[usize]) {
    for dim in (0..shape.len()).rev() {
        index[dim] += 1;
        if index[dim] < shape[dim] {
            return;
        }
        index[dim] = 0;
    }
}

/// Steps an odometer over a non-empty `shape` one item backwards. Wraps to
/// the last item before the first.
fn step_backward(index: &mut [usize], shape: &[usize]) {
    for dim in (0..shape.len()).rev() {
        if index[dim] > 0 {
            index[dim] -= 1;
            return;
        }
        index[dim] = shape[dim] - 1;
    }
}

/// Index tuples of a shape in C order, from both ends.
#[derive(Clone, Debug)]
pub(crate) struct Positions {
    front: DimVec<usize>,
    back: DimVec<usize>,
    remaining: usize,
}

impl Positions {
    pub(crate) fn new(layout: &crate::layout::Layout) -> Positions {
        let shape = layout.shape();
        let remaining = if layout.is_empty() { 0 } else { layout.len() };
        let mut back = DimVec::filled(0, shape.len());
        if remaining > 0 {
            for (slot, &extent) in back.iter_mut().zip(shape) {
                *slot = extent - 1;
            }
        }
        Positions { front: DimVec::filled(0, shape.len()), back, remaining }
    }

    /// Calls `at` with the next index tuple from the front.
    #[inline]
    fn next_front<R>(&mut self, shape: &[usize], at: impl FnOnce(&[usize]) -> R) -> Option<R> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        let item = at(&self.front);
        step_forward(&mut self.front, shape);
        Some(item)
    }

    /// Calls `at` with the next index tuple from the back.
    #[inline]
    fn next_back<R>(&mut self, shape: &[usize], at: impl FnOnce(&[usize]) -> R) -> Option<R> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        let item = at(&self.back);
        step_backward(&mut self.back, shape);
        Some(item)
    }

    pub(crate) fn remaining(&self) -> usize {
        self.remaining
    }
}

/// The items of a typed buffer in C order, from either end.
#[derive(Debug)]
pub(crate) struct TypedIter<T> {
    raw: RawBuffer,
    positions: Positions,
    _item: PhantomData<T>,
}

impl<T: Element> TypedIter<T> {
    /// # Safety
    ///
    /// As [`read`], for as long as the iterator is used.
    pub(crate) unsafe fn new(raw: RawBuffer) -> TypedIter<T> {
        TypedIter { positions: Positions::new(raw.layout()), raw, _item: PhantomData }
    }
}

impl<T: Element> Iterator for TypedIter<T> {
    type Item = T;

    #[inline]
    fn next(&mut self) -> Option<T> {
        let raw = &self.raw;
        // SAFETY: `Positions` hands out index tuples within the shape;
        // items are `T`s (the constructor's contract).
        self.positions.next_front(raw.layout().shape(), |index| unsafe { read::<T>(raw, index) })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.positions.remaining(), Some(self.positions.remaining()))
    }
}

impl<T: Element> DoubleEndedIterator for TypedIter<T> {
    #[inline]
    fn next_back(&mut self) -> Option<T> {
        let raw = &self.raw;
        // SAFETY: as in `next`.
        self.positions.next_back(raw.layout().shape(), |index| unsafe { read::<T>(raw, index) })
    }
}

impl<T: Element> ExactSizeIterator for TypedIter<T> {}

/// Why the items of a mutable typed buffer cannot be lent out as `&mut T`
/// (see [`TypedIterMut`]), or `None` if they can.
pub(crate) fn refuse_references<T>(raw: &RawBuffer) -> Option<Error> {
    let layout = raw.layout();
    if layout.is_empty() {
        return None;
    }
    if layout.is_indirect() {
        return Some(Error::new(
            ErrorKind::Indirect,
            "references into an indirect view cannot be checked for overlap (rows reached through \
             pointers may coincide); use for_each_mut",
        ));
    }
    let align = align_of::<T>();
    let aligned = raw.ptr().addr().is_multiple_of(align)
        && layout
            .shape()
            .iter()
            .zip(layout.strides())
            .all(|(&extent, &stride)| extent == 1 || stride.unsigned_abs().is_multiple_of(align));
    if !aligned {
        return Some(Error::new(
            ErrorKind::Misaligned,
            format!(
                "items are not all aligned for {} ({align} bytes), so no reference to them can exist; \
                 use for_each_mut",
                std::any::type_name::<T>()
            ),
        ));
    }
    crate::layout::check::check_unaliased(layout).err()
}

/// The items of a mutable typed buffer as `&mut T`, in C order.
#[derive(Debug)]
pub(crate) struct TypedIterMut<'b, T> {
    raw: RawBuffer,
    positions: Positions,
    _borrow: PhantomData<&'b mut T>,
}

impl<'b, T: Element> TypedIterMut<'b, T> {
    /// # Safety
    ///
    /// Every item of `raw` must be a valid `T` (invariant 3), and
    /// [`refuse_references`] must have found nothing: the items are
    /// direct, aligned for `T` and pairwise disjoint, so each can be lent
    /// out as a `&'b mut T` while `raw` stays borrowed for `'b`.
    pub(crate) unsafe fn new(raw: &'b mut RawMut) -> TypedIterMut<'b, T> {
        let raw = raw.raw().clone();
        TypedIterMut { positions: Positions::new(raw.layout()), raw, _borrow: PhantomData }
    }

    /// The item at `index` as a reference for `'b`.
    ///
    /// # Safety
    ///
    /// `index` is within the shape, and is lent out once.
    unsafe fn item(raw: &RawBuffer, index: &[usize]) -> &'b mut T {
        let ptr = raw.item_ptr(index).cast::<T>();
        // SAFETY: the constructor's contract: the item is a valid `T`,
        // aligned, writable and exclusively ours for 'b (invariant 2 and
        // the borrow of the `RawMut`), disjoint from every other item,
        // and this index tuple is lent out only once.
        unsafe { &mut *ptr }
    }
}

impl<'b, T: Element> Iterator for TypedIterMut<'b, T> {
    type Item = &'b mut T;

    #[inline]
    fn next(&mut self) -> Option<&'b mut T> {
        let raw = &self.raw;
        // SAFETY: `Positions` hands out each index tuple of the shape once.
        self.positions.next_front(raw.layout().shape(), |index| unsafe { Self::item(raw, index) })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.positions.remaining(), Some(self.positions.remaining()))
    }
}

impl<T: Element> DoubleEndedIterator for TypedIterMut<'_, T> {
    #[inline]
    fn next_back(&mut self) -> Option<Self::Item> {
        let raw = &self.raw;
        // SAFETY: as in `next` (front and back never meet: `remaining`).
        self.positions.next_back(raw.layout().shape(), |index| unsafe { Self::item(raw, index) })
    }
}

impl<T: Element> ExactSizeIterator for TypedIterMut<'_, T> {}

/// Calls `f` on each item in C order, through a copy: the item is read
/// (unaligned), `f` changes the copy, and the copy is written back. Works
/// for any layout, misaligned or overlapping items included (a later
/// item's write wins, as in CPython).
///
/// # Safety
///
/// Every item of `raw` must be a valid `T` (invariant 3).
pub(crate) unsafe fn update_each<T: Element>(raw: &mut RawMut, mut f: impl FnMut(&mut T)) {
    let mut per_run = |run: walk::Run<1>| {
        for k in 0..run.len {
            let p = run.ptrs[0].wrapping_offset(run.strides[0].wrapping_mul(k as isize)).cast::<T>();
            // SAFETY: invariant 1 and 2: the item is readable and writable
            // for size_of::<T>() bytes and exclusively ours; it holds a
            // valid `T` (caller), and a `T` is written back. No reference
            // to the memory is made, so overlapping items are fine.
            unsafe {
                let mut value = p.read_unaligned();
                f(&mut value);
                p.write_unaligned(value);
            }
        }
        ControlFlow::Continue(())
    };
    let raw = raw.raw();
    // SAFETY: invariant 1 makes the pointer slots readable.
    let _ = unsafe { walk::for_each_run([raw.ptr()], [raw.layout()], Visit::COrder, &mut per_run) };
}
