//! The optional element types: `half::f16` (feature `half`, format `e`) and
//! `num_complex::Complex<f32/f64>` (feature `num-complex`, `Zf`/`Zd`),
//! checked against values CPython and NumPy produce (`struct.pack('<e', …)`,
//! `np.complex64(…).tobytes()`) and against the crate's own decoder, which
//! shares no code with `half` or `num-complex`.
#![cfg(any(feature = "half", feature = "num-complex"))]

use memoryview::{BufferView, Format, Layout, MemoryView, Order, Value};

fn view<'a>(bytes: &'a [u8], itemsize: usize, format: &str) -> BufferView<'a> {
    let layout = Layout::contiguous(&[bytes.len() / itemsize], itemsize, Order::C).unwrap();
    BufferView::new(bytes, layout, 0, Format::parse(format).unwrap()).unwrap()
}

#[cfg(feature = "half")]
#[test]
fn f16_items() {
    use half::f16;
    // struct.pack('<3e', 1.5, -2.0, 65504.0)
    let bytes = [0x00, 0x3e, 0x00, 0xc0, 0xff, 0x7b];
    let want = [f16::from_f32(1.5), f16::from_f32(-2.0), f16::MAX];
    for format in ["e", "<e", "=e", "T{e:h:}"] {
        let typed = view(&bytes, 2, format).typed::<f16>().unwrap();
        assert_eq!(typed.to_vec(Order::C), want, "{format}");
    }
    assert!(view(&bytes, 2, "H").typed::<f16>().is_err());
    assert!(view(&bytes, 2, ">e").typed::<f16>().is_err());
    let swapped: Vec<u8> = bytes.chunks(2).flat_map(|c| [c[1], c[0]]).collect();
    assert_eq!(view(&swapped, 2, ">e").to_vec_native::<f16>(Order::C).unwrap(), want);
    let data = [f16::from_f32(0.25)];
    let own = MemoryView::from_slice(&data);
    assert_eq!(own.format().as_str(), "e");
    assert_eq!(own.get(&[0]).unwrap(), f16::from_f32(0.25));
}

/// Every one of the 65536 half-precision bit patterns decodes (by the
/// crate's `Format::decode`) to the value `half` gives it.
#[cfg(feature = "half")]
#[test]
#[cfg_attr(miri, ignore)]
fn f16_decoding_agrees_with_half() {
    let format = Format::parse("e").unwrap();
    for bits in 0..=u16::MAX {
        let ours = format.decode(&bits.to_ne_bytes()).unwrap();
        let theirs = half::f16::from_bits(bits).to_f64();
        match ours {
            Value::Float(v) => assert!(v == theirs || v.is_nan() && theirs.is_nan(), "{bits:#06x}: {v} {theirs}"),
            other => panic!("{other:?}"),
        }
    }
}

#[cfg(feature = "num-complex")]
#[test]
fn complex_items() {
    use num_complex::Complex;
    // np.array([1.5+2j, -1-0.5j], dtype='<c8').tobytes()
    let c8 = [0, 0, 192, 63, 0, 0, 0, 64, 0, 0, 128, 191, 0, 0, 0, 191];
    let want = [Complex::new(1.5f32, 2.0), Complex::new(-1.0, -0.5)];
    for format in ["Zf", "<Zf", "T{Zf:z:}", "(1)Zf"] {
        assert_eq!(view(&c8, 8, format).typed::<Complex<f32>>().unwrap().to_vec(Order::C), want, "{format}");
    }
    // Two floats are not a complex number.
    assert!(view(&c8, 8, "2f").typed::<Complex<f32>>().is_err());
    assert!(view(&c8, 8, "Zf").typed::<u64>().is_err());
    // np.array([3-4j], dtype='>c16').tobytes()
    let c16_big = [64, 8, 0, 0, 0, 0, 0, 0, 192, 16, 0, 0, 0, 0, 0, 0];
    let v = view(&c16_big, 16, ">Zd");
    assert!(v.typed::<Complex<f64>>().is_err());
    assert_eq!(v.to_vec_native::<Complex<f64>>(Order::C).unwrap(), [Complex::new(3.0, -4.0)]);
    assert_eq!(v.get(&[0]).unwrap(), Value::Complex { re: 3.0, im: -4.0 });
    let data = [Complex::new(1.0f64, -1.0)];
    let own = MemoryView::from_slice(&data);
    assert_eq!((own.format().as_str(), own.itemsize()), ("Zd", 16));
    assert_eq!(own.get(&[0]).unwrap(), data[0]);
    assert_eq!(own.as_buffer().get(&[0]).unwrap(), Value::Complex { re: 1.0, im: -1.0 });
}
