#include "overseer/search/gaussian_process.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include <nlopt.hpp>

namespace overseer {
namespace {

const double kSqrt5 = std::sqrt(5.0);
const double kLog2Pi = std::log(2 * 3.14159265358979323846);

// Inputs live in the unit cube and targets are standardized, so fixed bounds suit every problem:
// length scales from 1% of a side (wiggly) to 20 sides (irrelevant input), and a noise floor
// that keeps the Cholesky factorization of nearly duplicate points stable.
const double kLogLengthMin = std::log(0.01), kLogLengthMax = std::log(20.0);
const double kLogSignalMin = std::log(0.05), kLogSignalMax = std::log(20.0);
const double kLogNoiseMin = std::log(1e-6), kLogNoiseMax = std::log(1.0);
const int kMaxEvaluations = 60;
const Eigen::Index kFreshStartsBelow = 50;

// Mean and scale that standardize `y`; the scale is 1 when `y` is constant.
std::pair<double, double> standardization(const Eigen::VectorXd& y) {
  const double mean = y.mean();
  const double sd = std::sqrt((y.array() - mean).square().mean());
  return {mean, sd > 1e-12 ? sd : 1.0};
}

std::vector<double> pack(const GaussianProcess::Hyperparameters& theta) {
  std::vector<double> v(theta.log_lengthscale.data(),
                        theta.log_lengthscale.data() + theta.log_lengthscale.size());
  v.push_back(theta.log_signal);
  v.push_back(theta.log_noise);
  return v;
}

GaussianProcess::Hyperparameters unpack(const std::vector<double>& v) {
  GaussianProcess::Hyperparameters theta;
  const auto d = static_cast<Eigen::Index>(v.size() - 2);
  theta.log_lengthscale = Eigen::Map<const Eigen::VectorXd>(v.data(), d);
  theta.log_signal = v[v.size() - 2];
  theta.log_noise = v[v.size() - 1];
  return theta;
}

GaussianProcess::Hyperparameters default_hyperparameters(std::size_t inputs) {
  return {Eigen::VectorXd::Constant(static_cast<Eigen::Index>(inputs), std::log(0.5)), 0.0,
          std::log(1e-4)};
}

}  // namespace

GaussianProcess::GaussianProcess(std::vector<bool> categorical)
    : categorical_(std::move(categorical)), theta_(default_hyperparameters(categorical_.size())) {}

Eigen::MatrixXd GaussianProcess::covariance(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b,
                                            const Hyperparameters& theta) const {
  // Loops over contiguous columns and one array expression for the kernel, all of which the
  // compiler and Eigen vectorize: predictions at a few hundred candidates are the bulk of a
  // proposal's cost.
  const Eigen::MatrixXd at = a.transpose();
  Eigen::ArrayXXd r2 = Eigen::ArrayXXd::Zero(a.cols(), b.cols());
  for (Eigen::Index c = 0; c < a.rows(); ++c) {
    const double weight = std::exp(-2 * theta.log_lengthscale(c));
    const bool categorical = categorical_[static_cast<std::size_t>(c)];
    const double* column = at.col(c).data();
    for (Eigen::Index j = 0; j < b.cols(); ++j) {
      const double bj = b(c, j);
      double* out = r2.col(j).data();
      if (categorical) {
        for (Eigen::Index i = 0; i < a.cols(); ++i) out[i] += column[i] != bj ? weight : 0.0;
      } else {
        for (Eigen::Index i = 0; i < a.cols(); ++i) {
          const double delta = column[i] - bj;
          out[i] += weight * delta * delta;
        }
      }
    }
  }
  const Eigen::ArrayXXd r = r2.sqrt();
  return std::exp(theta.log_signal) * (1 + kSqrt5 * r + 5.0 / 3.0 * r2) * (-kSqrt5 * r).exp();
}

bool GaussianProcess::factorize(const Eigen::MatrixXd& points, const Hyperparameters& theta,
                                Eigen::LLT<Eigen::MatrixXd>& llt) const {
  Eigen::MatrixXd k = covariance(points, points, theta);
  k.diagonal().array() += std::exp(theta.log_noise);
  // Jitter rescues the rare matrix that rounding leaves indefinite.
  for (double jitter = 0; jitter <= 1e-4; jitter = jitter == 0 ? 1e-10 : jitter * 100) {
    llt.compute(jitter == 0
                    ? k
                    : Eigen::MatrixXd(k + jitter * Eigen::MatrixXd::Identity(k.rows(), k.cols())));
    if (llt.info() == Eigen::Success) return true;
  }
  return false;
}

double GaussianProcess::objective(const Eigen::MatrixXd& points, const Eigen::VectorXd& z,
                                  const Hyperparameters& theta, Eigen::VectorXd& gradient) const {
  const Eigen::Index n = points.cols(), d = points.rows();
  Eigen::LLT<Eigen::MatrixXd> llt;
  gradient = Eigen::VectorXd::Zero(d + 2);
  if (!factorize(points, theta, llt)) return std::numeric_limits<double>::max();
  const Eigen::VectorXd alpha = llt.solve(z);
  const double log_det = 2 * llt.matrixLLT().diagonal().array().log().sum();
  const double nll = 0.5 * z.dot(alpha) + 0.5 * log_det + 0.5 * static_cast<double>(n) * kLog2Pi;

  // d(-log L)/d(theta) = -1/2 tr(W dK/dtheta) with W = alpha alpha^T - K^-1.
  const Eigen::MatrixXd w = alpha * alpha.transpose() - llt.solve(Eigen::MatrixXd::Identity(n, n));
  const Eigen::VectorXd weight = (-2 * theta.log_lengthscale).array().exp();
  const double signal = std::exp(theta.log_signal);
  Eigen::VectorXd scaled(d);
  double signal_trace = 0;
  for (Eigen::Index j = 0; j < n; ++j) {
    signal_trace += 0.5 * w(j, j) * signal;
    for (Eigen::Index i = j + 1; i < n; ++i) {
      double r2 = 0;
      for (Eigen::Index c = 0; c < d; ++c) {
        const double delta = points(c, i) - points(c, j);
        scaled(c) =
            weight(c) * (categorical_[static_cast<std::size_t>(c)] ? (delta != 0) : delta * delta);
        r2 += scaled(c);
      }
      const double r = std::sqrt(r2);
      const double e = std::exp(-kSqrt5 * r);
      const double k = signal * (1 + kSqrt5 * r + 5.0 / 3.0 * r2) * e;
      // dk/dlog(l_c) = signal * 5/3 (1 + sqrt5 r) e^(-sqrt5 r) (delta_c / l_c)^2; each pair
      // appears twice in the trace.
      gradient.head(d) += w(i, j) * signal * 5.0 / 3.0 * (1 + kSqrt5 * r) * e * scaled;
      signal_trace += w(i, j) * k;
    }
  }
  gradient.head(d) *= -1;
  gradient(d) = -signal_trace;
  gradient(d + 1) = -0.5 * std::exp(theta.log_noise) * w.trace();
  return nll;
}

void GaussianProcess::tune(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) {
  const Eigen::MatrixXd points = x.transpose();
  const auto [mean, scale] = standardization(y);
  const Eigen::VectorXd z = (y.array() - mean) / scale;
  const std::size_t d = categorical_.size();

  std::vector<double> lower(d, kLogLengthMin), upper(d, kLogLengthMax);
  lower.insert(lower.end(), {kLogSignalMin, kLogNoiseMin});
  upper.insert(upper.end(), {kLogSignalMax, kLogNoiseMax});

  // The best point any evaluation saw survives NLopt's exceptions (e.g. roundoff-limited).
  struct Search {
    const GaussianProcess* gp;
    const Eigen::MatrixXd* points;
    const Eigen::VectorXd* z;
    std::vector<double> best;
    double best_value = std::numeric_limits<double>::infinity();
  } search{this, &points, &z, {}, std::numeric_limits<double>::infinity()};
  auto evaluate = [](const std::vector<double>& v, std::vector<double>& grad, void* data) {
    auto* s = static_cast<Search*>(data);
    Eigen::VectorXd g;
    const double value = s->gp->objective(*s->points, *s->z, unpack(v), g);
    if (!grad.empty()) Eigen::Map<Eigen::VectorXd>(grad.data(), g.size()) = g;
    if (value < s->best_value) {
      s->best_value = value;
      s->best = v;
    }
    return value;
  };

  // From the current estimate, and while data is scarce (estimates still jump between basins)
  // from the defaults too.
  std::vector<Hyperparameters> starts = {theta_};
  if (x.rows() < kFreshStartsBelow) starts.push_back(default_hyperparameters(d));
  for (const Hyperparameters& start : starts) {
    nlopt::opt opt(nlopt::LD_LBFGS, static_cast<unsigned>(d + 2));
    opt.set_lower_bounds(lower);
    opt.set_upper_bounds(upper);
    opt.set_min_objective(evaluate, &search);
    opt.set_maxeval(kMaxEvaluations);
    opt.set_ftol_rel(1e-6);
    std::vector<double> v = pack(start);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::clamp(v[i], lower[i], upper[i]);
    double value = 0;
    try {
      opt.optimize(v, value);
    } catch (const std::exception&) {
      // Keeps the best evaluation so far.
    }
  }
  if (!search.best.empty()) theta_ = unpack(search.best);
}

void GaussianProcess::fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, std::uint64_t) {
  points_ = x.transpose();
  std::tie(y_mean_, y_scale_) = standardization(y);
  z_ = (y.array() - y_mean_) / y_scale_;
  if (!factorize(points_, theta_, llt_)) {
    // Only a pathological data set gets here; a large noise term always factorizes.
    Hyperparameters noisy = theta_;
    noisy.log_noise = kLogNoiseMax;
    factorize(points_, noisy, llt_);
  }
  alpha_ = llt_.solve(z_);
}

Prediction GaussianProcess::predict(const Eigen::MatrixXd& x) const {
  const Eigen::MatrixXd cross = covariance(points_, x.transpose(), theta_);  // n x m
  Prediction p;
  p.mean = (cross.transpose() * alpha_).array() * y_scale_ + y_mean_;
  const Eigen::MatrixXd v = llt_.matrixL().solve(cross);
  p.variance = (std::exp(theta_.log_signal) - v.colwise().squaredNorm().array())
                   .max(0.0)
                   .matrix()
                   .transpose() *
               (y_scale_ * y_scale_);
  return p;
}

double GaussianProcess::log_marginal_likelihood() const {
  const double log_det = 2 * llt_.matrixLLT().diagonal().array().log().sum();
  return -0.5 * z_.dot(alpha_) - 0.5 * log_det - 0.5 * static_cast<double>(z_.size()) * kLog2Pi;
}

}  // namespace overseer
