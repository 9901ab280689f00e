//! Criterion benchmarks of the copy engine against ndarray and memcpy on
//! the same bytes (the cases are in `benches/support/cases.rs`).
//!
//! ```text
//! cargo bench --bench copy                      # everything (long)
//! cargo bench --bench copy -- 'transpose f32'   # a subset
//! cargo bench --bench copy --features ndarray -- assign_fast  # the ndarray bridge's assign
//! ```
//!
//! Throughput is reported as 2 × output bytes (read once, written once).
//! memoryview runs in a rayon pool of the stated size; ndarray is
//! single-threaded. `examples/compare.rs` prints the same cases as one
//! table in about two minutes.

#[path = "support/cases.rs"]
mod cases;

use cases::Case;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::time::Duration;

fn bench_case(c: &mut Criterion, make: &dyn Fn() -> Case, threads: &[usize]) {
    let mut case = make();
    let mut group = c.benchmark_group(&case.name);
    group.throughput(Throughput::Bytes(2 * case.bytes as u64));
    group.sample_size(10).warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(2));
    for &n in threads {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(n).build().expect("thread pool");
        group.bench_function(format!("memoryview/{n}t"), |b| pool.install(|| b.iter(&mut case.memoryview)));
    }
    group.bench_function("memcpy", |b| b.iter(&mut case.memcpy));
    if let Some(op) = case.ndarray_assign.as_mut() {
        group.bench_function("ndarray assign", |b| b.iter(&mut *op));
    }
    if let Some(op) = case.ndarray_standard.as_mut() {
        group.bench_function("ndarray as_standard_layout", |b| b.iter(&mut *op));
    }
    if let Some((name, op)) = case.reference.as_mut() {
        group.bench_function(*name, |b| b.iter(&mut *op));
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    let both = [1, 2];
    for mib in [1, 32, 256] {
        bench_case(c, &|| cases::contiguous(mib), &both);
    }
    for n in [256, 1024, 4096] {
        bench_case(c, &|| cases::transpose_2d::<f32>("f32", n, n, |i| i as f32), &both);
        bench_case(c, &|| cases::transpose_2d::<f64>("f64", n, n, |i| i as f64), &both);
        bench_case(c, &|| cases::transpose_2d::<u8>("u8", n, n, |i| i as u8), &both);
    }
    bench_case(c, &|| cases::transpose_2d::<u16>("u16", 4096, 4096, |i| i as u16), &both);
    bench_case(c, &|| cases::transpose_2d::<f32>("f32", 3000, 5000, |i| i as f32), &both);
    bench_case(c, &|| cases::transpose_2d::<f64>("f64", 3000, 5000, |i| i as f64), &both);
    bench_case(c, &|| cases::transpose_2d::<u8>("u8", 3000, 5000, |i| i as u8), &both);
    for perm in [[0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]] {
        bench_case(c, &|| cases::permute_3d(256, perm), &both);
    }
    bench_case(c, &|| cases::gather_2d(4096), &both);
    bench_case(c, &|| cases::gather_step7(64), &both);
    bench_case(c, &|| cases::gather_step7_huge_pages(64), &[1]);
    bench_case(c, &|| cases::gather_step7_fresh(64), &[1]);
    bench_case(c, &|| cases::pil_rows(4096), &both);
    bench_case(c, &|| cases::suboffsets_last(1024), &[1]);
    bench_case(c, &|| cases::tiny(1000, cases::Tiny::Reused), &[1]);
    bench_case(c, &|| cases::tiny(1000, cases::Tiny::Made), &[1]);
    bench_case(c, &|| cases::tiny(1000, cases::Tiny::MadeVsDynamicNdarray), &[1]);
    bench_case(c, &|| cases::tiny(1000, cases::Tiny::FixedMade), &[1]);
    bench_case(c, &|| cases::fresh_to_vec(64), &both);
    #[cfg(feature = "ndarray")]
    {
        use cases::Source2;
        bench_case(c, &|| cases::assign_fast_2d::<f32>("f32", 4096, Source2::Transposed, |i| i as f32), &both);
        bench_case(c, &|| cases::assign_fast_2d::<f64>("f64", 4096, Source2::Transposed, |i| i as f64), &both);
        bench_case(c, &|| cases::assign_fast_2d::<u8>("u8", 4096, Source2::Transposed, |i| i as u8), &both);
        bench_case(c, &|| cases::assign_fast_2d::<f32>("f32", 4096, Source2::Strided, |i| i as f32), &both);
        for perm in [[0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]] {
            bench_case(c, &|| cases::assign_fast_permute_3d(256, perm), &both);
        }
    }
}

criterion_group!(copy, benches);
criterion_main!(copy);
