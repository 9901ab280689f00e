#!/usr/bin/env python3
"""Generate struct-module oracle data: random format strings and what
CPython's struct.calcsize says of them (a size, or an error).

    python3 tests/cpython/gen_formats.py --seed 5 --count 3000 --out tests/data/struct-formats.json

The strings mix valid codes, byte-order prefixes (first or elsewhere),
counts (including huge ones), whitespace in allowed and disallowed places,
and characters the grammar does not know, so both acceptance and refusal
are exercised. ``tests/formats.rs`` checks memoryview's
``size_from_format`` against every entry.
"""
import argparse
import json
import random
import struct

CODES = "xcbB?hHiIlLqQnNefdspP"
NOISE = "T{}():Zgwu^aO%é"
PREFIXES = "@=<>!"


def random_format(rng):
    parts = []
    if rng.random() < 0.6:
        parts.append(rng.choice(PREFIXES))
    for _ in range(rng.randint(0, 6)):
        r = rng.random()
        if r < 0.05:
            parts.append(rng.choice(NOISE))
            continue
        if r < 0.10:
            parts.append(rng.choice(PREFIXES))
            continue
        if r < 0.15:
            parts.append(rng.choice(" \t\n"))
        count = ""
        c = rng.random()
        if c < 0.3:
            count = str(rng.randint(0, 12))
        elif c < 0.33:
            count = str(rng.randint(0, 2**70))
        if count and rng.random() < 0.05:
            count += " "
        parts.append(count + rng.choice(CODES))
    if rng.random() < 0.05:
        parts.append(str(rng.randint(0, 9)))
    return "".join(parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--count", type=int, default=3000)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    seen = set()
    cases = []
    while len(cases) < args.count:
        fmt = random_format(rng)
        if fmt in seen:
            continue
        seen.add(fmt)
        try:
            cases.append({"format": fmt, "size": struct.calcsize(fmt)})
        except (struct.error, UnicodeEncodeError) as e:
            # Non-ASCII text is refused before parsing (UnicodeEncodeError).
            cases.append({"format": fmt, "error": str(e) if isinstance(e, struct.error) else "non-ASCII"})
    with open(args.out, "w") as f:
        json.dump({"python": "3.11", "seed": args.seed, "cases": cases}, f, indent=0, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
