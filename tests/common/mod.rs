//! Test support: random buffers in real memory (direct and multi-level
//! indirect) and a naive reference walker, written independently of the
//! crate's code, that the crate's answers are compared with.

#![allow(dead_code, unreachable_pub)]

use memoryview::{BufferView, BufferViewMut, Format, Layout};
use proptest::prelude::*;

/// Cases per property: small under Miri, which runs every access checked.
pub const CASES: u32 = if cfg!(miri) { 6 } else { 256 };

/// A tiny deterministic generator for memory contents.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
}

/// Heap blocks that stay at fixed addresses until the memory is dropped.
pub struct Memory {
    blocks: Vec<*mut [u64]>,
}

impl Memory {
    fn new() -> Memory {
        Memory { blocks: Vec::new() }
    }

    /// A zeroed, 8-byte aligned block of at least `len` bytes.
    fn alloc(&mut self, len: usize) -> *mut u8 {
        let block = Box::into_raw(vec![0u64; len.div_ceil(8) + 1].into_boxed_slice());
        self.blocks.push(block);
        block.cast::<u8>()
    }
}

impl Drop for Memory {
    fn drop(&mut self) {
        for &block in &self.blocks {
            // SAFETY: every block came from Box::into_raw and is freed once.
            drop(unsafe { Box::from_raw(block) });
        }
    }
}

/// The description a case is built from (what proptest generates and
/// shrinks).
#[derive(Clone, Debug)]
pub struct Spec {
    pub shape: Vec<usize>,
    pub itemsize: usize,
    /// Per dimension: a stride seed, whether it is dereferenced, and the
    /// suboffset displacement.
    pub dims: Vec<(i8, bool, u8)>,
    /// Whether the layout has a suboffsets array at all.
    pub indirect: bool,
    /// Whether items may overlap (any strides) or must not.
    pub aliasing: bool,
    pub seed: u64,
}

/// A buffer in real memory and its Py_buffer description.
pub struct Case {
    pub shape: Vec<usize>,
    pub strides: Vec<isize>,
    pub suboffsets: Option<Vec<isize>>,
    pub itemsize: usize,
    pub base: *mut u8,
    memory: Memory,
}

impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Case")
            .field("shape", &self.shape)
            .field("strides", &self.strides)
            .field("suboffsets", &self.suboffsets)
            .field("itemsize", &self.itemsize)
            .finish()
    }
}

pub fn spec(max_ndim: usize, indirect: bool, aliasing: bool) -> impl Strategy<Value = Spec> {
    (0..=max_ndim, prop::sample::select(vec![1usize, 2, 3, 4, 8]), any::<u64>(), any::<bool>()).prop_flat_map(
        move |(ndim, itemsize, seed, has_sub)| {
            (
                prop::collection::vec(0usize..=4, ndim),
                prop::collection::vec((any::<i8>(), any::<bool>(), 0u8..16), ndim),
            )
                .prop_map(move |(shape, dims)| Spec {
                    shape,
                    itemsize,
                    dims,
                    indirect: indirect && has_sub && ndim > 0,
                    aliasing,
                    seed,
                })
        },
    )
}

impl Case {
    /// Builds the buffer a spec describes: pointer tables for dereferenced
    /// dimensions, random bytes for the items.
    pub fn build(spec: &Spec) -> Case {
        let ndim = spec.shape.len();
        let derefs: Vec<bool> = spec.dims.iter().map(|d| spec.indirect && d.1).collect();
        let mut strides = vec![0isize; ndim];
        // Strides segment by segment (a segment ends at a dereferenced
        // dimension): table dimensions step over 8-byte pointer slots,
        // data dimensions over items.
        let mut start = 0;
        while start < ndim {
            let end = (start..ndim).find(|&d| derefs[d]).map_or(ndim, |d| d + 1);
            let unit = if end <= ndim && derefs[end - 1] { 8 } else { spec.itemsize };
            let mut reach = unit as isize;
            // Nested (non-overlapping) strides, the fastest dimension
            // first, in a random nesting order (C, Fortran or any
            // permutation); or arbitrary ones when aliasing.
            let mut nesting: Vec<usize> = (start..end).rev().collect();
            let mut shuffle = Rng::new(spec.seed ^ start as u64);
            if shuffle.below(3) > 0 {
                for i in (1..nesting.len()).rev() {
                    nesting.swap(i, shuffle.below(i as u64 + 1) as usize);
                }
            }
            for d in nesting {
                let seed = spec.dims[d].0;
                let stride = if spec.aliasing && unit != 8 {
                    seed as isize % 24
                } else {
                    // Half the strides pack tightly and most run forwards,
                    // so contiguous layouts (C, F, permuted) are common.
                    let gap = if seed & 1 == 0 { 0 } else { (seed.unsigned_abs() % 3) as isize * unit as isize };
                    let s = reach + gap;
                    if seed < -64 { -s } else { s }
                };
                strides[d] = stride;
                reach = reach.max(stride.abs() * spec.shape[d].max(1) as isize);
            }
            start = end;
        }
        let suboffsets = spec.indirect.then(|| {
            spec.dims
                .iter()
                .zip(&derefs)
                .map(|(d, &deref)| if deref { isize::from(d.2) } else { -1 })
                .collect::<Vec<_>>()
        });
        let mut case = Case {
            shape: spec.shape.clone(),
            strides,
            suboffsets,
            itemsize: spec.itemsize,
            base: std::ptr::null_mut(),
            memory: Memory::new(),
        };
        let mut rng = Rng::new(spec.seed);
        case.base = case.build_segment(0, &derefs, &mut rng);
        case
    }

