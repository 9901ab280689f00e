//! `Format`: what one item of a buffer is, as a struct-module / PEP 3118
//! format string says.
//!
//! [`Format::parse`] reads the whole grammar (the rules are in the `parse` submodule),
//! computes the itemsize and alignment, and [`Format::unpack`] /
//! [`Format::decode`] turn an item's bytes into [`Value`]s the way
//! `struct.unpack` does. [`size_from_format`] is `PyBuffer_SizeFromFormat`.
//! The [`Element`] trait ties Rust types to their format codes for typed
//! views.
//!
//! A buffer's format is not always something the struct module can read
//! (ctypes and NumPy emit PEP 3118 extensions; exporters can send anything).
//! Views therefore keep the exporter's text even when it does not parse, and
//! only operations that must understand the items fail on it, as in CPython.
#![forbid(unsafe_code)]

pub(crate) mod canonical;
pub(crate) mod element;
mod measure;
mod parse;
mod record;
mod text;
pub(crate) mod value;

pub use element::Element;

/// Support for the [`element!`](crate::element!) macro's expansion; not a
/// public API.
#[doc(hidden)]
pub mod __record {
    pub use super::record::{FieldSpec, as_text, check, format_len, itemsize, write_format};
}
pub use value::Value;

use crate::error::{Error, ErrorKind, Result};
use std::fmt;
use std::sync::Arc;
use text::FormatText;

/// The deepest a format may nest; deeper ones are refused with
/// [`ErrorKind::InvalidFormat`].
///
/// Each enclosing `T{…}` record counts one level, and so does each
/// dimension of an enclosing sub-array shape (`(2,3)T{d}` nests three
/// deep): that is how deep the [`Value`]s of an item nest. Parsing,
/// decoding, comparing and dropping recurse once per level, so without a
/// bound a foreign format such as `"T{" × 100000 + "d" + "}" × 100000`
/// would overflow the stack. NumPy and ctypes emit one level per nested
/// struct or array dimension; 64 is far beyond any real record (NumPy
/// arrays have at most 64 dimensions).
///
/// # Examples
///
/// ```
/// use memoryview::format::{Format, MAX_NESTING};
///
/// let nested = |n| format!("{}d{}", "T{".repeat(n), "}".repeat(n));
/// assert!(Format::parse(&nested(MAX_NESTING)).is_ok());
/// assert!(Format::parse(&nested(MAX_NESTING + 1)).is_err());
/// ```
pub const MAX_NESTING: usize = 64;

/// The byte order of a format's items.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ByteOrder {
    /// The machine's order (`@`, `=`, `^` or no prefix).
    Native,
    /// Little-endian (`<`).
    Little,
    /// Big-endian (`>` or `!`).
    Big,
}

impl ByteOrder {
    /// Whether items in this order are stored as the machine stores them.
    pub fn is_native(self) -> bool {
        match self {
            ByteOrder::Native => true,
            ByteOrder::Little => cfg!(target_endian = "little"),
            ByteOrder::Big => cfg!(target_endian = "big"),
        }
    }
}

/// One scalar type code of the grammar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Code {
    Char,
    I8,
    U8,
    Bool,
    Short,
    UShort,
    Int,
    UInt,
    Long,
    ULong,
    LongLong,
    ULongLong,
    SSize,
    Size,
    Pointer,
    Half,
    Float,
    Double,
    // PEP 3118 extensions.
    LongDouble,
    Ucs2,
    Ucs4,
    Object,
}

/// What kind of number a scalar code holds; typed views match on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Class {
    Signed,
    Unsigned,
    Float,
    Bool,
    Other,
}

