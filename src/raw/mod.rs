//! The unsafe core: a layout bound to memory.
//!
//! [`RawBuffer`] is a base pointer, a [`Layout`] and a [`Format`] whose
//! items the owning view may read (and, for mutable views, write). Its
//! invariants are written on the type, inside a private `def` module so
//! that nothing outside can build one without going through the `unsafe`
//! constructor that states them. The views in [`crate::view`] are safe
//! wrappers that add a lifetime and an access mode.
//!
//! Submodules: [`walk`] visits the items of one or more buffers in runs
//! (following suboffsets), [`typed`] reads and writes typed items, and
//! [`info`] converts to and from the `#[repr(C)]` Py_buffer descriptor.

pub(crate) mod info;
pub(crate) mod typed;
pub(crate) mod walk;

use crate::error::Result;
use crate::format::Format;
use crate::layout::Layout;
use crate::layout::ops::BaseShift;
use std::ops::ControlFlow;

pub(crate) use def::RawBuffer;

mod def {
    use super::{Format, Layout};

    /// A base pointer, a layout and a format.
    ///
    /// # Invariants
    ///
    /// For the lifetime `'a` of the view that owns this value (the view's
    /// type carries it):
    ///
    /// 1. For every index tuple of `layout`, the address computed by
    ///    [`walk::item_ptr`](super::walk::item_ptr) from `ptr` is valid for
    ///    reads of `layout.itemsize()` bytes, and every pointer slot loaded
    ///    on the way (at a dereferenced dimension) is valid for a read of
    ///    one (possibly unaligned) pointer and holds a pointer for which
    ///    the same holds. Pointers are derived with `wrapping_offset` and
    ///    only dereferenced at those addresses. The items a direct layout
    ///    reaches from `ptr` (and those an indirect one reaches from each
    ///    pointer it loads last) lie in one allocated object.
    /// 2. If the owning view is mutable, those item bytes are also valid for
    ///    writes and nothing else accesses them during `'a`. (Items may
    ///    overlap each other, as CPython allows; code that writes items
    ///    from several threads must check [`Layout::has_aliased_items`].)
    /// 3. If the owning view is typed with `T`, every item's bytes are a
    ///    valid `T` (`layout.itemsize() == size_of::<T>()`).
    /// 4. If the owning view is shared, nothing writes the items during `'a`.
    ///
    /// The layout's own invariants (see [`Layout`]) keep every offset
    /// computation between two pointer loads free of overflow.
    #[derive(Clone, Debug)]
    pub(crate) struct RawBuffer {
        ptr: *mut u8,
        layout: Layout,
        format: Format,
    }

    impl RawBuffer {
        /// Binds a layout and format to memory.
        ///
        /// # Safety
        ///
        /// The caller must ensure invariants 1–4 for the view that will own
        /// the result.
        #[inline]
        pub(crate) unsafe fn new(ptr: *mut u8, layout: Layout, format: Format) -> RawBuffer {
            RawBuffer { ptr, layout, format }
        }

        /// The base pointer (the address of the item at index 0 before any
        /// dereference).
        #[inline]
        pub(crate) fn ptr(&self) -> *mut u8 {
            self.ptr
        }

        #[inline]
        pub(crate) fn layout(&self) -> &Layout {
            &self.layout
        }

        #[inline]
        pub(crate) fn format(&self) -> &Format {
            &self.format
        }
    }
}

// SAFETY: a `RawBuffer` is a description; it grants no access by itself.
// Every access goes through a view whose lifetime and auto traits come from
// a `PhantomData` of the matching reference type (`&'a [T]` or
// `&'a mut [T]`), so sending or sharing the view is exactly as safe as
// sending or sharing that reference.
unsafe impl Send for RawBuffer {}
// SAFETY: as for `Send`: shared access to a `RawBuffer` only reads the
// description; item access is governed by the owning view's type.
unsafe impl Sync for RawBuffer {}

impl RawBuffer {
    /// The buffer after a layout transform from [`crate::layout::ops`]:
    /// `layout` must select a subset of `self`'s items (in any dimension
    /// order), and `shift` is how the base moves.
    #[inline]
    pub(crate) fn rebased(&self, layout: Layout, shift: BaseShift) -> RawBuffer {
        let ptr = match shift {
            BaseShift::Offset(delta) => self.ptr().wrapping_offset(delta),
            BaseShift::Deref { offset, suboffset } => {
                let slot = self.ptr().wrapping_offset(offset);
                // SAFETY: `ops::index_axis` returns `Deref` only for a
                // non-empty layout whose first applied dimension is
                // dereferenced, with `offset` the position of an in-range
                // index along it; that slot is loaded by every item address
                // below that index, so invariant 1 makes it readable.
                let loaded = unsafe { walk::load_pointer(slot) };
                loaded.wrapping_offset(suboffset)
            }
        };
        // SAFETY: the ops module guarantees that every item of `layout` from
        // the new base is an item of `self`'s layout from the old one, so
        // invariants 1–4 carry over; the format is unchanged.
        unsafe { RawBuffer::new(ptr, layout, self.format().clone()) }
    }

