#!/usr/bin/env bash
# Builds the libFuzzer targets (Fuzz/Package.swift, with the fuzzer and address sanitizer, in Fuzz/.build) and runs
# each for a bounded time from its committed seed corpus (Fuzz/Corpus/<target>). New inputs go to a scratch folder,
# so the committed corpus only changes by hand. A crash, leak, timeout or failed property stops the run with the
# input that caused it (kept in the scratch folder, and printed in base64); make that input a regression test and
# add it to the corpus.
#
#     bash Fuzz/run.sh                        # every target, 20 s each, seed 1
#     bash Fuzz/run.sh 10                     # every target, 10 s each (what the test command runs)
#     bash Fuzz/run.sh 300 FuzzCSV            # one target, five minutes
#     STEWARD_FUZZ_SEED=0 bash Fuzz/run.sh    # a new random seed each run (0), for longer searches
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_EACH="${1:-20}"
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then TARGETS=(FuzzFilter FuzzJSON FuzzCSV FuzzYAML FuzzArtifactPath FuzzJSONSchema); fi
# A fixed seed keeps the test command's short runs repeatable: the same change finds the same inputs.
SEED="${STEWARD_FUZZ_SEED:-1}"

# Every Swift module and every C one (libyaml, through Yams) instrumented; ld.gold fails on the sanitizers' debug
# info, so the toolchain's lld links.
FLAGS=(--package-path "$ROOT/Fuzz" -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address -Xswiftc -use-ld=lld)
swift build "${FLAGS[@]}"
BIN="$(swift build "${FLAGS[@]}" --show-bin-path)"

SCRATCH="$(mktemp -d /tmp/steward-fuzz.XXXXXX)"
FAILED=""
trap '[ -n "$FAILED" ] || rm -rf "$SCRATCH"' EXIT
# The targets' own temporary files (table files) go to the scratch folder too.
mkdir -p "$SCRATCH/tmp"
export TMPDIR="$SCRATCH/tmp"
# Swift's own crash reporter re-enters the process under the address sanitizer; libFuzzer's report is enough.
export SWIFT_BACKTRACE=enable=no
for target in "${TARGETS[@]}"; do
    mkdir -p "$SCRATCH/$target"
    printf '\n==> %s (%s s, seed %s)\n' "$target" "$SECONDS_EACH" "$SEED"
    if ! "$BIN/$target" -seed="$SEED" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$SCRATCH/$target-" "$SCRATCH/$target" "$ROOT/Fuzz/Corpus/$target" \
        2> "$SCRATCH/$target.log"; then
        FAILED=1
        grep -v '^#[0-9]\|^INFO' "$SCRATCH/$target.log" | tail -n 200 || true
        for found in "$SCRATCH/$target"-*; do
            if [ -f "$found" ]; then printf 'input %s (base64): %s\n' "$found" "$(base64 -w0 "$found")"; fi
        done
        printf '%s failed; its log and input are kept in %s\n' "$target" "$SCRATCH"
        exit 1
    fi
    grep -E '^Done|stat::number_of_executed_units|stat::peak_rss_mb' "$SCRATCH/$target.log" || true
done
