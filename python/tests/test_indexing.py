"""Selections of a View (slicing and indexing in every dimension, `.T`, transpose,
cast) and assignment, against NumPy's indexing of the same array and CPython's
memoryview."""
import array
import random

import numpy as np
import pytest

import mview
from conftest import assert_describes, random_array, random_key

SHAPES = [(7,), (5, 6), (3, 4, 5), (2, 3, 2, 4), (1, 6, 1), (4, 0, 3)]
DTYPES = ["u1", "<i2", "f4", "f8", "c16", ">i4", "?", "f2"]


def check_selection(v, a):
    """`v` (a View) selects exactly the items of the NumPy array `a`, in place."""
    got = np.asarray(v)
    assert got.shape == a.shape
    if a.size > 1:  # strides of extent-1 dimensions are free
        assert [s for s, n in zip(got.strides, a.shape) if n > 1] == [s for s, n in zip(a.strides, a.shape) if n > 1]
    assert got.dtype == a.dtype
    np.testing.assert_array_equal(got, a)
    if a.size:
        # the same memory: the first item is at the same address
        assert got.__array_interface__["data"][0] == a.__array_interface__["data"][0]
    assert v.tolist() == a.tolist()
    assert v.tobytes("C") == a.tobytes("C")
    assert v.tobytes("F") == a.tobytes("F")


@pytest.mark.parametrize("seed", range(12))
def test_random_keys_against_numpy(seed):
    rng = random.Random(seed)
    for shape in SHAPES:
        a = random_array(rng, shape, rng.choice(DTYPES))
        base = a if rng.random() < 0.5 else a.T  # also Fortran-ordered sources
        v = mview.view(base)
        for _ in range(25):
            key = random_key(rng, base.shape)
            want = base[key]
            got = v[key]
            if isinstance(want, np.ndarray):
                check_selection(got, want)
            else:  # every dimension indexed: the item's value
                assert got == want.item(), key
                assert type(got) is type(want.item())


@pytest.mark.parametrize("seed", range(6))
def test_chained_selections_and_transposes(seed):
    rng = random.Random(100 + seed)
    a = random_array(rng, (4, 5, 6), rng.choice(DTYPES))
    v, ref = mview.view(a), a
    for _ in range(8):
        op = rng.choice(["key", "T", "transpose", "transpose-tuple"])
        if op == "key":
            key = random_key(rng, ref.shape, allow_int=ref.ndim > 1)
            if not isinstance(ref[key], np.ndarray):
                continue
            v, ref = v[key], ref[key]
        elif op == "T":
            v, ref = v.T, ref.T
        elif op == "transpose":
            axes = list(range(ref.ndim))
            rng.shuffle(axes)
            v, ref = v.transpose(*axes), ref.transpose(*axes)
        else:
            axes = list(range(ref.ndim))
            rng.shuffle(axes)
            v, ref = v.transpose(tuple(axes)), ref.transpose(tuple(axes))
        check_selection(v, ref)
    assert v.transpose().shape == ref.T.shape


def test_transpose_errors_match_numpy():
    a = np.zeros((2, 3, 4))
    v = mview.view(a)
    for axes in [(0, 1), (0, 0, 1), (0, 1, 3), (0, 1, 2, 3)]:
        with pytest.raises(ValueError):
            a.transpose(axes)
        with pytest.raises((ValueError, IndexError)):
            v.transpose(axes)


def test_index_errors_match_numpy_and_memoryview():
    a = np.arange(12).reshape(3, 4)
    v = mview.view(a)
    for key in [3, -4, (0, 4), (0, -5), (0, 0, 0)]:
        with pytest.raises(IndexError):
            a[key]
        with pytest.raises(IndexError):
            v[key]
    with pytest.raises(IndexError):
        v[..., ...]
    for key in ["a", 1.5, (0, "x"), [0, 1], None]:
        with pytest.raises(TypeError):
            v[key]
    with pytest.raises(ValueError):
        v[::0]
    m = memoryview(bytes(4))
    with pytest.raises(IndexError):
        m[4]
    with pytest.raises(IndexError):
        mview.view(bytes(4))[4]
    # 0-d: only () and ... select
    z = mview.view(np.array(2.5))
    assert z[()] == 2.5
    assert z[...].shape == ()
    # len() of 0-d memory is an error, as NumPy's (CPython 3.11's memoryview says 1)
    with pytest.raises(TypeError):
        len(np.array(2.5))
    with pytest.raises(TypeError):
        len(z)


