#!/usr/bin/env bash
# Fault injection against an uninterrupted run of the same campaign, with real processes and
# real mpirun: random SIGKILLs of the whole job, SIGKILL of one worker rank, a journal cut short
# or damaged, a full and a read-only file system, a program flooding its output, and 10,000
# trials of 1 ms. Prints one markdown table (docs/benchmarks.md, "Faults").
# The file-system rows mount a tmpfs and need root; elsewhere they say so and are skipped.
# Usage: bench/faults.sh [BUILD_DIR] [TRIES]
set -euo pipefail
overseer=$(realpath "${1:-build}/bin/overseer")
tries=${2:-10}
source_dir=$(cd "$(dirname "$0")/.." && pwd)
source "$source_dir/bench/kill_tree.sh"
sleep_workflow="$source_dir/workflows/sleep.json"
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
scratch=$(mktemp -d)
mounts=()
cleanup() {
  for m in "${mounts[@]}"; do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$scratch"
}
trap cleanup EXIT
cd "$scratch"
RANDOM=7

cat > journal.py <<'PY'
# finals RUN: the final values by trial, as JSON. compare REF RUN BEFORE: how RUN's final results
# differ from REF's, given the final values BEFORE held before the fault.
import json, sys
from collections import Counter

def finals(run):
    values, count = {}, Counter()
    for line in open(run + "/journal.jsonl"):
        try:
            r = json.loads(line)
        except ValueError:
            continue  # a torn last line, which a resume drops
        if r.get("event") == "result" and r.get("final"):
            values[r["trial"]] = r.get("value")
            count[r["trial"]] += 1
    return values, count

if sys.argv[1] == "finals":
    print(json.dumps({str(k): v for k, v in finals(sys.argv[2])[0].items()}))
else:
    ref, _ = finals(sys.argv[2])
    got, count = finals(sys.argv[3])
    before = {int(k): v for k, v in json.load(open(sys.argv[4])).items()}
    lost = sum(1 for t in ref if t not in got) + sum(1 for t in before if got.get(t) != before[t])
    rerun = sum(n - 1 for n in count.values())
    changed = sum(1 for t in got if t in ref and got[t] != ref[t])
    print(len(got), lost, rerun, changed)
PY
journal() { /usr/bin/python3 journal.py "$@"; }


# The pid of MPI rank $2 among the descendants of $1.
rank_pid() {
  local pid
  for pid in $(pgrep -P "$1" || true); do
    if tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$2"; then
      echo "$pid"
      return
    fi
    rank_pid "$pid" "$2"
  done
}

finished() {
  if [ -f "$1/journal.jsonl" ]; then grep -c '"final":true' "$1/journal.jsonl" || true; else echo 0; fi
}

sleep_run() {  # RANKS OUT [ARGS...], quiet but for errors unless LOG_LEVEL says otherwise
  local ranks=$1 out=$2
  shift 2
  mpirun --oversubscribe -np "$ranks" "$overseer" run "$sleep_workflow" --out "$out" \
    --set search.budget=60 --log-level "${LOG_LEVEL:-error}" "$@"
}

printf '| fault | tries | outcome | trials finished | lost | re-run | changed |\n'
printf '|---|---|---|---|---|---|---|\n'

sleep_run 4 reference > /dev/null 2>&1

# 1. SIGKILL of the whole job at a random moment, then --resume on 2, 3 or 4 ranks.
total=0 lost=0 rerun=0 changed=0 resumed=0
for try in $(seq "$tries"); do
  out=kill-$try
  sleep_run $((2 + RANDOM % 3)) "$out" > /dev/null 2>&1 &
  job=$!
  sleep "$(/usr/bin/python3 -c "import random; random.seed($try); print(random.uniform(1, 6))")"
  kill_tree "$job"
  wait "$job" 2>/dev/null || true
  journal finals "$out" > "$out.before"
  sleep_run $((2 + RANDOM % 3)) "$out" --resume > /dev/null 2>&1 && resumed=$((resumed + 1))
  read -r n l r c <<< "$(journal compare reference "$out" "$out.before")"
  total=$((total + n)) lost=$((lost + l)) rerun=$((rerun + r)) changed=$((changed + c))
done
printf '| SIGKILL of the whole job at a random moment (1-6 s), --resume on 2-4 ranks | %d | %d of %d resumed to the end | %d of %d | %d | %d | %d |\n' \
  "$tries" "$resumed" "$tries" "$total" $((60 * tries)) "$lost" "$rerun" "$changed"

