#include "overseer/models/tournament_round.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "overseer/models/checkpoints.hpp"

namespace overseer {
namespace {

namespace fs = std::filesystem;

fs::path exchange_dir(const fs::path& trial_dir) {
  return trial_dir / "exchange";
}

// Saves the snapshot of `step` unless it is there, and drops those two rounds older: a
// partner reads a snapshot before it reports the next round, which this trainer waits for
// before it saves the round after.
void save_snapshot(const RunContext& context, std::int64_t step, const TournamentHooks& hooks) {
  const fs::path path = exchange_snapshot(context.run_dir, step);
  if (!fs::is_directory(path)) {
    fs::path temporary = path;
    temporary += ".tmp";
    fs::remove_all(temporary);
    fs::create_directories(temporary);
    hooks.save(temporary);
    fs::rename(temporary, path);
  }
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(exchange_dir(context.run_dir), error)) {
    const auto saved = checkpoint_step(entry.path());
    if (saved && *saved <= step - 2 * context.tournament->interval) {
      fs::remove_all(entry.path(), error);
    }
  }
}

}  // namespace

fs::path exchange_snapshot(const fs::path& trial_dir, std::int64_t step) {
  return exchange_dir(trial_dir) / ("step-" + std::to_string(step));
}

StepAnswer report_step(const RunContext& context, std::int64_t step, const Metrics& metrics,
                       const TournamentHooks& hooks) {
  const bool due = context.tournament && context.tournament->due(step) && context.reporter &&
                   !context.run_dir.empty();
  if (due) save_snapshot(context, step, hooks);
  StepAnswer answer;
  answer.decision = context.report(step, metrics);
  if (answer.decision != ProgressDecision::Tournament) {
    // Paused, stopped or timed out while it waited.
    answer.unplayed = due && (answer.decision != ProgressDecision::Continue || context.cancelled());
    return answer;
  }
  const fs::path partner = context.reporter->partner_snapshot();
  if (!fs::is_directory(partner)) {
    throw std::runtime_error("ltfb: the partner's snapshot " + partner.string() +
                             " is missing; was the run directory changed while it ran?");
  }
  const double own = hooks.score_own();
  const double theirs = hooks.score_snapshot(partner);
  // A tie keeps the trainer's own state; a partner that diverged (nan) never wins.
  answer.adopted = theirs < own || (std::isnan(own) && !std::isnan(theirs));
  if (answer.adopted) {
    hooks.adopt(partner);
    answer.partner = partner;
  }
  json outcome = json::object();
  outcome["own"] = metric_to_json(own);
  outcome["partner_score"] = metric_to_json(theirs);
  outcome["won"] = !answer.adopted;
  answer.decision = context.reporter->report_tournament(step, outcome, context.cancel.get());
  return answer;
}

}  // namespace overseer
