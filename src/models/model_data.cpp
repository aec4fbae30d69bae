#include "overseer/models/model_data.hpp"

#include "overseer/data/data_options.hpp"

namespace overseer {

data::TrialData load_model_data(const Campaign& campaign, const json& params, std::uint64_t seed) {
  const auto options = data::parse_data_options(
      JsonView(campaign.model.data, campaign.file.string(), json::json_pointer(campaign.model.data_pointer)),
      campaign.base_dir, params);
  return data::load_trial_data(options, seed);
}

}  // namespace overseer
