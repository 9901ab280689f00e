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
///
/// # Errors
///
/// [`ErrorKind::Overflow`] unless `itemsize × Π max(extent, 1)` fits in
/// `isize`.
#[inline]
pub(crate) fn contiguous_strides(shape: &[usize], itemsize: usize, order: Order) -> Result<DimVec<isize>> {
    let mut strides = DimVec::filled(0_isize, shape.len());
    match fill_contiguous_strides(&mut strides, shape, itemsize, order) {
        Some(()) => Ok(strides),
        None => Err(size_overflow()),
    }
}

/// Writes the strides into `strides` (one slot per extent); `None` on
/// overflow. Every step is checked, but failure carries no message here:
/// the caller words the one error, out of line, so that this loop stays
/// small enough to run inline when views are made in inner loops.
#[inline]
pub(crate) fn fill_contiguous_strides(
    strides: &mut [isize],
    shape: &[usize],
    itemsize: usize,
    order: Order,
) -> Option<()> {
    let mut step = isize::try_from(itemsize).ok()?;
    let mut assign = |slot: &mut isize, extent: usize| -> Option<()> {
        *slot = step;
        // An extent of 0 makes the array empty; keep the remaining strides
        // meaningful by treating it as 1.
        step = step.checked_mul(isize::try_from(extent.max(1)).ok()?)?;
        Some(())
    };
    match order {
        Order::F => strides.iter_mut().zip(shape).try_for_each(|(slot, &extent)| assign(slot, extent)),
        Order::C | Order::A => strides.iter_mut().zip(shape).rev().try_for_each(|(slot, &extent)| assign(slot, extent)),
    }
}

#[cold]
fn size_overflow() -> Error {
    Error::new(ErrorKind::Overflow, "the array's size does not fit in isize")
}

/// `PyBuffer_IsContiguous(view, order)` for a layout (rules 12–15).
pub(crate) fn is_contiguous(layout: &Layout, order: Order) -> bool {
    !layout.is_indirect() && parts_contiguous(layout.shape(), layout.strides(), layout.itemsize(), order)
}

/// [`is_contiguous`] for the parts of a direct layout.
pub(crate) fn parts_contiguous(shape: &[usize], strides: &[isize], itemsize: usize, order: Order) -> bool {
    match order {
        Order::C => packed(shape, strides, itemsize, true),
        Order::F => packed(shape, strides, itemsize, false),
        Order::A => packed(shape, strides, itemsize, true) || packed(shape, strides, itemsize, false),
    }
}

/// The order a copy in `order` packs a direct layout's items in:
/// [`Order::A`] is Fortran if the layout is Fortran- but not C-contiguous,
/// C otherwise (`PyBuffer_ToContiguous`'s rule).
#[inline]
pub(crate) fn resolve_order(shape: &[usize], strides: &[isize], itemsize: usize, order: Order) -> Order {
    match order {
        Order::A if !packed(shape, strides, itemsize, true) && packed(shape, strides, itemsize, false) => Order::F,
        Order::A => Order::C,
        other => other,
    }
}

/// The C (`last_fastest`) or Fortran walk: every dimension of extent > 1
/// must have the stride that packing the faster dimensions gives.
fn packed(shape: &[usize], strides: &[isize], itemsize: usize, last_fastest: bool) -> bool {
    if shape.contains(&0) {
        return true;
    }
    let mut expected = itemsize;
    let dims = shape.iter().zip(strides);
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
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    /// The strides `Layout::contiguous` gives, from a model that multiplies
    /// in `u128` without stopping early; `None` if the array's byte size
    /// (with extents of 0 counted as 1) does not fit in `isize`.
    fn model(shape: &[usize], itemsize: usize, order: Order) -> Option<Vec<isize>> {
        let limit = u128::try_from(isize::MAX).ok()?;
        let mut strides = vec![0_isize; shape.len()];
        let mut step = u128::try_from(itemsize).ok()?;
        let dims: Vec<usize> =
            if order == Order::F { (0..shape.len()).collect() } else { (0..shape.len()).rev().collect() };
        for d in dims {
            strides[d] = isize::try_from(step).ok()?;
            step = step.saturating_mul(u128::try_from(shape[d].max(1)).ok()?).min(limit + 1);
        }
        (step <= limit).then_some(strides)
    }

    /// `Layout::contiguous` (inline, one checked pass) against the model
    /// and against the general validator, `Layout::new`, on the same
    /// strides: same layout when valid, same error kind when not.
    #[test]
    fn contiguous_matches_a_model_and_the_validator() {
        let big = usize::try_from(isize::MAX).unwrap();
        let shapes: Vec<Vec<usize>> = vec![
            vec![],
            vec![0],
            vec![1],
            vec![5],
            vec![8, 8],
            vec![2, 0, 3],
            vec![3, 1, 4, 1, 5],
            vec![2; 8],
            vec![2; 9],
            vec![1; 64],
            vec![1; 65],
            vec![big],
            vec![big, 0],
            vec![0, big],
            vec![big / 2 + 1, 2],
            vec![1 << 40, 1 << 40],
            vec![1 << 31, 1 << 31, 0],
            vec![usize::MAX],
            vec![usize::MAX, 0],
            vec![3; 40],
        ];
        for shape in &shapes {
            for itemsize in [0, 1, 3, 4, 8, big, big + 1] {
                for order in [Order::C, Order::F, Order::A] {
                    let got = Layout::contiguous(shape, itemsize, order);
                    let too_many = shape.len() > crate::layout::MAX_NDIM;
                    match model(shape, itemsize, order) {
                        _ if too_many || itemsize == 0 => {
                            let want = Layout::new(shape, &vec![0; shape.len()], itemsize).unwrap_err().kind();
                            assert_eq!(got.unwrap_err().kind(), want, "{shape:?} {itemsize}");
                        }
                        Some(strides) => {
                            let want = Layout::new(shape, &strides, itemsize).unwrap();
                            assert_eq!(got.unwrap(), want, "{shape:?} {itemsize} {order:?}");
                        }
                        None => {
                            assert_eq!(got.unwrap_err().kind(), ErrorKind::Overflow, "{shape:?} {itemsize}");
                        }
                    }
                }
            }
        }
    }

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
