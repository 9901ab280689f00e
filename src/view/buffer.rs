//! The untyped API: transforms, item access by format, copies and casts
//! for [`BufferView`] and [`BufferViewMut`].
#![forbid(unsafe_code)]

use super::{BufferView, BufferViewMut};
use crate::cast;
use crate::copy::{self, Overlap};
use crate::error::{Error, ErrorKind, Result};
use crate::format::element::{Match, match_element};
use crate::format::{Element, Value};
use crate::index::{IndexInt, ItemIndex};
use crate::layout::dims::DimVec;
use crate::layout::ops::resolve_index;
use crate::layout::{Layout, Order};
use crate::raw::walk::Visit;
use crate::slice::Slice;
use std::ops::ControlFlow;

/// Resolves Python-style indices (negative ones count from the end) to
/// positions.
#[inline]
pub(super) fn resolve(layout: &Layout, index: impl ItemIndex) -> Result<DimVec<usize>> {
    let count = index.count();
    if count != layout.ndim() {
        return Err(index_count(layout.ndim(), count));
    }
    let mut out = DimVec::filled(0, count);
    for (axis, &extent) in layout.shape().iter().enumerate() {
        // resolve_index returns a value in 0..extent.
        out[axis] = resolve_index(index.entry(axis), extent, axis)?.unsigned_abs();
    }
    Ok(out)
}

/// The error for an index tuple of the wrong length.
#[cold]
pub(crate) fn index_count(ndim: usize, count: usize) -> Error {
    Error::new(ErrorKind::IndexCount, format!("cannot index a {ndim}-dimensional view with {count} indices"))
}

impl<'a> BufferView<'a> {
    /// Always `true`: a shared view never writes.
    pub fn readonly(&self) -> bool {
        true
    }

