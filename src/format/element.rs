//! `Element`: a Rust type that can be an item of a typed view.
//!
//! The trait is safe to implement: soundness comes from bytemuck's
//! `NoUninit` (the type's bytes can be read out) and `CheckedBitPattern`
//! (which bit patterns are valid values). A wrong `FORMAT` can only make
//! typed access refuse a buffer or read numbers as the wrong kind, never
//! cause undefined behaviour.
#![forbid(unsafe_code)]

use super::canonical::{Relation, Swap};
use super::{ByteOrder, Format};
use crate::error::{Error, ErrorKind, Result};
use bytemuck::{CheckedBitPattern, NoUninit};
use std::any::TypeId;

/// A type that typed views ([`MemoryView`](crate::MemoryView)) can hold.
///
/// `FORMAT` is the struct-module / PEP 3118 format the type is exported
/// with. A buffer is accepted for typed access when its itemsize is
/// `size_of::<Self>()` and its format is [equivalent](Format::equivalent)
/// to `FORMAT`: the same scalars at the same offsets, of the same kinds and
/// sizes, in the same byte order as this machine sees it. Names, record
/// boundaries, how counts and padding are written and which of several
/// same-sized codes is used do not matter. So `f64` accepts `"d"`, `"@d"`,
/// `"=d"`, `"T{d}"` and (on little-endian machines) `"<d"`; `i64` accepts
/// `"q"`, `"l"` and `"n"`; `u8` accepts `"B"` and `"c"`; and a
/// `#[repr(C)]` struct of two `f64`s with `FORMAT = "T{d:x:d:y:}"` reads
/// what NumPy (`"T{d:x:d:y:}"`), ctypes (`"T{<d:x:<d:y:}"`) and plain
/// struct syntax (`"dd"`, `"2d"`) export for it.
///
/// A byte-swapped format such as `">d"` is refused for typed access;
/// convert it with
/// [`BufferView::to_vec_native`](crate::BufferView::to_vec_native), or
/// decode any numeric format into any number type with
/// [`BufferView::to_vec_as`](crate::BufferView::to_vec_as).
///
/// `bool` values (and records holding them) are validated when a typed
/// view is made from untyped memory: a byte other than 0 or 1 is refused,
/// never read as a `bool`.
///
/// Records get their `FORMAT` from their fields with the
/// [`element!`](crate::element!) macro, which also checks it against the
/// struct's size at compile time.
///
/// # Examples
///
/// ```
/// use memoryview::{BufferView, Element, Format, Layout, Order};
///
/// #[derive(Clone, Copy, Debug, PartialEq, bytemuck::NoUninit, bytemuck::AnyBitPattern)]
/// #[repr(C)]
/// struct Point {
///     x: f64,
///     y: f64,
/// }
///
/// impl Element for Point {
///     const FORMAT: &'static str = "T{d:x:d:y:}";
/// }
///
/// // A buffer exported by ctypes: the same layout, written differently.
/// let bytes: Vec<u8> = [1.0f64, 2.0].iter().flat_map(|v| v.to_ne_bytes()).collect();
/// let layout = Layout::contiguous(&[1], 16, Order::C)?;
/// let format = Format::parse(if cfg!(target_endian = "little") { "T{<d:x:<d:y:}" } else { "T{>d:x:>d:y:}" })?;
/// let view = BufferView::new(&bytes, layout, 0, format)?;
/// assert_eq!(view.typed::<Point>()?.get(&[0])?, Point { x: 1.0, y: 2.0 });
/// # Ok::<(), memoryview::Error>(())
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

#[cfg(feature = "half")]
elements! { half::f16 => "e" }

#[cfg(feature = "num-complex")]
elements! { num_complex::Complex<f32> => "Zf", num_complex::Complex<f64> => "Zd" }

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
    /// Items are `T`s with the bytes of some scalars reversed (see
    /// [`swaps_to_native`]).
    Swapped,
}

/// The refusal of items of `format` (in a buffer of `itemsize`) as `T`s.
/// Sizes are named as each side has them: the format's own, the buffer's
/// itemsize where it differs (an exporter's itemsize may disagree with its
/// format), and `T`'s.
fn mismatch<T: Element>(format: &Format, itemsize: usize) -> Error {
    let what = match format.error() {
        Some(_) => format!("items of format '{}' (which does not parse)", format.as_str()),
        None => format!("items of format '{}' ({} bytes)", format.as_str(), format.itemsize()),
    };
    let buffer = if format.error().is_some() || format.itemsize() != itemsize {
        format!(" in a buffer of itemsize {itemsize}")
    } else {
        String::new()
    };
    Error::new(
        ErrorKind::IncompatibleFormat,
        format!(
            "{what}{buffer} are not {} (format '{}', {} bytes): \
             the formats describe different values or layouts",
            std::any::type_name::<T>(),
            T::FORMAT,
            size_of::<T>()
        ),
    )
}

