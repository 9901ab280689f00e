#!/usr/bin/env python3
"""Generate NumPy printing oracle data: arrays of integers, floats and
bools of many shapes, and what NumPy's ``str(a)`` prints for them.

    python3 tests/cpython/gen_display.py --seed 7 --count 400 --out tests/data/numpy-display.json

Values are stored exactly: integers as JSON numbers, floats as the hex of
their bits (float32 as 8 digits, float64 as 16), bools as JSON booleans,
all in C order. Shapes include 0-d and empty arrays, rows long enough to
wrap at 75 characters, and arrays of more than 1000 items (elided). Float
arrays mix the cases NumPy's float printer distinguishes: integral values,
digits beyond the 8 it shows, magnitudes that switch it to scientific
notation, negative zero, nan and infinities. ``tests/display.rs`` checks
the views' ``Display`` against every entry.
"""
import argparse
import json
import random
import struct

import numpy as np

INT_TYPES = ["int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64"]
FLOAT_TYPES = ["float32", "float64"]
SHAPES = [
    (), (0,), (2, 0), (0, 3, 2), (1,), (5,), (3, 4), (2, 3, 4), (1, 1, 1), (4, 1), (40,), (100,),
    (2, 2, 2, 2), (7, 9), (1001,), (50, 30), (11, 11, 11), (3, 400), (2, 1, 700), (10, 10, 10),
]


def random_int(rng, dtype):
    info = np.iinfo(dtype)
    r = rng.random()
    if r < 0.4:
        lo, hi = max(info.min, -20), min(info.max, 20)
    elif r < 0.7:
        lo, hi = max(info.min, -100000), min(info.max, 100000)
    else:
        lo, hi = int(info.min), int(info.max)
    return rng.randint(lo, hi)


def float_family(rng):
    """A generator of values of one kind, so that arrays are realistic."""
    kind = rng.choice(["integral", "small", "normal", "thirds", "tiny", "huge", "wide", "mixed", "special", "money"])
    def draw():
        if kind == "integral":
            return float(rng.randint(-50, 50))
        if kind == "small":
            return rng.randint(-999, 999) / 100
        if kind == "normal":
            return rng.gauss(0, 1)
        if kind == "thirds":
            return rng.randint(-30, 30) / 3
        if kind == "tiny":
            return rng.choice([1, -1]) * rng.random() * 10 ** rng.randint(-12, -4)
        if kind == "huge":
            return rng.choice([1, -1]) * rng.random() * 10 ** rng.randint(8, 30)
        if kind == "wide":
            return rng.random() * 10 ** rng.randint(-3, 6)
        if kind == "money":
            return rng.randint(0, 10**7) / 100
        if kind == "special":
            return rng.choice([float("nan"), float("inf"), float("-inf"), -0.0, 0.0, 1.5, -2.25, 1e-5, 3e10])
        # mixed: any of the above
        return rng.choice([float(rng.randint(-9, 9)), rng.gauss(0, 100), rng.random() * 1e-6, 1e9 * rng.random()])
    return draw


def bits(value, dtype):
    if dtype == "float32":
        return "%08x" % struct.unpack("<I", struct.pack("<f", value))[0]
    return "%016x" % struct.unpack("<Q", struct.pack("<d", value))[0]


def make_case(rng):
    shape = rng.choice(SHAPES)
    dtype = rng.choice(INT_TYPES + FLOAT_TYPES + FLOAT_TYPES + ["bool"])
    n = int(np.prod(shape)) if shape else 1
    if dtype == "bool":
        p = rng.random()
        values = [rng.random() < p for _ in range(n)]
        array = np.array(values, dtype=bool).reshape(shape)
        stored = values
    elif dtype in INT_TYPES:
        values = [random_int(rng, dtype) for _ in range(n)]
        array = np.array(values, dtype=dtype).reshape(shape)
        stored = values
    else:
        draw = float_family(rng)
        array = np.array([draw() for _ in range(n)], dtype=dtype).reshape(shape)
        stored = [bits(float(v), dtype) for v in array.reshape(-1)]
    return {"dtype": dtype, "shape": list(shape), "values": stored, "str": str(array)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    cases = [make_case(rng) for _ in range(args.count)]
    # Hand-picked cases: ties at the 8th digit, all non-finite, wrapping
    # of long float rows, -0.0 alone, scientific exponents of 3 digits,
    # the limits of positional notation.
    extra = [
        ("float64", [0.001953125, 1.0]), ("float64", [2**-10, 1.0]), ("float64", [0.125, 100.0]),
        ("float64", [float("nan"), float("inf")]), ("float64", [float("-inf"), float("nan")]),
        ("float64", [-0.0]), ("float64", [1e-300, 1e300]), ("float32", [0.1, 0.2, 0.3]),
        ("float64", [0.1 + 0.2, 1 / 3]), ("float64", [1e16]), ("float64", [123456789.0, 1.0]),
        ("float64", [float(i) / 7 for i in range(30)]), ("float32", [1e-5, float("nan"), -1.5e-5]),
        ("float64", [5e-324, 1.0]), ("float32", [16777217.0, 0.5]),
        # NumPy 2.3+ switches f32 arrays to scientific from 1e6 (f64: 1e8).
        ("float32", [-30146986.0]), ("float32", [999999.0, 2.0]), ("float32", [1e6, 2.0]),
        ("float64", [99999999.0, 2.0]), ("float64", [1e8, 2.0]),
    ]
    for dtype, values in extra:
        array = np.array(values, dtype=dtype)
        cases.append({"dtype": dtype, "shape": [len(values)], "values": [bits(float(v), dtype) for v in array],
                      "str": str(array)})
    for value in [1e-5, 1e16, 1e15, 0.1, -0.0, float("nan"), float("-inf"), 1.0, 123.456, 1e22]:
        for dtype in FLOAT_TYPES:
            array = np.array(value, dtype=dtype)
            cases.append({"dtype": dtype, "shape": [], "values": [bits(float(array), dtype)], "str": str(array)})
    with open(args.out, "w") as out:
        # One case per line.
        out.write('{"numpy": %s, "seed": %d, "cases": [\n' % (json.dumps(np.__version__), args.seed))
        out.write(",\n".join(json.dumps(case, separators=(",", ":")) for case in cases))
        out.write("\n]}\n")


if __name__ == "__main__":
    main()
