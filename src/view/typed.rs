//! The typed API of [`MemoryView`] and [`MemoryViewMut`].
//!
//! Both carry the invariant that every item is a valid `T` with itemsize
//! `size_of::<T>()` (invariant 3 of [`RawBuffer`](crate::raw::RawBuffer)).
//! It is established by the constructors (from `[T]`, or by
//! [`BufferView::typed`], which checks the format and, for types like
//! `bool`, every item) and kept by every transform here, which selects a
//! subset of the items or reinterprets bytes under a checked cast. The
//! `unsafe` blocks in this file are the typed reads that rely on it.

use super::buffer::{check_assignable, resolve};
use super::{BufferView, BufferViewMut, MemoryView, MemoryViewMut};
use crate::convert;
use crate::copy::{self, Overlap};
use crate::error::{Error, ErrorKind, Result};
use crate::format::{Element, Format};
use crate::index::{IndexInt, ItemIndex};
use crate::layout::Order;
use crate::raw::typed::{self, TypedIter, TypedIterMut};
use crate::slice::Slice;
use bytemuck::Pod;
use std::marker::PhantomData;
use std::ops::Deref;

impl<'a, T> Clone for MemoryView<'a, T> {
    fn clone(&self) -> MemoryView<'a, T> {
        MemoryView { buffer: self.buffer.clone(), _item: PhantomData }
    }
}

impl<'a, T> Deref for MemoryView<'a, T> {
    type Target = BufferView<'a>;

    /// The untyped view: metadata, formats, untyped copies.
    fn deref(&self) -> &BufferView<'a> {
        &self.buffer
    }
}

impl<'a, T> Deref for MemoryViewMut<'a, T> {
    type Target = BufferViewMut<'a>;

    /// The untyped view, for metadata (writes need the typed methods).
    fn deref(&self) -> &BufferViewMut<'a> {
        &self.buffer
    }
}

fn length_mismatch(what: &str, got: usize, want: usize) -> Error {
    Error::new(ErrorKind::LengthMismatch, format!("{what} holds {got} items, the view {want}"))
}

impl<'a, T: Element> MemoryView<'a, T> {
    /// Wraps a buffer whose items are `T`s (the typed invariant).
    #[inline]
    fn wrap(buffer: BufferView<'a>) -> MemoryView<'a, T> {
        MemoryView { buffer, _item: PhantomData }
    }

    /// The untyped view.
    pub fn as_buffer(&self) -> &BufferView<'a> {
        &self.buffer
    }

    /// The item at `index`: one integer per dimension, of any integer type
    /// (see [`ItemIndex`]); negative indices count from the end. The same
    /// `get` as every other view's ([`FixedView::get`](crate::FixedView::get),
    /// and [`BufferView::get`], which decodes the item into a
    /// [`Value`](crate::Value)).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::IndexCount`] unless there is one index per dimension;
    /// [`ErrorKind::IndexOutOfBounds`].
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::{ErrorKind, MemoryView};
    ///
    /// let data = [1u32, 2, 3, 4, 5, 6];
    /// let v = MemoryView::from_shape(&data, &[2, 3]).unwrap();
    /// for i in 0..v.shape()[0] {
    ///     assert_eq!(v.get(&[i, 2]).unwrap(), data[3 * i + 2]); // usize indices
    /// }
    /// assert_eq!(v.get(&[-1, -1]).unwrap(), 6);
    /// assert_eq!(v.get(&[2, 0]).unwrap_err().kind(), ErrorKind::IndexOutOfBounds);
    /// assert_eq!(v.get(&[0]).unwrap_err().kind(), ErrorKind::IndexCount);
    /// ```
    pub fn get(&self, index: impl ItemIndex) -> Result<T> {
        let position = resolve(self.layout(), index)?;
        // SAFETY: the typed invariant; `position` is within the shape.
        Ok(unsafe { typed::read::<T>(self.buffer.raw(), &position) })
    }

