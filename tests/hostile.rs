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
    // Aligned to 8, so that offset 3 is misaligned for u64 wherever the
    // array lands (a plain byte array sat at 5 mod 8 in one Miri run).
    #[repr(align(8))]
    struct Aligned([u8; 4 * 8 + 3]);
    let mut aligned = Aligned([0u8; 4 * 8 + 3]);
    let raw = &mut aligned.0;
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

/// Formats nested deeper than `format::MAX_NESTING` are refused with an
/// error, at every depth up to a million, instead of overflowing the stack
/// (the parser, and everything that walks a parsed format, recurse on the
/// nesting). Runs on a small thread, so that a regression fails loudly.
#[test]
fn deeply_nested_formats_are_refused() {
    let run = || {
        let limit = memoryview::format::MAX_NESTING;
        let nested = |n: usize| format!("{}d{}", "T{".repeat(n), "}".repeat(n));
        let at_limit = Format::parse(&nested(limit)).unwrap();
        assert_eq!(at_limit.itemsize(), 8);
        assert!(at_limit.decode(&1.5f64.to_ne_bytes()).is_ok());
        // (Miri interprets the parser: megabytes of text take it minutes.)
        let depths: &[usize] = if cfg!(miri) { &[limit + 1, 1000] } else { &[limit + 1, 1000, 100_000, 1_000_000] };
        for &n in depths {
            let err = Format::parse(&nested(n)).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidFormat, "depth {n}");
            assert!(err.to_string().contains("nested"), "{err}");
            // Unclosed records are refused the same way.
            assert_eq!(Format::parse(&"T{".repeat(n)).unwrap_err().kind(), ErrorKind::InvalidFormat);
        }
        // A foreign format reaches the same parser through a Py_buffer.
        let text = std::ffi::CString::new(nested(if cfg!(miri) { 1000 } else { 100_000 })).unwrap();
        let data = [0u8; 8];
        let info = BufferInfo {
            buf: data.as_ptr().cast_mut().cast(),
            len: 8,
            itemsize: 8,
            ndim: 0,
            format: text.as_ptr().cast_mut(),
            ..Default::default()
        };
        // SAFETY: `buf` holds the one 8-byte item; the format is NUL-terminated.
        let view = unsafe { BufferView::from_buffer_info(&info) }.unwrap();
        assert_eq!(view.format().error().unwrap().kind(), ErrorKind::InvalidFormat);
        assert_eq!(view.to_list().unwrap_err().kind(), ErrorKind::InvalidFormat);
    };
    std::thread::Builder::new().stack_size(64 * 1024).spawn(run).unwrap().join().unwrap();
}

/// An extent-1 dimension may carry any stride, `isize::MIN` included (it is
/// never stepped); every operation must treat it so, without overflow.
#[test]
fn most_negative_stride_on_an_extent_one_dimension() {
    let data: Vec<u8> = (0..6).collect();
    for (shape, strides) in [(&[1, 6][..], &[isize::MIN, 1][..]), (&[6, 1], &[1, isize::MIN]), (&[1], &[isize::MIN])] {
        let layout = Layout::new(shape, strides, 1).unwrap();
        let v = BufferView::new(&data, layout.clone(), 0, Format::bytes()).unwrap();
        let n = v.len();
        assert_eq!(v.to_bytes(Order::C), &data[..n]);
        assert_eq!(v.to_bytes(Order::F), &data[..n]);
        assert_eq!(v.t().to_bytes(Order::C), &data[..n]);
        assert!(v.to_list().is_ok());
        assert!(v == v.clone());
        assert_eq!(v.typed::<u8>().unwrap().to_vec(Order::C), &data[..n]);
        assert_eq!(v.typed::<u8>().unwrap().iter().count(), n);
        let mut out = vec![0u8; 6];
        let mut m = BufferViewMut::new(&mut out, layout, 0, Format::bytes()).unwrap();
        m.copy_from_bytes(&data[..n], Order::C).unwrap();
        m.assign(&v).unwrap();
        assert_eq!(&out[..n], &data[..n]);
    }
}

/// A result too large to build is an `Error`, not a capacity-overflow
/// panic or an allocation abort. (Miri stops at an allocation it cannot
/// make instead of failing it, so the test runs natively only.)
#[test]
#[cfg_attr(miri, ignore)]
fn huge_broadcast_views_fail_cleanly() {
    let data = [7u8];
    let layout = Layout::new(&[1 << 61], &[0], 1).unwrap();
    let v = BufferView::new(&data, layout, 0, Format::bytes()).unwrap();
    assert_eq!(v.to_list().unwrap_err().kind(), ErrorKind::OutOfMemory);
    let layout = Layout::new(&[1 << 20, 1 << 20, 1 << 20], &[0, 0, 0], 1).unwrap();
    let v = BufferView::new(&data, layout, 0, Format::bytes()).unwrap();
    assert_eq!(v.to_list().unwrap_err().kind(), ErrorKind::OutOfMemory);
    assert_eq!(v.try_to_bytes(Order::C).unwrap_err().kind(), ErrorKind::OutOfMemory);
    assert_eq!(v.typed::<u8>().unwrap().try_to_vec(Order::F).unwrap_err().kind(), ErrorKind::OutOfMemory);
}

