#!/usr/bin/env bash
# Tasks that need several workers (model.ranks_per_trial, issue 19 c) on a simulated machine:
# 131,072 workers (8 per node, one server per 256), lognormal tasks with a 60 s mean, all single-
# worker against mixes of 1-, 4- and 8-worker tasks with the same worker-seconds of work (about 8
# per worker). Utilization while work remains is the balancer's share; the makespan against the
# single-worker run is what waiting for whole groups costs.
# Usage: bench/simulate_groups.sh [BUILD_DIR]   Environment: WORKERS=131072
set -euo pipefail
overseer=${1:-build}/bin/overseer
workers=${WORKERS:-131072}
servers=$(((workers + 255) / 256))
duration=lognormal:3.9694,0.5

printf '| ranks per task | tasks | group tasks | utilization while work remains | utilization | makespan | vs all 1 | messages/task | wall time |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
baseline=""
for mix in 1 "1:0.5,4:0.3,8:0.2" "1:0.2,4:0.4,8:0.4" 4 8; do
  mean=$(/usr/bin/python3 -c "import sys
items=[tuple(map(float,i.split(':'))) if ':' in i else (float(i),1.0) for i in sys.argv[1].split(',')]
print(sum(k*w for k,w in items)/sum(w for k,w in items))" "$mix")
  tasks=$(/usr/bin/python3 -c "print(round(8 * $workers / $mean))")
  start=$(date +%s.%N)
  out=$("$overseer" simulate --workers "$workers" --servers "$servers" --tasks "$tasks" \
    --duration "$duration" --ranks "$mix" --workers-per-node 8 --seed 1)
  end=$(date +%s.%N)
  [ -n "$baseline" ] || baseline=$(/usr/bin/python3 -c "import json,sys; print(json.loads(sys.argv[1])['makespan_s'])" "$out")
  /usr/bin/python3 - "$out" "$mix" "$tasks" "$baseline" "$start" "$end" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
mix, tasks, baseline, start, end = sys.argv[2:]
print(f"| {mix} | {int(tasks):,} | {r['group_tasks']:,} | {r['utilization_while_work_remains']:.5f} | "
      f"{r['utilization']:.4f} | {r['makespan_s']:.0f} s | {r['makespan_s'] / float(baseline):.3f}x | "
      f"{r['messages_per_task']:.2f} | {float(end) - float(start):.1f} s |")
PY
done
