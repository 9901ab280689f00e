//! Every line tile against the definition of a transpose, with and
//! without row shifts and streaming stores.

use super::{Column, LineTile, Seams};

fn check_one<T: LineTile, const STREAM: bool, const EXTRA: usize>(itemsize: usize, shift: &[usize]) {
    let (k, w) = (T::K, T::W);
    let cols = w + EXTRA * k;
    // Source: `cols` rows with a gap after K items; destination: K rows
    // with a gap after `cols` items, 16-byte aligned rows.
    let src_row = k * itemsize + 8;
    // Streamed rows must start at a line once shifted, as the tiled copy
    // arranges: pick the first row's offset past a line and the row
    // distance (mod 64) that make it so. Other rows are 16 bytes apart.
    let base = (cols * itemsize + 16).next_multiple_of(64);
    let (start, dst_row) = if STREAM {
        let fits = |start: usize, delta: usize| {
            (0..k).all(|r| (start + r * delta + if EXTRA == 0 { 0 } else { shift[r] * 16 }).is_multiple_of(64))
        };
        let options = (0..64).step_by(16).flat_map(|start| (0..64).step_by(16).map(move |delta| (start, delta)));
        let (start, delta) =
            options.into_iter().find(|&(s, d)| fits(s, d)).expect("a shift pattern the tiled copy makes");
        (start, base + delta)
    } else {
        (0, cols * itemsize + 16)
    };
    let src: Vec<u8> = (0..cols * src_row).map(|i| (i * 7 + 1) as u8).collect();
    let mut buffer = vec![0u128; (start + k * dst_row + 64).div_ceil(16)];
    let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut buffer);
    let line = (64 - bytes.as_ptr().addr() % 64) % 64 + start;
    let dst = &mut bytes[line..line + k * dst_row];
    // SAFETY: the buffers hold every item of the tile; rows are aligned.
    unsafe {
        T::tile::<STREAM, EXTRA>(src.as_ptr(), src_row as isize, dst.as_mut_ptr(), dst_row as isize, shift);
    }
    super::fence();
    let dst = &*dst;
    for r in 0..k {
        let first = if EXTRA == 0 { 0 } else { shift[r] * k };
        for c in 0..cols {
            let to = &dst[r * dst_row + c * itemsize..][..itemsize];
            if (first..first + w).contains(&c) {
                let from = &src[c * src_row + r * itemsize..][..itemsize];
                assert_eq!(from, to, "itemsize {itemsize}, extra {EXTRA}, source row {c}, item {r}");
            } else {
                assert!(to.iter().all(|&b| b == 0), "itemsize {itemsize}, extra {EXTRA}: wrote outside row {r}");
            }
        }
    }
}

fn check_block<T: LineTile>(itemsize: usize) {
    let k = T::K;
    let (src_row, dst_row) = (k * itemsize + 3, k * itemsize + 5);
    let src: Vec<u8> = (0..k * src_row).map(|i| (i * 5 + 2) as u8).collect();
    let mut dst = vec![0u8; k * dst_row];
    // SAFETY: the buffers hold every item of the block.
    unsafe { T::block(src.as_ptr(), src_row as isize, dst.as_mut_ptr(), dst_row as isize) };
    for r in 0..k {
        for c in 0..k {
            let from = &src[c * src_row + r * itemsize..][..itemsize];
            assert_eq!(from, &dst[r * dst_row + c * itemsize..][..itemsize], "itemsize {itemsize}, block ({r}, {c})");
        }
        assert!(dst[r * dst_row + k * itemsize..(r + 1) * dst_row].iter().all(|&b| b == 0), "wrote past row {r}");
    }
}

