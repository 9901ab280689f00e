//! Python memory held by Rust: a `Py_buffer` acquired with
//! `PyObject_GetBuffer`, or a DLPack tensor taken from a capsule, each
//! released exactly once when its holder is dropped.
//!
//! [`Held`] is the raw acquisition (no lifetime, no GIL token: the module's
//! `View` objects keep one for as long as Python keeps them), with the
//! checks of what an exporter handed over; [`BufferGuard`] wraps it for Rust
//! callers.
//!
//! [`BufferGuard`]: super::BufferGuard

use super::borrows::{self, Mode};
use super::dlpack::Imported;
use super::memory::Copied;
use crate::error::{Error, ErrorKind, Result};
use crate::flags::BufferFlags;
use crate::layout::Order;
use crate::raw::RawBuffer;
use crate::raw::info::BufferInfo;
use crate::view::BufferView;
use core::ffi::c_int;
use pyo3::ffi;
use pyo3::prelude::*;

// `BufferInfo` is declared field for field as CPython's `Py_buffer`; the
// bridge passes one where the other is expected.
const _: () = {
    assert!(size_of::<BufferInfo>() == size_of::<ffi::Py_buffer>());
    assert!(align_of::<BufferInfo>() == align_of::<ffi::Py_buffer>());
    assert!(core::mem::offset_of!(BufferInfo, obj) == core::mem::offset_of!(ffi::Py_buffer, obj));
    assert!(core::mem::offset_of!(BufferInfo, readonly) == core::mem::offset_of!(ffi::Py_buffer, readonly));
    assert!(core::mem::offset_of!(BufferInfo, format) == core::mem::offset_of!(ffi::Py_buffer, format));
    assert!(core::mem::offset_of!(BufferInfo, internal) == core::mem::offset_of!(ffi::Py_buffer, internal));
};

/// Python memory held by Rust.
#[derive(Debug)]
pub(crate) enum Held {
    /// A `Py_buffer` filled by `PyObject_GetBuffer` (it holds a strong
    /// reference to the exporter in `obj`).
    Buffer(Box<BufferInfo>),
    /// A DLPack tensor whose capsule was consumed.
    Dlpack(Imported),
}

// SAFETY: a `Held` is the right to read (or write) memory that stays valid
// until the release in `drop`; the release runs attached to the
// interpreter, from whatever thread drops it, and touches nothing else of
// the thread. The `Py_buffer`'s pointers are plain data. Who may read the
// memory when is governed by the views made from it (see the module
// documentation on the GIL).
unsafe impl Send for Held {}
// SAFETY: shared access to a `Held` only reads its description.
unsafe impl Sync for Held {}

impl Held {
    /// `PyObject_GetBuffer(obj, flags)`, and the description of what the
    /// exporter handed over, checked.
    ///
    /// # Errors
    ///
    /// The exporter's exception (`BufferError`, or `TypeError` for objects
    /// without the buffer protocol); the crate's error, converted, when
    /// the exporter breaks the protocol (see [`describe_buffer`]).
    pub(crate) fn acquire(obj: &Bound<'_, PyAny>, flags: BufferFlags) -> PyResult<(Held, RawBuffer)> {
        let mut info = Box::new(BufferInfo::default());
        let bits =
            c_int::try_from(flags.bits()).map_err(|_| Error::new(ErrorKind::FlagsUnsatisfied, "no such flags"))?;
        // SAFETY: `obj` is a live object (we hold a reference, and are
        // attached: `Bound`); `info` is a writable struct with the layout
        // of `Py_buffer` (checked above), which the call fills.
        let status = unsafe { ffi::PyObject_GetBuffer(obj.as_ptr(), std::ptr::from_mut(&mut *info).cast(), bits) };
        if status != 0 {
            return Err(PyErr::fetch(obj.py()));
        }
        // From here on `held` releases the buffer, whatever happens.
        let held = Held::Buffer(info);
        let Held::Buffer(info) = &held else { unreachable!() };
        let raw = describe_buffer(info, flags)?;
        Ok((held, raw))
    }

    /// Whether the exporter forbids writes (`Py_buffer.readonly`, or the
    /// DLPack read-only flag).
    pub(crate) fn readonly(&self) -> bool {
        match self {
            Held::Buffer(info) => info.readonly != 0,
            Held::Dlpack(tensor) => tensor.readonly(),
        }
    }

    /// The exporting object, for a `Py_buffer` (`obj`, which may be null).
    pub(crate) fn exporter<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyAny>> {
        match self {
            Held::Buffer(info) if !info.obj.is_null() => {
                // SAFETY: a non-null `obj` is the strong reference the
                // exporter stored; we are attached (`py`).
                Some(unsafe { Bound::from_borrowed_ptr(py, info.obj.cast()) })
            }
            _ => None,
        }
    }

