//! The one layout validator.
//!
//! Every rule about what a layout may be lives here: the structural checks
//! and overflow checks every [`Layout`] passes (its invariants 1–3), the
//! bounds check that ties a direct layout to an allocation, and the
//! aliasing check mutable views need. All arithmetic is checked.
#![forbid(unsafe_code)]
#![deny(clippy::arithmetic_side_effects, clippy::as_conversions)]

use super::dims::DimVec;
use super::{Layout, MAX_NDIM};
use crate::error::{Error, ErrorKind, Result};

fn overflow(what: &str) -> Error {
    Error::new(ErrorKind::Overflow, format!("{what} does not fit in isize"))
}

/// Checks invariants 1–3 of [`Layout`] for the given parts.
pub(crate) fn validate_parts(
    shape: &[usize],
    strides: &[isize],
    suboffsets: Option<&[isize]>,
    itemsize: usize,
) -> Result<()> {
    let ndim = shape.len();
    if ndim > MAX_NDIM {
        return Err(Error::new(
            ErrorKind::TooManyDimensions,
            format!("number of dimensions must not exceed {MAX_NDIM} (got {ndim})"),
        ));
    }
    if strides.len() != ndim {
        return Err(Error::new(
            ErrorKind::InvalidLayout,
            format!("shape has {ndim} entries but strides has {}", strides.len()),
        ));
    }
    if let Some(sub) = suboffsets
        && sub.len() != ndim
    {
        return Err(Error::new(
            ErrorKind::InvalidLayout,
            format!("shape has {ndim} entries but suboffsets has {}", sub.len()),
        ));
    }
    if itemsize == 0 {
        return Err(Error::new(ErrorKind::InvalidLayout, "itemsize must not be zero"));
    }
    let itemsize_i = isize::try_from(itemsize).map_err(|_| overflow("itemsize"))?;
    let mut count: usize = 1;
    for (dim, &extent) in shape.iter().enumerate() {
        if isize::try_from(extent).is_err() {
            return Err(overflow(&format!("the extent of dimension {dim} ({extent})")));
        }
        count = count.checked_mul(extent).ok_or_else(|| overflow("the number of items"))?;
    }
    let nbytes = count.checked_mul(itemsize).ok_or_else(|| overflow("the size in bytes"))?;
    isize::try_from(nbytes).map_err(|_| overflow("the size in bytes"))?;
    if count == 0 {
        // Rule 7: an empty buffer never touches memory, so its strides and
        // suboffsets may be anything.
        return Ok(());
    }
    let mut span = itemsize_i;
    for (dim, (&extent, &stride)) in shape.iter().zip(strides).enumerate() {
        // extent >= 1 here, and extent <= isize::MAX was checked above.
        let steps = isize::try_from(extent.saturating_sub(1)).unwrap_or(isize::MAX);
        let reach = stride
            .checked_mul(steps)
            .and_then(isize::checked_abs)
            .ok_or_else(|| overflow(&format!("stride × (extent - 1) of dimension {dim}")))?;
        span = span.checked_add(reach).ok_or_else(|| overflow("the byte span of the items"))?;
    }
    Ok(())
}

/// Lowest and one-past-highest byte offset of a direct, non-empty layout.
pub(crate) fn byte_range(layout: &Layout) -> Option<(isize, isize)> {
    if layout.is_indirect() {
        return None;
    }
    let dims = layout.shape().iter().copied().zip(layout.strides().iter().copied());
    span(dims, layout.itemsize())
}

/// Lowest and one-past-highest byte offset of the `itemsize`-byte items
/// that `(extent, stride)` dimensions of a valid layout reach from offset
/// 0; `None` if an extent is 0.
///
/// Every copy asks this of both sides (the overlap test), so it is plain
/// arithmetic: Layout invariant 3 (checked when the layout was made)
/// bounds every `stride * (extent - 1)` and their sum by `isize::MAX`, so
/// nothing here wraps. (With the saturating steps of `parts_byte_range`, a
/// 5-D layout took 140 instructions.)
#[inline]
pub(crate) fn span(dims: impl IntoIterator<Item = (usize, isize)>, itemsize: usize) -> Option<(isize, isize)> {
    let (mut low, mut high) = (0isize, itemsize.cast_signed());
    for (extent, stride) in dims {
        // An extent of 0: no items.
        let steps = extent.checked_sub(1)?;
        let reach = stride.wrapping_mul(steps.cast_signed());
        low = low.wrapping_add(reach.min(0));
        high = high.wrapping_add(reach.max(0));
    }
    Some((low, high))
}

