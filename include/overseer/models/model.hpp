#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "overseer/core/campaign.hpp"
#include "overseer/core/registry.hpp"
#include "overseer/core/tournament.hpp"
#include "overseer/core/trial.hpp"
#include "overseer/models/parameters.hpp"
#include "overseer/models/rank_group.hpp"

namespace overseer {

using Metrics = std::map<std::string, double>;

// What a trial is told to do after it reported progress. Pause is a stop that the campaign will
// continue later (a drain at the end of a batch job): the model saves a checkpoint first.
// Tournament (scheduler ltfb): the trial meets another, whose snapshot of the same step
// ProgressReporter::partner_snapshot() names; see models/tournament_round.hpp.
enum class ProgressDecision { Continue, Stop, Pause, Tournament };

// Takes a trial's intermediate results to the master, whose scheduler may answer Stop. A model
// may report from whatever thread it trains on.
class ProgressReporter {
 public:
  virtual ~ProgressReporter() = default;
  // `step` counts the model's unit of training (epochs, boosting rounds), from 1. The answer
  // may take a moment (the master decides); `cancel`, when set, ends the wait (a timeout).
  virtual ProgressDecision report(std::int64_t step, const Metrics& metrics,
                                  const std::atomic<bool>* cancel) = 0;
  // Called on the worker's own thread, every few milliseconds, while the model trains on
  // another one (a trial with a timeout), so that progress and answers keep moving.
  virtual void service() {}
  // Whether the trial was told to stop (or to pause).
  virtual bool stopped() const = 0;
  // Whether it was told to pause: its result is not final, the campaign continues it.
  virtual bool paused() const { return false; }
  // The last step reported; -1 before any.
  virtual std::int64_t last_step() const = 0;
  // A checkpoint of the training state after `step` is complete at `path` (see checkpoints.hpp).
  virtual void checkpointed(std::int64_t /*step*/, const std::filesystem::path& /*path*/) {}
  // After a Tournament answer: the partner's snapshot directory.
  virtual std::filesystem::path partner_snapshot() const { return {}; }
  // How the tournament of `step` ended ({"partner", "own", "partner_score", "won"}); waits for
  // the answer, which may be Pause (ltfb's perturb: the loser goes on with new hyperparameters).
  virtual ProgressDecision report_tournament(std::int64_t /*step*/, const json& /*outcome*/,
                                             const std::atomic<bool>* /*cancel*/) {
    return ProgressDecision::Continue;
  }
};

// When a trial saves its training state, and what it continues from.
struct CheckpointPlan {
  std::int64_t every_steps = 0;  // 0: never
  std::int64_t keep = 1;
  std::filesystem::path restore;  // a checkpoint directory to continue from; empty: the start
  // Also save the state the trial ends with (a DAG's trial: others warm-start from it).
  bool at_end = false;
};

// Everything a model may use while evaluating one trial besides its hyperparameters.
struct RunContext {
  TrialId trial = 0;
  int attempt = 1;
  std::uint64_t seed = 0;
  // The worker's bound device when it runs under a site (`overseer run --site`): cuda:0, rocm:0
  // or xpu:0, or cpu on a site without GPUs; "auto" without a site. What `device: auto` means.
  std::string device = "auto";
  // Every GPU bound to the worker when it holds more than one (`device` is the first): the cmp
  // model then trains its two submodels at once, one on each.
  std::vector<std::string> devices;
  int threads = 0;  // default intra-op threads from the site; 0: the model's own default
  std::filesystem::path run_dir;  // per-trial directory; empty when trial dirs are disabled
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::shared_ptr<const std::atomic<bool>> cancel;
  // Where progress goes; null when nobody listens (`overseer train`, tests).
  std::shared_ptr<ProgressReporter> reporter;
  CheckpointPlan checkpoint;
  // The ranks training this trial together (model.ranks_per_trial > 1); null for one rank. A
  // member other than the leader has no run directory, reporter or checkpoint plan of its own
  // (only `checkpoint.restore`): the leader writes for the group.
  std::shared_ptr<RankGroup> group;
  // The trial's part in an ltfb campaign: its shard of the training rows, and the steps after
  // which it meets a partner (every member of a group has it).
  std::optional<TournamentPlan> tournament;
  // A DAG's trial that starts from another's state (warm_start "parent"): that trial's final
  // checkpoint directory. Read only when there is no checkpoint of its own to restore: the
  // model takes the weights (not the optimizer state) and reports their value as step 0.
  std::filesystem::path warm_start;

  // Long-running models poll this and return (or throw) soon after it turns true.
  bool cancelled() const { return cancel && cancel->load(std::memory_order_relaxed); }
  // Reports progress after a step of training. On Stop or Pause the model ends the trial soon,
  // returning the metrics it has reached (its objective among them): the trial is then
  // `stopped`. On Pause it saves a checkpoint first (checkpoint_if_due does).
  ProgressDecision report(std::int64_t step, const Metrics& metrics) const {
    return reporter ? reporter->report(step, metrics, cancel.get()) : ProgressDecision::Continue;
  }
  // Whether anyone reads progress: a model that must compute something only for its report
  // (a validation pass per epoch) can skip it otherwise.
  bool reporting() const { return reporter != nullptr; }
};

// A trainable model or benchmark function. One instance serves one worker, so implementations
// need not be thread-safe; throwing marks the trial failed with the exception's message.
class Model {
 public:
  virtual ~Model() = default;
  // Throws ParameterError when `params` (fixed parameters merged with a tuple) cannot be
  // evaluated; used to reject a campaign before it starts.
  virtual void check(const json& params) const = 0;
  virtual Metrics evaluate(const json& params, const RunContext& context) = 0;
};

struct ModelEntry {
  std::vector<std::string> metrics;  // what evaluate reports; the first is the default objective
  // Builds a model for a campaign; throws InputError for a bad `model.data`.
  std::function<std::unique_ptr<Model>(const Campaign&)> create;
  // External programs report whatever their configuration says: any objective.metric is
  // accepted before the run, and a trial that lacks it fails.
  bool any_metric = false;
  // model.data is the model's own (an external program's setup), not Overseer's data options
  // (docs/data.md), so the checks of a dataset's studies before the run leave it alone.
  bool own_data = false;
  // Trains one trial over several ranks (RunContext::group): model.ranks_per_trial may exceed 1.
  bool data_parallel = false;
  // Takes part in ltfb tournaments (RunContext::tournament, models/tournament_round.hpp),
  // reporting after every step.
  bool tournaments = false;
  // Starts from another trial's final checkpoint (RunContext::warm_start).
  bool warm_starts = false;
};

using ModelRegistry = Registry<ModelEntry>;

// Looks the campaign's model up, failing with an InputError at /model/name when unknown.
const ModelEntry& find_model(const Campaign& campaign);
// The same for a model named elsewhere in the campaign (a submodel), at `pointer`.
const ModelEntry& find_model(const std::string& name, const std::string& file,
                             const std::string& pointer);

// Fixed parameters from the campaign with the trial's tuple on top.
json merge_params(const json& fixed, const json& tuple);

}  // namespace overseer
