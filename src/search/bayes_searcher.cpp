#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include "overseer/core/error.hpp"
#include "overseer/search/acquisition_search.hpp"
#include "overseer/search/earlier_results.hpp"
#include "overseer/search/gaussian_process.hpp"
#include "overseer/search/observations.hpp"
#include "overseer/search/random_forest.hpp"
#include "overseer/search/searcher.hpp"
#include "overseer/search/space_encoding.hpp"

namespace overseer {
namespace {

// A GP fits at most this many observations (the best half and a seeded sample of the rest):
// its cost grows with the cube of the number, and 150 points pin a 6-D landscape down well.
const std::size_t kGpMaxPoints = 150;
const std::size_t kIncumbents = 5;
// Under a scheduler the surrogate compares trials at the highest step at least this many trials
// reached (Observations::comparable_step).
const std::size_t kComparablePoints = 8;
// Draws a random point tries before deciding that every point of a small space is pending.
const int kRandomTries = 64;

enum class Pending { Believer, Min, Mean, Max };

// Losses as the surrogates see them. Losses often have a long tail of bad values (Rosenbrock's
// span orders of magnitude, and so do diverged training runs'); a surrogate then spends its
// flexibility on the bad region and sees the good end as flat. When the tail above the median
// is longer than the spread below it, the losses become log(loss - min + delta), delta a tenth
// of the distance from the best loss to the median, which spreads out the good end. The warp
// keeps the order, so the best point stays the best, and it ignores shifts and scales of the
// objective. Losses without such a tail (Hartmann6's) are left as they are.
Eigen::VectorXd warped(const Eigen::VectorXd& loss) {
  std::vector<double> sorted(loss.data(), loss.data() + loss.size());
  std::sort(sorted.begin(), sorted.end());
  const double best = sorted.front(), median = sorted[sorted.size() / 2];
  if (!(sorted.back() - median > median - best)) return loss;
  const double delta = 0.1 * (median - best);
  return (loss.array() - best + (delta > 0 ? delta : 1e-3 * (sorted.back() - best))).log();
}

// A string option restricted to a list of values.
std::string choice(const JsonView& search, const std::string& key, const std::string& fallback,
                   const std::vector<std::string>& allowed) {
  const std::string value = search.string_or(key, fallback);
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return value;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "\"" : ", \"") + a + "\"";
  search.at(key).fail(key + " must be one of " + list + ", found \"" + value + "\"");
}

// The campaign's `search` options for bayes, checked.
struct BayesOptions {
  bool forest = false;
  Acquisition acquisition;
  bool draw_lambda = false;  // qlcb: a new lambda for every proposal
  Pending pending = Pending::Believer;
  std::size_t n_init = 0;
  bool latin_hypercube = true;
  RandomForest::Options forest_options;
  // mlrMBO's batches: after the initial design, batch_size points are proposed together (each
  // with the points before it pending) and the next batch waits for all of them. 0: no batches,
  // a point whenever a worker is free.
  std::size_t batch_size = 0;
  std::string restart_from;  // an earlier run directory, as written; empty: none
};

BayesOptions parse_options(const JsonView& search, std::size_t dimensions) {
  BayesOptions o;
  o.forest = choice(search, "surrogate", "gp", {"gp", "rf"}) == "rf";
  const std::string acquisition =
      choice(search, "acquisition", o.forest ? "qlcb" : "ei", {"ei", "ucb", "qlcb"});
  o.acquisition.kind = acquisition == "ei" ? Acquisition::Kind::ExpectedImprovement
                                           : Acquisition::Kind::ConfidenceBound;
  o.draw_lambda = acquisition == "qlcb";
  if (search.has("lambda") && acquisition == "ei") {
    search.at("lambda").fail("lambda applies only to acquisition \"ucb\" and \"qlcb\"");
  }
  o.acquisition.lambda = search.number_or("lambda", o.draw_lambda ? 1.0 : 2.0);
  if (!(o.acquisition.lambda > 0)) search.at("lambda").fail("lambda must be positive");

  const std::string pending =
      choice(search, "pending", "believer", {"believer", "min", "mean", "max"});
  o.pending = pending == "believer" ? Pending::Believer
              : pending == "min"    ? Pending::Min
              : pending == "mean"   ? Pending::Mean
                                    : Pending::Max;

  const std::int64_t n_init = search.integer_or(
      "n_init", std::max<std::int64_t>(2 * static_cast<std::int64_t>(dimensions), 10));
  if (n_init < 1 || n_init > 100000)
    search.at("n_init").fail("n_init must be between 1 and 100000");
  o.n_init = static_cast<std::size_t>(n_init);
  o.latin_hypercube = choice(search, "init", "lhs", {"lhs", "random"}) == "lhs";

  if (search.has("trees") && !o.forest) {
    search.at("trees").fail("trees applies only to surrogate \"rf\"");
  }
  const std::int64_t trees = search.integer_or("trees", o.forest_options.trees);
  if (trees < 1 || trees > 10000) search.at("trees").fail("trees must be between 1 and 10000");
  o.forest_options.trees = static_cast<int>(trees);

  if (search.has("batch_size")) {
    const std::int64_t batch = search.at("batch_size").integer();
    if (batch < 1 || batch > 100000) {
      search.at("batch_size").fail("batch_size must be between 1 and 100000");
    }
    o.batch_size = static_cast<std::size_t>(batch);
  }
  o.restart_from = search.string_or("restart_from", "");
  if (search.has("restart_from") && o.restart_from.empty()) {
    search.at("restart_from").fail("restart_from must name an earlier run directory");
  }
  return o;
}

std::unique_ptr<Surrogate> make_surrogate(const BayesOptions& options,
                                          const SpaceEncoding& encoding) {
  if (options.forest) {
    std::vector<std::int64_t> levels;
    for (const auto& dim : encoding.dimensions()) {
      levels.push_back(dim.kind == DimensionKind::Categorical ? dim.bins : 0);
    }
    return std::make_unique<RandomForest>(std::move(levels), options.forest_options);
  }
  std::vector<bool> categorical;
  for (const auto& dim : encoding.dimensions()) {
    categorical.push_back(dim.kind == DimensionKind::Categorical);
  }
  return std::make_unique<GaussianProcess>(std::move(categorical));
}

// Asynchronous Bayesian optimization (docs/search.md, "bayes"): an initial design, then each
// proposal maximizes an acquisition function of a surrogate (random forest or Gaussian process)
// fitted to the results so far and to the pending points, which count with a made-up loss
// (constant liar, or the model's own prediction: kriging believer). Nothing waits for a batch.
//
// Replaying a journal repeats only the asks that produced a point, so an ask that answers "wait"
// changes nothing, and each ask draws its random numbers from a generator seeded by the number
// of points proposed before it. Hyperparameters are re-estimated in `tell`, which replay repeats
// exactly.
class BayesSearcher : public Searcher {
 public:
  BayesSearcher(const Campaign& campaign, const JsonView& search)
      : encoding_(campaign.space),
        options_(parse_options(search, encoding_.size())),
        observations_(campaign.objective.mode, failure_policy(search)),
        surrogate_(make_surrogate(options_, encoding_)),
        max_points_(options_.forest ? std::numeric_limits<std::size_t>::max() : kGpMaxPoints),
        seed_(mix_seed(campaign.search.seed, 0x6261796573ULL)) {
    if (campaign.space.parameters().empty()) {
      throw InputError(campaign.file.string(), "/space", "bayes search needs a search space");
    }
    if (encoding_.size() == 0) {
      throw InputError(campaign.file.string(), "/space",
                       "bayes search needs a parameter that is not a constant");
    }
    if (!campaign.search.budget) search.fail("bayes search needs \"budget\" (number of trials)");
    // An earlier run's results stand in for as much of the initial design as they cover.
    std::vector<TrialRecord> earlier;
    if (!options_.restart_from.empty()) {
      earlier = read_earlier_results(campaign.resolve_path(options_.restart_from), campaign.space);
    }
    const auto usable = static_cast<std::size_t>(
        std::count_if(earlier.begin(), earlier.end(), [](const TrialRecord& t) {
          return (t.result.status == TrialStatus::Ok || t.result.status == TrialStatus::Stopped) &&
                 std::isfinite(t.result.value);
        }));
    const std::size_t n_design = options_.n_init - std::min(options_.n_init, usable);
    Rng rng(seed_);
    if (options_.latin_hypercube) {
      design_ = latin_hypercube(encoding_, n_design, rng);
    } else {
      for (std::size_t i = 0; i < n_design; ++i) design_.push_back(encoding_.random_point(rng));
    }
    for (const auto& t : earlier) tell(t);
  }

