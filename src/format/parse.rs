//! The format-string parser: the struct module's grammar as CPython 3.11
//! reads it, plus the PEP 3118 extensions NumPy and ctypes emit.
//!
//! Struct grammar: an optional byte-order prefix (`@ = < > !`, first
//! character only), then items `[count]code`, with whitespace allowed
//! between items but not between a count and its code. Native mode (`@` or
//! no prefix) aligns each item to its C alignment and uses the platform's C
//! sizes; the standard modes use fixed sizes and no alignment. There is no
//! trailing padding (`"ic"` is 5 bytes).
//!
//! PEP 3118 extensions: `T{…}` records (aligned like a C struct in native
//! mode, trailing padding included), `:name:` after an item, `(2,3)`
//! sub-array shapes, `Zf`/`Zd`/`Zg` complex numbers, `g` (long double),
//! `u`/`w` (UCS-2/UCS-4 characters), `O` (object pointer), a `^` prefix
//! (native sizes, no alignment) and byte-order characters in the middle of
//! a format. Where PEP 3118 leaves the meaning open, the parser follows
//! NumPy's (`_dtype_from_pep3118`), the reader NumPy's own exports are
//! written for: a byte-order character inside a record stays in force after
//! the record closes, and a record is placed (aligned or not) by the mode in
//! force after it. The parser records where the first extension appears, so that
//! [`size_from_format`](crate::format::size_from_format) can refuse them
//! exactly as CPython's `struct.calcsize` does.
#![forbid(unsafe_code)]
#![deny(clippy::arithmetic_side_effects, clippy::as_conversions)]

use super::{ByteOrder, Code, Field, FieldKind, MAX_NESTING, Scalar, StructDef};
use crate::error::{Error, ErrorKind, Result};
use core::ffi::{c_long, c_longlong, c_short};
use core::mem::{align_of, size_of};

/// How a section of a format sizes and aligns its items.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Mode {
    order: ByteOrder,
    native_sizes: bool,
    pub(super) aligned: bool,
}

impl Mode {
    pub(super) const NATIVE: Mode = Mode { order: ByteOrder::Native, native_sizes: true, aligned: true };

    /// `const` so that element formats can be built at compile time (see
    /// `Format::of`).
    pub(super) const fn from_prefix(c: u8) -> Option<Mode> {
        const fn standard(order: ByteOrder) -> Mode {
            Mode { order, native_sizes: false, aligned: false }
        }
        match c {
            b'@' => Some(Mode::NATIVE),
            b'=' => Some(standard(ByteOrder::Native)),
            b'<' => Some(standard(ByteOrder::Little)),
            b'>' | b'!' => Some(standard(ByteOrder::Big)),
            b'^' => Some(Mode { order: ByteOrder::Native, native_sizes: true, aligned: false }),
            _ => None,
        }
    }
}

/// What parsing a whole format string produced.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub(crate) def: StructDef,
    /// Byte position of the first PEP 3118 extension, if any.
    pub(crate) extension_at: Option<usize>,
}

fn bad_char(position: usize) -> Error {
    Error::new(ErrorKind::InvalidFormat, "bad char in struct format").at(position)
}

fn too_long(position: usize) -> Error {
    Error::new(ErrorKind::InvalidFormat, "total struct size too long").at(position)
}

/// The common case without allocating: an optional struct prefix and one
/// scalar code (`"d"`, `"<i"`, `"@B"`). `None` for anything else.
///
/// `const` (hence the `match`es instead of `?`) so that the formats of
/// element types can be built at compile time.
pub(crate) const fn simple_scalar(text: &str) -> Option<Scalar> {
    let (mode, code) = match *text.as_bytes() {
        [code] => (Mode::NATIVE, code),
        [prefix @ (b'@' | b'=' | b'<' | b'>' | b'!'), code] => match Mode::from_prefix(prefix) {
            Some(mode) => (mode, code),
            None => return None,
        },
        _ => return None,
    };
    let code = match Code::from_char(code) {
        Some(code) if !code.is_extension() => code,
        _ => return None,
    };
    match scalar_size(code, mode) {
        Some((size, _)) => Some(Scalar { code, order: mode.order, size, complex: false }),
        None => None,
    }
}

