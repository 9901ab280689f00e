//! Handing Rust memory to Python: random layouts exported by `View` and read
//! back by memoryview and by `_testbuffer` with every request, compared with
//! a naive walker and a model of CPython's decision order; NumPy round
//! trips; the owner's rules while exports are live.

use super::common::{self, Case, Spec};
use super::flags_model;
use super::{eval, refcount, run, with_python};
use memoryview::python::View;
use memoryview::{ErrorKind, Format, Layout, Order};
use proptest::prelude::*;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The request bits `_testbuffer` can send: every combination of these.
const BITS: [u32; 8] = [0x1, 0x4, 0x8, 0x10, 0x20, 0x40, 0x80, 0x100];

/// The case's items copied into an owned buffer, and the offset of the
/// base in it.
fn owned(case: &Case) -> (Vec<u8>, usize) {
    let layout = case.layout();
    let Some((low, high)) = layout.byte_range() else { return (vec![0; 8], 0) };
    // SAFETY: `Case::build` made every byte between the lowest and the
    // highest item readable (one block for a direct case).
    let bytes = unsafe { std::slice::from_raw_parts(case.base.offset(low), (high - low) as usize) }.to_vec();
    (bytes, low.unsigned_abs())
}

fn format_of(itemsize: usize) -> &'static str {
    match itemsize {
        1 => "B",
        2 => "H",
        4 => "I",
        8 => "Q",
        _ => "3s",
    }
}

/// PyBuffer_IsContiguous, written out for the test.
fn contiguous(shape: &[usize], strides: &[isize], itemsize: usize, fortran: bool) -> bool {
    if shape.contains(&0) {
        return true;
    }
    let mut expected = itemsize as isize;
    let dims: Vec<usize> = if fortran { (0..shape.len()).collect() } else { (0..shape.len()).rev().collect() };
    for d in dims {
        if shape[d] > 1 && strides[d] != expected {
            return false;
        }
        expected *= shape[d] as isize;
    }
    true
}

