#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "overseer/models/model.hpp"

namespace overseer {

// Checkpoints of a trial's training state, for continuing it after a crash or an interrupted
// campaign (not the final model that `save_model` keeps). Each is a directory,
// TRIAL_DIR/state/step-N, that a model fills with whatever it needs; it appears under its name
// only once complete.

std::filesystem::path state_dir(const std::filesystem::path& trial_dir);
std::filesystem::path checkpoint_path(const std::filesystem::path& trial_dir, std::int64_t step);
// A checkpoint's name inside its trial directory ("state/step-N"), as the journal records it so
// that a run directory may move.
std::string checkpoint_name(const std::filesystem::path& checkpoint);
// The step a checkpoint directory holds, from its name; nullopt for any other name.
std::optional<std::int64_t> checkpoint_step(const std::filesystem::path& dir);
// The newest checkpoint in the trial directory, if any.
std::optional<std::filesystem::path> latest_checkpoint(const std::filesystem::path& trial_dir);

// Saves the checkpoint of `step` when one is due, given the answer to its report: every
// `every_steps` steps, and before pausing; never without a trial directory to hold it. `write`
// fills a fresh temporary directory, which is then renamed to state/step-N; checkpoints beyond
// the plan's `keep` are removed, oldest first, and the reporter hears of it (the master
// journals it).
void checkpoint_if_due(const RunContext& context, std::int64_t step, ProgressDecision decision,
                       const std::function<void(const std::filesystem::path& dir)>& write);
// Saves the state a finished trial ends with as the checkpoint of its last step, when the plan
// asks for it (CheckpointPlan::at_end) and the trial was not paused (a paused one continues
// from its own checkpoint).
void checkpoint_at_end(const RunContext& context, std::int64_t step,
                       const std::function<void(const std::filesystem::path& dir)>& write);

}  // namespace overseer
