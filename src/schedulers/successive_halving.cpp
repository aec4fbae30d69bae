#include "overseer/schedulers/successive_halving.hpp"

#include <algorithm>

namespace overseer {

Rungs::Rungs(std::int64_t min_resource, std::int64_t max_resource, std::int64_t eta, bool minimize)
    : eta_(eta), minimize_(minimize) {
  for (std::int64_t m = min_resource; m < max_resource; m *= eta) milestones_.push_back(m);
  rungs_.resize(milestones_.size());
}

std::vector<std::size_t> Rungs::record(TrialId trial, std::int64_t step, double value) {
  std::vector<std::size_t> recorded;
  for (std::size_t k = 0; k < milestones_.size() && milestones_[k] <= step; ++k) {
    if (rungs_[k].emplace(trial, value).second) recorded.push_back(k);
  }
  return recorded;
}

std::size_t Rungs::rank(std::size_t rung, TrialId trial) const {
  const double mine = rungs_[rung].at(trial);
  return static_cast<std::size_t>(std::count_if(
      rungs_[rung].begin(), rungs_[rung].end(),
      [&](const auto& other) { return minimize_ ? other.second < mine : other.second > mine; }));
}

bool Rungs::promotable(std::size_t rung, TrialId trial) const {
  const std::size_t places =
      std::max<std::size_t>(1, rungs_[rung].size() / static_cast<std::size_t>(eta_));
  return rank(rung, trial) < places;
}

}  // namespace overseer
