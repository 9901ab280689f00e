//! The performance table: memoryview against ndarray and memcpy on the
//! same bytes, in one run.
//!
//! ```text
//! cargo run --release --example compare            # the whole table (about a minute and a half)
//! cargo run --release --example compare -- quick   # fewer, smaller cases
//! cargo run --release --example compare -- transpose # only cases whose name contains "transpose"
//! cargo run --release --example compare --features ndarray -- assign_fast # ndarray's assign through the bridge
//! ```
//!
//! GB/s counts every output byte once read and once written (2 × output
//! bytes / time), in every column. Each figure is the median of several
//! runs interleaved with the others, so that the machine's drift hits all
//! columns alike. "threads" is the size of the rayon pool memoryview runs
//! in (ndarray's `assign` and `as_standard_layout` are single-threaded;
//! the memcpy column uses as many threads, each copying half). Runs of
//! cases of 8 MiB and more start with cold caches (see [`COLD_BYTES`]).

#[path = "../benches/support/cases.rs"]
mod cases;

use cases::Case;
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn seconds(f: &mut dyn FnMut()) -> f64 {
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64()
}

/// A memcpy of `bytes` split over the pool's threads.
fn memcpy_threads(bytes: usize) -> cases::Op {
    let src = vec![1u8; bytes];
    let mut dst = vec![0u8; bytes];
    Box::new(move || {
        use rayon::prelude::*;
        let chunk = bytes.div_ceil(rayon::current_num_threads());
        dst.par_chunks_mut(chunk).zip(src.par_chunks(chunk)).for_each(|(d, s)| d.copy_from_slice(s));
        std::hint::black_box(&mut dst);
    })
}

struct Row {
    name: String,
    bytes: usize,
    threads: usize,
    mv: f64,
    nd_assign: Option<f64>,
    nd_standard: Option<f64>,
    reference: Option<(&'static str, f64)>,
    memcpy: f64,
}

/// Cases at least this large cannot stay in the caches: each of their
/// runs starts after an (untimed) copy of unrelated memory, so that no run
/// inherits the cache contents the previous one left (without it, whichever
/// column runs after a read of the same source gains up to 20% here).
const COLD_BYTES: usize = 8 << 20;

/// Evicts the caches by copying 64 MiB of unrelated memory.
struct Flush(Vec<u8>, Vec<u8>);

impl Flush {
    fn new() -> Flush {
        Flush(vec![1; 64 << 20], vec![0; 64 << 20])
    }

    fn run(&mut self) {
        self.1.copy_from_slice(&self.0);
        std::hint::black_box(&mut self.1);
    }
}

fn measure(mut case: Case, threads: usize, rounds: usize, flush: &mut Flush) -> Row {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool");
    let mut memcpy = if threads == 1 { case.memcpy } else { memcpy_threads(case.bytes) };
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); 5];
    let cold = case.bytes >= COLD_BYTES;
    // Every column runs on the pool's threads (one thread is not always
    // as fast as another on this shared machine: all columns alike).
    let mut timed = |op: &mut (dyn FnMut() + Send)| {
        if cold {
            flush.run();
        }
        pool.install(|| seconds(op))
    };
    // One warm-up round, then interleaved rounds.
    for round in 0..=rounds {
        let mut t = [f64::NAN; 5];
        t[0] = timed(&mut case.memoryview);
        t[1] = timed(&mut memcpy);
        if let Some(op) = case.ndarray_assign.as_mut() {
            t[2] = timed(op);
        }
        if let Some(op) = case.ndarray_standard.as_mut() {
            t[3] = timed(op);
        }
        if let Some((_, op)) = case.reference.as_mut() {
            t[4] = timed(op);
        }
        if round > 0 {
            for (k, v) in t.iter().enumerate() {
                if !v.is_nan() {
                    times[k].push(*v);
                }
            }
        }
    }
    let gbs = |k: usize| (!times[k].is_empty()).then(|| 2.0 * case.bytes as f64 / median(times[k].clone()) / 1e9);
    Row {
        name: case.name,
        bytes: case.bytes,
        threads,
        mv: gbs(0).unwrap_or(0.0),
        memcpy: gbs(1).unwrap_or(0.0),
        nd_assign: gbs(2),
        nd_standard: gbs(3),
        reference: case.reference.as_ref().map(|(name, _)| *name).zip(gbs(4)),
    }
}

