// The `ga` search: DEAP's eaSimple and eaMuPlusLambda with CANDLE Supervisor's operators, run
// generation by generation ("generational") or breeding a child at every request once the
// initial population is out ("steady_state"). docs/search.md describes both.
#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>
#include <utility>

#include "overseer/core/error.hpp"
#include "overseer/search/ga_initial_population.hpp"
#include "overseer/search/ga_options.hpp"
#include "overseer/search/ga_variation.hpp"
#include "overseer/search/observations.hpp"
#include "overseer/search/searcher.hpp"

namespace overseer {
namespace {

constexpr std::uint64_t kSeedSalt = 0x6761ULL;  // "ga"
// How often steady state breeds again when a child repeats an evaluated point, and how many
// generations in a row may breed nothing new before the generational search counts as done.
constexpr int kRedraws = 16;
constexpr int kIdleGenerations = 1000;

class GaSearcher : public Searcher {
 public:
  GaSearcher(const Campaign& campaign, const JsonView& search)
      : options_(ga::Options::parse(search)),
        operators_(campaign.space, options_.cx_indpb, options_.mut_indpb),
        observations_(campaign.objective.mode, failure_policy(search)),
        rng_(mix_seed(campaign.search.seed, kSeedSalt)),
        deterministic_(campaign.model.seeds == TrialSeeds::Fixed) {
    if (campaign.space.parameters().empty()) {
      throw InputError(campaign.file.string(), "/space", "ga needs a search space");
    }
    if (!options_.num_iterations && !campaign.search.budget) {
      search.fail("ga needs \"num_iterations\" or \"budget\"");
    }
    if (!options_.init_params_file.empty()) {
      initial_ = ga::read_initial_population(campaign.resolve_path(options_.init_params_file),
                                             campaign.space, options_.population_size);
    }
    if (options_.mode == ga::Mode::Generational) start_generation(initial_population());
  }

  Suggestion ask() override {
    if (options_.mode == ga::Mode::Generational) {
      if (next_ < pending_.size()) return dispatch(offspring_[pending_[next_++]]);
      return finished_ ? Suggestion::exhausted() : Suggestion::wait();
    }
    const auto limit = options_.max_evaluations();
    if (limit && static_cast<std::int64_t>(evaluations_.size()) >= *limit) {
      return Suggestion::exhausted();
    }
    Member child{steady_child(), -1};
    // With every trial on the same seed a repeated point would only return its known value.
    for (int redraw = 0; redraw < kRedraws && evaluated(child.params); ++redraw) {
      child.params = steady_child();
    }
    return dispatch(child);
  }

  void tell(const TrialRecord& trial) override {
    if (trial.id < 0 || trial.id >= static_cast<TrialId>(evaluations_.size())) return;
    Evaluation& evaluation = evaluations_[static_cast<std::size_t>(trial.id)];
    if (evaluation.told) return;
    evaluation.told = true;
    if (trial.result.status == TrialStatus::Ok && std::isfinite(trial.result.value)) {
      evaluation.value = trial.result.value;
    }
    ++told_;
    // A failure's fitness (under on_failure "worst") may come with a later success.
    const std::size_t before = observations_.size();
    observations_.add(trial);
    for (std::size_t i = before; i < observations_.size(); ++i) {
      const auto& entry = observations_.entries()[i];
      evaluations_[static_cast<std::size_t>(entry.trial)].loss = entry.loss;
      if (options_.mode == ga::Mode::SteadyState) join_population({entry.params, entry.trial});
    }
    if (options_.mode == ga::Mode::Generational) {
      if (++told_in_generation_ == pending_.size()) end_generations();
    } else if (told_ == generation_end_) {
      end_steady_generation();
    }
  }

  std::optional<std::int64_t> size() const override { return options_.max_evaluations(); }

  std::vector<json> take_events() override { return std::exchange(events_, {}); }

 private:
  // One individual of a population. `trial` is the evaluation whose fitness it carries: its
  // own, or its parent's for an unchanged copy; -1 until it is dispatched.
  struct Member {
    json params;
    TrialId trial = -1;
  };
  struct Evaluation {
    std::optional<double> loss;   // absent: not selectable (not told yet, or failure ignored)
    std::optional<double> value;  // the objective, for successful trials only
    bool told = false;
  };

  Suggestion dispatch(Member& member) {
    // The master numbers trials in the order their points are handed out.
    member.trial = static_cast<TrialId>(evaluations_.size());
    evaluations_.emplace_back();
    if (deterministic_) trial_of_point_.emplace(member.params.dump(), member.trial);
    return Suggestion::point(member.params);
  }

