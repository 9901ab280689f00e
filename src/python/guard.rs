//! [`BufferGuard`]: a Python object's memory, borrowed by Rust as the
//! crate's views for as long as the guard lives.

use super::borrows::{Borrow, Mode};
use super::dlpack;
use super::held::Held;
use crate::error::{Error, ErrorKind, Result};
use crate::flags::BufferFlags;
use crate::format::Element;
use crate::raw::RawBuffer;
use crate::view::{BufferView, BufferViewMut, MemoryView, MemoryViewMut};
use pyo3::prelude::*;
use std::fmt;

/// A buffer acquired from a Python object, released exactly once when the
/// guard is dropped.
///
/// [`get`](BufferGuard::get) calls `PyObject_GetBuffer` with any
/// [`BufferFlags`] request, checks what the exporter handed over, and
/// keeps it: [`view`](BufferGuard::view) and [`typed`](BufferGuard::typed)
/// read it as the crate's views (every layout: C, Fortran, negative, zero
/// and odd strides, 0-d, empty, suboffsets, byte-swapped and record
/// formats), and [`view_mut`](BufferGuard::view_mut) /
/// [`typed_mut`](BufferGuard::typed_mut) write it when the request asked
/// for `WRITABLE` and got it. The views borrow the guard, so they cannot
/// outlive it; the guard holds a `Bound<'py, _>`, so it lives and is
/// released while the thread is attached to the interpreter.
///
/// [`from_dlpack`](BufferGuard::from_dlpack) takes a DLPack tensor instead
/// (objects with `__dlpack__`, such as NumPy arrays, PyTorch and JAX
/// tensors on the CPU).
///
/// Rust borrows of the same memory are checked against each other (a
/// writable guard excludes every other guard of overlapping memory; see
/// [`ErrorKind::Borrowed`]). Python code is trusted, as unsafe Rust is, not
/// to write memory while a Rust borrow of it lives; see the
/// [module documentation](super) for the rules on the GIL and threads.
///
/// # Examples
///
/// ```
/// use memoryview::{ErrorKind, Order, python::BufferGuard};
/// use pyo3::prelude::*;
///
/// Python::initialize();
/// Python::attach(|py| -> PyResult<()> {
///     let locals = pyo3::types::PyDict::new(py);
///     py.run(c"import array; a = array.array('i', range(6))", None, Some(&locals))?;
///     let a = locals.get_item("a")?.unwrap();
///     // A 2x3 view of the array through memoryview, read as i32s.
///     let m = py.eval(c"memoryview(a).cast('B').cast('i', (2, 3))", None, Some(&locals))?;
///     let guard = BufferGuard::readable(&m)?;
///     let items = guard.typed::<i32>()?;
///     assert_eq!(items.shape(), &[2, 3]);
///     assert_eq!(items.t().to_vec(Order::C), [0, 3, 1, 4, 2, 5]);
///
///     // Rust may not write memory that Rust code is reading.
///     let err = BufferGuard::writable(&a).unwrap_err();
///     assert!(err.is_instance_of::<pyo3::exceptions::PyBufferError>(py));
///     drop(guard);
///     let mut guard = BufferGuard::writable(&a)?;
///     guard.typed_mut::<i32>()?.set(&[0], 42)?;
///     drop(guard);
///     assert_eq!(a.get_item(0)?.extract::<i32>()?, 42);
///     Ok(())
/// })
/// .unwrap();
/// ```
pub struct BufferGuard<'py> {
    // Dropped in this order: the Rust borrow ends, then the buffer is
    // released (`Held`'s drop), then the reference to the object.
    _borrow: Borrow,
    raw: RawBuffer,
    held: Held,
    obj: Bound<'py, PyAny>,
    writable: bool,
    flags: BufferFlags,
}

