//! The ndarray bridge (feature `ndarray`) against independent oracles:
//! ndarray's own indexing (every element and its address) for views made
//! from ndarray, the naive PEP 3118 walker in `tests/common` for ndarray
//! views made from random strided buffers (with exact expectations of
//! what must be refused), and ndarray's own `assign` for the fast copy.
#![cfg(feature = "ndarray")]

mod common;

use common::{CASES, Case, all_indices, spec};
use memoryview::ndarray::{AssignFast, assign};
use memoryview::{ErrorKind, Layout, MemoryView, MemoryViewMut, Order};
use ndarray::{Array, ArrayD, ArrayView, ArrayViewD, ArrayViewMut, ArrayViewMutD, Axis, IxDyn, ShapeBuilder, Slice};
use proptest::prelude::*;

/// A transform of an ndarray view (what ndarray users do before handing
/// a view over): negative, zero and gapped strides, other axis orders.
#[derive(Clone, Debug)]
enum Op {
    Invert(usize),
    /// Every `step`-th element from `start` (taken modulo the extent).
    Step(usize, usize, isize),
    Swap(usize, usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0usize..4).prop_map(Op::Invert),
        (0usize..4, 0usize..4, prop::sample::select(vec![1isize, 2, 3, -1, -2]))
            .prop_map(|(a, s, k)| Op::Step(a, s, k)),
        (0usize..4, 0usize..4).prop_map(|(a, b)| Op::Swap(a, b)),
    ]
}

fn apply<S: ndarray::RawData>(a: &mut ndarray::ArrayBase<S, IxDyn>, ops: &[Op]) {
    let ndim = a.ndim();
    if ndim == 0 {
        return;
    }
    for op in ops {
        match *op {
            Op::Invert(axis) => a.invert_axis(Axis(axis % ndim)),
            Op::Step(axis, start, step) => {
                let axis = Axis(axis % ndim);
                let n = a.len_of(axis);
                let start = if n == 0 { 0 } else { (start % n) as isize };
                a.slice_axis_inplace(axis, Slice::new(start, None, step));
            }
            Op::Swap(x, y) => a.swap_axes(x % ndim, y % ndim),
        }
    }
}

/// An array of `shape` with distinct values, in C or Fortran order.
fn array(shape: &[usize], fortran: bool) -> ArrayD<u32> {
    let n: usize = shape.iter().product();
    let values: Vec<u32> = (0..n as u32).map(|i| i.wrapping_mul(2_654_435_761)).collect();
    Array::from_shape_vec(IxDyn(shape).set_f(fortran), values).unwrap()
}

/// Every element of `mv` against ndarray's indexing of `nd`: value and
/// address.
fn same_elements(nd: &ArrayViewD<u32>, mv: &MemoryView<u32>) -> Result<(), TestCaseError> {
    prop_assert_eq!(nd.shape(), mv.shape());
    for index in all_indices(nd.shape()) {
        prop_assert_eq!(mv.get(&index).unwrap(), nd[&index[..]]);
        prop_assert_eq!(mv.item_ptr(&index).unwrap(), std::ptr::from_ref(&nd[&index[..]]).cast::<u8>());
    }
    prop_assert_eq!(mv.to_vec(Order::C), nd.iter().copied().collect::<Vec<_>>());
    Ok(())
}

