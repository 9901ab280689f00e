//! Taking buffers from Python: every exporter and layout CPython and NumPy
//! produce, read through `BufferGuard` and compared with CPython's own
//! reading of the same request (`_testbuffer.ndarray(obj, getbuf=...)`,
//! `memoryview.tolist`) or NumPy's (`tolist`).

use super::{eval, refcount, run, to_value, with_python};
use memoryview::python::BufferGuard;
use memoryview::{BufferFlags, ErrorKind, Order};
use pyo3::prelude::*;

/// The exporters: (name, expression, oracle for the items: an expression
/// of `x` giving the nested lists CPython or NumPy reads).
const CASES: &[(&str, &str, &str)] = &[
    ("bytes", "b'hello, world'", "memoryview(x).tolist()"),
    ("bytearray", "bytearray(range(20))", "memoryview(x).tolist()"),
    ("array d", "array.array('d', [1.5, -2.0, 3.25, 1e300])", "memoryview(x).tolist()"),
    ("array h", "array.array('h', range(-5, 5))", "memoryview(x).tolist()"),
    ("array Q", "array.array('Q', [0, 2**64 - 1, 12345])", "memoryview(x).tolist()"),
    ("memoryview step", "memoryview(bytearray(range(20)))[::-3]", "x.tolist()"),
    ("memoryview cast 2-D", "memoryview(array.array('i', range(12))).cast('B').cast('i', [3, 4])", "x.tolist()"),
    ("numpy C", "np.arange(24, dtype='<i4').reshape(2, 3, 4)", "x.tolist()"),
    ("numpy F", "np.asfortranarray(np.arange(12.0).reshape(3, 4))", "x.tolist()"),
    ("numpy sliced", "np.arange(60, dtype=np.int16).reshape(6, 10)[1::2, ::-3]", "x.tolist()"),
    ("numpy negative", "np.arange(10.0)[::-1]", "x.tolist()"),
    ("numpy transposed 3-D", "np.arange(60, dtype=np.uint8).reshape(3, 4, 5).transpose(2, 0, 1)[::2]", "x.tolist()"),
    ("numpy big-endian", "np.arange(6, dtype='>f8').reshape(2, 3) * 1.5", "x.tolist()"),
    ("numpy little-endian i8", "np.arange(-3, 3, dtype='<i8')", "x.tolist()"),
    (
        "numpy record",
        "np.array([(1, 2.5, -1.0), (7, 0.25, 3.0)], dtype=[('id', '<u4'), ('x', '<f8'), ('y', '<f8')])",
        "x.tolist()",
    ),
    (
        "numpy aligned record",
        "zeroed([(1, 2.5), (2, -0.5)], np.dtype([('a', 'u1'), ('b', '<f8')], align=True))",
        "x.tolist()",
    ),
    ("numpy 0-d", "np.array(3.5)", "x.tolist()"),
    ("numpy empty", "np.zeros((0, 3), dtype=np.float32)", "x.tolist()"),
    ("numpy read-only", "ro(np.arange(5, dtype=np.int32))", "x.tolist()"),
    ("numpy bool", "np.array([True, False, True])", "x.tolist()"),
    ("numpy complex", "np.array([1 + 2j, -3.5j], dtype=np.complex128)", "x.tolist()"),
    ("numpy complex64", "np.array([1 + 2j, -3.5j], dtype=np.complex64)", "x.tolist()"),
    ("numpy float16", "np.array([0.5, -2.0, 65504.0], dtype=np.float16)", "x.tolist()"),
    ("numpy broadcast", "np.broadcast_to(np.arange(3.0), (4, 3))", "x.tolist()"),
    ("numpy odd strides", "np.ndarray(shape=(5,), dtype='<u2', buffer=bytes(range(16)), strides=(3,))", "x.tolist()"),
    ("testbuffer PIL", "tb.ndarray(list(range(12)), shape=[3, 4], format='i', flags=tb.ND_PIL)", "x.tolist()"),
    (
        "testbuffer PIL sliced",
        "tb.ndarray(list(range(12)), shape=[3, 4], format='i', flags=tb.ND_PIL)[::-1, 1:]",
        "x.tolist()",
    ),
    ("testbuffer Fortran", "tb.ndarray(list(range(12)), shape=[3, 4], format='h', flags=tb.ND_FORTRAN)", "x.tolist()"),
    ("testbuffer scalar", "tb.ndarray(7, shape=[], format='q', flags=tb.ND_SCALAR)", "x.tolist()"),
    ("testbuffer writable", "tb.ndarray(list(range(6)), shape=[2, 3], format='L', flags=tb.ND_WRITABLE)", "x.tolist()"),
    (
        "testbuffer record",
        "tb.ndarray([(1, 2.0), (3, 4.0)], shape=[2], format='<hd')",
        "[struct.unpack('<hd', bytes(memoryview(x)[i:i+1])) for i in range(2)]",
    ),
];

