#include <gtest/gtest.h>

#include <cmath>

#include "overseer/models/metrics.hpp"

using namespace overseer;

TEST(RegressionMetrics, MatchHandComputedValues) {
  const std::vector<float> truth = {1, 2, 3, 4};
  const std::vector<float> predicted = {1.5, 2, 2, 5};
  const Metrics m = regression_metrics(truth, predicted, "val_");
  // errors 0.5, 0, -1, 1: squared 0.25 + 0 + 1 + 1 = 2.25; absolute 2.5; total sum of squares 5
  EXPECT_DOUBLE_EQ(m.at("val_mse"), 2.25 / 4);
  EXPECT_DOUBLE_EQ(m.at("val_rmse"), std::sqrt(2.25 / 4));
  EXPECT_DOUBLE_EQ(m.at("val_mae"), 2.5 / 4);
  EXPECT_DOUBLE_EQ(m.at("val_r2"), 1 - 2.25 / 5);
  // scipy.stats.pearsonr([1,2,3,4],[1.5,2,2,5]) and spearmanr (ties averaged: 1, 2.5, 2.5, 4)
  EXPECT_NEAR(m.at("val_pearson"), 0.8468017304727874, 1e-12);
  EXPECT_NEAR(m.at("val_spearman"), 0.9486832980505138, 1e-12);
}

TEST(RegressionMetrics, NonFinitePredictionsMakeEveryMetricNaN) {
  const Metrics m = regression_metrics({1, 2}, {1, std::nanf("")});
  ASSERT_EQ(m.size(), regression_metric_names().size());
  for (const auto& [name, value] : m) EXPECT_TRUE(std::isnan(value)) << name;
  EXPECT_TRUE(std::isnan(regression_metrics({1, 2}, {1, INFINITY}).at("mse")));
}

TEST(RegressionMetrics, ConstantTruthHasNoCorrelationOrR2) {
  const Metrics m = regression_metrics({2, 2, 2}, {1, 2, 3});
  EXPECT_DOUBLE_EQ(m.at("mse"), 2.0 / 3);
  EXPECT_TRUE(std::isnan(m.at("r2")));
  EXPECT_TRUE(std::isnan(m.at("pearson")));
}

TEST(RegressionMetrics, RejectsMismatchedLengths) {
  EXPECT_THROW(regression_metrics({1, 2}, {1}), std::invalid_argument);
  EXPECT_THROW(regression_metrics({}, {}), std::invalid_argument);
}

TEST(ParameterReaders, AcceptGoodValuesAndFallBack) {
  const json p = {{"epochs", 5.0}, {"opt", "sgd"}, {"flag", true}, {"dense", 64}, {"layers", 2}};
  EXPECT_EQ(int_param(p, "epochs", 1, 1, 10), 5);
  EXPECT_EQ(int_param(p, "absent", 7, 1, 10), 7);
  EXPECT_EQ(choice_param(p, "opt", "adam", {"adam", "sgd"}), "sgd");
  EXPECT_TRUE(bool_param(p, "flag", false));
  EXPECT_EQ(sizes_param(p, "dense", {1}, "layers", 3), (std::vector<std::int64_t>{64, 64}));
  EXPECT_EQ(sizes_param({{"dense", {8, 4}}}, "dense", {1}, "layers", 3),
            (std::vector<std::int64_t>{8, 4}));
  EXPECT_EQ(sizes_param(p, "absent", {3}, "layers", 3), (std::vector<std::int64_t>{3}));
  EXPECT_DOUBLE_EQ(number_param(p, "absent", 0.5, 0, 1), 0.5);
}

TEST(ParameterReaders, NameTheParameterWhenWrong) {
  const auto message = [](auto&& read) {
    try {
      read();
    } catch (const ParameterError& e) {
      return e.parameter() + ": " + e.what();
    }
    return std::string("no error");
  };
  EXPECT_EQ(message([] {
              int_param({{"epochs", 2.5}}, "epochs", 1, 1, 10);
            }),
            "epochs: parameter \"epochs\" must be a whole number in [1, 10], found 2.5");
  EXPECT_EQ(message([] {
              choice_param({{"opt", "lbfgs"}}, "opt", "adam", {"adam", "sgd"});
            }),
            "opt: parameter \"opt\" must be one of adam, sgd, found \"lbfgs\"");
  EXPECT_EQ(message([] {
              number_param({{"lr", "fast"}}, "lr", 0.1, 0, 1);
            }),
            "lr: parameter \"lr\" must be a number, found \"fast\"");
  EXPECT_EQ(message([] {
              sizes_param({{"dense", {8, 0}}}, "dense", {1}, "layers", 3);
            }),
            "dense: parameter \"dense\" must be a whole number in [1, 1048576], found 0");
}
