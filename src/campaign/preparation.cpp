#include "overseer/campaign/preparation.hpp"

#include <algorithm>

#include "overseer/core/error.hpp"
#include "overseer/models/model.hpp"
#include "overseer/models/model_data.hpp"
#include "overseer/schedulers/scheduler.hpp"
#include "overseer/search/dag.hpp"

namespace overseer {
namespace {

void check_model(Campaign& campaign) {
  const ModelEntry& entry = find_model(campaign);
  const std::string file = campaign.file.string();
  if (campaign.objective.metric.empty()) campaign.objective.metric = entry.metrics.front();
  if (!entry.any_metric && std::find(entry.metrics.begin(), entry.metrics.end(),
                                     campaign.objective.metric) == entry.metrics.end()) {
    std::string names;
    for (const auto& m : entry.metrics) names += (names.empty() ? "" : ", ") + m;
    throw InputError(file, "/objective/metric",
                     "model \"" + campaign.model.name + "\" does not report \"" +
                         campaign.objective.metric + "\"; it reports: " + names);
  }
  if (!entry.own_data) check_model_data_studies(campaign);
  if (campaign.model.ranks_per_trial > 1 && !entry.data_parallel) {
    throw InputError(file, "/model/ranks_per_trial",
                     "model \"" + campaign.model.name +
                         "\" trains a trial on one rank; ranks_per_trial above 1 needs a model "
                         "that trains data parallel, as the torch models do");
  }
  if (scheduler_options(campaign).name == "ltfb") {
    if (!entry.tournaments) {
      throw InputError(file, "/scheduler/name",
                       "model \"" + campaign.model.name +
                           "\" cannot take part in ltfb tournaments; torch_mlp, torch_cnn and "
                           "curve can");
    }
    if (!campaign.output.trial_dirs) {
      throw InputError(file, "/output/trial_dirs",
                       "ltfb trainers exchange weights through their trial directories: it must "
                       "be true");
    }
    // Every trainer must exist before any can go past its first round.
    auto searcher = make_searcher(campaign);
    for (std::int64_t n = 0; n < campaign.search.budget.value_or(0); ++n) {
      if (searcher->ask().kind == Suggestion::Kind::Wait) {
        throw InputError(file, "/search/algorithm",
                         "ltfb trains its " + std::to_string(*campaign.search.budget) +
                             " trainers together, but \"" + campaign.search.algorithm +
                             "\" proposes only " + std::to_string(n) +
                             " before it waits for results; use random, grid or upf");
      }
    }
  }
  if (dag_warm_starts(campaign)) {
    if (!entry.warm_starts) {
      throw InputError(file, "/search",
                       "model \"" + campaign.model.name +
                           "\" cannot start from another trial's state; torch_mlp, torch_cnn "
                           "and curve can");
    }
    if (!campaign.output.trial_dirs) {
      throw InputError(file, "/output/trial_dirs",
                       "warm starts continue from the parents' final checkpoints in their trial "
                       "directories: it must be true");
    }
  }
  // The first point the search would produce stands for all of them: it catches parameters
  // the model needs but neither the space nor the fixed parameters provide.
  Suggestion first = make_searcher(campaign)->ask();
  if (first.kind != Suggestion::Kind::Point) return;
  auto model = entry.create(campaign);
  try {
    model->check(merge_params(campaign.model.params, first.params));
  } catch (const ParameterError& e) {
    const std::string prefix = "model \"" + campaign.model.name + "\": ";
    if (campaign.model.params.contains(e.parameter())) {
      throw InputError(file, "/model/params/" + e.parameter(), prefix + e.what());
    }
    const auto& space = campaign.space.parameters();
    for (const auto& p : space) {
      if (p.name == e.parameter()) throw InputError(p.file, p.pointer, prefix + e.what());
    }
    throw InputError(file, space.empty() ? "/search" : "/space",
                     prefix + e.what() + " (set it in /model/params or the search space)");
  }
}

}  // namespace

PreparedCampaign prepare_campaign(const std::filesystem::path& file,
                                  const std::vector<std::string>& overrides,
                                  const sites::Site* site) {
  PreparedCampaign prepared{load_campaign(file, overrides), nullptr, nullptr};
  Campaign& campaign = prepared.campaign;
  const SchedulerOptions scheduling = scheduler_options(campaign);
  if (scheduling.name != "none") {
    campaign.model.params[scheduling.resource] = scheduling.max_resource;
  }
  if (site) campaign.site_container_launcher = site->container.exec;
  // The site's group size serves the models that can use it; the campaign's own value wins.
  if (site && site->ranks_per_trial && !campaign.raw.at("model").contains("ranks_per_trial") &&
      find_model(campaign).data_parallel) {
    campaign.model.ranks_per_trial = *site->ranks_per_trial;
  }
  prepared.searcher = make_searcher(campaign);
  if (auto size = prepared.searcher->size()) {
    campaign.search.budget = std::min(campaign.search.budget.value_or(*size), *size);
  }
  if (!campaign.search.budget) {
    throw InputError(file.string(), "/search/budget",
                     "required for algorithm \"" + campaign.search.algorithm + "\"");
  }
  // After the budget is known: a population-based scheduler sizes its population by it.
  if (scheduling.name != "none") prepared.scheduler = make_scheduler(campaign);
  check_model(campaign);
  return prepared;
}

}  // namespace overseer