/// One complex number with an optional struct prefix (`"Zf"`, `"<Zd"`), for
/// element formats built at compile time; `None` for any other text.
pub(crate) const fn simple_complex(text: &str) -> Option<Scalar> {
    let (mode, part) = match *text.as_bytes() {
        [b'Z', part] => (Mode::NATIVE, part),
        [prefix @ (b'@' | b'=' | b'<' | b'>' | b'!'), b'Z', part] => match Mode::from_prefix(prefix) {
            Some(mode) => (mode, part),
            None => return None,
        },
        _ => return None,
    };
    let code = match Code::from_char(part) {
        Some(code @ (Code::Half | Code::Float | Code::Double | Code::LongDouble)) => code,
        _ => return None,
    };
    match scalar_size(code, mode) {
        Some((size, _)) => Some(Scalar { code, order: mode.order, size, complex: true }),
        None => None,
    }
}

/// Parses a whole format string. With `strict`, the PEP 3118 extensions
/// are refused where they appear, as CPython's `struct` module refuses
/// them ("bad char in struct format").
pub(crate) fn parse(text: &str, strict: bool) -> Result<Parsed> {
    let bytes = text.as_bytes();
    if strict && let Some(at) = bytes.iter().position(|b| !b.is_ascii()) {
        // CPython encodes the format as ASCII before parsing it.
        return Err(bad_char(at));
    }
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        return Err(Error::new(ErrorKind::InvalidFormat, "embedded null character").at(nul));
    }
    let mut parser = Parser { text: bytes, pos: 0, extension_at: None, strict, depth: 0 };
    let mut mode = Mode::NATIVE;
    if let Some(&first) = bytes.first()
        && let Some(prefix) = Mode::from_prefix(first)
    {
        if first == b'^' {
            parser.extension(0)?;
        }
        mode = prefix;
        parser.pos = 1;
    }
    let (def, _) = parser.items(mode, false)?;
    Ok(Parsed { def, extension_at: parser.extension_at })
}

struct Parser<'s> {
    text: &'s [u8],
    pos: usize,
    extension_at: Option<usize>,
    strict: bool,
    /// How deep the values decoded at the cursor nest: one level per
    /// enclosing `T{` record and per dimension of an enclosing sub-array
    /// shape. At most `MAX_NESTING`.
    depth: usize,
}