/// [`LineTile::column`], streamed and not, over one and two column
/// blocks: the rows it says it did are the transpose, and it wrote
/// nothing else.
fn check_column<T: LineTile, const STREAM: bool>(itemsize: usize, blocks: usize) {
    let (k, w) = (T::K, T::W);
    // Under Miri (portable kernels, which have no column kernel): one
    // small column.
    let sizes = if cfg!(miri) { vec![k] } else { vec![k, 8 + k, 64 + k, 192, 256 + 2 * k] };
    for rows in sizes {
        let rows = rows.next_multiple_of(k);
        // Source: `blocks` * W rows of `rows` items and a gap; destination:
        // `rows` rows of `blocks` lines and a gap of one line.
        let src_row = rows * itemsize + 24;
        let dst_row = 64 * blocks + 64;
        let src: Vec<u8> = (0..blocks * w * src_row).map(|i| (i * 13 + i / 251) as u8).collect();
        let mut buffer = vec![0u128; (rows * dst_row + 64).div_ceil(16)];
        let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut buffer);
        let line = (64 - bytes.as_ptr().addr() % 64) % 64;
        let dst = &mut bytes[line..line + rows * dst_row];
        // SAFETY: the buffers hold every item of every tile; rows start at
        // lines.
        let done = unsafe {
            T::column::<STREAM>(Column {
                src: src.as_ptr(),
                src_row: src_row as isize,
                dst: dst.as_mut_ptr(),
                dst_row: dst_row as isize,
                rows,
                blocks,
            })
        };
        super::fence();
        assert!(done <= rows && done.is_multiple_of(k), "itemsize {itemsize}: {done} of {rows} rows");
        #[cfg(all(feature = "simd", not(miri), target_arch = "x86_64"))]
        {
            if itemsize == 1 && STREAM && blocks == 1 && wide_columns::<T>() {
                assert_eq!(done, rows / 64 * 64, "the staged byte column runs whole 64-row blocks");
            }
            if square_tiles::<T>(itemsize) {
                let w = 64 / itemsize;
                assert_eq!(done, rows / w * w, "{itemsize}-byte items run in whole {w} x {w} tiles");
            }
        }
        for r in 0..rows {
            for c in 0..dst_row / itemsize {
                let to = &dst[r * dst_row + c * itemsize..][..itemsize];
                if r < done && c < blocks * w {
                    let from = &src[c * src_row + r * itemsize..][..itemsize];
                    assert_eq!(from, to, "itemsize {itemsize}, rows {rows}, blocks {blocks}: row {r}, column {c}");
                } else {
                    assert!(to.iter().all(|&b| b == 0), "itemsize {itemsize}: wrote row {r}, column {c}");
                }
            }
        }
    }
}

/// [`LineTile::seams`], streamed and not: each seam line it says it wrote
/// holds the tail items from one set of source rows and the head items
/// from the other, and it wrote nothing else.
fn check_seams<T: LineTile, const STREAM: bool>(itemsize: usize) {
    let w = T::W;
    let sizes = [1, w - 1, w, 3 * w + 5];
    for tail in [1, w / 2, w - 1] {
        for rows in sizes {
            // Source rows: `tail` for the tails, three unused, then
            // `w - tail` for the heads, `rows` items each and a gap.
            // Destination: `rows` lines two lines apart.
            let src_row = rows * itemsize + 40;
            let src: Vec<u8> = (0..(w + 3) * src_row).map(|i| (i * 11 + i / 253) as u8).collect();
            let (src_tail, src_head) = (src.as_ptr(), src.as_ptr().wrapping_add((tail + 3) * src_row));
            let source_row = |c: usize| if c < tail { c } else { c + 3 };
            let dst_row = 128;
            let mut buffer = vec![0u128; (rows * dst_row + 64).div_ceil(16)];
            let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut buffer);
            let line = (64 - bytes.as_ptr().addr() % 64) % 64;
            let dst = &mut bytes[line..line + rows * dst_row];
            // SAFETY: the buffers hold every item of every seam; lines are
            // aligned; 0 < tail < W.
            let done = unsafe {
                T::seams::<STREAM>(Seams {
                    src_tail,
                    src_head,
                    src_row: src_row as isize,
                    tail,
                    dst: dst.as_mut_ptr(),
                    dst_row: dst_row as isize,
                    rows,
                })
            };
            super::fence();
            assert!(done <= rows, "itemsize {itemsize}: {done} of {rows} seams");
            #[cfg(all(feature = "simd", not(miri), target_arch = "x86_64"))]
            if square_tiles::<T>(itemsize) {
                assert_eq!(done, rows / w * w, "{itemsize}-byte seams run in whole square tiles");
            }
            for s in 0..rows {
                for c in 0..dst_row / itemsize {
                    let to = &dst[s * dst_row + c * itemsize..][..itemsize];
                    if s < done && c < w {
                        let from = &src[source_row(c) * src_row + s * itemsize..][..itemsize];
                        assert_eq!(from, to, "itemsize {itemsize}, tail {tail}, rows {rows}: seam {s}, item {c}");
                    } else {
                        assert!(to.iter().all(|&b| b == 0), "itemsize {itemsize}: wrote seam {s}, item {c}");
                    }
                }
            }
        }
    }
}

// Which wide column kernels `T` runs on this CPU, so that `check_column`
// and `check_seams` can tell that they ran: 512-bit ones where it has
// AVX-512BW, 256-bit ones where it has AVX2 (for the wrappers that have
// them).

#[cfg(all(feature = "simd", not(miri), target_arch = "x86_64"))]
fn wide_columns<T>() -> bool {
    let name = std::any::type_name::<T>();
    (name.contains("Avx512") && avx512bw()) || (name.contains("Avx2") && super::avx2::available())
}

