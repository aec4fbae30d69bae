#!/usr/bin/env bash
# Runs the quickstart campaign under mpirun (one master and two resident workers), then writes
# its HTML report.
set -euo pipefail
overseer=${1:-build/bin/overseer}
out=runs/quickstart

if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
rm -rf "$out"
mpirun --oversubscribe -np 3 "$overseer" run workflows/quickstart.json --out "$out"

echo
echo "Results of the quickstart campaign:"
echo "  $out/results.csv    one row per trial (results.h5: the same, for h5py and pandas)"
echo "  $out/best.json      the best trial"
echo "  $out/journal.jsonl  every event; resume with: $overseer run workflows/quickstart.json --out $out --resume"
echo
echo "Best trial:"
cat "$out/best.json"

echo
echo "Report (one HTML file, open it in any browser):"
"$overseer" report "$out"
