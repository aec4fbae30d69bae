"""Optuna peer of bench/search_cost.sh: Optuna's TPE (default settings) on Hartmann6, sequential
ask / evaluate / tell, timing each ask + tell in wall-clock and CPU time (the latter is less
disturbed by other programs on a shared machine). Prints one JSON line with, for each window
[first, last) of trial numbers, the mean, median and slowest ask + tell in milliseconds and the
mean CPU time: the cost once the study holds `first` results. Run with /usr/bin/python3 (Debian
python3-optuna).
"""
import argparse
import json
import statistics
import time

import optuna

from optuna_objectives import evaluate, suggest


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--windows", default="100:150,1000:1100",
                   help="comma-separated FIRST:LAST trial windows to time")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    windows = [tuple(int(x) for x in w.split(":")) for w in a.windows.split(",")]
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=a.seed))
    costs, cpu = [], []
    for _ in range(max(last for _, last in windows)):
        start, start_cpu = time.perf_counter(), time.process_time()
        trial = study.ask()
        params = suggest("hartmann6", trial)  # sampling happens in suggest_*: part of the ask
        asked, asked_cpu = time.perf_counter(), time.process_time()
        value = evaluate("hartmann6", params)
        told, told_cpu = time.perf_counter(), time.process_time()
        study.tell(trial, value)
        costs.append((asked - start + time.perf_counter() - told) * 1000)
        cpu.append((asked_cpu - start_cpu + time.process_time() - told_cpu) * 1000)
    out = {}
    for first, last in windows:
        window = costs[first:last]
        out[f"{first}"] = {"trials": f"{first}-{last - 1}", "mean_ms": statistics.mean(window),
                           "median_ms": statistics.median(window), "slowest_ms": max(window),
                           "mean_cpu_ms": statistics.mean(cpu[first:last])}
    print(json.dumps({"sampler": "tpe", "function": "hartmann6", "windows": out}))


if __name__ == "__main__":
    main()
