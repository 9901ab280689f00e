//! Chains of slice, transpose, swap and index over a real allocation,
//! against the independent model in `tests/models/chain.rs`.
#![no_main]

#[path = "../../tests/models/chain.rs"]
mod chain_model;

use chain_model::{Model, Op};
use libfuzzer_sys::fuzz_target;
use memoryview::{BufferView, Format, Layout, Order};

fuzz_target!(|data: &[u8]| {
    let Some((&head, rest)) = data.split_first() else { return };
    let ndim = usize::from(head % 5);
    let (dims, ops) = rest.split_at(rest.len().min(ndim));
    let shape: Vec<usize> = dims.iter().map(|&b| usize::from(b % 7)).collect();
    let itemsize = usize::from(head / 64) + 1;
    let layout = Layout::contiguous(&shape, itemsize, Order::C).unwrap();
    let buffer: Vec<u8> = (0..layout.nbytes().max(1)).map(|i| (i * 31 + 7) as u8).collect();
    let format = Format::parse(&format!("{itemsize}s")).unwrap();
    let mut view = BufferView::new(&buffer, layout.clone(), 0, format).unwrap();
    let mut model = Model { shape: shape.clone(), strides: layout.strides().to_vec(), offset: 0 };
    for chunk in ops.chunks(4) {
        let &[kind, a, b, c] = chunk else { break };
        let small = |v: u8| isize::from(v as i8) % 9;
        let op = match kind % 4 {
            0 => {
                let step = small(c);
                let step = if step == 0 { 1 } else { step };
                let bound = |v: u8, on: bool| on.then(|| small(v));
                Op::Slice(usize::from(a % 5), bound(b, a & 0x80 != 0), bound(c.rotate_left(3), b & 0x80 != 0), step)
            }
            1 => Op::T,
            2 => Op::Swap(usize::from(a % 5), usize::from(b % 5)),
            _ => Op::Index(usize::from(a % 5), small(b)),
        };
        let result = op.on_view(&view);
        match (model.apply(op), result) {
            (Some(m), Ok(v)) => {
                model = m;
                view = v;
            }
            (None, Err(_)) => continue,
            (m, r) => panic!("{op:?}: model {m:?}, crate {:?}", r.map(|v| v.shape().to_vec())),
        }
        assert_eq!(view.shape(), &model.shape[..]);
        let offsets = model.offsets();
        let expected: Vec<u8> = offsets
            .iter()
            .flat_map(|&o| {
                assert!(o >= 0 && o as usize + itemsize <= buffer.len());
                buffer[o as usize..o as usize + itemsize].to_vec()
            })
            .collect();
        assert_eq!(view.to_bytes(Order::C), expected);
    }
});
