#include "overseer/data/label_noise.hpp"

#include <cmath>

#include "overseer/core/random.hpp"

namespace overseer::data {

double noise_sigma(const std::vector<float>& labels, const std::vector<std::size_t>& train,
                   double noise, NoiseBasis basis) {
  if (noise == 0 || train.empty()) return 0;
  double sum = 0;
  for (auto r : train) sum += labels[r];
  const double mean = sum / train.size();
  if (basis == NoiseBasis::Mean) return noise * std::fabs(mean);
  double sum_sq = 0;
  for (auto r : train) sum_sq += (labels[r] - mean) * (labels[r] - mean);
  return noise * std::sqrt(sum_sq / train.size());
}

void add_label_noise(std::vector<float>& labels, const std::vector<std::size_t>& rows, double sigma,
                     std::uint64_t seed) {
  if (sigma == 0) return;
  Rng rng(seed);
  for (auto r : rows) labels[r] = static_cast<float>(labels[r] + sigma * rng.normal());
}

}  // namespace overseer::data
