//! Chains of slice, transpose and axis swap on a 3-D `FixedView`, against
//! the independent model in `tests/models/chain.rs`: every item, in both
//! copy orders, by index, and through `to_memoryview`.
#![no_main]

#[path = "../../tests/models/chain.rs"]
mod chain_model;

use chain_model::{Model, Op};
use libfuzzer_sys::fuzz_target;
use memoryview::{FixedView, Order};

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let (dims, ops) = data.split_at(3);
    let shape = [0, 1, 2].map(|d| usize::from(dims[d] % 7));
    let n: usize = shape.iter().product();
    let items: Vec<u32> = (0..n as u32).map(|i| i.wrapping_mul(2_654_435_761)).collect();
    let mut view = FixedView::from_shape(&items, shape).unwrap();
    let strides = [shape[1].max(1) * shape[2].max(1), shape[2].max(1), 1].map(|s| 4 * s as isize);
    let mut model = Model { shape: shape.to_vec(), strides: strides.to_vec(), offset: 0 };
    for chunk in ops.chunks(4) {
        let &[kind, a, b, c] = chunk else { break };
        let small = |v: u8| isize::from(v as i8) % 9;
        let axis = usize::from(a % 3);
        let op = match kind % 3 {
            0 => {
                let step = small(c);
                let step = if step == 0 { 1 } else { step };
                let bound = |v: u8, on: bool| on.then(|| small(v));
                Op::Slice(axis, bound(b, a & 0x80 != 0), bound(c.rotate_left(3), b & 0x80 != 0), step)
            }
            1 => Op::T,
            _ => Op::Swap(axis, usize::from(b % 3)),
        };
        view = op.on_fixed_view(&view).unwrap();
        model = model.apply(op).unwrap();
        assert_eq!(view.shape().to_vec(), model.shape);
        let item = |o: isize| {
            assert!(o >= 0 && (o as usize) < 4 * n.max(1));
            items[o as usize / 4]
        };
        let expected: Vec<u32> = model.offsets().into_iter().map(item).collect();
        assert_eq!(view.to_vec(Order::C), expected);
        let fortran: Vec<u32> = model.apply(Op::T).unwrap().offsets().into_iter().map(item).collect();
        assert_eq!(view.to_vec(Order::F), fortran);
        assert_eq!(view.to_memoryview().to_vec(Order::C), expected);
        let s = view.shape();
        let index = [usize::from(a) % (s[0] + 1), usize::from(b) % (s[1] + 1), usize::from(c) % (s[2] + 1)];
        let inside = index.iter().zip(&s).all(|(i, n)| i < n);
        let flat = (index[0] * s[1] + index[1]) * s[2] + index[2];
        assert_eq!(view.get_ref(&index).ok(), inside.then(|| &expected[flat]));
    }
});
