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

    /// The inline form of a text of at most [`INLINE`] bytes, for formats
    /// built at compile time (see `Format::of`).
    ///
    /// # Panics
    ///
    /// If `text` is longer; callers only pass texts they have already
    /// recognized as one scalar code, and only in `const` evaluation, so a
    /// mistake stops the build rather than a program.
    pub(crate) const fn short(text: &str) -> FormatText {
        let src = text.as_bytes();
        assert!(src.len() <= INLINE, "FormatText::short takes at most INLINE bytes");
        let mut bytes = [0; INLINE + 1];
        // A loop, as slice ranges and `TryFrom` are not `const`; `len`
        // counts alongside (it stays <= INLINE, so fits in a u8).
        let mut len: u8 = 0;
        let mut at = 0;
        while at < src.len() {
            bytes[at] = src[at];
            at += 1;
            len += 1;
        }
        FormatText::Inline { len, bytes }
    }

    /// The text and its NUL terminator.
    pub(crate) fn with_nul(&self) -> &[u8] {
        match self {
            FormatText::Inline { len, bytes } => &bytes[..=usize::from(*len)],
            FormatText::Shared(bytes) => bytes,
        }
    }

    /// Whether the two texts are the same bytes, decided without a call to
    /// `memcmp` where both are inline (a fixed-size comparison); `false`
    /// only means "not known to be equal".
    pub(crate) fn identical(&self, other: &FormatText) -> bool {
        match (self, other) {
            // Inline bytes past `len` are zero, so equal arrays and lengths
            // are equal texts.
            (FormatText::Inline { len: a, bytes: x }, FormatText::Inline { len: b, bytes: y }) => a == b && x == y,
            (FormatText::Shared(a), FormatText::Shared(b)) => Arc::ptr_eq(a, b),
            _ => false,
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
        for text in ["", "d", "<i", "0123456789012345678901"] {
            assert_eq!(FormatText::short(text).with_nul(), FormatText::new(text).with_nul());
        }
    }
}
