//! In-register tile transposes: the micro-kernels of the tiled copy.
//!
//! A *line tile* takes `K` consecutive items from each of `W` source rows
//! and writes them as `K` destination rows of `W` items — one 64-byte cache
//! line per destination row — where `K = 16 / itemsize` (one 128-bit
//! vector) and `W = 64 / itemsize`, for items of 1, 2, 4, 8 and 16 bytes
//! (a 16-byte item is a whole vector: `K = 1`, four items a line). It is built from `W / K` transposes of
//! `K x K` blocks held in registers, and stores each destination row as
//! four consecutive 16-byte stores, streaming (non-temporal) when asked, so
//! that whole lines are written without being read first.
//!
//! Two implementations share one signature: [`vector`] uses `wide`'s
//! 128-bit types (SSE2 on x86-64: `u32x4::transpose`, `u16x8::transpose`,
//! `u64x2` unpacks, and a 16x16 byte transpose made of four rounds of
//! `u8x16` interleaves); [`scalar`] uses plain arrays and is the fallback
//! without the `simd` feature and under Miri (it is also what the vector
//! kernels are tested against). `wide` picks its instruction set when the
//! crate is compiled: the default x86-64 build uses SSE2;
//! `-C target-cpu=native` lets it use wider forms where they exist. On
//! x86-64, [`avx512`] wraps the `wide` kernels: on CPUs with AVX-512BW
//! (detected at run time, so the default build gets them too) a whole line
//! tile is transposed in 512-bit registers, one store per destination line.
//! Whole columns of 4- and 8-byte items run in square tiles that read each
//! source line once ([`square`]), and large byte transposes are staged in
//! four passes ([`avx512`]); both have 256-bit forms for CPUs that have
//! AVX2 but not AVX-512BW ([`avx2`]). Planes of 1- and 2-byte items
//! interleaved or split (2 to 8 of them) are shuffled a vector at a time
//! ([`channels`]).

#[cfg(all(feature = "simd", not(miri), target_arch = "x86_64"))]
pub(crate) mod avx2;
#[cfg(all(feature = "simd", not(miri), target_arch = "x86_64"))]
pub(crate) mod avx512;
#[cfg(all(feature = "simd", not(miri), target_arch = "x86_64"))]
mod carried;
#[cfg(all(feature = "simd", not(miri), target_arch = "x86_64"))]
pub(crate) mod channels;
#[cfg(all(feature = "simd", not(miri), target_arch = "x86_64"))]
mod lanes;
pub(crate) mod level;
pub(crate) mod records;
pub(crate) mod scalar;
#[cfg(all(feature = "simd", not(miri), target_arch = "x86_64"))]
mod square;
#[cfg(all(feature = "simd", not(miri)))]
mod stream;
#[cfg(all(feature = "simd", not(miri)))]
pub(crate) mod vector;

/// The micro-kernels the tiled copy uses in this build: `wide`'s, run with
/// 512-bit vectors where the CPU has AVX-512BW, with 256-bit column
/// kernels where it has AVX2 only.
#[cfg(all(feature = "simd", not(miri), target_arch = "x86_64"))]
pub(crate) mod kernels {
    use super::avx2::Avx2;
    use super::avx512::Avx512;
    use super::vector;

    /// 1-byte items.
    pub(crate) type Tile1 = Avx512<Avx2<vector::Tile1>>;
    /// 2-byte items.
    pub(crate) type Tile2 = Avx512<Avx2<vector::Tile2>>;
    /// 4-byte items.
    pub(crate) type Tile4 = Avx512<Avx2<vector::Tile4>>;
    /// 8-byte items.
    pub(crate) type Tile8 = Avx512<Avx2<vector::Tile8>>;
    /// 16-byte items (the 512-bit wrapper passes them to the 256-bit
    /// square tiles).
    pub(crate) type Tile16 = Avx512<Avx2<vector::Tile16>>;
}

/// The micro-kernels the tiled copy uses in this build.
#[cfg(all(feature = "simd", not(miri), not(target_arch = "x86_64")))]
pub(crate) use vector as kernels;

