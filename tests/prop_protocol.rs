//! Buffer requests against an independent model of CPython's decision
//! order (`tests/models/flags.rs`), over random direct and indirect
//! buffers and every combination of request bits.

mod common;
#[path = "models/flags.rs"]
mod flags_model;

use common::{CASES, Case, spec};
use memoryview::{BufferFlags, BufferView, Exporter, ExporterMut, Format, Layout, Order};
use proptest::prelude::*;

/// The 20 requests the CPython vectors use, and any other bits.
fn request_bits() -> impl Strategy<Value = u32> {
    prop_oneof![
        prop::sample::select(vec![
            0u32, 0x1, 0x4, 0x8, 0xc, 0x18, 0x118, 0x38, 0x58, 0x98, 0x8, 0x9, 0x18, 0x19, 0x1c, 0x1d, 0x11c, 0x11d,
            0x138, 0x5c,
        ]),
        0u32..0x200,
    ]
}

/// What the crate grants, in the model's terms.
fn granted(e: &memoryview::Exported<BufferView<'_>>) -> (bool, usize, bool, bool, bool) {
    (e.format().is_some(), e.ndim(), e.shape().is_some(), e.strides().is_some(), e.suboffsets().is_some())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn requests_follow_cpython(spec in spec(3, true, false), bits in request_bits(), writable in any::<bool>()) {
        let mut case = Case::build(&spec);
        let layout = case.layout();
        let want = flags_model::decide(
            bits,
            !writable,
            layout.is_contiguous(Order::C),
            layout.is_contiguous(Order::F),
            layout.is_indirect(),
        );
        let flags = BufferFlags::from_bits(bits);
        let got = if writable {
            let mut view = case.view_mut();
            view.get_buffer_mut(flags).map(|e| (e.format().is_some(), e.ndim(), e.shape().is_some(), e.strides().is_some(), e.suboffsets().is_some()))
        } else {
            let view = case.view();
            view.get_buffer(flags).map(|e| granted(&e))
        };
        match (want, got) {
            (Ok((format, shape, strides)), Ok(g)) => {
                let ndim = layout.ndim();
                prop_assert_eq!(g.0, format);
                prop_assert_eq!(g.1, if shape { ndim } else { 1 });
                // 0-dimensional buffers have no shape or strides arrays.
                prop_assert_eq!(g.2, shape && ndim > 0);
                prop_assert_eq!(g.3, strides && ndim > 0);
                prop_assert_eq!(g.4, layout.is_indirect());
            }
            (Err(_), Err(_)) => {}
            (w, g) => prop_assert!(false, "model {:?}, crate {:?}", w, g.map(|_| ()).map_err(|e| e.to_string())),
        }
    }

    #[test]
    fn requests_on_contiguous_layouts(shape in prop::collection::vec(0usize..4, 0..4), fortran in any::<bool>(), bits in request_bits()) {
        let order = if fortran { Order::F } else { Order::C };
        let layout = Layout::contiguous(&shape, 2, order).unwrap();
        let data = vec![0u8; layout.nbytes()];
        let view = BufferView::new(&data, layout.clone(), 0, Format::parse("h").unwrap()).unwrap();
        let want = flags_model::decide(bits, true, layout.is_contiguous(Order::C), layout.is_contiguous(Order::F), false);
        let got = view.get_buffer(BufferFlags::from_bits(bits));
        match (want, got) {
            (Ok((format, nd, strides)), Ok(e)) => {
                let ndim = layout.ndim();
                prop_assert_eq!(granted(&e), (format, if nd { ndim } else { 1 }, nd && ndim > 0, strides && ndim > 0, false));
            }
            (Err(_), Err(_)) => {}
            (w, g) => prop_assert!(false, "model {:?}, crate {:?}", w, g.map(|_| ()).map_err(|e| e.to_string())),
        }
    }
}