    /// The items in C order.
    pub fn iter(&self) -> Iter<'a, T> {
        // SAFETY: the typed invariant; the iterator borrows for 'a, during
        // which the items stay valid and unwritten.
        Iter { inner: unsafe { TypedIter::new(self.buffer.raw().clone()) }, _borrow: PhantomData }
    }

    /// The items as a slice, when they are direct, C-contiguous and aligned
    /// for `T`.
    pub fn as_slice(&self) -> Option<&[T]> {
        // SAFETY: the typed invariant.
        unsafe { typed::as_slice::<T>(self.buffer.raw()) }
    }

    /// The items copied into a new vector in `order` ([`Order::A`]: the
    /// stored order if contiguous, C otherwise).
    ///
    /// # Panics
    ///
    /// If the result cannot be allocated, as `Vec::with_capacity` would;
    /// [`try_to_vec`](MemoryView::try_to_vec) returns an error instead.
    pub fn to_vec(&self, order: Order) -> Vec<T> {
        self.try_to_vec(order).unwrap_or_else(|err| panic!("{err}"))
    }

    /// [`to_vec`](MemoryView::to_vec), with an error where the result
    /// cannot be allocated.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::OutOfMemory`] if the vector cannot be allocated.
    pub fn try_to_vec(&self, order: Order) -> Result<Vec<T>> {
        // SAFETY: the typed invariant.
        unsafe { copy::to_vec::<T>(self.buffer.raw(), order) }
    }

    /// The items converted to another number type `U`, in `order`: each
    /// conversion is `num_traits`' checked `NumCast` (integers must fit;
    /// floats to integers truncate toward zero and must fit; NaN does not
    /// convert to an integer; a finite float must not become infinite).
    /// The same conversion as [`BufferView::to_vec_as`].
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidValue`] naming the first item (its index in
    /// `order`) that does not convert, and its value;
    /// [`ErrorKind::OutOfMemory`] if the result cannot be allocated.
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::{MemoryView, Order};
    ///
    /// let data = [1u8, 200, 3];
    /// let v = MemoryView::from_slice(&data);
    /// assert_eq!(v.to_vec_as::<f32>(Order::C).unwrap(), [1.0, 200.0, 3.0]);
    /// assert!(v.to_vec_as::<i8>(Order::C).is_err()); // 200 does not fit
    /// ```
    pub fn to_vec_as<U>(&self, order: Order) -> Result<Vec<U>>
    where
        T: num_traits::ToPrimitive + std::fmt::Debug,
        U: num_traits::NumCast,
    {
        let items = self.try_to_vec(order)?;
        let mut out = copy::try_with_capacity(items.len())?;
        convert::cast_each(items, &mut out, 0)?;
        Ok(out)
    }

    /// The items copied into `dst` in `order`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::LengthMismatch`] unless `dst.len() == len()`.
    #[inline]
    pub fn copy_to_slice(&self, dst: &mut [T], order: Order) -> Result<()>
    where
        T: Pod,
    {
        if dst.len() != self.len() {
            return Err(length_mismatch("the destination", dst.len(), self.len()));
        }
        self.buffer.copy_to_bytes(bytemuck::cast_slice_mut(dst), order)
    }

    /// Slices with Python semantics (see [`BufferView::slice`]).
    ///
    /// # Errors
    ///
    /// As [`BufferView::slice`].
    pub fn slice(&self, slices: &[Slice]) -> Result<MemoryView<'a, T>> {
        self.buffer.slice(slices).map(MemoryView::wrap)
    }

    /// Slices one dimension (see [`BufferView::slice_axis`]).
    ///
    /// # Errors
    ///
    /// As [`BufferView::slice_axis`].
    pub fn slice_axis(&self, axis: usize, slice: impl Into<Slice>) -> Result<MemoryView<'a, T>> {
        self.buffer.slice_axis(axis, slice).map(MemoryView::wrap)
    }

    /// Fixes one dimension (see [`BufferView::index_axis`]).
    ///
    /// # Errors
    ///
    /// As [`BufferView::index_axis`].
    pub fn index_axis(&self, axis: usize, index: impl IndexInt) -> Result<MemoryView<'a, T>> {
        self.buffer.index_axis(axis, index).map(MemoryView::wrap)
    }

    /// The transpose (dimensions reversed).
    #[inline]
    pub fn t(&self) -> MemoryView<'a, T> {
        MemoryView::wrap(self.buffer.t())
    }

    /// The transpose (see [`BufferView::transpose`]).
    pub fn transpose(&self) -> MemoryView<'a, T> {
        self.t()
    }

    /// Reorders the dimensions (see [`BufferView::permute_axes`]).
    ///
    /// # Errors
    ///
    /// As [`BufferView::permute_axes`].
    pub fn permute_axes(&self, axes: &[usize]) -> Result<MemoryView<'a, T>> {
        self.buffer.permute_axes(axes).map(MemoryView::wrap)
    }

    /// Exchanges two dimensions.
    ///
    /// # Errors
    ///
    /// As [`BufferView::swap_axes`].
    pub fn swap_axes(&self, a: usize, b: usize) -> Result<MemoryView<'a, T>> {
        self.buffer.swap_axes(a, b).map(MemoryView::wrap)
    }

    /// A new shape with as many items (C-contiguous views only).
    ///
    /// # Errors
    ///
    /// As [`BufferView::reshape`].
    pub fn reshape(&self, shape: &[usize]) -> Result<MemoryView<'a, T>> {
        self.buffer.reshape(shape).map(MemoryView::wrap)
    }

    /// A view of one field of every record: the `F` at byte `offset` of
    /// each item, with the same shape and strides (a zero-copy column).
    /// `offset` is usually `core::mem::offset_of!(T, field)`.
    ///
    /// # Errors
    ///
    /// As [`BufferView::field`] with `F`'s format, and
    /// [`ErrorKind::InvalidValue`] for invalid `bool` fields.
    ///
    /// # Examples
    ///
    /// ```
    /// use bytemuck::{Pod, Zeroable};
    /// use memoryview::{MemoryView, Order};
    /// use std::mem::offset_of;
    ///
    /// memoryview::element! {
    ///     #[repr(C)]
    ///     #[derive(Clone, Copy, Pod, Zeroable)]
    ///     struct Sample {
    ///         t: f64,
    ///         value: f32,
    ///         channel: u32,
    ///     }
    /// }
    ///
    /// let samples = [Sample { t: 0.0, value: 1.5, channel: 3 }, Sample { t: 0.5, value: 2.5, channel: 4 }];
    /// let view = MemoryView::from_slice(&samples);
    /// let values = view.field::<f32>(offset_of!(Sample, value))?;
    /// assert_eq!(values.strides(), &[16]);
    /// assert_eq!(values.to_vec(Order::C), [1.5, 2.5]);
    /// assert!(view.field::<i32>(offset_of!(Sample, value)).is_err()); // a float is there
    /// # Ok::<(), memoryview::Error>(())
    /// ```
    pub fn field<F: Element>(&self, offset: usize) -> Result<MemoryView<'a, F>> {
        self.buffer.field(offset, Format::of::<F>())?.typed()
    }

    /// The same bytes as `U`s, 1-D, with memoryview's `cast` rules (one of
    /// `T` and `U` must be a byte type: cast through `u8` otherwise).
    ///
    /// # Errors
    ///
    /// As [`BufferView::cast`] and [`BufferView::typed`].
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::MemoryView;
    ///
    /// let words = [0x0102_0304u32];
    /// let bytes = MemoryView::from_slice(&words).cast::<u8>().unwrap();
    /// assert_eq!(bytes.to_vec(memoryview::Order::C), 0x0102_0304u32.to_ne_bytes());
    /// ```
    pub fn cast<U: Element>(&self) -> Result<MemoryView<'a, U>> {
        self.buffer.cast(U::FORMAT, None)?.typed()
    }
}

