//! Numeric conversion of items while copying: the one core behind
//! [`BufferView::to_vec_as`](crate::BufferView::to_vec_as) and
//! [`MemoryView::to_vec_as`](crate::MemoryView::to_vec_as).
//!
//! Every value goes through `num_traits`' checked [`NumCast`]: integers
//! must fit, floats convert to integers by truncation toward zero and must
//! fit (NaN never does), integers convert to floats with rounding. One rule
//! is added: a finite value never becomes an infinity (`1e300` does not
//! fit an `f32`). A value that does not convert is an error naming its
//! index (in the order of the copy) and the value; nothing is lost
//! silently.
//!
//! Untyped buffers are decoded by their format's one scalar. The items are
//! first copied out packed (through the copy planner), then converted by a
//! loop specialised for the source type: a fixed-size load, a byte swap
//! where the format's order is not the machine's, and the cast.
#![forbid(unsafe_code)]

use crate::error::{Error, ErrorKind, Result};
use crate::format::Format;
use crate::format::canonical::{Kind, Run};
use crate::format::value::{extended_to_f64, half_to_f64};
use num_traits::{NumCast, ToPrimitive};
use std::fmt::Debug;

/// Converts each item to `U`; `first` is the index of the first item (for
/// the error).
pub(crate) fn cast_each<S, U>(items: impl IntoIterator<Item = S>, out: &mut Vec<U>, first: usize) -> Result<()>
where
    S: ToPrimitive + Debug + Copy,
    U: NumCast,
{
    for (k, item) in items.into_iter().enumerate() {
        match <U as NumCast>::from(item) {
            Some(value) if !became_infinite(&item, &value) => out.push(value),
            _ => return Err(does_not_fit::<S, U>(first.saturating_add(k), item)),
        }
    }
    Ok(())
}

/// Whether a finite number turned into an infinity.
#[inline]
fn became_infinite<S: ToPrimitive, U: ToPrimitive>(from: &S, to: &U) -> bool {
    to.to_f64().is_some_and(f64::is_infinite) && from.to_f64().is_some_and(f64::is_finite)
}

#[cold]
fn does_not_fit<S: Debug, U>(index: usize, value: S) -> Error {
    Error::new(
        ErrorKind::InvalidValue,
        format!("item {index} ({value:?}) does not fit in {}", std::any::type_name::<U>()),
    )
}

/// A number type stored in a buffer: how to read one from its bytes.
trait Source: ToPrimitive + Debug + Copy {
    const SIZE: usize;
    fn read(bytes: &[u8], swapped: bool) -> Self;
}

macro_rules! integer_sources {
    ($($ty:ty),*) => {$(
        impl Source for $ty {
            const SIZE: usize = size_of::<$ty>();
            #[inline(always)]
            fn read(bytes: &[u8], swapped: bool) -> $ty {
                let mut raw = [0; size_of::<$ty>()];
                raw.copy_from_slice(bytes);
                let value = <$ty>::from_ne_bytes(raw);
                if swapped { value.swap_bytes() } else { value }
            }
        }
    )*};
}

integer_sources!(i8, u8, i16, u16, i32, u32, i64, u64);

impl Source for f32 {
    const SIZE: usize = 4;
    #[inline(always)]
    fn read(bytes: &[u8], swapped: bool) -> f32 {
        f32::from_bits(u32::read(bytes, swapped))
    }
}

impl Source for f64 {
    const SIZE: usize = 8;
    #[inline(always)]
    fn read(bytes: &[u8], swapped: bool) -> f64 {
        f64::from_bits(u64::read(bytes, swapped))
    }
}

/// `?`: any nonzero byte is true, as `struct.unpack` reads it.
#[derive(Clone, Copy)]
struct BoolByte(u8);

impl Source for BoolByte {
    const SIZE: usize = 1;
    #[inline(always)]
    fn read(bytes: &[u8], _: bool) -> BoolByte {
        BoolByte(<u8 as From<bool>>::from(bytes[0] != 0))
    }
}

impl ToPrimitive for BoolByte {
    fn to_i64(&self) -> Option<i64> {
        Some(<i64 as From<u8>>::from(self.0))
    }
    fn to_u64(&self) -> Option<u64> {
        Some(<u64 as From<u8>>::from(self.0))
    }
}

impl Debug for BoolByte {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0 != 0 { "True" } else { "False" })
    }
}

/// `e`: read as the `f64` it is exactly.
#[derive(Clone, Copy)]
struct Half(f64);

impl Source for Half {
    const SIZE: usize = 2;
    #[inline(always)]
    fn read(bytes: &[u8], swapped: bool) -> Half {
        Half(half_to_f64(u16::read(bytes, swapped)))
    }
}

/// `g` (x87 extended precision in 16 bytes): rounded to the nearest `f64`.
#[derive(Clone, Copy)]
struct Extended(f64);

