#!/usr/bin/env python3
"""Generate oracle data for format equivalence: pairs of format strings and
whether CPython and NumPy say they lay out the same values the same way.

    python3 tests/cpython/gen_equivalence.py --seed 11 --count 4000 --out tests/data/format-equivalence.json

For each format, NumPy builds a dtype from the PEP 3118 text (the parser
behind ``np.array(memoryview)``, ``numpy._core._internal._dtype_from_pep3118``),
and the dtype is flattened into its scalars: (offset, kind, size, swapped),
with sub-arrays expanded, records opened and void (padding) bytes dropped.
The itemsize is CPython's ``struct.calcsize`` where the struct module reads
the format (NumPy pads a top-level native format to its alignment, which
``struct`` and PEP 3118 do not: ``calcsize('dx')`` is 9, NumPy says 16),
and NumPy's for single ``T{...}`` records, where both follow C. Formats that
are neither are not generated.

Two formats are equivalent when their itemsizes and flattened scalars are
equal. Two translations state the crate's documented rule where NumPy has
no opinion: a bytes string (``c``, ``Ns``; NumPy's ``S``) is N unsigned
bytes, and a complex number is one scalar of kind complex whose ``size`` is
per part (so ``Zf`` is never ``2f``, as in NumPy).

Pairs come from a random base format and variants of it that are often
equivalent (names dropped or added, counts expanded, sub-array shapes
turned into counts, same-sized codes swapped, ``<``/``=``/``@`` exchanged,
padding spelled out, records wrapped) and variants that are often not (one
code resized or changed in kind, a byte added, one byte order flipped, the
alignment mode changed). Which pairs are equivalent is decided only by the
oracle above. ``tests/equivalence.rs`` checks ``Format::equivalent`` against
every pair.

It also records what NumPy exports (``memoryview(array).format``) for random
struct dtypes, packed and aligned, with the itemsize and the same scalars
written as an explicit standard-mode format: the test parses each export to
NumPy's itemsize and finds it equivalent to the explicit form.
"""
import argparse
import json
import random
import struct
import sys

import numpy as np
from numpy._core._internal import _dtype_from_pep3118

# NumPy reads neither N nor P; n and g have no standard size.
NATIVE_ONLY = "ng"
CODES = "bBhHiIlLqQnefd?cs"
EXTENSIONS = ["Zf", "Zd", "g", "w"]
# Codes of the same kind and size, in native mode on x86-64 Linux.
SAME = [set("lqn"), set("LQ"), set("cB")]


def rand_item(rng, standard, depth):
    """One item: [count]code[:name:], or a record, or padding."""
    r = rng.random()
    if r < 0.08 and depth < 2:
        inner = rand_items(rng, standard, depth + 1, rng.randint(1, 3))
        count = str(rng.randint(1, 2)) if rng.random() < 0.2 else ""
        return count + "T{" + inner + "}"
    if r < 0.15:
        return (str(rng.randint(1, 4)) if rng.random() < 0.5 else "") + "x"
    codes = [c for c in CODES if not (standard and c in NATIVE_ONLY)]
    if rng.random() < 0.15:
        code = rng.choice([e for e in EXTENSIONS if not (standard and e == "g")])
    else:
        code = rng.choice(codes)
    text = code
    c = rng.random()
    if c < 0.2:
        text = str(rng.randint(1, 4)) + code
    elif c < 0.3 and code != "s":
        dims = [rng.randint(1, 3) for _ in range(rng.randint(1, 2))]
        text = "(" + ",".join(map(str, dims)) + ")" + code
    if rng.random() < 0.2:
        text = rng.choice("<>=") + text if not (set(code) & set(NATIVE_ONLY)) else text
    if rng.random() < 0.4:
        text += ":" + rng.choice("abxyz") + str(rng.randint(0, 9)) + ":"
    return text


def rand_items(rng, standard, depth, n):
    return "".join(rand_item(rng, standard, depth) for _ in range(n))


