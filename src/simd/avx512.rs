//! 512-bit line tiles, chosen at run time on CPUs with AVX-512BW.
//!
//! `wide` fixes its instruction set when the crate is compiled, and the
//! default x86-64 build gets SSE2. There a line tile costs `W / K` separate
//! `K x K` transposes, and the four vectors of each destination line are
//! only complete at the end, so the byte and 16-bit tiles keep their
//! results on the stack. With 512-bit registers the four blocks travel
//! together: vector `r` holds source rows `r`, `K + r`, `2K + r` and
//! `3K + r` in its four 128-bit lanes, one in-lane transpose (the same
//! interleaves as the 128-bit kernels) turns the four blocks at once, and
//! output vector `r` *is* destination row `r`'s whole line: one store, no
//! spills, a quarter of the shuffles. (Measured on the 4096² byte
//! transpose: see docs/performance.md.)
//!
//! [`Avx512`] wraps a kernel: it runs the 512-bit tile when the CPU has
//! AVX-512BW (detected once, then a cached flag), and the wrapped kernel
//! otherwise (the 256-bit column kernels of [`super::avx2`] over the
//! 128-bit tiles). Rows shifted by whole vectors (destination rows a
//! multiple of 16 but not of 64 bytes apart) take a second set of blocks
//! and one `valignq` per row. Whole unshifted columns go faster still:
//! 4- and 8-byte items through [`square_column`], whose square tiles load
//! each source line once, whole ([`super::square`]), and large byte
//! transposes through [`staged_column`], which reads 16 source rows at a
//! time instead of 64. The module also holds the 512-bit line copy of the
//! streaming copies ([`stream_lines`]).

use super::square::{self, SquareTile};
use super::{CarriedRows, Column, LineTile, Seams};
use core::arch::x86_64::{
    __m512i, _mm_loadu_si128, _mm512_alignr_epi64, _mm512_castsi128_si512, _mm512_inserti32x4, _mm512_loadu_si512,
    _mm512_setzero_si512, _mm512_shuffle_i64x2, _mm512_storeu_si512, _mm512_stream_si512, _mm512_unpackhi_epi8,
    _mm512_unpackhi_epi16, _mm512_unpackhi_epi32, _mm512_unpackhi_epi64, _mm512_unpacklo_epi8, _mm512_unpacklo_epi16,
    _mm512_unpacklo_epi32, _mm512_unpacklo_epi64,
};
use std::marker::PhantomData;

/// The line tile `T`, run with 512-bit vectors where the CPU allows.
pub(crate) struct Avx512<T>(PhantomData<T>);

/// Whether this CPU runs the 512-bit tiles.
#[inline]
fn available() -> bool {
    super::level::allows(super::level::SimdLevel::Avx512) && std::arch::is_x86_feature_detected!("avx512bw")
}

/// Whether this CPU runs [`stream_lines`].
#[inline]
pub(crate) fn has_avx512f() -> bool {
    super::level::allows(super::level::SimdLevel::Avx512) && std::arch::is_x86_feature_detected!("avx512f")
}

/// Whether this CPU runs [`compiled_for_avx512`].
#[inline]
pub(crate) fn has_avx512vl() -> bool {
    available() && std::arch::is_x86_feature_detected!("avx512f") && std::arch::is_x86_feature_detected!("avx512vl")
}

/// Runs `f` compiled for AVX-512 (F, VL and BW): the 128-bit kernels
/// inlined into it get 32 vector registers and three-operand forms.
///
/// # Safety
///
/// The CPU has those features ([`has_avx512vl`]).
#[target_feature(enable = "avx512f,avx512vl,avx512bw")]
pub(crate) unsafe fn compiled_for_avx512<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// [`super::stream::stream_lines`] with one 512-bit streaming store per
/// line.
///
/// # Safety
///
/// As [`super::stream::stream_lines`], on a CPU with AVX-512F.
#[target_feature(enable = "avx512f")]
pub(crate) unsafe fn stream_lines(dst: *mut u8, src: *const u8, len: usize) {
    // SAFETY: forwarded from the caller; each call streams one aligned
    // line that the caller's range contains (AVX-512F is present).
    unsafe {
        super::stream::stream_lines(dst, src, len, |d, s| {
            _mm512_stream_si512(d.cast::<__m512i>(), _mm512_loadu_si512(s.cast::<__m512i>()));
        });
    }
}

