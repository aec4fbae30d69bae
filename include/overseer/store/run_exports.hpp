#pragma once

#include <vector>

#include "overseer/core/campaign.hpp"
#include "overseer/core/trial.hpp"
#include "overseer/store/journal_records.hpp"
#include "overseer/store/run_directory.hpp"

namespace overseer {

// The matrix metric of cross_study.csv; cross_study_long.csv holds every metric.
inline constexpr const char* kCrossStudyMetric = "r2";

// Rewrites the run's exports from its finished trials and the progress they reported:
// results.csv always, progress.csv when any trial reported progress, cross_study.csv and
// cross_study_long.csv when a trial scored test studies separately, tree.csv for a dag search
// (from the created trials and the search's events). Each file is replaced atomically.
void write_run_exports(const RunDirectory& run, const Campaign& campaign,
                       const std::vector<TrialRecord>& finished,
                       const std::vector<ProgressRecord>& progress,
                       const std::vector<CreatedRecord>& created,
                       const std::vector<json>& search_events);

}  // namespace overseer
