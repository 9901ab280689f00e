//! The public API of views, exporters and formats, checked against values
//! worked out by hand or observed on CPython 3.11.

use memoryview::{
    BufferFlags, BufferInfo, BufferView, BufferViewMut, ErrorKind, Exporter, ExporterMut, Format, Layout, MemoryView,
    MemoryViewMut, Order, Slice, Value, fill_info, fill_info_mut,
};

#[test]
fn typed_access_on_misaligned_memory() {
    // f64s starting one or two bytes into the buffer, whichever is not
    // 8-aligned (a byte array may start anywhere: Miri places it at random):
    // every item is misaligned.
    let mut bytes = [0u8; 8 * 4 + 2];
    let offset = if (bytes.as_ptr().addr() + 1).is_multiple_of(8) { 2 } else { 1 };
    for (i, chunk) in bytes[offset..].chunks_exact_mut(8).enumerate() {
        chunk.copy_from_slice(&(i as f64 + 0.5).to_ne_bytes());
    }
    let layout = Layout::contiguous(&[2, 2], 8, Order::C).unwrap();
    let view = BufferView::new(&bytes[..offset + 32], layout, offset, Format::parse("d").unwrap()).unwrap();
    let typed = view.typed::<f64>().unwrap();
    assert_eq!(typed.get(&[1, 0]).unwrap(), 2.5);
    assert_eq!(typed.iter().collect::<Vec<_>>(), [0.5, 1.5, 2.5, 3.5]);
    assert_eq!(typed.t().to_vec(Order::C), [0.5, 2.5, 1.5, 3.5]);
    assert!(typed.as_slice().is_none()); // misaligned: no reference handed out
}

#[test]
fn byte_swapped_formats_are_refused_or_converted() {
    let bytes: Vec<u8> = [1.5f64, -2.0].iter().flat_map(|v| v.to_be_bytes()).collect();
    let layout = Layout::contiguous(&[2], 8, Order::C).unwrap();
    let view = BufferView::new(&bytes, layout, 0, Format::parse(">d").unwrap()).unwrap();
    let err = view.typed::<f64>().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::IncompatibleFormat);
    assert_eq!(view.to_vec_native::<f64>(Order::C).unwrap(), [1.5, -2.0]);
    assert_eq!(view.get(&[1]).unwrap(), Value::Float(-2.0));
}

#[test]
fn bool_bytes_are_validated() {
    let bytes = [0u8, 1, 2, 1];
    let layout = Layout::contiguous(&[4], 1, Order::C).unwrap();
    let view = BufferView::new(&bytes, layout, 0, Format::parse("?").unwrap()).unwrap();
    assert_eq!(view.typed::<bool>().unwrap_err().kind(), ErrorKind::InvalidValue);
    assert_eq!(view.to_vec_native::<bool>(Order::C).unwrap_err().kind(), ErrorKind::InvalidValue);
    // struct semantics for decoding: any non-zero byte is True.
    assert_eq!(view.get(&[2]).unwrap(), Value::Bool(true));
    let ok = view.slice_axis(0, ..2).unwrap().typed::<bool>().unwrap();
    assert_eq!(ok.to_vec(Order::C), [false, true]);
    // A u8 view cast to bool is validated too.
    let raw = [1u8, 2];
    assert_eq!(MemoryView::from_slice(&raw).cast::<bool>().unwrap_err().kind(), ErrorKind::InvalidValue);
    // Mutable bool views of a `[bool]` must keep to element boundaries.
    let mut flags = [true, false, true, false];
    let odd = Layout::new(&[2], &[1], 1).unwrap();
    assert!(MemoryViewMut::new(&mut flags, odd, 1).is_ok());
}

#[test]
fn typed_views_mutate_through_strides() {
    let mut data = [0i32; 12];
    let view = MemoryViewMut::from_shape(&mut data, &[3, 4]).unwrap();
    let mut corner = view.slice(&[Slice::from(1..), Slice::from(..).step(-2)]).unwrap();
    assert_eq!(corner.shape(), &[2, 2]);
    corner.copy_from_slice(&[1, 2, 3, 4], Order::C).unwrap();
    corner.set(&[-1, -1], 40).unwrap();
    assert_eq!(data, [0, 0, 0, 0, 0, 2, 0, 1, 0, 40, 0, 3]);
}

#[test]
fn mutable_views_from_slices_refuse_aliasing() {
    let mut data = [0u8; 8];
    let broadcast = Layout::new(&[4], &[0], 1).unwrap();
    let err = BufferViewMut::new(&mut data, broadcast.clone(), 0, Format::bytes()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Aliased);
    // Read-only views may broadcast.
    let view = BufferView::new(&data, broadcast, 3, Format::bytes()).unwrap();
    assert_eq!(view.len(), 4);
}

