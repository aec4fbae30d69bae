// median: stops a trial whose best value after step s is worse than the median of the other
// trials' best values after s (Golovin et al., 2017, as Optuna's MedianPruner and Ray Tune's
// MedianStoppingRule apply it), once grace_steps have passed and min_trials others reached s.
#include <algorithm>
#include <cmath>
#include <map>

#include "overseer/schedulers/scheduler.hpp"

namespace overseer {
namespace {

class MedianScheduler : public Scheduler {
 public:
  MedianScheduler(const SchedulerOptions& o, std::int64_t min_trials)
      : grace_steps_(o.grace_steps), minimize_(o.minimize), min_trials_(min_trials) {}

  AnswerSteps answer_steps(TrialId) const override { return AnswerSteps{true, {}}; }

  void observe(TrialId trial, std::int64_t step, double value) override {
    if (std::isnan(value)) return;
    auto [best, fresh] = best_.emplace(trial, value);
    if (!fresh) best->second = better(value, best->second) ? value : best->second;
    best_at_[step][trial] = best->second;
  }

  Verdict decide(TrialId trial, std::int64_t step, double, json& why) override {
    if (step <= grace_steps_) return Verdict::Continue;
    const auto at = best_at_.find(step);
    const auto mine = best_.find(trial);
    if (at == best_at_.end() || mine == best_.end()) return Verdict::Continue;
    std::vector<double> others;
    for (const auto& [other, value] : at->second) {
      if (other != trial) others.push_back(value);
    }
    if (static_cast<std::int64_t>(others.size()) < min_trials_) return Verdict::Continue;
    // On the master's path for every report: a selection, not a sort.
    const std::size_t n = others.size();
    const auto middle = others.begin() + static_cast<std::ptrdiff_t>(n / 2);
    std::nth_element(others.begin(), middle, others.end());
    const double median =
        n % 2 == 1 ? *middle : (*std::max_element(others.begin(), middle) + *middle) / 2;
    why = {{"best", mine->second}, {"median", median}, {"of", n}};
    return better(median, mine->second) ? Verdict::Stop : Verdict::Continue;
  }

 private:
  bool better(double a, double b) const { return minimize_ ? a < b : a > b; }

  std::int64_t grace_steps_;
  bool minimize_;
  std::int64_t min_trials_;
  std::map<TrialId, double> best_;
  std::map<std::int64_t, std::map<TrialId, double>> best_at_;  // step -> trial -> best so far
};

const bool registered = SchedulerRegistry::instance().add(
    "median", {{"min_trials"}, [](const SchedulerOptions& o, const JsonView& view) {
                 const std::int64_t min_trials = view.integer_or("min_trials", 3);
                 if (min_trials < 1) view.at("min_trials").fail("min_trials must be at least 1");
                 return std::make_unique<MedianScheduler>(o, min_trials);
               }});

}  // namespace
}  // namespace overseer
