#!/usr/bin/env bash
# Cost of one ask + tell, side by side in one run (issue 5): Overseer's bayes searcher (gp and rf
# surrogates; bench/search_bench.cpp, Google Benchmark) against Optuna 3.1's TPE (Debian
# python3-optuna; bench/peers/optuna_ask_cost.py) on Hartmann6, once each holds 100 and 1,000
# results of its own sequential search.
#   Overseer: BM_BayesAskTell/SURROGATE/history:N/in_flight:K runs N trials, then times the next
#   max(50, N/10) steps (ask, evaluate, tell): at least one whole hyperparameter refit period, so
#   the mean includes the refits. in_flight:8 keeps 8 trials pending, as a parallel run does.
#   Optuna: a study of 1,100 trials, timing ask (with the suggest calls, where TPE samples) and
#   tell of trials 100-149 and 1000-1099.
# Both single-threaded. Wall-clock and CPU time are both reported: on a shared machine the CPU
# time is the steadier figure.
#
# Usage: bench/search_cost.sh [BUILD_DIR]
# Environment: RESULTS=DIR keeps the raw outputs (overseer.json, optuna.json).
# About 3 minutes on 2 cores.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
bench=$build/bin/overseer_bench
python=/usr/bin/python3

# shellcheck source=peer_packages.sh
. "$here/peer_packages.sh"
install_python_peers "$python" optuna:python3-optuna
if [ ! -x "$bench" ]; then
  echo "search_cost.sh: no $bench (build first, or pass BUILD_DIR)" >&2
  exit 2
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
out=${RESULTS:-$scratch}
mkdir -p "$out"

"$bench" --benchmark_filter=BM_BayesAskTell --benchmark_format=json >"$out/overseer.json"
"$python" "$here/peers/optuna_ask_cost.py" --windows 100:150,1000:1100 >"$out/optuna.json"

"$python" - "$out/overseer.json" "$out/optuna.json" <<'PY'
import json, sys
overseer = json.load(open(sys.argv[1]))["benchmarks"]
optuna = json.loads(open(sys.argv[2]).read())["windows"]
print("| searcher | results held | in flight | mean ask + tell (wall) | (CPU) | slowest (wall) |")
print("|---|---:|---:|---:|---:|---:|")
for b in overseer:
    _, surrogate, history, in_flight = b["name"].split("/")[:4]
    history, in_flight = history.split(":")[1], in_flight.split(":")[1]
    print(f"| Overseer bayes ({surrogate}) | {history} | {in_flight} | {b['real_time']:.2f} ms | "
          f"{b['cpu_time']:.2f} ms | {b['slowest_ms']:.1f} ms |")
for first, w in optuna.items():
    print(f"| Optuna TPE | {first} | 0 | {w['mean_ms']:.2f} ms (median {w['median_ms']:.2f}) | "
          f"{w['mean_cpu_ms']:.2f} ms | {w['slowest_ms']:.1f} ms |")
PY
