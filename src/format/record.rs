//! The [`element!`](crate::element!) macro: a `#[repr(C)]` struct's
//! `T{…}` format, built at compile time from its fields, and checked
//! against its size.
//!
//! The macro lists each field's name, offset (`core::mem::offset_of!`),
//! size and format (its type's [`Element::FORMAT`](super::Element::FORMAT))
//! as a [`FieldSpec`]; [`format_len`] and [`write_format`] are `const fn`s
//! that turn the list into the text: explicit `x` padding wherever fields
//! leave a gap (so offsets never depend on the parser's alignment rules),
//! `(n)` before arrays, `:name:` after each field, and an `@` before a field
//! whenever the field before it changed the byte order (a change made
//! inside a record stays in force after it). [`check`] then measures the
//! text as the parser would and stops the build unless it describes
//! `size_of` the struct.
//!
//! These items are public only for the macro's expansion.
#![forbid(unsafe_code)]

use super::measure;

/// One field of a record, as the [`element!`](crate::element!) macro
/// lists it.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct FieldSpec {
    /// The field's name.
    pub name: &'static str,
    /// The element format of one value (ignored for padding).
    pub format: &'static str,
    /// The byte offset of the field in the struct.
    pub offset: usize,
    /// The field's size in bytes.
    pub size: usize,
    /// For arrays `[T; n]`: `n` (and `format` is `T`'s); 0 otherwise.
    pub array: usize,
    /// Bytes that are padding (`#[padding]`): written as `x`, no value.
    pub padding: bool,
}

/// A byte sink that counts (`out` is `None`) or writes.
struct Sink<'a> {
    out: Option<&'a mut [u8]>,
    len: usize,
}

impl Sink<'_> {
    const fn byte(&mut self, b: u8) {
        if let Some(out) = &mut self.out {
            out[self.len] = b;
        }
        self.len += 1;
    }

    const fn text(&mut self, text: &str) {
        let bytes = text.as_bytes();
        let mut k = 0;
        while k < bytes.len() {
            self.byte(bytes[k]);
            k += 1;
        }
    }

    const fn number(&mut self, n: usize) {
        let mut digits = [0u8; 20];
        let (mut n, mut k) = (n, 0);
        loop {
            digits[k] = b'0' + (n % 10) as u8;
            k += 1;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        while k > 0 {
            k -= 1;
            self.byte(digits[k]);
        }
    }

    /// `n` bytes of padding.
    const fn pad(&mut self, n: usize) {
        if n > 0 {
            if n > 1 {
                self.number(n);
            }
            self.byte(b'x');
        }
    }
}

/// Whether `format` sets a byte order or mode anywhere (outside names).
const fn changes_mode(format: &str) -> bool {
    let bytes = format.as_bytes();
    let (mut k, mut in_name) = (0, false);
    while k < bytes.len() {
        match bytes[k] {
            b':' => in_name = !in_name,
            b'@' | b'=' | b'<' | b'>' | b'!' | b'^' if !in_name => return true,
            _ => {}
        }
        k += 1;
    }
    false
}

/// Whether a shape can precede `format` as it is: a single code (`d`,
/// `Zf`) or a single record (`T{…}`, whose closing brace ends the text).
const fn is_one_item(format: &str) -> bool {
    let bytes = format.as_bytes();
    if matches!(bytes, [_] | [b'Z', _]) {
        return true;
    }
    if bytes.len() < 3 || bytes[0] != b'T' || bytes[1] != b'{' {
        return false;
    }
    let (mut k, mut depth, mut in_name) = (1, 0usize, false);
    while k < bytes.len() {
        match bytes[k] {
            b':' => in_name = !in_name,
            b'{' if !in_name => depth += 1,
            b'}' if !in_name => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return k == bytes.len() - 1;
                }
            }
            _ => {}
        }
        k += 1;
    }
    false
}

const fn write(fields: &[FieldSpec], size: usize, sink: &mut Sink<'_>) {
    sink.text("T{");
    let (mut at, mut restore) = (0, false);
    let mut k = 0;
    while k < fields.len() {
        let field = &fields[k];
        assert!(field.offset >= at, "element!: fields must be declared in the order of their offsets (#[repr(C)])");
        sink.pad(field.offset - at);
        if field.padding {
            sink.pad(field.size);
        } else {
            if restore {
                sink.byte(b'@');
            }
            if field.array > 0 {
                sink.byte(b'(');
                sink.number(field.array);
                sink.byte(b')');
            }
            let wrap = field.array > 0 && !is_one_item(field.format);
            if wrap {
                sink.text("T{");
            }
            sink.text(field.format);
            if wrap {
                sink.byte(b'}');
            }
            sink.byte(b':');
            sink.text(field.name);
            sink.byte(b':');
            restore = changes_mode(field.format);
        }
        at = field.offset + field.size;
        k += 1;
    }
    assert!(size >= at, "element!: a field reaches past the end of the struct");
    sink.pad(size - at);
    sink.byte(b'}');
}

