//! Chains of slices, transpositions, axis swaps and indexing on a real
//! allocation, against an independent model (`tests/models/chain.rs`):
//! every item the view reaches lies inside the allocation and is the item
//! the model says.

#[path = "models/chain.rs"]
mod chain_model;

use chain_model::{Model, Op};
use memoryview::{BufferView, Format, Layout, Order, Slice};
use proptest::prelude::*;

const CASES: u32 = if cfg!(miri) { 6 } else { 256 };

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (
            0usize..4,
            prop::option::of(-7isize..7),
            prop::option::of(-7isize..7),
            prop::sample::select(vec![-3isize, -2, -1, 1, 2, 3])
        )
            .prop_map(|(a, s, e, st)| Op::Slice(a, s, e, st)),
        Just(Op::T),
        (0usize..4, 0usize..4).prop_map(|(a, b)| Op::Swap(a, b)),
        (0usize..4, -6isize..6).prop_map(|(a, i)| Op::Index(a, i)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn chains_match_the_model(shape in prop::collection::vec(0usize..6, 0..4), itemsize in 1usize..5, reverse in any::<bool>(),
                              ops in prop::collection::vec(op(), 0..6)) {
        let layout = Layout::contiguous(&shape, itemsize, Order::C).unwrap();
        let len = layout.nbytes().max(1);
        let data: Vec<u8> = (0..len).map(|i| (i * 13 + 5) as u8).collect();
        let format = Format::parse(&format!("{itemsize}s")).unwrap();
        let mut view = BufferView::new(&data, layout.clone(), 0, format).unwrap();
        let mut model = Model { shape: shape.clone(), strides: layout.strides().to_vec(), offset: 0 };
        if reverse && !shape.is_empty() {
            view = view.slice(&[Slice::from(..).step(-1)]).unwrap();
            model = model.apply(Op::Slice(0, None, None, -1)).unwrap();
        }
        for op in ops {
            let result = op.on_view(&view);
            match (model.apply(op), result) {
                (Some(m), Ok(v)) => { model = m; view = v; }
                (None, Err(_)) => {}
                (m, r) => prop_assert!(false, "{op:?}: model {:?}, crate {:?}", m, r.map(|v| v.shape().to_vec())),
            }
            prop_assert_eq!(view.shape(), &model.shape[..]);
            let offsets = model.offsets();
            for &o in &offsets {
                prop_assert!(o >= 0 && o as usize + itemsize <= data.len(), "item at {} outside the allocation", o);
            }
            let expected: Vec<u8> = offsets.iter().flat_map(|&o| data[o as usize..o as usize + itemsize].to_vec()).collect();
            prop_assert_eq!(view.to_bytes(Order::C), expected);
        }
    }
}
