//! DLPack: views exported as capsules (`__dlpack__`), and capsules taken
//! as views.
//!
//! The ABI structs are `dlpark::ffi`'s (generated from `dlpack.h` 1.3 with
//! layout assertions); everything else is here, on top of the crate's
//! views and its one exporter decision path:
//!
//! - **Export.** `__dlpack__` makes a buffer request on the view itself
//!   (strides, format, no suboffsets), so the export is counted and
//!   decided like any other, and keeps the request until the consumer calls
//!   the deleter. What DLPack cannot describe is refused with
//!   `BufferError`: suboffsets (PIL-style rows), byte strides that are not
//!   multiples of the itemsize, formats with no DLPack type (records,
//!   `long double`, characters, byte-swapped items), and read-only memory
//!   for a legacy (unversioned) consumer, which could not be told.
//! - **Import.** `__dlpack__(max_version=(1, 3))` (plain `__dlpack__()` for
//!   producers that do not take it), the capsule renamed `used_dltensor*`
//!   as the protocol requires, the tensor checked (CPU-accessible device,
//!   one lane, a type with a struct format, `ndim <= 64`, extents and
//!   strides that fit) and held until the view is dropped, when its deleter
//!   runs. Versioned tensors say whether they are read-only; legacy ones
//!   cannot, and are treated as read-only (as NumPy treats them).
//!
//! Deleters and capsule destructors may run on any thread: releasing the
//! held buffer attaches to the interpreter itself (and leaks after
//! finalization rather than touch a dead interpreter).

use super::error::buffer_error;
use super::held::Held;
use crate::error::{Error, ErrorKind, Result};
use crate::flags::BufferFlags;
use crate::format::{Class, Format};
use crate::layout::{Layout, MAX_NDIM};
use crate::raw::RawBuffer;
use crate::view::BufferView;
use core::ffi::{CStr, c_void};
use dlpark::DlpackFlags;
use dlpark::ffi::{
    DLDataType, DLDataTypeCode, DLDevice, DLDeviceType, DLManagedTensor, DLManagedTensorVersioned, DLPackVersion,
    DLTensor,
};
use pyo3::exceptions::PyBufferError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::ptr::NonNull;

/// `__dlpack_device__` of CPU memory: `(kDLCPU, 0)`.
pub(crate) const CPU_DEVICE: (i32, i32) = (1, 0);

/// The highest DLPack version this module speaks (the ABI of every 1.x is
/// the same).
const VERSION: DLPackVersion = DLPackVersion { major: 1, minor: 3 };

const VERSIONED: &CStr = c"dltensor_versioned";
const USED_VERSIONED: &CStr = c"used_dltensor_versioned";
const LEGACY: &CStr = c"dltensor";
const USED_LEGACY: &CStr = c"used_dltensor";

fn refused(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Unsupported, message.into())
}

/// The DLPack type of items of `format`, if it has one.
fn data_type(format: &Format, itemsize: usize) -> Result<DLDataType> {
    let unsupported = || {
        refused(format!(
            "DLPack has no type for items of format '{}' (it takes one native-order number or bool per item)",
            format.as_str()
        ))
    };
    let scalar = format.scalar().ok_or_else(unsupported)?;
    if scalar.size != 1 && !scalar.order.is_native() {
        return Err(refused(format!(
            "DLPack items are in native byte order; format '{}' is byte-swapped (copy it with to_vec_native)",
            format.as_str()
        )));
    }
    let bytes = if scalar.complex { scalar.size * 2 } else { scalar.size };
    if bytes != itemsize {
        return Err(unsupported());
    }
    let code = match (scalar.code.class(), scalar.complex) {
        (Class::Float, true) if scalar.size <= 8 => DLDataTypeCode::COMPLEX,
        (Class::Float, false) if scalar.size <= 8 => DLDataTypeCode::FLOAT,
        (Class::Signed, false) => DLDataTypeCode::INT,
        (Class::Unsigned, false) => DLDataTypeCode::UINT,
        (Class::Bool, false) => DLDataTypeCode::BOOL,
        _ => return Err(unsupported()),
    };
    let bits = u8::try_from(bytes * 8).map_err(|_| unsupported())?;
    Ok(DLDataType { code, bits, lanes: 1 })
}

