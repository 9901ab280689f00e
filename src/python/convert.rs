//! Conversions between Python values and the crate's: decoded items to
//! Python objects (`tolist`, indexing), and Python subscripts (`v[1, ::2,
//! ...]`) to the crate's selections.
#![forbid(unsafe_code)]

use crate::error::{Error, ErrorKind, Result};
use crate::format::Value;
use crate::layout::Order;
use crate::slice::Slice;
use pyo3::IntoPyObjectExt;
use pyo3::exceptions::{PyIndexError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyComplex, PyEllipsis, PyList, PySlice, PyString, PyTuple};

/// A decoded value as the Python object `struct.unpack` would give.
pub(crate) fn value_to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Bool(b) => b.into_bound_py_any(py)?,
        Value::Int(i) => i.into_bound_py_any(py)?,
        Value::Float(f) => f.into_bound_py_any(py)?,
        Value::Complex { re, im } => PyComplex::from_doubles(py, *re, *im).into_any(),
        Value::Bytes(bytes) => PyBytes::new(py, bytes).into_any(),
        Value::Char(c) => match char::from_u32(*c) {
            Some(c) => PyString::new(py, c.encode_utf8(&mut [0; 4])).into_any(),
            None => return Err(PyValueError::new_err(format!("{c:#x} is not a Unicode code point"))),
        },
        Value::Tuple(items) => {
            let items = items.iter().map(|v| value_to_py(py, v)).collect::<PyResult<Vec<_>>>()?;
            PyTuple::new(py, items)?.into_any()
        }
        Value::List(items) => {
            let items = items.iter().map(|v| value_to_py(py, v)).collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)?.into_any()
        }
    })
}

/// One entry of a subscript.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Selector {
    /// An integer: the dimension is indexed away.
    Index(isize),
    /// A slice: the dimension is kept.
    Slice(Slice),
}

/// A Python integer as an index, for indexing (out-of-range values are an
/// `IndexError` later, as in memoryview).
fn index(obj: &Bound<'_, PyAny>) -> PyResult<isize> {
    obj.extract::<isize>().map_err(|_| PyIndexError::new_err("cannot fit the index into an index-sized integer"))
}

/// A slice bound: `None`, or an integer clamped to `isize` as CPython's
/// `_PyEval_SliceIndex` clamps it.
fn slice_bound(obj: &Bound<'_, PyAny>) -> PyResult<Option<isize>> {
    if obj.is_none() {
        return Ok(None);
    }
    match obj.extract::<isize>() {
        Ok(value) => Ok(Some(value)),
        Err(err) if err.is_instance_of::<pyo3::exceptions::PyOverflowError>(obj.py()) => {
            Ok(Some(if obj.gt(0)? { isize::MAX } else { isize::MIN }))
        }
        Err(_) => Err(PyTypeError::new_err("slice indices must be integers or None or have an __index__ method")),
    }
}

/// The selectors of a subscript on a view of `ndim` dimensions: integers,
/// slices and at most one `...` (which stands for as many `:` as needed),
/// or a tuple of them. Dimensions left over are kept whole.
///
/// # Errors
///
/// `IndexError` for more selectors than dimensions or a second `...`;
/// `TypeError` for anything else.
pub(crate) fn selectors(key: &Bound<'_, PyAny>, ndim: usize) -> PyResult<Vec<Selector>> {
    let entries: Vec<Bound<'_, PyAny>> = match key.cast::<PyTuple>() {
        Ok(tuple) => tuple.iter().collect(),
        Err(_) => vec![key.clone()],
    };
    let ellipses = entries.iter().filter(|e| e.is_instance_of::<PyEllipsis>()).count();
    if ellipses > 1 {
        return Err(PyIndexError::new_err("an index can only have a single ellipsis ('...')"));
    }
    let given = entries.len() - ellipses;
    if given > ndim {
        return Err(PyIndexError::new_err(format!(
            "too many indices: the view has {ndim} dimension(s), {given} were indexed"
        )));
    }
    let mut out = Vec::with_capacity(ndim);
    for entry in &entries {
        if entry.is_instance_of::<PyEllipsis>() {
            out.extend(std::iter::repeat_n(Selector::Slice(Slice::FULL), ndim - given));
        } else if let Ok(slice) = entry.cast::<PySlice>() {
            let part = |name: &str| slice.getattr(name).and_then(|v| slice_bound(&v));
            out.push(Selector::Slice(Slice::new(part("start")?, part("stop")?, part("step")?)));
        } else if entry.is_instance_of::<pyo3::types::PyInt>() || entry.hasattr("__index__")? {
            out.push(Selector::Index(index(entry)?));
        } else {
            return Err(PyTypeError::new_err(format!(
                "view indices must be integers, slices or '...', not {}",
                entry.get_type().name()?
            )));
        }
    }
    out.resize(ndim, Selector::Slice(Slice::FULL));
    Ok(out)
}

/// A Python `order` argument: `'C'`, `'F'` or `'A'` (or `None` for C), as
/// `memoryview.tobytes` takes it.
pub(crate) fn order(order: Option<&str>) -> Result<Order> {
    match order {
        None | Some("C") => Ok(Order::C),
        Some("F") => Ok(Order::F),
        Some("A") => Ok(Order::A),
        Some(other) => {
            Err(Error::new(ErrorKind::InvalidLayout, format!("order must be 'C', 'F' or 'A', not {other:?}")))
        }
    }
}
