//! `FixedView`: a read-only typed view of a slice whose number of
//! dimensions is fixed when the code is compiled.
//!
//! A [`MemoryView`] carries a run-time rank (up to 64
//! dimensions, like a `Py_buffer`), so its descriptor is a
//! [`Layout`] of inline arrays plus a format: some 200
//! bytes, which a view made and transposed in an inner loop must build and
//! move each time. A `FixedView<'a, T, N>` is the slice, an offset and two
//! `[_; N]` arrays: for `N = 2` seven words, which the compiler keeps in
//! registers. It has the transforms that keep the rank (transpose, axis
//! permutation, Python slicing) and the copies out; for everything else,
//! [`FixedView::to_memoryview`] gives the equivalent `MemoryView`.
//!
//! Everything here is safe code: items are read by indexing the slice, and
//! copies go through [`crate::copy`], which checks that every item lies in
//! the slice before it reads.
#![forbid(unsafe_code)]

use crate::copy::{self, SliceView};
use crate::error::{Error, ErrorKind, Result};
use crate::format::Element;
use crate::index::ItemIndex;
use crate::layout::ops::resolve_index;
use crate::layout::{Layout, Order};
use crate::slice::Slice;
use crate::view::MemoryView;
use crate::view::buffer::index_count;
use std::fmt;

/// A read-only view of the elements of a slice, with `N` dimensions fixed
/// at compile time: the counterpart of ndarray's `ArrayView2`,
/// `ArrayView3`, … for views made in inner loops.
///
/// It is `Copy`, and its transforms return new views without touching the
/// items. Strides are reported in bytes, as everywhere in this crate.
///
/// # Invariants
///
/// Every item, element `offset + Σ index[d] * strides[d]` of `data` for an
/// in-range index tuple, lies inside `data`; no stride of a dimension of
/// extent 2 or more is zero (so distinct index tuples are distinct
/// elements, and there are at most `data.len()` items). Constructors
/// establish this; transforms select a subset of the items or reorder
/// dimensions, which preserves it.
///
/// # Examples
///
/// ```
/// use memoryview::{FixedView, Order};
///
/// let data: Vec<f32> = (0..64).map(|i| i as f32).collect();
/// let mut out = [0f32; 64];
/// // A view made and transposed per copy costs a few moves of registers.
/// FixedView::from_shape(&data, [8, 8]).unwrap().t().copy_to_slice(&mut out, Order::C).unwrap();
/// assert_eq!(out[1], 8.0);
/// ```
#[derive(Clone, Copy)]
pub struct FixedView<'a, T, const N: usize> {
    data: &'a [T],
    /// Element index of item (0, …, 0).
    offset: usize,
    shape: [usize; N],
    /// In elements.
    strides: [isize; N],
}

