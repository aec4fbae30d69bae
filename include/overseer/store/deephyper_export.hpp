#pragma once

#include <string>
#include <vector>

#include "overseer/core/campaign.hpp"
#include "overseer/core/trial.hpp"

namespace overseer {

// A run's results as DeepHyper's results.csv (`overseer export --format deephyper`), a row per
// finished trial by id: `p:<hyperparameter>` columns in space order, `objective` (DeepHyper
// maximizes, so a minimized objective is negated; "F" for a failed trial), `job_id` (the trial
// id), `job_status` (DONE, FAILED, or CANCELLED for a trial a scheduler stopped, whose
// objective is its last reported value), `m:<metric>` for every metric, `m:budget` (the step a
// trial reached, where it reported progress), and `m:timestamp_start` / `m:timestamp_end` in
// seconds since the first trial started.
std::string deephyper_results_csv(const Campaign& campaign,
                                  const std::vector<TrialRecord>& finished);

}  // namespace overseer
