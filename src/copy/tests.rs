//! Every copy kernel, called directly (whatever the planner's size
//! thresholds would choose), against a naive index-by-index copy, on edge
//! shapes: 1xN, Nx1, one tile, a tile plus ragged edges, misaligned bases,
//! negative strides, and every itemsize with and without a kernel.

use super::direct;
use super::plan::{Dim, Plan, Strategy};
use super::tiled::Transpose2;

/// A source of distinct bytes and a destination, with the naive copy.
struct Problem {
    src: Vec<u8>,
    dst: Vec<u8>,
    expected: Vec<u8>,
}

/// How the destination's rows are laid out.
#[derive(Clone, Copy, Debug)]
struct DstRows {
    /// Bytes between rows past the whole lines the row needs: 0, 16, 32
    /// and 48 give rows a whole number of vectors apart (the shifted line
    /// grids), 5 rows with no common alignment.
    pad: usize,
    /// Rows in reverse order (a negative row stride).
    reversed: bool,
    /// Bytes the whole destination is moved by.
    misalign: usize,
    /// The source's rows (the destination's columns) walked backwards: a
    /// negative source stride, as in a 90° rotation.
    src_reversed: bool,
}

/// `rows x cols` items: `src(i, j) = i*es + j*src_col` from `src_base`,
/// `dst(i, j) = i*dst_row + j*es` laid out as `layout` says.
fn transpose_problem(rows: usize, cols: usize, es: usize, layout: DstRows) -> (Problem, Transpose2) {
    let src_col = (rows * es + 3) as isize;
    let row_bytes = (cols * es).div_ceil(64) * 64 + layout.pad;
    let src: Vec<u8> = (0..cols * src_col as usize + es).map(|k| (k * 7 + 3) as u8).collect();
    // A line of slack past the last row: a kernel writing past the
    // problem shows as a difference there.
    let dst = vec![0u8; rows * row_bytes + layout.misalign + es + 64];
    let mut expected = dst.clone();
    let row_start = |i: usize| layout.misalign + if layout.reversed { rows - 1 - i } else { i } * row_bytes;
    let src_row = |j: usize| if layout.src_reversed { cols - 1 - j } else { j };
    for i in 0..rows {
        for j in 0..cols {
            let s = i * es + src_row(j) * src_col as usize;
            let d = row_start(i) + j * es;
            expected[d..d + es].copy_from_slice(&src[s..s + es]);
        }
    }
    let mut p = Problem { src, dst, expected };
    let first = if rows == 0 { layout.misalign } else { row_start(0) };
    let t = Transpose2 {
        dst: p.dst.as_mut_ptr().wrapping_add(first),
        dst_row: if layout.reversed { -(row_bytes as isize) } else { row_bytes as isize },
        src: p.src.as_ptr().wrapping_add(if cols == 0 { 0 } else { src_row(0) * src_col as usize }),
        src_col: if layout.src_reversed { -src_col } else { src_col },
        rows,
        cols,
        itemsize: es,
        stream: false,
        joined: super::tiled::Joined::NONE,
    };
    (p, t)
}