impl<T: LineTile> Avx512<T> {
    /// Whether this kernel's own square tiles run: 4- and 8-byte items, on
    /// CPUs with AVX-512BW.
    #[inline(always)]
    fn has_square_tiles() -> bool {
        (T::K == 2 || T::K == 4) && available()
    }
}

impl<T: LineTile> LineTile for Avx512<T> {
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
        // 16-byte items (K = 1) go to the wrapped kernel: their tiles
        // move whole vectors, with nothing to transpose.
        if T::K >= 2 && available() {
            // SAFETY: AVX-512BW is present (just checked); the rest is the
            // caller's contract, which `line_tile` repeats with
            // K = 16 / itemsize.
            unsafe {
                match T::K {
                    16 => line_tile::<1, STREAM, EXTRA>(src, src_row, dst, dst_row, shift),
                    8 => line_tile::<2, STREAM, EXTRA>(src, src_row, dst, dst_row, shift),
                    4 => line_tile::<4, STREAM, EXTRA>(src, src_row, dst, dst_row, shift),
                    _ => line_tile::<8, STREAM, EXTRA>(src, src_row, dst, dst_row, shift),
                }
            }
        } else {
            // SAFETY: forwarded from the caller.
            unsafe { T::tile::<STREAM, EXTRA>(src, src_row, dst, dst_row, shift) }
        }
    }

    /// 4- and 8-byte items, on CPUs with AVX-512BW (or where `T` has
    /// them).
    #[inline(always)]
    fn square_columns() -> bool {
        Self::has_square_tiles() || T::square_columns()
    }

    #[inline(always)]
    unsafe fn column<const STREAM: bool>(column: Column) -> usize {
        let k = T::K;
        if Self::has_square_tiles() {
            // SAFETY: AVX-512BW is present (just checked); the rest is the
            // caller's contract, for items of 16 / K bytes.
            return unsafe {
                match k {
                    2 => square_column::<8, STREAM>(column),
                    _ => square_column::<4, STREAM>(column),
                }
            };
        }
        let Column { src, src_row, dst, dst_row, rows, blocks } = column;
        // Large byte transposes: their 64 source rows per column are more
        // streams than the memory system follows at once. (Staged, 2- and
        // 4-byte items were measured no faster: u16 4096² at 0.57 of
        // memcpy against 0.57 tile by tile; f32 0.52 against 0.94.)
        let quads = super::staged_quads::<T, STREAM>(rows, blocks);
        if quads > 0 && available() {
            STAGE.with(|cell| {
                let mut stage = cell.take();
                // SAFETY: AVX-512BW is present (just checked); the rows are
                // the caller's, whose destination lines are streamed, so
                // start at lines.
                unsafe { staged_column::<1>(src, src_row, dst, dst_row, quads, &mut stage) }
                cell.set(stage);
            });
            return quads * 4 * k;
        }
        // SAFETY: forwarded from the caller.
        unsafe { T::column::<STREAM>(column) }
    }

    #[inline(always)]
    unsafe fn seams<const STREAM: bool>(seams: Seams) -> usize {
        if !Self::has_square_tiles() {
            // SAFETY: forwarded from the caller.
            return unsafe { T::seams::<STREAM>(seams) };
        }
        // SAFETY: AVX-512BW is present (just checked); the rest is the
        // caller's contract, for items of 16 / K bytes.
        unsafe {
            match T::K {
                2 => seam_column::<8, STREAM>(seams),
                _ => seam_column::<4, STREAM>(seams),
            }
        }
    }

    #[inline(always)]
    fn carries(dst: *mut u8, dst_row: isize) -> bool {
        T::K >= 2 && available() && super::carried::carries(dst.addr(), dst_row)
    }

    #[inline(always)]
    unsafe fn carried(rows: CarriedRows) {
        // SAFETY: `carries` held (AVX-512BW, the rows' permutes); the rest
        // is the caller's contract, for items of 16 / K bytes.
        unsafe {
            match T::K {
                16 => super::carried::carried_rows::<1>(rows),
                8 => super::carried::carried_rows::<2>(rows),
                4 => super::carried::carried_rows::<4>(rows),
                _ => super::carried::carried_rows::<8>(rows),
            }
        }
    }

    #[inline(always)]
    unsafe fn block(src: *const u8, src_row: isize, dst: *mut u8, dst_row: isize) {
        // SAFETY: forwarded from the caller.
        unsafe { T::block(src, src_row, dst, dst_row) }
    }
}

