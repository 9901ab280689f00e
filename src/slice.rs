//! `Slice`: Python's `start:stop:step`, with Python's clamping rules.
//!
//! A slice is resolved against a dimension's extent exactly as CPython's
//! `PySlice_Unpack` + `PySlice_AdjustIndices` do: missing bounds depend on
//! the sign of the step, negative bounds count from the end once, and
//! out-of-range bounds are clamped (never an error); only a step of zero is
//! refused.
#![forbid(unsafe_code)]
#![deny(clippy::arithmetic_side_effects, clippy::as_conversions)]

use crate::error::{Error, ErrorKind, Result};
use std::ops::{Range, RangeFrom, RangeFull, RangeInclusive, RangeTo, RangeToInclusive};

/// A Python slice `start:stop:step`; `None` is an omitted part.
///
/// Build one with [`Slice::new`], from a Rust range (`1..4`, `..`, `2..`,
/// `..=3`), and add a step with [`Slice::step`].
///
/// # Examples
///
/// ```
/// use memoryview::Slice;
///
/// // a[::-1] on 5 items: start 4, step -1, 5 items.
/// assert_eq!(Slice::from(..).step(-1).indices(5).unwrap(), (4, -1, 5));
/// // a[1:100] on 5 items is clamped to 4 items.
/// assert_eq!(Slice::from(1..100).indices(5).unwrap(), (1, 1, 4));
/// // a[-100::-1] is empty.
/// assert_eq!(Slice::new(Some(-100), None, Some(-1)).indices(5).unwrap().2, 0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Slice {
    /// First index (inclusive); `None` means the start in the step's direction.
    pub start: Option<isize>,
    /// End index (exclusive); `None` means past the end in the step's direction.
    pub stop: Option<isize>,
    /// Distance between indices; `None` means 1. Zero is an error when resolved.
    pub step: Option<isize>,
}

impl Slice {
    /// The slice `::`, which keeps a whole dimension.
    pub const FULL: Slice = Slice { start: None, stop: None, step: None };

    /// The slice `start:stop:step`.
    pub fn new(start: Option<isize>, stop: Option<isize>, step: Option<isize>) -> Slice {
        Slice { start, stop, step }
    }

    /// The same slice with `step`.
    #[must_use]
    pub fn step(self, step: isize) -> Slice {
        Slice { step: Some(step), ..self }
    }

    /// Resolves the slice against a dimension of `extent` items, returning
    /// `(start, step, length)`: the result holds items `start + k*step` for
    /// `k in 0..length`.
    ///
    /// `start` can be `-1` or `extent` when `length` is 0, as in CPython.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidSlice`] if the step is zero;
    /// [`ErrorKind::Overflow`] if `extent` exceeds `isize::MAX`.
    pub fn indices(&self, extent: usize) -> Result<(isize, isize, usize)> {
        let n = isize::try_from(extent).map_err(|_| Error::new(ErrorKind::Overflow, "extent does not fit in isize"))?;
        // PySlice_Unpack.
        let step = match self.step {
            None => 1,
            Some(0) => return Err(Error::new(ErrorKind::InvalidSlice, "slice step cannot be zero")),
            // -isize::MAX so that -step cannot overflow (CPython does the same).
            Some(isize::MIN) => -isize::MAX,
            Some(step) => step,
        };
        let backwards = step < 0;
        let start = self.start.unwrap_or(if backwards { isize::MAX } else { 0 });
        let stop = self.stop.unwrap_or(if backwards { isize::MIN } else { isize::MAX });
        // PySlice_AdjustIndices.
        let adjust = |index: isize| -> isize {
            if index < 0 {
                // index < 0 <= n, so index + n cannot overflow.
                let wrapped = index.saturating_add(n);
                if wrapped < 0 { if backwards { -1 } else { 0 } } else { wrapped }
            } else if index >= n {
                if backwards { n.saturating_sub(1) } else { n }
            } else {
                index
            }
        };
        let (start, stop) = (adjust(start), adjust(stop));
        // Both lie in [-1, n], so the differences below cannot overflow.
        let length = if backwards {
            if stop < start {
                let span = start.saturating_sub(stop).saturating_sub(1);
                span.checked_div(step.saturating_neg()).unwrap_or(0).saturating_add(1)
            } else {
                0
            }
        } else if start < stop {
            let span = stop.saturating_sub(start).saturating_sub(1);
            span.checked_div(step).unwrap_or(0).saturating_add(1)
        } else {
            0
        };
        // length is in [0, n], so it is non-negative.
        Ok((start, step, length.unsigned_abs()))
    }
}