#[test]
fn tiled_transposes_on_edge_shapes() {
    // 3 to 24: the record kernels; 20: item by item.
    let itemsizes: &[usize] = if cfg!(miri) { &[1, 3, 8, 16] } else { &[1, 2, 3, 4, 5, 6, 8, 12, 16, 20, 24] };
    for &es in itemsizes {
        let (k, w) = (16 / es.min(16), 64 / es.min(64));
        let k = k.max(1);
        // The sixth shape has pairs of column blocks and a single one, and
        // whole square tiles of 4- and 8-byte items; the last one more rows
        // than a band.
        let shapes = [
            (1, 3 * w),
            (3 * w, 1),
            (k, w),
            (k + 1, w + 1),
            (2 * k + 3, 3 * w + 5),
            (4 * w + 3, 5 * w + 5),
            // Rows of whole lines: misaligned and not padded, they follow
            // each other with shared lines (seams).
            (3 * w + 5, 4 * w),
            (3 * w, 4 * w),
            (super::tiled::band_rows(es) + 9, w + 3),
            // Several column blocks of rows that carry their partial lines
            // (destinations without a line grid), two at a time for 8-byte
            // items.
            (300, 3 * w + 5),
            // Carried rows over more than one strip of columns (the
            // 512-bit kernel carries each row's last chunk between them).
            (17, 600),
        ];
        let shapes = if cfg!(miri) { &shapes[3..4] } else { &shapes[..] };
        let mut layouts = Vec::new();
        for pad in [0, 5, 16, 32, 48] {
            for misalign in [0, 1, 16] {
                layouts.push(DstRows { pad, reversed: false, misalign, src_reversed: false });
            }
            layouts.push(DstRows { pad, reversed: true, misalign: 0, src_reversed: false });
            layouts.push(DstRows { pad, reversed: false, misalign: 16, src_reversed: true });
        }
        // Under Miri (four minutes for seven layouts of six itemsizes): a
        // sample of five layouts.
        let layouts: Vec<DstRows> = if cfg!(miri) { layouts.into_iter().step_by(6).collect() } else { layouts };
        for &(rows, cols) in shapes {
            for &layout in &layouts {
                for stream in [false, true] {
                    let (mut p, mut t) = transpose_problem(rows, cols, es, layout);
                    // (Streamed: whole lines with streaming stores where
                    // the build has them, the same paths with plain stores
                    // elsewhere, under Miri too.)
                    t.stream = stream;
                    // SAFETY: the buffers hold every item of the problem.
                    unsafe { t.run() };
                    assert_eq!(p.dst, p.expected, "itemsize {es}, {rows}x{cols}, {layout:?}, stream {stream}");
                    // Row slices (as the parallel split uses them).
                    let (mut q, t) = transpose_problem(rows, cols, es, layout);
                    // SAFETY: as above, rows 0..r and r..rows.
                    unsafe {
                        t.rows(0, rows / 2).run();
                        t.rows(rows / 2, rows).run();
                    }
                    assert_eq!(q.dst, q.expected);
                    // The small-copy path (register blocks, no bands).
                    let (mut r, t) = transpose_problem(rows, cols, es, layout);
                    // SAFETY: as above.
                    unsafe { t.run_small() };
                    assert_eq!(r.dst, r.expected, "small: itemsize {es}, {rows}x{cols}, {layout:?}");
                    r.dst.clear();
                    p.dst.clear();
                    q.dst.clear();
                }
            }
        }
    }
}

/// A copy through `direct::run` with the strategy forced.
fn forced(dims: &[Dim], es: usize, strategy: Strategy) {
    let plan = Plan::from_dims(es, dims);
    // Bytes spanned by each side (all strides are positive here).
    let span =
        |pick: fn(&Dim) -> isize| dims.iter().map(|d| pick(d) * (d.extent as isize - 1)).sum::<isize>() as usize + es;
    let src: Vec<u8> = (0..span(|d| d.src)).map(|k| (k * 13 + 1) as u8).collect();
    let mut dst = vec![0u8; span(|d| d.dst)];
    let mut expected = dst.clone();
    let n: usize = dims.iter().map(|d| d.extent).product();
    for mut k in 0..n {
        let (mut so, mut dof) = (0usize, 0usize);
        for d in dims.iter().rev() {
            let i = k % d.extent;
            k /= d.extent;
            so += i * d.src as usize;
            dof += i * d.dst as usize;
        }
        expected[dof..dof + es].copy_from_slice(&src[so..so + es]);
    }
    let plan = Plan { strategy, ..plan };
    // As a small copy, and as one block of a large one (streamed).
    for copy_bytes in [0, 64 << 20] {
        dst.fill(0);
        // SAFETY: the buffers span every item of both sides.
        unsafe { direct::run(&plan, dst.as_mut_ptr(), src.as_ptr(), direct::Mode::serial(copy_bytes)) };
        assert_eq!(dst, expected, "{strategy:?} over {dims:?}, copy of {copy_bytes} bytes");
    }
}

