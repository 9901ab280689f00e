//! Every way to make a view: from Rust slices (checked, safe), and from
//! foreign memory (raw parts or a `Py_buffer`; `unsafe`, then checked as far
//! as the information allows).
//!
//! All constructors funnel through the one validator in
//! [`crate::layout::check`]: layouts are valid by construction, slices are
//! checked against their length ([`Layout::check_bounds`]), and mutable
//! views made from Rust slices refuse overlapping items
//! ([`Layout::has_aliased_items`]: a zero stride into a `&mut [T]` is
//! almost certainly a mistake). Mutable views of foreign memory accept
//! them, as CPython does.

use super::{BufferView, BufferViewMut, MemoryView, MemoryViewMut};
use crate::error::{Error, ErrorKind, Result};
use crate::format::Element;
use crate::format::Format;
use crate::format::element::needs_validation;
use crate::layout::check::check_unaliased;
use crate::layout::{Layout, Order};
use crate::raw::info::{BufferInfo, read_info};
use crate::raw::{RawBuffer, RawMut, typed};
use bytemuck::Pod;
use std::marker::PhantomData;

/// The 1-D layout of a slice of `T`.
fn slice_layout<T>(len: usize) -> Layout {
    const { assert!(size_of::<T>() > 0, "zero-sized types cannot be view items") };
    // A slice's byte length never exceeds isize::MAX, so this cannot fail.
    Layout::contiguous(&[len], size_of::<T>(), Order::C).unwrap_or_else(|_| unreachable!())
}

/// The C-contiguous layout of `shape` over a slice of `len` `T`s.
///
/// Inline, with the errors worded out of line: typed views are made in
/// inner loops, and inlined into its caller the layout is built in place
/// (for a literal shape, its strides fold to constants).
#[inline(always)]
fn shaped_layout<T>(len: usize, shape: &[usize]) -> Result<Layout> {
    const { assert!(size_of::<T>() > 0, "zero-sized types cannot be view items") };
    let layout = Layout::contiguous(shape, size_of::<T>(), Order::C)?;
    if layout.len() != len {
        return Err(shape_mismatch(len, shape, layout.len()));
    }
    Ok(layout)
}

#[cold]
fn shape_mismatch(len: usize, shape: &[usize], items: usize) -> Error {
    Error::new(ErrorKind::ShapeMismatch, format!("cannot view {len} items with shape {shape:?} ({items} items)"))
}

fn null_pointer() -> Error {
    Error::new(ErrorKind::InvalidLayout, "the base pointer is null")
}

/// Refuses a layout whose items would not coincide with `T`s of the slice
/// they come from, for types whose bit patterns are not all valid: an item
/// straddling two `T`s could hold (or, when written, create) an invalid
/// value.
fn check_item_grid<T: Element>(layout: &Layout, offset: usize) -> Result<()> {
    let size = size_of::<T>();
    let on_grid =
        offset.is_multiple_of(size) && layout.strides().iter().all(|&s| s.unsigned_abs().is_multiple_of(size));
    if needs_validation::<T>() && !layout.is_empty() && !on_grid {
        return Err(Error::new(
            ErrorKind::Misaligned,
            format!(
                "items of {} must start on element boundaries of the slice \
                 (offset and strides multiples of {size})",
                std::any::type_name::<T>()
            ),
        ));
    }
    Ok(())
}

