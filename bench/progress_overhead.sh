#!/usr/bin/env bash
# What progress costs the master, measured in real runs under mpirun -np 3 (a master and two
# workers) of the curve model with no training time, so that the master's work is all there is:
# its CPU time (user + system, from /usr/bin/time around rank 0 alone) and the journal's size
# for trials reporting 1 step against trials reporting STEPS steps, the difference divided by the
# difference in progress records. Two ways of reporting: batched (no scheduler: a worker sends
# what its trial reported once a second, here one batch per trial) and one message per report
# answered by the median scheduler (every report waits for a decision). Then the simulator, at
# 131,072 workers each reporting every 10 s, charges the master the per-report cost measured
# for one message per report. Prints markdown tables (docs/benchmarks.md, "Progress").
# Usage: bench/progress_overhead.sh [BUILD_DIR] [TRIALS] [STEPS]
set -euo pipefail
overseer=$(realpath "${1:-build}/bin/overseer")
trials=${2:-1000}
steps=${3:-100}
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"

campaign() {  # FILE EPOCHS SCHEDULER
  /usr/bin/python3 - "$@" "$trials" <<'PY'
import json, sys
file, epochs, scheduler, trials = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
c = {"name": "progress", "model": {"name": "curve", "params": {"epochs": epochs, "step_s": 0}},
     "space": [{"name": "target", "type": "float", "lower": 0, "upper": 1},
               {"name": "rate", "type": "float", "lower": 0.1, "upper": 1}],
     "search": {"algorithm": "random", "budget": trials, "seed": 1},
     "output": {"trial_dirs": False}}
if scheduler != "none":
    # grace_steps beyond the last step: every report is answered, no trial is stopped.
    c["scheduler"] = {"name": scheduler, "resource": "epochs", "min_resource": 1,
                      "max_resource": epochs, "grace_steps": epochs + 1}
json.dump(c, open(file, "w"))
PY
}

measure() {  # NAME EPOCHS SCHEDULER: prints "cpu_s records bytes wall_s"
  local name=$1
  campaign "$name.json" "$2" "$3"
  local start end
  start=$(date +%s.%N)
  mpirun --oversubscribe -np 1 /usr/bin/time -f "%U %S" -o "$name.time" \
    "$overseer" run "$name.json" --out "$name" --log-level warn : \
    -np 2 "$overseer" run "$name.json" --out "$name" --log-level warn >/dev/null
  end=$(date +%s.%N)
  local records
  records=$(grep -c '"event":"progress"' "$name/journal.jsonl" || true)
  echo "$(awk '{print $1 + $2}' "$name.time") $records $(stat -c %s "$name/journal.jsonl")" \
    "$(echo "$end - $start" | bc)"
}

printf '| reporting | trials x steps | progress records | master CPU s | wall s | master CPU per record | journal bytes per record |\n'
printf '|---|---|---|---|---|---|---|\n'
per_message_us=0
for mode in batched answered; do
  scheduler=none
  [ "$mode" = answered ] && scheduler=median
  read -r cpu1 rec1 bytes1 wall1 < <(measure "$mode-1" 1 "$scheduler")
  read -r cpu2 rec2 bytes2 wall2 < <(measure "$mode-$steps" "$steps" "$scheduler")
  line=$(/usr/bin/python3 - "$mode" "$trials" "$steps" "$cpu1" "$rec1" "$bytes1" "$wall1" \
    "$cpu2" "$rec2" "$bytes2" "$wall2" <<'PY'
import sys
mode, trials, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
cpu1, rec1, bytes1, wall1, cpu2, rec2, bytes2, wall2 = map(float, sys.argv[4:])
per_record_us = (cpu2 - cpu1) / (rec2 - rec1) * 1e6
per_record_bytes = (bytes2 - bytes1) / (rec2 - rec1)
label = "batched (no scheduler)" if mode == "batched" else "one message per report (median)"
for steps_, rec, cpu, wall in ((1, rec1, cpu1, wall1), (steps, rec2, cpu2, wall2)):
    print(f"| {label} | {trials:,} x {steps_} | {int(rec):,} | {cpu:.2f} | {wall:.1f} | "
          f"{per_record_us:.1f} us | {per_record_bytes:.0f} |")
print(f"PER_RECORD_US {per_record_us:.2f}")
PY
)
  echo "$line" | grep -v '^PER_RECORD_US'
  [ "$mode" = answered ] && per_message_us=$(echo "$line" | awk '/^PER_RECORD_US/ {print $2}')
done

printf '\n| simulated workers | tasks | report every | master cost per report | progress reports | master busy | utilization while work remains | wall time |\n'
printf '|---|---|---|---|---|---|---|---|\n'
# Tasks of 60 s on average (lognormal, sigma 0.5), 8 per worker, as in "Simulated scale".
for every in 0 10; do
  start=$(date +%s.%N)
  out=$("$overseer" simulate --workers 131072 --servers 512 --tasks 1048576 \
    --duration lognormal:3.9694,0.5 --report-every "$every" --progress-us "$per_message_us" \
    --seed 1)
  end=$(date +%s.%N)
  /usr/bin/python3 - "$out" "$every" "$per_message_us" "$start" "$end" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
every, cost, start, end = sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
print(f"| 131,072 | 1,048,576 | {'never' if every == '0' else every + ' s'} | "
      f"{'-' if every == '0' else f'{cost:.1f} us'} | {r['progress_reports']:,} | "
      f"{r['master_busy_fraction']:.4f} | {r['utilization_while_work_remains']:.5f} | "
      f"{end - start:.0f} s |")
PY
done