#[test]
fn every_strategy_against_the_naive_copy() {
    let d = |extent, dst, src| Dim { extent, dst, src };
    let itemsizes: &[usize] =
        if cfg!(miri) { &[3, 8] } else { &[1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 24, 32, 33, 40, 64, 65, 100] };
    for &es in itemsizes {
        let e = es as isize;
        // Rows: inner run contiguous on both sides.
        forced(&[d(5, 9 * e, 11 * e), d(7, e, e)], es, Strategy::Rows);
        // Gather: strided on both sides, three dimensions; one dimension.
        forced(&[d(3, 40 * e, 50 * e), d(4, 9 * e, 3 * e), d(5, e, 2 * e)], es, Strategy::Gather);
        forced(&[d(11, 2 * e, 3 * e)], es, Strategy::Gather);
        // One dimension past the small-copy size: a line of its own.
        forced(&[d(4096 / es + 3, 2 * e, 3 * e)], es, Strategy::Gather);
        // Blocked: the source's fast dimension outside, strided (3 items)
        // or backwards, with blocks and a ragged last block (the block is
        // 32 bytes of destination), inside one or two other dimensions.
        forced(&[d(13, 40 * e, 3 * e), d(37, e, 45 * e)], es, Strategy::Blocked { fast_src: 0 });
        forced(&[d(2, 2000 * e, 7 * e), d(13, 40 * e, 3 * e), d(37, e, 45 * e)], es, Strategy::Blocked { fast_src: 1 });
        forced(
            &[d(3, 1100 * e, 1000 * e), d(13, 80 * e, 2 * e), d(37, 2 * e, 45 * e)],
            es,
            Strategy::Blocked { fast_src: 1 },
        );
        // More loops than a plan keeps inline (ten of extent 2, the
        // source's strides a permutation of the destination's): a gather.
        let perm = [3u32, 7, 0, 9, 5, 1, 8, 2, 6, 4];
        let many: Vec<Dim> = (0..10).map(|k| d(2, e << (9 - k), e << perm[k])).collect();
        if !cfg!(miri) {
            forced(&many, es, Strategy::Gather);
        }
        // Transpose with an outer dimension.
        forced(
            &[d(2, 600 * e, 700 * e), d(19, 21 * e, e), d(21, e, 19 * e)],
            es,
            Strategy::Transpose { fast_dst: 2, fast_src: 1 },
        );
    }
}

#[test]
fn streamed_runs_at_every_alignment() {
    let src: Vec<u8> = (0..1200).map(|k| (k * 31 + 7) as u8).collect();
    let lengths: &[usize] = if cfg!(miri) { &[0, 70, 300] } else { &[0, 1, 15, 63, 64, 65, 255, 256, 257, 700, 1000] };
    for &n in lengths {
        for shift in [0, 1, 8, 16, 33, 63] {
            let mut dst = vec![0u8; n + 128];
            // SAFETY: `src[shift..]` and `dst[shift..]` hold n bytes.
            unsafe { super::strided::copy_run(dst.as_mut_ptr().add(shift), src.as_ptr().add(shift), n, true) };
            crate::simd::fence();
            assert_eq!(&dst[shift..shift + n], &src[shift..shift + n], "{n} bytes at {shift}");
            assert!(
                dst[..shift].iter().chain(&dst[shift + n..]).all(|&b| b == 0),
                "{n} bytes at {shift}: wrote outside"
            );
        }
    }
}

