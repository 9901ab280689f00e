//! The `element!` macro against the C ABI and NumPy: the same structs
//! declared with ctypes (`tests/cpython/gen_records.py`, committed in
//! `tests/data/records.json`) have the same size and field offsets, and
//! the macro's format is equivalent to what NumPy exports for them. Also:
//! the compile-time measurer the macro's size check uses agrees with the
//! parser on every format of the CPython and NumPy vectors.

use bytemuck::{CheckedBitPattern, NoUninit, Pod, Zeroable};
use memoryview::{BufferView, Element, Format, Layout, Order};
use serde_json::Value as Json;
use std::mem::offset_of;

memoryview::element! {
    #[repr(C)]
    #[derive(Clone, Copy, Debug, PartialEq, Pod, Zeroable)]
    struct Point {
        x: f64,
        y: f64,
    }
}

memoryview::element! {
    #[repr(C)]
    #[derive(Clone, Copy, Debug, PartialEq, Pod, Zeroable)]
    struct Record {
        id: u32,
        #[padding]
        _pad: [u8; 4],
        x: f64,
        y: f64,
    }
}

memoryview::element! {
    #[repr(C)]
    #[derive(Clone, Copy, Debug, PartialEq, NoUninit, CheckedBitPattern)]
    struct Mixed {
        flag: bool,
        small: i8,
        half: u16,
        #[padding]
        _p0: [u8; 4],
        count: i64,
        ratio: f32,
        #[padding]
        _p1: u32,
        pos: Point,
        name: [u8; 5],
        #[padding]
        _p2: u8,
        tail: i16,
    }
}

memoryview::element! {
    #[repr(C)]
    #[derive(Clone, Copy, Debug, PartialEq, Pod, Zeroable)]
    struct Nested {
        tag: u8,
        #[padding]
        _p0: [u8; 7],
        points: [Point; 2],
        record: Record,
        last: u32,
        #[padding]
        _p1: [u8; 4],
    }
}

