//! [`View`]: the Python object of the bridge, `mview.View`.
//!
//! For Python it is memoryview made better: it wraps any buffer or DLPack
//! object without copying, slices in every dimension, transposes, casts,
//! copies out (`tobytes`, `tolist`), and re-exports itself through the
//! buffer protocol and DLPack, so NumPy reads it in place. For Rust it is
//! how owned memory (a `Vec<T>`, a boxed or `Arc`'d slice) is handed to
//! Python without `unsafe`, and taken back when Python is done with it.

use super::borrows::Mode;
use super::convert::{self, Selector};
use super::dlpack;
use super::memory::{Access, Asker, Copied, Owner, Shared};
use super::protocol;
use crate::error::{Error, ErrorKind, Result};
use crate::format::Format;
use crate::layout::{Layout, Order};
use crate::raw::RawBuffer;
use crate::slice::Slice;
use crate::view::{BufferView, BufferViewMut};
use core::ffi::c_int;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pyclass::CompareOp;
use pyo3::types::{PyBytes, PyEllipsis, PyTuple};
use pyo3::{IntoPyObjectExt, ffi};
use std::sync::Arc;

// Two docs: rustdoc shows the Rust one (`cfg(doc)`, with its doctest),
// Python's help() the other (PyO3 takes the doc of the build).
#[cfg_attr(
    doc,
    doc = r#"A view of memory, shared with Python: `mview.View`.

Make one from Rust-owned memory with [`View::new`] (Python may write it
if the owner allows, see [`Owner`]) or [`View::new_readonly`], shape it
with [`reshape`](View::reshape), [`slice`](View::slice),
[`t`](View::t) and the other transforms (each gives a new `View` of the
same memory), and return it to Python: `memoryview(v)`,
`numpy.asarray(v)`, `numpy.from_dlpack(v)`, `bytes(v)` and every other
buffer consumer read it in place. While Python holds an export of it,
the owner cannot be changed from Rust: [`write`](View::write) and
[`take`](View::take) fail with [`ErrorKind::Borrowed`] until the
exports are released.

From Python, `mview.view(obj)` wraps any object with the buffer
protocol or `__dlpack__`.

# Examples

```
use memoryview::python::View;
use pyo3::prelude::*;

Python::initialize();
Python::attach(|py| -> PyResult<()> {
    let rows = View::new((0..6).map(f64::from).collect::<Vec<_>>()).reshape(&[2, 3])?;
    let columns = Bound::new(py, rows.t())?;
    let locals = pyo3::types::PyDict::new(py);
    locals.set_item("v", &columns)?;
    let listed = py.eval(c"memoryview(v).tolist()", None, Some(&locals))?;
    assert_eq!(listed.extract::<Vec<Vec<f64>>>()?, [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]);
    drop((listed, locals));
    // Python is done with it: the vector comes back.
    assert_eq!(columns.get().take::<Vec<f64>>()?, [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
    Ok(())
})
.unwrap();
```
"#
)]
#[cfg_attr(
    not(doc),
    doc = r#"A view of memory shared with Python: memoryview, made better.

View(obj), or mview.view(obj), wraps any object with the buffer protocol
or __dlpack__ without copying. The view is writable if the exporter
allows it, and holds the exporter's buffer until the last View of that
memory (and every export of it) is gone.

Selections never copy, and each is a new View of the same memory:
  v[1:, ::-2]         slicing in every dimension, any step
  v[i, ..., j]        indexing and '...'; an index on every dimension
                      gives the item's value (v[i, j, ...] a 0-d view)
  v.T, v.transpose(axes), v.cast(format, shape)

Copies: tobytes(order), tolist(), copy(order) (a View of fresh memory,
through the tiled transposes of the copy engine).
Writes: v[key] = buffer (broadcast, as numpy.copyto), v[i, j] = value
(packed as struct.pack packs it).
Exports: memoryview(v), numpy.asarray(v), bytes(v) and every buffer
consumer read the memory in place; numpy.from_dlpack(v) too, through
DLPack.

The attributes are memoryview's: shape, strides, suboffsets, format,
itemsize, ndim, nbytes, readonly, c_contiguous, f_contiguous,
contiguous, obj.
"#
)]
#[pyclass(frozen, module = "mview", name = "View")]
pub struct View {
    shared: Arc<Shared>,
    raw: RawBuffer,
}

