//! The benchmark cases, shared by `benches/copy.rs` (criterion) and
//! `examples/compare.rs` (the quick table).
//!
//! Every case copies the same bytes three or four ways: with memoryview,
//! with ndarray (`assign` into a preallocated array, and
//! `as_standard_layout`, which allocates), and as a plain `memcpy` of the
//! output's size; some add a hand-written reference (a loop, or a naive
//! walker). Each case checks memoryview's output once against an
//! independent computation before it is timed.
//!
//! Byte counting: GB/s = 2 × output bytes / time (every output byte is
//! read once and written once), for every column, so the columns compare
//! directly.

#![allow(dead_code, unreachable_pub)]

use memoryview::{BufferView, Element, FixedView, Format, Layout, MemoryView, Order, Slice};
use ndarray::{Array, ArrayView, ShapeBuilder, s};
use std::hint::black_box;

/// A timed operation.
pub type Op = Box<dyn FnMut() + Send>;

/// One benchmark case.
pub struct Case {
    pub name: String,
    /// Output bytes per run.
    pub bytes: usize,
    pub memoryview: Op,
    pub ndarray_assign: Option<Op>,
    /// ndarray's allocating copy: `as_standard_layout`, or `to_owned` for
    /// the cases that copy into a fresh vector.
    pub ndarray_standard: Option<Op>,
    /// A hand-written reference (name, operation).
    pub reference: Option<(&'static str, Op)>,
    /// A `memcpy` of `bytes` bytes between preallocated buffers.
    pub memcpy: Op,
}

fn memcpy_op(bytes: usize) -> Op {
    let src = vec![1u8; bytes];
    let mut dst = vec![0u8; bytes];
    Box::new(move || {
        dst.copy_from_slice(black_box(&src));
        black_box(&mut dst);
    })
}

/// Data with distinct values.
fn data<T: Copy>(n: usize, from: impl Fn(usize) -> T) -> Vec<T> {
    (0..n).map(from).collect()
}

/// `a.t()` of a rows x cols C array copied into C order.
pub fn transpose_2d<T>(label: &str, rows: usize, cols: usize, from: impl Fn(usize) -> T) -> Case
where
    T: Element + bytemuck::Pod + Default + PartialEq + std::fmt::Debug,
{
    let src = data(rows * cols, from);
    let mut out = vec![T::default(); rows * cols];
    // Check once: against ndarray's own transpose.
    let a = ArrayView::from_shape((rows, cols), &src).unwrap();
    let expected = a.t().as_standard_layout().into_owned();
    MemoryView::from_shape(&src, &[rows, cols]).unwrap().t().copy_to_slice(&mut out, Order::C).unwrap();
    assert_eq!(out.as_slice(), expected.as_slice().unwrap(), "{label}: transpose differs");
    let bytes = rows * cols * size_of::<T>();
    let src2 = src.clone();
    let src3 = src.clone();
    let mut nd_out = Array::<T, _>::default((cols, rows));
    Case {
        name: format!("transpose {label} {rows}x{cols}"),
        bytes,
        memoryview: Box::new(move || {
            let v = MemoryView::from_shape(black_box(&src), &[rows, cols]).unwrap();
            v.t().copy_to_slice(&mut out, Order::C).unwrap();
            black_box(&mut out);
        }),
        ndarray_assign: Some(Box::new(move || {
            let a = ArrayView::from_shape((rows, cols), black_box(&src2)).unwrap();
            nd_out.assign(&a.t());
            black_box(&mut nd_out);
        })),
        ndarray_standard: Some(Box::new(move || {
            let a = ArrayView::from_shape((rows, cols), black_box(&src3)).unwrap();
            black_box(a.t().as_standard_layout());
        })),
        reference: None,
        memcpy: memcpy_op(bytes),
    }
}

/// A contiguous copy of `mib` MiB of f32.
pub fn contiguous(mib: usize) -> Case {
    let n = (mib << 20) / 4;
    let src = data(n, |i| i as f32);
    let mut out = vec![0f32; n];
    MemoryView::from_slice(&src).copy_to_slice(&mut out, Order::C).unwrap();
    assert_eq!(out, src);
    let src2 = src.clone();
    let mut nd_out = Array::<f32, _>::zeros(n);
    Case {
        name: format!("contiguous f32 {mib} MiB"),
        bytes: n * 4,
        memoryview: Box::new(move || {
            MemoryView::from_slice(black_box(&src)).copy_to_slice(&mut out, Order::C).unwrap();
            black_box(&mut out);
        }),
        ndarray_assign: Some(Box::new(move || {
            nd_out.assign(&ArrayView::from_shape(n, black_box(&src2)).unwrap());
            black_box(&mut nd_out);
        })),
        ndarray_standard: None,
        reference: None,
        memcpy: memcpy_op(n * 4),
    }
}

/// A 3-D f32 array of extent `n` permuted by `perm`, copied into C order.
pub fn permute_3d(n: usize, perm: [usize; 3]) -> Case {
    let src = data(n * n * n, |i| i as f32);
    let mut out = vec![0f32; n * n * n];
    let a = ArrayView::from_shape((n, n, n), &src).unwrap();
    let expected = a.permuted_axes(perm).as_standard_layout().into_owned();
    MemoryView::from_shape(&src, &[n, n, n])
        .unwrap()
        .permute_axes(&perm)
        .unwrap()
        .copy_to_slice(&mut out, Order::C)
        .unwrap();
    assert_eq!(out.as_slice(), expected.as_slice().unwrap(), "permutation {perm:?} differs");
    let (src2, src3) = (src.clone(), src.clone());
    let mut nd_out = Array::<f32, _>::zeros((n, n, n));
    Case {
        name: format!("permute f32 {n}^3 {perm:?}"),
        bytes: n * n * n * 4,
        memoryview: Box::new(move || {
            let v = MemoryView::from_shape(black_box(&src), &[n, n, n]).unwrap();
            v.permute_axes(&perm).unwrap().copy_to_slice(&mut out, Order::C).unwrap();
            black_box(&mut out);
        }),
        ndarray_assign: Some(Box::new(move || {
            let a = ArrayView::from_shape((n, n, n), black_box(&src2)).unwrap();
            nd_out.assign(&a.permuted_axes(perm));
            black_box(&mut nd_out);
        })),
        ndarray_standard: Some(Box::new(move || {
            let a = ArrayView::from_shape((n, n, n), black_box(&src3)).unwrap();
            black_box(a.permuted_axes(perm).as_standard_layout());
        })),
        reference: None,
        memcpy: memcpy_op(n * n * n * 4),
    }
}

/// `a[::2, ::3]` of a 4096x4096 f32 array, copied into C order.
pub fn gather_2d(n: usize) -> Case {
    let src = data(n * n, |i| i as f32);
    let (r, c) = (n.div_ceil(2), n.div_ceil(3));
    let mut out = vec![0f32; r * c];
    let slices = [Slice::from(..).step(2), Slice::from(..).step(3)];
    let a = ArrayView::from_shape((n, n), &src).unwrap();
    let expected = a.slice(s![..;2, ..;3]).as_standard_layout().into_owned();
    MemoryView::from_shape(&src, &[n, n]).unwrap().slice(&slices).unwrap().copy_to_slice(&mut out, Order::C).unwrap();
    assert_eq!(out.as_slice(), expected.as_slice().unwrap());
    let (src2, src3) = (src.clone(), src.clone());
    let mut nd_out = Array::<f32, _>::zeros((r, c));
    Case {
        name: format!("gather f32 a[::2, ::3] of {n}^2"),
        bytes: r * c * 4,
        memoryview: Box::new(move || {
            let v = MemoryView::from_shape(black_box(&src), &[n, n]).unwrap();
            v.slice(&slices).unwrap().copy_to_slice(&mut out, Order::C).unwrap();
            black_box(&mut out);
        }),
        ndarray_assign: Some(Box::new(move || {
            let a = ArrayView::from_shape((n, n), black_box(&src2)).unwrap();
            nd_out.assign(&a.slice(s![..;2, ..;3]));
            black_box(&mut nd_out);
        })),
        ndarray_standard: Some(Box::new(move || {
            let a = ArrayView::from_shape((n, n), black_box(&src3)).unwrap();
            black_box(a.slice(s![..;2, ..;3]).as_standard_layout());
        })),
        reference: None,
        memcpy: memcpy_op(r * c * 4),
    }
}

/// Data with distinct values in memory advised for transparent huge pages,
/// as NumPy allocates arrays of 4 MiB and more: the crate's own `to_vec`
/// gives its fresh outputs of that size the same advice (Linux only;
/// elsewhere plain memory).
fn data_huge_pages(n: usize) -> Vec<f32> {
    MemoryView::from_slice(&data(n, |i| i as f32)).to_vec(Order::C)
}

/// `a[::7]` of a 1-D f32 array of `mib` MiB.
pub fn gather_step7(mib: usize) -> Case {
    gather_step7_from(mib, false)
}

/// `a[::7]` of a 1-D f32 array of `mib` MiB backed by huge pages, as a
/// NumPy array of that size is: reading the whole source (every line holds
/// an item) then costs fewer TLB misses, and that is the whole difference
/// between NumPy's `a[::7].copy()` and a plain loop on a `Vec`.
pub fn gather_step7_huge_pages(mib: usize) -> Case {
    gather_step7_from(mib, true)
}

fn gather_step7_from(mib: usize, huge_pages: bool) -> Case {
    let n = (mib << 20) / 4;
    // One source, shared: every column reads the same memory.
    let src = std::sync::Arc::new(if huge_pages { data_huge_pages(n) } else { data(n, |i| i as f32) });
    let m = n.div_ceil(7);
    let mut out = vec![0f32; m];
    MemoryView::from_slice(&src).slice(&[Slice::from(..).step(7)]).unwrap().copy_to_slice(&mut out, Order::C).unwrap();
    assert!(out.iter().enumerate().all(|(k, &v)| v == (k * 7) as f32));
    let (src2, src3) = (src.clone(), src.clone());
    let mut nd_out = Array::<f32, _>::zeros(m);
    Case {
        name: format!("gather f32 a[::7] of {mib} MiB{}", if huge_pages { ", huge-page source" } else { "" }),
        bytes: m * 4,
        memoryview: Box::new(move || {
            let v = MemoryView::from_slice(black_box(src.as_slice()));
            v.slice(&[Slice::from(..).step(7)]).unwrap().copy_to_slice(&mut out, Order::C).unwrap();
            black_box(&mut out);
        }),
        ndarray_assign: Some(Box::new(move || {
            let a = ArrayView::from_shape(n, black_box(src2.as_slice())).unwrap();
            nd_out.assign(&a.slice(s![..;7]));
            black_box(&mut nd_out);
        })),
        ndarray_standard: Some(Box::new(move || {
            let a = ArrayView::from_shape(n, black_box(src3.as_slice())).unwrap();
            black_box(a.slice(s![..;7]).as_standard_layout());
        })),
        reference: None,
        memcpy: memcpy_op(m * 4),
    }
}

/// `a[::7].to_vec()`: the gather into a fresh vector, as NumPy's
/// `a[::7].copy()` does.
pub fn gather_step7_fresh(mib: usize) -> Case {
    let n = (mib << 20) / 4;
    let src = data(n, |i| i as f32);
    let m = n.div_ceil(7);
    let sliced = |s: &[f32]| MemoryView::from_slice(s).slice(&[Slice::from(..).step(7)]).unwrap().to_vec(Order::C);
    assert!(sliced(&src).iter().enumerate().all(|(k, &v)| v == (k * 7) as f32));
    let src2 = src.clone();
    Case {
        name: format!("gather f32 a[::7] of {mib} MiB, fresh"),
        bytes: m * 4,
        memoryview: Box::new(move || {
            black_box(sliced(black_box(&src)));
        }),
        ndarray_assign: None,
        ndarray_standard: Some(Box::new(move || {
            let a = ArrayView::from_shape(n, black_box(&src2)).unwrap();
            black_box(a.slice(s![..;7]).to_owned());
        })),
        reference: None,
        memcpy: memcpy_op(m * 4),
    }
}

/// Pointer tables kept alive next to the views that use them.
struct Indirect {
    _rows: Vec<Vec<u8>>,
    table: Table,
}

/// A table of pointers into memory owned next to it.
struct Table(Vec<*const u8>);

// SAFETY: the pointers lead into allocations the same case owns; the case
// (and so the table) moves to another thread as a whole, and nothing
// writes through the pointers.
unsafe impl Send for Table {}

/// A PIL-style `n x n` u8 image whose rows are separate allocations
/// reached through a row-pointer table, copied into a contiguous buffer.
pub fn pil_rows(n: usize) -> Case {
    let rows: Vec<Vec<u8>> = (0..n).map(|r| (0..n).map(|c| (r * 31 + c) as u8).collect()).collect();
    let table = Table(rows.iter().map(|row| row.as_ptr()).collect());
    let keep = Indirect { _rows: rows, table };
    let layout = Layout::with_suboffsets(&[n, n], &[8, 1], &[0, -1], 1).unwrap();
    let mut out = vec![0u8; n * n];
    let copy = move |keep: &Indirect, out: &mut [u8]| {
        // SAFETY: the table and rows live in `keep`, unwritten while viewed.
        let v = unsafe { BufferView::from_raw_parts(keep.table.0.as_ptr().cast(), layout.clone(), Format::bytes()) };
        v.unwrap().copy_to_bytes(out, Order::C).unwrap();
    };
    copy(&keep, &mut out);
    assert!(out.iter().enumerate().all(|(k, &b)| b == ((k / n) * 31 + k % n) as u8));
    Case {
        name: format!("PIL row pointers u8 {n}^2"),
        bytes: n * n,
        memoryview: Box::new(move || {
            copy(black_box(&keep), &mut out);
            black_box(&mut out);
        }),
        ndarray_assign: None,
        ndarray_standard: None,
        reference: None,
        memcpy: memcpy_op(n * n),
    }
}

/// An `n x n` f32 array whose every item is reached through its own
/// pointer (suboffsets in the last dimension), against a naive walker that
/// computes each item's address from scratch (as CPython's
/// `PyBuffer_GetPointer` loop does).
pub fn suboffsets_last(n: usize) -> Case {
    let values: Vec<f32> = data(n * n, |i| i as f32);
    // Item (i, j) is reached by loading slot i*n + j (stride 8, 8*n).
    let table = Table((0..n * n).map(|k| values.as_ptr().wrapping_add(k).cast::<u8>()).collect());
    let layout = Layout::with_suboffsets(&[n, n], &[(8 * n) as isize, 8], &[-1, 0], 4).unwrap();
    // The naive walker CPython's copies use: an index odometer, and for
    // each item its address from scratch (`PyBuffer_GetPointer`: every
    // dimension's stride, then the pointer load where a suboffset says
    // so), then a `memcpy` of itemsize bytes.
    let (shape, strides, suboffsets) = (vec![n, n], vec![(8 * n) as isize, 8], vec![-1isize, 0]);
    let naive = move |table: &Table, out: &mut [f32]| {
        let out_bytes = out.as_mut_ptr().cast::<u8>();
        let mut index = vec![0usize; shape.len()];
        for k in 0..n * n {
            let mut p = table.0.as_ptr().cast::<u8>();
            for d in 0..shape.len() {
                p = p.wrapping_offset(strides[d] * index[d] as isize);
                if suboffsets[d] >= 0 {
                    // SAFETY: a slot of the table, pointing into `values`.
                    p = unsafe { p.cast::<*const u8>().read_unaligned() }.wrapping_offset(suboffsets[d]);
                }
            }
            // SAFETY: item k of `values` and of `out`.
            unsafe { std::ptr::copy_nonoverlapping(p, out_bytes.add(4 * k), black_box(4)) };
            for d in (0..shape.len()).rev() {
                index[d] += 1;
                if index[d] < shape[d] {
                    break;
                }
                index[d] = 0;
            }
        }
    };
    let mut out = vec![0f32; n * n];
    let layout2 = layout.clone();
    let copy = move |table: &Table, out: &mut [f32]| {
        // SAFETY: the table and values outlive the view and are unwritten.
        let v = unsafe { MemoryView::<f32>::from_raw_parts(table.0.as_ptr().cast(), layout2.clone()) }.unwrap();
        v.copy_to_slice(out, Order::C).unwrap();
    };
    copy(&table, &mut out);
    assert_eq!(out, values);
    let table2 = Table(table.0.clone());
    let mut naive_out = vec![0f32; n * n];
    let _keep = values;
    Case {
        name: format!("suboffsets in last dim f32 {n}^2"),
        bytes: n * n * 4,
        memoryview: Box::new(move || {
            let _ = &_keep;
            copy(black_box(&table), &mut out);
            black_box(&mut out);
        }),
        ndarray_assign: None,
        ndarray_standard: None,
        reference: Some((
            "naive walker",
            Box::new(move || {
                naive(black_box(&table2), &mut naive_out);
                black_box(&mut naive_out);
            }),
        )),
        memcpy: memcpy_op(n * n * 4),
    }
}

/// How the tiny case makes its views.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Tiny {
    /// The transposed view is made once and copied out `reps` times.
    Reused,
    /// Each copy also builds the view and its transpose
    /// (`from_shape(..).t()`), as ndarray's fixed-rank `ArrayView2` does.
    Made,
    /// As `Made`, against ndarray's dynamic-rank `ArrayViewD` (the
    /// kind of descriptor a memoryview is: its rank is a run-time value).
    MadeVsDynamicNdarray,
    /// Each copy builds a fixed-rank [`FixedView`] and its transpose,
    /// against ndarray's fixed-rank `ArrayView2`.
    FixedMade,
}

