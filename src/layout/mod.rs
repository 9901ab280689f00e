//! `Layout`: where the items of a buffer are, as PEP 3118 describes it.
//!
//! A layout is a value, with no pointer: itemsize, shape, byte strides and
//! optional suboffsets. Together with a base pointer it gives every item's
//! address. The submodules hold the rest of the arithmetic:
//! `order` (contiguity, contiguous strides), `check` (the one validator),
//! and `ops` (slicing, indexing and axis permutation, all metadata-only).
//!
//! # Addressing
//!
//! For an index tuple `i`, start at the base pointer `p`; for each dimension
//! `d` in *application order* add `strides[d] * i[d]`, and if `d` is
//! dereferenced load a pointer from `p` and add the suboffset `d` carries.
//! The application order is `0, 1, …, ndim-1` (PEP 3118's order) unless an
//! indirect layout was transposed: moving a dimension across a dereference
//! would change which pointer table it indexes, so the layout remembers the
//! original order instead (see `BufferView::permute_axes`).
#![forbid(unsafe_code)]
#![deny(clippy::arithmetic_side_effects, clippy::as_conversions)]

pub(crate) mod check;
pub(crate) mod dims;
pub(crate) mod ops;
pub(crate) mod order;

use crate::error::{Error, ErrorKind, Result};
use dims::DimVec;
pub use dims::INLINE_DIMS;
pub use order::Order;
use std::fmt;

/// The most dimensions a layout can have (`PyBUF_MAX_NDIM`).
pub const MAX_NDIM: usize = 64;

/// The shape, byte strides, optional suboffsets and itemsize of a buffer.
///
/// # Invariants
///
/// Every `Layout` value satisfies these; constructors check them and every
/// transform preserves them (transforms only ever select a subset of the
/// items or reorder dimensions):
///
/// 1. `ndim <= 64`; shape, strides and (if present) suboffsets have `ndim`
///    entries; `1 <= itemsize <= isize::MAX`; every extent is at most
///    `isize::MAX`.
/// 2. `product(shape) * itemsize <= isize::MAX`.
/// 3. If no extent is zero, `itemsize + Σ |strides[d]| * (shape[d] - 1)`
///    is at most `isize::MAX`: every item's offset from the base (between
///    dereferences) is an `isize` computed without overflow.
/// 4. If the layout is indirect, the application order is a permutation of
///    `0..ndim`.
///
/// Layouts of up to [`INLINE_DIMS`] dimensions live inline, without a heap
/// allocation.
///
/// # Examples
///
/// ```
/// use memoryview::{Layout, Order};
///
/// let c = Layout::contiguous(&[2, 3], 8, Order::C).unwrap();
/// assert_eq!(c.strides(), &[24, 8]);
/// let f = Layout::contiguous(&[2, 3], 8, Order::F).unwrap();
/// assert_eq!(f.strides(), &[8, 16]);
/// assert!(f.is_contiguous(Order::F) && !f.is_contiguous(Order::C));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Layout {
    itemsize: usize,
    shape: DimVec<usize>,
    strides: DimVec<isize>,
    /// `None`: the buffer has no suboffsets (a direct buffer). Boxed:
    /// direct layouts are the common case, and views are moved by value
    /// in inner loops, so the rare part should not make every layout big.
    indirect: Option<Box<Indirection>>,
}

/// The indirect part of a layout (PEP 3118 suboffsets).
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct Indirection {
    /// Per dimension: the displacement added after the dereference where
    /// `deref` is set; the exporter's (negative) value elsewhere.
    pub(crate) suboffsets: DimVec<isize>,
    /// Per dimension: whether stepping it is followed by a pointer load.
    /// Kept apart from `suboffsets` so that slicing can move a displacement
    /// below zero without switching the dereference off (CPython's edge
    /// case 20).
    pub(crate) deref: DimVec<bool>,
    /// `order[k]` is the dimension applied k-th when computing an address.
    pub(crate) order: DimVec<u8>,
}

impl Layout {
    /// A direct layout. Strides are in bytes and may be negative, zero, or
    /// not multiples of `itemsize`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::TooManyDimensions`] above 64 dimensions;
    /// [`ErrorKind::InvalidLayout`] if the lengths of `shape` and `strides`
    /// differ or `itemsize` is 0; [`ErrorKind::Overflow`] if a size or an
    /// offset does not fit in `isize` (invariants 1–3).
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::Layout;
    ///
    /// // A 2x3 array of f64 read backwards along its rows.
    /// let l = Layout::new(&[2, 3], &[24, -8], 8).unwrap();
    /// assert_eq!(l.len(), 6);
    /// assert!(Layout::new(&[2, 3], &[24], 8).is_err());
    /// ```
    pub fn new(shape: &[usize], strides: &[isize], itemsize: usize) -> Result<Layout> {
        check::validate_parts(shape, strides, None, itemsize)?;
        Ok(Layout { itemsize, shape: DimVec::from_slice(shape), strides: DimVec::from_slice(strides), indirect: None })
    }