# 2. SIGKILL of one worker rank: Open MPI ends the job; --resume finishes it.
worker_tries=$(((tries + 2) / 3))
total=0 lost=0 rerun=0 changed=0 resumed=0 ended=0
for try in $(seq "$worker_tries"); do
  out=worker-$try
  sleep_run 4 "$out" > /dev/null 2>&1 &
  job=$!
  while [ "$(finished "$out")" -lt 8 ]; do sleep 0.05; done
  kill -KILL "$(rank_pid "$job" $((1 + RANDOM % 3)))"
  wait "$job" 2>/dev/null || ended=$((ended + 1))
  journal finals "$out" > "$out.before"
  sleep_run 3 "$out" --resume > /dev/null 2>&1 && resumed=$((resumed + 1))
  read -r n l r c <<< "$(journal compare reference "$out" "$out.before")"
  total=$((total + n)) lost=$((lost + l)) rerun=$((rerun + r)) changed=$((changed + c))
done
printf '| SIGKILL of one worker rank (1-3 of 4) after 8 trials, --resume on 3 ranks | %d | job ended %d of %d, resumed %d of %d | %d of %d | %d | %d | %d |\n' \
  "$worker_tries" "$ended" "$worker_tries" "$resumed" "$worker_tries" "$total" \
  $((60 * worker_tries)) "$lost" "$rerun" "$changed"

# 3. A journal cut mid-line, and one with a damaged middle line.
cp -r reference cut
journal finals cut > cut.before
size=$(stat -c %s cut/journal.jsonl)
truncate -s $((size * 2 / 3)) cut/journal.jsonl
/usr/bin/python3 - cut/journal.jsonl cut.before <<'PY'
import json, sys
# What the cut kept is what must survive.
kept = {}
for line in open(sys.argv[1]).read().split("\n")[:-1]:
    r = json.loads(line)
    if r.get("event") == "result" and r.get("final"):
        kept[str(r["trial"])] = r["value"]
json.dump(kept, open(sys.argv[2], "w"))
PY
outcome="resumed"
LOG_LEVEL=warn sleep_run 3 cut --resume > /dev/null 2> cut.err || outcome="failed: $(head -1 cut.err)"
grep -q "dropping an incomplete last record" cut.err && outcome="$outcome, torn line dropped"
read -r n l r c <<< "$(journal compare reference cut cut.before)"
printf '| journal cut mid-line at 2/3 of its size | 1 | %s | %d of 60 | %d | %d | %d |\n' \
  "$outcome" "$n" "$l" "$r" "$c"

cp -r reference damaged
sed -i '5s/^{/#/' damaged/journal.jsonl
sum=$(md5sum < damaged/journal.jsonl)
code=0
sleep_run 3 damaged --resume > /dev/null 2> damaged.err || code=$?
message=$(grep -o 'journal.jsonl:[0-9]*: damaged journal record' damaged.err | head -1 || true)
[ "$(md5sum < damaged/journal.jsonl)" = "$sum" ] && untouched="journal unchanged" || untouched="journal CHANGED"
printf '| journal with a damaged line 5 | 1 | exit %d, "%s", %s | - | - | - | - |\n' \
  "$code" "$message" "$untouched"