def test_huge_slice_bounds_clamp_as_python():
    a = np.arange(10)
    v = mview.view(a)
    for key in [slice(-(10**30), 10**30), slice(10**30, None, -1), slice(None, -(10**30), -2)]:
        check_selection(v[key], a[key])


CASTS = [
    (lambda: bytearray(range(24)), [("i", None), ("h", (3, 4)), ("d", (3,)), ("B", (2, 3, 4)), ("c", None), ("Q", (1, 3))]),
    (lambda: array.array("i", range(12)), [("B", None), ("h", (4, 6)), ("f", (2, 6))]),
    (lambda: bytes(range(16)), [("?", None), ("b", (16,)), ("q", (2,))]),
]


@pytest.mark.parametrize("case", range(len(CASTS)))
def test_cast_against_memoryview(case):
    make, casts = CASTS[case]
    obj = make()
    for fmt, shape in casts:
        # memoryview casts via 'B' between non-byte formats
        m = memoryview(obj).cast("B")
        m = m.cast(fmt) if shape is None else m.cast(fmt, shape)
        v = mview.view(obj).cast("B")
        v = v.cast(fmt) if shape is None else v.cast(fmt, shape)
        assert_describes(v, m)
        assert v.tolist() == m.tolist()
        if len(shape or ()) <= 1 and fmt != "c":
            # and back to bytes
            assert v.cast("B").tobytes() == m.cast("B").tobytes()


def test_cast_refusals_match_memoryview():
    obj = bytearray(24)
    refusals = [
        (lambda m: m.cast("i", (5,)), "size"),  # product of shape != bytes
        (lambda m: m[::2].cast("i"), "not contiguous"),
        (lambda m: m.cast("i").cast("h"), "via B"),
        (lambda m: m.cast("?!"), "bad format"),
        (lambda m: m.cast("<i"), "byte order"),
        (lambda m: m.cast("B", (0, 24)), "zero in shape"),
        (lambda m: m.cast("i", (2, 3)).cast("B", (6, 4)), "ND -> ND"),
        (lambda m: m[:5].cast("i"), "length not a multiple"),
        (lambda m: m.cast("B", (1,) * 65), "too many dimensions"),
    ]
    for f, why in refusals:
        with pytest.raises((TypeError, ValueError)) as mv_err:
            f(memoryview(obj))
        with pytest.raises((TypeError, ValueError)) as v_err:
            f(mview.view(obj))
        assert mv_err.type is v_err.type, why


def test_equality_against_memoryview():
    rng = random.Random(5)
    cases = [
        (np.arange(6, dtype="i4"), np.arange(6, dtype="i4")),
        (np.arange(6, dtype="i4"), np.arange(6, dtype="i8")),  # same values, other format
        (np.arange(6, dtype="i4"), np.arange(1, 7, dtype="i4")),
        (np.arange(6, dtype="f8").reshape(2, 3), np.arange(6, dtype="f8").reshape(3, 2)),
        (np.array([np.nan, 1.0]), np.array([np.nan, 1.0])),
        (np.arange(6, dtype="u1"), bytes(range(6))),
        (np.arange(12, dtype="f4").reshape(3, 4)[::-1], np.ascontiguousarray(np.arange(12, dtype="f4").reshape(3, 4)[::-1])),
    ]
    for x, y in cases:
        want = memoryview(x) == memoryview(y)
        assert (mview.view(x) == y) == want
        assert (mview.view(x) == mview.view(y)) == want
        assert (mview.view(x) != memoryview(y)) == (not want)
    v = mview.view(b"ab")
    assert (v == 3) is False
    assert (v != "ab") is True
    with pytest.raises(TypeError):
        v < v
    del rng


def test_len():
    for obj in [bytes(5), np.zeros((3, 4)), np.zeros((0, 2)), memoryview(bytes(12)).cast("i", (1, 3))]:
        assert len(mview.view(obj)) == len(memoryview(obj))


@pytest.mark.parametrize("seed", range(8))
def test_setitem_against_numpy(seed):
    rng = random.Random(200 + seed)
    for shape in [(6,), (4, 5), (3, 4, 2)]:
        dtype = rng.choice(["u1", "<i2", "f4", "f8", "c16", "i8"])
        a = random_array(rng, shape, dtype)
        ref = a.copy()
        v = mview.view(a)
        for _ in range(10):
            key = random_key(rng, shape)
            target = ref[key]
            if isinstance(target, np.ndarray):
                # a source of the target's shape or one that broadcasts to it
                src_shape = list(target.shape)
                if src_shape and rng.random() < 0.5:
                    src_shape = src_shape[rng.randrange(len(src_shape)) :]
                    if src_shape:
                        src_shape[0] = 1 if rng.random() < 0.5 else src_shape[0]
                src = random_array(rng, tuple(src_shape), dtype)
                if src.ndim and rng.random() < 0.5:
                    src = np.ascontiguousarray(src[::-1])[::-1]  # negative strides
                ref[key] = src
                v[key] = src
            else:
                value = random_array(rng, (), dtype).item()
                ref[key] = value
                v[key] = value
            np.testing.assert_array_equal(a, ref)


