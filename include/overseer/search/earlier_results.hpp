#pragma once

#include <filesystem>
#include <vector>

#include "overseer/core/search_space.hpp"
#include "overseer/core/trial.hpp"

namespace overseer {

// The finished trials of an earlier run, read back from its results.csv (the export every run
// writes, docs/campaign.md) for a search that starts where that run left off, as mlrMBO's
// restart file does. Each trial's parameters are checked against `space`, which must name the
// same parameters; ids are negative (-1, -2, ...) so that they never meet this run's trials.
// Throws InputError naming the file, and the line and column of what does not fit.
std::vector<TrialRecord> read_earlier_results(const std::filesystem::path& run_dir,
                                              const SearchSpace& space);

}  // namespace overseer
