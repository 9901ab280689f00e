//! Copies in and out in C, F and A order through every strategy the
//! planner can choose (extents up to 160 reach the tiled kernels), against
//! a naive walker: bytes written to a strided view and read back are
//! unchanged, and bytes outside the view's items are never touched.
#![no_main]

use libfuzzer_sys::fuzz_target;
use memoryview::{BufferViewMut, Format, Layout, Order};

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let ndim = usize::from(data[0] % 4);
    let itemsize = [1, 2, 3, 4, 8, 16][usize::from(data[1] % 6)];
    let order = [Order::C, Order::F, Order::A][usize::from(data[2] % 3)];
    let dims = &data[3..];
    if dims.len() < 2 * ndim {
        return;
    }
    // Extents, then nested non-overlapping strides in a fuzzed nesting
    // order, with gaps and signs.
    let shape: Vec<usize> = (0..ndim).map(|d| usize::from(dims[d]) % 161).collect();
    if shape.iter().product::<usize>() * itemsize > 1 << 20 {
        return;
    }
    let mut order_of: Vec<usize> = (0..ndim).collect();
    order_of.sort_by_key(|&d| dims[ndim + d]);
    let mut strides = vec![0isize; ndim];
    let mut reach = itemsize as isize;
    for &d in &order_of {
        let knob = dims[ndim + d];
        let stride = reach + isize::from(knob % 3) * itemsize as isize;
        strides[d] = if knob & 0x80 != 0 { -stride } else { stride };
        reach = stride * shape[d].max(1) as isize;
    }
    let Ok(layout) = Layout::new(&shape, &strides, itemsize) else { return };
    let Some((low, high)) = layout.byte_range() else { return };
    let mut buffer = vec![0x5au8; (high - low) as usize + 16];
    let offset = (8 - low) as usize;
    let format = Format::parse(&format!("{itemsize}s")).unwrap();
    let packed: Vec<u8> = (0..layout.nbytes()).map(|i| (i * 131 + 17) as u8).collect();
    {
        let mut view = BufferViewMut::new(&mut buffer, layout.clone(), offset, format.clone()).unwrap();
        view.copy_from_bytes(&packed, order).unwrap();
        assert_eq!(view.view().to_bytes(order), packed);
    }
    // The naive walker: item at index i is at offset + Σ i[d]*strides[d];
    // for C or F (A resolves to the stored order or C) the k-th packed item.
    let resolved = layout.resolve_order(order);
    let mut touched = vec![false; buffer.len()];
    let count = layout.len();
    for k in 0..count {
        let mut rest = k;
        let mut at = offset as isize;
        let dims_in_order: Vec<usize> =
            if resolved == Order::F { (0..ndim).collect() } else { (0..ndim).rev().collect() };
        for d in dims_in_order {
            let i = rest % shape[d];
            rest /= shape[d];
            at += i as isize * strides[d];
        }
        let at = at as usize;
        assert_eq!(&buffer[at..at + itemsize], &packed[k * itemsize..(k + 1) * itemsize]);
        touched[at..at + itemsize].iter_mut().for_each(|t| *t = true);
    }
    for (b, t) in buffer.iter().zip(&touched) {
        assert!(*t || *b == 0x5a, "a byte outside the items was written");
    }
});
