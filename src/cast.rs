//! `cast` and `reshape`: new layouts and formats for the same bytes.
//!
//! `cast` follows `memoryview.cast` in CPython 3.11 (rules 43–47 of the
//! reference): the source must be C-contiguous; the target format is `'@'`
//! plus one native code from `cbBhHiIlLqQnNfd?P`; one side must be a byte
//! format (`b`, `B`, `c`); a shape may be given for a 1-D → N-D or
//! N-D → 1-D cast. `reshape` is the N-D → N-D relayout memoryview lacks:
//! same format, any shape with the same number of items, C-contiguous
//! views only.
//!
//! One deliberate difference: contiguity is `PyBuffer_IsContiguous`'s,
//! so an empty 1-D view with a non-unit stride can be cast (CPython's
//! cached flags refuse it).
#![forbid(unsafe_code)]

use crate::error::{Error, ErrorKind, Result};
use crate::format::Format;
use crate::layout::{Layout, MAX_NDIM, Order};

/// Target formats `cast` accepts (CPython 3.11).
pub(crate) const CAST_CODES: &str = "cbBhHiIlLqQnNfd?P";

fn is_byte_format(format: &Format) -> bool {
    matches!(format.native_code(), Some('b' | 'B' | 'c'))
}

/// The layout and format of `layout`/`format` cast to `new_format`,
/// optionally with `shape`.
pub(crate) fn cast(
    layout: &Layout,
    format: &Format,
    new_format: &str,
    shape: Option<&[usize]>,
) -> Result<(Layout, Format)> {
    if !layout.is_contiguous(Order::C) {
        return Err(Error::new(ErrorKind::NotContiguous, "memoryview: casts are restricted to C-contiguous views"));
    }
    if (shape.is_some() || layout.ndim() != 1) && layout.is_empty() {
        return Err(Error::new(
            ErrorKind::ShapeMismatch,
            "memoryview: cannot cast view with zeros in shape or strides",
        ));
    }
    let code = new_format.strip_prefix('@').unwrap_or(new_format);
    let mut chars = code.chars();
    let valid_code = matches!((chars.next(), chars.next()), (Some(c), None) if CAST_CODES.contains(c));
    if !valid_code {
        return Err(Error::new(
            ErrorKind::IncompatibleFormat,
            "memoryview: destination format must be a native single character format \
             prefixed with an optional '@'",
        ));
    }
    let target = Format::parse(new_format)?;
    if !is_byte_format(format) && !is_byte_format(&target) {
        return Err(Error::new(ErrorKind::IncompatibleFormat, "memoryview: cannot cast between two non-byte formats"));
    }
    let itemsize = target.itemsize();
    let nbytes = layout.nbytes();
    if !nbytes.is_multiple_of(itemsize) {
        return Err(Error::new(ErrorKind::ShapeMismatch, "memoryview: length is not a multiple of itemsize"));
    }
    let new_layout = match shape {
        None => Layout::contiguous(&[nbytes / itemsize], itemsize, Order::C)?,
        Some(shape) => {
            if shape.len() > MAX_NDIM {
                return Err(Error::new(
                    ErrorKind::TooManyDimensions,
                    "memoryview: number of dimensions must not exceed 64",
                ));
            }
            if layout.ndim() != 1 && shape.len() != 1 {
                return Err(Error::new(ErrorKind::ShapeMismatch, "memoryview: cast must be 1D -> ND or ND -> 1D"));
            }
            if shape.contains(&0) {
                return Err(Error::new(
                    ErrorKind::InvalidLayout,
                    "memoryview.cast(): elements of shape must be integers > 0",
                ));
            }
            sized_layout(shape, itemsize, nbytes)?
        }
    };
    Ok((new_layout, target))
}

/// A C-contiguous layout of `shape` that must hold exactly `nbytes`.
fn sized_layout(shape: &[usize], itemsize: usize, nbytes: usize) -> Result<Layout> {
    let mismatch = || Error::new(ErrorKind::ShapeMismatch, "memoryview: product(shape) * itemsize != buffer size");
    let items = shape.iter().try_fold(1_usize, |acc, &n| acc.checked_mul(n)).ok_or_else(mismatch)?;
    if items.checked_mul(itemsize) != Some(nbytes) {
        return Err(mismatch());
    }
    Layout::contiguous(shape, itemsize, Order::C)
}