    /// Whether nothing can write this memory while it is held: the
    /// exporter is a `bytes` object (immutable by contract, also for
    /// subclasses), or an `mview.View` of memory that cannot be written.
    /// Copies out of such memory may run with the GIL released.
    pub(crate) fn is_immutable(&self, py: Python<'_>) -> bool {
        let Some(obj) = self.exporter(py) else { return false };
        if obj.is_instance_of::<pyo3::types::PyBytes>() {
            return true;
        }
        obj.cast::<super::View>().is_ok_and(|v| v.get().is_immutable())
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        match self {
            Held::Buffer(info) => {
                let view: *mut BufferInfo = &raw mut **info;
                // After finalization the exporter is gone with the
                // interpreter: nothing can be released, and the memory is
                // leaked rather than touched (as PyO3 and NumPy do).
                let _ = Python::try_attach(|_py| {
                    // SAFETY: `view` was filled by a successful
                    // `PyObject_GetBuffer` and is released only here, once;
                    // we are attached.
                    unsafe { ffi::PyBuffer_Release(view.cast()) };
                });
            }
            Held::Dlpack(_) => {} // `Imported` calls the deleter itself.
        }
    }
}

/// Reads and checks the `Py_buffer` an exporter filled for `flags`.
///
/// The checks beyond those of `BufferView::from_buffer_info` (length,
/// extents, itemsize, dimensions, format text) catch exporters that break
/// the request's promises: a writable request answered read-only, a
/// contiguous request answered with other strides, or suboffsets handed to
/// a request without `PyBUF_INDIRECT`. What cannot be checked is whether
/// the strides stay inside the exporter's memory: the buffer protocol does
/// not say how large that memory is (`len` is the size of the items, not
/// of the allocation they are spread over), and every consumer trusts it,
/// as memoryview and NumPy do.
///
/// # Errors
///
/// The crate's errors for malformed descriptions, and
/// [`ErrorKind::FlagsUnsatisfied`] for broken promises.
pub(crate) fn describe_buffer(info: &BufferInfo, flags: BufferFlags) -> Result<RawBuffer> {
    let broken = |what: &str| {
        Err(Error::new(ErrorKind::FlagsUnsatisfied, format!("the exporter broke the buffer protocol: {what}")))
    };
    if flags.contains(BufferFlags::WRITABLE) && info.readonly != 0 {
        return broken("it answered a writable request with read-only memory");
    }
    // SAFETY: the exporter filled `info` (a successful getbuffer): its
    // arrays hold `ndim` entries, its format is NUL-terminated, and the
    // memory stays valid until the release (which the caller's `Held`
    // performs, after every view made here has ended).
    let view: BufferView<'_> = unsafe { BufferView::from_buffer_info(info) }?;
    let layout = view.layout();
    if layout.is_indirect() && !flags.contains(BufferFlags::INDIRECT) {
        return broken("it returned suboffsets to a request without PyBUF_INDIRECT");
    }
    let contiguity = [
        (BufferFlags::C_CONTIGUOUS, Order::C, "C-contiguous"),
        (BufferFlags::F_CONTIGUOUS, Order::F, "Fortran-contiguous"),
        (BufferFlags::ANY_CONTIGUOUS, Order::A, "contiguous"),
    ];
    for (flag, order, name) in contiguity {
        if flags.contains(flag) && !layout.is_contiguous(order) {
            return broken(&format!("it answered a {name} request with memory that is not"));
        }
    }
    Ok(view.into_raw())
}

/// The items `raw` describes (memory of `held`) packed in `order` into
/// fresh aligned memory, on behalf of Python (`ascontiguous`), with the GIL
/// released where nothing can write them (see the module documentation).
///
/// # Errors
///
/// `BufferError` if a Rust borrow holds the memory writable;
/// `MemoryError` if the copy cannot be allocated.
pub(crate) fn copied(py: Python<'_>, held: &Held, raw: &RawBuffer, order: Order) -> PyResult<Copied> {
    borrows::check(|| raw.address_span(), Mode::Shared)?;
    // SAFETY: `raw` describes `held`'s memory (checked when acquired),
    // valid while `held` is borrowed here; no Rust borrow writes it
    // (checked), none can begin meanwhile (we hold the GIL, or the memory
    // is immutable), and Python code is trusted not to write it.
    let view = unsafe { BufferView::from_raw_buffer(raw.clone()) };
    if held.is_immutable(py) { Ok(py.detach(|| Copied::of(&view, order))?) } else { Ok(Copied::of(&view, order)?) }
}

/// Whether `obj`'s type implements the buffer protocol
/// (`PyObject_CheckBuffer`).
pub(crate) fn check_buffer(obj: &Bound<'_, PyAny>) -> bool {
    // SAFETY: `obj` is a live object and we are attached (`Bound`); the
    // call only reads its type.
    unsafe { ffi::PyObject_CheckBuffer(obj.as_ptr()) == 1 }
}
