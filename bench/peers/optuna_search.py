"""Optuna peer of bench/search_quality.sh: one sequential study (ask, evaluate, tell) of N trials
on one test function, printing one JSON line {"function", "sampler", "seed", "values"}, the
objective values in trial order. Samplers: "tpe" (TPESampler with Optuna's defaults: 10 random
startup trials, univariate) and "random". Run with /usr/bin/python3 (Debian python3-optuna).
"""
import argparse
import json

import optuna

from optuna_objectives import FUNCTIONS, evaluate, suggest


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--function", choices=FUNCTIONS, required=True)
    p.add_argument("--sampler", choices=["tpe", "random"], required=True)
    p.add_argument("--trials", type=int, required=True)
    p.add_argument("--seed", type=int, required=True)
    a = p.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = (optuna.samplers.TPESampler(seed=a.seed) if a.sampler == "tpe"
               else optuna.samplers.RandomSampler(seed=a.seed))
    study = optuna.create_study(sampler=sampler, direction="minimize")
    values = []
    for _ in range(a.trials):
        trial = study.ask()
        value = evaluate(a.function, suggest(a.function, trial))
        study.tell(trial, value)
        values.append(value)
    print(json.dumps({"function": a.function, "sampler": a.sampler, "seed": a.seed,
                      "values": values}))


if __name__ == "__main__":
    main()
