//! What keeps a [`View`](super::View)'s memory alive, and who may touch it
//! when.
//!
//! A view's memory is either owned by Rust (an [`Owner`]: a `Vec<T>`, a
//! boxed slice, an `Arc`'d slice, or a fresh aligned buffer the copy
//! functions made) or held from Python (a `Py_buffer` or a DLPack tensor).
//! Every view of the same memory shares one [`Shared`], which counts:
//!
//! - Python exports (buffer requests and DLPack capsules not yet released);
//! - accesses from Rust in progress (reads, and at most one write).
//!
//! and applies two sets of rules. Python-side operations (the `View`
//! methods, `ascontiguous`, `copyto`) behave like memoryview's: they may
//! run while exports are live, and only need the memory not to have been
//! taken back, nor to be written by the Rust owner at that moment. The Rust
//! owner's own access ([`View::read`](super::View::read),
//! [`write`](super::View::write), [`take`](super::View::take)) is stricter:
//! a write or take needs no export to be live (a NumPy array made from the
//! view must be gone), as `bytearray` refuses to resize with exports.
//! Every access also registers a Rust borrow of its bytes (see
//! `borrows`), so Rust borrowers exclude each other.

use super::borrows::{Borrow, Mode};
use super::held::Held;
use crate::copy::owned::AlignedBytes;
use crate::error::{Error, ErrorKind, Result};
use crate::format::{Element, Format};
use crate::layout::{Layout, Order};
use crate::raw::RawBuffer;
use crate::view::{BufferView, BufferViewMut};
use std::any::Any;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

mod sealed {
    pub trait Sealed {}
}

/// Rust-owned memory that a [`View`](super::View) can hand to Python.
///
/// Implemented for `Vec<T>`, `Box<[T]>`, `Arc<[T]>` and `Arc<Vec<T>>` of
/// any [`Element`] `T`. Their items stay at the same address for as long as
/// the owner is neither moved out of the view nor mutated, which the view
/// guarantees; that is why the trait is sealed (an owner of other memory
/// would have to promise the same). Unique owners (`Vec`, `Box`) are
/// writable from Python when every bit pattern is a valid `T` (not for
/// `bool` or records holding one: Python could write a 2 into a `bool`);
/// shared ones (`Arc`) are read-only.
pub trait Owner: Any + Send + Sync + sealed::Sealed {
    /// The items, read-only.
    #[doc(hidden)]
    fn items(&self) -> BufferView<'_>;
    /// The items, writable, if Python may write them.
    #[doc(hidden)]
    fn items_mut(&mut self) -> Option<BufferViewMut<'_>>;
}

impl<T: Element> sealed::Sealed for Vec<T> {}
impl<T: Element> Owner for Vec<T> {
    fn items(&self) -> BufferView<'_> {
        BufferView::from_slice(self)
    }
    fn items_mut(&mut self) -> Option<BufferViewMut<'_>> {
        BufferViewMut::from_any_bits_slice(self)
    }
}

impl<T: Element> sealed::Sealed for Box<[T]> {}
impl<T: Element> Owner for Box<[T]> {
    fn items(&self) -> BufferView<'_> {
        BufferView::from_slice(self)
    }
    fn items_mut(&mut self) -> Option<BufferViewMut<'_>> {
        BufferViewMut::from_any_bits_slice(self)
    }
}

impl<T: Element> sealed::Sealed for Arc<[T]> {}
impl<T: Element> Owner for Arc<[T]> {
    fn items(&self) -> BufferView<'_> {
        BufferView::from_slice(self)
    }
    fn items_mut(&mut self) -> Option<BufferViewMut<'_>> {
        None
    }
}

impl<T: Element> sealed::Sealed for Arc<Vec<T>> {}
impl<T: Element> Owner for Arc<Vec<T>> {
    fn items(&self) -> BufferView<'_> {
        BufferView::from_slice(self.as_slice())
    }
    fn items_mut(&mut self) -> Option<BufferViewMut<'_>> {
        None
    }
}

/// A fresh, cache-line-aligned copy made by the bridge (`ascontiguous`,
/// `copy=True` DLPack exports), with the layout and format of its items.
#[derive(Debug)]
pub(crate) struct Copied {
    bytes: AlignedBytes,
    layout: Layout,
    format: Format,
}

impl Copied {
    /// The items of `view` packed in `order`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::OutOfMemory`] if the copy cannot be allocated.
    pub(crate) fn of(view: &BufferView<'_>, order: Order) -> Result<Copied> {
        let order = view.layout().resolve_order(order);
        let layout = Layout::contiguous(view.shape(), view.itemsize(), order)?;
        let bytes = crate::copy::to_aligned_bytes(view.raw(), order)?;
        Ok(Copied { bytes, layout, format: view.format().clone() })
    }
}

