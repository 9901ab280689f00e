//! `DimVec`: a tiny vector for per-dimension values (extents, strides,
//! suboffsets) that keeps up to [`INLINE_DIMS`] entries inline.
//!
//! Views are created, sliced and transposed inside inner loops, so a direct
//! layout of up to eight dimensions must not touch the allocator (indirect
//! layouts box their suboffset state). Larger layouts
//! (up to 64 dimensions, the PEP 3118 limit) spill to the heap.
#![forbid(unsafe_code)]

use std::fmt;
use std::ops::{Deref, DerefMut};

/// How many dimensions a layout holds without a heap allocation.
pub const INLINE_DIMS: usize = 8;

/// A vector of `Copy` values, inline up to [`INLINE_DIMS`] entries.
#[derive(Clone)]
pub(crate) enum DimVec<T: Copy + Default> {
    /// `len <= INLINE_DIMS`; entries past `len` are `T::default()`.
    Inline { len: u8, items: [T; INLINE_DIMS] },
    /// More than `INLINE_DIMS` entries.
    Heap(Vec<T>),
}

impl<T: Copy + Default> DimVec<T> {
    /// A copy of `values`.
    #[inline]
    pub(crate) fn from_slice(values: &[T]) -> Self {
        match u8::try_from(values.len()) {
            Ok(len) if values.len() <= INLINE_DIMS => {
                let mut items = [T::default(); INLINE_DIMS];
                items[..values.len()].copy_from_slice(values);
                DimVec::Inline { len, items }
            }
            _ => DimVec::Heap(values.to_vec()),
        }
    }

    /// `len` copies of `value`.
    #[inline]
    pub(crate) fn filled(value: T, len: usize) -> Self {
        match u8::try_from(len) {
            Ok(short) if len <= INLINE_DIMS => {
                let mut items = [T::default(); INLINE_DIMS];
                items[..len].fill(value);
                DimVec::Inline { len: short, items }
            }
            _ => DimVec::Heap(vec![value; len]),
        }
    }

    /// Removes the entry at `index`, shifting later entries down.
    pub(crate) fn remove(&mut self, index: usize) {
        match self {
            DimVec::Inline { len, items } => {
                let n = usize::from(*len);
                items[index..n].rotate_left(1);
                *len = len.saturating_sub(1);
                items[usize::from(*len)] = T::default();
            }
            DimVec::Heap(values) => {
                values.remove(index);
                if values.len() <= INLINE_DIMS {
                    *self = DimVec::from_slice(values);
                }
            }
        }
    }

    /// The entries in reverse order: transposing a view does this to its
    /// shape and strides. Small enough to inline, so that a transposed view
    /// is built where it is kept; the heap case is out of line.
    #[inline]
    pub(crate) fn reversed(&self) -> Self {
        match self {
            DimVec::Inline { len, items } => {
                let n = usize::from(*len);
                // Built whole (each slot selects its source) rather than
                // swapped in place.
                #[allow(clippy::arithmetic_side_effects)]
                let items = std::array::from_fn(|i| if i < n { items[n - 1 - i] } else { T::default() });
                DimVec::Inline { len: *len, items }
            }
            DimVec::Heap(values) => DimVec::reversed_heap(values),
        }
    }

    /// More than `INLINE_DIMS` entries reversed; kept out of line so that
    /// the inline case stays small.
    #[inline(never)]
    fn reversed_heap(values: &[T]) -> Self {
        DimVec::Heap(values.iter().rev().copied().collect())
    }

    /// The entries reordered so that entry `i` of the result is entry
    /// `order[i]` of `self`. `order` must be a permutation of `0..len`.
    pub(crate) fn permuted(&self, order: &[usize]) -> Self {
        let mut out = self.clone();
        for (slot, &from) in out.iter_mut().zip(order) {
            *slot = self[from];
        }
        out
    }
}

impl<T: Copy + Default> Deref for DimVec<T> {
    type Target = [T];
    #[inline]
    fn deref(&self) -> &[T] {
        match self {
            DimVec::Inline { len, items } => &items[..usize::from(*len)],
            DimVec::Heap(values) => values,
        }
    }
}

impl<T: Copy + Default> DerefMut for DimVec<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [T] {
        match self {
            DimVec::Inline { len, items } => &mut items[..usize::from(*len)],
            DimVec::Heap(values) => values,
        }
    }
}

impl<T: Copy + Default + PartialEq> PartialEq for DimVec<T> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T: Copy + Default + Eq> Eq for DimVec<T> {}

impl<T: Copy + Default + fmt::Debug> fmt::Debug for DimVec<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_and_heap_agree() {
        for n in [0, 1, 8, 9, 64] {
            let values: Vec<usize> = (0..n).collect();
            let mut dims = DimVec::from_slice(&values);
            assert_eq!(&*dims, &values[..]);
            assert_eq!(matches!(dims, DimVec::Inline { .. }), n <= INLINE_DIMS);
            if n > 0 {
                dims.remove(0);
                assert_eq!(&*dims, &values[1..]);
            }
        }
    }

    #[test]
    fn reversed_matches_reverse_in_place() {
        for n in [0, 1, 2, 7, 8, 9, 64] {
            let values: Vec<isize> = (0..n).map(|v| v * 3 - 5).collect();
            let dims = DimVec::from_slice(&values);
            let mut expected = dims.clone();
            expected.reverse();
            let reversed = dims.reversed();
            assert_eq!(reversed, expected);
            // Same representation, and unused inline slots stay default.
            match (&reversed, &expected) {
                (DimVec::Inline { items: a, .. }, DimVec::Inline { items: b, .. }) => assert_eq!(a, b),
                (DimVec::Heap(_), DimVec::Heap(_)) => {}
                _ => panic!("representation changed for {n} entries"),
            }
        }
    }

    #[test]
    fn permuted_reorders() {
        let dims = DimVec::from_slice(&[10, 20, 30]);
        assert_eq!(&*dims.permuted(&[2, 0, 1]), &[30, 10, 20]);
    }

    #[test]
    fn shrinking_heap_returns_inline() {
        let mut dims = DimVec::filled(7_isize, 9);
        dims.remove(3);
        assert!(matches!(dims, DimVec::Inline { len: 8, .. }));
    }
}
