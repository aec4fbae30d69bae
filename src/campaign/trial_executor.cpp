#include "overseer/campaign/trial_executor.hpp"

#include "overseer/campaign/trial_reporter.hpp"

#include "overseer/core/campaign.hpp"

namespace overseer {
namespace {

Campaign worker_campaign(const json& setup, const WorkerSetup& worker) {
  Campaign campaign =
      parse_campaign(setup.at("campaign"), setup.at("campaign_file").get<std::string>());
  sites::use_staged_copies(campaign, worker.staged);
  campaign.site_container_launcher = worker.container_launcher;
  campaign.run_dir = setup.value("run_dir", "");
  return campaign;
}

class TrialExecutor : public TaskExecutor {
 public:
  TrialExecutor(const json& setup, const WorkerSetup& worker)
      : campaign_(worker_campaign(setup, worker)),
        runner_(campaign_, worker.resources),
        devices_(worker.devices) {}

  void start(const json& task, TaskLink& link, std::function<void(json)> done) override {
    TrialTask t;
    t.trial = task.at("trial").get<TrialId>();
    t.attempt = task.at("attempt").get<int>();
    t.params = task.at("params");
    t.run_dir = task.value("run_dir", "");
    t.restore = task.value("restore", "");
    if (draining_) {
      done({{"trial", t.trial},
            {"attempt", t.attempt},
            {"status", "stopped"},
            {"message", "paused before it started"}});
      return;
    }
    const auto reporter = std::make_shared<TrialReporter>(link, t.trial, t.attempt,
                                                          ReportPolicy::from_task(task), draining_);
    t.reporter = reporter;
    json result = to_json(runner_.run(t));
    reporter->flush();
    result.erase("rank");  // the master knows who sent it
    result["trial"] = t.trial;
    result["attempt"] = t.attempt;
    if (!devices_.empty()) result["devices"] = devices_;
    done(std::move(result));
  }

  void on_control(const json& control) override {
    if (control.value("drain", false)) draining_ = true;
  }

 private:
  Campaign campaign_;
  TrialRunner runner_;
  std::string devices_;
  // Set by the master's drain (the end of a batch job): trials pause, the next ones never start.
  std::atomic<bool> draining_{false};
};

}  // namespace

ExecutorFactory trial_executor_factory(WorkerSetup worker) {
  return [worker = std::move(worker)](const json& setup) {
    return std::make_unique<TrialExecutor>(setup, worker);
  };
}

}  // namespace overseer
