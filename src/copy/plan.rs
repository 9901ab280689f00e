//! The copy planner: chooses how to move items between two layouts of the
//! same shape, from the layouts alone.
//!
//! Every copy in the crate (`to_bytes`, `to_vec`, `copy_to_slice`,
//! `copy_from_slice`, `assign`, `copy_within`) is planned here and run by
//! [`super::execute`].
//!
//! For direct layouts the planner first *normalises* the pair:
//! 1. dimensions of extent 1 are dropped (an extent of 0 means nothing to
//!    do);
//! 2. a dimension whose destination stride is negative is flipped on both
//!    sides (the bases move to the other end), so writes run forwards;
//! 3. dimensions are ordered by destination stride, outermost first, so
//!    the innermost loop writes the destination's fastest dimension;
//! 4. neighbours that are contiguous on both sides are merged into one.
//!
//! Then it picks one strategy: one `memcpy`; a `memcpy` per row when the
//! innermost dimension is contiguous on both sides; a cache-tiled
//! transpose when the two sides' fast dimensions differ; or a strided
//! gather. Indirect layouts are walked (following suboffsets) down to their
//! last dereference, and the direct rest of each sub-array is planned the
//! same way.
//!
//! Copies of at most [`TINY_COPY_ITEMS`] items are not planned:
//! [`Plan::tiny_loops`] hands over their loops in destination order,
//! which costs less than a plan would save.
#![forbid(unsafe_code)]

use crate::layout::dims::INLINE_DIMS;
use crate::layout::{Layout, check};
use crate::simd::records;

/// One loop of a normalised copy: `extent` steps of `dst` and `src` bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Dim {
    pub(crate) extent: usize,
    pub(crate) dst: isize,
    pub(crate) src: isize,
}

/// How a direct copy is carried out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Strategy {
    /// No items: nothing to do.
    Nothing,
    /// One `memcpy` of `bytes` bytes between the (adjusted) bases.
    Memcpy { bytes: usize },
    /// The innermost dimension is contiguous on both sides: a `memcpy` of
    /// each row, looping over the outer dimensions.
    Rows,
    /// The destination's fast dimension (`dims[fast_dst]`, stride = item)
    /// is not the source's (`dims[fast_src]`, stride = item): a cache-tiled
    /// 2-D transpose over those two, looping over the others.
    Transpose { fast_dst: usize, fast_src: usize },
    /// The source's shortest stride (`dims[fast_src]`, shorter than a
    /// cache line) is not in the innermost dimension, and the transpose
    /// kernels do not apply (a strided or reversed source, a strided
    /// destination, or a short dimension): a 2-D blocked loop over the
    /// innermost dimension and that one, so that each source line is
    /// used for all its items while it is in the L1 cache.
    Blocked { fast_src: usize },
    /// Anything else: loops with an itemsize-specialised strided inner loop.
    Gather,
}

/// A normalised direct copy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    pub(crate) itemsize: usize,
    /// Byte offsets to add to the destination and source bases (from
    /// flipped dimensions).
    pub(crate) dst_offset: isize,
    pub(crate) src_offset: isize,
    /// Loops, outermost first.
    pub(crate) dims: Dims,
    pub(crate) strategy: Strategy,
}

/// The loops of a plan: inline up to [`INLINE_DIMS`], on the heap beyond.
/// (A plain struct rather than a [`DimVec`](crate::layout::dims::DimVec): it is built in place inside
/// the plan, where the enum's temporaries cost a 200-byte copy per plan,
/// a tenth of a small copy's time.)
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Dims {
    len: usize,
    inline: [Dim; INLINE_DIMS],
    heap: Vec<Dim>,
}

impl Dims {
    /// `len` default loops.
    #[inline(always)]
    fn with_len(len: usize) -> Dims {
        let heap = if len > INLINE_DIMS { vec![Dim::default(); len] } else { Vec::new() };
        Dims { len, inline: [Dim::default(); INLINE_DIMS], heap }
    }

