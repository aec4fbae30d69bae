#!/usr/bin/env bash
# The High Error Drug study's weighted loss on GDSC1000 (issue 20, benchmark): XGBoost trained
# with loss alpha_weighted for several loss_alpha on three random splits, every trial's test
# errors cut into 10 and into 2 equal-width ranges of the true ln IC50 (`overseer analyze errors
# --all`). Prints, per alpha, the mean over the splits of the test MAE in the lowest ranges (the
# sensitive pairs) and in the others, and the overall test MSE: what weighting the low responses
# buys there and costs elsewhere.
# Usage: bench/hed_alpha.sh [BUILD_DIR]   Environment: ALPHAS="0 1 2 5 10 20" SEEDS="1 2 3"
set -euo pipefail
build=${1:-build}
overseer=$build/bin/overseer
alphas=${ALPHAS:-0 1 2 5 10 20}
seeds=${SEEDS:-1 2 3}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data=$root/data/gdsc.h5
[ -f "$data" ] || "$overseer" data import gdsc "$root/data/gdsc1000" --drug-features onehot \
  --tissue drop -o "$data" > /dev/null
alpha_list=$(printf '%s,' $alphas)
seed_list=$(printf '%s,' $seeds)
cat > "$work/c.json" <<JSON
{"name": "hed-alpha",
 "model": {"name": "xgboost",
           "params": {"tree_method": "hist", "nthread": 1, "n_estimators": 60, "max_depth": 8,
                      "eta": 0.2, "loss": "alpha_weighted"},
           "data": {"file": "$data", "split": "random"}},
 "space": [{"name": "loss_alpha", "type": "ordered", "element_type": "float",
            "values": [${alpha_list%,}]},
           {"name": "split_seed", "type": "ordered", "element_type": "int",
            "values": [${seed_list%,}]}],
 "search": {"algorithm": "grid"},
 "objective": {"metric": "val_loss", "mode": "min"}}
JSON
"$overseer" run "$work/c.json" --workers "$(nproc)" --out "$work/run" --log-level warn
"$overseer" analyze errors "$work/run" --all > /dev/null
/usr/bin/python3 - "$work/run" <<'PY'
import csv, statistics, sys
from collections import defaultdict
run = sys.argv[1]
params = {r["trial_id"]: r for r in csv.DictReader(open(f"{run}/results.csv"))}
def table(bins):
    out = defaultdict(lambda: defaultdict(list))  # alpha -> bin -> MAE per split
    for r in csv.DictReader(open(f"{run}/analysis/errors_by_range_{bins}_test_by_trial.csv")):
        if r["mae"]:
            out[float(params[r["trial"]]["param_loss_alpha"])][int(r["bin"])].append(float(r["mae"]))
    return out
ten, two = table(10), table(2)
mse = defaultdict(list)
for r in params.values():
    mse[float(r["param_loss_alpha"])].append(float(r["metric_test_mse"]))
mean = statistics.mean
base = {b: mean(v) for b, v in ten[0.0].items()}
print("| loss_alpha | MAE, lowest 2 of 10 ranges | MAE, lower half (2 ranges) | MAE, upper half | MAE, middle 6 of 10 ranges | test MSE |")
print("|---|---|---|---|---|---|")
for alpha in sorted(ten):
    lowest = mean([mean(ten[alpha][b]) for b in (1, 2)])
    middle = mean([mean(ten[alpha][b]) for b in range(3, 9)])
    print(f"| {alpha:g} | {lowest:.3f} | {mean(two[alpha][1]):.3f} | {mean(two[alpha][2]):.3f} "
          f"| {middle:.3f} | {mean(mse[alpha]):.3f} |")
PY
