#include "overseer/search/ga_operators.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>

namespace overseer::ga {
namespace {

std::size_t index_of(const Parameter& p, const json& value) {
  const auto it = std::find(p.values.begin(), p.values.end(), value);
  if (it == p.values.end()) {
    throw std::invalid_argument("ga: " + value.dump() + " is not a value of \"" + p.name + "\"");
  }
  return static_cast<std::size_t>(it - p.values.begin());
}

// Where a range value sits on the axis the Gaussian step is taken along.
double to_axis(const Parameter& p, double x) {
  return p.log ? std::log10(x) : x;
}
double from_axis(const Parameter& p, double y) {
  return p.log ? std::pow(10.0, y) : y;
}

json snap_to_values(const Parameter& p, double x) {
  std::size_t best = 0;
  double best_distance = INFINITY;
  for (std::size_t i = 0; i < p.values.size(); ++i) {
    const double d = std::fabs(to_axis(p, p.values[i].get<double>()) - to_axis(p, x));
    if (d < best_distance) {
      best = i;
      best_distance = d;
    }
  }
  return p.values[best];
}

}  // namespace

double mutation_sigma(const Parameter& p) {
  // Below one step, a rounded Gaussian step almost never moves a value: Supervisor's tenth of
  // the range would leave an int in [1, 3] or an ordered list of 4 values nearly frozen.
  constexpr double kOneStep = 1;
  switch (p.type) {
    case ParamType::Float:
    case ParamType::Int: {
      const double tenth = (to_axis(p, p.upper) - to_axis(p, p.lower)) / 10;
      const bool steps = p.type == ParamType::Int && !p.log && p.values.empty();
      return p.sigma.value_or(steps ? std::max(tenth, kOneStep) : tenth);
    }
    case ParamType::Ordered:
      return p.sigma.value_or(std::max(static_cast<double>(p.values.size()) / 10, kOneStep));
    case ParamType::Categorical:
    case ParamType::Logical:
    case ParamType::Constant:
      break;
  }
  return 0;
}

Operators::Operators(const SearchSpace& space, double cx_indpb, double mut_indpb)
    : space_(space), cx_indpb_(cx_indpb), mut_indpb_(mut_indpb) {
  for (const auto& p : space_.parameters()) sigmas_.push_back(mutation_sigma(p));
}

void Operators::crossover(json& a, json& b, Rng& rng) const {
  for (const auto& p : space_.parameters()) {
    if (rng.uniform01() < cx_indpb_) std::swap(a[p.name], b[p.name]);
  }
}

void Operators::mutate(json& individual, Rng& rng) const {
  const auto& parameters = space_.parameters();
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    if (rng.uniform01() < mut_indpb_) {
      json& gene = individual[parameters[i].name];
      gene = mutate_gene(i, gene, rng);
    }
  }
}

json Operators::mutate_gene(std::size_t parameter, const json& value, Rng& rng) const {
  const Parameter& p = space_.parameters().at(parameter);
  const double sigma = sigmas_[parameter];
  switch (p.type) {
    case ParamType::Float:
    case ParamType::Int: {
      const double stepped = from_axis(p, to_axis(p, value.get<double>()) + sigma * rng.normal());
      const double x = std::clamp(stepped, p.lower, p.upper);
      if (!p.values.empty()) return snap_to_values(p, x);
      // Half to even, as Supervisor's Python round(); bounds are integers, so it stays inside.
      if (p.type == ParamType::Int) return static_cast<std::int64_t>(std::nearbyint(x));
      return x;
    }
    case ParamType::Ordered: {
      const double last = static_cast<double>(p.values.size() - 1);
      const double position =
          std::clamp(static_cast<double>(index_of(p, value)) + sigma * rng.normal(), 0.0, last);
      return p.values[static_cast<std::size_t>(std::nearbyint(position))];
    }
    case ParamType::Categorical: {
      if (p.values.size() < 2) return value;
      // Uniform over the other values: draw among n - 1 and skip the current one.
      const std::size_t current = index_of(p, value);
      auto other = static_cast<std::size_t>(rng.integer(0, p.values.size() - 2));
      if (other >= current) ++other;
      return p.values[other];
    }
    case ParamType::Logical:
      return !value.get<bool>();
    case ParamType::Constant:
      break;
  }
  return value;
}

namespace {

// One tournament: `better(a, b)` says whether aspirant a beats the incumbent b.
template <typename Better>
std::size_t tournament(const std::vector<double>& losses, std::size_t tournsize, Rng& rng,
                       Better better) {
  const auto last = static_cast<std::int64_t>(losses.size()) - 1;
  auto winner = static_cast<std::size_t>(rng.integer(0, last));
  for (std::size_t draw = 1; draw < tournsize; ++draw) {
    const auto aspirant = static_cast<std::size_t>(rng.integer(0, last));
    if (better(losses[aspirant], losses[winner])) winner = aspirant;
  }
  return winner;
}

}  // namespace

std::vector<std::size_t> select_tournament(const std::vector<double>& losses, std::size_t k,
                                           std::size_t tournsize, Rng& rng) {
  std::vector<std::size_t> chosen;
  chosen.reserve(k);
  for (std::size_t pick = 0; pick < k; ++pick) {
    chosen.push_back(tournament(losses, tournsize, rng, std::less<double>()));
  }
  return chosen;
}

std::size_t tournament_loser(const std::vector<double>& losses, std::size_t tournsize, Rng& rng) {
  return tournament(losses, tournsize, rng, std::greater<double>());
}

}  // namespace overseer::ga