    /// Keeps the first `len` loops (no more than there are).
    #[inline]
    fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
        self.heap.truncate(len);
    }
}

impl std::ops::Deref for Dims {
    type Target = [Dim];
    #[inline(always)]
    fn deref(&self) -> &[Dim] {
        if self.len <= INLINE_DIMS { &self.inline[..self.len] } else { &self.heap }
    }
}

impl std::ops::DerefMut for Dims {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut [Dim] {
        if self.len <= INLINE_DIMS { &mut self.inline[..self.len] } else { &mut self.heap }
    }
}

impl std::fmt::Debug for Dims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Copies of at most this many items, and [`TINY_COPY_BYTES`], skip the
/// planner ([`Plan::tiny_loops`]), as do copies of contiguous runs up to
/// that size: copies that fit the L1 cache, where the plan's blocking and
/// threads cannot repay its cost.
/// Raised from 32 after measuring (AMD EPYC, one thread): sweep problems
/// of 33 to 256 items 1.52x faster against the naive loop (geometric mean
/// of 22, none slower); a contiguous 256-byte copy 57 -> 21 ns, an f32 16 x
/// 16 transpose 170 -> 123 ns, an F-ordered u8 16 x 16 75 -> 43 ns.
pub(crate) const TINY_COPY_ITEMS: usize = 256;

/// The most bytes a copy without a plan writes (see [`TINY_COPY_ITEMS`]).
pub(crate) const TINY_COPY_BYTES: usize = 16 << 10;

/// The smallest extents worth tiling; smaller transposes use the gather.
const MIN_TILE_EXTENT: usize = 8;

/// Copies smaller than this fit the L1 cache and are gathered, not tiled.
const MIN_TILE_BYTES: usize = 16 << 10;

/// The same for records (the itemsizes of the record kernels, 3 to 15
/// and 24 bytes), whose blocks cost more to set up. Measured against
/// ndarray's `assign` on square transposes (AMD EPYC, one thread): 12-byte
/// items tiled at 0.58x of it at 12 KiB, 0.62x at 48 KiB, 1.35x at 192
/// KiB; 3-byte items 0.79x at 12 KiB, 1.02x at 48 KiB, 1.31x at 192 KiB.
const MIN_RECORD_TILE_BYTES: usize = 64 << 10;

/// A cache line.
const LINE_BYTES: usize = 64;

/// Source lines touched between two uses of one line that the caches are
/// trusted to keep (a quarter of a small L2 cache). Measured on the AMD
/// machine (512 KiB of L2 per core), sweep problem 82 (a u16 copy whose
/// source lines come back after 211 KiB): 33.5 ms gathered with 256 KiB
/// here, 21.7 blocked with 128 KiB (ndarray 31); 32 KiB blocked small
/// copies that the gather runs faster (problem 113: 0.78x ndarray).
const REUSE_BYTES: usize = 128 << 10;

impl Plan {
    /// Plans a copy between two direct layouts of the same shape and
    /// itemsize.
    #[inline]
    pub(crate) fn direct(dst: &Layout, src: &Layout) -> Plan {
        debug_assert!(!dst.is_indirect() && !src.is_indirect());
        let (shape, d, s) = (dst.shape(), dst.strides(), src.strides());
        Plan::build(dst.itemsize(), shape.len(), |k| Dim { extent: shape[k], dst: d[k], src: s[k] })
    }