/// `layout` with a new shape of the same number of items (C order).
pub(crate) fn reshape(layout: &Layout, shape: &[usize]) -> Result<Layout> {
    if !layout.is_contiguous(Order::C) {
        return Err(Error::new(ErrorKind::NotContiguous, "reshape needs a C-contiguous view"));
    }
    if shape.len() > MAX_NDIM {
        return Err(Error::new(ErrorKind::TooManyDimensions, "number of dimensions must not exceed 64"));
    }
    let items = shape.iter().try_fold(1_usize, |acc, &n| acc.checked_mul(n));
    if items != Some(layout.len()) {
        return Err(Error::new(
            ErrorKind::ShapeMismatch,
            format!("cannot reshape {} items to shape {shape:?}", layout.len()),
        ));
    }
    Layout::contiguous(shape, layout.itemsize(), Order::C)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(n: usize) -> (Layout, Format) {
        (Layout::contiguous(&[n], 1, Order::C).unwrap(), Format::parse("B").unwrap())
    }

    #[test]
    fn byte_to_typed_and_back() {
        let (l, f) = bytes(24);
        let (l2, f2) = cast(&l, &f, "d", None).unwrap();
        assert_eq!((l2.shape(), f2.as_str()), (&[3][..], "d"));
        let (l3, _) = cast(&l2, &f2, "B", Some(&[2, 12])).unwrap();
        assert_eq!(l3.shape(), &[2, 12]);
        let (l4, _) = cast(&l, &f, "@i", Some(&[2, 3])).unwrap();
        assert_eq!(l4.strides(), &[12, 4]);
    }

    #[test]
    fn cpython_refusals() {
        let (l, f) = bytes(24);
        let kind = |r: Result<(Layout, Format)>| r.unwrap_err().kind();
        assert_eq!(kind(cast(&l, &f, "<i", None)), ErrorKind::IncompatibleFormat);
        assert_eq!(kind(cast(&l, &f, "e", None)), ErrorKind::IncompatibleFormat);
        assert_eq!(kind(cast(&l, &f, "5d", None)), ErrorKind::IncompatibleFormat);
        let (d, fd) = cast(&l, &f, "d", None).unwrap();
        assert_eq!(kind(cast(&d, &fd, "i", None)), ErrorKind::IncompatibleFormat);
        assert_eq!(kind(cast(&l, &f, "q", Some(&[2]))), ErrorKind::ShapeMismatch);
        assert_eq!(kind(cast(&l, &f, "B", Some(&[0, 24]))), ErrorKind::InvalidLayout);
        let (l5, _) = bytes(10);
        assert_eq!(kind(cast(&l5, &f, "i", None)), ErrorKind::ShapeMismatch);
        let (nd, fnd) = cast(&l, &f, "B", Some(&[2, 12])).unwrap();
        assert_eq!(kind(cast(&nd, &fnd, "B", Some(&[3, 8]))), ErrorKind::ShapeMismatch);
        let rev = Layout::new(&[24], &[-1], 1).unwrap();
        assert_eq!(kind(cast(&rev, &f, "B", None)), ErrorKind::NotContiguous);
        let empty = Layout::new(&[0, 2], &[2, 1], 1).unwrap();
        assert_eq!(kind(cast(&empty, &f, "B", None)), ErrorKind::ShapeMismatch);
    }

    #[test]
    fn scalar_cast() {
        let (l, f) = bytes(8);
        let (s, _) = cast(&l, &f, "q", Some(&[])).unwrap();
        assert_eq!((s.ndim(), s.len()), (0, 1));
    }

    #[test]
    fn reshape_keeps_items() {
        let l = Layout::contiguous(&[2, 6], 4, Order::C).unwrap();
        assert_eq!(reshape(&l, &[3, 2, 2]).unwrap().strides(), &[16, 8, 4]);
        assert_eq!(reshape(&l, &[5]).unwrap_err().kind(), ErrorKind::ShapeMismatch);
        let f = Layout::contiguous(&[2, 6], 4, Order::F).unwrap();
        assert_eq!(reshape(&f, &[12]).unwrap_err().kind(), ErrorKind::NotContiguous);
    }
}
