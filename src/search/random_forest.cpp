#include "overseer/search/random_forest.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "overseer/search/space_encoding.hpp"

namespace overseer {
namespace {

// Sum of squares explained by a split into sums `left`/`right` of `nl`/`nr` losses; maximizing
// it minimizes the children's squared error.
double split_score(double left, std::size_t nl, double right, std::size_t nr) {
  return left * left / static_cast<double>(nl) + right * right / static_cast<double>(nr);
}

}  // namespace

RandomForest::RandomForest(std::vector<std::int64_t> levels, Options options)
    : levels_(std::move(levels)), options_(options) {}

void RandomForest::fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, std::uint64_t seed) {
  x_ = x;
  y_ = y;
  trees_.assign(static_cast<std::size_t>(options_.trees), Tree());
  const auto n = static_cast<std::size_t>(x.rows());
  const std::size_t samples = std::min(n, options_.max_samples);
  for (std::size_t t = 0; t < trees_.size(); ++t) {
    Rng rng(mix_seed(seed, t));
    std::vector<std::size_t> rows(samples);
    for (auto& r : rows)
      r = static_cast<std::size_t>(rng.integer(0, static_cast<std::int64_t>(n) - 1));
    grow(trees_[t], rows, 0, rows.size(), rng);
  }
}

int RandomForest::grow(Tree& tree, std::vector<std::size_t>& rows, std::size_t begin,
                       std::size_t end, Rng& rng) const {
  const int id = static_cast<int>(tree.size());
  tree.emplace_back();
  double sum = 0;
  for (std::size_t i = begin; i < end; ++i) sum += y_(static_cast<Eigen::Index>(rows[i]));
  const std::size_t count = end - begin;
  tree[static_cast<std::size_t>(id)].value = sum / static_cast<double>(count);
  if (count < 2 * options_.min_leaf) return id;

  // A random subset of the inputs, by a partial Fisher-Yates shuffle.
  const auto d = static_cast<std::size_t>(x_.cols());
  const auto tried = std::clamp<std::size_t>(
      static_cast<std::size_t>(std::lround(options_.feature_fraction * static_cast<double>(d))), 1,
      d);
  std::vector<int> features(d);
  std::iota(features.begin(), features.end(), 0);
  // A split must explain more than the node's own mean does, beyond rounding.
  Split best;
  best.score = sum * sum / static_cast<double>(count) * (1 + 1e-12);
  for (std::size_t k = 0; k < tried; ++k) {
    const auto j = static_cast<std::size_t>(
        rng.integer(static_cast<std::int64_t>(k), static_cast<std::int64_t>(d) - 1));
    std::swap(features[k], features[j]);
    Split candidate = best_split(features[k], rows, begin, end);
    if (candidate.feature >= 0 && candidate.score > best.score) best = std::move(candidate);
  }
  if (best.feature < 0) return id;

  Node split;
  split.feature = best.feature;
  split.threshold = best.threshold;
  split.left_levels = std::move(best.left_levels);
  const auto middle = static_cast<std::size_t>(
      std::stable_partition(rows.begin() + static_cast<std::ptrdiff_t>(begin),
                            rows.begin() + static_cast<std::ptrdiff_t>(end),
                            [&](std::size_t r) {
                              return goes_left(split,
                                               x_(static_cast<Eigen::Index>(r), split.feature));
                            }) -
      rows.begin());
  split.left = grow(tree, rows, begin, middle, rng);
  split.right = grow(tree, rows, middle, end, rng);
  split.value = tree[static_cast<std::size_t>(id)].value;
  tree[static_cast<std::size_t>(id)] = std::move(split);
  return id;
}

