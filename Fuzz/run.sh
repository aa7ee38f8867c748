#!/usr/bin/env bash
# Builds the libFuzzer targets (Fuzz/Package.swift, with the fuzzer and address sanitizer, in Fuzz/.build) and runs
# each for a bounded time from its committed seed corpus (Fuzz/Corpus/<target>). New inputs go to a scratch folder,
# so the committed corpus only changes by hand. A crash, leak, timeout or failed property stops the run with the
# input that caused it; make that input a regression test and add it to the corpus.
#
#     bash Fuzz/run.sh                 # every target, 20 s each
#     bash Fuzz/run.sh 300 FuzzCSV     # one target, five minutes
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_EACH="${1:-20}"
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then TARGETS=(FuzzFilter FuzzJSON FuzzCSV FuzzYAML FuzzArtifactPath FuzzJSONSchema); fi

# ld.gold fails on the sanitizers' debug info; lld ships with the toolchain.
swift build --package-path "$ROOT/Fuzz" -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld
BIN="$(swift build --package-path "$ROOT/Fuzz" -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld --show-bin-path)"

SCRATCH="$(mktemp -d /tmp/steward-fuzz.XXXXXX)"
trap 'rm -rf "$SCRATCH"' EXIT
# Swift's own crash reporter re-enters the process under the address sanitizer; libFuzzer's report is enough.
export SWIFT_BACKTRACE=enable=no
for target in "${TARGETS[@]}"; do
    mkdir -p "$SCRATCH/$target"
    printf '\n==> %s (%s s)\n' "$target" "$SECONDS_EACH"
    if ! "$BIN/$target" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 \
        -artifact_prefix="$SCRATCH/$target-" "$SCRATCH/$target" "$ROOT/Fuzz/Corpus/$target" 2> "$SCRATCH/$target.log"; then
        grep -v '^#\|^INFO' "$SCRATCH/$target.log" | tail -n 60
        for found in "$SCRATCH/$target"-*; do
            [ -f "$found" ] && printf 'input %s (base64): %s\n' "$(basename "$found")" "$(base64 -w0 "$found")"
        done
        exit 1
    fi
    grep -E '^Done|stat::number_of_executed_units|stat::peak_rss_mb' "$SCRATCH/$target.log" || true
done
