// The cmp model: parameter routing, the difference functions, and whole comparison trials with
// the sleep model (cheap, and able to fail on demand) and xgboost on the bundled NCI-60 data.
#include <gtest/gtest.h>

#include <cmath>

#include "input_error.hpp"
#include "overseer/core/random.hpp"
#include "overseer/models/cmp_difference.hpp"
#include "overseer/models/cmp_routing.hpp"
#include "overseer/models/trial_runner.hpp"
#include "process.hpp"

using namespace overseer;
using overseer::test::input_error;
using overseer::test::read_text;
using overseer::test::ScratchDir;
using overseer::test::source_dir;

namespace {

std::string routing_error(const json& params) {
  try {
    route_cmp_params(params, 0);
  } catch (const ParameterError& e) {
    return e.parameter() + ": " + e.what();
  }
  return "(no ParameterError)";
}

// A comparison of two sleep models, `data` merged into the cmp model's own data.
Campaign sleep_comparison(json data = json::object(), json params = json::object()) {
  json cmp = {{"models", {{{"name", "sleep"}}, {{"name", "sleep"}}}}, {"metric", "value"}};
  for (const auto& item : data.items()) cmp[item.key()] = item.value();
  json doc = {{"name", "t"},
              {"model", {{"name", "cmp"}, {"params", std::move(params)}, {"data", cmp}}},
              {"space", json::parse(R"([{"name": "duration", "type": "float", "lower": 0,
                                        "upper": 1}])")},
              {"search", {{"algorithm", "random"}, {"budget", 1}, {"seed", 5}}}};
  Campaign c = parse_campaign(doc, "c.json");
  c.objective.metric = "difference";
  return c;
}

TrialResult run_trial(const Campaign& c, json params, const std::filesystem::path& dir = {}) {
  TrialRunner runner(c);
  return runner.run(TrialTask{3, 1, std::move(params), dir});
}

json submodel_result(const std::filesystem::path& trial_dir, int index) {
  return json::parse(read_text(trial_dir / ("m" + std::to_string(index)) / "result.json"));
}

bool overlapped(const std::filesystem::path& trial_dir) {
  const json m0 = submodel_result(trial_dir, 0);
  const json m1 = submodel_result(trial_dir, 1);
  return m0["start"].get<double>() < m1["end"].get<double>() &&
         m1["start"].get<double>() < m0["end"].get<double>();
}

