//! 256-bit kernels, for CPUs with AVX2 but not AVX-512BW (chosen at run
//! time; [`super::avx512`] runs its 512-bit forms where it can and this
//! module's otherwise).
//!
//! [`Avx2`] wraps a 128-bit kernel and adds 256-bit line tiles and two
//! column kernels:
//! - square tiles of 8-byte items ([`super::square`]): each 8 x 8 tile
//!   loads the 32-byte halves of its 8 source lines, one half after the
//!   other, transposes each half in two 4 x 4 transposes
//!   ([`transpose_4x4`]), and stores each destination line as two
//!   consecutive 32-byte stores. (For 4-byte items, 16 x 16 tiles made of
//!   8 x 8 transposes measured mixed against the line tiles, with the
//!   512-bit paths switched off on the Intel machine, three runs each:
//!   256³ (2, 1, 0) 0.78 -> 1.0 of memcpy, (1, 2, 0) 0.96 -> 1.1, but
//!   (2, 0, 1) 1.0 -> 0.75, and loading the whole tile before storing it
//!   was slower still; so 4-byte items keep the line tiles here.)
//! - the staged byte column, in the same four passes as the 512-bit
//!   [`staged_column`] (`super::avx512`): pass `g` reads source rows
//!   `16g..16g + 16` in 32-byte halves, transposes each 16 x 16 byte block
//!   lane by lane and parks it; a last pass joins the four 16-byte
//!   quarters of every destination line two at a time (`vperm2i128`) and
//!   streams the line out as two 32-byte stores. Without it, a byte
//!   transpose on such a CPU reads its 64 source rows at once, more
//!   streams than the prefetchers follow.
//!
//! Line tiles of 2-, 4- and 8-byte items run with the blocks in pairs
//! ([`line_tile`]): half the transposes, two stores per line, and rows
//! shifted by an even number of blocks need no shuffle at all. Measured
//! with the 512-bit paths switched off on the Intel machine (three runs
//! each), against the 128-bit tiles: f32 3000x5000, whose destination
//! rows are shifted by two blocks every other row, 0.70 -> 0.80 of memcpy;
//! u16 4096² 0.67 -> 0.86; the other cases level. (Bytes keep the 128-bit
//! tiles, under the staged column: a pair of their 16-row blocks would
//! not fit the 16 registers.)
//!
//! [`staged_column`]: super::avx512

use super::square::{self, SquareTile};
use super::{Column, LineTile, Seams};
use core::arch::x86_64::{
    __m128i, __m256i, _mm_loadu_si128, _mm256_castsi128_si256, _mm256_inserti128_si256, _mm256_loadu_si256,
    _mm256_permute2x128_si256, _mm256_setzero_si256, _mm256_storeu_si256, _mm256_stream_si256, _mm256_unpackhi_epi8,
    _mm256_unpackhi_epi16, _mm256_unpackhi_epi32, _mm256_unpackhi_epi64, _mm256_unpacklo_epi8, _mm256_unpacklo_epi16,
    _mm256_unpacklo_epi32, _mm256_unpacklo_epi64,
};
use std::marker::PhantomData;

/// The line tile `T` with 256-bit column kernels where the CPU has AVX2.
pub(crate) struct Avx2<T>(PhantomData<T>);

impl<T: LineTile> LineTile for Avx2<T> {
    const K: usize = T::K;
    const W: usize = T::W;

    #[inline(always)]
    unsafe fn tile<const STREAM: bool, const EXTRA: usize>(
        src: *const u8,
        src_row: isize,
        dst: *mut u8,
        dst_row: isize,
        shift: &[usize],
    ) {
        if (T::K == 2 || T::K == 4 || T::K == 8) && available() {
            // SAFETY: AVX2 is present (just checked); the rest is the
            // caller's contract, for items of 16 / K bytes.
            unsafe {
                match T::K {
                    2 => line_tile::<8, STREAM, EXTRA>(src, src_row, dst, dst_row, shift),
                    4 => line_tile::<4, STREAM, EXTRA>(src, src_row, dst, dst_row, shift),
                    _ => line_tile::<2, STREAM, EXTRA>(src, src_row, dst, dst_row, shift),
                }
            }
        } else {
            // SAFETY: forwarded from the caller.
            unsafe { T::tile::<STREAM, EXTRA>(src, src_row, dst, dst_row, shift) }
        }
    }