#[test]
fn assign_follows_slice_assignment_rules() {
    let src = [1i32, 2];
    let mut dst = [0i32; 2];
    let mut target = BufferViewMut::from_slice(&mut dst);
    let little = Format::parse("<i").unwrap();
    let src_bytes = bytemuck::cast_slice(&src);
    let other = BufferView::new(src_bytes, Layout::contiguous(&[2], 4, Order::C).unwrap(), 0, little).unwrap();
    // CPython: 'i' vs '<i' are different structures.
    assert_eq!(target.assign(&other).unwrap_err().kind(), ErrorKind::IncompatibleFormat);
    let at = Format::parse("@i").unwrap();
    let same = BufferView::new(src_bytes, Layout::contiguous(&[2], 4, Order::C).unwrap(), 0, at).unwrap();
    target.assign(&same).unwrap();
    assert_eq!(dst, [1, 2]);
}

#[test]
fn casts_follow_memoryview() {
    let data = [1u8, 0, 0, 0, 2, 0, 0, 0];
    let bytes = BufferView::from_slice(&data);
    let ints = bytes.cast("i", Some(&[2, 1])).unwrap();
    assert_eq!(ints.shape(), &[2, 1]);
    assert_eq!(ints.cast("B", None).unwrap().to_bytes(Order::C), data);
    let transposed = ints.t();
    assert_eq!(transposed.cast("B", None).unwrap().len(), 8); // (1, 2) is still C-contiguous
    let stepped = bytes.slice(&[Slice::from(..).step(2)]).unwrap();
    assert_eq!(stepped.cast("B", None).unwrap_err().kind(), ErrorKind::NotContiguous);
}

#[test]
fn exporter_decision_order() {
    let data: Vec<i16> = (0..6).collect();
    let view = MemoryView::from_shape(&data, &[2, 3]).unwrap();
    let column = view.slice(&[Slice::FULL, Slice::from(..1)]).unwrap();
    let kind = |r: memoryview::Result<_>| r.map(|_: memoryview::Exported<BufferView<'_>>| ()).unwrap_err().kind();
    assert_eq!(kind(column.get_buffer(BufferFlags::WRITABLE)), ErrorKind::ReadOnly);
    assert_eq!(kind(column.get_buffer(BufferFlags::C_CONTIGUOUS)), ErrorKind::NotContiguous);
    assert_eq!(kind(column.get_buffer(BufferFlags::ND)), ErrorKind::NotContiguous);
    assert_eq!(kind(view.get_buffer(BufferFlags::FORMAT)), ErrorKind::FlagsUnsatisfied);
    let strided = column.get_buffer(BufferFlags::STRIDED_RO).unwrap();
    assert_eq!((strided.format(), strided.strides(), strided.shape()), (None, Some(&[6, 2][..]), Some(&[2, 1][..])));

    let mut owned = vec![1u8, 2, 3];
    let writable = owned.get_buffer_mut(BufferFlags::CONTIG).unwrap();
    assert!(!writable.readonly());
    assert_eq!(writable.strides(), None);
}

#[test]
fn indirect_buffers_need_indirect_requests() {
    let rows = [[1u8, 2], [3, 4]];
    let table = [rows[0].as_ptr(), rows[1].as_ptr()];
    let layout = Layout::with_suboffsets(&[2, 2], &[8, 1], &[0, -1], 1).unwrap();
    // SAFETY: the table and rows outlive the view and are not written.
    let image = unsafe { BufferView::from_raw_parts(table.as_ptr().cast(), layout, Format::bytes()) }.unwrap();
    assert_eq!(image.get_buffer(BufferFlags::STRIDED_RO).unwrap_err().kind(), ErrorKind::Indirect);
    let full = image.get_buffer(BufferFlags::FULL_RO).unwrap();
    assert_eq!(full.suboffsets(), Some(&[0, -1][..]));
    // A transposed indirect view has no Py_buffer form.
    assert_eq!(image.t().get_buffer(BufferFlags::FULL_RO).unwrap_err().kind(), ErrorKind::Unsupported);
    assert_eq!(image.t().to_bytes(Order::C), [1, 3, 2, 4]);
    // Removing the dereferenced first axis loads the row pointer once.
    assert_eq!(image.index_axis(0, 1).unwrap().to_bytes(Order::C), [3, 4]);
}

#[test]
fn fill_info_is_permissive() {
    let bytes = *b"abc";
    assert_eq!(fill_info(&bytes, BufferFlags::WRITABLE).unwrap_err().kind(), ErrorKind::ReadOnly);
    let e = fill_info(&bytes, BufferFlags::FULL_RO).unwrap();
    assert_eq!((e.format(), e.shape(), e.strides(), e.suboffsets()), (Some("B"), Some(&[3][..]), Some(&[1][..]), None));
    let mut bytes = *b"abc";
    let e = fill_info_mut(&mut bytes, BufferFlags::SIMPLE | BufferFlags::WRITABLE);
    assert_eq!((e.ndim(), e.len(), e.readonly()), (1, 3, false));
}

#[test]
fn buffer_info_round_trip() {
    let data: Vec<u32> = (0..12).collect();
    let view = MemoryView::from_shape(&data, &[3, 4]).unwrap().slice(&[Slice::from(..).step(-1)]).unwrap();
    let exported = view.get_buffer(BufferFlags::FULL_RO).unwrap();
    let info = exported.to_buffer_info();
    assert_eq!((info.ndim, info.len, info.readonly), (2, 48, 1));
    // SAFETY: `info` points into `exported` and `data`, both alive and unwritten.
    let back = unsafe { BufferView::from_buffer_info(&info) }.unwrap();
    assert_eq!(back.strides(), &[-16, 4]);
    assert_eq!(back.to_bytes(Order::C), view.to_bytes(Order::C));
    // SAFETY: as above.
    let err = unsafe { BufferViewMut::from_buffer_info(&info) }.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ReadOnly);
}

