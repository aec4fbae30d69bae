#!/usr/bin/env bash
# Worker utilization of a real MPI campaign: sleep tasks with lognormal durations (mean about
# 0.3 s) from a UPF file, one master and 3 workers, with 1 and with 3 servers.
# Utilization = busy worker time / (workers x campaign time), both from the journal.
# Usage: bench/utilization.sh [BUILD_DIR] [TASKS]
set -euo pipefail
overseer=${1:-build}/bin/overseer
tasks=${2:-200}
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

/usr/bin/python3 - "$scratch/tasks.jsonl" "$tasks" <<'PY'
import json, random, sys
rng = random.Random(1)
with open(sys.argv[1], "w") as out:
    for i in range(int(sys.argv[2])):
        out.write(json.dumps({"id": i, "duration": rng.lognormvariate(-1.33, 0.5)}) + "\n")
PY
cat > "$scratch/campaign.json" <<JSON
{"name": "utilization", "model": {"name": "sleep"},
 "search": {"algorithm": "upf", "file": "tasks.jsonl"}, "output": {"trial_dirs": false}}
JSON

printf '| ranks | servers | workers | tasks | campaign time | utilization | mean queue wait |\n|---|---|---|---|---|---|---|\n'
for layout in "6 1" "8 3"; do
  set -- $layout
  out="$scratch/run-$2"
  mpirun --oversubscribe -np "$1" "$overseer" run "$scratch/campaign.json" --out "$out" \
    --servers "$2" --log-level warn
  /usr/bin/python3 - "$out/journal.jsonl" "$1" "$2" <<'PY'
import json, sys
records = [json.loads(line) for line in open(sys.argv[1])]
ranks, servers = int(sys.argv[2]), int(sys.argv[3])
workers = ranks - servers
start = next(r["time"] for r in records if r["event"] == "start")
end = next(r["time"] for r in records if r["event"] == "end")
results = [r for r in records if r["event"] == "result"]
busy = sum(r["end"] - r["start"] for r in results)
wait = sum(r["queued_s"] for r in results) / len(results)
print(f"| {ranks} | {servers} | {workers} | {len(results)} | {end - start:.2f} s | "
      f"{busy / (workers * (end - start)):.3f} | {wait * 1000:.0f} ms |")
PY
done
