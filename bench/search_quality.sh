#!/usr/bin/env bash
# Search quality, side by side in one run (issue 5): Overseer's bayes search (gp and rf
# surrogates), ga (steady state, population 20, DEAP's eaSimple settings) and random search, against Optuna
# 3.1's TPE and random samplers (Debian python3-optuna), on Branin, Hartmann6, Rosenbrock-10
# (on [-5, 10]^10) and the mixed float/int/categorical/logical function (`mixed` model), with the
# campaigns in bench/search-quality/. For each budget: the median and interquartile range over
# seeds of the best value after that many evaluations, and the evaluations each method needs to
# reach Optuna TPE's median best-at-100.
#
# Both sides evaluate one trial at a time: Overseer as `overseer run CAMPAIGN --workers 1` (one
# in-process worker; the master keeps one trial queued ahead, so each bayes proposal is made
# with one other trial pending), Optuna as a sequential ask/tell loop (bench/peers/
# optuna_search.py). Each seed runs once at the largest budget and best-at-N is taken over its
# first N trials (trial ids are the order of proposals), which is what a run with budget N
# gives, since no searcher here plans by its budget.
#
# Usage: bench/search_quality.sh [BUILD_DIR]
# Environment (defaults): SEEDS=10 BUDGETS="25 50 100 200"
#   FUNCTIONS="branin hartmann6 rosenbrock10 mixed" RESULTS=FILE (keep the raw results, one JSON
#   line per run: the objective values in trial order)
#   METHODS="bayes-gp bayes-rf ga random optuna-tpe optuna-random" (a subset reruns only those:
#   every run is deterministic for its seed, so results of separate invocations combine)
#   NCI60=0: 1 adds a real HPO, XGBoost on the bundled NCI-60 (workflows/nci60-xgboost-*.json,
#   60 trials, about 1 s each), bayes against random (and ga), over NCI60_SEEDS=3 seeds.
# About 10 minutes on 2 cores at the defaults (NCI60=1 adds about 3 minutes per seed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
overseer=$build/bin/overseer
seeds=${SEEDS:-10}
budgets=${BUDGETS:-25 50 100 200}
functions=${FUNCTIONS:-branin hartmann6 rosenbrock10 mixed}
nci60=${NCI60:-0}
nci60_seeds=${NCI60_SEEDS:-3}
python=/usr/bin/python3

# shellcheck source=peer_packages.sh
. "$here/peer_packages.sh"
install_python_peers "$python" optuna:python3-optuna
if [ ! -x "$overseer" ]; then
  echo "search_quality.sh: no $overseer (build first, or pass BUILD_DIR)" >&2
  exit 2
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
results=${RESULTS:-$scratch/results.jsonl}
: >"$results"
max_budget=$(printf '%s\n' $budgets | sort -n | tail -1)

read -r -a methods <<<"${METHODS:-bayes-gp bayes-rf ga random optuna-tpe optuna-random}"
# selected WORD: whether the method is among those asked for.
selected() { [[ " ${methods[*]} " == *" $1 "* ]]; }

# Seconds since START (an $EPOCHREALTIME).
elapsed() { awk -v start="$1" -v end="$EPOCHREALTIME" 'BEGIN { printf "%.3f", end - start }'; }

# The objective values of a finished run, in trial order, as a JSON line tagged with TAG_JSON.
journal_values() {  # run_dir tag_json seconds
  "$python" - "$@" >>"$results" <<'PY'
import json, sys
run, tag, seconds = sys.argv[1], json.loads(sys.argv[2]), float(sys.argv[3])
values = {}
for line in open(f"{run}/journal.jsonl"):
    r = json.loads(line)
    if r.get("event") == "result" and r.get("final"):
        v = r.get("value")
        values[r["trial"]] = float("nan") if v is None or r["status"] != "ok" else v
tag["values"] = [values[t] for t in sorted(values)]
tag["seconds"] = seconds
print(json.dumps(tag))
PY
}

# overseer_run CAMPAIGN METHOD SEED BUDGET TAG_JSON [--set ...]: one campaign, one worker.
overseer_run() {
  local campaign=$1 method=$2 seed=$3 budget=$4 tag=$5
  shift 5
  local out=$scratch/run args=()
  case $method in
    bayes-gp) args=(--set search.algorithm=bayes --set search.surrogate=gp) ;;
    bayes-rf) args=(--set search.algorithm=bayes --set search.surrogate=rf) ;;
    random) args=(--set search.algorithm=random) ;;
    ga) args=(--set search.algorithm=ga --set search.population_size=20 --set search.cx_prob=0.5
      --set search.mut_prob=0.2 --set search.tournsize=3) ;;
  esac
  rm -rf "$out"
  local start=$EPOCHREALTIME
  "$overseer" run "$campaign" --out "$out" --workers 1 --set search.seed="$seed" \
    --set search.budget="$budget" --set output.trial_dirs=false "${args[@]}" "$@" \
    >/dev/null 2>"$scratch/log" || {
    echo "search_quality.sh: overseer run $campaign ($method, seed $seed) failed:" >&2
    tail -5 "$scratch/log" >&2
    exit 1
  }
  journal_values "$out" "$tag" "$(elapsed "$start")"
}