impl Code {
    pub(crate) const fn from_char(c: u8) -> Option<Code> {
        Some(match c {
            b'c' => Code::Char,
            b'b' => Code::I8,
            b'B' => Code::U8,
            b'?' => Code::Bool,
            b'h' => Code::Short,
            b'H' => Code::UShort,
            b'i' => Code::Int,
            b'I' => Code::UInt,
            b'l' => Code::Long,
            b'L' => Code::ULong,
            b'q' => Code::LongLong,
            b'Q' => Code::ULongLong,
            b'n' => Code::SSize,
            b'N' => Code::Size,
            b'P' => Code::Pointer,
            b'e' => Code::Half,
            b'f' => Code::Float,
            b'd' => Code::Double,
            b'g' => Code::LongDouble,
            b'u' => Code::Ucs2,
            b'w' => Code::Ucs4,
            b'O' => Code::Object,
            _ => return None,
        })
    }

    pub(crate) const fn is_extension(self) -> bool {
        matches!(self, Code::LongDouble | Code::Ucs2 | Code::Ucs4 | Code::Object)
    }

    pub(crate) fn is_float(self) -> bool {
        matches!(self, Code::Half | Code::Float | Code::Double | Code::LongDouble)
    }

    pub(crate) fn class(self) -> Class {
        match self {
            Code::I8 | Code::Short | Code::Int | Code::Long | Code::LongLong | Code::SSize => Class::Signed,
            Code::Char | Code::U8 | Code::UShort | Code::UInt | Code::ULong | Code::ULongLong => Class::Unsigned,
            Code::Size | Code::Pointer => Class::Unsigned,
            Code::Half | Code::Float | Code::Double | Code::LongDouble => Class::Float,
            Code::Bool => Class::Bool,
            Code::Ucs2 | Code::Ucs4 | Code::Object => Class::Other,
        }
    }
}

/// A numeric item: its code, byte order and size in bytes (per part, for
/// complex numbers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Scalar {
    pub(crate) code: Code,
    pub(crate) order: ByteOrder,
    pub(crate) size: usize,
    pub(crate) complex: bool,
}

impl Scalar {
    /// The bytes of one value (both parts of a complex number).
    pub(crate) const fn bytes(&self) -> usize {
        if self.complex { self.size * 2 } else { self.size }
    }
}

/// One item of a format: `count` elements (the repeat count times the
/// sub-array shape) of `kind` starting `offset` bytes into the struct.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Field {
    pub(crate) offset: usize,
    pub(crate) count: usize,
    pub(crate) shape: Option<Vec<usize>>,
    pub(crate) kind: FieldKind,
    pub(crate) name: Option<Box<str>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum FieldKind {
    Scalar(Scalar),
    /// `x`: `count` pad bytes, no value.
    Pad,
    /// `s`: one bytes value of `count` bytes.
    Bytes,
    /// `p`: a Pascal string of `count` bytes in all.
    Pascal,
    /// `T{…}`.
    Record(Box<StructDef>),
}

/// A sequence of fields with its total size and alignment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StructDef {
    pub(crate) fields: Vec<Field>,
    pub(crate) size: usize,
    pub(crate) align: usize,
}

/// A parsed format string.
///
/// Cloning is cheap (no allocation for formats up to 22 bytes; a reference
/// count otherwise), so views can carry their format.
///
/// # Examples
///
/// ```
/// use memoryview::{Format, Value};
///
/// let f = Format::parse("<hd").unwrap();
/// assert_eq!(f.itemsize(), 10); // standard sizes, no alignment
/// let native = Format::parse("hd").unwrap();
/// assert_eq!(native.itemsize(), 16); // 'd' is aligned to 8
///
/// let values = f.unpack(&[1, 0, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f]).unwrap();
/// assert_eq!(values, vec![Value::Int(1), Value::Float(1.5)]);
/// ```
#[derive(Clone)]
pub struct Format {
    text: FormatText,
    def: Def,
}

#[derive(Clone, Debug)]
enum Def {
    /// Exactly one scalar (after an optional prefix), the common case.
    Scalar(Scalar),
    /// Anything else the grammar accepts.
    Compound(Arc<Compound>),
    /// Text that does not parse (kept for foreign buffers).
    Invalid(Arc<Error>),
}

#[derive(Debug)]
struct Compound {
    def: StructDef,
    extension_at: Option<usize>,
}

