//! The exporter side of the protocol: answering a buffer request.
//!
//! [`Exporter`] (and [`ExporterMut`] for writable buffers) hands out a
//! buffer for a [`BufferFlags`] request following CPython's decision order
//! (`memory_getbuf`, rule 18 of the reference):
//!
//! 1. `WRITABLE` of read-only memory is refused;
//! 2. without `FORMAT`, the format is left out (the consumer assumes `"B"`,
//!    the itemsize is kept);
//! 3. `C_CONTIGUOUS` / `F_CONTIGUOUS` / `ANY_CONTIGUOUS` are refused unless
//!    the layout is contiguous that way;
//! 4. without `INDIRECT`, a buffer with suboffsets is refused;
//! 5. without `STRIDES`, the buffer must be C-contiguous (strides left out);
//! 6. without `ND`, a format still present is refused ("cannot cast to
//!    unsigned bytes"); otherwise `ndim` is 1 and the shape is left out.
//!
//! [`fill_info`] is `PyBuffer_FillInfo`, for plain bytes: it never refuses
//! anything but a write request of read-only memory.
//!
//! The release of a buffer is the end of the borrow the [`Exported`]
//! holds.
#![forbid(unsafe_code)]

use crate::error::{Error, ErrorKind, Result};
use crate::flags::BufferFlags;
use crate::format::Element;
use crate::layout::{Layout, Order};
use crate::raw::RawBuffer;
use crate::raw::info::BufferInfo;
use crate::view::{BufferView, BufferViewMut, MemoryView, MemoryViewMut};
use bytemuck::Pod;
use core::ffi::c_int;

/// Which optional `Py_buffer` fields a request gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Granted {
    format: bool,
    shape: bool,
    strides: bool,
}

/// A buffer handed out for a request: the view plus which fields the
/// consumer receives. Dropping it releases the buffer.
///
/// Fields the request left out read as `None`; [`view`](Exported::view)
/// is the whole view, which describes the same items (a consumer without
/// shape or strides rebuilds them as C-contiguous, which the request
/// rules guarantee they are).
///
/// # Examples
///
/// ```
/// use memoryview::{BufferFlags, Exporter};
///
/// let data = [1i32, 2, 3];
/// let simple = data.get_buffer(BufferFlags::SIMPLE).unwrap();
/// assert_eq!((simple.ndim(), simple.format(), simple.shape()), (1, None, None));
/// assert_eq!((simple.itemsize(), simple.len()), (4, 12)); // the itemsize is kept
/// let full = data.get_buffer(BufferFlags::FULL_RO).unwrap();
/// assert_eq!((full.format(), full.shape(), full.strides()), (Some("i"), Some(&[3][..]), Some(&[4][..])));
/// assert!(data.get_buffer(BufferFlags::WRITABLE).is_err());
/// ```
#[derive(Debug)]
pub struct Exported<V> {
    view: V,
    granted: Granted,
}

/// Access to the raw buffer of either untyped view, for [`Exported`].
trait ExportedView {
    fn raw_buffer(&self) -> &RawBuffer;
    fn is_readonly(&self) -> bool;
}

impl ExportedView for BufferView<'_> {
    fn raw_buffer(&self) -> &RawBuffer {
        self.raw()
    }
    fn is_readonly(&self) -> bool {
        true
    }
}

impl ExportedView for BufferViewMut<'_> {
    fn raw_buffer(&self) -> &RawBuffer {
        self.raw()
    }
    fn is_readonly(&self) -> bool {
        false
    }
}