#[test]
fn buffer_info_defaults_and_refusals() {
    let data = [5u8, 6, 7, 8];
    let mut info =
        BufferInfo { buf: data.as_ptr().cast_mut().cast(), len: 4, itemsize: 2, ndim: 1, ..Default::default() };
    // SAFETY: `buf` points at 4 readable bytes; the arrays are null.
    let view = unsafe { BufferView::from_buffer_info(&info) }.unwrap();
    // NULL format means 'B' with the exporter's itemsize kept (rule 2).
    assert_eq!((view.format().as_str(), view.itemsize(), view.shape()), ("B", 2, &[2][..]));
    assert_eq!(view.get(&[1]).unwrap(), Value::Int(7));
    info.ndim = 65;
    // SAFETY: as above.
    assert_eq!(unsafe { BufferView::from_buffer_info(&info) }.unwrap_err().kind(), ErrorKind::TooManyDimensions);
    info.ndim = 1;
    info.len = 5;
    // SAFETY: as above.
    assert_eq!(unsafe { BufferView::from_buffer_info(&info) }.unwrap_err().kind(), ErrorKind::LengthMismatch);
    info.buf = std::ptr::null_mut();
    // SAFETY: as above.
    assert_eq!(unsafe { BufferView::from_buffer_info(&info) }.unwrap_err().kind(), ErrorKind::InvalidLayout);
}

#[test]
fn equality_by_value() {
    let ints = [1i32, 2, 3];
    let floats = [1.0f64, 2.0, 3.0];
    assert!(BufferView::from_slice(&ints) == BufferView::from_slice(&floats));
    let reversed = BufferView::from_slice(&ints).slice(&[Slice::from(..).step(-1)]).unwrap();
    let backwards = [3i32, 2, 1];
    assert!(reversed == BufferView::from_slice(&backwards));
    assert!(MemoryView::from_slice(&[f32::NAN]) != MemoryView::from_slice(&[f32::NAN]));
}

#[test]
fn zero_dimensional_views() {
    let data = [42u64];
    let scalar = MemoryView::from_slice(&data).reshape(&[]).unwrap();
    assert_eq!((scalar.ndim(), scalar.len(), scalar.shape()), (0, 1, &[][..]));
    assert_eq!(scalar.get(()).unwrap(), 42);
    assert_eq!(scalar.get(&[0]).unwrap_err().kind(), ErrorKind::IndexCount);
    assert_eq!(scalar.to_list().unwrap(), Value::Int(42));
    assert!(scalar.is_contiguous(Order::C) && scalar.is_contiguous(Order::F));
}

#[test]
fn index_errors_name_the_dimension() {
    let data = [0u8; 12];
    let view = MemoryView::from_shape(&data, &[3, 4]).unwrap();
    let err = view.get(&[0, 4]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::IndexOutOfBounds);
    assert!(err.to_string().contains("axis 1"), "{err}");
    assert_eq!(view.get(&[-3, -4]).unwrap(), 0);
    assert_eq!(view.get(&[0]).unwrap_err().kind(), ErrorKind::IndexCount);
    assert_eq!(view.slice(&[Slice::FULL.step(0)]).unwrap_err().kind(), ErrorKind::InvalidSlice);
    assert_eq!(view.permute_axes(&[1, 1]).unwrap_err().kind(), ErrorKind::InvalidAxis);
    assert_eq!(view.slice_axis(2, ..).unwrap_err().kind(), ErrorKind::InvalidAxis);
}

#[test]
fn views_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<BufferView<'static>>();
    check::<BufferViewMut<'static>>();
    check::<MemoryView<'static, f64>>();
    check::<MemoryViewMut<'static, f64>>();
}
