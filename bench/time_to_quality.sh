#!/usr/bin/env bash
# Time to quality with early stopping (issue 17, benchmark a), side by side in one run on the
# bundled NCI-60: Overseer's random search at full budget, random + ASHA and bayes + ASHA, against
# Optuna 3.1's TPE with its SuccessiveHalvingPruner and with its HyperbandPruner (Debian
# python3-optuna), on the campaigns in bench/time-to-quality/: torch_mlp with epochs as the
# resource (1 to 20, reduction factor 3) and xgboost with boosting rounds (9 to 243, reported every
# 9). Same space, same resource bounds, the same 2 concurrent workers (Overseer under
# mpirun -np 3: a master and 2 workers; Optuna as study.optimize(n_jobs=2)). Both train the same
# model: Optuna's objective runs `overseer train --progress` and prunes by killing it
# (bench/peers/optuna_pruning.py), so the two differ only in how they search and stop.
#
# For each seed and method: every trial's training interval and final value; compute is
# trial-seconds (time spent training, one core per trial), the best at a moment is the best value
# of the trials ended by then. Targets: random + ASHA reaches full-budget random's best within 1/3
# of full-budget random's compute; bayes + ASHA reaches Optuna TPE + Hyperband's final best with
# no more compute than Optuna used. Medians over seeds; an SVG per model of the median best
# against compute.
#
# Usage: bench/time_to_quality.sh [BUILD_DIR]
# Environment (defaults): SEEDS=5 MODELS="torch_mlp xgboost"
#   METHODS="random random-asha bayes-asha optuna-sh optuna-hyperband" (Overseer methods are
#   SEARCHER or SEARCHER-SCHEDULER: bayes-hyperband, random-median also work)
#   TORCH_TRIALS="20 60" XGBOOST_TRIALS="20 60" (full-budget random's trials, then the others')
#   RESULTS=FILE (raw results, one JSON line per run, appended to; SUMMARIZE=1 only summarizes it)
#   PLOT=DIR (where the SVGs go; default: none)
# About 50 minutes on 2 cores at the defaults.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
overseer=$(cd "$build" && pwd)/bin/overseer
python=/usr/bin/python3

# shellcheck source=peer_packages.sh
. "$here/peer_packages.sh"
install_python_peers "$python" optuna:python3-optuna
if [ ! -x "$overseer" ]; then
  echo "time_to_quality.sh: no $overseer (build first, or pass BUILD_DIR)" >&2
  exit 2
fi
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
results=${RESULTS:-$scratch/results.jsonl}
read -r -a methods <<<"${METHODS:-random random-asha bayes-asha optuna-sh optuna-hyperband}"
plot=()
[ -z "${PLOT:-}" ] || plot=(--plot "$PLOT")

if [ "${SUMMARIZE:-0}" = 1 ]; then
  exec "$python" "$here/time_to_quality.py" --results "$results" --summarize-only "${plot[@]}"
fi
for model in ${MODELS:-torch_mlp xgboost}; do
  case $model in
    torch_mlp) read -r full trials <<<"${TORCH_TRIALS:-20 60}" ;;
    xgboost) read -r full trials <<<"${XGBOOST_TRIALS:-20 60}" ;;
    *) echo "time_to_quality.sh: no campaign for model $model" >&2; exit 2 ;;
  esac
  "$python" "$here/time_to_quality.py" --overseer "$overseer" \
    --campaign "$here/time-to-quality/$model.json" --seeds "${SEEDS:-5}" --methods "${methods[@]}" \
    --full-trials "$full" --trials "$trials" --results "$results" >/dev/null
done
"$python" "$here/time_to_quality.py" --results "$results" --summarize-only "${plot[@]}"