/// The struct format of items of a DLPack type, if there is one.
fn format_of(dtype: DLDataType) -> Result<Format> {
    let code = match (dtype.code, dtype.bits) {
        (DLDataTypeCode::INT, 8) => "b",
        (DLDataTypeCode::INT, 16) => "h",
        (DLDataTypeCode::INT, 32) => "i",
        (DLDataTypeCode::INT, 64) => "q",
        (DLDataTypeCode::UINT, 8) => "B",
        (DLDataTypeCode::UINT, 16) => "H",
        (DLDataTypeCode::UINT, 32) => "I",
        (DLDataTypeCode::UINT, 64) => "Q",
        (DLDataTypeCode::FLOAT, 16) => "e",
        (DLDataTypeCode::FLOAT, 32) => "f",
        (DLDataTypeCode::FLOAT, 64) => "d",
        (DLDataTypeCode::COMPLEX, 64) => "Zf",
        (DLDataTypeCode::COMPLEX, 128) => "Zd",
        (DLDataTypeCode::BOOL, 8) => "?",
        _ => {
            return Err(refused(format!(
                "the DLPack type (code {}, {} bits) has no struct format (bfloat16 and sub-byte floats have none)",
                dtype.code.0, dtype.bits
            )));
        }
    };
    if dtype.lanes != 1 {
        return Err(refused(format!("DLPack vector types ({} lanes) are not supported", dtype.lanes)));
    }
    Format::parse(code)
}

// ---------------------------------------------------------------- export

/// What a capsule's tensor points into: the buffer request on the view
/// (released by the deleter), and the shape and strides arrays.
#[repr(C)]
struct ExportContext<M> {
    managed: M,
    held: Held,
    shape: Vec<i64>,
    strides: Vec<i64>,
}

