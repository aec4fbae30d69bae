#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "overseer/balancer/worker.hpp"
#include "overseer/core/campaign.hpp"
#include "overseer/models/trial_runner.hpp"
#include "overseer/search/searcher.hpp"
#include "overseer/sites/site.hpp"
#include "overseer/sites/staging.hpp"

namespace overseer::cli {

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

// What a worker knows of its node besides the campaign: its site binding, the site's container
// launcher and staged copies.
struct WorkerSetup {
  WorkerResources resources;
  std::string devices;  // the visible-device variable's value, recorded with each result
  std::vector<std::string> container_launcher;
  sites::StagePlan staged;
};

// The worker side: evaluates trials with the campaign's model.
ExecutorFactory trial_executor_factory(WorkerSetup setup = {});

}  // namespace overseer::cli
