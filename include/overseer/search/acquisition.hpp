#pragma once

#include <Eigen/Core>

#include "overseer/core/random.hpp"
#include "overseer/search/surrogate.hpp"

namespace overseer {

// How much a surrogate's prediction at a point is worth evaluating, for a loss to minimize:
// larger is better.
struct Acquisition {
  enum class Kind {
    ExpectedImprovement,  // over `best`, the lowest loss observed
    ConfidenceBound,      // -(mean - lambda * sd): the lower confidence bound of the loss
  };
  Kind kind = Kind::ExpectedImprovement;
  double best = 0;
  double lambda = 1;

  Eigen::VectorXd score(const Prediction& prediction) const;
};

double expected_improvement(double mean, double variance, double best);

// qLCB's lambda for one proposal, as mlrMBO draws it: exponential with the given mean, so most
// proposals exploit and a few explore far.
double draw_lambda(double mean, Rng& rng);

}  // namespace overseer