/// Transpositions whose innermost other dimension continues the
/// destination rows (problem p's rows follow problem p - 1's, as in a
/// (2, 1, 0) permutation of a cube): the problems run joined at their
/// edges (seams) when the rows are a whole number of lines long. Against
/// the naive copy, into destinations 0, 4 and 16 bytes past a line,
/// streamed and not, with nothing written outside the items.
#[test]
fn joined_problems_against_the_naive_copy() {
    let itemsizes: &[usize] = if cfg!(miri) { &[4] } else { &[1, 2, 3, 4, 8] };
    for &es in itemsizes {
        let w = 64 / es;
        let problems = 5;
        // The first shape is tiled (and its seams leave rows over), the
        // others are small.
        let shapes = if cfg!(miri) { vec![(5, 2 * w)] } else { vec![(6 * w + 5, 2 * w), (2 * w, w), (w + 9, w + 3)] };
        for (shape, (rows, cols)) in shapes.into_iter().enumerate() {
            // Source [cols][problems][rows], destination [rows][problems][cols].
            let dims = [
                Dim { extent: rows, dst: (problems * cols * es) as isize, src: es as isize },
                Dim { extent: problems, dst: (cols * es) as isize, src: (rows * es) as isize },
                Dim { extent: cols, dst: es as isize, src: (problems * rows * es) as isize },
            ];
            let n = rows * problems * cols * es;
            let src: Vec<u8> = (0..n).map(|k| (k * 29 + k / 241) as u8).collect();
            let mut expected = vec![0u8; n];
            for i in 0..rows {
                for p in 0..problems {
                    for j in 0..cols {
                        let (d, s) = ((i * problems + p) * cols + j, (j * problems + p) * rows + i);
                        expected[d * es..][..es].copy_from_slice(&src[s * es..][..es]);
                    }
                }
            }
            let plan = Plan::from_dims(es, &dims);
            if shape == 0 && !cfg!(miri) {
                assert!(matches!(plan.strategy, Strategy::Transpose { .. }), "{es}, {rows}x{cols}: {plan:?}");
            }
            for misalign in [0, 4, 16] {
                for copy_bytes in [0, 64 << 20] {
                    let mut buffer = vec![0u128; (n + 128).div_ceil(16)];
                    let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut buffer);
                    let at = (64 - bytes.as_ptr().addr() % 64) % 64 + misalign;
                    // SAFETY: `bytes[at..at + n]` holds every destination
                    // item, `src` every source item.
                    unsafe {
                        direct::run(&plan, bytes.as_mut_ptr().add(at), src.as_ptr(), direct::Mode::serial(copy_bytes));
                    }
                    crate::simd::fence();
                    let what = format!("itemsize {es}, {rows}x{problems}x{cols}, {misalign} past a line, {copy_bytes}");
                    assert!(bytes[at..at + n] == expected[..], "{what}");
                    assert!(bytes[..at].iter().chain(&bytes[at + n..]).all(|&b| b == 0), "{what}: outside");
                }
            }
        }
    }
}

