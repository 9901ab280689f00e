"""A View re-exported through the buffer protocol: every request a consumer can make
(all combinations of the PyBUF_* bits, through _testbuffer) is decided as CPython's
memoryview of the same memory decides it, and what is handed out agrees."""
import array
import itertools
import random
import struct

import _testbuffer as tb
import numpy as np
import pytest

import mview
from conftest import random_array, random_key

BITS = [
    tb.PyBUF_WRITABLE,
    tb.PyBUF_FORMAT,
    tb.PyBUF_ND,
    tb.PyBUF_STRIDES & ~tb.PyBUF_ND,
    tb.PyBUF_C_CONTIGUOUS & ~tb.PyBUF_STRIDES,
    tb.PyBUF_F_CONTIGUOUS & ~tb.PyBUF_STRIDES,
    tb.PyBUF_ANY_CONTIGUOUS & ~tb.PyBUF_STRIDES,
    tb.PyBUF_INDIRECT & ~tb.PyBUF_STRIDES,
]
# Every subset of the request bits (the named requests and composites among them).
ALL_REQUESTS = sorted({sum(c) for r in range(len(BITS) + 1) for c in itertools.combinations(BITS, r)})
NAMED = {n: getattr(tb, n) for n in dir(tb) if n.startswith("PyBUF_") and n not in ("PyBUF_READ", "PyBUF_WRITE")}
assert set(NAMED.values()) <= set(ALL_REQUESTS)
assert len(ALL_REQUESTS) == 256


def consume(exporter, flags):
    """What a C consumer gets for `flags`: ('ok', description) or ('refused', type)."""
    try:
        c = tb.ndarray(exporter, getbuf=flags)
    except (BufferError, TypeError, ValueError) as err:
        return ("refused", type(err))
    desc = (c.shape, c.strides, c.format, c.suboffsets, c.readonly, c.itemsize, c.ndim, c.nbytes,
            c.c_contiguous, c.f_contiguous, c.contiguous)
    # tobytes and tolist read the items through the handed-out description
    data = c.tobytes()
    try:
        listed = c.tolist()
    except (ValueError, NotImplementedError, struct.error):
        listed = None
    return ("ok", desc, data, listed)


def free_strides_masked(answer):
    """The answer with the strides of extent-1 dimensions blanked: any value is right
    there (and everywhere in empty memory), and mview's selections keep the source's where NumPy's slicing picks another."""
    if answer[0] != "ok":
        return answer
    desc = answer[1]
    empty = 0 in desc[0]
    strides = tuple(None if n == 1 or empty else s for n, s in zip(desc[0], desc[1])) if desc[1] else desc[1]
    return ("ok", (desc[0], strides) + desc[2:]) + answer[2:]


def assert_same_decisions(v, oracle, mask_free_strides=False):
    """Every request on `v` (a View) is decided and answered as on `oracle` (a memoryview
    of the same memory)."""
    for flags in ALL_REQUESTS:
        got = consume(v, flags)
        want = consume(oracle, flags)
        if mask_free_strides:
            got, want = free_strides_masked(got), free_strides_masked(want)
        assert got == want, f"request {flags:#x}: {got} != {want}"


def random_layouts(seed, count):
    rng = random.Random(seed)
    for _ in range(count):
        ndim = rng.randrange(0, 4)
        shape = tuple(rng.randrange(1, 5) for _ in range(ndim))
        a = random_array(rng, shape, rng.choice(["u1", "<i2", "f4", "f8", ">i4", "c16", "?"]))
        if rng.random() < 0.3:
            a = np.asfortranarray(a)
        key = random_key(rng, a.shape) if a.ndim else ()
        s = a[key]
        if not isinstance(s, np.ndarray):
            s = a
        if s.ndim > 1 and rng.random() < 0.5:
            axes = list(range(s.ndim))
            rng.shuffle(axes)
            s = s.transpose(axes)
        if rng.random() < 0.2:
            s.flags.writeable = False
        yield a, key, s


@pytest.mark.parametrize("seed", range(4))
def test_every_request_on_random_layouts(seed):
    for a, key, s in random_layouts(seed, 12):
        v = mview.view(s)
        assert_same_decisions(v, memoryview(s))


def test_every_request_on_selections_made_by_mview():
    rng = random.Random(7)
    for _ in range(30):
        a = random_array(rng, (3, 4, 5), rng.choice(["u1", "f8", "<i2"]))
        key = random_key(rng, a.shape)
        if not isinstance(a[key], np.ndarray):
            continue
        axes = list(range(a[key].ndim))
        rng.shuffle(axes)
        v = mview.view(a)[key].transpose(*axes) if axes else mview.view(a)[key]
        s = a[key].transpose(axes)
        assert_same_decisions(v, memoryview(s), mask_free_strides=True)