for f in $functions; do
  for seed in $(seq 1 "$seeds"); do
    for m in bayes-gp bayes-rf ga random; do
      selected "$m" || continue
      overseer_run "$here/search-quality/$f.json" "$m" "$seed" "$max_budget" \
        "{\"function\": \"$f\", \"method\": \"overseer-$m\", \"seed\": $seed}"
    done
    for sampler in tpe random; do
      selected "optuna-$sampler" || continue
      start=$EPOCHREALTIME
      line=$("$python" "$here/peers/optuna_search.py" --function "$f" --sampler "$sampler" \
        --trials "$max_budget" --seed "$seed")
      "$python" -c 'import json, sys
r = json.loads(sys.argv[1]); r["method"] = "optuna-" + r.pop("sampler"); r["seconds"] = float(sys.argv[2])
print(json.dumps(r))' "$line" "$(elapsed "$start")" >>"$results"
    done
    echo "search_quality.sh: $f seed $seed done" >&2
  done
done

if [ "$nci60" = 1 ]; then
  for seed in $(seq 1 "$nci60_seeds"); do
    for m in bayes-gp ga random; do
      selected "$m" || continue
      campaign=$here/../workflows/nci60-xgboost-random.json
      [ "$m" = bayes-gp ] && campaign=$here/../workflows/nci60-xgboost-bayes.json
      overseer_run "$campaign" "$m" "$seed" 60 \
        "{\"function\": \"nci60-xgboost\", \"method\": \"overseer-$m\", \"seed\": $seed}"
    done
    echo "search_quality.sh: nci60-xgboost seed $seed done" >&2
  done
fi

# Tables: median [q1, q3] of best-at-N per method, and evaluations to reach TPE's median
# best-at-100 (median over seeds; "> N" when most seeds never reach it).
"$python" - "$results" $budgets <<'PY'
import json, math, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
budgets = [int(b) for b in sys.argv[2:]]
optima = {"branin": 0.397887, "hartmann6": -3.32237, "rosenbrock10": 0.0, "mixed": 0.0}
names = {"overseer-bayes-gp": "Overseer bayes (gp, ei)", "overseer-bayes-rf": "Overseer bayes (rf, qlcb)",
         "overseer-random": "Overseer random", "overseer-ga": "Overseer ga",
         "optuna-tpe": "Optuna TPE", "optuna-random": "Optuna random"}

def quartiles(v):
    v = sorted(v)
    q = statistics.quantiles(v, n=4, method="inclusive") if len(v) > 1 else [v[0]] * 3
    return q[0], statistics.median(v), q[2]

def best_at(values, n):
    ok = [x for x in values[:n] if not math.isnan(x)]
    return min(ok) if ok else math.inf

def fmt(x):
    if math.isinf(x):
        return "-"
    return f"{x:.4f}" if abs(x) < 1000 else f"{x:.4g}"

for function in dict.fromkeys(r["function"] for r in rows):
    runs = [r for r in rows if r["function"] == function]
    methods = list(dict.fromkeys(r["method"] for r in runs))
    seeds = len({r["seed"] for r in runs})
    if function == "nci60-xgboost":
        print(f"\n### XGBoost on NCI-60: best val_loss after 60 trials ({seeds} seeds)\n")
        print("| method | median | per seed | median run time |")
        print("|---|---:|---|---:|")
        for m in methods:
            mine = sorted((r for r in runs if r["method"] == m), key=lambda r: r["seed"])
            bests = [best_at(r["values"], 60) for r in mine]
            print(f"| {names.get(m, m)} | {fmt(statistics.median(bests))} | "
                  f"{', '.join(fmt(b) for b in bests)} | "
                  f"{statistics.median(r['seconds'] for r in mine):.0f} s |")
        continue
    tpe = [best_at(r["values"], 100) for r in runs if r["method"] == "optuna-tpe"]
    target = statistics.median(tpe) if tpe and max(budgets) >= 100 else None
    optimum = optima.get(function)
    print(f"\n### {function} (optimum {optimum}; {seeds} seeds)\n")
    header = "| method | " + " | ".join(f"best@{b} median [IQR]" for b in budgets)
    header += " | evals to TPE's median best@100" if target is not None else ""
    print(header + " | median run time |")
    print("|---|" + "---:|" * (len(budgets) + (target is not None) + 1))
    for m in methods:
        mine = [r for r in runs if r["method"] == m]
        cells = []
        for b in budgets:
            q1, med, q3 = quartiles([best_at(r["values"], b) for r in mine])
            cells.append(f"{fmt(med)} [{fmt(q1)}, {fmt(q3)}]")
        if target is not None:
            needed = []
            for r in mine:
                hit = [i + 1 for i in range(len(r["values"])) if best_at(r["values"], i + 1) <= target]
                needed.append(hit[0] if hit else math.inf)
            med = statistics.median(needed)
            reached = sum(not math.isinf(n) for n in needed)
            cells.append(("> %d" % max(budgets) if math.isinf(med) else f"{med:g}") +
                         f" ({reached}/{len(needed)} reach it)")
        cells.append(f"{statistics.median(r['seconds'] for r in mine):.1f} s")
        print(f"| {names.get(m, m)} | " + " | ".join(cells) + " |")
    if target is not None:
        print(f"\nOptuna TPE's median best@100: {fmt(target)}")
PY
