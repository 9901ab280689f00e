#!/usr/bin/env bash
# Runs the test suite under Miri (nightly), which checks every unsafe
# access for undefined behaviour. Property tests scale themselves down
# under cfg(miri), the CPython conformance test samples every 25th vector,
# and tests marked #[cfg_attr(miri, ignore)] (large buffers) are skipped.
# Isolation is off so that the conformance test can read its data files.
# The SIMD kernels and huge-page advice are compiled out under Miri; the
# portable kernels run instead.
#   scripts/miri.sh [extra cargo test args]
set -euo pipefail
cd "$(dirname "$0")/.."
export MIRIFLAGS="${MIRIFLAGS:--Zmiri-strict-provenance -Zmiri-disable-isolation}"
cargo +nightly miri test --no-default-features --features rayon "$@"