impl Parser<'_> {
    /// Notes a PEP 3118 extension at `position` (an error when strict).
    fn extension(&mut self, position: usize) -> Result<()> {
        if self.strict {
            return Err(bad_char(position));
        }
        self.extension_at.get_or_insert(position);
        Ok(())
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.pos = self.pos.saturating_add(1);
        Some(c)
    }

    /// Items up to the end of the text, or up to the `}` closing a record,
    /// and the mode in force after them.
    ///
    /// A byte-order character inside a record stays in force after the
    /// record closes, as in NumPy (`_dtype_from_pep3118`), whose exports
    /// rely on it: a packed dtype of `{u1, {u1, f8}, f8}` is exported as
    /// `T{B:a:T{B:c:=d:d:}:b:d:e:}`, 23 bytes, the last `d` unaligned.
    fn items(&mut self, mut mode: Mode, in_record: bool) -> Result<(StructDef, Mode)> {
        let mut fields: Vec<Field> = Vec::new();
        let mut size: usize = 0;
        let mut align: usize = 1;
        let mut shape: Option<Vec<usize>> = None;
        loop {
            let start = self.pos;
            let Some(c) = self.peek() else {
                if in_record {
                    return Err(Error::new(ErrorKind::InvalidFormat, "'T{' is never closed").at(start));
                }
                break;
            };
            if c.is_ascii_whitespace() || c == 0x0b {
                self.pos = self.pos.saturating_add(1);
                continue;
            }
            if c == b'}' {
                if !in_record {
                    return Err(bad_char(start));
                }
                self.pos = self.pos.saturating_add(1);
                break;
            }
            if let Some(switch) = Mode::from_prefix(c) {
                // A byte-order change after the first character: PEP 3118.
                self.extension(start)?;
                mode = switch;
                self.pos = self.pos.saturating_add(1);
                continue;
            }
            if c == b':' {
                self.extension(start)?;
                let name = self.field_name()?;
                let last = fields.last_mut().ok_or_else(|| {
                    Error::new(ErrorKind::InvalidFormat, "a field name must follow an item").at(start)
                })?;
                last.name = Some(name.into());
                continue;
            }
            if c == b'(' {
                // A sub-array shape applies to the next item (a byte-order
                // character may come between them).
                self.extension(start)?;
                shape = Some(self.sub_array_shape()?);
                continue;
            }
            let count_at = self.pos;
            let count = self.count()?;
            let Some(code_char) = self.bump() else {
                return Err(
                    Error::new(ErrorKind::InvalidFormat, "repeat count given without format specifier").at(count_at)
                );
            };
            let code_at = self.pos.saturating_sub(1);
            let shape = shape.take();
            let sub_array_dims = shape.as_ref().map_or(0, Vec::len);
            let (kind, item_size, item_align) = self.item(code_char, code_at, &mut mode, sub_array_dims)?;
            if shape.is_some() && count == Some(0) {
                return Err(
                    Error::new(ErrorKind::InvalidFormat, "a sub-array item needs a positive count").at(count_at)
                );
            }
            let elements = match &shape {
                Some(dims) => dims
                    .iter()
                    .try_fold(count.unwrap_or(1), |acc, &d| acc.checked_mul(d))
                    .ok_or_else(|| too_long(code_at))?,
                None => count.unwrap_or(1),
            };
            // As in NumPy, a record is placed by the mode in force after it.
            if mode.aligned && item_align > 1 {
                size = size.checked_next_multiple_of(item_align).ok_or_else(|| too_long(code_at))?;
                align = align.max(item_align);
            }
            let offset = size;
            let bytes = elements.checked_mul(item_size).ok_or_else(|| too_long(code_at))?;
            size = size.checked_add(bytes).filter(|&s| isize::try_from(s).is_ok()).ok_or_else(|| too_long(code_at))?;
            fields.push(Field { offset, count: elements, shape, kind, name: None });
        }
        if shape.is_some() {
            return Err(Error::new(ErrorKind::InvalidFormat, "sub-array shape without an item").at(self.pos));
        }
        if in_record && mode.aligned {
            // A record is a C struct: padded to a multiple of its alignment.
            size = size.checked_next_multiple_of(align).ok_or_else(|| too_long(self.pos))?;
        }
        Ok((StructDef { fields, size, align }, mode))
    }

    /// The nesting depth `levels` below `depth`, or the error for a format
    /// nested deeper than [`MAX_NESTING`] (reported at `at`).
    fn nested(&self, depth: usize, levels: usize, at: usize) -> Result<usize> {
        depth.checked_add(levels).filter(|&d| d <= MAX_NESTING).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidFormat,
                format!("format nested more than {MAX_NESTING} deep (records and sub-array dimensions)"),
            )
            .at(at)
        })
    }

    /// An optional decimal repeat count.
    fn count(&mut self) -> Result<Option<usize>> {
        let start = self.pos;
        let mut value: Option<usize> = None;
        while let Some(c) = self.peek().filter(u8::is_ascii_digit) {
            let digit = usize::from(c.wrapping_sub(b'0'));
            let next = value
                .unwrap_or(0)
                .checked_mul(10)
                .and_then(|v| v.checked_add(digit))
                .filter(|&v| isize::try_from(v).is_ok())
                .ok_or_else(|| too_long(start))?;
            value = Some(next);
            self.pos = self.pos.saturating_add(1);
        }
        Ok(value)
    }

    /// `(d0,d1,…)` before an item.
    fn sub_array_shape(&mut self) -> Result<Vec<usize>> {
        let open = self.pos;
        self.pos = self.pos.saturating_add(1);
        let mut dims = Vec::new();
        loop {
            while self.peek() == Some(b' ') {
                self.pos = self.pos.saturating_add(1);
            }
            let at = self.pos;
            let Some(d) = self.count()? else {
                return Err(Error::new(ErrorKind::InvalidFormat, "expected a number in a sub-array shape").at(at));
            };
            if d == 0 {
                // A zero extent would let an empty item decode into any
                // number of empty lists.
                return Err(Error::new(ErrorKind::InvalidFormat, "sub-array extents must be positive").at(at));
            }
            dims.push(d);
            self.nested(self.depth, dims.len(), open)?;
            while self.peek() == Some(b' ') {
                self.pos = self.pos.saturating_add(1);
            }
            match self.bump() {
                Some(b',') => continue,
                Some(b')') => return Ok(dims),
                _ => {
                    return Err(Error::new(ErrorKind::InvalidFormat, "sub-array shape is never closed").at(open));
                }
            }
        }
    }

    /// `:name:`, the cursor on the first colon.
    fn field_name(&mut self) -> Result<String> {
        let open = self.pos;
        let rest = &self.text[open.saturating_add(1)..];
        let len = rest
            .iter()
            .position(|&b| b == b':')
            .ok_or_else(|| Error::new(ErrorKind::InvalidFormat, "field name is never closed").at(open))?;
        let name = String::from_utf8_lossy(&rest[..len]).into_owned();
        self.pos = open.saturating_add(len).saturating_add(2);
        Ok(name)
    }

    /// The kind, size and alignment of the item `code`, read in `mode`,
    /// which becomes the mode in force after the item (a record may
    /// change it). `sub_array_dims` is the number of dimensions of the
    /// sub-array shape before the item (0 if none): a record's values nest
    /// inside them.
    fn item(
        &mut self,
        code: u8,
        at: usize,
        mode: &mut Mode,
        sub_array_dims: usize,
    ) -> Result<(FieldKind, usize, usize)> {
        match code {
            b'T' => {
                if self.bump() != Some(b'{') {
                    return Err(bad_char(at));
                }
                self.extension(at)?;
                // The parser recurses once per record, and decoding,
                // comparison and drop recurse once per level of the
                // values: a bound keeps every one of them off the end of
                // the stack.
                let outer = self.depth;
                self.depth = self.nested(outer, sub_array_dims.saturating_add(1), at)?;
                let (record, after) = self.items(*mode, true)?;
                *mode = after;
                self.depth = outer;
                if record.size == 0 {
                    // Every decoded value then consumes at least one byte,
                    // which keeps decoding proportional to the input.
                    return Err(Error::new(ErrorKind::InvalidFormat, "a record must hold at least one byte").at(at));
                }
                let (size, align) = (record.size, record.align);
                Ok((FieldKind::Record(Box::new(record)), size, align))
            }
            b'Z' => {
                self.extension(at)?;
                let part_at = self.pos;
                let part = self.bump().ok_or_else(|| bad_char(part_at))?;
                let code = Code::from_char(part).filter(|c| c.is_float()).ok_or_else(|| bad_char(part_at))?;
                let (size, align) = scalar_size(code, *mode).ok_or_else(|| bad_char(part_at))?;
                let scalar = Scalar { code, order: mode.order, size, complex: true };
                let double = size.checked_mul(2).ok_or_else(|| too_long(at))?;
                Ok((FieldKind::Scalar(scalar), double, align))
            }
            b'x' => Ok((FieldKind::Pad, 1, 1)),
            b's' => Ok((FieldKind::Bytes, 1, 1)),
            b'p' => Ok((FieldKind::Pascal, 1, 1)),
            _ => {
                let code = Code::from_char(code).ok_or_else(|| bad_char(at))?;
                if code.is_extension() {
                    self.extension(at)?;
                }
                let (size, align) = scalar_size(code, *mode).ok_or_else(|| bad_char(at))?;
                Ok((FieldKind::Scalar(Scalar { code, order: mode.order, size, complex: false }), size, align))
            }
        }
    }
}

