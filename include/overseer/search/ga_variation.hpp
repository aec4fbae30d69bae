#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "overseer/search/ga_operators.hpp"

namespace overseer::ga {

// A bred individual. `source` is set when no operator touched it: it is then parents[*source]
// unchanged and, as in DEAP, keeps that parent's fitness instead of being evaluated again.
struct Child {
  json params;
  std::optional<std::size_t> source;
};

// DEAP's varAnd (eaSimple): every parent is cloned; consecutive pairs (0,1), (2,3), ... are
// crossed with probability cxpb, then each clone is mutated with probability mutpb.
std::vector<Child> var_and(const std::vector<json>& parents, const Operators& ops, double cxpb,
                           double mutpb, Rng& rng);

// DEAP's varOr (eaMuPlusLambda): `lambda` children, each from crossover of two distinct parents
// drawn uniformly (first child kept) with probability cxpb, mutation of a uniformly drawn parent
// with probability mutpb, or else a copy of a uniformly drawn parent. With a single parent,
// crossover becomes mutation (DEAP would fail). Requires cxpb + mutpb <= 1.
std::vector<Child> var_or(const std::vector<json>& parents, std::size_t lambda,
                          const Operators& ops, double cxpb, double mutpb, Rng& rng);

// Steady-state breeding produces one child per request and never a plain copy, which would
// only evaluate a known point again. These draw from varAnd's and varOr's outcomes for one
// child, conditioned on an operator having changed it. Require cxpb + mutpb > 0.

// The first child of varAnd's pair (a, b): crossed, mutated, or both.
json steady_child_and(const json& a, const json& b, const Operators& ops, double cxpb, double mutpb,
                      Rng& rng);
// One of varOr's crossover or mutation children of `parents` (not empty).
json steady_child_or(const std::vector<json>& parents, const Operators& ops, double cxpb,
                     double mutpb, Rng& rng);

}  // namespace overseer::ga
