//! DLPack both ways against NumPy's own producer and consumer.

use super::{eval, run, to_value, with_python};
use memoryview::python::{BufferGuard, View};
use memoryview::{Format, Layout, Order};
use pyo3::prelude::*;
use pyo3::types::PyDict;

const PRELUDE: &str = "\
import numpy as np
import _testbuffer as tb
class Legacy:
    '''A producer from before versioned capsules: __dlpack__ takes no arguments.'''
    def __init__(self, a): self.a = a
    def __dlpack__(self): return self.a.__dlpack__()
    def __dlpack_device__(self): return self.a.__dlpack_device__()
class OnlyDlpack:
    '''An object with DLPack and no buffer protocol.'''
    def __init__(self, a): self.a = a
    def __dlpack__(self, **kw): return self.a.__dlpack__(**kw)
    def __dlpack_device__(self): return self.a.__dlpack_device__()
class OnGpu(OnlyDlpack):
    def __dlpack_device__(self): return (2, 0)
class Forward:
    '''Hands `v.__dlpack__(**kw)` to NumPy, to see what NumPy asks.'''
    def __init__(self, v, legacy=False): self.v = v; self.legacy = legacy; self.asked = None
    def __dlpack__(self, **kw):
        self.asked = kw
        return self.v.__dlpack__() if self.legacy else self.v.__dlpack__(**kw)
    def __dlpack_device__(self): return self.v.__dlpack_device__()
";

