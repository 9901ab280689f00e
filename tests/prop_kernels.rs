//! Every copy strategy (memcpy, row copies, tiled transposes with each
//! micro-kernel, gathers, indirect blocks) against the naive walker, on
//! shapes large enough to reach the tiles and their edges: odd extents,
//! extents that are not multiples of the tile, 1xN and Nx1, negative
//! strides, misaligned bases, and every itemsize from 1 to 16.

use memoryview::{BufferView, BufferViewMut, Format, Layout, Order, Slice};
use proptest::prelude::*;

const CASES: u32 = if cfg!(miri) { 2 } else { 96 };

/// A C-contiguous source of `shape` with distinct item bytes, permuted by
/// `perm` and sliced with `steps` (negative steps reverse a dimension),
/// copied out in C and F order, compared with the naive gather.
fn check_permuted(shape: &[usize], itemsize: usize, perm: &[usize], steps: &[isize], misalign: usize) {
    let n: usize = shape.iter().product();
    let mut backing = vec![0u8; n * itemsize + misalign];
    for (k, b) in backing[misalign..].iter_mut().enumerate() {
        *b = (k.wrapping_mul(2654435761) >> 7) as u8;
    }
    let format = Format::parse(&format!("{itemsize}s")).unwrap();
    let layout = Layout::contiguous(shape, itemsize, Order::C).unwrap();
    let base = BufferView::new(&backing, layout, misalign, format.clone()).unwrap();
    let slices: Vec<Slice> = steps.iter().map(|&s| Slice::from(..).step(s)).collect();
    let view = base.slice(&slices).unwrap().permute_axes(perm).unwrap();

    // The naive walker, from the definitions alone: view index v maps to
    // base index b[perm[k]] = v[k], then to the unsliced index (negative
    // steps count from the end), then to a byte offset in C order.
    let vshape: Vec<usize> = view.shape().to_vec();
    let c_strides: Vec<usize> = (0..shape.len()).map(|d| shape[d + 1..].iter().product::<usize>() * itemsize).collect();
    let offset = |v: &[usize]| -> usize {
        (0..shape.len())
            .map(|k| {
                let d = perm[k];
                let step = steps[d];
                let o = if step < 0 { shape[d] - 1 - v[k] * step.unsigned_abs() } else { v[k] * step as usize };
                o * c_strides[d]
            })
            .sum()
    };
    let naive = |fortran: bool| -> Vec<u8> {
        let mut out = Vec::with_capacity(view.nbytes());
        if vshape.contains(&0) {
            return out;
        }
        let mut v = vec![0usize; vshape.len()];
        loop {
            let at = misalign + offset(&v);
            out.extend_from_slice(&backing[at..at + itemsize]);
            // Advance: first index fastest for Fortran order, last for C.
            let dims: Vec<usize> = if fortran { (0..v.len()).collect() } else { (0..v.len()).rev().collect() };
            let mut carried = true;
            for d in dims {
                v[d] += 1;
                if v[d] < vshape[d] {
                    carried = false;
                    break;
                }
                v[d] = 0;
            }
            if carried {
                return out;
            }
        }
    };
    assert_eq!(view.to_bytes(Order::C), naive(false), "C order, shape {shape:?} perm {perm:?} steps {steps:?}");
    assert_eq!(view.to_bytes(Order::F), naive(true), "F order, shape {shape:?} perm {perm:?} steps {steps:?}");

    // The same copy into a strided, misaligned destination (assign).
    let mut out = vec![0u8; n * itemsize + 3];
    let dst_layout = Layout::contiguous(view.shape(), itemsize, Order::F).unwrap();
    let mut dst = BufferViewMut::new(&mut out, dst_layout, 3, format).unwrap();
    dst.assign(&view).unwrap();
    assert_eq!(dst.view().to_bytes(Order::F), naive(true));
}

fn perm_strategy(ndim: usize) -> impl Strategy<Value = Vec<usize>> {
    Just((0..ndim).collect::<Vec<_>>()).prop_shuffle()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn two_d_copies(rows in 1usize..80, cols in 1usize..80, itemsize in prop::sample::select(vec![1usize, 2, 3, 4, 6, 8, 12, 16, 24]),
                    transpose in any::<bool>(), flip in (any::<bool>(), any::<bool>()), misalign in 0usize..16) {
        let perm = if transpose { vec![1, 0] } else { vec![0, 1] };
        let steps = [if flip.0 { -1 } else { 1 }, if flip.1 { -1 } else { 1 }];
        check_permuted(&[rows, cols], itemsize, &perm, &steps, misalign);
    }

    #[test]
    fn three_d_permutations(shape in prop::collection::vec(1usize..24, 3), perm in perm_strategy(3),
                            itemsize in prop::sample::select(vec![1usize, 2, 4, 8]), step in prop::sample::select(vec![1isize, 2, -1])) {
        check_permuted(&shape, itemsize, &perm, &[1, step, 1], 0);
    }
}

