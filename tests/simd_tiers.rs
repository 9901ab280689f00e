//! Every SIMD tier this CPU has, end to end: the same copies at each cap
//! (`set_simd_level`), compared with a naive walker. (`.ci/run` also runs
//! the whole suite once per tier, with `MEMORYVIEW_SIMD`.)

use memoryview::{MemoryView, MemoryViewMut, Order, SimdLevel, detected_simd_level, set_simd_level, simd_level};

/// Transposes and permutations large enough to take the tiled paths (and
/// the streaming ones), of each tiled itemsize and one other.
fn check_copies() {
    for itemsize in [1usize, 2, 4, 8, 3] {
        for (rows, cols) in [(300, 257), (64, 2000), (1024, 1024)] {
            let n = rows * cols * itemsize;
            let src: Vec<u8> = (0..n).map(|i| (i * 7 + i / 251) as u8).collect();
            let layout = memoryview::Layout::contiguous(&[rows, cols], itemsize, Order::C).unwrap();
            let view = memoryview::BufferView::new(&src, layout, 0, memoryview::Format::bytes()).unwrap();
            let got = view.t().to_bytes(Order::C);
            let mut want = vec![0u8; n];
            for r in 0..rows {
                for c in 0..cols {
                    let (from, to) = ((r * cols + c) * itemsize, (c * rows + r) * itemsize);
                    want[to..to + itemsize].copy_from_slice(&src[from..from + itemsize]);
                }
            }
            assert_eq!(got, want, "{:?}: {itemsize}-byte items, {rows}x{cols}", simd_level());
        }
    }
    // A 3-D permutation into an existing buffer.
    let data: Vec<f32> = (0..64 * 48 * 40).map(|i| i as f32).collect();
    let a = MemoryView::from_shape(&data, &[64, 48, 40]).unwrap();
    let p = a.permute_axes(&[2, 0, 1]).unwrap();
    let mut out = vec![0f32; data.len()];
    MemoryViewMut::from_shape(&mut out, &[40, 64, 48]).unwrap().assign(&p).unwrap();
    for (k, &v) in out.iter().enumerate() {
        let (i2, rest) = (k / (64 * 48), k % (64 * 48));
        let (i0, i1) = (rest / 48, rest % 48);
        assert_eq!(v, data[(i0 * 48 + i1) * 40 + i2], "{:?}", simd_level());
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn every_tier_copies_the_same_bytes() {
    let top = detected_simd_level();
    for cap in [SimdLevel::Scalar, SimdLevel::Sse2, SimdLevel::Avx2, SimdLevel::Avx512] {
        let level = set_simd_level(cap);
        assert_eq!(level, cap.min(top));
        check_copies();
    }
    set_simd_level(SimdLevel::Avx512);
}
