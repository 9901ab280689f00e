//! Every line tile against the definition of a transpose, with and
//! without row shifts and streaming stores.

use super::LineTile;

fn check_one<T: LineTile, const STREAM: bool, const EXTRA: usize>(itemsize: usize, shift: &[usize]) {
    let (k, w) = (T::K, T::W);
    let cols = w + EXTRA * k;
    // Source: `cols` rows with a gap after K items; destination: K rows
    // with a gap after `cols` items, 16-byte aligned rows.
    let src_row = k * itemsize + 8;
    let dst_row = cols * itemsize + 16;
    let src: Vec<u8> = (0..cols * src_row).map(|i| (i * 7 + 1) as u8).collect();
    let mut dst = vec![0u128; (k * dst_row).div_ceil(16)];
    // SAFETY: the buffers hold every item of the tile; rows are aligned.
    unsafe {
        T::tile::<STREAM, EXTRA>(src.as_ptr(), src_row as isize, dst.as_mut_ptr().cast(), dst_row as isize, shift);
    }
    super::fence();
    let dst: &[u8] = bytemuck::cast_slice(&dst);
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

fn check<T: LineTile>(itemsize: usize) {
    check_block::<T>(itemsize);
    let none = [0; 16];
    let ramp: Vec<usize> = (0..16).map(|r| r % 4).collect();
    let pairs: Vec<usize> = (0..16).map(|r| 2 * (r % 2)).collect();
    let back: Vec<usize> = (0..16).map(|r| 3 - r % 4).collect();
    check_one::<T, false, 0>(itemsize, &none);
    check_one::<T, true, 0>(itemsize, &none);
    check_one::<T, true, 2>(itemsize, &pairs);
    check_one::<T, false, 3>(itemsize, &ramp);
    check_one::<T, true, 3>(itemsize, &back);
    check_one::<T, true, 1>(itemsize, &(0..16).map(|r| r % 2).collect::<Vec<_>>());
}

#[test]
fn kernels_transpose() {
    use super::kernels::{Tile1, Tile2, Tile4, Tile8};
    check::<Tile1>(1);
    check::<Tile2>(2);
    check::<Tile4>(4);
    check::<Tile8>(8);
}

#[test]
fn scalar_kernels_transpose() {
    use super::scalar::{Tile1, Tile2, Tile4, Tile8};
    check::<Tile1>(1);
    check::<Tile2>(2);
    check::<Tile4>(4);
    check::<Tile8>(8);
}