/// Size and alignment of a scalar code in a mode; `None` where the code
/// does not exist (`n`, `N`, `P`, `g`, `O` have no standard size).
pub(super) const fn scalar_size(code: Code, mode: Mode) -> Option<(usize, usize)> {
    // A function, not a closure: this runs in `const` contexts.
    const fn aligned(mode: Mode, size: usize, align: usize) -> Option<(usize, usize)> {
        Some((size, if mode.aligned { align } else { 1 }))
    }
    if mode.native_sizes {
        match code {
            Code::Char | Code::I8 | Code::U8 | Code::Bool => aligned(mode, 1, 1),
            Code::Short | Code::UShort => aligned(mode, size_of::<c_short>(), align_of::<c_short>()),
            Code::Int | Code::UInt => aligned(mode, size_of::<i32>(), align_of::<i32>()),
            Code::Long | Code::ULong => aligned(mode, size_of::<c_long>(), align_of::<c_long>()),
            Code::LongLong | Code::ULongLong => aligned(mode, size_of::<c_longlong>(), align_of::<c_longlong>()),
            Code::SSize | Code::Size => aligned(mode, size_of::<usize>(), align_of::<usize>()),
            Code::Pointer | Code::Object => aligned(mode, size_of::<*const u8>(), align_of::<*const u8>()),
            Code::Half => aligned(mode, 2, 2),
            Code::Float => aligned(mode, 4, align_of::<f32>()),
            Code::Double => aligned(mode, 8, align_of::<f64>()),
            // x86-64 System V: 80-bit extended precision stored in 16 bytes.
            Code::LongDouble => aligned(mode, 16, 16),
            Code::Ucs2 => aligned(mode, 2, 2),
            Code::Ucs4 => aligned(mode, 4, 4),
        }
    } else {
        let size = match code {
            Code::Char | Code::I8 | Code::U8 | Code::Bool => 1,
            Code::Short | Code::UShort | Code::Half | Code::Ucs2 => 2,
            Code::Int | Code::UInt | Code::Long | Code::ULong | Code::Float | Code::Ucs4 => 4,
            Code::LongLong | Code::ULongLong | Code::Double => 8,
            Code::SSize | Code::Size | Code::Pointer | Code::Object | Code::LongDouble => return None,
        };
        Some((size, 1))
    }
}
