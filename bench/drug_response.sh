#!/usr/bin/env bash
# Drug-response training, side by side in one run (issue 4): Overseer's torch_mlp / torch_cnn
# against the same architectures in PyTorch (Debian python3-torch) at batch 32 and 256, same data,
# epochs and thread counts; Overseer's xgboost against python xgboost (Debian python3-xgboost) fed
# a pandas-merged frame and a CSR matrix; and the peak RSS of a pandas merge of the tables.
# Data: NCI-60 in DrugCell format, train_DNA.txt to train, val_DNA.txt to validate.
# Each figure is the median of REPEATS runs, timed inside the program (training loop only for
# samples/s; DMatrix + training for xgboost). Peak RSS is the process's maxrss.
#
# Usage: bench/drug_response.sh [BUILD_DIR] [DATA_DIR]
#   BUILD_DIR defaults to build; DATA_DIR to data/nci60 in the repository.
# Environment (defaults): EPOCHS=3 REPEATS=3 ROUNDS=200 XGB_NTHREAD=2
#   MLP_THREADS="1:2" CNN_THREADS="2:1": torch:OpenBLAS threads for each architecture, the best
#   settings found on 2 cores (dense layers run in OpenBLAS; convolutions in torch's own
#   threads); space-separated lists compare several, e.g. MLP_THREADS="1:2 2:2"; 0 = default.
#   MAX_ROWS= (first R rows of train and val, peers only: for quick checks) CPP_DATA=DATA_DIR
#   (what `overseer train --data` gets).
# About 15 minutes for the PyTorch side on 2 cores at the defaults, as long again for Overseer's.
# The Overseer side is skipped, with a note, while BUILD_DIR/bin/overseer has no `train` command.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
data=${2:-$here/../data/nci60}
epochs=${EPOCHS:-3}
repeats=${REPEATS:-3}
rounds=${ROUNDS:-200}
mlp_threads=${MLP_THREADS:-1:2}
cnn_threads=${CNN_THREADS:-2:1}
xgb_nthread=${XGB_NTHREAD:-2}
max_rows=${MAX_ROWS:-}
cpp_data=${CPP_DATA:-$data}
python=/usr/bin/python3
overseer=$build/bin/overseer

if [ ! -f "$data/train_DNA.txt" ]; then
  echo "drug_response.sh: no NCI-60 DrugCell data in $data (pass DATA_DIR)" >&2
  exit 2
fi

# Debian packages for the peers. libtorch only asks for some libblas.so.3; without OpenBLAS
# (a Recommends, skipped by --no-install-recommends) it runs on the reference BLAS, ~40x slower.
need=()
for pair in torch:python3-torch xgboost:python3-xgboost pandas:python3-pandas \
    numpy:python3-numpy scipy:python3-scipy; do
  "$python" -c "import ${pair%%:*}" 2>/dev/null || need+=("${pair#*:}")
done
dpkg-query -W -f='${Status}\n' libopenblas0-pthread libopenblas0-openmp libopenblas0-serial \
  2>/dev/null | grep -q 'install ok installed' || need+=(libopenblas0-pthread)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  apt_install() { $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null; }
  apt_install || { $sudo apt-get update -q >/dev/null && apt_install; }
fi

have_cpp=0
if [ -x "$overseer" ] && "$overseer" train --help 2>&1 | grep -q -- '--model'; then
  have_cpp=1
else
  echo "note: $overseer has no 'train' command (or is missing): Overseer columns skipped" >&2
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
results=$scratch/results.jsonl

