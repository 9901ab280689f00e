"""ascontiguous and copyto, the crate's copy engine, against np.ascontiguousarray,
np.asfortranarray and np.copyto."""
import itertools
import random

import numpy as np
import pytest

import mview
from conftest import random_array, random_key

DTYPES = ["u1", "<u2", "f4", "f8", "c16", [("a", "<i4"), ("b", "u1")], ">i8"]
SHAPES = [(), (0,), (1,), (17,), (5, 7), (16, 16), (33, 65), (3, 4, 5), (2, 3, 4, 5), (1, 9, 1), (64, 3)]


def layouts(rng, a):
    """Views of `a` in many layouts: itself, every permutation, random slices."""
    yield a
    for axes in itertools.permutations(range(a.ndim)):
        yield a.transpose(axes)
    for _ in range(3):
        key = random_key(rng, a.shape, allow_int=False) if a.ndim else ...  # (a[()] is a scalar)
        yield a[key]


def address(a):
    return a.__array_interface__["data"][0]


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_ascontiguous_against_numpy(dtype):
    rng = random.Random(str(dtype))
    for shape in SHAPES:
        a = random_array(rng, shape, dtype)
        for s in layouts(rng, a):
            for order, oracle in [("C", np.ascontiguousarray), ("F", np.asfortranarray)]:
                v = mview.ascontiguous(s, order)
                # (np.ascontiguousarray makes 0-d arrays 1-d; mview keeps the shape)
                want = oracle(s) if s.ndim else np.array(s, order=order)
                # memoryview reads the copy (NumPy cannot read back some of its own record
                # formats: 'T{i:a:B:b:}' of a 5-byte record)
                m = memoryview(v)
                assert m.shape == want.shape and m.format == memoryview(s).format
                assert m.c_contiguous if order == "C" else m.f_contiguous
                assert m.tobytes("A") == memoryview(want).tobytes("A")
                assert not m.readonly
                if s.size and not a.dtype.names:
                    assert address(np.asarray(v)) != address(s)  # a copy
            # 'A': Fortran if the source is Fortran-contiguous and not C-contiguous
            want = np.array(s, order="A" if (s.flags.f_contiguous and not s.flags.c_contiguous) else "C")
            assert memoryview(mview.ascontiguous(s, "A")).tobytes("A") == memoryview(want).tobytes("A")
    # the default order is C
    a = np.arange(12.0).reshape(3, 4).T
    assert np.asarray(mview.ascontiguous(a)).flags.c_contiguous


def test_ascontiguous_copies_are_aligned_and_independent():
    a = np.arange(1000, dtype="f8").reshape(10, 100)
    v = mview.ascontiguous(a.T)
    n = np.asarray(v)
    assert address(n) % 64 == 0
    n[0, 0] = -5
    assert a[0, 0] == 0
    assert np.asarray(v)[0, 0] == -5  # the View owns the copy, NumPy reads it in place
    assert not v.readonly
    # the copy of read-only memory is writable, as NumPy's
    assert not mview.ascontiguous(b"abc").readonly
    # View.copy is the method form
    np.testing.assert_array_equal(np.asarray(mview.view(a).T.copy("F")), np.asfortranarray(a.T))


def test_ascontiguous_of_other_sources():
    import _testbuffer as tb

    pil = tb.ndarray(list(range(24)), shape=[2, 3, 4], format="i", flags=tb.ND_PIL)
    got = np.asarray(mview.ascontiguous(pil[::-1, 1:]))
    np.testing.assert_array_equal(got, np.array(pil[::-1, 1:].tolist(), dtype="i4"))
    assert np.asarray(mview.ascontiguous(b"hello")).tobytes() == b"hello"
    assert np.asarray(mview.ascontiguous(memoryview(bytes(range(12))).cast("i", (3,)))).tolist() == \
        np.frombuffer(bytes(range(12)), dtype="i4").tolist()
    with pytest.raises(ValueError):
        mview.ascontiguous(b"abc", "K")