std::string check_error(const Campaign& c, const json& params) {
  auto model = find_model(c).create(c);
  try {
    model->check(params);
  } catch (const ParameterError& e) {
    return e.parameter() + ": " + e.what();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(CmpRouting, PrefixesPickTheSubmodel) {
  const json params = {{"width", 64}, {"cmp_epochs", 2}, {"cmp_0_depth", 3}, {"cmp_1_eta", 0.1}};
  EXPECT_EQ(route_cmp_params(params, 0).params, (json{{"width", 64}, {"epochs", 2}, {"depth", 3}}));
  EXPECT_EQ(route_cmp_params(params, 1).params, (json{{"width", 64}, {"epochs", 2}, {"eta", 0.1}}));
  const RoutedParams zero = route_cmp_params(params, 0);
  EXPECT_EQ(zero.origin.at("depth"), "cmp_0_depth");
  EXPECT_EQ(zero.origin.at("epochs"), "cmp_epochs");
  EXPECT_EQ(zero.origin.at("width"), "width");
}

TEST(CmpRouting, TheMostSpecificNameWins) {
  // Whatever the order in which the names arrive.
  const json params = {{"cmp_0_x", 3}, {"cmp_x", 2}, {"x", 1}, {"y", 1}, {"cmp_y", 2}};
  EXPECT_EQ(route_cmp_params(params, 0).params, (json{{"x", 3}, {"y", 2}}));
  EXPECT_EQ(route_cmp_params(params, 1).params, (json{{"x", 2}, {"y", 2}}));
  EXPECT_EQ(route_cmp_params(params, 0).origin.at("x"), "cmp_0_x");
  EXPECT_EQ(route_cmp_params(params, 1).origin.at("y"), "cmp_y");
}

TEST(CmpRouting, NamesThatOnlyLookLikePrefixesGoToBoth) {
  const json params = {{"cmpx", 1}, {"cmp_0x", 2}, {"cmp_x_0_", 3}};
  const json expected = {{"cmpx", 1}, {"0x", 2}, {"x_0_", 3}};
  EXPECT_EQ(route_cmp_params(params, 0).params, expected);
  EXPECT_EQ(route_cmp_params(params, 1).params, expected);
  EXPECT_EQ(route_cmp_params(json::object(), 0).params, json::object());
}

TEST(CmpRouting, PrefixesWithoutANameOrWithAnotherSubmodelAreErrors) {
  EXPECT_EQ(routing_error({{"cmp_", 1}}),
            "cmp_: parameter \"cmp_\" names no parameter after its prefix");
  EXPECT_EQ(routing_error({{"cmp_1_", 1}}),
            "cmp_1_: parameter \"cmp_1_\" names no parameter after its prefix");
  EXPECT_EQ(routing_error({{"cmp_2_x", 1}}),
            "cmp_2_x: parameter \"cmp_2_x\": the cmp model routes cmp_0_ and cmp_1_ to its two "
            "submodels; there is no submodel 2");
  EXPECT_EQ(routing_error({{"cmp_01_x", 1}}).substr(0, 9), "cmp_01_x:");
}

TEST(CmpDifference, RelativeIsThePapersFormulaForPositiveValues) {
  const auto rel = CmpDifference::Relative;
  EXPECT_DOUBLE_EQ(cmp_difference(rel, 1.0, 2.0), -0.5);
  EXPECT_DOUBLE_EQ(cmp_difference(rel, 2.0, 1.0), -0.5);
  EXPECT_DOUBLE_EQ(cmp_difference(rel, 0.3, 0.4), -0.1 / 0.4);
  EXPECT_DOUBLE_EQ(cmp_difference(rel, 0.0, 5.0), -1.0);
}

TEST(CmpDifference, RelativeOfEqualAndZeroValuesIsZero) {
  const auto rel = CmpDifference::Relative;
  EXPECT_EQ(cmp_difference(rel, 0.0, 0.0), 0.0);
  EXPECT_FALSE(std::signbit(cmp_difference(rel, 0.0, 0.0)));
  EXPECT_EQ(cmp_difference(rel, 0.7, 0.7), 0.0);
  EXPECT_EQ(cmp_difference(rel, -0.7, -0.7), 0.0);
}

TEST(CmpDifference, RelativeStaysNonPositiveForNegativeValues) {
  // r2 below zero: max(V0, V1) would be <= 0 and flip the sign; the magnitudes do not.
  const auto rel = CmpDifference::Relative;
  EXPECT_DOUBLE_EQ(cmp_difference(rel, -0.5, -1.0), -0.5);
  EXPECT_DOUBLE_EQ(cmp_difference(rel, 0.0, -1.0), -1.0);
  EXPECT_DOUBLE_EQ(cmp_difference(rel, 0.5, -0.5), -2.0);
  EXPECT_DOUBLE_EQ(cmp_difference(rel, -0.2, 0.8), -1.0 / 0.8);
  for (double a : {-3.0, -1.0, -0.1, 0.0, 0.1, 2.0}) {
    for (double b : {-2.0, -0.5, 0.0, 0.5, 4.0}) {
      const double v = cmp_difference(rel, a, b);
      EXPECT_LE(v, 0.0) << a << " " << b;
      EXPECT_GE(v, -2.0) << a << " " << b;
      EXPECT_EQ(v, cmp_difference(rel, b, a)) << a << " " << b;
    }
  }
}

TEST(CmpDifference, AbsoluteAndSigned) {
  EXPECT_DOUBLE_EQ(cmp_difference(CmpDifference::Absolute, 1.0, 3.5), -2.5);
  EXPECT_DOUBLE_EQ(cmp_difference(CmpDifference::Absolute, 3.5, 1.0), -2.5);
  EXPECT_DOUBLE_EQ(cmp_difference(CmpDifference::Absolute, -1.0, -3.5), -2.5);
  EXPECT_EQ(cmp_difference(CmpDifference::Absolute, 0.0, 0.0), 0.0);
  EXPECT_FALSE(std::signbit(cmp_difference(CmpDifference::Absolute, -2.0, -2.0)));
  EXPECT_DOUBLE_EQ(cmp_difference(CmpDifference::Signed, 1.0, 3.5), 2.5);
  EXPECT_DOUBLE_EQ(cmp_difference(CmpDifference::Signed, 3.5, 1.0), -2.5);
  EXPECT_DOUBLE_EQ(cmp_difference(CmpDifference::Signed, -1.0, -3.5), -2.5);
  EXPECT_EQ(cmp_difference(CmpDifference::Signed, 0.0, 0.0), 0.0);
}

TEST(CmpDifference, NonFiniteValuesGiveNaN) {
  for (const auto& name : cmp_difference_names()) {
    const CmpDifference kind = parse_cmp_difference(name);
    EXPECT_TRUE(std::isnan(cmp_difference(kind, std::nan(""), 1.0))) << name;
    EXPECT_TRUE(std::isnan(cmp_difference(kind, 1.0, INFINITY))) << name;
  }
  EXPECT_THROW(parse_cmp_difference("ratio"), std::invalid_argument);
}

TEST(CmpModel, RecordsBothSubmodelsAndTheirDifference) {
  ScratchDir dir;
  const Campaign c = sleep_comparison();
  const TrialResult r =
      run_trial(c, {{"duration", 0.01}, {"cmp_0_value", 2.0}, {"cmp_1_value", 3.0}}, dir / "3");
  ASSERT_EQ(r.status, TrialStatus::Ok) << r.message;
  EXPECT_DOUBLE_EQ(r.value, -1.0 / 3.0);
  EXPECT_EQ(r.metrics.at("m0_value"), 2.0);
  EXPECT_EQ(r.metrics.at("m1_value"), 3.0);
  EXPECT_GE(r.metrics.at("m0_slept_s"), 0.01);
  EXPECT_GE(r.metrics.at("m1_slept_s"), 0.01);
  EXPECT_GE(r.metrics.at("m1_time_s"), 0.01);
  // Each submodel has its own directory, routed parameters and seed.
  EXPECT_EQ(json::parse(read_text(dir / "3/m0/params.json")),
            (json{{"duration", 0.01}, {"value", 2.0}}));
  EXPECT_EQ(json::parse(read_text(dir / "3/m1/params.json")),
            (json{{"duration", 0.01}, {"value", 3.0}}));
  const std::uint64_t trial_seed = mix_seed(5, 3);
  EXPECT_EQ(submodel_result(dir / "3", 0)["seed"], mix_seed(trial_seed, 0));
  EXPECT_EQ(submodel_result(dir / "3", 1)["seed"], mix_seed(trial_seed, 1));
  EXPECT_EQ(submodel_result(dir / "3", 1)["metrics"]["value"], 3.0);
}

TEST(CmpModel, DifferenceAndMetricAreConfigurable) {
  const json params = {{"duration", 0.0}, {"cmp_0_value", 2.0}, {"cmp_1_value", 3.0}};
  EXPECT_EQ(run_trial(sleep_comparison({{"difference", "signed"}}), params).value, 1.0);
  EXPECT_EQ(run_trial(sleep_comparison({{"difference", "absolute"}}), params).value, -1.0);
  // slept_s is the duration: equal for both, up to the scheduler's jitter, which a sleep of
  // 0.2 s keeps small next to it on a loaded machine (a sleep of 0 made it the whole value).
  json slept_params = params;
  slept_params["duration"] = 0.2;
  const TrialResult slept = run_trial(sleep_comparison({{"metric", "slept_s"}}), slept_params);
  EXPECT_LE(slept.value, 0.0);
  EXPECT_GT(slept.value, -0.5);
}

TEST(CmpModel, SubmodelFixedParametersAreUnderTheTrialsOnes) {
  json data = {{"models",
                {{{"name", "sleep"}, {"params", {{"value", 4.0}, {"duration", 0.0}}}},
                 {{"name", "sleep"}, {"params", {{"value", 4.0}, {"duration", 0.0}}}}}}};
  const TrialResult r = run_trial(sleep_comparison(data), {{"cmp_1_value", 1.0}});
  ASSERT_EQ(r.status, TrialStatus::Ok) << r.message;
  EXPECT_EQ(r.metrics.at("m0_value"), 4.0);
  EXPECT_EQ(r.metrics.at("m1_value"), 1.0);
}

TEST(CmpModel, AFailingSubmodelFailsTheTrialSayingWhich) {
  ScratchDir dir;
  const Campaign c = sleep_comparison();
  TrialResult r = run_trial(c, {{"duration", 0.0}, {"cmp_1_fail", "throw"}});
  EXPECT_EQ(r.status, TrialStatus::Failed);
  EXPECT_EQ(r.message, "submodel 1 (sleep) failed: sleep model told to fail");

  // Run one after the other, a failed first submodel spares the second's training.
  r = run_trial(c, {{"duration", 0.0}, {"cmp_0_fail", "throw"}}, dir / "3");
  EXPECT_EQ(r.message, "submodel 0 (sleep) failed: sleep model told to fail");
  EXPECT_EQ(submodel_result(dir / "3", 0)["status"], "failed");
  EXPECT_FALSE(std::filesystem::exists(dir / "3/m1/result.json"));

  // Run at once, both failures are reported.
  r = run_trial(sleep_comparison({{"concurrency", "concurrent"}}),
                {{"duration", 0.0}, {"fail", "throw"}});
  EXPECT_EQ(r.message,
            "submodel 0 (sleep) failed: sleep model told to fail; submodel 1 (sleep) failed: sleep "
            "model told to fail");
}

TEST(CmpModel, NaNFromEitherSubmodelIsStatusNaN) {
  const Campaign c = sleep_comparison();
  for (const char* name : {"cmp_0_fail", "cmp_1_fail"}) {
    const TrialResult r = run_trial(c, {{"duration", 0.0}, {name, "nan"}});
    EXPECT_EQ(r.status, TrialStatus::NaN) << name;
    EXPECT_TRUE(std::isnan(r.value));
  }
}

TEST(CmpModel, ARoutingErrorFailsTheTrial) {
  const Campaign c = sleep_comparison();
  EXPECT_EQ(run_trial(c, {{"duration", 0.0}, {"cmp_", 1}}).message,
            "parameter \"cmp_\" names no parameter after its prefix");
}

TEST(CmpModel, SubmodelsRunAtOnceWhenConfiguredOrOnDifferentGpus) {
  ScratchDir dir;
  const json params = {{"duration", 0.5}};
  ASSERT_EQ(run_trial(sleep_comparison({{"concurrency", "concurrent"}}), params, dir / "a").status,
            TrialStatus::Ok);
  EXPECT_TRUE(overlapped(dir / "a"));
  run_trial(sleep_comparison({{"concurrency", "sequential"}}), params, dir / "b");
  EXPECT_FALSE(overlapped(dir / "b"));
  run_trial(sleep_comparison(), params, dir / "c");  // auto, one device
  EXPECT_FALSE(overlapped(dir / "c"));

  json on_two_gpus = params;
  on_two_gpus["cmp_0_device"] = "cuda:0";
  on_two_gpus["cmp_1_device"] = "cuda:1";
  run_trial(sleep_comparison(), on_two_gpus, dir / "d");
  EXPECT_TRUE(overlapped(dir / "d"));
  json on_one_gpu = params;
  on_one_gpu["device"] = "cuda:1";
  run_trial(sleep_comparison(), on_one_gpu, dir / "e");
  EXPECT_FALSE(overlapped(dir / "e"));
}

TEST(CmpModel, AWorkerWithTwoDevicesGivesOneToEachSubmodel) {
  ScratchDir dir;
  const Campaign c = sleep_comparison();
  auto model = find_model(c).create(c);
  RunContext context;
  context.run_dir = dir / "t";
  context.device = "cuda:0";
  context.devices = {"cuda:0", "cuda:1"};
  const Metrics m = model->evaluate({{"duration", 0.5}, {"value", 1.0}}, context);
  EXPECT_EQ(m.at("difference"), 0.0);
  EXPECT_TRUE(overlapped(dir / "t"));
  EXPECT_EQ(submodel_result(dir / "t", 0)["device"], "cuda:0");
  EXPECT_EQ(submodel_result(dir / "t", 1)["device"], "cuda:1");
}

TEST(CmpModel, CheckNamesTheParameterAsTheUserWroteIt) {
  const Campaign c = sleep_comparison();
  EXPECT_EQ(check_error(c, {{"duration", 0.1}, {"cmp_1_duration", -1}}),
            "cmp_1_duration: submodel 1 (sleep): parameter \"duration\" must not be negative");
  EXPECT_EQ(check_error(c, {{"duration", 0.1}, {"fail", "often"}}),
            "fail: submodel 0 (sleep): parameter \"fail\" must be none, throw, nan or hang, not "
            "\"often\"");
  EXPECT_EQ(check_error(c, {{"cmp_0_duration", 0.1}}),
            "cmp_1_duration: submodel 1 (sleep): missing parameter \"duration\"");
  EXPECT_EQ(check_error(c, {{"duration", 0.1}}), "(no error)");
  json fixed_bad = {{"models",
                     {{{"name", "sleep"}, {"params", {{"duration", 0.1}}}},
                      {{"name", "sleep"}, {"params", {{"duration", -2}}}}}}};
  EXPECT_EQ(check_error(sleep_comparison(fixed_bad), json::object()),
            "c.json: /model/data/models/1/params/duration: submodel 1 (sleep): parameter "
            "\"duration\" must not be negative");
}

TEST(CmpModel, InvalidDataIsAnInputErrorAtItsPointer) {
  auto error = [](json data) {
    return input_error([&] {
      const Campaign c = sleep_comparison(std::move(data));
      find_model(c).create(c);
    });
  };
  EXPECT_EQ(error({{"models", {{{"name", "sleep"}}}}}),
            "c.json: /model/data/models: the cmp model compares two submodels, found 1");
  EXPECT_EQ(error({{"models", {{{"name", "sleep"}}, {{"name", "slep"}}}}}).substr(0, 56),
            "c.json: /model/data/models/1/name: unknown model \"slep\";");
  EXPECT_EQ(error({{"metric", "val_loss"}}),
            "c.json: /model/data/metric: submodel 0 (sleep) does not report \"val_loss\"; it "
            "reports: value, slept_s");
  EXPECT_EQ(error({{"difference", "ratio"}}),
            "c.json: /model/data/difference: difference must be relative, absolute or signed, "
            "not \"ratio\"");
  EXPECT_EQ(error({{"concurrency", "both"}}),
            "c.json: /model/data/concurrency: concurrency must be auto, concurrent or "
            "sequential, not \"both\"");
  EXPECT_EQ(
      error({{"models", {{{"name", "sleep"}, {"param", {}}}, {{"name", "sleep"}}}}}),
      "c.json: /model/data/models/0/param: unknown field \"param\" (did you mean \"params\"?)");
}

TEST(CmpModel, ComparesXgboostOnCleanAndNoisyNci60Labels) {
  ScratchDir dir;
  const json submodel = {{"name", "xgboost"},
                         {"params", {{"n_estimators", 5}, {"nthread", 1}, {"max_depth", 3}}},
                         {"data", {{"file", (source_dir() / "data/nci60.h5").string()}}}};
  json doc = {{"name", "t"},
              {"model", {{"name", "cmp"}, {"data", {{"models", {submodel, submodel}}}}}},
              {"search", {{"algorithm", "random"}, {"budget", 1}}}};
  Campaign c = parse_campaign(doc, "c.json");
  c.objective.metric = "difference";
  const TrialResult r = run_trial(c, {{"cmp_1_noise", 1.0}}, dir / "3");
  ASSERT_EQ(r.status, TrialStatus::Ok) << r.message;
  // Noisy labels train a worse model; scores are against clean labels for both.
  EXPECT_GT(r.metrics.at("m1_val_loss"), r.metrics.at("m0_val_loss"));
  EXPECT_LT(r.metrics.at("m1_val_r2"), r.metrics.at("m0_val_r2"));
  EXPECT_DOUBLE_EQ(r.value, cmp_difference(CmpDifference::Relative, r.metrics.at("m0_val_loss"),
                                           r.metrics.at("m1_val_loss")));
  EXPECT_LT(r.value, 0.0);
  for (const char* sub : {"m0", "m1"}) {
    EXPECT_TRUE(std::filesystem::exists(dir / "3" / sub / "predictions_val.csv")) << sub;
  }
}