impl std::fmt::Debug for View {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("View").field("layout", self.raw.layout()).field("format", self.raw.format()).finish()
    }
}

impl View {
    /// A 1-D view of all the items of `owner`, writable from Python when
    /// the owner allows it (`Vec<T>` and `Box<[T]>` of types whose every
    /// bit pattern is valid).
    pub fn new(owner: impl Owner) -> View {
        let (shared, raw) = Shared::rust(Box::new(owner), false);
        View { shared, raw }
    }

    /// A 1-D view of all the items of `owner` that Python cannot write.
    pub fn new_readonly(owner: impl Owner) -> View {
        let (shared, raw) = Shared::rust(Box::new(owner), true);
        View { shared, raw }
    }

    /// A view of any layout of `owner`'s bytes: items of `format` at
    /// `layout` from a base `offset` bytes into them. Strides may be
    /// negative, zero or not multiples of the itemsize; every item must lie
    /// inside the owner. Writable from Python when the owner allows it and
    /// `readonly` is false.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::OutOfBounds`] if an item reaches outside the owner's
    /// bytes; [`ErrorKind::Indirect`] for layouts with suboffsets.
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::{Format, Layout, python::View};
    ///
    /// // The u16 items of a byte buffer, read every 3 bytes, backwards.
    /// let bytes: Vec<u8> = (0..16).collect();
    /// let layout = Layout::new(&[5], &[-3], 2).unwrap();
    /// let v = View::from_parts(bytes, layout, 12, Format::parse("<H").unwrap(), true).unwrap();
    /// assert_eq!(v.layout().strides(), &[-3]);
    /// ```
    pub fn from_parts(
        owner: impl Owner,
        layout: Layout,
        offset: usize,
        format: Format,
        readonly: bool,
    ) -> Result<View> {
        let (shared, raw) = Shared::rust_with_layout(Box::new(owner), layout, offset, format, readonly)?;
        Ok(View { shared, raw })
    }

    /// A view of what `obj` exports, without copying: its buffer
    /// (`PyBUF_FULL_RO`, writable if the exporter allows), or its DLPack
    /// tensor if it has no buffer protocol. `mview.view(obj)`.
    ///
    /// # Errors
    ///
    /// `TypeError` for objects with neither; the errors of
    /// [`BufferGuard::get`](super::BufferGuard::get) and
    /// [`BufferGuard::from_dlpack`](super::BufferGuard::from_dlpack).
    pub fn from_object(obj: &Bound<'_, PyAny>) -> PyResult<View> {
        if let Ok(view) = obj.cast::<View>() {
            return Ok(view.get().derive(view.get().raw.clone()));
        }
        let (held, raw) = super::acquire_readonly(obj)?;
        Ok(View { shared: Shared::python(held), raw })
    }

    /// Another view of the same memory.
    fn derive(&self, raw: RawBuffer) -> View {
        View { shared: Arc::clone(&self.shared), raw }
    }