impl<'a, T: Element> IntoIterator for &MemoryView<'a, T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

/// The items of a typed view in C order ([`MemoryView::iter`]).
#[derive(Debug)]
pub struct Iter<'a, T> {
    inner: TypedIter<T>,
    _borrow: PhantomData<&'a [T]>,
}

impl<T: Element> Iterator for Iter<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        self.inner.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<T: Element> DoubleEndedIterator for Iter<'_, T> {
    fn next_back(&mut self) -> Option<T> {
        self.inner.next_back()
    }
}

impl<T: Element> ExactSizeIterator for Iter<'_, T> {}

/// The items of a mutable typed view as `&mut T`, in C order
/// ([`MemoryViewMut::iter_mut`]).
#[derive(Debug)]
pub struct IterMut<'b, T> {
    inner: TypedIterMut<'b, T>,
}

impl<'b, T: Element> Iterator for IterMut<'b, T> {
    type Item = &'b mut T;

    fn next(&mut self) -> Option<&'b mut T> {
        self.inner.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<T: Element> DoubleEndedIterator for IterMut<'_, T> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.inner.next_back()
    }
}

impl<T: Element> ExactSizeIterator for IterMut<'_, T> {}

impl<'a, T: Element> MemoryViewMut<'a, T> {
    /// Wraps a mutable buffer whose items are `T`s.
    fn wrap(buffer: BufferViewMut<'a>) -> MemoryViewMut<'a, T> {
        MemoryViewMut { buffer, _item: PhantomData }
    }

    /// A read-only typed view for the duration of the borrow.
    pub fn view(&self) -> MemoryView<'_, T> {
        MemoryView::wrap(self.buffer.view())
    }

