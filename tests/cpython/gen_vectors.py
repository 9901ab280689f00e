#!/usr/bin/env python3
"""Generate CPython conformance vectors in the ``memoryview-vectors/1`` format.

Every vector describes one buffer that CPython built, the raw memory behind
it, and what CPython 3.11 answered about it (``tobytes`` in each order,
``PyBuffer_IsContiguous``, the memoryview's cached flags, ``tolist``, items
decoded with ``struct``, ``m == m``, 20 getbuffer requests and a few
multi-dimensional slices).  The format is described in SCHEMA.md of the
conformance folder; ``check_vectors.py`` beside this script re-checks a file.

Two kinds of buffers are made:

* ``ndarray``: ``_testbuffer.ndarray`` in C, Fortran or explicitly strided
  layouts, optionally ``ND_PIL`` (a pointer table in dim 0) or with
  ``add_suboffsets()`` (all -1), optionally pre-sliced.
* ``ctypes_indirect``: multi-level indirect buffers laid out here with
  ctypes (one pointer block per level of indirection plus a data block) and
  turned into a memoryview with ``PyMemoryView_FromBuffer``.  Every suboffset
  is at least the part of its sub-array that lies below index 0, so no slice
  with a non-empty result can drive a dereferenced displacement negative.

Memory is described as blocks (hex dumps; pointer blocks are all zero) plus
the pointer slots to patch, and every address is written as a
``[block_index, byte_offset]`` reference, so no real address reaches the
output and the output depends only on the seed.

Usage::

    python3 tests/cpython/gen_vectors.py --seed 2 --count 400 \\
        --out tests/data/cpython-vectors.json
    python3 tests/cpython/gen_vectors.py --edge --seed 3 \\
        --out tests/data/cpython-edge-vectors.json

It needs CPython 3.11 with ``_testbuffer`` on a 64-bit little-endian machine.
"""

import argparse
import ctypes
import json
import math
import platform
import random
import struct
import sys

import _testbuffer as tb

SCHEMA = "memoryview-vectors/1"

FORMATS = ["b", "B", "h", "H", "i", "I", "l", "L", "q", "Q", "f", "d", "?",
           "e", "<i", ">d", "@i", "2h", "hb", "bi"]

# The 20 getbuffer requests, in the order the vectors list them.
GETBUF_REQUESTS = [
    ("SIMPLE", tb.PyBUF_SIMPLE),
    ("WRITABLE", tb.PyBUF_WRITABLE),
    ("FORMAT", tb.PyBUF_FORMAT),
    ("ND", tb.PyBUF_ND),
    ("ND|FORMAT", tb.PyBUF_ND | tb.PyBUF_FORMAT),
    ("STRIDES", tb.PyBUF_STRIDES),
    ("INDIRECT", tb.PyBUF_INDIRECT),
    ("C_CONTIGUOUS", tb.PyBUF_C_CONTIGUOUS),
    ("F_CONTIGUOUS", tb.PyBUF_F_CONTIGUOUS),
    ("ANY_CONTIGUOUS", tb.PyBUF_ANY_CONTIGUOUS),
    ("CONTIG_RO", tb.PyBUF_CONTIG_RO),
    ("CONTIG", tb.PyBUF_CONTIG),
    ("STRIDED_RO", tb.PyBUF_STRIDED_RO),
    ("STRIDED", tb.PyBUF_STRIDED),
    ("RECORDS_RO", tb.PyBUF_RECORDS_RO),
    ("RECORDS", tb.PyBUF_RECORDS),
    ("FULL_RO", tb.PyBUF_FULL_RO),
    ("FULL", tb.PyBUF_FULL),
    ("INDIRECT|C_CONTIGUOUS", tb.PyBUF_INDIRECT | tb.PyBUF_C_CONTIGUOUS),
    ("STRIDES|F_CONTIGUOUS|FORMAT",
     tb.PyBUF_STRIDES | tb.PyBUF_F_CONTIGUOUS | tb.PyBUF_FORMAT),
]

PTR = 8                 # sizeof(void *)
MAX_ITEMS = 240         # cap on the number of items of a random buffer
MAX_MEMORY = 4096       # cap on the bytes of a random buffer's memory


# --------------------------------------------------------------------------
# ctypes access to the buffer protocol
# --------------------------------------------------------------------------

class PyBuffer(ctypes.Structure):
    """ctypes mirror of CPython's Py_buffer."""
    _fields_ = [
        ("buf", ctypes.c_void_p),
        ("obj", ctypes.c_void_p),
        ("len", ctypes.c_ssize_t),
        ("itemsize", ctypes.c_ssize_t),
        ("readonly", ctypes.c_int),
        ("ndim", ctypes.c_int),
        ("format", ctypes.c_char_p),
        ("shape", ctypes.POINTER(ctypes.c_ssize_t)),
        ("strides", ctypes.POINTER(ctypes.c_ssize_t)),
        ("suboffsets", ctypes.POINTER(ctypes.c_ssize_t)),
        ("internal", ctypes.c_void_p),
    ]


_get_buffer = ctypes.pythonapi.PyObject_GetBuffer
_get_buffer.argtypes = [ctypes.py_object, ctypes.POINTER(PyBuffer),
                        ctypes.c_int]
