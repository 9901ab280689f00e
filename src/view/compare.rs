//! Equality by value, with CPython's rules (rules 50–52 of the reference).
//!
//! 1. The shapes must agree up to and including the first 0 (later
//!    extents are ignored); otherwise the views differ, whatever the
//!    formats.
//! 2. A format the struct module cannot read (PEP 3118 extensions, or text
//!    that does not parse) makes the views differ, even a view compared
//!    with itself.
//! 3. Items are compared as values: NaN differs from itself, `-0.0` equals
//!    `0.0`, `'B'` 97 differs from `'c'` `b"a"`, `'i'` 1 equals `'d'` 1.0,
//!    `'2h'` equals `'hh'`. Two `'?'` views compare the stored bytes as C
//!    `_Bool`s do (1 differs from 2). Layouts do not matter.
#![forbid(unsafe_code)]

use super::{BufferView, BufferViewMut};
use std::ops::ControlFlow;

/// Rule 1: equal ndim, and extents equal up to and including the first 0.
fn shapes_match(a: &[usize], b: &[usize]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    for (&x, &y) in a.iter().zip(b) {
        if x != y {
            return false;
        }
        if x == 0 {
            return true;
        }
    }
    true
}

impl<'b> PartialEq<BufferView<'b>> for BufferView<'_> {
    /// CPython's `memoryview.__eq__` (see the module docs).
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::BufferView;
    ///
    /// let ints = [1i32, 2];
    /// let floats = [1.0f64, 2.0];
    /// assert!(BufferView::from_slice(&ints) == BufferView::from_slice(&floats));
    /// let nan = [f64::NAN];
    /// let v = BufferView::from_slice(&nan);
    /// assert!(v != v);
    /// ```
    fn eq(&self, other: &BufferView<'b>) -> bool {
        if !shapes_match(self.shape(), other.shape()) {
            return false;
        }
        let (fa, fb) = (self.format(), other.format());
        if !fa.is_struct_syntax() || !fb.is_struct_syntax() {
            return false;
        }
        if self.is_empty() || other.is_empty() {
            return true;
        }
        let raw_bools = fa.native_code() == Some('?') && fb.native_code() == Some('?');
        self.raw().zip_items(other.raw(), |x, y| {
            let equal =
                if raw_bools { x[0] == y[0] } else { matches!((fa.decode(x), fb.decode(y)), (Ok(a), Ok(b)) if a == b) };
            if equal { ControlFlow::Continue(()) } else { ControlFlow::Break(()) }
        })
    }
}

impl<'b> PartialEq<BufferViewMut<'b>> for BufferViewMut<'_> {
    /// As for [`BufferView`].
    fn eq(&self, other: &BufferViewMut<'b>) -> bool {
        self.view() == other.view()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Format, Layout, Order};

    fn view<'a>(bytes: &'a [u8], format: &str, shape: &[usize]) -> BufferView<'a> {
        let f = Format::parse(format).unwrap();
        let layout = Layout::contiguous(shape, f.itemsize(), Order::C).unwrap();
        BufferView::new(bytes, layout, 0, f).unwrap()
    }

    #[test]
    fn cpython_edge_cases() {
        // Edge case 8: same bytes, different formats.
        assert!(view(b"a", "B", &[1]) != view(b"a", "c", &[1]));
        assert!(view(&[0xff], "B", &[1]) != view(&[0xff], "b", &[1]));
        // Edge case 9: '2h' equals 'ii' when the values agree.
        let two_h = [1u8, 0, 2, 0];
        let ii = [1u8, 0, 0, 0, 2, 0, 0, 0];
        assert!(view(&two_h, "2h", &[1]) == view(&ii, "ii", &[1]));
        // Edge case 10: shapes compared up to the first zero.
        assert!(view(&[], "B", &[1, 0, 5]) == view(&[], "i", &[1, 0, 7]));
        assert!(view(&[], "B", &[1, 0]) != view(&[], "B", &[2, 0]));
        // Edge case 11: '?' compares the stored _Bool.
        assert!(view(&[1], "?", &[1]) != view(&[2], "?", &[1]));
        assert!(view(&[2], "?", &[1]) == view(&[1], "<?", &[1]));
        // Unreadable formats never compare equal.
        let rec = view(&[0; 8], "T{i}i", &[1]);
        assert!(rec != rec);
        // -0.0 == 0.0.
        assert!(view(&0.0f64.to_ne_bytes(), "d", &[1]) == view(&(-0.0f64).to_ne_bytes(), "d", &[1]));
    }
}
