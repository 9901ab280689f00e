//! The views: [`BufferView`] / [`BufferViewMut`] (untyped, format-carrying:
//! the `Py_buffer` counterpart) and [`MemoryView`] / [`MemoryViewMut`]
//! (typed with an [`Element`](crate::Element)).
//!
//! All four are a [`RawBuffer`] plus a lifetime and an access mode. Shared
//! views are `Clone` and behave like `&'a [u8]`; mutable views behave like
//! `&'a mut [u8]`: their transforms consume them, and
//! [`reborrow`](BufferViewMut::reborrow) gives a shorter-lived copy.
//! Creating, slicing, transposing and indexing a view never touches its
//! items, and layouts of up to eight dimensions need no allocation.
//!
//! Files: [`construct`] (every constructor, including the `unsafe` ones for
//! foreign memory), [`buffer`] (the untyped API), [`typed`] (the typed API;
//! it reads items under the typed-view invariant), [`compare`] (equality by
//! value, CPython's rules), [`fixed`] ([`FixedView`], a typed view of a
//! slice with a compile-time rank, for views made in inner loops), [`iter`]
//! (sub-views along an axis, lanes and rows), [`display`] (the values
//! printed as NumPy prints them).

mod buffer;
mod compare;
mod construct;
mod display;
mod fixed;
mod iter;
#[cfg(feature = "ndarray")]
mod to_ndarray;
mod typed;

use crate::format::Format;
use crate::layout::{Layout, Order};
use crate::raw::{RawBuffer, RawMut};
use std::fmt;
use std::marker::PhantomData;

pub use display::DisplayElement;
pub use fixed::FixedView;
pub use iter::{AxisIter, Lanes};
pub use typed::{Iter, IterMut};

/// A read-only view of items in memory, with a run-time format: the
/// counterpart of a `Py_buffer`.
///
/// It behaves like a `&'a [u8]`: it can be copied freely (`Clone`), sent
/// to and shared between threads, and nothing writes the items while it
/// lives.
///
/// # Examples
///
/// ```
/// use memoryview::{BufferView, Order, Slice, Value};
///
/// let data = [1u16, 2, 3, 4, 5, 6];
/// let view = BufferView::from_slice(&data).reshape(&[2, 3]).unwrap();
/// assert_eq!(view.format().as_str(), "H");
/// assert_eq!(view.get(&[1, -1]).unwrap(), Value::Int(6));
///
/// let columns = view.slice(&[Slice::FULL, Slice::from(..).step(2)]).unwrap();
/// assert_eq!(columns.shape(), &[2, 2]);
/// assert_eq!(columns.to_bytes(Order::F), [1u8, 0, 4, 0, 3, 0, 6, 0]);
/// ```
#[derive(Clone)]
pub struct BufferView<'a> {
    raw: RawBuffer,
    _borrow: PhantomData<&'a [u8]>,
}

/// A writable view of items in memory, with a run-time format.
///
/// It behaves like a `&'a mut [u8]`: transforms consume it, and
/// [`reborrow`](BufferViewMut::reborrow) and [`view`](BufferViewMut::view)
/// lend it out. Views made from Rust slices never have overlapping items
/// (checked when they are made); views of foreign memory may, as in
/// CPython.
///
/// # Examples
///
/// ```
/// use memoryview::{BufferViewMut, Order, Slice};
///
/// let mut data = [0u8; 6];
/// let view = BufferViewMut::from_slice(&mut data).reshape(&[2, 3]).unwrap();
/// let mut column = view.slice(&[Slice::FULL, Slice::from(1..2)]).unwrap();
/// column.copy_from_bytes(&[7, 9], Order::C).unwrap();
/// assert_eq!(data, [0, 7, 0, 0, 9, 0]);
/// ```
pub struct BufferViewMut<'a> {
    raw: RawMut,
    _borrow: PhantomData<&'a mut [u8]>,
}

/// A read-only view of `T`s in strided (and possibly indirect) memory.
///
/// It dereferences to the untyped [`BufferView`], which has the metadata
/// and untyped operations; its own methods read `T`s and keep the type
/// through slicing and transposition. Items may be misaligned: they are
/// read with unaligned loads.
///
/// # Examples
///
/// ```
/// use memoryview::{MemoryView, Order};
///
/// let data = [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0];
/// let a = MemoryView::from_shape(&data, &[2, 3]).unwrap();
/// let t = a.t(); // 3x2, no copy
/// assert_eq!(t.get(&[2, 0]).unwrap(), 3.0);
/// assert_eq!(t.to_vec(Order::C), [1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
/// assert_eq!(a.to_vec(Order::F), t.to_vec(Order::C));
/// ```
pub struct MemoryView<'a, T> {
    /// Invariant: every item is a valid `T` and the itemsize is
    /// `size_of::<T>()` (invariant 3 of [`RawBuffer`]).
    buffer: BufferView<'a>,
    _item: PhantomData<&'a [T]>,
}

