#pragma once

#include <cstdint>

#include "overseer/core/campaign.hpp"
#include "overseer/data/trial_data.hpp"

namespace overseer {

// The data a drug-response model trains on for one trial: the campaign's `model.data` with
// any data options the trial's parameters set (split, scaling, noise), from the per-process
// cache. Throws InputError naming the campaign file for a bad `model.data`.
data::TrialData load_model_data(const Campaign& campaign, const json& params, std::uint64_t seed);

}  // namespace overseer
