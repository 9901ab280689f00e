//! `BufferView::to_vec_as` (decoding any numeric format into any number
//! type while copying) against Python and NumPy: 180 buffers of packed
//! items of every integer, float and bool code in both byte orders, each
//! converted to ten target types (`tests/data/conversions.json`, generated
//! by `tests/cpython/gen_conversions.py`); and `MemoryView::to_vec_as`,
//! which shares the conversion, against the same answers.

use memoryview::{BufferView, ErrorKind, Format, Layout, Order};
use num_traits::NumCast;
use serde_json::Value as Json;

/// The expected items as `U`s: integers as numbers, floats as bit patterns.
trait Expected: NumCast + PartialEq + std::fmt::Debug + Copy {
    fn from_json(v: &Json) -> Self;
    fn same(&self, other: &Self) -> bool {
        self == other
    }
}

macro_rules! int_expected {
    ($($ty:ty),*) => {$(
        impl Expected for $ty {
            fn from_json(v: &Json) -> $ty {
                v.as_i64().map(|i| i as $ty).or(v.as_u64().map(|u| u as $ty)).unwrap()
            }
        }
    )*};
}
int_expected!(i8, u8, i16, u16, i32, u32, i64, u64);

impl Expected for f32 {
    fn from_json(v: &Json) -> f32 {
        f32::from_bits(v.as_u64().unwrap() as u32)
    }
    fn same(&self, other: &f32) -> bool {
        self.to_bits() == other.to_bits() || (self.is_nan() && other.is_nan())
    }
}

impl Expected for f64 {
    fn from_json(v: &Json) -> f64 {
        f64::from_bits(v.as_u64().unwrap())
    }
    fn same(&self, other: &f64) -> bool {
        self.to_bits() == other.to_bits() || (self.is_nan() && other.is_nan())
    }
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|k| u8::from_str_radix(&text[k..k + 2], 16).unwrap()).collect()
}

fn check<U: Expected>(view: &BufferView<'_>, expect: &Json, what: &str) {
    let got = view.to_vec_as::<U>(Order::C);
    match expect.get("error") {
        Some(index) => {
            let err = got.expect_err(what);
            assert_eq!(err.kind(), ErrorKind::InvalidValue, "{what}");
            let prefix = format!("item {} (", index.as_u64().unwrap());
            assert!(err.to_string().starts_with(&prefix), "{what}: {err}");
        }
        None => {
            let got = got.unwrap_or_else(|e| panic!("{what}: {e}"));
            let want: Vec<U> = expect.as_array().unwrap().iter().map(U::from_json).collect();
            assert_eq!(got.len(), want.len(), "{what}");
            for (k, (g, w)) in got.iter().zip(&want).enumerate() {
                assert!(g.same(w), "{what}: item {k}: {g:?}, want {w:?}");
            }
        }
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn conversions_agree_with_python_and_numpy() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/conversions.json");
    let json: Json = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = json["cases"].as_array().unwrap();
    assert!(cases.len() >= 180);
    for case in cases {
        let format = Format::parse(case["format"].as_str().unwrap()).unwrap();
        let bytes = hex(case["bytes"].as_str().unwrap());
        let layout = Layout::contiguous(&[bytes.len() / format.itemsize()], format.itemsize(), Order::C).unwrap();
        let view = BufferView::new(&bytes, layout, 0, format.clone()).unwrap();
        let expect = &case["expect"];
        let what = |t: &str| format!("{} -> {t}: {:?}", format.as_str(), case["bytes"]);
        check::<i8>(&view, &expect["i8"], &what("i8"));
        check::<u8>(&view, &expect["u8"], &what("u8"));
        check::<i16>(&view, &expect["i16"], &what("i16"));
        check::<u16>(&view, &expect["u16"], &what("u16"));
        check::<i32>(&view, &expect["i32"], &what("i32"));
        check::<u32>(&view, &expect["u32"], &what("u32"));
        check::<i64>(&view, &expect["i64"], &what("i64"));
        check::<u64>(&view, &expect["u64"], &what("u64"));
        check::<f32>(&view, &expect["f32"], &what("f32"));
        check::<f64>(&view, &expect["f64"], &what("f64"));
    }
}

/// The typed conversion shares the core: the same answers for native items.
#[test]
fn typed_views_convert_alike() {
    let data = [1.5f64, -2.5, 1e300, f64::NAN];
    let typed = memoryview::MemoryView::from_slice(&data);
    assert_eq!(typed.to_vec_as::<f32>(Order::C).unwrap_err().to_string(), "item 2 (1e300) does not fit in f32");
    assert_eq!(
        typed.as_buffer().to_vec_as::<f32>(Order::C).unwrap_err().to_string(),
        "item 2 (1e300) does not fit in f32"
    );
    let head = typed.slice_axis(0, ..2).unwrap();
    assert_eq!(head.to_vec_as::<i8>(Order::C).unwrap(), [1, -2]);
    assert_eq!(head.as_buffer().to_vec_as::<i8>(Order::C).unwrap(), [1, -2]);
    // Reversed: indices follow the order of the copy.
    let reversed = typed.slice(&[memoryview::Slice::from(..).step(-1)]).unwrap();
    assert!(reversed.to_vec_as::<i64>(Order::C).unwrap_err().to_string().starts_with("item 0 (NaN)"));
}

/// Formats that are not one number each are refused, with the reason.
#[test]
fn non_numeric_formats_are_refused() {
    let bytes = [0u8; 16];
    for (format, itemsize) in [("Zf", 8), ("2f", 8), ("T{f:x:f:y:}", 8), ("w", 4), ("3s", 3), ("dx", 9), ("O", 8)] {
        let layout = Layout::contiguous(&[1], itemsize, Order::C).unwrap();
        let view = BufferView::new(&bytes, layout, 0, Format::parse(format).unwrap()).unwrap();
        let err = view.to_vec_as::<f64>(Order::C).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::IncompatibleFormat, "{format}: {err}");
    }
    // One number in a record, or with another spelling, is fine.
    let layout = Layout::contiguous(&[2], 8, Order::C).unwrap();
    let bytes = [1.0f64.to_ne_bytes(), 2.0f64.to_ne_bytes()].concat();
    for format in ["T{d:x:}", "(1)d", "@d"] {
        let view = BufferView::new(&bytes, layout.clone(), 0, Format::parse(format).unwrap()).unwrap();
        assert_eq!(view.to_vec_as::<u8>(Order::C).unwrap(), [1, 2], "{format}");
    }
    // An itemsize that is not the format's.
    let wide = Layout::contiguous(&[1], 16, Order::C).unwrap();
    let view = BufferView::new(&bytes, wide, 0, Format::parse("d").unwrap()).unwrap();
    assert_eq!(view.to_vec_as::<f64>(Order::C).unwrap_err().kind(), ErrorKind::IncompatibleFormat);
}
