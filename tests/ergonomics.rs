//! Indices and slice bounds of any integer type, and the `py_s!` macro,
//! checked against a model of Python's slicing written here on `i128`
//! (independent of the crate's `Slice::indices`) and against ndarray's
//! own `s!` where the two macros agree.

use memoryview::{ErrorKind, FixedView, MemoryView, MemoryViewMut, Order, Slice, py_s};

/// Python's `list(range(n)[start:stop:step])`, on mathematical integers.
fn python_slice(n: i128, start: Option<i128>, stop: Option<i128>, step: i128) -> Vec<i128> {
    let norm = |v: i128| if v < 0 { v + n } else { v };
    let mut out = Vec::new();
    if step > 0 {
        let lo = start.map(norm).unwrap_or(0).clamp(0, n);
        let hi = stop.map(norm).unwrap_or(n).clamp(0, n);
        let mut i = lo;
        while i < hi {
            out.push(i);
            i += step;
        }
    } else {
        let hi = start.map(norm).unwrap_or(n - 1).clamp(-1, n - 1);
        let lo = stop.map(norm).unwrap_or(-1).clamp(-1, n - 1);
        let mut i = hi;
        while i > lo {
            out.push(i);
            i += step;
        }
    }
    out
}

/// A value as a Python int (u128 values above i128::MAX, which no extent
/// reaches, become i128::MAX: the same slice).
fn wide<T: TryInto<i128>>(value: T) -> i128 {
    value.try_into().unwrap_or(i128::MAX)
}

/// The items a slice selects from `0..n`, through a real view.
fn selected(n: usize, slice: Slice) -> Vec<i128> {
    let data: Vec<i64> = (0..n as i64).collect();
    MemoryView::from_slice(&data).slice(&[slice]).unwrap().iter().map(i128::from).collect()
}

macro_rules! ranges_of {
    ($($ty:ty),*) => {$(
        for n in 0..6usize {
            // Every value of the type near 0, the extent, and the type's limits.
            let mut bounds: Vec<$ty> = vec![<$ty>::MIN, <$ty>::MAX, 0, 1, 3, 5, 9];
            bounds.extend([-1i8, -3, -9].iter().filter_map(|&b| <$ty>::try_from(b).ok()));
            for &a in &bounds {
                for &b in &bounds {
                    let (a128, b128) = (wide(a), wide(b));
                    let n128 = n as i128;
                    assert_eq!(selected(n, Slice::from(a..b)), python_slice(n128, Some(a128), Some(b128), 1), "{a}..{b}");
                    assert_eq!(selected(n, Slice::from(a..)), python_slice(n128, Some(a128), None, 1), "{a}..");
                    assert_eq!(selected(n, Slice::from(..b)), python_slice(n128, None, Some(b128), 1), "..{b}");
                    // a..=b is a:b+1 (saturating: any huge stop means past
                    // the end), and a: when b is -1 (the last item).
                    let stop = if b128 == -1 { None } else { Some(b128.saturating_add(1)) };
                    let inclusive = python_slice(n128, Some(a128), stop, 1);
                    assert_eq!(selected(n, Slice::from(a..=b)), inclusive, "{a}..={b}");
                    for step in [-2i8, -1, 1, 3] {
                        #[allow(irrefutable_let_patterns)]
                        if let Ok(step) = <$ty>::try_from(step) {
                            let s = Slice::from(a..b).step(step);
                            assert_eq!(selected(n, s), python_slice(n128, Some(a128), Some(b128), step as i128), "{a}..{b};{step}");
                        }
                    }
                }
            }
        }
    )*};
}

#[test]
// Thousands of safe slicings: far too slow interpreted, and nothing for
// Miri to check that the smaller tests here do not reach.
#[cfg_attr(miri, ignore)]
fn ranges_of_every_integer_type_slice_as_python() {
    ranges_of!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);
}

#[test]
fn huge_steps_select_one_item() {
    // Python: list(range(5)[::2**64]) == [0], list(range(5)[::-2**64]) == [4].
    assert_eq!(selected(5, Slice::FULL.step(u64::MAX)), [0]);
    assert_eq!(selected(5, Slice::FULL.step(i128::MIN)), [4]);
    assert_eq!(Slice::FULL.step(0u8).indices(3).unwrap_err().kind(), ErrorKind::InvalidSlice);
}

