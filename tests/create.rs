//! Making typed views is inlined and takes shortcuts (element formats
//! built at compile time, contiguous strides in one pass, transposes built
//! reversed): these tests check that the quick constructors give exactly
//! what the general ones do (`Layout::new` with strides worked out here,
//! `BufferView::new` with a parsed format, then `typed`, and
//! `permute_axes`), errors included.

use memoryview::{BufferView, Element, ErrorKind, Format, Layout, MemoryView, MemoryViewMut, Order};

/// C strides in bytes, worked out in u128; `None` if the byte size (with
/// extents of 0 counted as 1) does not fit in `isize`.
fn c_strides(shape: &[usize], itemsize: usize) -> Option<Vec<isize>> {
    let limit = u128::try_from(isize::MAX).unwrap();
    let mut strides = vec![0_isize; shape.len()];
    let mut step = u128::try_from(itemsize).unwrap();
    for (slot, &extent) in strides.iter_mut().zip(shape).rev() {
        *slot = isize::try_from(step).ok()?;
        step = step.saturating_mul(u128::try_from(extent.max(1)).unwrap()).min(limit + 1);
    }
    (step <= limit).then_some(strides)
}

fn shapes() -> Vec<Vec<usize>> {
    let big = usize::try_from(isize::MAX).unwrap();
    vec![
        vec![],
        vec![0],
        vec![6],
        vec![2, 3],
        vec![3, 2],
        vec![8, 8],
        vec![1, 6, 1],
        vec![2, 0, 3],
        vec![1, 1, 2, 1, 3, 1, 1, 1],
        vec![1, 1, 2, 1, 3, 1, 1, 1, 1],
        vec![1; 64],
        vec![1; 65],
        vec![big, 2],
        vec![0, big, 2],
        vec![1 << 40, 1 << 40],
        vec![usize::MAX],
    ]
}

/// `from_shape` and `t` against the general path for one element type, on
/// slices of 0, 1 and 6 items (so that every shape meets a matching and a
/// mismatching length).
fn agrees<T: Element + bytemuck::Pod + PartialEq + std::fmt::Debug>(make: impl Fn(usize) -> T) {
    let size = size_of::<T>();
    for len in [0, 1, 6] {
        let data: Vec<T> = (0..len).map(&make).collect();
        let bytes: &[u8] = bytemuck::cast_slice(&data);
        for shape in shapes() {
            let quick = MemoryView::from_shape(&data, &shape);
            let general = match c_strides(&shape, size) {
                None if shape.len() <= 64 => Err(ErrorKind::Overflow),
                _ if shape.len() > 64 => Err(ErrorKind::TooManyDimensions),
                Some(strides) => {
                    let layout = Layout::new(&shape, &strides, size).unwrap();
                    if layout.len() == len {
                        let format = Format::parse(T::FORMAT).unwrap();
                        Ok(BufferView::new(bytes, layout, 0, format).unwrap().typed::<T>().unwrap())
                    } else {
                        Err(ErrorKind::ShapeMismatch)
                    }
                }
                None => unreachable!(),
            };
            let what = format!("{} {shape:?} over {len}", T::FORMAT);
            match (&quick, general) {
                (Ok(quick), Ok(general)) => {
                    assert_eq!(quick.layout(), general.layout(), "{what}");
                    assert_eq!(quick.format(), general.format(), "{what}");
                    assert_eq!(quick.format().itemsize(), size, "{what}");
                    assert_eq!(quick.as_ptr(), general.as_ptr(), "{what}");
                    assert_eq!(quick.to_vec(Order::C), data, "{what}");
                    let perm: Vec<usize> = (0..shape.len()).rev().collect();
                    let (t, permuted) = (quick.t(), general.permute_axes(&perm).unwrap());
                    assert_eq!((t.layout(), t.format()), (permuted.layout(), permuted.format()), "{what}");
                    assert_eq!(t.to_vec(Order::C), permuted.to_vec(Order::C), "{what}");
                    assert_eq!(t.to_vec(Order::C), quick.to_vec(Order::F), "{what}");
                }
                (Err(err), Err(kind)) => assert_eq!(err.kind(), kind, "{what}"),
                (quick, general) => panic!("{what}: from_shape gave {quick:?}, the general path {general:?}"),
            }
            let mut copy = data.clone();
            let quick_mut = MemoryViewMut::from_shape(&mut copy, &shape).map(|v| v.layout().clone());
            match (quick, quick_mut) {
                (Ok(view), Ok(layout)) => assert_eq!(view.layout(), &layout, "{what}"),
                (Err(a), Err(b)) => assert_eq!(a.kind(), b.kind(), "{what}"),
                (a, b) => panic!("{what}: shared {a:?}, mutable {b:?}"),
            }
        }
    }
}

#[test]
fn from_shape_and_t_match_the_general_constructors() {
    agrees(|i| i as u8);
    agrees(|i| i as i16 - 2);
    agrees(|i| i as f64 * 0.25);
    // The constructors are generic over the size alone: Miri (two minutes
    // for the twelve types) checks one type of each of three sizes.
    if cfg!(miri) {
        return;
    }
    agrees(|i| i as i8 - 3);
    agrees(|i| i as u16 * 300);
    agrees(|i| i as u32);
    agrees(|i| i as i32 - 1);
    agrees(|i| i as u64);
    agrees(|i| i as i64);
    agrees(|i| i);
    agrees(|i| i as isize);
    agrees(|i| i as f32 * 0.5);
}

/// `bool` is not `Pod`; its typed views come from the same constructors.
#[test]
fn bool_views_have_the_parsed_format() {
    let data = [true, false, true, true, false, false];
    let v = MemoryView::from_shape(&data, &[2, 3]).unwrap();
    assert_eq!(v.format(), &Format::parse("?").unwrap());
    assert_eq!(v.t().to_vec(Order::C), [true, true, false, false, true, false]);
    assert_eq!(MemoryView::from_shape(&data, &[4]).unwrap_err().kind(), ErrorKind::ShapeMismatch);
}

/// A user type whose format is a record is parsed, not built at compile
/// time; the view must carry the same format either way.
#[test]
fn record_elements_keep_their_parsed_format() {
    #[derive(Clone, Copy, PartialEq, Debug, bytemuck::NoUninit, bytemuck::AnyBitPattern)]
    #[repr(C)]
    struct Point {
        x: f64,
        y: f64,
    }
    impl Element for Point {
        const FORMAT: &'static str = "T{d:x:d:y:}";
    }
    let data = [Point { x: 1.0, y: 2.0 }, Point { x: 3.0, y: 4.0 }];
    let v = MemoryView::from_shape(&data, &[2, 1]).unwrap();
    assert_eq!(v.format(), &Format::parse("T{d:x:d:y:}").unwrap());
    assert_eq!(v.format().itemsize(), 16);
    assert_eq!(v.t().shape(), &[1, 2]);
    assert_eq!(v.t().to_vec(Order::C), data);
}
