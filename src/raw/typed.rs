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

/// The items of a typed buffer in C order.
#[derive(Debug)]
pub(crate) struct TypedIter<T> {
    raw: RawBuffer,
    index: DimVec<usize>,
    remaining: usize,
    _item: PhantomData<T>,
}

impl<T: Element> TypedIter<T> {
    /// # Safety
    ///
    /// As [`read`], for as long as the iterator is used.
    pub(crate) unsafe fn new(raw: RawBuffer) -> TypedIter<T> {
        let layout = raw.layout();
        let remaining = if layout.is_empty() { 0 } else { layout.len() };
        TypedIter { index: DimVec::filled(0, layout.ndim()), remaining, raw, _item: PhantomData }
    }
}

impl<T: Element> Iterator for TypedIter<T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        // SAFETY: the index is in range (odometer below); items are `T`s
        // (the constructor's contract).
        let item = unsafe { read::<T>(&self.raw, &self.index) };
        let shape = self.raw.layout().shape();
        for dim in (0..shape.len()).rev() {
            self.index[dim] += 1;
            if self.index[dim] < shape[dim] {
                break;
            }
            self.index[dim] = 0;
        }
        Some(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<T: Element> ExactSizeIterator for TypedIter<T> {}
