//! The Python bridge against a real, embedded CPython: buffers taken from
//! `bytes`, `bytearray`, `array`, memoryview, NumPy and `_testbuffer`
//! compared item by item with what CPython (or NumPy) reads; Rust memory
//! exported and read back by memoryview, `_testbuffer` (every request
//! flag) and NumPy; DLPack both ways; lying exporters; release and
//! reference counts back where they started.
//!
//! Run with `cargo test --features python --test python_bridge`; the test
//! binary links libpython, so `LD_LIBRARY_PATH` must name its directory
//! (`.ci/run` takes it from `sysconfig`). NumPy must be installed.
#![cfg(feature = "python")]
#![allow(clippy::undocumented_unsafe_blocks)]

mod consume;
mod dlpack;
mod export;
mod hostile;

#[path = "../common/mod.rs"]
mod common;
#[path = "../models/flags.rs"]
mod flags_model;

use memoryview::Value;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyComplex, PyDict, PyFloat, PyInt, PyList, PyTuple};
use std::ffi::CString;

/// Runs `f` attached to the interpreter (started once for the binary),
/// one test at a time: tests count live exports and borrows, and the
/// interpreter switches threads while Python code runs.
pub fn with_python<R>(f: impl for<'py> FnOnce(Python<'py>) -> R) -> R {
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    Python::initialize();
    Python::attach(f)
}

/// A fresh namespace in which `code` has run.
pub fn run<'py>(py: Python<'py>, code: &str) -> Bound<'py, PyDict> {
    let globals = PyDict::new(py);
    let code = CString::new(code).unwrap();
    py.run(&code, Some(&globals), None).unwrap_or_else(|err| panic!("{code:?}: {err}"));
    globals
}

/// The value of `expr` in `namespace`.
pub fn eval<'py>(namespace: &Bound<'py, PyDict>, expr: &str) -> Bound<'py, PyAny> {
    let code = CString::new(expr).unwrap();
    namespace.py().eval(&code, Some(namespace), None).unwrap_or_else(|err| panic!("{expr}: {err}"))
}

/// A Python object as the crate's `Value` (for values `tolist()` and
/// `struct.unpack` produce), independently of the bridge's own conversion.
pub fn to_value(obj: &Bound<'_, PyAny>) -> Value {
    if obj.is_instance_of::<PyBool>() {
        Value::Bool(obj.extract().unwrap())
    } else if obj.is_instance_of::<PyInt>() {
        Value::Int(obj.extract().unwrap())
    } else if obj.is_instance_of::<PyFloat>() {
        Value::Float(obj.extract().unwrap())
    } else if let Ok(c) = obj.cast::<PyComplex>() {
        Value::Complex { re: c.real(), im: c.imag() }
    } else if let Ok(b) = obj.cast::<PyBytes>() {
        Value::Bytes(b.as_bytes().to_vec())
    } else if let Ok(list) = obj.cast::<PyList>() {
        Value::List(list.iter().map(|v| to_value(&v)).collect())
    } else if let Ok(tuple) = obj.cast::<PyTuple>() {
        Value::Tuple(tuple.iter().map(|v| to_value(&v)).collect())
    } else if let Ok(i) = obj.call_method0("item") {
        // NumPy scalars.
        to_value(&i)
    } else {
        panic!("no Value for {obj}")
    }
}

/// `sys.getrefcount(obj)`.
pub fn refcount(obj: &Bound<'_, PyAny>) -> isize {
    unsafe { pyo3::ffi::Py_REFCNT(obj.as_ptr()) }
}
