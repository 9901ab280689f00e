//! `Value`: one decoded member of an item, and the decoder that produces it
//! from bytes as `struct.unpack` does.
//!
//! Equality between values follows Python's `==`, because CPython compares
//! buffers of different formats by unpacking them: `1 == 1.0`, `True == 1`,
//! `NaN != NaN`, `-0.0 == 0.0`, and bytes never equal numbers.
#![forbid(unsafe_code)]

use super::{ByteOrder, Class, Code, FieldKind, Scalar, StructDef};
use crate::error::{Error, ErrorKind, Result};

/// One decoded value, as Python's `struct.unpack` would return it.
///
/// # Examples
///
/// ```
/// use memoryview::{Format, Value};
///
/// let v = Format::parse(">d").unwrap().decode(&1.5f64.to_be_bytes()).unwrap();
/// assert_eq!(v, Value::Float(1.5));
/// assert_eq!(Value::Int(1), Value::Float(1.0)); // Python's 1 == 1.0
/// assert_ne!(Value::Float(f64::NAN), Value::Float(f64::NAN));
/// ```
#[derive(Clone, Debug)]
pub enum Value {
    /// `?`.
    Bool(bool),
    /// Every integer code, and `P` (a pointer, as an address).
    Int(i128),
    /// `e`, `f`, `d` and `g`, widened to `f64`.
    Float(f64),
    /// `Zf`, `Zd`, `Zg`.
    Complex {
        /// Real part.
        re: f64,
        /// Imaginary part.
        im: f64,
    },
    /// `c` (one byte), `s` and `p`.
    Bytes(Vec<u8>),
    /// `u` and `w`: a UCS-2 or UCS-4 code unit.
    Char(u32),
    /// A record (`T{…}`): its members.
    Tuple(Vec<Value>),
    /// A sub-array (`(2,3)d`): nested lists, one level per dimension.
    List(Vec<Value>),
}

impl Value {
    /// The value as an integer, for `Int` and `Bool`.
    pub fn as_int(&self) -> Option<i128> {
        match *self {
            Value::Int(i) => Some(i),
            Value::Bool(b) => Some(i128::from(b)),
            _ => None,
        }
    }

    /// The value as a float, for `Float`, `Int` and `Bool`.
    pub fn as_float(&self) -> Option<f64> {
        match *self {
            Value::Float(f) => Some(f),
            // Python's float(int): rounds to nearest.
            Value::Int(i) => Some(i as f64),
            Value::Bool(b) => Some(f64::from(u8::from(b))),
            _ => None,
        }
    }

    /// A real number's exact value, for the numeric comparisons.
    fn real(&self) -> Option<Real> {
        match *self {
            Value::Bool(b) => Some(Real::Int(i128::from(b))),
            Value::Int(i) => Some(Real::Int(i)),
            Value::Float(f) => Some(Real::Float(f)),
            _ => None,
        }
    }
}

#[derive(Clone, Copy)]
enum Real {
    Int(i128),
    Float(f64),
}

impl Real {
    /// Python's exact `int == float` and friends.
    fn equals(self, other: Real) -> bool {
        match (self, other) {
            (Real::Int(a), Real::Int(b)) => a == b,
            (Real::Float(a), Real::Float(b)) => a == b,
            (Real::Int(i), Real::Float(f)) | (Real::Float(f), Real::Int(i)) => int_equals_float(i, f),
        }
    }
}

/// `i == f` without rounding: only integral floats in i128 range can match.
fn int_equals_float(i: i128, f: f64) -> bool {
    // 2^127 is exactly representable; every integral float below it in
    // magnitude converts to i128 exactly.
    const LIMIT: f64 = 170_141_183_460_469_231_731_687_303_715_884_105_728.0;
    f.is_finite() && f.fract() == 0.0 && f.abs() < LIMIT && f as i128 == i
}