def rand_format(rng):
    prefix = rng.choice(["", "", "@", "=", "<", ">", "^"])
    standard = prefix in "=<>"
    body = rand_items(rng, standard, 0, rng.randint(1, 4))
    if rng.random() < 0.5:
        return prefix + "T{" + body + "}"
    return prefix + body


def struct_size(fmt):
    try:
        return struct.calcsize(fmt)
    except struct.error:
        return None


def flatten(dt, base, out):
    if dt.subdtype is not None:
        sub, shape = dt.subdtype
        n = int(np.prod(shape))
        for k in range(n):
            flatten(sub, base + k * sub.itemsize, out)
        return
    if dt.names is not None:
        for name in dt.names:
            fdt, off = dt.fields[name][:2]
            flatten(fdt, base + off, out)
        return
    kind, size = dt.kind, dt.itemsize
    if kind == "V":
        return
    if kind == "O":
        raise ValueError("objects")
    if kind == "S":
        out.extend((base + k, "u", 1, False) for k in range(size))
        return
    if kind == "U":
        out.extend((base + 4 * k, "U", 4, not dt.isnative) for k in range(size // 4))
        return
    part = size // 2 if kind == "c" else size
    out.append((base, kind, part, part > 1 and not dt.isnative))


def describe(fmt):
    """(itemsize, scalars) by the oracle, or None where it has no answer."""
    try:
        dt = _dtype_from_pep3118(fmt)
    except Exception:
        return None
    size = struct_size(fmt)
    if size is None:
        body = fmt.lstrip("@=<>!^")
        if not (body.startswith("T{") and body.endswith("}")):
            return None
        size = dt.itemsize
        # A single top-level record: everything must be inside it.
        depth = 0
        for k, ch in enumerate(body[1:], 1):
            depth += ch == "{"
            depth -= ch == "}"
            if depth == 0 and k != len(body) - 1:
                return None
    atoms = []
    try:
        flatten(dt, 0, atoms)
    except ValueError:
        return None
    if any(offset + s * (2 if kind == "c" else 1) > size for offset, kind, s, _ in atoms):
        return None
    return size, atoms


def strip_names(fmt):
    out, skip = [], False
    for ch in fmt:
        if ch == ":":
            skip = not skip
            continue
        if not skip:
            out.append(ch)
    return "".join(out)


def variants(rng, fmt):
    """Formats likely equivalent to fmt, and formats likely not."""
    out = [strip_names(fmt)]
    plain = strip_names(fmt)
    # Counts expanded: 3B -> BBB (not for s, where the count is a width).
    expanded, k = [], 0
    while k < len(plain):
        j = k
        while j < len(plain) and plain[j].isdigit():
            j += 1
        if j > k and j < len(plain) and plain[j] in "bBhHiIlLqQnefd?cx" and (k == 0 or plain[k - 1] not in "(,"):
            expanded.append(plain[j] * int(plain[k:j]))
            k = j + 1
        else:
            expanded.append(plain[k])
            k += 1
    out.append("".join(expanded))
    # Sub-array shapes as counts.
    shaped = plain
    while "(" in shaped:
        a = shaped.index("(")
        b = shaped.index(")", a)
        dims = [int(d) for d in shaped[a + 1 : b].split(",")]
        n = 1
        for d in dims:
            n *= d
        shaped = shaped[:a] + str(n) + shaped[b + 1 :]
    out.append(shaped)
    # Same-sized codes.
    for group in SAME:
        swapped = "".join(rng.choice(sorted(group)) if ch in group else ch for ch in plain)
        out.append(swapped)
    # Prefixes exchanged.
    body = plain.lstrip("@=<>!^")
    for prefix in ["", "@", "=", "<", ">", "^"]:
        out.append(prefix + body)
    # Wrapped in a record, or unwrapped.
    out.append("T{" + plain + "}")
    if plain.startswith("T{") and plain.endswith("}"):
        out.append(plain[2:-1])
    # Padding spelled out, from the oracle's own offsets, in standard mode.
    described = describe(fmt)
    if described is not None:
        out.append(explicit(*described))
    # Likely different: one code changed, a byte added, one order flipped.
    positions = [k for k, ch in enumerate(plain) if ch in "bBhHiIqQefd?"]
    if positions:
        k = rng.choice(positions)
        for other in rng.sample("bBhHiIqQefd?", 3):
            out.append(plain[:k] + other + plain[k + 1 :])
        out.append(plain[:k] + ">" + plain[k:])
        out.append(plain[:k] + "x" + plain[k:])
    return out


CODE_OF = {("i", 1): "b", ("u", 1): "B", ("i", 2): "h", ("u", 2): "H", ("i", 4): "i", ("u", 4): "I",
           ("i", 8): "q", ("u", 8): "Q", ("f", 2): "e", ("f", 4): "f", ("f", 8): "d", ("b", 1): "?",
           ("c", 4): "Zf", ("c", 8): "Zd", ("U", 4): "w"}


def explicit(size, atoms):
    """The atoms as a standard-mode format with explicit padding."""
    parts, at = [], 0
    little = sys.byteorder == "little"
    for offset, kind, s, swapped in atoms:
        code = CODE_OF.get((kind, s))
        if code is None:
            return "T{g}"  # long double has no standard size: skip
        parts.append("x" * (offset - at))
        order = "<" if little != swapped else ">"
        parts.append(order + code)
        at = offset + s * (2 if kind == "c" else 1)
    parts.append("x" * (size - at))
    return "T{=" + "".join(parts) + "}"


SCALARS = ["u1", "i1", "?", "u2", "i2", "f2", "u4", "i4", "f4", "u8", "i8", "f8", "c8", "c16", "S3", "U2"]


def rand_dtype(rng, depth=0):
    """A random struct dtype: scalars of either byte order, sub-arrays and
    nested structs, packed or aligned as C would lay it out."""
    fields = []
    for k in range(rng.randint(1, 4)):
        if depth < 2 and rng.random() < 0.2:
            sub = rand_dtype(rng, depth + 1)
        else:
            code = rng.choice(SCALARS)
            sub = np.dtype(code if code[0] in "u?iS" and code.endswith("1") or code[0] == "S" else rng.choice("<>") + code)
        if rng.random() < 0.15:
            sub = np.dtype((sub, (rng.randint(1, 3),)))
        fields.append(("f%d" % k, sub))
    return np.dtype(fields, align=rng.random() < 0.5)


def numpy_exports(rng, count):
    """What NumPy exports for random struct dtypes: the format text, the
    itemsize, and the same scalars as an explicit standard-mode format."""
    out = []
    while len(out) < count:
        dt = rand_dtype(rng)
        text = memoryview(np.zeros(1, dt)).format
        atoms, read_back = [], []
        flatten(dt, 0, atoms)
        back = _dtype_from_pep3118(text)
        flatten(back, 0, read_back)
        if (back.itemsize, read_back) != (dt.itemsize, atoms):
            # NumPy's export does not describe the dtype as NumPy itself
            # reads it back (a packed struct inside an aligned one can lose
            # its trailing padding): no authority to test against.
            continue
        out.append({"format": text, "itemsize": dt.itemsize, "explicit": explicit(dt.itemsize, atoms)})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--count", type=int, default=4000)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    seen = set()
    pairs = []
    while len(pairs) < args.count:
        base = rand_format(rng)
        a = describe(base)
        if a is None:
            continue
        for other in variants(rng, base):
            if (base, other) in seen or len(pairs) >= args.count:
                continue
            b = describe(other)
            if b is None:
                continue
            seen.add((base, other))
            pairs.append({"a": base, "b": other, "equivalent": a == b})
    same = sum(p["equivalent"] for p in pairs)
    exports = numpy_exports(rng, args.count // 8)
    with open(args.out, "w") as f:
        json.dump(
            {"python": "%d.%d" % sys.version_info[:2], "numpy": np.__version__, "byteorder": sys.byteorder,
             "seed": args.seed, "pairs": pairs, "numpy_exports": exports},
            f, indent=0)
        f.write("\n")
    print(f"{len(pairs)} pairs, {same} equivalent, {len(pairs) - same} not; {len(exports)} NumPy exports")


if __name__ == "__main__":
    main()
