#pragma once

#include <filesystem>
#include <vector>

#include "overseer/core/campaign.hpp"
#include "overseer/core/trial.hpp"
#include "overseer/store/journal_records.hpp"

namespace overseer {

// results.h5: the rows of results.csv as one 1-D dataset per column, for h5py and pandas
// (layout in docs/report.md). Parameters are int64, float64 (NaN where missing), booleans as
// h5py writes them, or UTF-8 strings; start and end are Unix seconds. The file attribute
// `columns` lists the datasets in results.csv's order; a dataset's name is its CSV column's,
// with `/` written %2F and `%` written %25. The group `progress` holds progress.csv's rows the
// same way, when any trial reported progress. Written through a temporary file.
void write_results_h5(const std::filesystem::path& path, const Campaign& campaign,
                      const std::vector<TrialRecord>& trials,
                      const std::vector<ProgressRecord>& progress);

}  // namespace overseer
