"""Bad input raises (never crashes), and every buffer taken is given back: after the
View objects are gone, a bytearray resizes again and reference counts return."""
import array
import ctypes
import gc
import sys

import _testbuffer as tb
import numpy as np
import pytest

import mview


def test_objects_without_the_buffer_protocol():
    for obj in [None, 3, 1.5, "text", [1, 2], (1,), {}, object(), np.float64(1.0).item()]:
        with pytest.raises(TypeError):
            mview.view(obj)
        with pytest.raises(TypeError):
            mview.ascontiguous(obj)
        with pytest.raises(TypeError):
            mview.View(obj)


def test_refused_requests_and_failing_exporters():
    with pytest.raises(BufferError):
        mview.view(tb.ndarray([1, 2], shape=[2], flags=tb.ND_GETBUF_FAIL))
    # a failing exporter that also leaves garbage in view.obj (allowed up to 3.2)
    with pytest.raises(BufferError):
        mview.view(tb.ndarray([1, 2], shape=[2], flags=tb.ND_GETBUF_FAIL | tb.ND_GETBUF_UNDEFINED))
    with pytest.raises(BufferError):
        mview.copyto(tb.ndarray([1, 2], shape=[2], flags=tb.ND_WRITABLE | tb.ND_GETBUF_FAIL), b"ab")
    with pytest.raises(BufferError):
        mview.copyto(b"ab", b"cd")


class Dlpack:
    def __init__(self, result):
        self.result = result

    def __dlpack__(self, **kwargs):
        if isinstance(self.result, BaseException):
            raise self.result
        return self.result

    def __dlpack_device__(self):
        return (1, 0)


def test_malformed_inputs_raise():
    bad = [Dlpack(None), Dlpack(b"capsule?"), Dlpack(ValueError("no")), Dlpack(BufferError("no"))]
    for obj in bad:
        with pytest.raises((TypeError, ValueError, BufferError)):
            mview.view(obj)
    # a capsule already consumed is refused
    a = np.arange(3.0)
    cap = a.__dlpack__(max_version=(1, 0))
    np.from_dlpack(Dlpack(cap))
    with pytest.raises((TypeError, ValueError, BufferError)):
        mview.view(Dlpack(cap))
    v = mview.view(b"abcd")
    for key in [(0, 0), 1.0, "x", slice(0, 1, 0)]:
        with pytest.raises((TypeError, IndexError, ValueError)):
            v[key]
    for args in [("Q",), ("i", (3,)), ("i", (0,)), ("zz",), ("B", (-1,))]:
        with pytest.raises((TypeError, ValueError, OverflowError)):
            v.cast(*args)
    for order in ["K", "c", "", "CF"]:
        with pytest.raises(ValueError):
            v.tobytes(order)
    with pytest.raises(TypeError):
        mview.view(np.zeros((2, 2))).transpose("ab")


def test_ctypes_exporters():
    """ctypes exports formats and itemsizes CPython's memoryview accepts as they are:
    records, unions (format 'B' with a larger itemsize), pointers ('&<i'), long double."""

    class Point(ctypes.Structure):
        _fields_ = [("x", ctypes.c_int16), ("y", ctypes.c_double)]

    class Packed(ctypes.Structure):
        _pack_ = 1
        _fields_ = [("a", ctypes.c_uint8), ("b", ctypes.c_uint32)]

    class Either(ctypes.Union):
        _fields_ = [("i", ctypes.c_int64), ("c", ctypes.c_char)]

    class Bits(ctypes.Structure):
        _fields_ = [("lo", ctypes.c_uint8, 3), ("hi", ctypes.c_uint8, 5)]

    exporters = [
        (ctypes.c_int32 * 6)(*range(6)),
        ((ctypes.c_double * 3) * 2)(),
        (Point * 3)(),
        (Packed * 2)(),
        (Either * 2)(),
        (Bits * 4)(),
        (ctypes.POINTER(ctypes.c_int) * 2)(),
        (ctypes.c_longdouble * 2)(),
        (ctypes.c_wchar * 3)(),
        ctypes.c_double(2.5),
    ]
    for obj in exporters:
        mv = memoryview(obj)
        v = mview.view(obj)
        assert (v.shape, v.strides, v.format, v.itemsize, v.readonly) == (mv.shape, mv.strides, mv.format, mv.itemsize, mv.readonly)
        assert v.tobytes() == mv.tobytes()
        try:
            want = mv.tolist()
        except (NotImplementedError, ValueError, TypeError):
            want = None
        try:
            got = v.tolist()
        except (NotImplementedError, ValueError, TypeError):
            got = None
        if want is not None:
            assert got == want
        # re-exported as it came
        assert memoryview(v).tobytes() == mv.tobytes()
        assert memoryview(v).format == mv.format
        del v, mv


def test_released_after_del():
    b = bytearray(b"0123456789abcdef")
    start = sys.getrefcount(b)
    v = mview.view(b)
    w = v[::2]
    x = w.T
    m = memoryview(x)
    n = np.asarray(v)
    d = np.from_dlpack(v[1:])
    c = mview.ascontiguous(b)
    mview.copyto(b, c)
    cap = v.__dlpack__(max_version=(1, 0))
    assert sys.getrefcount(b) > start
    with pytest.raises(BufferError):
        b.append(0)
    del v, w, x, m, n, d, c, cap
    gc.collect()
    assert sys.getrefcount(b) == start
    b.append(0)  # no export left
    b.extend(b"xyz")
    # failing paths give back what they took
    a = array.array("i", range(4))
    start = sys.getrefcount(a)
    with pytest.raises(ValueError):
        mview.copyto(a, np.zeros(5, dtype="i4"))
    with pytest.raises(ValueError):
        mview.copyto(np.zeros(5, dtype="i4"), a)
    with pytest.raises(IndexError):
        mview.view(a)[9]
    with pytest.raises(BufferError):
        np.from_dlpack(mview.view(a).cast("B").cast("c"))  # chars have no DLPack type
    gc.collect()
    assert sys.getrefcount(a) == start
    a.append(5)


def test_released_after_del_numpy_and_testbuffer():
    a = np.arange(12.0)
    nd = tb.ndarray(list(range(12)), shape=[3, 4], format="i", flags=tb.ND_WRITABLE | tb.ND_VAREXPORT)
    for obj in [a, nd]:
        start = sys.getrefcount(obj)
        views = [mview.view(obj), mview.view(obj)[1:], mview.ascontiguous(obj), mview.View(obj)]
        arrays = [np.asarray(v) for v in views]
        assert sys.getrefcount(obj) > start
        del views, arrays
        gc.collect()
        assert sys.getrefcount(obj) == start
    a.resize(13, refcheck=True)  # NumPy refuses to resize an exported array
    # a view of a View holds the first View's memory, not a second request
    b = bytearray(4)
    v = mview.view(b)
    w = mview.view(v)
    del v
    with pytest.raises(BufferError):
        b.append(1)
    del w
    b.append(1)


def test_obj_attribute():
    b = bytearray(3)
    assert mview.view(b).obj is b
    assert mview.view(b)[1:].obj is b
    assert mview.ascontiguous(b).obj is None  # Rust-owned copy
    m = memoryview(b)
    assert mview.view(m).obj is m