    /// A new view from a transform of this one's items (the views'
    /// transforms only select items, so the result is memory of `self`).
    fn transform(&self, f: impl for<'v> FnOnce(&BufferView<'v>) -> Result<BufferView<'v>>) -> Result<View> {
        let access = self.access(Mode::Shared, Asker::Python)?;
        let view = access.view();
        let raw = f(&view)?.raw().clone();
        Ok(self.derive(raw))
    }

    fn access(&self, mode: Mode, asker: Asker) -> Result<Access<'_>> {
        self.shared.access(&self.raw, mode, asker)
    }

    /// The layout of the items.
    pub fn layout(&self) -> &Layout {
        self.raw.layout()
    }

    /// The format of the items.
    pub fn format(&self) -> &Format {
        self.raw.format()
    }

    /// Whether Python may write the items.
    pub fn is_writable(&self) -> bool {
        self.shared.writable()
    }

    /// Whether nothing can write the items: read-only Rust memory, or
    /// Python memory of an immutable exporter (`bytes`).
    pub fn is_immutable(&self) -> bool {
        !self.shared.writable() && self.shared.held().is_none_or(|held| Python::attach(|py| held.is_immutable(py)))
    }

    /// The number of live Python exports of this view's memory (buffer
    /// requests and DLPack capsules of any view of it).
    pub fn exports(&self) -> usize {
        self.shared.exports()
    }

    /// The same items in another shape (C-contiguous views only).
    ///
    /// # Errors
    ///
    /// As [`BufferView::reshape`].
    pub fn reshape(&self, shape: &[usize]) -> Result<View> {
        self.transform(|v| v.reshape(shape))
    }

    /// Python slicing of the first `slices.len()` dimensions.
    ///
    /// # Errors
    ///
    /// As [`BufferView::slice`].
    pub fn slice(&self, slices: &[Slice]) -> Result<View> {
        self.transform(|v| v.slice(slices))
    }

    /// The sub-view with dimension `axis` fixed at `index`.
    ///
    /// # Errors
    ///
    /// As [`BufferView::index_axis`].
    pub fn index_axis(&self, axis: usize, index: isize) -> Result<View> {
        self.transform(|v| v.index_axis(axis, index))
    }

    /// The transpose.
    pub fn t(&self) -> View {
        self.derive(self.raw.rebased(self.layout().reversed_axes(), Default::default()))
    }

    /// The dimensions reordered (NumPy's `transpose(axes)`).
    ///
    /// # Errors
    ///
    /// As [`BufferView::permute_axes`].
    pub fn permute_axes(&self, axes: &[usize]) -> Result<View> {
        self.transform(|v| v.permute_axes(axes))
    }

    /// The same bytes under another format (memoryview's `cast`).
    ///
    /// # Errors
    ///
    /// As [`BufferView::cast`].
    pub fn cast(&self, format: &str, shape: Option<&[usize]>) -> Result<View> {
        self.transform(|v| v.cast(format, shape))
    }

    /// Reads the items from Rust, the owner's way: refused while Python may
    /// be writing them (live exports of writable memory).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Borrowed`] while the memory is lent out as writable,
    /// being written, or taken back.
    pub fn read<R>(&self, f: impl FnOnce(BufferView<'_>) -> R) -> Result<R> {
        let access = self.access(Mode::Shared, Asker::Owner)?;
        Ok(f(access.view()))
    }

    /// Writes the items from Rust: refused while any export is live.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::ReadOnly`] for read-only memory; [`ErrorKind::Borrowed`]
    /// while the memory is lent out, read, or taken back.
    pub fn write<R>(&self, f: impl FnOnce(BufferViewMut<'_>) -> R) -> Result<R> {
        let mut access = self.access(Mode::Exclusive, Asker::Owner)?;
        let view = access.view_mut().ok_or_else(|| Error::new(ErrorKind::ReadOnly, "read-only"))?;
        Ok(f(view))
    }

    /// Takes the owner back (the `Vec<T>` or slice the view was made
    /// from), if it is an `O`. Every view of the memory then refuses to be
    /// used.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Borrowed`] while any export is live (drop the NumPy
    /// arrays and memoryviews of it first) or after a first take;
    /// [`ErrorKind::IncompatibleFormat`] if the owner is not an `O` (it
    /// stays in place); [`ErrorKind::Unsupported`] for Python memory.
    pub fn take<O: Owner>(&self) -> Result<O> {
        self.shared.take()
    }

    /// The view selected by a subscript, and whether it is one item (every
    /// dimension indexed by an integer, or `()` on a 0-d view).
    fn select(&self, key: &Bound<'_, PyAny>) -> PyResult<(View, bool)> {
        let selectors = convert::selectors(key, self.layout().ndim())?;
        let slices: Vec<Slice> = selectors
            .iter()
            .map(|s| match s {
                Selector::Slice(slice) => *slice,
                Selector::Index(_) => Slice::FULL,
            })
            .collect();
        let mut view =
            if slices.iter().all(|s| *s == Slice::FULL) { self.derive(self.raw.clone()) } else { self.slice(&slices)? };
        let indices: Vec<(usize, isize)> = selectors
            .iter()
            .enumerate()
            .filter_map(|(axis, s)| match s {
                Selector::Index(i) => Some((axis, *i)),
                Selector::Slice(_) => None,
            })
            .collect();
        for &(axis, index) in indices.iter().rev() {
            view = view.index_axis(axis, index)?;
        }
        // As in NumPy, a subscript with `...` selects a view, even of no
        // dimensions (`v[1, 2, ...]` is a 0-d view; `v[1, 2]` the item).
        let has_ellipsis = match key.cast::<PyTuple>() {
            Ok(tuple) => tuple.iter().any(|entry| entry.is_instance_of::<PyEllipsis>()),
            Err(_) => key.is_instance_of::<PyEllipsis>(),
        };
        let all_indexed = !has_ellipsis && !indices.is_empty() && indices.len() == selectors.len();
        let empty_tuple_of_0d = selectors.is_empty() && key.cast::<PyTuple>().is_ok_and(|t| t.is_empty());
        Ok((view, all_indexed || empty_tuple_of_0d))
    }

    /// Answers a buffer request for this view's items on behalf of `obj`,
    /// the object that holds the view: how a `#[pyclass]` of your own
    /// exports memory through the same decision path, counts and checks as
    /// `View` itself. Call it from your class's `__getbuffer__`, and
    /// [`release_buffer`](View::release_buffer) from its
    /// `__releasebuffer__`.
    ///
    /// # Safety
    ///
    /// `view` must be the `Py_buffer` CPython passed to `__getbuffer__`
    /// (valid for writes), and `obj` must keep `self` alive (the object
    /// whose field `self` is): `view.obj` holds a reference to it until the
    /// release.
    ///
    /// # Errors
    ///
    /// `BufferError` for a request CPython would refuse, or memory the
    /// Rust owner has taken back or is writing.
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::python::View;
    /// use pyo3::{ffi, prelude::*};
    /// use std::ffi::c_int;
    ///
    /// /// An image whose pixels Python reads in place (`numpy.asarray(image)`).
    /// #[pyclass(frozen)]
    /// struct Image {
    ///     pixels: View,
    /// }
    ///
    /// #[pymethods]
    /// impl Image {
    ///     unsafe fn __getbuffer__(slf: Bound<'_, Self>, view: *mut ffi::Py_buffer, flags: c_int) -> PyResult<()> {
    ///         // SAFETY: CPython passes the consumer's Py_buffer; `slf` holds the pixels.
    ///         unsafe { slf.get().pixels.get_buffer(slf.as_any(), view, flags) }
    ///     }
    ///     unsafe fn __releasebuffer__(&self, view: *mut ffi::Py_buffer) {
    ///         // SAFETY: a Py_buffer that `get_buffer` filled, released once.
    ///         unsafe { self.pixels.release_buffer(view) }
    ///     }
    /// }
    ///
    /// Python::initialize();
    /// Python::attach(|py| {
    ///     let pixels = View::new(vec![0u8; 2 * 3 * 3]).reshape(&[2, 3, 3]).unwrap();
    ///     let image = Bound::new(py, Image { pixels }).unwrap();
    ///     let m = py.import("builtins").unwrap().getattr("memoryview").unwrap().call1((&image,)).unwrap();
    ///     assert_eq!(m.getattr("shape").unwrap().extract::<Vec<usize>>().unwrap(), [2, 3, 3]);
    ///     assert_eq!(image.get().pixels.exports(), 1);
    /// });
    /// ```
    pub unsafe fn get_buffer(&self, obj: &Bound<'_, PyAny>, view: *mut ffi::Py_buffer, flags: c_int) -> PyResult<()> {
        // SAFETY: forwarded from the caller; `raw` describes memory of
        // `shared` (every view's does).
        unsafe { protocol::get_buffer(obj, &self.shared, &self.raw, view, flags) }
    }

    /// Ends an export made by [`get_buffer`](View::get_buffer).
    ///
    /// # Safety
    ///
    /// `view` must be a `Py_buffer` that `get_buffer` filled on this view
    /// (or another view of the same memory), released for the first time.
    pub unsafe fn release_buffer(&self, view: *mut ffi::Py_buffer) {
        // SAFETY: forwarded from the caller.
        unsafe { protocol::release_buffer(&self.shared, view) }
    }

    /// A contiguous copy of the items in `order`, in fresh memory aligned
    /// to a cache line, with the GIL released when nothing else can write
    /// the source (see the module documentation).
    pub(crate) fn copied(&self, py: Python<'_>, order: Order) -> PyResult<View> {
        let access = self.access(Mode::Shared, Asker::Python)?;
        let copy = if self.is_immutable() {
            let view = access.view();
            py.detach(|| Copied::of(&view, order))?
        } else {
            Copied::of(&access.view(), order)?
        };
        drop(access);
        Ok(View::new(copy))
    }
}

#[pymethods]
impl View {
    /// Wraps `obj` (anything with the buffer protocol or `__dlpack__`).
    #[new]
    fn py_new(obj: &Bound<'_, PyAny>) -> PyResult<View> {
        View::from_object(obj)
    }

    /// The extent of each dimension.
    #[getter(shape)]
    fn py_shape<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.layout().shape())
    }

    /// The byte stride of each dimension.
    #[getter(strides)]
    fn py_strides<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.layout().strides())
    }

    /// The suboffsets of an indirect (PIL-style) view, or an empty tuple.
    #[getter(suboffsets)]
    fn py_suboffsets<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.layout().suboffsets().unwrap_or(&[]))
    }

    /// The struct-module format of one item.
    #[getter(format)]
    fn py_format(&self) -> &str {
        self.format().as_str()
    }

    /// The size of one item in bytes.
    #[getter(itemsize)]
    fn py_itemsize(&self) -> usize {
        self.layout().itemsize()
    }

    /// The number of dimensions.
    #[getter(ndim)]
    fn py_ndim(&self) -> usize {
        self.layout().ndim()
    }

    /// The size of the items in bytes (what `tobytes()` returns).
    #[getter(nbytes)]
    fn py_nbytes(&self) -> usize {
        self.layout().nbytes()
    }

    /// Whether the memory is read-only.
    #[getter(readonly)]
    fn py_readonly(&self) -> bool {
        !self.shared.writable()
    }

    /// Whether the items are packed in C order.
    #[getter(c_contiguous)]
    fn py_c_contiguous(&self) -> bool {
        self.layout().is_contiguous(Order::C)
    }

    /// Whether the items are packed in Fortran order.
    #[getter(f_contiguous)]
    fn py_f_contiguous(&self) -> bool {
        self.layout().is_contiguous(Order::F)
    }

    /// Whether the items are packed in C or Fortran order.
    #[getter(contiguous)]
    fn py_contiguous(&self) -> bool {
        self.layout().is_contiguous(Order::A)
    }

    /// The object whose buffer this view holds (None for memory owned by
    /// Rust or taken from DLPack).
    #[getter(obj)]
    fn py_obj<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyAny>> {
        self.shared.held().and_then(|held| held.exporter(py))
    }

    /// The transpose: dimensions reversed, no copy.
    #[getter(T)]
    fn py_t(&self) -> View {
        self.t()
    }

    /// The dimensions reordered (`transpose()` reverses them, as `.T`;
    /// `transpose(1, 0, 2)` or `transpose((1, 0, 2))` permutes them).
    #[pyo3(signature = (*axes))]
    fn transpose(&self, axes: &Bound<'_, PyTuple>) -> PyResult<View> {
        if axes.is_empty() {
            return Ok(self.t());
        }
        let axes: Vec<usize> = match axes.get_item(0)?.extract::<Vec<usize>>() {
            Ok(list) if axes.len() == 1 => list,
            _ => axes.extract()?,
        };
        Ok(self.permute_axes(&axes)?)
    }

    /// The items packed into bytes in `order`: 'C' (row-major, the
    /// default), 'F' (column-major) or 'A' (column-major if the view is
    /// Fortran-contiguous and not C-contiguous, else row-major), as
    /// `memoryview.tobytes`; any layout, also indirect (PIL-style) ones.
    #[pyo3(name = "tobytes", signature = (order = None))]
    fn py_tobytes<'py>(&self, py: Python<'py>, order: Option<&str>) -> PyResult<Bound<'py, PyBytes>> {
        let order = convert::order(order)?;
        let access = self.access(Mode::Shared, Asker::Python)?;
        let view = access.view();
        PyBytes::new_with(py, view.nbytes(), |out| Ok(view.copy_to_bytes(out, order)?))
    }

    /// The items as nested lists of Python values (`memoryview.tolist`,
    /// for every format the struct grammar has).
    #[pyo3(name = "tolist")]
    fn py_tolist<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let access = self.access(Mode::Shared, Asker::Python)?;
        let value = access.view().to_list()?;
        drop(access);
        convert::value_to_py(py, &value)
    }

    /// The same bytes as items of `format`, optionally in a new `shape`,
    /// by memoryview's `cast` rules: a C-contiguous view; a native
    /// single-character struct format; one side of the cast a byte
    /// format ('B', 'b' or 'c'); 1-D to N-D or N-D to 1-D. `TypeError`
    /// when the view cannot be cast, `ValueError` for a bad argument.
    #[pyo3(name = "cast", signature = (format, shape = None))]
    fn py_cast(&self, format: &str, shape: Option<Vec<usize>>) -> PyResult<View> {
        self.cast(format, shape.as_deref()).map_err(|err| cast_error(err, format))
    }

    /// A contiguous copy in `order` ('C', 'F' or 'A', as for `tobytes`)
    /// in fresh memory aligned to 64 bytes: a new, writable View that
    /// NumPy reads in place. The copy runs on the crate's copy engine
    /// (tiled transposes), with the GIL released when nothing can write
    /// the source (a `bytes` object).
    #[pyo3(name = "copy", signature = (order = None))]
    fn py_copy(&self, py: Python<'_>, order: Option<&str>) -> PyResult<View> {
        self.copied(py, convert::order(order)?)
    }

    /// Python's `len()`: the extent of the first dimension.
    fn __len__(&self) -> PyResult<usize> {
        self.layout().shape().first().copied().ok_or_else(|| PyTypeError::new_err("0-dim memory has no length"))
    }

    /// Slicing and indexing in every dimension (`v[1:, ::-1]`, `v[2, ...]`),
    /// NumPy's basic indexing: a new View of the same memory. An integer
    /// on every dimension (and no `...`) gives the item's value, as
    /// `struct.unpack` reads it.
    fn __getitem__<'py>(&self, py: Python<'py>, key: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let (view, item) = self.select(key)?;
        if item {
            let access = view.access(Mode::Shared, Asker::Python)?;
            let value = access.view().get(())?;
            drop(access);
            return convert::value_to_py(py, &value);
        }
        view.into_bound_py_any(py)
    }

    /// Assignment to a selection: from any buffer of the same format
    /// (broadcast to the selection's shape, as `copyto`), or, for a single
    /// item, from a Python value packed by `struct` (`TypeError` for a
    /// value of the wrong type, `ValueError` for one out of range, as
    /// memoryview; complex formats take anything `complex()` accepts).
    fn __setitem__(&self, key: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let py = value.py();
        let (target, item) = self.select(key)?;
        if !target.is_writable() {
            return Err(PyTypeError::new_err("cannot modify read-only memory"));
        }
        if item && !super::held::check_buffer(value) {
            let packed = convert::pack_item(target.format(), value)?;
            let mut access = target.access(Mode::Exclusive, Asker::Python)?;
            let mut view = access.view_mut().ok_or_else(|| PyTypeError::new_err("cannot modify read-only memory"))?;
            return Ok(view.set_item_bytes((), &packed)?);
        }
        let target = Bound::new(py, target)?;
        super::transfer::copyto(target.as_any(), value)
    }

    /// `del v[key]`: memory cannot be deleted (`TypeError`, as memoryview).
    fn __delitem__(&self, _key: &Bound<'_, PyAny>) -> PyResult<()> {
        Err(PyTypeError::new_err("cannot delete memory"))
    }

    /// Equality by value, as memoryview's: the same shape, and equal items
    /// (unpacked by format; NaN is not equal to itself).
    fn __richcmp__<'py>(&self, other: &Bound<'py, PyAny>, op: CompareOp) -> PyResult<Bound<'py, PyAny>> {
        let py = other.py();
        let equal = match op {
            CompareOp::Eq | CompareOp::Ne => {
                let Ok(other) = View::from_object(other) else {
                    return Ok(py.NotImplemented().into_bound(py));
                };
                let mine = self.access(Mode::Shared, Asker::Python)?;
                let theirs = other.access(Mode::Shared, Asker::Python)?;
                mine.view() == theirs.view()
            }
            _ => return Ok(py.NotImplemented().into_bound(py)),
        };
        (equal == matches!(op, CompareOp::Eq)).into_bound_py_any(py)
    }

    fn __repr__(&self) -> String {
        let layout = self.layout();
        let tuple = |v: &[String]| if v.len() == 1 { format!("({},)", v[0]) } else { format!("({})", v.join(", ")) };
        let shape: Vec<String> = layout.shape().iter().map(ToString::to_string).collect();
        let strides: Vec<String> = layout.strides().iter().map(ToString::to_string).collect();
        format!(
            "<mview.View shape={} strides={} format='{}' readonly={}>",
            tuple(&shape),
            tuple(&strides),
            self.format().as_str(),
            if self.shared.writable() { "False" } else { "True" }
        )
    }

    /// The buffer protocol (`bf_getbuffer`).
    ///
    /// # Safety
    ///
    /// `view` is the consumer's `Py_buffer`, as CPython passes it.
    unsafe fn __getbuffer__(slf: Bound<'_, Self>, view: *mut ffi::Py_buffer, flags: c_int) -> PyResult<()> {
        // SAFETY: CPython passes a writable `Py_buffer`; `slf` is the view.
        unsafe { slf.get().get_buffer(slf.as_any(), view, flags) }
    }

    /// The buffer protocol (`bf_releasebuffer`).
    ///
    /// # Safety
    ///
    /// `view` is a `Py_buffer` filled by `__getbuffer__`, released once.
    unsafe fn __releasebuffer__(&self, view: *mut ffi::Py_buffer) {
        // SAFETY: CPython releases each `Py_buffer` this object filled,
        // once.
        unsafe { self.release_buffer(view) }
    }

    /// The items as a DLPack capsule (`numpy.from_dlpack(v)`): versioned
    /// when `max_version` allows it, legacy otherwise; `copy=True` exports
    /// a fresh contiguous copy. CPU memory only (`dl_device` must be None
    /// or `(1, 0)`; `stream` must be None).
    #[pyo3(signature = (*, stream = None, max_version = None, dl_device = None, copy = None))]
    fn __dlpack__<'py>(
        slf: &Bound<'py, Self>,
        stream: Option<&Bound<'py, PyAny>>,
        max_version: Option<(u32, u32)>,
        dl_device: Option<(i32, i32)>,
        copy: Option<bool>,
    ) -> PyResult<Bound<'py, PyAny>> {
        if stream.is_some_and(|s| !s.is_none()) {
            return Err(pyo3::exceptions::PyBufferError::new_err("mview exports CPU memory: stream must be None"));
        }
        if dl_device.is_some_and(|d| d != dlpack::CPU_DEVICE) {
            return Err(pyo3::exceptions::PyBufferError::new_err(
                "unsupported device requested: mview exports CPU memory",
            ));
        }
        let py = slf.py();
        if copy == Some(true) {
            let copied = Bound::new(py, slf.get().copied(py, Order::C)?)?;
            return dlpack::export(copied.as_any(), max_version, true);
        }
        dlpack::export(slf.as_any(), max_version, false)
    }

    /// `(1, 0)`: CPU memory.
    fn __dlpack_device__(&self) -> (i32, i32) {
        dlpack::CPU_DEVICE
    }
}

/// `memoryview.cast`'s exceptions for the crate's refusals: `TypeError`
/// when the view cannot be cast as it is (not C-contiguous, zeros in its
/// shape, sizes that do not divide or multiply out, an N-D to N-D cast,
/// two non-byte formats) and `ValueError` for a bad argument (the target
/// format, too many dimensions, a zero in the new shape).
fn cast_error(err: Error, format: &str) -> PyErr {
    let is_cast_code =
        Format::parse(format).is_ok_and(|f| f.native_code().is_some_and(|code| crate::cast::CAST_CODES.contains(code)));
    let as_type_error = match err.kind() {
        ErrorKind::NotContiguous | ErrorKind::ShapeMismatch => true,
        // Both refusals of formats share a kind: a target code memoryview
        // takes means the pair of formats was refused.
        ErrorKind::IncompatibleFormat => is_cast_code,
        _ => false,
    };
    if as_type_error { PyTypeError::new_err(err.to_string()) } else { err.into() }
}