impl From<RangeFull> for Slice {
    fn from(_: RangeFull) -> Slice {
        Slice::FULL
    }
}

impl From<Range<isize>> for Slice {
    fn from(r: Range<isize>) -> Slice {
        Slice::new(Some(r.start), Some(r.end), None)
    }
}

impl From<RangeFrom<isize>> for Slice {
    fn from(r: RangeFrom<isize>) -> Slice {
        Slice::new(Some(r.start), None, None)
    }
}

impl From<RangeTo<isize>> for Slice {
    fn from(r: RangeTo<isize>) -> Slice {
        Slice::new(None, Some(r.end), None)
    }
}

impl From<RangeInclusive<isize>> for Slice {
    /// `a..=b` is `a:b+1` (and `a:` when `b` is `isize::MAX`).
    fn from(r: RangeInclusive<isize>) -> Slice {
        Slice::new(Some(*r.start()), r.end().checked_add(1), None)
    }
}

impl From<RangeToInclusive<isize>> for Slice {
    /// `..=b` is `:b+1` (and `:` when `b` is `isize::MAX`).
    fn from(r: RangeToInclusive<isize>) -> Slice {
        Slice::new(None, r.end.checked_add(1), None)
    }
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects, clippy::as_conversions)]
mod tests {
    use super::*;

    /// Python's `range(n)[slice]`, written independently of `indices`.
    fn python_indices(n: isize, s: Slice) -> Vec<isize> {
        let step = s.step.unwrap_or(1);
        let norm = |v: isize| if v < 0 { v + n } else { v };
        let mut out = Vec::new();
        if step > 0 {
            let lo = s.start.map(norm).unwrap_or(0).clamp(0, n);
            let hi = s.stop.map(norm).unwrap_or(n).clamp(0, n);
            let mut i = lo;
            while i < hi {
                out.push(i);
                i += step;
            }
        } else {
            let hi = s.start.map(norm).unwrap_or(n - 1).clamp(-1, n - 1);
            let lo = s.stop.map(norm).unwrap_or(-1).clamp(-1, n - 1);
            let mut i = hi;
            while i > lo {
                out.push(i);
                i += step;
            }
        }
        out
    }

    #[test]
    fn agrees_with_python_range_slicing() {
        let bounds = [None, Some(-9), Some(-5), Some(-1), Some(0), Some(1), Some(3), Some(5), Some(9)];
        for n in 0..6 {
            for start in bounds {
                for stop in bounds {
                    for step in [-3, -2, -1, 1, 2, 4] {
                        let s = Slice::new(start, stop, Some(step));
                        let (first, step, len) = s.indices(n as usize).unwrap();
                        let got: Vec<isize> = (0..len as isize).map(|k| first + k * step).collect();
                        assert_eq!(got, python_indices(n, s), "n={n} {s:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn cpython_edge_cases() {
        // _testbuffer.slice_indices(slice(-100, None, -1), 10) == (-1, -1, -1, 0)
        assert_eq!(Slice::new(Some(-100), None, Some(-1)).indices(10).unwrap(), (-1, -1, 0));
        // memoryview(bytearray(10))[::2**70].shape == (1,)
        assert_eq!(Slice::FULL.step(isize::MAX).indices(10).unwrap().2, 1);
        assert_eq!(Slice::FULL.step(isize::MIN).indices(10).unwrap(), (9, -isize::MAX, 1));
        assert_eq!(Slice::from(isize::MAX..).indices(10).unwrap().2, 0);
        assert_eq!(Slice::FULL.step(0).indices(3).unwrap_err().kind(), ErrorKind::InvalidSlice);
        assert_eq!(Slice::from(1..=2).indices(5).unwrap(), (1, 1, 2));
    }
}
