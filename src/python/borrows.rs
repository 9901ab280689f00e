//! Dynamic borrow checking of Python memory between Rust borrowers.
//!
//! The buffer protocol lets any number of consumers hold the same memory,
//! and Python code may write it through any writable one. Rust's rules are
//! stricter: a `BufferViewMut` (or a `&mut [T]` taken from it) must be the
//! only access to its items while it lives, and the copy engine relies on
//! that (a typed `assign` copies without checking for overlap). Two
//! [`BufferGuard`](super::BufferGuard)s on the same NumPy array, one
//! writable, would break those rules in safe code.
//!
//! So every Rust borrow of Python memory made by this crate registers the
//! address range its items occupy here, as shared (read-only) or exclusive
//! (writable), for as long as it lives; a borrow that conflicts with a live
//! one (overlapping ranges, and either of them exclusive) is refused with
//! [`ErrorKind::Borrowed`]. This is what rust-numpy does for NumPy arrays,
//! with the same limits:
//!
//! - it sees the borrows of this copy of the crate only (one extension
//!   module), not those of other extensions;
//! - it judges by address ranges, so two interleaved views that do not
//!   share a byte (`a[::2]` and `a[1::2]`) still conflict;
//! - it cannot see Python code: Python may write the memory while the GIL
//!   is held by it (see the module documentation for the GIL rules).
#![forbid(unsafe_code)]

use crate::error::{Error, ErrorKind, Result};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// One live borrow.
#[derive(Clone, Copy, Debug)]
struct Entry {
    id: u64,
    start: usize,
    end: usize,
    exclusive: bool,
}

/// The live borrows of this process (of this copy of the crate).
static LIVE: Mutex<Vec<Entry>> = Mutex::new(Vec::new());
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Whether a borrow is read-only or writable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Any number of shared borrows may overlap.
    Shared,
    /// No other borrow may overlap an exclusive one.
    Exclusive,
}

/// A registered borrow; dropping it ends the borrow.
#[derive(Debug)]
pub(crate) struct Borrow {
    /// `None` for a borrow of no bytes (an empty view), which is never
    /// registered and never conflicts.
    id: Option<u64>,
}

impl Borrow {
    /// Registers a borrow of the bytes `span` (start, end), or refuses it
    /// if it conflicts with a live one.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Borrowed`], naming the conflict.
    pub(crate) fn new(span: Option<(usize, usize)>, mode: Mode) -> Result<Borrow> {
        let Some((start, end)) = span.filter(|(start, end)| start < end) else {
            return Ok(Borrow { id: None });
        };
        let exclusive = mode == Mode::Exclusive;
        let mut live = LIVE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let conflict = live.iter().find(|e| e.start < end && start < e.end && (exclusive || e.exclusive));
        if let Some(other) = conflict {
            let (this, that) = match (exclusive, other.exclusive) {
                (true, true) => ("a writable", "writable"),
                (true, false) => ("a writable", "read-only"),
                _ => ("a read-only", "writable"),
            };
            return Err(Error::new(
                ErrorKind::Borrowed,
                format!(
                    "cannot take {this} borrow of this memory: Rust code holds a {that} borrow \
                     of overlapping memory (another BufferGuard); release it first"
                ),
            ));
        }
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        live.push(Entry { id, start, end, exclusive });
        Ok(Borrow { id: Some(id) })
    }
}

impl Drop for Borrow {
    fn drop(&mut self) {
        if let Some(id) = self.id {
            let mut live = LIVE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            live.retain(|e| e.id != id);
        }
    }
}

/// The number of live borrows (for tests: every one must end).
pub(crate) fn live_count() -> usize {
    LIVE.lock().unwrap_or_else(std::sync::PoisonError::into_inner).len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflicts_follow_the_readers_writer_rule() {
        // Addresses far from any real allocation, so other tests running at
        // the same time cannot collide.
        let base = usize::MAX / 2;
        let read_a = Borrow::new(Some((base, base + 100)), Mode::Shared).unwrap();
        let read_b = Borrow::new(Some((base + 50, base + 150)), Mode::Shared).unwrap();
        let err = Borrow::new(Some((base + 99, base + 101)), Mode::Exclusive).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Borrowed);
        // Adjacent, not overlapping.
        let write = Borrow::new(Some((base + 150, base + 200)), Mode::Exclusive).unwrap();
        assert!(Borrow::new(Some((base + 199, base + 300)), Mode::Shared).is_err());
        drop((read_a, read_b));
        assert!(Borrow::new(Some((base, base + 150)), Mode::Exclusive).is_ok());
        drop(write);
        // Empty spans never conflict.
        let empty = Borrow::new(None, Mode::Exclusive).unwrap();
        assert!(empty.id.is_none());
        assert!(Borrow::new(Some((base, base)), Mode::Exclusive).unwrap().id.is_none());
    }
}
