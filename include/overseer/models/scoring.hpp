#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "overseer/data/trial_data.hpp"
#include "overseer/models/model.hpp"

namespace overseer {

// What a drug-response model reports for one scored part of its split ("val" or "test"): the
// regression metrics as PART_METRIC, and for the test part of a dataset with several studies
// the same per study as test_METRIC@STUDY (core/study_metric.hpp), for each study with test
// rows, and as test_moved_METRIC for the rows the data options moved to the test set
// (move_drugs_to_test, move_cells_to_test). Writes predictions_PART.csv into `trial_dir` unless it
// is empty. `truth` and `predicted` follow `rows`.
Metrics score_part(const data::TrialData& data, const std::string& part,
                   const std::vector<std::size_t>& rows, const std::vector<float>& truth,
                   const std::vector<float>& predicted, const std::filesystem::path& trial_dir);

}  // namespace overseer