/// `SliceView::fits` against a brute-force enumeration of the items'
/// element positions: inside the slice, and on its grid.
#[test]
fn slice_view_fits_matches_enumeration() {
    use super::SliceView;
    let itemsize = 4_usize;
    let len = 12_usize;
    let strides = [-20_isize, -8, -4, -2, 0, 2, 4, 8, 12, 16, isize::MAX / 2];
    let mut checked = 0;
    // (Pure arithmetic: Miri, which takes 90 s for all seven offsets,
    // checks three.)
    let offsets: &[usize] = if cfg!(miri) { &[0, 5, usize::MAX / 2] } else { &[0, 1, 5, 11, 12, 13, usize::MAX / 2] };
    for &offset in offsets {
        for n0 in 0..4_usize {
            for n1 in 0..4_usize {
                for &s0 in &strides {
                    for &s1 in &strides {
                        let (shape, st) = ([n0, n1], [s0, s1]);
                        let view = SliceView { offset, shape: &shape, strides: &st };
                        // Every item's byte position, in i128 so nothing
                        // overflows.
                        let mut ok = true;
                        for i in 0..n0 {
                            for j in 0..n1 {
                                let at = offset as i128 * itemsize as i128
                                    + i as i128 * i128::from(s0 as i64)
                                    + j as i128 * i128::from(s1 as i64);
                                ok &= at >= 0 && at < (len * itemsize) as i128 && at % itemsize as i128 == 0;
                            }
                        }
                        // Strides of extents of 1 are never applied; a
                        // stride that is never applied may be anything.
                        assert_eq!(view.fits(len, itemsize), ok, "offset {offset} shape {shape:?} strides {st:?}");
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 1000);
}

/// Transposes into few, long destination rows, in panels of columns
/// (`skinny`): rows left over after the tiles (17 = 4 x 4 + 1 for 4-byte
/// items), every kernel itemsize and one without a kernel, on one and on
/// two threads (the split along the columns), with row layouts whose
/// lines start anywhere, against the naive copy.
#[test]
#[cfg_attr(miri, ignore)]
fn few_long_destination_rows_in_panels() {
    for es in [1usize, 2, 3, 4, 8] {
        for rows in [1, 17, 5, 2 * 16 / es.min(16) + 1] {
            // Enough columns for four panels (of about 128 KiB of source).
            let cols = 4 * (128 << 10) / (rows * es + 3) + 77;
            for layout in [
                DstRows { pad: 0, reversed: false, misalign: 0, src_reversed: false },
                DstRows { pad: 5, reversed: true, misalign: 0, src_reversed: false },
                DstRows { pad: 16, reversed: false, misalign: 1, src_reversed: false },
            ] {
                for (stream, parallel) in [(false, false), (true, true)] {
                    let (p, mut t) = transpose_problem(rows, cols, es, layout);
                    t.stream = stream && crate::simd::STREAMING;
                    // SAFETY: the buffers hold every item of the problem.
                    let ran = unsafe { super::skinny::run(t, parallel) };
                    crate::simd::fence();
                    let what = format!("itemsize {es}, {rows}x{cols}, {layout:?}, parallel {parallel}");
                    assert!(ran || (rows % (16 / es.clamp(1, 16)) == 0 && !parallel) || es == 3 && !parallel, "{what}");
                    if ran {
                        assert!(p.dst == p.expected, "{what}");
                    }
                }
            }
        }
    }
}

/// Transposes whose source runs backwards along the rows the tiles read
/// (`a[::-1].T` and its relatives, in 2-D and under an outer dimension),
/// planned as the planner plans them, against a naive copy of the same
/// layouts: every itemsize class, above the tiling threshold.
#[test]
fn reversed_source_transposes_against_the_naive_copy() {
    use crate::layout::Layout;
    use crate::view::{BufferView, BufferViewMut};
    // The itemsizes of the tile kernels, the records' among them.
    let itemsizes: &[usize] = if cfg!(miri) { &[4] } else { &[1, 2, 3, 4, 8, 12, 16, 24] };
    for &es in itemsizes {
        // rows x cols of the destination, enough bytes to be tiled.
        let (rows, cols) = if cfg!(miri) { (9, 11) } else { (250 + es, 260) };
        let (e, r, c) = (es as isize, rows as isize, cols as isize);
        // Source: a C array of cols x rows items, read transposed, its
        // contiguous dimension walked backwards from the end of each row.
        let src: Vec<u8> = (0..rows * cols * es).map(|k| (k * 7 + k / 251) as u8).collect();
        for outer in [1usize, 3] {
            let src_all: Vec<u8> = src.iter().cycle().take(src.len() * outer).copied().collect();
            let shape = [outer, rows, cols];
            let src_strides = [r * c * e, -e, r * e];
            let src_base = (rows - 1) * es;
            let dst_strides = [r * c * e, c * e, e];
            let mut dst = vec![0u8; rows * cols * es * outer];
            let mut expected = dst.clone();
            for o in 0..outer {
                for i in 0..rows {
                    for j in 0..cols {
                        let so = (src_base as isize + o as isize * src_strides[0] - i as isize * e + j as isize * r * e)
                            as usize;
                        let dof = o * rows * cols * es + (i * cols + j) * es;
                        expected[dof..dof + es].copy_from_slice(&src_all[so..so + es]);
                    }
                }
            }
            let format = crate::Format::parse(&format!("{es}s")).unwrap();
            let src_layout = Layout::new(&shape, &src_strides, es).unwrap();
            let dst_layout = Layout::new(&shape, &dst_strides, es).unwrap();
            let plan = Plan::direct(&dst_layout, &src_layout);
            if !cfg!(miri) {
                assert!(matches!(plan.strategy, Strategy::Transpose { .. }), "{es}: {plan:?}");
            }
            // SAFETY: every item of both layouts lies inside its buffer
            // (the naive loop above indexes the same bytes).
            let (source, mut target) = unsafe {
                (
                    BufferView::from_raw_parts(src_all.as_ptr().add(src_base), src_layout, format.clone()).unwrap(),
                    BufferViewMut::from_raw_parts(dst.as_mut_ptr(), dst_layout, format).unwrap(),
                )
            };
            target.assign(&source).unwrap();
            assert_eq!(dst, expected, "itemsize {es}, outer {outer}");
        }
    }
}

/// Reversed runs (`a[::-1]`) of every itemsize class, against a naive copy.
#[test]
fn reversed_runs_against_the_naive_copy() {
    let itemsizes: &[usize] = if cfg!(miri) { &[1, 3, 12] } else { &[1, 2, 3, 4, 6, 8, 11, 12, 16, 20, 24, 40, 65] };
    for &es in itemsizes {
        for n in [0usize, 1, 2, 7, 33, 100] {
            let src: Vec<u8> = (0..n * es).map(|k| (k * 29 + 3) as u8).collect();
            let mut dst = vec![0u8; n * es];
            let mut expected = dst.clone();
            for k in 0..n {
                let from = (n - 1 - k) * es;
                expected[k * es..(k + 1) * es].copy_from_slice(&src[from..from + es]);
            }
            if n > 0 {
                // SAFETY: n items forwards from dst, backwards from the
                // last item of src.
                unsafe {
                    super::strided::gather(
                        dst.as_mut_ptr(),
                        es as isize,
                        src.as_ptr().add((n - 1) * es),
                        -(es as isize),
                        n,
                        es,
                    );
                }
            }
            assert_eq!(dst, expected, "itemsize {es}, {n} items");
        }
    }
}

/// Planes split from packed pixels and merged into them (RGB to planes
/// and back, the plane kernels' copies), through `assign`, against a
/// naive copy: 1- and 2-byte items, 1 to 9 planes (1 and 9 have no
/// kernel), pixel counts around the kernels' vector step, a batch
/// dimension, and planes read in reverse order.
#[test]
fn planes_against_the_naive_copy() {
    use crate::layout::Layout;
    use crate::view::{BufferView, BufferViewMut};
    let counts: &[usize] = if cfg!(miri) { &[17] } else { &[16, 17, 100, 1003] };
    for (es, planes) in [1usize, 2].into_iter().flat_map(|es| (1..=9usize).map(move |planes| (es, planes))) {
        for &n in counts {
            for (outer, merge, reversed) in [(1, false, false), (2, false, true), (1, true, false), (2, true, true)] {
                let (e, p, m) = (es as isize, planes as isize, n as isize);
                let o = p * m * e;
                // dst: C-contiguous [outer, planes, n] (split) or [outer, n,
                // planes] (merge); src: the other one, read transposed.
                let (shape, src_strides, dst_strides) = if merge {
                    ([outer, n, planes], [o, e, if reversed { -m * e } else { m * e }], [o, p * e, e])
                } else {
                    ([outer, planes, n], [o, if reversed { -e } else { e }, p * e], [o, m * e, e])
                };
                let src_base = es
                    * if !reversed {
                        0
                    } else if merge {
                        (planes - 1) * n
                    } else {
                        planes - 1
                    };
                let bytes = outer * planes * n * es;
                let src: Vec<u8> = (0..bytes).map(|k| (k * 7 + k / 251) as u8).collect();
                let mut dst = vec![0u8; bytes];
                let mut expected = dst.clone();
                for a in 0..shape[0] {
                    for b in 0..shape[1] {
                        for c in 0..shape[2] {
                            let (a, b, c) = (a as isize, b as isize, c as isize);
                            let s = src_base as isize + a * src_strides[0] + b * src_strides[1] + c * src_strides[2];
                            let d = a * dst_strides[0] + b * dst_strides[1] + c * dst_strides[2];
                            let (s, d) = (s as usize, d as usize);
                            expected[d..d + es].copy_from_slice(&src[s..s + es]);
                        }
                    }
                }
                let src_layout = Layout::new(&shape, &src_strides, es).unwrap();
                let dst_layout = Layout::new(&shape, &dst_strides, es).unwrap();
                let plan = Plan::direct(&dst_layout, &src_layout);
                let kernel = super::tiled::plane_kernel(planes, es) && !(merge && reversed);
                if kernel && n * planes * outer > super::plan::TINY_COPY_ITEMS {
                    assert!(matches!(plan.strategy, Strategy::Transpose { .. }), "{planes} x {es} {n}: {plan:?}");
                }
                let format = crate::Format::parse(if es == 1 { "B" } else { "H" }).unwrap();
                // SAFETY: every item of both layouts lies inside its buffer
                // (the naive loop above indexes the same bytes).
                let (source, mut target) = unsafe {
                    (
                        BufferView::from_raw_parts(src.as_ptr().add(src_base), src_layout, format.clone()).unwrap(),
                        BufferViewMut::from_raw_parts(dst.as_mut_ptr(), dst_layout, format).unwrap(),
                    )
                };
                target.assign(&source).unwrap();
                let what = format!(
                    "{planes} planes of {es} bytes, {n} pixels, outer {outer}, merge {merge}, reversed {reversed}"
                );
                assert_eq!(dst, expected, "{what}");
            }
        }
    }
}

/// Planes split and merged above the threads' threshold (split between
/// threads by pixels for a split, by rows of pixels for a merge), 1- and
/// 2-byte items, against a naive copy.
#[test]
#[cfg_attr(miri, ignore)]
fn planes_on_threads_against_the_naive_copy() {
    use crate::layout::Layout;
    use crate::view::{BufferView, BufferViewMut};
    for (es, planes) in [(1usize, 3usize), (2, 3), (1, 4)] {
        // Above `parallel::PAR_MIN_BYTES`, with a ragged last vector.
        let n = (super::parallel::PAR_MIN_BYTES / (planes * es)) + 4093;
        let bytes = n * planes * es;
        let src: Vec<u8> = (0..bytes).map(|k| (k * 7 + k / 251) as u8).collect();
        let (e, p, m) = (es as isize, planes as isize, n as isize);
        for merge in [false, true] {
            // Split: [planes, n] from packed [n, planes] read transposed;
            // merge: the other way.
            let (shape, src_strides, dst_strides) =
                if merge { ([n, planes], [e, m * e], [p * e, e]) } else { ([planes, n], [e, p * e], [m * e, e]) };
            let mut dst = vec![0u8; bytes];
            let mut expected = vec![0u8; bytes];
            for i in 0..shape[0] as isize {
                for j in 0..shape[1] as isize {
                    let s = (i * src_strides[0] + j * src_strides[1]) as usize;
                    let d = (i * dst_strides[0] + j * dst_strides[1]) as usize;
                    expected[d..d + es].copy_from_slice(&src[s..s + es]);
                }
            }
            let format = crate::Format::parse(if es == 1 { "B" } else { "H" }).unwrap();
            let src_layout = Layout::new(&shape, &src_strides, es).unwrap();
            let dst_layout = Layout::new(&shape, &dst_strides, es).unwrap();
            // SAFETY: every item of both layouts lies inside its buffer.
            let (source, mut target) = unsafe {
                (
                    BufferView::from_raw_parts(src.as_ptr(), src_layout, format.clone()).unwrap(),
                    BufferViewMut::from_raw_parts(dst.as_mut_ptr(), dst_layout, format).unwrap(),
                )
            };
            target.assign(&source).unwrap();
            assert!(dst == expected, "{planes} planes of {es} bytes, {n} pixels, merge {merge}");
        }
    }
}
