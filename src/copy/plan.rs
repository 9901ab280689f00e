//! The copy planner: chooses how to move items between two layouts of the
//! same shape, from the layouts alone.
//!
//! Every copy in the crate (`to_bytes`, `to_vec`, `copy_to_slice`,
//! `copy_from_slice`, `assign`, `copy_within`) is planned here and run by
//! [`super::execute`].
#![forbid(unsafe_code)]

use crate::layout::{Layout, Order};

/// How a copy is carried out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Strategy {
    /// No items: nothing to do.
    Nothing,
    /// Both sides hold the items packed in the same order: one `memcpy` of
    /// `bytes` bytes from base to base.
    Memcpy { bytes: usize },
    /// Anything else: walk both layouts in runs along the innermost
    /// dimension (following suboffsets), one `memcpy` per run that is
    /// contiguous on both sides, item by item otherwise.
    Walk,
}

/// Chooses the strategy for copying `src` into `dst` (same shape and
/// itemsize).
pub(crate) fn plan(dst: &Layout, src: &Layout) -> Strategy {
    if dst.is_empty() {
        return Strategy::Nothing;
    }
    let same_packing = [Order::C, Order::F].into_iter().any(|o| dst.is_contiguous(o) && src.is_contiguous(o));
    if same_packing {
        // Contiguity rules out suboffsets, and a non-empty contiguous
        // layout starts at its base: the items are the `nbytes` bytes
        // from there.
        Strategy::Memcpy { bytes: dst.nbytes() }
    } else {
        Strategy::Walk
    }
}

/// Whether two direct layouts from these base addresses can share a byte.
/// Indirect layouts are judged by `if_indirect`.
pub(crate) fn may_overlap(a: (usize, &Layout), b: (usize, &Layout), if_indirect: bool) -> bool {
    let (Some(ra), Some(rb)) = (a.1.byte_range(), b.1.byte_range()) else {
        let empty = a.1.is_empty() || b.1.is_empty();
        return !empty && if_indirect;
    };
    let span =
        |base: usize, (low, high): (isize, isize)| (base.wrapping_add_signed(low), base.wrapping_add_signed(high));
    let (a_start, a_end) = span(a.0, ra);
    let (b_start, b_end) = span(b.0, rb);
    a_start < b_end && b_start < a_end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memcpy_only_for_matching_packing() {
        let c = Layout::contiguous(&[2, 3], 4, Order::C).unwrap();
        let f = Layout::contiguous(&[2, 3], 4, Order::F).unwrap();
        assert_eq!(plan(&c, &c), Strategy::Memcpy { bytes: 24 });
        assert_eq!(plan(&f, &f), Strategy::Memcpy { bytes: 24 });
        assert_eq!(plan(&c, &f), Strategy::Walk);
        let row = Layout::new(&[1, 3], &[-100, 4], 4).unwrap();
        let flat = Layout::contiguous(&[1, 3], 4, Order::F).unwrap();
        assert_eq!(plan(&flat, &row), Strategy::Memcpy { bytes: 12 });
        let empty = Layout::new(&[0, 3], &[1, 1], 4).unwrap();
        assert_eq!(plan(&empty, &empty), Strategy::Nothing);
    }

    #[test]
    fn overlap_of_ranges() {
        let l = Layout::contiguous(&[4], 1, Order::C).unwrap();
        assert!(may_overlap((100, &l), (103, &l), false));
        assert!(!may_overlap((100, &l), (104, &l), false));
        let back = Layout::new(&[4], &[-1], 1).unwrap();
        assert!(may_overlap((100, &l), (102, &back), false)); // 99..103 against 100..104
        assert!(!may_overlap((100, &l), (99, &back), false)); // 96..100
        let pil = Layout::with_suboffsets(&[2], &[8], &[0], 1).unwrap();
        assert!(may_overlap((0, &pil), (1000, &l), true));
        assert!(!may_overlap((0, &pil), (1000, &l), false));
    }
}