fn shape_strategy() -> impl Strategy<Value = Vec<usize>> {
    // Smaller under Miri, which checks every access interpreted.
    let extent = if cfg!(miri) { 3 } else { 5 };
    prop::collection::vec(0usize..extent, 0..=4)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// ndarray -> MemoryView -> ndarray, read-only: the same elements at
    /// the same addresses, and the same ndarray view back.
    #[test]
    fn ndarray_round_trips(shape in shape_strategy(), fortran in any::<bool>(), ops in prop::collection::vec(op(), 0..6)) {
        let a = array(&shape, fortran);
        let mut v = a.view();
        apply(&mut v, &ops);
        let mv = MemoryView::try_from(v.clone()).unwrap();
        same_elements(&v, &mv)?;
        let back = ArrayViewD::try_from(mv.clone()).unwrap();
        prop_assert_eq!(&back, &v);
        if !v.is_empty() {
            prop_assert_eq!(back.as_ptr(), v.as_ptr());
            for axis in 0..v.ndim() {
                if v.len_of(Axis(axis)) > 1 {
                    prop_assert_eq!(back.stride_of(Axis(axis)), v.stride_of(Axis(axis)));
                }
            }
        }
        // And through the crate's transforms: the transpose and a reversal.
        let t = mv.t();
        same_elements(&v.t(), &t)?;
        prop_assert_eq!(ArrayViewD::try_from(t).unwrap(), v.t());
    }

    /// Broadcast (zero-stride) ndarray views convert both ways read-only,
    /// and are refused as mutable ndarray views.
    #[test]
    fn broadcast_views(shape in prop::collection::vec(1usize..4, 1..=3), extra in 0usize..4, ops in prop::collection::vec(op(), 0..4)) {
        let a = array(&shape, false);
        let mut v = a.view();
        apply(&mut v, &ops);
        let mut big = vec![extra];
        big.extend_from_slice(v.shape());
        let b = v.broadcast(IxDyn(&big)).unwrap();
        let mv = MemoryView::try_from(b.clone()).unwrap();
        same_elements(&b, &mv)?;
        prop_assert_eq!(ArrayViewD::try_from(mv).unwrap(), b);
    }

    /// ndarray -> MemoryViewMut: writes through the view land where
    /// ndarray's indexing says.
    #[test]
    fn mutable_ndarray_views(shape in shape_strategy(), fortran in any::<bool>(), ops in prop::collection::vec(op(), 0..6)) {
        let mut a = array(&shape, fortran);
        let expected = {
            let mut e = a.clone();
            let mut v = e.view_mut();
            apply(&mut v, &ops);
            for (k, x) in v.iter_mut().enumerate() {
                *x = (k as u32).wrapping_mul(3);
            }
            e
        };
        let mut v = a.view_mut();
        apply(&mut v, &ops);
        let mut mv = MemoryViewMut::try_from(v).unwrap();
        let n = mv.len() as u32;
        mv.copy_from_slice(&(0..n).collect::<Vec<_>>(), Order::C).unwrap();
        // And back: a mutable ndarray view of the same elements.
        let mut back = ArrayViewMutD::try_from(mv).unwrap();
        back.map_inplace(|x| *x = x.wrapping_mul(3));
        prop_assert_eq!(a, expected);
    }

    /// Random strided buffers (any strides, misaligned bases, suboffsets)
    /// -> ndarray: refused exactly when ndarray cannot describe them, and
    /// otherwise every element at the naive walker's address.
    #[test]
    fn strided_buffers_to_ndarray(spec in spec(4, true, true)) {
        let mut case = Case::build(&spec);
        match case.itemsize {
            1 => to_ndarray::<u8>(&mut case)?,
            2 => to_ndarray::<u16>(&mut case)?,
            4 => to_ndarray::<u32>(&mut case)?,
            8 => to_ndarray::<u64>(&mut case)?,
            _ => {}
        }
    }

    /// The fast assign against ndarray's assign, on random source and
    /// destination layouts of the same shape.
    #[test]
    fn assign_matches_ndarray(shape in shape_strategy(), fortran in any::<bool>(), src_ops in prop::collection::vec(op(), 0..6), dst_ops in prop::collection::vec(op(), 0..4)) {
        let a = array(&shape, fortran);
        let mut src = a.view();
        apply(&mut src, &src_ops);
        // A destination of the source's shape, stored in another order.
        let mut dst_store = ArrayD::<u32>::zeros(IxDyn(src.shape()).set_f(!fortran));
        let mut dst = dst_store.view_mut();
        apply_shape_preserving(&mut dst, &dst_ops);
        let mut expected_store = dst.to_owned();
        expected_store.fill(0);
        let mut expected = expected_store.view_mut();
        expected.assign(&src);
        assign(&mut dst, &src).unwrap();
        prop_assert_eq!(&dst, &expected);
    }
}