def test_setitem_single_items_like_memoryview():
    b = bytearray(8)
    m = memoryview(bytearray(8))
    v = mview.view(b)
    for key, value in [(0, 255), (-1, 7), (3, 0)]:
        v[key] = value
        m[key] = value
    assert bytes(b) == bytes(m.obj)
    for value in [256, -1, "a", 1.5, None]:
        with pytest.raises((ValueError, TypeError)) as mv_err:
            m[0] = value
        with pytest.raises((ValueError, TypeError)) as v_err:
            v[0] = value
        assert v_err.type is mv_err.type, value
    d = memoryview(bytearray(16)).cast("d")
    w = mview.view(bytearray(16)).cast("d")
    for value in ["x", None, 1j]:
        with pytest.raises(TypeError):
            d[0] = value
        with pytest.raises(TypeError):
            w[0] = value
    assert bytes(b) == bytes(m.obj)
    f = np.zeros(3)
    mview.view(f)[1] = 2.5
    assert f.tolist() == [0.0, 2.5, 0.0]


def test_setitem_refusals():
    with pytest.raises(TypeError):
        mview.view(b"abc")[0] = 1  # read-only, as memoryview: TypeError
    with pytest.raises(TypeError):
        memoryview(b"abc")[0] = 1
    a = np.zeros((2, 3), dtype="i4")
    v = mview.view(a)
    with pytest.raises(ValueError):
        v[:] = np.zeros((3, 2), dtype="i4")  # shapes do not broadcast
    with pytest.raises(ValueError):
        v[:] = np.zeros((2, 3), dtype="i8")  # formats differ
    with pytest.raises(ValueError):
        np.copyto(a, np.zeros((3, 2), dtype="i4"))
    assert not a.any()


def test_setitem_overlapping_self():
    a = np.arange(16, dtype="f8").reshape(4, 4)
    ref = a.copy()
    v = mview.view(a)
    v[:] = v.T
    ref[:] = ref.T.copy()
    np.testing.assert_array_equal(a, ref)
    v[1:, :] = a[:-1, :]
    ref[1:, :] = ref[:-1, :].copy()
    np.testing.assert_array_equal(a, ref)


def test_ellipsis_selects_a_view_as_in_numpy():
    a = np.arange(12.0).reshape(3, 4)
    v = mview.view(a)
    for key in [(1, 2, ...), (..., 1, 2), (1, ..., 2)]:
        s = v[key]
        assert isinstance(s, mview.View) and s.shape == () == a[key].shape
        assert s.tolist() == a[key].item()
        s[()] = -1.0  # a 0-d view writes its item
        assert a[1, 2] == -1.0
        a[1, 2] = 6.0
    assert v[1, 2] == 6.0 and type(v[1, 2]) is float


def test_setitem_items_memoryview_cannot_pack():
    # complex, byte-swapped and half-precision items, against NumPy's assignment
    for dtype, values in [("c16", [1 + 2j, -3, 2.5, "1-1j"]), ("c8", [0.5j, 4]), (">i4", [7, -123456]),
                          ("<u2", [65535, 0]), (">f8", [1.5, -2]), ("f2", [0.25, 3])]:
        a = np.zeros(3, dtype=dtype)
        ref = a.copy()
        v = mview.view(a)
        for value in values:
            v[1] = value
            ref[1] = complex(value) if isinstance(value, str) else value
            np.testing.assert_array_equal(a, ref)
    with pytest.raises(ValueError):
        mview.view(np.zeros(2, dtype=">i2"))[0] = 1 << 20
    with pytest.raises(TypeError):
        mview.view(np.zeros(2, dtype="c16"))[0] = object()
    with pytest.raises(NotImplementedError):  # records take buffers, not tuples
        mview.view(np.zeros(2, dtype=[("a", "i4"), ("b", "f8")]))[0] = (1, 2.0)


def test_del_is_refused_as_by_memoryview():
    for obj in [bytearray(4), np.zeros((2, 2))]:
        with pytest.raises(TypeError):
            del memoryview(obj)[0]
        with pytest.raises(TypeError):
            del mview.view(obj)[0]