    /// The loops of a small copy between two direct layouts, without a
    /// plan: extent-1 dimensions dropped, the rest ordered by destination
    /// stride (innermost the shortest), and loops that continue each other
    /// on both sides merged. Small: at most [`TINY_COPY_BYTES`], and at
    /// most [`TINY_COPY_ITEMS`] items unless the innermost loop is
    /// contiguous on both sides (a run of `memcpy`s). For such copies
    /// planning costs more than walking the loops (a 2-item 5-D copy of
    /// 34-byte items, sweep problem 126: 330 of the 970 instructions
    /// `assign` took went to the plan; a contiguous 2.8 KiB copy, problem
    /// 164, took 97 ns planned where `memcpy` took 35). The loops go to
    /// `loops`, their number is returned; `None` for larger copies, or more
    /// loops than fit inline.
    #[inline]
    pub(crate) fn tiny_loops(dst: &Layout, src: &Layout, loops: &mut [Dim; INLINE_DIMS]) -> Option<usize> {
        let (shape, d, s) = (dst.shape(), dst.strides(), src.strides());
        if shape.len() > INLINE_DIMS {
            return None;
        }
        // The items counted on the way (a separate `len()` was a second
        // pass of dependent multiplications).
        let es = dst.itemsize();
        let most = TINY_COPY_BYTES / es.max(1);
        let (mut n, mut items) = (0, 1usize);
        for k in 0..shape.len() {
            if shape[k] != 1 {
                items = items.saturating_mul(shape[k]);
                if items > most {
                    return None;
                }
                // Inserted in order (an F-ordered 16 x 16 walked as given
                // ran at half the speed of the plan's order).
                let dim = Dim { extent: shape[k], dst: d[k], src: s[k] };
                let mut at = n;
                while at > 0 && loops[at - 1].dst.unsigned_abs() < dim.dst.unsigned_abs() {
                    loops[at] = loops[at - 1];
                    at -= 1;
                }
                loops[at] = dim;
                n += 1;
            }
        }
        // Merged from the inside out: loop k - 1 continues loop k when it
        // steps over all of it on both sides. (The products stay within
        // the layouts' spans: Layout invariant 3.)
        let mut k = n;
        while k > 1 {
            k -= 1;
            let (outer, inner) = (loops[k - 1], loops[k]);
            let span = inner.extent as isize;
            if outer.dst == inner.dst.wrapping_mul(span) && outer.src == inner.src.wrapping_mul(span) {
                loops[k - 1] = Dim { extent: outer.extent * inner.extent, ..inner };
                loops.copy_within(k + 1..n, k);
                n -= 1;
            }
        }
        let item = es as isize;
        let runs = n > 0 && loops[n - 1].dst == item && loops[n - 1].src == item;
        (items <= TINY_COPY_ITEMS || runs).then_some(n)
    }

    /// Plans a copy of the loops `dims` (any order) of items of `itemsize`.
    pub(crate) fn from_dims(itemsize: usize, dims: &[Dim]) -> Plan {
        Plan::build(itemsize, dims.len(), |k| dims[k])
    }

