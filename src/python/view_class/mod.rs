//! [`View`]: the Python object of the bridge, `mview.View`.
//!
//! For Python it is memoryview made better: it wraps any buffer or DLPack
//! object without copying, slices in every dimension, transposes, casts,
//! copies out (`tobytes`, `tolist`), and re-exports itself through the
//! buffer protocol and DLPack, so NumPy reads it in place. For Rust it is
//! how owned memory (a `Vec<T>`, a boxed or `Arc`'d slice) is handed to
//! Python without `unsafe`, and taken back when Python is done with it.

mod methods;

use super::borrows::Mode;
use super::memory::{Access, Asker, Copied, Owner, Shared};
use super::protocol;
use crate::error::{Error, ErrorKind, Result};
use crate::format::Format;
use crate::layout::{Layout, Order};
use crate::raw::RawBuffer;
use crate::slice::Slice;
use crate::view::{BufferView, BufferViewMut};
use core::ffi::c_int;
use pyo3::ffi;
use pyo3::prelude::*;
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
