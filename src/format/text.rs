//! `FormatText`: a format string stored without an allocation when short.
//!
//! Nearly every format is a few bytes ("d", "<i", "T{<d:x:<d:y:}"), and
//! views carry one each; keeping short ones inline keeps view creation free
//! of the allocator. Longer texts share one reference-counted copy.
#![forbid(unsafe_code)]

use std::sync::Arc;

const INLINE: usize = 22;

#[derive(Clone)]
pub(crate) enum FormatText {
    Inline { len: u8, bytes: [u8; INLINE] },
    Shared(Arc<str>),
}

impl FormatText {
    pub(crate) fn new(text: &str) -> FormatText {
        match u8::try_from(text.len()) {
            Ok(len) if text.len() <= INLINE => {
                let mut bytes = [0; INLINE];
                bytes[..text.len()].copy_from_slice(text.as_bytes());
                FormatText::Inline { len, bytes }
            }
            _ => FormatText::Shared(Arc::from(text)),
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            // The bytes were copied from a `&str` up to `len`, which
            // ends on a character boundary, so this never fails.
            FormatText::Inline { len, bytes } => std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or(""),
            FormatText::Shared(text) => text,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for text in ["", "d", "0123456789012345678901", "01234567890123456789012", "T{é}"] {
            assert_eq!(FormatText::new(text).as_str(), text);
        }
        assert!(matches!(FormatText::new("0123456789012345678901"), FormatText::Inline { .. }));
    }
}
