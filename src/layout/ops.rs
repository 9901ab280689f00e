//! Metadata-only transforms of a layout: slicing (Python semantics, any
//! dimension), indexing an axis away, and permuting axes.
//!
//! Each returns a new layout plus how the base pointer moves. None touches
//! memory, and each selects a subset of the items or reorders dimensions, so
//! the [`Layout`] invariants and every bound proven for the original hold
//! for the result.
//!
//! Moving the base is where suboffsets need care (CPython's `init_slice`):
//! an offset that belongs *after* a pointer load is added to the
//! displacement of the nearest dereferenced dimension applied before the
//! sliced one, not to the base.
#![forbid(unsafe_code)]
#![deny(clippy::arithmetic_side_effects, clippy::as_conversions)]

use super::Layout;
use crate::error::{Error, ErrorKind, Result};
use crate::slice::Slice;

/// How the base pointer moves after an axis operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BaseShift {
    /// Add this many bytes to the base pointer.
    Offset(isize),
    /// The removed axis was dereferenced first: the new base is the pointer
    /// loaded from `base + offset`, plus `suboffset`.
    Deref { offset: isize, suboffset: isize },
}

impl Default for BaseShift {
    /// The base stays where it is.
    fn default() -> BaseShift {
        BaseShift::Offset(0)
    }
}

fn overflow() -> Error {
    Error::new(ErrorKind::Overflow, "an offset does not fit in isize")
}

fn no_axis(axis: usize, ndim: usize) -> Error {
    Error::new(ErrorKind::InvalidAxis, format!("axis {axis} does not exist in a {ndim}-dimensional view"))
}

impl Layout {
    /// Slices dimensions `0..slices.len()` with Python semantics; later
    /// dimensions are kept whole. Returns the new layout and the byte offset
    /// to add to the base pointer.
    ///
    /// An empty result keeps the base where it is: nothing will be read
    /// through it, and moving it could drive a displacement negative.
    pub(crate) fn slice(&self, slices: &[Slice]) -> Result<(Layout, isize)> {
        if slices.len() > self.ndim() {
            return Err(Error::new(
                ErrorKind::InvalidSlice,
                format!("{} slices given for a {}-dimensional view", slices.len(), self.ndim()),
            ));
        }
        let mut out = self.clone();
        let mut base: isize = 0;
        for (axis, slice) in slices.iter().enumerate() {
            let delta = out.slice_in_place(axis, *slice)?;
            base = base.checked_add(delta).ok_or_else(overflow)?;
        }
        if out.is_empty() {
            base = 0;
        }
        Ok((out, base))
    }

    /// Slices one axis; see [`Layout::slice`].
    pub(crate) fn slice_axis(&self, axis: usize, slice: Slice) -> Result<(Layout, isize)> {
        if axis >= self.ndim() {
            return Err(no_axis(axis, self.ndim()));
        }
        let mut out = self.clone();
        let base = out.slice_in_place(axis, slice)?;
        let base = if out.is_empty() { 0 } else { base };
        Ok((out, base))
    }

    fn slice_in_place(&mut self, axis: usize, slice: Slice) -> Result<isize> {
        let (start, step, len) = slice.indices(self.shape[axis])?;
        let stride = self.strides[axis];
        let empty = self.is_empty() || len == 0;
        self.shape[axis] = len;
        // A dimension of extent <= 1 never uses its stride; keeping the old
        // one avoids a meaningless overflow (`a[::2**62]`).
        if len > 1 {
            // |stride * step * (len-1)| <= |stride * (extent-1)|: invariant 3.
            self.strides[axis] = stride.checked_mul(step).ok_or_else(overflow)?;
        }
        if empty {
            return Ok(0);
        }
        let delta = stride.checked_mul(start).ok_or_else(overflow)?;
        self.shift_before(axis, delta)
    }