/// An 8x8 f32 transpose copied out, `reps` times per run, against a hand
/// loop and ndarray, with views made as `how` says.
pub fn tiny(reps: usize, how: Tiny) -> Case {
    let create = how != Tiny::Reused;
    let src = data(64, |i| i as f32);
    let mut out = [0f32; 64];
    let mut hand_out = [0f32; 64];
    MemoryView::from_shape(&src, &[8, 8]).unwrap().t().copy_to_slice(&mut out, Order::C).unwrap();
    assert!((0..64).all(|k| out[k] == src[(k % 8) * 8 + k / 8]));
    let (src2, src3) = (src.clone(), src.clone());
    let mut nd_out = Array::<f32, _>::zeros((8, 8));
    let memoryview: Op = if how == Tiny::FixedMade {
        Box::new(move || {
            for _ in 0..reps {
                let v = FixedView::from_shape(black_box(&src), [8, 8]).unwrap();
                v.t().copy_to_slice(&mut out, Order::C).unwrap();
                black_box(&mut out);
            }
        })
    } else if create {
        Box::new(move || {
            for _ in 0..reps {
                let v = MemoryView::from_shape(black_box(&src), &[8, 8]).unwrap();
                v.t().copy_to_slice(&mut out, Order::C).unwrap();
                black_box(&mut out);
            }
        })
    } else {
        // The view borrows `src`, which the closure owns: rebuild it per
        // run (once, outside the repetitions).
        Box::new(move || {
            let t = MemoryView::from_shape(&src, &[8, 8]).unwrap().t();
            for _ in 0..reps {
                black_box(&t).copy_to_slice(&mut out, Order::C).unwrap();
                black_box(&mut out);
            }
        })
    };
    Case {
        name: format!(
            "tiny 8x8 f32 transpose{}",
            match how {
                Tiny::Reused => "",
                Tiny::Made => " (view made each time)",
                Tiny::MadeVsDynamicNdarray => " (made each time, nd rank dynamic)",
                Tiny::FixedMade => " (FixedView made each time)",
            }
        ),
        bytes: 256 * reps,
        memoryview,
        ndarray_assign: Some(if how == Tiny::MadeVsDynamicNdarray {
            let mut nd_out = ndarray::ArrayD::<f32>::zeros(ndarray::IxDyn(&[8, 8]));
            Box::new(move || {
                for _ in 0..reps {
                    let a = ndarray::ArrayViewD::from_shape(ndarray::IxDyn(&[8, 8]), black_box(&src2)).unwrap();
                    nd_out.assign(&a.t());
                    black_box(&mut nd_out);
                }
            })
        } else {
            Box::new(move || {
                for _ in 0..reps {
                    let a = ArrayView::from_shape((8, 8), black_box(&src2)).unwrap();
                    nd_out.assign(&a.t());
                    black_box(&mut nd_out);
                }
            })
        }),
        ndarray_standard: None,
        reference: Some((
            "hand loop",
            Box::new(move || {
                for _ in 0..reps {
                    let s = black_box(&src3);
                    for i in 0..8 {
                        for j in 0..8 {
                            hand_out[i * 8 + j] = s[j * 8 + i];
                        }
                    }
                    black_box(&mut hand_out);
                }
            }),
        )),
        memcpy: memcpy_op(256 * reps),
    }
}