RandomForest::Split RandomForest::best_split(int feature, const std::vector<std::size_t>& rows,
                                             std::size_t begin, std::size_t end) const {
  const std::size_t count = end - begin, min_leaf = options_.min_leaf;
  const std::int64_t levels = levels_[static_cast<std::size_t>(feature)];
  Split best;
  if (levels == 0) {
    std::vector<std::pair<double, double>> values;
    values.reserve(count);
    for (std::size_t i = begin; i < end; ++i) {
      const auto r = static_cast<Eigen::Index>(rows[i]);
      values.emplace_back(x_(r, feature), y_(r));
    }
    std::sort(values.begin(), values.end());
    double total = 0;
    for (const auto& v : values) total += v.second;
    double left = 0;
    for (std::size_t i = 0; i + 1 < count; ++i) {
      left += values[i].second;
      const std::size_t nl = i + 1;
      if (nl < min_leaf || count - nl < min_leaf || values[i].first == values[i + 1].first)
        continue;
      const double score = split_score(left, nl, total - left, count - nl);
      if (best.feature < 0 || score > best.score) {
        best.feature = feature;
        best.score = score;
        best.threshold = 0.5 * (values[i].first + values[i + 1].first);
      }
    }
    return best;
  }
  // Levels present in the node, in order of mean loss: the best two-set split is a prefix.
  std::vector<double> sums(static_cast<std::size_t>(levels), 0.0);
  std::vector<std::size_t> counts(static_cast<std::size_t>(levels), 0);
  for (std::size_t i = begin; i < end; ++i) {
    const auto r = static_cast<Eigen::Index>(rows[i]);
    const auto level = static_cast<std::size_t>(bin_of(x_(r, feature), levels));
    sums[level] += y_(r);
    ++counts[level];
  }
  std::vector<std::size_t> present;
  for (std::size_t l = 0; l < counts.size(); ++l) {
    if (counts[l] > 0) present.push_back(l);
  }
  std::stable_sort(present.begin(), present.end(), [&](std::size_t a, std::size_t b) {
    return sums[a] / static_cast<double>(counts[a]) < sums[b] / static_cast<double>(counts[b]);
  });
  double total = std::accumulate(sums.begin(), sums.end(), 0.0);
  double left = 0;
  std::size_t nl = 0;
  for (std::size_t k = 0; k + 1 < present.size(); ++k) {
    left += sums[present[k]];
    nl += counts[present[k]];
    if (nl < min_leaf || count - nl < min_leaf) continue;
    const double score = split_score(left, nl, total - left, count - nl);
    if (best.feature < 0 || score > best.score) {
      best.feature = feature;
      best.score = score;
      best.left_levels.assign(static_cast<std::size_t>(levels), false);
      for (std::size_t m = 0; m <= k; ++m) best.left_levels[present[m]] = true;
    }
  }
  return best;
}

// Levels absent from a node's sample go right.
bool RandomForest::goes_left(const Node& node, double value) const {
  const std::int64_t levels = levels_[static_cast<std::size_t>(node.feature)];
  if (levels == 0) return value <= node.threshold;
  return node.left_levels[static_cast<std::size_t>(bin_of(value, levels))];
}

double RandomForest::tree_predict(const Tree& tree, const Eigen::MatrixXd& x,
                                  Eigen::Index row) const {
  const Node* node = &tree.front();
  while (node->feature >= 0) {
    node = &tree[static_cast<std::size_t>(goes_left(*node, x(row, node->feature)) ? node->left
                                                                                  : node->right)];
  }
  return node->value;
}

Prediction RandomForest::predict(const Eigen::MatrixXd& x) const {
  Prediction p;
  p.mean.resize(x.rows());
  p.variance.resize(x.rows());
  Eigen::VectorXd values(static_cast<Eigen::Index>(trees_.size()));
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    for (std::size_t t = 0; t < trees_.size(); ++t) {
      values(static_cast<Eigen::Index>(t)) = tree_predict(trees_[t], x, i);
    }
    p.mean(i) = values.mean();
    p.variance(i) = (values.array() - p.mean(i)).square().mean();
  }
  return p;
}

}  // namespace overseer
