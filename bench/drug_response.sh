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
#   ARCHS="mlp mlp-sparse cnn": mlp-sparse is Overseer's torch_mlp with sparse_input against
#   PyTorch's (dense) Uno MLP. XGBOOST=1: the xgboost and pandas rows (0 skips them).
#   MLP_THREADS="1:2" CNN_THREADS="2:1": torch:OpenBLAS threads for each architecture, the best
#   settings found on 2 cores (dense layers run in OpenBLAS; convolutions in torch's own
#   threads); space-separated lists compare several, e.g. MLP_THREADS="1:2 2:2"; 0 = default.
#   TUNED_PEER=1: also runs PyTorch with glibc told to keep freed memory (GLIBC_TUNABLES), which
#   Overseer's torch plug-in does itself (see docs/models.md): PyTorch at that setting too.
#   MAX_ROWS= (first R rows of train and val, peers only: for quick checks) RESULTS=FILE (keep
#   the raw results, one JSON line per run)
#   SUMMARY_ONLY=1 with RESULTS=FILE: print the tables of a kept run again, running nothing.
#   CPP_DATA= what `overseer train --data` gets (default: data/nci60.h5 with DrugCell's split,
#   the same rows as the peers' train_DNA.txt / val_DNA.txt).
# About 15 minutes for the PyTorch side on 2 cores at the defaults, as long again for Overseer's.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
data=${2:-$here/../data/nci60}
epochs=${EPOCHS:-3}
repeats=${REPEATS:-3}
rounds=${ROUNDS:-200}
archs=${ARCHS:-mlp mlp-sparse cnn}
with_xgboost=${XGBOOST:-1}
tuned_peer=${TUNED_PEER:-0}
mlp_threads=${MLP_THREADS:-1:2}
cnn_threads=${CNN_THREADS:-2:1}
xgb_nthread=${XGB_NTHREAD:-2}
max_rows=${MAX_ROWS:-}
cpp_data=${CPP_DATA:-"{\"file\": \"$here/../data/nci60.h5\", \"split\": \"original\"}"}
python=/usr/bin/python3
overseer=$build/bin/overseer

if [ ! -f "$data/train_DNA.txt" ]; then
  echo "drug_response.sh: no NCI-60 DrugCell data in $data (pass DATA_DIR)" >&2
  exit 2
fi

# Debian packages for the peers. libtorch only asks for some libblas.so.3; without OpenBLAS
# (a Recommends, skipped by --no-install-recommends) it runs on the reference BLAS, ~40x slower.
blas=()
dpkg-query -W -f='${Status}\n' libopenblas0-pthread libopenblas0-openmp libopenblas0-serial \
  2>/dev/null | grep -q 'install ok installed' || blas=(libopenblas0-pthread)
# shellcheck source=peer_packages.sh
. "$here/peer_packages.sh"
install_python_peers "$python" torch:python3-torch xgboost:python3-xgboost pandas:python3-pandas \
  numpy:python3-numpy scipy:python3-scipy "${blas[@]}"

