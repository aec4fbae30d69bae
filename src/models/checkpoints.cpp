#include "overseer/models/checkpoints.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace overseer {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPrefix = "step-";

// The trial's checkpoints, oldest first.
std::vector<std::pair<std::int64_t, fs::path>> checkpoints_in(const fs::path& trial_dir) {
  std::vector<std::pair<std::int64_t, fs::path>> found;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(state_dir(trial_dir), error)) {
    if (auto step = checkpoint_step(entry.path()); step && entry.is_directory()) {
      found.emplace_back(*step, entry.path());
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace

// Writes the checkpoint of `step` (replacing one of the same step) and drops those beyond the
// plan's `keep`.
void save_checkpoint(const RunContext& context, std::int64_t step,
                     const std::function<void(const fs::path& dir)>& write);

fs::path state_dir(const fs::path& trial_dir) {
  return trial_dir / "state";
}

fs::path checkpoint_path(const fs::path& trial_dir, std::int64_t step) {
  return state_dir(trial_dir) / (kPrefix + std::to_string(step));
}

std::string checkpoint_name(const fs::path& checkpoint) {
  return (checkpoint.parent_path().filename() / checkpoint.filename()).string();
}

std::optional<std::int64_t> checkpoint_step(const fs::path& dir) {
  const std::string name = dir.filename().string();
  const std::string digits = name.substr(std::min(name.size(), std::string(kPrefix).size()));
  if (name.rfind(kPrefix, 0) != 0 || digits.empty() || digits.size() > 18 ||
      digits.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return std::stoll(digits);
}

std::optional<fs::path> latest_checkpoint(const fs::path& trial_dir) {
  const auto found = checkpoints_in(trial_dir);
  if (found.empty()) return std::nullopt;
  return found.back().second;
}

void checkpoint_if_due(const RunContext& context, std::int64_t step, ProgressDecision decision,
                       const std::function<void(const fs::path& dir)>& write) {
  const bool due =
      decision == ProgressDecision::Pause ||
      (context.checkpoint.every_steps > 0 && step % context.checkpoint.every_steps == 0);
  if (due) save_checkpoint(context, step, write);
}

void checkpoint_at_end(const RunContext& context, std::int64_t step,
                       const std::function<void(const fs::path& dir)>& write) {
  if (!context.checkpoint.at_end || (context.reporter && context.reporter->paused())) return;
  save_checkpoint(context, step, write);
}

void save_checkpoint(const RunContext& context, std::int64_t step,
                     const std::function<void(const fs::path& dir)>& write) {
  if (context.run_dir.empty()) return;
  const fs::path final_path = checkpoint_path(context.run_dir, step);
  fs::path temporary = final_path;
  temporary += ".tmp";
  fs::remove_all(temporary);
  fs::create_directories(temporary);
  write(temporary);
  fs::remove_all(final_path);
  fs::rename(temporary, final_path);
  const auto found = checkpoints_in(context.run_dir);
  const auto keep = static_cast<std::size_t>(std::max<std::int64_t>(1, context.checkpoint.keep));
  for (std::size_t i = 0; i + keep < found.size(); ++i) {
    std::error_code ignored;
    fs::remove_all(found[i].second, ignored);
  }
  if (context.reporter) context.reporter->checkpointed(step, final_path);
}

}  // namespace overseer