/// Runs `f`, compiled for AVX-512 (F, VL and BW) where the CPU has it
/// and the tier allows it: the 128-bit kernels inlined into `f` then have
/// 32 vector registers instead of 16, and three-operand instructions.
/// The 16 rows of a byte block no longer spill to the stack.
#[inline(always)]
pub(crate) fn with_wide_registers<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(all(feature = "simd", not(miri), target_arch = "x86_64"))]
    if avx512::has_avx512vl() {
        // SAFETY: the CPU has AVX-512F, VL and BW (checked).
        return unsafe { avx512::compiled_for_avx512(f) };
    }
    f()
}

/// Whether the tile transposes use this build's vector kernels: false at
/// the scalar tier (see [`level`]) and in builds without them.
#[inline]
pub(crate) fn vector_kernels() -> bool {
    cfg!(all(feature = "simd", not(miri))) && level::allows(level::SimdLevel::Sse2)
}

/// Copies `n` contiguous bytes for a large output: streamed in whole lines
/// at the vector tiers, plainly at the scalar tier.
///
/// # Safety
///
/// `src` readable and `dst` writable for `n` bytes, not overlapping. The
/// calling thread must [`fence`] before the data is read by anyone else.
#[inline]
pub(crate) unsafe fn stream_copy(dst: *mut u8, src: *const u8, n: usize) {
    #[cfg(all(feature = "simd", not(miri)))]
    if vector_kernels() {
        // SAFETY: the caller's contract.
        return unsafe { stream::stream_copy(dst, src, n) };
    }
    // SAFETY: the caller's contract.
    unsafe { scalar::stream_copy(dst, src, n) }
}

/// The micro-kernels the tiled copy uses in this build.
#[cfg(not(all(feature = "simd", not(miri))))]
pub(crate) use scalar as kernels;

/// A line-tile micro-kernel for one itemsize.
///
/// # Safety
///
/// Implementations read and write exactly the items that
/// [`LineTile::tile`] lists; callers guarantee those bytes.
pub(crate) trait LineTile {
    /// Items per 128-bit vector: rows of the destination tile, and the
    /// unit of a row's shift (1 for 16-byte items).
    const K: usize;
    /// Items per 64-byte line: columns of the destination tile.
    const W: usize;

    /// Transposes one line tile: destination row `r` (for `r in 0..K`)
    /// receives source rows `shift[r]*K .. shift[r]*K + W`, item `r` of
    /// each, in its columns of the same numbers. (Shifts let every row
    /// start at a cache line when the destination's rows are not a whole
    /// number of lines apart.) `shift[r] <= EXTRA <= 3`; with `EXTRA == 0`
    /// the shifts are not read.
    ///
    /// # Safety
    ///
    /// With `ES` the itemsize, for those `(r, c)`: `src + c*src_row + r*ES`
    /// must be readable for `ES` bytes and `dst + r*dst_row + c*ES`
    /// writable for `ES` bytes, with no overlap between the two sets. If
    /// `STREAM`, every written row `dst + r*dst_row + shift[r]*16` must
    /// start a cache line (64-byte aligned), and after the stores the caller must issue
    /// [`fence`] before the data is read by anyone else.
    unsafe fn tile<const STREAM: bool, const EXTRA: usize>(
        src: *const u8,
        src_row: isize,
        dst: *mut u8,
        dst_row: isize,
        shift: &[usize],
    );

    /// Whether [`column`](LineTile::column) copies whole columns in square
    /// tiles that read each source line once (then short source runs need
    /// no prefetching, and neighbouring column blocks run together).
    #[inline(always)]
    fn square_columns() -> bool {
        false
    }

    /// Transposes a whole column of unshifted line tiles, if this kernel
    /// has a faster way than tile by tile: the tiles of destination rows
    /// `0..n` for some `n <= column.rows`, with `n` returned (by default
    /// 0: the caller tiles everything). `n` is a multiple of `K`.
    ///
    /// # Safety
    ///
    /// As [`LineTile::tile`] with no shifts, for every tile of `column`
    /// (see [`Column`]).
    #[inline(always)]
    unsafe fn column<const STREAM: bool>(column: Column) -> usize {
        let _ = column;
        0
    }

