#include "overseer/cli/campaign_setup.hpp"

#include <algorithm>

#include "overseer/core/error.hpp"
#include "overseer/models/model_data.hpp"
#include "overseer/models/trial_runner.hpp"

namespace overseer::cli {
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
  check_model_data_studies(campaign);
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

Campaign worker_campaign(const json& setup, const WorkerSetup& worker) {
  Campaign campaign =
      parse_campaign(setup.at("campaign"), setup.at("campaign_file").get<std::string>());
  sites::use_staged_copies(campaign, worker.staged);
  campaign.site_container_launcher = worker.container_launcher;
  return campaign;
}

class TrialExecutor : public TaskExecutor {
 public:
  TrialExecutor(const json& setup, const WorkerSetup& worker)
      : campaign_(worker_campaign(setup, worker)),
        runner_(campaign_, worker.resources),
        devices_(worker.devices) {}

  void start(const json& task, std::function<void(json)> done) override {
    TrialTask t;
    t.trial = task.at("trial").get<TrialId>();
    t.attempt = task.at("attempt").get<int>();
    t.params = task.at("params");
    t.run_dir = task.value("run_dir", "");
    json result = to_json(runner_.run(t));
    result.erase("rank");  // the master knows who sent it
    result["trial"] = t.trial;
    result["attempt"] = t.attempt;
    if (!devices_.empty()) result["devices"] = devices_;
    done(std::move(result));
  }

 private:
  Campaign campaign_;
  TrialRunner runner_;
  std::string devices_;
};

}  // namespace

PreparedCampaign prepare_campaign(const std::filesystem::path& file,
                                  const std::vector<std::string>& overrides,
                                  const sites::Site* site) {
  PreparedCampaign prepared{load_campaign(file, overrides), nullptr};
  Campaign& campaign = prepared.campaign;
  if (site) campaign.site_container_launcher = site->container.exec;
  prepared.searcher = make_searcher(campaign);
  if (auto size = prepared.searcher->size()) {
    campaign.search.budget = std::min(campaign.search.budget.value_or(*size), *size);
  }
  if (!campaign.search.budget) {
    throw InputError(file.string(), "/search/budget",
                     "required for algorithm \"" + campaign.search.algorithm + "\"");
  }
  check_model(campaign);
  return prepared;
}

ExecutorFactory trial_executor_factory(WorkerSetup worker) {
  return [worker = std::move(worker)](const json& setup) {
    return std::make_unique<TrialExecutor>(setup, worker);
  };
}

}  // namespace overseer::cli