macro_rules! exported_accessors {
    ($view:ident) => {
        impl<'a> Exported<$view<'a>> {
            fn layout(&self) -> &Layout {
                self.view.raw_buffer().layout()
            }

            /// The whole view.
            pub fn view(&self) -> &$view<'a> {
                &self.view
            }

            /// The whole view, releasing the request.
            pub fn into_view(self) -> $view<'a> {
                self.view
            }

            /// `Py_buffer.buf`.
            pub fn buf(&self) -> *const u8 {
                self.view.raw_buffer().ptr().cast_const()
            }

            /// `Py_buffer.len`: `product(shape) * itemsize`.
            pub fn len(&self) -> usize {
                self.layout().nbytes()
            }

            /// Whether `len()` is 0.
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }

            /// `Py_buffer.itemsize` (kept even when the format is left out).
            pub fn itemsize(&self) -> usize {
                self.layout().itemsize()
            }

            /// `Py_buffer.readonly`.
            pub fn readonly(&self) -> bool {
                self.view.is_readonly()
            }

            /// `Py_buffer.ndim`: 1 when the shape was not requested.
            pub fn ndim(&self) -> usize {
                if self.granted.shape { self.layout().ndim() } else { 1 }
            }

            /// `Py_buffer.format`; `None` (meaning `"B"`) unless `FORMAT` was
            /// requested.
            pub fn format(&self) -> Option<&str> {
                self.granted.format.then(|| self.view.raw_buffer().format().as_str())
            }

            /// `Py_buffer.shape`; `None` unless `ND` was requested (and for
            /// 0-dimensional buffers).
            pub fn shape(&self) -> Option<&[usize]> {
                (self.granted.shape && self.layout().ndim() > 0).then(|| self.layout().shape())
            }

            /// `Py_buffer.strides`; `None` unless `STRIDES` was requested
            /// (and for 0-dimensional buffers).
            pub fn strides(&self) -> Option<&[isize]> {
                (self.granted.strides && self.layout().ndim() > 0).then(|| self.layout().strides())
            }

            /// `Py_buffer.suboffsets`: present only for indirect buffers
            /// (which need `INDIRECT`).
            pub fn suboffsets(&self) -> Option<&[isize]> {
                self.layout().suboffsets()
            }

            /// The request as a C `Py_buffer`.
            ///
            /// The shape, strides, suboffsets and format pointers point into
            /// `self`: they stay valid while `self` is neither moved nor
            /// dropped (box it, for example, and keep the box in
            /// `internal`). `shape` entries are `usize` values, which fit
            /// `Py_ssize_t` by the layout invariants. `obj` and `internal`
            /// are null.
            pub fn to_buffer_info(&self) -> BufferInfo {
                buffer_info(self.view.raw_buffer(), self.view.is_readonly(), self.granted)
            }
        }
    };
}

exported_accessors!(BufferView);
exported_accessors!(BufferViewMut);

/// The `Py_buffer` describing `raw` for a request granted `granted`
/// (pointers into `raw`'s layout and format; `obj` and `internal` null).
fn buffer_info(raw: &RawBuffer, readonly: bool, granted: Granted) -> BufferInfo {
    let layout = raw.layout();
    let described = layout.ndim() > 0;
    let array = |values: &[isize]| values.as_ptr().cast_mut();
    BufferInfo {
        buf: raw.ptr().cast(),
        obj: std::ptr::null_mut(),
        len: isize::try_from(layout.nbytes()).unwrap_or(isize::MAX),
        itemsize: isize::try_from(layout.itemsize()).unwrap_or(isize::MAX),
        readonly: c_int::from(readonly),
        ndim: if granted.shape { c_int::try_from(layout.ndim()).unwrap_or(c_int::MAX) } else { 1 },
        format: if granted.format { raw.format().as_c_ptr().cast_mut() } else { std::ptr::null_mut() },
        shape: if granted.shape && described {
            layout.shape().as_ptr().cast::<isize>().cast_mut()
        } else {
            std::ptr::null_mut()
        },
        strides: if granted.strides && described { array(layout.strides()) } else { std::ptr::null_mut() },
        suboffsets: layout.suboffsets().map_or(std::ptr::null_mut(), array),
        internal: std::ptr::null_mut(),
    }
}

/// A granted request over memory that someone else keeps alive: what the
/// Python exporter stores in `Py_buffer.internal` until the release, so
/// that the shape, strides, suboffsets and format it handed out stay put.
/// Built by the same decision as [`Exporter::get_buffer`].
#[cfg(feature = "python")]
#[derive(Debug)]
pub(crate) struct ExportRecord {
    raw: RawBuffer,
    readonly: bool,
    granted: Granted,
}