/// A writable view of `T`s in strided (and possibly indirect) memory.
///
/// It dereferences to the untyped [`BufferViewMut`] for metadata.
///
/// # Examples
///
/// ```
/// use memoryview::{MemoryViewMut, Order};
///
/// let mut data = [0i32; 6];
/// let mut a = MemoryViewMut::from_shape(&mut data, &[2, 3]).unwrap();
/// a.copy_from_slice(&[1, 2, 3, 4, 5, 6], Order::F).unwrap();
/// a.set(&[0, -1], 10).unwrap();
/// assert_eq!(data, [1, 3, 10, 2, 4, 6]);
/// ```
pub struct MemoryViewMut<'a, T> {
    /// Invariant: every item is a valid `T` and the itemsize is
    /// `size_of::<T>()` (invariant 3 of [`RawBuffer`]).
    buffer: BufferViewMut<'a>,
    _item: PhantomData<&'a mut [T]>,
}

impl<'a> BufferView<'a> {
    #[inline]
    fn from_raw(raw: RawBuffer) -> BufferView<'a> {
        BufferView { raw, _borrow: PhantomData }
    }

    #[inline]
    pub(crate) fn raw(&self) -> &RawBuffer {
        &self.raw
    }

    /// The description of the items, for code that keeps the memory alive
    /// by other means (the Python bridge: see `from_raw_buffer`).
    #[cfg(feature = "python")]
    #[inline]
    pub(crate) fn into_raw(self) -> RawBuffer {
        self.raw
    }
}

impl<'a> BufferViewMut<'a> {
    fn from_raw(raw: RawMut) -> BufferViewMut<'a> {
        BufferViewMut { raw, _borrow: PhantomData }
    }

    pub(crate) fn raw(&self) -> &RawBuffer {
        self.raw.raw()
    }
}

/// Metadata accessors, the same for both untyped views.
macro_rules! metadata {
    ($view:ident) => {
        impl $view<'_> {
            /// The layout: shape, byte strides, suboffsets and itemsize.
            #[inline]
            pub fn layout(&self) -> &Layout {
                self.raw().layout()
            }

            /// The format of one item (the exporter's text, which may not
            /// parse: see [`Format::error`]).
            #[inline]
            pub fn format(&self) -> &Format {
                self.raw().format()
            }

            /// The number of dimensions.
            #[inline]
            pub fn ndim(&self) -> usize {
                self.layout().ndim()
            }

            /// The extent of each dimension.
            #[inline]
            pub fn shape(&self) -> &[usize] {
                self.layout().shape()
            }

            /// The byte stride of each dimension.
            #[inline]
            pub fn strides(&self) -> &[isize] {
                self.layout().strides()
            }

            /// The suboffsets, for indirect views (see
            /// [`Layout::suboffsets`]).
            pub fn suboffsets(&self) -> Option<&[isize]> {
                self.layout().suboffsets()
            }

            /// The size of one item in bytes.
            #[inline]
            pub fn itemsize(&self) -> usize {
                self.layout().itemsize()
            }

            /// The number of items (`product(shape)`). Python's
            /// `len(memoryview)` is `shape()[0]` instead.
            #[inline]
            pub fn len(&self) -> usize {
                self.layout().len()
            }

            /// Whether the view holds no items.
            #[inline]
            pub fn is_empty(&self) -> bool {
                self.layout().is_empty()
            }

            /// `len() * itemsize()`: the bytes a contiguous copy takes
            /// (Py_buffer's `len`).
            #[inline]
            pub fn nbytes(&self) -> usize {
                self.layout().nbytes()
            }

            /// `PyBuffer_IsContiguous(view, order)`.
            pub fn is_contiguous(&self, order: Order) -> bool {
                self.layout().is_contiguous(order)
            }

            /// Whether the items are packed in C order.
            pub fn is_c_contiguous(&self) -> bool {
                self.is_contiguous(Order::C)
            }

            /// Whether the items are packed in Fortran order.
            pub fn is_f_contiguous(&self) -> bool {
                self.is_contiguous(Order::F)
            }

            /// The base pointer: the address of the item at index 0,
            /// before any suboffset is applied (Py_buffer's `buf`).
            pub fn as_ptr(&self) -> *const u8 {
                self.raw().ptr().cast_const()
            }
        }
    };
}

metadata!(BufferView);
metadata!(BufferViewMut);

fn debug_view(f: &mut fmt::Formatter<'_>, name: &str, raw: &RawBuffer) -> fmt::Result {
    let layout = raw.layout();
    let mut s = f.debug_struct(name);
    s.field("format", &raw.format().as_str())
        .field("itemsize", &layout.itemsize())
        .field("shape", &layout.shape())
        .field("strides", &layout.strides());
    if let Some(sub) = layout.suboffsets() {
        s.field("suboffsets", &sub);
    }
    s.finish_non_exhaustive()
}

impl fmt::Debug for BufferView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_view(f, "BufferView", self.raw())
    }
}

impl fmt::Debug for BufferViewMut<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_view(f, "BufferViewMut", self.raw())
    }
}

impl<T> fmt::Debug for MemoryView<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_view(f, "MemoryView", self.buffer.raw())
    }
}

impl<T> fmt::Debug for MemoryViewMut<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_view(f, "MemoryViewMut", self.buffer.raw())
    }
}
