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
#include <set>

#include "overseer/core/random.hpp"
#include "overseer/schedulers/scheduler.hpp"

namespace overseer {
namespace {

constexpr std::uint64_t kSeedSalt = 0x706274ULL;  // "pbt"

struct PbtOptions {
  std::int64_t interval = 5;
  double quantile = 0.25;
  double resample_probability = 0.25;
  std::set<std::string> hyperparameters;  // the ones explored; empty: every searched one
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
    AnswerSteps steps;
    for (std::int64_t s = options_.interval; s < max_resource_; s += options_.interval) {
      steps.milestones.push_back(s);
    }
    return steps;
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
    Rng rng(mix_seed(
        seed_ + 1, mix_seed(static_cast<std::uint64_t>(trial), static_cast<std::uint64_t>(step))));
    json params = source;
    for (const auto& p : space_.parameters()) {
      if (p.type == ParamType::Constant) continue;
      if (!options_.hyperparameters.empty() && !options_.hyperparameters.count(p.name)) continue;
      if (!params.contains(p.name)) continue;
      if (rng.uniform01() < options_.resample_probability) {
        params[p.name] = p.sample(rng);
      } else {
        params[p.name] = perturbed(p, params[p.name], rng);
      }
    }
    return params;
  }

 private:
  static json perturbed(const Parameter& p, const json& value, Rng& rng) {
    const bool up = rng.uniform01() < 0.5;
    const json& choices = p.values;
    if (!choices.empty() && p.type != ParamType::Categorical && p.type != ParamType::Logical) {
      // Ordered values (and explicit value lists of numbers): one step to a neighbour.
      const auto it = std::find(choices.begin(), choices.end(), value);
      if (it == choices.end()) return value;
      const auto index = static_cast<std::int64_t>(it - choices.begin());
      const auto last = static_cast<std::int64_t>(choices.size()) - 1;
      return choices[static_cast<std::size_t>(
          std::clamp<std::int64_t>(index + (up ? 1 : -1), 0, last))];
    }
    if (p.type == ParamType::Float || p.type == ParamType::Int) {
      const double scaled = std::clamp(value.get<double>() * (up ? 1.2 : 0.8), p.lower, p.upper);
      if (p.type == ParamType::Int) return static_cast<std::int64_t>(std::llround(scaled));
      return scaled;
    }
    return value;  // categorical and logical change only when drawn afresh
  }

  PbtOptions options_;
  SearchSpace space_;
  std::int64_t max_resource_;
  bool minimize_;
  std::uint64_t seed_;
  std::map<TrialId, double> latest_;
  std::map<TrialId, std::pair<std::int64_t, std::int64_t>> steps_;  // previous and last reported
};

const bool registered = SchedulerRegistry::instance().add(
    "pbt",
    {{"interval", "quantile", "resample_probability", "hyperparameters"},
     [](const SchedulerOptions& o, const JsonView& view) {
       PbtOptions p;
       p.interval = view.integer_or("interval", p.interval);
       if (p.interval < 1 || p.interval >= o.max_resource) {
         (view.find("interval") ? view.at("interval") : view)
             .fail("interval must be between 1 and max_resource - 1 (" +
                   std::to_string(o.max_resource - 1) + ")");
       }
       if (o.checkpoint_every < 1 || p.interval % o.checkpoint_every != 0) {
         view.fail(
             "pbt continues trials from each other's checkpoints: set "
             "checkpoint.every_steps to a divisor of the interval (" +
             std::to_string(p.interval) + ")");
       }
       p.quantile = view.number_or("quantile", p.quantile);
       if (!(p.quantile > 0 && p.quantile <= 0.5)) {
         view.at("quantile").fail("quantile must be above 0 and at most 0.5");
       }
       p.resample_probability = view.number_or("resample_probability", p.resample_probability);
       if (!(p.resample_probability >= 0 && p.resample_probability <= 1)) {
         view.at("resample_probability").fail("resample_probability must be between 0 and 1");
       }
       if (auto list = view.find("hyperparameters")) {
         for (const auto& element : list->elements()) {
           const std::string name = element.string();
           if (o.space.find(name) == nullptr) {
             element.fail("\"" + name + "\" is not a parameter of the search space");
           }
           p.hyperparameters.insert(name);
         }
       }
       return std::make_unique<PbtScheduler>(o, std::move(p));
     }});

}  // namespace
}  // namespace overseer
