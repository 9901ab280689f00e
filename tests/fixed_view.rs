//! `FixedView` against the independent chain model
//! (`tests/models/chain.rs`): chains of slices, transpositions and axis
//! permutations of a 3-D view of a slice, checked item by item, in both
//! copy orders and through the `MemoryView` it converts to; and its
//! refusals.

#[path = "models/chain.rs"]
mod chain_model;

use chain_model::{Model, Op};
use memoryview::{ErrorKind, FixedView, Order, Slice};
use proptest::prelude::*;

/// Cases per property: small under Miri, which runs every access checked.
const CASES: u32 = if cfg!(miri) { 6 } else { 256 };

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (
            0usize..3,
            prop::option::of(-7isize..7),
            prop::option::of(-7isize..7),
            prop::sample::select(vec![-3isize, -2, -1, 1, 2, 3])
        )
            .prop_map(|(a, s, e, st)| Op::Slice(a, s, e, st)),
        Just(Op::T),
        (0usize..3, 0usize..3).prop_map(|(a, b)| Op::Swap(a, b)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn chains_match_the_model(shape in [0usize..5, 0usize..5, 0usize..5], ops in prop::collection::vec(op(), 0..6)) {
        let n: usize = shape.iter().product();
        let data: Vec<u32> = (0..n as u32).map(|i| i * 7 + 1).collect();
        let mut view = FixedView::from_shape(&data, shape).unwrap();
        // Extents of 0 count as 1, as in `Layout::contiguous`.
        let c_strides = vec![4 * (shape[1].max(1) * shape[2].max(1)) as isize, 4 * shape[2].max(1) as isize, 4];
        let mut model = Model { shape: shape.to_vec(), strides: c_strides, offset: 0 };
        for op in ops {
            view = op.on_fixed_view(&view).unwrap();
            model = model.apply(op).unwrap();
            prop_assert_eq!(view.shape().to_vec(), model.shape.clone());
        }
        let item = |offset: isize| data[usize::try_from(offset / 4).unwrap()];
        let expected: Vec<u32> = model.offsets().into_iter().map(item).collect();
        prop_assert_eq!(view.len(), expected.len());
        prop_assert_eq!(view.to_vec(Order::C), expected.clone());
        let mut out = vec![0u32; expected.len()];
        view.copy_to_slice(&mut out, Order::C).unwrap();
        prop_assert_eq!(&out, &expected);
        // Fortran order is the C order of the reversed axes.
        let fortran: Vec<u32> = model.apply(Op::T).unwrap().offsets().into_iter().map(item).collect();
        prop_assert_eq!(view.to_vec(Order::F), fortran.clone());
        view.copy_to_slice(&mut out, Order::F).unwrap();
        prop_assert_eq!(&out, &fortran);
        // Every item by index, and the first index past each extent.
        let s = view.shape();
        let mut k = 0;
        for i in 0..s[0] {
            for j in 0..s[1] {
                for l in 0..s[2] {
                    prop_assert_eq!(view.get_ref(&[i, j, l]).ok(), Some(&expected[k]));
                    k += 1;
                }
            }
        }
        prop_assert_eq!(view.get_ref(&[s[0], 0, 0]).ok(), None);
        prop_assert_eq!(view.get_ref(&[0, s[1], 0]).ok(), None);
        prop_assert_eq!(view.get_ref(&[0, 0, s[2]]).ok(), None);
        for ((&extent, stride), &expected) in s.iter().zip(view.strides()).zip(&model.strides) {
            if extent > 1 {
                prop_assert_eq!(stride, expected);
            }
        }
        let m = view.to_memoryview();
        prop_assert_eq!(m.shape(), &s[..]);
        prop_assert_eq!(m.to_vec(Order::C), expected);
        prop_assert_eq!(m.to_vec(Order::F), fortran);
    }
}

#[test]
fn transposed_copy_of_an_8x8_block() {
    let data: Vec<f64> = (0..64).map(f64::from).collect();
    let mut out = [0f64; 64];
    FixedView::from_shape(&data, [8, 8]).unwrap().t().copy_to_slice(&mut out, Order::C).unwrap();
    for i in 0..8 {
        for j in 0..8 {
            assert_eq!(out[i * 8 + j], data[j * 8 + i]);
        }
    }
}

