"""The ridge model's code, shared by its three IMPROVE scripts (ridge_preprocess_improve.py,
ridge_train_improve.py, ridge_infer_improve.py).

Ridge regression on the cell and drug features, plus an optional low-rank cell x drug
interaction, trained by full-batch Adam on the mean squared error:

    y(cell, drug) = b + c.w_c + d.w_d + (c U).(d V)        (U, V of width `rank`; 0: none)

The joined (cell, drug) feature table is never built: predictions and gradients work on the
per-cell and per-drug products, gathered by index. Only numpy and the standard library are used.

Parameters come as improvelib resolves them: the defaults below, then the stage's section of the
configuration file (--config_file, default ridge_params.txt beside this file), then flags.
"""
import argparse
import configparser
import csv
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
STAGES = ("train", "val", "test")

# name: (type, default) per stage. Paths and split files are flags only.
PARAMETERS = {
    "Preprocess": {"y_col_name": (str, "auc"), "cell_features": (str, "cancer_gene_expression.tsv"),
                   "drug_features": (str, "drug_ecfp4_nbits512.tsv")},
    "Train": {"y_col_name": (str, "auc"), "epochs": (int, 100), "learning_rate": (float, 0.01),
              "l2": (float, 1e-4), "rank": (int, 0), "seed": (int, 0),
              "progress_every": (int, 10)},
    "Infer": {"y_col_name": (str, "auc"), "calc_infer_scores": (str, "True")},
}

# Directory flags of each stage: IMPROVE v0.1 names first, the v0.0.3 names as aliases.
DIRECTORIES = {
    "Preprocess": {"input_dir": [], "output_dir": ["--ml_data_outdir"]},
    "Train": {"input_dir": ["--train_ml_data_dir", "--val_ml_data_dir"],
              "output_dir": ["--model_outdir"]},
    "Infer": {"input_data_dir": ["--test_ml_data_dir"], "input_model_dir": ["--model_dir"],
              "output_dir": ["--infer_outdir"]},
}


def parameters(stage, argv):
    """The stage's parameters: defaults < the configuration file's section < flags."""
    p = argparse.ArgumentParser(prog=f"ridge_{stage.lower()}_improve.py")
    p.add_argument("--config_file", default=os.path.join(HERE, "ridge_params.txt"))
    for name, aliases in DIRECTORIES[stage].items():
        p.add_argument("--" + name, *aliases, dest=name)
    if stage == "Preprocess":
        for part in STAGES:
            p.add_argument(f"--{part}_split_file", required=True)
    for name, (kind, _) in PARAMETERS[stage].items():
        p.add_argument("--" + name, type=kind)
    args = p.parse_args(argv)
    config = configparser.ConfigParser()
    if not config.read(args.config_file):
        sys.exit(f"{args.config_file}: cannot read the configuration file")
    section = config[stage] if config.has_section(stage) else {}
    params = {}
    for name, (kind, default) in PARAMETERS[stage].items():
        value = getattr(args, name)
        if value is None:
            try:
                value = kind(section.get(name, default))
            except ValueError:
                sys.exit(f"{args.config_file}: [{stage}] {name}: not a {kind.__name__}")
        params[name] = value
    for name in DIRECTORIES[stage]:
        # Preprocessing's raw data has a fallback of its own (raw_data_dir); the rest default to
        # the working directory, as improvelib's do.
        fallback = None if (stage, name) == ("Preprocess", "input_dir") else "."
        params[name] = getattr(args, name) or fallback
    if stage == "Preprocess":
        for part in STAGES:
            params[part + "_split_file"] = getattr(args, part + "_split_file")
    print(f"{stage.lower()}: {json.dumps(params, sort_keys=True)}", flush=True)
    return params


def raw_data_dir(params):
    """Where IMPROVE's x_data, y_data and splits are: --input_dir, else (the v0.0.3 scripts took
    no flag for it) IMPROVE_DATA_DIR's csa_data/raw_data, or IMPROVE_DATA_DIR itself."""
    if params["input_dir"]:
        return params["input_dir"]
    root = os.environ.get("IMPROVE_DATA_DIR", "")
    nested = os.path.join(root, "csa_data", "raw_data")
    return nested if os.path.isdir(nested) else root


def read_tsv(path):
    with open(path, newline="") as f:
        return [[field.strip() for field in row] for row in csv.reader(f, delimiter="\t")]


def feature_table(path, id_column):
    """An x_data table: ids and a float matrix (empty fields are NaN). Its header, one line or
    several (gene symbol, Entrez and Ensembl lines, and the index-name line), ends at the line
    whose first field is the id column."""
    rows = read_tsv(path)
    starts = [i for i, row in enumerate(rows) if row and row[0] == id_column]
    if not starts:
        sys.exit(f"{path}: no header line starting with {id_column}")
    body = [row for row in rows[starts[0] + 1:] if row and row[0]]
    ids = [row[0] for row in body]
    values = np.array([[float(v) if v else np.nan for v in row[1:]] for row in body])
    return ids, values


