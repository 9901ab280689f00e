//! The Python bridge (feature `python`, on PyO3): Python buffers as the
//! crate's views, Rust memory as Python buffers, DLPack both ways, and the
//! functions of the `mview` Python module.
//!
//! # Taking buffers from Python
//!
//! [`BufferGuard::get`] calls `PyObject_GetBuffer` with any
//! [`BufferFlags`] request and releases the buffer once,
//! on drop; its views borrow it. Every layout an exporter may give is read
//! correctly (C and Fortran order, negative, zero and odd strides, 0-d,
//! empty, suboffsets, byte-swapped and record formats); a typed view is
//! refused unless the format describes `T` in native byte order (a NumPy
//! `>f8` array is not misread as native `f64`).
//!
//! ```
//! use memoryview::{Order, python::BufferGuard};
//! use pyo3::prelude::*;
//!
//! /// The sum of every item of a 2-D float64 buffer, whatever its strides.
//! fn total(obj: &Bound<'_, PyAny>) -> PyResult<f64> {
//!     let guard = BufferGuard::readable(obj)?;
//!     Ok(guard.typed::<f64>()?.iter().sum())
//! }
//!
//! Python::initialize();
//! Python::attach(|py| {
//!     let locals = pyo3::types::PyDict::new(py);
//!     py.run(c"import array; a = array.array('d', range(12))", None, Some(&locals)).unwrap();
//!     let backwards = py.eval(c"memoryview(a).cast('B').cast('d', (3, 4))[::-1]", None, Some(&locals)).unwrap();
//!     assert_eq!(total(&backwards).unwrap(), 66.0);
//! });
//! ```
//!
//! # Handing memory to Python
//!
//! [`View::new`] wraps a `Vec<T>`, a boxed slice or an `Arc`'d slice (see
//! [`Owner`]); the transforms shape it; returned to Python it is an
//! `mview.View`, which `memoryview`, `numpy.asarray` and
//! `numpy.from_dlpack` read in place (writes through one side are seen on
//! the other), `bytes()`, `array.array` and `struct.unpack_from` read as
//! well. Requests are answered in CPython's decision order by the crate's
//! one exporter path (`BufferError` with a reason when refused; suboffsets
//! only to `PyBUF_INDIRECT` requests); what was handed out stays valid
//! until the matching release; and while any export is live the owner
//! cannot be changed or taken back from Rust.
//!
//! A `#[pyclass]` of your own exports the same way by holding a [`View`]
//! and forwarding its two buffer slots to [`View::get_buffer`] and
//! [`View::release_buffer`] (two one-line methods), or more simply by
//! returning a `View` from a method.
//!
//! # DLPack
//!
//! `View.__dlpack__` / `__dlpack_device__` export versioned and legacy
//! capsules (`numpy.from_dlpack(v)` is zero-copy), and
//! [`BufferGuard::from_dlpack`] / `mview.view` take any object with
//! `__dlpack__`. The ABI structs come from the `dlpark` crate (its `ffi`
//! module, generated from `dlpack.h` with layout assertions), pinned
//! because its higher-level API breaks often; the capsule protocol is
//! written here, over the crate's views and its exporter.
//!
//! # The GIL, threads and who may write
//!
//! - **Validity.** A guard or a view holds a buffer request (or a DLPack
//!   tensor) until it is dropped, so the memory stays valid whatever
//!   Python does: exporters that can resize (`bytearray`, `array.array`,
//!   NumPy) refuse to while a request is held. That needs no GIL.
//! - **Rust against Rust.** Every Rust borrow of Python memory (a guard,
//!   an operation of a `View`) registers the address range of its items;
//!   a writable borrow excludes any other borrow of overlapping memory,
//!   so safe Rust cannot alias a `&mut` (an error with
//!   [`ErrorKind::Borrowed`](crate::ErrorKind::Borrowed) instead).
//! - **Python against Rust.** The buffer protocol does not stop Python
//!   from writing memory it has exported: any holder of a writable
//!   memoryview or NumPy array may write it, and nothing tells the
//!   consumer. Like rust-numpy, this crate trusts Python code as it trusts
//!   unsafe Rust: not to write memory while Rust code reads it. With the
//!   GIL held and no call into Python while a view is in use, no Python
//!   code runs meanwhile, so the trust is only in native code that
//!   releases the GIL and writes (a NumPy ufunc writing an `out=` array in
//!   another thread), exactly as for memoryview and NumPy themselves.
//! - **Releasing the GIL.** With the GIL released, other Python threads
//!   run, and may write the memory at the same time: a data race. So the
//!   bridge releases the GIL for a large copy only when nothing can write
//!   the source: the exporter is immutable (`bytes`, a read-only `View` of
//!   Rust memory: [`BufferGuard::is_immutable`]) and the destination is
//!   fresh memory no one else sees (`ascontiguous`, `View.copy`). It keeps
//!   it for `copyto` into an existing array, and for every read of
//!   writable memory. (NumPy releases the GIL for such copies regardless.)
//!   The copy itself still runs on rayon's threads either way.
//!
//! All of this runs with the GIL held: guards hold a `Bound<'py, _>`, and
//! held buffers are released attached to the interpreter (or leaked after
//! it has been finalized, as PyO3 and NumPy do).