std::thread_local! {
    /// Each thread's staging area for [`staged_column`] (up to 256 KiB,
    /// kept between copies: allocating it per column would fault its pages
    /// in again each time).
    static STAGE: std::cell::Cell<Vec<__m512i>> = const { std::cell::Cell::new(Vec::new()) };
}

/// A column of line tiles of `ES`-byte items, `4K * blocks` destination
/// rows by one line (`K = 16 / ES`), in four passes over `K` source rows
/// each.
///
/// Tile by tile, a byte transpose reads its 64 source rows in parallel:
/// more streams than the prefetchers follow (measured: 64 interleaved
/// streams read at less than half the rate of 16). Here pass `g` reads
/// source rows `gK..gK + K` only, whole lines at a time, and parks each
/// `K x 64`-byte block, transposed lane by lane, in `stage`; a last pass
/// gathers the four quarters of every destination line with 128-bit lane
/// shuffles and streams it out.
///
/// # Safety
///
/// The CPU has AVX-512BW. For `i < 4K * blocks` and `c < 4K`:
/// `src + c*src_row + i*ES` readable and `dst + i*dst_row + c*ES` writable
/// for `ES` bytes, the two disjoint; each `dst + i*dst_row` is 64-byte
/// aligned; the caller fences before the data is read elsewhere.
#[target_feature(enable = "avx512bw")]
unsafe fn staged_column<const ES: usize>(
    src: *const u8,
    src_row: isize,
    dst: *mut u8,
    dst_row: isize,
    blocks: usize,
    stage: &mut Vec<__m512i>,
) {
    let k = 16 / ES;
    // Block b, pass g, vector r at (4b + g)K + r.
    stage.resize(stage.len().max(4 * k * blocks), _mm512_setzero_si512());
    for g in 0..4 {
        for b in 0..blocks {
            let mut x = [_mm512_setzero_si512(); 16];
            for (r, x) in x.iter_mut().enumerate().take(k) {
                let at = src.wrapping_offset((k * g + r) as isize * src_row).wrapping_add(64 * b);
                // SAFETY: source row gK + r, bytes 64b..64b + 64 (caller).
                *x = unsafe { _mm512_loadu_si512(at.cast()) };
            }
            // Lane l of output r: item lK + r of the K rows, i.e.
            // destination row 4Kb + lK + r, columns gK..gK + K.
            let y = transpose::<ES>(x);
            stage[(4 * b + g) * k..][..k].copy_from_slice(&y[..k]);
        }
    }
    for b in 0..blocks {
        for r in 0..k {
            let quarter = |g: usize| stage[(4 * b + g) * k + r];
            for (l, line) in gather_lines([quarter(0), quarter(1), quarter(2), quarter(3)]).into_iter().enumerate() {
                let to = dst.wrapping_offset((4 * k * b + k * l + r) as isize * dst_row);
                // SAFETY: destination row 4Kb + lK + r, columns 0..4K:
                // writable and 64-byte aligned (caller).
                unsafe { _mm512_stream_si512(to.cast(), line) };
            }
        }
    }
}