/// Whether the 512-bit kernels run: the CPU has AVX-512BW and the SIMD
/// tier is not capped below it (as `MEMORYVIEW_SIMD` does in `.ci/run`).
#[cfg(all(feature = "simd", not(miri), target_arch = "x86_64"))]
fn avx512bw() -> bool {
    super::level::allows(super::level::SimdLevel::Avx512) && std::arch::is_x86_feature_detected!("avx512bw")
}

/// Square tiles: 4- and 8-byte items at 512 bits, 8- and 16-byte ones at
/// 256 (16-byte items also under the 512-bit wrapper, which passes them
/// on).
#[cfg(all(feature = "simd", not(miri), target_arch = "x86_64"))]
fn square_tiles<T>(itemsize: usize) -> bool {
    let name = std::any::type_name::<T>();
    ((itemsize == 4 || itemsize == 8) && name.contains("Avx512") && avx512bw())
        || ((itemsize == 8 || itemsize == 16) && name.contains("Avx2") && super::avx2::available())
}

fn check<T: LineTile>(itemsize: usize) {
    check_block::<T>(itemsize);
    // Under Miri the portable kernels run, which have neither column
    // kernels nor seams: one column, to see that it writes nothing.
    check_column::<T, true>(itemsize, 1);
    if !cfg!(miri) {
        check_column::<T, false>(itemsize, 1);
        check_column::<T, true>(itemsize, 2);
        check_column::<T, false>(itemsize, 2);
        check_seams::<T, true>(itemsize);
        check_seams::<T, false>(itemsize);
    }
    // The patterns of rows 48, 32 and 16 bytes past whole lines, one
    // started mid-period, and one no grid makes (not streamed).
    let pattern = |f: fn(usize) -> usize| (0..16).map(f).collect::<Vec<_>>();
    let none = [0; 16];
    check_one::<T, false, 0>(itemsize, &none);
    check_one::<T, true, 0>(itemsize, &none);
    check_one::<T, true, 3>(itemsize, &pattern(|r| r % 4));
    check_one::<T, false, 3>(itemsize, &pattern(|r| r % 4));
    check_one::<T, true, 2>(itemsize, &pattern(|r| 2 * (r % 2)));
    check_one::<T, true, 3>(itemsize, &pattern(|r| (4 - r % 4) % 4));
    check_one::<T, true, 3>(itemsize, &pattern(|r| 3 - r % 4));
    check_one::<T, false, 1>(itemsize, &pattern(|r| r % 2));
    if T::K == 2 {
        // Period 4 in two-row tiles: the second phase.
        check_one::<T, true, 1>(itemsize, &pattern(|r| 1 - r % 2));
    }
}

#[test]
fn kernels_transpose() {
    use super::kernels::{Tile1, Tile2, Tile4, Tile8, Tile16};
    check::<Tile1>(1);
    check::<Tile2>(2);
    check::<Tile4>(4);
    check::<Tile8>(8);
    check::<Tile16>(16);
}

/// The 128-bit kernels on their own (where the build dispatches to 512-bit
/// tiles, `kernels_transpose` only reaches them for shifted rows).
#[cfg(all(feature = "simd", not(miri)))]
#[test]
fn vector_kernels_transpose() {
    use super::vector::{Tile1, Tile2, Tile4, Tile8, Tile16};
    check::<Tile1>(1);
    check::<Tile2>(2);
    check::<Tile4>(4);
    check::<Tile8>(8);
    check::<Tile16>(16);
}

/// The 256-bit column kernels on their own (where the CPU has AVX-512BW,
/// the dispatched kernels use the 512-bit ones).
#[cfg(all(feature = "simd", not(miri), target_arch = "x86_64"))]
#[test]
fn avx2_kernels_transpose() {
    use super::avx2::Avx2;
    use super::vector::{Tile1, Tile2, Tile4, Tile8, Tile16};
    check::<Avx2<Tile1>>(1);
    check::<Avx2<Tile2>>(2);
    check::<Avx2<Tile4>>(4);
    check::<Avx2<Tile8>>(8);
    check::<Avx2<Tile16>>(16);
}

