#!/usr/bin/env python3
"""Generate oracle data for numeric conversions while copying
(``BufferView::to_vec_as``): packed items of one numeric format, made with
``struct.pack``, and what each target type gets.

    python3 tests/cpython/gen_conversions.py --seed 3 --out tests/data/conversions.json

The expected values come from Python and NumPy, not from the crate:
integers convert when they fit the target's range (Python ints are exact);
floats convert to integers by truncation toward zero (``math.trunc``) when
finite and in range; integers and floats convert to floats by NumPy's
correctly rounded casts (``np.array(v, source).astype(target)``), and a
finite value that becomes infinite does not fit. ``?`` is 0 or 1 (any
nonzero byte is True, as ``struct.unpack`` reads it). Where a value does not
fit, the expected answer is the index of the first such item. Float results
are stored as bit patterns, so NaN and signed zeros compare exactly.
"""
import argparse
import json
import math
import random
import struct

import numpy as np

SOURCES = {
    "b": (np.int8, "int"), "B": (np.uint8, "int"), "h": (np.int16, "int"), "H": (np.uint16, "int"),
    "i": (np.int32, "int"), "I": (np.uint32, "int"), "q": (np.int64, "int"), "Q": (np.uint64, "int"),
    "e": (np.float16, "float"), "f": (np.float32, "float"), "d": (np.float64, "float"), "?": (np.bool_, "bool"),
}
TARGETS = {
    "i8": np.int8, "u8": np.uint8, "i16": np.int16, "u16": np.uint16, "i32": np.int32, "u32": np.uint32,
    "i64": np.int64, "u64": np.uint64, "f32": np.float32, "f64": np.float64,
}


def values(rng, code, n):
    np_type, kind = SOURCES[code]
    if kind == "bool":
        return [rng.choice([0, 1, 2, 255]) for _ in range(n)]
    if kind == "int":
        info = np.iinfo(np_type)
        edges = [info.min, info.max, 0, 1, -1, 127, 128, 255, 256, 32767, 65535, 2**31 - 1, 2**32, 2**53 + 1, 2**63 - 1]
        pool = [v for v in edges if info.min <= v <= info.max]
        return [rng.choice(pool) if rng.random() < 0.5 else rng.randint(int(info.min), int(info.max)) for _ in range(n)]
    finfo = np.finfo(np_type)
    edges = [0.0, -0.0, 1.5, -1.5, 127.9, -128.9, 255.5, 65535.0, 2.0**31, -2.0**31, 2.0**63, 2.0**64, 1e30,
             float(finfo.max), float(finfo.tiny), float("nan"), float("inf"), -float("inf"), 0.1, 3.4e38, 1e300]
    out = []
    for _ in range(n):
        v = rng.choice(edges) if rng.random() < 0.6 else rng.uniform(-1e5, 1e5)
        with np.errstate(over="ignore"):
            out.append(float(np_type(v)))  # representable in the source type
    return out


def convert(v, code, target):
    """The target's value for v, or None if it does not fit."""
    kind = SOURCES[code][1]
    t = TARGETS[target]
    if kind == "bool":
        v = 1 if v else 0
        kind = "int"
    if np.issubdtype(t, np.integer):
        info = np.iinfo(t)
        if kind == "float":
            if math.isnan(v) or math.isinf(v):
                return None
            v = math.trunc(v)
        return int(v) if info.min <= v <= info.max else None
    src = SOURCES[code][0] if SOURCES[code][1] != "bool" else np.uint8
    with np.errstate(over="ignore"):
        r = np.array([v], dtype=src).astype(t)[0]
    if math.isinf(r) and not math.isinf(v) and not math.isnan(v):
        return None  # a finite value does not become infinite
    bits = np.array([r], dtype=t).view(np.uint32 if t == np.float32 else np.uint64)[0]
    return int(bits)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    cases = []
    for code in SOURCES:
        for order in ["<", ">", "="] if code not in "bB?" else ["="]:
            for _ in range(6):
                vals = values(rng, code, rng.randint(1, 8))
                packed = struct.pack(order + code * len(vals), *[bool(v) if code == "?" else v for v in vals])
                if code == "?":
                    # struct.pack writes 0/1; write the other nonzero bytes raw.
                    packed = bytes(vals)
                expect = {}
                for target in TARGETS:
                    out = []
                    for k, v in enumerate(vals):
                        r = convert(v, code, target)
                        if r is None:
                            out = {"error": k}
                            break
                        out.append(r)
                    expect[target] = out
                cases.append({"format": order + code, "bytes": packed.hex(), "expect": expect})
    with open(args.out, "w") as f:
        json.dump({"python": "3.11", "numpy": np.__version__, "seed": args.seed, "cases": cases}, f, indent=0)
        f.write("\n")
    print(len(cases), "cases")


if __name__ == "__main__":
    main()
