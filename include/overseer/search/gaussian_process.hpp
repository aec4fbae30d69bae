#pragma once

#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include "overseer/search/surrogate.hpp"

namespace overseer {

// Gaussian-process regression with a Matérn 5/2 kernel, one length scale per input (ARD), and
// a constant mean after standardizing the targets. A categorical input contributes only whether
// two levels are equal (the exchangeable kernel: one-hot coding with one length scale).
// Hyperparameters (length scales, signal and noise variance) maximize the log marginal
// likelihood, by NLopt's L-BFGS with analytic gradients; all linear algebra is Eigen's.
class GaussianProcess : public Surrogate {
 public:
  struct Hyperparameters {
    Eigen::VectorXd log_lengthscale;
    double log_signal = 0;  // log of the signal variance, in standardized units
    double log_noise = 0;   // log of the noise variance, in standardized units
  };

  // `categorical[j]` marks input j as categorical.
  explicit GaussianProcess(std::vector<bool> categorical);

  void tune(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) override;
  void fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, std::uint64_t seed) override;
  Prediction predict(const Eigen::MatrixXd& x) const override;
  bool smooth() const override { return true; }

  const Hyperparameters& hyperparameters() const { return theta_; }
  // Of the data last fitted, with the current hyperparameters.
  double log_marginal_likelihood() const;

 private:
  // Covariance between the points (columns) of `a` and `b`, without noise.
  Eigen::MatrixXd covariance(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b,
                             const Hyperparameters& theta) const;
  // Factorizes K + noise for `points`; false if it is not positive definite even with jitter.
  bool factorize(const Eigen::MatrixXd& points, const Hyperparameters& theta,
                 Eigen::LLT<Eigen::MatrixXd>& llt) const;
  // Minus the log marginal likelihood of standardized targets `z`, and its gradient.
  double objective(const Eigen::MatrixXd& points, const Eigen::VectorXd& z,
                   const Hyperparameters& theta, Eigen::VectorXd& gradient) const;

  std::vector<bool> categorical_;
  Hyperparameters theta_;
  Eigen::MatrixXd points_;  // training inputs, one column per point
  Eigen::LLT<Eigen::MatrixXd> llt_;
  Eigen::VectorXd alpha_;  // (K + noise)^-1 z
  Eigen::VectorXd z_;      // standardized targets
  double y_mean_ = 0, y_scale_ = 1;
};

}  // namespace overseer