/// Asks Linux to back the whole 2 MiB pages inside `v`'s spare capacity
/// with transparent huge pages, as `to_vec` does for large outputs.
fn advise_huge_pages(v: &mut Vec<u8>) {
    #[cfg(target_os = "linux")]
    {
        const HUGE_PAGE: usize = 2 << 20;
        const MADV_HUGEPAGE: i32 = 14;
        unsafe extern "C" {
            fn madvise(addr: *mut u8, len: usize, advice: i32) -> i32;
        }
        let base = v.as_mut_ptr();
        let start = base.addr().next_multiple_of(HUGE_PAGE);
        let end = (base.addr() + v.capacity()) / HUGE_PAGE * HUGE_PAGE;
        if end > start {
            // SAFETY: the range lies inside `v`'s allocation; MADV_HUGEPAGE
            // changes only how the kernel backs it, never its contents.
            let _ = unsafe { madvise(base.wrapping_add(start - base.addr()), end - start, MADV_HUGEPAGE) };
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = v;
}

/// The page faults of a fresh `bytes`-byte buffer alone, with `to_vec`'s
/// huge-page advice: one byte written per 4 KiB page, no copy. A fresh
/// copy cannot take less than this plus a `memcpy`.
fn page_faults_only(bytes: usize) -> Op {
    Box::new(move || {
        let mut v: Vec<u8> = Vec::with_capacity(bytes);
        advise_huge_pages(&mut v);
        for byte in v.spare_capacity_mut().iter_mut().step_by(4096) {
            byte.write(1);
        }
        black_box(&mut v);
    })
}

/// `to_vec` of a contiguous `mib` MiB f32 view into a fresh vector.
pub fn fresh_to_vec(mib: usize) -> Case {
    let n = (mib << 20) / 4;
    let src = data(n, |i| i as f32);
    assert_eq!(MemoryView::from_slice(&src).to_vec(Order::C), src);
    let src2 = src.clone();
    Case {
        name: format!("fresh to_vec f32 {mib} MiB"),
        bytes: n * 4,
        memoryview: Box::new(move || {
            black_box(MemoryView::from_slice(black_box(&src)).to_vec(Order::C));
        }),
        ndarray_assign: None,
        ndarray_standard: Some(Box::new(move || {
            black_box(ArrayView::from_shape(n, black_box(&src2)).unwrap().to_owned());
        })),
        reference: Some(("page faults alone", page_faults_only(n * 4))),
        memcpy: memcpy_op(n * 4),
    }
}

/// A naive loop in destination order (each output item read from its
/// source item's index, as a hand-written transpose does).
fn naive_loop<T: Copy + Send + 'static>(src: Vec<T>, rows: usize, cols: usize, rotate: bool) -> Op {
    let mut out = src.clone();
    Box::new(move || {
        let s = black_box(&src);
        for c in 0..cols {
            let row = &mut out[c * rows..(c + 1) * rows];
            for (k, item) in row.iter_mut().enumerate() {
                let r = if rotate { rows - 1 - k } else { k };
                *item = s[r * cols + c];
            }
        }
        black_box(&mut out);
    })
}

/// `a.t()` of a rows x cols C array of `T` copied into C order, with a
/// naive loop as the reference column (for the shapes nobody tuned for).
pub fn transpose_2d_naive<T>(label: &str, rows: usize, cols: usize, from: impl Fn(usize) -> T) -> Case
where
    T: Element + bytemuck::Pod + Default + PartialEq + std::fmt::Debug,
{
    let src = data(rows * cols, &from);
    let mut case = transpose_2d(label, rows, cols, from);
    case.reference = Some(("naive loop", naive_loop(src, rows, cols, false)));
    case
}

/// `R`-byte records (complex128 is 16 bytes, RGB 3, RGB16 6, xyz f32 12)
/// in a rows x cols C array, transposed (`a.t()`) or rotated by 90°
/// (`a.t()[:, ::-1]`: `dst[c][rows - 1 - r] = src[r][c]`), copied into C
/// order through an untyped view of format `"{R}s"`; ndarray works on
/// `[u8; R]` items.
pub fn records_2d<const R: usize>(label: &str, rows: usize, cols: usize, rotate: bool) -> Case
where
    [u8; R]: Default,
{
    let n = rows * cols;
    let src: Vec<[u8; R]> = data(n, |i| std::array::from_fn(|b| (i.wrapping_mul(7) + b * 31 + i / 253) as u8));
    let bytes: Vec<u8> = src.iter().flatten().copied().collect();
    let format = Format::parse(&format!("{R}s")).unwrap();
    let layout = Layout::contiguous(&[rows, cols], R, Order::C).unwrap();
    fn records_view<'a>(bytes: &'a [u8], layout: &Layout, format: &Format, rotate: bool) -> BufferView<'a> {
        let t = BufferView::new(bytes, layout.clone(), 0, format.clone()).unwrap().t();
        if rotate { t.slice(&[Slice::FULL, Slice::from(..).step(-1)]).unwrap() } else { t }
    }
    let view = move |bytes: &[u8], out: &mut [u8]| {
        records_view(bytes, &layout, &format, rotate).copy_to_bytes(out, Order::C).unwrap();
    };
    let mut out = vec![0u8; n * R];
    view(&bytes, &mut out);
    for c in 0..cols {
        for k in 0..rows {
            let r = if rotate { rows - 1 - k } else { k };
            assert_eq!(out[(c * rows + k) * R..][..R], src[r * cols + c], "{label}: ({c}, {k}) differs");
        }
    }
    let (src2, src3) = (src.clone(), src.clone());
    let mut nd_out = Array::<[u8; R], _>::default((cols, rows));
    fn nd_oriented<'a, const R: usize>(
        a: ArrayView<'a, [u8; R], ndarray::Ix2>,
        rotate: bool,
    ) -> ArrayView<'a, [u8; R], ndarray::Ix2> {
        if rotate { a.reversed_axes().slice_move(s![.., ..;-1]) } else { a.reversed_axes() }
    }
    let what = if rotate { "rotated 90°" } else { "transpose" };
    Case {
        name: format!("{what} {label} {rows}x{cols}"),
        bytes: n * R,
        memoryview: Box::new(move || {
            view(black_box(&bytes), &mut out);
            black_box(&mut out);
        }),
        ndarray_assign: Some(Box::new(move || {
            nd_out.assign(&nd_oriented(ArrayView::from_shape((rows, cols), black_box(&src2)).unwrap(), rotate));
            black_box(&mut nd_out);
        })),
        ndarray_standard: Some(Box::new(move || {
            let a = ArrayView::from_shape((rows, cols), black_box(&src3)).unwrap();
            black_box(nd_oriented(a, rotate).as_standard_layout());
        })),
        reference: Some(("naive loop", naive_loop(src, rows, cols, rotate))),
        memcpy: memcpy_op(n * R),
    }
}

