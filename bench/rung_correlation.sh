#!/usr/bin/env bash
# How well the early steps of the time-to-quality campaigns predict their final ranking: runs
# each campaign of bench/time-to-quality/ without its scheduler (random search, every trial to
# the end, 2 workers under mpirun -np 3), then bench/rung_correlation.py on its journal, with
# the scheduler's own rungs and the trial counts of bench/time_to_quality.sh.
#
# Usage: bench/rung_correlation.sh [BUILD_DIR]
# Environment (defaults): MODELS="torch_mlp xgboost" TORCH_TRIALS=40 XGBOOST_TRIALS=80 SEED=7
# About 8 minutes on 2 cores at the defaults.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
overseer=$(cd "$build" && pwd)/bin/overseer
python=/usr/bin/python3
if [ ! -x "$overseer" ]; then
  echo "rung_correlation.sh: no $overseer (build first, or pass BUILD_DIR)" >&2
  exit 2
fi
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

for model in ${MODELS:-torch_mlp xgboost}; do
  case $model in
    torch_mlp) trials=${TORCH_TRIALS:-40} steps=1,3,9,20 settings=1:3,3:3 full=10 halving=30 ;;
    xgboost) trials=${XGBOOST_TRIALS:-80} steps=9,27,81,243 settings=9:3,27:3,9:4 full=20 halving=60 ;;
    *) echo "rung_correlation.sh: no campaign for model $model" >&2; exit 2 ;;
  esac
  "$python" - "$here/time-to-quality/$model.json" "$here/../data/nci60.h5" "$trials" \
    "${SEED:-7}" >"$scratch/$model.json" <<'PY'
import json, sys
campaign = json.load(open(sys.argv[1]))
campaign["model"]["data"]["file"] = sys.argv[2]
campaign["search"] = {"algorithm": "random", "budget": int(sys.argv[3]), "seed": int(sys.argv[4])}
del campaign["scheduler"]
json.dump(campaign, sys.stdout)
PY
  mpirun --oversubscribe -np 3 "$overseer" run "$scratch/$model.json" --out "$scratch/$model" \
    --log-level warn >/dev/null
  echo "### $model"
  "$python" "$here/rung_correlation.py" "$scratch/$model" --steps "$steps" --settings "$settings" \
    --full "$full" --halving "$halving"
  echo
done
