#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "overseer/core/campaign.hpp"
#include "overseer/schedulers/scheduler.hpp"
#include "overseer/search/searcher.hpp"
#include "overseer/sites/site.hpp"

namespace overseer {

struct PreparedCampaign {
  Campaign campaign;
  std::unique_ptr<Searcher> searcher;
  std::unique_ptr<Scheduler> scheduler;  // null: trials run to their end
};

// Loads a campaign and checks everything a run depends on (registries, model parameters,
// referenced files) without writing anything, for the site it runs on when there is one. Fills
// the defaults that depend on plug-ins: the objective metric and the budget of finite
// searchers, and the scheduler's resource as a fixed model parameter (every trial trains to
// max_resource unless the scheduler stops it). Throws InputError.
PreparedCampaign prepare_campaign(const std::filesystem::path& file,
                                  const std::vector<std::string>& overrides,
                                  const sites::Site* site = nullptr);

}  // namespace overseer