    /// 8-byte items, on CPUs with AVX2.
    #[inline(always)]
    fn square_columns() -> bool {
        T::K == 2 && available()
    }

    #[inline(always)]
    unsafe fn column<const STREAM: bool>(column: Column) -> usize {
        let k = T::K;
        if Self::square_columns() {
            // SAFETY: AVX2 is present (`square_columns`); the rest is the
            // caller's contract, for 8-byte items (K = 2).
            return unsafe { square_column::<STREAM>(column) };
        }
        let Column { src, src_row, dst, dst_row, rows, blocks } = column;
        let quads = super::staged_quads::<T, STREAM>(rows, blocks);
        if quads > 0 && available() {
            // SAFETY: AVX2 is present (just checked); the rows are the
            // caller's, whose destination lines are streamed, so start at
            // lines.
            unsafe { byte_column(src, src_row, dst, dst_row, quads) };
            return quads * 4 * k;
        }
        // SAFETY: forwarded from the caller.
        unsafe { T::column::<STREAM>(column) }
    }

    #[inline(always)]
    unsafe fn seams<const STREAM: bool>(seams: Seams) -> usize {
        if !Self::square_columns() {
            // SAFETY: forwarded from the caller.
            return unsafe { T::seams::<STREAM>(seams) };
        }
        // SAFETY: AVX2 is present (`square_columns`); the rest is the
        // caller's contract, for 8-byte items (K = 2).
        unsafe { seam_column::<STREAM>(seams) }
    }

    #[inline(always)]
    unsafe fn block(src: *const u8, src_row: isize, dst: *mut u8, dst_row: isize) {
        // SAFETY: forwarded from the caller.
        unsafe { T::block(src, src_row, dst, dst_row) }
    }
}

/// [`super::stream::stream_lines`] with two 256-bit streaming stores per
/// line.
///
/// # Safety
///
/// As [`super::stream::stream_lines`], on a CPU with AVX2.
#[target_feature(enable = "avx2")]
pub(crate) unsafe fn stream_lines(dst: *mut u8, src: *const u8, len: usize) {
    // SAFETY: forwarded from the caller; each call streams one aligned
    // line that the caller's range contains (AVX2 is present).
    unsafe {
        super::stream::stream_lines(dst, src, len, |d, s| {
            let halves = [_mm256_loadu_si256(s.cast()), _mm256_loadu_si256(s.wrapping_add(32).cast())];
            store_line::<true>(d, halves);
        });
    }
}

/// [`square::column`] with 256-bit square tiles of 8-byte items.
///
/// Measured with the 512-bit paths switched off on the Intel machine
/// (`examples/compare`, three runs each), against the 128-bit line tiles:
/// f64 4096² 0.76–0.85 of memcpy -> 0.91–0.93, f64 3000x5000 0.76 ->
/// 0.86.
///
/// # Safety
///
/// The CPU has AVX2; the contract of [`LineTile::column`] holds for
/// `K = 2`.
#[target_feature(enable = "avx2")]
unsafe fn square_column<const STREAM: bool>(column: Column) -> usize {
    // SAFETY: forwarded from the caller; AVX2 is present.
    unsafe { square::column::<Square256, 8, STREAM>(column) }
}

/// [`square::seams`] with 256-bit square tiles of 8-byte items.
///
/// # Safety
///
/// The CPU has AVX2; the contract of [`LineTile::seams`] holds for
/// `K = 2`.
#[target_feature(enable = "avx2")]
unsafe fn seam_column<const STREAM: bool>(seams: Seams) -> usize {
    // SAFETY: forwarded from the caller; AVX2 is present.
    unsafe { square::seams::<Square256, 8, STREAM>(seams) }
}

/// The 256-bit square tile, for the shared loops (8-byte items only).
struct Square256;

