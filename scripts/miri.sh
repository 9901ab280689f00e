#!/usr/bin/env bash
# Runs the test suite under Miri (nightly), which checks every unsafe
# access for undefined behaviour. Property tests scale themselves down
# under cfg(miri), and tests marked #[cfg_attr(miri, ignore)] (large
# buffers, and the CPython vector files, which take hours interpreted)
# are skipped. Isolation is off so that tests can read their data files.
# The SIMD kernels and huge-page advice are compiled out under Miri; the
# portable kernels run instead. The ndarray bridge is built in, so that its
# conversions (ndarray's raw-pointer constructors) are checked too.
#
# Without arguments, the unit tests (with the doctests) and the
# integration tests run at the same time, each group in its own target
# directory, one per core: Miri interprets on one thread, and the two
# groups take about the same time (3–4 minutes each here).
#   scripts/miri.sh [extra cargo test args]
set -euo pipefail
cd "$(dirname "$0")/.."
export MIRIFLAGS="${MIRIFLAGS:--Zmiri-strict-provenance -Zmiri-disable-isolation}"
miri_test() { cargo +nightly miri test --no-default-features --features rayon,ndarray "$@"; }
if [ $# -gt 0 ]; then
    miri_test "$@"
    exit
fi
log=$(mktemp -d)
(CARGO_TARGET_DIR=target/miri-unit miri_test --lib && CARGO_TARGET_DIR=target/miri-unit miri_test --doc) \
    >"$log/unit" 2>&1 &
unit=$!
status=0
CARGO_TARGET_DIR=target/miri-integration miri_test --test '*' >"$log/integration" 2>&1 || status=$?
wait "$unit" || status=$?
for group in unit integration; do
    echo "-- Miri: $group tests"
    grep -E "^(test |test result|error|thread '.*' panicked)|Undefined Behavior|^\s+Running" "$log/$group" || true
done
if [ "$status" -ne 0 ]; then
    echo "Miri failed; full logs in $log" >&2
    cat "$log/unit" "$log/integration" >&2
    exit "$status"
fi
rm -r "$log"