/// Items that partly overlap (allowed in foreign memory, as in CPython)
/// would let a typed write to one item put an invalid value into another
/// when `T` has invalid bit patterns: such mutable typed views are refused.
/// Overlapping items that coincide exactly (stride 0) stay allowed. Under
/// Miri, the old behaviour was "constructing invalid value: expected a
/// boolean".
#[test]
fn partly_overlapping_items_of_types_with_invalid_values() {
    #[derive(Clone, Copy, Debug, PartialEq, bytemuck::NoUninit, bytemuck::CheckedBitPattern)]
    #[repr(C)]
    struct Flagged {
        a: u8,
        b: bool,
    }
    impl memoryview::Element for Flagged {
        const FORMAT: &'static str = "T{B:a:?:b:}";
    }
    let format = || Format::parse(<Flagged as memoryview::Element>::FORMAT).unwrap();
    let mut data = [0u8; 4];
    // Items every byte: item k's `b` is item k+1's `a`.
    let layout = Layout::new(&[3], &[1], 2).unwrap();
    // SAFETY: every item lies inside `data`, which nothing else touches.
    let err = unsafe { MemoryViewMut::<Flagged>::from_raw_parts(data.as_mut_ptr(), layout.clone()) }.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Aliased);
    // SAFETY: as above.
    let untyped = unsafe { BufferViewMut::from_raw_parts(data.as_mut_ptr(), layout.clone(), format()) }.unwrap();
    assert_eq!(untyped.into_typed::<Flagged>().unwrap_err().kind(), ErrorKind::Aliased);
    // Read-only views of the same memory are fine: nothing can write.
    let shared = BufferView::new(&data, layout, 0, format()).unwrap();
    assert_eq!(shared.typed::<Flagged>().unwrap().len(), 3);
    // Exactly coinciding items (a broadcast) may be written.
    let broadcast = Layout::new(&[3], &[0], 2).unwrap();
    // SAFETY: as above.
    let mut m = unsafe { MemoryViewMut::<Flagged>::from_raw_parts(data.as_mut_ptr(), broadcast) }.unwrap();
    m.set(&[1], Flagged { a: 7, b: true }).unwrap();
    assert_eq!(m.get(&[0]).unwrap(), Flagged { a: 7, b: true });
    // Types whose every bit pattern is valid may overlap in any way.
    let any = Layout::new(&[3], &[1], 2).unwrap();
    // SAFETY: as above.
    assert!(unsafe { MemoryViewMut::<u16>::from_raw_parts(data.as_mut_ptr(), any) }.is_ok());
}

/// Sub-array dimensions nest decoded values too: they count toward the
/// same limit as records.
#[test]
fn sub_array_dimensions_count_toward_the_nesting_limit() {
    let limit = memoryview::format::MAX_NESTING;
    let shape = |n: usize| format!("({})d", vec!["1"; n].join(","));
    assert!(Format::parse(&shape(limit)).is_ok());
    // (A million dimensions, two megabytes of text, take Miri minutes.)
    for n in [limit + 1, if cfg!(miri) { 1000 } else { 1_000_000 }] {
        assert_eq!(Format::parse(&shape(n)).unwrap_err().kind(), ErrorKind::InvalidFormat);
    }
    // 32 record levels inside a 32-dimensional sub-array: 64 in all.
    let mixed = |dims: usize, records: usize| {
        format!("({}){}d{}", vec!["1"; dims].join(","), "T{".repeat(records), "}".repeat(records))
    };
    assert!(Format::parse(&mixed(32, 32)).is_ok());
    assert_eq!(Format::parse(&mixed(32, 33)).unwrap_err().kind(), ErrorKind::InvalidFormat);
    assert!(Format::parse(&mixed(32, 33)).unwrap_err().to_string().contains("nested"));
}

/// A mismatch names each size as its owner has it: the format's own, the
/// buffer's itemsize where it differs, and the type's.
#[test]
fn mismatches_name_the_formats_own_itemsize() {
    let data = [0u8; 8];
    let d_in_4 =
        BufferView::new(&data, Layout::contiguous(&[2], 4, Order::C).unwrap(), 0, Format::parse("d").unwrap()).unwrap();
    let message = d_in_4.typed::<f32>().unwrap_err().to_string();
    assert!(message.contains("format 'd' (8 bytes) in a buffer of itemsize 4"), "{message}");
    assert!(message.contains("format 'f', 4 bytes"), "{message}");
    let plain = BufferView::from_slice(&[1u16, 2]);
    let message = plain.typed::<i16>().unwrap_err().to_string();
    assert!(message.contains("format 'H' (2 bytes) are not"), "{message}");
}
