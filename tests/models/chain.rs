//! An independent model of a direct view for chains of slices,
//! transpositions, permutations and indexing: every item's byte offset
//! from the start of the allocation, computed with plain integer
//! arithmetic. Used by `tests/prop_chain.rs` and the `slice_chain` fuzz
//! target.

#![allow(dead_code, unreachable_pub)]

/// A direct view: shape, byte strides, and the offset of item 0.
#[derive(Clone, Debug)]
pub struct Model {
    pub shape: Vec<usize>,
    pub strides: Vec<isize>,
    pub offset: isize,
}

/// One operation of a chain.
#[derive(Clone, Copy, Debug)]
pub enum Op {
    /// `axis`, start, stop, step (Python semantics; step != 0).
    Slice(usize, Option<isize>, Option<isize>, isize),
    /// Reverse all axes.
    T,
    /// Swap two axes.
    Swap(usize, usize),
    /// Fix `axis` at an index (negative counts from the end).
    Index(usize, isize),
}

impl Op {
    /// The same operation on the crate's view (the side under test; the
    /// model's own arithmetic is [`Model::apply`]).
    pub fn on_view<'a>(self, view: &memoryview::BufferView<'a>) -> memoryview::Result<memoryview::BufferView<'a>> {
        match self {
            Op::Slice(axis, start, stop, step) => {
                view.slice_axis(axis, memoryview::Slice::new(start, stop, Some(step)))
            }
            Op::T => Ok(view.t()),
            Op::Swap(a, b) => view.swap_axes(a, b),
            Op::Index(axis, i) => view.index_axis(axis, i),
        }
    }
}

impl Op {
    /// The same operation on a fixed-rank view. Its rank cannot change, so
    /// chains for it hold no `Index`; axes must be below `N`.
    pub fn on_fixed_view<'a, T: memoryview::Element, const N: usize>(
        self,
        view: &memoryview::FixedView<'a, T, N>,
    ) -> memoryview::Result<memoryview::FixedView<'a, T, N>> {
        match self {
            Op::Slice(axis, start, stop, step) => {
                let mut slices = [memoryview::Slice::FULL; N];
                slices[axis] = memoryview::Slice::new(start, stop, Some(step));
                view.slice(&slices)
            }
            Op::T => Ok(view.t()),
            Op::Swap(a, b) => {
                let mut axes: [usize; N] = std::array::from_fn(|i| i);
                axes.swap(a, b);
                view.permute_axes(axes)
            }
            Op::Index(..) => panic!("a fixed view keeps its rank: no Index in its chains"),
        }
    }
}

/// Python's `range(n)[start:stop:step]` by stepping.
pub fn python_range(n: usize, start: Option<isize>, stop: Option<isize>, step: isize) -> Vec<usize> {
    let n = n as isize;
    let norm = |v: isize| if v < 0 { v + n } else { v };
    let mut out = Vec::new();
    if step > 0 {
        let mut i = start.map(norm).unwrap_or(0).clamp(0, n);
        let hi = stop.map(norm).unwrap_or(n).clamp(0, n);
        while i < hi {
            out.push(i as usize);
            i += step;
        }
    } else {
        let mut i = start.map(norm).unwrap_or(n - 1).clamp(-1, n - 1);
        let lo = stop.map(norm).unwrap_or(-1).clamp(-1, n - 1);
        while i > lo {
            out.push(i as usize);
            i += step;
        }
    }
    out
}

impl Model {
    /// Applies `op`; `None` if the crate must refuse it (bad axis or
    /// index).
    pub fn apply(&self, op: Op) -> Option<Model> {
        let mut m = self.clone();
        match op {
            Op::Slice(axis, start, stop, step) => {
                if axis >= m.shape.len() || step == 0 {
                    return None;
                }
                let picked = python_range(m.shape[axis], start, stop, step);
                if let Some(&first) = picked.first() {
                    m.offset += m.strides[axis] * first as isize;
                }
                if picked.len() > 1 {
                    m.strides[axis] *= step;
                }
                m.shape[axis] = picked.len();
            }
            Op::T => {
                m.shape.reverse();
                m.strides.reverse();
            }
            Op::Swap(a, b) => {
                if a >= m.shape.len() || b >= m.shape.len() {
                    return None;
                }
                m.shape.swap(a, b);
                m.strides.swap(a, b);
            }
            Op::Index(axis, index) => {
                if axis >= m.shape.len() {
                    return None;
                }
                let n = m.shape[axis] as isize;
                let i = if index < 0 { index + n } else { index };
                if !(0..n).contains(&i) {
                    return None;
                }
                m.offset += m.strides[axis] * i;
                m.shape.remove(axis);
                m.strides.remove(axis);
            }
        }
        Some(m)
    }

    /// Byte offsets of every item, in C order.
    pub fn offsets(&self) -> Vec<isize> {
        let mut out = vec![self.offset];
        for (&n, &s) in self.shape.iter().zip(&self.strides) {
            out = out.iter().flat_map(|&o| (0..n as isize).map(move |i| o + i * s)).collect();
        }
        out
    }
}
