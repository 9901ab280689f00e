//! The bridge to [ndarray](https://docs.rs/ndarray) (feature `ndarray`):
//! zero-copy conversions between ndarray's views and the typed views, and
//! [`assign`], which copies between two ndarray views through this crate's
//! copy planner (tiled SIMD transposes, merged dimensions, threads).
//!
//! | from | to | how | refused |
//! |---|---|---|---|
//! | `ArrayView<T, D>` | [`MemoryView<T>`] | `MemoryView::try_from(a.view())` | more than 64 dimensions; broadcast views of more than `isize::MAX` bytes |
//! | `ArrayViewMut<T, D>` | [`MemoryViewMut<T>`] | `MemoryViewMut::try_from(a.view_mut())` | more than 64 dimensions |
//! | [`MemoryView<T>`] | `ArrayView<T, D>` (`IxDyn` or `Ix0`…`Ix6`) | `ArrayView2::try_from(v)` | suboffsets, a base misaligned for `T`, byte strides that are not multiples of `size_of::<T>()`, another rank than `D`'s |
//! | [`MemoryViewMut<T>`] | `ArrayViewMut<T, D>` | `ArrayViewMut2::try_from(v)` | as above, and overlapping items (zero strides) |
//!
//! Strides change units (ndarray counts elements, this crate bytes) and
//! keep their signs; zero strides (broadcasting) stay zero in read-only
//! views; empty and 0-dimensional views convert both ways. Elements are
//! the crate's [`Element`] types.
//!
//! # Examples
//!
//! ```
//! use memoryview::{MemoryView, Order, py_s};
//! use ndarray::{Array2, ArrayView2, array};
//!
//! let a = array![[1.0f64, 2.0, 3.0], [4.0, 5.0, 6.0]];
//! // ndarray -> memoryview: a[:, ::-1], exported like a Py_buffer.
//! let v = MemoryView::try_from(a.view())?.slice(&py_s![.., ..;-1])?;
//! assert_eq!(v.strides(), &[24, -8]);
//! // memoryview -> ndarray: the transpose, without a copy.
//! let t = ArrayView2::try_from(v.t())?;
//! assert_eq!(t, array![[3.0, 6.0], [2.0, 5.0], [1.0, 4.0]]);
//! // A copy between ndarray views through the crate's planner.
//! let mut out = Array2::<f64>::zeros((3, 2));
//! memoryview::ndarray::assign(&mut out, &a.t())?;
//! assert_eq!(out, a.t());
//! # Ok::<(), memoryview::Error>(())
//! ```
#![forbid(unsafe_code)]

use crate::error::{Error, ErrorKind, Result};
use crate::format::Element;
use crate::view::{MemoryView, MemoryViewMut};
use ndarray::{ArrayRef, ArrayView, ArrayViewMut, Dimension};

impl<'a, T: Element, D: Dimension> TryFrom<ArrayView<'a, T, D>> for MemoryView<'a, T> {
    type Error = Error;

    /// The elements of an ndarray view, without a copy; strides become
    /// byte strides.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::TooManyDimensions`] above 64 dimensions;
    /// [`ErrorKind::Overflow`] for a broadcast view whose items would take
    /// more than `isize::MAX` bytes.
    fn try_from(array: ArrayView<'a, T, D>) -> Result<MemoryView<'a, T>> {
        MemoryView::from_ndarray(array)
    }
}

impl<'a, T: Element, D: Dimension> TryFrom<ArrayViewMut<'a, T, D>> for MemoryViewMut<'a, T> {
    type Error = Error;

    /// The elements of a mutable ndarray view, without a copy.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::TooManyDimensions`] above 64 dimensions.
    fn try_from(array: ArrayViewMut<'a, T, D>) -> Result<MemoryViewMut<'a, T>> {
        MemoryViewMut::from_ndarray_mut(array)
    }
}

impl<'a, T: Element, D: Dimension> TryFrom<MemoryView<'a, T>> for ArrayView<'a, T, D> {
    type Error = Error;

    /// The items as an ndarray view of rank `D` (`IxDyn` for any), without
    /// a copy.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Indirect`] for views with suboffsets;
    /// [`ErrorKind::Misaligned`] if an item is not aligned for `T` or a
    /// stride is not a whole number of `T`s; [`ErrorKind::ShapeMismatch`]
    /// if the view has another number of dimensions than `D`;
    /// [`ErrorKind::Overflow`] for an empty view whose other extents
    /// multiply past `isize::MAX` (which ndarray refuses).
    fn try_from(view: MemoryView<'a, T>) -> Result<ArrayView<'a, T, D>> {
        view.to_ndarray()
    }
}