    /// A shorter-lived mutable view of the same items.
    pub fn reborrow(&mut self) -> MemoryViewMut<'_, T> {
        MemoryViewMut::wrap(self.buffer.reborrow())
    }

    /// Gives up write access for the rest of the lifetime.
    pub fn into_view(self) -> MemoryView<'a, T> {
        MemoryView::wrap(self.buffer.into_view())
    }

    /// The untyped mutable view. Needs `T: Pod`, because it can write any
    /// bytes.
    pub fn into_buffer(self) -> BufferViewMut<'a>
    where
        T: Pod,
    {
        self.buffer
    }

    /// The item at `index`.
    ///
    /// # Errors
    ///
    /// As [`MemoryView::get`].
    pub fn get(&self, index: impl ItemIndex) -> Result<T> {
        self.view().get(index)
    }

    /// Writes `value` at `index`.
    ///
    /// # Errors
    ///
    /// As [`MemoryView::get`].
    pub fn set(&mut self, index: impl ItemIndex, value: T) -> Result<()> {
        let position = resolve(self.layout(), index)?;
        // SAFETY: the typed invariant: the itemsize is size_of::<T>(), and
        // storing a `T` keeps every item a valid `T`.
        unsafe { typed::write::<T>(&mut self.buffer.raw, &position, value) };
        Ok(())
    }

    /// The items as `&mut T`, in C order, when references to them can
    /// exist: the view is direct, every item is aligned for `T`, and no two
    /// items overlap. Views made from Rust slices always qualify; views of
    /// foreign memory may not, and [`for_each_mut`](MemoryViewMut::for_each_mut)
    /// works for every view.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Misaligned`] if an item is not aligned for `T`;
    /// [`ErrorKind::Aliased`] if items overlap (a zero stride, say);
    /// [`ErrorKind::Indirect`] for views with suboffsets, whose rows may be
    /// reached through the same pointer twice.
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::{MemoryViewMut, py_s};
    ///
    /// let mut data = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
    /// let view = MemoryViewMut::from_shape(&mut data, &[2, 3]).unwrap();
    /// // Every other column, read backwards.
    /// let mut columns = view.slice(&py_s![.., ..;-2]).unwrap();
    /// for (k, x) in columns.iter_mut().unwrap().enumerate() {
    ///     *x = -(k as f32);
    /// }
    /// assert_eq!(data, [-1.0, 2.0, -0.0, -3.0, 5.0, -2.0]);
    /// ```
    pub fn iter_mut(&mut self) -> Result<IterMut<'_, T>> {
        if let Some(err) = typed::refuse_references::<T>(self.buffer.raw()) {
            return Err(err);
        }
        // SAFETY: the typed invariant, and refuse_references found the
        // items direct, aligned and disjoint; `self` stays borrowed
        // mutably for as long as the references live.
        Ok(IterMut { inner: unsafe { TypedIterMut::new(&mut self.buffer.raw) } })
    }

    /// Calls `f` on every item in C order, through a copy: each item is
    /// read, changed by `f` and written back. Works for every view,
    /// including misaligned, overlapping (a later write wins, as in
    /// CPython) and indirect ones; for a plain `&mut T` see
    /// [`iter_mut`](MemoryViewMut::iter_mut).
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::{Layout, MemoryViewMut};
    ///
    /// // f64s one byte into an aligned buffer: misaligned, so no `&mut f64`.
    /// let mut words = [0u64; 3];
    /// let layout = Layout::new(&[2], &[8], 8).unwrap();
    /// let base = words.as_mut_ptr().cast::<u8>().wrapping_add(1);
    /// // SAFETY: the 16 bytes after the first are ours for the view's life.
    /// let mut v = unsafe { MemoryViewMut::<f64>::from_raw_parts(base, layout) }.unwrap();
    /// assert!(v.iter_mut().is_err());
    /// v.for_each_mut(|x| *x += 1.5);
    /// assert_eq!(v.to_vec(memoryview::Order::C), [1.5, 1.5]);
    /// ```
    pub fn for_each_mut(&mut self, f: impl FnMut(&mut T)) {
        // SAFETY: the typed invariant; `update_each` writes only `T`s.
        unsafe { typed::update_each::<T>(&mut self.buffer.raw, f) }
    }

    /// The items as a mutable slice, when they are direct, C-contiguous and
    /// aligned for `T`.
    pub fn as_mut_slice(&mut self) -> Option<&mut [T]> {
        // SAFETY: the typed invariant.
        unsafe { typed::as_mut_slice::<T>(&mut self.buffer.raw) }
    }

    /// The items copied into a new vector in `order`.
    pub fn to_vec(&self, order: Order) -> Vec<T> {
        self.view().to_vec(order)
    }

    /// Fills the view from `src`, whose items are listed in `order`
    /// ([`Order::A`]: the view's stored order if contiguous, C otherwise).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::LengthMismatch`] unless `src.len() == len()`.
    pub fn copy_from_slice(&mut self, src: &[T], order: Order) -> Result<()> {
        if src.len() != self.len() {
            return Err(length_mismatch("the source", src.len(), self.len()));
        }
        // The bytes of `T`s are written into items typed `T`, which keeps
        // the typed invariant.
        copy::copy_from_bytes(&mut self.buffer.raw, bytemuck::cast_slice(src), order)
    }

    /// Copies `src`'s items into this view, index by index.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::ShapeMismatch`] if the shapes differ.
    pub fn assign(&mut self, src: &MemoryView<'_, T>) -> Result<()> {
        check_assignable(self.layout(), self.format(), src).or_else(|err| {
            // Both sides hold `T`s: different spellings of the format
            // ("l" and "q") are fine here; only the shape matters.
            if err.kind() == ErrorKind::IncompatibleFormat { Ok(()) } else { Err(err) }
        })?;
        copy::assign(&mut self.buffer.raw, src.buffer.raw(), Overlap::ByContract)
    }

    /// Copies the sub-view `src` to the sub-view `dst` of this view (see
    /// [`BufferViewMut::copy_within`]).
    ///
    /// # Errors
    ///
    /// As [`BufferViewMut::copy_within`].
    pub fn copy_within(&mut self, dst: &[Slice], src: &[Slice]) -> Result<()> {
        // Items of this view are copied to items of this view: all `T`s.
        self.buffer.copy_within(dst, src)
    }

    /// Slices with Python semantics (see [`BufferView::slice`]).
    ///
    /// # Errors
    ///
    /// As [`BufferView::slice`].
    pub fn slice(self, slices: &[Slice]) -> Result<MemoryViewMut<'a, T>> {
        self.buffer.slice(slices).map(MemoryViewMut::wrap)
    }

    /// Slices one dimension.
    ///
    /// # Errors
    ///
    /// As [`BufferView::slice_axis`].
    pub fn slice_axis(self, axis: usize, slice: impl Into<Slice>) -> Result<MemoryViewMut<'a, T>> {
        self.buffer.slice_axis(axis, slice).map(MemoryViewMut::wrap)
    }

    /// Fixes one dimension.
    ///
    /// # Errors
    ///
    /// As [`BufferView::index_axis`].
    pub fn index_axis(self, axis: usize, index: impl IndexInt) -> Result<MemoryViewMut<'a, T>> {
        self.buffer.index_axis(axis, index).map(MemoryViewMut::wrap)
    }

    /// The transpose (dimensions reversed).
    pub fn t(self) -> MemoryViewMut<'a, T> {
        MemoryViewMut::wrap(self.buffer.t())
    }

    /// The transpose (see [`BufferView::transpose`]).
    pub fn transpose(self) -> MemoryViewMut<'a, T> {
        self.t()
    }

    /// Reorders the dimensions.
    ///
    /// # Errors
    ///
    /// As [`BufferView::permute_axes`].
    pub fn permute_axes(self, axes: &[usize]) -> Result<MemoryViewMut<'a, T>> {
        self.buffer.permute_axes(axes).map(MemoryViewMut::wrap)
    }

    /// Exchanges two dimensions.
    ///
    /// # Errors
    ///
    /// As [`BufferView::swap_axes`].
    pub fn swap_axes(self, a: usize, b: usize) -> Result<MemoryViewMut<'a, T>> {
        self.buffer.swap_axes(a, b).map(MemoryViewMut::wrap)
    }

    /// A new shape with as many items (C-contiguous views only).
    ///
    /// # Errors
    ///
    /// As [`BufferView::reshape`].
    pub fn reshape(self, shape: &[usize]) -> Result<MemoryViewMut<'a, T>> {
        self.buffer.reshape(shape).map(MemoryViewMut::wrap)
    }

    /// The same bytes as `U`s (see [`MemoryView::cast`]). Needs `T: Pod`:
    /// after the cast ends, the memory is read as `T`s again, whatever `U`s
    /// were written.
    ///
    /// # Errors
    ///
    /// As [`MemoryView::cast`].
    pub fn cast<U: Element>(self) -> Result<MemoryViewMut<'a, U>>
    where
        T: Pod,
    {
        self.buffer.cast(U::FORMAT, None)?.into_typed()
    }
}

impl<'a, 'b, T> PartialEq<MemoryView<'b, T>> for MemoryView<'a, T> {
    /// Equality by value with CPython's rules (see [`BufferView`]'s
    /// `PartialEq`).
    fn eq(&self, other: &MemoryView<'b, T>) -> bool {
        self.buffer == other.buffer
    }
}
