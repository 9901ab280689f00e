//! `Element`: a Rust type that can be an item of a typed view.
//!
//! The trait is safe to implement: soundness comes from bytemuck's
//! `NoUninit` (the type's bytes can be read out) and `CheckedBitPattern`
//! (which bit patterns are valid values). A wrong `FORMAT` can only make
//! typed access refuse a buffer or read numbers as the wrong kind, never
//! cause undefined behaviour.
#![forbid(unsafe_code)]

use super::{ByteOrder, Class, Format};
use crate::error::{Error, ErrorKind, Result};
use bytemuck::{CheckedBitPattern, NoUninit};
use std::any::TypeId;

/// A type that typed views ([`MemoryView`](crate::MemoryView)) can hold.
///
/// `FORMAT` is the struct-module format the type is exported with. A buffer
/// is accepted for typed access when its itemsize is `size_of::<Self>()`
/// and its format describes the same kind of value: for the primitive
/// types, a single scalar of the same class (signed, unsigned, float, bool)
/// and size *in native byte order*, so `f64` accepts `"d"`, `"@d"`, `"=d"`
/// and (on little-endian machines) `"<d"`, and `i64` accepts `"q"`, `"l"`
/// and `"n"`. A byte-swapped format such as `">d"` is refused; convert it
/// with [`BufferView::to_vec_native`](crate::BufferView::to_vec_native).
/// For other types the format text must match `FORMAT` exactly (ignoring a
/// leading `'@'`).
///
/// `bool` values are validated when a typed view is made from untyped
/// memory: a byte other than 0 or 1 is refused, never read as a `bool`.
///
/// # Examples
///
/// ```
/// use memoryview::Element;
///
/// #[derive(Clone, Copy, bytemuck::NoUninit, bytemuck::AnyBitPattern)]
/// #[repr(C)]
/// struct Point {
///     x: f64,
///     y: f64,
/// }
///
/// impl Element for Point {
///     const FORMAT: &'static str = "T{d:x:d:y:}";
/// }
/// ```
pub trait Element: NoUninit + CheckedBitPattern<Bits: 'static> + Send + Sync {
    /// The struct-module / PEP 3118 format string of this type.
    const FORMAT: &'static str;
}

macro_rules! elements {
    ($($ty:ty => $format:literal),* $(,)?) => {
        $(impl Element for $ty {
            const FORMAT: &'static str = $format;
        })*
    };
}

elements! {
    u8 => "B", i8 => "b", u16 => "H", i16 => "h", u32 => "I", i32 => "i",
    u64 => "Q", i64 => "q", usize => "N", isize => "n", f32 => "f", f64 => "d",
    bool => "?",
}

/// Whether some bit patterns of `T` are invalid, so memory must be checked
/// before it is read as `T`. (`CheckedBitPattern` types whose `Bits` is the
/// type itself accept every pattern.)
pub(crate) fn needs_validation<T: Element>() -> bool {
    TypeId::of::<T::Bits>() != TypeId::of::<T>()
}

/// How a buffer's format relates to `T`'s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Match {
    /// Items are `T`s as stored.
    Native,
    /// Items are `T`s with their bytes reversed.
    Swapped,
}

/// Checks that items of `format` and `itemsize` are `T`s, in either byte
/// order.
pub(crate) fn match_element<T: Element>(format: &Format, itemsize: usize) -> Result<Match> {
    let size = size_of::<T>();
    let mismatch = || {
        Error::new(
            ErrorKind::IncompatibleFormat,
            format!(
                "items of format '{}' ({itemsize} bytes) are not {} (format '{}', {size} bytes)",
                format.as_str(),
                std::any::type_name::<T>(),
                T::FORMAT
            ),
        )
    };
    if itemsize != size {
        return Err(mismatch());
    }
    // `Format::of` is `T::FORMAT` parsed (at compile time for one-code
    // formats); a text that does not parse describes nothing to match.
    let want = Format::of::<T>();
    if want.error().is_some() {
        return Err(mismatch());
    }
    match (format.scalar(), want.scalar()) {
        (Some(have), Some(want)) => {
            let same_class = have.code.class() == want.code.class() && have.code.class() != Class::Other;
            if !same_class || have.size != want.size || have.complex != want.complex {
                return Err(mismatch());
            }
            if have.size == 1 || have.order.is_native() { Ok(Match::Native) } else { Ok(Match::Swapped) }
        }
        _ if format.without_native_prefix() == want.without_native_prefix() => Ok(Match::Native),
        _ => Err(mismatch()),
    }
}

/// Checks that items of `format` and `itemsize` are `T`s in native order.
pub(crate) fn check_element<T: Element>(format: &Format, itemsize: usize) -> Result<()> {
    match match_element::<T>(format, itemsize)? {
        Match::Native => Ok(()),
        Match::Swapped => Err(Error::new(
            ErrorKind::IncompatibleFormat,
            format!(
                "format '{}' is {} and would be misread as native {}; \
                 convert it with to_vec_native",
                format.as_str(),
                if format.byte_order() == Some(ByteOrder::Big) { "big-endian" } else { "little-endian" },
                std::any::type_name::<T>()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepts<T: Element>(format: &str) -> Result<Match> {
        match_element::<T>(&Format::parse(format).unwrap(), size_of::<T>())
    }

    #[test]
    fn native_equivalents() {
        assert_eq!(accepts::<f64>("d"), Ok(Match::Native));
        assert_eq!(accepts::<f64>("@d"), Ok(Match::Native));
        assert_eq!(accepts::<f64>("=d"), Ok(Match::Native));
        assert_eq!(accepts::<i64>("l"), Ok(Match::Native));
        assert_eq!(accepts::<i64>("n"), Ok(Match::Native));
        assert_eq!(accepts::<i32>("<l"), Ok(Match::Native));
        assert_eq!(accepts::<u8>("c"), Ok(Match::Native));
        assert_eq!(accepts::<bool>("?"), Ok(Match::Native));
        assert_eq!(accepts::<f64>(">d"), Ok(Match::Swapped));
        assert_eq!(accepts::<u8>(">B"), Ok(Match::Native));
    }

    #[test]
    fn refusals() {
        assert!(accepts::<f64>("q").is_err());
        assert!(accepts::<i32>("I").is_err());
        assert!(accepts::<u16>("e").is_err());
        assert!(accepts::<i8>("?").is_err());
        assert!(accepts::<i32>("2h").is_err());
        let swapped = check_element::<f64>(&Format::parse(">d").unwrap(), 8).unwrap_err();
        assert_eq!(swapped.kind(), ErrorKind::IncompatibleFormat);
        assert!(swapped.to_string().contains("big-endian"));
        assert!(check_element::<f64>(&Format::parse("d").unwrap(), 4).is_err());
    }

    /// A `T::FORMAT` that does not parse matches nothing, not even a
    /// buffer carrying the same text.
    #[test]
    fn unparsable_element_formats_match_nothing() {
        #[derive(Clone, Copy, bytemuck::NoUninit, bytemuck::AnyBitPattern)]
        #[repr(C)]
        struct Odd(u8);
        impl Element for Odd {
            const FORMAT: &'static str = "what{";
        }
        let err = match_element::<Odd>(&Format::foreign("what{"), 1).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::IncompatibleFormat);
        assert!(match_element::<Odd>(&Format::parse("B").unwrap(), 1).is_err());
    }

    #[test]
    fn only_bool_needs_validation() {
        assert!(needs_validation::<bool>());
        assert!(!needs_validation::<f64>() && !needs_validation::<u8>());
    }
}
