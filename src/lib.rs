//! Python's buffer protocol (PEP 3118) for Rust: typed and untyped views of
//! strided and indirect memory, struct-module formats, request flags, and
//! copies in C, Fortran or "any" order.
//!
//! A [`BufferView`] is the counterpart of a `Py_buffer`: a base pointer, a
//! [`Layout`] (shape, byte strides of any sign, optional PIL-style
//! suboffsets) and a [`Format`]. [`MemoryView<T>`] and [`MemoryViewMut<T>`]
//! type the items with an [`Element`]. Slicing (Python semantics, every
//! dimension), transposition, axis permutation and indexing are zero-copy;
//! copies go through one planner.
//!
//! # Viewing foreign memory
//!
//! ```
//! use memoryview::{Layout, MemoryView, Order, Slice};
//!
//! // A 3x4 C array of f32, as a C library would hand it over.
//! let data: Vec<f32> = (0..12).map(|i| i as f32).collect();
//! let a = MemoryView::from_shape(&data, &[3, 4]).unwrap();
//!
//! // Every other column, rows reversed: a[::-1, ::2]. No copy.
//! let s = a.slice(&[Slice::from(..).step(-1), Slice::from(..).step(2)]).unwrap();
//! assert_eq!(s.shape(), &[3, 2]);
//! assert_eq!(s.strides(), &[-16, 8]);
//!
//! // The transpose, copied out in Fortran order (= s in C order).
//! assert_eq!(s.t().to_vec(Order::F), s.to_vec(Order::C));
//! assert_eq!(s.to_vec(Order::C), [8.0, 10.0, 4.0, 6.0, 0.0, 2.0]);
//! ```
//!
//! Memory described by raw parts (a pointer from C, a `Py_buffer`, a
//! memory-mapped file) is viewed with the `unsafe` constructors
//! [`BufferView::from_raw_parts`] and [`BufferView::from_buffer_info`],
//! which accept negative strides, strides that are not multiples of the
//! itemsize, misaligned pointers and suboffsets in any dimension:
//!
//! ```
//! use memoryview::{BufferView, Format, Layout, Order};
//!
//! // A PIL-style image: rows reached through a table of pointers.
//! let rows = [[1u8, 2, 3], [4, 5, 6]];
//! let table = [rows[1].as_ptr(), rows[0].as_ptr()];
//! let layout = Layout::with_suboffsets(&[2, 3], &[8, 1], &[0, -1], 1).unwrap();
//! // SAFETY: the table and the rows outlive `image` and are not written.
//! let image = unsafe { BufferView::from_raw_parts(table.as_ptr().cast(), layout, Format::bytes()) }.unwrap();
//! assert_eq!(image.to_bytes(Order::C), [4, 5, 6, 1, 2, 3]);
//! assert_eq!(image.t().to_bytes(Order::C), [4, 1, 5, 2, 6, 3]);
//! ```
//!
//! # The protocol
//!
//! - [`BufferFlags`] has every `PyBUF_*` request with CPython's bits;
//!   [`Exporter`] / [`ExporterMut`] answer requests in CPython's decision
//!   order (for slices, arrays, `Vec` and the views), and [`fill_info`] is
//!   `PyBuffer_FillInfo`. [`BufferInfo`] is the C `Py_buffer` struct.
//! - [`Format`] parses the whole struct grammar plus the PEP 3118
//!   extensions NumPy and ctypes emit, and decodes items into [`Value`]s;
//!   [`size_from_format`] is `PyBuffer_SizeFromFormat`.
//! - [`Layout::is_contiguous`] is `PyBuffer_IsContiguous`,
//!   [`Layout::contiguous`] is `PyBuffer_FillContiguousStrides`,
//!   [`BufferView::item_ptr`] is `PyBuffer_GetPointer`,
//!   [`BufferView::to_bytes`] is `PyBuffer_ToContiguous`,
//!   [`BufferViewMut::copy_from_bytes`] is `PyBuffer_FromContiguous`, and
//!   [`BufferViewMut::assign`] is `PyObject_CopyData`.
//!
//! The crate agrees with CPython 3.11 on every vector in `tests/data`
//! (generated from `_testbuffer`), with two deliberate differences: it
//! follows `PyBuffer_IsContiguous` where memoryview's cached flags disagree
//! (empty 1-D views whose stride is not the itemsize), and it decodes every
//! struct format where `memoryview.tolist()` refuses multi-character ones.
//!
//! # Records and formats
//!
//! A typed view accepts a buffer whose format describes the same values in
//! the same places as its element's, however it is written
//! ([`Format::equivalent`]): NumPy's `T{I:id:xxxxd:x:d:y:}`, ctypes'
//! `T{<I:id:…}` (on a little-endian machine) and `I4x2d` are one layout.
//! The [`element!`] macro declares a `#[repr(C)]` struct with its format;
//! [`MemoryView::field`] views one field of every record without a copy;
//! [`BufferView::to_vec_as`] converts any numeric format while copying.
//!
//! ```
//! use bytemuck::{Pod, Zeroable};
//! use memoryview::{BufferView, Format, Layout, Order};
//!
//! memoryview::element! {
//!     #[repr(C)]
//!     #[derive(Clone, Copy, Pod, Zeroable)]
//!     struct Point {
//!         x: f64,
//!         y: f64,
//!     }
//! }
//!
//! let bytes: Vec<u8> = [1.0f64, 2.0, 3.0, 4.0].iter().flat_map(|v| v.to_ne_bytes()).collect();
//! let layout = Layout::contiguous(&[2], 16, Order::C)?;
//! // As NumPy exports an array of this struct:
//! let view = BufferView::new(&bytes, layout, 0, Format::parse("T{d:x:d:y:}")?)?;
//! let points = view.typed::<Point>()?;
//! let ys = points.field::<f64>(std::mem::offset_of!(Point, y))?;
//! assert_eq!(ys.to_vec(Order::C), [2.0, 4.0]);
//! # Ok::<(), memoryview::Error>(())
//! ```
//!
//! # Safety model
//!
//! `unsafe` code lives in six places: `raw` (a layout bound to memory,
//! with its invariants written on the type, and the walker that follows
//! suboffsets), `copy` (the copy kernels), `simd` (the in-register tile
//! transposes and streaming stores), `view::construct` (the constructors
//! from raw parts), `view::typed` and `view::to_ndarray` (typed reads
//! under the typed-view invariant, and ndarray views made from typed
//! views), and, with the `python` feature, the FFI files of `python`
//! (`held`, `guard`, `memory`, `protocol`, `transfer`, `dlpack`, and the
//! two buffer slots of `View`). Every other module is
//! `#![forbid(unsafe_code)]`.
//! All layout arithmetic is checked ([`Layout`]'s invariants); typed reads
//! are unaligned loads, so misaligned memory is fine; `bool` items are
//! validated before they are read; byte-swapped formats are refused for
//! typed access.
//!
//! # Features
//!
//! - `rayon` (default): large copies are split over rayon's thread pool.
//! - `simd` (default): in-register tile transposes with `wide` (SSE2 in
//!   the default x86-64 build), 512-bit forms of them and of the streaming
//!   copy chosen at run time on CPUs with AVX-512, and streaming stores for
//!   large outputs. Without it, and always under Miri, portable kernels
//!   with the same results run. [`set_simd_level`] (or the environment
//!   variable `MEMORYVIEW_SIMD`) caps the tier, to test and measure what
//!   CPUs without AVX-512 or AVX2 run.
//! - `python`: the Python bridge (module `python`): buffers of Python objects
//!   as views, Rust memory exported to Python, DLPack both ways, and the
//!   `mview` module's classes and functions, on PyO3.
//! - `half`: `half::f16` is an [`Element`] (format `e`). (`bf16` has no
//!   struct or PEP 3118 code, so it is not.)
//! - `num-complex`: `num_complex::Complex<f32>` and `Complex<f64>` are
//!   [`Element`]s (formats `Zf` and `Zd`).
//! - `ndarray`: zero-copy conversions between ndarray's views and the typed
//!   views, and a copy between ndarray views through the planner (see
//!   the `ndarray` module).
//!
//! # Ergonomics
//!
//! Indices and slice bounds take any integer type ([`IndexInt`],
//! [`ItemIndex`]); [`py_s!`] writes Python slices for every dimension;
//! typed views iterate over items ([`MemoryView::iter`],
//! [`MemoryViewMut::iter_mut`]), sub-views ([`MemoryView::axis_iter`]),
//! rows and lanes ([`MemoryView::rows`], [`MemoryView::lanes`]); and views
//! print their values as NumPy does (`Display`).

mod cast;
mod convert;
mod copy;
pub mod error;
mod export;
pub mod flags;
pub mod format;
pub mod index;
pub mod layout;
#[cfg(feature = "ndarray")]
pub mod ndarray;
#[cfg(feature = "python")]
pub mod python;
mod raw;
mod simd;
pub mod slice;
mod view;

pub use error::{Error, ErrorKind, Result};
pub use export::{Exported, Exporter, ExporterMut, fill_info, fill_info_mut};
pub use flags::BufferFlags;
pub use format::{ByteOrder, Element, Format, Value, size_from_format};
pub use index::{IndexInt, ItemIndex};
pub use layout::{Layout, Order};
pub use raw::info::BufferInfo;
pub use simd::level::{SimdLevel, detected_simd_level, set_simd_level, simd_level};
pub use slice::Slice;
pub use view::{
    AxisIter, BufferView, BufferViewMut, DisplayElement, FixedView, Iter, IterMut, Lanes, MemoryView, MemoryViewMut,
};

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
