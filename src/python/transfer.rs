//! `copyto(dst, src)`: the crate's copy engine between any two Python
//! buffers, with NumPy's broadcasting and overlap handling.

use super::borrows::{self, Mode};
use super::held::Held;
use crate::copy::{self, Overlap};
use crate::error::{Error, ErrorKind, Result};
use crate::flags::BufferFlags;
use crate::layout::Layout;
use crate::raw::{RawBuffer, RawMut};
use pyo3::prelude::*;

/// Copies the items of `src` into `dst`, index by index, like
/// `numpy.copyto(dst, src)` for two arrays of the same type.
///
/// `dst` is acquired writable (`PyBUF_FULL`), `src` read-only (its buffer,
/// or its DLPack tensor); `src` is broadcast to `dst`'s shape by NumPy's
/// rule (trailing dimensions aligned, extents of 1 and missing leading
/// dimensions repeated). Memory shared by both (`copyto(a, a.T)`) is
/// copied as if through a temporary.
///
/// # Errors
///
/// The acquisition errors; `ValueError` if the shapes do not broadcast or
/// the items differ: the formats must describe the same bytes
/// ([`Format::equivalent`](crate::Format::equivalent), or the same text
/// ignoring a leading `'@'`, as CPython's slice assignment wants), and the
/// itemsizes must be equal.
pub(crate) fn copyto(dst: &Bound<'_, PyAny>, src: &Bound<'_, PyAny>) -> PyResult<()> {
    let (_dst_held, dst_raw) = Held::acquire(dst, BufferFlags::FULL)?;
    let (_src_held, src_raw) = super::acquire_readonly(src)?;
    // The same items by meaning (`Format::equivalent`): NumPy writes one
    // record dtype as 'T{=i:a:B:b:}' or 'T{i:a:B:b:}' depending on the
    // array's address, and both describe the same bytes.
    let same_text = dst_raw.format().same_structure(src_raw.format());
    if !(same_text || dst_raw.format().equivalent(src_raw.format()))
        || dst_raw.layout().itemsize() != src_raw.layout().itemsize()
    {
        return Err(Error::new(
            ErrorKind::IncompatibleFormat,
            format!(
                "copyto: the items differ (formats '{}' and '{}', itemsizes {} and {}); \
                 cast one of them first",
                dst_raw.format().as_str(),
                src_raw.format().as_str(),
                dst_raw.layout().itemsize(),
                src_raw.layout().itemsize()
            ),
        )
        .into());
    }
    let src_raw = broadcast(src_raw, dst_raw.layout().shape())?;
    // No Rust borrow may hold either side (a check, not a registration:
    // this runs holding the GIL and calls no Python code).
    borrows::check(|| dst_raw.address_span(), Mode::Exclusive)?;
    borrows::check(|| src_raw.address_span(), Mode::Shared)?;
    // SAFETY: `dst_raw` describes memory the exporter granted writable
    // (a successful `WRITABLE` request, checked in `describe_buffer`),
    // valid until `_dst_held` is released at the end of this function;
    // no Rust borrow holds it (checked), none can begin meanwhile, and
    // Python code does not run during the copy (we hold the GIL and call
    // nothing). The only other access is the read of `src_raw`, which
    // the copy engine treats as possibly overlapping.
    let mut target = unsafe { RawMut::new(dst_raw) };
    copy::assign(&mut target, &src_raw, Overlap::Possible)?;
    Ok(())
}

/// `src` seen with `shape`, by NumPy's broadcasting rule: dimensions are
/// aligned at the end; a missing or extent-1 source dimension is repeated
/// (stride 0).
fn broadcast(src: RawBuffer, shape: &[usize]) -> Result<RawBuffer> {
    if src.layout().shape() == shape {
        return Ok(src);
    }
    let layout = src.layout();
    let mismatch = || {
        Error::new(
            ErrorKind::ShapeMismatch,
            format!(
                "could not broadcast the source of shape {:?} into the destination of shape {shape:?}",
                layout.shape()
            ),
        )
    };
    if layout.ndim() > shape.len() || layout.is_indirect() {
        return Err(mismatch());
    }
    let lead = shape.len() - layout.ndim();
    let mut strides = vec![0isize; shape.len()];
    for (d, (&extent, &stride)) in layout.shape().iter().zip(layout.strides()).enumerate() {
        match extent {
            e if e == shape[lead + d] => strides[lead + d] = stride,
            1 => strides[lead + d] = 0,
            _ => return Err(mismatch()),
        }
    }
    let broadcast = Layout::new(shape, &strides, layout.itemsize())?;
    // Every item of the broadcast layout is an item of `src` (each index
    // maps to an in-range index of the source, or to index 0 of an
    // extent-1 dimension).
    Ok(src.rebased(broadcast, Default::default()))
}
