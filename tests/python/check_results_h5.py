#!/usr/bin/python3
"""Checks RUN_DIR/results.h5 against RUN_DIR/results.csv with Debian's h5py and pandas.

Usage: check_results_h5.py RUN_DIR [COLUMN=DTYPE ...]

Every column of results.csv must be a dataset of results.h5 (its name percent-encoded), in
the order of the `columns` attribute, with the same value in every row: numbers equal (empty
means NaN), strings equal, booleans as true/false, and start/end as the ISO 8601 times of the
CSV. Each COLUMN=DTYPE names the numpy dtype kind a column must have (i, f, b or O). When the
run has progress.csv, the group `progress` must hold it the same way (its `time` as ISO 8601
in the CSV). Loads the file into a pandas DataFrame the way docs/report.md shows. Prints one
line per problem and exits 1 if any.
"""
import os
import csv
import datetime
import math
import sys
import urllib.parse

import h5py
import pandas as pd


def load_frame(path, group="/"):
    # The snippet of docs/report.md.
    with h5py.File(path, "r") as f:
        g = f[group]
        return pd.DataFrame({
            name: g[name].asstr()[...] if g[name].dtype.kind == "O" else g[name][...]
            for name in g.attrs["columns"]
        })


def same(csv_text, value, column):
    if column in ("start", "end", "time"):
        when = datetime.datetime.strptime(csv_text, "%Y-%m-%dT%H:%M:%S.%fZ")
        when = when.replace(tzinfo=datetime.timezone.utc).timestamp()
        return abs(when - float(value)) < 0.001  # milliseconds, the last one never rounded up
    if isinstance(value, (bytes, str)):
        return csv_text == (value.decode() if isinstance(value, bytes) else value)
    if isinstance(value, (bool,)) or type(value).__name__ == "bool_":
        return csv_text == ("true" if value else "false")
    if csv_text == "":
        return math.isnan(float(value))
    return float(csv_text) == float(value)


def check_table(csv_path, group, wanted_kinds, problems):
    """Compares one CSV with the datasets of one HDF5 group; returns the pandas frame."""
    with open(csv_path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    h5_path = os.path.join(os.path.dirname(csv_path), "results.h5")
    frame = load_frame(h5_path, group)
    with h5py.File(h5_path, "r") as f:
        g = f[group]
        datasets = list(g.attrs["columns"])
        columns = [urllib.parse.unquote(d) for d in datasets]
        if columns != header:
            problems.append(f"{group}: columns {columns} differ from the CSV header {header}")
        for name, kind in wanted_kinds.items():
            if g[name].dtype.kind != kind:
                problems.append(f"{group}{name}: dtype {g[name].dtype}, expected kind {kind}")
        for c, name in enumerate(datasets):
            data = g[name].asstr()[...] if g[name].dtype.kind == "O" else g[name][...]
            if len(data) != len(rows):
                problems.append(f"{group}{name}: {len(data)} rows, the CSV has {len(rows)}")
                continue
            for r, row in enumerate(rows):
                if not same(row[c], data[r], name):
                    problems.append(f"{group}{name} row {r}: CSV {row[c]!r}, HDF5 {data[r]!r}")
    if list(frame.columns) != datasets or len(frame) != len(rows):
        problems.append(f"{group}: pandas frame {frame.shape} with columns {list(frame.columns)}")
    print(f"{h5_path}{group}: {len(rows)} rows x {len(header)} columns checked")
    return frame


def main():
    run_dir = sys.argv[1]
    wanted_kinds = dict(arg.split("=", 1) for arg in sys.argv[2:])
    problems = []
    with h5py.File(f"{run_dir}/results.h5", "r") as f:
        if f.attrs["format"] != "overseer-results":
            problems.append(f"format attribute {f.attrs['format']!r}")
        has_progress = "progress" in f
    frame = check_table(f"{run_dir}/results.csv", "/", wanted_kinds, problems)
    if os.path.exists(f"{run_dir}/progress.csv") or has_progress:
        check_table(f"{run_dir}/progress.csv", "/progress/",
                    {"trial_id": "i", "attempt": "i", "step": "i", "time": "f"}, problems)
    for p in problems[:20]:
        print(p)
    print(f"{len(problems)} problems; dtypes: "
          + ", ".join(f"{k}={v}" for k, v in frame.dtypes.astype(str).items()))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
