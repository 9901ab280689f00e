//! The `mview` Python module: everything is in `memoryview::python`; this
//! crate only names the module for maturin.

use pyo3::prelude::*;

/// memoryview made better: N-D slicing, transposes, casts and fast copies
/// of any buffer or DLPack object, without copying until asked.
#[pymodule]
fn mview(module: &Bound<'_, PyModule>) -> PyResult<()> {
    memoryview::python::register(module)
}