#[test]
fn edge_shapes_for_every_kernel() {
    let itemsizes: &[usize] = if cfg!(miri) { &[4, 3] } else { &[1, 2, 3, 4, 6, 8, 12, 16] };
    for &itemsize in itemsizes {
        // Record sizes: their block columns (64 / gcd(size, 64) items).
        let w = if itemsize.is_power_of_two() { 64 / itemsize } else { 64 >> itemsize.trailing_zeros() };
        let k = (16 / itemsize).max(1);
        let shapes = [(1, w * 3), (w * 3, 1), (k, w), (k + 1, w + 1), (k - 1, 2 * w - 1), (3 * k + 2, 5 * w + 3)];
        // Under Miri, one shape that has a whole tile and ragged edges.
        let shapes = if cfg!(miri) { &shapes[3..4] } else { &shapes[..] };
        for &(rows, cols) in shapes {
            for misalign in [0, 1, 16] {
                check_permuted(&[rows, cols], itemsize, &[1, 0], &[1, 1], misalign);
                check_permuted(&[rows, cols], itemsize, &[1, 0], &[-1, 1], misalign);
            }
        }
    }
}

/// Large enough for the parallel split (8 MiB of output) and for
/// streaming stores.
#[test]
#[cfg_attr(miri, ignore)]
fn large_copies_use_threads_and_streaming_stores() {
    for (shape, itemsize) in [([1100usize, 1300usize], 8usize), ([2048, 2050], 4), ([3001, 2999], 1)] {
        check_permuted(&shape, itemsize, &[1, 0], &[1, 1], 0);
    }
    // 16-byte items and records, transposed and rotated by 90° (one axis
    // reversed: the source walked backwards).
    for (shape, itemsize) in [([700usize, 900usize], 16usize), ([1024, 1000], 3), ([600, 700], 6), ([500, 520], 12)] {
        check_permuted(&shape, itemsize, &[1, 0], &[1, 1], 0);
        check_permuted(&shape, itemsize, &[1, 0], &[-1, 1], 0);
    }
    check_permuted(&[800, 3000], 4, &[0, 1], &[1, 2], 0);
    // Few long destination rows (panels split between threads), and
    // their transposes; a strided source of a 3-D permutation (blocked).
    check_permuted(&[140000, 17], 4, &[1, 0], &[1, 1], 0);
    check_permuted(&[17, 140000], 4, &[1, 0], &[1, 1], 0);
    check_permuted(&[3, 150000], 3, &[1, 0], &[1, 1], 0);
    check_permuted(&[80, 512, 300], 4, &[1, 0, 2], &[1, -1, 3], 0);
    // 3-D permutations whose destination rows are short and (in a fresh
    // vector) not at lines: seams within each 2-D slice (0, 2, 1), and
    // between the slices' rows (2, 1, 0), on several threads.
    for perm in [[0, 2, 1], [2, 1, 0]] {
        check_permuted(&[192, 64, 256], 4, &perm, &[1, 1, 1], 0);
        check_permuted(&[96, 64, 256], 8, &perm, &[1, 1, 1], 0);
    }
    // Whole contiguous copies past 16 MiB are streamed: into a destination
    // that starts and ends mid-line, nothing around it written.
    let n: usize = (16 << 20) + 4099;
    let src: Vec<u8> = (0..n).map(|k| (k.wrapping_mul(2654435761) >> 9) as u8).collect();
    let source =
        BufferView::new(&src, Layout::contiguous(&[n], 1, Order::C).unwrap(), 0, Format::parse("B").unwrap()).unwrap();
    let mut out = vec![0u8; n + 8];
    let layout = Layout::contiguous(&[n], 1, Order::C).unwrap();
    BufferViewMut::new(&mut out, layout, 3, Format::parse("B").unwrap()).unwrap().assign(&source).unwrap();
    assert!(out[3..3 + n] == src[..], "a streamed contiguous copy");
    assert!(out[..3].iter().chain(&out[3 + n..]).all(|&b| b == 0), "a streamed contiguous copy: outside");
}