/// `a[1:, ::step1, ::3]` of a C-ordered `n0 x n1 x n2` f32 array, axes
/// permuted (1, 0, 2), copied into a Fortran-ordered array: a source that
/// is both strided and permuted (issue 13's case with `n = 64 x 512 x
/// 3000` and `step1` 1 or -2), against ndarray's `assign` into an F array
/// and a naive loop (an index odometer over the output in F order).
pub fn strided_permuted(n0: usize, n1: usize, n2: usize, step1: isize) -> Case {
    let src = std::sync::Arc::new(data(n0 * n1 * n2, |i| i as f32));
    fn view(s: &[f32], n: [usize; 3], step1: isize) -> MemoryView<'_, f32> {
        let slices = [Slice::from(1..), Slice::from(..).step(step1), Slice::from(..).step(3)];
        MemoryView::from_shape(s, &n).unwrap().slice(&slices).unwrap().permute_axes(&[1, 0, 2]).unwrap()
    }
    fn nd_view(s: &[f32], n: [usize; 3], step1: isize) -> ndarray::ArrayView3<'_, f32> {
        let a = ArrayView::from_shape((n[0], n[1], n[2]), s).unwrap();
        a.slice_move(s![1.., ..;step1, ..;3]).permuted_axes([1, 0, 2])
    }
    let n = [n0, n1, n2];
    let shape: Vec<usize> = view(&src, n, step1).shape().to_vec();
    let count: usize = shape.iter().product();
    let mut out = vec![0f32; count];
    view(&src, n, step1).copy_to_slice(&mut out, Order::F).unwrap();
    let expected = nd_view(&src, n, step1).reversed_axes().as_standard_layout().into_owned();
    assert_eq!(out.as_slice(), expected.as_slice().unwrap(), "strided permuted copy differs");
    // The naive loop: element strides of the view (in items), an odometer
    // over the output's F order.
    let (dims, base) = {
        let v = view(&src, n, step1);
        let strides: Vec<isize> = v.strides().iter().map(|&b| b / 4).collect();
        let base = (v.as_ptr().addr() - src.as_ptr().addr()) / 4;
        (shape.iter().copied().zip(strides).collect::<Vec<_>>(), base)
    };
    let (src2, src3) = (src.clone(), src.clone());
    let mut nd_out = Array::<f32, _>::zeros(ndarray::IxDyn(&shape).f());
    let mut naive_out = vec![0f32; count];
    let name = format!("strided permuted f32 a[1:, ::{step1}, ::3] of {n0}x{n1}x{n2}, axes (1, 0, 2), into F");
    Case {
        name,
        bytes: count * 4,
        memoryview: Box::new(move || {
            view(black_box(src.as_slice()), n, step1).copy_to_slice(&mut out, Order::F).unwrap();
            black_box(&mut out);
        }),
        ndarray_assign: Some(Box::new(move || {
            nd_out.assign(&nd_view(black_box(src2.as_slice()), n, step1).into_dyn());
            black_box(&mut nd_out);
        })),
        ndarray_standard: None,
        reference: Some((
            "naive loop",
            Box::new(move || {
                let s = black_box(src3.as_slice());
                let mut index = vec![0usize; dims.len()];
                let mut at = base as isize;
                for slot in naive_out.iter_mut() {
                    *slot = s[at as usize];
                    for (k, &(extent, stride)) in dims.iter().enumerate() {
                        index[k] += 1;
                        if index[k] < extent {
                            at += stride;
                            break;
                        }
                        at -= stride * (extent as isize - 1);
                        index[k] = 0;
                    }
                }
                black_box(&mut naive_out);
            }),
        )),
        memcpy: memcpy_op(count * 4),
    }
}

