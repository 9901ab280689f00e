#!/usr/bin/env python3
"""mview against NumPy in one process: the crate's table cases (transposes of
4096x4096 f32/f64/u8, every permutation of a 256^3 f32 array), small cases, and
the cost of making a view.

    pip install ./python && python3 python/bench.py            # about two minutes
    python3 python/bench.py --quick                            # fewer repeats
    python3 python/bench.py --threads 1                        # mview on one thread

GB/s counts every output byte once read and once written (2 x output bytes / time),
as `examples/compare.rs` and `benches/numpy_baseline.py` do. Each figure is the
median of interleaved repeats (mview, NumPy, mview, ...), so that the machine's drift
hits both alike; runs of cases of 8 MiB and more start with cold caches (a copy of
64 MiB of other memory first). Small cases time a loop of calls per repeat. NumPy
copies on one thread; mview's copy engine uses rayon's pool (all cores unless
--threads or RAYON_NUM_THREADS says otherwise).
"""
import argparse
import os
import statistics
import sys
import time

COLD_BYTES = 8 << 20


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="7 repeats instead of 11, fewer small-case calls")
    parser.add_argument("--threads", type=int, help="size of mview's thread pool (RAYON_NUM_THREADS)")
    parser.add_argument("--filter", default="", help="only cases whose name contains this")
    return parser.parse_args()


ARGS = parse_args()
if ARGS.threads:
    os.environ["RAYON_NUM_THREADS"] = str(ARGS.threads)  # read when the pool starts

import numpy as np  # noqa: E402

import mview  # noqa: E402

REPEATS = 7 if ARGS.quick else 11
FLUSH = (np.ones(64 << 20, dtype=np.uint8), np.zeros(64 << 20, dtype=np.uint8))


def flush():
    np.copyto(FLUSH[1], FLUSH[0])


def interleaved(contenders, cold, calls):
    """Median seconds per call of each contender, repeats interleaved."""
    for f in contenders:  # warm up (page in, pool started)
        f()
    times = [[] for _ in contenders]
    for _ in range(REPEATS):
        for f, t in zip(contenders, times):
            if cold:
                flush()
            start = time.perf_counter()
            for _ in range(calls):
                f()
            t.append((time.perf_counter() - start) / calls)
    return [statistics.median(t) for t in times]


ROWS = []


def case(name, out_bytes, ours, numpy, calls=1):
    if ARGS.filter not in name:
        return
    cold = out_bytes >= COLD_BYTES
    t_ours, t_numpy = interleaved([ours, numpy], cold, calls)
    gbs = lambda t: 2 * out_bytes / t / 1e9
    ROWS.append((name, gbs(t_ours), gbs(t_numpy), t_numpy / t_ours, t_ours, t_numpy))
    print(f"  {name}: {t_numpy / t_ours:.2f}x", file=sys.stderr)


