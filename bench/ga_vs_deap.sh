#!/usr/bin/env bash
# GA search quality, side by side in one run (issue 5): DEAP's eaSimple (Debian python3-deap,
# bench/peers/deap_easimple.py) against Overseer's `ga` at the same settings and budget, in both
# of its modes, on Branin (2-D), Hartmann6 (6-D) and Rosenbrock-10 (10-D).
# Both sides read the space and the GA options from the same campaign file (written below), and
# evaluate sequentially: Overseer runs in-process with one worker. For each function and budget
# the table gives the median and interquartile range over the seeds of the best value found
# within that many evaluations. The figures are solution quality, not timings. At budget 20
# (= POPULATION) both sides have only drawn their random initial population, so the gap there is
# the luck of the draw over these seeds: a yardstick for the gaps at the other budgets.
#
# Usage: bench/ga_vs_deap.sh [BUILD_DIR]
#   BUILD_DIR defaults to build.
# Environment (defaults): SEEDS=100 BUDGETS="20 25 50 100 200" POPULATION=20
#   FUNCTIONS="branin hartmann6 rosenbrock" MODES="generational steady_state"
#   GA_OPTIONS='"cx_prob":0.5,"mut_prob":0.2,"mut_indpb":0.2,"cx_indpb":0.5,"tournsize":3'
# About two minutes on 2 cores at the defaults.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
seeds=${SEEDS:-100}
budgets=${BUDGETS:-20 25 50 100 200}
population=${POPULATION:-20}
functions=${FUNCTIONS:-branin hartmann6 rosenbrock}
modes=${MODES:-generational steady_state}
ga_options=${GA_OPTIONS:-'"cx_prob":0.5,"mut_prob":0.2,"mut_indpb":0.2,"cx_indpb":0.5,"tournsize":3'}
python=/usr/bin/python3
overseer=$build/bin/overseer
max_budget=$(printf '%s\n' $budgets | sort -n | tail -1)

if [ ! -x "$overseer" ]; then
  echo "ga_vs_deap.sh: no $overseer (build first, or pass BUILD_DIR)" >&2
  exit 2
fi
# shellcheck source=peer_packages.sh
. "$here/peer_packages.sh"
install_python_peers "$python" deap:python3-deap

space() {  # FUNCTION: the search space, as the usual benchmark domains
  local n lower upper
  case $1 in
    branin) echo '[{"name":"x1","type":"float","lower":-5,"upper":10},{"name":"x2","type":"float","lower":0,"upper":15}]'; return ;;
    hartmann6) n=6 lower=0 upper=1 ;;
    rosenbrock) n=10 lower=-5 upper=10 ;;
  esac
  local items=()
  for i in $(seq "$n"); do
    items+=("{\"name\":\"x$i\",\"type\":\"float\",\"lower\":$lower,\"upper\":$upper}")
  done
  (IFS=,; echo "[${items[*]}]")
}

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
results=$scratch/results.jsonl
for f in $functions; do
  campaign=$scratch/$f.json
  cat >"$campaign" <<EOF
{"name": "ga-$f", "model": {"name": "$f"}, "space": $(space "$f"),
 "search": {"algorithm": "ga", "population_size": $population, $ga_options},
 "output": {"trial_dirs": false}}
EOF
  "$python" "$here/peers/deap_easimple.py" "$campaign" --budget "$max_budget" --seeds "$seeds" |
    "$python" -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    print(json.dumps({"function": sys.argv[1], "side": "deap", **r}))' "$f" >>"$results"
  for mode in $modes; do
    for seed in $(seq 0 $((seeds - 1))); do
      run=$scratch/runs/$f-$mode-$seed
      "$overseer" run "$campaign" --out "$run" --workers 1 --set search.seed="$seed" \
        --set search.mode="$mode" --set search.budget="$max_budget" 2>"$scratch/err" ||
        { cat "$scratch/err" >&2; exit 1; }
      # Best so far, in evaluation order (one worker: trial order).
      "$python" - "$run/journal.jsonl" "$f" "ga-$mode" "$seed" >>"$results" <<'PY'
import json, sys
journal, function, side, seed = sys.argv[1:]
values = {}
for line in open(journal):
    r = json.loads(line)
    if r["event"] == "result" and r["final"]:
        values[r["trial"]] = r["value"]
best = []
for trial in sorted(values):
    best.append(min(values[trial], best[-1]) if best else values[trial])
print(json.dumps({"function": function, "side": side, "seed": int(seed), "best": best}))
PY
    done
  done
done

"$python" - "$results" "$budgets" "$modes" <<'PY'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
budgets = [int(b) for b in sys.argv[2].split()]
sides = ["deap"] + ["ga-" + m for m in sys.argv[3].split()]
names = {"deap": "DEAP eaSimple", "ga-generational": "ga generational",
         "ga-steady_state": "ga steady_state"}

def summary(values):
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return f"{median:.4g} [{q1:.4g}, {q3:.4g}]"

print("| function | budget | " + " | ".join(names.get(s, s) for s in sides) + " |")
print("|---|---|" + "---|" * len(sides))
for function in dict.fromkeys(r["function"] for r in runs):
    for budget in budgets:
        cells = []
        for side in sides:
            best = [r["best"][budget - 1] for r in runs
                    if r["function"] == function and r["side"] == side]
            cells.append(summary(best))
        print(f"| {function} | {budget} | " + " | ".join(cells) + " |")
PY