    /// Removes `axis` by fixing its index (negative indices count from the
    /// end once, as in Python).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::IndexOutOfBounds`] (naming the dimension from 1, as
    /// CPython does); [`ErrorKind::Unsupported`] when `axis` is dereferenced
    /// but not the first dimension applied, since the pointer to load would
    /// depend on the other indices.
    pub(crate) fn index_axis(&self, axis: usize, index: isize) -> Result<(Layout, BaseShift)> {
        let ndim = self.ndim();
        if axis >= ndim {
            return Err(no_axis(axis, ndim));
        }
        let extent = self.shape[axis];
        let position = resolve_index(index, extent, axis)?;
        let mut out = self.clone();
        let shift = if self.is_empty() {
            // Another dimension is empty: nothing is ever read.
            BaseShift::Offset(0)
        } else {
            // position < extent, so this is within the span (invariant 3).
            let delta = self.strides[axis].checked_mul(position).ok_or_else(overflow)?;
            if self.is_dereferenced(axis) {
                let ind = self.indirection().ok_or_else(overflow)?;
                if usize::from(ind.order[0]) != axis {
                    return Err(Error::new(
                        ErrorKind::Unsupported,
                        format!(
                            "cannot remove dimension {axis}: it is dereferenced after other \
                             dimensions; slice it to extent 1 instead"
                        ),
                    ));
                }
                BaseShift::Deref { offset: delta, suboffset: ind.suboffsets[axis] }
            } else {
                BaseShift::Offset(out.shift_before(axis, delta)?)
            }
        };
        out.remove_axis(axis);
        Ok((out, shift))
    }

    /// Reorders the axes: axis `i` of the result is axis `perm[i]` of
    /// `self`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidAxis`] unless `perm` is a permutation of
    /// `0..ndim`.
    pub(crate) fn permute_axes(&self, perm: &[usize]) -> Result<Layout> {
        let ndim = self.ndim();
        // ndim <= 64: one bit per axis.
        let mut seen: u64 = 0;
        let valid = perm.len() == ndim
            && perm.iter().all(|&axis| {
                let bit = 1_u64.checked_shl(u32::try_from(axis).unwrap_or(u32::MAX)).unwrap_or(0);
                let fresh = axis < ndim && seen & bit == 0;
                seen |= bit;
                fresh
            });
        if !valid {
            return Err(Error::new(
                ErrorKind::InvalidAxis,
                format!("{perm:?} is not a permutation of the axes of a {ndim}-dimensional view"),
            ));
        }
        let mut out = self.clone();
        out.shape = self.shape.permuted(perm);
        out.strides = self.strides.permuted(perm);
        if let Some(ind) = &mut out.indirect {
            ind.suboffsets = ind.suboffsets.permuted(perm);
            ind.deref = ind.deref.permuted(perm);
            // The dimensions are applied in the same physical order as
            // before; only their names change.
            let mut new_name = [0_u8; super::MAX_NDIM];
            for (new, &old) in perm.iter().enumerate() {
                new_name[old] = u8::try_from(new).unwrap_or(u8::MAX);
            }
            for applied in ind.order.iter_mut() {
                *applied = new_name[usize::from(*applied)];
            }
        }
        Ok(out)
    }

    /// The axes in reverse order (NumPy's `.T`).
    ///
    /// Always inlined: it is a few moves for a direct layout, and inlined
    /// into a view's `t()` the result is built where the view keeps it.
    #[inline(always)]
    pub(crate) fn reversed_axes(&self) -> Layout {
        if self.indirect.is_none() {
            // Direct layouts: just the two arrays reversed, built directly
            // rather than cloned and then reversed (views are transposed in
            // inner loops).
            return Layout {
                itemsize: self.itemsize,
                shape: self.shape.reversed(),
                strides: self.strides.reversed(),
                indirect: None,
            };
        }
        self.reversed_indirect_axes()
    }

    /// [`Layout::reversed_axes`] for indirect layouts, out of line: the
    /// application order must be renamed too.
    fn reversed_indirect_axes(&self) -> Layout {
        let mut perm = [0_usize; super::MAX_NDIM];
        let ndim = self.ndim();
        for (slot, axis) in perm.iter_mut().zip((0..ndim).rev()) {
            *slot = axis;
        }
        // The reverse of 0..ndim is always a permutation.
        self.permute_axes(&perm[..ndim]).unwrap_or_else(|_| self.clone())
    }

