#!/usr/bin/env bash
# PBT against random search and against random + ASHA (issue 19, benchmark a), side by side in one
# run: torch_mlp on the bundled NCI-60 (bench/pbt/torch_mlp.json), a fixed architecture, the
# learning rate and dropout searched. Every method runs under mpirun -np 9 (a master and 8
# workers, so that PBT's population of 8 trains at once): random search with 8 trials of 20
# epochs; random + ASHA (1 to 20 epochs, reduction factor 3) with as many trials as give about the
# same epochs in all (ASHA_TRIALS); pbt with a population of 8, exploiting every 4 epochs
# (checkpoints every 4). Per seed and method: the best validation loss of a trial that trained to
# the end (best.json), the epochs trained in all (the journal's progress records), and the run's
# CPU seconds. Target: PBT's median best is below random search's.
#
# Usage: bench/pbt.sh [BUILD_DIR]     Environment: SEEDS=5 ASHA_TRIALS=40 RESULTS=FILE (JSON lines)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
overseer=$(cd "$build" && pwd)/bin/overseer
seeds=${SEEDS:-5}
asha_trials=${ASHA_TRIALS:-40}
results=${RESULTS:-$(mktemp)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi

run_method() {  # seed method -- appends one JSON line to $results
  local seed=$1 method=$2 out="$work/$1-$2"
  local -a sets=(--set "search.seed=$seed")
  case "$method" in
    random) ;;
    asha) sets+=(--set "search.budget=$asha_trials" --set 'scheduler={"name":"asha","resource":"epochs","min_resource":1,"max_resource":20,"reduction_factor":3}') ;;
    pbt) sets+=(--set 'scheduler={"name":"pbt","resource":"epochs","max_resource":20,"interval":4}' --set 'checkpoint={"every_steps":4}') ;;
  esac
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -f '%U %S' -o "$work/time" mpirun --oversubscribe -np 9 "$overseer" run \
    "$here/pbt/torch_mlp.json" --out "$out" "${sets[@]}" > "$work/log" 2>&1 ||
    { tail -20 "$work/log"; exit 1; }
  end=$(date +%s.%N)
  /usr/bin/python3 - "$out" "$seed" "$method" "$(cat "$work/time")" "$start" "$end" >> "$results" <<'PY'
import json, sys
out, seed, method, cpu, start, end = sys.argv[1:7]
user, system = map(float, cpu.split())
epochs = exploits = 0
with open(out + "/journal.jsonl") as f:
    for line in f:
        r = json.loads(line)
        epochs += r.get("event") == "progress"
        exploits += r.get("event") == "decision" and r.get("decision") == "exploit"
best = json.load(open(out + "/best.json"))["value"]
print(json.dumps({"seed": int(seed), "method": method, "best": best, "epochs": epochs,
                  "exploits": exploits, "cpu_s": user + system,
                  "wall_s": float(end) - float(start)}))
PY
  echo "seed $seed $method: $(tail -1 "$results")" >&2
}

for seed in $(seq 1 "$seeds"); do
  for method in random asha pbt; do run_method "$seed" "$method"; done
done

/usr/bin/python3 - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
names = {"random": "random, 8 trials", "asha": "random + ASHA", "pbt": "pbt, population 8"}
print("| method | seeds | best val_loss (median) | best per seed | epochs trained (median) | CPU-seconds (median) | wall s (median) |")
print("|---|---|---|---|---|---|---|")
by = {}
for r in rows:
    by.setdefault(r["method"], []).append(r)
for m in ("random", "asha", "pbt"):
    rs = sorted(by.get(m, []), key=lambda r: r["seed"])
    if not rs:
        continue
    med = lambda k: statistics.median(r[k] for r in rs)
    per_seed = ", ".join("%.4f" % r["best"] for r in rs)
    print(f"| {names[m]} | {len(rs)} | {med('best'):.4f} | {per_seed} | "
          f"{med('epochs'):.0f} | {med('cpu_s'):.0f} | {med('wall_s'):.0f} |")
if "pbt" in by and "random" in by:
    p = statistics.median(r["best"] for r in by["pbt"])
    q = statistics.median(r["best"] for r in by["random"])
    print(f"\npbt's median best {p:.4f} against random search's {q:.4f}: target (below) "
          f"{'met' if p < q else 'NOT met'}")
PY
