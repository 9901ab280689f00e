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
use crate::index::IndexInt;
use std::ops::{Range, RangeFrom, RangeFull, RangeInclusive, RangeTo, RangeToInclusive};

/// A Python slice `start:stop:step`; `None` is an omitted part.
///
/// Build one with [`Slice::new`], from a Rust range of any integer type
/// (`1..4`, `..`, `2..`, `..=3`, `0..n` with `n: usize`), or with the
/// [`py_s!`](crate::py_s) macro, and add a step with [`Slice::step`].
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

    /// `start:stop`, for [`py_s!`](crate::py_s) (`start..stop` without
    /// building a Rust range).
    #[doc(hidden)]
    pub fn __bounds(start: impl IndexInt, stop: impl IndexInt) -> Slice {
        Slice::new(Some(start.to_isize_saturating()), Some(stop.to_isize_saturating()), None)
    }

    /// `start:last+1` (`start:` if `last` is -1 or `isize::MAX` or more), for
    /// [`py_s!`](crate::py_s).
    #[doc(hidden)]
    pub fn __bounds_inclusive(start: impl IndexInt, last: impl IndexInt) -> Slice {
        Slice::new(Some(start.to_isize_saturating()), inclusive_stop(last), None)
    }

    /// The same slice with `step` (any integer type; values beyond
    /// `isize` saturate, which selects at most one item, as in Python).
    #[must_use]
    pub fn step(self, step: impl IndexInt) -> Slice {
        Slice { step: Some(step.to_isize_saturating()), ..self }
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

impl<I: IndexInt> From<Range<I>> for Slice {
    /// `a..b` is `a:b`, for any integer type; bounds beyond `isize`
    /// saturate, which Python's clamping then treats as "past the end".
    fn from(r: Range<I>) -> Slice {
        Slice::new(Some(r.start.to_isize_saturating()), Some(r.end.to_isize_saturating()), None)
    }
}

impl<I: IndexInt> From<RangeFrom<I>> for Slice {
    /// `a..` is `a:`.
    fn from(r: RangeFrom<I>) -> Slice {
        Slice::new(Some(r.start.to_isize_saturating()), None, None)
    }
}

impl<I: IndexInt> From<RangeTo<I>> for Slice {
    /// `..b` is `:b`.
    fn from(r: RangeTo<I>) -> Slice {
        Slice::new(None, Some(r.end.to_isize_saturating()), None)
    }
}

impl<I: IndexInt> From<RangeInclusive<I>> for Slice {
    /// `a..=b` is `a:b+1`, and `a:` when `b` is -1 (the last item, as in
    /// ndarray) or `isize::MAX` or more.
    fn from(r: RangeInclusive<I>) -> Slice {
        Slice::new(Some(r.start().to_isize_saturating()), inclusive_stop(*r.end()), None)
    }
}

impl<I: IndexInt> From<RangeToInclusive<I>> for Slice {
    /// `..=b` is `:b+1`, and `:` when `b` is -1 or `isize::MAX` or more.
    fn from(r: RangeToInclusive<I>) -> Slice {
        Slice::new(None, inclusive_stop(r.end), None)
    }
}

/// The exclusive stop after the inclusive `last`: `last + 1`, or none (the
/// end) when `last` is -1, which counts from the end, or `isize::MAX`.
fn inclusive_stop(last: impl IndexInt) -> Option<isize> {
    match last.to_isize_saturating() {
        -1 => None,
        last => last.checked_add(1),
    }
}

/// Python slices for every dimension at once: `py_s![1.., ..;-2, ..;3]` is
/// Python's `[1:, ::-2, ::3]`, an array of [`Slice`]s that every view's
/// `slice` accepts ([`MemoryView::slice`](crate::MemoryView::slice),
/// [`FixedView::slice`](crate::FixedView::slice), …).
///
/// Each entry is a range of any integer type (`a..b`, `a..`, `..b`, `..`,
/// `a..=b`, `..=b`) or any expression that converts into a [`Slice`] (a
/// range held in a variable, a `Slice`), optionally followed by `;step`.
/// Bounds and steps have Python's meaning: negative bounds count from the
/// end, out-of-range bounds are clamped, and a negative step walks from
/// `start` down to `stop` (exclusive). Python has no inclusive stop:
/// `a..=b` is `a..b+1` whatever the step, and `a..` when `b` is -1. A plain integer is not an entry
/// (it would drop a dimension, which a slice cannot do): use `index_axis`.
///
/// # Differences from ndarray's `s!`
///
/// The macro has a different name so that both can be imported together,
/// and because the meaning of a negative step differs. ndarray first takes
/// the range `a..b` and then, for a negative step, walks it from its *end*:
/// ndarray's `s![1..4;-1]` is items 3, 2, 1. Python walks from `start`
/// towards `stop`, so `[1:4:-1]` (here `py_s![1..4;-1]`) is empty, and
/// `[3:0:-1]` (`py_s![3..0;-1]`) is items 3, 2, 1. Over a whole dimension
/// (`..;-k`) the two agree. Also:
/// - ndarray's `s!` accepts indices (dropping the dimension) and `NewAxis`;
///   `py_s!` only slices, so that its result fits every view kind,
///   including the fixed-rank [`FixedView`](crate::FixedView);
/// - after a [`Slice`] expression, ndarray multiplies its step by `;k`;
///   here `;k` replaces it (as [`Slice::step`] does);
/// - ndarray panics on out-of-range bounds; Python (and `py_s!`) clamps;
/// - `py_s![3..0;-1]` and `py_s![1..-1]` build no Rust range, so clippy's
///   `reversed_empty_ranges` (denied by default) does not fire on them as
///   it does on ndarray's `s![1..-1]`.
///
/// # Examples
///
/// ```
/// use memoryview::{MemoryView, Order, py_s};
///
/// let data: Vec<i32> = (0..12).collect();
/// let a = MemoryView::from_shape(&data, &[3, 4]).unwrap();
/// // a[1:, ::-2]
/// let s = a.slice(&py_s![1.., ..;-2]).unwrap();
/// assert_eq!(s.to_vec(Order::C), [7, 5, 11, 9]);
///
/// // Ranges of any integer type, bounds beyond the extent clamped.
/// let (rows, far): (usize, u64) = (2, 1 << 40);
/// assert_eq!(a.slice(&py_s![..rows, 1..far;2]).unwrap().to_vec(Order::C), [1, 3, 5, 7]);
///
/// // Python's meaning of a negative step: from start down to stop.
/// assert_eq!(a.slice(&py_s![.., 3..0;-1]).unwrap().to_vec(Order::C)[..3], [3, 2, 1]);
/// assert!(a.slice(&py_s![.., 1..4;-1]).unwrap().is_empty());
/// ```
///
/// A plain integer does not compile:
///
/// ```compile_fail
/// let _ = memoryview::py_s![1, ..];
/// ```
#[macro_export]
macro_rules! py_s {
    ($($tokens:tt)*) => {
        $crate::__py_s!(@split [] [] $($tokens)*)
    };
}

/// The workings of [`py_s!`]: entries are split at top-level commas, and
/// a range between two single tokens (`3..0`, `-1..n`) becomes a call
/// rather than a Rust range, because clippy denies literal ranges that
/// are empty as Rust ranges (`reversed_empty_ranges`) and Python's
/// backward slices are written that way.
#[doc(hidden)]
#[macro_export]
macro_rules! __py_s {
    (@split [$($done:tt)*] [$($entry:tt)*] , $($rest:tt)*) => {
        $crate::__py_s!(@split [$($done)* ($($entry)*)] [] $($rest)*)
    };
    (@split [$($done:tt)*] [$($entry:tt)*] $next:tt $($rest:tt)*) => {
        $crate::__py_s!(@split [$($done)*] [$($entry)* $next] $($rest)*)
    };
    (@split [$($done:tt)*] []) => {
        [$($crate::__py_s!(@entry $done)),*]
    };
    (@split [$($done:tt)*] [$($entry:tt)+]) => {
        [$($crate::__py_s!(@entry $done),)* $crate::__py_s!(@entry ($($entry)+))]
    };
    (@entry (- $start:tt .. - $stop:tt $(; $step:expr)?)) => {
        $crate::Slice::__bounds(-$start, -$stop) $(.step($step))?
    };
    (@entry (- $start:tt .. $stop:tt $(; $step:expr)?)) => {
        $crate::Slice::__bounds(-$start, $stop) $(.step($step))?
    };
    (@entry ($start:tt .. - $stop:tt $(; $step:expr)?)) => {
        $crate::Slice::__bounds($start, -$stop) $(.step($step))?
    };
    (@entry ($start:tt .. $stop:tt $(; $step:expr)?)) => {
        $crate::Slice::__bounds($start, $stop) $(.step($step))?
    };
    (@entry (- $start:tt ..= - $last:tt $(; $step:expr)?)) => {
        $crate::Slice::__bounds_inclusive(-$start, -$last) $(.step($step))?
    };
    (@entry (- $start:tt ..= $last:tt $(; $step:expr)?)) => {
        $crate::Slice::__bounds_inclusive(-$start, $last) $(.step($step))?
    };
    (@entry ($start:tt ..= - $last:tt $(; $step:expr)?)) => {
        $crate::Slice::__bounds_inclusive($start, -$last) $(.step($step))?
    };
    (@entry ($start:tt ..= $last:tt $(; $step:expr)?)) => {
        $crate::Slice::__bounds_inclusive($start, $last) $(.step($step))?
    };
    (@entry ($entry:expr $(; $step:expr)?)) => {
        $crate::Slice::from($entry) $(.step($step))?
    };
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
        // ..=-1 runs to the last item (as in ndarray), not to stop 0.
        assert_eq!(Slice::from(-2..=-1).indices(5).unwrap(), (3, 1, 2));
        assert_eq!(Slice::from(..=-1).indices(5).unwrap(), (0, 1, 5));
        assert_eq!(Slice::from(..=-2).indices(5).unwrap(), (0, 1, 4));
    }
}
