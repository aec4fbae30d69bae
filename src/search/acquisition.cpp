#include "overseer/search/acquisition.hpp"

#include <algorithm>
#include <cmath>

namespace overseer {

double expected_improvement(double mean, double variance, double best) {
  const double sd = std::sqrt(variance);
  const double gain = best - mean;
  if (sd <= 0) return std::max(gain, 0.0);
  const double z = gain / sd;
  const double cdf = 0.5 * std::erfc(-z / std::sqrt(2.0));
  const double pdf = std::exp(-0.5 * z * z) / std::sqrt(2 * 3.14159265358979323846);
  return gain * cdf + sd * pdf;
}

Eigen::VectorXd Acquisition::score(const Prediction& prediction) const {
  Eigen::VectorXd out(prediction.mean.size());
  for (Eigen::Index i = 0; i < out.size(); ++i) {
    const double mean = prediction.mean(i), variance = prediction.variance(i);
    out(i) = kind == Kind::ExpectedImprovement ? expected_improvement(mean, variance, best)
                                               : -(mean - lambda * std::sqrt(variance));
  }
  return out;
}

double draw_lambda(double mean, Rng& rng) {
  return -mean * std::log(1 - rng.uniform01());
}

}  // namespace overseer