/// [`byte_range`] for the parts of a direct layout; `None` if it is empty.
///
/// For a valid layout (invariant 3) nothing here overflows. For parts not
/// yet checked, the arithmetic saturates, which only widens the range: a
/// bounds test on the result can refuse too much, never too little.
pub(crate) fn parts_byte_range(shape: &[usize], strides: &[isize], itemsize: usize) -> Option<(isize, isize)> {
    // One pass (every copy asks this of both sides: the overlap test).
    let mut low: isize = 0;
    let mut high = isize::try_from(itemsize).unwrap_or(isize::MAX);
    for (&extent, &stride) in shape.iter().zip(strides) {
        let steps = extent.checked_sub(1)?;
        let reach = stride.saturating_mul(isize::try_from(steps).unwrap_or(isize::MAX));
        if reach < 0 {
            low = low.saturating_add(reach);
        } else {
            high = high.saturating_add(reach);
        }
    }
    Some((low, high))
}

/// Checks that every byte of every item of a direct layout lies in
/// `[0, alloc_len)` when the base pointer is `offset` bytes into the
/// allocation.
pub(crate) fn check_bounds(layout: &Layout, offset: usize, alloc_len: usize) -> Result<()> {
    if layout.is_indirect() {
        return Err(Error::new(
            ErrorKind::Indirect,
            "the bounds of an indirect layout depend on the pointers it loads",
        ));
    }
    let Some((low, high)) = byte_range(layout) else { return Ok(()) };
    let out_of_bounds = || {
        Error::new(
            ErrorKind::OutOfBounds,
            format!(
                "items reach bytes {low}..{high} around offset {offset}, \
                 outside the {alloc_len}-byte buffer"
            ),
        )
    };
    let offset = isize::try_from(offset).map_err(|_| out_of_bounds())?;
    let alloc_len = isize::try_from(alloc_len).unwrap_or(isize::MAX);
    let first = offset.checked_add(low).ok_or_else(out_of_bounds)?;
    let end = offset.checked_add(high).ok_or_else(out_of_bounds)?;
    if first < 0 || end > alloc_len { Err(out_of_bounds()) } else { Ok(()) }
}