impl Source for Extended {
    const SIZE: usize = 16;
    #[inline(always)]
    fn read(bytes: &[u8], swapped: bool) -> Extended {
        let mut raw = [0; 16];
        raw.copy_from_slice(bytes);
        let bits = u128::from_ne_bytes(raw);
        Extended(extended_to_f64(if swapped { bits.swap_bytes() } else { bits }))
    }
}

macro_rules! float_wrapper {
    ($($ty:ident),*) => {$(
        impl ToPrimitive for $ty {
            fn to_i64(&self) -> Option<i64> {
                self.0.to_i64()
            }
            fn to_u64(&self) -> Option<u64> {
                self.0.to_u64()
            }
            fn to_i128(&self) -> Option<i128> {
                self.0.to_i128()
            }
            fn to_u128(&self) -> Option<u128> {
                self.0.to_u128()
            }
            fn to_f32(&self) -> Option<f32> {
                self.0.to_f32()
            }
            fn to_f64(&self) -> Option<f64> {
                Some(self.0)
            }
        }

        impl Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                Debug::fmt(&self.0, f)
            }
        }
    )*};
}

float_wrapper!(Half, Extended);

/// Converts `packed` items (back to back, `itemsize` bytes each) of
/// `format` into `out`.
fn decode_with<S: Source, U: NumCast>(packed: &[u8], swapped: bool, out: &mut Vec<U>) -> Result<()> {
    cast_each(packed.chunks_exact(S::SIZE).map(|item| S::read(item, swapped)), out, 0)
}

/// The one numeric scalar that makes up each item of `format`, if it is
/// one: a run of one atom at offset 0 covering the whole item (`"d"`,
/// `"<i"`, `"T{d:x:}"`, `"(1)h"`).
fn lone_scalar(format: &Format) -> Result<Run> {
    let mut runs = format.runs();
    let refuse = |why: &str| {
        Error::new(
            ErrorKind::IncompatibleFormat,
            format!("format '{}' {why}; to_vec_as converts items of one number each", format.as_str()),
        )
    };
    if let Some(err) = format.error() {
        return Err(err.clone());
    }
    let run = match (runs.next(), runs.next()) {
        (Some(run), None) if run.count == 1 && run.offset == 0 => run,
        _ => return Err(refuse("holds more or less than one number")),
    };
    if run.size != format.itemsize() {
        return Err(refuse("has padding around its number"));
    }
    match run.kind {
        Kind::Signed | Kind::Unsigned | Kind::Float | Kind::Bool => Ok(run),
        Kind::Complex => Err(refuse("holds complex numbers")),
        Kind::Text | Kind::Pascal => Err(refuse("holds characters")),
    }
}

/// Decodes packed items of `format` into `U`s.
///
/// # Errors
///
/// [`ErrorKind::IncompatibleFormat`] unless each item is one real number
/// (a bool, integer or float of any size and byte order);
/// [`ErrorKind::InvalidValue`] for the first value that does not fit.
pub(crate) fn decode_as<U: NumCast>(format: &Format, packed: &[u8]) -> Result<Vec<U>> {
    let run = lone_scalar(format)?;
    let mut out = crate::copy::try_with_capacity(packed.len() / run.size.max(1))?;
    let swapped = run.swapped;
    match (run.kind, run.size) {
        (Kind::Bool, 1) => decode_with::<BoolByte, U>(packed, swapped, &mut out)?,
        (Kind::Signed, 1) => decode_with::<i8, U>(packed, swapped, &mut out)?,
        (Kind::Signed, 2) => decode_with::<i16, U>(packed, swapped, &mut out)?,
        (Kind::Signed, 4) => decode_with::<i32, U>(packed, swapped, &mut out)?,
        (Kind::Signed, 8) => decode_with::<i64, U>(packed, swapped, &mut out)?,
        (Kind::Unsigned, 1) => decode_with::<u8, U>(packed, swapped, &mut out)?,
        (Kind::Unsigned, 2) => decode_with::<u16, U>(packed, swapped, &mut out)?,
        (Kind::Unsigned, 4) => decode_with::<u32, U>(packed, swapped, &mut out)?,
        (Kind::Unsigned, 8) => decode_with::<u64, U>(packed, swapped, &mut out)?,
        (Kind::Float, 2) => decode_with::<Half, U>(packed, swapped, &mut out)?,
        (Kind::Float, 4) => decode_with::<f32, U>(packed, swapped, &mut out)?,
        (Kind::Float, 8) => decode_with::<f64, U>(packed, swapped, &mut out)?,
        (Kind::Float, 16) => decode_with::<Extended, U>(packed, swapped, &mut out)?,
        _ => {
            return Err(Error::new(
                ErrorKind::Unsupported,
                format!("no conversion from items of format '{}'", format.as_str()),
            ));
        }
    }
    Ok(out)
}
