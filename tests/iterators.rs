//! Item, axis and lane iterators, `iter_mut` and `for_each_mut` against
//! the naive reference walker in `tests/common`, over random direct and
//! multi-level indirect buffers with any strides.

mod common;

use common::{CASES, Case, all_indices, spec};
use memoryview::{ErrorKind, Layout, MemoryView, MemoryViewMut, Order};
use proptest::prelude::*;

/// An unsigned integer of one of the itemsizes `spec` generates.
trait Word: memoryview::Element + bytemuck::Pod + PartialEq + std::fmt::Debug {
    fn from_bytes(bytes: &[u8]) -> Self;
    fn bump(self) -> Self;
}

macro_rules! words {
    ($($ty:ty),*) => {$(
        impl Word for $ty {
            fn from_bytes(bytes: &[u8]) -> $ty {
                <$ty>::from_ne_bytes(bytes.try_into().unwrap())
            }
            fn bump(self) -> $ty {
                self.wrapping_mul(3).wrapping_add(1)
            }
        }
    )*};
}
words!(u8, u16, u32, u64);

fn typed<T: Word>(case: &Case) -> MemoryView<'_, T> {
    // SAFETY: `build` made every item and slot valid, in memory owned by
    // `case`, not written while borrowed; the itemsize is size_of::<T>().
    unsafe { MemoryView::from_raw_parts(case.base, case.layout()) }.unwrap()
}

fn typed_mut<T: Word>(case: &mut Case) -> MemoryViewMut<'_, T> {
    // SAFETY: as in `typed`, and `&mut case` makes the view exclusive.
    unsafe { MemoryViewMut::from_raw_parts(case.base, case.layout()) }.unwrap()
}

fn naive<T: Word>(case: &Case, index: &[usize]) -> T {
    T::from_bytes(&case.naive_item(index))
}

/// Runs `check::<uN>` for the case's itemsize (1, 2, 4 or 8; 3 is skipped).
fn for_word(case: &Case, check: &mut dyn FnMut(usize) -> Result<(), TestCaseError>) -> Result<(), TestCaseError> {
    if [1, 2, 4, 8].contains(&case.itemsize) { check(case.itemsize) } else { Ok(()) }
}

fn items_both_ways<T: Word>(case: &Case, seed: u64) -> Result<(), TestCaseError> {
    let view = typed::<T>(case);
    let expected: Vec<T> = all_indices(&case.shape).iter().map(|i| naive(case, i)).collect();
    prop_assert_eq!(view.iter().collect::<Vec<_>>(), expected.clone());
    prop_assert_eq!(view.iter().rev().collect::<Vec<_>>(), expected.iter().rev().copied().collect::<Vec<_>>());
    // Front and back interleaved by the seed's bits meet in the middle.
    let mut iter = view.iter();
    let (mut front, mut back) = (Vec::new(), Vec::new());
    for bit in 0.. {
        prop_assert_eq!(iter.len(), expected.len() - front.len() - back.len());
        let item = if (seed >> (bit % 64)) & 1 == 0 {
            iter.next().map(|x| front.push(x))
        } else {
            iter.next_back().map(|x| back.push(x))
        };
        if item.is_none() {
            break;
        }
    }
    back.reverse();
    front.extend(back);
    prop_assert_eq!(front, expected);
    Ok(())
}