_get_buffer.restype = ctypes.c_int
_release_buffer = ctypes.pythonapi.PyBuffer_Release
_release_buffer.argtypes = [ctypes.POINTER(PyBuffer)]
_release_buffer.restype = None
_memoryview_from_buffer = ctypes.pythonapi.PyMemoryView_FromBuffer
_memoryview_from_buffer.argtypes = [ctypes.POINTER(PyBuffer)]
_memoryview_from_buffer.restype = ctypes.py_object


class Export:
    """Context manager around PyObject_GetBuffer / PyBuffer_Release.

    Raises BufferError (from CPython) when the request is refused."""

    def __init__(self, obj, flags):
        self.obj = obj
        self.flags = flags
        self.view = PyBuffer()

    def __enter__(self):
        _get_buffer(self.obj, ctypes.byref(self.view), self.flags)
        return self.view

    def __exit__(self, *exc):
        _release_buffer(ctypes.byref(self.view))


def ssize_array(ptr, n):
    """The n entries behind a Py_ssize_t pointer, or None for NULL."""
    return [ptr[i] for i in range(n)] if ptr else None


def load_pointer(addr):
    """The char* stored at addr."""
    return ctypes.c_void_p.from_address(addr).value or 0


# --------------------------------------------------------------------------
# Formats and values
# --------------------------------------------------------------------------

def format_members(fmt):
    """Split a struct format into (byte-order prefix, [member codes])."""
    prefix = fmt[0] if fmt[0] in "@=<>!" else ""
    body = fmt[len(prefix):]
    members, count = [], ""
    for ch in body:
        if ch.isdigit():
            count += ch
        else:
            members.extend([ch] * int(count or "1"))
            count = ""
    return prefix, members


FLOAT_SPECIALS = [float("nan"), float("-nan"), float("inf"), float("-inf"),
                  -0.0, 0.0, 1.0, -2.5, 0.5]


def random_member(rng, prefix, code):
    """A random Python value for one struct member."""
    size = struct.calcsize(prefix + code)
    if code == "?":
        return rng.random() < 0.5
    if code in "efd":
        r = rng.random()
        if r < 0.12:
            return rng.choice(FLOAT_SPECIALS)
        if r < 0.35:
            return rng.randint(-1000, 1000) / rng.choice([1, 2, 4, 8])
        raw = rng.getrandbits(8 * size).to_bytes(size, "little")
        return struct.unpack("<" + code, raw)[0]
    bits = 8 * size
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if code.islower() \
        else (0, (1 << bits) - 1)
    if rng.random() < 0.1:
        return rng.choice([lo, hi, 0])
    return rng.randint(lo, hi)


def random_item(rng, fmt):
    """A random item for fmt: a scalar, or a tuple for multi-member formats."""
    prefix, members = format_members(fmt)
    values = tuple(random_member(rng, prefix, c) for c in members)
    return values[0] if len(values) == 1 else values


def encode_value(v):
    """Encode an unpacked value per SCHEMA.md (floats as repr strings)."""
    if isinstance(v, int):      # bool included
        return v
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, (list, tuple)):
        return [encode_value(x) for x in v]
    raise TypeError("cannot encode %r" % (v,))


def nest(shape, flat):
    """Arrange a C-order list of items as nested lists following shape."""
    if not shape:
        return flat[0]
    if shape[0] == 0:
        return []
    step = len(flat) // shape[0]
    return [nest(shape[1:], flat[i * step:(i + 1) * step])
            for i in range(shape[0])]


def item_addresses(buf, shape, strides, suboffsets, load):
    """Addresses of all items in C order, following suboffsets.

    load(addr) returns the pointer stored at addr (PyBuffer_GetPointer)."""
    out = []

    def walk(p, d):
        if d == len(shape):
            out.append(p)
            return
        for i in range(shape[d]):
            q = p + strides[d] * i
            if suboffsets is not None and suboffsets[d] >= 0:
                q = load(q) + suboffsets[d]
            walk(q, d + 1)

    walk(buf, 0)
    return out


# --------------------------------------------------------------------------
# Memory description
# --------------------------------------------------------------------------

class Memory:
    """The blocks and pointer slots behind one vector, with live addresses.

    anchor is the block that view.buf (and every buf derived from it by
    slicing or re-exporting) is expressed relative to."""

    def __init__(self):
        self.blocks = []        # (start address, length, role)
        self.pointers = []      # (slot address, slot block, target block)
        self.anchor = None

    def add_block(self, start, length, role):
        """Register a block; returns its index."""
        self.blocks.append((start, length, role))
        return len(self.blocks) - 1

    def add_pointer(self, slot, slot_block, target_block):
        """Register the pointer slot at address slot."""
        self.pointers.append((slot, slot_block, target_block))

    def ref(self, addr, block):
        """[block, offset] for an absolute address."""
        return [block, addr - self.blocks[block][0]]

    def describe(self):
        """The "blocks" and "pointers" members of a vector."""
        blocks = []
        for start, length, role in self.blocks:
            data = bytes(length) if role == "pointers" \
                else ctypes.string_at(start, length)
            blocks.append({"len": length, "role": role, "hex": data.hex()})
        pointers = [{"at": self.ref(slot, sb),
                     "to": self.ref(load_pointer(slot), tblock)}
                    for slot, sb, tblock in self.pointers]
        return blocks, pointers

    def checked_load(self, addr):
        """Load a pointer, asserting that the slot is a described one."""
        assert any(slot == addr for slot, _, _ in self.pointers), \
            "read of an undescribed pointer slot"
        return load_pointer(addr)

    def check_item(self, addr, size):
        """Assert that an item lies inside one data block."""
        assert any(role == "data" and start <= addr
                   and addr + size <= start + length
                   for start, length, role in self.blocks), \
            "item outside the described data blocks"

    def items(self, pybuf):
        """Addresses of all items of an exported view, checked."""
        ndim = pybuf.ndim
        addrs = item_addresses(pybuf.buf, ssize_array(pybuf.shape, ndim) or [],
                               ssize_array(pybuf.strides, ndim) or [],
                               ssize_array(pybuf.suboffsets, ndim),
                               self.checked_load)
        for a in addrs:
            self.check_item(a, pybuf.itemsize)
        return addrs