def calls_for(out_bytes):
    """Calls per repeat for small cases: about a millisecond of copying."""
    return 1 if out_bytes >= 1 << 20 else max(10, min(2000, (4 << 20) // max(out_bytes, 1))) // (4 if ARGS.quick else 1)


def large_cases():
    for dtype in ["float32", "float64", "uint8"]:
        a = np.arange(4096 * 4096).astype(dtype).reshape(4096, 4096)
        dst = np.empty_like(a)
        case(f"transpose {dtype} 4096x4096 (ascontiguous)", a.nbytes,
             lambda: np.asarray(mview.ascontiguous(a.T)), lambda: np.ascontiguousarray(a.T))
        case(f"transpose {dtype} 4096x4096 (copyto)", a.nbytes,
             lambda: mview.copyto(dst, a.T), lambda: np.copyto(dst, a.T))
        del a, dst
    c = np.arange(256**3, dtype=np.float32).reshape(256, 256, 256)
    dst = np.empty_like(c)
    for perm in [(0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)]:
        p = c.transpose(perm)
        case(f"permute f32 256^3 {list(perm)} (ascontiguous)", c.nbytes,
             lambda: np.asarray(mview.ascontiguous(p)), lambda: np.ascontiguousarray(p))
        case(f"permute f32 256^3 {list(perm)} (copyto)", c.nbytes,
             lambda: mview.copyto(dst, p), lambda: np.copyto(dst, p))


def small_cases():
    m = np.arange(64 * 64, dtype=np.float32).reshape(64, 64)
    m_dst = np.empty_like(m)
    n = m.nbytes
    case("transpose f32 64x64 (ascontiguous)", n,
         lambda: np.asarray(mview.ascontiguous(m.T)), lambda: np.ascontiguousarray(m.T), calls_for(n))
    case("transpose f32 64x64 (copyto)", n, lambda: mview.copyto(m_dst, m.T), lambda: np.copyto(m_dst, m.T), calls_for(n))
    s = np.arange(512 * 512, dtype=np.float64).reshape(512, 512)
    s_dst = np.empty_like(s)
    n = s.nbytes
    case("transpose f64 512x512 (ascontiguous)", n,
         lambda: np.asarray(mview.ascontiguous(s.T)), lambda: np.ascontiguousarray(s.T), calls_for(n))
    case("transpose f64 512x512 (copyto)", n, lambda: mview.copyto(s_dst, s.T), lambda: np.copyto(s_dst, s.T), calls_for(n))
    v = np.arange(1000, dtype=np.float64)
    v_dst = np.empty_like(v)
    n = v.nbytes
    # np.ascontiguousarray returns a contiguous array itself: copy() is NumPy's fresh copy
    case("1-D f64 1000 (fresh copy)", n, lambda: np.asarray(mview.ascontiguous(v)), lambda: v.copy(), calls_for(n))
    case("1-D f64 1000 reversed (ascontiguous)", n,
         lambda: np.asarray(mview.ascontiguous(v[::-1])), lambda: np.ascontiguousarray(v[::-1]), calls_for(n))
    case("1-D f64 1000 (copyto)", n, lambda: mview.copyto(v_dst, v), lambda: np.copyto(v_dst, v), calls_for(n))
    case("1-D f64 1000 reversed (copyto)", n,
         lambda: mview.copyto(v_dst, v[::-1]), lambda: np.copyto(v_dst, v[::-1]), calls_for(n))
    g = np.arange(8 << 20, dtype=np.float32)
    case("gather f32 a[::7] of 32 MiB (ascontiguous)", g[::7].nbytes,
         lambda: np.asarray(mview.ascontiguous(g[::7])), lambda: np.ascontiguousarray(g[::7]))


def crossover():
    """mview / NumPy on 1-D float64 copies from 10 to 1,000,000 items: where
    the fixed cost of the buffer protocol stops mattering."""
    rows = []
    for n in [10, 100, 1000, 10_000, 100_000, 1_000_000]:
        v = np.arange(n, dtype=np.float64)
        d = np.empty_like(v)
        calls = calls_for(v.nbytes)
        t_copyto, t_np_copyto = interleaved([lambda: mview.copyto(d, v), lambda: np.copyto(d, v)], False, calls)
        t_fresh, t_np_fresh = interleaved([lambda: np.asarray(mview.ascontiguous(v)), lambda: v.copy()], False, calls)
        rows.append((n, t_np_copyto / t_copyto, t_np_fresh / t_fresh))
    return rows


def overhead():
    """ns per call of making a view of a tiny array, against memoryview."""
    tiny = np.zeros(4, dtype=np.float32)
    calls = 20000 // (4 if ARGS.quick else 1)
    t_view, t_memoryview = interleaved([lambda: mview.view(tiny), lambda: memoryview(tiny)], False, calls)
    t_np_view, t_np_memoryview = interleaved([lambda: np.asarray(mview.view(tiny)), lambda: np.asarray(memoryview(tiny))], False, calls)
    return [
        ("mview.view(a) / memoryview(a), 4-item array", t_view, t_memoryview),
        ("np.asarray of each", t_np_view, t_np_memoryview),
    ]


def main():
    print(f"numpy {np.__version__}, {REPEATS} interleaved repeats, mview threads: "
          f"{os.environ.get('RAYON_NUM_THREADS', 'all cores')} ({os.cpu_count()} cores)", file=sys.stderr)
    large_cases()
    small_cases()
    print()
    print("| case | mview GB/s | NumPy GB/s | mview / NumPy |")
    print("| --- | ---: | ---: | ---: |")
    for name, ours, theirs, ratio, *_ in ROWS:
        print(f"| {name} | {ours:.2f} | {theirs:.2f} | {ratio:.2f}x |")
    if not ARGS.filter:
        print()
        print("| float64 items, warm | copyto / np.copyto | np.asarray(ascontiguous) / .copy() |")
        print("| ---: | ---: | ---: |")
        for n, copyto_ratio, fresh_ratio in crossover():
            print(f"| {n:,} | {copyto_ratio:.2f}x | {fresh_ratio:.2f}x |")
        print()
        print("| making a view | mview ns/call | memoryview ns/call |")
        print("| --- | ---: | ---: |")
        for name, ours, theirs in overhead():
            print(f"| {name} | {ours * 1e9:.0f} | {theirs * 1e9:.0f} |")
    slower = [r[0] for r in ROWS if r[3] < 1.0]
    print()
    print("slower than NumPy: " + (", ".join(slower) if slower else "none"))


if __name__ == "__main__":
    main()