    /// Slices the first `slices.len()` dimensions with Python semantics
    /// (`a[s0, s1, …]`); the rest are kept whole. No data is touched.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidSlice`] for a zero step or more slices than
    /// dimensions.
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::{BufferView, Order, Slice};
    ///
    /// let v = BufferView::from_slice(&[0u8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]).reshape(&[3, 4]).unwrap();
    /// let s = v.slice(&[Slice::from(..).step(-1), Slice::from(..).step(2)]).unwrap();
    /// assert_eq!(s.to_bytes(Order::C), [8, 10, 4, 6, 0, 2]);
    /// ```
    pub fn slice(&self, slices: &[Slice]) -> Result<BufferView<'a>> {
        self.raw().try_rebased(self.layout().slice(slices)).map(BufferView::from_raw)
    }

    /// Slices one dimension.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidAxis`] if `axis >= ndim`; [`ErrorKind::InvalidSlice`]
    /// for a zero step.
    pub fn slice_axis(&self, axis: usize, slice: impl Into<Slice>) -> Result<BufferView<'a>> {
        self.raw().try_rebased(self.layout().slice_axis(axis, slice.into())).map(BufferView::from_raw)
    }

    /// The sub-view with dimension `axis` fixed at `index` (negative counts
    /// from the end); it has one dimension less.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidAxis`], [`ErrorKind::IndexOutOfBounds`], or
    /// [`ErrorKind::Unsupported`] when `axis` is dereferenced after other
    /// dimensions (see [`Layout`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::{BufferView, Order};
    ///
    /// let v = BufferView::from_slice(&[0u8, 1, 2, 3, 4, 5]).reshape(&[2, 3]).unwrap();
    /// assert_eq!(v.index_axis(1, -1).unwrap().to_bytes(Order::C), [2, 5]);
    /// ```
    pub fn index_axis(&self, axis: usize, index: impl IndexInt) -> Result<BufferView<'a>> {
        let (layout, shift) = self.layout().index_axis(axis, index.to_isize_saturating())?;
        Ok(BufferView::from_raw(self.raw().rebased(layout, shift)))
    }

    /// The transpose: dimensions in reverse order (NumPy's `.T`).
    #[inline]
    pub fn t(&self) -> BufferView<'a> {
        BufferView::from_raw(self.raw().rebased(self.layout().reversed_axes(), Default::default()))
    }

    /// The transpose, spelled out: the same as [`t`](BufferView::t)
    /// (NumPy's `a.transpose()` without arguments). For another order of
    /// the axes, see [`permute_axes`](BufferView::permute_axes).
    pub fn transpose(&self) -> BufferView<'a> {
        self.t()
    }

    /// The dimensions reordered: dimension `i` of the result is dimension
    /// `axes[i]` of `self` (NumPy's `a.transpose(axes)`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidAxis`] unless `axes` is a permutation of
    /// `0..ndim`.
    pub fn permute_axes(&self, axes: &[usize]) -> Result<BufferView<'a>> {
        let layout = self.layout().permute_axes(axes)?;
        Ok(BufferView::from_raw(self.raw().rebased(layout, Default::default())))
    }

    /// Dimensions `a` and `b` exchanged.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidAxis`] if either does not exist.
    pub fn swap_axes(&self, a: usize, b: usize) -> Result<BufferView<'a>> {
        let layout = self.layout().swap_axes(a, b)?;
        Ok(BufferView::from_raw(self.raw().rebased(layout, Default::default())))
    }

    /// The address of the item at `index` (`PyBuffer_GetPointer`, with
    /// Python's negative indices): strides are applied and suboffsets
    /// followed.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::IndexCount`] or [`ErrorKind::IndexOutOfBounds`].
    pub fn item_ptr(&self, index: impl ItemIndex) -> Result<*const u8> {
        let position = resolve(self.layout(), index)?;
        Ok(self.raw().item_ptr(&position).cast_const())
    }

    /// The bytes of the item at `index`.
    ///
    /// # Errors
    ///
    /// As [`item_ptr`](BufferView::item_ptr).
    pub fn item_bytes(&self, index: impl ItemIndex) -> Result<&[u8]> {
        let position = resolve(self.layout(), index)?;
        Ok(self.raw().item_bytes(&position))
    }

    /// The item at `index`, decoded with the format (like
    /// `struct.unpack`, see [`Format::decode`](crate::Format::decode)).
    ///
    /// # Errors
    ///
    /// As [`item_ptr`](BufferView::item_ptr), and the format's decoding
    /// errors.
    pub fn get(&self, index: impl ItemIndex) -> Result<Value> {
        self.format().decode(self.item_bytes(index)?)
    }

    /// All items decoded, as nested [`Value::List`]s with one level per
    /// dimension (a bare value for a 0-dimensional view): `tolist()`.
    ///
    /// Unlike CPython 3.11, every format the parser accepts is decoded
    /// (`'e'`, `'<i'`, `'2h'`, records); an empty view gives empty lists
    /// without looking at the format.
    ///
    /// # Errors
    ///
    /// The format's decoding errors; [`ErrorKind::OutOfMemory`] if the values
    /// cannot be allocated (a broadcast view of 2^40 items, say).
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::{BufferView, Value};
    ///
    /// let v = BufferView::from_slice(&[1i8, -2, 3, -4]).reshape(&[2, 2]).unwrap();
    /// let row = |a, b| Value::List(vec![Value::Int(a), Value::Int(b)]);
    /// assert_eq!(v.to_list().unwrap(), Value::List(vec![row(1, -2), row(3, -4)]));
    /// ```
    pub fn to_list(&self) -> Result<Value> {
        let mut flat = copy::try_with_capacity(self.len())?;
        let mut failure = None;
        self.raw().for_each_item(Visit::COrder, |bytes| match self.format().decode(bytes) {
            Ok(value) => {
                flat.push(value);
                ControlFlow::Continue(())
            }
            Err(err) => {
                failure = Some(err);
                ControlFlow::Break(())
            }
        });
        if let Some(err) = failure {
            return Err(err);
        }
        let mut items = flat.into_iter();
        Ok(crate::format::value::nest(&mut items, self.shape()))
    }

    /// The items packed into a new byte vector in `order`:
    /// `memoryview.tobytes(order)` and `PyBuffer_ToContiguous`.
    /// [`Order::A`] keeps the stored order of a C- or Fortran-contiguous
    /// view and means C otherwise.
    ///
    /// # Panics
    ///
    /// If the result cannot be allocated, as `Vec::with_capacity` would
    /// (a broadcast view can describe far more bytes than memory holds);
    /// [`try_to_bytes`](BufferView::try_to_bytes) returns an error instead.
    pub fn to_bytes(&self, order: Order) -> Vec<u8> {
        self.try_to_bytes(order).unwrap_or_else(|err| panic!("{err}"))
    }

    /// [`to_bytes`](BufferView::to_bytes), with an error where the result
    /// cannot be allocated.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::OutOfMemory`] if the bytes cannot be allocated.
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::{BufferView, ErrorKind, Format, Layout, Order};
    ///
    /// // One byte seen 2^60 times (a zero stride): nothing can hold a copy.
    /// let layout = Layout::new(&[1 << 30, 1 << 30], &[0, 0], 1).unwrap();
    /// let v = BufferView::new(&[7], layout, 0, Format::bytes()).unwrap();
    /// assert_eq!(v.try_to_bytes(Order::C).unwrap_err().kind(), ErrorKind::OutOfMemory);
    /// ```
    pub fn try_to_bytes(&self, order: Order) -> Result<Vec<u8>> {
        copy::to_bytes(self.raw(), order)
    }

    /// The items packed into `dst` in `order` (see
    /// [`to_bytes`](BufferView::to_bytes)).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::LengthMismatch`] unless `dst.len() == nbytes()`.
    #[inline]
    pub fn copy_to_bytes(&self, dst: &mut [u8], order: Order) -> Result<()> {
        copy::copy_to_bytes(self.raw(), dst, order)
    }

    /// The items as native `T`s in `order`, converting byte-swapped formats
    /// (such as `">d"` on a little-endian machine) explicitly.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::IncompatibleFormat`] unless the format describes `T`
    /// in some byte order; [`ErrorKind::InvalidValue`] for invalid `bool`
    /// bytes.
    pub fn to_vec_native<T: Element>(&self, order: Order) -> Result<Vec<T>> {
        let swap = match_element::<T>(self.format(), self.itemsize())? == Match::Swapped;
        let mut bytes = self.to_bytes(order);
        let size = size_of::<T>();
        if swap {
            bytes.chunks_exact_mut(size).for_each(<[u8]>::reverse);
        }
        bytes
            .chunks_exact(size)
            .map(|item| {
                bytemuck::checked::try_pod_read_unaligned::<T>(item).map_err(|_| {
                    Error::new(
                        ErrorKind::InvalidValue,
                        format!("an item holds bytes that are not a valid {}", std::any::type_name::<T>()),
                    )
                })
            })
            .collect()
    }

    /// The same bytes under another format, as `memoryview.cast(format,
    /// shape)`: a C-contiguous view becomes 1-D (or `shape`, for a 1-D
    /// source) of items of `format`.
    ///
    /// # Errors
    ///
    /// CPython's refusals: [`ErrorKind::NotContiguous`] (not
    /// C-contiguous, or indirect), [`ErrorKind::IncompatibleFormat`]
    /// (target not `[@]` + one of `cbBhHiIlLqQnNfd?P`, or neither side a
    /// byte format), [`ErrorKind::ShapeMismatch`] (sizes, zeros in the
    /// shape, N-D to N-D), [`ErrorKind::InvalidLayout`],
    /// [`ErrorKind::TooManyDimensions`].
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::{BufferView, Value};
    ///
    /// let bytes = 258u16.to_ne_bytes();
    /// let v = BufferView::from_slice(&bytes).cast("H", None).unwrap();
    /// assert_eq!(v.get(&[0]).unwrap(), Value::Int(258));
    /// ```
    pub fn cast(&self, format: &str, shape: Option<&[usize]>) -> Result<BufferView<'a>> {
        let (layout, format) = cast::cast(self.layout(), self.format(), format, shape)?;
        self.raw().recast(layout, format).map(BufferView::from_raw)
    }

    /// The same items in a new shape with as many items (C order); the
    /// view must be C-contiguous.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotContiguous`], [`ErrorKind::ShapeMismatch`],
    /// [`ErrorKind::TooManyDimensions`].
    pub fn reshape(&self, shape: &[usize]) -> Result<BufferView<'a>> {
        let layout = cast::reshape(self.layout(), shape)?;
        self.raw().recast(layout, self.format().clone()).map(BufferView::from_raw)
    }
}