    /// Axes `a` and `b` exchanged.
    pub(crate) fn swap_axes(&self, a: usize, b: usize) -> Result<Layout> {
        let ndim = self.ndim();
        if a >= ndim || b >= ndim {
            return Err(Error::new(
                ErrorKind::InvalidAxis,
                format!("cannot swap axes {a} and {b} of a {ndim}-dimensional view"),
            ));
        }
        let mut perm = [0_usize; super::MAX_NDIM];
        for (axis, slot) in perm.iter_mut().enumerate().take(ndim) {
            *slot = axis;
        }
        perm.swap(a, b);
        self.permute_axes(&perm[..ndim])
    }

    /// Adds `delta` where an offset along `axis` belongs: to the
    /// displacement of the nearest dereferenced axis applied before `axis`,
    /// or (returned) to the base pointer.
    fn shift_before(&mut self, axis: usize, delta: isize) -> Result<isize> {
        let Some(ind) = &mut self.indirect else { return Ok(delta) };
        let position = ind.order.iter().position(|&d| usize::from(d) == axis).unwrap_or(0);
        let earlier = ind.order[..position].iter().rev().map(|&d| usize::from(d));
        for previous in earlier {
            if ind.deref[previous] {
                let sub = &mut ind.suboffsets[previous];
                *sub = sub.checked_add(delta).ok_or_else(overflow)?;
                return Ok(0);
            }
        }
        Ok(delta)
    }

    fn remove_axis(&mut self, axis: usize) {
        self.shape.remove(axis);
        self.strides.remove(axis);
        if self.ndim() == 0 {
            // A scalar has no suboffsets (rule 3).
            self.indirect = None;
        }
        if let Some(ind) = &mut self.indirect {
            ind.suboffsets.remove(axis);
            ind.deref.remove(axis);
            let position = ind.order.iter().position(|&d| usize::from(d) == axis).unwrap_or(0);
            ind.order.remove(position);
            for applied in ind.order.iter_mut() {
                if usize::from(*applied) > axis {
                    *applied = applied.saturating_sub(1);
                }
            }
        }
    }
}

