#!/usr/bin/env python3
"""Re-check conformance vector files (``memoryview-vectors/1``) with CPython.

For every vector this script rebuilds the memory from ``blocks`` and
``pointers`` (8-byte aligned allocations, pointer slots patched), builds a
memoryview from the ``view`` description with ``PyMemoryView_FromBuffer``
and checks what CPython answers against ``expect``: nbytes, len, tobytes in
C/F/A order, PyBuffer_IsContiguous, the cached flags, tolist, the items
decoded with struct (addresses computed here by following suboffsets),
``m == m``, the 20 getbuffer requests and every slice.  It also checks that
every item read lies in a data block, that every pointer read is a listed
slot, and that all keys are exactly the ones SCHEMA.md names.

It shares no code with gen_vectors.py on purpose.

Usage: python3 tests/cpython/check_vectors.py FILE...
Prints "N vectors ok" per file and exits non-zero on any mismatch.
"""

import ctypes
import json
import math
import re
import struct
import sys

import _testbuffer as tb

TOP_KEYS = {"schema", "generator", "vectors"}
GENERATOR_KEYS = {"python", "seed", "count", "byteorder", "sizeof_void_p"}
VECTOR_KEYS = {"id", "source", "blocks", "pointers", "view", "expect"}
BLOCK_KEYS = {"len", "role", "hex"}
POINTER_KEYS = {"at", "to"}
VIEW_KEYS = {"format", "itemsize", "ndim", "shape", "strides", "suboffsets",
             "buf", "readonly", "len"}
EXPECT_KEYS = {"nbytes", "len", "tobytes", "contiguous", "mv_flags", "tolist",
               "tolist_error", "struct_tolist", "eq_self", "getbuf", "slices"}
ORDER_KEYS = {"C", "F", "A"}
FLAG_KEYS = {"c_contiguous", "f_contiguous", "contiguous"}
GETBUF_KEYS = {"name", "flags", "ok", "error", "result"}
RESULT_KEYS = {"ndim", "format", "itemsize", "len", "readonly", "shape",
               "strides", "suboffsets", "buf"}
SLICE_KEYS = {"key", "error", "shape", "strides", "suboffsets", "buf",
              "nbytes", "tobytes_C", "contiguous", "mv_flags"}
SLICE_ERROR_KEYS = {"key", "error"}

REQUESTS = [
    ("SIMPLE", 0x0), ("WRITABLE", 0x1), ("FORMAT", 0x4), ("ND", 0x8),
    ("ND|FORMAT", 0xc), ("STRIDES", 0x18), ("INDIRECT", 0x118),
    ("C_CONTIGUOUS", 0x38), ("F_CONTIGUOUS", 0x58), ("ANY_CONTIGUOUS", 0x98),
    ("CONTIG_RO", 0x8), ("CONTIG", 0x9), ("STRIDED_RO", 0x18),
    ("STRIDED", 0x19), ("RECORDS_RO", 0x1c), ("RECORDS", 0x1d),
    ("FULL_RO", 0x11c), ("FULL", 0x11d), ("INDIRECT|C_CONTIGUOUS", 0x138),
    ("STRIDES|F_CONTIGUOUS|FORMAT", 0x5c),
]
FULL_RO = 0x11c


class Mismatch(Exception):
    """A vector disagrees with CPython or with the schema."""


def require(cond, what):
    """Raise Mismatch(what) unless cond."""
    if not cond:
        raise Mismatch(what)


def keys(obj, expected, where):
    """Check that obj is a dict with exactly the expected keys."""
    require(isinstance(obj, dict), "%s is not an object" % where)
    require(set(obj) == expected, "%s keys %s, expected %s"
            % (where, sorted(obj), sorted(expected)))


