//! Moving one item of any size, in a few fixed-size loads and stores.
//!
//! A copy loop over items of a size known only at run time would call
//! `memcpy` for every item (about 10 ns each, more than the move). Instead
//! each itemsize falls into a class ([`with_item!`]) whose move is a few
//! unaligned loads and stores fixed at compile time: one primitive for 1,
//! 2, 4, 8 and 16 bytes, and an array of the exact size for the common
//! records (3, 6, 12, 20 and 24 bytes); a primitive and the narrowest
//! second one that reaches the end for the other sizes up to 32 (an
//! 11-byte item is the 8 bytes at 0 and the 4 bytes at 7); three or four
//! 16-byte moves for 33–64 bytes; `memcpy` only above that. Loops are
//! then written once, generic over the class, and the class is chosen once
//! per copy.

use std::marker::PhantomData;

/// How one item of a class of itemsizes is moved.
pub(crate) trait Item {
    /// Copies the `itemsize` bytes at `src` to `dst`.
    ///
    /// # Safety
    ///
    /// `itemsize` is in the class; `src` readable and `dst` writable for
    /// `itemsize` bytes; the two do not overlap.
    unsafe fn copy(dst: *mut u8, src: *const u8, itemsize: usize);

    /// Whether loops over items of this class must not be unrolled: true
    /// for the classes whose moves sit at offsets known only at run time.
    /// Unrolled, LLVM's loop strength reduction gives every load and store
    /// of every unrolled item its own pointer (16 for four 20-byte items),
    /// which spill to the stack: a 52 x 397 gather of 20-byte items ran
    /// 2.5x slower than ndarray's loop over `[u8; 20]` (AMD EPYC, sweep
    /// problem 72), and level with it kept rolled. Loops over the exact
    /// classes stay unrolled (and vectorised: a reversed `f64` copy).
    /// Gathers over the rolled classes move one item a step.
    const KEEP_ROLLED: bool = false;

    /// Whether a gather loop over this class addresses item `k` as `base +
    /// k * stride` rather than bumping two pointers: true for bytes. LLVM
    /// then keeps one offset register per unrolled item, where the bumped
    /// pointers form a chain of additions one item long (a stride-5 byte
    /// gather ran at 0.31 ns an item bumped, 0.24 indexed, ndarray's loop
    /// 0.24; AMD EPYC; sweep problem 195 went from 0.80x ndarray to 1.02x).
    /// Wider items measured slower indexed in the kernels (sweep problems
    /// 44 and 26, 5000 f32 at a stride of 20 bytes and u16 at 8: 1.02x and
    /// 0.87x ndarray bumped, 0.71–0.74x and 0.78x indexed), and records ran
    /// out of registers (problem 17, 3-byte items: 3.3 ms to 8.1). Rows
    /// shorter than [`INDEXED_MIN_ITEMS`](super::strided::INDEXED_MIN_ITEMS)
    /// stay bumped too.
    const INDEXED: bool = false;

    /// Copies `n` items read backwards: item `k` from `src - k*itemsize`
    /// to `dst + k*itemsize` (`a[::-1]`).
    ///
    /// # Safety
    ///
    /// `itemsize` is in the class; the `n` items on each side are valid
    /// (readable at `src` and below, writable at `dst` and above) and the
    /// two sides do not overlap.
    #[inline(always)]
    unsafe fn reverse(dst: *mut u8, src: *const u8, n: usize, itemsize: usize) {
        for k in 0..n {
            // SAFETY: item k of both sides (caller's contract).
            unsafe { Self::copy(dst.add(k * itemsize), src.sub(k * itemsize), itemsize) };
        }
    }
}

/// Items of exactly `size_of::<T>()` bytes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Exact<T>(PhantomData<T>);

impl<T: Copy> Item for Exact<T> {
    const INDEXED: bool = size_of::<T>() == 1;

    #[inline(always)]
    unsafe fn copy(dst: *mut u8, src: *const u8, _: usize) {
        // SAFETY: one item of size_of::<T>() bytes on each side (caller).
        unsafe { dst.cast::<T>().write_unaligned(src.cast::<T>().read_unaligned()) };
    }

    /// Indexed by items of `T`: a loop the compiler vectorises (reversed
    /// bytes were copied at 0.8x ndarray's loop item by item; sweep
    /// problems 76 and 147).
    #[inline(always)]
    unsafe fn reverse(dst: *mut u8, src: *const u8, n: usize, _: usize) {
        let (dst, src) = (dst.cast::<T>(), src.cast::<T>());
        for k in 0..n {
            // SAFETY: item k of both sides (caller's contract).
            unsafe { dst.add(k).write_unaligned(src.sub(k).read_unaligned()) };
        }
    }
}

/// Items of more than `size_of::<H>()` bytes and at most `size_of::<H>() +
/// size_of::<T>()`: the first `size_of::<H>()` bytes and the last
/// `size_of::<T>()`, which may overlap. The tail is the narrowest that
/// reaches: a wide tail straddles more cache lines, and stores split over
/// two lines cost twice (20-byte items as 16 + 16 bytes ran at 0.90x
/// ndarray's `[u8; 20]` moves, which are 16 + 4; sweep problem 141).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Overlapping<H, T = H>(PhantomData<(H, T)>);

impl<H: Copy, T: Copy> Item for Overlapping<H, T> {
    const KEEP_ROLLED: bool = true;

