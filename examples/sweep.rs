//! A sweep of random copy problems: each runs through memoryview, ndarray's
//! `assign` and a naive loop in the same process, interleaved, and the
//! distribution of the speed ratios is printed with the worst cases and
//! their layouts.
//!
//! ```text
//! cargo run --release --example sweep                    # 200 problems, a few minutes
//! cargo run --release --example sweep -- --quick         # 60 problems up to 32 MiB
//! cargo run --release --example sweep -- --seed 7 --count 400
//! cargo run --release --example sweep -- --only 17,42    # re-measure problems 17 and 42
//! MEMORYVIEW_SIMD=sse2 cargo run --release --example sweep   # at a lower SIMD tier
//! ```
//!
//! A problem: ndim 1–6, extents 1–5000, an itemsize of 1–64 bytes (half
//! of the problems 1, 2, 4, 8 or 16, the others any size), a source that
//! is a C-ordered array sliced with random steps (1 most often, up to 7,
//! either sign, random starts) and permuted at random, a destination
//! that is C-ordered (35%), F-ordered (15%) or laid out like the source
//! (steps mostly 1), with sources and destinations of 1 KiB to 256 MiB
//! (log-uniform). memoryview copies with `BufferViewMut::assign` between
//! views of the two buffers (format `"Ns"`), ndarray with `assign` between
//! views of `[u8; N]` items made from the same pointers and strides, and
//! the naive loop walks the indices in C order with an odometer, copying
//! each item with `copy_from_slice`. Every result is checked against the
//! naive loop's before anything is timed.
//!
//! Each round runs the three copies and a `memcpy` of the output's bytes
//! back to back (small problems repeat each copy to take at least 0.2 ms
//! per run, after one untimed copy of the same column, so that every
//! column finds the caches as its own copy leaves them); a ratio is the
//! median over the rounds of the ratio within each round. Problems whose buffers hold 16 MiB or more
//! start every run with cold caches (an untimed 64 MiB copy). For
//! outputs of 8 MiB and more it also prints the ratio to the copy's own
//! floor: the 64-byte lines it must read and write (every line holding a
//! byte of an item, on either side), moved at memcpy's rate. A strided
//! source is read whole lines at a time, so a gather of every 16th f32
//! moves about nine memcpys' worth of lines, and 1.0 against the floor is
//! memory speed where 1.0 against memcpy is out of reach. The ten
//! worst problems are measured again with more runs before the summary.
//! memoryview runs in a one-thread rayon pool unless `--threads` says
//! otherwise (ndarray and the naive loop use one thread).

use memoryview::{BufferView, BufferViewMut, Format, Layout};
use std::time::Instant;

/// A tiny deterministic generator (xorshift64).
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        for _ in 0..8 {
            r.next();
        }
        r
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// One side of a problem: a view of a buffer of `bytes` bytes, item 0 at
/// `offset`, byte strides `strides`.
#[derive(Clone, Debug)]
struct Side {
    bytes: usize,
    offset: usize,
    strides: Vec<isize>,
    /// How it was made, for the report.
    how: String,
}

/// One copy problem.
#[derive(Clone, Debug)]
struct Problem {
    id: usize,
    shape: Vec<usize>,
    itemsize: usize,
    src: Side,
    dst: Side,
}

impl Problem {
    fn items(&self) -> usize {
        self.shape.iter().product()
    }
    fn out_bytes(&self) -> usize {
        self.items() * self.itemsize
    }

    /// The bytes of the 64-byte lines the copy must read or write (every
    /// line holding a byte of a source or destination item) over the
    /// bytes a `memcpy` of the output moves (it reads and writes them
    /// once): how many memcpys' worth of memory traffic the copy is at
    /// least. A contiguous copy is 1; a gather of every 16th f32 about 9
    /// (each item a line of its own on the source side).
    fn traffic(&self) -> f64 {
        let lines = |side: &Side| {
            let mut touched = vec![0u64; side.bytes.div_ceil(64).div_ceil(64) + 1];
            let mut index = vec![0usize; self.shape.len()];
            let mut at = side.offset as isize;
            'items: loop {
                let (first, last) = (at as usize / 64, (at as usize + self.itemsize - 1) / 64);
                for line in first..=last {
                    touched[line / 64] |= 1 << (line % 64);
                }
                for k in (0..self.shape.len()).rev() {
                    index[k] += 1;
                    at += side.strides[k];
                    if index[k] < self.shape[k] {
                        continue 'items;
                    }
                    at -= side.strides[k] * self.shape[k] as isize;
                    index[k] = 0;
                }
                break;
            }
            touched.iter().map(|w| w.count_ones() as usize).sum::<usize>() * 64
        };
        (lines(&self.src) + lines(&self.dst)) as f64 / (2 * self.out_bytes()) as f64
    }
}

