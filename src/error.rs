//! The crate's one error type.
//!
//! Every fallible operation returns [`Error`], whose [`kind`](Error::kind)
//! says what class of problem it was and whose `Display` says exactly what
//! was wrong (with the byte position for format strings). Every refusal that
//! CPython makes has a counterpart here; the table in [`ErrorKind`] names the
//! Python exception each kind corresponds to, for code that converts errors
//! back into Python (for example in a PyO3 `__getbuffer__`).
//!
//! Checks run in a fixed order, so the first problem found is the one
//! reported: structure (dimension count, lengths of shape/strides/suboffsets),
//! then arithmetic (overflow), then bounds against the memory, then
//! aliasing, then format compatibility.
#![forbid(unsafe_code)]

use std::borrow::Cow;
use std::fmt;

/// What class of problem an [`Error`] reports.
///
/// | kind | CPython counterpart |
/// |---|---|
/// | `InvalidFormat` | `struct.error` (bad format string) |
/// | `IncompatibleFormat` | `ValueError`/`TypeError` in `cast`, slice assignment, typed access |
/// | `TooManyDimensions` | `ValueError` ("number of dimensions must not exceed 64") |
/// | `Overflow` | `OverflowError` / `ValueError` (sizes that do not fit `isize`) |
/// | `OutOfBounds` | `ValueError` ("offset out of bounds", exporter checks) |
/// | `IndexOutOfBounds` | `IndexError` ("index out of bounds on dimension k"; this crate numbers axes from 0) |
/// | `IndexCount` | `TypeError` / `NotImplementedError` (wrong number of indices) |
/// | `InvalidLayout` | `ValueError` (mismatched shape/strides, itemsize 0) |
/// | `InvalidSlice` | `ValueError` ("slice step cannot be zero") |
/// | `InvalidAxis` | `ValueError` / `IndexError` (no such axis, not a permutation) |
/// | `ShapeMismatch` | `ValueError`/`TypeError` (structures or shapes differ) |
/// | `LengthMismatch` | `ValueError` (`ToContiguous` length mismatch) |
/// | `ReadOnly` | `BufferError` / `TypeError` ("cannot modify read-only memory") |
/// | `NotContiguous` | `BufferError` / `TypeError` (contiguity required) |
/// | `Indirect` | `BufferError` ("underlying buffer requires suboffsets") |
/// | `FlagsUnsatisfied` | `BufferError` (other getbuffer refusals) |
/// | `Aliased` | no counterpart: a mutable view whose elements overlap |
/// | `Misaligned` | no counterpart: a reference was asked of misaligned memory |
/// | `InvalidValue` | no counterpart: bytes that are not a valid value (a `bool` byte of 2) |
/// | `OutOfMemory` | `MemoryError` (a result too large to allocate) |
/// | `Borrowed` | `BufferError` ("Existing exports of data: object cannot be re-sized") |
/// | `Unsupported` | `NotImplementedError` |
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A format string is not valid struct-module / PEP 3118 syntax.
    InvalidFormat,
    /// The format is valid but does not fit the operation (typed access with
    /// another type, a byte-swapped format read as native, a cast between
    /// two non-byte formats, slice assignment between different formats).
    IncompatibleFormat,
    /// More than 64 dimensions.
    TooManyDimensions,
    /// A size, stride product or offset does not fit in `isize`.
    Overflow,
    /// The layout reaches memory outside the buffer it describes.
    OutOfBounds,
    /// An index is outside its dimension.
    IndexOutOfBounds,
    /// The number of indices does not match the number of dimensions.
    IndexCount,
    /// Shape, strides and suboffsets of different lengths, or itemsize 0.
    InvalidLayout,
    /// A slice with step 0, or more slices than dimensions.
    InvalidSlice,
    /// An axis that does not exist, or a list of axes that is not a
    /// permutation.
    InvalidAxis,
    /// Shapes, itemsizes or structures of two operands differ.
    ShapeMismatch,
    /// A byte or element count differs from what the view holds.
    LengthMismatch,
    /// Write access was requested of read-only memory.
    ReadOnly,
    /// The operation needs contiguous memory (in a given order).
    NotContiguous,
    /// The buffer has suboffsets and the operation or request cannot take them.
    Indirect,
    /// A buffer request (flags) that the exporter cannot satisfy.
    FlagsUnsatisfied,
    /// A mutable view would reach the same element through two indices.
    Aliased,
    /// A reference was requested of memory not aligned for the element type.
    Misaligned,
    /// Bytes that are not a valid value of the requested type.
    InvalidValue,
    /// Valid input that this operation does not support.
    Unsupported,
    /// A result (a copy, a list of values) too large to allocate: a
    /// broadcast view can describe far more items than memory holds.
    OutOfMemory,
    /// The memory is lent out: exported to Python while Rust asks to
    /// change it, or borrowed by Rust code in a way that excludes the
    /// request (a writable borrow next to any other).
    Borrowed,
}

/// The error returned by every fallible operation in this crate.
///
/// # Examples
///
/// ```
/// use memoryview::{ErrorKind, Format};
///
/// let err = Format::parse("2 h").unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::InvalidFormat);
/// assert_eq!(err.position(), Some(1));
/// assert!(err.to_string().contains("bad char"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: Cow<'static, str>,
    position: Option<usize>,
}

impl Error {
    /// An error of `kind` with a message saying what went wrong.
    pub(crate) fn new(kind: ErrorKind, message: impl Into<Cow<'static, str>>) -> Error {
        Error { kind, message: message.into(), position: None }
    }

    /// Records the byte position in a format string where parsing failed.
    pub(crate) fn at(mut self, position: usize) -> Error {
        self.position = Some(position);
        self
    }

    /// What class of problem this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// For [`ErrorKind::InvalidFormat`]: the byte offset in the format string
    /// where it went wrong.
    pub fn position(&self) -> Option<usize> {
        self.position
    }

    /// The message alone, without the position.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(position) = self.position {
            write!(f, " (at byte {position})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Shorthand for results whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