fn load(name: &str) -> Json {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn check<T: Element>(spec: &Json, offsets: &[(&str, usize)]) {
    let name = spec["name"].as_str().unwrap();
    assert_eq!(size_of::<T>() as u64, spec["size"].as_u64().unwrap(), "{name}");
    for &(field, offset) in offsets {
        assert_eq!(offset as u64, spec["offsets"][field].as_u64().unwrap(), "{name}.{field}");
    }
    let ours = Format::parse(T::FORMAT).unwrap();
    assert_eq!(ours.itemsize(), size_of::<T>(), "{name}: {}", T::FORMAT);
    let numpy = Format::parse(spec["numpy_format"].as_str().unwrap()).unwrap();
    assert!(ours.equivalent(&numpy), "{name}: {} against NumPy's {numpy}", T::FORMAT);
    // And a buffer NumPy exports is read as T.
    let bytes = vec![0u8; 2 * size_of::<T>()];
    let layout = Layout::contiguous(&[2], size_of::<T>(), Order::C).unwrap();
    assert!(BufferView::new(&bytes, layout, 0, numpy).unwrap().typed::<T>().is_ok(), "{name}");
}

#[test]
#[cfg_attr(miri, ignore)]
fn records_match_ctypes_and_numpy() {
    let json = load("records.json");
    let structs = json["structs"].as_array().unwrap();
    let spec = |name: &str| structs.iter().find(|s| s["name"] == name).unwrap().clone();
    check::<Point>(&spec("Point"), &[("x", offset_of!(Point, x)), ("y", offset_of!(Point, y))]);
    check::<Record>(
        &spec("Record"),
        &[("id", offset_of!(Record, id)), ("x", offset_of!(Record, x)), ("y", offset_of!(Record, y))],
    );
    check::<Mixed>(
        &spec("Mixed"),
        &[
            ("flag", offset_of!(Mixed, flag)),
            ("small", offset_of!(Mixed, small)),
            ("half", offset_of!(Mixed, half)),
            ("count", offset_of!(Mixed, count)),
            ("ratio", offset_of!(Mixed, ratio)),
            ("pos", offset_of!(Mixed, pos)),
            ("name", offset_of!(Mixed, name)),
            ("tail", offset_of!(Mixed, tail)),
        ],
    );
    check::<Nested>(
        &spec("Nested"),
        &[
            ("tag", offset_of!(Nested, tag)),
            ("points", offset_of!(Nested, points)),
            ("record", offset_of!(Nested, record)),
            ("last", offset_of!(Nested, last)),
        ],
    );
    assert_eq!(Record::FORMAT, "T{I:id:4xd:x:d:y:}");
    assert_eq!(Nested::FORMAT, "T{B:tag:7x(2)T{d:x:d:y:}:points:T{I:id:4xd:x:d:y:}:record:I:last:4x}");
}

/// Records holding a bool are validated like bool itself.
#[test]
fn bool_fields_are_validated() {
    let mut bytes = vec![0u8; 48];
    let layout = Layout::contiguous(&[1], 48, Order::C).unwrap();
    let format = Format::parse(Mixed::FORMAT).unwrap();
    assert!(BufferView::new(&bytes, layout.clone(), 0, format.clone()).unwrap().typed::<Mixed>().is_ok());
    bytes[0] = 2;
    let err = BufferView::new(&bytes, layout, 0, format).unwrap().typed::<Mixed>().unwrap_err();
    assert_eq!(err.kind(), memoryview::ErrorKind::InvalidValue);
}

/// The measurer behind the macro's compile-time check gives the parser's
/// itemsize (or refuses) for every format of the vectors.
#[test]
#[cfg_attr(miri, ignore)]
fn compile_time_itemsizes_agree_with_the_parser() {
    let measure = memoryview::format::__record::itemsize;
    let mut texts: Vec<String> = Vec::new();
    for case in load("struct-formats.json")["cases"].as_array().unwrap() {
        texts.push(case["format"].as_str().unwrap().to_owned());
    }
    let eq = load("format-equivalence.json");
    for pair in eq["pairs"].as_array().unwrap() {
        texts.push(pair["a"].as_str().unwrap().to_owned());
        texts.push(pair["b"].as_str().unwrap().to_owned());
    }
    for export in eq["numpy_exports"].as_array().unwrap() {
        texts.push(export["format"].as_str().unwrap().to_owned());
    }
    let nested = |n: usize| format!("{}d{}", "T{".repeat(n), "}".repeat(n));
    texts.extend([nested(64), nested(65), "T{}".into(), "(0)d".into(), "(2)0d".into(), "d:x".into(), ":x:d".into()]);
    let mut parsed = 0;
    for text in &texts {
        let want = Format::parse(text).ok().map(|f| f.itemsize());
        parsed += usize::from(want.is_some());
        assert_eq!(measure(text), want, "{text:?}");
    }
    assert!(parsed > 8000, "{parsed}");
}

/// Field views: columns of records without a copy, checked against the
/// records read whole, on sliced and reversed views, and refused where the
/// format holds something else.
#[test]
fn field_views_are_columns() {
    use memoryview::{ErrorKind, MemoryView, Slice};
    let records: Vec<Record> =
        (0..7).map(|i| Record { id: i, _pad: [0; 4], x: f64::from(i) * 1.5, y: -f64::from(i) }).collect();
    let view = MemoryView::from_slice(&records);
    let every_other_backwards = view.slice(&[Slice::from(..).step(-2)]).unwrap();
    for v in [&view, &every_other_backwards] {
        let whole = v.to_vec(Order::C);
        let x = v.field::<f64>(offset_of!(Record, x)).unwrap();
        let ids = v.field::<u32>(offset_of!(Record, id)).unwrap();
        assert_eq!(x.strides(), v.strides());
        assert_eq!(x.to_vec(Order::C), whole.iter().map(|r| r.x).collect::<Vec<_>>());
        assert_eq!(ids.to_vec(Order::C), whole.iter().map(|r| r.id).collect::<Vec<_>>());
        // Zero-copy: the column's items are the records' bytes.
        assert_eq!(x.as_ptr(), v.as_ptr().wrapping_add(8));
    }
    // Two fields at once, as a record of their own.
    let xy = view.as_buffer().field(8, Format::parse("T{d:a:d:b:}").unwrap()).unwrap();
    assert_eq!(xy.typed::<Point>().unwrap().get(&[3]).unwrap(), Point { x: 4.5, y: -3.0 });
    // Nested: a point inside a nested record.
    let nested = [Nested {
        tag: 1,
        _p0: [0; 7],
        points: [Point { x: 1.0, y: 2.0 }, Point { x: 3.0, y: 4.0 }],
        record: records[2],
        last: 9,
        _p1: [0; 4],
    }];
    let n = MemoryView::from_slice(&nested);
    assert_eq!(n.field::<Point>(offset_of!(Nested, points) + 16).unwrap().get(&[0]).unwrap(), Point { x: 3.0, y: 4.0 });
    assert_eq!(n.field::<Record>(offset_of!(Nested, record)).unwrap().get(&[0]).unwrap(), records[2]);
    // Refusals: the wrong kind, a cut scalar, padding read as a value, out of the item.
    assert_eq!(view.field::<i64>(8).unwrap_err().kind(), ErrorKind::IncompatibleFormat);
    assert_eq!(view.field::<f64>(4).unwrap_err().kind(), ErrorKind::IncompatibleFormat);
    assert_eq!(view.field::<u32>(4).unwrap_err().kind(), ErrorKind::IncompatibleFormat);
    assert_eq!(view.field::<f64>(24).unwrap_err().kind(), ErrorKind::IncompatibleFormat);
    assert_eq!(view.field::<f64>(usize::MAX).unwrap_err().kind(), ErrorKind::IncompatibleFormat);
    // A bool field is validated like any typed view of bool.
    let mut bytes = vec![0u8; 48];
    bytes[0] = 1;
    let layout = Layout::contiguous(&[1], 48, Order::C).unwrap();
    let mixed = BufferView::new(&bytes, layout.clone(), 0, Format::parse(Mixed::FORMAT).unwrap()).unwrap();
    assert!(mixed.typed::<Mixed>().unwrap().field::<bool>(0).unwrap().get(&[0]).unwrap());
    bytes[0] = 3;
    let mixed = BufferView::new(&bytes, layout, 0, Format::parse(Mixed::FORMAT).unwrap()).unwrap();
    assert_eq!(
        mixed.field(0, Format::parse("?").unwrap()).unwrap().typed::<bool>().unwrap_err().kind(),
        ErrorKind::InvalidValue
    );
}

/// Indirect views have no field views (the offset would have to move past
/// the last pointer load).
#[test]
fn field_views_of_indirect_buffers_are_refused() {
    let rows = [[1u16, 2], [3, 4]];
    let table = [rows[0].as_ptr(), rows[1].as_ptr()];
    let layout = Layout::with_suboffsets(&[2, 1], &[8, 4], &[0, -1], 4).unwrap();
    // SAFETY: the table and rows outlive the view and are not written.
    let v = unsafe { BufferView::from_raw_parts(table.as_ptr().cast(), layout, Format::parse("2H").unwrap()) }.unwrap();
    assert_eq!(v.field(2, Format::parse("H").unwrap()).unwrap_err().kind(), memoryview::ErrorKind::Indirect);
}