impl<'a> BufferView<'a> {
    /// A 1-D view of a slice; the format is `T::FORMAT`.
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::BufferView;
    ///
    /// let v = BufferView::from_slice(&[1.5f32, 2.5]);
    /// assert_eq!((v.format().as_str(), v.shape(), v.itemsize()), ("f", &[2][..], 4));
    /// ```
    pub fn from_slice<T: Element>(data: &'a [T]) -> BufferView<'a> {
        let layout = slice_layout::<T>(data.len());
        // SAFETY: the layout covers exactly the slice's bytes, which are
        // initialized (`T: NoUninit`), readable and unaliased by writers
        // for 'a (a shared borrow): invariants 1 and 4. Invariant 3 holds
        // for `T` should the view be typed as `T`.
        let raw = unsafe { RawBuffer::new(data.as_ptr().cast::<u8>().cast_mut(), layout, Format::of::<T>()) };
        BufferView::from_raw(raw)
    }

    /// A view of `data` with any layout, its base `offset` bytes into
    /// `data`, and any format (the format's own size need not equal the
    /// layout's itemsize, as in CPython).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::OutOfBounds`] if an item reaches outside `data`;
    /// [`ErrorKind::Indirect`] if the layout has suboffsets (pointer tables
    /// cannot be checked in a byte slice; see
    /// [`from_raw_parts`](BufferView::from_raw_parts)).
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::{BufferView, Format, Layout};
    ///
    /// // Every other big-endian u16, backwards.
    /// let bytes = [0, 1, 0xff, 0xff, 0, 2, 0xff, 0xff, 0, 3];
    /// let layout = Layout::new(&[3], &[-4], 2).unwrap();
    /// let v = BufferView::new(&bytes, layout, 8, Format::parse(">H").unwrap()).unwrap();
    /// assert_eq!(v.to_vec_native::<u16>(memoryview::Order::C).unwrap(), [3, 2, 1]);
    /// ```
    pub fn new(data: &'a [u8], layout: Layout, offset: usize, format: Format) -> Result<BufferView<'a>> {
        layout.check_bounds(offset, data.len())?;
        let base = data.as_ptr().wrapping_add(offset).cast_mut();
        // SAFETY: every item lies inside `data` (checked), which is
        // initialized, readable and not written for 'a: invariants 1, 4.
        Ok(BufferView::from_raw(unsafe { RawBuffer::new(base, layout, format) }))
    }

    /// A view of foreign memory: `ptr` is the base (`Py_buffer.buf`).
    ///
    /// Null is refused; nothing else about the memory can be checked.
    ///
    /// # Safety
    ///
    /// For the lifetime `'a`:
    /// - for every index tuple, the item address that `layout` gives from
    ///   `ptr` (adding strides; at dereferenced dimensions loading a
    ///   pointer, read unaligned, and adding the suboffset) must be valid
    ///   for reads of `itemsize` initialized bytes, and every pointer slot
    ///   loaded on the way must be valid for reads and hold such a pointer;
    /// - the items a direct layout reaches lie in one allocated object (as
    ///   the elements of any C array or Rust slice do), and so do the items
    ///   reached from each pointer an indirect layout loads last;
    /// - nothing may write to those items or pointer slots.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidLayout`] if `ptr` is null.
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::{BufferView, Format, Layout, Order};
    ///
    /// // Two rows of a PIL-style image, reached through a pointer table.
    /// let row0 = [1u8, 2, 3];
    /// let row1 = [4u8, 5, 6];
    /// let table = [row1.as_ptr(), row0.as_ptr()];
    /// let layout = Layout::with_suboffsets(&[2, 3], &[8, 1], &[0, -1], 1).unwrap();
    /// // SAFETY: the table and both rows outlive `v` and are not written.
    /// let v = unsafe { BufferView::from_raw_parts(table.as_ptr().cast(), layout, Format::bytes()) }.unwrap();
    /// assert_eq!(v.to_bytes(Order::C), [4, 5, 6, 1, 2, 3]);
    /// ```
    pub unsafe fn from_raw_parts(ptr: *const u8, layout: Layout, format: Format) -> Result<BufferView<'a>> {
        if ptr.is_null() {
            return Err(null_pointer());
        }
        // SAFETY: invariants 1 and 4 are the caller's contract.
        Ok(BufferView::from_raw(unsafe { RawBuffer::new(ptr.cast_mut(), layout, format) }))
    }

    /// A view of the memory a `Py_buffer` describes. Missing fields are
    /// filled in as CPython does: a null format is `"B"`, a null shape
    /// (with `ndim == 1`) is `[len / itemsize]`, null strides are C strides,
    /// null suboffsets mean a direct buffer. `readonly` is ignored (the view
    /// is read-only).
    ///
    /// # Safety
    ///
    /// `info.format` must be null or NUL-terminated; `info.shape`,
    /// `info.strides` and `info.suboffsets` must each be null or point to
    /// `ndim` values; and the memory must satisfy the contract of
    /// [`from_raw_parts`](BufferView::from_raw_parts).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidLayout`] for a null `buf`, a negative `ndim`,
    /// `len` or extent, a non-positive itemsize, or a null shape with
    /// `ndim > 1`; [`ErrorKind::TooManyDimensions`];
    /// [`ErrorKind::Overflow`]; [`ErrorKind::LengthMismatch`] if `len` is
    /// not `product(shape) * itemsize`; [`ErrorKind::InvalidFormat`] if the
    /// format is not UTF-8.
    pub unsafe fn from_buffer_info(info: &BufferInfo) -> Result<BufferView<'a>> {
        // SAFETY: the caller vouches for the arrays and string.
        let (ptr, layout, format) = unsafe { read_info(info) }?;
        // SAFETY: forwarded from the caller.
        unsafe { BufferView::from_raw_parts(ptr, layout, format) }
    }
}

