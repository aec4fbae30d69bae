#!/usr/bin/env bash
# Runs each libFuzzer target of tests/fuzz for RUNS inputs, starting from its seeds
# (tests/fuzz/corpus/TARGET) and what earlier runs kept (BUILD_DIR/fuzz-corpus/TARGET, where new
# inputs go). A crash, sanitizer report, hang or leak leaves its input in
# BUILD_DIR/fuzz-artifacts/TARGET/; every target runs, and the script fails if any of them did.
#   usage: scripts/fuzz.sh BUILD_DIR RUNS [TARGET...]
# FUZZ_SEED: libFuzzer's -seed (default 0, a different one each run; CI's smoke run fixes it).
set -euo pipefail
cd "$(dirname "$0")/.."
build=$1
runs=$2
shift 2
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for binary in "$build"/fuzz/fuzz_*; do targets+=("${binary##*/fuzz_}"); done
fi
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# The targets write every input to a file (tests/fuzz/fuzz_input.cpp); in memory that costs a
# tenth of what it costs on disk.
if [ -z "${TMPDIR:-}" ] && [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi

failed=()
for target in "${targets[@]}"; do
  corpus="$build/fuzz-corpus/$target"
  artifacts="$build/fuzz-artifacts/$target/"
  log="$build/fuzz-logs/$target.log"
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  start=$SECONDS
  if "$build/fuzz/fuzz_$target" -runs="$runs" -seed="${FUZZ_SEED:-0}" -timeout=10 \
      -dict=tests/fuzz/overseer.dict -artifact_prefix="$artifacts" -print_final_stats=1 \
      "$corpus" "tests/fuzz/corpus/$target" > "$log" 2>&1; then
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "fuzz $target: ok, $execs inputs in $((SECONDS - start)) s"
  else
    echo "fuzz $target: FAILED after $((SECONDS - start)) s; the end of $log:"
    tail -n 40 "$log"
    echo "reproduce: $build/fuzz/fuzz_$target $(ls -t "$artifacts" | head -n 1 | sed "s|^|$artifacts|")"
    failed+=("$target")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failed: ${failed[*]}"
  exit 1
fi
