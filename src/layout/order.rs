//! Memory orders and contiguity: `PyBuffer_IsContiguous` and
//! `PyBuffer_FillContiguousStrides`.
#![forbid(unsafe_code)]
#![deny(clippy::arithmetic_side_effects, clippy::as_conversions)]

use super::Layout;
use super::dims::DimVec;
use crate::error::{Error, ErrorKind, Result};

/// A memory order for contiguity tests and copies.
///
/// # Examples
///
/// ```
/// use memoryview::Order;
///
/// assert_eq!(Order::from_char('F').unwrap(), Order::F);
/// assert!(Order::from_char('c').is_err()); // CPython is case-sensitive too
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Order {
    /// Row-major: the last index varies fastest.
    #[default]
    C,
    /// Column-major (Fortran): the first index varies fastest.
    F,
    /// "Any": C or Fortran. As a contiguity test it accepts either; as a copy
    /// order it keeps the stored order of a contiguous buffer and means C
    /// otherwise (see [`Layout::resolve_order`]).
    A,
}

impl Order {
    /// Parses `'C'`, `'F'` or `'A'`, as `memoryview.tobytes(order=…)` does.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`] for any other character (including
    /// lower case), with CPython's message.
    pub fn from_char(c: char) -> Result<Order> {
        match c {
            'C' => Ok(Order::C),
            'F' => Ok(Order::F),
            'A' => Ok(Order::A),
            _ => Err(Error::new(ErrorKind::Unsupported, "order must be 'C', 'F' or 'A'")),
        }
    }
}

/// Strides of a contiguous array of `shape` in `order` (`F` gives Fortran
/// strides, anything else C strides), in bytes.
pub(crate) fn contiguous_strides(shape: &[usize], itemsize: usize, order: Order) -> Result<DimVec<isize>> {
    let overflow = || Error::new(ErrorKind::Overflow, "the array's size does not fit in isize");
    let mut strides = DimVec::filled(0_isize, shape.len());
    let mut step = isize::try_from(itemsize).map_err(|_| overflow())?;
    let mut assign = |slot: &mut isize, extent: usize| -> Result<()> {
        *slot = step;
        // An extent of 0 makes the array empty; keep the remaining strides
        // meaningful by treating it as 1.
        let extent = isize::try_from(extent.max(1)).map_err(|_| overflow())?;
        step = step.checked_mul(extent).ok_or_else(overflow)?;
        Ok(())
    };
    match order {
        Order::F => {
            for (slot, &extent) in strides.iter_mut().zip(shape) {
                assign(slot, extent)?;
            }
        }
        Order::C | Order::A => {
            for (slot, &extent) in strides.iter_mut().zip(shape).rev() {
                assign(slot, extent)?;
            }
        }
    }
    Ok(strides)
}

/// `PyBuffer_IsContiguous(view, order)` for a layout (rules 12–15).
pub(crate) fn is_contiguous(layout: &Layout, order: Order) -> bool {
    if layout.is_indirect() {
        return false;
    }
    match order {
        Order::C => packed(layout, true),
        Order::F => packed(layout, false),
        Order::A => packed(layout, true) || packed(layout, false),
    }
}

/// The C (`last_fastest`) or Fortran walk: every dimension of extent > 1
/// must have the stride that packing the faster dimensions gives.
fn packed(layout: &Layout, last_fastest: bool) -> bool {
    if layout.is_empty() {
        return true;
    }
    let mut expected = layout.itemsize();
    let dims = layout.shape().iter().zip(layout.strides());
    let mut check = |(&extent, &stride): (&usize, &isize)| -> bool {
        if extent > 1 && usize::try_from(stride) != Ok(expected) {
            return false;
        }
        // Invariant 2 of `Layout` bounds this product.
        expected = expected.saturating_mul(extent);
        true
    };
    if last_fastest { dims.rev().all(&mut check) } else { dims.into_iter().all(check) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extent_one_dims_take_any_stride() {
        // shape (3,1) strides (1,7) itemsize 1 is both C and F (rule 15).
        let l = Layout::new(&[3, 1], &[1, 7], 1).unwrap();
        assert!(l.is_contiguous(Order::C) && l.is_contiguous(Order::F));
    }

    #[test]
    fn empty_is_contiguous_unless_indirect() {
        let l = Layout::new(&[2, 0], &[-5, 3], 4).unwrap();
        assert!(l.is_contiguous(Order::C) && l.is_contiguous(Order::F));
        let pil = Layout::with_suboffsets(&[0], &[8], &[0], 1).unwrap();
        assert!(!pil.is_contiguous(Order::A));
        let all_negative = Layout::with_suboffsets(&[3], &[1], &[-1], 1).unwrap();
        assert!(!all_negative.is_contiguous(Order::C));
    }

    #[test]
    fn scalar_is_both() {
        let l = Layout::scalar(8).unwrap();
        assert!(l.is_contiguous(Order::C) && l.is_contiguous(Order::F));
    }

    #[test]
    fn fortran_strides() {
        assert_eq!(&*contiguous_strides(&[2, 0, 3], 2, Order::F).unwrap(), &[2, 4, 4]);
        assert_eq!(&*contiguous_strides(&[2, 0, 3], 2, Order::A).unwrap(), &[6, 6, 2]);
        assert!(contiguous_strides(&[usize::MAX / 2, 4], 8, Order::C).is_err());
    }

    #[test]
    fn resolve_any_order() {
        let f = Layout::contiguous(&[2, 3], 1, Order::F).unwrap();
        assert_eq!(f.resolve_order(Order::A), Order::F);
        let c = Layout::contiguous(&[2, 3], 1, Order::C).unwrap();
        assert_eq!(c.resolve_order(Order::A), Order::C);
        let neither = Layout::new(&[2, 3], &[3, -1], 1).unwrap();
        assert_eq!(neither.resolve_order(Order::A), Order::C);
    }
}
