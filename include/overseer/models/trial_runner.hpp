#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "overseer/models/model.hpp"

namespace overseer {

struct TrialTask {
  TrialId trial = 0;
  int attempt = 1;
  json params;  // the searched tuple; fixed parameters are merged in by the runner
  std::filesystem::path run_dir;
  std::shared_ptr<ProgressReporter> reporter = nullptr;  // null: its progress goes nowhere
  // A checkpoint to continue from, relative to run_dir (state/step-N); empty: the start.
  std::filesystem::path restore = {};
  // The trial's rank group when it spans several ranks; see RunContext::group.
  std::shared_ptr<RankGroup> group = nullptr;
  // Its part in an ltfb campaign; see RunContext::tournament.
  std::optional<TournamentPlan> tournament = std::nullopt;
  // The checkpoint of the trial it starts from; see RunContext::warm_start.
  std::filesystem::path warm_start = {};
  // Save the state it ends with; see CheckpointPlan::at_end.
  bool checkpoint_at_end = false;
};

// What the worker's site binding gives every trial it runs (RunContext's device and threads).
struct WorkerResources {
  std::string device = "auto";
  std::vector<std::string> devices;
  int threads = 0;
};

// Evaluates trials for one worker: merges fixed parameters, enforces the campaign's task timeout,
// and turns exceptions, NaN and missing metrics into trial statuses.
class TrialRunner {
 public:
  explicit TrialRunner(const Campaign& campaign, WorkerResources resources = {});
  TrialResult run(const TrialTask& task);

 private:
  Metrics evaluate_with_timeout(const json& params, const RunContext& context, TrialResult& result);

  const Campaign& campaign_;
  WorkerResources resources_;
  const ModelEntry& entry_;
  std::shared_ptr<Model> model_;
};

}  // namespace overseer
