#!/usr/bin/python3
"""DEAP's eaSimple with CANDLE Supervisor's GA operators, the peer of Overseer's `ga` in
bench/ga_vs_deap.sh.

It reads the search space and the GA options from the same Overseer campaign file that the
Overseer runs use, so both sides run the same settings: uniform initial population, cxUniform
(cx_indpb), Supervisor's per-gene Gaussian mutation clamped to the bounds (mut_indpb, sigma from
the space or a tenth of the range), selTournament (tournsize), eaSimple (cx_prob, mut_prob).
The run stops after BUDGET evaluations. Prints one JSON line per seed:
{"seed": K, "best": [best value after evaluation 1, 2, ..., BUDGET]}.

Usage: deap_easimple.py CAMPAIGN --budget B --seeds S
"""
import argparse
import json
import math
import random

from deap import algorithms, base, creator, tools


def branin(x):
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (x[1] - b * x[0] ** 2 + c * x[0] - 6) ** 2 + 10 * (1 - t) * math.cos(x[0]) + 10


HARTMANN_ALPHA = [1.0, 1.2, 3.0, 3.2]
HARTMANN_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
              [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
HARTMANN_P = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
              [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
              [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
              [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]


def hartmann6(x):
    total = 0.0
    for alpha, a, p in zip(HARTMANN_ALPHA, HARTMANN_A, HARTMANN_P):
        total += alpha * math.exp(-sum(ai * (xi - pi) ** 2 for ai, xi, pi in zip(a, x, p)))
    return -total


def rosenbrock(x):
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(len(x) - 1))


FUNCTIONS = {"branin": branin, "hartmann6": hartmann6, "rosenbrock": rosenbrock}


class BudgetSpent(Exception):
    pass


def run(campaign, seed, budget):
    random.seed(seed)
    search = campaign["search"]
    space = campaign["space"]
    lows = [p["lower"] for p in space]
    highs = [p["upper"] for p in space]
    sigmas = [p.get("sigma", (p["upper"] - p["lower"]) / 10) for p in space]
    function = FUNCTIONS[campaign["model"]["name"]]
    mut_prob = search.get("mut_prob", 0.2)
    best = []

    def evaluate(individual):
        if len(best) >= budget:
            raise BudgetSpent()
        value = function(individual)
        best.append(min(value, best[-1]) if best else value)
        return (value,)

    def mutate(individual, indpb):
        # Supervisor's ga_utils FloatParameter.mutate, gene by gene.
        for i in range(len(individual)):
            if random.random() < indpb:
                individual[i] += random.gauss(0, sigmas[i])
                individual[i] = max(lows[i], min(highs[i], individual[i]))
        return (individual,)

    toolbox = base.Toolbox()
    toolbox.register("individual", tools.initIterate, creator.Individual,
                     lambda: [random.uniform(lo, hi) for lo, hi in zip(lows, highs)])
    toolbox.register("population", tools.initRepeat, list, toolbox.individual)
    toolbox.register("evaluate", evaluate)
    toolbox.register("mate", tools.cxUniform, indpb=search.get("cx_indpb", 0.5))
    toolbox.register("mutate", mutate, indpb=search.get("mut_indpb", mut_prob))
    toolbox.register("select", tools.selTournament, tournsize=search.get("tournsize", 3))
    population = toolbox.population(n=search["population_size"])
    try:
        # More generations than the budget can pay for; the budget ends the run.
        algorithms.eaSimple(population, toolbox, cxpb=search.get("cx_prob", 0.5), mutpb=mut_prob,
                            ngen=budget, verbose=False)
    except BudgetSpent:
        pass
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("campaign")
    parser.add_argument("--budget", type=int, required=True)
    parser.add_argument("--seeds", type=int, required=True)
    args = parser.parse_args()
    with open(args.campaign) as f:
        campaign = json.load(f)
    creator.create("FitnessMin", base.Fitness, weights=(-1.0,))
    creator.create("Individual", list, fitness=creator.FitnessMin)
    for seed in range(args.seeds):
        print(json.dumps({"seed": seed, "best": run(campaign, seed, args.budget)}), flush=True)


if __name__ == "__main__":
    main()