/// Items before the base item (negative strides) are read through the
/// whole slice (a pointer from the subslice at the base could not reach
/// them: Miri checks this one).
#[test]
fn reversed_views_read_below_their_base() {
    let data: Vec<u32> = (0..12).collect();
    let v = FixedView::from_shape(&data, [3, 4]).unwrap();
    let back = v.slice(&[Slice::from(..).step(-1), Slice::from(..).step(-1)]).unwrap();
    assert_eq!(back.to_vec(Order::C), (0..12).rev().collect::<Vec<_>>());
    let mut out = [0u32; 12];
    back.t().copy_to_slice(&mut out, Order::F).unwrap();
    assert_eq!(out.to_vec(), (0..12).rev().collect::<Vec<_>>());
}

#[test]
fn any_order_keeps_the_stored_order() {
    let data: Vec<u16> = (0..12).collect();
    let fortran = FixedView::from_shape(&data, [3, 4]).unwrap().t();
    assert_eq!(fortran.to_vec(Order::A), data);
    assert_eq!(fortran.to_vec(Order::C), [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    let c = FixedView::from_shape(&data, [3, 4]).unwrap();
    assert_eq!(c.to_vec(Order::A), data);
}

#[test]
fn empty_views() {
    let none: [u8; 0] = [];
    let v = FixedView::from_shape(&none, [0, 3]).unwrap();
    assert!(v.is_empty());
    assert_eq!(v.len(), 0);
    assert_eq!(v.to_vec(Order::C), [0u8; 0]);
    v.copy_to_slice(&mut [], Order::F).unwrap();
    assert!(v.get(&[0, 0]).is_err());
    let m = v.t().to_memoryview();
    assert_eq!(m.shape(), &[3, 0]);
    // Slicing a non-empty view down to nothing keeps it valid.
    let data = [1u8, 2, 3, 4];
    let v = FixedView::from_shape(&data, [2, 2]).unwrap();
    let gone = v.slice(&[Slice::from(..).step(-1), Slice::from(5..)]).unwrap();
    assert_eq!(gone.shape(), [2, 0]);
    assert_eq!(gone.to_vec(Order::C), [0u8; 0]);
    assert_eq!(gone.to_memoryview().shape(), &[2, 0]);
    // A large extent is fine when another one is zero.
    let wide = FixedView::from_shape(&none, [isize::MAX as usize, 0]).unwrap();
    assert_eq!(wide.len(), 0);
    assert_eq!(wide.to_memoryview().len(), 0);
}

#[test]
fn refusals() {
    let data = [0i32; 6];
    let err = FixedView::from_shape(&data, [4, 2]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ShapeMismatch);
    let none: [i32; 0] = [];
    assert_eq!(FixedView::from_shape(&none, [usize::MAX, 0]).unwrap_err().kind(), ErrorKind::Overflow);
    let v = FixedView::from_shape(&data, [2, 3]).unwrap();
    assert_eq!(v.permute_axes([0, 0]).unwrap_err().kind(), ErrorKind::InvalidAxis);
    assert_eq!(v.permute_axes([0, 2]).unwrap_err().kind(), ErrorKind::InvalidAxis);
    assert_eq!(v.slice(&[Slice::FULL, Slice::from(..).step(0)]).unwrap_err().kind(), ErrorKind::InvalidSlice);
    let mut short = [0i32; 5];
    assert_eq!(v.copy_to_slice(&mut short, Order::C).unwrap_err().kind(), ErrorKind::LengthMismatch);
}

#[test]
fn items_of_types_with_invalid_bit_patterns() {
    let data = [true, false, false, true, true, false];
    let v = FixedView::from_shape(&data, [2, 3]).unwrap().t();
    assert_eq!(v.to_vec(Order::C), [true, true, false, true, false, false]);
    assert_eq!(v.to_memoryview().to_vec(Order::C), v.to_vec(Order::C));
}