@pytest.mark.parametrize("flags", [0, tb.ND_WRITABLE])
def test_every_request_on_indirect_sources(flags):
    nd = tb.ndarray(list(range(48)), shape=[4, 3, 4], format="i", flags=tb.ND_PIL | flags)
    for key in [(slice(None),), (slice(None, None, -1), slice(1, None)), (slice(1, 3), slice(None, None, 2), slice(None, None, -3))]:
        s = nd[key]
        v = mview.view(s)
        assert v.suboffsets
        assert_same_decisions(v, memoryview(s))
        # mview's own slicing of the indirect array, described as _testbuffer's
        assert_same_decisions(mview.view(nd)[key], memoryview(s))


def test_every_request_on_special_sources():
    sources = [
        b"",
        b"abcdef",
        bytearray(b"xyz"),
        np.array(1.5),
        np.zeros((0, 4)),
        np.zeros((3, 0), order="F"),
        tb.ndarray(5, shape=[], format="i", flags=tb.ND_SCALAR | tb.ND_WRITABLE),
        tb.ndarray(list(range(12)), shape=[3, 4], format="h", flags=tb.ND_FORTRAN),
        np.zeros(4, dtype=[("a", "<i4"), ("b", "<f8")])[::-1],
        np.broadcast_to(np.arange(4.0), (3, 4)),
    ]
    for s in sources:
        assert_same_decisions(mview.view(s), memoryview(s))


def test_rust_owned_copies_export_like_a_bytearray():
    rng = random.Random(3)
    for _ in range(6):
        a = random_array(rng, (3, 5), rng.choice(["f4", "i8", "u1"]))
        for order in "CF":
            v = mview.ascontiguous(a.T, order)
            ref = np.array(a.T, order=order)  # fresh, writable, same layout
            assert_same_decisions(v, memoryview(ref))
            assert_same_decisions(v[1:, ::-2], memoryview(ref[1:, ::-2]))


def test_consumers_read_in_place():
    a = np.arange(24, dtype=np.int32).reshape(4, 6)
    v = mview.view(a)[::-1, 1::2]
    m = memoryview(v)
    assert m.tolist() == a[::-1, 1::2].tolist()
    n = np.asarray(v)
    n[0, 0] = -1  # writes through to the array
    assert a[3, 1] == -1
    a[0, 5] = 99
    assert n[3, 2] == 99 and m[3, 2] == 99
    assert bytes(v) == a[::-1, 1::2].tobytes()
    del m, n


def test_byte_consumers():
    a = array.array("d", [1.5, -2.0, 3.25, 4.0])
    v = mview.view(a)
    assert bytes(v) == a.tobytes()
    assert struct.unpack_from("<2d", v, 8) == (-2.0, 3.25)
    b = array.array("d")
    b.frombytes(v.cast("B"))  # frombytes takes itemsize-1 buffers only (memoryview too)
    assert b == a
    assert array.array("d", v) == a  # iteration over the items
    assert list(mview.view(b"abc")) == [97, 98, 99]
    assert bytearray(mview.view(np.arange(4, dtype="u1"))[::-1].copy()) == bytearray([3, 2, 1, 0])
    # byte-oriented consumers refuse non-contiguous memory, as with memoryview
    s = mview.view(np.arange(8, dtype="u1"))[::2]
    with pytest.raises(BufferError):
        struct.unpack_from("B", memoryview(np.arange(8, dtype="u1"))[::2])
    with pytest.raises((BufferError, TypeError)):
        struct.unpack_from("B", s)
    assert bytes(s) == bytes([0, 2, 4, 6])  # bytes() copies any layout, as for memoryview


def test_writable_requests_on_readonly():
    for obj in [b"abc", np.frombuffer(b"abcd", dtype="u1")]:
        v = mview.view(obj)
        with pytest.raises(BufferError):
            tb.ndarray(v, getbuf=tb.PyBUF_WRITABLE)
        with pytest.raises(BufferError):
            tb.ndarray(memoryview(obj), getbuf=tb.PyBUF_WRITABLE)
        n = np.asarray(v)
        assert not n.flags.writeable


def test_exports_outlive_the_view():
    b = bytearray(b"hello")
    v = mview.view(b)
    m = memoryview(v[1:4])
    del v
    assert m.tobytes() == b"ell"
    with pytest.raises(BufferError):
        b.extend(b"!")  # still exported through m
    m.release()
    b.extend(b"!")