/// [`square::column`] with 512-bit square tiles ([`transpose_square`]).
///
/// Measured on the Intel machine against line tiles (`examples/compare`,
/// two runs each): f64 4096² (two blocks) 0.74 of memcpy -> 0.9; 256³
/// permutations of f32, (0, 2, 1) 0.81 -> 0.94–0.98 and (2, 1, 0) 0.77
/// -> 0.91–0.96 (two blocks, and no prefetching, which line tiles of
/// short runs need).
///
/// # Safety
///
/// The CPU has AVX-512BW; `ES` is 4 or 8; the contract of
/// [`LineTile::column`] holds for `K = 16 / ES`.
#[target_feature(enable = "avx512bw")]
unsafe fn square_column<const ES: usize, const STREAM: bool>(column: Column) -> usize {
    // SAFETY: forwarded from the caller; AVX-512BW is present.
    unsafe { square::column::<Square512, ES, STREAM>(column) }
}

/// [`square::seams`] with 512-bit square tiles.
///
/// # Safety
///
/// The CPU has AVX-512BW; `ES` is 4 or 8; the contract of
/// [`LineTile::seams`] holds for `K = 16 / ES`.
#[target_feature(enable = "avx512bw")]
unsafe fn seam_column<const ES: usize, const STREAM: bool>(seams: Seams) -> usize {
    // SAFETY: forwarded from the caller; AVX-512BW is present.
    unsafe { square::seams::<Square512, ES, STREAM>(seams) }
}

/// The 512-bit square tile, for the shared loops.
struct Square512;

impl SquareTile for Square512 {
    #[inline(always)]
    unsafe fn tile<const ES: usize, const STREAM: bool>(inputs: &[*const u8; 16], dst: *mut u8, dst_row: isize) {
        // SAFETY: forwarded from the caller (who has checked AVX-512BW).
        unsafe { square_tile::<ES, STREAM>(inputs, dst, dst_row) }
    }
}

/// One square tile: loads 64 bytes from each of `inputs[0..W]`, and stores
/// line `r` of the transpose ([`transpose_square`]) at `dst + r*dst_row`.
///
/// # Safety
///
/// The CPU has AVX-512BW; `ES` is 4 or 8; `inputs[c]` readable and
/// `dst + r*dst_row` writable for 64 bytes (for `c, r < W`), the two
/// disjoint; streamed lines are 64-byte aligned.
#[inline]
#[target_feature(enable = "avx512bw")]
unsafe fn square_tile<const ES: usize, const STREAM: bool>(inputs: &[*const u8; 16], dst: *mut u8, dst_row: isize) {
    let w = 64 / ES;
    let mut x = [_mm512_setzero_si512(); 16];
    for (x, &from) in x.iter_mut().zip(inputs).take(w) {
        // SAFETY: 64 readable bytes (caller).
        *x = unsafe { _mm512_loadu_si512(from.cast()) };
    }
    for (r, line) in transpose_square::<ES>(x).into_iter().enumerate().take(w) {
        // SAFETY: 64 writable bytes, aligned when streamed (caller).
        unsafe { store_line::<STREAM>(dst.wrapping_offset(r as isize * dst_row), line) };
    }
}

/// Stores one 64-byte line, with a streaming store if `STREAM`.
///
/// # Safety
///
/// The CPU has AVX-512BW; `to` is writable for 64 bytes, and 64-byte
/// aligned if `STREAM` (the caller then fences before the data is read
/// elsewhere).
#[inline]
#[target_feature(enable = "avx512bw")]
unsafe fn store_line<const STREAM: bool>(to: *mut u8, line: __m512i) {
    // SAFETY: as the caller guarantees.
    unsafe {
        if STREAM {
            _mm512_stream_si512(to.cast(), line);
        } else {
            _mm512_storeu_si512(to.cast(), line);
        }
    }
}