impl<'a> BufferView<'a> {
    /// A view of memory that a [`RawBuffer`] already describes, for code
    /// that keeps the memory alive by other means (the Python bridge keeps
    /// a held `Py_buffer` or a Rust owner next to the description).
    ///
    /// # Safety
    ///
    /// Invariants 1 and 4 of [`RawBuffer`] must hold for `'a`: every item
    /// (and pointer slot) readable, nothing writing the items.
    #[cfg(feature = "python")]
    pub(crate) unsafe fn from_raw_buffer(raw: RawBuffer) -> BufferView<'a> {
        BufferView::from_raw(raw)
    }
}

impl<'a> BufferViewMut<'a> {
    /// A writable view of memory that a [`RawBuffer`] already describes
    /// (see [`BufferView::from_raw_buffer`]).
    ///
    /// # Safety
    ///
    /// Invariants 1 and 2 of [`RawBuffer`] must hold for `'a`: every item
    /// readable and writable, and accessed only through this view.
    #[cfg(feature = "python")]
    pub(crate) unsafe fn from_raw_buffer(raw: RawBuffer) -> BufferViewMut<'a> {
        // SAFETY: invariant 2 is the caller's contract.
        BufferViewMut::from_raw(unsafe { RawMut::new(raw) })
    }

    /// A 1-D writable view of a slice; the format is `T::FORMAT`.
    ///
    /// `T: Pod` because an untyped view can write any bytes.
    pub fn from_slice<T: Element + Pod>(data: &'a mut [T]) -> BufferViewMut<'a> {
        let layout = slice_layout::<T>(data.len());
        let ptr = data.as_mut_ptr().cast::<u8>();
        // SAFETY: the layout covers exactly the slice's bytes, which are
        // initialized, readable, writable with any bytes (`T: Pod`) and
        // exclusively ours for 'a.
        let raw = unsafe { RawMut::new(RawBuffer::new(ptr, layout, Format::of::<T>())) };
        BufferViewMut::from_raw(raw)
    }

    /// A writable view of `data` with any layout whose items do not
    /// overlap, its base `offset` bytes into `data`.
    ///
    /// # Errors
    ///
    /// As [`BufferView::new`], and [`ErrorKind::Aliased`] if two items
    /// would share bytes.
    pub fn new(data: &'a mut [u8], layout: Layout, offset: usize, format: Format) -> Result<BufferViewMut<'a>> {
        layout.check_bounds(offset, data.len())?;
        check_unaliased(&layout)?;
        let base = data.as_mut_ptr().wrapping_add(offset);
        // SAFETY: items inside `data` (checked), exclusively ours for 'a:
        // invariants 1 and 2.
        Ok(BufferViewMut::from_raw(unsafe { RawMut::new(RawBuffer::new(base, layout, format)) }))
    }

    /// A writable view of foreign memory.
    ///
    /// As in CPython, items may overlap (zero strides, strides smaller than
    /// the itemsize, pointers to the same row): writing one item then
    /// changes another, and a copy into such a view stores items one after
    /// another on one thread, so the last write to a byte wins.
    ///
    /// # Safety
    ///
    /// As [`BufferView::from_raw_parts`], and for `'a` the items must be
    /// valid for writes and must not be accessed except through this view.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidLayout`] if `ptr` is null.
    pub unsafe fn from_raw_parts(ptr: *mut u8, layout: Layout, format: Format) -> Result<BufferViewMut<'a>> {
        if ptr.is_null() {
            return Err(null_pointer());
        }
        // SAFETY: invariants 1 and 2 are the caller's contract.
        Ok(BufferViewMut::from_raw(unsafe { RawMut::new(RawBuffer::new(ptr, layout, format)) }))
    }

    /// A writable view of the memory a `Py_buffer` describes (see
    /// [`BufferView::from_buffer_info`]).
    ///
    /// # Safety
    ///
    /// As [`BufferView::from_buffer_info`] and
    /// [`BufferViewMut::from_raw_parts`].
    ///
    /// # Errors
    ///
    /// As [`BufferView::from_buffer_info`], and [`ErrorKind::ReadOnly`] if
    /// `info.readonly` is set.
    pub unsafe fn from_buffer_info(info: &BufferInfo) -> Result<BufferViewMut<'a>> {
        if info.readonly != 0 {
            return Err(Error::new(ErrorKind::ReadOnly, "the Py_buffer is read-only"));
        }
        // SAFETY: the caller vouches for the arrays and string.
        let (ptr, layout, format) = unsafe { read_info(info) }?;
        // SAFETY: forwarded from the caller.
        unsafe { BufferViewMut::from_raw_parts(ptr, layout, format) }
    }
}