fn sub_views<T: Word>(case: &Case) -> Result<(), TestCaseError> {
    let view = typed::<T>(case);
    let ndim = case.shape.len();
    for axis in 0..ndim {
        // Indirect views refuse to drop some axes; then so must the iterators.
        let Ok(iter) = view.axis_iter(axis) else {
            prop_assert!(case.shape[axis] > 0 && view.index_axis(axis, 0).is_err());
            continue;
        };
        prop_assert_eq!(iter.len(), case.shape[axis]);
        let forwards: Vec<_> = iter.clone().collect();
        let mut backwards: Vec<_> = iter.rev().collect();
        backwards.reverse();
        for (k, (sub, back)) in forwards.iter().zip(&backwards).enumerate() {
            let mut rest = case.shape.clone();
            rest.remove(axis);
            prop_assert_eq!(sub.shape(), &rest[..]);
            let items: Vec<T> = all_indices(&rest)
                .into_iter()
                .map(|mut i| {
                    i.insert(axis, k);
                    naive(case, &i)
                })
                .collect();
            prop_assert_eq!(sub.to_vec(Order::C), items.clone());
            prop_assert_eq!(back.to_vec(Order::C), items);
        }
        // Lanes along the axis: one per index tuple of the other axes.
        let Ok(lanes) = view.lanes(axis) else { continue };
        let mut others = case.shape.clone();
        others.remove(axis);
        let outer = all_indices(&others);
        prop_assert_eq!(lanes.len(), outer.len());
        for (lane, at) in lanes.zip(&outer) {
            prop_assert_eq!(lane.shape(), &[case.shape[axis]][..]);
            let items: Vec<T> = (0..case.shape[axis])
                .map(|k| {
                    let mut i = at.clone();
                    i.insert(axis, k);
                    naive(case, &i)
                })
                .collect();
            prop_assert_eq!(lane.to_vec(Order::C), items);
        }
    }
    if ndim > 0
        && let (Ok(rows), Ok(lanes)) = (view.rows(), view.lanes(ndim - 1))
    {
        prop_assert_eq!(
            rows.map(|r| r.to_vec(Order::C)).collect::<Vec<_>>(),
            lanes.map(|r| r.to_vec(Order::C)).collect::<Vec<_>>()
        );
    }
    Ok(())
}

/// Whether two items of the case share a byte (every pair compared), or
/// an item is misaligned for an itemsize-sized integer.
fn naive_refusal(case: &Case) -> Option<ErrorKind> {
    let indices = all_indices(&case.shape);
    if indices.is_empty() {
        return None;
    }
    if case.suboffsets.is_some() {
        return Some(ErrorKind::Indirect);
    }
    let starts: Vec<usize> = indices.iter().map(|i| case.naive_addr(i).addr()).collect();
    if starts.iter().any(|s| s % case.itemsize != 0) {
        return Some(ErrorKind::Misaligned);
    }
    for (a, &x) in starts.iter().enumerate() {
        for &y in &starts[a + 1..] {
            if x.abs_diff(y) < case.itemsize {
                return Some(ErrorKind::Aliased);
            }
        }
    }
    None
}

fn references<T: Word>(case: &mut Case) -> Result<(), TestCaseError> {
    let refusal = naive_refusal(case);
    let indices = all_indices(&case.shape);
    let mut view = typed_mut::<T>(case);
    match view.iter_mut() {
        Err(err) => {
            // The overlap test may refuse layouts that only interleave;
            // alignment and indirection are exact.
            match refusal {
                Some(kind) => prop_assert_eq!(err.kind(), kind),
                None => prop_assert_eq!(err.kind(), ErrorKind::Aliased),
            }
            return Ok(());
        }
        Ok(iter) => {
            prop_assert_eq!(refusal, None);
            prop_assert_eq!(iter.len(), indices.len());
            for (k, x) in iter.rev().enumerate() {
                *x = T::from_bytes(&(k as u64).to_ne_bytes()[..size_of::<T>()]);
            }
        }
    }
    drop(view);
    for (k, index) in indices.iter().rev().enumerate() {
        let want = T::from_bytes(&(k as u64).to_ne_bytes()[..size_of::<T>()]);
        prop_assert_eq!(naive::<T>(case, index), want);
    }
    Ok(())
}