# record TAG_JSON COMMAND...: runs COMMAND, takes the last JSON object line of its stdout and
# appends {TAG..., "result": ..., "child_peak_rss_mib": ...} to $results. Fails if COMMAND fails.
record() {
  local tag=$1
  shift
  "$python" - "$tag" "$@" >>"$results" <<'PY'
import json, resource, subprocess, sys
tag, cmd = json.loads(sys.argv[1]), sys.argv[2:]
proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
if proc.returncode != 0:
    sys.exit(f"drug_response.sh: exit {proc.returncode}: {' '.join(cmd)}")
result = None
for line in reversed(proc.stdout.splitlines()):
    try:
        result = json.loads(line)
    except ValueError:
        continue
    if isinstance(result, dict):
        break
    result = None
if result is None:
    sys.exit(f"drug_response.sh: no JSON result from: {' '.join(cmd)}")
tag["result"] = result
tag["child_peak_rss_mib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps(tag))
PY
}

rows_flag=()
[ -z "$max_rows" ] || rows_flag=(--max-rows "$max_rows")

# Overseer's side. Parameter names follow issue 4 (torch_mlp, torch_cnn, xgboost); threads go
# through the environment as for the peer. Adapt here if the `overseer train` CLI differs.
mlp_params='"dense_feature_layers":[1000,1000,1000],"dense":[1000,1000,1000],"activation":"relu","dropout":0.1,"optimizer":"adam","learning_rate":0.0001,"loss":"mse"'
cnn_params='"filters":[32,32],"kernel":[20,20],"stride":[1,1],"pool":[10,10],"dense":[200,20],"activation":"relu","dropout":0,"optimizer":"adam","learning_rate":0.0001,"loss":"mse"'
cpp_torch() {  # arch batch torch_threads blas_threads
  local arch=$1 batch=$2 tt=$3 bt=$4 params
  [ "$arch" = mlp ] && params=$mlp_params || params=$cnn_params
  local env_args=()
  [ "$tt" -eq 0 ] || env_args+=(OMP_NUM_THREADS="$tt")
  [ "$bt" -eq 0 ] || env_args+=(OPENBLAS_NUM_THREADS="$bt")
  env "${env_args[@]}" "$overseer" train --model "torch_$arch" --data "$cpp_data" --device cpu \
    --params "{$params,\"batch_size\":$batch,\"epochs\":$epochs,\"seed\":1}"
}
cpp_xgboost() {
  "$overseer" train --model xgboost --data "$cpp_data" --device cpu --params \
    "{\"tree_method\":\"hist\",\"max_depth\":6,\"eta\":0.1,\"subsample\":0.7,\"colsample_bytree\":0.8,\"n_estimators\":$rounds,\"nthread\":$xgb_nthread,\"seed\":1}"
}
export -f cpp_torch cpp_xgboost
export overseer cpp_data epochs rounds xgb_nthread mlp_params cnn_params

for arch in mlp cnn; do
  settings=$mlp_threads
  [ "$arch" = mlp ] || settings=$cnn_threads
  for setting in $settings; do
    tt=${setting%%:*} bt=${setting#*:}
    for batch in 32 256; do
      tag="{\"bench\":\"torch\",\"arch\":\"$arch\",\"batch\":$batch,\"threads\":\"$tt:$bt\""
      for _ in $(seq "$repeats"); do
        record "$tag,\"side\":\"pytorch\"}" "$python" "$here/peers/torch_drug_response.py" \
          --arch "$arch" --batch-size "$batch" --epochs "$epochs" --threads "$tt" \
          --blas-threads "$bt" --data "$data" --seed 1 "${rows_flag[@]}"
        if [ $have_cpp -eq 1 ]; then
          record "$tag,\"side\":\"overseer\"}" bash -c 'cpp_torch "$@"' _ "$arch" "$batch" "$tt" "$bt" ||
            echo "note: overseer train torch_$arch failed; continuing" >&2
        fi
      done
    done
  done
done
for _ in $(seq "$repeats"); do
  for input in merged csr; do
    record "{\"bench\":\"xgboost\",\"side\":\"python-$input\"}" "$python" \
      "$here/peers/xgboost_drug_response.py" --input "$input" --data "$data" --rounds "$rounds" \
      --nthread "$xgb_nthread" --seed 1 "${rows_flag[@]}"
  done
  if [ $have_cpp -eq 1 ]; then
    record '{"bench":"xgboost","side":"overseer"}' bash -c cpp_xgboost ||
      echo "note: overseer train xgboost failed; continuing" >&2
  fi
  record '{"bench":"merge","side":"pandas"}' "$python" "$here/peers/pandas_merge_rss.py" \
    --data "$data" "${rows_flag[@]}"
done

"$python" - "$results" "$epochs" <<'PY'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
epochs = sys.argv[2]

def find(obj, *names):
    """First value under one of names, searching nested objects (Overseer's layout may nest)."""
    if isinstance(obj, dict):
        for n in names:
            if n in obj and not isinstance(obj[n], (dict, list)):
                return obj[n]
        for v in obj.values():
            found = find(v, *names)
            if found is not None:
                return found
    return None

def med(group, *names, rss=False):
    vals = []
    for r in group:
        v = find(r["result"], *names)
        if v is None and rss:
            v = r["child_peak_rss_mib"]
        if isinstance(v, (int, float)):
            vals.append(float(v))
    return statistics.median(vals) if vals else None

def fmt(v, spec, unit=""):
    return "-" if v is None else format(v, spec) + unit

def select(**kw):
    return [r for r in runs if all(r.get(k) == v for k, v in kw.items())]

SPS = ("train_samples_per_s", "samples_per_s")
print(f"| model | batch | threads torch:BLAS | PyTorch samples/s | Overseer samples/s | ratio "
      f"| PyTorch val MSE | Overseer val MSE | PyTorch peak RSS | Overseer peak RSS |")
print("|---|---|---|---|---|---|---|---|---|---|")
keys = list(dict.fromkeys((r["arch"], r["batch"], r["threads"]) for r in runs
                          if r["bench"] == "torch"))  # in the order they ran
for arch, batch, thr in keys:
    p = select(bench="torch", arch=arch, batch=batch, threads=thr, side="pytorch")
    o = select(bench="torch", arch=arch, batch=batch, threads=thr, side="overseer")
    ps, os_ = med(p, *SPS), med(o, *SPS)
    ratio = f"{os_ / ps:.2f}x" if ps and os_ else "-"
    print(f"| torch_{arch} | {batch} | {thr} | {fmt(ps, ',.0f')} | {fmt(os_, ',.0f')} | {ratio} "
          f"| {fmt(med(p, 'val_mse'), '.4f')} | {fmt(med(o, 'val_mse', 'mse'), '.4f')} "
          f"| {fmt(med(p, 'peak_rss_mib', rss=True), ',.0f', ' MiB')} "
          f"| {fmt(med(o, 'peak_rss_mib', rss=True), ',.0f', ' MiB')} |")
first = next((r["result"] for r in runs if r["bench"] == "torch" and r["side"] == "pytorch"), {})
print(f"\nPyTorch {first.get('torch_version')} ({first.get('blas')}), {epochs} epochs, "
      f"{first.get('train_rows')} training rows, validation {first.get('val_rows')} rows.\n")

print("| xgboost | DMatrix s | train s | DMatrix + train s | val r2 | val MSE | peak RSS |")
print("|---|---|---|---|---|---|---|")
for side, label in (("python-merged", "python xgboost, pandas merge"),
                    ("python-csr", "python xgboost, scipy CSR"), ("overseer", "Overseer xgboost")):
    g = select(bench="xgboost", side=side)
    if not g:
        continue
    print(f"| {label} | {fmt(med(g, 'dmatrix_s'), '.2f')} | {fmt(med(g, 'train_s'), '.2f')} "
          f"| {fmt(med(g, 'total_s'), '.2f')} | {fmt(med(g, 'val_r2', 'r2'), '.4f')} "
          f"| {fmt(med(g, 'val_mse', 'mse'), '.4f')} | {fmt(med(g, 'peak_rss_mib', rss=True), ',.0f', ' MiB')} |")
m = select(bench="merge")
if m:
    print(f"\npandas load + merge of train and val: peak RSS {med(m, 'peak_rss_mib'):,.0f} MiB "
          f"(after import {med(m, 'rss_after_import_mib'):,.0f} MiB, with the unmerged tables loaded "
          f"{med(m, 'rss_after_load_mib'):,.0f} MiB; unmerged frames {med(m, 'unmerged_tables_mib'):,.1f} MiB, "
          f"merged frames {med(m, 'merged_frames_mib'):,.0f} MiB).")
PY