    /// Plans a copy of the loops `dim(0), …, dim(ndim - 1)`.
    /// Allocation-free, and normalised in place in the plan's own
    /// dimensions: small copies pay only for a few comparisons.
    #[inline(always)]
    fn build(itemsize: usize, ndim: usize, dim: impl Fn(usize) -> Dim) -> Plan {
        let mut plan =
            Plan { itemsize, dst_offset: 0, src_offset: 0, dims: Dims::with_len(ndim), strategy: Strategy::Nothing };
        // 1–2: drop extent-1 dimensions, flip backwards destinations.
        // Extents and strides come from valid layouts, so the products
        // below stay within the layouts' spans (Layout invariant 3).
        let work: &mut [Dim] = &mut plan.dims;
        let mut n = 0;
        for k in 0..ndim {
            let d = dim(k);
            if d.extent == 0 {
                plan.dims.truncate(0);
                return plan;
            }
            if d.extent > 1 {
                work[n] = if d.dst < 0 {
                    let steps = (d.extent - 1) as isize;
                    plan.dst_offset += d.dst * steps;
                    plan.src_offset += d.src * steps;
                    Dim { extent: d.extent, dst: -d.dst, src: -d.src }
                } else {
                    d
                };
                n += 1;
            }
        }
        // 3: outermost first by destination stride, then source stride
        // (an insertion sort: there are few dimensions).
        let outer_first = |a: &Dim, b: &Dim| (b.dst, b.src.unsigned_abs()) < (a.dst, a.src.unsigned_abs());
        for i in 1..n {
            let mut k = i;
            while k > 0 && outer_first(&work[k], &work[k - 1]) {
                work.swap(k, k - 1);
                k -= 1;
            }
        }
        // 4: merge neighbours contiguous on both sides (an outer dimension
        // whose strides are the inner one's times its extent).
        let mut m = 0;
        for i in 0..n {
            let d = work[i];
            if m > 0 {
                let outer = work[m - 1];
                if outer.dst == d.dst * d.extent as isize && outer.src == d.src * d.extent as isize {
                    work[m - 1] = Dim { extent: outer.extent * d.extent, ..d };
                    continue;
                }
            }
            work[m] = d;
            m += 1;
        }
        // Merged loops move from the heap to the inline slots.
        if plan.dims.len > INLINE_DIMS && m <= INLINE_DIMS {
            let (inline, heap) = (&mut plan.dims.inline, &plan.dims.heap);
            inline[..m].copy_from_slice(&heap[..m]);
        }
        plan.dims.truncate(m);
        plan.strategy = plan.choose();
        // 5: a source read backwards along the dimension the tiles read
        // (`a[::-1].T`, a 90° rotation): that dimension is walked from its
        // far end instead, so that the source runs forwards and the
        // destination's rows backwards (the tiles take a negative row
        // stride). Without it such copies were gathered, at 0.7x ndarray
        // (sweep problems 72, 98 and 133).
        if let Strategy::Transpose { fast_src, .. } = plan.strategy {
            let d = &mut plan.dims[fast_src];
            if d.src < 0 {
                let steps = (d.extent - 1) as isize;
                plan.dst_offset += d.dst * steps;
                plan.src_offset += d.src * steps;
                *d = Dim { extent: d.extent, dst: -d.dst, src: -d.src };
            }
        }
        plan
    }

    fn choose(&self) -> Strategy {
        let item = self.itemsize as isize;
        let Some(inner) = self.dims.last() else {
            return Strategy::Memcpy { bytes: self.itemsize };
        };
        if inner.dst == item && inner.src == item {
            return if self.dims.len() == 1 {
                Strategy::Memcpy { bytes: inner.extent * self.itemsize }
            } else {
                Strategy::Rows
            };
        }
        let fast_dst = self.dims.len() - 1;
        if let Some(fast_src) = self.plane_transpose() {
            return Strategy::Transpose { fast_dst, fast_src };
        }
        // Itemsizes without a tile kernel (17 to 23 bytes, 25 and more)
        // would be tiled item by item, slower than the gather: 20-byte
        // items ran at 0.5-0.8x ndarray's `assign` tiled, from 20 KiB to
        // 20 MiB (AMD EPYC, one thread).
        let min_bytes = match self.itemsize {
            1 | 2 | 4 | 8 | 16 => MIN_TILE_BYTES,
            es if records::has_kernel(es) => MIN_RECORD_TILE_BYTES,
            _ => usize::MAX,
        };
        // Short destination rows: register blocks where they pay (see
        // `tiled::short_rows_in_blocks`), the gather otherwise.
        let row_ok = inner.extent * self.itemsize >= super::tiled::MIN_TILE_ROW_BYTES
            || super::tiled::short_rows_in_blocks(self.itemsize, inner.extent);
        if inner.dst == item && inner.extent >= MIN_TILE_EXTENT && row_ok && self.bytes() >= min_bytes {
            let fast_src = self.dims.iter().enumerate().position(|(k, d)| {
                k != fast_dst && d.src.unsigned_abs() == self.itemsize && d.extent >= MIN_TILE_EXTENT
            });
            if let Some(fast_src) = fast_src {
                return Strategy::Transpose { fast_dst, fast_src };
            }
        }
        // The source's shortest stride, if it is not the innermost loop's
        // and several of its items share a cache line: in destination
        // order, a source line is used again only after every loop inside
        // that dimension has run, and when those touch more lines than the
        // L2 cache holds, the line has to be read again for each of its
        // items. Then block: that dimension just outside the innermost.
        let (fast_src, shortest) = self
            .dims
            .iter()
            .enumerate()
            .map(|(k, d)| (k, d.src.unsigned_abs()))
            .min_by_key(|&(k, stride)| (stride, std::cmp::Reverse(k)))
            .unwrap_or((fast_dst, 0));
        if fast_src != fast_dst && shortest < LINE_BYTES && shortest < inner.src.unsigned_abs() {
            let between = self.dims[fast_src + 1..].iter().fold(1usize, |lines, d| {
                let run = d.extent.saturating_mul(d.src.unsigned_abs()).div_ceil(LINE_BYTES);
                lines.saturating_mul(d.extent.min(run.max(1)))
            });
            if between.saturating_mul(LINE_BYTES) > REUSE_BYTES {
                return Strategy::Blocked { fast_src };
            }
        }
        Strategy::Gather
    }

