// The bayes searcher's parts: the Gaussian process and the random forest on known functions,
// the acquisition functions, and the search for the acquisition's maximum.
#include <gtest/gtest.h>

#include <cmath>

#include "overseer/search/acquisition.hpp"
#include "overseer/search/acquisition_search.hpp"
#include "overseer/search/gaussian_process.hpp"
#include "overseer/search/random_forest.hpp"

using namespace overseer;

namespace {

struct Data {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
};

// `n` uniform points of [0, 1]^d; column `categorical` (if any) holds one of 3 levels, coded as
// SpaceEncoding does (the centre of the level's bin).
template <typename F>
Data sample(int n, int d, F f, std::uint64_t seed, int categorical = -1) {
  Rng rng(seed);
  Data data{Eigen::MatrixXd(n, d), Eigen::VectorXd(n)};
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < d; ++j) {
      data.x(i, j) =
          j == categorical ? (static_cast<double>(rng.integer(0, 2)) + 0.5) / 3 : rng.uniform01();
    }
    data.y(i) = f(data.x.row(i));
  }
  return data;
}

double rms(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  return std::sqrt((a - b).squaredNorm() / static_cast<double>(a.size()));
}

double smooth_function(const Eigen::RowVectorXd& x) {
  return std::sin(6 * x(0)) + x(1) * x(1);
}

// A surrogate whose prediction is a known function, for testing the acquisition search alone.
class BowlSurrogate : public Surrogate {
 public:
  void fit(const Eigen::MatrixXd&, const Eigen::VectorXd&, std::uint64_t) override {}
  Prediction predict(const Eigen::MatrixXd& x) const override {
    Prediction p;
    p.mean = ((x.array() - 0.3).square()).rowwise().sum();
    p.variance = Eigen::VectorXd::Zero(x.rows());
    return p;
  }
  bool smooth() const override { return true; }
};

}  // namespace

TEST(GaussianProcess, LearnsASmoothFunctionAndIsCertainAtItsData) {
  const Data train = sample(40, 2, smooth_function, 1);
  const Data test = sample(200, 2, smooth_function, 2);
  GaussianProcess gp({false, false});
  gp.tune(train.x, train.y);
  gp.fit(train.x, train.y, 0);
  const Prediction at_test = gp.predict(test.x);
  EXPECT_LT(rms(at_test.mean, test.y), 0.05);
  const Prediction at_data = gp.predict(train.x);
  EXPECT_LT(rms(at_data.mean, train.y), 1e-2);
  EXPECT_LT(at_data.variance.maxCoeff(), 1e-3);
  // Far from the data (a corner outside the cube) the model is unsure.
  EXPECT_GT(gp.predict(Eigen::MatrixXd::Constant(1, 2, 3.0)).variance(0), 0.1);
}

TEST(GaussianProcess, TuningRaisesTheMarginalLikelihood) {
  const Data train = sample(30, 2, smooth_function, 3);
  GaussianProcess gp({false, false});
  gp.fit(train.x, train.y, 0);
  const double before = gp.log_marginal_likelihood();
  gp.tune(train.x, train.y);
  gp.fit(train.x, train.y, 0);
  EXPECT_GT(gp.log_marginal_likelihood(), before + 1);
  // The second input matters less than the first (sin(6 x) against x^2): a longer length scale.
  const auto& l = gp.hyperparameters().log_lengthscale;
  EXPECT_GT(l(1), l(0));
}

TEST(GaussianProcess, SeparatesTheLevelsOfACategoricalInput) {
  // The level decides the slope: up, down, or flat.
  auto f = [](const Eigen::RowVectorXd& x) {
    const int level = static_cast<int>(x(1) * 3);
    return level == 0 ? x(0) : level == 1 ? 1 - x(0) : 0.5;
  };
  const Data train = sample(40, 2, f, 4, 1);
  const Data test = sample(100, 2, f, 5, 1);
  GaussianProcess gp({false, true});
  gp.tune(train.x, train.y);
  gp.fit(train.x, train.y, 0);
  EXPECT_LT(rms(gp.predict(test.x).mean, test.y), 0.05);
}

TEST(RandomForest, MeanFollowsTheDataAndVarianceIsTheTreesDisagreement) {
  auto step = [](const Eigen::RowVectorXd& x) { return x(0) > 0.5 ? 1.0 : 0.0; };
  const Data train = sample(60, 3, step, 6);
  RandomForest forest({0, 0, 0}, {});
  forest.fit(train.x, train.y, 1);
  Eigen::MatrixXd probe(2, 3);
  probe << 0.1, 0.5, 0.5, 0.9, 0.5, 0.5;
  const Prediction p = forest.predict(probe);
  EXPECT_LT(p.mean(0), 0.2);
  EXPECT_GT(p.mean(1), 0.8);
  // Near the step the trees disagree more than far from it.
  Eigen::MatrixXd edge(1, 3);
  edge << 0.5, 0.5, 0.5;
  EXPECT_GT(forest.predict(edge).variance(0), p.variance(0));
  // Constant data: every tree says the same.
  RandomForest flat({0, 0, 0}, {});
  flat.fit(train.x, Eigen::VectorXd::Constant(train.x.rows(), 2.0), 1);
  EXPECT_EQ(flat.predict(probe).mean(0), 2.0);
  EXPECT_EQ(flat.predict(probe).variance(0), 0.0);
}