#[cfg(feature = "python")]
impl ExportRecord {
    /// CPython's decision for `flags` on `raw`.
    pub(crate) fn new(raw: RawBuffer, readonly: bool, flags: BufferFlags) -> Result<ExportRecord> {
        let granted = decide(raw.layout(), readonly, flags)?;
        Ok(ExportRecord { raw, readonly, granted })
    }

    /// The `Py_buffer` to hand out; its pointers point into `self`.
    pub(crate) fn to_buffer_info(&self) -> BufferInfo {
        buffer_info(&self.raw, self.readonly, self.granted)
    }
}

/// Applies CPython's decision order to a request for `layout`.
fn decide(layout: &Layout, readonly: bool, flags: BufferFlags) -> Result<Granted> {
    let refuse = |kind, message: &'static str| Err(Error::new(kind, message));
    if flags.contains(BufferFlags::WRITABLE) && readonly {
        return refuse(ErrorKind::ReadOnly, "memoryview: underlying buffer is not writable");
    }
    let format = flags.contains(BufferFlags::FORMAT);
    let contiguity = [
        (BufferFlags::C_CONTIGUOUS, Order::C, "memoryview: underlying buffer is not C-contiguous"),
        (BufferFlags::F_CONTIGUOUS, Order::F, "memoryview: underlying buffer is not Fortran contiguous"),
        (BufferFlags::ANY_CONTIGUOUS, Order::A, "memoryview: underlying buffer is not contiguous"),
    ];
    for (flag, order, message) in contiguity {
        if flags.contains(flag) && !layout.is_contiguous(order) {
            return refuse(ErrorKind::NotContiguous, message);
        }
    }
    if !flags.contains(BufferFlags::INDIRECT) && layout.is_indirect() {
        return refuse(ErrorKind::Indirect, "memoryview: underlying buffer requires suboffsets");
    }
    layout.require_py_buffer_compatible()?;
    let strides = flags.contains(BufferFlags::STRIDES);
    if !strides && !layout.is_contiguous(Order::C) {
        return refuse(ErrorKind::NotContiguous, "memoryview: underlying buffer is not C-contiguous");
    }
    let shape = flags.contains(BufferFlags::ND);
    if !shape && format {
        return refuse(
            ErrorKind::FlagsUnsatisfied,
            "memoryview: cannot cast to unsigned bytes if the format flag is present",
        );
    }
    Ok(Granted { format, shape, strides })
}

/// A type that hands out read-only buffers of its memory.
///
/// Implemented for slices, arrays, `Vec` and the crate's views.
///
/// # Examples
///
/// ```
/// use memoryview::{BufferFlags, ErrorKind, Exporter, MemoryView};
///
/// let data = [1u8, 2, 3, 4, 5, 6];
/// let columns = MemoryView::from_shape(&data, &[2, 3]).unwrap().t();
/// let err = columns.get_buffer(BufferFlags::C_CONTIGUOUS).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::NotContiguous);
/// assert!(columns.get_buffer(BufferFlags::F_CONTIGUOUS).is_ok());
/// ```
pub trait Exporter {
    /// The whole buffer (what `PyBUF_FULL_RO` gets).
    fn buffer(&self) -> BufferView<'_>;

    /// The buffer for a request, or CPython's refusal. `WRITABLE` is
    /// always refused here; ask [`ExporterMut::get_buffer_mut`].
    ///
    /// # Errors
    ///
    /// [`ErrorKind::ReadOnly`], [`ErrorKind::NotContiguous`],
    /// [`ErrorKind::Indirect`], [`ErrorKind::FlagsUnsatisfied`], or
    /// [`ErrorKind::Unsupported`] for indirect views no `Py_buffer` can
    /// describe.
    fn get_buffer(&self, flags: BufferFlags) -> Result<Exported<BufferView<'_>>> {
        let view = self.buffer();
        let granted = decide(view.layout(), true, flags)?;
        Ok(Exported { view, granted })
    }
}

/// A type that hands out writable buffers of its memory.
pub trait ExporterMut: Exporter {
    /// The whole buffer, writable.
    fn buffer_mut(&mut self) -> BufferViewMut<'_>;