impl PartialEq for Value {
    /// Python's `==` (see the module docs).
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Bytes(a), Value::Bytes(b)) => a == b,
            (Value::Char(a), Value::Char(b)) => a == b,
            (Value::Tuple(a), Value::Tuple(b)) | (Value::List(a), Value::List(b)) => a == b,
            (Value::Complex { re: a, im: b }, Value::Complex { re: c, im: d }) => a == c && b == d,
            (Value::Complex { re, im }, x) | (x, Value::Complex { re, im }) => {
                *im == 0.0 && x.real().is_some_and(|r| r.equals(Real::Float(*re)))
            }
            (a, b) => match (a.real(), b.real()) {
                (Some(a), Some(b)) => a.equals(b),
                _ => false,
            },
        }
    }
}

/// Reads `size` bytes (at most 16) as an unsigned integer in `order`.
fn read_bits(bytes: &[u8], size: usize, order: ByteOrder) -> u128 {
    let mut buf = [0u8; 16];
    let src = &bytes[..size];
    let little = match order {
        ByteOrder::Little => true,
        ByteOrder::Big => false,
        ByteOrder::Native => cfg!(target_endian = "little"),
    };
    if little {
        buf[..size].copy_from_slice(src);
    } else {
        for (dst, &b) in buf[..size].iter_mut().zip(src.iter().rev()) {
            *dst = b;
        }
    }
    u128::from_le_bytes(buf)
}

/// Decodes one scalar member (both parts, for a complex number).
pub(crate) fn scalar(s: &Scalar, bytes: &[u8]) -> Result<Value> {
    if s.complex {
        let re = float(s, &bytes[..s.size]);
        let im = float(s, &bytes[s.size..s.size * 2]);
        return Ok(Value::Complex { re, im });
    }
    let bits = read_bits(bytes, s.size, s.order);
    Ok(match (s.code, s.code.class()) {
        (Code::Char, _) => Value::Bytes(vec![bytes[0]]),
        (Code::Ucs2 | Code::Ucs4, _) => Value::Char(bits as u32),
        (Code::Object, _) => {
            return Err(Error::new(ErrorKind::Unsupported, "format 'O' holds Python objects, which cannot be decoded"));
        }
        (_, Class::Bool) => Value::Bool(bits != 0),
        (_, Class::Float) => Value::Float(float(s, bytes)),
        (_, Class::Signed) => {
            // Sign-extend from `size` bytes.
            let unused = 128 - 8 * s.size as u32;
            Value::Int(((bits << unused) as i128) >> unused)
        }
        (_, Class::Unsigned | Class::Other) => Value::Int(bits as i128),
    })
}

fn float(s: &Scalar, bytes: &[u8]) -> f64 {
    let bits = read_bits(bytes, s.size, s.order);
    match s.code {
        Code::Half => half_to_f64(bits as u16),
        Code::Float => f64::from(f32::from_bits(bits as u32)),
        Code::LongDouble => extended_to_f64(bits),
        _ => f64::from_bits(bits as u64),
    }
}

/// 2^e exactly, for -1022 <= e <= 1023 (`powi` is not guaranteed exact).
fn pow2(e: i32) -> f64 {
    debug_assert!((-1022..=1023).contains(&e));
    f64::from_bits(((e + 1023) as u64) << 52)
}

/// IEEE 754 binary16 to f64 (exact).
pub(crate) fn half_to_f64(h: u16) -> f64 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exponent = i32::from((h >> 10) & 0x1f);
    let fraction = f64::from(h & 0x3ff);
    match exponent {
        0 => sign * fraction * pow2(-24),
        31 if fraction == 0.0 => sign * f64::INFINITY,
        31 => f64::NAN.copysign(sign),
        _ => sign * (1.0 + fraction / 1024.0) * pow2(exponent - 15),
    }
}

/// x87 80-bit extended precision (in the low 10 bytes) to f64, rounding
/// to nearest.
pub(crate) fn extended_to_f64(bits: u128) -> f64 {
    let mantissa = bits as u64;
    let exponent = ((bits >> 64) & 0x7fff) as i32;
    let sign = if (bits >> 79) & 1 != 0 { -1.0 } else { 1.0 };
    if exponent == 0x7fff {
        return if mantissa << 1 == 0 { sign * f64::INFINITY } else { f64::NAN.copysign(sign) };
    }
    let mut scale = exponent.max(1) - 16383 - 63;
    let mut value = mantissa as f64;
    while scale > 1000 {
        value *= pow2(1000);
        scale -= 1000;
    }
    while scale < -1000 {
        value *= pow2(-1000);
        scale += 1000;
    }
    sign * value * pow2(scale)
}

