#pragma once

#include <cstdint>

#include "overseer/core/campaign.hpp"
#include "overseer/data/trial_data.hpp"

namespace overseer {

// The data a drug-response model trains on for one trial: the campaign's `model.data` with
// any data options the trial's parameters set (split, scaling, noise), from the per-process
// cache. Throws InputError naming the campaign file for a bad `model.data`.
data::TrialData load_model_data(const Campaign& campaign, const json& params, std::uint64_t seed);

// Checks the campaign's `model.data` as load_model_data reads it, with `params` (fixed parameters
// and a point of the search) on top: its fields, and that the dataset and split files exist.
// A mistake in model.data throws InputError naming the campaign file; one in a parameter throws
// ParameterError naming the parameter, which the caller locates.
void check_model_data(const Campaign& campaign, const json& params);

// Whether the dataset that `model.data` (with `params` on top) names holds drug combinations;
// false when it does not exist, which check_model_data reports.
bool model_data_has_combinations(const Campaign& campaign, const json& params);
// Throws InputError naming model.data's dataset file, for data that the model cannot train on.
[[noreturn]] void fail_at_model_data(const Campaign& campaign, const std::string& message);

// Checks every study name that train_sources or test_sources can take (in model.data, in
// model.params, or as a value of a searched parameter) against the studies of the dataset
// file, so that a misspelt study stops the campaign before it starts; nothing when the file
// does not exist, which check_model_data reports. Throws InputError naming the campaign or space
// file and the JSON pointer of the name. Likewise the row lists that an IMPROVE split of
// model.data needs, when model.data names its training study.
void check_model_data_studies(const Campaign& campaign);

}  // namespace overseer
