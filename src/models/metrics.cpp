#include "overseer/models/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace overseer {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Ranks from 1, ties sharing the mean of their positions (as scipy.stats.rankdata).
std::vector<double> ranks(const std::vector<float>& values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return values[a] < values[b]; });
  std::vector<double> out(values.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    const double mean_rank = (static_cast<double>(i + j) / 2) + 1;
    for (std::size_t k = i; k <= j; ++k) out[order[k]] = mean_rank;
    i = j + 1;
  }
  return out;
}

template <typename A, typename B>
double pearson(const A& x, const B& y) {
  const auto n = static_cast<double>(x.size());
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double dx = x[i] - mx;
    const double dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : kNaN;
}

}  // namespace

const std::vector<std::string>& regression_metric_names() {
  static const std::vector<std::string> names = {"mse", "rmse", "mae", "r2", "pearson", "spearman"};
  return names;
}

Metrics regression_metrics(const std::vector<float>& truth, const std::vector<float>& predicted,
                           const std::string& prefix) {
  if (truth.size() != predicted.size() || truth.empty()) {
    throw std::invalid_argument("metrics need as many predictions as true values, at least one");
  }
  Metrics out;
  const bool finite =
      std::all_of(predicted.begin(), predicted.end(), [](float v) { return std::isfinite(v); });
  if (!finite) {
    for (const auto& name : regression_metric_names()) out[prefix + name] = kNaN;
    return out;
  }
  const auto n = static_cast<double>(truth.size());
  const double mean = std::accumulate(truth.begin(), truth.end(), 0.0) / n;
  double squared = 0, absolute = 0, total = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const double error = static_cast<double>(predicted[i]) - truth[i];
    squared += error * error;
    absolute += std::abs(error);
    total += (truth[i] - mean) * (truth[i] - mean);
  }
  out[prefix + "mse"] = squared / n;
  out[prefix + "rmse"] = std::sqrt(squared / n);
  out[prefix + "mae"] = absolute / n;
  out[prefix + "r2"] = total > 0 ? 1 - squared / total : kNaN;
  out[prefix + "pearson"] = pearson(truth, predicted);
  out[prefix + "spearman"] = pearson(ranks(truth), ranks(predicted));
  return out;
}

}  // namespace overseer