/// The 256-bit byte column on its own, over several blocks (where the CPU has AVX-512BW, the
/// dispatched kernels use the 512-bit one).
#[cfg(all(feature = "simd", not(miri), target_arch = "x86_64"))]
#[test]
fn avx2_byte_column() {
    if !super::avx2::available() {
        return;
    }
    for blocks in [1, 3] {
        let rows: usize = 64 * blocks + 16;
        let src_row = rows + 24;
        let dst_row = 128;
        let src: Vec<u8> = (0..64 * src_row).map(|i| (i * 13 + i / 251) as u8).collect();
        let mut buffer = vec![0u128; (rows * dst_row + 64).div_ceil(16)];
        let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut buffer);
        let line = (64 - bytes.as_ptr().addr() % 64) % 64;
        let dst = &mut bytes[line..line + rows * dst_row];
        // SAFETY: AVX2 is present; the buffers hold 64 source rows of
        // `rows` bytes and `rows` destination lines, 64-byte aligned.
        unsafe { super::avx2::byte_column(src.as_ptr(), src_row as isize, dst.as_mut_ptr(), dst_row as isize, blocks) };
        super::fence();
        for r in 0..rows {
            for c in 0..dst_row {
                let expected = if r < 64 * blocks && c < 64 { src[c * src_row + r] } else { 0 };
                assert_eq!(dst[r * dst_row + c], expected, "{blocks} blocks: row {r}, column {c}");
            }
        }
    }
}

#[test]
fn scalar_kernels_transpose() {
    use super::scalar::{Tile1, Tile2, Tile4, Tile8, Tile16};
    check::<Tile1>(1);
    check::<Tile2>(2);
    check::<Tile4>(4);
    check::<Tile8>(8);
    check::<Tile16>(16);
}

/// One record block of `R`-byte items against the definition: every
/// size with a kernel, whole and partial blocks, source rows walked
/// forwards and backwards, with and without reading past the block,
/// streamed (line-aligned rows) and not (rows at odd addresses); nothing
/// outside the block's items is written.
fn check_record_block<const R: usize>() {
    use super::records::{self, RecordBlock, Stage};
    let (bc, br) = (records::block_cols(R), records::block_rows(R));
    assert!((bc * R).is_multiple_of(64), "{R}: block columns are whole lines");
    let mut stage = Stage::new();
    let shapes = if cfg!(miri) {
        vec![(2, 3), (br.min(3), bc)]
    } else {
        vec![(br, bc), (1, 1), (br - 1, bc), (3, bc - 1), (1, bc)]
    };
    for (rows, cols) in shapes {
        for backwards in [false, true] {
            for overread in [false, true] {
                for stream in [false, true] {
                    // Source: `cols` rows of `rows` items (one more to read
                    // past), a gap of 5 bytes between rows.
                    let run = (rows + 1) * R + 5;
                    let src: Vec<u8> = (0..cols * run).map(|k| (k * 7 + k / 251 + 1) as u8).collect();
                    let (first, src_row) =
                        if backwards { ((cols - 1) * run, -(run as isize)) } else { (0, run as isize) };
                    // Destination: rows two lines plus the block apart, at
                    // a line when streamed, 3 bytes past one otherwise.
                    let dst_row = (bc * R).next_multiple_of(64) + 128;
                    let at = if stream { 0 } else { 3 };
                    let mut buffer = vec![0u128; (rows * dst_row + 128).div_ceil(16)];
                    let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut buffer);
                    let line = (64 - bytes.as_ptr().addr() % 64) % 64 + at;
                    let dst = &mut bytes[line..line + rows * dst_row];
                    let stream = stream && crate::simd::STREAMING && (cols * R).is_multiple_of(64);
                    let block = RecordBlock {
                        src: src.as_ptr().wrapping_add(first),
                        src_row,
                        dst: dst.as_mut_ptr(),
                        dst_row: dst_row as isize,
                        rows,
                        cols,
                        overread,
                    };
                    // SAFETY: every item of the block (and the one after
                    // each source run) lies in `src`, every destination row
                    // in `dst`; streamed rows start at lines and are whole
                    // lines.
                    unsafe { records::record_block::<R>(block, &mut stage, stream) };
                    super::fence();
                    let what = format!("{R}-byte records, {rows}x{cols}, backwards {backwards}, stream {stream}");
                    for r in 0..rows {
                        for b in 0..dst_row {
                            let c = b / R;
                            let expected = if c < cols {
                                let source_row = if backwards { cols - 1 - c } else { c };
                                src[source_row * run + r * R + b % R]
                            } else {
                                0
                            };
                            assert_eq!(dst[r * dst_row + b], expected, "{what}: row {r}, byte {b}");
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn record_blocks_transpose() {
    check_record_block::<3>();
    check_record_block::<12>();
    if !cfg!(miri) {
        check_record_block::<5>();
        check_record_block::<6>();
        check_record_block::<7>();
        check_record_block::<9>();
        check_record_block::<10>();
        check_record_block::<11>();
        check_record_block::<13>();
        check_record_block::<14>();
        check_record_block::<15>();
        check_record_block::<24>();
    }
}

/// The dispatch covers exactly the sizes that claim a kernel.
#[test]
fn record_sizes_dispatch() {
    for es in 1..=64 {
        if super::records::has_kernel(es) {
            let r = super::records::with_record_size!(es, R => R);
            assert_eq!(r, es);
        }
    }
}