impl<'a, T: Element, const N: usize> FixedView<'a, T, N> {
    /// A C-contiguous view of `data` with `shape`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::ShapeMismatch`] unless the extents multiply to
    /// `data.len()`; [`ErrorKind::Overflow`] if an extent exceeds
    /// `isize::MAX`.
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::FixedView;
    ///
    /// let data = [1u8, 2, 3, 4, 5, 6];
    /// let v = FixedView::from_shape(&data, [2, 3]).unwrap();
    /// assert_eq!(v.get(&[1, 0]).unwrap(), 4);
    /// assert!(FixedView::from_shape(&data, [4, 2]).is_err());
    /// ```
    #[inline]
    pub fn from_shape(data: &'a [T], shape: [usize; N]) -> Result<FixedView<'a, T, N>> {
        const { assert!(size_of::<T>() > 0, "zero-sized types cannot be view items") };
        const { assert!(N <= crate::layout::MAX_NDIM, "a view has at most 64 dimensions") };
        if shape.iter().any(|&extent| isize::try_from(extent).is_err()) {
            return Err(Error::new(ErrorKind::Overflow, format!("an extent of {shape:?} exceeds isize::MAX")));
        }
        // Saturating: a product past usize::MAX is no slice's length, but a
        // later extent of 0 still makes the view empty.
        let count = shape.iter().fold(1_usize, |n, &extent| n.saturating_mul(extent));
        if count != data.len() {
            return Err(shape_mismatch(data.len(), &shape));
        }
        // Element strides of a C array, extents of 0 counted as 1 (as in
        // `Layout::contiguous`). They cannot overflow for a non-empty view
        // (their product is `data.len()`); for an empty one whose padded
        // size would, the strides left unset reach no item.
        let mut strides = [0_isize; N];
        let _ = crate::layout::order::fill_contiguous_strides(&mut strides, &shape, 1, Order::C);
        Ok(FixedView { data, offset: 0, shape, strides })
    }

    /// The extent of each dimension.
    #[inline]
    pub fn shape(&self) -> [usize; N] {
        self.shape
    }

    /// The distance between neighbouring items of each dimension, in bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::FixedView;
    ///
    /// let data = [0u32; 6];
    /// let v = FixedView::from_shape(&data, [2, 3]).unwrap();
    /// assert_eq!(v.strides(), [12, 4]);
    /// assert_eq!(v.t().strides(), [4, 12]);
    /// ```
    #[inline]
    pub fn strides(&self) -> [isize; N] {
        // Items lie in the slice, so a stride of a dimension with two or
        // more items spans at most the slice's bytes; others may be
        // anything, and saturate.
        self.strides.map(|s| s.saturating_mul(size_of::<T>().cast_signed()))
    }

    /// The number of items.
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::{FixedView, Slice};
    ///
    /// let data = [0i16; 12];
    /// let v = FixedView::from_shape(&data, [3, 4]).unwrap();
    /// assert_eq!(v.slice(&[Slice::from(1..), Slice::from(..).step(3)]).unwrap().len(), 4);
    /// ```
    #[inline]
    pub fn len(&self) -> usize {
        // At most `data.len()` (invariant) unless an extent is zero.
        if self.is_empty() { 0 } else { self.shape.iter().product() }
    }

    /// Whether some extent is zero.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.shape.contains(&0)
    }

    /// The item at `index`: one integer per dimension, of any integer type
    /// (see [`ItemIndex`]); negative indices count from the end. The same
    /// `get` as [`MemoryView::get`].
    ///
    /// (Earlier versions returned `Option<&T>` and took only a
    /// `[usize; N]`: [`get_ref`](FixedView::get_ref) returns the
    /// reference, and `.ok()` the option.)
    ///
    /// # Errors
    ///
    /// [`ErrorKind::IndexCount`] unless there are `N` indices;
    /// [`ErrorKind::IndexOutOfBounds`].
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::{ErrorKind, FixedView};
    ///
    /// let data = [1u8, 2, 3, 4, 5, 6];
    /// let v = FixedView::from_shape(&data, [2, 3]).unwrap();
    /// assert_eq!(v.get(&[1, 0]).unwrap(), 4);
    /// assert_eq!(v.get(&[-1, -1]).unwrap(), 6);
    /// assert_eq!(v.get(&[2usize, 0]).unwrap_err().kind(), ErrorKind::IndexOutOfBounds);
    /// ```
    #[inline]
    pub fn get(&self, index: impl ItemIndex) -> Result<T> {
        self.get_ref(index).copied()
    }

