#include <gtest/gtest.h>

#include <cmath>

#include "overseer/models/response_weights.hpp"
#include "overseer/models/trial_runner.hpp"
#include "process.hpp"

using namespace overseer;

namespace {

Campaign campaign_for(const std::string& model, json space, json limits = json::object()) {
  json doc = {{"name", "t"},
              {"model", {{"name", model}}},
              {"space", std::move(space)},
              {"search", {{"algorithm", "random"}, {"budget", 1}}},
              {"objective", {{"metric", "value"}}},
              {"limits", std::move(limits)}};
  return parse_campaign(doc, "c.json");
}

json floats(int n) {
  json space = json::array();
  for (int i = 1; i <= n; ++i) {
    space.push_back(
        {{"name", "x" + std::to_string(i)}, {"type", "float"}, {"lower", 0}, {"upper", 1}});
  }
  return space;
}

// xgboost on the bundled NCI-60 data, sampling half the rows for each tree: what it learns
// depends on the seed.
Campaign subsampling_xgboost(const std::string& seeds) {
  json doc = {
      {"name", "t"},
      {"model",
       {{"name", "xgboost"},
        {"seeds", seeds},
        {"params", {{"n_estimators", 5}, {"nthread", 1}, {"subsample", 0.5}}},
        {"data",
         {{"file", (test::source_dir() / "data" / "nci60.h5").string()}, {"split", "original"}}}}},
      {"objective", {{"metric", "val_loss"}}}};
  return parse_campaign(doc, "c.json");
}

TrialResult run_once(const Campaign& c, json params, int attempt = 1) {
  TrialRunner runner(c);
  return runner.run(TrialTask{0, attempt, std::move(params), {}});
}

}  // namespace

TEST(AnalyticModels, KnownOptima) {
  Campaign branin = campaign_for("branin", floats(2));
  EXPECT_NEAR(run_once(branin, {{"x1", M_PI}, {"x2", 2.275}}).value, 0.397887, 1e-5);
  Campaign hartmann = campaign_for("hartmann6", floats(6));
  json optimum = {{"x1", 0.20169},  {"x2", 0.150011}, {"x3", 0.476874},
                  {"x4", 0.275332}, {"x5", 0.311652}, {"x6", 0.6573}};
  EXPECT_NEAR(run_once(hartmann, optimum).value, -3.32237, 1e-4);
  Campaign rosenbrock = campaign_for("rosenbrock", floats(4));
  EXPECT_EQ(run_once(rosenbrock, {{"x1", 1}, {"x2", 1}, {"x3", 1}, {"x4", 1}}).value, 0.0);
  EXPECT_EQ(run_once(rosenbrock, {{"x1", 0}, {"x2", 0}, {"x3", 0}, {"x4", 0}}).value, 3.0);
}

TEST(AnalyticModels, MixedFunctionHasItsMinimumAtKindC) {
  Campaign mixed = campaign_for("mixed", floats(2));
  const json optimum = {{"x1", 0.35}, {"x2", 0.55}, {"n", 9}, {"kind", "c"}, {"flag", true}};
  EXPECT_NEAR(run_once(mixed, optimum).value, 0.0, 1e-12);
  json other_kind = optimum;
  other_kind["kind"] = "b";  // offset 0.3, and c's optimum is b's bowl side
  EXPECT_GT(run_once(mixed, other_kind).value, 0.3);
  json flag_off = optimum;
  flag_off["flag"] = false;
  EXPECT_NEAR(run_once(mixed, flag_off).value, 0.5, 1e-12);
  json bad_kind = optimum;
  bad_kind["kind"] = "e";
  TrialResult r = run_once(mixed, bad_kind);
  EXPECT_EQ(r.status, TrialStatus::Failed);
  EXPECT_EQ(r.message, "parameter \"kind\" must be one of a, b, c, d, found \"e\"");
  json missing_flag = optimum;
  missing_flag.erase("flag");
  EXPECT_EQ(run_once(mixed, missing_flag).message, "missing parameter \"flag\"");
}

TEST(AnalyticModels, MissingParameterFailsTheTrial) {
  TrialResult r = run_once(campaign_for("branin", floats(2)), {{"x1", 1.0}});
  EXPECT_EQ(r.status, TrialStatus::Failed);
  EXPECT_EQ(r.message, "missing parameter \"x2\"");
  EXPECT_TRUE(std::isnan(r.value));
}

TEST(SleepModel, ReportsDurationAndSleepsThatLong) {
  Campaign c = campaign_for(
      "sleep", json::parse(R"([{"name": "duration", "type": "float", "lower": 0, "upper": 1}])"));
  TrialResult r = run_once(c, {{"duration", 0.05}, {"value", 3.5}});
  EXPECT_EQ(r.status, TrialStatus::Ok);
  EXPECT_EQ(r.value, 3.5);
  EXPECT_GE(r.metrics.at("slept_s"), 0.05);
  EXPECT_GE(r.end - r.start, 0.05);
}

