//! tmp
pub mod error;
pub mod layout;
pub mod slice;
pub use error::{Error, ErrorKind, Result};
pub use layout::{Layout, Order};
pub use slice::Slice;
pub mod format;
pub use format::{ByteOrder, Element, Format, Value, size_from_format};