    /// Writes the seams of a transpose whose destination rows follow each
    /// other in memory without starting at cache lines, if this kernel
    /// can (see [`Seams`]). Returns how many seams `0..n` it wrote (by
    /// default none).
    ///
    /// # Safety
    ///
    /// `0 < seams.tail < W`; for `s < seams.rows` the items of seam `s`
    /// are readable and its line writable, the two disjoint; if `STREAM`,
    /// every line is 64-byte aligned and the caller must [`fence`] before
    /// the data is read by anyone else.
    #[inline(always)]
    unsafe fn seams<const STREAM: bool>(seams: Seams) -> usize {
        let _ = seams;
        0
    }

    /// Whether [`carried`](LineTile::carried) runs for destination rows
    /// that start at `dst`, `dst_row` bytes apart (by default not).
    #[inline(always)]
    fn carries(dst: *mut u8, dst_row: isize) -> bool {
        let _ = (dst, dst_row);
        false
    }

    /// Transposes one group of `K` destination rows that do not start at
    /// cache lines, each row's lines joined in registers (see
    /// [`CarriedRows`]). Only called where [`carries`](LineTile::carries)
    /// holds.
    ///
    /// # Safety
    ///
    /// [`carries`](LineTile::carries) holds for `rows.dst` and
    /// `rows.dst_row`, and the contract of [`CarriedRows`] holds.
    #[inline(always)]
    unsafe fn carried(rows: CarriedRows) {
        let _ = rows;
        unreachable!("LineTile::carried without LineTile::carries");
    }

    /// Transposes one `K x K` block (for small copies, which do not have
    /// whole lines): destination row `r` receives item `r` of source rows
    /// `0..K`.
    ///
    /// # Safety
    ///
    /// For `r, c in 0..K`: `src + c*src_row + r*ES` readable and
    /// `dst + r*dst_row + c*ES` writable for `ES` bytes, the two sets
    /// disjoint.
    unsafe fn block(src: *const u8, src_row: isize, dst: *mut u8, dst_row: isize);
}

/// A column of line tiles for [`LineTile::column`]: destination rows
/// `0..rows` (a multiple of `K`) of `blocks` neighbouring column blocks.
/// Block `b` starts at `src + b*W*src_row` and `dst + b*W*ES`; its tile `t`
/// at `src + t*K*ES` and `dst + t*K*dst_row`.
#[derive(Clone, Copy, Debug)]
// Only the x86-64 kernels have whole-column paths that read the fields.
#[cfg_attr(not(all(feature = "simd", not(miri), target_arch = "x86_64")), allow(dead_code))]
pub(crate) struct Column {
    pub(crate) src: *const u8,
    /// Bytes between source rows (destination columns).
    pub(crate) src_row: isize,
    pub(crate) dst: *mut u8,
    /// Bytes between destination rows.
    pub(crate) dst_row: isize,
    pub(crate) rows: usize,
    pub(crate) blocks: usize,
}

/// The seam lines of a transpose for [`LineTile::seams`]: seam `s` (for
/// `s < rows`) is the 64-byte line at `dst + s*dst_row` that holds the
/// last `tail` items of one destination row and the first `W - tail` of
/// the next. Its first `tail` items are item `s` of the source rows
/// `src_tail + c*src_row` (`c < tail`), the others item `s` of the source
/// rows `src_head + c*src_row`.
#[derive(Clone, Copy, Debug)]
// Only the x86-64 kernels have whole-column paths that read the fields.
#[cfg_attr(not(all(feature = "simd", not(miri), target_arch = "x86_64")), allow(dead_code))]
pub(crate) struct Seams {
    pub(crate) src_tail: *const u8,
    pub(crate) src_head: *const u8,
    pub(crate) src_row: isize,
    pub(crate) tail: usize,
    pub(crate) dst: *mut u8,
    pub(crate) dst_row: isize,
    pub(crate) rows: usize,
}

