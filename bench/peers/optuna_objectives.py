"""The test functions of bench/search_quality.sh and bench/search_cost.sh for Optuna, defined as
Overseer's built-in models define them (src/models/analytic_models.cpp), with the same domains as
the campaigns those scripts write. `suggest(name, trial)` draws a point through an Optuna trial;
`evaluate(name, params)` is the function's value there.
"""
import math

FUNCTIONS = ["branin", "hartmann6", "rosenbrock10", "mixed"]


def branin(x1, x2):
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


_ALPHA = [1.0, 1.2, 3.0, 3.2]
_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
      [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
_P = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
      [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
      [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
      [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]


def hartmann6(x):
    return -sum(_ALPHA[i] * math.exp(-sum(_A[i][j] * (x[j] - _P[i][j]) ** 2 for j in range(6)))
                for i in range(4))


def rosenbrock(x):
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(len(x) - 1))


# kind -> (offset, x1 and x2 of its bowl's centre, best n)
_KINDS = {"a": (0.6, 0.2, 0.8, 3), "b": (0.3, 0.8, 0.2, 16), "c": (0.0, 0.35, 0.55, 9),
          "d": (0.9, 0.5, 0.5, 10)}


def mixed(x1, x2, n, kind, flag):
    offset, c1, c2, best_n = _KINDS[kind]
    d1, d2 = x1 - c1, x2 - c2
    ripples = 0.1 * ((1 - math.cos(6 * math.pi * d1)) + (1 - math.cos(6 * math.pi * d2)))
    return offset + 4 * (d1 * d1 + d2 * d2) + ripples + 0.01 * (n - best_n) ** 2 + (0 if flag else 0.5)


def suggest(name, trial):
    if name == "branin":
        return {"x1": trial.suggest_float("x1", -5, 10), "x2": trial.suggest_float("x2", 0, 15)}
    if name == "hartmann6":
        return {f"x{i}": trial.suggest_float(f"x{i}", 0, 1) for i in range(1, 7)}
    if name == "rosenbrock10":
        return {f"x{i}": trial.suggest_float(f"x{i}", -5, 10) for i in range(1, 11)}
    if name == "mixed":
        return {"x1": trial.suggest_float("x1", 0, 1), "x2": trial.suggest_float("x2", 0, 1),
                "n": trial.suggest_int("n", 0, 20),
                "kind": trial.suggest_categorical("kind", ["a", "b", "c", "d"]),
                "flag": trial.suggest_categorical("flag", [False, True])}
    raise ValueError(f"unknown function {name}")


def evaluate(name, p):
    if name == "branin":
        return branin(p["x1"], p["x2"])
    if name == "hartmann6":
        return hartmann6([p[f"x{i}"] for i in range(1, 7)])
    if name == "rosenbrock10":
        return rosenbrock([p[f"x{i}"] for i in range(1, 11)])
    if name == "mixed":
        return mixed(p["x1"], p["x2"], p["n"], p["kind"], p["flag"])
    raise ValueError(f"unknown function {name}")
