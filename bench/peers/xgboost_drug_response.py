"""Python xgboost peer of Overseer's xgboost model, for bench/drug_response.sh.

Trains on NCI-60 (DrugCell format) train_DNA.txt, evaluates on val_DNA.txt, prints one JSON line.

  --input merged  the typical pipeline: pandas reads the tables, merges responses with the cell
                  and drug feature frames into one dense frame per split, xgboost.DMatrix(frame);
                  zeros are values (missing = NaN, none present).
  --input csr     no merged copy: the two small feature tables become scipy CSR matrices, each
                  split's rows are gathered from them and stacked into one CSR matrix; zeros are
                  absent entries, which xgboost treats as missing (the same convention is used to
                  predict). Needs python3-scipy; pandas is not imported.

Times: load_s (reading the files), dmatrix_s (merge or CSR gathering + DMatrix, train and val),
train_s (xgboost.train), total_s = dmatrix_s + train_s, predict_s (validation). peak_rss_mib is
the process's maxrss (getrusage) at the end; rss_after_import_mib is the same before any data.
Run with /usr/bin/python3 (Debian python3-xgboost).
"""
import argparse
import json
import os
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--input", choices=["merged", "csr"], default="merged")
    p.add_argument("--data", required=True, help="NCI-60 DrugCell directory")
    p.add_argument("--tree-method", default="hist")
    p.add_argument("--max-depth", type=int, default=6)
    p.add_argument("--eta", type=float, default=0.1)
    p.add_argument("--subsample", type=float, default=0.7)
    p.add_argument("--colsample-bytree", type=float, default=0.8)
    p.add_argument("--min-child-weight", type=float, default=1.0)
    p.add_argument("--rounds", type=int, default=200)
    p.add_argument("--nthread", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--max-rows", type=int, default=None,
                   help="use only the first R rows of train and of val (for quick checks)")
    return p.parse_args()


def build_merged(args, tables, xgb):
    t0 = time.perf_counter()
    cell, drug, responses = tables.load_pandas_tables(args.data, ["train", "val"], args.max_rows)
    t1 = time.perf_counter()
    features = list(cell.columns[1:]) + list(drug.columns[1:])
    frames, matrices = {}, {}
    for split, resp in responses.items():
        frames[split] = tables.merge_pandas(cell, drug, resp)  # kept, as a typical script does
        matrices[split] = xgb.DMatrix(frames[split][features], label=frames[split]["y"],
                                      nthread=args.nthread)
    t2 = time.perf_counter()
    y_val = frames["val"]["y"].to_numpy()
    return t1 - t0, t2 - t1, matrices["train"], matrices["val"], y_val, len(features)


def build_csr(args, tables, xgb):
    import scipy.sparse as sp
    t0 = time.perf_counter()
    cell_index, cells, drug_index, drugs = tables.load_features(args.data)
    splits = {s: tables.load_split(args.data, s, cell_index, drug_index, args.max_rows)
              for s in ("train", "val")}
    t1 = time.perf_counter()
    cells_csr, drugs_csr = sp.csr_matrix(cells), sp.csr_matrix(drugs)
    matrices = {}
    for split, (c, d, y) in splits.items():
        x = sp.hstack([cells_csr[c], drugs_csr[d]], format="csr")
        matrices[split] = xgb.DMatrix(x, label=y, nthread=args.nthread)
    t2 = time.perf_counter()
    n_features = cells.shape[1] + drugs.shape[1]
    return t1 - t0, t2 - t1, matrices["train"], matrices["val"], splits["val"][2], n_features


def main():
    args = parse_args()
    import numpy as np
    import xgboost as xgb
    if args.input == "merged":
        import pandas  # noqa: F401  (imported here so rss_after_import covers it)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import nci60_tables as tables
    rss_after_import = tables.peak_rss_mib()

    build = build_merged if args.input == "merged" else build_csr
    load_s, dmatrix_s, dtrain, dval, y_val, n_features = build(args, tables, xgb)

    params = {
        "objective": "reg:squarederror", "tree_method": args.tree_method,
        "max_depth": args.max_depth, "eta": args.eta, "subsample": args.subsample,
        "colsample_bytree": args.colsample_bytree, "min_child_weight": args.min_child_weight,
        "nthread": args.nthread, "seed": args.seed, "validate_parameters": 1,
    }
    t0 = time.perf_counter()
    booster = xgb.train(params, dtrain, num_boost_round=args.rounds)
    t1 = time.perf_counter()
    pred = booster.predict(dval)
    t2 = time.perf_counter()
    finite = bool(np.isfinite(pred).all())
    val_mse, val_r2 = tables.regression_metrics(y_val, pred) if finite else (None, None)

    print(json.dumps({
        "peer": "python-xgboost",
        "input": args.input,
        "tree_method": args.tree_method,
        "max_depth": args.max_depth,
        "eta": args.eta,
        "subsample": args.subsample,
        "colsample_bytree": args.colsample_bytree,
        "rounds": args.rounds,
        "nthread": args.nthread,
        "train_rows": dtrain.num_row(),
        "val_rows": dval.num_row(),
        "features": n_features,
        "load_s": round(load_s, 3),
        "dmatrix_s": round(dmatrix_s, 3),
        "train_s": round(train_s := t1 - t0, 3),
        "total_s": round(dmatrix_s + train_s, 3),
        "predict_s": round(t2 - t1, 3),
        "val_mse": round(val_mse, 5) if finite else None,
        "val_r2": round(val_r2, 5) if finite else None,
        "status": "ok" if finite else "nan",
        "rss_after_import_mib": round(rss_after_import, 1),
        "peak_rss_mib": round(tables.peak_rss_mib(), 1),
        "xgboost_version": xgb.__version__,
        "seed": args.seed,
    }))


if __name__ == "__main__":
    main()
