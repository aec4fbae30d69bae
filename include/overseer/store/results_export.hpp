#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "overseer/core/search_space.hpp"
#include "overseer/core/trial.hpp"

namespace overseer {

// results.csv: one row per finished trial, ordered by trial id. Hyperparameters become
// `param_NAME` columns (space order, then any other tuple members), metrics `metric_NAME`.
std::string results_csv(const SearchSpace& space, const std::vector<TrialRecord>& trials);

// best.json: the best successful trial.
json best_json(const TrialRecord& best);

// Seconds since the epoch as ISO 8601 UTC with milliseconds.
std::string iso8601(double unix_seconds);

}  // namespace overseer
