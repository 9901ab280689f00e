#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 600), starting from the
# committed seeds in fuzz/seeds/ and keeping the corpus in fuzz/corpus/.
# Targets that parse text (format_parse) take inputs up to 64 KiB
# (-max_len=65536), so that deep nesting and long formats are reached;
# the others keep libFuzzer's default. Needs nightly and cargo-fuzz
# (`cargo install cargo-fuzz`).
#   scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds=${1:-600}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(format_parse layout_access slice_chain fixed_chain copy_roundtrip flags_request)
fi
log=$(mktemp)
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target"
    echo "== fuzzing $target for ${seconds}s"
    status=0
    max_len=()
    case "$target" in
        format_parse) max_len=(-max_len=65536) ;;
    esac
    cargo +nightly fuzz run -O "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$seconds" -print_final_stats=1 "${max_len[@]}" >"$log" 2>&1 || status=$?
    grep -E "stat::|Done|ERROR|panicked|SUMMARY" "$log" || true
    # A build failure or a finding (libFuzzer exits non-zero on one) fails
    # the script.
    if [ "$status" -ne 0 ] ||
        ls "artifacts/$target"/crash-* "artifacts/$target"/leak-* "artifacts/$target"/timeout-* >/dev/null 2>&1; then
        tail -n 60 "$log" >&2
        echo "fuzz target $target failed (exit $status); findings, if any, in fuzz/artifacts/$target" >&2
        exit 1
    fi
done