summarize() {
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
print(f"| model | batch | threads torch:BLAS | PyTorch samples/s | PyTorch, freed memory kept "
      f"| Overseer samples/s | ratio | PyTorch val MSE | Overseer val MSE | PyTorch peak RSS "
      f"| Overseer peak RSS |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
keys = list(dict.fromkeys((r["arch"], r["batch"], r["threads"]) for r in runs
                          if r["bench"] == "torch"))  # in the order they ran
for arch, batch, thr in keys:
    p = select(bench="torch", arch=arch, batch=batch, threads=thr, side="pytorch")
    o = select(bench="torch", arch=arch, batch=batch, threads=thr, side="overseer")
    t = select(bench="torch", arch=arch, batch=batch, threads=thr, side="pytorch-tuned")
    ps, os_ = med(p, *SPS), med(o, *SPS)
    ratio = f"{os_ / ps:.2f}x" if ps and os_ else "-"
    print(f"| torch_{arch} | {batch} | {thr} | {fmt(ps, ',.0f')} | {fmt(med(t, *SPS), ',.0f')} "
          f"| {fmt(os_, ',.0f')} | {ratio} "
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
    total = med(g, 'total_s')
    if total is None:  # Overseer reports the trial's wall time: loading the file, DMatrix, training
        total = statistics.median(r["result"]["end"] - r["result"]["start"] for r in g)
    print(f"| {label} | {fmt(med(g, 'dmatrix_s'), '.2f')} | {fmt(med(g, 'train_s'), '.2f')} "
          f"| {fmt(total, '.2f')} | {fmt(med(g, 'val_r2', 'r2'), '.4f')} "
          f"| {fmt(med(g, 'val_mse', 'mse'), '.4f')} | {fmt(med(g, 'peak_rss_mib', rss=True), ',.0f', ' MiB')} |")
m = select(bench="merge")
if m:
    print(f"\npandas load + merge of train and val: peak RSS {med(m, 'peak_rss_mib'):,.0f} MiB "
          f"(after import {med(m, 'rss_after_import_mib'):,.0f} MiB, with the unmerged tables loaded "
          f"{med(m, 'rss_after_load_mib'):,.0f} MiB; unmerged frames {med(m, 'unmerged_tables_mib'):,.1f} MiB, "
          f"merged frames {med(m, 'merged_frames_mib'):,.0f} MiB).")
PY
}
if [ ! -x "$overseer" ]; then
  echo "drug_response.sh: no $overseer (build first, or pass BUILD_DIR)" >&2
  exit 2
fi

# Raw results, one JSON line per run; RESULTS=FILE keeps them.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
results=${RESULTS:-$scratch/results.jsonl}
if [ "${SUMMARY_ONLY:-0}" = 1 ]; then
  summarize
  exit 0
fi

# record TAG_JSON COMMAND...: runs COMMAND, takes the last JSON object line of its stdout and
# appends {TAG..., "result": ..., "child_peak_rss_mib": ...} to $results. Fails if COMMAND fails.
# The result is the whole stdout when it is one JSON object, else its last JSON object line.
record() {
  local tag=$1
  shift
  "$python" - "$tag" "$@" >>"$results" <<'PY'
import json, resource, subprocess, sys
tag, cmd = json.loads(sys.argv[1]), sys.argv[2:]
proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
if proc.returncode != 0:
    sys.exit(f"drug_response.sh: exit {proc.returncode}: {' '.join(cmd)}")
try:  # Overseer prints one indented object; the peers print a JSON line after their logs
    result = json.loads(proc.stdout)
except ValueError:
    result = None
for line in reversed(proc.stdout.splitlines() if result is None else []):
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

# Overseer's side: the same architectures and settings through `overseer train`.
mlp_params='"dense_feature_layers":[1000,1000,1000],"dense":[1000,1000,1000],"activation":"relu","dropout":0.1,"optimizer":"adam","learning_rate":0.0001,"loss":"mse"'
cnn_params='"conv_filters":[32,32],"conv_kernel":20,"conv_stride":1,"pool":10,"dense":[200,20],"activation":"relu","dropout":0,"optimizer":"adam","learning_rate":0.0001,"loss":"mse"'
cpp_torch() {  # arch batch torch_threads blas_threads
  local arch=$1 batch=$2 tt=$3 bt=$4 model params
  case $arch in
    mlp) model=torch_mlp params=$mlp_params ;;
    mlp-sparse) model=torch_mlp params="$mlp_params,\"sparse_input\":true" ;;
    cnn) model=torch_cnn params=$cnn_params ;;
  esac
  local env_args=()
  [ "$bt" -eq 0 ] || env_args+=(OPENBLAS_NUM_THREADS="$bt")
  env "${env_args[@]}" "$overseer" train --model "$model" --data "$cpp_data" --device cpu --seed 1 \
    --params "{$params,\"batch_size\":$batch,\"epochs\":$epochs,\"threads\":$tt}"
}
cpp_xgboost() {
  "$overseer" train --model xgboost --data "$cpp_data" --device cpu --seed 1 --params \
    "{\"tree_method\":\"hist\",\"max_depth\":6,\"eta\":0.1,\"subsample\":0.7,\"colsample_bytree\":0.8,\"n_estimators\":$rounds,\"nthread\":$xgb_nthread}"
}
export -f cpp_torch cpp_xgboost
export overseer cpp_data epochs rounds xgb_nthread mlp_params cnn_params
# What Overseer's torch plug-in does with mallopt, as an environment setting for PyTorch.
keep_freed_memory=glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=2147483647

for arch in $archs; do
  settings=$mlp_threads
  [ "$arch" != cnn ] || settings=$cnn_threads
  for setting in $settings; do
    tt=${setting%%:*} bt=${setting#*:}
    for batch in 32 256; do
      tag="{\"bench\":\"torch\",\"arch\":\"$arch\",\"batch\":$batch,\"threads\":\"$tt:$bt\""
      peer=("$python" "$here/peers/torch_drug_response.py" --arch "${arch%-sparse}"
        --batch-size "$batch" --epochs "$epochs" --threads "$tt" --blas-threads "$bt"
        --data "$data" --seed 1 "${rows_flag[@]}")
      for _ in $(seq "$repeats"); do
        record "$tag,\"side\":\"pytorch\"}" "${peer[@]}"
        if [ "$tuned_peer" = 1 ]; then
          record "$tag,\"side\":\"pytorch-tuned\"}" env GLIBC_TUNABLES=$keep_freed_memory "${peer[@]}"
        fi
        record "$tag,\"side\":\"overseer\"}" bash -c 'cpp_torch "$@"' _ "$arch" "$batch" "$tt" "$bt"
      done
    done
  done
done
for _ in $(seq "$repeats"); do
  [ "$with_xgboost" = 1 ] || break
  for input in merged csr; do
    record "{\"bench\":\"xgboost\",\"side\":\"python-$input\"}" "$python" \
      "$here/peers/xgboost_drug_response.py" --input "$input" --data "$data" --rounds "$rounds" \
      --nthread "$xgb_nthread" --seed 1 "${rows_flag[@]}"
  done
  record '{"bench":"xgboost","side":"overseer"}' bash -c cpp_xgboost
  record '{"bench":"merge","side":"pandas"}' "$python" "$here/peers/pandas_merge_rss.py" \
    --data "$data" "${rows_flag[@]}"
done

summarize
