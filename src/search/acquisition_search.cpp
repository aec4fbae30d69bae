#include "overseer/search/acquisition_search.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <nlopt.hpp>

namespace overseer {
namespace {

Eigen::MatrixXd as_rows(const std::vector<std::vector<double>>& points, std::size_t d) {
  Eigen::MatrixXd x(static_cast<Eigen::Index>(points.size()), static_cast<Eigen::Index>(d));
  for (std::size_t i = 0; i < points.size(); ++i) {
    for (std::size_t j = 0; j < d; ++j) {
      x(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = points[i][j];
    }
  }
  return x;
}

// A point near `centre`: Gaussian steps at one of two scales in the ordered coordinates (5% of a
// side searches the basin, 20% the next ones; finer steps are the polish's job, and on a forest
// they only re-sample the incumbent's leaf), and now and then another level of a categorical.
std::vector<double> neighbour(const std::vector<double>& centre, const SpaceEncoding& encoding,
                              Rng& rng) {
  const double scale = rng.uniform01() < 0.5 ? 0.05 : 0.2;
  const double flip = 1.0 / static_cast<double>(encoding.size());
  std::vector<double> u = centre;
  for (std::size_t j = 0; j < u.size(); ++j) {
    if (encoding.dimensions()[j].kind == DimensionKind::Categorical) {
      if (rng.uniform01() < flip) u[j] = rng.uniform01();
    } else {
      u[j] += scale * rng.normal();
    }
  }
  return encoding.snap(std::move(u));
}

double finite_or_lowest(double score) {
  return std::isfinite(score) ? score : std::numeric_limits<double>::lowest();
}

struct Polish {
  const Surrogate* surrogate;
  const Acquisition* acquisition;
  std::vector<double> point;
  const std::vector<std::size_t>* coordinates;
  std::vector<double> best;
  double best_score = std::numeric_limits<double>::lowest();
};

double polish_score(const std::vector<double>& v, std::vector<double>&, void* data) {
  auto* p = static_cast<Polish*>(data);
  for (std::size_t k = 0; k < v.size(); ++k) p->point[(*p->coordinates)[k]] = v[k];
  const double score = finite_or_lowest(
      p->acquisition->score(p->surrogate->predict(as_rows({p->point}, p->point.size())))(0));
  if (score > p->best_score) {
    p->best_score = score;
    p->best = p->point;
  }
  return score;
}

}  // namespace

std::optional<std::vector<double>> AcquisitionSearch::maximize(
    const Surrogate& surrogate, const Acquisition& acquisition, const SpaceEncoding& encoding,
    const std::vector<std::vector<double>>& incumbents,
    const std::function<bool(const std::vector<double>&)>& excluded, Rng& rng) const {
  // Random candidates come first and so win ties, which a forest's flat predictions make common:
  // a tie between the incumbent's surroundings and elsewhere is better broken towards elsewhere.
  std::vector<std::vector<double>> candidates;
  for (std::size_t i = 0; i < random_candidates; ++i) {
    candidates.push_back(encoding.random_point(rng));
  }
  for (const auto& centre : incumbents) {
    for (std::size_t i = 0; i < neighbours; ++i) {
      candidates.push_back(neighbour(centre, encoding, rng));
    }
  }
  const Eigen::VectorXd scores =
      acquisition.score(surrogate.predict(as_rows(candidates, encoding.size())));
  std::vector<std::size_t> order(candidates.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return finite_or_lowest(scores(static_cast<Eigen::Index>(a))) >
           finite_or_lowest(scores(static_cast<Eigen::Index>(b)));
  });

  std::optional<std::vector<double>> best;
  double best_score = std::numeric_limits<double>::lowest();
  std::vector<std::vector<double>> starts;
  for (std::size_t i : order) {
    if (excluded(candidates[i])) continue;
    if (!best) {
      best = candidates[i];
      best_score = finite_or_lowest(scores(static_cast<Eigen::Index>(i)));
    }
    if (std::find(starts.begin(), starts.end(), candidates[i]) == starts.end()) {
      starts.push_back(candidates[i]);
    }
    if (starts.size() == polish_starts) break;
  }
  if (!best || !surrogate.smooth()) return best;

  std::vector<std::size_t> continuous;
  for (std::size_t j = 0; j < encoding.size(); ++j) {
    if (encoding.dimensions()[j].kind == DimensionKind::Real) continuous.push_back(j);
  }
  if (continuous.empty()) return best;
  for (const auto& start : starts) {
    Polish polish{&surrogate, &acquisition, start, &continuous, {}, best_score};
    // BOBYQA needs two or more variables.
    nlopt::opt opt(continuous.size() > 1 ? nlopt::LN_BOBYQA : nlopt::LN_COBYLA,
                   static_cast<unsigned>(continuous.size()));
    opt.set_lower_bounds(0.0);
    opt.set_upper_bounds(1.0);
    opt.set_max_objective(polish_score, &polish);
    opt.set_maxeval(polish_evaluations);
    opt.set_initial_step(0.02);
    opt.set_xtol_abs(1e-5);
    std::vector<double> v;
    for (std::size_t j : continuous) v.push_back(start[j]);
    double value = 0;
    try {
      opt.optimize(v, value);
    } catch (const std::exception&) {
      // NLopt reports a stalled search as an exception; the best point it saw is kept.
    }
    if (!polish.best.empty() && polish.best_score > best_score && !excluded(polish.best)) {
      best = polish.best;
      best_score = polish.best_score;
    }
  }
  return best;
}

}  // namespace overseer