    #[inline(always)]
    unsafe fn copy(dst: *mut u8, src: *const u8, itemsize: usize) {
        let last = itemsize - size_of::<T>();
        // SAFETY: both moves lie inside the item (size_of::<H>() and
        // size_of::<T>() are at most itemsize, caller), on both sides;
        // both loads come first.
        unsafe {
            let (head, tail) = (src.cast::<H>().read_unaligned(), src.add(last).cast::<T>().read_unaligned());
            dst.cast::<H>().write_unaligned(head);
            dst.add(last).cast::<T>().write_unaligned(tail);
        }
    }
}

/// Items of `16 * (N - 1) + 1` to `16 * N` bytes (33 to 64 for `N` of 3
/// and 4): `N` 16-byte moves, the last one ending where the item ends. (Four
/// moves for every item of 33 to 64 bytes made 37-byte items a store more
/// than the three of a `[u8; 37]` move, and small gathers of them ran at
/// 0.87x a naive loop; sweep problem 93.)
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lanes<const N: usize>;

impl<const N: usize> Item for Lanes<N> {
    const KEEP_ROLLED: bool = true;

    #[inline(always)]
    unsafe fn copy(dst: *mut u8, src: *const u8, itemsize: usize) {
        let last = itemsize - 16;
        let mut lanes = [0u128; N];
        // SAFETY: every move lies inside the item (16 * (N - 1) < itemsize
        // <= 16 * N, caller), on both sides; all loads come first.
        unsafe {
            for (k, lane) in lanes.iter_mut().enumerate() {
                *lane = src.add(if k + 1 < N { 16 * k } else { last }).cast::<u128>().read_unaligned();
            }
            for (k, lane) in lanes.iter().enumerate() {
                dst.add(if k + 1 < N { 16 * k } else { last }).cast::<u128>().write_unaligned(*lane);
            }
        }
    }
}

/// Larger items: `memcpy`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Large;

impl Item for Large {
    #[inline(always)]
    unsafe fn copy(dst: *mut u8, src: *const u8, itemsize: usize) {
        // SAFETY: one item on each side, not overlapping (caller).
        unsafe { std::ptr::copy_nonoverlapping(src, dst, itemsize) };
    }
}

/// `$run` with `$M` the [`Item`] class of the itemsize `$itemsize`.
macro_rules! with_item {
    ($itemsize:expr, $M:ident => $run:expr) => {{
        use $crate::copy::item::{Exact, Lanes, Large, Overlapping};
        match $itemsize {
            1 => {
                type $M = Exact<u8>;
                $run
            }
            2 => {
                type $M = Exact<u16>;
                $run
            }
            // The common records (RGB, RGB16, xyz f32 and f64, five f32)
            // at their exact size: loops over them unroll (see
            // `Item::KEEP_ROLLED`).
            3 => {
                type $M = Exact<[u8; 3]>;
                $run
            }
            4 => {
                type $M = Exact<u32>;
                $run
            }
            6 => {
                type $M = Exact<[u8; 6]>;
                $run
            }
            5..=7 => {
                type $M = Overlapping<u32>;
                $run
            }
            8 => {
                type $M = Exact<u64>;
                $run
            }
            12 => {
                type $M = Exact<[u8; 12]>;
                $run
            }
            9..=12 => {
                type $M = Overlapping<u64, u32>;
                $run
            }
            13..=15 => {
                type $M = Overlapping<u64>;
                $run
            }
            16 => {
                type $M = Exact<u128>;
                $run
            }
            24 => {
                type $M = Exact<[u8; 24]>;
                $run
            }
            // Five 4-byte fields: through `Overlapping` (one run-time
            // offset, kept rolled) a 52 x 397 gather of them ran at 0.88–
            // 0.90x ndarray's unrolled `[u8; 20]` loop, 1.00x exact (sweep
            // problem 72, AMD EPYC).
            20 => {
                type $M = Exact<[u8; 20]>;
                $run
            }
            17..=19 => {
                type $M = Overlapping<u128, u32>;
                $run
            }
            21..=23 => {
                type $M = Overlapping<u128, u64>;
                $run
            }
            25..=32 => {
                type $M = Overlapping<u128>;
                $run
            }
            33..=48 => {
                type $M = Lanes<3>;
                $run
            }
            49..=64 => {
                type $M = Lanes<4>;
                $run
            }
            _ => {
                type $M = Large;
                $run
            }
        }
    }};
}
pub(crate) use with_item;

#[cfg(test)]
mod tests {
    /// Every itemsize from 1 to 80, at every offset in a line, against
    /// `copy_from_slice`; nothing written outside the item.
    #[test]
    fn every_itemsize_moves_exactly_its_bytes() {
        let src: Vec<u8> = (0..200).map(|k| (k * 37 + 11) as u8).collect();
        for itemsize in 1..=80usize {
            for offset in [0, 1, 7, 15, 33] {
                let mut dst = vec![0u8; 200];
                // SAFETY: both vectors hold offset + itemsize bytes.
                unsafe {
                    with_item!(itemsize, M => <M as super::Item>::copy(
                        dst.as_mut_ptr().add(offset),
                        src.as_ptr().add(offset + 3),
                        itemsize,
                    ));
                }
                let mut expected = vec![0u8; 200];
                expected[offset..offset + itemsize].copy_from_slice(&src[offset + 3..offset + 3 + itemsize]);
                assert_eq!(dst, expected, "itemsize {itemsize} at {offset}");
            }
        }
    }
}
