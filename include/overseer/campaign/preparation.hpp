#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "overseer/core/campaign.hpp"
#include "overseer/search/searcher.hpp"
#include "overseer/sites/site.hpp"

namespace overseer {

struct PreparedCampaign {
  Campaign campaign;
  std::unique_ptr<Searcher> searcher;
};

// Loads a campaign and checks everything a run depends on (registries, model parameters,
// referenced files) without writing anything, for the site it runs on when there is one. Fills
// the defaults that depend on plug-ins: the objective metric and the budget of finite
// searchers. Throws InputError.
PreparedCampaign prepare_campaign(const std::filesystem::path& file,
                                  const std::vector<std::string>& overrides,
                                  const sites::Site* site = nullptr);

}  // namespace overseer