/// A group of `K` destination rows of a large transpose, for
/// [`LineTile::carried`]: row `r < K` at `dst + r*dst_row` receives, in
/// its columns `c < lines * W`, item `r` of the source rows
/// `src + c*src_row`. A row that starts `o` bytes into a cache line has
/// its first line start `o` bytes before it, in the row's previous
/// columns, whose last `o` bytes are carried from the previous call.
///
/// The contract, with `ES` the itemsize and `o` each row's offset:
/// - those source items are readable and those destination items
///   writable, the two disjoint;
/// - `carry` is 64-byte aligned and holds `K` lines, line `r` for row
///   `r`: read unless `first` (the previous call's last chunk, whose last
///   `o` bytes end the row's previous columns), written unless `last`;
/// - unless `first`, the `o` bytes before each row (its previous columns)
///   are writable; they are written here, while this call's last `o`
///   bytes of each row are carried unless `last`;
/// - the stores are streaming: the caller must [`fence`] before the data
///   is read by anyone else.
#[derive(Clone, Copy, Debug)]
// Only the 512-bit kernel reads the fields.
#[cfg_attr(not(all(feature = "simd", not(miri), target_arch = "x86_64")), allow(dead_code))]
pub(crate) struct CarriedRows {
    pub(crate) src: *const u8,
    /// Bytes between source rows (destination columns).
    pub(crate) src_row: isize,
    pub(crate) dst: *mut u8,
    /// Bytes between destination rows.
    pub(crate) dst_row: isize,
    /// Column blocks of `W` items.
    pub(crate) lines: usize,
    pub(crate) carry: *mut u8,
    /// Whether the columns start the rows.
    pub(crate) first: bool,
    /// Whether the columns end the rows' whole lines.
    pub(crate) last: bool,
    /// Whether to ask for the source two blocks ahead (the group is the
    /// first to read those source lines).
    pub(crate) prefetch: bool,
}

/// The 64-row blocks of a staged byte column (`super::avx512`,
/// `super::avx2`) in a column of line tiles of `T`: nonzero only for byte
/// items, streamed, one column block at a time.
#[cfg(all(feature = "simd", not(miri), target_arch = "x86_64"))]
#[inline(always)]
fn staged_quads<T: LineTile, const STREAM: bool>(rows: usize, blocks: usize) -> usize {
    if T::K == 16 && STREAM && blocks == 1 { rows / 64 } else { 0 }
}

/// Orders streaming stores before later memory operations (a no-op where
/// streaming stores are not used).
pub(crate) fn fence() {
    #[cfg(all(feature = "simd", not(miri), target_arch = "x86_64"))]
    // SAFETY: `_mm_sfence` has no preconditions; SSE is part of the x86-64
    // baseline.
    unsafe {
        core::arch::x86_64::_mm_sfence();
    }
}

/// Whether the CPU is an AMD one (read once): streamed copies and
/// transposes take their AMD-measured forms (see `stream` and
/// `copy::tiled`'s blocks per column).
pub(crate) fn amd() -> bool {
    static AMD: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *AMD.get_or_init(|| {
        // (Miri runs no CPUID, and no streaming stores either.)
        #[cfg(all(target_arch = "x86_64", not(miri)))]
        {
            let id = core::arch::x86_64::__cpuid(0);
            // The vendor string "AuthenticAMD" in EBX, EDX, ECX order.
            (id.ebx, id.edx, id.ecx) == (0x6874_7541, 0x6974_6E65, 0x444D_4163)
        }
        #[cfg(not(all(target_arch = "x86_64", not(miri))))]
        false
    })
}

/// Whether this build writes whole lines with streaming stores.
pub(crate) const STREAMING: bool = cfg!(all(feature = "simd", not(miri), target_arch = "x86_64"));

#[cfg(test)]
mod tests;

/// Asks the CPU to start loading `len` bytes from `ptr` into the cache (a
/// hint: never faults, whatever the address; a no-op where unsupported).
#[inline]
pub(crate) fn prefetch(ptr: *const u8, len: usize) {
    #[cfg(all(feature = "simd", not(miri), target_arch = "x86_64"))]
    for offset in (0..len).step_by(64) {
        use core::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: `_mm_prefetch` is a hint that never faults or reads
        // memory architecturally, for any address; SSE is part of the
        // x86-64 baseline.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(ptr.wrapping_add(offset).cast()) };
    }
    #[cfg(not(all(feature = "simd", not(miri), target_arch = "x86_64")))]
    let _ = (ptr, len);
}
