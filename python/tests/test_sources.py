"""mview.view(obj) over every kind of exporter, checked against CPython's memoryview of
the same object (description, tolist, tobytes) and NumPy."""
import array
import struct

import _testbuffer as tb
import numpy as np
import pytest

import mview
from conftest import assert_describes, assert_same_items, expected_list

ORDERS = ["C", "F", "A"]


def check_against_memoryview(obj, array=None):
    v = mview.view(obj)
    mv = memoryview(obj)
    assert_describes(v, mv)
    assert_same_items(v.tolist(), expected_list(mv, array))
    for order in ORDERS:
        assert v.tobytes(order) == mv.tobytes(order), order
    assert v.tobytes() == mv.tobytes()
    if mv.ndim:
        assert len(v) == len(mv)
    return v


def test_bytes_and_bytearray():
    v = check_against_memoryview(b"\x00\x01hello\xff")
    assert v.readonly
    v = check_against_memoryview(bytearray(b"abc\x00"))
    assert not v.readonly
    check_against_memoryview(b"")


@pytest.mark.parametrize("typecode", list("bBhHiIlLqQfd"))
def test_array_array(typecode):
    values = [0, 1, 2, 3, 4, 5, 6, 7] if typecode not in "fd" else [0.5, -1.25, 3.0, float("inf"), -0.0]
    a = array.array(typecode, values)
    check_against_memoryview(a)


def test_array_array_unicode():
    # memoryview cannot list 'w' (UCS4) items: each is one character.
    a = array.array("u", "héllo")
    v = mview.view(a)
    assert_describes(v, memoryview(a))
    assert v.tolist() == list("héllo")
    assert v.tobytes() == a.tobytes()


@pytest.mark.parametrize(
    "make",
    [
        lambda: memoryview(bytes(range(24))),
        lambda: memoryview(bytes(range(24)))[3:21:2],
        lambda: memoryview(bytes(range(24)))[::-3],
        lambda: memoryview(bytearray(range(24))).cast("i", (2, 3)),
        lambda: memoryview(bytearray(range(24))).cast("h", (3, 2, 2)),
        lambda: memoryview(bytearray(range(24))).cast("d")[::-1],
        lambda: memoryview(bytes(range(48))).cast("i", (3, 4))[::-1],
        lambda: memoryview(bytes(range(48))).cast("Q", (2, 3)).toreadonly(),
        lambda: memoryview(array.array("d", range(12))).cast("B").cast("d", (3, 4))[1:],
    ],
)
def test_memoryview_slices_and_casts(make):
    check_against_memoryview(make())


NUMPY_CASES = {
    "C": lambda: np.arange(24, dtype=np.int32).reshape(2, 3, 4),
    "F": lambda: np.asfortranarray(np.arange(24, dtype=np.float64).reshape(2, 3, 4)),
    "steps": lambda: np.arange(120, dtype=np.int16).reshape(6, 20)[1::2, 3:17:3],
    "negative": lambda: np.arange(60, dtype=np.float32).reshape(5, 12)[::-1, ::-4],
    "transposed": lambda: np.arange(60, dtype=np.uint64).reshape(3, 4, 5).transpose(2, 0, 1),
    "big-endian": lambda: np.arange(10, dtype=">f8").reshape(2, 5),
    "big-endian i4": lambda: np.arange(-5, 5, dtype=">i4")[::-2],
    "0-d": lambda: np.array(3.25),
    "0-d int": lambda: np.array(-7, dtype=np.int8),
    "empty": lambda: np.zeros((0, 3), dtype=np.float32),
    "empty middle": lambda: np.zeros((2, 0, 3), dtype=np.int64),
    "read-only": lambda: np.frombuffer(bytes(range(32)), dtype=np.uint16).reshape(4, 4)[:, ::-1],
    "complex128": lambda: (np.arange(6) - 2j * np.arange(6)).reshape(2, 3),
    "complex64": lambda: (np.arange(6) + 1j).astype(np.complex64)[::-1],
    "bool": lambda: (np.arange(12) % 3 == 0).reshape(3, 4).T,
    "float16": lambda: (np.arange(12, dtype=np.float16) / 4).reshape(3, 4)[:, 1::2],
    "broadcast": lambda: np.broadcast_to(np.arange(3, dtype=np.int32), (4, 3)),
    "unaligned": lambda: np.frombuffer(bytes(range(33)), dtype=np.uint8)[1:].view(np.int32),
}


@pytest.mark.parametrize("name", sorted(NUMPY_CASES))
def test_numpy_arrays(name):
    a = NUMPY_CASES[name]()
    v = check_against_memoryview(a, a)
    for order in ORDERS:
        assert v.tobytes(order) == a.tobytes(order)
    assert_same_items(v.tolist(), a.tolist())


