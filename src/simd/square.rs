//! The loops of the square tiles, shared by the 512-bit ([`super::avx512`])
//! and 256-bit ([`super::avx2`]) kernels.
//!
//! A square tile transposes `W x W` items of `ES` bytes (`W = 64 / ES`: 16 x
//! 16 for 4-byte items, 8 x 8 for 8-byte ones, 4 x 4 for 16-byte ones): it loads one 64-byte run of
//! each of `W` source rows and stores `W` whole destination lines, so that
//! each source line is read once, whole, and each destination line is
//! written at once (line tiles read 16 bytes of each source row per tile).
//! The same loops walk a column of such tiles ([`column()`]) or the seams
//! between neighbouring destination rows ([`seams`]); the kernels differ
//! only in the tile ([`SquareTile`]). The loops are always inlined into
//! the kernels' `#[target_feature]` functions, so the tile inlines too.

use super::{Column, Seams};

/// One square tile at some vector width.
pub(crate) trait SquareTile {
    /// Loads 64 bytes from each of `inputs[0..W]` and stores destination
    /// line `r` (item `r` of every input) at `dst + r*dst_row`, for
    /// `r < W` (`W = 64 / ES`, `ES` 4, 8 or 16).
    ///
    /// # Safety
    ///
    /// The CPU has the kernel's instruction set; `inputs[c]` readable and
    /// `dst + r*dst_row` writable for 64 bytes (for `c, r < W`), the two
    /// disjoint; if `STREAM`, each line is 64-byte aligned and the caller
    /// fences before the data is read elsewhere.
    unsafe fn tile<const ES: usize, const STREAM: bool>(inputs: &[*const u8; 16], dst: *mut u8, dst_row: isize);
}

/// A column of square tiles of `ES`-byte items for `blocks` neighbouring
/// column blocks (the contract of [`super::LineTile::column`]): tile `t`
/// of block `b` transposes source rows `W*b..W*b + W`, items
/// `W*t..W*t + W`, into destination rows `W*t..W*t + W`, items
/// `W*b..W*b + W`; a row's lines of the blocks are written one after the
/// other. Returns the rows done (`rows / W * W`).
///
/// # Safety
///
/// As [`SquareTile::tile`] for every tile: the contract of
/// [`super::LineTile::column`] for `K = 16 / ES`.
#[inline(always)]
pub(crate) unsafe fn column<Q: SquareTile, const ES: usize, const STREAM: bool>(column: Column) -> usize {
    let Column { src, src_row, dst, dst_row, rows, blocks } = column;
    let w = 64 / ES;
    let tiles = rows / w;
    for t in 0..tiles {
        for b in 0..blocks {
            let s = src.wrapping_offset((w * b) as isize * src_row).wrapping_add(64 * t);
            let inputs = std::array::from_fn(|c| s.wrapping_offset(c as isize * src_row));
            let d = dst.wrapping_offset((w * t) as isize * dst_row).wrapping_add(64 * b);
            // SAFETY: source rows w*b + c, items w*t..w*t + w, and
            // destination rows w*t + r, items w*b..w*b + w (caller).
            unsafe { Q::tile::<ES, STREAM>(&inputs, d, dst_row) };
        }
    }
    tiles * w
}

/// The seams of a transpose whose destination rows follow each other in
/// memory but do not start at cache lines (the contract of
/// [`super::LineTile::seams`]): the line that holds the last `tail` items
/// of destination row `s` and the first `W - tail` of row `s + 1`, for
/// `s < rows / W * W` (returned). Each seam tile is a square tile whose
/// first `tail` inputs come from one destination row before the others.
///
/// Without seams those lines are written in two parts with plain stores
/// (each read from memory first, a second time for the second part if it
/// was evicted in between): measured on the Intel machine, 256³ (0, 2, 1)
/// into a `Vec` (16 bytes past a line) ran at 0.74–0.80 of memcpy, into a
/// line-aligned buffer at 1.03–1.07.
///
/// # Safety
///
/// As [`SquareTile::tile`] for every seam: the contract of
/// [`super::LineTile::seams`] for `K = 16 / ES`.
#[inline(always)]
pub(crate) unsafe fn seams<Q: SquareTile, const ES: usize, const STREAM: bool>(seams: Seams) -> usize {
    let Seams { src_tail, src_head, src_row, tail, dst, dst_row, rows } = seams;
    let w = 64 / ES;
    let tiles = rows / w;
    for t in 0..tiles {
        let inputs = std::array::from_fn(|c| {
            let (base, row) = if c < tail { (src_tail, c) } else { (src_head, c - tail) };
            base.wrapping_offset(row as isize * src_row).wrapping_add(64 * t)
        });
        // SAFETY: seams w*t..w*t + w (caller).
        unsafe { Q::tile::<ES, STREAM>(&inputs, dst.wrapping_offset((w * t) as isize * dst_row), dst_row) };
    }
    tiles * w
}