const PRELUDE: &str = "\
import array, struct
import numpy as np
import _testbuffer as tb
def ro(a):
    a.flags.writeable = False
    return a
def zeroed(items, dtype):
    # Padding bytes zeroed: np.array leaves them uninitialized, which
    # valgrind would report when both sides compare them.
    a = np.zeros(len(items), dtype)
    a[:] = items
    return a
";

#[test]
fn every_exporter_reads_as_cpython_reads_it() {
    with_python(|py| {
        let ns = run(py, PRELUDE);
        for &(name, expr, oracle) in CASES {
            let x = eval(&ns, expr);
            ns.set_item("x", &x).unwrap();
            let before = refcount(&x);
            {
                let guard = BufferGuard::get(&x, BufferFlags::FULL_RO).unwrap_or_else(|e| panic!("{name}: {e}"));
                let view = guard.view();
                // The same request, as CPython's _testbuffer records it.
                let nd = eval(&ns, "tb.ndarray(x, getbuf=tb.PyBUF_FULL_RO)");
                let shape: Vec<usize> = nd.getattr("shape").unwrap().extract().unwrap();
                let strides: Vec<isize> = nd.getattr("strides").unwrap().extract().unwrap();
                let suboffsets: Vec<isize> = nd.getattr("suboffsets").unwrap().extract().unwrap();
                let format: String = nd.getattr("format").unwrap().extract().unwrap();
                let itemsize: usize = nd.getattr("itemsize").unwrap().extract().unwrap();
                let readonly: bool = nd.getattr("readonly").unwrap().extract().unwrap();
                assert_eq!(view.shape(), shape, "{name}");
                assert_eq!(view.strides(), strides, "{name}");
                assert_eq!(view.suboffsets().unwrap_or(&[]), suboffsets, "{name}");
                assert_eq!(view.format().as_str(), if format.is_empty() { "B" } else { &format }, "{name}");
                assert_eq!(view.itemsize(), itemsize, "{name}");
                assert_eq!(guard.readonly(), readonly, "{name}");
                // Bytes in each order, as PyBuffer_ToContiguous makes them.
                for (order, letter) in [(Order::C, "C"), (Order::F, "F"), (Order::A, "A")] {
                    let code = format!("tb.py_buffer_to_contiguous(x, '{letter}', tb.PyBUF_FULL_RO)");
                    let want: Vec<u8> = eval(&ns, &code).extract().unwrap();
                    assert_eq!(view.to_bytes(order), want, "{name} {letter}");
                }
                // Every item, decoded.
                let want = to_value(&eval(&ns, oracle));
                assert_eq!(view.to_list().unwrap(), want, "{name}");
            }
            ns.del_item("x").unwrap();
            assert_eq!(refcount(&x), before - 1, "{name}: the guard kept a reference");
        }
        assert_eq!(memoryview::python::live_borrows(), 0);
    });
}

