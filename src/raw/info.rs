//! `BufferInfo`: the C `Py_buffer` struct, for FFI.
//!
//! This is the unchecked edge of the crate: public fields, `#[repr(C)]`,
//! no invariants, exactly the layout CPython uses (so a `*mut Py_buffer`
//! can be cast to `*mut BufferInfo`). Views are made from it only through
//! `unsafe` constructors that read its arrays and then run the same checks
//! as every other constructor.

use crate::error::{Error, ErrorKind, Result};
use crate::format::Format;
use crate::layout::dims::DimVec;
use crate::layout::{Layout, MAX_NDIM, Order};
use core::ffi::{CStr, c_char, c_int, c_void};
use std::ptr;

/// The C `Py_buffer` struct (PEP 3118), field for field.
///
/// It carries no invariants: any field may be null or nonsense. Turn it into
/// a checked view with [`BufferView::from_buffer_info`](crate::BufferView::from_buffer_info);
/// get one from a view with [`Exported::to_buffer_info`](crate::Exported::to_buffer_info).
///
/// # Examples
///
/// ```
/// use memoryview::{BufferFlags, BufferInfo, BufferView, Exporter};
///
/// let data = [1.0f64, 2.0, 3.0];
/// let exported = data.get_buffer(BufferFlags::FULL_RO).unwrap();
/// let info: BufferInfo = exported.to_buffer_info();
/// assert_eq!((info.ndim, info.itemsize, info.len), (1, 8, 24));
///
/// // SAFETY: `info` describes `data`, which outlives `view` and is not
/// // written while it lives.
/// let view = unsafe { BufferView::from_buffer_info(&info) }.unwrap();
/// assert_eq!(view.format().as_str(), "d");
/// ```
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct BufferInfo {
    /// Address of the first item (before any suboffset is applied).
    pub buf: *mut c_void,
    /// The exporting object (a `PyObject*` in CPython); unused here.
    pub obj: *mut c_void,
    /// `product(shape) * itemsize`, in bytes.
    pub len: isize,
    /// Size of one item in bytes.
    pub itemsize: isize,
    /// Non-zero if the memory must not be written.
    pub readonly: c_int,
    /// Number of dimensions.
    pub ndim: c_int,
    /// NUL-terminated struct format; null means `"B"`.
    pub format: *mut c_char,
    /// `ndim` extents; null means `[len / itemsize]` (for `ndim == 1`).
    pub shape: *mut isize,
    /// `ndim` byte strides; null means C-contiguous.
    pub strides: *mut isize,
    /// `ndim` suboffsets; null means a direct buffer.
    pub suboffsets: *mut isize,
    /// Free for the exporter's use.
    pub internal: *mut c_void,
}

impl Default for BufferInfo {
    fn default() -> BufferInfo {
        BufferInfo {
            buf: ptr::null_mut(),
            obj: ptr::null_mut(),
            len: 0,
            itemsize: 0,
            readonly: 0,
            ndim: 0,
            format: ptr::null_mut(),
            shape: ptr::null_mut(),
            strides: ptr::null_mut(),
            suboffsets: ptr::null_mut(),
            internal: ptr::null_mut(),
        }
    }
}

fn invalid(message: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error::new(ErrorKind::InvalidLayout, message)
}

/// Reads a `BufferInfo` into a base pointer, a checked layout and a format,
/// filling missing fields as CPython does (rule 4).
///
/// # Safety
///
/// `format` must be null or a NUL-terminated string; `shape`, `strides` and
/// `suboffsets` must each be null or valid for reads of `ndim` `isize`s.
pub(crate) unsafe fn read_info(info: &BufferInfo) -> Result<(*mut u8, Layout, Format)> {
    if info.buf.is_null() {
        return Err(invalid("Py_buffer.buf must not be NULL"));
    }
    let ndim = usize::try_from(info.ndim).map_err(|_| invalid("Py_buffer.ndim is negative"))?;
    if ndim > MAX_NDIM {
        return Err(Error::new(
            ErrorKind::TooManyDimensions,
            format!("number of dimensions must not exceed {MAX_NDIM} (got {ndim})"),
        ));
    }
    let itemsize = usize::try_from(info.itemsize)
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| invalid(format!("Py_buffer.itemsize must be positive, got {}", info.itemsize)))?;
    let len = usize::try_from(info.len).map_err(|_| invalid("Py_buffer.len is negative"))?;
    let read = |p: *mut isize| -> Option<&[isize]> {
        // SAFETY: the caller guarantees a non-null array holds ndim
        // entries.
        (!p.is_null()).then(|| unsafe { std::slice::from_raw_parts(p.cast_const(), ndim) })
    };
    // Inline up to eight dimensions: buffers are taken in inner loops too.
    let mut shape = DimVec::filled(0usize, ndim);
    match read(info.shape) {
        Some(extents) => {
            for (slot, &n) in shape.iter_mut().zip(extents) {
                *slot = usize::try_from(n).map_err(|_| invalid(format!("negative extent {n} in Py_buffer.shape")))?;
            }
        }
        None if ndim == 0 => {}
        None if ndim == 1 => shape[0] = len / itemsize,
        None => return Err(invalid("Py_buffer.shape is NULL but ndim > 1")),
    }
    let strides = match read(info.strides) {
        Some(strides) => DimVec::from_slice(strides),
        None => crate::layout::order::contiguous_strides(&shape, itemsize, Order::C)?,
    };
    let layout = match read(info.suboffsets) {
        Some(suboffsets) => Layout::with_suboffsets(&shape, &strides, suboffsets, itemsize)?,
        None => Layout::from_dims(shape, strides, itemsize)?,
    };
    if layout.nbytes() != len {
        return Err(Error::new(
            ErrorKind::LengthMismatch,
            format!("Py_buffer.len is {len} but shape and itemsize make {}", layout.nbytes()),
        ));
    }
    let format = if info.format.is_null() {
        Format::bytes()
    } else {
        // SAFETY: the caller guarantees a NUL-terminated string.
        let text = unsafe { CStr::from_ptr(info.format) };
        let text = text.to_str().map_err(|_| {
            Error::new(ErrorKind::InvalidFormat, "Py_buffer.format is not UTF-8").at(text
                .to_bytes()
                .utf8_chunks()
                .next()
                .map_or(0, |c| c.valid().len()))
        })?;
        Format::foreign(text)
    };
    Ok((info.buf.cast(), layout, format))
}
