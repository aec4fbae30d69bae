#include "overseer/search/ga_variation.hpp"

namespace overseer::ga {
namespace {

std::size_t draw_index(std::size_t n, Rng& rng) {
  return static_cast<std::size_t>(rng.integer(0, static_cast<std::int64_t>(n) - 1));
}

// The first child of crossing two distinct parents drawn uniformly, as random.sample(pop, 2).
json crossed_pair_child(const std::vector<json>& parents, const Operators& ops, Rng& rng) {
  const std::size_t i = draw_index(parents.size(), rng);
  std::size_t j = draw_index(parents.size() - 1, rng);
  if (j >= i) ++j;
  json a = parents[i];
  json b = parents[j];
  ops.crossover(a, b, rng);
  return a;
}

json mutated_copy(const json& parent, const Operators& ops, Rng& rng) {
  json child = parent;
  ops.mutate(child, rng);
  return child;
}

}  // namespace

std::vector<Child> var_and(const std::vector<json>& parents, const Operators& ops, double cxpb,
                           double mutpb, Rng& rng) {
  std::vector<Child> children;
  children.reserve(parents.size());
  for (std::size_t i = 0; i < parents.size(); ++i) children.push_back({parents[i], i});
  for (std::size_t i = 1; i < children.size(); i += 2) {
    if (rng.uniform01() < cxpb) {
      ops.crossover(children[i - 1].params, children[i].params, rng);
      children[i - 1].source.reset();
      children[i].source.reset();
    }
  }
  for (auto& child : children) {
    if (rng.uniform01() < mutpb) {
      ops.mutate(child.params, rng);
      child.source.reset();
    }
  }
  return children;
}

std::vector<Child> var_or(const std::vector<json>& parents, std::size_t lambda,
                          const Operators& ops, double cxpb, double mutpb, Rng& rng) {
  std::vector<Child> children;
  children.reserve(lambda);
  for (std::size_t n = 0; n < lambda; ++n) {
    const double choice = rng.uniform01();
    if (choice < cxpb && parents.size() >= 2) {
      children.push_back({crossed_pair_child(parents, ops, rng), std::nullopt});
    } else if (choice < cxpb + mutpb) {
      children.push_back(
          {mutated_copy(parents[draw_index(parents.size(), rng)], ops, rng), std::nullopt});
    } else {
      const std::size_t i = draw_index(parents.size(), rng);
      children.push_back({parents[i], i});
    }
  }
  return children;
}

json steady_child_and(const json& a, const json& b, const Operators& ops, double cxpb, double mutpb,
                      Rng& rng) {
  // varAnd's outcomes for one child are "crossed only" (cxpb (1 - mutpb)), "crossed and
  // mutated" (cxpb mutpb) and "mutated only" ((1 - cxpb) mutpb); draw one in proportion.
  const double u = rng.uniform01() * (1 - (1 - cxpb) * (1 - mutpb));
  const bool cross = u < cxpb;
  const bool mutate = u >= cxpb * (1 - mutpb);
  json child = a;
  if (cross) {
    json other = b;
    ops.crossover(child, other, rng);
  }
  if (mutate) ops.mutate(child, rng);
  return child;
}

json steady_child_or(const std::vector<json>& parents, const Operators& ops, double cxpb,
                     double mutpb, Rng& rng) {
  if (rng.uniform01() * (cxpb + mutpb) < cxpb && parents.size() >= 2) {
    return crossed_pair_child(parents, ops, rng);
  }
  return mutated_copy(parents[draw_index(parents.size(), rng)], ops, rng);
}

}  // namespace overseer::ga