impl<'a> BufferViewMut<'a> {
    /// Always `false`: this view may write.
    pub fn readonly(&self) -> bool {
        false
    }

    /// A read-only view of the same items for the duration of the borrow.
    pub fn view(&self) -> BufferView<'_> {
        BufferView::from_raw(self.raw().clone())
    }

    /// A shorter-lived mutable view of the same items (like `&mut *v`).
    pub fn reborrow(&mut self) -> BufferViewMut<'_> {
        BufferViewMut::from_raw(self.raw.reborrow())
    }

    /// Gives up write access for the rest of the lifetime.
    pub fn into_view(self) -> BufferView<'a> {
        BufferView::from_raw(self.raw().clone())
    }

    /// Slices with Python semantics (see [`BufferView::slice`]).
    ///
    /// # Errors
    ///
    /// As [`BufferView::slice`].
    pub fn slice(self, slices: &[Slice]) -> Result<BufferViewMut<'a>> {
        self.raw.try_rebased(self.layout().slice(slices)).map(BufferViewMut::from_raw)
    }

    /// Slices one dimension (see [`BufferView::slice_axis`]).
    ///
    /// # Errors
    ///
    /// As [`BufferView::slice_axis`].
    pub fn slice_axis(self, axis: usize, slice: impl Into<Slice>) -> Result<BufferViewMut<'a>> {
        self.raw.try_rebased(self.layout().slice_axis(axis, slice.into())).map(BufferViewMut::from_raw)
    }

    /// Fixes one dimension (see [`BufferView::index_axis`]).
    ///
    /// # Errors
    ///
    /// As [`BufferView::index_axis`].
    pub fn index_axis(self, axis: usize, index: impl IndexInt) -> Result<BufferViewMut<'a>> {
        let (layout, shift) = self.layout().index_axis(axis, index.to_isize_saturating())?;
        Ok(BufferViewMut::from_raw(self.raw.rebased(layout, shift)))
    }

    /// The transpose (see [`BufferView::t`]).
    pub fn t(self) -> BufferViewMut<'a> {
        let layout = self.layout().reversed_axes();
        BufferViewMut::from_raw(self.raw.rebased(layout, Default::default()))
    }

    /// The transpose (see [`BufferView::transpose`]).
    pub fn transpose(self) -> BufferViewMut<'a> {
        self.t()
    }

    /// Reorders the dimensions (see [`BufferView::permute_axes`]).
    ///
    /// # Errors
    ///
    /// As [`BufferView::permute_axes`].
    pub fn permute_axes(self, axes: &[usize]) -> Result<BufferViewMut<'a>> {
        let layout = self.layout().permute_axes(axes)?;
        Ok(BufferViewMut::from_raw(self.raw.rebased(layout, Default::default())))
    }

    /// Exchanges two dimensions.
    ///
    /// # Errors
    ///
    /// As [`BufferView::swap_axes`].
    pub fn swap_axes(self, a: usize, b: usize) -> Result<BufferViewMut<'a>> {
        let layout = self.layout().swap_axes(a, b)?;
        Ok(BufferViewMut::from_raw(self.raw.rebased(layout, Default::default())))
    }

    /// Overwrites the item at `index` with `bytes` (exactly `itemsize`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::IndexCount`], [`ErrorKind::IndexOutOfBounds`],
    /// [`ErrorKind::LengthMismatch`].
    pub fn set_item_bytes(&mut self, index: impl ItemIndex, bytes: &[u8]) -> Result<()> {
        if bytes.len() != self.itemsize() {
            return Err(Error::new(
                ErrorKind::LengthMismatch,
                format!("an item is {} bytes, got {}", self.itemsize(), bytes.len()),
            ));
        }
        let position = resolve(self.layout(), index)?;
        self.raw.write_item_bytes(&position, bytes);
        Ok(())
    }

    /// Fills the view from bytes packed in `order`
    /// (`PyBuffer_FromContiguous`; [`Order::A`] means the view's stored
    /// order if it is contiguous, C otherwise).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::LengthMismatch`] unless `src.len() == nbytes()`
    /// (CPython copies a prefix; a silent partial copy is refused here).
    pub fn copy_from_bytes(&mut self, src: &[u8], order: Order) -> Result<()> {
        copy::copy_from_bytes(&mut self.raw, src, order)
    }

    /// Copies `src`'s items into this view, index by index (memoryview's
    /// slice assignment). Overlapping memory is handled as if through a
    /// temporary.
    ///
    /// # Errors
    ///
    /// CPython's structure rule: [`ErrorKind::IncompatibleFormat`] if the
    /// format strings differ (after removing one leading `'@'`),
    /// [`ErrorKind::ShapeMismatch`] if the itemsizes or shapes differ.
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::{BufferView, BufferViewMut, Slice};
    ///
    /// let src = [1u8, 2, 3];
    /// let mut dst = [0u8; 3];
    /// let reversed = BufferView::from_slice(&src).slice(&[Slice::from(..).step(-1)]).unwrap();
    /// BufferViewMut::from_slice(&mut dst).assign(&reversed).unwrap();
    /// assert_eq!(dst, [3, 2, 1]);
    /// ```
    pub fn assign(&mut self, src: &BufferView<'_>) -> Result<()> {
        check_assignable(self.layout(), self.format(), src)?;
        copy::assign(&mut self.raw, src.raw(), Overlap::ByContract)
    }

    /// Copies the items of the sub-view `src` into the sub-view `dst`, both
    /// given as slices of this view (like `m[dst] = m[src]` in Python);
    /// overlap is handled (memmove semantics).
    ///
    /// # Errors
    ///
    /// The slicing errors, and [`ErrorKind::ShapeMismatch`] if the two
    /// sub-views have different shapes.
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::{BufferViewMut, Slice};
    ///
    /// let mut data = *b"abcdef";
    /// BufferViewMut::from_slice(&mut data).copy_within(&[Slice::from(1..5)], &[Slice::from(0..4)]).unwrap();
    /// assert_eq!(&data, b"aabcdf");
    /// ```
    pub fn copy_within(&mut self, dst: &[Slice], src: &[Slice]) -> Result<()> {
        let source = self.raw().try_rebased(self.layout().slice(src))?;
        let mut target = self.raw.try_rebased(self.layout().slice(dst))?;
        copy::assign(&mut target, &source, Overlap::Possible)
    }

    /// The same bytes under another format (see [`BufferView::cast`]).
    ///
    /// # Errors
    ///
    /// As [`BufferView::cast`].
    pub fn cast(self, format: &str, shape: Option<&[usize]>) -> Result<BufferViewMut<'a>> {
        let (layout, format) = cast::cast(self.layout(), self.format(), format, shape)?;
        self.raw.recast(layout, format).map(BufferViewMut::from_raw)
    }

    /// A new shape with as many items (see [`BufferView::reshape`]).
    ///
    /// # Errors
    ///
    /// As [`BufferView::reshape`].
    pub fn reshape(self, shape: &[usize]) -> Result<BufferViewMut<'a>> {
        let layout = cast::reshape(self.layout(), shape)?;
        self.raw.recast(layout, self.format().clone()).map(BufferViewMut::from_raw)
    }
}

/// CPython's slice-assignment structure check (rule 32), shapes compared in
/// full.
pub(super) fn check_assignable(layout: &Layout, format: &crate::Format, src: &BufferView<'_>) -> Result<()> {
    if format.without_native_prefix() != src.format().without_native_prefix() {
        return Err(Error::new(
            ErrorKind::IncompatibleFormat,
            format!(
                "memoryview assignment: lvalue and rvalue have different structures \
                 (formats '{}' and '{}')",
                format.as_str(),
                src.format().as_str()
            ),
        ));
    }
    if layout.itemsize() != src.itemsize() || layout.shape() != src.shape() {
        return Err(Error::new(
            ErrorKind::ShapeMismatch,
            format!(
                "memoryview assignment: lvalue and rvalue have different structures \
                 (shapes {:?} and {:?}, itemsizes {} and {})",
                layout.shape(),
                src.shape(),
                layout.itemsize(),
                src.itemsize()
            ),
        ));
    }
    Ok(())
}
