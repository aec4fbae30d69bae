// ltfb: LBANN's "loosely-coupled tournament" (Jacobs et al., "Parallelizing Training of Deep
// Generative Models on Massive Scientific Datasets", IEEE Cluster 2019). The campaign's
// `budget` trials are the trainers, each on its own shard of the training rows. After every
// `interval` steps the trainers that got there are paired at random; each compares its own
// weights with its partner's on its own tournament rows and keeps the better ones, so good
// weights spread through the population while every trainer keeps seeing only its shard. A
// loser with `perturb` goes on with its hyperparameters explored, as a PBT exploit would.
//
// A round forms once every trainer has reported its step or ended: a trainer that reaches it
// first waits for its answer. Its members are the trainers that reached the step, and the
// pairing is a draw of the campaign's seed and the round's number over them, so a resume
// that replays the reports forms the same rounds with the same pairs.
#include <map>
#include <set>

#include "overseer/core/random.hpp"
#include "overseer/schedulers/hyperparameter_explore.hpp"
#include "overseer/schedulers/scheduler.hpp"

namespace overseer {
namespace {

constexpr std::uint64_t kSeedSalt = 0x6c746662ULL;  // "ltfb"

struct LtfbOptions {
  std::int64_t interval = 5;
  double tournament_fraction = 0.2;
  bool perturb = false;
  ExploreOptions explore;
};

class LtfbScheduler : public Scheduler {
 public:
  LtfbScheduler(const SchedulerOptions& o, LtfbOptions l)
      : options_(std::move(l)),
        space_(o.space),
        max_resource_(o.max_resource),
        trainers_(o.budget),
        seed_(mix_seed(o.seed, kSeedSalt)),
        shard_seed_(o.seed) {}

  AnswerSteps answer_steps(TrialId) const override {
    return AnswerSteps::every_interval(options_.interval, max_resource_);
  }

  std::optional<TournamentPlan> tournament_plan(TrialId trial) const override {
    TournamentPlan plan;
    plan.trainer = static_cast<int>(trial);
    plan.trainers = static_cast<int>(trainers_);
    plan.fraction = options_.tournament_fraction;
    plan.interval = options_.interval;
    plan.until = max_resource_;
    plan.seed = shard_seed_;
    return plan;
  }

  std::int64_t trains_together() const override { return trainers_; }

  void observe(TrialId trial, std::int64_t step, double) override {
    auto& reached = reached_[trial];
    reached = std::max(reached, step);
    form_rounds();
  }

  void ended(TrialId trial) override {
    ended_.insert(trial);
    form_rounds();
  }

  void no_more_trials(std::int64_t created) override {
    for (TrialId t = created; t < trainers_; ++t) ended_.insert(t);
    form_rounds();
  }

  Verdict decide(TrialId trial, std::int64_t step, double, json& why) override {
    // Only a report of the round's own step meets a partner: the first report after a restore
    // crosses the milestones before it too.
    const std::int64_t round = step / options_.interval;
    if (step % options_.interval != 0 || round < 1 || step >= max_resource_) {
      return Verdict::Continue;
    }
    if (round > formed_) {
      waiting_[trial] = step;
      return Verdict::Wait;
    }
    return verdict_in(round, trial, why);
  }

  std::vector<ReleasedVerdict> released() override {
    std::vector<ReleasedVerdict> out;
    for (auto it = waiting_.begin(); it != waiting_.end();) {
      const std::int64_t round = it->second / options_.interval;
      if (round > formed_) {
        ++it;
        continue;
      }
      ReleasedVerdict v{it->first, it->second, Verdict::Continue, json::object()};
      v.verdict = verdict_in(round, it->first, v.why);
      out.push_back(std::move(v));
      it = waiting_.erase(it);
    }
    return out;
  }

  Verdict after_tournament(TrialId trial, std::int64_t, bool won, json& why) override {
    if (won || !options_.perturb) return Verdict::Continue;
    why = {{"source", trial}, {"perturb", true}};
    return Verdict::Exploit;
  }

  json explore(const json& source, TrialId trial, std::int64_t step) const override {
    return explore_hyperparameters(space_, source, options_.explore, seed_, trial, step);
  }

 private:
  Verdict verdict_in(std::int64_t round, TrialId trial, json& why) const {
    const auto& pairs = partners_.at(round);
    const auto it = pairs.find(trial);
    why = {{"round", round}};
    if (it == pairs.end() || it->second < 0) {
      // Drawn out when the members are odd, or not a member (it came back after the round).
      why["bye"] = true;
      return Verdict::Continue;
    }
    why["partner"] = it->second;
    return Verdict::Tournament;
  }

  void form_rounds() {
    while ((formed_ + 1) * options_.interval < max_resource_) {
      const std::int64_t step = (formed_ + 1) * options_.interval;
      std::vector<TrialId> members;
      for (TrialId t = 0; t < trainers_; ++t) {
        const auto it = reached_.find(t);
        const bool reached = it != reached_.end() && it->second >= step;
        if (reached) {
          members.push_back(t);
        } else if (!ended_.count(t)) {
          return;  // still training towards the step
        }
      }
      ++formed_;
      Rng rng(mix_seed(seed_, static_cast<std::uint64_t>(formed_)));
      overseer::shuffle(members, rng);
      auto& pairs = partners_[formed_];
      for (std::size_t i = 0; i + 1 < members.size(); i += 2) {
        pairs[members[i]] = members[i + 1];
        pairs[members[i + 1]] = members[i];
      }
      if (members.size() % 2 == 1) pairs[members.back()] = -1;
    }
  }

  LtfbOptions options_;
  SearchSpace space_;
  std::int64_t max_resource_;
  std::int64_t trainers_;
  std::uint64_t seed_;
  std::uint64_t shard_seed_;
  std::map<TrialId, std::int64_t> reached_;  // the furthest step each trainer reported
  std::set<TrialId> ended_;
  std::int64_t formed_ = 0;                                      // rounds formed: 1..formed_
  std::map<std::int64_t, std::map<TrialId, TrialId>> partners_;  // per round; -1: a bye
  std::map<TrialId, std::int64_t> waiting_;                      // held verdicts: the step reported
};

const bool registered = SchedulerRegistry::instance().add(
    "ltfb",
    {{"interval", "tournament_fraction", "perturb", "resample_probability", "hyperparameters"},
     [](const SchedulerOptions& o, const JsonView& view) {
       LtfbOptions l;
       l.interval = interval_option(
           o, view, l.interval,
           "ltfb trainers load each other's weights and continue from their checkpoints");
       l.tournament_fraction = view.number_or("tournament_fraction", l.tournament_fraction);
       if (!(l.tournament_fraction > 0 && l.tournament_fraction < 1)) {
         view.at("tournament_fraction").fail("tournament_fraction must be above 0 and below 1");
       }
       l.perturb = view.boolean_or("perturb", l.perturb);
       l.explore = ExploreOptions::from(view, o.space);
       if (o.budget < 2) {
         view.fail(
             "ltfb pairs trainers: the campaign's search.budget (its number of trainers) "
             "must be at least 2");
       }
       return std::make_unique<LtfbScheduler>(o, std::move(l));
     }});

}  // namespace
}  // namespace overseer