#[test]
fn typed_access_follows_the_format() {
    with_python(|py| {
        let ns = run(
            py,
            "import numpy as np\n\
             c = np.arange(24, dtype=np.int32).reshape(4, 6)[::-1, 1::2]\n\
             be = (np.arange(6) / 4).astype('>f8')\n\
             pts = np.zeros(2, dtype=np.dtype({'names': ['id', 'x', 'y'], 'formats': ['<u4', '<f8', '<f8'], 'offsets': [0, 8, 16], 'itemsize': 24}))\n\
             pts['id'] = [3, 4]; pts['x'] = [0.5, 1.5]; pts['y'] = [-1, -2]\n",
        );
        let c = eval(&ns, "c");
        let guard = BufferGuard::readable(&c).unwrap();
        let items = guard.typed::<i32>().unwrap();
        let want: Vec<i32> = eval(&ns, "c.flatten().tolist()").extract().unwrap();
        assert_eq!(items.to_vec(Order::C), want);
        assert_eq!(items.get(&[0, -1]).unwrap(), want[2]);
        assert_eq!(guard.typed::<u32>().unwrap_err().kind(), ErrorKind::IncompatibleFormat);

        // A big-endian array is never read as native doubles (PyO3's
        // PyBuffer<f64> does), but converts explicitly.
        let be = eval(&ns, "be");
        let guard = BufferGuard::readable(&be).unwrap();
        if cfg!(target_endian = "little") {
            assert_eq!(guard.typed::<f64>().unwrap_err().kind(), ErrorKind::IncompatibleFormat);
        }
        assert_eq!(guard.view().to_vec_native::<f64>(Order::C).unwrap(), [0.0, 0.25, 0.5, 0.75, 1.0, 1.25]);

        // Records, read in place.
        let pts = eval(&ns, "pts");
        let guard = BufferGuard::readable(&pts).unwrap();
        let format = guard.view().format().as_str().to_owned();
        let want = to_value(&eval(&ns, "pts.tolist()"));
        assert_eq!(guard.view().to_list().unwrap(), want, "{format}");
    });
}

#[test]
fn writable_guards_write_through() {
    with_python(|py| {
        let ns = run(
            py,
            "import numpy as np\na = np.zeros((3, 4))\nb = b'abc'\nro = np.zeros(3)\nro.flags.writeable = False\n",
        );
        let a = eval(&ns, "a");
        {
            let mut guard = BufferGuard::writable(&a).unwrap();
            let mut column = guard.typed_mut::<f64>().unwrap().t().slice_axis(0, 2..3).unwrap();
            column.copy_from_slice(&[1.0, 2.0, 3.0], Order::C).unwrap();
        }
        let column: Vec<f64> = eval(&ns, "a[:, 2].tolist()").extract().unwrap();
        assert_eq!(column, [1.0, 2.0, 3.0]);

        // A guard asked read-only never writes.
        let mut guard = BufferGuard::readable(&a).unwrap();
        assert_eq!(guard.view_mut().unwrap_err().kind(), ErrorKind::ReadOnly);
        drop(guard);
        // Read-only exporters refuse writable requests.
        assert!(BufferGuard::writable(&eval(&ns, "b")).is_err());
        assert!(BufferGuard::writable(&eval(&ns, "ro")).is_err());
        assert_eq!(memoryview::python::live_borrows(), 0);
    });
}

#[test]
fn a_guard_holds_the_export_until_dropped() {
    with_python(|py| {
        let ns = run(py, "ba = bytearray(b'0123456789')\n");
        let ba = eval(&ns, "ba");
        let before = refcount(&ba);
        let guard = BufferGuard::readable(&ba).unwrap();
        assert_eq!(refcount(&ba), before + 2, "the guard and its Py_buffer each hold a reference");
        // bytearray refuses to resize while exported.
        let err = ba.call_method1("extend", (b"x",)).unwrap_err();
        assert!(err.is_instance_of::<pyo3::exceptions::PyBufferError>(py), "{err}");
        assert_eq!(guard.view().to_bytes(Order::C), b"0123456789");
        drop(guard);
        ba.call_method1("extend", (b"x",)).unwrap();
        assert_eq!(refcount(&ba), before);
    });
}

