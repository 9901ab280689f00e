//! The Python side of [`View`]: `mview.View`'s attributes, methods and
//! protocol slots (subscripts, comparisons, `repr`, the buffer protocol
//! and DLPack), on top of the Rust API in the parent module.

use super::View;
use crate::error::{Error, ErrorKind};
use crate::format::Format;
use crate::layout::Order;
use crate::python::borrows::Mode;
use crate::python::convert::{self, Selector};
use crate::python::dlpack;
use crate::python::memory::Asker;
use crate::slice::Slice;
use core::ffi::c_int;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pyclass::CompareOp;
use pyo3::types::{PyBytes, PyEllipsis, PyTuple};
use pyo3::{IntoPyObjectExt, ffi};

impl View {
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
        if item && !crate::python::held::check_buffer(value) {
            let packed = convert::pack_item(target.format(), value)?;
            let mut access = target.access(Mode::Exclusive, Asker::Python)?;
            let mut view = access.view_mut().ok_or_else(|| PyTypeError::new_err("cannot modify read-only memory"))?;
            return Ok(view.set_item_bytes((), &packed)?);
        }
        let target = Bound::new(py, target)?;
        crate::python::transfer::copyto(target.as_any(), value)
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