# --------------------------------------------------------------------------
# Random structure helpers
# --------------------------------------------------------------------------

def random_extent(rng, top=5):
    """An extent in [0, top]: 0 and 1 sometimes, usually 2..top."""
    r = rng.random()
    if r < 0.07:
        return 0
    if r < 0.18:
        return 1
    return rng.randint(2, top)


def random_shape(rng, ndim, top=5):
    """A shape whose item count stays within MAX_ITEMS."""
    while True:
        shape = [random_extent(rng, top) for _ in range(ndim)]
        if math.prod(n for n in shape if n) <= MAX_ITEMS:
            return shape


def random_slice(rng, n, allow_zero_step=False):
    """A random [start, stop, step] triple for an extent n (None = null).

    Most triples select at least one item, written in varied forms
    (negative indices, None, overshooting stops); the others are fully
    random: out of range, often empty.  allow_zero_step gives step 0."""
    def bound():
        return None if rng.random() < 0.3 else rng.randint(-n - 3, n + 3)
    if allow_zero_step:
        return [bound(), bound(), 0]
    if n == 0 or rng.random() < 0.3:
        step = None if rng.random() < 0.25 else \
            rng.choice([-1, 1]) * rng.randint(1, n + 1)
        return [bound(), bound(), step]
    step = rng.choice([-1, 1]) * rng.randint(1, n)
    first = rng.randrange(n)
    most = (n - 1 - first) // step + 1 if step > 0 else first // -step + 1
    stop = first + step * rng.randint(1, most)
    if stop < 0 or (stop >= n and rng.random() < 0.5):
        stop = None     # runs to the end in the direction of step
    elif stop < n and rng.random() < 0.3:
        stop -= n       # the same stop as a negative index
    start = first - n if rng.random() < 0.3 else first
    if first == (0 if step > 0 else n - 1) and rng.random() < 0.5:
        start = None
    return [start, stop, None if step == 1 and rng.random() < 0.5 else step]


def random_key(rng, shape, allow_zero_step=False):
    """A multi-dimensional slice key with 1..ndim entries."""
    k = rng.randint(1, len(shape))
    key = [random_slice(rng, shape[d]) for d in range(k)]
    if allow_zero_step:
        key[rng.randrange(k)] = random_slice(rng, 0, allow_zero_step=True)
    return key


def layered_strides(rng, dims, shape, unit):
    """Strides for dims such that distinct indices give distinct slots.

    Dims are taken in random order; each stride is at least the span of the
    dims placed before it (times a random gap factor), in units of unit."""
    strides = {}
    span = unit
    order = list(dims)
    rng.shuffle(order)
    for d in order:
        n = shape[d]
        if n <= 1:
            strides[d] = unit * rng.randint(-4, 4)
            continue
        mag = span * rng.choice([1, 1, 1, 2, 3])
        strides[d] = mag * rng.choice([-1, 1])
        span = mag * n
    return strides


def extent_range(dims, shape, strides):
    """(lowest, highest) byte offset of index vectors over dims."""
    if any(shape[d] == 0 for d in dims):
        return 0, 0
    lo = sum(min(0, (shape[d] - 1) * strides[d]) for d in dims)
    hi = sum(max(0, (shape[d] - 1) * strides[d]) for d in dims)
    return lo, hi


def slice_objects(key):
    """A tuple of slice objects for a JSON slice key."""
    return tuple(slice(*k) for k in key)


# --------------------------------------------------------------------------
# ndarray buffers
# --------------------------------------------------------------------------

def ndarray_memory_len(fmt, shape, strides, offset):
    """Smallest memory (in items) that _testbuffer accepts for a layout."""
    itemsize = struct.calcsize(fmt)
    hi = 0 if 0 in shape else sum(max(0, (n - 1) * s)
                                  for n, s in zip(shape, strides))
    return (offset + hi + itemsize + itemsize - 1) // itemsize


