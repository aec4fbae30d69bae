// The model comparison workflows (dense-noise, cmp-grid, cmp-ga, cmp-bayes) run end to end
// under mpirun on the bundled NCI-60 data with small budgets, and `overseer validate` rejects a
// comparison whose routed parameters one submodel cannot take.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>

#include "input_error.hpp"
#include "overseer/store/journal.hpp"
#include "process.hpp"

using namespace overseer::test;
using overseer::json;
using overseer::read_journal;

namespace {

// Final journal results, checking that each trial finished once.
std::vector<json> final_results(const std::filesystem::path& run) {
  std::vector<json> results;
  std::set<std::int64_t> trials;
  for (auto& r : read_journal(run / "journal.jsonl").records) {
    if (r["event"] != "result" || !r["final"]) continue;
    EXPECT_TRUE(trials.insert(r["trial"].get<std::int64_t>()).second) << r.dump();
    results.push_back(r);
  }
  return results;
}

ProcessResult run_workflow(const std::string& name, const std::filesystem::path& out,
                           std::vector<std::string> args) {
  std::vector<std::string> command = {"run", workflow(name).string(), "--out", out.string()};
  command.insert(command.end(), args.begin(), args.end());
  return run(mpirun_command(3, command), out.parent_path());
}

std::string header_of(const std::filesystem::path& csv) {
  std::istringstream in(read_text(csv));
  std::string header;
  std::getline(in, header);
  return header;
}

// A comparison's results: both submodels' metrics in the journal and results.csv, and each
// submodel's predictions in its own directory of the trial.
void expect_comparisons(const std::filesystem::path& run, std::size_t trials) {
  const auto results = final_results(run);
  ASSERT_EQ(results.size(), trials);
  for (const json& r : results) {
    EXPECT_EQ(r["status"], "ok") << r.dump();
    const json& m = r["metrics"];
    for (const char* name : {"m0_val_loss", "m1_val_loss", "m0_val_r2", "m1_val_r2"}) {
      EXPECT_TRUE(m.contains(name)) << name << " in " << r.dump();
    }
    const double v0 = m["m0_val_loss"], v1 = m["m1_val_loss"];
    EXPECT_NEAR(r["value"].get<double>(), -std::abs(v1 - v0) / std::max(v0, v1), 1e-12);
    const auto dir = run / "trials" / std::to_string(r["trial"].get<std::int64_t>());
    EXPECT_TRUE(std::filesystem::exists(dir / "m0" / "predictions_val.csv")) << dir;
    EXPECT_TRUE(std::filesystem::exists(dir / "m1" / "predictions_val.csv")) << dir;
  }
  const std::string header = header_of(run / "results.csv");
  for (const char* column : {"metric_difference", "metric_m0_val_loss", "metric_m1_val_loss",
                             "metric_m0_time_s", "param_cmp_0_dense", "param_noise"}) {
    EXPECT_NE(header.find(column), std::string::npos) << column << " in " << header;
  }
}

void run_comparison(const std::string& name, const std::vector<std::string>& args,
                    std::size_t trials) {
  ScratchDir dir;
  auto r = run_workflow(name, dir / "run", args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_comparisons(dir / "run", trials);
  // The report shows the comparison view for a real cmp run, with its charts.
  auto report = run(overseer_command({"report", (dir / "run").string()}), dir.path());
  ASSERT_EQ(report.exit_code, 0) << report.err;
  const std::string html = read_text(dir / "run" / "report.html");
  const auto view = html.find("<section id=\"cmp\">");
  ASSERT_NE(view, std::string::npos);
  EXPECT_NE(html.find("<svg", view), std::string::npos);
}

}  // namespace

TEST(CompareWorkflows, DenseNoiseGridsNoiseByWidth) {
  if (!torch_models_built()) GTEST_SKIP() << kNeedsTorch;
  ScratchDir dir;
  auto r = run_workflow("dense-noise.json", dir / "run", {"--set", "search.budget=4"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto results = final_results(dir / "run");
  ASSERT_EQ(results.size(), 4u);
  std::set<json> widths;
  for (const json& result : results) {
    EXPECT_EQ(result["status"], "ok") << result.dump();
    EXPECT_GT(result["metrics"]["val_loss"].get<double>(), 0);
  }
  for (auto& record : read_journal(dir / "run" / "journal.jsonl").records) {
    if (record["event"] == "created") widths.insert(record["params"]["dense"]);
  }
  EXPECT_EQ(widths, (std::set<json>{2, 4, 8, 16}));  // the first grid row: noise 0
}

TEST(CompareWorkflows, CmpGridComparesTorchMlpWithXgboost) {
  if (!torch_models_built()) GTEST_SKIP() << kNeedsTorch;
  run_comparison("cmp-grid.json", {"--set", "search.budget=4"}, 4);
}

TEST(CompareWorkflows, CmpGaBreedsComparisons) {
  if (!torch_models_built()) GTEST_SKIP() << kNeedsTorch;
  run_comparison("cmp-ga.json", {"--set", "search.population_size=3", "--set", "search.budget=5"},
                 5);
}

TEST(CompareWorkflows, CmpBayesProposesComparisons) {
  if (!torch_models_built()) GTEST_SKIP() << kNeedsTorch;
  run_comparison("cmp-bayes.json", {"--set", "search.n_init=3", "--set", "search.budget=5"}, 5);
}

// One point of cmp-grid trained four times, on two workers: with per-trial seeds torch_mlp
// starts from other weights (and both models see other label noise) each time; with fixed seeds
// every training is the same, so the value is a function of the point. Worker threads of one
// process, which share LibTorch's generator, train the same as MPI ranks, dropout masks included.
TEST(CompareSeeds, FixedSeedsMakeTheDifferenceAFunctionOfThePoint) {
  if (!torch_models_built()) GTEST_SKIP() << kNeedsTorch;
  ScratchDir dir;
  // How many distinct m0 losses, m1 losses and values the four trainings gave.
  auto distinct = [&](const std::string& seeds, bool threads, double dropout = 0) {
    const std::string tag =
        seeds + (threads ? "-threads" : "-ranks") + (dropout > 0 ? "-dropout" : "");
    std::string repeats;
    for (int k = 0; k < 4; ++k) {
      json point = {{"id", "repeat-" + std::to_string(k)}, {"noise", 0.5}, {"cmp_0_dense", 8}};
      if (dropout > 0) point["cmp_0_dropout"] = dropout;
      repeats += point.dump() + "\n";
    }
    const auto points = dir / (tag + ".jsonl");
    write_text(points, repeats);
    const auto out = dir / tag;
    const std::vector<std::string> args = {"--set", "search.algorithm=upf",
                                           "--set", "search.file=" + points.string(),
                                           "--set", "model.seeds=" + seeds};
    std::vector<std::string> command = {
        "run", workflow("cmp-grid.json").string(), "--out", out.string(), "--workers", "2"};
    command.insert(command.end(), args.begin(), args.end());
    auto r = threads ? run(overseer_command(command), dir.path())
                     : run_workflow("cmp-grid.json", out, args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::set<double> m0, m1, values;
    for (const json& result : final_results(out)) {
      EXPECT_EQ(result["status"], "ok") << result.dump();
      m0.insert(result["metrics"]["m0_val_loss"].get<double>());
      m1.insert(result["metrics"]["m1_val_loss"].get<double>());
      values.insert(result["value"].get<double>());
    }
    return std::array<std::size_t, 3>{m0.size(), m1.size(), values.size()};
  };
  EXPECT_EQ(distinct("per_trial", false), (std::array<std::size_t, 3>{4, 4, 4}));
  EXPECT_EQ(distinct("fixed", false), (std::array<std::size_t, 3>{1, 1, 1}));
  EXPECT_EQ(distinct("fixed", true), (std::array<std::size_t, 3>{1, 1, 1}));
  EXPECT_EQ(distinct("fixed", true, 0.3), (std::array<std::size_t, 3>{1, 1, 1}));
}

TEST(CompareValidate, RejectsARoutedParameterOneSubmodelCannotTake) {
  if (!torch_models_built()) GTEST_SKIP() << kNeedsTorch;
  ScratchDir dir;
  expect_input_error(
      run(overseer_command({"validate", workflow("cmp-grid.json").string(), "--set",
                            "model.params.cmp_1_max_depth=80"}),
          dir.path()),
      workflow("cmp-grid.json").string() +
          ": /model/params/cmp_1_max_depth: model \"cmp\": submodel 1 (xgboost): parameter "
          "\"max_depth\" must be a whole number in [0, 64], found 80");
}

TEST(CompareValidate, ChecksTheSubmodelsOfAComparisonWrittenInline) {
  ScratchDir dir;
  const json campaign = {
      {"name", "c"},
      {"model",
       {{"name", "cmp"},
        {"data", {{"metric", "value"}, {"models", {{{"name", "sleep"}}, {{"name", "sleep"}}}}}}}},
      {"space",
       {{{"name", "duration"}, {"type", "float"}, {"lower", 0}, {"upper", 1}},
        {{"name", "cmp_1_duration"}, {"type", "float"}, {"lower", -2}, {"upper", -1}}}},
      {"search", {{"algorithm", "random"}, {"budget", 3}}}};
  write_text(dir / "c.json", campaign.dump());
  expect_input_error(run(overseer_command({"validate", "c.json"}), dir.path()),
                     "c.json: /space/1: model \"cmp\": submodel 1 (sleep): parameter "
                     "\"duration\" must not be negative");

  json no_models = campaign;
  no_models["model"]["data"].erase("models");
  write_text(dir / "c.json", no_models.dump());
  expect_input_error(run(overseer_command({"validate", "c.json"}), dir.path()),
                     "c.json: /model/data/models: required field is missing");
}

TEST(CompareTrain, OneComparisonOutsideACampaign) {
  ScratchDir dir;
  const json data = {{"metric", "value"}, {"models", {{{"name", "sleep"}}, {{"name", "branin"}}}}};
  auto r = run(overseer_command({"train", "--model", "cmp", "--data", data.dump(), "--params",
                                 R"({"duration": 0, "value": 3, "x1": 0, "x2": 0})"}),
               dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json result = json::parse(r.out);
  EXPECT_EQ(result["metrics"]["m0_value"], 3.0);
  EXPECT_NEAR(result["metrics"]["m1_value"].get<double>(), 55.6021, 1e-3);  // branin(0, 0)
  EXPECT_NEAR(result["value"].get<double>(), -(55.6021 - 3) / 55.6021, 1e-4);
}
