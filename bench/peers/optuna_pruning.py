"""Optuna peer of bench/time_to_quality.sh: Optuna 3.1's TPE sampler with its
SuccessiveHalvingPruner or HyperbandPruner over an Overseer campaign's space, N trials on W
concurrent threads (study.optimize(n_jobs=W)).

Each trial is one `overseer train --progress` process, the very model and data the Overseer
campaign trains, so that both sides differ in how they search and stop, not in what they train.
Every IMPROVE_PROGRESS line is reported to the trial (trial.report(value, step)); when
trial.should_prune() says so, the process group is killed at once, so no epoch past the
decision is trained. The pruners get the campaign scheduler's min_resource, max_resource and
reduction_factor. Ordered and categorical parameters are suggest_categorical (Optuna has no
ordered type), log floats suggest_float(log=True).

Prints one JSON line: {"method", "seed", "trials": [{"start", "end", "value", "status", "step"}]},
times in seconds since the study began. A trial's start and end bracket its training only:
`start` is the process's own clock at the start of training (its elapsed_s), so the start-up of
each `overseer train` process (loading LibTorch and the data, which an Overseer worker does once)
is left out, as it would be for an in-process objective.
"""
import argparse
import json
import os
import signal
import subprocess
import threading
import time

import optuna


def suggest(trial, dimension):
    kind, name = dimension["type"], dimension["name"]
    if kind == "float":
        return trial.suggest_float(name, dimension["lower"], dimension["upper"],
                                   log=dimension.get("log", False))
    if kind == "int":
        return trial.suggest_int(name, dimension["lower"], dimension["upper"],
                                 log=dimension.get("log", False))
    if kind in ("ordered", "categorical"):
        return trial.suggest_categorical(name, dimension["values"])
    raise SystemExit(f"optuna_pruning.py: no Optuna counterpart for parameter type {kind!r}")


def parse_progress(line):
    fields = dict(pair.split("=", 1) for pair in line.split()[1:])
    return int(fields.pop("step")), {k: float(v) for k, v in fields.items()}


class Study:
    def __init__(self, a):
        with open(a.campaign) as f:
            self.campaign = json.load(f)
        model = self.campaign["model"]
        self.data = dict(model["data"])
        self.data["file"] = os.path.normpath(
            os.path.join(os.path.dirname(os.path.abspath(a.campaign)), self.data["file"]))
        self.metric = self.campaign["objective"]["metric"]
        self.overseer, self.out, self.seed = a.overseer, a.out, a.seed
        self.records, self.lock = [], threading.Lock()
        self.t0 = time.time()

    def pruner(self, name):
        s = self.campaign["scheduler"]
        if name == "sh":
            return optuna.pruners.SuccessiveHalvingPruner(
                min_resource=s["min_resource"], reduction_factor=s["reduction_factor"])
        return optuna.pruners.HyperbandPruner(min_resource=s["min_resource"],
                                              max_resource=s["max_resource"],
                                              reduction_factor=s["reduction_factor"])

    def record(self, start, end, value, status, step):
        with self.lock:
            self.records.append({"start": start - self.t0, "end": end - self.t0, "value": value,
                                 "status": status, "step": step})

    def objective(self, trial):
        model = self.campaign["model"]
        params = dict(model.get("params", {}))
        params.update({d["name"]: suggest(trial, d) for d in self.campaign["space"]})
        trial_dir = os.path.join(self.out, f"trial-{trial.number}")
        command = [self.overseer, "train", "--model", model["name"], "--params",
                   json.dumps(params), "--data", json.dumps(self.data), "--trial-dir", trial_dir,
                   "--seed", str(self.seed * 100003 + trial.number), "--progress"]
        os.makedirs(trial_dir, exist_ok=True)
        with open(os.path.join(trial_dir, "train.log"), "w") as log:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True,
                                       start_new_session=True)
        result_text = []
        for line in process.stdout:
            if not line.startswith("IMPROVE_PROGRESS"):
                result_text.append(line)
                continue
            now = time.time()
            step, metrics = parse_progress(line)
            value = metrics[self.metric]
            trial.report(value, step)
            if trial.should_prune():
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                self.record(now - metrics["elapsed_s"], now, value, "pruned", step)
                raise optuna.TrialPruned()
        if process.wait() != 0:
            raise RuntimeError(f"{' '.join(command[:3])} failed; see {trial_dir}/train.log")
        result = json.loads("".join(result_text))
        self.record(result["start"], result["end"], result["value"], result["status"],
                    result.get("step", -1))
        return result["value"]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--campaign", required=True, help="the Overseer campaign whose space is searched")
    p.add_argument("--pruner", choices=["sh", "hyperband"], required=True)
    p.add_argument("--trials", type=int, required=True)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--overseer", required=True, help="the overseer executable")
    p.add_argument("--out", required=True, help="a directory for the trials' directories")
    a = p.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study_state = Study(a)
    study = optuna.create_study(direction="minimize",
                                sampler=optuna.samplers.TPESampler(seed=a.seed),
                                pruner=study_state.pruner(a.pruner))
    study.optimize(study_state.objective, n_trials=a.trials, n_jobs=a.workers)
    records = sorted(study_state.records, key=lambda r: r["end"])
    print(json.dumps({"method": "optuna-" + a.pruner, "seed": a.seed, "trials": records}))


if __name__ == "__main__":
    main()
