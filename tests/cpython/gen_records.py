#!/usr/bin/env python3
"""Generate oracle data for the element! macro: C structs declared with
ctypes, their size and field offsets as the C ABI lays them out (ctypes),
and the PEP 3118 format NumPy exports for them (``np.dtype`` of the ctypes
structure, an aligned dtype with its gaps written as ``x``).

    python3 tests/cpython/gen_records.py --out tests/data/records.json

``tests/records.rs`` declares the same structs with ``memoryview::element!``
and checks the size, every offset, and that the macro's format is
equivalent to NumPy's. (ctypes' own ``memoryview(...).format`` leaves out
the padding of structs in CPython 3.11, so it is recorded but not used.)
"""
import argparse
import ctypes as C
import json

import numpy as np


class Point(C.Structure):
    _fields_ = [("x", C.c_double), ("y", C.c_double)]


class Record(C.Structure):
    _fields_ = [("id", C.c_uint32), ("x", C.c_double), ("y", C.c_double)]


class Mixed(C.Structure):
    _fields_ = [("flag", C.c_bool), ("small", C.c_int8), ("half", C.c_uint16), ("count", C.c_int64),
                ("ratio", C.c_float), ("pos", Point), ("name", C.c_uint8 * 5), ("tail", C.c_int16)]


class Nested(C.Structure):
    _fields_ = [("tag", C.c_uint8), ("points", Point * 2), ("record", Record), ("last", C.c_uint32)]


STRUCTS = [Point, Record, Mixed, Nested]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    out = []
    for s in STRUCTS:
        dt = np.dtype(s)
        out.append({
            "name": s.__name__,
            "size": C.sizeof(s),
            "offsets": {name: getattr(s, name).offset for name, _ in s._fields_},
            "numpy_format": memoryview(np.zeros(1, dt)).format,
            "numpy_itemsize": dt.itemsize,
            "ctypes_format": memoryview(s()).format,
        })
    with open(args.out, "w") as f:
        json.dump({"python": "3.11", "numpy": np.__version__, "structs": out}, f, indent=1)
        f.write("\n")
    for s in out:
        print(s)


if __name__ == "__main__":
    main()
