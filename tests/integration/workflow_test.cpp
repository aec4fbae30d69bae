// The drug-response workflows users start from, run as they would be: under mpirun on the
// bundled NCI-60 data, shortened with --set where a full run takes minutes.
#include <gtest/gtest.h>

#include <filesystem>
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
