"""Runs and summarizes bench/time_to_quality.sh (see there for what is measured and how).

Compute is counted in trial-seconds: the sum over trials of the time each trained (start to
end of its training, one core each), taken up to a moment t as the overlap of every trial's
[start, end] with [0, t]. The best at t is the best value of the trials that had trained to the end by t (status
ok), as Overseer's best.json and Optuna's best_value count: a stopped trial's early value is no
finished model.
"""
import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def children_cpu_s():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def overseer_run(a, base, method, seed, trials, scratch):
    searcher, _, scheduler = method.partition("-")
    campaign = json.loads(json.dumps(base))
    campaign["model"]["data"]["file"] = os.path.join(HERE, "..", "data", "nci60.h5")
    campaign["search"] = {"algorithm": searcher, "budget": trials, "seed": seed}
    if scheduler:
        campaign["scheduler"]["name"] = scheduler
    else:
        del campaign["scheduler"]
    run_dir = os.path.join(scratch, f"{method}-{seed}")
    path = run_dir + ".json"
    with open(path, "w") as f:
        json.dump(campaign, f)
    t0 = time.time()
    subprocess.run(["mpirun", "--oversubscribe", "-np", str(a.workers + 1), a.overseer, "run",
                    path, "--out", run_dir, "--log-level", "warn"], check=True,
                   stdout=subprocess.DEVNULL)
    records = []
    with open(os.path.join(run_dir, "journal.jsonl")) as journal:
        for line in journal:
            r = json.loads(line)
            if r.get("event") != "result":
                continue
            value = r["value"] if r.get("final") and r["status"] == "ok" else None
            records.append({"start": r["start"] - t0, "end": r["end"] - t0, "value": value,
                            "status": r["status"], "step": r.get("step", -1)})
    return {"trials": sorted(records, key=lambda r: r["end"])}


def optuna_run(a, method, seed, trials, scratch):
    out = os.path.join(scratch, f"{method}-{seed}")
    line = subprocess.run([sys.executable, os.path.join(HERE, "peers", "optuna_pruning.py"),
                           "--campaign", a.campaign, "--pruner", method.split("-", 1)[1],
                           "--trials", str(trials), "--workers", str(a.workers), "--seed",
                           str(seed), "--overseer", a.overseer, "--out", out],
                          check=True, capture_output=True, text=True).stdout
    return json.loads(line)


def run_all(a):
    with open(a.campaign) as f:
        base = json.load(f)
    model = base["model"]["name"]
    with tempfile.TemporaryDirectory() as scratch, open(a.results, "a") as results:
        for seed in range(1, a.seeds + 1):
            for method in a.methods:
                trials = a.full_trials if method == "random" else a.trials
                cpu0, wall0 = children_cpu_s(), time.time()
                run = (optuna_run(a, method, seed, trials, scratch) if method.startswith("optuna")
                       else overseer_run(a, base, method, seed, trials, scratch))
                run.update({"model": model, "method": method, "seed": seed,
                            "cpu_s": children_cpu_s() - cpu0, "wall_s": time.time() - wall0})
                results.write(json.dumps(run) + "\n")
                results.flush()
                print(f"{model} {method} seed {seed}: {trial_seconds(run['trials']):.0f} "
                      f"trial-s, best {best(run['trials']):.4f}, {run['wall_s']:.0f} s",
                      file=sys.stderr)


def trial_seconds(trials, until=math.inf):
    return sum(max(0.0, min(t["end"], until) - t["start"]) for t in trials)


def finished(trial):
    return trial["status"] == "ok" and trial["value"] is not None


def best(trials, until=math.inf):
    values = [t["value"] for t in trials if t["end"] <= until and finished(t)]
    return min(values) if values else math.inf


def compute_to_reach(trials, target):
    """Trial-seconds spent when the best first reached target; inf if it never did."""
    for t in sorted(trials, key=lambda t: t["end"]):
        if finished(t) and t["value"] <= target:
            return trial_seconds(trials, t["end"])
    return math.inf


def curve(trials, grid):
    """The best value once each compute level of grid had been spent."""
    moments = sorted(t["end"] for t in trials)
    out = []
    for level in grid:
        reached = [m for m in moments if trial_seconds(trials, m) <= level]
        out.append(best(trials, reached[-1]) if reached else math.inf)
    return out


def fmt(x, digits=3):
    return "never" if math.isinf(x) else f"{x:.{digits}f}"


NAMES = {"random": "random, full budget", "random-asha": "random + ASHA",
         "bayes-asha": "bayes + ASHA", "optuna-sh": "Optuna TPE + SuccessiveHalving",
         "optuna-hyperband": "Optuna TPE + Hyperband", "random-hyperband": "random + Hyperband",
         "bayes-hyperband": "bayes + Hyperband"}


