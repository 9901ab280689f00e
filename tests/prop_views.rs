//! Properties of views and copies against the naive reference walker in
//! `tests/common`, over random direct and multi-level indirect buffers
//! with any strides (negative, zero, not multiples of the itemsize).

mod common;

use common::{CASES, Case, all_indices, python_range, spec};
use memoryview::{BufferViewMut, Layout, Order, Slice};
use proptest::prelude::*;

fn slice_strategy() -> impl Strategy<Value = (Option<isize>, Option<isize>, isize)> {
    (prop::option::of(-6isize..6), prop::option::of(-6isize..6), prop::sample::select(vec![-3isize, -2, -1, 1, 2, 3]))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn to_bytes_matches_naive(spec in spec(4, true, true)) {
        let case = Case::build(&spec);
        let view = case.view();
        prop_assert_eq!(view.to_bytes(Order::C), case.naive_bytes(false));
        prop_assert_eq!(view.to_bytes(Order::F), case.naive_bytes(true));
        let any = view.to_bytes(Order::A);
        let fortran_only = view.is_contiguous(Order::F) && !view.is_contiguous(Order::C);
        prop_assert_eq!(any, case.naive_bytes(fortran_only));
    }

    #[test]
    fn any_order_keeps_the_stored_order(shape in prop::collection::vec(0usize..5, 0..4), fortran in any::<bool>()) {
        let n: usize = shape.iter().product();
        let data: Vec<u16> = (0..n as u16).collect();
        let order = if fortran { Order::F } else { Order::C };
        let layout = Layout::contiguous(&shape, 2, order).unwrap();
        let view = memoryview::MemoryView::new(&data, layout, 0).unwrap();
        prop_assert_eq!(view.to_vec(Order::A), data.clone());
        prop_assert_eq!(view.to_vec(order), data);
    }

    #[test]
    fn items_and_pointers_match_naive(spec in spec(4, true, true)) {
        let case = Case::build(&spec);
        let view = case.view();
        for index in all_indices(&case.shape) {
            let signed: Vec<isize> = index.iter().map(|&i| i as isize).collect();
            prop_assert_eq!(view.item_ptr(&signed).unwrap(), case.naive_addr(&index).cast_const());
            // Negative indices count from the end.
            let negative: Vec<isize> = index.iter().zip(&case.shape).map(|(&i, &n)| i as isize - n as isize).collect();
            prop_assert_eq!(view.item_bytes(&negative).unwrap(), &case.naive_item(&index)[..]);
        }
    }

    #[test]
    fn slices_match_naive(spec in spec(3, true, true), keys in prop::collection::vec(slice_strategy(), 0..=3)) {
        let case = Case::build(&spec);
        let keys = &keys[..keys.len().min(case.shape.len())];
        let slices: Vec<Slice> = keys.iter().map(|&(a, b, s)| Slice::new(a, b, Some(s))).collect();
        let sliced = case.view().slice(&slices).unwrap();
        let ranges: Vec<Vec<usize>> = case.shape.iter().enumerate().map(|(d, &n)| match keys.get(d) {
            Some(&(a, b, s)) => python_range(n, a, b, s),
            None => (0..n).collect(),
        }).collect();
        let shape: Vec<usize> = ranges.iter().map(Vec::len).collect();
        prop_assert_eq!(sliced.shape(), &shape[..]);
        let expected: Vec<u8> = all_indices(&shape).iter().flat_map(|i| {
            let original: Vec<usize> = i.iter().enumerate().map(|(d, &k)| ranges[d][k]).collect();
            case.naive_item(&original)
        }).collect();
        prop_assert_eq!(sliced.to_bytes(Order::C), expected);
    }

    #[test]
    fn permutations_match_naive(spec in spec(4, true, true), seed in any::<u64>()) {
        let case = Case::build(&spec);
        let ndim = case.shape.len();
        let mut perm: Vec<usize> = (0..ndim).collect();
        let mut rng = common::Rng::new(seed);
        for i in (1..ndim).rev() {
            perm.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let permuted = case.view().permute_axes(&perm).unwrap();
        let shape: Vec<usize> = perm.iter().map(|&p| case.shape[p]).collect();
        let expected: Vec<u8> = all_indices(&shape).iter().flat_map(|i| {
            let mut original = vec![0; ndim];
            for (k, &p) in perm.iter().enumerate() { original[p] = i[k]; }
            case.naive_item(&original)
        }).collect();
        prop_assert_eq!(permuted.to_bytes(Order::C), expected);
        // Slicing after a permutation still means the same items.
        if ndim > 0 && shape[0] > 1 {
            let tail = permuted.slice_axis(0, 1..).unwrap();
            let expected_tail = permuted.to_bytes(Order::C)[permuted.nbytes() / shape[0]..].to_vec();
            prop_assert_eq!(tail.to_bytes(Order::C), expected_tail);
        }
        prop_assert_eq!(case.view().t().to_bytes(Order::F), case.naive_bytes(false));
    }

    #[test]
    fn index_axis_matches_naive(spec in spec(4, true, true), axis in 0usize..4, index in -5isize..5) {
        let case = Case::build(&spec);
        let ndim = case.shape.len();
        prop_assume!(axis < ndim);
        let extent = case.shape[axis] as isize;
        let position = if index < 0 { index + extent } else { index };
        match case.view().index_axis(axis, index) {
            Ok(sub) => {
                prop_assert!((0..extent).contains(&position));
                let mut shape = case.shape.clone();
                shape.remove(axis);
                let expected: Vec<u8> = all_indices(&shape).iter().flat_map(|i| {
                    let mut original = i.clone();
                    original.insert(axis, position as usize);
                    case.naive_item(&original)
                }).collect();
                prop_assert_eq!(sub.to_bytes(Order::C), expected);
            }
            Err(e) => prop_assert!(
                !(0..extent).contains(&position) || case.layout().is_dereferenced(axis),
                "unexpected error {e}"
            ),
        }
    }

    #[test]
    fn copy_from_bytes_writes_exactly_the_items(spec in spec(4, true, false), fortran in any::<bool>()) {
        let mut case = Case::build(&spec);
        let n = case.layout().nbytes();
        let src: Vec<u8> = (0..n).map(|i| (i * 7 + 3) as u8).collect();
        let order = if fortran { Order::F } else { Order::C };
        case.view_mut().copy_from_bytes(&src, order).unwrap();
        prop_assert_eq!(case.naive_bytes(fortran), src);
    }

    #[test]
    fn assign_matches_naive(dst in spec(3, true, false), src_seed in any::<u64>(), negate in any::<bool>()) {
        let mut target = Case::build(&dst);
        let mut source_spec = dst.clone();
        source_spec.seed = src_seed;
        for d in &mut source_spec.dims { if negate { d.0 = d.0.wrapping_neg(); } }
        let source = Case::build(&source_spec);
        target.view_mut().assign(&source.view()).unwrap();
        prop_assert_eq!(target.naive_bytes(false), source.naive_bytes(false));
    }

    #[test]
    fn copy_within_is_memmove(len in 0usize..24, a in 0isize..24, b in 0isize..24, n in 0isize..12, back in any::<bool>()) {
        let mut data: Vec<u8> = (0..len as u8).collect();
        let mut expected = data.clone();
        let (a, b) = (a.min(len as isize), b.min(len as isize));
        let n = n.min(len as isize - a).min(len as isize - b).max(0);
        let step = if back { -1 } else { 1 };
        let (src, dst) = if back {
            (Slice::new(Some(a + n - 1), if a == 0 { None } else { Some(a - 1) }, Some(step)),
             Slice::new(Some(b + n - 1), if b == 0 { None } else { Some(b - 1) }, Some(step)))
        } else {
            (Slice::new(Some(a), Some(a + n), None), Slice::new(Some(b), Some(b + n), None))
        };
        let moved: Vec<u8> = expected[a as usize..(a + n) as usize].to_vec();
        expected[b as usize..(b + n) as usize].copy_from_slice(&moved);
        let mut view = BufferViewMut::from_slice(&mut data);
        if n > 0 {
            view.copy_within(&[dst], &[src]).unwrap();
            prop_assert_eq!(data, expected);
        }
    }

    #[test]
    fn contiguity_matches_definition(spec in spec(4, true, true)) {
        let case = Case::build(&spec);
        let layout = case.layout();
        // PyBuffer_IsContiguous, restated: C iff the C-packed strides match
        // on every dimension of extent > 1 (or the view is empty).
        let packed = |fortran: bool| {
            if layout.is_indirect() { return false; }
            if layout.is_empty() { return true; }
            let c = Layout::contiguous(&case.shape, case.itemsize, if fortran { Order::F } else { Order::C }).unwrap();
            case.shape.iter().zip(case.strides.iter().zip(c.strides())).all(|(&n, (s, t))| n <= 1 || s == t)
        };
        prop_assert_eq!(layout.is_contiguous(Order::C), packed(false));
        prop_assert_eq!(layout.is_contiguous(Order::F), packed(true));
        prop_assert_eq!(layout.is_contiguous(Order::A), packed(false) || packed(true));
    }
}