/// Python's index rule: a negative index counts from the end once; then it
/// must lie in `0..extent`. Returns the index as an `isize`.
pub(crate) fn resolve_index(index: isize, extent: usize, axis: usize) -> Result<isize> {
    let n = isize::try_from(extent).map_err(|_| overflow())?;
    let position = if index < 0 { index.saturating_add(n) } else { index };
    if (0..n).contains(&position) {
        Ok(position)
    } else {
        Err(Error::new(
            ErrorKind::IndexOutOfBounds,
            // Axes are numbered from 0, as everywhere in this crate (CPython's
            // "on dimension 1" numbers them from 1).
            format!("index {index} is out of bounds for axis {axis} (extent {extent})"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::Order;

    #[test]
    fn slice_moves_base_and_scales_stride() {
        let l = Layout::new(&[3, 4], &[4, 1], 1).unwrap();
        let (s, base) = l.slice(&[Slice::FULL.step(-1), Slice::from(1..).step(2)]).unwrap();
        assert_eq!((s.shape(), s.strides(), base), (&[3, 2][..], &[-4, 2][..], 9));
    }

    #[test]
    fn empty_slice_keeps_base() {
        let l = Layout::new(&[5], &[8], 8).unwrap();
        let (s, base) = l.slice(&[Slice::from(-100..-100)]).unwrap();
        assert_eq!((s.shape(), base), (&[0][..], 0));
    }

    #[test]
    fn too_many_slices() {
        let l = Layout::new(&[5], &[8], 8).unwrap();
        assert_eq!(l.slice(&[Slice::FULL, Slice::FULL]).unwrap_err().kind(), ErrorKind::InvalidSlice);
    }

    #[test]
    fn slicing_after_a_dereference_moves_the_displacement() {
        // PIL: rows through pointers (dim 0), columns direct.
        let l = Layout::with_suboffsets(&[2, 3], &[8, 1], &[0, -1], 1).unwrap();
        let (s, base) = l.slice(&[Slice::from(1..), Slice::from(2..)]).unwrap();
        assert_eq!(base, 8); // dim 0 moves along the pointer table
        assert_eq!(s.suboffsets(), Some(&[2, -1][..])); // dim 1 moves the displacement
        // A displacement may go negative without losing the dereference.
        let (neg, _) = l.slice(&[Slice::FULL, Slice::FULL.step(-1)]).unwrap();
        let (neg, _) = neg.slice(&[Slice::FULL, Slice::from(1..)]).unwrap();
        assert_eq!(neg.suboffsets(), Some(&[1, -1][..]));
        let back = Layout::with_suboffsets(&[2, 3], &[8, -1], &[0, -1], 1).unwrap();
        let (s, _) = back.slice(&[Slice::FULL, Slice::from(1..)]).unwrap();
        assert_eq!(s.suboffsets(), Some(&[-1, -1][..]));
        assert!(s.is_dereferenced(0) && !s.is_py_buffer_compatible());
    }

    #[test]
    fn index_axis_direct_and_indirect() {
        let l = Layout::new(&[3, 4], &[4, 1], 1).unwrap();
        let (r, shift) = l.index_axis(0, -1).unwrap();
        assert_eq!((r.shape(), shift), (&[4][..], BaseShift::Offset(8)));
        assert_eq!(l.index_axis(1, 4).unwrap_err().kind(), ErrorKind::IndexOutOfBounds);
        assert!(l.index_axis(1, 4).unwrap_err().to_string().contains("axis 1"));

        let pil = Layout::with_suboffsets(&[2, 3], &[8, 1], &[5, -1], 1).unwrap();
        let (row, shift) = pil.index_axis(0, 1).unwrap();
        assert_eq!(shift, BaseShift::Deref { offset: 8, suboffset: 5 });
        assert_eq!(row.shape(), &[3]);
        let (col, shift) = pil.index_axis(1, 2).unwrap();
        assert_eq!(shift, BaseShift::Offset(0));
        assert_eq!(col.suboffsets(), Some(&[7][..]));
        let last = Layout::with_suboffsets(&[2, 3], &[8, 8], &[-1, 0], 1).unwrap();
        assert_eq!(last.index_axis(1, 0).unwrap_err().kind(), ErrorKind::Unsupported);
    }

    /// The direct transpose (shape and strides reversed in one pass) is
    /// the general permutation by the reversed axes.
    #[test]
    fn direct_reversal_is_the_reversing_permutation() {
        let shapes: Vec<Vec<usize>> =
            vec![vec![], vec![4], vec![2, 3], vec![2, 0, 3], vec![1, 2, 3, 4, 5, 6, 7, 8], vec![2; 9], vec![1; 64]];
        for shape in shapes {
            for order in [Order::C, Order::F] {
                let l = Layout::contiguous(&shape, 4, order).unwrap();
                let perm: Vec<usize> = (0..shape.len()).rev().collect();
                let t = l.reversed_axes();
                assert_eq!(t, l.permute_axes(&perm).unwrap(), "{shape:?}");
                assert_eq!(t.reversed_axes(), l);
            }
        }
        // Negative and zero strides, not a contiguous layout.
        let l = Layout::new(&[3, 2, 5], &[-40, 0, 8], 8).unwrap();
        assert_eq!((l.reversed_axes().shape(), l.reversed_axes().strides()), (&[5, 2, 3][..], &[8, 0, -40][..]));
    }

    #[test]
    fn permutation_keeps_application_order() {
        let pil = Layout::with_suboffsets(&[2, 3], &[8, 1], &[0, -1], 1).unwrap();
        let t = pil.reversed_axes();
        assert_eq!((t.shape(), t.strides()), (&[3, 2][..], &[1, 8][..]));
        assert!(t.is_dereferenced(1) && !t.is_py_buffer_compatible());
        // Dimension 1 (the rows) is still applied first.
        assert_eq!(t.indirection().unwrap().order[0], 1);
        // Slicing the columns now shifts the displacement of the rows.
        let (s, base) = t.slice(&[Slice::from(1..)]).unwrap();
        assert_eq!((base, s.suboffsets()), (0, Some(&[-1, 1][..])));
        assert_eq!(t.reversed_axes(), pil);
        assert_eq!(pil.permute_axes(&[0, 0]).unwrap_err().kind(), ErrorKind::InvalidAxis);
        assert_eq!(pil.permute_axes(&[0]).unwrap_err().kind(), ErrorKind::InvalidAxis);
    }
}