    /// A reference to the item at `index` (as [`get`](FixedView::get)):
    /// the items of a `FixedView` are elements of a slice, so they are
    /// aligned and can be borrowed for `'a`.
    ///
    /// # Errors
    ///
    /// As [`get`](FixedView::get).
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::FixedView;
    ///
    /// let data = [1u8, 2, 3, 4, 5, 6];
    /// let t = FixedView::from_shape(&data, [2, 3]).unwrap().t();
    /// assert!(std::ptr::eq(t.get_ref(&[2, 1]).unwrap(), &data[5]));
    /// assert!(t.get_ref(&[3, 0]).is_err());
    /// ```
    #[inline]
    pub fn get_ref(&self, index: impl ItemIndex) -> Result<&'a T> {
        if index.count() != N {
            return Err(index_count(N, index.count()));
        }
        let mut element = self.offset.cast_signed();
        for (axis, (&extent, &stride)) in self.shape.iter().zip(&self.strides).enumerate() {
            let i = resolve_index(index.entry(axis), extent, axis)?;
            // In range: the sum stays inside the slice (invariant).
            element = i.checked_mul(stride).and_then(|moved| element.checked_add(moved)).ok_or_else(overflow)?;
        }
        usize::try_from(element).ok().and_then(|element| self.data.get(element)).ok_or_else(overflow)
    }

    /// The transpose: dimensions in reverse order.
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::FixedView;
    ///
    /// let data = [1u8, 2, 3, 4, 5, 6];
    /// let t = FixedView::from_shape(&data, [2, 3]).unwrap().t();
    /// assert_eq!(t.shape(), [3, 2]);
    /// assert_eq!(t.get(&[2, 0]).unwrap(), 3);
    /// ```
    #[inline]
    #[must_use]
    pub fn t(&self) -> FixedView<'a, T, N> {
        let mut v = *self;
        v.shape.reverse();
        v.strides.reverse();
        v
    }

    /// The dimensions reordered: dimension `i` of the result is dimension
    /// `axes[i]` of `self` (NumPy's `a.transpose(axes)`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidAxis`] unless `axes` is a permutation of `0..N`.
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::FixedView;
    ///
    /// let data: Vec<u16> = (0..24).collect();
    /// let v = FixedView::from_shape(&data, [2, 3, 4]).unwrap().permute_axes([2, 0, 1]).unwrap();
    /// assert_eq!(v.shape(), [4, 2, 3]);
    /// assert_eq!(v.get(&[3, 1, 2]).unwrap(), 23);
    /// assert!(v.permute_axes([0, 0, 1]).is_err());
    /// ```
    pub fn permute_axes(&self, axes: [usize; N]) -> Result<FixedView<'a, T, N>> {
        let mut seen = [false; N];
        for &axis in &axes {
            match seen.get_mut(axis) {
                Some(slot) if !*slot => *slot = true,
                _ => {
                    return Err(Error::new(
                        ErrorKind::InvalidAxis,
                        format!("{axes:?} is not a permutation of the axes of a {N}-dimensional view"),
                    ));
                }
            }
        }
        let mut v = *self;
        for (k, &axis) in axes.iter().enumerate() {
            v.shape[k] = self.shape[axis];
            v.strides[k] = self.strides[axis];
        }
        Ok(v)
    }

    /// One Python slice per dimension (`a[start:stop:step, …]`), each
    /// resolved as CPython does.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidSlice`] for a step of zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::{FixedView, Order, Slice};
    ///
    /// let data: Vec<i32> = (0..12).collect();
    /// let v = FixedView::from_shape(&data, [3, 4]).unwrap();
    /// let corners = v.slice(&[Slice::from(..).step(2), Slice::from(..).step(-3)]).unwrap();
    /// assert_eq!(corners.to_vec(Order::C), [3, 0, 11, 8]);
    /// ```
    pub fn slice(&self, slices: &[Slice; N]) -> Result<FixedView<'a, T, N>> {
        let mut v = *self;
        let mut offset = self.offset.cast_signed();
        for (d, slice) in slices.iter().enumerate() {
            let (start, step, length) = slice.indices(self.shape[d])?;
            if length > 0 {
                // `start` is an index in range: unless the view is empty,
                // the items it selects lie in the slice.
                offset = start.checked_mul(self.strides[d]).and_then(|moved| offset.checked_add(moved)).unwrap_or(-1);
            }
            // With two or more items the new stride spans items of the
            // slice; with fewer it is never used to reach an item.
            v.strides[d] = if length > 1 { self.strides[d].saturating_mul(step) } else { self.strides[d] };
            v.shape[d] = length;
        }
        // An empty result keeps the base it had (no item is reached).
        if !v.is_empty() {
            v.offset = usize::try_from(offset).map_err(|_| overflow())?;
        }
        Ok(v)
    }

    /// Copies the items into `dst`, packed in `order` ([`Order::A`]: the
    /// stored order if the view is Fortran- but not C-contiguous, C
    /// otherwise).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::LengthMismatch`] unless `dst.len() == len()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::{FixedView, Order};
    ///
    /// let data = [1u32, 2, 3, 4, 5, 6];
    /// let v = FixedView::from_shape(&data, [2, 3]).unwrap();
    /// let mut out = [0u32; 6];
    /// v.copy_to_slice(&mut out, Order::F).unwrap();
    /// assert_eq!(out, [1, 4, 2, 5, 3, 6]);
    /// assert!(v.copy_to_slice(&mut out[..5], Order::C).is_err());
    /// ```
    #[inline]
    pub fn copy_to_slice(&self, dst: &mut [T], order: Order) -> Result<()> {
        copy::copy_slice_view(self.data, self.parts(&self.strides()), dst, order)
    }

    /// The items in a new vector, packed in `order` (as
    /// [`copy_to_slice`](FixedView::copy_to_slice)).
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::{FixedView, Order};
    ///
    /// let data = [1.0f32, 2.0, 3.0, 4.0];
    /// let v = FixedView::from_shape(&data, [2, 2]).unwrap();
    /// assert_eq!(v.t().to_vec(Order::C), [1.0, 3.0, 2.0, 4.0]);
    /// ```
    pub fn to_vec(&self, order: Order) -> Vec<T> {
        copy::slice_view_to_vec(self.data, self.parts(&self.strides()), order)
            .expect("a FixedView's items lie inside its slice and number at most its length")
    }

    /// The same items as a [`MemoryView`], which has every other
    /// operation (indexing a dimension away, reshaping, casting, comparing,
    /// exporting as a `Py_buffer`).
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::FixedView;
    ///
    /// let data = [1.5f64, 2.5, 3.5, 4.5];
    /// let v = FixedView::from_shape(&data, [2, 2]).unwrap().t();
    /// let m = v.to_memoryview();
    /// assert_eq!(m.shape(), &[2, 2]);
    /// assert_eq!(m.strides(), &[8, 16]);
    /// assert_eq!(m.get(&[0, 1]).unwrap(), 3.5);
    /// ```
    pub fn to_memoryview(&self) -> MemoryView<'a, T> {
        Layout::new(&self.shape, &self.strides(), size_of::<T>())
            .and_then(|layout| MemoryView::new(self.data, layout, self.offset.saturating_mul(size_of::<T>())))
            .expect("a FixedView's items form a valid layout inside its slice")
    }

    /// The parts the copies take, with `strides` the byte strides.
    fn parts<'s>(&'s self, strides: &'s [isize; N]) -> SliceView<'s> {
        SliceView { offset: self.offset, shape: &self.shape, strides }
    }
}

impl<T, const N: usize> fmt::Debug for FixedView<'_, T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FixedView")
            .field("shape", &self.shape)
            .field("element_strides", &self.strides)
            .field("offset", &self.offset)
            .field("slice_len", &self.data.len())
            .finish()
    }
}

#[cold]
fn shape_mismatch(len: usize, shape: &[usize]) -> Error {
    Error::new(ErrorKind::ShapeMismatch, format!("cannot view {len} items with shape {shape:?}"))
}

#[cold]
fn overflow() -> Error {
    Error::new(ErrorKind::Overflow, "a slice's offset does not fit in isize")
}