fn check_export(py: Python<'_>, spec: &Spec, readonly: bool) {
    let case = Case::build(spec);
    let (bytes, offset) = owned(&case);
    let itemsize = case.itemsize;
    let format = format_of(itemsize);
    let layout = Layout::new(&case.shape, &case.strides, itemsize).unwrap();
    let view = View::from_parts(bytes, layout, offset, Format::parse(format).unwrap(), readonly).unwrap();
    let writable = view.is_writable();
    assert_eq!(writable, !readonly);
    let v = Bound::new(py, view).unwrap();
    let ns = PyDict::new(py);
    ns.set_item("v", &v).unwrap();
    let setup = run(py, "import _testbuffer as tb\n");
    ns.set_item("tb", setup.get_item("tb").unwrap()).unwrap();
    let start = refcount(v.as_any());
    let c = contiguous(&case.shape, &case.strides, itemsize, false);
    let f = contiguous(&case.shape, &case.strides, itemsize, true);
    let naive_c = case.naive_bytes(false);
    let naive_f = case.naive_bytes(true);

    // memoryview, everything it can tell.
    let m = eval(&ns, "memoryview(v)");
    assert_eq!(m.getattr("shape").unwrap().extract::<Vec<usize>>().unwrap(), case.shape);
    assert_eq!(m.getattr("strides").unwrap().extract::<Vec<isize>>().unwrap(), case.strides);
    assert_eq!(m.getattr("suboffsets").unwrap().extract::<Vec<isize>>().unwrap(), Vec::<isize>::new());
    assert_eq!(m.getattr("format").unwrap().extract::<String>().unwrap(), format);
    assert_eq!(m.getattr("readonly").unwrap().extract::<bool>().unwrap(), !writable);
    for (order, want) in [("C", &naive_c), ("F", &naive_f), ("A", if f && !c { &naive_f } else { &naive_c })] {
        let got: Vec<u8> = m.call_method1("tobytes", (order,)).unwrap().extract().unwrap();
        assert_eq!(&got, want, "tobytes({order})");
    }
    if itemsize != 3 {
        // Decoded items, in C order, flattened (a bare value for 0-d).
        let listed = m.call_method0("tolist").unwrap();
        let mut flattened = Vec::new();
        flatten(&listed, &mut flattened);
        let items: Vec<u64> = common::all_indices(&case.shape)
            .iter()
            .map(|i| {
                let item = case.naive_item(i);
                let mut word = [0u8; 8];
                word[..itemsize].copy_from_slice(&item);
                u64::from_ne_bytes(word)
            })
            .collect();
        assert_eq!(flattened, items);
    }
    drop(m);

    // Every request, through _testbuffer, against the model of CPython's
    // decision order.
    for combo in 0u32..(1 << BITS.len()) {
        let flags: u32 = BITS.iter().enumerate().filter(|(k, _)| combo >> k & 1 == 1).map(|(_, b)| b).sum();
        // Composite requests carry their ND/STRIDES bits, as CPython's
        // constants do.
        let flags = if flags & 0x1e0 != 0 { flags | 0x18 } else { flags };
        let flags = if flags & 0x10 != 0 { flags | 0x8 } else { flags };
        let want = flags_model::decide(flags, !writable, c, f, false);
        let got = py.eval(&std::ffi::CString::new(format!("tb.ndarray(v, getbuf={flags})")).unwrap(), Some(&ns), None);
        match (want, got) {
            (Err(reason), Ok(_)) => panic!("{flags:#x}: granted, CPython refuses ({reason})"),
            (Err(_), Err(err)) => {
                assert!(err.is_instance_of::<pyo3::exceptions::PyBufferError>(py), "{flags:#x}: {err}");
            }
            (Ok(_), Err(err)) => panic!("{flags:#x}: refused ({err}), CPython grants"),
            (Ok((has_format, has_shape, has_strides)), Ok(nd)) => {
                let get = |name: &str| nd.getattr(name).unwrap();
                assert_eq!(get("format").extract::<String>().unwrap(), if has_format { format } else { "" });
                let shape: Vec<usize> = get("shape").extract().unwrap();
                let strides: Vec<isize> = get("strides").extract().unwrap();
                let expect_shape = if has_shape { case.shape.clone() } else { vec![] };
                assert_eq!(shape, if case.shape.is_empty() { vec![] } else { expect_shape }, "{flags:#x}");
                let expect_strides = if has_strides { case.strides.clone() } else { vec![] };
                assert_eq!(strides, if case.shape.is_empty() { vec![] } else { expect_strides }, "{flags:#x}");
                assert_eq!(get("readonly").extract::<bool>().unwrap(), !writable);
                assert_eq!(get("itemsize").extract::<usize>().unwrap(), itemsize);
                // The bytes it reads, in C order, are the items (without
                // shape or strides the buffer is C-contiguous by contract).
                let got: Vec<u8> = nd.call_method0("tobytes").unwrap().extract().unwrap();
                assert_eq!(got, naive_c, "{flags:#x}");
            }
        }
    }
    // NumPy reads the same items (when it can describe the format).
    if itemsize != 3 {
        let np_bytes: Vec<u8> = run(py, "import numpy as np\n")
            .get_item("np")
            .unwrap()
            .unwrap()
            .call_method1("asarray", (&v,))
            .unwrap()
            .call_method1("tobytes", ("C",))
            .unwrap()
            .extract()
            .unwrap();
        assert_eq!(np_bytes, naive_c);
    }
    drop(ns);
    drop(setup);
    assert_eq!(refcount(v.as_any()), start - 1);
    assert_eq!(v.get().exports(), 0, "every export released");
}