/// Integer literals still infer (they fall back to `i32`) in every way
/// slices were written before the bounds were made generic.
#[test]
fn literal_bounds_still_infer() {
    assert_eq!(Slice::from(1..4), Slice::new(Some(1), Some(4), None));
    assert_eq!(Slice::from(-3..), Slice::new(Some(-3), None, None));
    assert_eq!(Slice::from(..=2), Slice::new(None, Some(3), None));
    assert_eq!(Slice::from(..).step(-1), Slice::new(None, None, Some(-1)));
    let data: Vec<u8> = (0..12).collect();
    let v = MemoryView::from_shape(&data, &[3, 4]).unwrap();
    assert_eq!(v.slice(&[(1..3).into(), (..2).into()]).unwrap().to_vec(Order::C), [4, 5, 8, 9]);
    assert_eq!(v.slice_axis(1, 1..).unwrap().shape(), &[3, 3]);
    let f = FixedView::from_shape(&data, [3, 4]).unwrap();
    assert_eq!(f.slice(&[(1..3).into(), (..2).into()]).unwrap().to_vec(Order::C), [4, 5, 8, 9]);
    // Bounds held in variables of any integer type.
    let (rows, cols): (usize, u32) = (2, 3);
    assert_eq!(v.slice(&[Slice::from(0..rows), Slice::from(1..cols)]).unwrap().shape(), &[2, 2]);
}

#[test]
fn indices_of_every_integer_type() {
    let data: Vec<i32> = (0..24).collect();
    let v = MemoryView::from_shape(&data, &[2, 3, 4]).unwrap();
    // The item at (i, j, k) is 12i + 4j + k, whatever type the indices are.
    assert_eq!(v.get(&[1usize, 2, 3]).unwrap(), 23);
    assert_eq!(v.get(&[1u8, 2, 3]).unwrap(), 23);
    assert_eq!(v.get(&[-1i64, -1, -1]).unwrap(), 23);
    assert_eq!(v.get(&[0i128, -3, 1]).unwrap(), 1);
    let at: Vec<u32> = vec![1, 0, 2];
    assert_eq!(v.get(&at).unwrap(), 14);
    assert_eq!(v.get(&at[..]).unwrap(), 14);
    // Out of range, however large, is an IndexError, as in Python.
    for huge in [u64::MAX as i128, i128::MAX, i128::MIN, 3, -4] {
        assert_eq!(v.get(&[0, huge, 0]).unwrap_err().kind(), ErrorKind::IndexOutOfBounds, "{huge}");
    }
    assert_eq!(v.get(&[0u8, 0]).unwrap_err().kind(), ErrorKind::IndexCount);
    // index_axis takes any integer too.
    let rows = v.shape()[1];
    assert_eq!(v.index_axis(1, rows - 1).unwrap().to_vec(Order::C), [8, 9, 10, 11, 20, 21, 22, 23]);
    assert_eq!(v.index_axis(2, -1i8).unwrap().get(&[1, 0]).unwrap(), 15);
    assert_eq!(v.index_axis(0, u64::MAX).unwrap_err().kind(), ErrorKind::IndexOutOfBounds);
    // The untyped view decodes the same item.
    assert_eq!(v.get(&[1usize, 1, 1]).unwrap() as i128, v.as_buffer().get(&[1usize, 1, 1]).unwrap().as_int().unwrap());
    // Code written for `get(&[isize])` that passes `&index` with `index`
    // itself a slice still compiles.
    #[allow(clippy::needless_borrows_for_generic_args)]
    fn item_at(v: &MemoryView<i32>, index: &[isize]) -> i32 {
        v.get(&index).unwrap()
    }
    assert_eq!(item_at(&v, &[1, 1, 1]), 17);
    // A 0-dimensional view is indexed with `()`, NumPy's `a[()]`.
    let scalar = v.index_axis(0, 1).unwrap().index_axis(0, 2).unwrap().index_axis(0, 0).unwrap();
    assert_eq!(scalar.get(()).unwrap(), 20);
    assert_eq!(v.get(()).unwrap_err().kind(), ErrorKind::IndexCount);
}

/// `get` means the same on every view kind: the item by value, Python's
/// negative indices, errors for bad indices.
#[test]
fn one_get_for_every_view() {
    let mut data: Vec<u16> = (0..6).collect();
    let fixed = FixedView::from_shape(&data, [2, 3]).unwrap();
    let typed = MemoryView::from_shape(&data, &[2, 3]).unwrap();
    for index in [[0isize, 0], [1, 2], [-1, -3], [0, -1]] {
        assert_eq!(fixed.get(&index).unwrap(), typed.get(&index).unwrap());
        assert_eq!(*fixed.get_ref(&index).unwrap(), typed.get(&index).unwrap());
        assert_eq!(typed.as_buffer().get(&index).unwrap().as_int(), Some(i128::from(typed.get(&index).unwrap())));
    }
    for bad in [[2isize, 0], [0, 3], [-3, 0]] {
        assert_eq!(fixed.get(&bad).unwrap_err().kind(), typed.get(&bad).unwrap_err().kind());
    }
    assert_eq!(fixed.get(&[0]).unwrap_err().kind(), ErrorKind::IndexCount);
    let mut m = MemoryViewMut::from_shape(&mut data, &[2, 3]).unwrap();
    m.set(&[1usize, 1], 40).unwrap();
    assert_eq!(m.get(&[-1, -2]).unwrap(), 40);
}