/// A whole-line square transpose of `W x W` items of `ES` bytes (4 or 8;
/// `W = 64 / ES` inputs, the rest ignored): output `r` holds item `r` of
/// inputs `0..W`. Each group of `K = 16 / ES` inputs goes through the
/// in-lane transpose (`K x K` blocks), after which output `r` of group `g`
/// holds, in lane `l`, item `lK + r` of the group's rows; destination row
/// `lK + r` is lane `l` of output `r` of the four groups in turn: a 4 x 4
/// transpose of 128-bit lanes ([`gather_lines`]).
#[inline]
#[target_feature(enable = "avx512bw")]
fn transpose_square<const ES: usize>(x: [__m512i; 16]) -> [__m512i; 16] {
    let k = 16 / ES;
    let z = _mm512_setzero_si512();
    // Plain loops, not closures: a closure does not inherit the target
    // feature, so it would not inline, and its vectors would go through
    // memory.
    let mut groups = [[z; 16]; 4];
    for (g, out) in groups.iter_mut().enumerate() {
        let mut rows = [z; 16];
        for (r, row) in rows.iter_mut().enumerate().take(k) {
            *row = x[g * k + r];
        }
        *out = transpose::<ES>(rows);
    }
    let mut y = [z; 16];
    for r in 0..k {
        let lines = gather_lines([groups[0][r], groups[1][r], groups[2][r], groups[3][r]]);
        for (l, line) in lines.into_iter().enumerate() {
            y[l * k + r] = line;
        }
    }
    y
}

/// Four quarters (16-byte columns) of the same four lines, each holding
/// line `l`'s part in lane `l`: a 4 x 4 transpose of 128-bit lanes.
#[inline]
#[target_feature(enable = "avx512bw")]
fn gather_lines(q: [__m512i; 4]) -> [__m512i; 4] {
    let (t0, t1) =
        (_mm512_shuffle_i64x2::<0b01_00_01_00>(q[0], q[1]), _mm512_shuffle_i64x2::<0b11_10_11_10>(q[0], q[1]));
    let (t2, t3) =
        (_mm512_shuffle_i64x2::<0b01_00_01_00>(q[2], q[3]), _mm512_shuffle_i64x2::<0b11_10_11_10>(q[2], q[3]));
    [
        _mm512_shuffle_i64x2::<0b10_00_10_00>(t0, t2),
        _mm512_shuffle_i64x2::<0b11_01_11_01>(t0, t2),
        _mm512_shuffle_i64x2::<0b10_00_10_00>(t1, t3),
        _mm512_shuffle_i64x2::<0b11_01_11_01>(t1, t3),
    ]
}

/// Loads vector `r` of a group of four blocks: lane `b` holds row `r` of
/// block `first + b` (source row `(first + b)*K + r`, items `0..K`), for
/// the `count` lanes that exist; the others are zero.
///
/// # Safety
///
/// The CPU has AVX-512BW; those source rows are readable for 16 bytes.
#[inline]
#[target_feature(enable = "avx512bw")]
pub(super) unsafe fn load_group(
    src: *const u8,
    src_row: isize,
    k: usize,
    r: usize,
    first: usize,
    count: usize,
) -> __m512i {
    let row = |b: usize| src.wrapping_offset(((first + b) * k + r) as isize * src_row).cast();
    // SAFETY: rows of the lanes below `count` only (caller).
    unsafe {
        let mut v = _mm512_castsi128_si512(_mm_loadu_si128(row(0)));
        if count > 1 {
            v = _mm512_inserti32x4::<1>(v, _mm_loadu_si128(row(1)));
        }
        if count > 2 {
            v = _mm512_inserti32x4::<2>(v, _mm_loadu_si128(row(2)));
        }
        if count > 3 {
            v = _mm512_inserti32x4::<3>(v, _mm_loadu_si128(row(3)));
        }
        v
    }
}

/// The in-lane transpose for `ES`-byte items.
#[inline]
#[target_feature(enable = "avx512bw")]
pub(super) fn transpose<const ES: usize>(x: [__m512i; 16]) -> [__m512i; 16] {
    let z = _mm512_setzero_si512();
    match ES {
        1 => transpose8(x),
        2 => {
            let o = transpose16([x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]]);
            [o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7], z, z, z, z, z, z, z, z]
        }
        4 => {
            let o = transpose32([x[0], x[1], x[2], x[3]]);
            [o[0], o[1], o[2], o[3], z, z, z, z, z, z, z, z, z, z, z, z]
        }
        _ => {
            let o = transpose64([x[0], x[1]]);
            [o[0], o[1], z, z, z, z, z, z, z, z, z, z, z, z, z, z]
        }
    }
}

