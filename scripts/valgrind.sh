#!/usr/bin/env bash
# Runs the Python bridge's embedded-CPython tests (tests/python_bridge)
# under valgrind memcheck: every buffer taken, exported, copied and
# released, with NumPy and _testbuffer on the other side. FFI code cannot
# run under Miri; this is its check for invalid reads and writes, uses of
# uninitialised memory and leaks (definite leaks fail the run; CPython
# keeps its own objects until exit, reported as reachable).
#
# CPython's allocator is switched to malloc so that memcheck sees every
# object; scripts/valgrind-python.supp silences errors inside CPython and
# ld.so themselves (see its header). About 3 minutes here.
#   scripts/valgrind.sh [test name filter]
set -euo pipefail
cd "$(dirname "$0")/.."
LD_LIBRARY_PATH="$(python3 -c 'import sysconfig; print(sysconfig.get_config_var("LIBDIR"))')${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export LD_LIBRARY_PATH
binary=$(cargo test --features python --test python_bridge --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "python_bridge" and m.get("executable"):
        print(m["executable"])')
log=$(mktemp)
status=0
PYTHONMALLOC=malloc valgrind --tool=memcheck --error-exitcode=9 --leak-check=full \
    --errors-for-leak-kinds=definite --show-leak-kinds=definite --num-callers=40 \
    --suppressions=scripts/valgrind-python.supp \
    "$binary" --test-threads=1 "$@" >"$log" 2>&1 || status=$?
grep -E "^test |test result|ERROR SUMMARY|definitely lost" "$log" || true
if [ "$status" -ne 0 ]; then
    echo "valgrind found errors (exit $status); full log in $log" >&2
    exit "$status"
fi
rm "$log"