    /// The source dimension of a transpose that the plane kernels run (see
    /// `tiled::Transpose2::planes`), if the copy is one: 2 to 8 planes
    /// split from packed pixels (the source's pixel stride is the planes'
    /// items) or merged into them (the destination's is). The tiles need
    /// 16 bytes of rows, and such copies were gathered item by item (RGB
    /// planes to pixels and back at 0.4x memcpy, 2-byte items at 0.6x; AMD
    /// EPYC).
    fn plane_transpose(&self) -> Option<usize> {
        let inner = *self.dims.last()?;
        let es = self.itemsize;
        let item = es as isize;
        if inner.dst != item {
            return None;
        }
        let fast_dst = self.dims.len() - 1;
        let plane_kernel = super::tiled::plane_kernel;
        self.dims.iter().enumerate().position(|(k, d)| {
            let split = d.src.unsigned_abs() == es
                && inner.src == (d.extent * es) as isize
                && inner.extent >= 16
                && plane_kernel(d.extent, es);
            let merge = d.src == item
                && d.dst == (inner.extent * es) as isize
                && d.extent >= 16
                && plane_kernel(inner.extent, es);
            k != fast_dst && (split || merge)
        })
    }

    /// Bytes the copy writes.
    pub(crate) fn bytes(&self) -> usize {
        self.dims.iter().map(|d| d.extent).product::<usize>() * self.itemsize
    }
}

/// Whether the loops of a tiny copy ([`Plan::tiny_loops`]) from these base
/// addresses can write a byte they read: [`may_overlap`] on the loops
/// rather than the layouts, a pass over the few dimensions left (the
/// layouts' passes over all theirs were a fifth of a two-item copy).
pub(crate) fn loops_may_overlap(loops: &[Dim], dst: usize, src: usize, itemsize: usize) -> bool {
    // The loops are the layouts' own dimensions (Layout invariant 3).
    let span = |stride: fn(&Dim) -> isize| check::span(loops.iter().map(|d| (d.extent, stride(d))), itemsize);
    match (span(|d| d.dst), span(|d| d.src)) {
        (Some(to), Some(from)) => spans_meet((dst, to), (src, from)),
        _ => false,
    }
}

/// Whether two direct layouts from these base addresses can share a byte.
/// Indirect layouts are judged by `if_indirect`.
pub(crate) fn may_overlap(a: (usize, &Layout), b: (usize, &Layout), if_indirect: bool) -> bool {
    let (Some(ra), Some(rb)) = (a.1.byte_range(), b.1.byte_range()) else {
        let empty = a.1.is_empty() || b.1.is_empty();
        return !empty && if_indirect;
    };
    spans_meet((a.0, ra), (b.0, rb))
}