def mview_copyto(dst, src):
    """mview.copyto(dst, src), or the check that it refuses formats that differ.

    NumPy writes one record dtype as 'T{=i:a:B:b:}' or 'T{i:a:B:b:}' depending on the
    address; copyto, as memoryview's slice assignment, compares format texts."""
    if memoryview(dst).format != memoryview(src).format:
        with pytest.raises(ValueError):
            mview.copyto(dst, src)
        return False
    mview.copyto(dst, src)
    return True


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_copyto_against_numpy(dtype):
    rng = random.Random("copyto" + str(dtype))
    for shape in SHAPES:
        a = random_array(rng, shape, dtype)
        for s in layouts(rng, a):
            for dst_order in "CF":
                dst = np.zeros(s.shape, dtype=a.dtype, order=dst_order)
                ref = dst.copy(order="K")
                if not mview_copyto(dst, s):
                    continue
                np.copyto(ref, s)
                assert dst.tobytes() == ref.tobytes() or a.dtype.names  # (NumPy leaves record padding)
                assert dst.tolist() == ref.tolist()
            # into a strided destination
            if s.ndim:
                big = np.zeros(tuple(2 * n + 1 for n in s.shape), dtype=a.dtype)
                key = tuple(slice(-2, None, -2) for _ in s.shape)  # n items of 2n + 1, backwards
                ref = big.copy()
                if not mview_copyto(big[key], s):
                    continue
                np.copyto(ref[key], s)
                assert big.tolist() == ref.tolist()


def test_copyto_broadcasting():
    rng = random.Random(9)
    cases = [((4, 5), (5,)), ((4, 5), (1, 5)), ((4, 5), (4, 1)), ((4, 5), ()), ((2, 3, 4), (3, 1)),
             ((2, 3, 4), (1, 1, 4)), ((3, 0), (1,)), ((6,), (1,))]
    for dst_shape, src_shape in cases:
        src = random_array(rng, src_shape, "f8")
        dst = np.zeros(dst_shape)
        ref = np.zeros(dst_shape)
        mview.copyto(dst, src)
        np.copyto(ref, src)
        np.testing.assert_array_equal(dst, ref)
    for dst_shape, src_shape in [((4, 5), (4,)), ((4, 5), (2, 5)), ((3,), (2, 3)), ((3, 1), (3, 2))]:
        with pytest.raises(ValueError):
            np.copyto(np.zeros(dst_shape), np.zeros(src_shape))
        with pytest.raises(ValueError):
            mview.copyto(np.zeros(dst_shape), np.zeros(src_shape))


def test_copyto_overlapping_memory():
    rng = random.Random(11)
    for n in [1, 2, 7, 16, 33, 100]:
        for dtype in ["u1", "f4", "c16"]:
            a = random_array(rng, (n, n), dtype)
            ref = a.copy()
            mview.copyto(a, a.T)
            np.copyto(ref, ref.T)  # NumPy copies overlapping memory as through a temporary
            np.testing.assert_array_equal(a, ref)
            b = random_array(rng, (3 * n,), dtype)
            ref = b.copy()
            mview.copyto(b[1:], b[:-1])
            np.copyto(ref[1:], ref[:-1])
            np.testing.assert_array_equal(b, ref)
            mview.copyto(b[: n], b[::-3][: n])
            np.copyto(ref[: n], ref[::-3][: n])
            np.testing.assert_array_equal(b, ref)
    # a destination that is a View of the same memory
    a = np.arange(16.0).reshape(4, 4)
    ref = a.copy()
    mview.copyto(mview.view(a)[::-1], a)
    np.copyto(ref[::-1], ref)
    np.testing.assert_array_equal(a, ref)


def test_copyto_refusals():
    dst = np.zeros(4, dtype="i4")
    with pytest.raises(ValueError):
        mview.copyto(dst, np.zeros(4, dtype="u4"))  # formats differ: cast first
    with pytest.raises(ValueError):
        mview.copyto(dst, np.zeros(4, dtype=">i4"))
    with pytest.raises(BufferError):
        mview.copyto(b"abcd", b"efgh")  # read-only destination
    with pytest.raises(BufferError):
        mview.copyto(mview.view(b"abcd"), b"efgh")
    with pytest.raises(TypeError):
        mview.copyto(dst, [1, 2, 3, 4])
    with pytest.raises(TypeError):
        mview.copyto([0, 0], dst)
    assert not dst.any()
    # a bytearray takes bytes, through the same formats ('B')
    b = bytearray(3)
    mview.copyto(b, b"xyz")
    assert b == b"xyz"
