#!/usr/bin/env bash
# A crash in mid-training: a torch_mlp campaign on the bundled NCI-60 (4 trials of EPOCHS epochs,
# a checkpoint every EVERY epochs, on CPU with one thread, under mpirun -np 3) is SIGKILLed, job
# and all, KILLS times at random moments while its trials train, resumed after each kill, and
# finally resumed to its end; then compared with an uninterrupted run of the same campaign.
# Per trial: the epochs it trained in all sessions (every epoch's report, as the workers log it
# with --log-level debug before it travels to the journal, so that a kill loses none), the most
# epochs trained again after one kill, and whether the final value equals the uninterrupted
# run's. Prints markdown tables (docs/benchmarks.md, "Crash in
# mid-training").
# Usage: bench/crash_training.sh [BUILD_DIR] [KILLS] [EPOCHS] [EVERY]
set -euo pipefail
overseer=$(realpath "${1:-build}/bin/overseer")
kills=${2:-10}
epochs=${3:-40}
every=${4:-2}
source_dir=$(cd "$(dirname "$0")/.." && pwd)
source "$source_dir/bench/kill_tree.sh"
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"
RANDOM=11

/usr/bin/python3 - "$source_dir/data/nci60.h5" "$epochs" "$every" <<'PY'
import json, sys
data, epochs, every = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
json.dump({
    "name": "crash-training",
    "model": {"name": "torch_mlp",
              "params": {"threads": 1, "epochs": epochs, "batch_size": 256,
                         "dense_feature_layers": 128, "feature_layers": 1, "dense": 128,
                         "dense_layers": 1, "optimizer": "adam"},
              "data": {"file": data, "split": "original"}},
    "space": [{"name": "learning_rate", "type": "float", "lower": 1e-4, "upper": 1e-2,
               "log": True},
              {"name": "dropout", "type": "float", "lower": 0.0, "upper": 0.3}],
    "search": {"algorithm": "random", "budget": 4, "seed": 3},
    "checkpoint": {"every_steps": every, "keep": 1},
}, open("c.json", "w"))
PY

run() {  # OUT [ARGS...]: the workers' reports go to OUT.log
  local out=$1
  shift
  mpirun --oversubscribe -np 3 "$overseer" run c.json --out "$out" --log-level debug "$@" \
    2>> "$out.log" > /dev/null
}

start=$(date +%s.%N)
run reference
reference_s=$(echo "$(date +%s.%N) - $start" | bc)

# Each kill comes at a random moment after the job has begun to train (its first progress
# record), so that the trials are mid-way.
progress_records() {
  if [ -f crashed/journal.jsonl ]; then grep -c '"event":"progress"' crashed/journal.jsonl || true
  else echo 0; fi
}
start=$(date +%s.%N)
killed=0
for k in $(seq "$kills"); do
  before=$(progress_records)
  resume=()
  [ -f crashed/journal.jsonl ] && resume=(--resume)
  echo "SESSION $k" >> crashed.log
  run crashed "${resume[@]}" &
  job=$!
  while [ "$(progress_records)" -le "$before" ] && kill -0 "$job" 2>/dev/null; do sleep 0.2; done
  sleep "$(/usr/bin/python3 -c "import random; random.seed($k); print(random.uniform(0, 5))")"
  if kill -0 "$job" 2>/dev/null; then
    kill_tree "$job"
    killed=$((killed + 1))
  fi
  wait "$job" 2>/dev/null || true
done
echo "SESSION last" >> crashed.log
run crashed --resume
crashed_s=$(echo "$(date +%s.%N) - $start" | bc)

/usr/bin/python3 - "$epochs" "$every" "$killed" "$reference_s" "$crashed_s" <<'PY'
import collections, json, re, sys
epochs, every, killed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
reference_s, crashed_s = float(sys.argv[4]), float(sys.argv[5])

def finals(run):
    out = {}
    for line in open(run + "/journal.jsonl"):
        try:
            r = json.loads(line)
        except ValueError:
            continue  # the torn last line of a killed session
        if r["event"] == "result" and r.get("final"):
            out[r["trial"]] = r
    return out

def trained(log):
    """(session, step) of every epoch each trial trained, from the workers' debug lines."""
    steps, session = collections.defaultdict(list), 0
    report = re.compile(r"trial (\d+) attempt \d+: step (\d+)")
    for line in open(log, errors="replace"):
        if line.startswith("SESSION"):
            session += 1
        elif m := report.search(line):
            steps[int(m.group(1))].append((session, int(m.group(2))))
    return steps

ref, got = finals("reference"), finals("crashed")
got_steps = trained("crashed.log")
print(f"{killed} kills; uninterrupted run {reference_s:.0f} s, killed and resumed runs "
      f"{crashed_s:.0f} s in all (each resume loads the data again).\n")
print("| trial | epochs trained in all sessions | epochs trained again after one kill, most | "
      "sessions it trained in | final val_loss, uninterrupted | final val_loss, killed and resumed | equal |")
print("|---|---|---|---|---|---|---|")
for trial in sorted(ref):
    reports = got_steps[trial]
    # Epochs a session trained again that an earlier session had already trained.
    seen, again = set(), collections.Counter()
    for session, step in reports:
        if step in seen:
            again[session] += 1
        seen.add(step)
    a, b = ref[trial].get("value"), got.get(trial, {}).get("value")
    print(f"| {trial} | {len(reports)} (of {epochs}) | {max(again.values(), default=0)} "
          f"(checkpoint every {every}) | {len({s for s, _ in reports})} | {a:.6f} | "
          f"{'-' if b is None else f'{b:.6f}'} | {'yes' if a == b else 'NO'} |")
PY