/// Inversions and swaps of equal extents keep the shape (a destination
/// for `assign` must keep its shape).
fn apply_shape_preserving(a: &mut ArrayViewMutD<u32>, ops: &[Op]) {
    let ndim = a.ndim();
    if ndim == 0 {
        return;
    }
    for op in ops {
        match *op {
            Op::Invert(axis) | Op::Step(axis, ..) => a.invert_axis(Axis(axis % ndim)),
            Op::Swap(x, y) if a.len_of(Axis(x % ndim)) == a.len_of(Axis(y % ndim)) => a.swap_axes(x % ndim, y % ndim),
            Op::Swap(..) => {}
        }
    }
}

trait Word: memoryview::Element + PartialEq + std::fmt::Debug {
    fn from_bytes(bytes: &[u8]) -> Self;
    fn from_index(k: usize) -> Self;
}

macro_rules! words {
    ($($ty:ty),*) => {$(
        impl Word for $ty {
            fn from_bytes(bytes: &[u8]) -> $ty {
                <$ty>::from_ne_bytes(bytes.try_into().unwrap())
            }
            fn from_index(k: usize) -> $ty {
                (k as $ty).wrapping_add(1)
            }
        }
    )*};
}
words!(u8, u16, u32, u64);

/// What ndarray cannot describe, worked out from the case's own numbers.
fn expected_refusal(case: &Case, mutable: bool) -> Option<ErrorKind> {
    let indices = all_indices(&case.shape);
    if case.suboffsets.is_some() {
        return Some(ErrorKind::Indirect);
    }
    if indices.is_empty() {
        return None;
    }
    let size = case.itemsize as isize;
    let off_grid = case.shape.iter().zip(&case.strides).any(|(&n, &s)| n > 1 && s % size != 0);
    let misaligned = indices.iter().any(|i| !case.naive_addr(i).addr().is_multiple_of(case.itemsize));
    if off_grid || misaligned {
        return Some(ErrorKind::Misaligned);
    }
    if mutable {
        let starts: Vec<usize> = indices.iter().map(|i| case.naive_addr(i).addr()).collect();
        let overlap =
            starts.iter().enumerate().any(|(a, &x)| starts[a + 1..].iter().any(|&y| x.abs_diff(y) < case.itemsize));
        if overlap {
            return Some(ErrorKind::Aliased);
        }
    }
    None
}

fn to_ndarray<T: Word>(case: &mut Case) -> Result<(), TestCaseError> {
    let indices = all_indices(&case.shape);
    // Read-only.
    // SAFETY: `build` made every item and slot valid, in memory owned by
    // `case`, not written while borrowed; the itemsize is size_of::<T>().
    let view = unsafe { MemoryView::<T>::from_raw_parts(case.base, case.layout()) }.unwrap();
    let refusal = expected_refusal(case, false);
    match ArrayViewD::try_from(view) {
        Err(err) => prop_assert_eq!(Some(err.kind()), refusal),
        Ok(nd) => {
            prop_assert_eq!(refusal, None);
            prop_assert_eq!(nd.shape(), &case.shape[..]);
            for index in &indices {
                prop_assert_eq!(std::ptr::from_ref(&nd[&index[..]]).cast::<u8>(), case.naive_addr(index).cast_const());
                prop_assert_eq!(&nd[&index[..]], &T::from_bytes(&case.naive_item(index)));
            }
        }
    }
    // Mutable: overlapping items must be refused too. The crate's overlap
    // test refuses some interleavings that do not overlap (as ndarray's
    // own test does), so only a refusal where there is no problem at all
    // may differ, and then it must be Aliased.
    let refusal = expected_refusal(case, true);
    // SAFETY: as above, and `&mut case` makes the view exclusive.
    let view = unsafe { MemoryViewMut::<T>::from_raw_parts(case.base, case.layout()) }.unwrap();
    match ArrayViewMutD::try_from(view) {
        Err(err) => prop_assert_eq!(err.kind(), refusal.unwrap_or(ErrorKind::Aliased)),
        Ok(mut nd) => {
            prop_assert_eq!(refusal, None);
            for (k, index) in indices.iter().enumerate() {
                nd[&index[..]] = T::from_index(k);
            }
            drop(nd);
            for (k, index) in indices.iter().enumerate() {
                prop_assert_eq!(T::from_bytes(&case.naive_item(index)), T::from_index(k));
            }
        }
    }
    Ok(())
}

