"""Shared oracles for the mview test suite.

Every expectation comes from CPython (memoryview, struct, _testbuffer) or
NumPy, never from mview itself.
"""
import struct

import numpy as np


def nested(flat, shape):
    """`flat` (a list) as nested lists of `shape`, C order (memoryview.tolist's shape)."""
    if not shape:
        return flat[0]
    if len(shape) == 1:
        return list(flat)
    step = len(flat) // shape[0] if shape[0] else 0
    return [nested(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def expected_list(mv, array=None):
    """What tolist() must give for the memory CPython's memoryview `mv` describes:
    memoryview.tolist() where CPython supports the format, else struct's unpacking of
    the items (memoryview.tobytes() walks any layout), else NumPy's tolist of `array`."""
    try:
        return mv.tolist()
    except NotImplementedError:
        pass
    try:
        items = [t[0] if len(t) == 1 else t for t in struct.iter_unpack(mv.format, mv.tobytes())]
        return nested(items, mv.shape)
    except struct.error:
        assert array is not None, f"no oracle for format {mv.format!r}"
        return array.tolist()


def assert_describes(v, mv):
    """`v` (an mview.View) describes the memory exactly as CPython's memoryview `mv` does."""
    assert v.shape == mv.shape
    assert v.strides == mv.strides
    assert v.format == mv.format
    assert v.itemsize == mv.itemsize
    assert v.ndim == mv.ndim
    assert v.nbytes == mv.nbytes
    assert v.readonly == mv.readonly
    assert v.suboffsets == mv.suboffsets
    assert v.c_contiguous == mv.c_contiguous
    assert v.f_contiguous == mv.f_contiguous
    assert v.contiguous == mv.contiguous


def same_items(x, y):
    """Lists equal item by item, NaN equal to NaN (the same bits read twice)."""
    if isinstance(x, list) and isinstance(y, list):
        return len(x) == len(y) and all(same_items(a, b) for a, b in zip(x, y))
    if isinstance(x, tuple) and isinstance(y, tuple):
        return len(x) == len(y) and all(same_items(a, b) for a, b in zip(x, y))
    if isinstance(x, float) and isinstance(y, float) and x != x and y != y:
        return True
    return type(x) is type(y) and x == y


def assert_same_items(x, y):
    assert same_items(x, y), f"{x!r}\n!=\n{y!r}"


def random_key(rng, shape, allow_int=True, allow_ellipsis=True):
    """A random NumPy-style basic index for `shape`: ints, slices with any steps, one `...`."""
    key = []
    dims = list(range(len(shape)))
    for d in dims:
        n = shape[d]
        r = rng.random()
        if allow_int and n > 0 and r < 0.2:
            key.append(rng.randrange(-n, n))
        elif r < 0.3:
            key.append(slice(None))
        else:
            step = rng.choice([1, 1, 2, 3, -1, -2, -3, None, 7, -7])
            bound = lambda: rng.choice([None, rng.randrange(-n - 3, n + 4)])
            key.append(slice(bound(), bound(), step))
    if allow_ellipsis and key and rng.random() < 0.3:
        # Replace a run of full slices (possibly empty) by an ellipsis.
        i = rng.randrange(len(key) + 1)
        j = i
        while j < len(key) and key[j] == slice(None):
            j += 1
        key[i:j] = [Ellipsis]
    if len(key) == 1 and rng.random() < 0.5:
        return key[0]
    return tuple(key)


def random_array(rng, shape, dtype):
    """A NumPy array of `shape`, `dtype` with distinct-ish values."""
    n = int(np.prod(shape, dtype=np.int64))
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return (np.arange(n) % 3 == 0).reshape(shape)
    if dtype.kind == "V":
        a = np.zeros(n, dtype=dtype)
        for name in dtype.names:
            a[name] = np.arange(n) % 100
        return a.reshape(shape)
    if dtype.kind == "c":
        return (np.arange(n) + 1j * np.arange(n)[::-1]).astype(dtype).reshape(shape)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        vals = [rng.randrange(int(info.min), int(info.max) + 1) for _ in range(n)]
        return np.array(vals, dtype=object).astype(dtype).reshape(shape)
    return (np.arange(n) * 1.5 - 3).astype(dtype).reshape(shape)