    /// [`Layout::new`] for extents and strides already gathered (a
    /// `Py_buffer`'s, read once): the same checks, without a second copy.
    pub(crate) fn from_dims(shape: DimVec<usize>, strides: DimVec<isize>, itemsize: usize) -> Result<Layout> {
        check::validate_parts(&shape, &strides, None, itemsize)?;
        Ok(Layout { itemsize, shape, strides, indirect: None })
    }

    /// A layout with PEP 3118 suboffsets: dimension `d` is dereferenced when
    /// `suboffsets[d] >= 0`. A suboffsets array whose entries are all
    /// negative still makes the layout indirect (it is never contiguous), as
    /// in CPython.
    ///
    /// # Errors
    ///
    /// As [`Layout::new`], and [`ErrorKind::InvalidLayout`] if `suboffsets`
    /// has another length.
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::{Layout, Order};
    ///
    /// // A PIL-style image: 4 rows reached through a pointer table.
    /// let l = Layout::with_suboffsets(&[4, 640], &[8, 1], &[0, -1], 1).unwrap();
    /// assert!(l.is_indirect() && !l.is_contiguous(Order::C));
    /// ```
    pub fn with_suboffsets(
        shape: &[usize],
        strides: &[isize],
        suboffsets: &[isize],
        itemsize: usize,
    ) -> Result<Layout> {
        check::validate_parts(shape, strides, Some(suboffsets), itemsize)?;
        let deref: Vec<bool> = suboffsets.iter().map(|&s| s >= 0).collect();
        let order = identity_order(shape.len());
        Ok(Layout {
            itemsize,
            shape: DimVec::from_slice(shape),
            strides: DimVec::from_slice(strides),
            indirect: Some(Box::new(Indirection {
                suboffsets: DimVec::from_slice(suboffsets),
                deref: DimVec::from_slice(&deref),
                order,
            })),
        })
    }

    /// A contiguous layout of `shape` in `order`, the twin of
    /// `PyBuffer_FillContiguousStrides`: [`Order::F`] gives Fortran strides,
    /// [`Order::C`] and [`Order::A`] give C strides.
    ///
    /// # Errors
    ///
    /// As [`Layout::new`].
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::{Layout, Order};
    ///
    /// assert_eq!(Layout::contiguous(&[2, 3, 4], 4, Order::C).unwrap().strides(), &[48, 16, 4]);
    /// assert_eq!(Layout::contiguous(&[2, 3, 4], 4, Order::F).unwrap().strides(), &[4, 8, 24]);
    /// ```
    #[inline]
    pub fn contiguous(shape: &[usize], itemsize: usize, order: Order) -> Result<Layout> {
        if shape.len() > MAX_NDIM || itemsize == 0 {
            return Layout::refused(shape, itemsize);
        }
        // `contiguous_strides` checks that itemsize × Π max(extent, 1) fits
        // in isize, which bounds every extent, the item count, the byte
        // size and the span: invariants 1–3 hold without a second pass.
        let strides = order::contiguous_strides(shape, itemsize, order)?;
        Ok(Layout { itemsize, shape: DimVec::from_slice(shape), strides, indirect: None })
    }

    /// The error [`Layout::new`] words for a shape or itemsize that no
    /// strides could make valid; out of line, so that `contiguous` inlines.
    #[cold]
    fn refused(shape: &[usize], itemsize: usize) -> Result<Layout> {
        Layout::new(shape, &vec![0; shape.len()], itemsize)
    }

    /// A zero-dimensional layout: one item.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidLayout`] if `itemsize` is 0 or above `isize::MAX`.
    pub fn scalar(itemsize: usize) -> Result<Layout> {
        Layout::new(&[], &[], itemsize)
    }

    /// The size of one item in bytes.
    #[inline]
    pub fn itemsize(&self) -> usize {
        self.itemsize
    }

    /// The number of dimensions.
    #[inline]
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    /// The extent of each dimension.
    #[inline]
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// Whether `self` and `other` have the same shape and itemsize. Every
    /// copy asks this; compared extent by extent, short shapes cost a few
    /// instructions, where slice equality called `memcmp`.
    #[inline]
    pub(crate) fn same_structure(&self, other: &Layout) -> bool {
        let (a, b) = (self.shape(), other.shape());
        self.itemsize == other.itemsize && a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
    }

    /// The byte stride of each dimension.
    #[inline]
    pub fn strides(&self) -> &[isize] {
        &self.strides
    }

    /// The suboffsets, if the layout has them.
    ///
    /// Entry `d` is the displacement added after dimension `d`'s pointer load
    /// where [`is_dereferenced(d)`](Layout::is_dereferenced) holds, and the
    /// exporter's negative value elsewhere. After a slice the displacement of
    /// a dereferenced dimension can be negative (CPython would then lose the
    /// dereference); use `is_dereferenced` rather than the sign.
    pub fn suboffsets(&self) -> Option<&[isize]> {
        self.indirect.as_ref().map(|ind| &*ind.suboffsets)
    }

    /// Whether the layout has suboffsets (even all negative ones).
    #[inline]
    pub fn is_indirect(&self) -> bool {
        self.indirect.is_some()
    }