impl SquareTile for Square256 {
    #[inline(always)]
    unsafe fn tile<const ES: usize, const STREAM: bool>(inputs: &[*const u8; 16], dst: *mut u8, dst_row: isize) {
        const { assert!(ES == 8, "the 256-bit square tiles are for 8-byte items") };
        // SAFETY: forwarded from the caller (who has checked AVX2).
        unsafe { square_tile::<STREAM>(inputs, dst, dst_row) }
    }
}

/// One 8 x 8 square tile of 8-byte items in two halves: half `j` loads
/// bytes `32j..32j + 32` of each input, which hold items `4j..4j + 4`, and
/// makes destination lines `4j..4j + 4`: the first 32 bytes of each from
/// inputs `0..4`, the second from inputs `4..8`.
///
/// # Safety
///
/// As [`SquareTile::tile`] for `ES = 8`, on a CPU with AVX2.
#[inline]
#[target_feature(enable = "avx2")]
unsafe fn square_tile<const STREAM: bool>(inputs: &[*const u8; 16], dst: *mut u8, dst_row: isize) {
    let z = _mm256_setzero_si256();
    for j in 0..2 {
        let (mut first, mut second) = ([z; 4], [z; 4]);
        for c in 0..4 {
            // SAFETY: 64 readable bytes at each input (caller).
            unsafe {
                first[c] = _mm256_loadu_si256(inputs[c].wrapping_add(32 * j).cast());
                second[c] = _mm256_loadu_si256(inputs[4 + c].wrapping_add(32 * j).cast());
            }
        }
        let (first, second) = (transpose_4x4(first), transpose_4x4(second));
        for r in 0..4 {
            let to = dst.wrapping_offset((4 * j + r) as isize * dst_row);
            // SAFETY: 64 writable bytes at each destination line, aligned
            // when streamed (caller).
            unsafe { store_line::<STREAM>(to, [first[r], second[r]]) };
        }
    }
}

/// A 4 x 4 transpose of 64-bit items: output `r` holds item `r` of the
/// four inputs. The 2 x 2 blocks are transposed in each 128-bit lane
/// (`unpack`), after which output `r` of rows `0..2` (and of rows `2..4`)
/// holds item `r` in its low lane and item `2 + r` in its high lane;
/// `vperm2i128` joins them.
#[inline]
#[target_feature(enable = "avx2")]
fn transpose_4x4(x: [__m256i; 4]) -> [__m256i; 4] {
    let (low, high) = (transpose64([x[0], x[1]]), transpose64([x[2], x[3]]));
    [
        _mm256_permute2x128_si256::<0x20>(low[0], high[0]),
        _mm256_permute2x128_si256::<0x20>(low[1], high[1]),
        _mm256_permute2x128_si256::<0x31>(low[0], high[0]),
        _mm256_permute2x128_si256::<0x31>(low[1], high[1]),
    ]
}

