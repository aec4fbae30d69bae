#include "overseer/models/response_weights.hpp"

#include <algorithm>
#include <numeric>

namespace overseer {

std::vector<float> low_response_weights(const std::vector<float>& labels, double alpha) {
  const std::size_t n = labels.size();
  std::vector<float> weights(n, 1.0f);
  if (n < 2 || alpha == 0) {
    if (n == 1) weights[0] = static_cast<float>(1 + alpha);
    return weights;
  }
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return labels[a] < labels[b]; });
  for (std::size_t first = 0; first < n;) {
    std::size_t last = first;
    while (last + 1 < n && labels[order[last + 1]] == labels[order[first]]) ++last;
    const double rank = (static_cast<double>(first) + static_cast<double>(last)) / 2;
    const double w = 1 + alpha * (1 - rank / static_cast<double>(n - 1));
    for (std::size_t k = first; k <= last; ++k) weights[order[k]] = static_cast<float>(w);
    first = last + 1;
  }
  return weights;
}

}  // namespace overseer
