#!/usr/bin/python3
"""An IMPROVE-style drug-response model: ridge regression on the cell and drug features, plus
an optional low-rank cell x drug interaction, trained by full-batch Adam.

    y(cell, drug) = b + c.w_c + d.w_d + (c U).(d V)        (U, V of width `rank`; 0: none)

Three stages, as IMPROVE models have them (preprocess.sh, train.sh, infer.sh call this file):
  preprocess  the Overseer HDF5 tables in CANDLE_DATA_DIR -> ml_data.npz (unmerged tables and
              the original train/val/test split)
  train       ml_data.npz -> model.npz, val_scores.json, val_y_data_predicted.csv, and the line
              "IMPROVE_RESULT val_loss:\t<mse>" on stdout; every --progress_every epochs a line
              "IMPROVE_PROGRESS epoch=<e> val_loss=<mse>", and it ends early, with what it has,
              when a file STOP appears in the output directory (a scheduler's stop)
  infer       ml_data.npz + model.npz -> test_scores.json, test_y_data_predicted.csv

The joined (cell, drug) feature table is never built: predictions and gradients work on the
per-cell and per-drug products, gathered by index.
"""
import argparse
import json
import os
import sys

import h5py
import numpy as np

TRAIN_DEFAULTS = {"learning_rate": 0.01, "epochs": 100, "l2": 1e-4, "rank": 0, "seed": 0}


def parse(stage, argv):
    p = argparse.ArgumentParser(prog=stage + ".sh")
    p.add_argument("device", help="CUDA_VISIBLE_DEVICES, as IMPROVE scripts take it (unused: CPU)")
    p.add_argument("data_dir", help="CANDLE_DATA_DIR: holds the data file")
    p.add_argument("--data_file", default="nci60.h5")
    p.add_argument("--input_dir", help="where ml_data.npz is (default: output_dir)")
    p.add_argument("--output_dir", default=".")
    p.add_argument("--model_dir", help="where model.npz is (infer; default: output_dir)")
    p.add_argument("--params_json", help="hyperparameters as JSON; flags override them")
    p.add_argument("--progress_every", type=int, default=10,
                   help="epochs between IMPROVE_PROGRESS lines (0: none)")
    for name, value in TRAIN_DEFAULTS.items():
        p.add_argument("--" + name, type=type(value))
    args = p.parse_args(argv)
    params = dict(TRAIN_DEFAULTS)
    if args.params_json:
        with open(args.params_json) as f:
            given = json.load(f)
        params.update({k: type(TRAIN_DEFAULTS[k])(v) for k, v in given.items() if k in params})
    params.update({k: getattr(args, k) for k in TRAIN_DEFAULTS if getattr(args, k) is not None})
    args.params = params
    args.input_dir = args.input_dir or args.output_dir
    args.model_dir = args.model_dir or args.output_dir
    return args


def preprocess(args):
    path = os.path.join(args.data_dir, args.data_file)
    with h5py.File(path, "r") as f:
        tables = {
            "cell_x": f["cells/features"][:],
            "drug_x": f["drugs/features"][:],
            "cell_ids": f["cells/ids"][:].astype(str),
            "drug_ids": f["drugs/ids"][:].astype(str),
        }
        part = f["responses/original_part"][:]
        cell, drug, y = f["responses/cell"][:], f["responses/drug"][:], f["responses/y"][:]
    for code, name in enumerate(["train", "val", "test"]):
        rows = part == code
        tables[name + "_cell"] = cell[rows].astype(np.int64)
        tables[name + "_drug"] = drug[rows].astype(np.int64)
        tables[name + "_y"] = y[rows].astype(np.float64)
    os.makedirs(args.output_dir, exist_ok=True)
    out = os.path.join(args.output_dir, "ml_data.npz")
    np.savez(out, **tables)
    print(f"preprocess: {path} -> {out} ({len(tables['train_y'])} train, "
          f"{len(tables['val_y'])} val, {len(tables['test_y'])} test responses)")


def load_ml_data(args):
    path = os.path.join(args.input_dir, "ml_data.npz")
    if not os.path.exists(path):
        args.output_dir, saved = args.input_dir, args.output_dir
        preprocess(args)
        args.output_dir = saved
    with np.load(path) as d:
        return {k: d[k] for k in d.files}


def predict(w, d, part):
    cell, drug = d[part + "_cell"], d[part + "_drug"]
    cell_lin = d["cell_x"] @ w["w_c"]
    drug_lin = d["drug_x"] @ w["w_d"]
    pred = w["b"] + cell_lin[cell] + drug_lin[drug]
    if w["U"].shape[1] > 0:
        cu, dv = d["cell_x"] @ w["U"], d["drug_x"] @ w["V"]
        pred = pred + np.einsum("ij,ij->i", cu[cell], dv[drug])
    return pred


def ranks(x):
    """Average ranks (ties share the mean of their positions), for Spearman's correlation."""
    values, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    return ((ends - counts + 1 + ends) / 2.0)[inverse]


def scores(y, pred):
    mse = float(np.mean((y - pred) ** 2))
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    return {
        "mse": mse,
        "rmse": mse ** 0.5,
        "mae": float(np.mean(np.abs(y - pred))),
        "r2": 1.0 - mse * len(y) / ss_tot,
        "pcc": float(np.corrcoef(y, pred)[0, 1]),
        "scc": float(np.corrcoef(ranks(y), ranks(pred))[0, 1]),
    }


