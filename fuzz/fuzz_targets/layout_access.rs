//! Any shape, strides, itemsize, offset and buffer length: a layout is
//! accepted or refused without panicking, and every item of an accepted,
//! in-bounds layout lies inside the buffer, for every access path.
#![no_main]

use libfuzzer_sys::fuzz_target;
use memoryview::{BufferView, Format, Layout, Order};

fn take<const N: usize>(data: &mut &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    let n = data.len().min(N);
    out[..n].copy_from_slice(&data[..n]);
    *data = &data[n..];
    out
}

fuzz_target!(|data: &[u8]| {
    let mut data = data;
    let [ndim, itemsize, offset, len] = take::<4>(&mut data);
    let ndim = usize::from(ndim % 6);
    let mut shape = Vec::new();
    let mut strides = Vec::new();
    for _ in 0..ndim {
        let [extent] = take::<1>(&mut data);
        shape.push(usize::from(extent % 9));
        strides.push(isize::from(i16::from_le_bytes(take::<2>(&mut data))));
    }
    // Occasionally huge values, to reach the overflow checks.
    if itemsize == 255 {
        shape.push(usize::MAX / 3);
        strides.push(isize::MAX / 2);
    }
    let Ok(layout) = Layout::new(&shape, &strides, usize::from(itemsize % 17)) else { return };
    let buffer = vec![0xa5u8; usize::from(len) * 4];
    let offset = usize::from(offset) * 2;
    let Ok(view) = BufferView::new(&buffer, layout.clone(), offset, Format::bytes()) else {
        assert!(layout.check_bounds(offset, buffer.len()).is_err());
        return;
    };
    let range = buffer.as_ptr_range();
    let mut index = vec![0isize; layout.ndim()];
    if !layout.is_empty() {
        'items: loop {
            let bytes = view.item_bytes(&index).unwrap();
            let p = bytes.as_ptr();
            assert!(range.start <= p && p.wrapping_add(bytes.len()) <= range.end);
            for d in (0..index.len()).rev() {
                index[d] += 1;
                if (index[d] as usize) < layout.shape()[d] {
                    continue 'items;
                }
                index[d] = 0;
            }
            break;
        }
    }
    for order in [Order::C, Order::F, Order::A] {
        assert_eq!(view.to_bytes(order).len(), layout.nbytes());
    }
    let _ = view.to_list();
});