mod borrows;
mod convert;
mod dlpack;
mod error;
mod guard;
mod held;
mod memory;
mod protocol;
mod transfer;
mod view_class;

pub use guard::BufferGuard;
pub use memory::Owner;
pub use view_class::View;

use crate::flags::BufferFlags;
use crate::raw::RawBuffer;
use held::Held;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

/// Takes `obj`'s memory read-only: its buffer (`PyBUF_FULL_RO`), or its
/// DLPack tensor if it has no buffer protocol.
fn acquire_readonly(obj: &Bound<'_, PyAny>) -> PyResult<(Held, RawBuffer)> {
    if held::check_buffer(obj) {
        Held::acquire(obj, BufferFlags::FULL_RO)
    } else if obj.hasattr("__dlpack__")? {
        dlpack::import(obj)
    } else {
        Err(PyTypeError::new_err(format!(
            "expected an object with the buffer protocol or __dlpack__, not {}",
            obj.get_type().name()?
        )))
    }
}

/// `mview.view(obj)`: a view of any object with the buffer protocol or
/// `__dlpack__`, without copying; writable if the exporter allows it.
#[pyfunction]
#[pyo3(name = "view")]
pub fn view(obj: &Bound<'_, PyAny>) -> PyResult<View> {
    View::from_object(obj)
}

/// `mview.ascontiguous(obj, order='C')`: the items of `obj` copied into
/// fresh, cache-line-aligned memory in C, Fortran (`'F'`) or stored
/// (`'A'`) order, through the crate's copy engine (tiled transposes).
/// Returns an `mview.View` of the copy; `numpy.asarray` reads it in place.
#[pyfunction]
#[pyo3(signature = (obj, order = None))]
pub fn ascontiguous(py: Python<'_>, obj: &Bound<'_, PyAny>, order: Option<&str>) -> PyResult<View> {
    let order = convert::order(order)?;
    View::from_object(obj)?.copied(py, order)
}

/// `mview.copyto(dst, src)`: copies the items of `src` into `dst` (any
/// writable buffer), as `numpy.copyto` does for arrays of the same type:
/// `src` is broadcast to `dst`'s shape, and overlapping memory is copied
/// as if through a temporary.
#[pyfunction]
pub fn copyto(dst: &Bound<'_, PyAny>, src: &Bound<'_, PyAny>) -> PyResult<()> {
    transfer::copyto(dst, src)
}

/// Adds the `mview` module's contents to `module`: the `View` class and the
/// functions [`view`], [`ascontiguous`] and [`copyto`].
///
/// # Errors
///
/// Python's, if the module refuses an attribute.
///
/// # Examples
///
/// The whole `mview` extension module:
///
/// ```no_run
/// use pyo3::prelude::*;
///
/// #[pymodule]
/// fn mview(module: &Bound<'_, PyModule>) -> PyResult<()> {
///     memoryview::python::register(module)
/// }
/// ```
pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<View>()?;
    module.add_function(wrap_pyfunction!(view, module)?)?;
    module.add_function(wrap_pyfunction!(ascontiguous, module)?)?;
    module.add_function(wrap_pyfunction!(copyto, module)?)?;
    Ok(())
}

/// The number of live Rust borrows of Python memory (for tests: every
/// guard and view operation must end its borrow).
#[doc(hidden)]
pub fn live_borrows() -> usize {
    borrows::live_count()
}