    /// Whether stepping dimension `dim` is followed by a pointer load.
    /// `false` for dimensions that do not exist.
    pub fn is_dereferenced(&self, dim: usize) -> bool {
        self.indirect.as_ref().is_some_and(|ind| ind.deref.get(dim).copied().unwrap_or(false))
    }

    /// The number of items, `product(shape)` (1 for a 0-dimensional layout).
    #[inline]
    pub fn len(&self) -> usize {
        // Invariant 2 bounds the product, so it cannot overflow.
        self.shape.iter().fold(1_usize, |acc, &n| acc.saturating_mul(n))
    }

    /// Whether the layout holds no items (some extent is 0).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.shape.contains(&0)
    }

    /// The logical size in bytes, `len() * itemsize()` (Py_buffer's `len`).
    #[inline]
    pub fn nbytes(&self) -> usize {
        // Invariant 2.
        self.len().saturating_mul(self.itemsize)
    }

    /// `PyBuffer_IsContiguous`: whether the items are packed without gaps in
    /// `order` ([`Order::A`] means C or Fortran). Indirect layouts never are;
    /// empty layouts always are (unless indirect); dimensions of extent 1
    /// may have any stride.
    pub fn is_contiguous(&self, order: Order) -> bool {
        order::is_contiguous(self, order)
    }

    /// The order a copy in `order` produces: [`Order::A`] becomes the order
    /// the items are stored in if the layout is C- or F-contiguous, and C
    /// otherwise (CPython's `tobytes('A')` rule). C and F are returned as
    /// given.
    pub fn resolve_order(&self, order: Order) -> Order {
        if self.is_indirect() {
            // Never contiguous: A means C.
            return if order == Order::F { Order::F } else { Order::C };
        }
        order::resolve_order(self.shape(), self.strides(), self.itemsize, order)
    }

    /// The lowest and one-past-highest byte offsets, relative to the base
    /// pointer, that the items of a direct layout occupy; `None` if the
    /// layout is empty or indirect.
    pub fn byte_range(&self) -> Option<(isize, isize)> {
        check::byte_range(self)
    }

    /// Checks that every byte of every item lies inside an allocation of
    /// `alloc_len` bytes when the base pointer is `offset` bytes into it.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::OutOfBounds`] if an item reaches outside;
    /// [`ErrorKind::Indirect`] for indirect layouts, whose reach depends on
    /// the pointers they load.
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::Layout;
    ///
    /// let backwards = Layout::new(&[4], &[-2], 2).unwrap();
    /// assert!(backwards.check_bounds(6, 8).is_ok());
    /// assert!(backwards.check_bounds(4, 8).is_err()); // item 3 would start at -2
    /// ```
    pub fn check_bounds(&self, offset: usize, alloc_len: usize) -> Result<()> {
        check::check_bounds(self, offset, alloc_len)
    }

    /// Whether some of the layout's items overlap another item's bytes;
    /// mutable views refuse such layouts. The test is exact for layouts
    /// whose dimensions nest (each stride at least the span of the smaller
    /// ones) and conservative otherwise. Indirect layouts are judged on
    /// their strides only.
    pub fn has_aliased_items(&self) -> bool {
        check::check_unaliased(self).is_err()
    }

    pub(crate) fn indirection(&self) -> Option<&Indirection> {
        self.indirect.as_deref()
    }

    /// Whether the layout can be written as a Py_buffer without changing
    /// its meaning: its dimensions are applied in order, and every
    /// dereferenced dimension has a non-negative displacement (or the
    /// layout is empty, when nothing is read).
    pub fn is_py_buffer_compatible(&self) -> bool {
        let Some(ind) = &self.indirect else { return true };
        let in_order = ind.order.iter().enumerate().all(|(k, &d)| usize::from(d) == k);
        let displacements_ok =
            self.is_empty() || ind.deref.iter().zip(ind.suboffsets.iter()).all(|(&deref, &sub)| !deref || sub >= 0);
        in_order && displacements_ok
    }

    /// Fails with [`ErrorKind::Unsupported`] unless
    /// [`is_py_buffer_compatible`](Layout::is_py_buffer_compatible).
    pub(crate) fn require_py_buffer_compatible(&self) -> Result<()> {
        if self.is_py_buffer_compatible() {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::Unsupported,
                "this indirect view (transposed, or sliced so that a dereferenced \
                 displacement became negative) cannot be described as a Py_buffer",
            ))
        }
    }
}

/// `0, 1, …, ndim-1` (ndim <= 64 fits in a u8).
fn identity_order(ndim: usize) -> DimVec<u8> {
    let order: Vec<u8> = (0..ndim).map(|d| u8::try_from(d).unwrap_or(u8::MAX)).collect();
    DimVec::from_slice(&order)
}

impl fmt::Debug for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Layout");
        s.field("itemsize", &self.itemsize).field("shape", &self.shape).field("strides", &self.strides);
        if let Some(ind) = &self.indirect {
            s.field("suboffsets", &ind.suboffsets).field("deref", &ind.deref).field("order", &ind.order);
        }
        s.finish()
    }
}