    /// The same memory under a transform that can only fail on arithmetic.
    pub(crate) fn try_rebased(&self, result: Result<(Layout, isize)>) -> Result<RawBuffer> {
        let (layout, offset) = result?;
        Ok(self.rebased(layout, BaseShift::Offset(offset)))
    }

    /// The address of the item at `index` (each entry in range).
    pub(crate) fn item_ptr(&self, index: &[usize]) -> *mut u8 {
        // SAFETY: invariant 1 makes every pointer slot on the way readable;
        // the caller resolved the indices against the shape.
        unsafe { walk::item_ptr(self.ptr(), self.layout(), index) }
    }

    /// The lowest address and one past the highest address that the items
    /// occupy; `None` for an empty buffer. For indirect buffers the pointer
    /// tables are walked (once per pointer loaded before the last direct
    /// dimensions), so the cost is the number of rows, not of items.
    #[cfg(feature = "python")]
    pub(crate) fn address_span(&self) -> Option<(usize, usize)> {
        let layout = self.layout();
        if layout.is_empty() {
            return None;
        }
        let itemsize = layout.itemsize();
        let mut span: Option<(usize, usize)> = None;
        let mut per_block = |ptrs: [*mut u8; 1], tail: &[walk::Level<1>]| {
            // The direct dimensions below the last dereference: their reach
            // from the block's pointer, bounded by Layout invariant 3.
            let (low, high) = tail.iter().fold((0isize, 0isize), |(low, high), level| {
                let reach = level.strides[0] * (level.extent as isize - 1);
                (low + reach.min(0), high + reach.max(0))
            });
            let base = ptrs[0].addr();
            let (first, end) = (base.wrapping_add_signed(low), base.wrapping_add_signed(high).wrapping_add(itemsize));
            span = Some(span.map_or((first, end), |(lo, hi)| (lo.min(first), hi.max(end))));
            ControlFlow::Continue(())
        };
        // SAFETY: invariant 1 makes every pointer slot on the way readable.
        let _ = unsafe { walk::for_each_block([self.ptr()], [layout], walk::Visit::AnyOrder, &mut per_block) };
        span
    }

    /// The bytes of the item at `index` (each entry in range), for the
    /// lifetime of the borrow of `self`.
    pub(crate) fn item_bytes(&self, index: &[usize]) -> &[u8] {
        let ptr = self.item_ptr(index);
        // SAFETY: invariant 1: the item is valid for reads of itemsize
        // bytes; the borrow of `self` keeps the owning view (and so its
        // lifetime) alive, and invariants 2 and 4 rule out writes while a
        // shared borrow of the view exists.
        unsafe { std::slice::from_raw_parts(ptr, self.layout().itemsize()) }
    }
}

/// A [`RawBuffer`] owned by a mutable view.
///
/// # Invariants
///
/// The inner buffer satisfies invariant 2 of [`RawBuffer`] (writable,
/// exclusive) in addition to the others.
#[derive(Debug)]
pub(crate) struct RawMut(RawBuffer);

impl RawMut {
    /// # Safety
    ///
    /// `raw` must satisfy invariant 2 for the mutable view that will own the
    /// result.
    pub(crate) unsafe fn new(raw: RawBuffer) -> RawMut {
        RawMut(raw)
    }

    /// Read access, for the duration of the borrow.
    pub(crate) fn raw(&self) -> &RawBuffer {
        &self.0
    }

    /// The buffer after a layout transform (see [`RawBuffer::rebased`]).
    /// The result owns a subset of `self`'s items, so a mutable view can
    /// hold it (while `self` is borrowed mutably, or in place of `self`).
    pub(crate) fn rebased(&self, layout: Layout, shift: BaseShift) -> RawMut {
        // SAFETY: a subset of writable, exclusive items is writable and
        // exclusive; reordering dimensions does not change which bytes
        // items reach.
        unsafe { RawMut::new(self.0.rebased(layout, shift)) }
    }

    /// See [`RawBuffer::try_rebased`].
    pub(crate) fn try_rebased(&self, result: Result<(Layout, isize)>) -> Result<RawMut> {
        let (layout, offset) = result?;
        Ok(self.rebased(layout, BaseShift::Offset(offset)))
    }

    /// A copy for a reborrow: the caller must keep `self` mutably borrowed
    /// for as long as the copy is used.
    pub(crate) fn reborrow(&mut self) -> RawMut {
        RawMut(self.0.clone())
    }

    /// Overwrites the item at `index` (each entry in range) with `bytes`
    /// (exactly `itemsize` of them).
    pub(crate) fn write_item_bytes(&mut self, index: &[usize], bytes: &[u8]) {
        let ptr = self.0.item_ptr(index);
        let len = self.0.layout().itemsize().min(bytes.len());
        // SAFETY: invariant 2: the item is valid for writes of itemsize
        // bytes and nothing else accesses it; `bytes` is a separate borrow,
        // so the ranges cannot overlap.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), ptr, len) };
    }
}