class Buffer(ctypes.Structure):
    """Py_buffer."""
    _fields_ = [("buf", ctypes.c_void_p), ("obj", ctypes.c_void_p),
                ("len", ctypes.c_ssize_t), ("itemsize", ctypes.c_ssize_t),
                ("readonly", ctypes.c_int), ("ndim", ctypes.c_int),
                ("format", ctypes.c_char_p),
                ("shape", ctypes.POINTER(ctypes.c_ssize_t)),
                ("strides", ctypes.POINTER(ctypes.c_ssize_t)),
                ("suboffsets", ctypes.POINTER(ctypes.c_ssize_t)),
                ("internal", ctypes.c_void_p)]


API = ctypes.pythonapi
API.PyObject_GetBuffer.argtypes = [ctypes.py_object, ctypes.POINTER(Buffer),
                                   ctypes.c_int]
API.PyObject_GetBuffer.restype = ctypes.c_int
API.PyBuffer_Release.argtypes = [ctypes.POINTER(Buffer)]
API.PyBuffer_Release.restype = None
API.PyMemoryView_FromBuffer.argtypes = [ctypes.POINTER(Buffer)]
API.PyMemoryView_FromBuffer.restype = ctypes.py_object


def get_buffer(obj, flags):
    """PyObject_GetBuffer; returns a filled Buffer (release it)."""
    view = Buffer()
    API.PyObject_GetBuffer(obj, ctypes.byref(view), flags)
    return view


def array(ptr, n):
    """n Py_ssize_t values behind ptr, or None for NULL."""
    return [ptr[i] for i in range(n)] if ptr else None


