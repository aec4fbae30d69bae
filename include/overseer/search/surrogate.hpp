#pragma once

#include <cstdint>

#include <Eigen/Core>

namespace overseer {

struct Prediction {
  Eigen::VectorXd mean;
  Eigen::VectorXd variance;
};

// A regression model of the loss over the unit cube of a SpaceEncoding, for Bayesian
// optimization. Rows of `x` are snapped points. Everything is deterministic given the data and
// the seed, and single-threaded, so a searcher replayed from its journal proposes the same points.
class Surrogate {
 public:
  virtual ~Surrogate() = default;
  // Re-estimates the model's hyperparameters, where it has any; `fit` keeps them.
  virtual void tune(const Eigen::MatrixXd& /*x*/, const Eigen::VectorXd& /*y*/) {}
  virtual void fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, std::uint64_t seed) = 0;
  virtual Prediction predict(const Eigen::MatrixXd& x) const = 0;
  // Whether predictions vary smoothly with the continuous coordinates, so that a local optimizer
  // can polish a proposal (a GP's do; a forest's are piecewise constant).
  virtual bool smooth() const = 0;
};

}  // namespace overseer