  Suggestion ask() override {
    const auto k = static_cast<std::size_t>(asked_);
    if (batch_starts_at(k) && !pending_.empty()) return Suggestion::wait();
    Rng rng(mix_seed(seed_, static_cast<std::uint64_t>(asked_) + 1));
    std::optional<std::vector<double>> u;
    if (k < design_.size() && !excluded(design_[k])) {
      u = design_[k];
    } else if (k >= design_.size() && training_rows().size() >= 2) {
      u = propose(rng);
    }
    if (!u) u = random_point(rng);
    if (!u) return Suggestion::wait();
    json params = encoding_.decode(*u);
    pending_.emplace(asked_++, std::move(*u));
    return Suggestion::point(std::move(params));
  }

  void tell(const TrialRecord& trial) override {
    pending_.erase(trial.id);
    if (auto u = encoding_.encode(trial.params)) told_.push_back(std::move(*u));
    observations_.add(trial);
    const auto& entries = observations_.entries();
    for (std::size_t i = encoded_.size(); i < entries.size(); ++i) {
      encoded_.push_back(encoding_.encode(entries[i].params));
    }
    // Hyperparameters follow the data closely while it is scarce, then every 10% more results.
    const std::size_t n = training_rows().size();
    if (n >= 2 && n >= next_tune_) {
      const Training data = training_data();
      surrogate_->tune(data.x, data.y);
      next_tune_ = n + std::max<std::size_t>(1, n / 10);
    }
  }