fn fmt(v: Option<f64>) -> String {
    v.map_or("-".to_string(), |v| format!("{v:.2}"))
}

fn print(row: &Row) {
    let nd_best = row.nd_assign.into_iter().chain(row.nd_standard).fold(f64::NAN, f64::max);
    let vs_nd = if nd_best.is_nan() { "-".to_string() } else { format!("{:.1}x", row.mv / nd_best) };
    let ms = 2.0 * row.bytes as f64 / row.mv / 1e6;
    let reference =
        row.reference.map_or(String::new(), |(name, v)| format!("  ({name}: {v:.2} GB/s, {:.1}x)", row.mv / v))
            + &format!("  [mv {ms:.1} ms]");
    println!(
        "| {:<40} | {:>2} | {:>7.2} | {:>7} | {:>7} | {:>7.2} | {:>5.2} | {:>6} |{}",
        row.name,
        row.threads,
        row.mv,
        fmt(row.nd_assign),
        fmt(row.nd_standard),
        row.memcpy,
        row.mv / row.memcpy,
        vs_nd,
        reference
    );
}

fn main() {
    let quick = std::env::args().any(|a| a == "quick");
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| a != "quick").collect();
    let wanted = |case: &Case| filters.is_empty() || filters.iter().any(|f| case.name.contains(f.as_str()));
    let rounds = if quick { 3 } else { 7 };
    let big = if quick { 1024 } else { 4096 };
    println!(
        "memoryview {}, simd {}, rayon threads available {}; GB/s = 2 x output bytes / time (median of {rounds} interleaved runs)\n",
        env!("CARGO_PKG_VERSION"),
        cfg!(feature = "simd"),
        rayon::current_num_threads()
    );
    println!("| {:<40} | th | mv GB/s | nd asgn | nd std  | memcpy  | mv/mc | mv/nd  |", "case");
    println!("|{:-<42}|----|---------|---------|---------|---------|-------|--------|", "");
    let mut flush = Flush::new();
    type Make = Box<dyn Fn() -> Case>;
    let mut one: Vec<Make> = vec![
        Box::new(|| cases::contiguous(1)),
        Box::new(|| cases::contiguous(32)),
        Box::new(move || cases::transpose_2d::<f32>("f32", 256, 256, |i| i as f32)),
        Box::new(move || cases::transpose_2d::<f32>("f32", 1024, 1024, |i| i as f32)),
        Box::new(move || cases::transpose_2d::<f32>("f32", big, big, |i| i as f32)),
        Box::new(move || cases::transpose_2d::<f64>("f64", big, big, |i| i as f64)),
        Box::new(move || cases::transpose_2d::<u16>("u16", big, big, |i| i as u16)),
        Box::new(move || cases::transpose_2d::<u8>("u8", big, big, |i| i as u8)),
        Box::new(move || cases::gather_2d(big)),
        Box::new(|| cases::gather_step7(64)),
        Box::new(|| cases::gather_step7_huge_pages(64)),
        Box::new(|| cases::gather_step7_fresh(64)),
        Box::new(move || cases::pil_rows(big)),
        Box::new(|| cases::suboffsets_last(1024)),
        Box::new(|| cases::tiny(20000, cases::Tiny::Reused)),
        Box::new(|| cases::tiny(20000, cases::Tiny::Made)),
        Box::new(|| cases::tiny(20000, cases::Tiny::MadeVsDynamicNdarray)),
        Box::new(|| cases::tiny(20000, cases::Tiny::FixedMade)),
        Box::new(|| cases::fresh_to_vec(64)),
    ];
    if !quick {
        one.insert(2, Box::new(|| cases::contiguous(256)));
        one.insert(7, Box::new(|| cases::transpose_2d::<f32>("f32", 3000, 5000, |i| i as f32)));
        one.insert(8, Box::new(|| cases::transpose_2d::<f64>("f64", 3000, 5000, |i| i as f64)));
        for perm in [[0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]] {
            one.push(Box::new(move || cases::permute_3d(256, perm)));
        }
        // Issue 13's layouts nobody tuned for, with a naive loop as the
        // reference column: other itemsizes, odd shapes, very large
        // squares.
        let untuned: Vec<Make> = vec![
            Box::new(|| cases::records_2d::<16>("complex128", 2048, 2048, false)),
            Box::new(|| cases::records_2d::<16>("16 B", 3000, 5000, false)),
            Box::new(|| cases::records_2d::<3>("RGB", 4096, 4096, true)),
            Box::new(|| cases::records_2d::<3>("RGB", 3000, 5000, false)),
            Box::new(|| cases::records_2d::<6>("RGB16", 3000, 5000, false)),
            Box::new(|| cases::records_2d::<12>("xyz f32", 3000, 5000, false)),
            Box::new(|| cases::transpose_2d_naive::<u16>("u16", 3001, 4999, |i| i as u16)),
            Box::new(|| cases::transpose_2d_naive::<f32>("f32", 3001, 4999, |i| i as f32)),
            Box::new(|| cases::transpose_2d_naive::<f32>("f32", 8192, 8192, |i| i as f32)),
        ];
        one.extend(untuned);
    }
    // Issue 13's rows: tall-skinny transposes, and a source both strided
    // and permuted (a smaller one in the quick table).
    let long = if quick { 200_000 } else { 1_000_000 };
    one.push(Box::new(move || cases::transpose_2d::<f32>("f32", long, 17, |i| i as f32)));
    one.push(Box::new(move || cases::transpose_2d::<f32>("f32", 17, long, |i| i as f32)));
    // Image planes to packed pixels and back (CHW <-> HWC), bytes.
    let pixels = big * big;
    one.push(Box::new(move || cases::transpose_2d::<u8>("u8 RGB planes", 3, pixels, |i| i as u8)));
    one.push(Box::new(move || cases::transpose_2d::<u8>("u8 RGB pixels", pixels, 3, |i| i as u8)));
    let n0 = if quick { 16 } else { 64 };
    one.push(Box::new(move || cases::strided_permuted(n0, 512, 3000, 1)));
    one.push(Box::new(move || cases::strided_permuted(n0, 512, 3000, -2)));
    // With `--features ndarray`: the bridge's assign_fast against
    // ndarray's assign, on ndarray arrays (filter: assign_fast).
    #[cfg(feature = "ndarray")]
    {
        use cases::Source2;
        one.push(Box::new(move || cases::assign_fast_2d::<f32>("f32", big, Source2::Transposed, |i| i as f32)));
        one.push(Box::new(move || cases::assign_fast_2d::<f64>("f64", big, Source2::Transposed, |i| i as f64)));
        one.push(Box::new(move || cases::assign_fast_2d::<u8>("u8", big, Source2::Transposed, |i| i as u8)));
        one.push(Box::new(move || cases::assign_fast_2d::<f32>("f32", big, Source2::Strided, |i| i as f32)));
        for perm in [[0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]] {
            one.push(Box::new(move || cases::assign_fast_permute_3d(if quick { 128 } else { 256 }, perm)));
        }
    }
    for make in &one {
        let case = make();
        if wanted(&case) {
            print(&measure(case, 1, rounds, &mut flush));
        }
    }
    if rayon::current_num_threads() > 1 {
        let two: Vec<Make> = vec![
            Box::new(move || cases::contiguous(if quick { 32 } else { 256 })),
            Box::new(move || cases::transpose_2d::<f32>("f32", big, big, |i| i as f32)),
            Box::new(move || cases::permute_3d(if quick { 128 } else { 256 }, [2, 1, 0])),
            Box::new(|| cases::fresh_to_vec(64)),
            Box::new(move || cases::transpose_2d::<f32>("f32", long, 17, |i| i as f32)),
            Box::new(move || cases::transpose_2d::<f32>("f32", 17, long, |i| i as f32)),
        ];
        for make in &two {
            let case = make();
            if wanted(&case) {
                print(&measure(case, 2, rounds, &mut flush));
            }
        }
    }
}