TEST(RandomForest, SplitsCategoriesByLevelNotByCode) {
  // Levels 0 and 2 are alike and level 1 differs: no threshold on the code separates them.
  auto f = [](const Eigen::RowVectorXd& x) { return static_cast<int>(x(0) * 3) == 1 ? 5.0 : 1.0; };
  const Data train = sample(40, 2, f, 7, 0);
  RandomForest::Options options;
  options.feature_fraction = 1;  // always try the categorical input
  RandomForest forest({3, 0}, options);
  forest.fit(train.x, train.y, 2);
  Eigen::MatrixXd probe(3, 2);
  probe << 0.5 / 3, 0.5, 1.5 / 3, 0.5, 2.5 / 3, 0.5;
  const Prediction p = forest.predict(probe);
  EXPECT_NEAR(p.mean(0), 1, 0.1);
  EXPECT_NEAR(p.mean(1), 5, 0.1);
  EXPECT_NEAR(p.mean(2), 1, 0.1);
}

TEST(RandomForest, SameSeedSameForest) {
  const Data train = sample(50, 3, smooth_function, 8);
  const Data test = sample(20, 3, smooth_function, 9);
  RandomForest a({0, 0, 0}, {}), b({0, 0, 0}, {}), c({0, 0, 0}, {});
  a.fit(train.x, train.y, 5);
  b.fit(train.x, train.y, 5);
  c.fit(train.x, train.y, 6);
  EXPECT_EQ(a.predict(test.x).mean, b.predict(test.x).mean);
  EXPECT_NE(a.predict(test.x).mean, c.predict(test.x).mean);
}

TEST(Acquisition, ExpectedImprovementMatchesItsClosedForm) {
  const double phi0 = 1 / std::sqrt(2 * 3.14159265358979323846);
  EXPECT_NEAR(expected_improvement(0, 1, 0), phi0, 1e-12);
  EXPECT_NEAR(expected_improvement(0, 4, 0), 2 * phi0, 1e-12);
  EXPECT_EQ(expected_improvement(-1, 0, 0), 1);  // certain improvement
  EXPECT_EQ(expected_improvement(1, 0, 0), 0);   // certain loss
  // More uncertainty is worth more at an equal mean; a better mean is worth more at equal doubt.
  EXPECT_GT(expected_improvement(1, 2, 0), expected_improvement(1, 1, 0));
  EXPECT_GT(expected_improvement(0.5, 1, 0), expected_improvement(1, 1, 0));
}

TEST(Acquisition, ConfidenceBoundTradesMeanForUncertaintyByLambda) {
  Prediction p{Eigen::Vector2d(1.0, 2.0), Eigen::Vector2d(0.0, 4.0)};
  Acquisition greedy{Acquisition::Kind::ConfidenceBound, 0, 0.0};
  Acquisition bold{Acquisition::Kind::ConfidenceBound, 0, 1.0};
  EXPECT_EQ(greedy.score(p), Eigen::Vector2d(-1.0, -2.0));
  EXPECT_EQ(bold.score(p), Eigen::Vector2d(-1.0, 0.0));
}

TEST(Acquisition, QlcbLambdasAreExponentialWithTheGivenMean) {
  Rng rng(11);
  double sum = 0;
  int above_mean = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    const double lambda = draw_lambda(2.0, rng);
    ASSERT_GE(lambda, 0);
    sum += lambda;
    above_mean += lambda > 2.0;
  }
  EXPECT_NEAR(sum / n, 2.0, 0.05);
  EXPECT_NEAR(static_cast<double>(above_mean) / n, std::exp(-1.0), 0.01);
}

TEST(AcquisitionSearch, FindsTheMaximumAndSkipsExcludedPoints) {
  json doc = json::parse(R"([{"name": "a", "type": "float", "lower": 0, "upper": 1},
                             {"name": "b", "type": "float", "lower": 0, "upper": 1}])");
  SpaceEncoding encoding(SearchSpace::parse(JsonView(doc, "space.json")));
  const BowlSurrogate bowl;
  const Acquisition greedy{Acquisition::Kind::ConfidenceBound, 0, 0.0};
  const AcquisitionSearch search;
  Rng rng(12);
  auto best = search.maximize(
      bowl, greedy, encoding, {{0.5, 0.5}}, [](const std::vector<double>&) { return false; }, rng);
  ASSERT_TRUE(best);
  EXPECT_NEAR((*best)[0], 0.3, 1e-3);
  EXPECT_NEAR((*best)[1], 0.3, 1e-3);

  // Everything excluded: nothing to propose.
  EXPECT_FALSE(search.maximize(
      bowl, greedy, encoding, {}, [](const auto&) { return true; }, rng));
  // The optimum excluded: the answer is elsewhere.
  auto other = search.maximize(
      bowl, greedy, encoding, {},
      [&](const std::vector<double>& u) { return std::abs(u[0] - 0.3) < 0.05; }, rng);
  ASSERT_TRUE(other);
  EXPECT_GE(std::abs((*other)[0] - 0.3), 0.05);
}