impl<'a, T: Element, D: Dimension> TryFrom<MemoryViewMut<'a, T>> for ArrayViewMut<'a, T, D> {
    type Error = Error;

    /// The items as a mutable ndarray view of rank `D`, without a copy.
    ///
    /// # Errors
    ///
    /// As for [`ArrayView`], and [`ErrorKind::Aliased`] if two items may
    /// overlap (a zero stride, say), which `&mut` references cannot.
    fn try_from(view: MemoryViewMut<'a, T>) -> Result<ArrayViewMut<'a, T, D>> {
        view.into_ndarray_mut()
    }
}

/// Copies `src` into `dst` element by element, like ndarray's
/// `dst.assign(&src)`, through this crate's copy planner: transposes and
/// permutations run as cache-tiled SIMD transposes, contiguous runs as
/// `memcpy`, large copies on rayon's threads (feature `rayon`). Any
/// array, view or `ArcArray` works on either side.
///
/// As in ndarray, `src` is broadcast to `dst`'s shape if the shapes
/// differ (NumPy's rules: missing leading dimensions and extents of 1
/// repeat).
///
/// # Errors
///
/// [`ErrorKind::ShapeMismatch`] if `src` does not broadcast to `dst`'s
/// shape (where ndarray's `assign` panics); [`ErrorKind::TooManyDimensions`]
/// above 64 dimensions.
///
/// # Examples
///
/// ```
/// use ndarray::{Array2, Array3, array};
///
/// let a = Array3::from_shape_fn((4, 5, 6), |(i, j, k)| (100 * i + 10 * j + k) as u32);
/// let mut b = Array3::<u32>::zeros((6, 4, 5));
/// memoryview::ndarray::assign(&mut b, &a.view().permuted_axes([2, 0, 1]))?;
/// assert_eq!(b[[5, 3, 4]], 345);
///
/// // Broadcasting a row over every row, as ndarray does.
/// let mut m = Array2::<f32>::zeros((3, 2));
/// memoryview::ndarray::assign(&mut m, &array![1.0, 2.0])?;
/// assert_eq!(m, array![[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]]);
/// assert!(memoryview::ndarray::assign(&mut m, &array![1.0, 2.0, 3.0]).is_err());
/// # Ok::<(), memoryview::Error>(())
/// ```
pub fn assign<T: Element, D: Dimension, E: Dimension>(dst: &mut ArrayRef<T, D>, src: &ArrayRef<T, E>) -> Result<()> {
    let source = if src.shape() == dst.shape() {
        MemoryView::try_from(src.view())?
    } else {
        let broadcast = src.broadcast(dst.raw_dim()).ok_or_else(|| {
            Error::new(
                ErrorKind::ShapeMismatch,
                format!("cannot broadcast an array of shape {:?} to shape {:?}", src.shape(), dst.shape()),
            )
        })?;
        MemoryView::try_from(broadcast)?
    };
    MemoryViewMut::try_from(dst.view_mut())?.assign(&source)
}

/// [`assign`] as a method of ndarray's arrays and views:
/// `dst.assign_fast(&src)`.
///
/// # Examples
///
/// ```
/// use memoryview::ndarray::AssignFast;
/// use ndarray::Array2;
///
/// let a = Array2::from_shape_fn((64, 48), |(i, j)| (i * 48 + j) as f32);
/// let mut t = Array2::<f32>::zeros((48, 64));
/// t.assign_fast(&a.t())?;
/// assert_eq!(t, a.t());
/// # Ok::<(), memoryview::Error>(())
/// ```
pub trait AssignFast<T> {
    /// Copies `src` into `self` (see [`assign`]).
    ///
    /// # Errors
    ///
    /// As [`assign`].
    fn assign_fast<E: Dimension>(&mut self, src: &ArrayRef<T, E>) -> Result<()>;
}

impl<T: Element, D: Dimension> AssignFast<T> for ArrayRef<T, D> {
    fn assign_fast<E: Dimension>(&mut self, src: &ArrayRef<T, E>) -> Result<()> {
        assign(self, src)
    }
}