TEST(SleepModel, FailureModesBecomeTrialStatuses) {
  Campaign c = campaign_for(
      "sleep", json::parse(R"([{"name": "duration", "type": "float", "lower": 0, "upper": 1}])"),
      {{"task_timeout_s", 0.3}, {"cancel_grace_s", 0.2}});
  TrialResult thrown = run_once(c, {{"duration", 0.0}, {"fail", "throw"}});
  EXPECT_EQ(thrown.status, TrialStatus::Failed);
  EXPECT_EQ(thrown.message, "sleep model told to fail");

  EXPECT_EQ(run_once(c, {{"duration", 0.0}, {"fail", "nan"}}).status, TrialStatus::NaN);

  // Cooperative: a long sleep is cancelled at the deadline and stops within the grace period.
  TrialResult slow = run_once(c, {{"duration", 30.0}});
  EXPECT_EQ(slow.status, TrialStatus::Timeout);
  EXPECT_EQ(slow.message, "exceeded task_timeout_s=0.3");
  EXPECT_LT(slow.end - slow.start, 2.0);

  // A hang ignores cancellation: the runner gives up on it after the grace period.
  TrialResult hung = run_once(c, {{"duration", 0.0}, {"fail", "hang"}});
  EXPECT_EQ(hung.status, TrialStatus::Timeout);
  EXPECT_NE(hung.message.find("abandoned"), std::string::npos);
  EXPECT_LT(hung.end - hung.start, 2.0);
}

TEST(SleepModel, FailAttemptsLetsARetrySucceed) {
  Campaign c = campaign_for(
      "sleep", json::parse(R"([{"name": "duration", "type": "float", "lower": 0, "upper": 1}])"));
  json params = {{"duration", 0.0}, {"fail", "throw"}, {"fail_attempts", 1}};
  EXPECT_EQ(run_once(c, params, 1).status, TrialStatus::Failed);
  EXPECT_EQ(run_once(c, params, 2).status, TrialStatus::Ok);
}

TEST(TrialRunner, WritesParamsAndResultIntoTheTrialDirectory) {
  Campaign c = campaign_for("branin", floats(2));
  auto dir = std::filesystem::temp_directory_path() / "overseer-runner-test";
  std::filesystem::remove_all(dir);
  TrialRunner runner(c);
  runner.run(TrialTask{4, 1, {{"x1", 1.0}, {"x2", 2.0}}, dir / "4"});
  EXPECT_TRUE(std::filesystem::exists(dir / "4/params.json"));
  EXPECT_TRUE(std::filesystem::exists(dir / "4/result.json"));
  std::filesystem::remove_all(dir);
}

TEST(TrialRunner, FixedSeedsGiveTwoTrialsOfOnePointTheSameResult) {
  const json point = {{"max_depth", 3}};
  const Campaign per_trial = subsampling_xgboost("per_trial");
  TrialRunner own_seeds(per_trial);
  const TrialResult a = own_seeds.run(TrialTask{1, 1, point, {}});
  const TrialResult b = own_seeds.run(TrialTask{2, 1, point, {}});
  ASSERT_EQ(a.status, TrialStatus::Ok) << a.message;
  ASSERT_EQ(b.status, TrialStatus::Ok) << b.message;
  EXPECT_NE(a.value, b.value);

  const Campaign fixed = subsampling_xgboost("fixed");
  TrialRunner same_seed(fixed);
  const TrialResult c = same_seed.run(TrialTask{1, 1, point, {}});
  const TrialResult d = same_seed.run(TrialTask{2, 1, point, {}});
  ASSERT_EQ(c.status, TrialStatus::Ok) << c.message;
  EXPECT_EQ(c.value, d.value);
  EXPECT_EQ(c.metrics.at("val_r2"), d.metrics.at("val_r2"));
  EXPECT_EQ(c.metrics.at("train_loss"), d.metrics.at("train_loss"));
}

TEST(ResponseWeights, TheLowestResponsesWeighOnePlusAlphaAndTiesShareTheirRank) {
  const auto w = low_response_weights({3, 1, 2, 1}, 2);
  ASSERT_EQ(w.size(), 4u);
  // Ranks 3, 0.5, 2, 0.5 of n - 1 = 3.
  EXPECT_FLOAT_EQ(w[0], 1);
  EXPECT_FLOAT_EQ(w[1], 1 + 2 * (1 - 0.5 / 3));
  EXPECT_FLOAT_EQ(w[2], 1 + 2 * (1 - 2.0 / 3));
  EXPECT_FLOAT_EQ(w[3], w[1]);
  EXPECT_EQ(low_response_weights({5, 4}, 0), (std::vector<float>{1, 1}));
}