/// How an `assign_fast` case views its C-ordered source array.
#[cfg(feature = "ndarray")]
#[derive(Clone, Copy)]
pub enum Source2 {
    /// `a.t()`.
    Transposed,
    /// `a.slice(s![..;2, ..;3])`, into an array of that shape.
    Strided,
}

/// ndarray's `dst.assign(&src)` against memoryview's
/// `dst.assign_fast(&src)` (feature `ndarray`), both on the same ndarray
/// arrays: a 2-D `n`x`n` source viewed as `how` says, a C-ordered
/// destination. The memoryview column is the bridge (two conversions and
/// the planner); the "nd asgn" column is ndarray's own loop.
#[cfg(feature = "ndarray")]
pub fn assign_fast_2d<T>(label: &str, n: usize, how: Source2, from: impl Fn(usize) -> T) -> Case
where
    T: Element + Default + PartialEq + std::fmt::Debug,
{
    use memoryview::ndarray::AssignFast;
    let src = Array::from_shape_vec((n, n), data(n * n, from)).unwrap();
    fn view_of<T>(a: &ndarray::Array2<T>, how: Source2) -> ndarray::ArrayView2<'_, T> {
        match how {
            Source2::Transposed => a.t(),
            Source2::Strided => a.slice(s![..;2, ..;3]),
        }
    }
    let name = match how {
        Source2::Transposed => format!("assign_fast transpose {label} {n}x{n}"),
        Source2::Strided => format!("assign_fast {label} a[::2, ::3] of {n}^2"),
    };
    let shape = view_of(&src, how).raw_dim();
    let mut ours = Array::<T, _>::default(shape);
    let mut theirs = Array::<T, _>::default(shape);
    ours.assign_fast(&view_of(&src, how)).unwrap();
    theirs.assign(&view_of(&src, how));
    assert_eq!(ours, theirs, "{name}: differs from ndarray's assign");
    let bytes = ours.len() * size_of::<T>();
    let src = std::sync::Arc::new(src);
    let src2 = src.clone();
    Case {
        name,
        bytes,
        memoryview: Box::new(move || {
            ours.assign_fast(&view_of(black_box(&src), how)).unwrap();
            black_box(&mut ours);
        }),
        ndarray_assign: Some(Box::new(move || {
            theirs.assign(&view_of(black_box(&src2), how));
            black_box(&mut theirs);
        })),
        ndarray_standard: None,
        reference: None,
        memcpy: memcpy_op(bytes),
    }
}

