//! Integers as Python indices: [`IndexInt`] (one index, slice bound or
//! step, of any primitive integer type) and [`ItemIndex`] (the index tuple
//! of one item: an array, slice or vector of them, or `()` for a
//! 0-dimensional view).
//!
//! Shapes are `usize` and Python's indices are signed, so every view
//! method that takes an index accepts any integer type: `get(&[i, j])`
//! compiles whether `i` and `j` are `usize` loop counters or `isize`
//! offsets. Signed values keep Python's meaning (a negative index counts
//! from the end once); values outside `isize` saturate, which for slice
//! bounds is Python's clamping and for indices an out-of-bounds error, as
//! in Python (`a[2**64]` raises `IndexError`, `a[:2**64]` is `a[:]`).
#![forbid(unsafe_code)]

mod sealed {
    /// Keeps the traits closed: the views rely on their exact behaviour.
    pub trait Sealed {}
}

/// A primitive integer usable as a Python index, slice bound or step:
/// `i8` … `i128`, `isize`, `u8` … `u128`, `usize`.
///
/// Negative values count from the end (Python's meaning); values beyond
/// the range of `isize` saturate.
///
/// # Examples
///
/// ```
/// use memoryview::{MemoryView, Slice};
///
/// let data: Vec<u8> = (0..12).collect();
/// let v = MemoryView::from_shape(&data, &[3, 4]).unwrap();
/// let (rows, last): (usize, i32) = (v.shape()[0], -1);
/// assert_eq!(v.get(&[rows - 1, 0]).unwrap(), 8); // usize indices
/// assert_eq!(v.get(&[0, last]).unwrap(), 3); // i32, counting from the end
/// assert_eq!(v.slice_axis(0, 1..rows).unwrap().shape(), &[2, 4]); // a Range<usize>
/// assert_eq!(Slice::from(0..u64::MAX).indices(4).unwrap(), (0, 1, 4)); // clamped
/// ```
pub trait IndexInt: Copy + sealed::Sealed {
    /// The value as an `isize`, saturating at `isize::MIN` and
    /// `isize::MAX`.
    fn to_isize_saturating(self) -> isize;
}

macro_rules! index_ints {
    ($($ty:ty => $low:expr),*) => {$(
        impl sealed::Sealed for $ty {}
        impl IndexInt for $ty {
            #[inline]
            fn to_isize_saturating(self) -> isize {
                // Only values outside isize fail: above isize::MAX, or
                // (signed types) below isize::MIN.
                isize::try_from(self).unwrap_or($low(self))
            }
        }
    )*};
}

/// Where a signed value outside `isize` saturates: by its sign.
fn signed_limit<T: Default + PartialOrd>(value: T) -> isize {
    if value < T::default() { isize::MIN } else { isize::MAX }
}

/// Where an unsigned value outside `isize` saturates: always above.
fn unsigned_limit<T>(_: T) -> isize {
    isize::MAX
}

index_ints!(
    i8 => signed_limit, i16 => signed_limit, i32 => signed_limit, i64 => signed_limit,
    i128 => signed_limit, isize => signed_limit,
    u8 => unsigned_limit, u16 => unsigned_limit, u32 => unsigned_limit, u64 => unsigned_limit,
    u128 => unsigned_limit, usize => unsigned_limit
);