def standardize(x, fit_rows):
    """Missing values become the fitted mean; then zero mean, unit variance on `fit_rows`."""
    fit = x[fit_rows]
    mean = np.nanmean(fit, axis=0)
    mean = np.where(np.isnan(mean), 0.0, mean)
    x = np.where(np.isnan(x), mean, x)
    sd = x[fit_rows].std(axis=0)
    return (x - mean) / np.where(sd > 0, sd, 1.0)


def split_rows(directory, name):
    path = name if os.path.isabs(name) else os.path.join(directory, "splits", name)
    with open(path) as f:
        return [int(line) for line in f.read().split()]


def preprocess(params):
    raw = raw_data_dir(params)
    y_col = params["y_col_name"]
    response = read_tsv(os.path.join(raw, "y_data", "response.tsv"))
    header, rows = response[0], response[1:]
    for column in ("improve_sample_id", "improve_chem_id", y_col):
        if column not in header:
            sys.exit(f"response.tsv: no column {column}")
    cell_col, drug_col, y_index = (header.index(c) for c in
                                   ("improve_sample_id", "improve_chem_id", y_col))
    cell_ids, cell_x = feature_table(os.path.join(raw, "x_data", params["cell_features"]),
                                     "improve_sample_id")
    drug_ids, drug_x = feature_table(os.path.join(raw, "x_data", params["drug_features"]),
                                     "improve_chem_id")
    cell_index = {c: i for i, c in enumerate(cell_ids)}
    drug_index = {d: i for i, d in enumerate(drug_ids)}
    out = params["output_dir"]
    os.makedirs(out, exist_ok=True)
    tables = {"cell_ids": np.array(cell_ids), "drug_ids": np.array(drug_ids)}
    for part in STAGES:
        kept = []
        for r in split_rows(raw, params[part + "_split_file"]):
            row = rows[r]
            # As IMPROVE's preprocessing does: responses without a value or without features
            # are left out.
            if row[y_index] and row[cell_col] in cell_index and row[drug_col] in drug_index:
                kept.append(row)
        tables[part + "_cell"] = np.array([cell_index[row[cell_col]] for row in kept], dtype=np.int64)
        tables[part + "_drug"] = np.array([drug_index[row[drug_col]] for row in kept], dtype=np.int64)
        tables[part + "_y"] = np.array([float(row[y_index]) for row in kept])
        with open(os.path.join(out, f"{part}_y_data.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["improve_sample_id", "improve_chem_id", y_col])
            w.writerows([row[cell_col], row[drug_col], row[y_index]] for row in kept)
    # Scaled with the training rows' statistics only, so nothing of val or test leaks in.
    tables["cell_x"] = standardize(cell_x, np.unique(tables["train_cell"]))
    tables["drug_x"] = standardize(drug_x, np.unique(tables["train_drug"]))
    np.savez(os.path.join(out, "ml_data.npz"), **tables)
    print(f"preprocess: {raw} -> {out} ({len(tables['train_y'])} train, "
          f"{len(tables['val_y'])} val, {len(tables['test_y'])} test responses)", flush=True)


def load_ml_data(directory):
    path = os.path.join(directory, "ml_data.npz")
    if not os.path.exists(path):
        sys.exit(f"{path}: no preprocessed data; run ridge_preprocess_improve.py first")
    with np.load(path) as d:
        return {k: d[k] for k in d.files}


def predict(w, d, part):
    cell, drug = d[part + "_cell"], d[part + "_drug"]
    pred = w["b"] + (d["cell_x"] @ w["w_c"])[cell] + (d["drug_x"] @ w["w_d"])[drug]
    if w["U"].shape[1] > 0:
        cu, dv = d["cell_x"] @ w["U"], d["drug_x"] @ w["V"]
        pred = pred + np.einsum("ij,ij->i", cu[cell], dv[drug])
    return pred


def ranks(x):
    """Average ranks (ties share the mean of their positions), for Spearman's correlation."""
    _, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    return ((ends - counts + 1 + ends) / 2.0)[inverse]


def correlation(a, b):
    """Pearson's r; None (JSON null) where it is undefined: fewer than two points, or a constant."""
    if len(a) < 2 or np.std(a) == 0 or np.std(b) == 0:
        return None
    return float(np.corrcoef(a, b)[0, 1])


def scores(y, pred):
    """improvelib's metrics: mse, rmse, pcc, scc, r2; null where a set is too small to say."""
    if len(y) == 0:
        return {name: None for name in ("mse", "rmse", "pcc", "scc", "r2")}
    mse = float(np.mean((y - pred) ** 2))
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    return {
        "mse": mse,
        "rmse": mse ** 0.5,
        "pcc": correlation(y, pred),
        "scc": correlation(ranks(y), ranks(pred)),
        "r2": 1.0 - mse * len(y) / ss_tot if ss_tot > 0 else None,
    }


def write_predictions(path, d, part, pred, y_col):
    """IMPROVE's <stage>_y_data_predicted.csv: the ids, <y>_true and <y>_pred."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["improve_sample_id", "improve_chem_id", y_col + "_true", y_col + "_pred"])
        for c, g, t, p in zip(d[part + "_cell"], d[part + "_drug"], d[part + "_y"], pred):
            w.writerow([d["cell_ids"][c], d["drug_ids"][g], f"{t:.6g}", f"{p:.6g}"])


def adam_step(w, grad, adam, learning_rate, t, beta1=0.9, beta2=0.999, eps=1e-8):
    for name, g in grad.items():
        m, v = adam[name]
        m *= beta1
        m += (1 - beta1) * g
        v *= beta2
        v += (1 - beta2) * g * g
        w[name] = w[name] - learning_rate * (m / (1 - beta1 ** t)) / (
            np.sqrt(v / (1 - beta2 ** t)) + eps)


def gradients(w, d, residual, l2):
    cell, drug = d["train_cell"], d["train_drug"]
    cx, dx = d["cell_x"], d["drug_x"]
    r = 2.0 * residual / len(residual)  # d(mse)/d(prediction)
    per_cell = np.bincount(cell, weights=r, minlength=cx.shape[0])
    per_drug = np.bincount(drug, weights=r, minlength=dx.shape[0])
    grad = {"b": np.array(r.sum()), "w_c": cx.T @ per_cell, "w_d": dx.T @ per_drug,
            "U": np.zeros_like(w["U"]), "V": np.zeros_like(w["V"])}
    k = w["U"].shape[1]
    if k > 0:
        cu, dv = cx @ w["U"], dx @ w["V"]
        g_cu, g_dv = np.zeros((cx.shape[0], k)), np.zeros((dx.shape[0], k))
        np.add.at(g_cu, cell, r[:, None] * dv[drug])
        np.add.at(g_dv, drug, r[:, None] * cu[cell])
        grad["U"], grad["V"] = cx.T @ g_cu, dx.T @ g_dv
    for name in ("w_c", "w_d", "U", "V"):
        grad[name] = grad[name] + 2.0 * l2 * w[name]
    return grad


def train(params):
    if params["epochs"] < 1 or params["rank"] < 0 or params["learning_rate"] <= 0 or \
            params["l2"] < 0:
        sys.exit(f"train: invalid hyperparameters {params}")
    d = load_ml_data(params["input_dir"])
    out = params["output_dir"]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(params["seed"])
    k = params["rank"]
    w = {"b": np.array(d["train_y"].mean()), "w_c": np.zeros(d["cell_x"].shape[1]),
         "w_d": np.zeros(d["drug_x"].shape[1]),
         "U": rng.normal(0, 0.01, (d["cell_x"].shape[1], k)),
         "V": rng.normal(0, 0.01, (d["drug_x"].shape[1], k))}
    adam = {name: (np.zeros_like(v), np.zeros_like(v)) for name, v in w.items()}
    for epoch in range(1, params["epochs"] + 1):
        residual = predict(w, d, "train") - d["train_y"]
        adam_step(w, gradients(w, d, residual, params["l2"]), adam, params["learning_rate"], epoch)
        every = params["progress_every"]
        if every > 0 and epoch % every == 0:
            mse = scores(d["val_y"], predict(w, d, "val"))["mse"]
            print(f"IMPROVE_PROGRESS epoch={epoch} val_loss={mse}", flush=True)
            # A scheduler's stop: end now, with what has been learnt.
            if os.path.exists(os.path.join(out, "STOP")):
                print(f"train: stopped after epoch {epoch}", flush=True)
                break
    np.savez(os.path.join(out, "model.npz"), **w)
    val_pred = predict(w, d, "val")
    write_predictions(os.path.join(out, "val_y_data_predicted.csv"), d, "val", val_pred,
                      params["y_col_name"])
    val = scores(d["val_y"], val_pred)
    with open(os.path.join(out, "val_scores.json"), "w") as f:
        json.dump({"val_loss": val["mse"], **val}, f, indent=2)
    print(f"IMPROVE_RESULT val_loss:\t{val['mse']}", flush=True)


def infer(params):
    d = load_ml_data(params["input_data_dir"])
    with np.load(os.path.join(params["input_model_dir"], "model.npz")) as m:
        w = {k: m[k] for k in m.files}
    out = params["output_dir"]
    os.makedirs(out, exist_ok=True)
    pred = predict(w, d, "test")
    write_predictions(os.path.join(out, "test_y_data_predicted.csv"), d, "test", pred,
                      params["y_col_name"])
    if params["calc_infer_scores"].lower() in ("true", "1", "yes"):
        test = scores(d["test_y"], pred)
        with open(os.path.join(out, "test_scores.json"), "w") as f:
            json.dump(test, f, indent=2)
        print(f"infer: {json.dumps(test)}", flush=True)


def main(stage, argv):
    params = parameters(stage, argv)
    {"Preprocess": preprocess, "Train": train, "Infer": infer}[stage](params)