/// As [`assign_fast_2d`] for an `n`^3 f32 array permuted by `perm`.
#[cfg(feature = "ndarray")]
pub fn assign_fast_permute_3d(n: usize, perm: [usize; 3]) -> Case {
    use memoryview::ndarray::AssignFast;
    let src = std::sync::Arc::new(Array::from_shape_vec((n, n, n), data(n * n * n, |i| i as f32)).unwrap());
    let mut ours = Array::<f32, _>::zeros((n, n, n));
    let mut theirs = Array::<f32, _>::zeros((n, n, n));
    ours.assign_fast(&src.view().permuted_axes(perm)).unwrap();
    theirs.assign(&src.view().permuted_axes(perm));
    assert_eq!(ours, theirs, "permutation {perm:?} differs from ndarray's assign");
    let src2 = src.clone();
    Case {
        name: format!("assign_fast permute f32 {n}^3 {perm:?}"),
        bytes: n * n * n * 4,
        memoryview: Box::new(move || {
            ours.assign_fast(&black_box(&src).view().permuted_axes(perm)).unwrap();
            black_box(&mut ours);
        }),
        ndarray_assign: Some(Box::new(move || {
            theirs.assign(&black_box(&src2).view().permuted_axes(perm));
            black_box(&mut theirs);
        })),
        ndarray_standard: None,
        reference: None,
        memcpy: memcpy_op(n * n * n * 4),
    }
}