impl<'py> BufferGuard<'py> {
    /// `PyObject_GetBuffer(obj, flags)`.
    ///
    /// # Errors
    ///
    /// The exporter's exception for a refused request (`BufferError`, or
    /// `TypeError` for objects without the buffer protocol); `BufferError`
    /// if the exporter breaks its promises (a writable request answered
    /// read-only, suboffsets without `INDIRECT`, a contiguous request
    /// answered with other strides) or if Rust already borrows the memory
    /// in a conflicting way; `ValueError` for a malformed `Py_buffer`
    /// (negative extents, `len` not the size of the items, more than 64
    /// dimensions, itemsize 0).
    pub fn get(obj: &Bound<'py, PyAny>, flags: BufferFlags) -> PyResult<BufferGuard<'py>> {
        let (held, raw) = Held::acquire(obj, flags)?;
        let writable = flags.contains(BufferFlags::WRITABLE);
        BufferGuard::new(obj, held, raw, writable, flags)
    }

    /// A read-only guard of everything an exporter can describe
    /// (`PyBUF_FULL_RO`, memoryview's request).
    ///
    /// # Errors
    ///
    /// As [`get`](BufferGuard::get).
    pub fn readable(obj: &Bound<'py, PyAny>) -> PyResult<BufferGuard<'py>> {
        BufferGuard::get(obj, BufferFlags::FULL_RO)
    }

    /// A writable guard of everything an exporter can describe
    /// (`PyBUF_FULL`).
    ///
    /// # Errors
    ///
    /// As [`get`](BufferGuard::get); read-only objects refuse the request
    /// (`bytes`: `BufferError`).
    pub fn writable(obj: &Bound<'py, PyAny>) -> PyResult<BufferGuard<'py>> {
        BufferGuard::get(obj, BufferFlags::FULL)
    }

    /// The tensor of an object with `__dlpack__` (versioned capsules
    /// preferred, legacy ones accepted), held until the guard is dropped.
    /// Writable when the producer did not mark it read-only and
    /// `writable` is asked for.
    ///
    /// # Errors
    ///
    /// The producer's exception; `BufferError` for tensors that are not in
    /// CPU memory, have vector lanes or a type with no struct format
    /// (`bfloat16`, sub-byte floats), a read-only tensor asked for
    /// writing, or a conflicting Rust borrow.
    pub fn from_dlpack(obj: &Bound<'py, PyAny>, writable: bool) -> PyResult<BufferGuard<'py>> {
        let (held, raw) = dlpack::import(obj)?;
        if writable && held.readonly() {
            return Err(Error::new(ErrorKind::ReadOnly, "the DLPack tensor is read-only").into());
        }
        let flags = if writable { BufferFlags::FULL } else { BufferFlags::FULL_RO };
        BufferGuard::new(obj, held, raw, writable, flags)
    }

    fn new(
        obj: &Bound<'py, PyAny>,
        held: Held,
        raw: RawBuffer,
        writable: bool,
        flags: BufferFlags,
    ) -> PyResult<BufferGuard<'py>> {
        let mode = if writable { Mode::Exclusive } else { Mode::Shared };
        let borrow = Borrow::new(raw.address_span(), mode)?;
        Ok(BufferGuard { _borrow: borrow, raw, held, obj: obj.clone(), writable, flags })
    }

    /// The items, read-only.
    pub fn view(&self) -> BufferView<'_> {
        // SAFETY: `raw` describes `held`'s memory (checked when acquired),
        // which stays valid until `held` is dropped, after the borrow of
        // `self` ends; the registered borrow keeps other Rust writers away
        // meanwhile, and Python code is trusted not to write it (module
        // documentation).
        unsafe { BufferView::from_raw_buffer(self.raw.clone()) }
    }

    /// The items as `T`s.
    ///
    /// # Errors
    ///
    /// As [`BufferView::typed`]: the format must describe `T` in native
    /// byte order (a NumPy `>f8` array is refused for `f64` on
    /// little-endian machines: read it with `view().to_vec_native`).
    pub fn typed<T: Element>(&self) -> Result<MemoryView<'_, T>> {
        self.view().typed()
    }

    /// The items, writable.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::ReadOnly`] unless the guard was acquired with
    /// `WRITABLE` (which the exporter granted).
    pub fn view_mut(&mut self) -> Result<BufferViewMut<'_>> {
        if !self.writable {
            return Err(Error::new(
                ErrorKind::ReadOnly,
                "the buffer was not requested writable (ask for BufferFlags::WRITABLE)",
            ));
        }
        // SAFETY: as in `view`; the request was granted writable, and the
        // exclusive borrow registered at acquisition excludes every other
        // Rust borrow of these bytes; `&mut self` excludes this guard's
        // other views.
        Ok(unsafe { BufferViewMut::from_raw_buffer(self.raw.clone()) })
    }

    /// The items as writable `T`s.
    ///
    /// # Errors
    ///
    /// As [`view_mut`](BufferGuard::view_mut) and
    /// [`BufferViewMut::into_typed`].
    pub fn typed_mut<T: Element>(&mut self) -> Result<MemoryViewMut<'_, T>> {
        self.view_mut()?.into_typed()
    }

    /// The object the buffer was taken from.
    pub fn obj(&self) -> &Bound<'py, PyAny> {
        &self.obj
    }

    /// The request the guard was acquired with.
    pub fn flags(&self) -> BufferFlags {
        self.flags
    }

    /// Whether the exporter marked the memory read-only.
    pub fn readonly(&self) -> bool {
        self.held.readonly()
    }

    /// Whether nothing can write the memory while the guard lives: the
    /// exporter is a `bytes` object, or an [`View`](super::View) of
    /// read-only Rust memory. Only then may the guard's views be read with
    /// the GIL released (see the [module documentation](super)).
    pub fn is_immutable(&self) -> bool {
        self.held.is_immutable(self.obj.py())
    }
}

impl fmt::Debug for BufferGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BufferGuard")
            .field("view", &self.view())
            .field("writable", &self.writable)
            .field("flags", &self.flags)
            .finish_non_exhaustive()
    }
}