#[test]
fn fixed_ranks_and_their_errors() {
    let data: Vec<f64> = (0..24).map(f64::from).collect();
    let v = MemoryView::from_shape(&data, &[2, 3, 4]).unwrap();
    let a3 = ndarray::ArrayView3::try_from(v.clone()).unwrap();
    assert_eq!(a3[[1, 2, 3]], 23.0);
    let err = ndarray::ArrayView2::try_from(v.clone()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ShapeMismatch);
    assert!(err.to_string().contains("3-dimensional"), "{err}");
    // Every fixed rank up to 6, and 0-d.
    let scalar = v.index_axis(0, 1).unwrap().index_axis(0, 2).unwrap().index_axis(0, 3).unwrap();
    assert_eq!(ndarray::ArrayView0::try_from(scalar.clone()).unwrap()[()], 23.0);
    assert_eq!(ArrayViewD::try_from(scalar).unwrap().ndim(), 0);
    let six = v.reshape(&[1, 2, 1, 3, 1, 4]).unwrap();
    assert_eq!(ndarray::ArrayView6::try_from(six).unwrap()[[0, 1, 0, 2, 0, 3]], 23.0);
    // Strides that are not whole elements, and a misaligned base.
    let bytes: Vec<u8> = (0..64).collect();
    let words = memoryview::BufferView::new(
        &bytes,
        Layout::new(&[3], &[6], 4).unwrap(),
        0,
        memoryview::Format::parse("I").unwrap(),
    )
    .unwrap()
    .typed::<u32>()
    .unwrap();
    let err = ndarray::ArrayView1::try_from(words).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Misaligned);
    assert!(err.to_string().contains("not a whole number"), "{err}");
    let aligned: Vec<u32> = vec![0; 8];
    let base = aligned.as_ptr().cast::<u8>().wrapping_add(1);
    // SAFETY: 3 u32s from one byte into `aligned` lie inside it.
    let shifted = unsafe { MemoryView::<u32>::from_raw_parts(base, Layout::new(&[3], &[4], 4).unwrap()) }.unwrap();
    assert_eq!(ndarray::ArrayView1::try_from(shifted).unwrap_err().kind(), ErrorKind::Misaligned);
    // Suboffsets.
    let rows = [[1u8, 2], [3, 4]];
    let table = [rows[0].as_ptr(), rows[1].as_ptr()];
    let layout = Layout::with_suboffsets(&[2, 2], &[8, 1], &[0, -1], 1).unwrap();
    // SAFETY: the table and rows outlive the view.
    let pil = unsafe { MemoryView::<u8>::from_raw_parts(table.as_ptr().cast(), layout) }.unwrap();
    assert_eq!(ArrayViewD::try_from(pil).unwrap_err().kind(), ErrorKind::Indirect);
    // A zero stride: fine read-only, refused as &mut.
    let mut one = [5u16];
    let layout = Layout::new(&[3], &[0], 2).unwrap();
    // SAFETY: the one item is ours for the view's life.
    let m = unsafe { MemoryViewMut::<u16>::from_raw_parts(one.as_mut_ptr().cast(), layout) }.unwrap();
    assert_eq!(ndarray::ArrayView1::try_from(m.view()).unwrap().to_vec(), [5, 5, 5]);
    assert_eq!(ndarray::ArrayViewMut1::try_from(m).unwrap_err().kind(), ErrorKind::Aliased);
}

