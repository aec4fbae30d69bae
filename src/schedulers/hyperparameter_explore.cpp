#include "overseer/schedulers/hyperparameter_explore.hpp"

#include <algorithm>
#include <cmath>

#include "overseer/core/random.hpp"

namespace overseer {
namespace {

json perturbed(const Parameter& p, const json& value, Rng& rng) {
  const bool up = rng.uniform01() < 0.5;
  const json& choices = p.values;
  if (!choices.empty() && p.type != ParamType::Categorical && p.type != ParamType::Logical) {
    // Ordered values (and explicit value lists of numbers): one step to a neighbour.
    const auto it = std::find(choices.begin(), choices.end(), value);
    if (it == choices.end()) return value;
    const auto index = static_cast<std::int64_t>(it - choices.begin());
    const auto last = static_cast<std::int64_t>(choices.size()) - 1;
    return choices[static_cast<std::size_t>(
        std::clamp<std::int64_t>(index + (up ? 1 : -1), 0, last))];
  }
  if (p.type == ParamType::Float || p.type == ParamType::Int) {
    const double scaled = std::clamp(value.get<double>() * (up ? 1.2 : 0.8), p.lower, p.upper);
    if (p.type == ParamType::Int) return static_cast<std::int64_t>(std::llround(scaled));
    return scaled;
  }
  return value;  // categorical and logical change only when drawn afresh
}

}  // namespace

ExploreOptions ExploreOptions::from(const JsonView& view, const SearchSpace& space) {
  ExploreOptions o;
  o.resample_probability = view.number_or("resample_probability", o.resample_probability);
  if (!(o.resample_probability >= 0 && o.resample_probability <= 1)) {
    view.at("resample_probability").fail("resample_probability must be between 0 and 1");
  }
  if (auto list = view.find("hyperparameters")) {
    for (const auto& element : list->elements()) {
      const std::string name = element.string();
      if (space.find(name) == nullptr) {
        element.fail("\"" + name + "\" is not a parameter of the search space");
      }
      o.hyperparameters.insert(name);
    }
  }
  return o;
}

json explore_hyperparameters(const SearchSpace& space, const json& params,
                             const ExploreOptions& options, std::uint64_t seed, TrialId trial,
                             std::int64_t step) {
  Rng rng(mix_seed(seed + 1,
                   mix_seed(static_cast<std::uint64_t>(trial), static_cast<std::uint64_t>(step))));
  json explored = params;
  for (const auto& p : space.parameters()) {
    if (p.type == ParamType::Constant) continue;
    if (!options.hyperparameters.empty() && !options.hyperparameters.count(p.name)) continue;
    if (!explored.contains(p.name)) continue;
    if (rng.uniform01() < options.resample_probability) {
      explored[p.name] = p.sample(rng);
    } else {
      explored[p.name] = perturbed(p, explored[p.name], rng);
    }
  }
  return explored;
}

}  // namespace overseer
