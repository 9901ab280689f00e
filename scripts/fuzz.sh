#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 600), starting from the
# committed seeds in fuzz/seeds/ and keeping the corpus in fuzz/corpus/.
# Needs nightly and cargo-fuzz (`cargo install cargo-fuzz`).
#   scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds=${1:-600}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(format_parse layout_access slice_chain copy_roundtrip flags_request)
fi
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target"
    echo "== fuzzing $target for ${seconds}s"
    cargo +nightly fuzz run -O "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$seconds" -print_final_stats=1 2>&1 | grep -E "stat::|Done|ERROR|panicked|SUMMARY" || true
    # libFuzzer exits non-zero on a finding; fail the script then.
    if ls "artifacts/$target"/crash-* "artifacts/$target"/leak-* "artifacts/$target"/timeout-* >/dev/null 2>&1; then
        echo "findings in fuzz/artifacts/$target" >&2
        exit 1
    fi
done