/// A side made from a C-ordered base array: view axis `k` is base axis
/// `perm[k]`, sliced with `steps[perm[k]]` from `starts`.
fn make_side(rng: &mut Rng, shape: &[usize], itemsize: usize, perm: &[usize], steps: &[isize], what: &str) -> Side {
    let ndim = shape.len();
    // Base extents: enough for the view's items, plus a few spare.
    let mut base = vec![0usize; ndim];
    let mut starts = vec![0usize; ndim];
    for k in 0..ndim {
        let j = perm[k];
        let step = steps[j].unsigned_abs();
        let start = if rng.below(4) == 0 { rng.below(3) as usize } else { 0 };
        let spare = rng.below(step as u64) as usize;
        base[j] = start + (shape[k] - 1) * step + 1 + spare;
        starts[j] = if steps[j] > 0 { start } else { base[j] - 1 - start };
    }
    let mut c = vec![itemsize as isize; ndim];
    for j in (0..ndim.saturating_sub(1)).rev() {
        c[j] = c[j + 1] * base[j + 1] as isize;
    }
    let strides: Vec<isize> = (0..ndim).map(|k| c[perm[k]] * steps[perm[k]]).collect();
    let offset: isize = (0..ndim).map(|j| starts[j] as isize * c[j]).sum();
    let bytes = base.iter().product::<usize>() * itemsize;
    let how = format!("{what} base {base:?}, axes {perm:?}, steps {steps:?}");
    Side { bytes, offset: offset as usize, strides, how }
}

fn shuffled(rng: &mut Rng, n: usize) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        p.swap(i, rng.below(i as u64 + 1) as usize);
    }
    p
}

fn random_steps(rng: &mut Rng, ndim: usize, plain: f64) -> Vec<isize> {
    (0..ndim)
        .map(|_| {
            let magnitude = if rng.unit() < plain { 1 } else { 2 + rng.below(6) as isize };
            if rng.below(4) == 0 { -magnitude } else { magnitude }
        })
        .collect()
}

const KIB: usize = 1 << 10;
const MIB: usize = 1 << 20;

