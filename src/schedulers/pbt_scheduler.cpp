// pbt: population-based training (Jaderberg et al., "Population Based Training of Neural
// Networks", 2017, as Ray Tune's PopulationBasedTraining runs it). Every `interval` steps a
// trial in the bottom `quantile` of the population (by each trial's latest value) takes over
// the training state of a trial drawn from the top quantile (exploit) and goes on with that
// trial's hyperparameters perturbed (explore): numbers times 0.8 or 1.2 within their range,
// ordered values moved to a neighbour, and any of them drawn afresh from the space with
// probability `resample_probability`.
#include <algorithm>
#include <cmath>
#include <map>

#include "overseer/core/random.hpp"
#include "overseer/schedulers/hyperparameter_explore.hpp"
#include "overseer/schedulers/scheduler.hpp"

namespace overseer {
namespace {

constexpr std::uint64_t kSeedSalt = 0x706274ULL;  // "pbt"

struct PbtOptions {
  std::int64_t interval = 5;
  double quantile = 0.25;
  ExploreOptions explore;
};

class PbtScheduler : public Scheduler {
 public:
  PbtScheduler(const SchedulerOptions& o, PbtOptions p)
      : options_(std::move(p)),
        space_(o.space),
        max_resource_(o.max_resource),
        minimize_(o.minimize),
        seed_(mix_seed(o.seed, kSeedSalt)) {}

  AnswerSteps answer_steps(TrialId) const override {
    return AnswerSteps::every_interval(options_.interval, max_resource_);
  }

  void observe(TrialId trial, std::int64_t step, double value) override {
    auto& [previous, last] = steps_[trial];
    previous = last;
    last = step;
    if (!std::isnan(value)) latest_[trial] = value;
  }

  void ended(TrialId trial) override {
    latest_.erase(trial);
    steps_.erase(trial);
  }

  Verdict decide(TrialId trial, std::int64_t step, double, json& why) override {
    // Judged when a report has crossed a multiple of the interval since the trial's report
    // before it (a model may report every few steps): a trial continued from another's
    // checkpoint reports first near the step it left, and waits for an interval of its own;
    // at max_resource it is done.
    const std::int64_t previous = steps_[trial].first;
    if (step >= max_resource_ || step / options_.interval <= previous / options_.interval ||
        !latest_.count(trial)) {
      return Verdict::Continue;
    }
    // Best first; ties by trial id, so the ranking is a function of what was observed.
    std::vector<std::pair<double, TrialId>> ranked;
    for (const auto& [t, v] : latest_) ranked.emplace_back(minimize_ ? v : -v, t);
    std::sort(ranked.begin(), ranked.end());
    const std::size_t n = ranked.size();
    // As Ray Tune counts them: at least one trial per quantile once there are two, never more
    // than half the population.
    const std::size_t k = std::min(
        n / 2, static_cast<std::size_t>(std::ceil(static_cast<double>(n) * options_.quantile)));
    if (k == 0) return Verdict::Continue;
    std::size_t position = 0;
    while (ranked[position].second != trial) ++position;
    if (position < n - k) return Verdict::Continue;
    Rng rng(mix_seed(
        seed_, mix_seed(static_cast<std::uint64_t>(trial), static_cast<std::uint64_t>(step))));
    const TrialId source =
        ranked[static_cast<std::size_t>(rng.integer(0, static_cast<std::int64_t>(k) - 1))].second;
    why = {{"source", source}, {"rank", position + 1}, {"of", n}};
    return Verdict::Exploit;
  }

  json explore(const json& source, TrialId trial, std::int64_t step) const override {
    return explore_hyperparameters(space_, source, options_.explore, seed_, trial, step);
  }

 private:
  PbtOptions options_;
  SearchSpace space_;
  std::int64_t max_resource_;
  bool minimize_;
  std::uint64_t seed_;
  std::map<TrialId, double> latest_;
  std::map<TrialId, std::pair<std::int64_t, std::int64_t>> steps_;  // previous and last reported
};

const bool registered = SchedulerRegistry::instance().add(
    "pbt", {{"interval", "quantile", "resample_probability", "hyperparameters"},
            [](const SchedulerOptions& o, const JsonView& view) {
              PbtOptions p;
              p.interval = interval_option(o, view, p.interval,
                                           "pbt continues trials from each other's checkpoints");
              p.quantile = view.number_or("quantile", p.quantile);
              if (!(p.quantile > 0 && p.quantile <= 0.5)) {
                view.at("quantile").fail("quantile must be above 0 and at most 0.5");
              }
              p.explore = ExploreOptions::from(view, o.space);
              return std::make_unique<PbtScheduler>(o, std::move(p));
            }});

}  // namespace
}  // namespace overseer
