"""DLPack both ways: a View read by numpy.from_dlpack (zero copy, read-only flag,
copy=True, legacy and versioned capsules, refusals), and objects that only speak
DLPack wrapped by mview.view."""
import random

import numpy as np
import pytest

import mview
from conftest import random_array, random_key


class OnlyDLPack:
    """An object with nothing but the DLPack protocol, over a NumPy array."""

    def __init__(self, array, legacy=False):
        self.array = array
        self.legacy = legacy
        self.calls = []

    def __dlpack__(self, **kwargs):
        self.calls.append(kwargs)
        if self.legacy:
            if kwargs.get("max_version") is not None:
                raise TypeError("this producer takes no max_version")
            return self.array.__dlpack__()
        return self.array.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return self.array.__dlpack_device__()


def address(a):
    return a.__array_interface__["data"][0]


@pytest.mark.parametrize("seed", range(4))
def test_from_dlpack_is_zero_copy(seed):
    rng = random.Random(seed)
    for _ in range(15):
        dtype = rng.choice(["u1", "i2", "<u4", "f4", "f8", "c8", "c16", "?", "f2", "i8"])
        a = random_array(rng, (3, 4, 5), dtype)
        key = random_key(rng, a.shape)
        ref = a[key]
        if not isinstance(ref, np.ndarray):
            continue
        v = mview.view(a)[key]
        n = np.from_dlpack(v)
        assert n.dtype == ref.dtype and n.shape == ref.shape
        np.testing.assert_array_equal(n, ref)
        if ref.size:
            assert address(n) == address(ref)
        if ref.size and dtype != "?":
            # a write through the DLPack array is seen in the source, and back
            idx = tuple(0 for _ in ref.shape)
            n[idx] = 1
            assert a[key][idx] == 1
            a[key][idx] = 0
            assert n[idx] == 0


def test_readonly_and_copy():
    ro = np.arange(6.0)
    ro.flags.writeable = False
    n = np.from_dlpack(mview.view(ro))
    assert not n.flags.writeable
    assert address(n) == address(ro)
    n = np.from_dlpack(mview.view(b"abcd"))
    assert not n.flags.writeable and n.tolist() == [97, 98, 99, 100]
    a = np.arange(12, dtype="f4").reshape(3, 4)
    c = np.from_dlpack(mview.view(a).T, copy=True)
    np.testing.assert_array_equal(c, a.T)
    c[0, 0] = 42
    assert a[0, 0] == 0  # a copy
    assert np.from_dlpack(mview.view(a), copy=False)[1, 1] == 5


def test_versioned_and_legacy_capsules():
    a = np.arange(6, dtype="i4")
    v = mview.view(a)
    legacy = v.__dlpack__()
    assert "dltensor" in repr(legacy) and "versioned" not in repr(legacy)
    versioned = v.__dlpack__(max_version=(1, 0))
    assert "dltensor_versioned" in repr(versioned)
    assert "dltensor" in repr(v.__dlpack__(max_version=(0, 8)))
    assert v.__dlpack_device__() == a.__dlpack_device__() == (1, 0)
    # consumers read both kinds, and an unconsumed capsule frees its request
    b = bytearray(8)
    w = mview.view(b)
    cap = w.__dlpack__(max_version=(1, 0))
    with pytest.raises(BufferError):
        b.extend(b"x")  # exported through the capsule
    del cap
    del w
    b.extend(b"x")
    # read-only memory cannot go into a legacy capsule, which cannot say so
    with pytest.raises(BufferError):
        mview.view(b"abc").__dlpack__()
    with pytest.raises(BufferError):
        v.__dlpack__(stream=1)
    with pytest.raises(BufferError):
        v.__dlpack__(dl_device=(2, 0))
    assert v.__dlpack__(dl_device=(1, 0)) is not None