fn flatten(obj: &Bound<'_, PyAny>, out: &mut Vec<u64>) {
    match obj.cast::<pyo3::types::PyList>() {
        Ok(list) => list.iter().for_each(|item| flatten(&item, out)),
        Err(_) => out.push(obj.extract().unwrap()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn random_layouts_read_back_by_cpython(spec in common::spec(4, false, true), readonly in any::<bool>()) {
        with_python(|py| check_export(py, &spec, readonly));
    }
}

#[test]
fn numpy_round_trip_and_the_owners_rules() {
    with_python(|py| {
        let grid = View::new((0..12).map(f64::from).collect::<Vec<_>>()).reshape(&[3, 4]).unwrap();
        let v = Bound::new(py, grid.t()).unwrap();
        let ns = run(py, "import numpy as np\n");
        ns.set_item("v", &v).unwrap();
        let a = eval(&ns, "np.asarray(v)");
        ns.set_item("a", &a).unwrap();
        assert_eq!(eval(&ns, "a.shape").extract::<(usize, usize)>().unwrap(), (4, 3));
        assert_eq!(eval(&ns, "a[1, 2]").extract::<f64>().unwrap(), 9.0);
        // Zero copy: NumPy writes, Rust sees (once NumPy lets go).
        run_in(&ns, "a[0, 1] = -5.0");
        assert_eq!(v.get().exports(), 1);
        assert_eq!(v.get().take::<Vec<f64>>().unwrap_err().kind(), ErrorKind::Borrowed);
        assert_eq!(v.get().write(|_| ()).unwrap_err().kind(), ErrorKind::Borrowed);
        assert_eq!(v.get().read(|_| ()).unwrap_err().kind(), ErrorKind::Borrowed, "NumPy may still write");
        // The wrong owner type is refused, and nothing is lost.
        ns.del_item("a").unwrap();
        drop(a);
        assert_eq!(v.get().exports(), 0);
        assert_eq!(v.get().take::<Vec<f32>>().unwrap_err().kind(), ErrorKind::IncompatibleFormat);
        let seen = v.get().read(|view| view.typed::<f64>().unwrap().to_vec(Order::C)).unwrap();
        assert_eq!(seen[1], -5.0);
        // Rust writes, Python sees.
        v.get().write(|view| view.into_typed::<f64>().unwrap().set(&[0, 0], 42.0).unwrap()).unwrap();
        assert_eq!(eval(&ns, "memoryview(v)[0, 0]").extract::<f64>().unwrap(), 42.0);
        let back = v.get().take::<Vec<f64>>().unwrap();
        // v is the transpose: its [0, 1] is the grid's [1, 0], item 4.
        assert_eq!(back[..5], [42.0, 1.0, 2.0, 3.0, -5.0]);
        // Taken back: every view of the memory refuses.
        let err = py.eval(c"memoryview(v)", Some(&ns), None).unwrap_err();
        assert!(err.is_instance_of::<pyo3::exceptions::PyBufferError>(py), "{err}");
        assert_eq!(grid.read(|_| ()).unwrap_err().kind(), ErrorKind::Borrowed);
    });
}

fn run_in(ns: &Bound<'_, PyDict>, code: &str) {
    let code = std::ffi::CString::new(code).unwrap();
    ns.py().run(&code, Some(ns), None).unwrap();
}

#[test]
fn owners_that_python_may_not_write() {
    with_python(|py| {
        let ns = run(py, "import numpy as np\n");
        // bool items: Python could write a 2; exported read-only.
        let flags = Bound::new(py, View::new(vec![true, false, true])).unwrap();
        // Shared owners: read-only.
        let shared = Bound::new(py, View::new(std::sync::Arc::<[u16]>::from([1u16, 2, 3]))).unwrap();
        // Asked read-only.
        let frozen = Bound::new(py, View::new_readonly(vec![1.5f32, 2.5])).unwrap();
        for (name, v) in [("flags", flags.as_any()), ("shared", shared.as_any()), ("frozen", frozen.as_any())] {
            ns.set_item(name, v).unwrap();
            assert!(eval(&ns, &format!("memoryview({name}).readonly")).extract::<bool>().unwrap(), "{name}");
            assert!(!eval(&ns, &format!("np.asarray({name}).flags.writeable")).extract::<bool>().unwrap(), "{name}");
            let err = py.eval(
                &std::ffi::CString::new(format!("memoryview({name}).__setitem__(0, 0)")).unwrap(),
                Some(&ns),
                None,
            );
            assert!(err.is_err(), "{name}");
        }
        assert!(shared.get().is_immutable() && frozen.get().is_immutable());
        assert_eq!(eval(&ns, "memoryview(flags).tolist()").extract::<Vec<bool>>().unwrap(), [true, false, true]);
        assert_eq!(eval(&ns, "bytes(shared)").extract::<Vec<u8>>().unwrap(), [1, 0, 2, 0, 3, 0]);
    });
}

#[test]
fn indirect_memory_is_re_exported_with_suboffsets_only_to_indirect_requests() {
    with_python(|py| {
        let ns = run(
            py,
            "import _testbuffer as tb\nx = tb.ndarray(list(range(24)), shape=[4, 6], format='i', flags=tb.ND_PIL)\n",
        );
        let x = eval(&ns, "x");
        let v = Bound::new(py, View::from_object(&x).unwrap()).unwrap();
        ns.set_item("v", &v).unwrap();
        for key in ["v", "v[::-1, 1:]", "v[1:3, ::2]", "v[::2][1]"] {
            let oracle = key.replacen('v', "x", 1);
            let want: Vec<u8> =
                eval(&ns, &format!("tb.ndarray({oracle}, getbuf=tb.PyBUF_FULL_RO).tobytes()")).extract().unwrap();
            let got: Vec<u8> =
                eval(&ns, &format!("tb.ndarray({key}, getbuf=tb.PyBUF_INDIRECT).tobytes()")).extract().unwrap();
            assert_eq!(got, want, "{key}");
            let sub_want: Vec<isize> = eval(&ns, &format!("{oracle}.suboffsets")).extract().unwrap();
            let sub_got: Vec<isize> =
                eval(&ns, &format!("tb.ndarray({key}, getbuf=tb.PyBUF_FULL_RO).suboffsets")).extract().unwrap();
            assert_eq!(sub_got, sub_want, "{key}");
        }
        let err = py.eval(c"tb.ndarray(v, getbuf=tb.PyBUF_STRIDES)", Some(&ns), None).unwrap_err();
        assert!(err.to_string().contains("suboffsets"), "{err}");
        // A row of a PIL view keeps a (negative) suboffset, as in CPython,
        // so it still needs an INDIRECT request.
        assert!(
            eval(&ns, "tb.ndarray(v[2], getbuf=tb.PyBUF_FULL_RO).tolist() == x[2].tolist()").extract::<bool>().unwrap()
        );
        assert!(py.eval(c"tb.ndarray(v[2], getbuf=tb.PyBUF_STRIDES)", Some(&ns), None).is_err());
        assert!(py.eval(c"tb.ndarray(x[2], getbuf=tb.PyBUF_STRIDES)", Some(&ns), None).is_err());
        drop(ns);
        assert_eq!(v.get().exports(), 0);
    });
}

#[test]
fn empty_and_zero_dimensional_exports() {
    with_python(|py| {
        let ns = run(py, "import numpy as np\n");
        let scalar = Bound::new(py, View::new(vec![2.5f64]).reshape(&[]).unwrap()).unwrap();
        let empty = Bound::new(py, View::new(Vec::<i16>::new()).reshape(&[0, 3]).unwrap()).unwrap();
        ns.set_item("s", &scalar).unwrap();
        ns.set_item("e", &empty).unwrap();
        assert_eq!(eval(&ns, "memoryview(s).shape").extract::<Vec<usize>>().unwrap(), Vec::<usize>::new());
        assert_eq!(eval(&ns, "memoryview(s).tolist()").extract::<f64>().unwrap(), 2.5);
        assert_eq!(eval(&ns, "float(np.asarray(s))").extract::<f64>().unwrap(), 2.5);
        assert_eq!(eval(&ns, "np.asarray(e).shape").extract::<(usize, usize)>().unwrap(), (0, 3));
        assert_eq!(eval(&ns, "bytes(e)").extract::<Vec<u8>>().unwrap(), Vec::<u8>::new());
    });
}

/// The GIL rule: a copy out of memory nothing can write (`bytes`) runs with
/// the GIL released, so other Python threads progress meanwhile; a copy out
/// of writable memory keeps it, so they cannot.
#[test]
fn copies_release_the_gil_only_for_immutable_sources() {
    with_python(|py| {
        let ns = run(
            py,
            "import threading\n\
             n = 0\n\
             stop = False\n\
             def spin():\n\
             \x20   global n\n\
             \x20   while not stop:\n\
             \x20       n += 1\n\
             frozen = bytes(64 << 20)\n\
             thawed = bytearray(64 << 20)\n\
             t = threading.Thread(target=spin)\n\
             t.start()\n",
        );
        let count = || ns.get_item("n").unwrap().unwrap().extract::<u64>().unwrap();
        // Let the spinner start.
        py.run(c"import time\nwhile n == 0: time.sleep(0.001)", Some(&ns), None).unwrap();
        let mut progressed = [0u64; 2];
        for (k, name) in ["thawed", "frozen"].iter().enumerate() {
            let source = ns.get_item(*name).unwrap().unwrap();
            let before = count();
            let copy = memoryview::python::ascontiguous(py, &source, Some("C")).unwrap();
            progressed[k] = count() - before;
            drop(copy);
        }
        py.run(c"stop = True\nt.join()", Some(&ns), None).unwrap();
        assert_eq!(progressed[0], 0, "the GIL was released while copying writable memory");
        assert!(progressed[1] > 0, "the GIL was held while copying bytes");
    });
}

/// A `#[pyclass]` of a user's that exports its pixels through a `View`.
#[pyclass(frozen)]
struct Image {
    pixels: View,
}

#[pymethods]
impl Image {
    unsafe fn __getbuffer__(
        slf: Bound<'_, Self>,
        view: *mut pyo3::ffi::Py_buffer,
        flags: std::ffi::c_int,
    ) -> PyResult<()> {
        unsafe { slf.get().pixels.get_buffer(slf.as_any(), view, flags) }
    }

    unsafe fn __releasebuffer__(&self, view: *mut pyo3::ffi::Py_buffer) {
        unsafe { self.pixels.release_buffer(view) }
    }
}

#[test]
fn a_users_pyclass_exports_through_a_view() {
    with_python(|py| {
        let rgb: Vec<u8> = (0..4 * 5 * 3).map(|i| i as u8).collect();
        let image = Bound::new(py, Image { pixels: View::new(rgb.clone()).reshape(&[4, 5, 3]).unwrap() }).unwrap();
        let start = refcount(image.as_any());
        let ns = run(py, "import numpy as np\n");
        ns.set_item("image", &image).unwrap();
        let a = eval(&ns, "np.asarray(image)");
        ns.set_item("a", &a).unwrap();
        assert_eq!(eval(&ns, "a.shape").extract::<(usize, usize, usize)>().unwrap(), (4, 5, 3));
        assert_eq!(eval(&ns, "a.tobytes()").extract::<Vec<u8>>().unwrap(), rgb);
        assert_eq!(eval(&ns, "np.asarray(image)[1, 2, 0]").extract::<u8>().unwrap(), 21);
        assert_eq!(image.get().pixels.exports(), 1);
        assert_eq!(image.get().pixels.take::<Vec<u8>>().unwrap_err().kind(), ErrorKind::Borrowed);
        py.run(c"a[0, 0, 0] = 200\ndel a", Some(&ns), None).unwrap();
        drop(a);
        assert_eq!(image.get().pixels.exports(), 0);
        drop(ns);
        assert_eq!(refcount(image.as_any()), start);
        assert_eq!(image.get().pixels.take::<Vec<u8>>().unwrap()[0], 200);
    });
}