/// Checks that items of `format` and `itemsize` are `T`s, in either byte
/// order: the format must be equivalent to `T::FORMAT`
/// ([`Format::equivalent`]) up to the byte order of its scalars.
pub(crate) fn match_element<T: Element>(format: &Format, itemsize: usize) -> Result<Match> {
    if itemsize != size_of::<T>() {
        return Err(mismatch::<T>(format, itemsize));
    }
    // `Format::of` is `T::FORMAT` parsed (at compile time for one-code
    // formats); a text that does not parse matches nothing.
    match format.relate(&Format::of::<T>(), |_| ()) {
        Relation::Same => Ok(Match::Native),
        Relation::Swapped => Ok(Match::Swapped),
        Relation::Different => Err(mismatch::<T>(format, itemsize)),
    }
}

/// The stretches of an item of `format` whose bytes must be reversed to
/// make it a native `T` (empty when it already is one).
///
/// # Errors
///
/// As [`match_element`].
pub(crate) fn swaps_to_native<T: Element>(format: &Format, itemsize: usize) -> Result<Vec<Swap>> {
    match_element::<T>(format, itemsize)?;
    let mut swaps: Vec<Swap> = Vec::new();
    format.relate(&Format::of::<T>(), |swap| match swaps.last_mut() {
        // Stretches that continue one another become one.
        Some(last) if last.size == swap.size && last.offset + last.size * last.count == swap.offset => {
            last.count += swap.count;
        }
        _ => swaps.push(swap),
    });
    Ok(swaps)
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
                match format.byte_order() {
                    Some(ByteOrder::Big) => "big-endian",
                    Some(_) => "little-endian",
                    None => "partly byte-swapped",
                },
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
        assert!(accepts::<u64>("O").is_err());
        let swapped = check_element::<f64>(&Format::parse(">d").unwrap(), 8).unwrap_err();
        assert_eq!(swapped.kind(), ErrorKind::IncompatibleFormat);
        assert!(swapped.to_string().contains("big-endian"));
        assert!(check_element::<f64>(&Format::parse("d").unwrap(), 4).is_err());
    }

    #[derive(Clone, Copy, bytemuck::NoUninit, bytemuck::AnyBitPattern)]
    #[repr(C)]
    struct Tagged {
        id: u32,
        pad: u32,
        x: f64,
        y: f64,
    }

    impl Element for Tagged {
        const FORMAT: &'static str = "T{I:id:4xd:x:d:y:}";
    }

    /// Records match by layout: what NumPy (aligned dtype), ctypes and
    /// struct syntax export for the same C struct.
    #[test]
    fn records_match_by_layout() {
        for format in ["T{I:id:xxxxd:x:d:y:}", "I4x2d", "T{I}T{d:a:d:b:}", "=I4x(2)d", "IT{dd}"] {
            assert_eq!(accepts::<Tagged>(format), Ok(Match::Native), "{format}");
        }
        if cfg!(target_endian = "little") {
            assert_eq!(accepts::<Tagged>("T{<I:id:4x<d:x:<d:y:}"), Ok(Match::Native));
            assert_eq!(accepts::<Tagged>("T{<I:id:4x>d:x:<d:y:}"), Ok(Match::Swapped));
            let swaps = swaps_to_native::<Tagged>(&Format::parse("<I4x>2d").unwrap(), 24).unwrap();
            assert_eq!(swaps, [Swap { offset: 8, size: 8, count: 2 }]);
        }
        // The field layout NumPy exports for a packed dtype: x at 4.
        assert!(accepts::<Tagged>("T{I:id:=d:x:d:y:4x}").is_err());
        assert!(accepts::<Tagged>("T{I:id:4xd:x:q:y:}").is_err());
        assert!(accepts::<Tagged>("T{I:id:4xd:x:d:y:}8x").is_err());
        let partly = check_element::<Tagged>(&Format::parse("I4x>2d").unwrap(), 24).unwrap_err();
        assert!(partly.to_string().contains("byte-swapped"), "{partly}");
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