impl sealed::Sealed for Copied {}
impl Owner for Copied {
    fn items(&self) -> BufferView<'_> {
        BufferView::new(self.bytes.as_bytes(), self.layout.clone(), 0, self.format.clone())
            .expect("a contiguous layout of the buffer's own size fits it")
    }
    fn items_mut(&mut self) -> Option<BufferViewMut<'_>> {
        BufferViewMut::new(self.bytes.as_bytes_mut(), self.layout.clone(), 0, self.format.clone()).ok()
    }
}

/// Where a view's memory comes from.
#[derive(Debug)]
enum Source {
    /// Rust-owned: the owner lives in the state (it can be taken back).
    Rust,
    /// Held from Python until the last view of it is dropped.
    Python(Held),
}

/// The counts of [`Shared`], under its lock.
struct State {
    /// The Rust owner, for `Source::Rust`; `None` once taken back.
    owner: Option<Box<dyn Owner>>,
    /// Live Python exports (buffer requests and DLPack capsules).
    exports: usize,
    /// Rust reads in progress.
    readers: usize,
    /// A Rust write in progress.
    writer: bool,
}

/// The memory of one or more views, and who is using it.
pub(crate) struct Shared {
    source: Source,
    writable: bool,
    state: Mutex<State>,
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("Shared")
            .field("source", &self.source)
            .field("writable", &self.writable)
            .field("exports", &state.exports)
            .field("taken", &(matches!(self.source, Source::Rust) && state.owner.is_none()))
            .finish()
    }
}

/// Who asks for access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Asker {
    /// An operation on behalf of Python code (memoryview's rules).
    Python,
    /// The Rust owner (stricter: no live export may see a write).
    Owner,
}

impl Shared {
    /// Memory owned by Rust, and the description of all its items.
    /// Writable from Python if the owner allows it and `readonly` is false.
    pub(crate) fn rust(mut owner: Box<dyn Owner>, readonly: bool) -> (Arc<Shared>, RawBuffer) {
        let writable = !readonly && owner.items_mut().is_some();
        let raw = owner.items().raw().clone();
        let state = State { owner: Some(owner), exports: 0, readers: 0, writer: false };
        (Arc::new(Shared { source: Source::Rust, writable, state: Mutex::new(state) }), raw)
    }

    /// Memory owned by Rust, and the description `layout` of items of it
    /// whose base lies `offset` bytes into the owner's bytes, in `format`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::OutOfBounds`] if an item reaches outside the owner's
    /// bytes; [`ErrorKind::Indirect`] for suboffsets (pointer tables
    /// cannot be checked inside a byte buffer).
    pub(crate) fn rust_with_layout(
        owner: Box<dyn Owner>,
        layout: Layout,
        offset: usize,
        format: Format,
        readonly: bool,
    ) -> Result<(Arc<Shared>, RawBuffer)> {
        let (shared, all) = Shared::rust(owner, readonly);
        layout.check_bounds(offset, all.layout().nbytes())?;
        // SAFETY: the owner's items are one C-contiguous run of `nbytes`
        // bytes from `all.ptr()`, and every item of `layout` from `offset`
        // lies inside it (checked): readable for as long as the owner is
        // in `shared` (invariant 1). Writes follow `shared.writable`,
        // which the owner allows only for types with no invalid bit
        // patterns, so any bytes written keep its items valid.
        let raw = unsafe { RawBuffer::new(all.ptr().wrapping_add(offset), layout, format) };
        Ok((shared, raw))
    }

