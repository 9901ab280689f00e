#!/usr/bin/env python3
"""NumPy's figures for some of the cases in `examples/compare.rs`, with the
same byte counting (2 x output bytes / time, median of runs) and the same
cold caches (runs of cases of 8 MiB and more start after a copy of 64 MiB
of other memory), beside a memcpy of the output's size (`np.copyto` of
contiguous arrays).

    python3 benches/numpy_baseline.py     # needs: pip install numpy

NumPy is single-threaded for these copies.
"""
import time

import numpy as np


COLD_BYTES = 8 << 20
FLUSH = (np.ones(64 << 20, dtype=np.uint8), np.zeros(64 << 20, dtype=np.uint8))


def median_time(f, cold, rounds=7):
    f()
    times = []
    for _ in range(rounds):
        if cold:
            np.copyto(FLUSH[1], FLUSH[0])
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    times.sort()
    return times[len(times) // 2]


def row(name, out_bytes, f):
    src = np.ones(out_bytes, dtype=np.uint8)
    dst = np.empty_like(src)
    cold = out_bytes >= COLD_BYTES
    t_memcpy = median_time(lambda: np.copyto(dst, src), cold)
    t = median_time(f, cold)
    gbs = 2 * out_bytes / t / 1e9
    print(f"| {name:<40} | {gbs:7.2f} | {2 * out_bytes / t_memcpy / 1e9:7.2f} | {t_memcpy / t:5.2f} |")


def main():
    print(f"numpy {np.__version__}")
    print(f"| {'case':<40} | np GB/s | memcpy  | np/mc |")
    n = (64 << 20) // 4
    a = np.arange(n, dtype=np.float32)
    row("gather f32 a[::7] of 64 MiB", a[::7].nbytes, lambda: a[::7].copy())
    row("fresh copy f32 64 MiB", a.nbytes, lambda: a.copy())
    for dtype, side in [(np.float32, 4096), (np.float64, 4096), (np.uint8, 4096)]:
        m = np.arange(side * side).astype(dtype).reshape(side, side)
        out = np.empty_like(m)
        row(f"transpose {np.dtype(dtype).name} {side}x{side} (ascontig)", m.nbytes, lambda: np.ascontiguousarray(m.T))
        row(f"transpose {np.dtype(dtype).name} {side}x{side} (copyto)", m.nbytes, lambda: np.copyto(out, m.T))
    c = np.arange(256 ** 3, dtype=np.float32).reshape(256, 256, 256)
    for perm in [(0, 2, 1), (2, 1, 0)]:
        row(f"permute f32 256^3 {list(perm)}", c.nbytes, lambda: np.ascontiguousarray(c.transpose(perm)))


if __name__ == "__main__":
    main()