/// One line tile of `ES`-byte items (2, 4 or 8; `K = 16 / ES`), as
/// [`LineTile::tile`], with the blocks in pairs: vector `r` of pair `p`
/// holds row `r` of block `2p` in its low lane and of block `2p + 1` in its
/// high lane, so one in-lane transpose turns two blocks, and a destination
/// row that starts at block `b` is pairs `b / 2` and `b / 2 + 1` when `b`
/// is even, two `vperm2i128` of three pairs when it is odd.
///
/// # Safety
///
/// The CPU has AVX2, `ES` is 2, 4 or 8, and the contract of
/// [`LineTile::tile`] holds.
#[target_feature(enable = "avx2")]
unsafe fn line_tile<const ES: usize, const STREAM: bool, const EXTRA: usize>(
    src: *const u8,
    src_row: isize,
    dst: *mut u8,
    dst_row: isize,
    shift: &[usize],
) {
    let k = 16 / ES;
    let blocks = 4 + EXTRA;
    let z = _mm256_setzero_si256();
    let mut pairs = [[z; 8]; 4];
    for (p, pair) in pairs.iter_mut().enumerate().take(blocks.div_ceil(2)) {
        let mut rows = [z; 8];
        for (r, row) in rows.iter_mut().enumerate().take(k) {
            let at = |b: usize| src.wrapping_offset((b * k + r) as isize * src_row).cast::<__m128i>();
            // SAFETY: source row bK + r, items 0..K, of the tile's blocks
            // b < 4 + EXTRA only (caller).
            unsafe {
                let low = _mm256_castsi128_si256(_mm_loadu_si128(at(2 * p)));
                *row = if 2 * p + 1 < blocks {
                    _mm256_inserti128_si256::<1>(low, _mm_loadu_si128(at(2 * p + 1)))
                } else {
                    low
                };
            }
        }
        *pair = match ES {
            8 => {
                let t = transpose64([rows[0], rows[1]]);
                [t[0], t[1], z, z, z, z, z, z]
            }
            4 => {
                let t = transpose32([rows[0], rows[1], rows[2], rows[3]]);
                [t[0], t[1], t[2], t[3], z, z, z, z]
            }
            _ => transpose16(rows),
        };
    }
    for r in 0..k {
        let first = if EXTRA == 0 { 0 } else { shift[r] };
        let (a, b) = if first % 2 == 0 {
            (pairs[first / 2][r], pairs[first / 2 + 1][r])
        } else {
            let (p0, p1, p2) = (pairs[first / 2][r], pairs[first / 2 + 1][r], pairs[first / 2 + 2][r]);
            (_mm256_permute2x128_si256::<0x21>(p0, p1), _mm256_permute2x128_si256::<0x21>(p1, p2))
        };
        let to = dst.wrapping_offset(r as isize * dst_row).wrapping_add(first * 16);
        // SAFETY: destination row r, items first*K.. (64 bytes): writable,
        // and 64-byte aligned when streamed (caller).
        unsafe { store_line::<STREAM>(to, [a, b]) };
    }
}

/// Stores one 64-byte line as two 32-byte halves, one after the other,
/// with streaming stores if `STREAM`.
///
/// # Safety
///
/// The CPU has AVX2; `to` is writable for 64 bytes, and 64-byte aligned if
/// `STREAM` (the caller then fences before the data is read elsewhere).
#[inline]
#[target_feature(enable = "avx2")]
unsafe fn store_line<const STREAM: bool>(to: *mut u8, halves: [__m256i; 2]) {
    // SAFETY: as the caller guarantees.
    unsafe {
        if STREAM {
            _mm256_stream_si256(to.cast(), halves[0]);
            _mm256_stream_si256(to.wrapping_add(32).cast(), halves[1]);
        } else {
            _mm256_storeu_si256(to.cast(), halves[0]);
            _mm256_storeu_si256(to.wrapping_add(32).cast(), halves[1]);
        }
    }
}

/// 4 x 4 blocks of 32-bit items, lane by lane: pairs of rows interleaved,
/// then pairs of pairs.
#[inline]
#[target_feature(enable = "avx2")]
fn transpose32(x: [__m256i; 4]) -> [__m256i; 4] {
    let t = [
        _mm256_unpacklo_epi32(x[0], x[1]),
        _mm256_unpackhi_epi32(x[0], x[1]),
        _mm256_unpacklo_epi32(x[2], x[3]),
        _mm256_unpackhi_epi32(x[2], x[3]),
    ];
    [
        _mm256_unpacklo_epi64(t[0], t[2]),
        _mm256_unpackhi_epi64(t[0], t[2]),
        _mm256_unpacklo_epi64(t[1], t[3]),
        _mm256_unpackhi_epi64(t[1], t[3]),
    ]
}

/// 2 x 2 blocks of 64-bit items, lane by lane.
#[inline]
#[target_feature(enable = "avx2")]
fn transpose64(x: [__m256i; 2]) -> [__m256i; 2] {
    [_mm256_unpacklo_epi64(x[0], x[1]), _mm256_unpackhi_epi64(x[0], x[1])]
}

/// Whether this CPU runs the 256-bit column kernels.
#[inline]
pub(crate) fn available() -> bool {
    super::level::allows(super::level::SimdLevel::Avx2) && std::arch::is_x86_feature_detected!("avx2")
}

