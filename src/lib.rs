//! tmp
mod cast;
mod copy;
pub mod error;
pub mod flags;
pub mod format;
pub mod layout;
mod raw;
pub mod slice;
mod view;

pub use error::{Error, ErrorKind, Result};
pub use flags::BufferFlags;
pub use format::{ByteOrder, Element, Format, Value, size_from_format};
pub use layout::{Layout, Order};
pub use raw::info::BufferInfo;
pub use slice::Slice;
pub use view::{BufferView, BufferViewMut, Iter, MemoryView, MemoryViewMut};
mod export;
pub use export::{Exported, Exporter, ExporterMut, fill_info, fill_info_mut};
