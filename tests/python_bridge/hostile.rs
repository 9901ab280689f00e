//! Bad input from Python: objects without the buffer protocol, refused
//! requests, and exporters that lie. Every one is an exception or an
//! `Err`, never a crash, and every buffer an exporter handed out is
//! released exactly once.

use super::{run, with_python};
use memoryview::python::{BufferGuard, View};
use memoryview::{BufferFlags, ErrorKind};
use pyo3::ffi;
use pyo3::prelude::*;
use std::ffi::{c_int, c_void};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The lies an exporter can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lie {
    /// `len` is not `product(shape) * itemsize`.
    Length,
    /// 65 dimensions.
    TooManyDimensions,
    /// A negative extent.
    NegativeExtent,
    /// Suboffsets for a request without `PyBUF_INDIRECT`.
    UnaskedSuboffsets,
    /// Read-only memory for a writable request.
    ReadOnlyWhenWritable,
    /// Non-C strides for a C-contiguous request.
    NotContiguous,
    /// Itemsize 0.
    ZeroItemsize,
    /// A null `buf`.
    NullBuffer,
    /// A format that does not parse.
    BadFormat,
    /// A format nested far too deep.
    DeepFormat,
    /// A `'d'` format with an itemsize of 4.
    ShortItems,
}

/// An exporter that fills `Py_buffer` with whatever `lie` says, and counts
/// its requests and releases.
#[pyclass(frozen)]
struct Liar {
    lie: LieCell,
    data: Vec<u8>,
    shape: Vec<isize>,
    strides: Vec<isize>,
    suboffsets: Vec<isize>,
    format: std::ffi::CString,
    gets: AtomicUsize,
    releases: AtomicUsize,
}

struct LieCell(std::sync::Mutex<Lie>);

impl Liar {
    fn new(lie: Lie) -> Liar {
        let deep = format!("{}d{}", "T{".repeat(100_000), "}".repeat(100_000));
        Liar {
            lie: LieCell(std::sync::Mutex::new(lie)),
            data: vec![1; 4096],
            shape: vec![4; 70],
            strides: vec![8; 70],
            suboffsets: vec![-1; 70],
            format: std::ffi::CString::new(match lie {
                Lie::BadFormat => "T{i".to_owned(),
                Lie::DeepFormat => deep,
                Lie::ShortItems => "d".to_owned(),
                _ => "B".to_owned(),
            })
            .unwrap(),
            gets: AtomicUsize::new(0),
            releases: AtomicUsize::new(0),
        }
    }
}

#[pymethods]
impl Liar {
    unsafe fn __getbuffer__(slf: Bound<'_, Self>, view: *mut ffi::Py_buffer, flags: c_int) -> PyResult<()> {
        let this = slf.get();
        let lie = *this.lie.0.lock().unwrap();
        this.gets.fetch_add(1, Ordering::SeqCst);
        let b = unsafe { &mut *view };
        b.buf = this.data.as_ptr().cast_mut().cast::<c_void>();
        b.itemsize = 1;
        b.len = 4;
        b.readonly = c_int::from(flags & 1 == 0);
        b.ndim = 1;
        b.format = this.format.as_ptr().cast_mut();
        b.shape = this.shape.as_ptr().cast_mut();
        b.strides = std::ptr::null_mut();
        b.suboffsets = std::ptr::null_mut();
        b.internal = std::ptr::null_mut();
        match lie {
            Lie::Length => b.len = 8,
            Lie::TooManyDimensions => {
                b.ndim = 65;
                b.len = 0;
            }
            Lie::NegativeExtent => b.shape = [-1isize].as_ptr().cast_mut(),
            Lie::UnaskedSuboffsets => {
                b.strides = this.strides.as_ptr().cast_mut();
                b.suboffsets = this.suboffsets.as_ptr().cast_mut();
                b.itemsize = 8;
                b.len = 32;
            }
            Lie::ReadOnlyWhenWritable => b.readonly = 1,
            Lie::NotContiguous => {
                b.strides = this.strides.as_ptr().cast_mut();
            }
            Lie::ZeroItemsize => b.itemsize = 0,
            Lie::NullBuffer => b.buf = std::ptr::null_mut(),
            Lie::BadFormat | Lie::DeepFormat => {}
            Lie::ShortItems => {
                b.itemsize = 4;
                b.len = 16;
            }
        }
        b.obj = slf.into_any().into_ptr();
        Ok(())
    }