/// Whether two byte spans, relative to their base addresses, share a byte.
fn spans_meet(a: (usize, (isize, isize)), b: (usize, (isize, isize))) -> bool {
    let at =
        |(base, (low, high)): (usize, (isize, isize))| (base.wrapping_add_signed(low), base.wrapping_add_signed(high));
    let ((a_start, a_end), (b_start, b_end)) = (at(a), at(b));
    a_start < b_end && b_start < a_end
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::Order;

    fn plan(shape: &[usize], dst: &[isize], src: &[isize], itemsize: usize) -> Plan {
        Plan::direct(&Layout::new(shape, dst, itemsize).unwrap(), &Layout::new(shape, src, itemsize).unwrap())
    }

    #[test]
    fn contiguous_pairs_become_one_memcpy() {
        let c = Layout::contiguous(&[2, 3, 4], 4, Order::C).unwrap();
        let f = Layout::contiguous(&[2, 3, 4], 4, Order::F).unwrap();
        assert_eq!(Plan::direct(&c, &c).strategy, Strategy::Memcpy { bytes: 96 });
        assert_eq!(Plan::direct(&f, &f).strategy, Strategy::Memcpy { bytes: 96 });
        // Extent-1 dimensions with odd strides do not matter.
        assert_eq!(plan(&[1, 3], &[-100, 4], &[7, 4], 4).strategy, Strategy::Memcpy { bytes: 12 });
        assert_eq!(plan(&[0, 3], &[1, 1], &[1, 1], 4).strategy, Strategy::Nothing);
    }

    #[test]
    fn negative_destination_strides_are_flipped() {
        // Both reversed: still one memcpy, from the other ends.
        let p = plan(&[5], &[-4], &[-4], 4);
        assert_eq!((p.strategy, p.dst_offset, p.src_offset), (Strategy::Memcpy { bytes: 20 }, -16, -16));
        // Destination reversed only: the source is read backwards.
        let p = plan(&[5], &[-4], &[4], 4);
        assert_eq!((p.strategy, p.dims[0]), (Strategy::Gather, Dim { extent: 5, dst: 4, src: -4 }));
    }

    #[test]
    fn rows_transposes_and_gathers() {
        // Rows of a column slice: row memcpy.
        assert_eq!(plan(&[4, 3], &[12, 4], &[40, 4], 4).strategy, Strategy::Rows);
        // C <- F: a transpose over the two dimensions.
        let p = plan(&[64, 64], &[256, 4], &[4, 256], 4);
        assert_eq!(p.strategy, Strategy::Transpose { fast_dst: 1, fast_src: 0 });
        // A 3-D permutation merges the dimensions it can: (1, 2, 0).
        let src = Layout::contiguous(&[32, 32, 32], 4, Order::C).unwrap();
        let permuted = src.permute_axes(&[1, 2, 0]).unwrap();
        let dst = Layout::contiguous(&[32, 32, 32], 4, Order::C).unwrap();
        let p = Plan::direct(&dst, &permuted);
        assert_eq!(p.dims.len(), 2);
        assert_eq!(p.strategy, Strategy::Transpose { fast_dst: 1, fast_src: 0 });
        // A source read backwards along its rows (`a[:, ::-1].T`): the
        // same tiles, walking that dimension from its far end (the
        // destination's rows backwards). Measured on 4096^2 (AMD EPYC, one
        // thread): f32 0.87 GB/s blocked before, 9.9 tiled (the forward
        // transpose: 9.9); f64 1.6 and 18.2; u8 0.23 and 6.8.
        let p = plan(&[64, 64], &[256, 4], &[-4, 256], 4);
        assert_eq!(p.strategy, Strategy::Transpose { fast_dst: 1, fast_src: 0 });
        assert_eq!((p.dims[0], p.dst_offset, p.src_offset), (Dim { extent: 64, dst: -256, src: 4 }, 63 * 256, -63 * 4));
        // A reversed run is not a transpose of itself.
        assert_eq!(plan(&[5000], &[2], &[-2], 2).strategy, Strategy::Gather);
        // Every other item: a gather.
        assert_eq!(plan(&[100], &[4], &[8], 4).strategy, Strategy::Gather);
        // Tiny transposes are not tiled (their source stays in the caches).
        assert_eq!(plan(&[4, 4], &[16, 4], &[4, 16], 4).strategy, Strategy::Gather);
        assert_eq!(plan(&[32, 32], &[128, 4], &[4, 128], 4).strategy, Strategy::Gather);
        // Destination rows shorter than line tiles want (a 17 x 100,000
        // f32 source transposed: 68-byte rows): register blocks for items
        // of 1, 2, 4 and 8 bytes with a whole block across the row; the
        // gather for 16-byte items and for rows of fewer than 16 bytes.
        let short = |rows: usize, es: usize| {
            let (r, e) = (rows as isize, es as isize);
            plan(&[100_000, rows], &[r * e, e], &[e, 100_000 * e], es).strategy
        };
        assert_eq!(short(17, 4), Strategy::Transpose { fast_dst: 1, fast_src: 0 });
        assert_eq!(short(40, 1), Strategy::Transpose { fast_dst: 1, fast_src: 0 });
        assert_eq!(short(9, 2), Strategy::Transpose { fast_dst: 1, fast_src: 0 });
        assert_eq!(short(9, 8), Strategy::Transpose { fast_dst: 1, fast_src: 0 });
        assert_eq!(short(3, 16), Strategy::Gather);
        assert_eq!(short(12, 1), Strategy::Gather);
    }

    #[test]
    fn plans_of_more_loops_than_inline() {
        // Twelve contiguous dimensions of extent 2: one memcpy.
        let c = Layout::contiguous(&[2; 12], 4, Order::C).unwrap();
        assert_eq!(Plan::direct(&c, &c).strategy, Strategy::Memcpy { bytes: 4 << 12 });
        // Ten that cannot merge and two that can: eleven loops, ordered
        // by destination stride, rows of the two merged ones.
        let src = c.permute_axes(&[3, 7, 0, 9, 5, 1, 8, 2, 6, 4, 10, 11]).unwrap();
        let p = Plan::direct(&c, &src);
        assert_eq!(p.dims.len(), 11);
        assert!(p.dims.windows(2).all(|w| w[0].dst > w[1].dst));
        assert_eq!((p.dims[10], p.strategy), (Dim { extent: 4, dst: 4, src: 4 }, Strategy::Rows));
    }

    #[test]
    fn strided_and_reversed_transposes_are_blocked() {
        // A source read with a step (3 items) across the destination's
        // rows: issue 13's `a[1:, :, ::3]`, axes (1, 0, 2), into F order.
        let p = plan(&[512, 63, 1000], &[4, 2048, 129024], &[12000, 6144000, 12], 4);
        assert_eq!(p.strategy, Strategy::Blocked { fast_src: 0 });
        assert_eq!(p.dims[0], Dim { extent: 1000, dst: 129024, src: 12 });
        // A source row read backwards with a step (stride -2 items): not
        // a tile transpose. (Backwards with no step is one: see
        // `rows_transposes_and_gathers`.)
        assert_eq!(plan(&[5000, 5000], &[20000, 4], &[-8, 40000], 4).strategy, Strategy::Blocked { fast_src: 0 });
        // A strided destination.
        assert_eq!(plan(&[5000, 5000], &[40000, 8], &[4, 20000], 4).strategy, Strategy::Blocked { fast_src: 0 });
        // Rows short enough that a source line is used again from the L2
        // cache (2048 lines between uses, 128 KiB): a plain gather; twice
        // as long, blocked.
        assert_eq!(plan(&[4096, 2048], &[8192, 4], &[-8, 32768], 4).strategy, Strategy::Gather);
        assert_eq!(plan(&[4096, 4096], &[16384, 4], &[-8, 32768], 4).strategy, Strategy::Blocked { fast_src: 0 });
        assert_eq!(plan(&[64, 64], &[256, 4], &[-8, 512], 4).strategy, Strategy::Gather);
        // The source's shortest stride a line or more: nothing to share.
        assert_eq!(plan(&[5000, 5000], &[20000, 4], &[64, 320000], 4).strategy, Strategy::Gather);
        // Both short, the inner one shorter: a plain gather.
        assert_eq!(plan(&[5000, 5000], &[20000, 4], &[16, 8], 4).strategy, Strategy::Gather);
    }

    #[test]
    fn overlap_of_ranges() {
        let l = Layout::contiguous(&[4], 1, Order::C).unwrap();
        assert!(may_overlap((100, &l), (103, &l), false));
        assert!(!may_overlap((100, &l), (104, &l), false));
        let back = Layout::new(&[4], &[-1], 1).unwrap();
        assert!(may_overlap((100, &l), (102, &back), false)); // 99..103 against 100..104
        assert!(!may_overlap((100, &l), (99, &back), false)); // 96..100
        let pil = Layout::with_suboffsets(&[2], &[8], &[0], 1).unwrap();
        assert!(may_overlap((0, &pil), (1000, &l), true));
        assert!(!may_overlap((0, &pil), (1000, &l), false));
    }

    /// The tiny copies' overlap test against the span of every item's
    /// bytes, enumerated, on small layouts of up to three dimensions (some
    /// of extent 0 or 1, strides of both signs, bases near each other).
    #[test]
    fn overlap_of_tiny_loops_matches_the_items() {
        // The lowest and one-past-highest byte of the items, or None.
        fn span(shape: &[usize], strides: &[isize], base: isize, itemsize: usize) -> Option<(isize, isize)> {
            let mut at = vec![base];
            for (&n, &s) in shape.iter().zip(strides) {
                at = at.iter().flat_map(|&a| (0..n).map(move |i| a + i as isize * s)).collect();
            }
            Some((*at.iter().min()?, at.iter().max()? + itemsize as isize))
        }
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        // (Fewer under Miri, which interprets each case's enumeration.)
        let cases = if cfg!(miri) { 300 } else { 20_000 };
        let mut overlapping = 0;
        for _ in 0..cases {
            let ndim = next(4) as usize;
            let itemsize = 1 + next(8) as usize;
            let shape: Vec<usize> = (0..ndim).map(|_| next(4) as usize).collect();
            let mut stride = || (next(41) as isize - 20) * if next(2) == 0 { 1 } else { itemsize as isize };
            let dst_strides: Vec<isize> = (0..ndim).map(|_| stride()).collect();
            let src_strides: Vec<isize> = (0..ndim).map(|_| stride()).collect();
            let (dst_base, src_base) = (1000 + next(200) as isize, 1000 + next(200) as isize);
            let (Ok(dst), Ok(src)) =
                (Layout::new(&shape, &dst_strides, itemsize), Layout::new(&shape, &src_strides, itemsize))
            else {
                continue;
            };
            let mut loops = [Dim::default(); INLINE_DIMS];
            let n = Plan::tiny_loops(&dst, &src, &mut loops).expect("at most 27 items");
            let expected = match (
                span(&shape, &dst_strides, dst_base, itemsize),
                span(&shape, &src_strides, src_base, itemsize),
            ) {
                (Some((a, b)), Some((c, d))) => a < d && c < b,
                _ => false,
            };
            overlapping += usize::from(expected);
            let got = loops_may_overlap(&loops[..n], dst_base as usize, src_base as usize, itemsize);
            assert_eq!(
                got, expected,
                "shape {shape:?} itemsize {itemsize}: dst {dst_strides:?} at {dst_base}, src {src_strides:?} at {src_base}"
            );
        }
        assert!(overlapping > cases / 20, "the cases cover overlapping copies ({overlapping})");
    }
}