/// The length of the format [`write_format`] writes.
#[doc(hidden)]
pub const fn format_len(fields: &[FieldSpec], size: usize) -> usize {
    let mut sink = Sink { out: None, len: 0 };
    write(fields, size, &mut sink);
    sink.len
}

/// The format of a struct of `size` bytes with `fields`, in `N` bytes
/// (`N` from [`format_len`]).
#[doc(hidden)]
pub const fn write_format<const N: usize>(fields: &[FieldSpec], size: usize) -> [u8; N] {
    let mut out = [0u8; N];
    let mut sink = Sink { out: Some(&mut out), len: 0 };
    write(fields, size, &mut sink);
    out
}

/// `bytes` as text (the macro's formats are ASCII plus field names, which
/// are identifiers: always UTF-8).
#[doc(hidden)]
pub const fn as_text(bytes: &'static [u8]) -> &'static str {
    match core::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(_) => panic!("element!: the format is not UTF-8"),
    }
}

/// Stops the build unless `format` parses to an itemsize of `size`.
#[doc(hidden)]
pub const fn check(format: &str, size: usize) {
    match measure::itemsize(format) {
        Some(found) if found == size => {}
        Some(_) => panic!(
            "element!: the format built from the fields does not describe the struct's size \
             (a field's FORMAT that does not match its type, or a field aligned differently \
             than its format says)"
        ),
        None => panic!("element!: a field's FORMAT does not parse"),
    }
}

/// The itemsize of `text` as the parser computes it, in `const` context.
#[doc(hidden)]
pub const fn itemsize(text: &str) -> Option<usize> {
    measure::itemsize(text)
}