    unsafe fn __releasebuffer__(&self, _view: *mut ffi::Py_buffer) {
        self.releases.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn lying_exporters_are_refused_and_released() {
    with_python(|py| {
        use Lie::*;
        let refusals = [
            (Length, BufferFlags::FULL_RO, "len"),
            (TooManyDimensions, BufferFlags::FULL_RO, "64"),
            (NegativeExtent, BufferFlags::FULL_RO, "negative"),
            (UnaskedSuboffsets, BufferFlags::STRIDED_RO, "INDIRECT"),
            (ReadOnlyWhenWritable, BufferFlags::FULL, "read-only"),
            (NotContiguous, BufferFlags::C_CONTIGUOUS, "C-contiguous"),
            (ZeroItemsize, BufferFlags::FULL_RO, "itemsize"),
            (NullBuffer, BufferFlags::FULL_RO, "NULL"),
        ];
        for (lie, flags, needle) in refusals {
            let liar = Bound::new(py, Liar::new(lie)).unwrap();
            let err = BufferGuard::get(liar.as_any(), flags).unwrap_err();
            assert!(err.to_string().contains(needle), "{lie:?}: {err}");
            let view = View::from_object(liar.as_any());
            if flags == BufferFlags::FULL_RO {
                assert!(view.is_err(), "{lie:?}");
            }
            drop(view);
            let this = liar.get();
            assert_eq!(
                this.gets.load(Ordering::SeqCst),
                this.releases.load(Ordering::SeqCst),
                "{lie:?}: every request released"
            );
            assert!(this.gets.load(Ordering::SeqCst) > 0);
        }
        // Formats that cannot be read make views whose item reads fail.
        for lie in [BadFormat, DeepFormat] {
            let liar = Bound::new(py, Liar::new(lie)).unwrap();
            let guard = BufferGuard::readable(liar.as_any()).unwrap();
            assert_eq!(guard.view().format().error().unwrap().kind(), ErrorKind::InvalidFormat, "{lie:?}");
            assert_eq!(guard.view().to_list().unwrap_err().kind(), ErrorKind::InvalidFormat);
            assert!(guard.typed::<u8>().is_err());
            // Bytes need no format.
            assert_eq!(guard.view().to_bytes(memoryview::Order::C), [1, 1, 1, 1]);
            drop(guard);
            assert_eq!(liar.get().releases.load(Ordering::SeqCst), 1);
        }
        let liar = Bound::new(py, Liar::new(ShortItems)).unwrap();
        let guard = BufferGuard::readable(liar.as_any()).unwrap();
        assert_eq!(guard.typed::<f64>().unwrap_err().kind(), ErrorKind::IncompatibleFormat);
        assert_eq!(guard.view().get(&[0]).unwrap_err().kind(), ErrorKind::LengthMismatch);
        drop(guard);
        assert_eq!(memoryview::python::live_borrows(), 0);
    });
}

#[test]
fn objects_without_buffers_and_refused_requests() {
    with_python(|py| {
        let ns = run(py, "import numpy as np\nn = 5\nb = b'abc'\nf = np.asfortranarray(np.zeros((2, 3)))\n");
        let get = |name: &str| ns.get_item(name).unwrap().unwrap();
        let err = BufferGuard::readable(&get("n")).unwrap_err();
        assert!(err.is_instance_of::<pyo3::exceptions::PyTypeError>(py), "{err}");
        let err = View::from_object(&get("n")).unwrap_err();
        assert!(err.is_instance_of::<pyo3::exceptions::PyTypeError>(py), "{err}");
        assert!(BufferGuard::writable(&get("b")).is_err());
        // NumPy refuses a C-contiguous request of a Fortran array (with
        // ValueError, not BufferError: NumPy's choice).
        assert!(BufferGuard::get(&get("f"), BufferFlags::C_CONTIGUOUS).is_err());
        assert!(BufferGuard::get(&get("f"), BufferFlags::F_CONTIGUOUS).is_ok());
        // A typed view whose format does not match.
        let guard = BufferGuard::readable(&get("f")).unwrap();
        assert_eq!(guard.typed::<f32>().unwrap_err().kind(), ErrorKind::IncompatibleFormat);
        assert_eq!(guard.typed::<i64>().unwrap_err().kind(), ErrorKind::IncompatibleFormat);
        assert!(guard.typed::<f64>().is_ok());
    });
}