#[test]
fn rust_borrows_exclude_each_other() {
    with_python(|py| {
        let ns = run(py, "import numpy as np\na = np.arange(10.0)\nhead = a[:5]\ntail = a[5:]\nevens = a[::2]\n");
        let (a, head, tail, evens) = (eval(&ns, "a"), eval(&ns, "head"), eval(&ns, "tail"), eval(&ns, "evens"));
        let read_a = BufferGuard::readable(&a).unwrap();
        let read_evens = BufferGuard::readable(&evens).unwrap();
        let conflict = BufferGuard::writable(&head).unwrap_err();
        assert!(conflict.is_instance_of::<pyo3::exceptions::PyBufferError>(py), "{conflict}");
        drop((read_a, read_evens));
        // Disjoint halves may both be written.
        let mut write_head = BufferGuard::writable(&head).unwrap();
        let mut write_tail = BufferGuard::writable(&tail).unwrap();
        write_head.typed_mut::<f64>().unwrap().set(&[0], -1.0).unwrap();
        write_tail.typed_mut::<f64>().unwrap().set(&[0], -2.0).unwrap();
        // A reader of the whole array overlaps both.
        assert!(BufferGuard::readable(&a).is_err());
        drop((write_head, write_tail));
        assert_eq!(eval(&ns, "(a[0], a[5])").extract::<(f64, f64)>().unwrap(), (-1.0, -2.0));
        assert_eq!(memoryview::python::live_borrows(), 0);
    });
}

#[test]
fn immutable_exporters() {
    with_python(|py| {
        let ns = run(
            py,
            "import numpy as np\nb = b'abc'\nba = bytearray(b'abc')\na = np.zeros(3)\nm = memoryview(b'abc')\n",
        );
        let immutable = |name: &str| BufferGuard::readable(&eval(&ns, name)).unwrap().is_immutable();
        assert!(immutable("b"));
        assert!(!immutable("ba"));
        assert!(!immutable("a"));
        // A memoryview is its own exporter; it is not known to be immutable.
        assert!(!immutable("m"));
    });
}

#[test]
fn testbuffer_exporter_flags() {
    with_python(|py| {
        let ns = run(
            py,
            "import _testbuffer as tb\n\
             var = tb.ndarray(list(range(6)), shape=[2, 3], format='i', flags=tb.ND_VAREXPORT)\n\
             base = tb.ndarray(list(range(6)), shape=[6], format='i')\n\
             redirect = tb.ndarray(base, getbuf=tb.PyBUF_FULL_RO, flags=tb.ND_REDIRECT)\n\
             fail = tb.ndarray(list(range(6)), shape=[6], format='i', flags=tb.ND_GETBUF_FAIL)\n\
             undefined = tb.ndarray(list(range(6)), shape=[6], format='i', flags=tb.ND_GETBUF_FAIL | tb.ND_GETBUF_UNDEFINED)\n",
        );
        // ND_VAREXPORT: the exporter may change its own buffer while an
        // export lives; the guard keeps reading the items it was given.
        let var = eval(&ns, "var");
        let guard = BufferGuard::readable(&var).unwrap();
        py.run(c"var.push([7, 8, 9], shape=[3], format='i')", Some(&ns), None).unwrap();
        assert_eq!(guard.typed::<i32>().unwrap().to_vec(Order::C), [0, 1, 2, 3, 4, 5]);
        assert_eq!(eval(&ns, "var.tolist()").extract::<Vec<i32>>().unwrap(), [7, 8, 9]);
        drop(guard);
        // ND_REDIRECT: the request is answered by the base object.
        let guard = BufferGuard::readable(&eval(&ns, "redirect")).unwrap();
        assert_eq!(guard.typed::<i32>().unwrap().to_vec(Order::C), [0, 1, 2, 3, 4, 5]);
        drop(guard);
        // ND_GETBUF_FAIL (with undefined fields left in the Py_buffer).
        for name in ["fail", "undefined"] {
            let err = BufferGuard::readable(&eval(&ns, name)).unwrap_err();
            assert!(err.is_instance_of::<pyo3::exceptions::PyBufferError>(py), "{name}: {err}");
        }
        assert_eq!(memoryview::python::live_borrows(), 0);
    });
}
