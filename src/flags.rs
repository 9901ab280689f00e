//! `BufferFlags`: what a consumer asks of an exporter (`PyBUF_*`).
#![forbid(unsafe_code)]

use std::fmt;
use std::ops::{BitOr, BitOrAssign};

/// A buffer request, with CPython's bit values.
///
/// Multi-bit flags include the flags they imply: [`STRIDES`](Self::STRIDES)
/// is `0x10 | ND`, [`C_CONTIGUOUS`](Self::C_CONTIGUOUS) is
/// `0x20 | STRIDES`, and so on. A flag counts as requested only if *all* of
/// its bits are set ([`contains`](Self::contains)).
///
/// # Examples
///
/// ```
/// use memoryview::BufferFlags;
///
/// let f = BufferFlags::C_CONTIGUOUS | BufferFlags::FORMAT;
/// assert!(f.contains(BufferFlags::STRIDES) && f.contains(BufferFlags::ND));
/// assert!(!f.contains(BufferFlags::INDIRECT));
/// assert_eq!(BufferFlags::FULL_RO.bits(), 0x11c);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct BufferFlags(u32);

impl BufferFlags {
    /// `PyBUF_SIMPLE`: a plain pointer and length.
    pub const SIMPLE: BufferFlags = BufferFlags(0);
    /// `PyBUF_WRITABLE`: the consumer will write.
    pub const WRITABLE: BufferFlags = BufferFlags(0x1);
    /// `PyBUF_FORMAT`: the consumer reads the format string.
    pub const FORMAT: BufferFlags = BufferFlags(0x4);
    /// `PyBUF_ND`: the consumer reads the shape (and assumes C order).
    pub const ND: BufferFlags = BufferFlags(0x8);
    /// `PyBUF_STRIDES`: the consumer reads the strides.
    pub const STRIDES: BufferFlags = BufferFlags(0x10 | 0x8);
    /// `PyBUF_C_CONTIGUOUS`: the buffer must be C-contiguous.
    pub const C_CONTIGUOUS: BufferFlags = BufferFlags(0x20 | 0x18);
    /// `PyBUF_F_CONTIGUOUS`: the buffer must be Fortran-contiguous.
    pub const F_CONTIGUOUS: BufferFlags = BufferFlags(0x40 | 0x18);
    /// `PyBUF_ANY_CONTIGUOUS`: the buffer must be C- or Fortran-contiguous.
    pub const ANY_CONTIGUOUS: BufferFlags = BufferFlags(0x80 | 0x18);
    /// `PyBUF_INDIRECT`: the consumer follows suboffsets.
    pub const INDIRECT: BufferFlags = BufferFlags(0x100 | 0x18);
    /// `PyBUF_CONTIG`: `ND | WRITABLE`.
    pub const CONTIG: BufferFlags = BufferFlags(0x9);
    /// `PyBUF_CONTIG_RO`: `ND`.
    pub const CONTIG_RO: BufferFlags = BufferFlags(0x8);
    /// `PyBUF_STRIDED`: `STRIDES | WRITABLE`.
    pub const STRIDED: BufferFlags = BufferFlags(0x19);
    /// `PyBUF_STRIDED_RO`: `STRIDES`.
    pub const STRIDED_RO: BufferFlags = BufferFlags(0x18);
    /// `PyBUF_RECORDS`: `STRIDES | WRITABLE | FORMAT`.
    pub const RECORDS: BufferFlags = BufferFlags(0x1d);
    /// `PyBUF_RECORDS_RO`: `STRIDES | FORMAT`.
    pub const RECORDS_RO: BufferFlags = BufferFlags(0x1c);
    /// `PyBUF_FULL`: `INDIRECT | WRITABLE | FORMAT`.
    pub const FULL: BufferFlags = BufferFlags(0x11d);
    /// `PyBUF_FULL_RO`: `INDIRECT | FORMAT` (what `memoryview(obj)` asks).
    pub const FULL_RO: BufferFlags = BufferFlags(0x11c);

    /// The flags with these bits (unknown bits are kept and ignored).
    pub const fn from_bits(bits: u32) -> BufferFlags {
        BufferFlags(bits)
    }

    /// The bits, as CPython would pass them.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Whether every bit of `other` is set: `other` is requested.
    pub const fn contains(self, other: BufferFlags) -> bool {
        self.0 & other.0 == other.0
    }
}

impl BitOr for BufferFlags {
    type Output = BufferFlags;
    fn bitor(self, other: BufferFlags) -> BufferFlags {
        BufferFlags(self.0 | other.0)
    }
}

impl BitOrAssign for BufferFlags {
    fn bitor_assign(&mut self, other: BufferFlags) {
        self.0 |= other.0;
    }
}

impl fmt::Debug for BufferFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const NAMES: [(BufferFlags, &str); 8] = [
            (BufferFlags::INDIRECT, "INDIRECT"),
            (BufferFlags::C_CONTIGUOUS, "C_CONTIGUOUS"),
            (BufferFlags::F_CONTIGUOUS, "F_CONTIGUOUS"),
            (BufferFlags::ANY_CONTIGUOUS, "ANY_CONTIGUOUS"),
            (BufferFlags::STRIDES, "STRIDES"),
            (BufferFlags::ND, "ND"),
            (BufferFlags::FORMAT, "FORMAT"),
            (BufferFlags::WRITABLE, "WRITABLE"),
        ];
        // Name each flag not implied by one already named.
        let mut covered = 0;
        let mut names = Vec::new();
        for (flag, name) in NAMES {
            if self.contains(flag) && flag.0 & !covered != 0 {
                covered |= flag.0;
                names.push(name);
            }
        }
        if names.is_empty() {
            names.push("SIMPLE");
        }
        write!(f, "BufferFlags({})", names.join(" | "))?;
        if self.0 & !covered != 0 {
            write!(f, " + {:#x}", self.0 & !covered)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpython_bit_values() {
        let values = [
            (BufferFlags::SIMPLE, 0),
            (BufferFlags::WRITABLE, 0x1),
            (BufferFlags::FORMAT, 0x4),
            (BufferFlags::ND, 0x8),
            (BufferFlags::STRIDES, 0x18),
            (BufferFlags::C_CONTIGUOUS, 0x38),
            (BufferFlags::F_CONTIGUOUS, 0x58),
            (BufferFlags::ANY_CONTIGUOUS, 0x98),
            (BufferFlags::INDIRECT, 0x118),
            (BufferFlags::CONTIG, 0x9),
            (BufferFlags::CONTIG_RO, 0x8),
            (BufferFlags::STRIDED, 0x19),
            (BufferFlags::STRIDED_RO, 0x18),
            (BufferFlags::RECORDS, 0x1d),
            (BufferFlags::RECORDS_RO, 0x1c),
            (BufferFlags::FULL, 0x11d),
            (BufferFlags::FULL_RO, 0x11c),
        ];
        for (flag, bits) in values {
            assert_eq!(flag.bits(), bits);
        }
    }

    #[test]
    fn debug_names() {
        assert_eq!(format!("{:?}", BufferFlags::FULL), "BufferFlags(INDIRECT | FORMAT | WRITABLE)");
        assert_eq!(format!("{:?}", BufferFlags::SIMPLE), "BufferFlags(SIMPLE)");
        assert_eq!(format!("{:?}", BufferFlags::from_bits(0x200)), "BufferFlags(SIMPLE) + 0x200");
    }
}
