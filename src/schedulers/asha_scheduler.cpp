// asha: asynchronous successive halving (Li et al., 2020), one bracket; hyperband: several
// brackets of it with growing minimum resource, each trial in one of them.
#include <cmath>
#include <map>

#include "overseer/schedulers/scheduler.hpp"
#include "overseer/schedulers/successive_halving.hpp"

namespace overseer {
namespace {

class BracketedHalving : public Scheduler {
 public:
  // Bracket b starts at min_resource * eta^b; trial t runs in bracket t mod `brackets`.
  BracketedHalving(const SchedulerOptions& o, std::int64_t brackets) {
    std::int64_t min = o.min_resource;
    for (std::int64_t b = 0; b < brackets; ++b, min *= o.reduction_factor) {
      brackets_.emplace_back(min, o.max_resource, o.reduction_factor, o.minimize);
    }
  }

  AnswerSteps answer_steps(TrialId trial) const override {
    return AnswerSteps{false, bracket_of(trial).milestones()};
  }

  void observe(TrialId trial, std::int64_t step, double value) override {
    if (std::isnan(value)) return;
    recorded_[trial] = bracket_of(trial).record(trial, step, value);
  }

  Verdict decide(TrialId trial, std::int64_t, double, json& why) override {
    const Rungs& rungs = bracket_of(trial);
    for (const std::size_t k : recorded_[trial]) {
      why = {{"rung", k},
             {"milestone", rungs.milestones()[k]},
             {"rank", rungs.rank(k, trial)},
             {"of", rungs.size(k)}};
      if (brackets_.size() > 1) why["bracket"] = bracket_index(trial);
      if (!rungs.promotable(k, trial)) return Verdict::Stop;
    }
    return Verdict::Continue;
  }

 private:
  std::size_t bracket_index(TrialId trial) const {
    return static_cast<std::size_t>(trial) % brackets_.size();
  }
  Rungs& bracket_of(TrialId trial) { return brackets_[bracket_index(trial)]; }
  const Rungs& bracket_of(TrialId trial) const { return brackets_[bracket_index(trial)]; }

  std::vector<Rungs> brackets_;
  std::map<TrialId, std::vector<std::size_t>> recorded_;  // by each trial's latest report
};

// Brackets 0..s_max, s_max = floor(log_eta(max / min)): the last starts at full resource.
std::int64_t hyperband_brackets(const SchedulerOptions& o) {
  std::int64_t n = 1;
  for (std::int64_t min = o.min_resource * o.reduction_factor; min <= o.max_resource;
       min *= o.reduction_factor) {
    ++n;
  }
  return n;
}

const bool asha_registered =
    SchedulerRegistry::instance().add("asha", {{}, [](const SchedulerOptions& o, const JsonView&) {
                                                 return std::make_unique<BracketedHalving>(o, 1);
                                               }});
const bool hyperband_registered = SchedulerRegistry::instance().add(
    "hyperband", {{}, [](const SchedulerOptions& o, const JsonView&) {
                    return std::make_unique<BracketedHalving>(o, hyperband_brackets(o));
                  }});

}  // namespace
}  // namespace overseer