def random_ndarray_spec(rng):
    """Random parameters for a _testbuffer.ndarray vector."""
    fmt = rng.choice(FORMATS)
    itemsize = struct.calcsize(fmt)
    ndim = rng.choices(range(6), weights=[6, 22, 28, 22, 12, 10])[0]
    flags = ["ND_WRITABLE"] if rng.random() < 0.5 else []
    if ndim == 0:
        return {"format": fmt, "mode": "scalar", "flags": flags,
                "base_shape": [], "base_strides": None, "base_offset": 0,
                "nitems": 1, "pre_slice": None, "add_suboffsets": False}
    mode = rng.choices(["C", "F", "strided"], weights=[3, 2, 5])[0]
    if mode == "F":
        flags.append("ND_FORTRAN")
    pil = rng.random() < 0.25
    if pil:
        flags.append("ND_PIL")
    while True:
        shape = random_shape(rng, ndim)
        strides = None
        if mode == "strided":
            unit_strides = layered_strides(rng, range(ndim), shape, itemsize)
            strides = [unit_strides[d] for d in range(ndim)]
            if rng.random() < 0.06:
                strides[rng.randrange(ndim)] = 0
            lo, hi = extent_range(range(ndim), shape, strides)
            offset = -lo + itemsize * rng.randint(0, 2)
            nitems = ndarray_memory_len(fmt, shape, strides, offset)
        else:
            offset = itemsize * rng.randint(0, 2)
            nitems = offset // itemsize + max(1, math.prod(shape))
        nitems += rng.randint(0, 2)
        if nitems * itemsize <= MAX_MEMORY:
            break
    pre_slice = random_key(rng, shape) if rng.random() < 0.4 else None
    return {"format": fmt, "mode": mode, "flags": flags, "base_shape": shape,
            "base_strides": strides, "base_offset": offset,
            "nitems": nitems, "pre_slice": pre_slice,
            "add_suboffsets": not pil and rng.random() < 0.06}


def build_ndarray(spec, rng):
    """Create the ndarray of a spec; returns (keepalive, memoryview, Memory).

    spec["items"], when present, gives the items (else they are random)."""
    fmt = spec["format"]
    itemsize = struct.calcsize(fmt)
    items = spec.get("items")
    if items is None:
        items = [random_item(rng, fmt) for _ in range(spec["nitems"])]
    flags = 0
    for name in spec["flags"]:
        flags |= getattr(tb, name)
    kwargs = {"shape": spec["base_shape"], "offset": spec["base_offset"],
              "format": fmt, "flags": flags}
    if spec["base_strides"] is not None:
        kwargs["strides"] = spec["base_strides"]
    base = tb.ndarray(items[0] if spec["mode"] == "scalar" else items,
                      **kwargs)
    if spec["add_suboffsets"]:
        base.add_suboffsets()
    packed = b"".join(struct.pack(fmt, *(v if isinstance(v, tuple) else (v,)))
                      for v in items)
    mem = Memory()
    with Export(base, tb.PyBUF_FULL_RO) as view:
        if "ND_PIL" in spec["flags"]:
            # _testbuffer's init_suboffsets: one allocation holding
            # 8*shape[0] bytes of pointers, then a copy of the data.
            n0 = view.shape[0]
            table = view.buf - (PTR * (n0 - 1) if view.strides[0] < 0 and n0
                                else 0)
            data = table + PTR * n0
            if n0:
                mem.anchor = mem.add_block(table, PTR * n0, "pointers")
            data_block = mem.add_block(data, len(packed), "data")
            if not n0:
                mem.anchor = data_block
            for n in range(n0):
                mem.add_pointer(table + PTR * n, mem.anchor, data_block)
        else:
            data = view.buf - spec["base_offset"]
            mem.anchor = mem.add_block(data, len(packed), "data")
    assert ctypes.string_at(data, len(packed)) == packed, "unexpected layout"
    obj = base
    if spec["pre_slice"] is not None:
        obj = base[slice_objects(spec["pre_slice"])]
    return (base, obj), memoryview(obj), mem


def ndarray_source(spec):
    """The informational "source" member of an ndarray vector."""
    source = {"kind": "ndarray", "mode": spec["mode"],
              "flags": list(spec["flags"]),
              "base_shape": spec["base_shape"],
              "base_strides": spec["base_strides"],
              "base_offset": spec["base_offset"],
              "pre_slice": spec["pre_slice"],
              "add_suboffsets": spec["add_suboffsets"]}
    if "note" in spec:
        source["note"] = spec["note"]
    return source


# --------------------------------------------------------------------------
# Hand-built multi-level indirect buffers
# --------------------------------------------------------------------------

def segments(suboffsets):
    """Split dims into segments that each end at an indirect dim.

    Returns a list of dim lists; all but the last end with a dim whose
    suboffset is >= 0, and the last (possibly empty) addresses items."""
    segs, cur = [], []
    for d, so in enumerate(suboffsets):
        cur.append(d)
        if so >= 0:
            segs.append(cur)
            cur = []
    segs.append(cur)
    return segs


def random_indirect_spec(rng):
    """Random parameters for a ctypes_indirect vector."""
    fmt = rng.choice(FORMATS)
    itemsize = struct.calcsize(fmt)
    ndim = rng.choice([1, 1, 2, 2, 2, 3, 3, 3, 4, 4])
    shape = random_shape(rng, ndim, top=4)
    r = rng.random()
    if r < 0.1:
        indirect = [False] * ndim
    else:
        indirect = [rng.random() < 0.45 for _ in range(ndim)]
        if not any(indirect):
            indirect[rng.randrange(ndim)] = True
    suboffsets = [0 if ind else -1 for ind in indirect]
    segs = segments(suboffsets)
    strides = [0] * ndim
    for j, seg in enumerate(segs):
        if j < len(segs) - 1:
            part = layered_strides(rng, seg, shape, PTR)
        elif rng.random() < 0.5:
            part = layered_strides(rng, seg, shape, itemsize)
        else:
            # Wild strides: not multiples of the itemsize, overlapping, zero.
            part = {d: rng.randint(-2 * itemsize - 3, 2 * itemsize + 3)
                    for d in seg}
        for d, s in part.items():
            strides[d] = s
    for j in range(1, len(segs)):
        lo, _ = extent_range(segs[j], shape, strides)
        extra = rng.choice([0, 0, 0, 8, 16, rng.randint(1, 24)])
        suboffsets[segs[j - 1][-1]] = -lo + extra
    pre_slice = random_key(rng, shape) if rng.random() < 0.25 else None
    return {"format": fmt, "shape": shape, "strides": strides,
            "suboffsets": suboffsets, "readonly": rng.random() < 0.5,
            "pre_slice": pre_slice}


