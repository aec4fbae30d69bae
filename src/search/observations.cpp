#include "overseer/search/observations.hpp"

#include <algorithm>
#include <cmath>

namespace overseer {

FailurePolicy failure_policy(const JsonView& search) {
  const std::string value = search.string_or("on_failure", "ignore");
  if (value == "ignore") return FailurePolicy::Ignore;
  if (value == "worst") return FailurePolicy::Worst;
  search.at("on_failure")
      .fail("on_failure must be \"ignore\" or \"worst\", found \"" + value + "\"");
}

double Observations::loss_of(double objective) const {
  return mode_ == ObjectiveMode::Min ? objective : -objective;
}

void Observations::add(const TrialRecord& trial) {
  const bool usable =
      (trial.result.status == TrialStatus::Ok || trial.result.status == TrialStatus::Stopped) &&
      std::isfinite(trial.result.value);
  if (!usable) {
    if (policy_ == FailurePolicy::Ignore) return;
    if (worst_) {
      entries_.push_back({trial.params, *worst_, true, trial.id});
    } else {
      waiting_.push_back(trial);
    }
    return;
  }
  const double loss = loss_of(trial.result.value);
  best_ = best_ ? std::min(*best_, loss) : loss;
  worst_ = worst_ ? std::max(*worst_, loss) : loss;
  entries_.push_back({trial.params, loss, false, trial.id, trial.result.step});
  for (auto& failed : waiting_) {
    entries_.push_back({std::move(failed.params), *worst_, true, failed.id});
  }
  waiting_.clear();
}

std::int64_t Observations::comparable_step(std::size_t min_points) const {
  std::vector<std::int64_t> steps;
  for (const auto& e : entries_) {
    if (!e.imputed && e.step >= 0) steps.push_back(e.step);
  }
  std::sort(steps.rbegin(), steps.rend());
  // steps[i] is reached by at least i + 1 entries.
  return steps.size() >= min_points ? steps[min_points - 1] : -1;
}

}  // namespace overseer