#[test]
fn py_s_has_python_meaning() {
    let n = 7usize;
    let data: Vec<i64> = (0..n as i64).collect();
    let v = MemoryView::from_slice(&data);
    let got = |slices: [Slice; 1]| v.slice(&slices).unwrap().iter().map(i128::from).collect::<Vec<_>>();
    let n = n as i128;
    assert_eq!(got(py_s![1..]), python_slice(n, Some(1), None, 1));
    assert_eq!(got(py_s![..;-2]), python_slice(n, None, None, -2));
    assert_eq!(got(py_s![..;3]), python_slice(n, None, None, 3));
    assert_eq!(got(py_s![1..4;-1]), python_slice(n, Some(1), Some(4), -1));
    assert_eq!(got(py_s![5..1;-2]), python_slice(n, Some(5), Some(1), -2));
    assert_eq!(got(py_s![-2..;-1]), python_slice(n, Some(-2), None, -1));
    assert_eq!(got(py_s![..=3]), python_slice(n, None, Some(4), 1));
    assert_eq!(got(py_s![-100..100]), python_slice(n, Some(-100), Some(100), 1));
    let r = 2usize..6;
    assert_eq!(got(py_s![r;2]), python_slice(n, Some(2), Some(6), 2));
    assert_eq!(got(py_s![Slice::from(1..).step(3)]), python_slice(n, Some(1), None, 3));
    // The step after a Slice replaces its step.
    assert_eq!(got(py_s![Slice::from(1..).step(3);-1]), python_slice(n, Some(1), None, -1));
    // Bounds written as single tokens or negated ones (which py_s! turns
    // into calls, not Rust ranges), and longer expressions.
    let (k, last) = (1i64, 6usize);
    assert_eq!(got(py_s![last..0;-1]), python_slice(n, Some(6), Some(0), -1));
    assert_eq!(got(py_s![-1..-5;-2]), python_slice(n, Some(-1), Some(-5), -2));
    assert_eq!(got(py_s![-k..]), python_slice(n, Some(-1), None, 1));
    assert_eq!(got(py_s![(k + 1)..-1]), python_slice(n, Some(2), Some(-1), 1));
    assert_eq!(got(py_s![k + 1..k + 4]), python_slice(n, Some(2), Some(5), 1));
    // `a..=b` is `a..b+1` whatever the step (Python has no inclusive stop).
    assert_eq!(got(py_s![5..=1;-1]), python_slice(n, Some(5), Some(2), -1));
    assert_eq!(got(py_s![-2..=-1]), python_slice(n, Some(-2), None, 1));
    assert_eq!(got(py_s![k..=-3;2]), python_slice(n, Some(1), Some(-2), 2));
    let empty: [Slice; 0] = py_s![];
    assert!(empty.is_empty());
    assert_eq!(py_s![.., 1..,], [Slice::FULL, Slice::from(1..)]);
}

/// Where `py_s!` and ndarray's `s!` agree (whole dimensions, positive
/// steps) they select the same items; where the README says they differ
/// (a negative step over part of a dimension), they do.
#[test]
#[allow(clippy::reversed_empty_ranges)] // ndarray's s![1..-1] is a Rust range; py_s! builds none
fn py_s_against_ndarray_s() {
    use ndarray::{Array, s};
    let data: Vec<i32> = (0..30).collect();
    let nd = Array::from_shape_vec((5, 6), data.clone()).unwrap();
    let mv = MemoryView::from_shape(&data, &[5, 6]).unwrap();
    let same = |a: ndarray::ArrayView2<i32>, b: MemoryView<i32>| {
        assert_eq!(a.shape(), b.shape());
        assert_eq!(a.iter().copied().collect::<Vec<_>>(), b.to_vec(Order::C));
    };
    same(nd.slice(s![1.., ..;-2]), mv.slice(&py_s![1.., ..;-2]).unwrap());
    same(nd.slice(s![..;-1, ..;3]), mv.slice(&py_s![..;-1, ..;3]).unwrap());
    same(nd.slice(s![-3.., 1..-1;2]), mv.slice(&py_s![-3.., 1..-1;2]).unwrap());
    same(nd.slice(s![..=2, ..;-4]), mv.slice(&py_s![..=2, ..;-4]).unwrap());
    // ndarray: 1..4 reversed is 3, 2, 1; Python's 1:4:-1 is empty, and
    // Python's 3:0:-1 is 3, 2, 1.
    assert_eq!(nd.slice(s![0, 1..4;-1]).to_vec(), [3, 2, 1]);
    assert!(mv.slice(&py_s![.., 1..4;-1]).unwrap().is_empty());
    assert_eq!(mv.slice(&py_s![..1, 3..0;-1]).unwrap().to_vec(Order::C), [3, 2, 1]);
    // ndarray: 1.. walked backwards from its end is 5, 3, 1; Python's 1::-2 is 1.
    assert_eq!(nd.slice(s![0, 1..;-2]).to_vec(), [5, 3, 1]);
    assert_eq!(mv.slice(&py_s![..1, 1..;-2]).unwrap().to_vec(Order::C), [1]);
}