def fill_data(rng, fmt, length, item_offsets):
    """Bytes of a data block: random, with some packed values at items."""
    itemsize = struct.calcsize(fmt)
    if fmt == "?":
        return bytearray(rng.randint(0, 1) for _ in range(length))
    data = bytearray(rng.getrandbits(8) for _ in range(length))
    for off in item_offsets:
        if rng.random() < 0.4:
            v = random_item(rng, fmt)
            data[off:off + itemsize] = struct.pack(
                fmt, *(v if isinstance(v, tuple) else (v,)))
    return data


def build_indirect(spec, rng):
    """Lay out and create a hand-built indirect buffer.

    Returns (keepalive, memoryview, Memory).  Level j of indirection is one
    block holding one sub-array region per index prefix; the pointer for a
    prefix points at the lowest byte the region uses minus the extra part of
    the suboffset, so targets stay inside their block."""
    fmt, shape = spec["format"], spec["shape"]
    strides, suboffsets = spec["strides"], spec["suboffsets"]
    itemsize = struct.calcsize(fmt)
    segs = segments(suboffsets)
    last = len(segs) - 1
    # Plan every level: regions (index-0 element offsets), pointer targets.
    plans = []                      # per level: length, element offsets
    links = []                      # (level, slot offset, target offset)
    prefixes = [((), None)]         # (index prefix, its slot one level up)
    for j, seg in enumerate(segs):
        pointer_level = j < last
        elem = PTR if pointer_level else itemsize
        lo, hi = extent_range(seg, shape, strides)
        empty = any(shape[d] == 0 for d in seg)
        span = 0 if empty else hi - lo + elem
        cursor = PTR * rng.randint(0, 2)
        regions = []
        for prefix, slot in prefixes:
            if j == 0:
                target = None
                start = cursor
            else:
                so = suboffsets[segs[j - 1][-1]]
                assert so + lo >= 0, "suboffset below the sub-array"
                target = cursor
                start = target + so + lo
                if pointer_level:
                    pad = -start % PTR
                    target, start = target + pad, start + pad
                links.append((j - 1, slot, target))
            regions.append((prefix, start - lo))
            cursor = max(cursor, start + span) + (
                PTR * rng.randint(0, 1) if pointer_level
                else rng.randint(0, itemsize))
        length = max(cursor + rng.randint(0, 2) * PTR, PTR)
        if j == 0:
            buf_offset = regions[0][1]
        offsets = []
        nxt = []
        for prefix, base in regions:
            for idx in _indices([shape[d] for d in seg]):
                off = base + sum(strides[d] * i for d, i in zip(seg, idx))
                offsets.append(off)
                nxt.append((prefix + idx, off))
        if pointer_level:
            assert len(set(offsets)) == len(offsets), "pointer slots alias"
        plans.append((length, offsets))
        prefixes = nxt
    # Allocate, fill and link the blocks.
    keep, mem = [], Memory()
    starts = []
    for j, (length, offsets) in enumerate(plans):
        arr = (ctypes.c_uint64 * ((length + 7) // 8))()
        keep.append(arr)
        start = ctypes.addressof(arr)
        starts.append(start)
        role = "pointers" if j < last else "data"
        if role == "data":
            ctypes.memmove(start, bytes(fill_data(rng, fmt, length, offsets)),
                           length)
        mem.add_block(start, length, role)
    for level, slot, target in links:
        ctypes.c_void_p.from_address(starts[level] + slot).value = \
            starts[level + 1] + target
        mem.add_pointer(starts[level] + slot, level, level + 1)
    mem.anchor = 0
    ndim = len(shape)
    arrays = [(ctypes.c_ssize_t * ndim)(*a)
              for a in (shape, strides, suboffsets)]
    fmt_buf = ctypes.create_string_buffer(fmt.encode("ascii"))
    info = PyBuffer()
    info.buf = starts[0] + buf_offset
    info.obj = None
    info.len = math.prod(shape) * itemsize
    info.itemsize = itemsize
    info.readonly = int(spec["readonly"])
    info.ndim = ndim
    info.format = ctypes.cast(fmt_buf, ctypes.c_char_p)
    info.shape, info.strides, info.suboffsets = arrays
    info.internal = None
    keep += arrays + [fmt_buf, info]
    mv = _memoryview_from_buffer(ctypes.byref(info))
    if spec["pre_slice"] is not None:
        sliced = tb.ndarray(mv, getbuf=tb.PyBUF_FULL_RO)[
            slice_objects(spec["pre_slice"])]
        keep += [mv, sliced]
        mv = memoryview(sliced)
    return keep, mv, mem


def _indices(extents):
    """All index tuples over extents, in C order."""
    if not extents:
        return [()]
    return [(i,) + rest for i in range(extents[0])
            for rest in _indices(extents[1:])]


def indirect_source(spec):
    """The informational "source" member of a ctypes_indirect vector."""
    source = {"kind": "ctypes_indirect", "base_shape": spec["shape"],
              "base_strides": spec["strides"],
              "base_suboffsets": spec["suboffsets"],
              "pre_slice": spec["pre_slice"]}
    if "note" in spec:
        source["note"] = spec["note"]
    return source


# --------------------------------------------------------------------------
# What CPython answers about a view
# --------------------------------------------------------------------------

def contiguity(obj):
    """PyBuffer_IsContiguous for 'C', 'F' and 'A'."""
    return {o: bool(tb.is_contiguous(obj, o)) for o in "CFA"}


def mv_flags(mv):
    """The memoryview's cached contiguity flags."""
    return {"c_contiguous": mv.c_contiguous, "f_contiguous": mv.f_contiguous,
            "contiguous": mv.contiguous}


def struct_items(mv, mem):
    """All items decoded with struct, nested like tolist()."""
    with Export(mv, tb.PyBUF_FULL_RO) as view:
        addrs = mem.items(view)
        fmt = view.format.decode("ascii")
        shape = ssize_array(view.shape, view.ndim) or []
        values = []
        for a in addrs:
            v = struct.unpack(fmt, ctypes.string_at(a, view.itemsize))
            values.append(v[0] if len(v) == 1 else list(v))
    return nest(shape, values)


def getbuf_results(mv, mem):
    """PyObject_GetBuffer(mv, flags) for the 20 requests."""
    out = []
    for name, flags in GETBUF_REQUESTS:
        entry = {"name": name, "flags": flags, "ok": False,
                 "error": None, "result": None}
        try:
            with Export(mv, flags) as v:
                n = v.ndim
                entry["ok"] = True
                entry["result"] = {
                    "buf": mem.ref(v.buf, mem.anchor), "len": v.len,
                    "itemsize": v.itemsize, "readonly": bool(v.readonly),
                    "ndim": n,
                    "format": None if v.format is None
                    else v.format.decode("ascii"),
                    "shape": ssize_array(v.shape, n),
                    "strides": ssize_array(v.strides, n),
                    "suboffsets": ssize_array(v.suboffsets, n)}
        except BufferError:
            entry["error"] = "BufferError"
        out.append(entry)
    return out


def view_fields(mv, mem):
    """shape, strides, suboffsets and buf of a memoryview's FULL_RO export."""
    with Export(mv, tb.PyBUF_FULL_RO) as v:
        n = v.ndim
        mem.items(v)    # every read stays inside the described memory
        return {"shape": ssize_array(v.shape, n) or [],
                "strides": ssize_array(v.strides, n) or [],
                "suboffsets": ssize_array(v.suboffsets, n),
                "buf": mem.ref(v.buf, mem.anchor)}


def slice_result(mv, mem, key):
    """The SLICE entry for one multi-dimensional key."""
    nd = tb.ndarray(mv, getbuf=tb.PyBUF_FULL_RO)
    try:
        sliced = nd[slice_objects(key)]
    except ValueError:
        return {"key": key, "error": "ValueError"}
    smv = memoryview(sliced)
    fields = view_fields(smv, mem)
    entry = {"key": key, "error": None, "shape": fields["shape"],
             "strides": fields["strides"], "suboffsets": fields["suboffsets"],
             "buf": fields["buf"], "nbytes": smv.nbytes,
             "tobytes_C": smv.tobytes().hex(), "contiguous": contiguity(smv),
             "mv_flags": mv_flags(smv)}
    if len(key) == 1:
        # A one-entry key must be what memoryview slicing itself does.
        direct = mv[slice(*key[0])]
        assert view_fields(direct, mem) == fields
        assert direct.tobytes() == smv.tobytes()
        assert mv_flags(direct) == entry["mv_flags"]
    return entry


def expectations(mv, mem, keys):
    """The "view" and "expect" members for a memoryview."""
    with Export(mv, tb.PyBUF_FULL_RO) as v:
        n = v.ndim
        view = {"format": v.format.decode("ascii"), "itemsize": v.itemsize,
                "ndim": n, "shape": ssize_array(v.shape, n) or [],
                "strides": ssize_array(v.strides, n) or [],
                "suboffsets": ssize_array(v.suboffsets, n),
                "buf": mem.ref(v.buf, mem.anchor),
                "readonly": bool(v.readonly), "len": v.len}
    try:
        tolist, tolist_error = encode_value(mv.tolist()), None
    except NotImplementedError:
        tolist, tolist_error = None, "NotImplementedError"
    expect = {
        "nbytes": mv.nbytes,
        "len": len(mv),
        "tobytes": {o: mv.tobytes(o).hex() for o in "CFA"},
        "contiguous": contiguity(mv),
        "mv_flags": mv_flags(mv),
        "tolist": tolist,
        "tolist_error": tolist_error,
        "struct_tolist": encode_value(struct_items(mv, mem)),
        "eq_self": mv == mv,
        "getbuf": getbuf_results(mv, mem),
        "slices": [slice_result(mv, mem, k) for k in keys],
    }
    if tolist_error is None:
        assert tolist == expect["struct_tolist"], "tolist != struct decoding"
    return view, expect


def random_keys(rng, shape):
    """1-3 random slice keys for a view (none for ndim 0)."""
    if not shape:
        return []
    return [random_key(rng, shape, allow_zero_step=rng.random() < 0.07)
            for _ in range(rng.randint(1, 3))]


def make_vector(vid, spec, rng):
    """Build the buffer of a spec and record one vector."""
    if spec["kind"] == "ndarray":
        keep, mv, mem = build_ndarray(spec, rng)
        source = ndarray_source(spec)
    else:
        keep, mv, mem = build_indirect(spec, rng)
        source = indirect_source(spec)
    keys = spec.get("slices")
    if keys is None:
        keys = random_keys(rng, list(mv.shape))
    view, expect = expectations(mv, mem, keys)
    blocks, pointers = mem.describe()
    del keep    # the buffer's memory had to stay alive until here
    return {"id": vid, "source": source, "blocks": blocks,
            "pointers": pointers, "view": view, "expect": expect}


# --------------------------------------------------------------------------
# Hand-picked edge cases (cpython-semantics.md section 5)
# --------------------------------------------------------------------------

def nd(fmt, shape, mode="C", flags=(), strides=None, offset=0,
       pre_slice=None, items=None, add_suboffsets=False, slices=None,
       note=""):
    """An ndarray spec with explicit parameters."""
    flags = list(flags)
    if mode == "F":
        flags.append("ND_FORTRAN")
    if mode == "strided":
        nitems = ndarray_memory_len(fmt, shape, strides, offset)
    elif mode == "scalar":
        nitems = 1
    else:
        nitems = offset // struct.calcsize(fmt) + max(1, math.prod(shape))
    if items is not None:
        nitems = len(items)
    spec = {"kind": "ndarray", "format": fmt, "mode": mode, "flags": flags,
            "base_shape": shape, "base_strides": strides,
            "base_offset": offset, "nitems": nitems, "pre_slice": pre_slice,
            "add_suboffsets": add_suboffsets, "note": note}
    if items is not None:
        spec["items"] = items
    if slices is not None:
        spec["slices"] = slices
    return spec


def indirect(fmt, shape, strides, suboffsets, pre_slice=None,
             readonly=True, slices=None, note=""):
    """A ctypes_indirect spec with explicit parameters."""
    spec = {"kind": "ctypes_indirect", "format": fmt, "shape": shape,
            "strides": strides, "suboffsets": suboffsets,
            "readonly": readonly, "pre_slice": pre_slice, "note": note}
    if slices is not None:
        spec["slices"] = slices
    return spec


SCALAR_VALUES = {"f": -0.0, "d": float("nan"), "e": float("inf"),
                 ">d": -0.0, "?": True}


def edge_specs():
    """The hand-picked edge cases."""
    nan, inf = float("nan"), float("inf")
    specs = [nd(f, [], mode="scalar", flags=["ND_WRITABLE"] if i % 2 else [],
                items=[SCALAR_VALUES[f]] if f in SCALAR_VALUES else None,
                note="ndim 0, format %s" % f)
             for i, f in enumerate(FORMATS)]
    specs += [
        nd("B", [3], "strided", strides=[-1], offset=2, items=[97, 98, 99],
           pre_slice=[[1, 1, None]],
           note="empty 1-D view, stride -1 (b'abc'[::-1][1:1]): flags != "
                "IsContiguous"),
        nd("i", [5], "strided", strides=[8], offset=0,
           pre_slice=[[2, 2, None]], note="empty 1-D view, stride 8 for 'i'"),
        nd("i", [0], "strided", strides=[12], offset=0,
           note="empty 1-D base with stride 3*itemsize"),
        nd("B", [12], flags=["ND_PIL"], items=list(range(12)),
           pre_slice=[[0, 0, None]], note="empty PIL view is not contiguous"),
        nd("h", [3, 4], flags=["ND_PIL"], pre_slice=[[None, None, None],
                                                     [4, None, None]],
           note="empty PIL view, zero in last dim"),
        nd("B", [2, 3], flags=["ND_PIL"], items=list(range(6)),
           slices=[[[None, None, None], [-100, None, -1]],
                   [[None, None, -1], [1, None, None]],
                   [[1, None, None], [None, None, -2]]],
           note="slicing an empty dim flips a suboffset's sign"),
        nd("i", [3, 2], "strided", flags=["ND_PIL"], strides=[-8, 4],
           offset=16, note="PIL with negative stride in dim 0"),
        nd("B", [3], items=[1, 2, 3], add_suboffsets=True,
           note="all -1 suboffsets: not contiguous, needs INDIRECT"),
        nd("i", [3, 4], add_suboffsets=True,
           pre_slice=[[None, None, -1], [1, 3, None]],
           note="all -1 suboffsets, pre-sliced"),
        nd("d", [2, 3], "F", add_suboffsets=True,
           note="all -1 suboffsets on a Fortran array"),
        nd("H", [0, 3], add_suboffsets=True,
           note="all -1 suboffsets, empty"),
        indirect("h", [4], [-4], [-1], note="all -1 suboffsets, hand-built"),
        indirect("d", [2, 3], [-7, 16], [-1, -1],
                 note="all -1 suboffsets, overlapping 'd' items"),
        nd("B", [2, 3], "F", items=list(range(6)),
           note="tobytes('A') keeps Fortran order"),
        nd("h", [2, 3, 4], "F", note="3-D Fortran array"),
        nd("B", [3, 4], items=list(range(12)),
           pre_slice=[[None, None, -1], [None, None, 2]],
           note="non-contiguous: 'A' means C order"),
        nd("B", [3, 1], "strided", strides=[1, 7],
           note="both C and F contiguous: extent-1 dim with stride 7"),
        nd("i", [1, 4], "strided", strides=[-16, 4], offset=16,
           note="extent-1 dim with a negative stride is still contiguous"),
        nd("d", [4], items=[nan, -0.0, inf, 1.0],
           note="NaN makes m == m false"),
        nd("f", [2, 2], items=[nan, -0.0, 0.0, -inf], note="'f' NaN, -0.0"),
        nd("e", [3], items=[nan, -0.0, 65504.0],
           note="'e' tolist raises NotImplementedError in 3.11"),
        nd(">d", [3], items=[nan, -0.0, -inf], note="'>d' NaN and -0.0"),
        nd("d", [2], items=[-0.0, 0.0], note="-0.0 == 0.0"),
        nd("i", [0, 3], note="zero in dim 0"),
        nd("i", [3, 0], note="zero in the last dim"),
        nd("I", [2, 0, 3], note="zero in the middle"),
        nd("b", [0, 0], note="zeros in every dim"),
        nd("q", [3, 0, 0, 2], note="zeros in two dims"),
        nd("h", [2, 0, 3], "F", note="zero in the middle, Fortran"),
        nd("B", [2, 0, 3], flags=["ND_PIL"], note="zero in the middle, PIL"),
        nd("d", [0, 3], flags=["ND_PIL"], note="zero in dim 0, PIL"),
        nd("e", [2, 0], note="'e' with zero shape: tolist gives [[], []]"),
        nd("e", [0], note="'e' empty 1-D"),
        nd("2h", [0], note="'2h' empty: tolist raises eagerly"),
        indirect("i", [2, 0, 3], [8, 24, 8], [0, -1, 0],
                 note="zero extent between two indirect dims"),
        indirect("i", [4], [8], [0], note="suboffset in the last (only) dim"),
        indirect("B", [3, 4], [32, 8], [-1, 0],
                 note="suboffset in the last dim"),
        indirect("Q", [2, 3], [-8, 16], [0, 0], readonly=False,
                 note="every dim indirect"),
        indirect("d", [2, 2, 3], [48, 24, -8], [-1, -1, 4],
                 note="suboffset in the last dim, negative stride"),
        indirect("h", [3], [-8], [0], note="indirect 1-D, negative stride"),
        indirect("h", [2, 2, 2], [16, -8, 8], [8, 0, 0],
                 note="three levels of pointers"),
        indirect("B", [2, 3], [8, -1], [2, -1],
                 slices=[[[None, None, None], [1, None, None]],
                         [[1, None, None]],
                         [[None, None, -1], [None, None, -1]]],
                 note="rows run backwards: suboffset covers the part below "
                      "index 0 (the valid form of edge case 20)"),
        indirect("f", [2, 3], [8, -3], [6, -1], readonly=False,
                 note="overlapping 'f' items behind pointers"),
        indirect("d", [3, 3], [8, 9], [0, -1],
                 note="stride not a multiple of the itemsize"),
        indirect("i", [4], [2], [-1], note="overlapping direct items"),
        nd(">d", [2, 2], "strided", strides=[-8, 16], offset=8,
           note="'>d' strided"),
        nd("2h", [3], note="'2h' items are pairs"),
        nd("hb", [2, 2], "F", note="'hb' Fortran"),
        nd("bi", [3], "strided", strides=[-16], offset=32,
           note="'bi' strided"),
        nd("?", [2, 3], items=[True, False, False, True, True, False],
           note="'?' with bytes 0/1 only"),
        indirect("?", [2, 3], [8, 1], [0, -1], note="'?' behind pointers"),
        nd("q", [4], "strided", strides=[0], note="zero stride"),
        nd("d", [3, 2], "strided", strides=[0, 8],
           note="zero stride in dim 0"),
        nd("B", [10], items=list(range(10)),
           slices=[[[-100, None, -1]], [[100, None, None]],
                   [[None, None, 1000]], [[None, None, -1000]],
                   [[0, 1, 0]]],
           note="out-of-range bounds, huge steps, step 0"),
    ]
    return specs


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------

def generate(seed, count, edge):
    """The whole vectors document."""
    rng = random.Random(seed)
    if edge:
        specs = edge_specs()
    else:
        specs = []
        for _ in range(count):
            if rng.random() < 0.22:
                spec = random_indirect_spec(rng)
                spec["kind"] = "ctypes_indirect"
            else:
                spec = random_ndarray_spec(rng)
                spec["kind"] = "ndarray"
            specs.append(spec)
    vectors = [make_vector("s%d-%d" % (seed, n), spec, rng)
               for n, spec in enumerate(specs)]
    return {"schema": SCHEMA,
            "generator": {"python": platform.python_version(), "seed": seed,
                          "count": len(vectors), "byteorder": sys.byteorder,
                          "sizeof_void_p": ctypes.sizeof(ctypes.c_void_p)},
            "vectors": vectors}


def main():
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--count", type=int, default=100,
                        help="number of random vectors (ignored with --edge)")
    parser.add_argument("--edge", action="store_true",
                        help="write the hand-picked edge cases instead")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    if sys.version_info[:2] != (3, 11) or sys.byteorder != "little" \
            or ctypes.sizeof(ctypes.c_void_p) != PTR:
        sys.exit("needs CPython 3.11 on a 64-bit little-endian machine")
    doc = generate(args.seed, args.count, args.edge)
    with open(args.out, "w", encoding="ascii") as f:
        json.dump(doc, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print("%d vectors written to %s" % (len(doc["vectors"]), args.out))


if __name__ == "__main__":
    main()