#[test]
fn empty_and_limit_cases() {
    // Empty views keep their shape both ways.
    let none: [i16; 0] = [];
    let e = MemoryView::from_shape(&none, &[3, 0, 2]).unwrap();
    let nd = ArrayViewD::try_from(e).unwrap();
    assert_eq!(nd.shape(), &[3, 0, 2]);
    let back = MemoryView::try_from(nd).unwrap();
    assert_eq!(back.shape(), &[3, 0, 2]);
    // An empty view whose other extents multiply past isize::MAX: fine
    // here (no item), refused by ndarray.
    let layout = Layout::new(&[0, 1 << 62, 1 << 62], &[1, 1, 1], 1).unwrap();
    let huge = MemoryView::<u8>::new(&[], layout, 0).unwrap();
    assert_eq!(ArrayViewD::try_from(huge).unwrap_err().kind(), ErrorKind::Overflow);
    // A broadcast of one f64 to 2^62 elements: 2^65 bytes, more than a
    // layout may describe.
    let x = ndarray::arr0(1.0f64);
    let b = x.broadcast((1usize << 31, 1usize << 31)).unwrap();
    assert_eq!(MemoryView::try_from(b).unwrap_err().kind(), ErrorKind::Overflow);
    // 65 dimensions.
    let many = ArrayD::<u8>::zeros(IxDyn(&[1; 65]));
    assert_eq!(MemoryView::try_from(many.view()).unwrap_err().kind(), ErrorKind::TooManyDimensions);
    // Fixed-rank views from ndarray's other ranks.
    let a = Array::from_shape_fn((2, 3), |(i, j)| (i * 3 + j) as u8);
    let v = MemoryView::try_from(a.t()).unwrap();
    assert_eq!((v.shape(), v.strides()), (&[3, 2][..], &[1, 3][..]));
    let mut b = a.clone();
    let mut m = MemoryViewMut::try_from(b.view_mut()).unwrap();
    m.set(&[1, 2], 50).unwrap();
    assert_eq!(b[[1, 2]], 50);
}

#[test]
fn assign_broadcasts_like_ndarray() {
    let row = ndarray::array![1u16, 2, 3];
    let column = ndarray::array![[10u16], [20]];
    for src in [row.clone().into_dyn(), column.clone().into_dyn(), ndarray::arr0(7u16).into_dyn()] {
        let mut ours = Array::<u16, _>::zeros((2, 3));
        let mut theirs = ours.clone();
        ours.assign_fast(&src).unwrap();
        theirs.assign(&src);
        assert_eq!(ours, theirs);
    }
    let mut m = Array::<u16, _>::zeros((2, 3));
    let err = assign(&mut m, &ndarray::array![1u16, 2]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ShapeMismatch);
    // Views, ArcArrays and owned arrays on either side.
    // Large enough for a tiled transpose, except under Miri.
    let (rows, cols) = if cfg!(miri) { (8, 12) } else { (64, 96) };
    let big = Array::from_shape_fn((rows, cols), |(i, j)| (i * cols + j) as f32);
    let mut out = ndarray::ArcArray::<f32, _>::zeros((cols, rows));
    let shared = out.clone(); // the copy unshares `out`, as ndarray's assign does
    out.assign_fast(&big.t()).unwrap();
    assert_eq!(out, big.t());
    assert!(shared.iter().all(|&x| x == 0.0));
    let mut window = Array::<f32, _>::zeros((10, 10));
    let mut inner = window.slice_mut(ndarray::s![2..8;2, ..;-1]);
    let mut expected = inner.to_owned();
    expected.assign(&big.slice(ndarray::s![..3, 2..12]));
    assign(&mut inner, &big.slice(ndarray::s![..3, 2..12])).unwrap();
    assert_eq!(inner, expected);
    let _: ArrayView<f32, _> = big.view();
    let _: ArrayViewMut<f32, _> = window.view_mut();
}
