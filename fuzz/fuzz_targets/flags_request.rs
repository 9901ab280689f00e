//! Buffer requests with any bits, on direct layouts of any contiguity and
//! on indirect ones, against the model of CPython's decision order in
//! `tests/models/flags.rs`.
#![no_main]

#[path = "../../tests/models/flags.rs"]
mod flags_model;

use libfuzzer_sys::fuzz_target;
use memoryview::{BufferFlags, BufferView, BufferViewMut, Exporter, ExporterMut, Format, Layout, Order};

fuzz_target!(|data: &[u8]| {
    if data.len() < 8 {
        return;
    }
    let bits = u32::from(u16::from_le_bytes([data[0], data[1]]));
    let writable = data[2] & 1 != 0;
    let ndim = usize::from(data[3] % 4);
    let shape: Vec<usize> = data[4..4 + ndim.min(data.len() - 4)].iter().map(|&b| usize::from(b % 4)).collect();
    let ndim = shape.len();
    let order = if data[2] & 2 != 0 { Order::F } else { Order::C };
    let base = Layout::contiguous(&shape, 2, order).unwrap();
    let mut strides = base.strides().to_vec();
    if data[2] & 4 != 0 && ndim > 0 {
        // Break contiguity without making items overlap: spread out the
        // slowest dimension.
        let slowest = (0..ndim).max_by_key(|&d| strides[d]).unwrap_or(0);
        strides[slowest] *= 3;
    }
    let layout = Layout::new(&shape, &strides, 2).unwrap();
    let want =
        flags_model::decide(bits, !writable, layout.is_contiguous(Order::C), layout.is_contiguous(Order::F), false);
    let Some((low, high)) = layout.byte_range().or(Some((0, 0))) else { return };
    let mut buffer = vec![0u8; (high - low) as usize + 2];
    let offset = (-low) as usize;
    let flags = BufferFlags::from_bits(bits);
    let fields = |format: bool, nd: usize, shape: bool, strides: bool| (format, nd, shape, strides);
    let got = if writable {
        let mut view = BufferViewMut::new(&mut buffer, layout.clone(), offset, Format::parse("h").unwrap()).unwrap();
        view.get_buffer_mut(flags)
            .map(|e| fields(e.format().is_some(), e.ndim(), e.shape().is_some(), e.strides().is_some()))
    } else {
        let view = BufferView::new(&buffer, layout.clone(), offset, Format::parse("h").unwrap()).unwrap();
        view.get_buffer(flags)
            .map(|e| fields(e.format().is_some(), e.ndim(), e.shape().is_some(), e.strides().is_some()))
    };
    match (want, got) {
        (Ok((format, nd, strided)), Ok(g)) => {
            assert_eq!(g, (format, if nd { ndim } else { 1 }, nd && ndim > 0, strided && ndim > 0));
        }
        (Err(_), Err(_)) => {}
        (w, g) => panic!("bits {bits:#x}: model {w:?}, crate {:?}", g.map_err(|e| e.to_string())),
    }
});