 private:
  struct Training {
    std::vector<std::size_t> rows;  // observation entries, in the order of x and y
    Eigen::MatrixXd x;
    Eigen::VectorXd y;  // warped losses
  };

  struct Row {
    std::size_t entry;
    double loss;  // as the surrogate fits it
  };

  // The observations whose parameters fit the space (all, unless a journal was written for
  // another space). Under a scheduler, trials compare at the comparable step; one stopped before
  // it counts as no better than the worst trial that reached it: its value, from fewer steps, is
  // not comparable, but its being stopped says its region is poor, and dropping it would send the
  // search back there (TPE ranks pruned trials below finished ones for the same reason).
  std::vector<Row> training_rows() const {
    const auto& entries = observations_.entries();
    const std::int64_t step = observations_.comparable_step(kComparablePoints);
    double worst_reached = -std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < encoded_.size(); ++i) {
      if (encoded_[i] && Observations::counts_at(entries[i], step)) {
        worst_reached = std::max(worst_reached, entries[i].loss);
      }
    }
    std::vector<Row> rows;
    for (std::size_t i = 0; i < encoded_.size(); ++i) {
      if (!encoded_[i]) continue;
      const bool compares = Observations::counts_at(entries[i], step);
      rows.push_back({i, compares ? entries[i].loss : std::max(entries[i].loss, worst_reached)});
    }
    return rows;
  }

  // What the surrogate fits: every usable observation or, for a GP past its limit, the best half
  // and a seeded sample of the rest.
  Training training_data() const {
    std::vector<Row> rows = training_rows();
    if (rows.size() > max_points_) {
      std::stable_sort(rows.begin(), rows.end(),
                       [](const Row& a, const Row& b) { return a.loss < b.loss; });
      const std::size_t keep = max_points_ / 2;
      std::vector<Row> rest(rows.begin() + static_cast<std::ptrdiff_t>(keep), rows.end());
      Rng rng(mix_seed(seed_, rows.size()));
      shuffle(rest, rng);
      rows.resize(keep);
      rows.insert(rows.end(), rest.begin(),
                  rest.begin() + static_cast<std::ptrdiff_t>(max_points_ - keep));
    }
    const auto d = static_cast<Eigen::Index>(encoding_.size());
    const auto n = static_cast<Eigen::Index>(rows.size());
    Training t{{}, Eigen::MatrixXd(n, d), Eigen::VectorXd(n)};
    for (Eigen::Index i = 0; i < n; ++i) {
      const Row& row = rows[static_cast<std::size_t>(i)];
      t.rows.push_back(row.entry);
      t.x.row(i) = Eigen::Map<const Eigen::RowVectorXd>(encoded_[row.entry]->data(), d);
      t.y(i) = row.loss;
    }
    t.y = warped(t.y);
    return t;
  }

  // Whether point k opens a batch (the design is the first), which waits for the one before it.
  bool batch_starts_at(std::size_t k) const {
    if (options_.batch_size == 0 || k == 0 || k < design_.size()) return false;
    return (k - design_.size()) % options_.batch_size == 0;
  }