impl<'a, T: Element> MemoryView<'a, T> {
    /// A 1-D view of a slice.
    pub fn from_slice(data: &'a [T]) -> MemoryView<'a, T> {
        MemoryView { buffer: BufferView::from_slice(data), _item: PhantomData }
    }

    /// A C-contiguous view of `data` with `shape`, whose product must be
    /// `data.len()`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::ShapeMismatch`] if the sizes differ;
    /// [`ErrorKind::TooManyDimensions`].
    // Always inlined: a binary that makes views in many places otherwise
    // gets one shared out-of-line copy, where a literal shape no longer
    // folds (measured: 244 instructions per call instead of about 90, and
    // an 8x8 view made per copy went from 0.5x to 1.0x ndarray's speed).
    #[inline(always)]
    pub fn from_shape(data: &'a [T], shape: &[usize]) -> Result<MemoryView<'a, T>> {
        let layout = shaped_layout::<T>(data.len(), shape)?;
        // SAFETY: a C-contiguous layout of exactly `data.len()` items of
        // size_of::<T>() bytes covers the slice's bytes and no others:
        // initialized, readable, unwritten for 'a (invariants 1, 4); the
        // items are the slice's `T`s (invariant 3).
        let raw = unsafe { RawBuffer::new(data.as_ptr().cast::<u8>().cast_mut(), layout, Format::of::<T>()) };
        Ok(MemoryView { buffer: BufferView::from_raw(raw), _item: PhantomData })
    }

    /// A view of `data` with any layout (strides in bytes, any sign), its
    /// base `offset` bytes into `data`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::IncompatibleFormat`] if `layout.itemsize()` is not
    /// `size_of::<T>()`; [`ErrorKind::OutOfBounds`];
    /// [`ErrorKind::Indirect`]; [`ErrorKind::InvalidValue`] (for types like
    /// `bool`) if an item that straddles two elements is not a valid `T`.
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::{Layout, MemoryView, Order};
    ///
    /// let data = [0u32, 1, 2, 3, 4, 5];
    /// // The last column of a 2x3 array, bottom to top: offset of item (1, 2).
    /// let layout = Layout::new(&[2], &[-12], 4).unwrap();
    /// let v = MemoryView::new(&data, layout, 20).unwrap();
    /// assert_eq!(v.to_vec(Order::C), [5, 2]);
    /// ```
    pub fn new(data: &'a [T], layout: Layout, offset: usize) -> Result<MemoryView<'a, T>> {
        let bytes: &'a [u8] = bytemuck::cast_slice(data);
        BufferView::new(bytes, layout, offset, Format::of::<T>())?.typed()
    }

    /// A typed view of foreign memory; the format is `T::FORMAT`.
    ///
    /// # Safety
    ///
    /// As [`BufferView::from_raw_parts`], with `layout.itemsize()` equal to
    /// `size_of::<T>()`. (Items that are not valid `T`s are refused, not
    /// read.)
    ///
    /// # Errors
    ///
    /// As [`BufferView::from_raw_parts`] and [`BufferView::typed`].
    pub unsafe fn from_raw_parts(ptr: *const u8, layout: Layout) -> Result<MemoryView<'a, T>> {
        // SAFETY: forwarded from the caller.
        unsafe { BufferView::from_raw_parts(ptr, layout, Format::of::<T>()) }?.typed()
    }
}

impl<'a, T: Element> MemoryViewMut<'a, T> {
    /// A 1-D writable view of a slice.
    pub fn from_slice(data: &'a mut [T]) -> MemoryViewMut<'a, T> {
        let layout = slice_layout::<T>(data.len());
        let ptr = data.as_mut_ptr().cast::<u8>();
        // SAFETY: the layout covers exactly the slice's bytes: initialized,
        // writable, exclusively ours for 'a; every item is
        // a `T` (invariant 3), and typed writes only store `T`s.
        let raw = unsafe { RawMut::new(RawBuffer::new(ptr, layout, Format::of::<T>())) };
        MemoryViewMut { buffer: BufferViewMut::from_raw(raw), _item: PhantomData }
    }

    /// A C-contiguous writable view of `data` with `shape`.
    ///
    /// # Errors
    ///
    /// As [`MemoryView::from_shape`].
    // Always inlined, as `MemoryView::from_shape`.
    #[inline(always)]
    pub fn from_shape(data: &'a mut [T], shape: &[usize]) -> Result<MemoryViewMut<'a, T>> {
        let layout = shaped_layout::<T>(data.len(), shape)?;
        let ptr = data.as_mut_ptr().cast::<u8>();
        // SAFETY: as in `MemoryView::from_shape`, and the slice is
        // exclusively ours for 'a (invariant 2).
        let raw = unsafe { RawMut::new(RawBuffer::new(ptr, layout, Format::of::<T>())) };
        Ok(MemoryViewMut { buffer: BufferViewMut::from_raw(raw), _item: PhantomData })
    }

    /// A writable view of `data` with any layout whose items do not
    /// overlap, its base `offset` bytes into `data`.
    ///
    /// # Errors
    ///
    /// As [`MemoryView::new`], [`ErrorKind::Aliased`] for overlapping
    /// items, and [`ErrorKind::Misaligned`] if `T` has invalid bit patterns
    /// (`bool`) and the offset or a stride is not a multiple of its size.
    pub fn new(data: &'a mut [T], layout: Layout, offset: usize) -> Result<MemoryViewMut<'a, T>> {
        if layout.itemsize() != size_of::<T>() {
            return Err(Error::new(
                ErrorKind::IncompatibleFormat,
                format!("layout itemsize {} is not the size of {}", layout.itemsize(), std::any::type_name::<T>()),
            ));
        }
        check_item_grid::<T>(&layout, offset)?;
        let len = size_of_val(data);
        layout.check_bounds(offset, len)?;
        check_unaliased(&layout)?;
        let base = data.as_mut_ptr().cast::<u8>().wrapping_add(offset);
        // SAFETY: items inside `data` (checked), exclusively ours; each item is a whole `T` of the slice or,
        // for types with every bit pattern valid, any bytes of it
        // (checked): invariants 1–3.
        let raw = unsafe { RawMut::new(RawBuffer::new(base, layout, Format::of::<T>())) };
        Ok(MemoryViewMut { buffer: BufferViewMut::from_raw(raw), _item: PhantomData })
    }

    /// A typed writable view of foreign memory; the format is `T::FORMAT`.
    ///
    /// # Safety
    ///
    /// As [`BufferViewMut::from_raw_parts`], with `layout.itemsize()` equal
    /// to `size_of::<T>()`.
    ///
    /// # Errors
    ///
    /// As [`BufferViewMut::from_raw_parts`] and
    /// [`BufferViewMut::into_typed`].
    pub unsafe fn from_raw_parts(ptr: *mut u8, layout: Layout) -> Result<MemoryViewMut<'a, T>> {
        // SAFETY: forwarded from the caller.
        unsafe { BufferViewMut::from_raw_parts(ptr, layout, Format::of::<T>()) }?.into_typed()
    }
}

impl<'a> BufferView<'a> {
    /// This view typed as `T`s.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::IncompatibleFormat`] unless the format describes `T` in
    /// native byte order (see [`Element`]) and the itemsize is
    /// `size_of::<T>()`; [`ErrorKind::InvalidValue`] if an item is not a
    /// valid `T` (a `bool` byte other than 0 or 1; only types with invalid
    /// bit patterns are scanned).
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::{BufferView, ErrorKind, Format, Layout, Order};
    ///
    /// let bytes = [1u8, 0, 2];
    /// let layout = Layout::contiguous(&[3], 1, Order::C).unwrap();
    /// let v = BufferView::new(&bytes, layout, 0, Format::parse("?").unwrap()).unwrap();
    /// assert_eq!(v.typed::<bool>().unwrap_err().kind(), ErrorKind::InvalidValue);
    /// assert_eq!(v.slice_axis(0, ..2).unwrap().typed::<bool>().unwrap().to_vec(Order::C), [true, false]);
    /// ```
    pub fn typed<T: Element>(&self) -> Result<MemoryView<'a, T>> {
        typed::check::<T>(self.raw(), typed::Access::Read)?;
        Ok(MemoryView { buffer: self.clone(), _item: PhantomData })
    }
}

impl<'a> BufferViewMut<'a> {
    /// This view typed as `T`s (see [`BufferView::typed`]).
    ///
    /// # Errors
    ///
    /// As [`BufferView::typed`], and [`ErrorKind::Aliased`] if `T` has
    /// invalid bit patterns (`bool`, a record holding one) and some items
    /// overlap partly: a write to one item could then make another an
    /// invalid `T`. Items that coincide exactly (zero strides) are fine.
    pub fn into_typed<T: Element>(self) -> Result<MemoryViewMut<'a, T>> {
        typed::check::<T>(self.raw(), typed::Access::Write)?;
        Ok(MemoryViewMut { buffer: self, _item: PhantomData })
    }
}

/// Conversions from ndarray's views, for [`crate::ndarray`]: the element
/// strides of an ndarray view become byte strides, and its invariants
/// give the view's.
#[cfg(feature = "ndarray")]
mod from_ndarray {
    use super::{BufferView, BufferViewMut, MemoryView, MemoryViewMut};
    use crate::error::Result;
    use crate::format::{Element, Format};
    use crate::layout::Layout;
    use crate::raw::{RawBuffer, RawMut};
    use ndarray::{ArrayView, ArrayViewMut, Dimension};
    use std::marker::PhantomData;

    /// The layout of an ndarray view of `shape` and element `strides`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::TooManyDimensions`](crate::ErrorKind::TooManyDimensions)
    /// above 64 dimensions; [`ErrorKind::Overflow`](crate::ErrorKind::Overflow)
    /// where the items take more than `isize::MAX` bytes (a broadcast view
    /// can describe that many).
    fn layout_of<T>(shape: &[usize], strides: &[isize]) -> Result<Layout> {
        let size = size_of::<T>().cast_signed();
        let mut bytes = crate::layout::dims::DimVec::filled(0_isize, strides.len());
        for (slot, &stride) in bytes.iter_mut().zip(strides) {
            // Saturating: ndarray keeps the byte offsets of a view's
            // elements within isize, so only strides that reach no second
            // element (extents 0 and 1) can saturate, and those are never
            // used; `Layout::new` checks the rest.
            *slot = stride.saturating_mul(size);
        }
        Layout::new(shape, &bytes, size_of::<T>())
    }

    impl<'a, T: Element> MemoryView<'a, T> {
        /// The elements of an ndarray view (see `crate::ndarray`).
        pub(crate) fn from_ndarray<D: Dimension>(array: ArrayView<'a, T, D>) -> Result<MemoryView<'a, T>> {
            let layout = layout_of::<T>(array.shape(), array.strides())?;
            let base = array.as_ptr().cast::<u8>().cast_mut();
            // SAFETY: ndarray's invariants for an `ArrayView<'a, T>`: every
            // element reached from `as_ptr()` by its shape and element
            // strides is a valid `T`, in one allocation, readable and not
            // written for 'a. The layout is those strides in bytes, so its
            // items are exactly those elements: invariants 1, 3 and 4.
            let raw = unsafe { RawBuffer::new(base, layout, Format::of::<T>()) };
            Ok(MemoryView { buffer: BufferView::from_raw(raw), _item: PhantomData })
        }
    }

    impl<'a, T: Element> MemoryViewMut<'a, T> {
        /// The elements of a mutable ndarray view (see `crate::ndarray`).
        pub(crate) fn from_ndarray_mut<D: Dimension>(
            mut array: ArrayViewMut<'a, T, D>,
        ) -> Result<MemoryViewMut<'a, T>> {
            let layout = layout_of::<T>(array.shape(), array.strides())?;
            let base = array.as_mut_ptr().cast::<u8>();
            // SAFETY: as in `MemoryView::from_ndarray`, and an
            // `ArrayViewMut<'a, T>` borrows its elements exclusively for
            // 'a (it is consumed here, so only the new view reaches
            // them): invariant 2. Typed writes store valid `T`s.
            let raw = unsafe { RawMut::new(RawBuffer::new(base, layout, Format::of::<T>())) };
            Ok(MemoryViewMut { buffer: BufferViewMut::from_raw(raw), _item: PhantomData })
        }
    }
}
