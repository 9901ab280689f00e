//! Hostile input: every kind of bad or strange layout, format and request
//! gets a precise error or correct handling, never a panic.

use memoryview::{
    BufferFlags, BufferInfo, BufferView, BufferViewMut, ErrorKind, Exporter, Format, Layout, MemoryView, MemoryViewMut,
    Order, Slice,
};

type Outcome = Result<(), ErrorKind>;

fn kind<T>(r: memoryview::Result<T>) -> Outcome {
    r.map(|_| ()).map_err(|e| e.kind())
}

#[test]
fn table() {
    let bytes = [1u8, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 9, 9, 9, 9];
    let cases: Vec<(&str, Outcome, Outcome)> = vec![
        ("shape x stride overflows", kind(Layout::new(&[1 << 62, 4], &[8, 1 << 61], 8)), Err(ErrorKind::Overflow)),
        ("element count overflows", kind(Layout::new(&[usize::MAX / 2, 3], &[0, 0], 1)), Err(ErrorKind::Overflow)),
        ("65 dimensions", kind(Layout::new(&[1; 65], &[0; 65], 1)), Err(ErrorKind::TooManyDimensions)),
        (
            "65-dimensional cast",
            kind(BufferView::from_slice(&bytes).cast("B", Some(&[1; 65]))),
            Err(ErrorKind::TooManyDimensions),
        ),
        ("zero itemsize", kind(Layout::new(&[3], &[1], 0)), Err(ErrorKind::InvalidLayout)),
        ("zero-length dimension, wild strides", kind(Layout::new(&[0, 5], &[isize::MIN, isize::MAX], 4)), Ok(())),
        ("mismatched lengths", kind(Layout::new(&[3, 4], &[1], 1)), Err(ErrorKind::InvalidLayout)),
        (
            "out of the buffer",
            kind(BufferView::new(&bytes, Layout::new(&[5], &[4], 4).unwrap(), 0, Format::bytes())),
            Err(ErrorKind::OutOfBounds),
        ),
        (
            "before the buffer",
            kind(BufferView::new(&bytes, Layout::new(&[2], &[-4], 4).unwrap(), 2, Format::bytes())),
            Err(ErrorKind::OutOfBounds),
        ),
        (
            "suboffsets in a byte slice",
            kind(BufferView::new(&bytes, Layout::with_suboffsets(&[1], &[8], &[0], 1).unwrap(), 0, Format::bytes())),
            Err(ErrorKind::Indirect),
        ),
        ("garbage format", kind(Format::parse("i%")), Err(ErrorKind::InvalidFormat)),
        ("truncated record", kind(Format::parse("T{i:x:")), Err(ErrorKind::InvalidFormat)),
        ("truncated count", kind(Format::parse("12")), Err(ErrorKind::InvalidFormat)),
        ("count overflow", kind(Format::parse("99999999999999999999999b")), Err(ErrorKind::InvalidFormat)),
        ("step zero", kind(BufferView::from_slice(&bytes).slice(&[Slice::FULL.step(0)])), Err(ErrorKind::InvalidSlice)),
        ("most negative step", kind(BufferView::from_slice(&bytes).slice(&[Slice::FULL.step(isize::MIN)])), Ok(())),
        ("index far out", kind(BufferView::from_slice(&bytes).get(&[isize::MIN])), Err(ErrorKind::IndexOutOfBounds)),
        (
            "writable request of read-only memory",
            kind(bytes.get_buffer(BufferFlags::WRITABLE)),
            Err(ErrorKind::ReadOnly),
        ),
    ];
    for (name, got, want) in cases {
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn format_errors_say_where() {
    // PEP 3118 accepts a byte-order change mid-string; struct does not.
    assert!(Format::parse("<i<q").is_ok());
    let err = memoryview::size_from_format("<i<q").unwrap_err();
    assert_eq!((err.kind(), err.position()), (ErrorKind::InvalidFormat, Some(2)));
    let err = Format::parse("hh(2,").unwrap_err();
    assert!(err.position().is_some() && err.to_string().contains("sub-array"));
}

#[test]
fn itemsize_that_disagrees_with_the_format() {
    let data = 258u32.to_ne_bytes();
    // 'B' with itemsize 4 (a re-export without FORMAT): the first byte is read.
    let b = BufferView::new(&data, Layout::contiguous(&[1], 4, Order::C).unwrap(), 0, Format::bytes()).unwrap();
    assert_eq!(b.get(&[0]).unwrap(), memoryview::Value::Int(2));
    // 'd' with itemsize 4: decoding needs 8 bytes; typed access is refused.
    let d =
        BufferView::new(&data, Layout::contiguous(&[1], 4, Order::C).unwrap(), 0, Format::parse("d").unwrap()).unwrap();
    assert_eq!(d.get(&[0]).unwrap_err().kind(), ErrorKind::LengthMismatch);
    assert_eq!(d.typed::<f64>().unwrap_err().kind(), ErrorKind::IncompatibleFormat);
    assert_eq!(d.typed::<f32>().unwrap_err().kind(), ErrorKind::IncompatibleFormat);
}

#[test]
fn misaligned_base_for_typed_access() {
    let mut raw = [0u8; 4 * 8 + 3];
    for (k, chunk) in raw[3..].chunks_exact_mut(8).enumerate() {
        chunk.copy_from_slice(&(k as u64 * 3).to_ne_bytes());
    }
    let layout = Layout::contiguous(&[4], 8, Order::C).unwrap();
    // SAFETY: 4 items of 8 bytes from offset 3 lie inside `raw`.
    let v = unsafe { MemoryView::<u64>::from_raw_parts(raw.as_ptr().add(3), layout) }.unwrap();
    assert_eq!(v.to_vec(Order::C), [0, 3, 6, 9]);
    assert_eq!(v.get(&[-1]).unwrap(), 9);
    assert!(v.as_slice().is_none());
}

#[test]
fn strides_that_are_not_multiples_of_the_itemsize() {
    let data: Vec<u8> = (0..16).collect();
    // u16 items every 3 bytes, and overlapping ones every byte.
    let every3 = BufferView::new(&data, Layout::new(&[5], &[3], 2).unwrap(), 0, Format::parse("<H").unwrap()).unwrap();
    let expect: Vec<u16> = (0..5).map(|k| u16::from_le_bytes([3 * k as u8, 3 * k as u8 + 1])).collect();
    assert_eq!(every3.to_vec_native::<u16>(Order::C).unwrap(), expect);
    let overlapping = BufferView::new(&data, Layout::new(&[4], &[1], 2).unwrap(), 0, Format::bytes()).unwrap();
    assert_eq!(overlapping.to_bytes(Order::C), [0, 1, 1, 2, 2, 3, 3, 4]);
}

#[test]
fn negative_strides_from_raw_pointers() {
    let data: Vec<i32> = (0..12).collect();
    let layout = Layout::new(&[3, 4], &[-16, -4], 4).unwrap();
    // SAFETY: from the last item backwards, every item lies inside `data`.
    let v = unsafe { MemoryView::<i32>::from_raw_parts(data.as_ptr().add(11).cast(), layout) }.unwrap();
    assert_eq!(v.to_vec(Order::C), (0..12).rev().collect::<Vec<_>>());
    assert_eq!(v.t().to_vec(Order::F), (0..12).rev().collect::<Vec<_>>());
}

#[test]
fn suboffsets_on_every_dimension() {
    // A 2x2x2 array where dimensions 1 and 2 both dereference.
    let values: Vec<u8> = (10..18).collect();
    let leaves: Vec<*const u8> = values.iter().map(std::ptr::from_ref).collect();
    let mids: Vec<*const *const u8> = (0..4).map(|k| leaves[2 * k..].as_ptr()).collect();
    let layout = Layout::with_suboffsets(&[2, 2, 2], &[16, 8, 8], &[-1, 0, 0], 1).unwrap();
    // SAFETY: every slot on every path points into `mids`, `leaves` or `values`.
    let v = unsafe { BufferView::from_raw_parts(mids.as_ptr().cast(), layout, Format::bytes()) }.unwrap();
    assert_eq!(v.to_bytes(Order::C), values);
    assert_eq!(v.t().to_bytes(Order::F), values);
    assert_eq!(
        v.slice(&[Slice::FULL, Slice::from(1..), Slice::from(..).step(-1)]).unwrap().to_bytes(Order::C),
        [13, 12, 17, 16]
    );
    assert_eq!(v.index_axis(2, 1).unwrap_err().kind(), ErrorKind::Unsupported);
}

#[test]
fn bool_bytes_other_than_zero_and_one() {
    let data = [0u8, 1, 7];
    let v =
        BufferView::new(&data, Layout::contiguous(&[3], 1, Order::C).unwrap(), 0, Format::parse("?").unwrap()).unwrap();
    assert_eq!(v.typed::<bool>().unwrap_err().kind(), ErrorKind::InvalidValue);
    let mut buf = [0u8, 1, 7];
    let m =
        BufferViewMut::new(&mut buf, Layout::contiguous(&[3], 1, Order::C).unwrap(), 0, Format::parse("?").unwrap())
            .unwrap();
    assert_eq!(m.into_typed::<bool>().unwrap_err().kind(), ErrorKind::InvalidValue);
}

#[test]
fn big_endian_doubles_on_little_endian() {
    let data = 2.5f64.to_be_bytes();
    let v = BufferView::new(&data, Layout::contiguous(&[1], 8, Order::C).unwrap(), 0, Format::parse(">d").unwrap())
        .unwrap();
    if cfg!(target_endian = "little") {
        assert_eq!(v.typed::<f64>().unwrap_err().kind(), ErrorKind::IncompatibleFormat);
    }
    assert_eq!(v.to_vec_native::<f64>(Order::C).unwrap(), [2.5]);
}

#[test]
fn aliasing_mutable_views() {
    let mut data = [0u32; 4];
    let alias = Layout::new(&[3, 2], &[4, 4], 4).unwrap();
    assert_eq!(MemoryViewMut::new(&mut data, alias.clone(), 0).unwrap_err().kind(), ErrorKind::Aliased);
    // Foreign memory may alias (as in CPython); the last write to a byte
    // wins (here the copy runs in C index order).
    // SAFETY: every item lies inside `data`, which nothing else touches.
    let mut m = unsafe { MemoryViewMut::<u32>::from_raw_parts(data.as_mut_ptr().cast(), alias) }.unwrap();
    m.copy_from_slice(&[1, 2, 3, 4, 5, 6], Order::C).unwrap();
    assert_eq!(data, [1, 3, 5, 6]);
}

#[test]
fn buffer_info_garbage() {
    let data = [0u8; 8];
    let mut shape = [-1isize];
    let info = BufferInfo {
        buf: data.as_ptr().cast_mut().cast(),
        len: 8,
        itemsize: 1,
        ndim: 1,
        shape: shape.as_mut_ptr(),
        ..Default::default()
    };
    // SAFETY: the arrays are valid for ndim entries; `buf` is readable.
    assert_eq!(unsafe { BufferView::from_buffer_info(&info) }.unwrap_err().kind(), ErrorKind::InvalidLayout);
    let info = BufferInfo { ndim: -1, ..info };
    // SAFETY: as above.
    assert_eq!(unsafe { BufferView::from_buffer_info(&info) }.unwrap_err().kind(), ErrorKind::InvalidLayout);
    let info = BufferInfo { ndim: 2, shape: std::ptr::null_mut(), ..info };
    // SAFETY: as above.
    assert_eq!(unsafe { BufferView::from_buffer_info(&info) }.unwrap_err().kind(), ErrorKind::InvalidLayout);
    let info = BufferInfo { itemsize: 0, ndim: 1, ..info };
    // SAFETY: as above.
    assert_eq!(unsafe { BufferView::from_buffer_info(&info) }.unwrap_err().kind(), ErrorKind::InvalidLayout);
    // SAFETY: a null pointer is refused before anything is read.
    let null = unsafe { BufferView::from_raw_parts(std::ptr::null(), Layout::scalar(1).unwrap(), Format::bytes()) };
    assert_eq!(null.unwrap_err().kind(), ErrorKind::InvalidLayout);
}
