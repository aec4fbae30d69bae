#!/usr/bin/env python3
"""How well early steps predict the end, from a campaign run without a scheduler.

Reads RUN_DIR/journal.jsonl of a campaign whose trials all trained to the end and reported
progress, and answers two questions for choosing `min_resource` and `reduction_factor`:

1. At each reported step, the Spearman rank correlation between the trials' values there and
   their final values, and where the final top-k stood at that step (rank 0 is the best).
2. For each SETTING (min_resource:reduction_factor), what successive halving can do on these
   very learning curves: in each of REPS draws, FULL trials train to the end (full-budget random
   search's best and its compute) and HALVING trials (other than the FULL ones when the run
   holds FULL + HALVING trials, drawn independently otherwise) go through synchronous
   successive halving, the best 1/eta of each rung going on to the next.
   It prints how often halving's best finished trial is at least as good as full-budget
   random's best, and the median of halving's compute over full random's. Compute is each
   trial's training time shared out evenly over its steps, so start-up costs are left out.

ASHA promotes without waiting for a rung to fill, so it finishes its first trials sooner than
this synchronous proxy, but it can only keep a point that ranks well at the rungs: when the
final top points rank poorly at the first rung, no scheduler that stops there reaches them.

Usage: bench/rung_correlation.py RUN_DIR [--metric val_loss] [--mode min] [--top 5]
       [--steps 9,27,81] [--full 20] [--halving 60] [--settings 9:3,27:3] [--reps 2000]
       [--seed 1]
(--steps: the steps to show, every reported step by default; --settings: the first reported
step with reduction factor 3 by default)
"""
import argparse
import json
import os
import random
import statistics
import sys


def read_curves(run_dir, metric):
    curves, seconds = {}, {}
    with open(os.path.join(run_dir, "journal.jsonl")) as journal:
        for line in journal:
            r = json.loads(line)
            if r.get("event") == "progress" and metric in r.get("metrics", {}):
                curves.setdefault(r["trial"], {})[r["step"]] = r["metrics"][metric]
            elif r.get("event") == "result" and r.get("status") == "ok":
                seconds[r["trial"]] = r["end"] - r["start"]
    last = max((max(c) for c in curves.values()), default=None)
    done = {t: c for t, c in curves.items() if t in seconds and max(c) == last}
    return done, seconds, last


def ranks(values):
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0] * len(values)
    for position, i in enumerate(order):
        out[i] = position
    return out


def spearman(a, b):
    n = len(a)
    d2 = sum((x - y) ** 2 for x, y in zip(ranks(a), ranks(b)))
    return 1 - 6 * d2 / (n * (n * n - 1))


def value_at(curve, step):
    """The first report at or after `step`, as a scheduler's rung sees it."""
    return curve[min(s for s in curve if s >= step)]


def halving(trials, curves, cost, last, min_resource, eta):
    alive, rung, spent = list(trials), min_resource, 0.0
    trained = dict.fromkeys(trials, 0)
    while True:
        rung = min(rung, last)
        for t in alive:
            spent += cost(t, rung) - cost(t, trained[t])
            trained[t] = rung
        if rung >= last:
            return min(curves[t][last] for t in alive), spent
        alive = sorted(alive, key=lambda t: value_at(curves[t], rung))[:max(1, len(alive) // eta)]
        rung *= eta


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("run_dir")
    p.add_argument("--metric", default="val_loss")
    p.add_argument("--mode", choices=["min", "max"], default="min")
    p.add_argument("--top", type=int, default=5)
    p.add_argument("--steps", default="")
    p.add_argument("--full", type=int, default=20)
    p.add_argument("--halving", type=int, default=60)
    p.add_argument("--settings", default="")
    p.add_argument("--reps", type=int, default=2000)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()

    curves, seconds, last = read_curves(a.run_dir, a.metric)
    if a.mode == "max":
        curves = {t: {s: -v for s, v in c.items()} for t, c in curves.items()}
    trials = sorted(curves)
    if len(trials) < max(a.full, a.halving):
        sys.exit(f"rung_correlation.py: {a.run_dir}: {len(trials)} trials trained to step {last}, "
                 f"fewer than --full {a.full} or --halving {a.halving}")
    steps = sorted(set.intersection(*(set(c) for c in curves.values())))
    final = [curves[t][last] for t in trials]
    top = sorted(range(len(trials)), key=lambda i: final[i])[:a.top]
    print(f"{len(trials)} trials trained to step {last}, {a.metric} ({a.mode})")
    print(f"| step | Spearman with step {last} | ranks there of the final top {a.top} |")
    print("|---|---|---|")
    shown = [int(x) for x in a.steps.split(",")] if a.steps else steps
    for step in shown:
        if step not in steps:
            sys.exit(f"rung_correlation.py: no report at step {step} in every trial")
        here = ranks([curves[t][step] for t in trials])
        print(f"| {step} | {spearman([curves[t][step] for t in trials], final):.2f} | "
              f"{', '.join(str(here[i]) for i in top)} |")

    def cost(t, step):
        return seconds[t] * step / last

    rng = random.Random(a.seed)
    settings = a.settings.split(",") if a.settings else [f"{steps[0]}:3"]
    print(f"\n| min_resource:reduction_factor | halving {a.halving} reaches random {a.full}'s best "
          f"| halving's compute / random's (median) |")
    print("|---|---|---|")
    for setting in settings:
        min_resource, eta = (int(x) for x in setting.split(":"))
        reached, ratios = 0, []
        for _ in range(a.reps):
            drawn = rng.sample(trials, a.full + a.halving) if len(trials) >= a.full + a.halving \
                else rng.sample(trials, a.full) + rng.sample(trials, a.halving)
            full, rest = drawn[:a.full], drawn[a.full:]
            best, spent = halving(rest, curves, cost, last, min_resource, eta)
            reached += best <= min(curves[t][last] for t in full)
            ratios.append(spent / sum(cost(t, last) for t in full))
        print(f"| {setting} | {reached / a.reps:.2f} | {statistics.median(ratios):.2f} |")


if __name__ == "__main__":
    main()