@pytest.mark.parametrize(
    "dtype",
    [
        [("a", "<i4"), ("b", "<f8")],
        np.dtype([("x", "u1"), ("y", "<u2"), ("z", "S3")], align=True),
        [("p", "<i2", (2,)), ("q", "?")],
        [("s", "S4"), ("r", ">f4")],
    ],
    ids=["packed", "aligned", "subarray", "bytes-bigendian"],
)
def test_numpy_structured(dtype):
    a = np.zeros(6, dtype=dtype)
    for i, name in enumerate(a.dtype.names):
        if a.dtype[name].kind == "S":
            a[name] = [b"ab", b"cd", b"", b"xyz", b"q", b"r"][: len(a)]
        elif a.dtype[name].kind == "b":
            a[name] = [True, False] * 3
        else:
            a[name] = np.arange(6).reshape((6,) + (1,) * len(a.dtype[name].shape)) * (i + 2)
    a = a.reshape(2, 3)[:, ::-1]
    v = mview.view(a)
    mv = memoryview(a)
    assert_describes(v, mv)
    got = v.tolist()
    # NumPy's tolist gives tuples of fields; sub-arrays come as tuples in struct's
    # unpacking ('2h' -> two values) and as NumPy arrays in tolist: compare flattened.
    want = [[tuple(np.asarray(f).tolist() if isinstance(f, np.ndarray) else f for f in rec) for rec in row] for row in a.tolist()]

    def flat(rec):
        # struct keeps the NUL padding of 's' fields (as memoryview does), NumPy strips it
        out = []
        for f in rec:
            out.extend(flat(f) if isinstance(f, (tuple, list)) else [f.rstrip(b"\0") if isinstance(f, bytes) else f])
        return out

    assert [[flat(r) for r in row] for row in got] == [[flat(r) for r in row] for row in want]
    # memoryview, not NumPy, is the oracle for the bytes: NumPy copies records field by
    # field and leaves the padding of an aligned dtype uninitialized.
    for order in ORDERS:
        assert v.tobytes(order) == mv.tobytes(order)


TB_FLAGS = {
    "readonly": 0,
    "writable": tb.ND_WRITABLE,
    "fortran": tb.ND_FORTRAN,
    "fortran-writable": tb.ND_FORTRAN | tb.ND_WRITABLE,
    "pil": tb.ND_PIL,
    "pil-writable": tb.ND_PIL | tb.ND_WRITABLE,
}


@pytest.mark.parametrize("flags", sorted(TB_FLAGS))
@pytest.mark.parametrize(
    "shape,fmt", [([12], "i"), ([3, 4], "h"), ([2, 3, 2], "d"), ([4, 3], "B"), ([1, 5, 1], "q"), ([3, 2], "<Q")]
)
def test_testbuffer_ndarray(flags, shape, fmt):
    n = int(np.prod(shape))
    items = [float(i) / 2 for i in range(n)] if fmt == "d" else list(range(n))
    nd = tb.ndarray(items, shape=shape, format=fmt, flags=TB_FLAGS[flags])
    v = check_against_memoryview(nd)
    assert v.readonly == (not TB_FLAGS[flags] & tb.ND_WRITABLE)
    if TB_FLAGS[flags] & tb.ND_PIL and n:
        assert v.suboffsets  # indirect: the rows are reached through pointers
    assert v.tolist() == nd.tolist()


def test_testbuffer_pil_slices():
    nd = tb.ndarray(list(range(48)), shape=[6, 8], format="i", flags=tb.ND_PIL | tb.ND_WRITABLE)
    for key in [(slice(None, None, -2), slice(1, None, 3)), (slice(1, 5), slice(None, None, -1))]:
        s = nd[key]
        v = check_against_memoryview(s)
        assert v.suboffsets == s.suboffsets
        # and the same selection made by mview on the whole PIL array
        w = mview.view(nd)[key]
        assert_describes(w, memoryview(s))
        assert w.tolist() == s.tolist()


def test_testbuffer_scalar_and_redirect():
    scalar = tb.ndarray(7, shape=[], format="i", flags=tb.ND_SCALAR)
    v = check_against_memoryview(scalar)
    assert v.shape == () and v.tolist() == 7 and v[()] == 7
    base = tb.ndarray(list(range(12)), shape=[3, 4], format="i", flags=tb.ND_WRITABLE)
    redirect = tb.ndarray(base, getbuf=tb.PyBUF_FULL_RO, flags=tb.ND_REDIRECT)
    v = check_against_memoryview(redirect)
    assert v.obj is memoryview(redirect).obj


# The formats CPython 3.11's memoryview.cast takes.
CAST_FORMATS = {"b", "B", "h", "H", "i", "I", "l", "L", "q", "Q", "n", "N", "f", "d", "?", "c"}


@pytest.mark.parametrize(
    "fmt",
    ["b", "B", "h", "H", "i", "I", "l", "L", "q", "Q", "n", "N", "f", "d", "e", "?", "c", "P",
     "3s", "<i", ">h", "!I", "=q", "2i", "xi", "ih", "<hq"],
)
def test_testbuffer_formats(fmt):
    """A _testbuffer exporter of items of `fmt` (packed by struct); struct's unpacking of
    the same bytes is the oracle for tolist."""
    size = struct.calcsize(fmt)
    raw = bytes((i * 37 + 11) % 256 for i in range(size * 6))
    if "?" in fmt:
        raw = bytes(b % 2 for b in raw)
    if fmt in ("e", "f", "d"):
        raw = struct.pack("6" + fmt, *[0.5 * i - 1 for i in range(6)])
    items = [t[0] if len(t) == 1 else t for t in struct.iter_unpack(fmt, raw)]
    raw = b"".join(struct.pack(fmt, *(i if isinstance(i, tuple) else (i,))) for i in items)  # pad bytes zeroed
    nd = tb.ndarray(items, shape=[2, 3], format=fmt)
    assert nd.tobytes() == raw
    v = mview.view(nd)
    assert_describes(v, memoryview(nd))
    assert_same_items(v.tolist(), [items[0:3], items[3:6]])
    assert v.tobytes() == raw
    assert v.tobytes("F") == memoryview(nd).tobytes("F")
    if fmt in CAST_FORMATS:
        # the same bytes cast from 'B', as memoryview.cast does it
        c = mview.view(raw).cast(fmt, (2, 3))
        m = memoryview(raw).cast(fmt, (2, 3))
        assert_describes(c, m)
        assert_same_items(c.tolist(), expected_list(m))
