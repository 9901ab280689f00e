//! Portable line tiles: plain loads and stores of whole items. The
//! fallback without the `simd` feature and under Miri, and the reference
//! the vector kernels are tested against. (16-byte items are one vector
//! each: their "tiles" are one destination row of four items.)

use super::LineTile;

macro_rules! scalar_tile {
    ($name:ident, $item:ty, $k:expr) => {
        /// Line tile for items of this size, item by item.
        pub(crate) struct $name;

        impl LineTile for $name {
            const K: usize = $k;
            const W: usize = 64 / size_of::<$item>();

            unsafe fn tile<const STREAM: bool, const EXTRA: usize>(
                src: *const u8,
                src_row: isize,
                dst: *mut u8,
                dst_row: isize,
                shift: &[usize],
            ) {
                const ES: isize = size_of::<$item>() as isize;
                for r in 0..Self::K {
                    let first = if EXTRA == 0 { 0 } else { shift[r] * Self::K };
                    for c in first..first + Self::W {
                        let (r, c) = (r as isize, c as isize);
                        // SAFETY: item (c, r) of the tile, readable and
                        // writable by the caller's contract.
                        unsafe {
                            let v = src.wrapping_offset(c * src_row + r * ES).cast::<$item>().read_unaligned();
                            dst.wrapping_offset(r * dst_row + c * ES).cast::<$item>().write_unaligned(v);
                        }
                    }
                }
            }

            unsafe fn block(src: *const u8, src_row: isize, dst: *mut u8, dst_row: isize) {
                const ES: isize = size_of::<$item>() as isize;
                for r in 0..Self::K as isize {
                    for c in 0..Self::K as isize {
                        // SAFETY: item (c, r) of the block (caller).
                        unsafe {
                            let v = src.wrapping_offset(c * src_row + r * ES).cast::<$item>().read_unaligned();
                            dst.wrapping_offset(r * dst_row + c * ES).cast::<$item>().write_unaligned(v);
                        }
                    }
                }
            }
        }
    };
}

scalar_tile!(Tile1, u8, 16);
scalar_tile!(Tile2, u16, 8);
scalar_tile!(Tile4, u32, 4);
scalar_tile!(Tile8, u64, 2);
scalar_tile!(Tile16, u128, 1);

/// Copies `n` bytes (the portable twin of the vector module's streaming
/// copy).
///
/// # Safety
///
/// `src` readable and `dst` writable for `n` bytes, not overlapping.
pub(crate) unsafe fn stream_copy(dst: *mut u8, src: *const u8, n: usize) {
    // SAFETY: forwarded from the caller.
    unsafe { std::ptr::copy_nonoverlapping(src, dst, n) };
}
