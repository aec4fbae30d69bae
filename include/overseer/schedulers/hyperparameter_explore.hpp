#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "overseer/core/json_view.hpp"
#include "overseer/core/search_space.hpp"
#include "overseer/core/trial.hpp"

namespace overseer {

// PBT's explore step, as Ray Tune's PopulationBasedTraining takes it, shared by the schedulers
// that change a trial's hyperparameters while it trains (pbt, ltfb's perturb).
struct ExploreOptions {
  double resample_probability = 0.25;
  std::set<std::string> hyperparameters;  // the ones explored; empty: every searched one

  // `resample_probability` and `hyperparameters` from a scheduler's options; throws InputError.
  static ExploreOptions from(const JsonView& view, const SearchSpace& space);
};

// `params` with each explored hyperparameter drawn afresh from `space` with probability
// resample_probability, and otherwise perturbed: numbers times 0.8 or 1.2 within their range
// (an int rounded), ordered values moved to a neighbour; categorical and logical ones change
// only when drawn afresh. The draws are a function of the scheduler's `seed`, the trial and the
// step, so that the journal's record of them is what a replay would compute.
json explore_hyperparameters(const SearchSpace& space, const json& params,
                             const ExploreOptions& options, std::uint64_t seed, TrialId trial,
                             std::int64_t step);

}  // namespace overseer
