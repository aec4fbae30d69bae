#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>

#include "overseer/models/model.hpp"

namespace overseer {

// How a model takes part in ltfb tournaments (RunContext::tournament). At a step where its
// trainer meets a partner it saves a snapshot of its training state,
// TRIAL_DIR/exchange/step-N, before reporting (so the partner, paired once both have
// reported, finds it complete), then compares the two on its own tournament rows and keeps the
// better state. Snapshots are written once: a trial that trains the step again after a crash
// leaves the one its partner may be reading.
std::filesystem::path exchange_snapshot(const std::filesystem::path& trial_dir, std::int64_t step);

// What the tournament needs of a model.
struct TournamentHooks {
  // Fills a fresh directory with the training state, as the model's checkpoints hold it.
  std::function<void(const std::filesystem::path& dir)> save;
  // The tournament loss (lower wins) of the state now held, and of a snapshot's.
  std::function<double()> score_own;
  std::function<double(const std::filesystem::path& snapshot)> score_snapshot;
  // Replaces the state now held with a snapshot's (weights and optimizer state), keeping the
  // trial's own hyperparameters.
  std::function<void(const std::filesystem::path& snapshot)> adopt;
};

// The answer to a step's report, with the tournament played where one was due.
struct StepAnswer {
  ProgressDecision decision = ProgressDecision::Continue;  // Continue, Stop or Pause
  bool adopted = false;           // the partner's state won and replaced the trial's own
  std::filesystem::path partner;  // the partner's snapshot, when adopted
  // Paused (a drain) while it waited for its partner: its state at this step must not be
  // saved, so that the resumed trial trains the step again, reports it and plays.
  bool unplayed = false;
};

// Reports `metrics` after `step` (RunContext::report), playing the step's tournament when the
// scheduler pairs the trial. The tournament's outcome is reported too (the journal records it),
// and its answer is what the model acts on.
StepAnswer report_step(const RunContext& context, std::int64_t step, const Metrics& metrics,
                       const TournamentHooks& hooks);

}  // namespace overseer