    /// Memory held from Python.
    pub(crate) fn python(held: Held) -> Arc<Shared> {
        let writable = !held.readonly();
        let state = State { owner: None, exports: 0, readers: 0, writer: false };
        Arc::new(Shared { source: Source::Python(held), writable, state: Mutex::new(state) })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is a few counters, consistent after every update.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether Python may write the memory (through exports of it).
    pub(crate) fn writable(&self) -> bool {
        self.writable
    }

    /// The Python memory this view holds, if any.
    pub(crate) fn held(&self) -> Option<&Held> {
        match &self.source {
            Source::Python(held) => Some(held),
            Source::Rust => None,
        }
    }

    /// Whether the Rust owner has been taken back.
    fn taken(&self, state: &State) -> bool {
        matches!(self.source, Source::Rust) && state.owner.is_none()
    }

    fn check_usable(&self, state: &State) -> Result<()> {
        if self.taken(state) {
            return Err(Error::new(ErrorKind::Borrowed, "the memory of this view was taken back by its Rust owner"));
        }
        if state.writer {
            return Err(Error::new(ErrorKind::Borrowed, "the memory of this view is being written by its Rust owner"));
        }
        Ok(())
    }

    /// Starts an access to the items `raw` describes (memory of `self`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::ReadOnly`] for a write to read-only memory;
    /// [`ErrorKind::Borrowed`] if the memory was taken back, is being
    /// written by Rust, conflicts with another Rust borrow, or (for the
    /// owner) is lent to Python in a way that excludes the access.
    pub(crate) fn access<'s>(&'s self, raw: &RawBuffer, mode: Mode, asker: Asker) -> Result<Access<'s>> {
        if mode == Mode::Exclusive && !self.writable {
            return Err(Error::new(ErrorKind::ReadOnly, "the memory of this view is read-only"));
        }
        {
            let mut state = self.lock();
            self.check_usable(&state)?;
            if asker == Asker::Owner {
                let excluded = match mode {
                    Mode::Exclusive => state.exports > 0,
                    // Python may write through a live export of writable
                    // memory.
                    Mode::Shared => state.exports > 0 && self.writable,
                };
                if excluded {
                    return Err(Error::new(
                        ErrorKind::Borrowed,
                        format!(
                            "Existing exports of data: the memory is lent to Python ({} live \
                             export(s): memoryviews, NumPy arrays or DLPack capsules of it)",
                            state.exports
                        ),
                    ));
                }
            }
            match mode {
                Mode::Shared => state.readers += 1,
                Mode::Exclusive if state.readers > 0 => {
                    return Err(Error::new(ErrorKind::Borrowed, "the memory of this view is being read by Rust"));
                }
                Mode::Exclusive => state.writer = true,
            }
        }
        // From here on `access` undoes the count if the borrow is refused.
        let mut access = Access { shared: self, raw: raw.clone(), mode, borrow: None };
        access.borrow = Some(Borrow::new(raw.address_span(), mode)?);
        Ok(access)
    }

    /// Counts a new Python export of the memory.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Borrowed`] if the memory was taken back or is being
    /// written by its Rust owner.
    pub(crate) fn begin_export(&self) -> Result<()> {
        let mut state = self.lock();
        self.check_usable(&state)?;
        state.exports += 1;
        Ok(())
    }

    /// Ends a Python export counted by [`begin_export`](Shared::begin_export).
    pub(crate) fn end_export(&self) {
        let mut state = self.lock();
        state.exports = state.exports.saturating_sub(1);
    }

    /// The number of live Python exports.
    pub(crate) fn exports(&self) -> usize {
        self.lock().exports
    }

    /// Gives the Rust owner back, if it is an `O`, ending every view of
    /// the memory.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Borrowed`] while exports or accesses are live, or if
    /// already taken; [`ErrorKind::Unsupported`] for Python memory;
    /// [`ErrorKind::IncompatibleFormat`] if the owner is not an `O`.
    pub(crate) fn take<O: Owner>(&self) -> Result<O> {
        if self.held().is_some() {
            return Err(Error::new(ErrorKind::Unsupported, "this view's memory belongs to a Python object"));
        }
        let mut state = self.lock();
        self.check_usable(&state)?;
        if state.exports > 0 || state.readers > 0 {
            return Err(Error::new(
                ErrorKind::Borrowed,
                format!(
                    "Existing exports of data: the memory cannot be taken back while it is lent \
                     ({} export(s) to Python, {} read(s) in progress)",
                    state.exports, state.readers
                ),
            ));
        }
        let is_o = state.owner.as_deref().is_some_and(|owner| (owner as &dyn Any).is::<O>());
        if !is_o {
            return Err(Error::new(
                ErrorKind::IncompatibleFormat,
                format!("the view's owner is not a {}", std::any::type_name::<O>()),
            ));
        }
        let owner: Box<dyn Any> = state.owner.take().ok_or_else(|| Error::new(ErrorKind::Borrowed, "already taken"))?;
        owner.downcast::<O>().map(|owner| *owner).map_err(|_| Error::new(ErrorKind::Unsupported, "unreachable"))
    }
}

/// An access in progress to a view's items; ends when dropped.
#[derive(Debug)]
pub(crate) struct Access<'s> {
    shared: &'s Shared,
    raw: RawBuffer,
    mode: Mode,
    borrow: Option<Borrow>,
}

impl Access<'_> {
    /// The items, read-only.
    pub(crate) fn view(&self) -> BufferView<'_> {
        // SAFETY: `raw` describes memory of `shared` (the views' transforms
        // only select items of it), which stays valid while this access
        // lives: a Rust owner cannot be taken back nor written while
        // `readers`/`writer` count it, and Python memory is released only
        // when `shared` is dropped. Rust writers are excluded by the
        // registered borrow; Python code is trusted not to write (module
        // documentation).
        unsafe { BufferView::from_raw_buffer(self.raw.clone()) }
    }

    /// The items, writable: only for an exclusive access.
    pub(crate) fn view_mut(&mut self) -> Option<BufferViewMut<'_>> {
        if self.mode != Mode::Exclusive {
            return None;
        }
        // SAFETY: as in `view`; the memory is writable (checked when the
        // access began), and the exclusive registered borrow and `&mut
        // self` exclude every other Rust access meanwhile.
        Some(unsafe { BufferViewMut::from_raw_buffer(self.raw.clone()) })
    }
}

impl Drop for Access<'_> {
    fn drop(&mut self) {
        self.borrow = None;
        let mut state = self.shared.lock();
        match self.mode {
            Mode::Shared => state.readers = state.readers.saturating_sub(1),
            Mode::Exclusive => state.writer = false,
        }
    }
}