/// The index tuple of one item: one [`IndexInt`] per dimension, borrowed
/// as an array (`&[i, j]`), a slice or a `&Vec`; or `()` for a
/// 0-dimensional view (NumPy's `a[()]`).
///
/// (Arrays are taken by reference only, as before the integer types were
/// widened, so that `get(&[i, j])` stays the one spelling.)
///
/// # Examples
///
/// ```
/// use memoryview::MemoryView;
///
/// let data = [1.5f64, 2.5, 3.5, 4.5, 5.5, 6.5];
/// let v = MemoryView::from_shape(&data, &[2, 3]).unwrap();
/// let at: Vec<usize> = vec![1, 2];
/// assert_eq!(v.get(&at).unwrap(), 6.5);
/// assert_eq!(v.get(&at[..]).unwrap(), 6.5);
/// assert_eq!(v.get(&[-1, -3]).unwrap(), 4.5);
///
/// let scalar = v.index_axis(0, 0).unwrap().index_axis(0, 1).unwrap();
/// assert_eq!(scalar.get(()).unwrap(), 2.5);
/// ```
pub trait ItemIndex: sealed::Sealed {
    /// The number of entries (one per dimension).
    #[doc(hidden)]
    fn count(&self) -> usize;

    /// Entry `axis` (`axis < count()`), as [`IndexInt::to_isize_saturating`].
    #[doc(hidden)]
    fn entry(&self, axis: usize) -> isize;
}

impl<I: IndexInt, const N: usize> sealed::Sealed for &[I; N] {}
impl<I: IndexInt, const N: usize> ItemIndex for &[I; N] {
    #[inline]
    fn count(&self) -> usize {
        N
    }
    #[inline]
    fn entry(&self, axis: usize) -> isize {
        self[axis].to_isize_saturating()
    }
}

impl<I: IndexInt> sealed::Sealed for &[I] {}
impl<I: IndexInt> ItemIndex for &[I] {
    #[inline]
    fn count(&self) -> usize {
        self.len()
    }
    #[inline]
    fn entry(&self, axis: usize) -> isize {
        self[axis].to_isize_saturating()
    }
}

impl<I: IndexInt> sealed::Sealed for &Vec<I> {}
impl<I: IndexInt> ItemIndex for &Vec<I> {
    #[inline]
    fn count(&self) -> usize {
        self.len()
    }
    #[inline]
    fn entry(&self, axis: usize) -> isize {
        self[axis].to_isize_saturating()
    }
}

impl<X: ItemIndex + ?Sized> sealed::Sealed for &X {}
/// A reference to an index tuple (`get(&index)` where `index` is itself a
/// `&[isize]`, as it could be before the integer types were widened).
impl<X: ItemIndex + ?Sized> ItemIndex for &X {
    #[inline]
    fn count(&self) -> usize {
        (**self).count()
    }
    #[inline]
    fn entry(&self, axis: usize) -> isize {
        (**self).entry(axis)
    }
}

impl sealed::Sealed for () {}
impl ItemIndex for () {
    #[inline]
    fn count(&self) -> usize {
        0
    }
    #[inline]
    fn entry(&self, _axis: usize) -> isize {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saturation() {
        assert_eq!(u64::MAX.to_isize_saturating(), isize::MAX);
        assert_eq!(usize::MAX.to_isize_saturating(), isize::MAX);
        assert_eq!(u128::MAX.to_isize_saturating(), isize::MAX);
        assert_eq!(i128::MIN.to_isize_saturating(), isize::MIN);
        assert_eq!(i128::MAX.to_isize_saturating(), isize::MAX);
        assert_eq!((-5i8).to_isize_saturating(), -5);
        assert_eq!(200u8.to_isize_saturating(), 200);
        assert_eq!(isize::MIN.to_isize_saturating(), isize::MIN);
        let big = isize::MAX.unsigned_abs() + 1;
        assert_eq!(big.to_isize_saturating(), isize::MAX);
    }

    #[test]
    fn tuples() {
        let v = vec![3u16, 4];
        assert_eq!(((&v).count(), (&v).entry(1)), (2, 4));
        assert_eq!(((&[-1i64, 2]).count(), (&[-1i64, 2]).entry(0)), (2, -1));
        assert_eq!(().count(), 0);
        // A reference to a reference, as `get(&index)` with `index: &[isize]`.
        let index: &[isize] = &[5, -1];
        assert_eq!(((&index).count(), (&index).entry(1)), (2, -1));
    }
}