/// Exports the view `obj` (an `mview.View`) as a DLPack capsule:
/// versioned if `max_version` is at least 1.0, legacy otherwise.
/// `copied` sets the versioned `IS_COPIED` flag (the view is a fresh copy
/// no one else sees).
pub(crate) fn export<'py>(
    obj: &Bound<'py, PyAny>,
    max_version: Option<(u32, u32)>,
    copied: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let py = obj.py();
    let versioned = max_version.is_some_and(|(major, _)| major >= 1);
    // The request every DLPack tensor can describe: strides, a format, no
    // suboffsets. It is counted as an export until the deleter runs.
    let (held, raw) = match Held::acquire(obj, BufferFlags::RECORDS_RO) {
        Ok(acquired) => acquired,
        Err(err) if err.is_instance_of::<PyBufferError>(py) && err.to_string().contains("suboffsets") => {
            return Err(buffer_error(refused(
                "DLPack cannot describe suboffsets (PIL-style pointer tables); export a contiguous copy \
                 (copy=True, or mview.ascontiguous)",
            )));
        }
        Err(err) => return Err(err),
    };
    let readonly = held.readonly();
    if readonly && !versioned {
        return Err(buffer_error(refused(
            "cannot export read-only memory as a legacy DLPack capsule, which cannot say it is read-only; \
             ask for max_version >= (1, 0)",
        )));
    }
    let layout = raw.layout();
    let itemsize = layout.itemsize();
    let dtype = data_type(raw.format(), itemsize).map_err(buffer_error)?;
    let to_i64 =
        |v: usize| i64::try_from(v).map_err(|_| buffer_error(Error::new(ErrorKind::Overflow, "extent too large")));
    let shape = layout.shape().iter().map(|&n| to_i64(n)).collect::<PyResult<Vec<i64>>>()?;
    let itemsize_signed = isize::try_from(itemsize).unwrap_or(isize::MAX);
    let strides = layout
        .strides()
        .iter()
        .zip(layout.shape())
        .map(|(&stride, &extent)| {
            if stride % itemsize_signed != 0 && extent > 1 {
                return Err(buffer_error(refused(format!(
                    "DLPack strides count items: a byte stride of {stride} is not a multiple of the itemsize {itemsize}"
                ))));
            }
            // Extent-1 dimensions may carry any stride; DLPack gets 0 there.
            Ok(if extent > 1 { (stride / itemsize_signed) as i64 } else { 0 })
        })
        .collect::<PyResult<Vec<i64>>>()?;
    let tensor = |shape: &mut Vec<i64>, strides: &mut Vec<i64>| DLTensor {
        data: raw.ptr().cast::<c_void>(),
        device: DLDevice { device_type: DLDeviceType::CPU, device_id: 0 },
        ndim: i32::try_from(layout.ndim()).unwrap_or(i32::MAX),
        dtype,
        shape: if shape.is_empty() { std::ptr::null_mut() } else { shape.as_mut_ptr() },
        strides: if strides.is_empty() { std::ptr::null_mut() } else { strides.as_mut_ptr() },
        byte_offset: 0,
    };
    if versioned {
        let minor = max_version
            .map_or(VERSION.minor, |(major, minor)| if major == 1 { minor.min(VERSION.minor) } else { VERSION.minor });
        let mut flags = DlpackFlags::empty();
        if readonly {
            flags |= DlpackFlags::READ_ONLY;
        }
        if copied {
            flags |= DlpackFlags::IS_COPIED;
        }
        let managed = DLManagedTensorVersioned {
            version: DLPackVersion { major: 1, minor },
            manager_ctx: std::ptr::null_mut(),
            deleter: Some(delete_versioned),
            flags,
            dl_tensor: DLTensor { data: std::ptr::null_mut(), ..empty_tensor() },
        };
        let mut context = Box::new(ExportContext { managed, held, shape, strides });
        let ExportContext { managed, shape, strides, .. } = &mut *context;
        managed.dl_tensor = tensor(shape, strides);
        let context = Box::into_raw(context);
        // SAFETY: `context` is a live box; its managed tensor points back
        // to it, and the capsule takes ownership (the destructor or the
        // consumer's deleter frees it).
        unsafe {
            (*context).managed.manager_ctx = context.cast();
            capsule(py, std::ptr::addr_of_mut!((*context).managed).cast(), VERSIONED, destroy_versioned)
        }
    } else {
        let managed = DLManagedTensor {
            dl_tensor: empty_tensor(),
            manager_ctx: std::ptr::null_mut(),
            deleter: Some(delete_legacy),
        };
        let mut context = Box::new(ExportContext { managed, held, shape, strides });
        let ExportContext { managed, shape, strides, .. } = &mut *context;
        managed.dl_tensor = tensor(shape, strides);
        let context = Box::into_raw(context);
        // SAFETY: as for the versioned capsule.
        unsafe {
            (*context).managed.manager_ctx = context.cast();
            capsule(py, std::ptr::addr_of_mut!((*context).managed).cast(), LEGACY, destroy_legacy)
        }
    }
}

fn empty_tensor() -> DLTensor {
    DLTensor {
        data: std::ptr::null_mut(),
        device: DLDevice { device_type: DLDeviceType::CPU, device_id: 0 },
        ndim: 0,
        dtype: DLDataType { code: DLDataTypeCode::UINT, bits: 8, lanes: 1 },
        shape: std::ptr::null_mut(),
        strides: std::ptr::null_mut(),
        byte_offset: 0,
    }
}

