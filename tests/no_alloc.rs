//! Creating, slicing, transposing and indexing direct views of up to eight
//! dimensions does not touch the allocator (a counting global allocator
//! proves it). (Indirect views box their suboffset state.) Nor do fixed-rank
//! views, copying a small one out, or the item, axis and lane iterators.

use memoryview::{MemoryView, Slice};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    /// Allocations made by this thread. Counted per thread: the test
    /// harness's main thread allocates too, whenever it gets to block on
    /// its channel (under Miri's scheduler, at times inside the measured
    /// loops).
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

/// Allocations the calling thread has made so far.
fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

// SAFETY: forwards to the system allocator, only counting calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // (A const-initialized `Cell` needs no destructor: reachable while
        // a thread is torn down too; `try_with` in case it is not.)
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: forwarded contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded contract.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Rounds of each loop: a hundred natively, two under Miri (which took ten
/// minutes for the hundred).
const ROUNDS: usize = if cfg!(miri) { 2 } else { 100 };

#[test]
fn view_operations_do_not_allocate() {
    let data = vec![0u16; 256];
    let shape = [2usize; 8];
    let before = allocations();
    let mut total = 0usize;
    for _ in 0..ROUNDS {
        let view = MemoryView::from_shape(&data, &shape).unwrap();
        let t = view.t();
        let s = t.slice(&[Slice::from(1..), Slice::from(..).step(-1)]).unwrap();
        let p = s.permute_axes(&[7, 6, 5, 4, 3, 2, 1, 0]).unwrap();
        let i = p.index_axis(3, -1).unwrap().swap_axes(0, 6).unwrap();
        total += i.get(&[0, 1, 0, 1, 0, 1, 0]).unwrap() as usize + i.iter().count();
        total += usize::from(i.is_contiguous(memoryview::Order::C));
    }
    let after = allocations();
    assert_eq!(after - before, 0, "view operations allocated");
    assert_eq!(total, ROUNDS * 64);

    // Fixed-rank views, and copies out of them. (In the same test: the
    // counter is global, and tests run on parallel threads.)
    let data: Vec<u32> = (0..256).collect();
    let mut out = vec![0u32; 64];
    let before = allocations();
    let mut total = 0u64;
    for _ in 0..ROUNDS {
        let v = memoryview::FixedView::from_shape(&data, [4, 8, 8]).unwrap();
        let s = v.slice(&[Slice::from(1..2), Slice::FULL, Slice::from(..).step(-1)]).unwrap();
        let p = s.permute_axes([2, 0, 1]).unwrap().t();
        p.copy_to_slice(&mut out, memoryview::Order::C).unwrap();
        total += u64::from(out[1]) + u64::from(p.get(&[7, 0, 0]).unwrap());
    }
    let after = allocations();
    assert_eq!(after - before, 0, "fixed-view operations allocated");
    // Item (a, 0, b) of `p` is element 71 + 8a - b: out[1] = 70, p[7, 0, 0] = 127.
    assert_eq!(total, ROUNDS as u64 * (70 + 127));

    // Typing an untyped view checks its format against the element's
    // (format equivalence) without allocating, for one-scalar formats,
    // complex numbers and half floats included.
    let floats = [1.5f64; 16];
    let before = allocations();
    let mut sum = 0.0;
    for _ in 0..ROUNDS {
        let untyped = memoryview::BufferView::from_slice(&floats);
        sum += untyped.typed::<f64>().unwrap().get(&[3]).unwrap();
        #[cfg(feature = "num-complex")]
        {
            let pairs = [num_complex::Complex::new(1.0f32, 2.0); 4];
            let view = MemoryView::from_slice(&pairs);
            sum += f64::from(view.as_buffer().typed::<num_complex::Complex<f32>>().unwrap().get(&[1]).unwrap().im);
            sum -= 2.0;
        }
        #[cfg(feature = "half")]
        {
            let halves = [half::f16::ONE; 4];
            let view = MemoryView::from_slice(&halves);
            sum += view.as_buffer().typed::<half::f16>().unwrap().get(&[1]).unwrap().to_f64();
            sum -= 1.0;
        }
    }
    let after = allocations();
    assert_eq!(after - before, 0, "typing a view allocated");
    assert_eq!(sum, 1.5 * ROUNDS as f64);
    // Sub-view iterators and the item iterators, from both ends; indices
    // of other integer types and py_s! slices.
    let mut data: Vec<u32> = (0..120).collect();
    let before = allocations();
    let mut total = 0u64;
    for _ in 0..ROUNDS {
        let v = MemoryView::from_shape(&data, &[2, 3, 4, 5]).unwrap();
        let s = v.slice(&memoryview::py_s![.., ..;-1, 1.., 3..0;-1]).unwrap();
        for sub in s.axis_iter(1).unwrap().rev() {
            total += u64::from(sub.get(&[1usize, 0, 0]).unwrap());
        }
        for row in s.rows().unwrap() {
            total += row.iter().rev().map(u64::from).sum::<u64>();
        }
        total += s.lanes(0).unwrap().map(|lane| lane.len() as u64).sum::<u64>();
    }
    for _ in 0..ROUNDS {
        let mut m = memoryview::MemoryViewMut::from_shape(&mut data, &[6, 20]).unwrap();
        m.for_each_mut(|x| *x += 1);
        m.iter_mut().unwrap().rev().for_each(|x| *x -= 1);
    }
    let after = allocations();
    assert_eq!(after - before, 0, "iterators allocated");
    assert!(total > 0);
    assert_eq!(data, (0..120).collect::<Vec<u32>>());
}