impl Format {
    /// Parses a struct-module or PEP 3118 format string.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidFormat`], with the byte [`position`](Error::position)
    /// and CPython's message (`"bad char in struct format"`, `"repeat count
    /// given without format specifier"`, `"total struct size too long"`,
    /// `"embedded null character"`) or one naming the PEP 3118 construct
    /// left open.
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::Format;
    ///
    /// assert_eq!(Format::parse("T{<d:x:<d:y:}").unwrap().itemsize(), 16);
    /// assert_eq!(Format::parse("(2,3)f").unwrap().itemsize(), 24);
    /// assert_eq!(Format::parse("2 h").unwrap_err().position(), Some(1));
    /// // A byte-order change after the start is PEP 3118, not struct syntax:
    /// assert!(!Format::parse(" <i").unwrap().is_struct_syntax());
    /// ```
    pub fn parse(text: &str) -> Result<Format> {
        if let Some(scalar) = parse::simple_scalar(text) {
            return Ok(Format { text: FormatText::new(text), def: Def::Scalar(scalar) });
        }
        let parsed = parse::parse(text, false)?;
        Ok(Format { text: FormatText::new(text), def: Def::from_parsed(parsed) })
    }

    /// A format for an exporter's text that keeps the text even if it does
    /// not parse.
    pub(crate) fn foreign(text: &str) -> Format {
        if let Some(scalar) = parse::simple_scalar(text) {
            return Format { text: FormatText::new(text), def: Def::Scalar(scalar) };
        }
        match parse::parse(text, false) {
            Ok(parsed) => Format { text: FormatText::new(text), def: Def::from_parsed(parsed) },
            Err(err) => Format { text: FormatText::new(text), def: Def::Invalid(Arc::new(err)) },
        }
    }

    /// The format of `T`'s items, `T::FORMAT`, as [`Format::foreign`] reads
    /// it. Views of `T` are made in inner loops, so single-scalar formats
    /// (those of every primitive [`Element`]) are built once, at compile
    /// time; only other formats (records, user types) are parsed here.
    #[inline]
    pub(crate) fn of<T: Element>() -> Format {
        match const { Format::simple_const(T::FORMAT) } {
            Some(format) => format,
            None => Format::foreign(T::FORMAT),
        }
    }

    /// [`Format::foreign`] for texts that are one scalar code with an
    /// optional prefix; `None` for any other text.
    const fn simple_const(text: &str) -> Option<Format> {
        let scalar = match parse::simple_scalar(text) {
            Some(scalar) => Some(scalar),
            None => parse::simple_complex(text),
        };
        match scalar {
            // Both accept only texts of at most three bytes, which
            // `FormatText::short` keeps inline.
            Some(scalar) => Some(Format { text: FormatText::short(text), def: Def::Scalar(scalar) }),
            None => None,
        }
    }

    /// The format of unsigned bytes, `"B"`.
    pub fn bytes() -> Format {
        Format::foreign("B")
    }

    /// The format string.
    pub fn as_str(&self) -> &str {
        self.text.as_str()
    }

    /// A pointer to the format text followed by a NUL byte, for
    /// `Py_buffer.format`; valid while `self` lives.
    pub fn as_c_ptr(&self) -> *const core::ffi::c_char {
        self.text.with_nul().as_ptr().cast()
    }

    /// The size of one item in bytes (`struct.calcsize`); 0 if the text
    /// does not parse (see [`Format::error`]).
    pub fn itemsize(&self) -> usize {
        match &self.def {
            Def::Scalar(s) => s.bytes(),
            Def::Compound(c) => c.def.size,
            Def::Invalid(_) => 0,
        }
    }

    /// The alignment of one item in native mode (1 in the standard modes).
    pub fn alignment(&self) -> usize {
        match &self.def {
            Def::Scalar(s) if s.order == ByteOrder::Native && self.is_aligned_mode() => s.size.max(1),
            Def::Scalar(_) => 1,
            Def::Compound(c) => c.def.align,
            Def::Invalid(_) => 1,
        }
    }