    /// Allocates the region for dimensions `first..` (up to and including
    /// the next dereferenced one) and returns the pointer that reaches
    /// index 0 of it.
    fn build_segment(&mut self, first: usize, derefs: &[bool], rng: &mut Rng) -> *mut u8 {
        let ndim = self.shape.len();
        let end = (first..ndim).find(|&d| derefs[d]).map_or(ndim, |d| d + 1);
        let table = end > first && derefs[end - 1];
        let unit = if table { 8 } else { self.itemsize } as isize;
        let dims: Vec<usize> = (first..end).collect();
        let (mut low, mut high) = (0isize, unit);
        for &d in &dims {
            let reach = self.strides[d] * (self.shape[d].max(1) as isize - 1);
            if reach < 0 { low += reach } else { high += reach }
        }
        let slack = rng.below(4) as isize;
        let len = (high - low + 2 * slack) as usize;
        let block = self.memory.alloc(len);
        let origin = block.wrapping_offset(slack - low);
        if !table {
            for k in 0..len {
                // SAFETY: inside the block just allocated.
                unsafe { block.add(k).write(rng.next() as u8) };
            }
            return origin;
        }
        // A pointer table: one fresh sub-region per slot.
        let sub = self.suboffsets.as_ref().map_or(0, |s| s[end - 1]);
        let extents: Vec<usize> = dims.iter().map(|&d| self.shape[d]).collect();
        for index in all_indices(&extents) {
            let offset: isize = dims.iter().zip(&index).map(|(&d, &i)| self.strides[d] * i as isize).sum();
            let target = self.build_segment(end, derefs, rng);
            // SAFETY: the slot lies inside the table block (its offset is
            // within [low, high - 8]).
            unsafe { origin.wrapping_offset(offset).cast::<*mut u8>().write_unaligned(target.wrapping_offset(-sub)) };
        }
        origin
    }

    pub fn layout(&self) -> Layout {
        match &self.suboffsets {
            Some(sub) => Layout::with_suboffsets(&self.shape, &self.strides, sub, self.itemsize).unwrap(),
            None => Layout::new(&self.shape, &self.strides, self.itemsize).unwrap(),
        }
    }

    pub fn format(&self) -> Format {
        Format::parse(&format!("{}s", self.itemsize)).unwrap()
    }

    pub fn view(&self) -> BufferView<'_> {
        // SAFETY: `build` made every item and pointer slot of the layout
        // valid, in memory owned by `self`, not written while borrowed.
        unsafe { BufferView::from_raw_parts(self.base, self.layout(), self.format()) }.unwrap()
    }

    pub fn view_mut(&mut self) -> BufferViewMut<'_> {
        // SAFETY: as in `view`, and `&mut self` makes the view exclusive.
        unsafe { BufferViewMut::from_raw_parts(self.base, self.layout(), self.format()) }.unwrap()
    }

    /// The address of an item, by the PEP 3118 formula.
    pub fn naive_addr(&self, index: &[usize]) -> *mut u8 {
        let mut p = self.base;
        for (d, &i) in index.iter().enumerate() {
            p = p.wrapping_offset(self.strides[d] * i as isize);
            if let Some(sub) = self.suboffsets.as_ref().filter(|s| s[d] >= 0) {
                // SAFETY: slots on an item's path were written by `build`.
                p = unsafe { p.cast::<*mut u8>().read_unaligned() }.wrapping_offset(sub[d]);
            }
        }
        p
    }

    pub fn naive_item(&self, index: &[usize]) -> Vec<u8> {
        let p = self.naive_addr(index);
        // SAFETY: items lie inside the blocks `build` allocated.
        unsafe { std::slice::from_raw_parts(p, self.itemsize) }.to_vec()
    }

    /// All item bytes, C order (`fortran`: first index fastest).
    pub fn naive_bytes(&self, fortran: bool) -> Vec<u8> {
        let order = if fortran { all_indices_f(&self.shape) } else { all_indices(&self.shape) };
        order.iter().flat_map(|i| self.naive_item(i)).collect()
    }
}

/// Every index tuple of `shape` in C order.
pub fn all_indices(shape: &[usize]) -> Vec<Vec<usize>> {
    let mut out = vec![vec![]];
    for &n in shape {
        out = out.into_iter().flat_map(|prefix| (0..n).map(move |i| [prefix.clone(), vec![i]].concat())).collect();
    }
    out
}

/// Every index tuple of `shape` in Fortran order.
pub fn all_indices_f(shape: &[usize]) -> Vec<Vec<usize>> {
    let reversed: Vec<usize> = shape.iter().rev().copied().collect();
    all_indices(&reversed).into_iter().map(|i| i.into_iter().rev().collect()).collect()
}

/// Python's `range(n)[start:stop:step]`, by stepping (independent of the
/// crate's `Slice::indices`); shared with the chain model.
#[allow(unused_imports)]
pub use chain_model::python_range;

#[path = "../models/chain.rs"]
mod chain_model;
