#!/usr/bin/env bash
# Simulated scale, side by side: 1,024 / 16,384 / 131,072 workers running ~8 lognormal tasks
# each with a 60 s mean, stealing on and off, one server per 256 workers against a single server,
# and all work injected at one server.
# Usage: bench/simulate.sh [BUILD_DIR]
set -euo pipefail
overseer=${1:-build}/bin/overseer
# Mean exp(mu + sigma^2 / 2) = 60 s with sigma = 0.5.
duration=lognormal:3.9694,0.5

printf '| workers | servers | tasks | steal | inject | utilization | while work remains | master busy | messages/task | steals | max queue | wall time |\n'
printf '|---|---|---|---|---|---|---|---|---|---|---|---|\n'
run() {  # workers servers steal inject
  local workers=$1 servers=$2 steal=$3 inject=$4 tasks=$(($1 * 8))
  local start end out
  start=$(date +%s.%N)
  out=$("$overseer" simulate --workers "$workers" --servers "$servers" --tasks "$tasks" \
    --duration "$duration" --steal "$steal" --inject "$inject" --seed 1)
  end=$(date +%s.%N)
  /usr/bin/python3 - "$out" "$workers" "$servers" "$tasks" "$steal" "$inject" "$start" "$end" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
w, s, t, steal, inject, start, end = sys.argv[2:]
print(f"| {int(w):,} | {s} | {int(t):,} | {steal} | {inject} | {r['utilization']:.4f} | "
      f"{r['utilization_while_work_remains']:.5f} | {r['master_busy_fraction']:.4f} | "
      f"{r['messages_per_task']:.2f} | {r['steals']} | {r['max_queue_per_server']} | "
      f"{float(end) - float(start):.1f} s |")
PY
}
for workers in 1024 16384 131072; do
  per256=$(((workers + 255) / 256))
  run "$workers" "$per256" on balanced
  run "$workers" "$per256" off balanced
  run "$workers" 1 on balanced
  run "$workers" "$per256" on one
  run "$workers" "$per256" off one
done