/// Wraps a managed tensor in a capsule named `name`.
///
/// # Safety
///
/// `pointer` must be a managed tensor of the kind `name` says, whose
/// deleter frees it; `destructor` must be the matching capsule destructor.
unsafe fn capsule<'py>(
    py: Python<'py>,
    pointer: *mut c_void,
    name: &'static CStr,
    destructor: unsafe extern "C" fn(*mut ffi::PyObject),
) -> PyResult<Bound<'py, PyAny>> {
    // SAFETY: `name` is a static string, as capsules require (they keep
    // the pointer); attached (`py`).
    let capsule = unsafe { ffi::PyCapsule_New(pointer, name.as_ptr(), Some(destructor)) };
    if capsule.is_null() {
        // Not wrapped: free the tensor ourselves.
        // SAFETY: the caller's contract: the deleter frees `pointer`.
        unsafe { destructor_call(pointer, name) };
        return Err(PyErr::fetch(py));
    }
    // SAFETY: a new reference, owned from here.
    Ok(unsafe { Bound::from_owned_ptr(py, capsule) })
}

/// Calls the deleter of the managed tensor at `pointer`.
///
/// # Safety
///
/// `pointer` must be a live managed tensor of the kind `name` says.
unsafe fn destructor_call(pointer: *mut c_void, name: &CStr) {
    // SAFETY: the caller's contract.
    unsafe {
        if name == VERSIONED {
            let managed = pointer.cast::<DLManagedTensorVersioned>();
            if let Some(deleter) = (*managed).deleter {
                deleter(managed);
            }
        } else {
            let managed = pointer.cast::<DLManagedTensor>();
            if let Some(deleter) = (*managed).deleter {
                deleter(managed);
            }
        }
    }
}

/// The deleter of our versioned tensors: frees the context, which
/// releases the buffer request (attaching to the interpreter if need be).
unsafe extern "C" fn delete_versioned(managed: *mut DLManagedTensorVersioned) {
    if managed.is_null() {
        return;
    }
    // SAFETY: our tensors' `manager_ctx` is the box they live in, freed
    // once, here (the protocol calls the deleter once).
    unsafe { drop(Box::from_raw((*managed).manager_ctx.cast::<ExportContext<DLManagedTensorVersioned>>())) };
}

/// The deleter of our legacy tensors (see [`delete_versioned`]).
unsafe extern "C" fn delete_legacy(managed: *mut DLManagedTensor) {
    if managed.is_null() {
        return;
    }
    // SAFETY: as in `delete_versioned`.
    unsafe { drop(Box::from_raw((*managed).manager_ctx.cast::<ExportContext<DLManagedTensor>>())) };
}

/// Frees the tensor of a capsule nobody consumed (still named
/// `dltensor*`); a consumed capsule (`used_dltensor*`) belongs to its
/// consumer, which calls the deleter itself.
fn destroy(capsule: *mut ffi::PyObject, name: &'static CStr) {
    // SAFETY: CPython calls a capsule's destructor attached, with the
    // capsule alive; `PyCapsule_IsValid` only compares the name, and a
    // valid capsule's pointer is the managed tensor we made. An exception
    // set meanwhile (the capsule may die while one propagates) is kept.
    unsafe {
        if ffi::PyCapsule_IsValid(capsule, name.as_ptr()) == 1 {
            let py = Python::assume_attached();
            let pending = PyErr::take(py);
            let pointer = ffi::PyCapsule_GetPointer(capsule, name.as_ptr());
            if !pointer.is_null() {
                destructor_call(pointer, name);
            }
            if let Some(err) = pending {
                err.restore(py);
            }
        }
    }
}

unsafe extern "C" fn destroy_versioned(capsule: *mut ffi::PyObject) {
    destroy(capsule, VERSIONED);
}

unsafe extern "C" fn destroy_legacy(capsule: *mut ffi::PyObject) {
    destroy(capsule, LEGACY);
}

// ---------------------------------------------------------------- import

/// A consumed managed tensor; its deleter runs when this is dropped.
#[derive(Debug)]
enum Managed {
    Versioned(NonNull<DLManagedTensorVersioned>),
    Legacy(NonNull<DLManagedTensor>),
}

/// A DLPack tensor taken from a capsule, held until dropped.
#[derive(Debug)]
pub(crate) struct Imported {
    managed: Managed,
    readonly: bool,
}

impl Imported {
    /// Whether the producer marked the tensor read-only (always true for
    /// legacy tensors, which cannot say).
    pub(crate) fn readonly(&self) -> bool {
        self.readonly
    }