fn generate(seed: u64, id: usize, max_bytes: usize) -> Problem {
    let mut rng = Rng::new(seed ^ (id as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
    loop {
        let ndim = 1 + rng.below(6) as usize;
        let itemsize =
            if rng.below(2) == 0 { [1, 2, 4, 8, 16][rng.below(5) as usize] } else { 1 + rng.below(64) as usize };
        let src_steps = random_steps(&mut rng, ndim, 0.6);
        let step_product: f64 = src_steps.iter().map(|s| s.unsigned_abs() as f64).product();
        // Source bytes log-uniform in 1 KiB .. max_bytes; extents share
        // the logarithm of the item count at random.
        let target = (KIB as f64) * ((max_bytes as f64 / KIB as f64).ln() * rng.unit()).exp();
        let log_items = (target / itemsize as f64 / step_product).max(1.0).ln();
        let weights: Vec<f64> = (0..ndim).map(|_| -(rng.unit().max(1e-9)).ln()).collect();
        let total: f64 = weights.iter().sum();
        let shape: Vec<usize> =
            weights.iter().map(|w| ((log_items * w / total).exp().round() as usize).clamp(1, 5000)).collect();
        let src_perm = shuffled(&mut rng, ndim);
        let src = make_side(&mut rng, &shape, itemsize, &src_perm, &src_steps, "source");
        let kind = rng.below(20);
        let dst = if kind < 7 {
            let identity: Vec<usize> = (0..ndim).collect();
            make_side(&mut rng, &shape, itemsize, &identity, &vec![1; ndim], "C")
        } else if kind < 10 {
            let reversed: Vec<usize> = (0..ndim).rev().collect();
            make_side(&mut rng, &shape, itemsize, &reversed, &vec![1; ndim], "F")
        } else {
            let perm = shuffled(&mut rng, ndim);
            let steps = random_steps(&mut rng, ndim, 0.8);
            make_side(&mut rng, &shape, itemsize, &perm, &steps, "dest")
        };
        let fits = |b: usize| (KIB..=max_bytes).contains(&b);
        if fits(src.bytes) && fits(dst.bytes) {
            return Problem { id, shape, itemsize, src, dst };
        }
    }
}

/// The naive loop: C-order odometer, one `copy_from_slice` per item.
fn naive<const N: usize>(p: &Problem, src: &[u8], dst: &mut [u8]) {
    let ndim = p.shape.len();
    if p.shape.contains(&0) {
        return;
    }
    let mut index = vec![0usize; ndim];
    let (mut s, mut d) = (p.src.offset as isize, p.dst.offset as isize);
    loop {
        let (su, du) = (s as usize, d as usize);
        dst[du..du + N].copy_from_slice(&src[su..su + N]);
        let mut k = ndim;
        loop {
            if k == 0 {
                return;
            }
            k -= 1;
            index[k] += 1;
            if index[k] < p.shape[k] {
                s += p.src.strides[k];
                d += p.dst.strides[k];
                break;
            }
            let back = (p.shape[k] - 1) as isize;
            s -= p.src.strides[k] * back;
            d -= p.dst.strides[k] * back;
            index[k] = 0;
        }
    }
}

/// An ndarray view of one side: from the lowest item with the strides'
/// magnitudes, then the negative axes inverted.
fn nd_parts(side: &Side, shape: &[usize], itemsize: usize) -> (isize, Vec<usize>, Vec<usize>) {
    let low: isize = side.offset as isize
        + shape.iter().zip(&side.strides).map(|(&n, &s)| if s < 0 { (n as isize - 1) * s } else { 0 }).sum::<isize>();
    let strides: Vec<usize> = side.strides.iter().map(|s| s.unsigned_abs() / itemsize).collect();
    let inverted: Vec<usize> = (0..shape.len()).filter(|&k| side.strides[k] < 0).collect();
    (low, strides, inverted)
}

fn nd_assign<const N: usize>(p: &Problem, src: &[u8], dst: &mut [u8], reps: usize) {
    use ndarray::{ArrayView, ArrayViewMut, Axis, IxDyn, ShapeBuilder};
    let (s_low, s_strides, s_inv) = nd_parts(&p.src, &p.shape, N);
    let (d_low, d_strides, d_inv) = nd_parts(&p.dst, &p.shape, N);
    assert!(src.len() >= p.src.bytes && dst.len() >= p.dst.bytes);
    // SAFETY: every item of both views lies inside its buffer (the
    // problem's layouts were made from arrays of those sizes), `[u8; N]`
    // has alignment 1, the strides are non-negative here, and the two
    // buffers are distinct.
    let (a, mut b) = unsafe {
        (
            ArrayView::<[u8; N], _>::from_shape_ptr(
                IxDyn(&p.shape).strides(IxDyn(&s_strides)),
                src.as_ptr().add(s_low as usize).cast(),
            ),
            ArrayViewMut::<[u8; N], _>::from_shape_ptr(
                IxDyn(&p.shape).strides(IxDyn(&d_strides)),
                dst.as_mut_ptr().add(d_low as usize).cast(),
            ),
        )
    };
    let mut a = a;
    for &k in &s_inv {
        a.invert_axis(Axis(k));
    }
    for &k in &d_inv {
        b.invert_axis(Axis(k));
    }
    for _ in 0..reps {
        b.assign(&a);
        std::hint::black_box(&mut b);
    }
}

fn mv_views<'a>(p: &Problem, src: &'a [u8], dst: &'a mut [u8]) -> (BufferView<'a>, BufferViewMut<'a>) {
    let format = Format::parse(&format!("{}s", p.itemsize)).unwrap();
    let sl = Layout::new(&p.shape, &p.src.strides, p.itemsize).unwrap();
    let dl = Layout::new(&p.shape, &p.dst.strides, p.itemsize).unwrap();
    let a = BufferView::new(&src[..p.src.bytes], sl, p.src.offset, format.clone()).unwrap();
    let b = BufferViewMut::new(&mut dst[..p.dst.bytes], dl, p.dst.offset, format).unwrap();
    (a, b)
}

fn mv_assign(p: &Problem, src: &[u8], dst: &mut [u8], reps: usize) {
    let (a, mut b) = mv_views(p, src, dst);
    for _ in 0..reps {
        b.assign(&a).unwrap();
        std::hint::black_box(&mut b);
    }
}

macro_rules! with_n {
    ($itemsize:expr, $run:expr) => {
        match $itemsize {
            1 => {
                const N: usize = 1;
                $run
            }
            2 => {
                const N: usize = 2;
                $run
            }
            3 => {
                const N: usize = 3;
                $run
            }
            4 => {
                const N: usize = 4;
                $run
            }
            5 => {
                const N: usize = 5;
                $run
            }
            6 => {
                const N: usize = 6;
                $run
            }
            7 => {
                const N: usize = 7;
                $run
            }
            8 => {
                const N: usize = 8;
                $run
            }
            9 => {
                const N: usize = 9;
                $run
            }
            10 => {
                const N: usize = 10;
                $run
            }
            11 => {
                const N: usize = 11;
                $run
            }
            12 => {
                const N: usize = 12;
                $run
            }
            13 => {
                const N: usize = 13;
                $run
            }
            14 => {
                const N: usize = 14;
                $run
            }
            15 => {
                const N: usize = 15;
                $run
            }
            16 => {
                const N: usize = 16;
                $run
            }
            17 => {
                const N: usize = 17;
                $run
            }
            18 => {
                const N: usize = 18;
                $run
            }
            19 => {
                const N: usize = 19;
                $run
            }
            20 => {
                const N: usize = 20;
                $run
            }
            21 => {
                const N: usize = 21;
                $run
            }
            22 => {
                const N: usize = 22;
                $run
            }
            23 => {
                const N: usize = 23;
                $run
            }
            24 => {
                const N: usize = 24;
                $run
            }
            25 => {
                const N: usize = 25;
                $run
            }
            26 => {
                const N: usize = 26;
                $run
            }
            27 => {
                const N: usize = 27;
                $run
            }
            28 => {
                const N: usize = 28;
                $run
            }
            29 => {
                const N: usize = 29;
                $run
            }
            30 => {
                const N: usize = 30;
                $run
            }
            31 => {
                const N: usize = 31;
                $run
            }
            32 => {
                const N: usize = 32;
                $run
            }
            33 => {
                const N: usize = 33;
                $run
            }
            34 => {
                const N: usize = 34;
                $run
            }
            35 => {
                const N: usize = 35;
                $run
            }
            36 => {
                const N: usize = 36;
                $run
            }
            37 => {
                const N: usize = 37;
                $run
            }
            38 => {
                const N: usize = 38;
                $run
            }
            39 => {
                const N: usize = 39;
                $run
            }
            40 => {
                const N: usize = 40;
                $run
            }
            41 => {
                const N: usize = 41;
                $run
            }
            42 => {
                const N: usize = 42;
                $run
            }
            43 => {
                const N: usize = 43;
                $run
            }
            44 => {
                const N: usize = 44;
                $run
            }
            45 => {
                const N: usize = 45;
                $run
            }
            46 => {
                const N: usize = 46;
                $run
            }
            47 => {
                const N: usize = 47;
                $run
            }
            48 => {
                const N: usize = 48;
                $run
            }
            49 => {
                const N: usize = 49;
                $run
            }
            50 => {
                const N: usize = 50;
                $run
            }
            51 => {
                const N: usize = 51;
                $run
            }
            52 => {
                const N: usize = 52;
                $run
            }
            53 => {
                const N: usize = 53;
                $run
            }
            54 => {
                const N: usize = 54;
                $run
            }
            55 => {
                const N: usize = 55;
                $run
            }
            56 => {
                const N: usize = 56;
                $run
            }
            57 => {
                const N: usize = 57;
                $run
            }
            58 => {
                const N: usize = 58;
                $run
            }
            59 => {
                const N: usize = 59;
                $run
            }
            60 => {
                const N: usize = 60;
                $run
            }
            61 => {
                const N: usize = 61;
                $run
            }
            62 => {
                const N: usize = 62;
                $run
            }
            63 => {
                const N: usize = 63;
                $run
            }
            64 => {
                const N: usize = 64;
                $run
            }
            _ => unreachable!("itemsize out of 1..=64"),
        }
    };
}

fn naive_reps(p: &Problem, src: &[u8], dst: &mut [u8], reps: usize) {
    for _ in 0..reps {
        with_n!(p.itemsize, naive::<N>(p, src, dst));
        std::hint::black_box(&mut *dst);
    }
}

fn nd_reps(p: &Problem, src: &[u8], dst: &mut [u8], reps: usize) {
    with_n!(p.itemsize, nd_assign::<N>(p, src, dst, reps));
}

/// Buffers shared by all problems.
struct Buffers {
    src: Vec<u8>,
    dst: Vec<u8>,
    copy_from: Vec<u8>,
    copy_to: Vec<u8>,
    flush: (Vec<u8>, Vec<u8>),
}

impl Buffers {
    fn new(max_bytes: usize) -> Buffers {
        // The source's bytes: distinct values, never zero.
        let src: Vec<u8> = (0..max_bytes).map(|k| (k % 251 + 1) as u8 ^ (k >> 12) as u8 | 1).collect();
        Buffers {
            src,
            dst: vec![0; max_bytes],
            copy_from: vec![1; max_bytes],
            copy_to: vec![0; max_bytes],
            flush: (vec![1; 64 * MIB], vec![0; 64 * MIB]),
        }
    }
    fn flush(&mut self) {
        self.flush.1.copy_from_slice(&self.flush.0);
        std::hint::black_box(&mut self.flush.1);
    }
}

/// What one problem measured: memoryview's seconds per copy (median),
/// and its speed over each other's: the median over the rounds of the
/// ratio within each round (the columns of one round run back to back, so
/// the machine's drift cancels).
#[derive(Clone, Debug)]
struct Measured {
    mv: f64,
    vs_nd: f64,
    vs_naive: f64,
    vs_memcpy: f64,
}

impl Measured {
    /// memoryview's speed over ndarray's (above 1: memoryview faster).
    fn vs_nd(&self) -> f64 {
        self.vs_nd
    }
    fn vs_naive(&self) -> f64 {
        self.vs_naive
    }
    fn vs_memcpy(&self) -> f64 {
        self.vs_memcpy
    }
    fn worst(&self) -> f64 {
        self.vs_nd().min(self.vs_naive())
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Checks the three copies against each other, then times them.
fn measure(p: &Problem, bufs: &mut Buffers, rounds: usize, pool: &rayon::ThreadPool) -> Measured {
    // Every column runs on the pool's thread (memoryview sizes its splits
    // by the pool it runs in).
    pool.install(|| measure_here(p, bufs, rounds))
}

fn measure_here(p: &Problem, bufs: &mut Buffers, rounds: usize) -> Measured {
    let (sb, db, out) = (p.src.bytes, p.dst.bytes, p.out_bytes());
    // Check: the naive loop's bytes, then memoryview's and ndarray's.
    bufs.dst[..db].fill(0);
    naive_reps(p, &bufs.src, &mut bufs.dst, 1);
    let expected = bufs.dst[..db].to_vec();
    bufs.dst[..db].fill(0);
    mv_assign(p, &bufs.src, &mut bufs.dst, 1);
    assert!(bufs.dst[..db] == expected[..], "problem {}: memoryview differs from the naive loop: {p:?}", p.id);
    bufs.dst[..db].fill(0);
    nd_reps(p, &bufs.src, &mut bufs.dst, 1);
    assert!(bufs.dst[..db] == expected[..], "problem {}: ndarray differs from the naive loop: {p:?}", p.id);
    drop(expected);
    let cold = sb + db >= 16 * MIB;
    // Repeats per run: at least 0.2 ms per timed run.
    let reps = if cold {
        1
    } else {
        let t = Instant::now();
        mv_assign(p, &bufs.src, &mut bufs.dst, 1);
        naive_reps(p, &bufs.src, &mut bufs.dst, 1);
        let once = t.elapsed().as_secs_f64() / 2.0;
        ((2e-4 / once.max(1e-9)).ceil() as usize).clamp(1, 100_000)
    };
    let mut times: [Vec<f64>; 4] = Default::default();
    for round in 0..=rounds {
        let mut t = [0.0; 4];
        for (k, slot) in t.iter_mut().enumerate() {
            let run = |bufs: &mut Buffers, reps: usize| {
                let (src, dst) = (&bufs.src, &mut bufs.dst);
                let (from, to) = (&bufs.copy_from, &mut bufs.copy_to);
                let start = Instant::now();
                match k {
                    0 => mv_assign(p, src, dst, reps),
                    1 => nd_reps(p, src, dst, reps),
                    2 => naive_reps(p, src, dst, reps),
                    _ => {
                        for _ in 0..reps {
                            to[..out].copy_from_slice(&from[..out]);
                            std::hint::black_box(&mut *to);
                        }
                    }
                }
                start.elapsed().as_secs_f64() / reps as f64
            };
            // Cold problems start from cold caches; the others from the
            // caches as this column's own copy leaves them (not as the
            // previous column's left them).
            if cold {
                bufs.flush();
            } else {
                run(bufs, 1);
            }
            *slot = run(bufs, reps);
        }
        // The first round warms up.
        if round > 0 {
            for k in 0..4 {
                times[k].push(t[k]);
            }
        }
    }
    let ratio = |k: usize| median(times[k].iter().zip(&times[0]).map(|(other, mv)| other / mv).collect());
    Measured { mv: median(times[0].clone()), vs_nd: ratio(1), vs_naive: ratio(2), vs_memcpy: ratio(3) }
}

fn quantiles(label: &str, mut v: Vec<f64>) {
    if v.is_empty() {
        println!("| {label:<44} | {:>4} | - |", 0);
        return;
    }
    v.sort_by(f64::total_cmp);
    let q = |f: f64| v[((v.len() - 1) as f64 * f).round() as usize];
    println!(
        "| {label:<44} | {:>4} | {:>5.2} | {:>5.2} | {:>5.2} | {:>5.2} | {:>5.2} | {:>5.2} | {:>6.2} |",
        v.len(),
        q(0.0),
        q(0.1),
        q(0.25),
        q(0.5),
        q(0.75),
        q(0.9),
        q(1.0)
    );
}

fn describe(p: &Problem) -> String {
    format!(
        "#{} shape {:?} itemsize {} ({} out): src strides {:?} ({}); dst strides {:?} ({})",
        p.id,
        p.shape,
        p.itemsize,
        human(p.out_bytes()),
        p.src.strides,
        p.src.how,
        p.dst.strides,
        p.dst.how
    )
}

fn human(bytes: usize) -> String {
    if bytes >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB as f64)
    } else {
        format!("{:.1} KiB", bytes as f64 / KIB as f64)
    }
}

struct Args {
    seed: u64,
    count: usize,
    max_bytes: usize,
    rounds: usize,
    threads: usize,
    only: Vec<usize>,
    verbose: bool,
    worst: usize,
}

fn parse_args() -> Args {
    let mut args = Args {
        seed: 1,
        count: 200,
        max_bytes: 256 * MIB,
        rounds: 5,
        threads: 1,
        only: Vec::new(),
        verbose: false,
        worst: 10,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--quick" => {
                args.count = 60;
                args.max_bytes = 32 * MIB;
                args.rounds = 3;
            }
            "--seed" => args.seed = value().parse().expect("--seed N"),
            "--count" => args.count = value().parse().expect("--count N"),
            "--max-mib" => args.max_bytes = value().parse::<usize>().expect("--max-mib N") * MIB,
            "--rounds" => args.rounds = value().parse().expect("--rounds N"),
            "--threads" => args.threads = value().parse().expect("--threads N"),
            "--worst" => args.worst = value().parse().expect("--worst N"),
            "--only" => args.only = value().split(',').map(|s| s.trim().parse().expect("--only ID,ID")).collect(),
            "--verbose" | "-v" => args.verbose = true,
            other => panic!(
                "unknown argument {other} (--quick, --seed N, --count N, --max-mib N, --rounds N, --threads N, --worst N, --only ID,ID, --verbose)"
            ),
        }
    }
    args
}

