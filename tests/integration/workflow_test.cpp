// The workflows users start from, run as they would be: under mpirun (on the bundled NCI-60
// data for the drug-response ones), shortened with --set where a full run takes minutes.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <numeric>
#include <set>
#include <vector>

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

// The searcher's "search" records, without their time stamps.
std::vector<json> search_events(const std::filesystem::path& run) {
  std::vector<json> events;
  for (auto& r : read_journal(run / "journal.jsonl").records) {
    if (r["event"] != "search") continue;
    r.erase("time");
    events.push_back(r);
  }
  return events;
}

std::vector<json> created_params(const std::filesystem::path& run) {
  std::vector<json> params;
  for (auto& r : read_journal(run / "journal.jsonl").records) {
    if (r["event"] == "created") params.push_back(r["params"]);
  }
  return params;
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

// `overseer run workflows/NAME --out OUT` with `args` added, under mpirun with 3 ranks.
ProcessResult run_workflow(const std::string& name, const std::filesystem::path& out,
                           std::vector<std::string> args = {}) {
  std::vector<std::string> command = {"run", workflow(name).string(), "--out", out.string()};
  command.insert(command.end(), args.begin(), args.end());
  return run(mpirun_command(3, command), out.parent_path());
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
  if (!torch_models_built()) GTEST_SKIP() << kNeedsTorch;
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

TEST(Workflows, Hartmann6GaJournalsEachGenerationUnderMpirun) {
  ScratchDir dir;
  auto r = run_workflow("hartmann6-ga.json", dir / "run", {"--set", "search.num_iterations=4"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(successful_trials(dir / "run"), 80u);
  const auto events = search_events(dir / "run");
  ASSERT_EQ(events.size(), 4u);
  const double best = json::parse(read_text(dir / "run" / "best.json"))["value"].get<double>();
  for (std::size_t g = 0; g < events.size(); ++g) {
    const json& e = events[g];
    EXPECT_EQ(e["algorithm"], "ga");
    EXPECT_EQ(e["generation"], g);
    EXPECT_EQ(e["evaluations"], 20 * (g + 1));  // steady state: a generation is 20 results
    EXPECT_EQ(e["population"], 20);
    EXPECT_EQ(e["failed"], 0);
    EXPECT_LE(e["min"].get<double>(), e["mean"].get<double>());
    EXPECT_LE(e["mean"].get<double>(), e["max"].get<double>());
    EXPECT_GE(e["min"].get<double>(), best);
    EXPECT_GE(best, -3.32237);
  }
  // Selection at work: the population improves on the random initial one.
  EXPECT_LT(events[3]["mean"].get<double>(), events[0]["mean"].get<double>());
}

TEST(Workflows, Hartmann6GenerationalGaRunsTheSameTrialsUnderMpirunAndInProcess) {
  ScratchDir dir;
  const std::vector<std::string> generational = {"--set", "search.mode=generational", "--set",
                                                 "search.num_iterations=4"};
  auto r = run_workflow("hartmann6-ga.json", dir / "mpi", generational);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> local = {"run",       workflow("hartmann6-ga.json").string(),
                                    "--out",     (dir / "local").string(),
                                    "--workers", "3"};
  local.insert(local.end(), generational.begin(), generational.end());
  r = run(overseer_command(local), dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;

  const auto events = search_events(dir / "mpi");
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0]["evaluations"], 20);
  for (std::size_t g = 1; g < events.size(); ++g) {
    // Unchanged copies of parents keep their fitness: at most 20 new evaluations.
    const auto added =
        events[g]["evaluations"].get<int>() - events[g - 1]["evaluations"].get<int>();
    EXPECT_GE(added, 1);
    EXPECT_LE(added, 20);
  }
  EXPECT_EQ(created_params(dir / "mpi").size(), events[3]["evaluations"].get<std::size_t>());
  EXPECT_EQ(created_params(dir / "mpi"), created_params(dir / "local"));
  EXPECT_EQ(search_events(dir / "local"), events);
}

TEST(Workflows, UnoGaBreedsNetworksOnNci60) {
  if (!torch_models_built()) GTEST_SKIP() << kNeedsTorch;
  ScratchDir dir;
  auto r = run_workflow("nci60-uno-ga.json", dir / "run",
                        {"--set", "search.population_size=3", "--set", "search.num_iterations=2",
                         "--set", "model.params.epochs=1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(successful_trials(dir / "run"), 6u);
  const auto events = search_events(dir / "run");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1]["evaluations"], 6);
  const json best = json::parse(read_text(dir / "run" / "best.json"));
  EXPECT_LE(best["value"].get<double>(), events[1]["min"].get<double>());
  EXPECT_TRUE(std::filesystem::exists(dir / "run" / "trials" /
                                      std::to_string(best["trial_id"].get<std::int64_t>()) /
                                      "checkpoint" / "model.pt"));
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

TEST(Workflows, IncrementalTreeOnNci60HoldsOutOneMoreSubsetPerStage) {
  if (!torch_models_built()) GTEST_SKIP() << kNeedsTorch;
  ScratchDir dir;
  auto r = run_workflow("nci60-incremental.json", dir / "run",
                        {"--set", "search.generator.subsets=3", "--set",
                         "search.generator.stages=1", "--set", "model.params.epochs=1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(successful_trials(dir / "run"), 4u);
  std::map<std::string, std::string> held_out;
  for (const auto& row : csv_rows(dir / "run" / "tree.csv")) {
    held_out[row.at("node")] = row.at("held_out");
  }
  const std::map<std::string, std::string> expected = {
      {"root", ""}, {"1", "1"}, {"2", "2"}, {"3", "3"}};
  EXPECT_EQ(held_out, expected);
}

TEST(Workflows, LearningCurveOnNci60FallsWithTheTrainingSize) {
  ScratchDir dir;
  auto r = run_workflow("nci60-learning-curve.json", dir / "run",
                        {"--set", "search.generator.num=3", "--set", "search.generator.repeats=2",
                         "--set", "model.params.n_estimators=30"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(successful_trials(dir / "run"), 6u);
  std::map<double, std::vector<double>> by_size;
  for (const auto& row : csv_rows(dir / "run" / "learning_curve.csv")) {
    by_size[std::stod(row.at("size"))].push_back(std::stod(row.at("value")));
  }
  ASSERT_EQ(by_size.size(), 3u);
  const auto mean = [](const std::vector<double>& v) {
    return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  };
  EXPECT_DOUBLE_EQ(by_size.rbegin()->first, 1.0);
  EXPECT_LT(mean(by_size.rbegin()->second), mean(by_size.begin()->second));
}

TEST(Workflows, ComboLtfbTrainersPlayTournamentsOnDrugPairs) {
  if (!torch_models_built()) GTEST_SKIP() << kNeedsTorch;
  ScratchDir dir;
  auto r = run_workflow("combo-ltfb.json", dir / "run",
                        {"--set", "search.budget=2", "--set", "scheduler.max_resource=4"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(successful_trials(dir / "run"), 2u);
  std::set<std::pair<std::int64_t, std::int64_t>> played;  // trial, step
  for (const auto& rec : read_journal(dir / "run" / "journal.jsonl").records) {
    if (rec["event"] == "tournament") {
      played.emplace(rec["trial"].get<std::int64_t>(), rec["step"].get<std::int64_t>());
    }
  }
  const std::set<std::pair<std::int64_t, std::int64_t>> expected = {{0, 2}, {1, 2}};
  EXPECT_EQ(played, expected);
}

TEST(Workflows, UnoPbtTrainsThePopulationToTheEndOnNci60) {
  if (!torch_models_built()) GTEST_SKIP() << kNeedsTorch;
  ScratchDir dir;
  auto r = run_workflow("nci60-uno-pbt.json", dir / "run",
                        {"--set", "search.budget=4", "--set", "scheduler.max_resource=4", "--set",
                         "scheduler.interval=2", "--set", "checkpoint.every_steps=2", "--set",
                         "model.params.dense_feature_layers=64", "--set", "model.params.dense=64"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(successful_trials(dir / "run"), 4u);
  for (const auto& rec : read_journal(dir / "run" / "journal.jsonl").records) {
    if (rec["event"] == "result" && rec["final"]) {
      EXPECT_EQ(rec.value("step", -1), 4) << rec;
    }
  }
}
