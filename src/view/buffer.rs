//! The untyped API: transforms, item access by format, copies and casts
//! for [`BufferView`] and [`BufferViewMut`].
#![forbid(unsafe_code)]

use super::{BufferView, BufferViewMut};
use crate::cast;
use crate::convert;
use crate::copy::{self, Overlap};
use crate::error::{Error, ErrorKind, Result};
use crate::format::element::swaps_to_native;
use crate::format::{Element, Format, Value};
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
    /// # if cfg!(miri) { return; } // Miri stops at an allocation it cannot make
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
        let swaps = swaps_to_native::<T>(self.format(), self.itemsize())?;
        let mut bytes = self.try_to_bytes(order)?;
        let size = size_of::<T>();
        if !swaps.is_empty() {
            for item in bytes.chunks_exact_mut(size) {
                for swap in &swaps {
                    // Offsets lie inside the item: they come from a format
                    // of itemsize `size`.
                    let stretch = &mut item[swap.offset..swap.offset + swap.size * swap.count];
                    stretch.chunks_exact_mut(swap.size).for_each(<[u8]>::reverse);
                }
            }
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

    /// The items decoded and converted to the number type `U`, in `order`:
    /// a conversion while copying, for formats known only at run time.
    ///
    /// Each item must be one real number: a bool, an integer of 1, 2, 4 or
    /// 8 bytes or a float of 2, 4, 8 or 16 bytes (`e`, `f`, `d`, `g`), in
    /// either byte order (`"<h"`, `">d"`, `"T{e:x:}"` all qualify). Each
    /// value is converted with `num_traits`' checked `NumCast`, as
    /// [`MemoryView::to_vec_as`](crate::MemoryView::to_vec_as) does:
    /// integers must fit, floats convert to integers by truncation toward
    /// zero and must fit (NaN never does), integers convert to floats with
    /// rounding, and a finite value must not become infinite. `?` items
    /// are 0 or 1 (any nonzero byte is true, as `struct.unpack` reads it);
    /// `g` (x87 extended precision) is rounded to `f64` first.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::IncompatibleFormat`] for other formats (complex
    /// numbers, records of several fields, characters) or an itemsize
    /// other than the format's; [`ErrorKind::InvalidFormat`] if the
    /// format does not parse; [`ErrorKind::InvalidValue`] naming the index
    /// (in `order`) and value of the first item that does not fit `U`;
    /// [`ErrorKind::OutOfMemory`] if the result cannot be allocated.
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::{BufferView, ErrorKind, Format, Layout, Order};
    ///
    /// // Big-endian u16 from a file: 1, 300, 65535.
    /// let bytes = [0, 1, 1, 44, 255, 255];
    /// let layout = Layout::contiguous(&[3], 2, Order::C)?;
    /// let v = BufferView::new(&bytes, layout, 0, Format::parse(">H")?)?;
    /// assert_eq!(v.to_vec_as::<f64>(Order::C)?, [1.0, 300.0, 65535.0]);
    /// assert_eq!(v.to_vec_as::<i32>(Order::C)?, [1, 300, 65535]);
    /// let err = v.to_vec_as::<u8>(Order::C).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidValue);
    /// assert_eq!(err.to_string(), "item 1 (300) does not fit in u8");
    /// # Ok::<(), memoryview::Error>(())
    /// ```
    pub fn to_vec_as<U: num_traits::NumCast>(&self, order: Order) -> Result<Vec<U>> {
        if self.format().error().is_none() && self.format().itemsize() != self.itemsize() {
            return Err(Error::new(
                ErrorKind::IncompatibleFormat,
                format!(
                    "items are {} bytes but format '{}' describes {}",
                    self.itemsize(),
                    self.format().as_str(),
                    self.format().itemsize()
                ),
            ));
        }
        let packed = self.try_to_bytes(order)?;
        convert::decode_as(self.format(), &packed)
    }

    /// A view of one field of every item: the bytes `offset..offset +
    /// format.itemsize()` of each item, as items of `format`, with the same
    /// shape and strides (a column of a table of records, without a copy).
    ///
    /// The field must be what the view's format says lies there: the
    /// view's format, cut to those bytes, must be
    /// [equivalent](crate::Format::equivalent) to `format`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::IncompatibleFormat`] if the view's format holds
    /// something else at those bytes (or does not parse);
    /// [`ErrorKind::OutOfBounds`] if the field does not lie inside an item;
    /// [`ErrorKind::Indirect`] for views with suboffsets.
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::{BufferView, Format, Layout, Order, Value};
    ///
    /// // Two records { uint32 id; (4 bytes of padding) double x; }.
    /// let mut bytes = Vec::new();
    /// for (id, x) in [(7u32, 1.5f64), (8, 2.5)] {
    ///     bytes.extend(id.to_ne_bytes());
    ///     bytes.extend([0; 4]);
    ///     bytes.extend(x.to_ne_bytes());
    /// }
    /// let layout = Layout::contiguous(&[2], 16, Order::C)?;
    /// let records = BufferView::new(&bytes, layout, 0, Format::parse("T{I:id:4xd:x:}")?)?;
    /// let x = records.field(8, Format::parse("d")?)?;
    /// assert_eq!((x.strides(), x.itemsize()), (&[16][..], 8));
    /// assert_eq!(x.get(&[1])?, Value::Float(2.5));
    /// assert!(records.field(8, Format::parse("q")?).is_err());
    /// # Ok::<(), memoryview::Error>(())
    /// ```
    pub fn field(&self, offset: usize, format: Format) -> Result<BufferView<'a>> {
        if !self.format().window_equivalent(offset, &format) {
            return Err(Error::new(
                ErrorKind::IncompatibleFormat,
                format!(
                    "bytes {offset}..{} of items of format '{}' do not hold '{}'",
                    offset.saturating_add(format.itemsize()),
                    self.format().as_str(),
                    format.as_str()
                ),
            ));
        }
        self.raw().field(offset, format).map(BufferView::from_raw)
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
pub(super) fn check_assignable(layout: &Layout, format: &Format, src: &BufferView<'_>) -> Result<()> {
    if !format.same_structure(src.format()) {
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
    if !layout.same_structure(src.layout()) {
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