/// Decodes every member of a struct (see [`Format::unpack`](super::Format::unpack)).
pub(crate) fn unpack_struct(def: &StructDef, bytes: &[u8]) -> Result<Vec<Value>> {
    let mut values = Vec::with_capacity(def.fields.len());
    for field in &def.fields {
        let at = &bytes[field.offset..];
        let elements = match &field.kind {
            FieldKind::Pad => continue,
            FieldKind::Bytes => {
                values.push(Value::Bytes(at[..field.count].to_vec()));
                continue;
            }
            FieldKind::Pascal => {
                // The first byte is the length, capped at count - 1; a
                // zero-width Pascal string is empty (newer CPython; 3.11
                // raises SystemError).
                let bytes = match field.count {
                    0 => Vec::new(),
                    n => at[1..1 + usize::from(at[0]).min(n - 1)].to_vec(),
                };
                values.push(Value::Bytes(bytes));
                continue;
            }
            FieldKind::Scalar(s) => {
                let size = if s.complex { s.size * 2 } else { s.size };
                (0..field.count).map(|k| scalar(s, &at[k * size..])).collect::<Result<Vec<_>>>()?
            }
            FieldKind::Record(inner) => {
                // A plain loop: through `collect` each nesting level took
                // four frames (about 900 bytes of stack), and 64 levels
                // nearly filled a 64 KiB thread.
                let mut records = Vec::with_capacity(field.count);
                for k in 0..field.count {
                    records.push(Value::Tuple(unpack_struct(inner, &at[k * inner.size..])?));
                }
                records
            }
        };
        match &field.shape {
            None => values.extend(elements),
            Some(shape) => values.push(nest(&mut elements.into_iter(), shape)),
        }
    }
    Ok(values)
}

/// Groups a flat sequence into nested lists of `shape` (also used for a
/// view's `to_list`).
pub(crate) fn nest(flat: &mut impl Iterator<Item = Value>, shape: &[usize]) -> Value {
    match shape.split_first() {
        None => flat.next().unwrap_or(Value::Tuple(Vec::new())),
        Some((&n, [])) => Value::List(flat.take(n).collect()),
        Some((&n, rest)) => Value::List((0..n).map(|_| nest(flat, rest)).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_precision() {
        assert_eq!(half_to_f64(0x3c00), 1.0);
        assert_eq!(half_to_f64(0xc000), -2.0);
        assert_eq!(half_to_f64(0x0001), 1.0 / 16_777_216.0);
        assert_eq!(half_to_f64(0x7bff), 65504.0);
        assert!(half_to_f64(0x7e00).is_nan());
        assert_eq!(half_to_f64(0xfc00), f64::NEG_INFINITY);
    }

    #[test]
    fn extended_precision() {
        // 1.0: exponent 16383, mantissa with the explicit integer bit.
        let one = (16383u128 << 64) | (1u128 << 63);
        assert_eq!(extended_to_f64(one), 1.0);
        assert_eq!(extended_to_f64(one | (1 << 79)), -1.0);
        assert_eq!(extended_to_f64(0), 0.0);
        assert_eq!(extended_to_f64(0x7fff << 64 | 1 << 63), f64::INFINITY);
    }

    #[test]
    fn python_equality() {
        assert_eq!(Value::Bool(true), Value::Int(1));
        assert_eq!(Value::Float(-0.0), Value::Int(0));
        assert_ne!(Value::Int((1 << 53) + 1), Value::Float(9007199254740992.0));
        assert_ne!(Value::Bytes(b"a".to_vec()), Value::Int(97));
        assert_eq!(Value::Complex { re: 2.0, im: 0.0 }, Value::Int(2));
        assert_ne!(Value::Tuple(vec![Value::Int(1)]), Value::List(vec![Value::Int(1)]));
        assert_ne!(Value::Int(i128::MAX), Value::Float(1.7e38));
    }
}