impl RawBuffer {
    /// Calls `f` with the bytes of every item (C order if `visit` says so),
    /// stopping when it breaks.
    pub(crate) fn for_each_item(&self, visit: walk::Visit, mut f: impl FnMut(&[u8]) -> ControlFlow<()>) {
        let itemsize = self.layout().itemsize();
        let mut per_run = |run: walk::Run<1>| {
            for k in 0..run.len {
                let p = run.ptrs[0].wrapping_offset(run.strides[0].wrapping_mul(k as isize));
                // SAFETY: invariant 1: each item is readable for itemsize
                // bytes; the borrow of `self` rules out writes (invariants
                // 2 and 4) while the slice lives.
                f(unsafe { std::slice::from_raw_parts(p, itemsize) })?;
            }
            ControlFlow::Continue(())
        };
        // SAFETY: invariant 1 makes the pointer slots readable.
        let _ = unsafe { walk::for_each_run([self.ptr()], [self.layout()], visit, &mut per_run) };
    }

    /// Calls `f` with the bytes of the items of `self` and `other` (same
    /// shape) at each index tuple, stopping when it breaks. Returns whether
    /// it ran to the end.
    pub(crate) fn zip_items(&self, other: &RawBuffer, mut f: impl FnMut(&[u8], &[u8]) -> ControlFlow<()>) -> bool {
        let sizes = [self.layout().itemsize(), other.layout().itemsize()];
        let mut per_run = |run: walk::Run<2>| {
            for k in 0..run.len as isize {
                let [a, b] = [0, 1].map(|j| {
                    let p = run.ptrs[j].wrapping_offset(run.strides[j].wrapping_mul(k));
                    // SAFETY: invariant 1 of each buffer, as in
                    // `for_each_item`.
                    unsafe { std::slice::from_raw_parts(p.cast_const(), sizes[j]) }
                });
                f(a, b)?;
            }
            ControlFlow::Continue(())
        };
        // SAFETY: invariant 1 of both buffers; the caller compared shapes.
        let flow = unsafe {
            walk::for_each_run(
                [self.ptr(), other.ptr()],
                [self.layout(), other.layout()],
                walk::Visit::AnyOrder,
                &mut per_run,
            )
        };
        flow.is_continue()
    }

    /// The same bytes under a new C-contiguous layout and format (a cast or
    /// reshape). `self` must be C-contiguous with the same number of bytes.
    pub(crate) fn recast(&self, layout: Layout, format: Format) -> Result<RawBuffer> {
        let same_bytes = self.layout().is_contiguous(crate::layout::Order::C)
            && layout.is_contiguous(crate::layout::Order::C)
            && layout.nbytes() == self.layout().nbytes();
        if !same_bytes {
            return Err(crate::error::Error::new(
                crate::error::ErrorKind::NotContiguous,
                "a cast needs a C-contiguous view and a layout of the same size",
            ));
        }
        // SAFETY: both layouts are direct and C-contiguous with the same
        // byte count, so from the same base they cover exactly the same
        // bytes (invariants 1, 2 and 4 carry over). Invariant 3 is the
        // typed caller's to restore.
        Ok(unsafe { RawBuffer::new(self.ptr(), layout, format) })
    }
}

impl RawBuffer {
    /// The bytes `offset..offset + format.itemsize()` of every item, as
    /// items of `format` (a field of a record, with the same shape and
    /// strides). Direct layouts only.
    pub(crate) fn field(&self, offset: usize, format: Format) -> Result<RawBuffer> {
        use crate::error::{Error, ErrorKind};
        let layout = self.layout();
        if layout.suboffsets().is_some() {
            return Err(Error::new(ErrorKind::Indirect, "field views of indirect buffers are not supported"));
        }
        let len = format.itemsize();
        if len == 0 || offset.checked_add(len).is_none_or(|end| end > layout.itemsize()) {
            return Err(Error::new(
                ErrorKind::OutOfBounds,
                format!(
                    "a field of {len} bytes at offset {offset} does not lie inside items of {} bytes",
                    layout.itemsize()
                ),
            ));
        }
        let field_layout = Layout::new(layout.shape(), layout.strides(), len)?;
        // SAFETY: the layout is direct, so each item of `field_layout` from
        // the new base is the item with the same index of `self`'s layout
        // moved by `offset`, and `offset..offset + len` lies inside the
        // item's `itemsize` bytes (checked): every byte reached is a byte
        // `self` may reach, so invariants 1, 2 and 4 carry over. Invariant 3
        // is the typed caller's to restore.
        Ok(unsafe { RawBuffer::new(self.ptr().wrapping_add(offset), field_layout, format) })
    }
}

impl RawMut {
    /// See [`RawBuffer::recast`].
    pub(crate) fn recast(&self, layout: Layout, format: Format) -> Result<RawMut> {
        let raw = self.0.recast(layout, format)?;
        // SAFETY: the same bytes as `self`, which satisfy invariant 2.
        Ok(unsafe { RawMut::new(raw) })
    }
}
