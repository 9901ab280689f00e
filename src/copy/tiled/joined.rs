//! Neighbouring 2-D problems whose destinations follow one another in
//! memory (the 2-D slices of a (2, 1, 0) permutation): the line that a
//! row's tail shares with the next problem's row head is written whole,
//! by the kernels' seams.

use super::Transpose2;
use super::grid::LineGrid;
use crate::simd::{LineTile, Seams};

/// The edge columns of a problem's rows that a seam pass writes together
/// with the neighbouring problem's (the problems' destinations follow one
/// another): the head (columns before the first whole line) and the tail.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Joined {
    pub(crate) head: bool,
    pub(crate) tail: bool,
}

impl Joined {
    /// Every column is the problem's own to write.
    pub(crate) const NONE: Joined = Joined { head: false, tail: false };
}

impl Transpose2 {
    /// Runs `count` problems like this one whose destinations follow one
    /// another in memory: problem `p` at `dst + p*cols*itemsize` and
    /// `src + p*src_step`. Where the rows do not start at lines, the tail
    /// of row `i` of problem `p` and the head of row `i` of problem `p + 1`
    /// share a line; kernels with seams ([`LineTile::seams`]) write it
    /// whole, instead of in two partial plain stores (measured on the Intel
    /// machine, three runs each: 256³ (2, 1, 0) into a `Vec`, 11.4–12.0
    /// GB/s without, 13.9–14.5 with).
    ///
    /// # Safety
    ///
    /// As [`run`](Transpose2::run), for every problem.
    pub(crate) unsafe fn run_joined(self, count: usize, src_step: isize) {
        // SAFETY: each arm runs the problems the caller vouched for.
        unsafe {
            match self.itemsize {
                _ if count == 1 => self.run(),
                _ if self.short_rows() => (0..count).for_each(|p| self.problem(p, src_step).run()),
                4 | 8 | 16 => with_kernel!(self.itemsize, T => self.run_joined_with::<T>(count, src_step)),
                _ => (0..count).for_each(|p| self.problem(p, src_step).run()),
            }
        }
    }

    /// Problem `p` of [`run_joined`](Transpose2::run_joined).
    fn problem(self, p: usize, src_step: isize) -> Transpose2 {
        Transpose2 {
            dst: self.dst.wrapping_add(p * self.cols * self.itemsize),
            src: self.src.wrapping_offset(p as isize * src_step),
            ..self
        }
    }

    /// [`run_joined`](Transpose2::run_joined) with the kernel `T`.
    ///
    /// # Safety
    ///
    /// As [`run_joined`](Transpose2::run_joined), with `T` the kernel for
    /// `itemsize`.
    unsafe fn run_joined_with<T: LineTile>(self, count: usize, src_step: isize) {
        let (es, w) = (self.itemsize, T::W);
        let grid = LineGrid::new(self.dst.addr(), self.dst_row, es);
        let head = grid.head.min(self.cols);
        let tail = (self.cols - head) % w;
        // Every problem then has the same head and tail, one line together.
        let joinable = self.stream
            && T::square_columns()
            && grid.aligned
            && grid.period == 1
            && (self.cols * es).is_multiple_of(64)
            && head > 0
            && head + tail == w;
        if !joinable {
            for p in 0..count {
                // SAFETY: problem p (caller).
                unsafe { self.problem(p, src_step).run_tiled::<T>() };
            }
            return;
        }
        for p in 0..count {
            let here = Transpose2 { joined: Joined { head: p > 0, tail: p + 1 < count }, ..self.problem(p, src_step) };
            // SAFETY: problem p, but for the edges the seams write (caller).
            unsafe { here.run_tiled::<T>() };
            if p + 1 == count {
                break;
            }
            let next = self.problem(p + 1, src_step);
            let first_tail = self.cols - tail;
            // SAFETY: seam i joins row i of problems p and p + 1: the tail
            // items of one (source rows first_tail.., item i) and the head
            // items of the other (source rows 0..head, item i), at the line
            // where problem p's row i ends (aligned: grid.aligned, and the
            // rows' lines are streamed).
            let done = unsafe {
                T::seams::<true>(Seams {
                    src_tail: here.src.wrapping_offset(first_tail as isize * self.src_col),
                    src_head: next.src,
                    src_row: self.src_col,
                    tail,
                    dst: here.dst.wrapping_add(first_tail * es),
                    dst_row: self.dst_row,
                    rows: self.rows,
                })
            };
            // SAFETY: the edges of the rows the seams did not reach.
            unsafe {
                here.columns(first_tail, self.cols).rows(done, self.rows).run_blocks::<T>();
                next.columns(0, head).rows(done, self.rows).run_blocks::<T>();
            }
        }
        crate::simd::fence();
    }
}
