#!/usr/bin/env bash
# One torch_mlp trial trained data parallel (model.ranks_per_trial, issue 19 b), side by side with
# PyTorch's DistributedDataParallel over gloo (Debian python3-torch) on the same number of
# processes: the Uno MLP of bench/drug_response.sh (towers and top 1000 x 3, dropout 0.1,
# Adam lr 1e-4), the same global batch, epochs and threads, on NCI-60 in DrugCell's split.
# samples/s is the training loop's (whole batch per step over all ranks); validation MSE after
# the last epoch. Each figure is the median of REPEATS runs.
#
# Usage: bench/data_parallel.sh [BUILD_DIR] [DATA_DIR]
#   BUILD_DIR defaults to build; DATA_DIR (NCI-60 DrugCell text files, for the PyTorch side) to
#   data/nci60 in the repository.
# Environment (defaults): EPOCHS=2 REPEATS=3 BATCH=256 RANKS="1 2"
#   Threads per process: 1 torch thread; OpenBLAS gets the machine's cores divided by the ranks.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
data=${2:-$here/../data/nci60}
epochs=${EPOCHS:-2}
repeats=${REPEATS:-3}
batch=${BATCH:-256}
ranks_list=${RANKS:-1 2}
python=/usr/bin/python3
overseer=$(cd "$build" && pwd)/bin/overseer
cores=$(nproc)

if [ ! -f "$data/train_DNA.txt" ]; then
  echo "data_parallel.sh: no NCI-60 DrugCell data in $data (pass DATA_DIR)" >&2
  exit 2
fi
# shellcheck source=peer_packages.sh
. "$here/peer_packages.sh"
install_python_peers "$python" torch:python3-torch numpy:python3-numpy
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
results=$work/results.jsonl
cat >"$work/campaign.json" <<JSON
{
  "name": "data-parallel",
  "model": {
    "name": "torch_mlp",
    "seeds": "fixed",
    "params": {"epochs": $epochs, "batch_size": $batch, "learning_rate": 0.0001,
               "dropout": 0.1, "threads": 1, "optimizer": "adam"},
    "data": {"file": "$here/../data/nci60.h5", "split": "original"}
  },
  "space": [{"name": "loss", "type": "categorical", "values": ["mse"]}],
  "search": {"algorithm": "grid", "budget": 1}
}
JSON

for ranks in $ranks_list; do
  blas=$((cores / ranks > 0 ? cores / ranks : 1))
  for repeat in $(seq "$repeats"); do
    OPENBLAS_NUM_THREADS=$blas "$python" "$here/peers/torch_drug_response.py" --arch mlp \
      --data "$data" --epochs "$epochs" --batch-size "$batch" --threads 1 \
      --blas-threads "$blas" --ranks "$ranks" |
      "$python" -c 'import json,sys; r=json.loads(sys.stdin.read()); print(json.dumps({"side": "pytorch", "ranks": int(sys.argv[1]), "samples_per_s": r["train_samples_per_s"], "val_mse": r["val_mse"]}))' "$ranks" >>"$results"
    out=$work/run-$ranks-$repeat
    # Unbound: Open MPI binds each of two ranks to a core, which would leave one for the
    # single worker and its OpenBLAS threads.
    mpirun --oversubscribe --bind-to none -x OPENBLAS_NUM_THREADS="$blas" -np $((ranks + 1)) "$overseer" \
      --log-level warn run "$work/campaign.json" --out "$out" --set model.ranks_per_trial="$ranks"
    "$python" - "$out/journal.jsonl" "$ranks" >>"$results" <<'PY'
import json, sys
final = [r for r in map(json.loads, open(sys.argv[1])) if r.get("event") == "result" and r.get("final")]
m = final[0]["metrics"]
print(json.dumps({"side": "overseer", "ranks": int(sys.argv[2]), "samples_per_s": m["samples_per_s"],
                  "val_mse": m["val_mse"]}))
PY
  done
done

"$python" - "$results" "$epochs" "$batch" "$cores" <<'PY'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
epochs, batch, cores = sys.argv[2:]
def med(side, ranks, key):
    return statistics.median(r[key] for r in runs if r["side"] == side and r["ranks"] == ranks)
print(f"| ranks | PyTorch DDP (gloo) samples/s | Overseer samples/s | ratio | PyTorch val MSE "
      f"| Overseer val MSE |")
print("|---|---|---|---|---|---|")
for ranks in sorted({r["ranks"] for r in runs}):
    p, o = med("pytorch", ranks, "samples_per_s"), med("overseer", ranks, "samples_per_s")
    print(f"| {ranks} | {p:,.0f} | {o:,.0f} | {o / p:.2f}x | {med('pytorch', ranks, 'val_mse'):.4f} "
          f"| {med('overseer', ranks, 'val_mse'):.4f} |")
print(f"\n{epochs} epochs at global batch {batch} on {cores} cores; medians of "
      f"{len(runs) // (2 * len({r['ranks'] for r in runs}))} runs.")
PY