def write_predictions(path, d, part, pred):
    with open(path, "w") as f:
        f.write("cell,drug,y_true,y_pred\n")
        for c, g, t, p in zip(d[part + "_cell"], d[part + "_drug"], d[part + "_y"], pred):
            drug = d["drug_ids"][g].replace('"', '""')
            f.write(f'{d["cell_ids"][c]},"{drug}",{t:.6g},{p:.6g}\n')


def train(args):
    hp = args.params
    if hp["epochs"] < 1 or hp["rank"] < 0 or hp["learning_rate"] <= 0 or hp["l2"] < 0:
        sys.exit(f"train: invalid hyperparameters {hp}")
    d = load_ml_data(args)
    rng = np.random.default_rng(hp["seed"])
    cx, dx = d["cell_x"].astype(np.float64), d["drug_x"].astype(np.float64)
    d["cell_x"], d["drug_x"] = cx, dx
    k = hp["rank"]
    w = {
        "b": np.array(d["train_y"].mean()),
        "w_c": np.zeros(cx.shape[1]),
        "w_d": np.zeros(dx.shape[1]),
        "U": rng.normal(0, 0.01, (cx.shape[1], k)),
        "V": rng.normal(0, 0.01, (dx.shape[1], k)),
    }
    adam = {name: (np.zeros_like(v), np.zeros_like(v)) for name, v in w.items()}
    cell, drug, y = d["train_cell"], d["train_drug"], d["train_y"]
    n_cells, n_drugs = cx.shape[0], dx.shape[0]
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    print(f"train: {hp}")
    for epoch in range(1, hp["epochs"] + 1):
        residual = predict(w, d, "train") - y
        r = 2.0 * residual / len(y)  # d(mse)/d(prediction)
        per_cell = np.bincount(cell, weights=r, minlength=n_cells)
        per_drug = np.bincount(drug, weights=r, minlength=n_drugs)
        grad = {"b": np.array(r.sum()), "w_c": cx.T @ per_cell, "w_d": dx.T @ per_drug}
        if k > 0:
            cu, dv = cx @ w["U"], dx @ w["V"]
            g_cu = np.zeros((n_cells, k))
            g_dv = np.zeros((n_drugs, k))
            np.add.at(g_cu, cell, r[:, None] * dv[drug])
            np.add.at(g_dv, drug, r[:, None] * cu[cell])
            grad["U"], grad["V"] = cx.T @ g_cu, dx.T @ g_dv
        else:
            grad["U"], grad["V"] = np.zeros_like(w["U"]), np.zeros_like(w["V"])
        for name in ("w_c", "w_d", "U", "V"):
            grad[name] = grad[name] + 2.0 * hp["l2"] * w[name]
        for name, g in grad.items():
            m, v = adam[name]
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g * g
            step = hp["learning_rate"] * (m / (1 - beta1 ** epoch)) / (
                np.sqrt(v / (1 - beta2 ** epoch)) + eps)
            w[name] = w[name] - step
        if epoch == 1 or epoch % 20 == 0 or epoch == hp["epochs"]:
            print(f"epoch {epoch}: train_loss {float(np.mean(residual ** 2)):.5f}", flush=True)
        if args.progress_every > 0 and epoch % args.progress_every == 0:
            mse = scores(d["val_y"], predict(w, d, "val"))["mse"]
            print(f"IMPROVE_PROGRESS epoch={epoch} val_loss={mse}", flush=True)
            if os.path.exists(os.path.join(args.output_dir, "STOP")):
                print(f"train: stopped after epoch {epoch}", flush=True)
                break

    os.makedirs(args.output_dir, exist_ok=True)
    np.savez(os.path.join(args.output_dir, "model.npz"), **w)
    val_pred = predict(w, d, "val")
    write_predictions(os.path.join(args.output_dir, "val_y_data_predicted.csv"), d, "val", val_pred)
    val = scores(d["val_y"], val_pred)
    val_scores = {"val_loss": val["mse"], **val,
                  "train_loss": float(np.mean((predict(w, d, "train") - y) ** 2))}
    with open(os.path.join(args.output_dir, "val_scores.json"), "w") as f:
        json.dump(val_scores, f, indent=2)
    print(f"IMPROVE_RESULT val_loss:\t{val['mse']}")


def infer(args):
    d = load_ml_data(args)
    d["cell_x"], d["drug_x"] = d["cell_x"].astype(np.float64), d["drug_x"].astype(np.float64)
    with np.load(os.path.join(args.model_dir, "model.npz")) as m:
        w = {k: m[k] for k in m.files}
    pred = predict(w, d, "test")
    os.makedirs(args.output_dir, exist_ok=True)
    write_predictions(os.path.join(args.output_dir, "test_y_data_predicted.csv"), d, "test", pred)
    with open(os.path.join(args.output_dir, "test_scores.json"), "w") as f:
        json.dump(scores(d["test_y"], pred), f, indent=2)
    print(f"infer: {json.dumps(scores(d['test_y'], pred))}")


if __name__ == "__main__":
    stages = {"preprocess": preprocess, "train": train, "infer": infer}
    if len(sys.argv) < 2 or sys.argv[1] not in stages:
        sys.exit("usage: improve_ridge.py preprocess|train|infer DEVICE DATA_DIR [--flags]")
    stages[sys.argv[1]](parse(sys.argv[1], sys.argv[2:]))