  // Under fixed seeds: the trial that evaluated `params` already, if any.
  std::optional<TrialId> evaluated(const json& params) const {
    if (!deterministic_) return std::nullopt;
    const auto it = trial_of_point_.find(params.dump());
    if (it == trial_of_point_.end()) return std::nullopt;
    return it->second;
  }

  const std::optional<double>& loss(const Member& m) const {
    static const std::optional<double> kNone;
    return m.trial < 0 ? kNone : evaluations_[static_cast<std::size_t>(m.trial)].loss;
  }

  std::vector<Member> random_members() {
    std::vector<Member> members(static_cast<std::size_t>(options_.population_size));
    for (auto& m : members) m.params = random_point();
    return members;
  }

  // The first generation: init_params_file's individuals, then random points.
  std::vector<Member> initial_population() {
    std::vector<Member> members = random_members();
    for (std::size_t i = 0; i < initial_.size(); ++i) members[i].params = initial_[i];
    return members;
  }

  json random_point() {
    json point = json::object();
    for (const auto& p : operators_.space().parameters()) point[p.name] = p.sample(rng_);
    return point;
  }

  // The members that have a fitness, with their params and losses side by side.
  struct Pool {
    std::vector<Member> members;
    std::vector<json> params;
    std::vector<double> losses;
  };
  Pool selectable(const std::vector<Member>& from) const {
    Pool pool;
    for (const auto& m : from) {
      if (!loss(m)) continue;
      pool.members.push_back(m);
      pool.params.push_back(m.params);
      pool.losses.push_back(*loss(m));
    }
    return pool;
  }

  std::vector<Member> tournament(const Pool& pool, std::int64_t k) {
    std::vector<Member> chosen;
    for (std::size_t i :
         ga::select_tournament(pool.losses, static_cast<std::size_t>(k),
                               static_cast<std::size_t>(options_.tournsize), rng_)) {
      chosen.push_back(pool.members[i]);
    }
    return chosen;
  }

  // mu+lambda's survivor selection: mu tournaments among the members that have a fitness.
  std::vector<Member> survivors(const std::vector<Member>& candidates) {
    const Pool pool = selectable(candidates);
    return pool.members.empty() ? std::vector<Member>{} : tournament(pool, options_.mu());
  }

  // --- generational: DEAP's loops, with a barrier at the end of each generation ---

  void start_generation(std::vector<Member> offspring) {
    offspring_ = std::move(offspring);
    pending_.clear();
    for (std::size_t i = 0; i < offspring_.size(); ++i) {
      // A child equal to an evaluated point carries that point's fitness, as an unchanged copy
      // carries its parent's, when every trial trains with the same seed.
      if (offspring_[i].trial < 0) {
        if (auto known = evaluated(offspring_[i].params)) offspring_[i].trial = *known;
      }
      if (offspring_[i].trial < 0) pending_.push_back(i);
    }
    next_ = 0;
    told_in_generation_ = 0;
  }

  // Closes the generation whose results are all in, and every following one that needs no
  // evaluation (all its members unchanged copies), until one has points to hand out.
  void end_generations() {
    int idle = 0;
    do {
      if (idle++ == kIdleGenerations) {
        finished_ = true;
        return;
      }
      if (generation_ == 0 || options_.strategy == ga::Strategy::Simple) {
        population_ = std::move(offspring_);
      } else {
        population_.insert(population_.end(), offspring_.begin(), offspring_.end());
        population_ = survivors(population_);
      }
      record_statistics(population_);
      if (options_.num_iterations && generation_ + 1 >= *options_.num_iterations) {
        finished_ = true;
        return;
      }
      ++generation_;
      start_generation(breed(population_));
    } while (pending_.empty());
  }

  std::vector<Member> breed(const std::vector<Member>& population) {
    const Pool pool = selectable(population);
    // Nothing to select from (every trial failed and failures are ignored): start afresh.
    if (pool.members.empty()) return random_members();
    std::vector<Member> parents;
    std::vector<ga::Child> children;
    if (options_.strategy == ga::Strategy::Simple) {
      parents = tournament(pool, options_.population_size);
      std::vector<json> params;
      for (const auto& m : parents) params.push_back(m.params);
      children = ga::var_and(params, operators_, options_.cx_prob, options_.mut_prob, rng_);
    } else {
      parents = pool.members;
      children = ga::var_or(pool.params, static_cast<std::size_t>(options_.offspring), operators_,
                            options_.cx_prob, options_.mut_prob, rng_);
    }
    std::vector<Member> offspring;
    for (auto& child : children) {
      offspring.push_back(
          {std::move(child.params), child.source ? parents[*child.source].trial : -1});
    }
    return offspring;
  }

