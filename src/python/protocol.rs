//! The exporter's two slots, `bf_getbuffer` and `bf_releasebuffer`, over
//! the crate's one decision path (`export.rs`).
//!
//! A request is decided by [`ExportRecord::new`] (CPython's order of
//! checks); the record (layout and format, so that the shape, strides,
//! suboffsets and format pointers handed out stay put) is boxed into
//! `Py_buffer.internal` and freed by the matching release. Each export is
//! counted on the memory's [`Shared`] state, and holds a strong reference
//! to the exporting object in `Py_buffer.obj`, which keeps the memory
//! alive until the release.

use super::error::buffer_error;
use super::memory::Shared;
use crate::error::{Error, ErrorKind};
use crate::export::ExportRecord;
use crate::flags::BufferFlags;
use crate::raw::RawBuffer;
use crate::raw::info::BufferInfo;
use core::ffi::c_int;
use pyo3::ffi;
use pyo3::prelude::*;

/// Answers a buffer request for the items `raw` describes (memory of
/// `shared`), exported by `obj`.
///
/// On success `view` is filled, `view.obj` holds a new reference to `obj`
/// and the export is counted; on failure `view.obj` is null and the error
/// is a `BufferError`.
///
/// # Safety
///
/// `view` must be valid for writes of a `Py_buffer` (what CPython passes
/// to `bf_getbuffer`), and `raw` must describe memory of `shared`.
pub(crate) unsafe fn get_buffer(
    obj: &Bound<'_, PyAny>,
    shared: &Shared,
    raw: &RawBuffer,
    view: *mut ffi::Py_buffer,
    flags: c_int,
) -> PyResult<()> {
    if view.is_null() {
        return Err(buffer_error(Error::new(ErrorKind::FlagsUnsatisfied, "getbuffer called with a NULL view")));
    }
    // SAFETY: `view` is valid for writes (caller). The protocol wants
    // `obj` null whenever the request fails.
    unsafe { (*view).obj = std::ptr::null_mut() };
    let flags = u32::try_from(flags)
        .map(BufferFlags::from_bits)
        .map_err(|_| buffer_error(Error::new(ErrorKind::FlagsUnsatisfied, format!("invalid buffer flags {flags}"))))?;
    let record = ExportRecord::new(raw.clone(), !shared.writable(), flags).map_err(buffer_error)?;
    shared.begin_export().map_err(buffer_error)?;
    let record = Box::new(record);
    let mut info = record.to_buffer_info();
    info.obj = obj.clone().into_ptr().cast();
    info.internal = Box::into_raw(record).cast();
    // SAFETY: `view` is valid for writes of a `Py_buffer` (caller), and
    // `BufferInfo` has its layout (checked in `held.rs`). The pointers in
    // `info` point into the boxed record, which lives until the release.
    unsafe { view.cast::<BufferInfo>().write(info) };
    Ok(())
}

/// Ends an export made by [`get_buffer`]: frees its record and uncounts
/// it. (CPython then drops the reference in `view.obj`.)
///
/// # Safety
///
/// `view` must be a `Py_buffer` filled by [`get_buffer`] on `shared`'s
/// memory, released for the first time.
pub(crate) unsafe fn release_buffer(shared: &Shared, view: *mut ffi::Py_buffer) {
    if view.is_null() {
        return;
    }
    // SAFETY: `view` is the `Py_buffer` `get_buffer` filled (caller), whose
    // `internal` is the boxed record, released once.
    unsafe {
        let record = (*view).internal.cast::<ExportRecord>();
        if !record.is_null() {
            drop(Box::from_raw(record));
            (*view).internal = std::ptr::null_mut();
        }
    }
    shared.end_export();
}
