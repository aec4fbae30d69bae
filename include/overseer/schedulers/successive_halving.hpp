#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "overseer/core/trial.hpp"

namespace overseer {

// One bracket of asynchronous successive halving: rungs at min_resource * eta^k steps, below
// max_resource. A trial is recorded at a rung by its first report at or after the rung's
// milestone, and goes on only while it is among the best 1/eta of the trials recorded there so
// far (the best one at least), with no barrier: the rule of Optuna's SuccessiveHalvingPruner and
// Ray Tune's ASHA.
class Rungs {
 public:
  Rungs(std::int64_t min_resource, std::int64_t max_resource, std::int64_t eta, bool minimize);

  const std::vector<std::int64_t>& milestones() const { return milestones_; }
  // Records `value` at each rung whose milestone `step` has reached and that does not hold the
  // trial yet; returns those rungs, lowest first.
  std::vector<std::size_t> record(TrialId trial, std::int64_t step, double value);
  // How many recorded trials at `rung` are better than `trial`, and how many are recorded.
  std::size_t rank(std::size_t rung, TrialId trial) const;
  std::size_t size(std::size_t rung) const { return rungs_[rung].size(); }
  // Whether the trial is among the best 1/eta at `rung`.
  bool promotable(std::size_t rung, TrialId trial) const;

 private:
  std::vector<std::int64_t> milestones_;
  std::int64_t eta_;
  bool minimize_;
  std::vector<std::map<TrialId, double>> rungs_;
};

}  // namespace overseer
