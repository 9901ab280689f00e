//! `FormatText`: a format string stored without an allocation when short,
//! and always followed by a NUL byte so it can be handed to C.
//!
//! Nearly every format is a few bytes ("d", "<i", "T{<d:x:<d:y:}"), and
//! views carry one each; keeping short ones inline keeps view creation free
//! of the allocator. Longer texts share one reference-counted copy.
#![forbid(unsafe_code)]

use std::sync::Arc;

/// Longest text kept inline (the array has one more byte, for the NUL).
const INLINE: usize = 22;

#[derive(Clone)]
pub(crate) enum FormatText {
    /// `bytes[len..]` are all zero.
    Inline { len: u8, bytes: [u8; INLINE + 1] },
    /// The text followed by one NUL byte.
    Shared(Arc<[u8]>),
}

impl FormatText {
    pub(crate) fn new(text: &str) -> FormatText {
        match u8::try_from(text.len()) {
            Ok(len) if text.len() <= INLINE => {
                let mut bytes = [0; INLINE + 1];
                bytes[..text.len()].copy_from_slice(text.as_bytes());
                FormatText::Inline { len, bytes }
            }
            _ => FormatText::Shared(text.bytes().chain([0]).collect()),
        }
    }

    /// The text and its NUL terminator.
    pub(crate) fn with_nul(&self) -> &[u8] {
        match self {
            FormatText::Inline { len, bytes } => &bytes[..=usize::from(*len)],
            FormatText::Shared(bytes) => bytes,
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        let bytes = self.with_nul();
        // The bytes were copied from a `&str` (plus a NUL), so this never
        // fails.
        std::str::from_utf8(&bytes[..bytes.len() - 1]).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_nul() {
        for text in ["", "d", "0123456789012345678901", "01234567890123456789012", "T{é}"] {
            let stored = FormatText::new(text);
            assert_eq!(stored.as_str(), text);
            assert_eq!(stored.with_nul().last(), Some(&0));
        }
        assert!(matches!(FormatText::new("0123456789012345678901"), FormatText::Inline { .. }));
    }
}