    /// Why the text does not parse, for formats taken from a foreign buffer;
    /// `None` for every format made by [`Format::parse`].
    pub fn error(&self) -> Option<&Error> {
        match &self.def {
            Def::Invalid(err) => Some(err),
            _ => None,
        }
    }

    /// Whether CPython's `struct` module accepts this text (no PEP 3118
    /// extension is used).
    pub fn is_struct_syntax(&self) -> bool {
        match &self.def {
            Def::Scalar(s) => !s.complex,
            Def::Compound(c) => c.extension_at.is_none(),
            Def::Invalid(_) => false,
        }
    }

    /// For formats that are one native code with an optional `'@'` (the
    /// formats memoryview's `tolist`, indexing and `cast` handle), that code.
    pub fn native_code(&self) -> Option<char> {
        let code = self.as_str().strip_prefix('@').unwrap_or(self.as_str());
        let mut chars = code.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if "cbBhHiIlLqQnNfd?Pe".contains(c) => Some(c),
            _ => None,
        }
    }

    /// The byte order of a single-scalar format; `None` for compound ones.
    pub fn byte_order(&self) -> Option<ByteOrder> {
        match &self.def {
            Def::Scalar(s) => Some(s.order),
            _ => None,
        }
    }

    /// The runs of this format's atoms (see the `canonical` module).
    pub(crate) fn runs(&self) -> canonical::Runs<'_> {
        match &self.def {
            Def::Scalar(s) => canonical::Runs::of_scalar(s),
            Def::Compound(c) => canonical::Runs::of_struct(&c.def),
            Def::Invalid(_) => canonical::Runs::unmatchable(),
        }
    }

    /// How this format's items relate to `other`'s: the same atoms in the
    /// same byte orders, the same atoms with some in the other byte order
    /// (each such stretch is given to `on_swap`), or different ones.
    pub(crate) fn relate(&self, other: &Format, on_swap: impl FnMut(canonical::Swap)) -> canonical::Relation {
        if self.itemsize() != other.itemsize() {
            return canonical::Relation::Different;
        }
        canonical::relate(self.runs(), other.runs(), on_swap)
    }

    /// Whether the bytes `offset..offset + other.itemsize()` of this
    /// format's items hold exactly what `other` describes (a field of a
    /// record): the same atoms, none of them cut by the window's ends.
    pub(crate) fn window_equivalent(&self, offset: usize, other: &Format) -> bool {
        let Some(end) = offset.checked_add(other.itemsize()).filter(|&end| end <= self.itemsize()) else {
            return false;
        };
        let window = canonical::Window::new(self.runs(), offset, end);
        canonical::relate(window, other.runs(), |_| ()) == canonical::Relation::Same
    }

    /// Whether items of this format and of `other` are the same values laid
    /// out the same way, so that one Rust type reads both. Typed views
    /// ([`BufferView::typed`](crate::BufferView::typed)) accept a buffer
    /// whose format is equivalent to the element's `FORMAT`.
    ///
    /// The rule: each format is reduced to its itemsize and its *atoms*,
    /// the scalars it holds, each with
    ///
    /// - its byte offset in the item;
    /// - its kind: signed integer, unsigned integer, float, complex, bool,
    ///   character (`u`, `w`) or Pascal string (`p`);
    /// - its size in bytes (per part for complex numbers);
    /// - its byte order as this machine sees it: as stored natively, or
    ///   swapped (one-byte atoms have no order).
    ///
    /// Two formats are equivalent when their itemsizes and atoms are equal.
    /// Nothing else counts:
    ///
    /// - field names are labels (`T{d:x:d:y:}` = `T{d:a:d:b:}` = `T{dd}`);
    /// - record boundaries are not bytes (`T{T{d}d}` = `2d`);
    /// - counts, repeated codes and sub-array shapes give the same atoms
    ///   (`3B` = `BBB` = `(3)B`; `(2,3)h` = `6h`);
    /// - padding is a gap, however it is written (`bxxxi` = `b3xi` = `bi`
    ///   in native mode, where `i` is aligned to 4; `T{ib}` = `ib3x`);
    /// - prefixes and codes that give the same sizes and order are the same
    ///   (`<d` = `=d` = `@d` on a little-endian machine; `l` = `q` = `n`
    ///   where all are 8 bytes; `<l` = `i`);
    /// - `c` and each byte of `s` are unsigned bytes, like `B`.
    ///
    /// These differ: another itemsize (`dx` is 9 bytes, `T{dx}` 16), an
    /// atom at another offset (`=bd` against `bd`), another kind (`B` and
    /// `b`, `?` and `B`, `e` and `H`, `Zf` and `2f`), another size (`i`
    /// and `q`), another byte order (`>d` and `d`). A format that does not
    /// parse, or that holds Python objects (`O`), is equivalent to nothing,
    /// not even itself; so is one whose comparison would take more than
    /// 2^22 steps (counts, shapes and runs of bytes cost one step each, but
    /// a repeated record one per repetition: `1000000000000T{bi}` holds a
    /// trillion records).
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::Format;
    ///
    /// let f = |text| Format::parse(text).unwrap();
    /// // What NumPy, ctypes and a hand-written format say of one C struct
    /// // { double x; double y; } (ctypes writes '<' on a little-endian
    /// // machine, where it is the native order):
    /// # if cfg!(target_endian = "little") {
    /// assert!(f("T{d:x:d:y:}").equivalent(&f("T{<d:x:<d:y:}")));
    /// # }
    /// assert!(f("T{d:x:d:y:}").equivalent(&f("2d")));
    /// // { uint32_t id; double x; } with its padding spelled out or not:
    /// assert!(f("T{I:id:xxxxd:x:}").equivalent(&f("Id")));
    /// assert!(f("3B").equivalent(&f("BBB")));
    /// assert!(!f("=Id").equivalent(&f("Id"))); // x at offset 4, not 8
    /// assert!(!f(">d").equivalent(&f("d")));
    /// assert!(!f("Zf").equivalent(&f("2f")));
    /// ```
    pub fn equivalent(&self, other: &Format) -> bool {
        self.relate(other, |_| ()) == canonical::Relation::Same
    }

    #[cfg(test)]
    pub(crate) fn scalar(&self) -> Option<&Scalar> {
        match &self.def {
            Def::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The one number each item holds: for single-scalar formats (a lone
    /// `Zd` or `Zf` among them) and for one scalar behind an extension such
    /// as a `^` prefix. (For `Display`'s float digits, and the Python
    /// bridge's DLPack types and item packing.)
    pub(crate) fn single_scalar(&self) -> Option<&Scalar> {
        match &self.def {
            Def::Scalar(s) => Some(s),
            Def::Compound(c) => match c.def.fields.as_slice() {
                [Field { kind: FieldKind::Scalar(s), count: 1, shape: None, name: None, .. }] => Some(s),
                _ => None,
            },
            Def::Invalid(_) => None,
        }
    }

    fn is_aligned_mode(&self) -> bool {
        !matches!(self.as_str().as_bytes().first(), Some(b'=' | b'<' | b'>' | b'!' | b'^'))
    }

    /// Whether `self` and `other` have the same text less a leading `@`
    /// (the test of CPython's `memoryview` assignment). Every copy between
    /// views asks this, so identical texts are settled first, without a
    /// call to `memcmp`.
    pub(crate) fn same_structure(&self, other: &Format) -> bool {
        self.text.identical(&other.text) || self.without_native_prefix() == other.without_native_prefix()
    }

    /// The format's text without one leading `'@'`, as bytes: CPython's
    /// slice assignment compares formats this way. (Bytes: no UTF-8 check
    /// on every assignment.)
    pub(crate) fn without_native_prefix(&self) -> &[u8] {
        let with_nul = self.text.with_nul();
        let text = &with_nul[..with_nul.len() - 1];
        text.strip_prefix(b"@").unwrap_or(text)
    }

    /// Fails unless `bytes` holds a whole item.
    fn check_len(&self, bytes: &[u8]) -> Result<()> {
        if let Def::Invalid(err) = &self.def {
            return Err((**err).clone());
        }
        if bytes.len() < self.itemsize() {
            return Err(Error::new(
                ErrorKind::LengthMismatch,
                format!("format '{}' needs {} bytes, got {}", self.as_str(), self.itemsize(), bytes.len()),
            ));
        }
        Ok(())
    }

    /// Decodes one item like `struct.unpack`: one value per member (a
    /// count of 3 gives 3 values; `s` and `p` give one bytes value; `x`
    /// gives none; records give a [`Value::Tuple`]; sub-arrays a nested
    /// [`Value::List`]).
    ///
    /// Only the first [`itemsize`](Format::itemsize) bytes are read: an
    /// exporter's itemsize may be larger than the format's (CPython's rule 2).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidFormat`] if the format did not parse;
    /// [`ErrorKind::LengthMismatch`] if `bytes` is shorter than the itemsize;
    /// [`ErrorKind::Unsupported`] for `O` (object pointers).
    pub fn unpack(&self, bytes: &[u8]) -> Result<Vec<Value>> {
        self.check_len(bytes)?;
        match &self.def {
            Def::Scalar(s) => Ok(vec![value::scalar(s, bytes)?]),
            Def::Compound(c) => value::unpack_struct(&c.def, bytes),
            Def::Invalid(_) => Ok(Vec::new()),
        }
    }

    /// Decodes one item into a single value: the value itself for
    /// single-member formats, a [`Value::Tuple`] of the members otherwise
    /// (the `struct_tolist` convention).
    ///
    /// # Errors
    ///
    /// As [`Format::unpack`].
    pub fn decode(&self, bytes: &[u8]) -> Result<Value> {
        if let Def::Scalar(s) = &self.def {
            self.check_len(bytes)?;
            return value::scalar(s, bytes);
        }
        let mut values = self.unpack(bytes)?;
        if values.len() == 1 { Ok(values.remove(0)) } else { Ok(Value::Tuple(values)) }
    }
}

impl Def {
    fn from_parsed(parsed: parse::Parsed) -> Def {
        let def = parsed.def;
        if let [field] = def.fields.as_slice()
            && let (FieldKind::Scalar(s), 1, None, None) = (&field.kind, field.count, &field.shape, &field.name)
            // A lone complex number is an extension (so never struct syntax)
            // but still one scalar; other extensions make a compound.
            && (parsed.extension_at.is_none() || s.complex)
        {
            return Def::Scalar(*s);
        }
        Def::Compound(Arc::new(Compound { def, extension_at: parsed.extension_at }))
    }
}

impl PartialEq for Format {
    /// Formats are equal when their texts are.
    fn eq(&self, other: &Format) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Format {}

impl fmt::Debug for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Format({:?})", self.as_str())
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `PyBuffer_SizeFromFormat`: the itemsize of a struct-module format
/// (`struct.calcsize`).
///
/// Unlike [`Format::parse`], this refuses the PEP 3118 extensions, as
/// CPython does.
///
/// # Errors
///
/// [`ErrorKind::InvalidFormat`] with CPython's message and the byte
/// position.
///
/// # Examples
///
/// ```
/// use memoryview::size_from_format;
///
/// assert_eq!(size_from_format("@bl").unwrap(), 16);
/// assert_eq!(size_from_format("<bl").unwrap(), 5);
/// assert_eq!(size_from_format("ic0i").unwrap(), 8);
/// assert!(size_from_format("T{i}").is_err());
/// ```
pub fn size_from_format(text: &str) -> Result<usize> {
    if let Some(scalar) = parse::simple_scalar(text) {
        return Ok(scalar.size);
    }
    let parsed = parse::parse(text, true)?;
    Ok(parsed.def.size)
}

#[cfg(test)]
mod tests;
