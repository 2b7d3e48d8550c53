#!/usr/bin/env bash
# Runs the libFuzzer harnesses: Fuzz/run.sh TARGET SECONDS, or Fuzz/run.sh all SECONDS.
# Targets: yaml desired-state nginx-parse nginx-edit dns-message zone-file.
#
# Builds every harness once (-sanitize=fuzzer,address, linked with the toolchain's lld: the
# system gold cannot link Swift's entry point beside libFuzzer's), builds each target's seed
# corpus (Fuzz/seeds.py) and fuzzes for SECONDS, printing executions per second. Any crash,
# timeout or out-of-memory input is copied to Fuzz/Regressions/TARGET/, where the main test
# suite's FuzzRegressionTests replay it; the script then exits 1.
# Working corpora and artifacts live in fuzz-out/ (ignored by git), so runs build on each other.
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(yaml desired-state nginx-parse nginx-edit dns-message zone-file)
if (($# != 2)) || ! [[ "$2" =~ ^[0-9]+$ ]]; then
    echo "usage: Fuzz/run.sh TARGET|all SECONDS   (targets: ${all_targets[*]})" >&2
    exit 2
fi
if [[ "$1" == all ]]; then
    targets=("${all_targets[@]}")
elif [[ " ${all_targets[*]} " == *" $1 "* ]]; then
    targets=("$1")
else
    echo "unknown fuzz target '$1' (expected one of: ${all_targets[*]}, all)" >&2
    exit 2
fi
seconds=$2

swiftc_path=$(command -v swiftc)
scratch=.build-fuzz
mkdir -p "$scratch"
printf '{ "schemaVersion": "1.0", "linker": { "path": "%s" } }\n' "$(dirname "$swiftc_path")/ld.lld" >"$scratch/toolset.json"
build_harnesses() {
    swift build -c debug --package-path Fuzz --scratch-path "$scratch" --toolset "$PWD/$scratch/toolset.json" \
        -Xswiftc -sanitize=fuzzer,address >"$scratch/build.log" 2>&1
}
# A harness that does not build is a failure, never a run of an older binary. A source file
# of the main package removed since the last build stays in SwiftPM's cached build plan of
# this scratch folder ("missing inputs"): the plan is dropped and the build tried once more.
if ! build_harnesses; then
    if grep -q "because of missing inputs" "$scratch/build.log"; then
        rm -f "$scratch/debug.yaml" "$scratch/build.db"
        build_harnesses || failed=1
    else
        failed=1
    fi
    if [[ -n "${failed:-}" ]]; then
        grep -v "Cannot export local symbol" "$scratch/build.log" >&2 || true
        echo "Fuzz/run.sh: the harnesses did not build (see above)" >&2
        exit 1
    fi
fi
grep -v "Cannot export local symbol" "$scratch/build.log" || true
bin="$(swift build -c debug --package-path Fuzz --scratch-path "$scratch" --show-bin-path)"

# Swift's own crash reporter would spend many seconds symbolicating every crash libFuzzer
# provokes; libFuzzer and ASan report the stack themselves. Swift's runtime keeps metadata
# caches for the process's life, which LeakSanitizer would report as leaks.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"

found=0
for target in "${targets[@]}"; do
    harness="$bin/fuzz-$target"
    if [[ ! -x "$harness" ]]; then
        echo "the build did not produce $harness" >&2
        exit 1
    fi
    out="fuzz-out/$target"
    rm -rf "$out/seeds" "$out/artifacts"
    mkdir -p "$out/corpus" "$out/artifacts"
    python3 Fuzz/seeds.py "$target" "$out/seeds"
    status=0
    "$harness" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$out/artifacts/" "$out/corpus" "$out/seeds" \
        >"$out/log.txt" 2>&1 || status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/log.txt" | tail -1)
    elapsed=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$out/log.txt" | tail -1)
    if [[ -n "$runs" && -n "$elapsed" && "$elapsed" -gt 0 ]]; then
        echo "$target: $runs executions in ${elapsed}s, $((runs / elapsed)) exec/s, corpus $(ls "$out/corpus" | wc -l) inputs"
    else
        echo "$target: stopped early (exit $status), see $out/log.txt"
    fi
    shopt -s nullglob
    artifacts=("$out"/artifacts/*)
    shopt -u nullglob
    if ((status != 0 || ${#artifacts[@]} > 0)); then
        found=1
        mkdir -p "Fuzz/Regressions/$target"
        for artifact in "${artifacts[@]}"; do
            cp "$artifact" "Fuzz/Regressions/$target/"
            echo "$target: CRASH kept as Fuzz/Regressions/$target/$(basename "$artifact")"
        done
        grep -E "Fatal error|ERROR: |SUMMARY" "$out/log.txt" | head -5 || true
    fi
done
exit "$found"