    fn tensor(&self) -> &DLTensor {
        // SAFETY: the managed tensor lives until our drop calls its
        // deleter.
        unsafe {
            match self.managed {
                Managed::Versioned(m) => &(*m.as_ptr()).dl_tensor,
                Managed::Legacy(m) => &(*m.as_ptr()).dl_tensor,
            }
        }
    }
}

impl Drop for Imported {
    fn drop(&mut self) {
        // The deleter may drop Python objects: call it attached. After
        // finalization, leak rather than touch a dead interpreter.
        let managed = &self.managed;
        let _ = Python::try_attach(|_py| {
            // SAFETY: we own the consumed tensor; its deleter is called
            // once, here.
            unsafe {
                match *managed {
                    Managed::Versioned(m) => {
                        if let Some(deleter) = (*m.as_ptr()).deleter {
                            deleter(m.as_ptr());
                        }
                    }
                    Managed::Legacy(m) => {
                        if let Some(deleter) = (*m.as_ptr()).deleter {
                            deleter(m.as_ptr());
                        }
                    }
                }
            }
        });
    }
}

/// The devices whose memory the CPU reads directly: CPU, and host memory
/// pinned by CUDA or ROCm.
fn host_readable(device_type: i64) -> bool {
    matches!(device_type, 1 | 3 | 11)
}

/// Takes `obj`'s DLPack tensor as held memory and its checked description.
///
/// # Errors
///
/// The producer's exceptions; `BufferError` for tensors this crate cannot
/// view (see the module documentation).
pub(crate) fn import(obj: &Bound<'_, PyAny>) -> PyResult<(Held, RawBuffer)> {
    let py = obj.py();
    if let Ok(device) = obj.call_method0("__dlpack_device__") {
        let (device_type, _): (i64, i64) = device.extract()?;
        if !host_readable(device_type) {
            return Err(buffer_error(refused(format!(
                "the DLPack tensor is on device type {device_type}, not in CPU memory"
            ))));
        }
    }
    let kwargs = PyDict::new(py);
    kwargs.set_item("max_version", (VERSION.major, VERSION.minor))?;
    let capsule = match obj.call_method("__dlpack__", (), Some(&kwargs)) {
        Ok(capsule) => capsule,
        // Producers from before the versioned protocol take no arguments.
        Err(err) if err.is_instance_of::<pyo3::exceptions::PyTypeError>(py) => obj.call_method0("__dlpack__")?,
        Err(err) => return Err(err),
    };
    let ptr = capsule.as_ptr();
    // SAFETY: `capsule` is a live object (attached); the checks below only
    // read its type and name.
    let name = unsafe {
        if ffi::PyCapsule_CheckExact(ptr) == 0 {
            return Err(pyo3::exceptions::PyTypeError::new_err("__dlpack__ did not return a capsule"));
        }
        let name = ffi::PyCapsule_GetName(ptr);
        if name.is_null() { c"" } else { CStr::from_ptr(name) }
    };
    let (versioned, used) = if name == VERSIONED {
        (true, USED_VERSIONED)
    } else if name == LEGACY {
        (false, USED_LEGACY)
    } else {
        return Err(buffer_error(refused(format!(
            "the capsule is named {name:?}, not a DLPack tensor (consumed capsules are named used_dltensor*)"
        ))));
    };
    // SAFETY: the name was just read from the capsule; renaming it marks
    // the tensor consumed, so its destructor leaves it to us.
    let pointer = unsafe {
        let pointer = ffi::PyCapsule_GetPointer(ptr, name.as_ptr());
        if pointer.is_null() {
            return Err(PyErr::fetch(py));
        }
        if ffi::PyCapsule_SetName(ptr, used.as_ptr()) != 0 {
            return Err(PyErr::fetch(py));
        }
        pointer
    };
    let imported = if versioned {
        let managed = NonNull::new(pointer.cast::<DLManagedTensorVersioned>())
            .ok_or_else(|| buffer_error(refused("null DLPack tensor")))?;
        // SAFETY: a `dltensor_versioned` capsule holds a managed tensor
        // whose `version` and `flags` may be read before the ABI check.
        let (version, flags) = unsafe { ((*managed.as_ptr()).version, (*managed.as_ptr()).flags) };
        let imported =
            Imported { managed: Managed::Versioned(managed), readonly: flags.contains(DlpackFlags::READ_ONLY) };
        if version.major != VERSION.major {
            // Only the deleter may be called (dropping `imported`).
            return Err(buffer_error(refused(format!(
                "DLPack version {}.{} is not supported",
                version.major, version.minor
            ))));
        }
        imported
    } else {
        let managed = NonNull::new(pointer.cast::<DLManagedTensor>())
            .ok_or_else(|| buffer_error(refused("null DLPack tensor")))?;
        Imported { managed: Managed::Legacy(managed), readonly: true }
    };
    let raw = describe(imported.tensor()).map_err(buffer_error)?;
    Ok((Held::Dlpack(imported), raw))
}

