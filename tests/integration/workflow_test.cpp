// The workflows users start from, run as they would be: under mpirun (on the bundled NCI-60
// data for the drug-response ones), shortened with --set where a full run takes minutes.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <numeric>
#include <set>

#include "overseer/store/journal.hpp"
#include "process.hpp"

using namespace overseer::test;
using overseer::json;
using overseer::read_journal;

namespace {

// Final results per trial, checking that each trial finished once and successfully.
std::size_t successful_trials(const std::filesystem::path& run) {
  std::set<std::int64_t> trials;
  for (auto& r : read_journal(run / "journal.jsonl").records) {
    if (r["event"] != "result" || !r["final"]) continue;
    EXPECT_EQ(r["status"], "ok") << r.dump();
    EXPECT_TRUE(trials.insert(r["trial"].get<std::int64_t>()).second) << r.dump();
  }
  return trials.size();
}

// Objective values of the final results, by trial id.
std::vector<double> values_by_trial(const std::filesystem::path& run) {
  std::map<std::int64_t, double> values;
  for (auto& r : read_journal(run / "journal.jsonl").records) {
    if (r["event"] == "result" && r["final"]) values[r["trial"]] = r["value"];
  }
  std::vector<double> out;
  for (const auto& [trial, value] : values) out.push_back(value);
  return out;
}

std::set<json> distinct_params(const std::filesystem::path& run) {
  std::set<json> params;
  for (auto& r : read_journal(run / "journal.jsonl").records) {
    if (r["event"] == "created") params.insert(r["params"]);
  }
  return params;
}

std::set<std::string> trials_with_checkpoints(const std::filesystem::path& run) {
  std::set<std::string> found;
  for (const auto& trial : std::filesystem::directory_iterator(run / "trials")) {
    if (std::filesystem::exists(trial.path() / "checkpoint")) {
      found.insert(trial.path().filename().string());
    }
  }
  return found;
}

}  // namespace

TEST(Workflows, QuickstartTunesXgboostOnNci60) {
  ScratchDir dir;
  auto r = run(mpirun_command(3, {"run", workflow("quickstart.json").string(), "--out",
                                  (dir / "run").string(), "--set", "search.budget=4"}),
               dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(successful_trials(dir / "run"), 4u);
  const json best = json::parse(read_text(dir / "run" / "best.json"));
  EXPECT_GT(best.at("metrics").at("val_r2").get<double>(), 0.2) << best.dump();
  EXPECT_TRUE(std::filesystem::exists(dir / "run" / "trials" / "0" / "predictions_val.csv"));
}

TEST(Workflows, UnoRandomKeepsOnlyTheBestCheckpoint) {
  ScratchDir dir;
  auto r = run(mpirun_command(3, {"run", workflow("nci60-uno-random.json").string(), "--out",
                                  (dir / "run").string(), "--set", "search.budget=4", "--set",
                                  "model.params.epochs=1"}),
               dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(successful_trials(dir / "run"), 4u);
  const json best = json::parse(read_text(dir / "run" / "best.json"));
  EXPECT_GT(best.at("metrics").at("val_r2").get<double>(), 0.1) << best.dump();
  const std::string best_trial = std::to_string(best.at("trial_id").get<std::int64_t>());
  EXPECT_EQ(trials_with_checkpoints(dir / "run"), std::set<std::string>{best_trial});
  EXPECT_TRUE(
      std::filesystem::exists(dir / "run" / "trials" / best_trial / "checkpoint" / "model.pt"));
}

TEST(Workflows, Hartmann6BayesProposesBetterPointsThanItsDesign) {
  ScratchDir dir;
  auto r = run(mpirun_command(3, {"run", workflow("hartmann6-bayes.json").string(), "--out",
                                  (dir / "run").string(), "--set", "search.budget=40"}),
               dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(successful_trials(dir / "run"), 40u);
  EXPECT_EQ(distinct_params(dir / "run").size(), 40u);
  // The first 12 trials are the Latin hypercube design; the model's proposals, made while two
  // workers run trials in whatever order they finish, average far lower (-0.3 against < -1.5
  // when written).
  const std::vector<double> v = values_by_trial(dir / "run");
  const double design = std::accumulate(v.begin(), v.begin() + 12, 0.0) / 12;
  const double proposals = std::accumulate(v.begin() + 20, v.end(), 0.0) / 20;
  EXPECT_LT(proposals, design - 0.5) << "design " << design << ", proposals " << proposals;
}

TEST(Workflows, XgboostBayesOnNci60) {
  ScratchDir dir;
  auto r = run(mpirun_command(3, {"run", workflow("nci60-xgboost-bayes.json").string(), "--out",
                                  (dir / "run").string(), "--set", "search.budget=6", "--set",
                                  "search.n_init=3"}),
               dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(successful_trials(dir / "run"), 6u);
  EXPECT_EQ(distinct_params(dir / "run").size(), 6u);
  const json best = json::parse(read_text(dir / "run" / "best.json"));
  EXPECT_GT(best.at("metrics").at("val_r2").get<double>(), 0.2) << best.dump();
}