/// Declares a `#[repr(C)]` struct and implements [`Element`](crate::Element)
/// for it, with a `T{…}` format built at compile time from its fields.
///
/// Each field's format is its type's `Element::FORMAT` (so fields can be
/// numbers, `bool`, the optional `f16` and `Complex` types, or records
/// declared with this macro, nested), followed by `:name:`. A field of
/// type `[T; n]` is written `(n)` and `T`'s format (one level of arrays;
/// `T` must be an element). A field marked `#[padding]` (the first of its
/// attributes) holds no value:
/// its bytes are written as `x`, so the struct matches exporters that
/// leave such bytes unnamed (NumPy writes `xxxx` for an aligned dtype's
/// gaps). Offsets come from `core::mem::offset_of!`, and every gap is
/// written out as padding, so the format never depends on alignment rules.
///
/// The macro checks at compile time that the format describes
/// `size_of::<Self>()` bytes, and fails the build otherwise (a field whose
/// type has a `FORMAT` of the wrong size, say).
///
/// The struct needs `#[repr(C)]` and the bytemuck traits an
/// [`Element`](crate::Element) needs: `NoUninit` (or `Pod`) and
/// `CheckedBitPattern` (or `AnyBitPattern`/`Pod`), usually derived. Named
/// fields only; no generics.
///
/// # Examples
///
/// ```
/// use bytemuck::{Pod, Zeroable};
/// use memoryview::{BufferView, Element, Format, Layout, Order};
///
/// memoryview::element! {
///     #[repr(C)]
///     #[derive(Clone, Copy, Debug, PartialEq, Pod, Zeroable)]
///     pub struct Point {
///         pub x: f64,
///         pub y: f64,
///     }
/// }
///
/// memoryview::element! {
///     /// One record of a file of C structs.
///     #[repr(C)]
///     #[derive(Clone, Copy, Debug, Pod, Zeroable)]
///     pub struct Record {
///         pub id: u32,
///         #[padding]
///         _pad: [u8; 4],
///         pub at: Point,
///         pub tags: [u16; 4],
///     }
/// }
///
/// assert_eq!(Point::FORMAT, "T{d:x:d:y:}");
/// assert_eq!(Record::FORMAT, "T{I:id:4xT{d:x:d:y:}:at:(4)H:tags:}");
///
/// // What NumPy exports for the same struct as an aligned dtype:
/// let numpy = Format::parse("T{I:id:xxxxT{d:x:d:y:}:at:(4)H:tags:}")?;
/// let bytes = [0u8; 32];
/// let layout = Layout::contiguous(&[1], 32, Order::C)?;
/// assert!(BufferView::new(&bytes, layout, 0, numpy)?.typed::<Record>().is_ok());
/// # Ok::<(), memoryview::Error>(())
/// ```
///
/// A field whose format does not match its size stops the build:
///
/// ```compile_fail
/// use bytemuck::{Pod, Zeroable};
///
/// #[repr(C)]
/// #[derive(Clone, Copy, Pod, Zeroable)]
/// struct Wide(u64);
/// impl memoryview::Element for Wide {
///     const FORMAT: &'static str = "I"; // 4 bytes, not 8
/// }
///
/// memoryview::element! {
///     #[repr(C)]
///     #[derive(Clone, Copy, Pod, Zeroable)]
///     struct Holder {
///         wide: Wide,
///     }
/// }
/// ```
#[macro_export]
macro_rules! element {
    // A padding field.
    (@munch $head:tt $name:ident [$($out:tt)*] [$($spec:tt)*]
        #[padding] $(#[$fattr:meta])* $fvis:vis $field:ident : $fty:ty $(, $($rest:tt)*)?) => {
        $crate::element!(@munch $head $name [$($out)* $(#[$fattr])* $fvis $field: $fty,] [$($spec)* {
            $crate::format::__record::FieldSpec {
                name: ::core::stringify!($field),
                format: "",
                offset: ::core::mem::offset_of!($name, $field),
                size: ::core::mem::size_of::<$fty>(),
                array: 0,
                padding: true,
            }
        }] $($($rest)*)?);
    };
    // An array field.
    (@munch $head:tt $name:ident [$($out:tt)*] [$($spec:tt)*]
        $(#[$fattr:meta])* $fvis:vis $field:ident : [$elem:ty; $n:expr] $(, $($rest:tt)*)?) => {
        $crate::element!(@munch $head $name [$($out)* $(#[$fattr])* $fvis $field: [$elem; $n],] [$($spec)* {
            $crate::format::__record::FieldSpec {
                name: ::core::stringify!($field),
                format: <$elem as $crate::Element>::FORMAT,
                offset: ::core::mem::offset_of!($name, $field),
                size: ::core::mem::size_of::<[$elem; $n]>(),
                array: $n,
                padding: false,
            }
        }] $($($rest)*)?);
    };
    // Any other field.
    (@munch $head:tt $name:ident [$($out:tt)*] [$($spec:tt)*]
        $(#[$fattr:meta])* $fvis:vis $field:ident : $fty:ty $(, $($rest:tt)*)?) => {
        $crate::element!(@munch $head $name [$($out)* $(#[$fattr])* $fvis $field: $fty,] [$($spec)* {
            $crate::format::__record::FieldSpec {
                name: ::core::stringify!($field),
                format: <$fty as $crate::Element>::FORMAT,
                offset: ::core::mem::offset_of!($name, $field),
                size: ::core::mem::size_of::<$fty>(),
                array: 0,
                padding: false,
            }
        }] $($($rest)*)?);
    };
    // All fields read: the struct, its format and the size check.
    (@munch [$($head:tt)*] $name:ident [$($out:tt)*] [$({$spec:expr})*]) => {
        $($head)* { $($out)* }

        impl $crate::Element for $name {
            const FORMAT: &'static str = {
                const FIELDS: &[$crate::format::__record::FieldSpec] = &[$($spec),*];
                const SIZE: usize = ::core::mem::size_of::<$name>();
                const LEN: usize = $crate::format::__record::format_len(FIELDS, SIZE);
                const BYTES: [u8; LEN] = $crate::format::__record::write_format::<LEN>(FIELDS, SIZE);
                $crate::format::__record::as_text(&BYTES)
            };
        }

        const _: () = $crate::format::__record::check(
            <$name as $crate::Element>::FORMAT,
            ::core::mem::size_of::<$name>(),
        );
    };
    (
        $(#[$attr:meta])*
        $vis:vis struct $name:ident { $($body:tt)* }
    ) => {
        $crate::element!(@munch [$(#[$attr])* $vis struct $name] $name [] [] $($body)*);
    };
}
