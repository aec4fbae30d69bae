#include "overseer/campaign/trial_executor.hpp"

#include <spdlog/spdlog.h>

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

// The result of a task that ended without running its trial.
json unrun_result(const json& task, const std::string& status, const std::string& message) {
  return {{"trial", task.at("trial")},
          {"attempt", task.at("attempt")},
          {"status", status},
          {"message", message}};
}

class TrialExecutor : public TaskExecutor {
 public:
  TrialExecutor(const json& setup, const WorkerSetup& worker)
      : campaign_(worker_campaign(setup, worker)),
        runner_(campaign_, worker.resources),
        devices_(worker.devices),
        rank_groups_(worker.rank_groups) {}

  void start(const json& task, TaskLink& link, std::function<void(json)> done) override {
    TrialTask t;
    t.trial = task.at("trial").get<TrialId>();
    t.attempt = task.at("attempt").get<int>();
    t.params = task.at("params");
    t.run_dir = task.value("run_dir", "");
    t.restore = task.value("restore", "");
    t.warm_start = task.value("warm_start", "");
    t.checkpoint_at_end = task.value("checkpoint_at_end", false);
    if (const auto plan = task.find("tournament"); plan != task.end()) {
      t.tournament = TournamentPlan::from_json(*plan);
    }
    const auto ended = [&](const std::string& status, const std::string& message) {
      done(unrun_result(task, status, message));
    };
    bool draining = draining_;
    if (task.contains("group")) {
      if (!rank_groups_) {
        ended("failed", "model.ranks_per_trial > 1 needs workers started by mpirun or srun");
        return;
      }
      try {
        t.group = rank_groups_(task.at("group").get<std::vector<int>>());
        // The members start together or not at all: a drain may reach them at different times.
        draining = agree(*t.group, draining ? GroupVerdict::Pause : GroupVerdict::Continue) ==
                   GroupVerdict::Pause;
      } catch (const std::exception& e) {
        ended("failed", e.what());
        return;
      }
    }
    if (draining) {
      ended("stopped", "paused before it started");
      return;
    }
    const auto reporter = leads(t.group.get()) ? std::make_shared<TrialReporter>(
                                                     link, t.trial, t.attempt,
                                                     ReportPolicy::from_task(task), draining_)
                                               : nullptr;
    t.reporter = reporter;
    json result = to_json(runner_.run(t));
    if (reporter) reporter->flush();
    result.erase("rank");  // the master knows who sent it
    result["trial"] = t.trial;
    result["attempt"] = t.attempt;
    if (!devices_.empty()) result["devices"] = devices_;
    if (t.group) result["group"] = task.at("group");
    done(std::move(result));
  }

  void on_control(const json& control) override {
    if (control.value("drain", false)) draining_ = true;
  }

 private:
  Campaign campaign_;
  TrialRunner runner_;
  std::string devices_;
  RankGroupFactory rank_groups_;
  // Set by the master's drain (the end of a batch job): trials pause, the next ones never start.
  std::atomic<bool> draining_{false};
};

class FailedSetupExecutor : public TaskExecutor {
 public:
  FailedSetupExecutor(std::string error, RankGroupFactory rank_groups)
      : error_(std::move(error)), rank_groups_(std::move(rank_groups)) {}

  void start(const json& task, TaskLink&, std::function<void(json)> done) override {
    if (task.contains("group") && rank_groups_) {
      try {
        // The members' first sync point is their agreement on a drain.
        const auto group = rank_groups_(task.at("group").get<std::vector<int>>());
        agree(*group, GroupVerdict::Failed);
      } catch (const std::exception& e) {
        spdlog::error("trial {}: could not tell its group: {}", task.at("trial").dump(), e.what());
      }
    }
    done(unrun_result(task, "failed", "worker setup failed: " + error_));
  }

 private:
  std::string error_;
  RankGroupFactory rank_groups_;
};

}  // namespace

ExecutorFactory trial_executor_factory(WorkerSetup worker) {
  return [worker = std::move(worker)](const json& setup) -> std::unique_ptr<TaskExecutor> {
    try {
      return std::make_unique<TrialExecutor>(setup, worker);
    } catch (const std::exception& e) {
      spdlog::error("worker setup failed: {}", e.what());
      return std::make_unique<FailedSetupExecutor>(e.what(), worker.rank_groups);
    }
  };
}

}  // namespace overseer