fn main() {
    let args = parse_args();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(args.threads).build().expect("thread pool");
    let ids: Vec<usize> = if args.only.is_empty() { (0..args.count).collect() } else { args.only.clone() };
    let problems: Vec<Problem> = ids.iter().map(|&id| generate(args.seed, id, args.max_bytes)).collect();
    let largest = problems.iter().map(|p| p.src.bytes.max(p.dst.bytes)).max().unwrap_or(KIB);
    let mut bufs = Buffers::new(largest);
    println!(
        "sweep: seed {}, {} problems, buffers 1 KiB..{}, simd tier {}, memoryview threads {}, {} interleaved rounds\n",
        args.seed,
        problems.len(),
        human(args.max_bytes),
        memoryview::simd_level().name(),
        args.threads,
        args.rounds
    );
    let started = Instant::now();
    let rounds = if args.only.is_empty() { args.rounds } else { args.rounds.max(11) };
    let mut results: Vec<(Problem, Measured)> = Vec::new();
    for p in &problems {
        let m = measure(p, &mut bufs, rounds, &pool);
        if args.verbose || !args.only.is_empty() {
            println!(
                "{:>4}: mv/nd {:>6.2}  mv/naive {:>6.2}  mv/memcpy {:>5.2}  mv {:>9.1} us  {}",
                p.id,
                m.vs_nd(),
                m.vs_naive(),
                m.vs_memcpy(),
                m.mv * 1e6,
                describe(p)
            );
        }
        results.push((p.clone(), m));
    }
    // The worst ones again, with more runs (the first figures of a noisy
    // machine overstate how bad the worst cases are).
    if args.only.is_empty() && args.worst > 0 {
        let mut order: Vec<usize> = (0..results.len()).collect();
        order.sort_by(|&a, &b| results[a].1.worst().total_cmp(&results[b].1.worst()));
        for &k in order.iter().take(args.worst) {
            let p = results[k].0.clone();
            results[k].1 = measure(&p, &mut bufs, args.rounds.max(11), &pool);
        }
    }
    println!("ratios: memoryview's speed over the other's (above 1: memoryview faster)\n");
    println!(
        "| {:<44} | {:>4} | {:>5} | {:>5} | {:>5} | {:>5} | {:>5} | {:>5} | {:>6} |",
        "ratio", "n", "min", "p10", "p25", "p50", "p75", "p90", "max"
    );
    println!("|{:-<46}|------|-------|-------|-------|-------|-------|-------|--------|", "");
    quantiles("memoryview / ndarray assign", results.iter().map(|r| r.1.vs_nd()).collect());
    quantiles("memoryview / naive loop", results.iter().map(|r| r.1.vs_naive()).collect());
    quantiles("memoryview / memcpy, all", results.iter().map(|r| r.1.vs_memcpy()).collect());
    quantiles(
        "memoryview / memcpy, outputs >= 8 MiB",
        results.iter().filter(|r| r.0.out_bytes() >= 8 * MIB).map(|r| r.1.vs_memcpy()).collect(),
    );
    quantiles(
        "ndarray / memcpy, outputs >= 8 MiB",
        results.iter().filter(|r| r.0.out_bytes() >= 8 * MIB).map(|r| r.1.vs_memcpy / r.1.vs_nd).collect(),
    );
    // Against the memory traffic each copy cannot avoid (the lines it must
    // touch, moved at memcpy's rate): 1 is memory speed.
    let large: Vec<(f64, &Measured)> =
        results.iter().filter(|r| r.0.out_bytes() >= 8 * MIB).map(|r| (r.0.traffic(), &r.1)).collect();
    quantiles("memoryview / lines at memcpy speed, >= 8 MiB", large.iter().map(|(t, m)| m.vs_memcpy * t).collect());
    quantiles(
        "ndarray / lines at memcpy speed, >= 8 MiB",
        large.iter().map(|(t, m)| m.vs_memcpy * t / m.vs_nd).collect(),
    );
    quantiles("lines touched / memcpy's, >= 8 MiB", large.iter().map(|(t, _)| *t).collect());
    let mut order: Vec<usize> = (0..results.len()).collect();
    order.sort_by(|&a, &b| results[a].1.worst().total_cmp(&results[b].1.worst()));
    println!("\nworst cases (lowest of the two ratios):");
    for &k in order.iter().take(args.worst.max(1)) {
        let (p, m) = &results[k];
        println!(
            "  mv/nd {:.2}, mv/naive {:.2}, mv/memcpy {:.2} ({:.1} us): {}",
            m.vs_nd(),
            m.vs_naive(),
            m.vs_memcpy(),
            m.mv * 1e6,
            describe(p)
        );
    }
    println!("\n{} problems in {:.0} s", results.len(), started.elapsed().as_secs_f64());
}
