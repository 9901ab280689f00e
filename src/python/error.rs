//! The crate's errors as Python exceptions.
#![forbid(unsafe_code)]

use crate::error::{Error, ErrorKind};
use pyo3::PyErr;
use pyo3::exceptions::{
    PyBufferError, PyIndexError, PyMemoryError, PyNotImplementedError, PyOverflowError, PyTypeError, PyValueError,
};

/// Each [`ErrorKind`] becomes the exception CPython raises for the same
/// problem (the table on [`ErrorKind`]); a result that cannot be allocated
/// is a `MemoryError`.
///
/// # Examples
///
/// ```
/// use memoryview::Format;
/// use pyo3::prelude::*;
///
/// Python::initialize();
/// Python::attach(|py| {
///     let err: PyErr = Format::parse("i%").unwrap_err().into();
///     assert!(err.is_instance_of::<pyo3::exceptions::PyValueError>(py));
/// });
/// ```
impl From<Error> for PyErr {
    fn from(err: Error) -> PyErr {
        let message = err.to_string();
        match err.kind() {
            ErrorKind::IndexOutOfBounds => PyIndexError::new_err(message),
            ErrorKind::IndexCount | ErrorKind::ReadOnly => PyTypeError::new_err(message),
            ErrorKind::OutOfMemory => PyMemoryError::new_err(message),
            ErrorKind::Overflow => PyOverflowError::new_err(message),
            ErrorKind::NotContiguous
            | ErrorKind::Indirect
            | ErrorKind::FlagsUnsatisfied
            | ErrorKind::Aliased
            | ErrorKind::Borrowed => PyBufferError::new_err(message),
            ErrorKind::Unsupported => PyNotImplementedError::new_err(message),
            _ => PyValueError::new_err(message),
        }
    }
}

/// A refusal of a buffer request: always `BufferError`, as the protocol
/// requires of `getbuffer` and `__dlpack__`.
pub(crate) fn buffer_error(err: Error) -> PyErr {
    PyBufferError::new_err(err.to_string())
}