/// One line tile of `ES`-byte items (`K = 16 / ES`), as
/// [`LineTile::tile`]: destination row `r < K` receives item `r` of source
/// rows `shift[r]*K .. shift[r]*K + 4K`.
///
/// Blocks `0..4` travel in one set of vectors, blocks `4..4 + EXTRA` (the
/// rows that start further right) in a second; a shifted row's line is
/// then four consecutive lanes of the pair, picked with one `valignq`.
///
/// # Safety
///
/// The CPU has AVX-512BW, and the contract of [`LineTile::tile`] holds.
#[target_feature(enable = "avx512bw")]
unsafe fn line_tile<const ES: usize, const STREAM: bool, const EXTRA: usize>(
    src: *const u8,
    src_row: isize,
    dst: *mut u8,
    dst_row: isize,
    shift: &[usize],
) {
    let k = 16 / ES;
    let zero = _mm512_setzero_si512();
    let (mut low, mut high) = ([zero; 16], [zero; 16]);
    for r in 0..k {
        // SAFETY: source rows b*K + r for blocks b < 4 + EXTRA, items
        // 0..K: the tile's (caller).
        unsafe {
            low[r] = load_group(src, src_row, k, r, 0, 4);
            if EXTRA > 0 {
                high[r] = load_group(src, src_row, k, r, 4, EXTRA);
            }
        }
    }
    let low = transpose::<ES>(low);
    let high = if EXTRA > 0 { transpose::<ES>(high) } else { high };
    for r in 0..k {
        // Lanes shift[r]..shift[r] + 4 of (low, high): valignq counts
        // 64-bit elements, two per lane.
        let line = match if EXTRA == 0 { 0 } else { shift[r] } {
            0 => low[r],
            1 => _mm512_alignr_epi64::<2>(high[r], low[r]),
            2 => _mm512_alignr_epi64::<4>(high[r], low[r]),
            _ => _mm512_alignr_epi64::<6>(high[r], low[r]),
        };
        let first = if EXTRA == 0 { 0 } else { shift[r] * 16 };
        let to = dst.wrapping_offset(r as isize * dst_row).wrapping_add(first);
        // SAFETY: destination row r, items shift[r]*K.. (64 bytes):
        // writable, and 64-byte aligned when streamed (caller).
        unsafe { store_line::<STREAM>(to, line) };
    }
}

// The in-lane transposes (see `super::lanes`): 64- and 32-bit items here,
// 16-bit items and bytes from the shared network.

/// 2 x 2 blocks of 64-bit items.
#[inline]
#[target_feature(enable = "avx512bw")]
fn transpose64(x: [__m512i; 2]) -> [__m512i; 2] {
    [_mm512_unpacklo_epi64(x[0], x[1]), _mm512_unpackhi_epi64(x[0], x[1])]
}

/// 4 x 4 blocks of 32-bit items: pairs of rows interleaved, then pairs of
/// pairs.
#[inline]
#[target_feature(enable = "avx512bw")]
fn transpose32(x: [__m512i; 4]) -> [__m512i; 4] {
    let t = [
        _mm512_unpacklo_epi32(x[0], x[1]),
        _mm512_unpackhi_epi32(x[0], x[1]),
        _mm512_unpacklo_epi32(x[2], x[3]),
        _mm512_unpackhi_epi32(x[2], x[3]),
    ];
    [
        _mm512_unpacklo_epi64(t[0], t[2]),
        _mm512_unpackhi_epi64(t[0], t[2]),
        _mm512_unpacklo_epi64(t[1], t[3]),
        _mm512_unpackhi_epi64(t[1], t[3]),
    ]
}

super::lanes::in_lane_transposes!(
    __m512i,
    "avx512bw",
    _mm512_unpacklo_epi8,
    _mm512_unpackhi_epi8,
    _mm512_unpacklo_epi16,
    _mm512_unpackhi_epi16,
    _mm512_unpacklo_epi32,
    _mm512_unpackhi_epi32,
    _mm512_unpacklo_epi64,
    _mm512_unpackhi_epi64
);
