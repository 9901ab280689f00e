#!/usr/bin/env bash
# The buffer protocol's fixed cost on NumPy arrays, counted in instructions
# (callgrind: the counts do not depend on the machine's load). For a copy
# of two 4-item float64 arrays it prints, per call: NumPy's whole
# `np.copyto(d, v)`; the two `PyObject_GetBuffer` calls on `d` and `v`
# that every buffer consumer must make (memoryview too); and `mview.copyto`.
# Needs valgrind, NumPy and the module (`pip install ./python`).
#   scripts/buffer_floor.sh
set -euo pipefail
py=$(python3 -c 'import sys; print(sys.executable)')  # not a pyenv shim
calls=20000
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/loop.py" <<PY
import sys
import numpy as np
import mview
v = np.arange(4.0)
d = np.empty_like(v)
f = {"numpy": lambda: np.copyto(d, v), "mview": lambda: mview.copyto(d, v)}[sys.argv[1]]
for _ in range(200):
    f()
for _ in range($calls):
    f()
PY
count() {  # inclusive instructions per call of the function named $2 in run $1
    callgrind_annotate --inclusive=yes "$work/$1.out" 2>/dev/null |
        awk -v f="$2" -v n=$((calls + 200)) '$0 ~ f && $0 !~ /\x27/ {gsub(",", "", $1); printf "%d\n", $1 / n; exit}'
}
for run in numpy mview; do
    OPENBLAS_NUM_THREADS=1 valgrind --tool=callgrind --callgrind-out-file="$work/$run.out" \
        "$py" "$work/loop.py" "$run" >/dev/null 2>&1
done
echo "instructions per call, 4-item float64 arrays:"
echo "  np.copyto(d, v), all of it:               $(count numpy ':array_copyto ')"
echo "  the two PyObject_GetBuffer calls (NumPy): $(count mview 'abstract.c:PyObject_GetBuffer( |$)')"
echo "  mview.copyto(d, v), all of it:            $(count mview 'memoryview::python::transfer::copyto ')"