    /// The writable buffer for a request, or CPython's refusal (as
    /// [`Exporter::get_buffer`], but `WRITABLE` is granted).
    ///
    /// # Errors
    ///
    /// As [`Exporter::get_buffer`], except [`ErrorKind::ReadOnly`].
    fn get_buffer_mut(&mut self, flags: BufferFlags) -> Result<Exported<BufferViewMut<'_>>> {
        let view = self.buffer_mut();
        let granted = decide(view.layout(), false, flags)?;
        Ok(Exported { view, granted })
    }
}

/// `PyBuffer_FillInfo` for read-only bytes: a 1-D `"B"` buffer whose
/// optional fields follow the request, refusing only `WRITABLE`.
///
/// # Errors
///
/// [`ErrorKind::ReadOnly`] if `WRITABLE` is requested.
///
/// # Examples
///
/// ```
/// use memoryview::{BufferFlags, fill_info};
///
/// let e = fill_info(b"abc", BufferFlags::FORMAT).unwrap(); // memoryview would refuse this
/// assert_eq!((e.format(), e.shape(), e.ndim()), (Some("B"), None, 1));
/// ```
pub fn fill_info(bytes: &[u8], flags: BufferFlags) -> Result<Exported<BufferView<'_>>> {
    if flags.contains(BufferFlags::WRITABLE) {
        return Err(Error::new(ErrorKind::ReadOnly, "Object is not writable."));
    }
    Ok(Exported { view: BufferView::from_slice(bytes), granted: fill_granted(flags) })
}

/// `PyBuffer_FillInfo` for writable bytes (never refuses).
pub fn fill_info_mut(bytes: &mut [u8], flags: BufferFlags) -> Exported<BufferViewMut<'_>> {
    Exported { view: BufferViewMut::from_slice(bytes), granted: fill_granted(flags) }
}

fn fill_granted(flags: BufferFlags) -> Granted {
    Granted {
        format: flags.contains(BufferFlags::FORMAT),
        shape: flags.contains(BufferFlags::ND),
        strides: flags.contains(BufferFlags::STRIDES),
    }
}

impl<T: Element> Exporter for [T] {
    fn buffer(&self) -> BufferView<'_> {
        BufferView::from_slice(self)
    }
}

impl<T: Element + Pod> ExporterMut for [T] {
    fn buffer_mut(&mut self) -> BufferViewMut<'_> {
        BufferViewMut::from_slice(self)
    }
}

impl<T: Element, const N: usize> Exporter for [T; N] {
    fn buffer(&self) -> BufferView<'_> {
        BufferView::from_slice(self)
    }
}

impl<T: Element + Pod, const N: usize> ExporterMut for [T; N] {
    fn buffer_mut(&mut self) -> BufferViewMut<'_> {
        BufferViewMut::from_slice(self)
    }
}

impl<T: Element> Exporter for Vec<T> {
    fn buffer(&self) -> BufferView<'_> {
        BufferView::from_slice(self)
    }
}

impl<T: Element + Pod> ExporterMut for Vec<T> {
    fn buffer_mut(&mut self) -> BufferViewMut<'_> {
        BufferViewMut::from_slice(self)
    }
}

impl Exporter for BufferView<'_> {
    fn buffer(&self) -> BufferView<'_> {
        self.clone()
    }
}

impl Exporter for BufferViewMut<'_> {
    fn buffer(&self) -> BufferView<'_> {
        self.view()
    }
}

impl ExporterMut for BufferViewMut<'_> {
    fn buffer_mut(&mut self) -> BufferViewMut<'_> {
        self.reborrow()
    }
}

impl<T: Element> Exporter for MemoryView<'_, T> {
    fn buffer(&self) -> BufferView<'_> {
        self.as_buffer().clone()
    }
}

impl<T: Element> Exporter for MemoryViewMut<'_, T> {
    fn buffer(&self) -> BufferView<'_> {
        self.view().as_buffer().clone()
    }
}

impl<T: Element + Pod> ExporterMut for MemoryViewMut<'_, T> {
    fn buffer_mut(&mut self) -> BufferViewMut<'_> {
        self.reborrow().into_buffer()
    }
}