/// The checked description of a DLPack tensor.
fn describe(tensor: &DLTensor) -> Result<RawBuffer> {
    let device = i64::from(tensor.device.device_type.0);
    if !host_readable(device) {
        return Err(refused(format!("the DLPack tensor is on device type {device}, not in CPU memory")));
    }
    let format = format_of(tensor.dtype)?;
    let itemsize = format.itemsize();
    let ndim = usize::try_from(tensor.ndim).map_err(|_| Error::new(ErrorKind::InvalidLayout, "negative ndim"))?;
    if ndim > MAX_NDIM {
        return Err(Error::new(ErrorKind::TooManyDimensions, format!("{ndim} dimensions (at most {MAX_NDIM})")));
    }
    let read = |p: *mut i64| -> Option<&[i64]> {
        // SAFETY: a DLPack tensor's non-null shape and strides hold `ndim`
        // entries, alive until its deleter runs.
        (!p.is_null() && ndim > 0).then(|| unsafe { std::slice::from_raw_parts(p.cast_const(), ndim) })
    };
    let shape = match read(tensor.shape) {
        Some(shape) => shape
            .iter()
            .map(|&n| {
                usize::try_from(n).map_err(|_| Error::new(ErrorKind::InvalidLayout, format!("negative extent {n}")))
            })
            .collect::<Result<Vec<usize>>>()?,
        None if ndim == 0 => Vec::new(),
        None => return Err(Error::new(ErrorKind::InvalidLayout, "the DLPack tensor has no shape")),
    };
    let overflow = || Error::new(ErrorKind::Overflow, "a DLPack stride in bytes does not fit in isize");
    let itemsize_signed = isize::try_from(itemsize).map_err(|_| overflow())?;
    let strides = match read(tensor.strides) {
        Some(strides) => strides
            .iter()
            .map(|&s| isize::try_from(s).ok().and_then(|s| s.checked_mul(itemsize_signed)).ok_or_else(overflow))
            .collect::<Result<Vec<isize>>>()?,
        // Before DLPack 1.2, null strides meant C-contiguous.
        None => crate::layout::order::contiguous_strides(&shape, itemsize, crate::layout::Order::C)?.to_vec(),
    };
    let layout = Layout::new(&shape, &strides, itemsize)?;
    let offset = usize::try_from(tensor.byte_offset).map_err(|_| overflow())?;
    let data = tensor.data.cast::<u8>().wrapping_add(offset);
    // An empty tensor may have a null pointer; nothing is read through it.
    let data = if data.is_null() && layout.is_empty() { NonNull::<u8>::dangling().as_ptr() } else { data };
    // SAFETY: the producer guarantees that the tensor's items (data +
    // byte_offset, shape, strides in items) stay valid until its deleter
    // runs, which happens when the `Imported` holding them is dropped,
    // after every view of them. Writes follow the read-only flag.
    let view = unsafe { BufferView::from_raw_parts(data, layout, format) }?;
    Ok(view.raw().clone())
}
