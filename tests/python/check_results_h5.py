#!/usr/bin/python3
"""Checks RUN_DIR/results.h5 against RUN_DIR/results.csv with Debian's h5py and pandas.

Usage: check_results_h5.py RUN_DIR [COLUMN=DTYPE ...]

Every column of results.csv must be a dataset of results.h5 (its name percent-encoded), in
the order of the `columns` attribute, with the same value in every row: numbers equal (empty means NaN), strings equal,
booleans as true/false, and start/end as the ISO 8601 times of the CSV. Each COLUMN=DTYPE
names the numpy dtype kind a column must have (i, f, b or O). Loads the file into a pandas
DataFrame the way docs/report.md shows. Prints one line per problem and exits 1 if any.
"""
import csv
import datetime
import math
import sys
import urllib.parse

import h5py
import pandas as pd


def load_frame(path):
    # The snippet of docs/report.md.
    with h5py.File(path, "r") as f:
        return pd.DataFrame({
            name: f[name].asstr()[...] if f[name].dtype.kind == "O" else f[name][...]
            for name in f.attrs["columns"]
        })


def same(csv_text, value, column):
    if column in ("start", "end"):
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


def main():
    run_dir = sys.argv[1]
    wanted_kinds = dict(arg.split("=", 1) for arg in sys.argv[2:])
    problems = []
    with open(f"{run_dir}/results.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    frame = load_frame(f"{run_dir}/results.h5")
    with h5py.File(f"{run_dir}/results.h5", "r") as f:
        if f.attrs["format"] != "overseer-results":
            problems.append(f"format attribute {f.attrs['format']!r}")
        datasets = list(f.attrs["columns"])
        columns = [urllib.parse.unquote(d) for d in datasets]
        if columns != header:
            problems.append(f"columns {columns} differ from the CSV header {header}")
        for name, kind in wanted_kinds.items():
            if f[name].dtype.kind != kind:
                problems.append(f"{name}: dtype {f[name].dtype}, expected kind {kind}")
        for c, name in enumerate(datasets):
            data = f[name].asstr()[...] if f[name].dtype.kind == "O" else f[name][...]
            if len(data) != len(rows):
                problems.append(f"{name}: {len(data)} rows, the CSV has {len(rows)}")
                continue
            for r, row in enumerate(rows):
                if not same(row[c], data[r], name):
                    problems.append(f"{name} row {r}: CSV {row[c]!r}, HDF5 {data[r]!r}")
    if list(frame.columns) != datasets or len(frame) != len(rows):
        problems.append(f"pandas frame {frame.shape} with columns {list(frame.columns)}")
    for p in problems[:20]:
        print(p)
    print(f"{run_dir}/results.h5: {len(rows)} rows x {len(header)} columns checked, "
          f"{len(problems)} problems; dtypes: "
          + ", ".join(f"{k}={v}" for k, v in frame.dtypes.astype(str).items()))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