fn namespace(py: Python<'_>) -> Bound<'_, PyDict> {
    run(py, PRELUDE)
}

#[test]
fn numpy_reads_exports_in_place() {
    with_python(|py| {
        let ns = namespace(py);
        let grid = View::new((0..12).map(|i| i as f32).collect::<Vec<_>>()).reshape(&[3, 4]).unwrap();
        let v = Bound::new(py, grid.slice(&[memoryview::Slice::from(..).step(-1)]).unwrap().t()).unwrap();
        ns.set_item("v", &v).unwrap();
        let a = eval(&ns, "np.from_dlpack(v)");
        ns.set_item("a", &a).unwrap();
        let want = to_value(&eval(&ns, "memoryview(v).tolist()"));
        assert_eq!(to_value(&eval(&ns, "a.tolist()")), want);
        assert!(eval(&ns, "a.flags.writeable").extract::<bool>().unwrap());
        // Zero copy, both ways.
        py.run(c"a[0, 0] = 100.0", Some(&ns), None).unwrap();
        assert_eq!(eval(&ns, "memoryview(v)[0, 0]").extract::<f32>().unwrap(), 100.0);
        assert_eq!(v.get().exports(), 1, "the capsule's request lives as long as the array");
        ns.del_item("a").unwrap();
        drop(a);
        assert_eq!(v.get().exports(), 0);
    });
}

#[test]
fn versions_copies_and_read_only_memory() {
    with_python(|py| {
        let ns = namespace(py);
        let v = Bound::new(py, View::new(vec![1i64, 2, 3])).unwrap();
        let ro = Bound::new(py, View::new_readonly(vec![1i64, 2, 3])).unwrap();
        ns.set_item("v", &v).unwrap();
        ns.set_item("ro", &ro).unwrap();
        // Versioned (what NumPy asks for) and legacy capsules.
        assert_eq!(
            eval(&ns, "type(v.__dlpack__(max_version=(1, 0))).__name__").extract::<String>().unwrap(),
            "PyCapsule"
        );
        assert!(eval(&ns, "repr(v.__dlpack__(max_version=(1, 0)))").to_string().contains("dltensor_versioned"));
        assert!(eval(&ns, "repr(v.__dlpack__())").to_string().contains("\"dltensor\""));
        assert_eq!(v.get().exports(), 0, "unconsumed capsules release their request when freed");
        let fwd = eval(&ns, "Forward(v, legacy=True)");
        ns.set_item("fwd", &fwd).unwrap();
        assert_eq!(eval(&ns, "np.from_dlpack(fwd).tolist()").extract::<Vec<i64>>().unwrap(), [1, 2, 3]);
        // Read-only memory: flagged in versioned capsules, refused in legacy ones.
        assert!(!eval(&ns, "np.from_dlpack(ro).flags.writeable").extract::<bool>().unwrap());
        let err = py.eval(c"ro.__dlpack__()", Some(&ns), None).unwrap_err();
        assert!(err.is_instance_of::<pyo3::exceptions::PyBufferError>(py), "{err}");
        // copy=True: an independent copy.
        py.run(c"c = np.from_dlpack(v, copy=True)\nc[0] = 99", Some(&ns), None).unwrap();
        assert_eq!(eval(&ns, "memoryview(v)[0]").extract::<i64>().unwrap(), 1);
        assert_eq!(eval(&ns, "c.tolist()").extract::<Vec<i64>>().unwrap(), [99, 2, 3]);
        // Devices and streams other than the CPU's are refused.
        for call in ["v.__dlpack__(dl_device=(2, 0))", "v.__dlpack__(stream=1)"] {
            let err = py.eval(&std::ffi::CString::new(call).unwrap(), Some(&ns), None).unwrap_err();
            assert!(err.is_instance_of::<pyo3::exceptions::PyBufferError>(py), "{call}: {err}");
        }
        assert_eq!(eval(&ns, "v.__dlpack_device__()").extract::<(i32, i32)>().unwrap(), (1, 0));
        ns.del_item("c").unwrap();
        assert_eq!(v.get().exports(), 0);
    });
}

#[test]
fn layouts_dlpack_cannot_describe_are_refused() {
    with_python(|py| {
        let ns = namespace(py);
        let odd = View::from_parts(
            (0..16u8).collect::<Vec<_>>(),
            Layout::new(&[5], &[3], 2).unwrap(),
            0,
            Format::parse("H").unwrap(),
            false,
        )
        .unwrap();
        let swapped =
            View::from_parts(vec![0u8; 8], Layout::new(&[4], &[2], 2).unwrap(), 0, Format::parse(">H").unwrap(), false)
                .unwrap();
        let record = View::from_parts(
            vec![0u8; 24],
            Layout::new(&[2], &[12], 12).unwrap(),
            0,
            Format::parse("<id").unwrap(),
            false,
        )
        .unwrap();
        ns.set_item("odd", Bound::new(py, odd).unwrap()).unwrap();
        ns.set_item("swapped", Bound::new(py, swapped).unwrap()).unwrap();
        ns.set_item("record", Bound::new(py, record).unwrap()).unwrap();
        for (name, needle) in [("odd", "multiple of the itemsize"), ("swapped", "byte-swapped"), ("record", "no type")]
        {
            let err = py
                .eval(&std::ffi::CString::new(format!("np.from_dlpack({name})")).unwrap(), Some(&ns), None)
                .unwrap_err();
            assert!(err.is_instance_of::<pyo3::exceptions::PyBufferError>(py), "{name}: {err}");
            assert!(err.to_string().contains(needle), "{name}: {err}");
        }
        // PIL-style memory.
        let x = eval(&ns, "tb.ndarray(list(range(12)), shape=[3, 4], format='i', flags=tb.ND_PIL)");
        ns.set_item("x", &x).unwrap();
        ns.set_item("pil", Bound::new(py, View::from_object(&x).unwrap()).unwrap()).unwrap();
        let err = py.eval(c"np.from_dlpack(pil)", Some(&ns), None).unwrap_err();
        assert!(err.to_string().contains("suboffsets"), "{err}");
        // ...whose copy DLPack can describe.
        assert_eq!(to_value(&eval(&ns, "np.from_dlpack(pil, copy=True).tolist()")), to_value(&eval(&ns, "x.tolist()")));
    });
}

#[test]
fn dlpack_tensors_become_views() {
    with_python(|py| {
        let ns = namespace(py);
        py.run(
            c"a = np.arange(24, dtype=np.int16).reshape(4, 6)[::-1, 1::2]\nro = np.arange(4.0)\nro.flags.writeable = False\n",
            Some(&ns),
            None,
        )
        .unwrap();
        let a = eval(&ns, "OnlyDlpack(a)");
        let guard = BufferGuard::from_dlpack(&a, false).unwrap();
        let want: Vec<i16> = eval(&ns, "a.flatten().tolist()").extract().unwrap();
        assert_eq!(guard.typed::<i16>().unwrap().to_vec(Order::C), want);
        assert_eq!(guard.view().strides(), eval(&ns, "a.strides").extract::<Vec<isize>>().unwrap());
        drop(guard);
        // Writable, and the writes land in the array.
        let mut guard = BufferGuard::from_dlpack(&a, true).unwrap();
        guard.typed_mut::<i16>().unwrap().set(&[0, 0], -7).unwrap();
        drop(guard);
        assert_eq!(eval(&ns, "a[0, 0]").extract::<i16>().unwrap(), -7);
        // Read-only tensors (versioned flag) and legacy ones are read-only.
        assert!(BufferGuard::from_dlpack(&eval(&ns, "OnlyDlpack(ro)"), true).is_err());
        assert!(BufferGuard::from_dlpack(&eval(&ns, "OnlyDlpack(ro)"), false).is_ok());
        let legacy = eval(&ns, "Legacy(np.arange(3.0))");
        assert!(BufferGuard::from_dlpack(&legacy, true).is_err());
        assert_eq!(
            BufferGuard::from_dlpack(&legacy, false).unwrap().typed::<f64>().unwrap().to_vec(Order::C),
            [0.0, 1.0, 2.0]
        );
        // Not in CPU memory.
        let err = BufferGuard::from_dlpack(&eval(&ns, "OnGpu(np.arange(3))"), false).unwrap_err();
        assert!(err.to_string().contains("device"), "{err}");
        // mview.view takes DLPack-only objects, and NumPy reads them back.
        let v = Bound::new(py, View::from_object(&a).unwrap()).unwrap();
        ns.set_item("v", &v).unwrap();
        assert!(eval(&ns, "(np.asarray(v) == a).all()").extract::<bool>().unwrap());
        assert_eq!(memoryview::python::live_borrows(), 0);
    });
}
