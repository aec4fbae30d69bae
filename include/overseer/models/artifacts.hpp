#pragma once

#include <cstddef>
#include <filesystem>
#include <vector>

#include "overseer/core/json_view.hpp"
#include "overseer/data/trial_data.hpp"

namespace overseer {

// What a model keeps of its trained state (`save_model`): nothing, the checkpoint of the best
// trial only (the master removes the others as results arrive), or every trial's.
enum class SaveModel { None, Best, All };

SaveModel save_model_param(const json& params);

// Where a trial's checkpoint goes, inside its trial directory; one directory so that pruning
// does not need to know each model's file names.
std::filesystem::path checkpoint_dir(const std::filesystem::path& trial_dir);

// Writes `value` as indented JSON; throws std::runtime_error when the file cannot be written.
void write_json_file(const std::filesystem::path& path, const json& value);

// predictions_<part>.csv in `trial_dir`: cell, drug, study, y_true, y_pred, abs_diff per row of
// `rows`.
void write_predictions(const std::filesystem::path& trial_dir, const std::string& part,
                       const data::TrialData& data, const std::vector<std::size_t>& rows,
                       const std::vector<float>& truth, const std::vector<float>& predicted);

}  // namespace overseer