# 4. File systems: full, and read-only.
mkdir -p small readonly
if mount -t tmpfs -o size=256k tmpfs small 2> mount.err; then
  mounts+=("$scratch/small" "$scratch/readonly")
  start=$(date +%s.%N)
  code=0
  mpirun --oversubscribe -np 3 "$overseer" run "$sleep_workflow" --out small/run \
    --set search.budget=2000 --set model.params.duration=0.001 \
    --set 'space=[{"name":"value","type":"float","lower":0,"upper":1}]' \
    --log-level error > /dev/null 2> full.err || code=$?
  stopped=$(/usr/bin/python3 -c "print(f'{$(date +%s.%N) - $start:.1f}')")
  valid=$(/usr/bin/python3 - small/run/journal.jsonl <<'PY'
import json, sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
try:
    for line in lines[:-1]:
        json.loads(line)
    print("valid" + ("" if lines[-1] == b"" else ", torn last line"))
except ValueError as e:
    print("INVALID")
PY
)
  journal finals small/run > full.before
  mount -o remount,size=64m small
  mpirun --oversubscribe -np 3 "$overseer" run "$sleep_workflow" --out small/run \
    --set search.budget=2000 --set model.params.duration=0.001 \
    --set 'space=[{"name":"value","type":"float","lower":0,"upper":1}]' \
    --resume --log-level error > /dev/null 2>&1 && after="resumed after remounting larger" || after="resume FAILED"
  read -r n l r c <<< "$(journal compare small/run small/run full.before)"
  printf '| run directory on a 256 KiB tmpfs, 2,000 trials of 1 ms | 1 | exit %d after %s s, "%s", journal %s, %d finished; %s | %d of 2000 | %d | %d | - |\n' \
    "$code" "$stopped" "$(grep -o 'No space left on device' full.err | head -1)" "$valid" \
    "$(/usr/bin/python3 -c "import json; print(len(json.load(open('full.before'))))")" \
    "$after" "$n" "$l" "$r"

  mount -t tmpfs -o ro,size=64k tmpfs readonly
  code=0
  "$overseer" run "$sleep_workflow" --out readonly/run > /dev/null 2> ro.err || code=$?
  printf '| run directory on a read-only file system | 1 | exit %d, "%s" | - | - | - | - |\n' \
    "$code" "$(head -1 ro.err | sed "s|$scratch/||g")"
else
  printf '| run directory on a full or read-only file system | 0 | skipped: cannot mount a tmpfs (%s) | - | - | - | - |\n' \
    "$(head -1 mount.err)"
fi

# 5. A program writing 1 GiB to stdout, capped at log_limit_mb = 1.
cat > flood.sh <<'SH'
#!/bin/sh
yes 'epoch 1 batch 2 loss 0.5' | head -c 1073741824
echo 'IMPROVE_RESULT 0.25'
SH
chmod +x flood.sh
cat > flood.json <<'JSON'
{"name": "flood",
 "model": {"name": "command", "data": {"argv": ["./flood.sh"], "log_limit_mb": 1}},
 "space": [{"name": "x", "type": "float", "lower": 0, "upper": 1}],
 "search": {"algorithm": "random", "budget": 2}}
JSON
/usr/bin/time -f "%e %M" -o flood.time "$overseer" run flood.json --workers 2 --out flood \
  --log-level error > /dev/null 2>&1 && status=ok || status=FAILED
read -r seconds rss < flood.time
printf '| a program printing 1 GiB, log_limit_mb 1, 2 trials on 2 threads | 1 | campaign %s in %s s, model.log %s bytes, peak RSS %d MiB | %d of 2 | - | - | - |\n' \
  "$status" "$seconds" "$(stat -c %s flood/trials/0/model.log)" $((rss / 1024)) \
  "$(journal finals flood | /usr/bin/python3 -c 'import json,sys; print(sum(v == 0.25 for v in json.load(sys.stdin).values()))')"

# 6. 10,000 trials of 1 ms, exactly once, on threads and on 6 ranks with 2 servers.
short=(--set search.budget=10000 --set model.params.duration=0.001
       --set 'space=[{"name":"value","type":"float","lower":0,"upper":1}]' --log-level error)
for fsync in always group; do
  for layout in threads mpi; do
    out=many-$layout-$fsync
    start=$(date +%s.%N)
    if [ "$layout" = threads ]; then
      "$overseer" run "$sleep_workflow" --out "$out" --workers 2 "${short[@]}" \
        --set output.fsync=$fsync > /dev/null 2>&1 || true
      where="--workers 2"
    else
      mpirun --oversubscribe -np 6 "$overseer" run "$sleep_workflow" --out "$out" --servers 2 \
        "${short[@]}" --set output.fsync=$fsync > /dev/null 2>&1 || true
      where="mpirun -np 6 --servers 2"
    fi
    seconds=$(/usr/bin/python3 -c "print(f'{$(date +%s.%N) - $start:.1f}')")
    echo '{}' > none.before
    read -r n l r c <<< "$(journal compare "$out" "$out" none.before)"
    printf '| 10,000 trials of 1 ms, %s, fsync %s | 1 | %s s (%d trials/s) | %d of 10000 | %d | %d | - |\n' \
      "$where" "$fsync" "$seconds" "$(/usr/bin/python3 -c "print(round($n / $seconds))")" \
      "$n" $((10000 - n)) "$r"
  done
done
