#!/usr/bin/env bash
# End-to-end trials per second for zero-length tasks (bench/zero-tasks.json), side by side for
# the journal's two fsync policies, one process and under mpirun.
# Usage: bench/dispatch.sh [build/bin/overseer] [budget]
set -euo pipefail
overseer=${1:-build/bin/overseer}
budget=${2:-20000}
campaign=$(dirname "$0")/zero-tasks.json
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi

measure() {  # label, fsync, local worker threads, launcher...
  local label=$1 fsync=$2 workers=$3
  shift 3
  local out="$scratch/$label-$fsync"
  local start end
  start=$(date +%s.%N)
  "$@" "$overseer" run "$campaign" --out "$out" --log-level warn \
    --workers "$workers" --set search.budget="$budget" --set output.fsync="$fsync"
  end=$(date +%s.%N)
  awk -v l="$label" -v f="$fsync" -v n="$budget" -v s="$start" -v e="$end" \
    'BEGIN { printf "%-28s fsync=%-6s %7d trials %7.2f s %9.0f trials/s\n", l, f, n, e - s, n / (e - s) }'
}

for fsync in always group; do
  measure "in-process, 1 worker" "$fsync" 1 env
  measure "in-process, 3 workers" "$fsync" 3 env
  measure "mpirun -np 2 (1 worker)" "$fsync" 1 mpirun --oversubscribe -np 2
  measure "mpirun -np 4 (3 workers)" "$fsync" 1 mpirun --oversubscribe -np 4
done