std::thread_local! {
    /// Each thread's staging area for [`byte_column`] (up to 256 KiB, kept
    /// between copies, as the 512-bit one).
    static STAGE: std::cell::Cell<Vec<__m256i>> = const { std::cell::Cell::new(Vec::new()) };
}

/// A column of byte line tiles, `64 * blocks` destination rows by one line,
/// in four passes over 16 source rows each.
///
/// # Safety
///
/// The CPU has AVX2. For `i < 64 * blocks` and `c < 64`: `src + c*src_row +
/// i` readable and `dst + i*dst_row + c` writable, the two disjoint; each
/// `dst + i*dst_row` is 64-byte aligned; the caller fences before the data
/// is read elsewhere.
pub(crate) unsafe fn byte_column(src: *const u8, src_row: isize, dst: *mut u8, dst_row: isize, blocks: usize) {
    STAGE.with(|cell| {
        let mut stage = cell.take();
        // SAFETY: forwarded from the caller.
        unsafe { staged(src, src_row, dst, dst_row, blocks, &mut stage) };
        cell.set(stage);
    });
}

/// [`byte_column`] with its stage.
///
/// # Safety
///
/// As [`byte_column`].
#[target_feature(enable = "avx2")]
unsafe fn staged(
    src: *const u8,
    src_row: isize,
    dst: *mut u8,
    dst_row: isize,
    blocks: usize,
    stage: &mut Vec<__m256i>,
) {
    // Block b, pass g, half h, vector r at ((4b + g)2 + h)16 + r.
    stage.resize(stage.len().max(128 * blocks), _mm256_setzero_si256());
    for g in 0..4 {
        for b in 0..blocks {
            for h in 0..2 {
                let mut x = [_mm256_setzero_si256(); 16];
                for (r, x) in x.iter_mut().enumerate() {
                    let at = src.wrapping_offset((16 * g + r) as isize * src_row).wrapping_add(64 * b + 32 * h);
                    // SAFETY: source row 16g + r, bytes 64b + 32h.. (32 of
                    // them): readable (caller).
                    *x = unsafe { _mm256_loadu_si256(at.cast()) };
                }
                // Lane l of output r: byte 32h + 16l + r of the 16 rows,
                // i.e. destination row 64b + 32h + 16l + r, columns
                // 16g..16g + 16.
                let at = ((4 * b + g) * 2 + h) * 16;
                stage[at..at + 16].copy_from_slice(&transpose8(x));
            }
        }
    }
    for b in 0..blocks {
        for h in 0..2 {
            for r in 0..16 {
                let quarter = |g: usize| stage[((4 * b + g) * 2 + h) * 16 + r];
                let (q0, q1, q2, q3) = (quarter(0), quarter(1), quarter(2), quarter(3));
                // Lane l of the quarters makes the line of row
                // 64b + 32h + 16l + r: low lanes (0x20), then high (0x31).
                let lines = [
                    [_mm256_permute2x128_si256::<0x20>(q0, q1), _mm256_permute2x128_si256::<0x20>(q2, q3)],
                    [_mm256_permute2x128_si256::<0x31>(q0, q1), _mm256_permute2x128_si256::<0x31>(q2, q3)],
                ];
                for (l, halves) in lines.into_iter().enumerate() {
                    let to = dst.wrapping_offset((64 * b + 32 * h + 16 * l + r) as isize * dst_row);
                    // SAFETY: destination row 64b + 32h + 16l + r, columns
                    // 0..64: writable and 64-byte aligned (caller).
                    unsafe { store_line::<true>(to, halves) };
                }
            }
        }
    }
}

super::lanes::in_lane_transposes!(
    __m256i,
    "avx2",
    _mm256_unpacklo_epi8,
    _mm256_unpackhi_epi8,
    _mm256_unpacklo_epi16,
    _mm256_unpackhi_epi16,
    _mm256_unpacklo_epi32,
    _mm256_unpackhi_epi32,
    _mm256_unpacklo_epi64,
    _mm256_unpackhi_epi64
);