def test_refusals():
    raw = np.frombuffer(bytes(range(14)), dtype="u1")
    refused = {
        # strides that are not multiples of the itemsize
        "odd stride": mview.view(np.zeros(4, dtype=[("a", "<u2"), ("b", "u1")])["a"]),
        "cast and slice": mview.view(bytearray(16)).cast("H", (2, 4)).cast("B") if False else mview.view(np.zeros((4, 3), "u1")).cast("B")[1:].cast("B"),
        "records": mview.view(np.zeros(3, dtype=[("a", "<i4"), ("b", "<f8")])),
        "byte-swapped": mview.view(np.arange(3, dtype=">f8")),
        "strings": mview.view(np.zeros(3, dtype="S2")),
        "chars": mview.view(bytearray(b"ab")).cast("c"),  # bytes to Python, not numbers
    }
    del refused["cast and slice"]
    odd = mview.view(raw)[1:13].cast("H", (2, 3))  # u2 items at an odd address, contiguous
    np.testing.assert_array_equal(np.from_dlpack(odd), raw[1:13].view("<u2").reshape(2, 3))
    for name, v in refused.items():
        with pytest.raises(BufferError):
            np.from_dlpack(v)
        with pytest.raises(BufferError):
            v.__dlpack__(max_version=(1, 0))
    import _testbuffer as tb

    pil = mview.view(tb.ndarray(list(range(12)), shape=[3, 4], format="i", flags=tb.ND_PIL))
    with pytest.raises(BufferError):
        np.from_dlpack(pil)
    # a contiguous copy goes through
    np.testing.assert_array_equal(np.from_dlpack(pil, copy=True), np.arange(12, dtype="i4").reshape(3, 4))


def test_view_of_dlpack_only_objects():
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    others = [(np.arange(6) * (1 - 2j)).reshape(2, 3)[:, ::-1], np.arange(5, dtype="u2"), np.arange(4) % 2 == 0, np.arange(3, dtype="f2")]
    for src in [a, a[:, ::-1, 1::2], a.transpose(2, 0, 1), np.array(2.5), np.zeros((0, 3))] + others:
        obj = OnlyDLPack(src)
        v = mview.view(obj)
        assert obj.calls and obj.calls[0].get("max_version") is not None
        mv = memoryview(src)
        assert v.shape == mv.shape and v.format == mv.format
        if src.size:  # the strides of empty memory are free
            assert [s for s, n in zip(v.strides, v.shape) if n > 1] == [s for s, n in zip(mv.strides, mv.shape) if n > 1]
        assert v.tolist() == src.tolist()
        assert v.tobytes("F") == src.tobytes("F")
        assert v.readonly == (not src.flags.writeable)
        if src.size:
            assert address(np.asarray(v)) == address(src)
    # writable through the view, as the producer allows
    obj = OnlyDLPack(a)
    v = mview.view(obj)
    v[1, 2, 3] = -1.0
    assert a[1, 2, 3] == -1.0
    # a legacy producer (no max_version): read-only, as NumPy treats such tensors
    obj = OnlyDLPack(a, legacy=True)
    v = mview.view(obj)
    assert v.readonly and v.tolist() == a.tolist()
    ro = np.arange(3.0)
    ro.flags.writeable = False
    assert mview.view(OnlyDLPack(ro)).readonly


def test_dlpack_only_objects_in_copies():
    a = np.arange(12, dtype=np.int16).reshape(3, 4)
    src = OnlyDLPack(a.T)
    np.testing.assert_array_equal(np.asarray(mview.ascontiguous(src)), np.ascontiguousarray(a.T))
    dst = np.zeros((4, 3), dtype=np.int16)
    mview.copyto(dst, src)
    np.testing.assert_array_equal(dst, a.T)


def test_bad_dlpack_producers():
    class Raises:
        def __dlpack__(self, **kwargs):
            raise RuntimeError("producer failed")

        def __dlpack_device__(self):
            return (1, 0)

    class NotACapsule:
        def __dlpack__(self, **kwargs):
            return 42

        def __dlpack_device__(self):
            return (1, 0)

    class WrongCapsule:
        def __dlpack__(self, **kwargs):
            import datetime

            return datetime.datetime_CAPI  # a capsule of another kind

        def __dlpack_device__(self):
            return (1, 0)

    with pytest.raises(RuntimeError):
        mview.view(Raises())
    with pytest.raises((TypeError, ValueError, BufferError)):
        mview.view(NotACapsule())
    with pytest.raises((TypeError, ValueError, BufferError)):
        mview.view(WrongCapsule())