  // --- steady state: a child per request, populations updated as results arrive ---

  json steady_child() {
    if (static_cast<std::int64_t>(evaluations_.size()) < options_.population_size) {
      const std::size_t i = evaluations_.size();
      return i < initial_.size() ? initial_[i] : random_point();
    }
    // mu+lambda breeds from the survivors; before the first selection, from the arrivals.
    const Pool pool = selectable(population_.empty() ? arrivals_ : population_);
    // No result yet (many workers, short initial population): keep exploring at random.
    if (pool.members.empty()) return random_point();
    if (options_.strategy == ga::Strategy::MuPlusLambda) {
      return ga::steady_child_or(pool.params, operators_, options_.cx_prob, options_.mut_prob,
                                 rng_);
    }
    const auto parents =
        ga::select_tournament(pool.losses, 2, static_cast<std::size_t>(options_.tournsize), rng_);
    return ga::steady_child_and(pool.params[parents[0]], pool.params[parents[1]], operators_,
                                options_.cx_prob, options_.mut_prob, rng_);
  }

  void join_population(Member member) {
    if (options_.strategy == ga::Strategy::MuPlusLambda) {
      arrivals_.push_back(std::move(member));
      return;
    }
    // Once the population is full, each arrival takes the place of the loser of a tournament
    // (the worst of tournsize draws), so good members survive as eaSimple's unchanged copies do.
    if (static_cast<std::int64_t>(population_.size()) < options_.population_size) {
      population_.push_back(std::move(member));
      return;
    }
    std::vector<double> losses;
    for (const auto& m : population_) losses.push_back(*loss(m));
    population_[ga::tournament_loser(losses, static_cast<std::size_t>(options_.tournsize), rng_)] =
        std::move(member);
  }

  void end_steady_generation() {
    if (options_.strategy == ga::Strategy::MuPlusLambda) {
      if (generation_ == 0) {
        population_ = std::move(arrivals_);
      } else {
        population_.insert(population_.end(), arrivals_.begin(), arrivals_.end());
        population_ = survivors(population_);
      }
      arrivals_.clear();
    }
    record_statistics(population_);
    ++generation_;
    generation_end_ += static_cast<std::size_t>(options_.generation_size());
  }

  // --- statistics, journaled as "search" events ---

  void record_statistics(const std::vector<Member>& population) {
    std::vector<double> values;
    for (const auto& m : population) {
      if (m.trial >= 0 && evaluations_[static_cast<std::size_t>(m.trial)].value) {
        values.push_back(*evaluations_[static_cast<std::size_t>(m.trial)].value);
      }
    }
    json event = json::object();
    event["algorithm"] = "ga";
    event["generation"] = generation_;
    event["evaluations"] = told_;
    event["population"] = population.size();
    // Which trials the population holds after this generation (Supervisor's population-N.txt).
    json members = json::array();
    for (const auto& m : population) members.push_back(m.trial);
    event["members"] = std::move(members);
    event["failed"] = population.size() - values.size();
    if (values.empty()) {
      event["min"] = event["mean"] = event["max"] = nullptr;
    } else {
      double sum = 0;
      for (double v : values) sum += v;
      event["min"] = *std::min_element(values.begin(), values.end());
      event["mean"] = sum / static_cast<double>(values.size());
      event["max"] = *std::max_element(values.begin(), values.end());
    }
    events_.push_back(std::move(event));
  }

  ga::Options options_;
  ga::Operators operators_;
  Observations observations_;
  Rng rng_;
  bool deterministic_;                                       // model.seeds is "fixed"
  std::unordered_map<std::string, TrialId> trial_of_point_;  // when deterministic_
  std::vector<Evaluation> evaluations_;                      // by trial id
  std::size_t told_ = 0;
  std::int64_t generation_ = 0;
  std::vector<json> initial_;  // init_params_file's individuals
  std::vector<Member> population_;
  std::vector<json> events_;

  // generational
  std::vector<Member> offspring_;     // the generation being evaluated
  std::vector<std::size_t> pending_;  // its members that need an evaluation
  std::size_t next_ = 0;              // the next of them to hand out
  std::size_t told_in_generation_ = 0;
  bool finished_ = false;

  // steady state
  std::vector<Member> arrivals_;  // mu+lambda: results since the last survivor selection
  std::size_t generation_end_ = static_cast<std::size_t>(options_.population_size);
};

const bool registered = SearcherRegistry::instance().add(
    "ga", {ga::option_names(), [](const Campaign& c, const JsonView& s) {
             return std::make_unique<GaSearcher>(c, s);
           }});

}  // namespace
}  // namespace overseer