  bool is_pending(const std::vector<double>& u) const {
    return std::any_of(pending_.begin(), pending_.end(),
                       [&](const auto& entry) { return entry.second == u; });
  }

  // Pending and finished points, failed ones included, are not proposed again (while the space
  // has other points).
  bool excluded(const std::vector<double>& u) const {
    return is_pending(u) || std::find(told_.begin(), told_.end(), u) != told_.end();
  }

  // A uniform point that is neither pending nor finished; failing that, one that is at least
  // not pending (a small space may be exhausted); none when every draw is pending.
  std::optional<std::vector<double>> random_point(Rng& rng) const {
    std::optional<std::vector<double>> fallback;
    for (int i = 0; i < kRandomTries; ++i) {
      std::vector<double> u = encoding_.random_point(rng);
      if (!excluded(u)) return u;
      if (!fallback && !is_pending(u)) fallback = std::move(u);
    }
    return fallback;
  }

  // Fits the surrogate to the observations and the pending points' stand-in losses, and
  // maximizes the acquisition.
  std::optional<std::vector<double>> propose(Rng& rng) {
    Training data = training_data();
    const auto n = data.x.rows(), d = data.x.cols();
    const auto p = static_cast<Eigen::Index>(pending_.size());
    const std::uint64_t fit_seed = mix_seed(seed_, static_cast<std::uint64_t>(asked_));
    Eigen::MatrixXd x(n + p, d);
    Eigen::VectorXd y(n + p);
    x.topRows(n) = data.x;
    y.head(n) = data.y;
    Eigen::Index i = n;
    for (const auto& [id, point] : pending_) {
      x.row(i++) = Eigen::Map<const Eigen::RowVectorXd>(point.data(), d);
    }
    switch (options_.pending) {
      case Pending::Believer:
        if (p > 0) {
          surrogate_->fit(data.x, data.y, fit_seed);
          y.tail(p) = surrogate_->predict(x.bottomRows(p)).mean;
        }
        break;
      case Pending::Min:
        y.tail(p).setConstant(data.y.minCoeff());
        break;
      case Pending::Mean:
        y.tail(p).setConstant(data.y.mean());
        break;
      case Pending::Max:
        y.tail(p).setConstant(data.y.maxCoeff());
        break;
    }
    surrogate_->fit(x, y, fit_seed);

    Acquisition acquisition = options_.acquisition;
    acquisition.best = data.y.minCoeff();
    if (options_.draw_lambda) acquisition.lambda = draw_lambda(acquisition.lambda, rng);

    // Rows are sorted best first when a GP's limit applies; sorting again is cheap either way.
    std::vector<std::size_t> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    const std::size_t incumbents = std::min(kIncumbents, order.size());
    std::partial_sort(
        order.begin(), order.begin() + static_cast<std::ptrdiff_t>(incumbents), order.end(),
        [&](std::size_t a, std::size_t b) {
          return data.y(static_cast<Eigen::Index>(a)) < data.y(static_cast<Eigen::Index>(b)) ||
                 (data.y(static_cast<Eigen::Index>(a)) == data.y(static_cast<Eigen::Index>(b)) &&
                  a < b);
        });
    std::vector<std::vector<double>> centres;
    for (std::size_t k = 0; k < incumbents; ++k) centres.push_back(*encoded_[data.rows[order[k]]]);
    return search_.maximize(
        *surrogate_, acquisition, encoding_, centres,
        [this](const std::vector<double>& u) { return excluded(u); }, rng);
  }

  SpaceEncoding encoding_;
  BayesOptions options_;
  Observations observations_;
  std::unique_ptr<Surrogate> surrogate_;
  std::size_t max_points_;
  std::uint64_t seed_;
  std::vector<std::vector<double>> design_;
  AcquisitionSearch search_;

  TrialId asked_ = 0;  // the master numbers trials in the order of the points it is given
  std::map<TrialId, std::vector<double>> pending_;
  std::vector<std::optional<std::vector<double>>> encoded_;  // per observation entry
  std::vector<std::vector<double>> told_;                    // every finished trial's point
  std::size_t next_tune_ = 0;
};

const bool registered = SearcherRegistry::instance().add(
    "bayes",
    {{"n_init", "init", "surrogate", "acquisition", "lambda", "pending", "trees", "batch_size",
      "restart_from"},
     [](const Campaign& c, const JsonView& s) { return std::make_unique<BayesSearcher>(c, s); }});

}  // namespace
}  // namespace overseer