class Rebuilt:
    """The memory of one vector, allocated and patched."""

    def __init__(self, vec):
        self.arrays, self.starts, self.blocks = [], [], vec["blocks"]
        for i, block in enumerate(self.blocks):
            keys(block, BLOCK_KEYS, "blocks[%d]" % i)
            data = bytes.fromhex(block["hex"])
            require(len(data) == block["len"], "block %d length" % i)
            require(block["role"] in ("data", "pointers"), "block role")
            if block["role"] == "pointers":
                require(not any(data), "pointer block %d is not zero" % i)
            arr = (ctypes.c_uint64 * max(1, (len(data) + 7) // 8))()
            ctypes.memmove(arr, data, len(data))
            self.arrays.append(arr)
            self.starts.append(ctypes.addressof(arr))
        self.slots = set()
        for i, p in enumerate(vec["pointers"]):
            keys(p, POINTER_KEYS, "pointers[%d]" % i)
            block, off = p["at"]
            require(0 <= off <= self.blocks[block]["len"] - 8,
                    "pointer slot %d outside its block" % i)
            slot = self.addr(p["at"])
            ctypes.c_void_p.from_address(slot).value = self.addr(p["to"])
            self.slots.add(slot)

    def addr(self, ref):
        """Absolute address of a [block, offset] reference."""
        require(isinstance(ref, list) and len(ref) == 2
                and 0 <= ref[0] < len(self.starts), "bad reference %r" % ref)
        return self.starts[ref[0]] + ref[1]

    def load(self, addr):
        """Read a pointer slot, which must be a listed one."""
        require(addr in self.slots, "read of an unlisted pointer slot")
        return ctypes.c_void_p.from_address(addr).value or 0

    def item(self, addr, size):
        """The bytes of one item, which must lie in a data block."""
        require(any(b["role"] == "data" and s <= addr
                    and addr + size <= s + b["len"]
                    for s, b in zip(self.starts, self.blocks)),
                "item outside the data blocks")
        return ctypes.string_at(addr, size)


def encode(v):
    """JSON encoding of an unpacked value (floats as repr strings)."""
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, (list, tuple)):
        return [encode(x) for x in v]
    return v


def decode_items(mem, view):
    """The items of a view decoded with struct, nested like tolist()."""
    fmt, size = view["format"], view["itemsize"]
    shape, strides, subs = view["shape"], view["strides"], view["suboffsets"]

    def walk(p, d):
        if d == view["ndim"]:
            v = struct.unpack(fmt, mem.item(p, size))
            return encode(v[0] if len(v) == 1 else list(v))
        out = []
        for i in range(shape[d]):
            q = p + strides[d] * i
            if subs is not None and subs[d] >= 0:
                q = mem.load(q) + subs[d]
            out.append(walk(q, d + 1))
        return out

    return walk(mem.addr(view["buf"]), 0)


def make_memoryview(mem, view, keep):
    """PyMemoryView_FromBuffer from a "view" description."""
    ndim = view["ndim"]
    fmt = ctypes.create_string_buffer(view["format"].encode("ascii"))
    info = Buffer()
    info.buf = mem.addr(view["buf"])
    info.obj = None
    info.len = view["len"]
    info.itemsize = view["itemsize"]
    info.readonly = int(view["readonly"])
    info.ndim = ndim
    info.format = ctypes.cast(fmt, ctypes.c_char_p)
    keep += [fmt, info]
    for name in ("shape", "strides", "suboffsets"):
        values = view[name]
        if ndim and values is not None:
            arr = (ctypes.c_ssize_t * ndim)(*values)
            keep.append(arr)
            setattr(info, name, ctypes.cast(arr,
                                            ctypes.POINTER(ctypes.c_ssize_t)))
    return API.PyMemoryView_FromBuffer(ctypes.byref(info))


def contiguity(obj):
    """PyBuffer_IsContiguous in each order."""
    return {o: bool(tb.is_contiguous(obj, o)) for o in "CFA"}


def flags_of(mv):
    """memoryview's cached contiguity flags."""
    return {"c_contiguous": mv.c_contiguous, "f_contiguous": mv.f_contiguous,
            "contiguous": mv.contiguous}


def check_view_description(view):
    """Consistency of a "view" member."""
    keys(view, VIEW_KEYS, "view")
    ndim = view["ndim"]
    require(len(view["shape"]) == ndim and len(view["strides"]) == ndim,
            "shape/strides length != ndim")
    require(view["suboffsets"] is None or len(view["suboffsets"]) == ndim,
            "suboffsets length != ndim")
    require(view["len"] == math.prod(view["shape"]) * view["itemsize"],
            "len != product(shape) * itemsize")
    require(struct.calcsize(view["format"]) == view["itemsize"],
            "itemsize != calcsize(format)")


def check_getbuf(mv, mem, entries):
    """The 20 getbuffer requests."""
    require([(e.get("name"), e.get("flags")) for e in entries] == REQUESTS,
            "getbuf requests differ from the 20 named ones")
    for e in entries:
        keys(e, GETBUF_KEYS, "getbuf " + e["name"])
        try:
            v = get_buffer(mv, e["flags"])
        except BufferError:
            require(not e["ok"] and e["error"] == "BufferError"
                    and e["result"] is None, "getbuf %s refused" % e["name"])
            continue
        try:
            require(e["ok"] and e["error"] is None, "getbuf %s ok" % e["name"])
            r = e["result"]
            keys(r, RESULT_KEYS, "getbuf result")
            n = v.ndim
            got = {"ndim": n, "itemsize": v.itemsize, "len": v.len,
                   "readonly": bool(v.readonly),
                   "format": v.format.decode() if v.format else None,
                   "shape": array(v.shape, n), "strides": array(v.strides, n),
                   "suboffsets": array(v.suboffsets, n)}
            for k, val in got.items():
                require(r[k] == val, "getbuf %s %s: %r != %r"
                        % (e["name"], k, r[k], val))
            require(mem.addr(r["buf"]) == v.buf, "getbuf %s buf" % e["name"])
        finally:
            API.PyBuffer_Release(ctypes.byref(v))


def check_slices(mv, mem, slices, ndim):
    """Every recorded slice, re-done with _testbuffer's slicing."""
    require(ndim > 0 or not slices, "slices on a 0-dim view")
    for s in slices:
        key = s.get("key")
        require(isinstance(key, list) and 1 <= len(key) <= ndim
                and all(isinstance(k, list) and len(k) == 3 for k in key),
                "bad slice key %r" % (key,))
        nd = tb.ndarray(mv, getbuf=FULL_RO)
        try:
            sliced = nd[tuple(slice(*k) for k in key)]
        except ValueError:
            keys(s, SLICE_ERROR_KEYS, "slice")
            require(s["error"] == "ValueError", "slice %r error" % (key,))
            continue
        keys(s, SLICE_KEYS, "slice")
        require(s["error"] is None, "slice %r did not fail" % (key,))
        smv = memoryview(sliced)
        v = get_buffer(smv, FULL_RO)
        try:
            n = v.ndim
            got = {"shape": array(v.shape, n), "strides": array(v.strides, n),
                   "suboffsets": array(v.suboffsets, n), "nbytes": smv.nbytes,
                   "tobytes_C": smv.tobytes().hex(),
                   "contiguous": contiguity(smv), "mv_flags": flags_of(smv)}
            for k, val in got.items():
                require(s[k] == val, "slice %r %s: %r != %r"
                        % (key, k, s[k], val))
            require(mem.addr(s["buf"]) == v.buf, "slice %r buf" % (key,))
        finally:
            API.PyBuffer_Release(ctypes.byref(v))


def check_vector(vec):
    """Check one vector; raises Mismatch."""
    keys(vec, VECTOR_KEYS, "vector")
    require(vec["source"].get("kind") in ("ndarray", "ctypes_indirect"),
            "source kind")
    view, exp = vec["view"], vec["expect"]
    check_view_description(view)
    keys(exp, EXPECT_KEYS, "expect")
    keep = []
    mem = Rebuilt(vec)
    # Walk the items first: it refuses undescribed pointer slots before
    # CPython follows them.
    require(exp["struct_tolist"] == decode_items(mem, view), "struct_tolist")
    mv = make_memoryview(mem, view, keep)
    require(exp["nbytes"] == mv.nbytes, "nbytes")
    require(exp["len"] == len(mv), "len")
    keys(exp["tobytes"], ORDER_KEYS, "tobytes")
    for order in "CFA":
        require(exp["tobytes"][order] == mv.tobytes(order).hex(),
                "tobytes " + order)
    keys(exp["contiguous"], ORDER_KEYS, "contiguous")
    require(exp["contiguous"] == contiguity(mv), "contiguous")
    keys(exp["mv_flags"], FLAG_KEYS, "mv_flags")
    require(exp["mv_flags"] == flags_of(mv), "mv_flags")
    try:
        tolist, error = encode(mv.tolist()), None
    except NotImplementedError:
        tolist, error = None, "NotImplementedError"
    require(exp["tolist"] == tolist and exp["tolist_error"] == error,
            "tolist")
    require(exp["eq_self"] == (mv == mv), "eq_self")
    check_getbuf(mv, mem, exp["getbuf"])
    check_slices(mv, mem, exp["slices"], view["ndim"])


def check_file(path):
    """Check a whole file; returns (vector count, list of failures)."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    keys(doc, TOP_KEYS, "top level")
    require(doc["schema"] == "memoryview-vectors/1", "schema name")
    keys(doc["generator"], GENERATOR_KEYS, "generator")
    require(doc["generator"]["count"] == len(doc["vectors"]),
            "generator.count != number of vectors")
    failures = []
    for vec in doc["vectors"]:
        vid = vec.get("id", "?")
        try:
            require(re.fullmatch(r"s\d+-\d+", str(vid)) is not None, "bad id")
            check_vector(vec)
        except Mismatch as e:
            failures.append("%s: %s" % (vid, e))
    return len(doc["vectors"]), failures


def main():
    """Command line entry point."""
    if len(sys.argv) < 2:
        sys.exit("usage: check_vectors.py FILE...")
    total, bad = 0, False
    for path in sys.argv[1:]:
        try:
            count, failures = check_file(path)
        except Mismatch as e:
            print("%s: %s" % (path, e))
            bad = True
            continue
        for line in failures[:50]:
            print("%s: %s" % (path, line))
        if failures:
            print("%s: %d of %d vectors FAILED" % (path, len(failures), count))
            bad = True
        else:
            print("%s: %d vectors ok" % (path, count))
        total += count
    if bad:
        sys.exit(1)
    print("%d vectors ok" % total)


if __name__ == "__main__":
    main()
