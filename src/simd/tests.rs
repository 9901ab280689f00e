//! Every line tile against the definition of a transpose.

use super::LineTile;

fn check<T: LineTile>(itemsize: usize) {
    let (k, w) = (T::K, T::W);
    // Source: W rows with a gap after K items; destination: K rows with a
    // gap after W items, 16-byte aligned rows.
    let src_row = k * itemsize + 8;
    let dst_row = w * itemsize + 16;
    let src: Vec<u8> = (0..w * src_row).map(|i| (i * 7 + 1) as u8).collect();
    let mut dst = vec![0u128; (k * dst_row).div_ceil(16)];
    let stream = [true; 16];
    // SAFETY: the buffers hold every item of the tile; rows are aligned.
    unsafe {
        T::tile(src.as_ptr(), src_row as isize, dst.as_mut_ptr().cast(), dst_row as isize, &stream[..k]);
    }
    super::fence();
    let dst: &[u8] = bytemuck::cast_slice(&dst);
    for c in 0..w {
        for r in 0..k {
            let from = &src[c * src_row + r * itemsize..][..itemsize];
            let to = &dst[r * dst_row + c * itemsize..][..itemsize];
            assert_eq!(from, to, "itemsize {itemsize}, source row {c}, item {r}");
        }
    }
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
