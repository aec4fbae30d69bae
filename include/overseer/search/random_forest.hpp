#pragma once

#include <cstdint>
#include <vector>

#include "overseer/core/random.hpp"
#include "overseer/search/surrogate.hpp"

namespace overseer {

// A regression forest as mlrMBO uses one: each tree is grown on a bootstrap sample, trying a
// random subset of the inputs at each node; the prediction is the mean over the trees and its
// uncertainty the variance across them. Categorical inputs are split into two sets of levels
// directly (levels ordered by their mean loss, Breiman's rule), not through a numeric code.
class RandomForest : public Surrogate {
 public:
  struct Options {
    int trees = 50;
    // Bootstrap sample size per tree, at most: bounds the cost of a fit on a long history.
    std::size_t max_samples = 128;
    std::size_t min_leaf = 2;  // smallest node a split may leave
    // Inputs tried at each node, as a fraction of all (at least one): randomForest's d/3.
    double feature_fraction = 1.0 / 3;
  };

  // `levels[j]` > 0 marks input j as categorical with that many levels (SpaceEncoding bins);
  // 0 marks an ordered input.
  RandomForest(std::vector<std::int64_t> levels, Options options);

  void fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, std::uint64_t seed) override;
  Prediction predict(const Eigen::MatrixXd& x) const override;
  bool smooth() const override { return false; }

 private:
  struct Node {
    int feature = -1;  // -1: a leaf
    double threshold = 0;
    std::vector<bool> left_levels;  // categorical splits: the levels that go left
    int left = 0, right = 0;
    double value = 0;  // leaf: mean loss
  };
  struct Split {
    int feature = -1;
    double threshold = 0;
    std::vector<bool> left_levels;
    double score = 0;
  };
  using Tree = std::vector<Node>;

  int grow(Tree& tree, std::vector<std::size_t>& rows, std::size_t begin, std::size_t end,
           Rng& rng) const;
  Split best_split(int feature, const std::vector<std::size_t>& rows, std::size_t begin,
                   std::size_t end) const;
  bool goes_left(const Node& node, double value) const;
  double tree_predict(const Tree& tree, const Eigen::MatrixXd& x, Eigen::Index row) const;

  std::vector<std::int64_t> levels_;
  Options options_;
  Eigen::MatrixXd x_;
  Eigen::VectorXd y_;
  std::vector<Tree> trees_;
};

}  // namespace overseer
