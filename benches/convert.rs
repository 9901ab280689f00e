//! Conversions while copying (`BufferView::to_vec_as`) against the ways to
//! do the same without it: a typed copy followed by a map, and (for a
//! byte-swapped format) `to_vec_native`. 4 Mi items, one thread.
//!
//!     cargo bench --bench convert -- --warm-up-time 1 --measurement-time 3
//!
//! Two runs on the shared 2-core host (load average 7-8, so absolute times
//! are noisy; compare within a run): f32 to f64, `to_vec_as` 118 / 86 ms
//! against 92 / 53 ms for a typed copy plus `map` (0.6-0.8x its speed: the
//! checked cast per item and the intermediate packed copy); `>d` to f64,
//! `to_vec_as` 121 / 73 ms against 274 / 179 ms for `to_vec_native`
//! (2.3-2.5x faster); u16 to i32, 17 / 15 ms.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use memoryview::{BufferView, Format, Layout, MemoryView, Order};
use std::hint::black_box;

const N: usize = 1 << 22;

fn benches(c: &mut Criterion) {
    // One thread: the copies inside run in this pool.
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    {
        let floats: Vec<f32> = (0..N).map(|i| i as f32 * 0.5).collect();
        let mut group = c.benchmark_group("f32 to f64, 4 Mi items");
        group.throughput(Throughput::Bytes((N * 12) as u64));
        let view = BufferView::from_slice(&floats);
        group.bench_function("BufferView::to_vec_as", |b| {
            b.iter(|| pool.install(|| black_box(view.to_vec_as::<f64>(Order::C).unwrap())));
        });
        let typed = MemoryView::from_slice(&floats);
        group.bench_function("MemoryView::to_vec_as", |b| {
            b.iter(|| pool.install(|| black_box(typed.to_vec_as::<f64>(Order::C).unwrap())));
        });
        group.bench_function("typed to_vec, then map", |b| {
            b.iter(|| {
                pool.install(|| black_box(typed.to_vec(Order::C).into_iter().map(f64::from).collect::<Vec<f64>>()))
            });
        });
        group.finish();

        let big_endian: Vec<u8> = (0..N).flat_map(|i| (i as f64).to_be_bytes()).collect();
        let layout = Layout::contiguous(&[N], 8, Order::C).unwrap();
        let swapped = BufferView::new(&big_endian, layout, 0, Format::parse(">d").unwrap()).unwrap();
        let mut group = c.benchmark_group(">d to f64, 4 Mi items");
        group.throughput(Throughput::Bytes((N * 16) as u64));
        group.bench_function("BufferView::to_vec_as", |b| {
            b.iter(|| pool.install(|| black_box(swapped.to_vec_as::<f64>(Order::C).unwrap())));
        });
        group.bench_function("to_vec_native", |b| {
            b.iter(|| pool.install(|| black_box(swapped.to_vec_native::<f64>(Order::C).unwrap())));
        });
        group.finish();

        let shorts: Vec<u16> = (0..N).map(|i| i as u16).collect();
        let view = BufferView::from_slice(&shorts);
        let mut group = c.benchmark_group("u16 to i32 (checked), 4 Mi items");
        group.throughput(Throughput::Bytes((N * 6) as u64));
        group.bench_function("BufferView::to_vec_as", |b| {
            b.iter(|| pool.install(|| black_box(view.to_vec_as::<i32>(Order::C).unwrap())));
        });
        group.finish();
    }
}

criterion_group!(convert, benches);
criterion_main!(convert);