/// Fails with [`ErrorKind::Aliased`] if two index tuples may reach
/// overlapping bytes.
///
/// Dimensions of extent > 1 are sorted by |stride|; each must step past
/// everything the smaller ones reach. This is exact for nested layouts (all
/// C, F and permuted or sliced arrays) and refuses some interleavings that
/// do not in fact overlap. For an indirect layout only the strides are
/// judged: where the loaded pointers lead cannot be known here.
pub(crate) fn check_unaliased(layout: &Layout) -> Result<()> {
    if layout.is_empty() {
        return Ok(());
    }
    // (|stride|, extent) of the dimensions with two or more items; inline
    // for up to eight dimensions, so that the check does not allocate.
    let mut dims = DimVec::filled((0_usize, 0_usize), layout.ndim());
    let mut count: usize = 0;
    for (&extent, &stride) in layout.shape().iter().zip(layout.strides()) {
        if extent > 1 {
            dims[count] = (stride.unsigned_abs(), extent);
            count = count.saturating_add(1);
        }
    }
    let dims = &mut dims[..count];
    dims.sort_unstable();
    // Invariant 3 keeps every reach below isize::MAX.
    let mut reach = layout.itemsize();
    for &mut (stride, extent) in dims {
        if stride < reach {
            return Err(Error::new(
                ErrorKind::Aliased,
                format!(
                    "a mutable view's items must not overlap, but a stride of {stride} bytes \
                     steps inside the {reach} bytes the faster dimensions cover"
                ),
            ));
        }
        reach = stride.saturating_mul(extent.saturating_sub(1)).saturating_add(reach);
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    #[test]
    fn structure_errors() {
        let kind = |r: Result<Layout>| r.unwrap_err().kind();
        assert_eq!(kind(Layout::new(&[1; 65], &[1; 65], 1)), ErrorKind::TooManyDimensions);
        assert!(Layout::new(&[1; 64], &[1; 64], 1).is_ok());
        assert_eq!(kind(Layout::new(&[2], &[1, 1], 1)), ErrorKind::InvalidLayout);
        assert_eq!(kind(Layout::new(&[2], &[1], 0)), ErrorKind::InvalidLayout);
        assert_eq!(kind(Layout::with_suboffsets(&[2], &[1], &[], 1)), ErrorKind::InvalidLayout);
    }

    #[test]
    fn overflow_errors() {
        let kind = |r: Result<Layout>| r.unwrap_err().kind();
        assert_eq!(kind(Layout::new(&[usize::MAX], &[1], 1)), ErrorKind::Overflow);
        assert_eq!(kind(Layout::new(&[1 << 40, 1 << 40], &[1, 1], 1)), ErrorKind::Overflow);
        assert_eq!(kind(Layout::new(&[3], &[isize::MAX], 1)), ErrorKind::Overflow);
        assert_eq!(kind(Layout::new(&[2, 2], &[isize::MAX / 2 + 1, isize::MAX / 2], 1)), ErrorKind::Overflow);
        assert_eq!(kind(Layout::new(&[2], &[isize::MIN], 1)), ErrorKind::Overflow);
        // Empty layouts may carry any strides (rule 7).
        assert!(Layout::new(&[0, 3], &[isize::MAX, isize::MIN], 8).is_ok());
    }

    #[test]
    fn bounds() {
        let l = Layout::new(&[2, 3], &[-12, 4], 4).unwrap();
        assert_eq!(l.byte_range(), Some((-12, 12)));
        assert!(l.check_bounds(12, 24).is_ok());
        assert_eq!(l.check_bounds(11, 24).unwrap_err().kind(), ErrorKind::OutOfBounds);
        assert_eq!(l.check_bounds(12, 23).unwrap_err().kind(), ErrorKind::OutOfBounds);
        let empty = Layout::new(&[0], &[-1000], 8).unwrap();
        assert!(empty.check_bounds(0, 0).is_ok());
    }

    /// `byte_range` (plain arithmetic, for valid layouts) against every
    /// item's bytes enumerated, and against `parts_byte_range` (saturating)
    /// on layouts at the edges of invariant 3.
    #[test]
    fn byte_range_matches_the_items() {
        let small: [(&[usize], &[isize], usize); 5] = [
            (&[2, 3], &[-12, 4], 4),
            (&[3, 1, 4], &[7, -100, -3], 2),
            (&[5], &[0], 8),
            (&[2, 2, 2], &[-1, 5, -9], 3),
            (&[], &[], 6),
        ];
        for (shape, strides, itemsize) in small {
            let l = Layout::new(shape, strides, itemsize).unwrap();
            let (mut low, mut high) = (isize::MAX, isize::MIN);
            let mut index = vec![0usize; shape.len()];
            loop {
                let at: isize = index.iter().zip(strides).map(|(&i, &s)| i.cast_signed() * s).sum();
                (low, high) = (low.min(at), high.max(at + itemsize.cast_signed()));
                let Some(k) = (0..shape.len()).rev().find(|&k| index[k] + 1 < shape[k]) else { break };
                index[k] += 1;
                index[k + 1..].fill(0);
            }
            assert_eq!(byte_range(&l), Some((low, high)), "{shape:?} {strides:?}");
        }
        let edges: [(&[usize], &[isize], usize); 4] = [
            (&[1, 3], &[isize::MIN, 4], 4),
            (&[2], &[isize::MAX - 8], 8),
            (&[2], &[-(isize::MAX - 8)], 8),
            (&[0, 2], &[isize::MAX, isize::MIN], 8),
        ];
        for (shape, strides, itemsize) in edges {
            let l = Layout::new(shape, strides, itemsize).unwrap();
            assert_eq!(byte_range(&l), parts_byte_range(shape, strides, itemsize), "{shape:?} {strides:?}");
        }
    }

    #[test]
    fn aliasing() {
        assert!(Layout::new(&[3], &[0], 4).unwrap().has_aliased_items());
        assert!(Layout::new(&[3], &[2], 4).unwrap().has_aliased_items());
        assert!(!Layout::new(&[3], &[-4], 4).unwrap().has_aliased_items());
        assert!(!Layout::new(&[2, 3], &[4, 8], 4).unwrap().has_aliased_items());
        assert!(Layout::new(&[2, 3], &[8, 4], 4).unwrap().has_aliased_items());
        assert!(!Layout::new(&[1, 3], &[0, 4], 4).unwrap().has_aliased_items());
        assert!(!Layout::new(&[0, 3], &[0, 0], 4).unwrap().has_aliased_items());
    }
}