/// `for_each_mut` against a read-modify-write of every item in C order
/// through the naive addresses of a twin case (same spec, same bytes).
fn updates<T: Word>(case: &mut Case, twin: &Case) -> Result<(), TestCaseError> {
    typed_mut::<T>(case).for_each_mut(|x| *x = x.bump());
    for index in all_indices(&twin.shape) {
        let p = twin.naive_addr(&index).cast::<T>();
        // SAFETY: the twin's items lie in memory it owns; nothing else
        // borrows it here.
        unsafe { p.write_unaligned(p.read_unaligned().bump()) };
    }
    prop_assert_eq!(case.naive_bytes(false), twin.naive_bytes(false));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn items_from_both_ends(spec in spec(4, true, true), seed in any::<u64>()) {
        let case = Case::build(&spec);
        for_word(&case, &mut |size| match size {
            1 => items_both_ways::<u8>(&case, seed),
            2 => items_both_ways::<u16>(&case, seed),
            4 => items_both_ways::<u32>(&case, seed),
            _ => items_both_ways::<u64>(&case, seed),
        })?;
    }

    #[test]
    fn axis_iterators_and_lanes(spec in spec(4, true, true)) {
        let case = Case::build(&spec);
        for_word(&case, &mut |size| match size {
            1 => sub_views::<u8>(&case),
            2 => sub_views::<u16>(&case),
            4 => sub_views::<u32>(&case),
            _ => sub_views::<u64>(&case),
        })?;
    }

    #[test]
    fn iter_mut_lends_exactly_the_disjoint_aligned_items(spec in spec(3, true, true)) {
        let mut case = Case::build(&spec);
        match case.itemsize {
            1 => references::<u8>(&mut case)?,
            2 => references::<u16>(&mut case)?,
            4 => references::<u32>(&mut case)?,
            8 => references::<u64>(&mut case)?,
            _ => {}
        }
    }

    #[test]
    fn for_each_mut_is_a_read_modify_write_in_c_order(spec in spec(3, true, true)) {
        let mut case = Case::build(&spec);
        let twin = Case::build(&spec);
        match case.itemsize {
            1 => updates::<u8>(&mut case, &twin)?,
            2 => updates::<u16>(&mut case, &twin)?,
            4 => updates::<u32>(&mut case, &twin)?,
            8 => updates::<u64>(&mut case, &twin)?,
            _ => {}
        }
    }
}

#[test]
fn iterator_errors() {
    let data = [0u32; 6];
    let v = MemoryView::from_shape(&data, &[2, 3]).unwrap();
    assert_eq!(v.axis_iter(2).unwrap_err().kind(), ErrorKind::InvalidAxis);
    assert_eq!(v.lanes(5).unwrap_err().kind(), ErrorKind::InvalidAxis);
    let scalar = v.index_axis(0, 0).unwrap().index_axis(0, 0).unwrap();
    assert_eq!(scalar.rows().unwrap_err().kind(), ErrorKind::InvalidAxis);
    assert_eq!(scalar.iter().collect::<Vec<_>>(), [0]);
    // Empty dimensions: no sub-views, or empty ones.
    let empty: [u32; 0] = [];
    let e = MemoryView::from_shape(&empty, &[3, 0]).unwrap();
    assert_eq!(e.axis_iter(1).unwrap().len(), 0);
    assert_eq!(e.axis_iter(0).unwrap().map(|row| row.len()).collect::<Vec<_>>(), [0, 0, 0]);
    assert_eq!(e.rows().unwrap().len(), 3);
    assert_eq!(e.lanes(0).unwrap().len(), 0);
    // A zero stride: one item seen twice cannot be lent out twice.
    let mut one = [7u32];
    let layout = Layout::new(&[2], &[0], 4).unwrap();
    // SAFETY: the one item is ours for the view's life.
    let mut m = unsafe { MemoryViewMut::<u32>::from_raw_parts(one.as_mut_ptr().cast(), layout) }.unwrap();
    assert_eq!(m.iter_mut().unwrap_err().kind(), ErrorKind::Aliased);
    m.for_each_mut(|x| *x += 1); // read 7, write 8; read 8, write 9
    assert_eq!(one, [9]);
}