def summarize(a):
    runs = {}
    with open(a.results) as f:
        for line in f:
            r = json.loads(line)
            runs.setdefault(r["model"], {}).setdefault(r["method"], {})[r["seed"]] = r
    for model, by_method in runs.items():
        print(f"\n### {model}\n")
        print("| method | seeds | trials | stopped | best val_loss (median) | trial-seconds "
              "(median) | CPU-seconds, whole run (median) | wall s (median) |")
        print("|---|---|---|---|---|---|---|---|")
        for method, by_seed in by_method.items():
            rs = list(by_seed.values())
            med = lambda f: statistics.median(f(r) for r in rs)  # noqa: E731
            print(f"| {NAMES.get(method, method)} | {len(rs)} | {med(lambda r: len(r['trials'])):.0f}"
                  f" | {med(lambda r: sum(t['status'] in ('stopped', 'pruned') for t in r['trials'])):.0f}"
                  f" | {med(lambda r: best(r['trials'])):.4f} | {med(lambda r: trial_seconds(r['trials'])):.0f}"
                  f" | {med(lambda r: r['cpu_s']):.0f} | {med(lambda r: r['wall_s']):.0f} |")
        targets(by_method)
        if a.plot:
            plot(model, by_method, os.path.join(a.plot, f"time-to-quality-{model}.svg"))


def ratio_table(by_method, method, reference, label, goal):
    """Per seed: the compute `method` spent to reach `reference`'s final best, over the compute
    `reference` spent in all."""
    seeds = sorted(set(by_method.get(method, {})) & set(by_method.get(reference, {})))
    if not seeds:
        return
    ratios = []
    for s in seeds:
        ref, run = by_method[reference][s]["trials"], by_method[method][s]["trials"]
        ratios.append(compute_to_reach(run, best(ref)) / trial_seconds(ref))
    median = statistics.median(ratios)
    print(f"\n{label}: per seed {', '.join(fmt(r, 2) for r in ratios)}; median {fmt(median, 2)} "
          f"(target <= {goal:.2f}: {'met' if median <= goal else 'NOT met'})")


def targets(by_method):
    ratio_table(by_method, "random-asha", "random",
                "random + ASHA: compute to reach full-budget random's best, over full-budget "
                "random's compute", 1 / 3)
    ratio_table(by_method, "bayes-asha", "optuna-hyperband",
                "bayes + ASHA: compute to reach Optuna TPE + Hyperband's final best, over "
                "Optuna's compute", 1.0)
    ratio_table(by_method, "bayes-asha", "optuna-sh",
                "bayes + ASHA: the same against Optuna TPE + SuccessiveHalving", 1.0)
    # Hyperband in ASHA's place, where the methods were run (METHODS=random-hyperband ...).
    ratio_table(by_method, "random-hyperband", "random",
                "random + Hyperband: the same as random + ASHA's", 1 / 3)
    ratio_table(by_method, "bayes-hyperband", "optuna-hyperband",
                "bayes + Hyperband: the same as bayes + ASHA's", 1.0)


def plot(model, by_method, path):
    """Median best-so-far against trial-seconds, one line per method, as a small SVG (no
    plotting library is a dependency)."""
    top = max(trial_seconds(r["trials"]) for rs in by_method.values() for r in rs.values())
    grid = [top * i / 100 for i in range(1, 101)]
    lines = {}
    for method, rs in by_method.items():
        curves = [curve(r["trials"], grid) for r in rs.values()]
        lines[method] = [statistics.median(c[i] for c in curves) for i in range(len(grid))]
    finite = [v for line in lines.values() for v in line if not math.isinf(v)]
    lo, hi = min(finite), statistics.quantiles(finite, n=10)[-1]
    w, h, m = 640, 360, 50
    x = lambda c: m + (w - 2 * m) * c / top  # noqa: E731
    y = lambda v: m + (h - 2 * m) * (min(v, hi) - lo) / (hi - lo or 1)  # noqa: E731
    colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
           'font-family="sans-serif" font-size="11">',
           f'<text x="{w / 2}" y="18" text-anchor="middle" font-size="13">{model} on NCI-60: '
           'median best validation loss against compute</text>',
           f'<line x1="{m}" y1="{h - m}" x2="{w - m}" y2="{h - m}" stroke="black"/>',
           f'<line x1="{m}" y1="{m}" x2="{m}" y2="{h - m}" stroke="black"/>',
           f'<text x="{w / 2}" y="{h - 12}" text-anchor="middle">trial-seconds '
           f'(0 to {top:.0f})</text>',
           f'<text x="{m - 4}" y="{h - m}" text-anchor="end">{lo:.3f}</text>',
           f'<text x="{m - 4}" y="{m}" text-anchor="end">{hi:.3f}</text>']
    for i, (method, line) in enumerate(lines.items()):
        # Each line ends where the method's median run ended.
        end = statistics.median(trial_seconds(r["trials"]) for r in by_method[method].values())
        points = " ".join(f"{x(c):.1f},{h - y(v):.1f}" for c, v in zip(grid, line)
                          if not math.isinf(v) and c <= end)
        colour = colours[i % len(colours)]
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
        out.append(f'<text x="{w - m - 200}" y="{m + 14 * i}" fill="{colour}">'
                   f'{NAMES.get(method, method)}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--overseer")
    p.add_argument("--campaign")
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--methods", nargs="*", default=[])
    p.add_argument("--full-trials", type=int)
    p.add_argument("--trials", type=int)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--results", required=True, help="JSON lines, one per run (appended to)")
    p.add_argument("--plot", help="a directory for one SVG per model")
    p.add_argument("--summarize-only", action="store_true")
    a = p.parse_args()
    if not a.summarize_only:
        run_all(a)
    summarize(a)


if __name__ == "__main__":
    main()
