#!/usr/bin/env bash
# No-op dispatch, side by side in one run: Overseer's full `overseer run` path (searcher,
# balancer, journal with group commit) against mpi4py.futures.MPIPoolExecutor, a minimal
# mpi4py request/reply loop (with buffers, and with pickled objects), a minimal C++ MPI
# master/worker loop and a 200-byte MPI ping-pong.
# Every figure is the median of 3 launches, timed inside the program (start-up excluded).
# Usage: bench/dispatch.sh [BUILD_DIR] [TASKS]
set -euo pipefail
build=${1:-build}
tasks=${2:-20000}
here=$(cd "$(dirname "$0")" && pwd)
python=/usr/bin/python3
# shellcheck source=peer_packages.sh
. "$here/peer_packages.sh"
install_python_peers "$python" mpi4py:python3-mpi4py
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

# Trials per second between the journal's start and end records.
overseer_rate() {
  local np=$1 out="$scratch/run-$RANDOM"
  mpirun --oversubscribe -np "$np" "$build/bin/overseer" run "$here/zero-tasks.json" --out "$out" \
    --log-level warn --set search.budget="$tasks" --set output.fsync=group
  "$python" - "$out/journal.jsonl" "$tasks" <<'PY'
import json, sys
records = [json.loads(line) for line in open(sys.argv[1])]
start = next(r["time"] for r in records if r["event"] == "start")
end = next(r["time"] for r in records if r["event"] == "end")
print(f"{int(sys.argv[2]) / (end - start):.0f}")
PY
}

three() { for _ in 1 2 3; do "$@"; done | median; }

printf '| ranks | overseer run (tasks/s) | mpi4py.futures | mpi4py loop, buffers | mpi4py loop, objects | C++ MPI master/worker | overseer per task | C++ per task | ping-pong RTT |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
for np in 2 3; do
  o=$(three overseer_rate "$np")
  f=$(three mpirun --oversubscribe -np "$np" "$python" -m mpi4py.futures "$here/peers/mpi4py_futures.py" "$tasks")
  l=$(three mpirun --oversubscribe -np "$np" "$python" "$here/peers/mpi4py_loop.py" "$tasks")
  b=$(three mpirun --oversubscribe -np "$np" "$python" "$here/peers/mpi4py_loop.py" "$tasks" objects)
  c=$(three mpirun --oversubscribe -np "$np" "$build/bin/mpi_master_worker" dispatch "$tasks")
  p=$(three mpirun --oversubscribe -np "$np" "$build/bin/mpi_master_worker" pingpong 20000)
  awk -v np="$np" -v o="$o" -v f="$f" -v l="$l" -v b="$b" -v c="$c" -v p="$p" 'BEGIN {
    printf "| %d | %d | %d | %d | %d | %d | %.1f us | %.2f us | %.2f us |\n", np, o, f, l, b, c, 1e6 / o, 1e6 / c, p }'
done
