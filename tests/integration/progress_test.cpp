// Progress of running trials through the real binary: reported by the model after each step,
// carried to the master, journaled, and exported as progress.csv and results.csv's step.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <sstream>

#include "overseer/store/journal.hpp"
#include "process.hpp"

using namespace overseer::test;
using overseer::json;
namespace fs = std::filesystem;

namespace {

// The curve model: loss target + (1 + target - target) * exp(-rate * step), 6 trials of 5 steps.
void write_curve_campaign(const fs::path& file) {
  const json campaign = {
      {"name", "curve"},
      {"model", {{"name", "curve"}, {"params", {{"epochs", 5}, {"step_s", 0.01}}}}},
      {"space",
       {{{"name", "target"}, {"type", "float"}, {"lower", 0}, {"upper", 1}},
        {{"name", "rate"}, {"type", "float"}, {"lower", 0.1}, {"upper", 1}}}},
      {"search", {{"algorithm", "random"}, {"budget", 6}}}};
  write_text(file, campaign.dump());
}

std::vector<std::vector<std::string>> csv_cells(const fs::path& file) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(read_text(file));
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> cells;
    std::istringstream cells_in(line);
    for (std::string cell; std::getline(cells_in, cell, ',');) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

// Checks progress.csv against the curve each trial's parameters draw.
void expect_curves(const fs::path& run) {
  std::map<std::int64_t, json> params;
  for (const auto& r : overseer::read_journal(run / "journal.jsonl").records) {
    if (r["event"] == "created") params[r["trial"]] = r["params"];
  }
  const auto rows = csv_cells(run / "progress.csv");
  ASSERT_EQ(rows.size(), 1 + 6 * 5u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"trial_id", "attempt", "step", "time",
                                               "metric_epochs", "metric_val_loss"}));
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto trial = std::stoll(rows[i][0]);
    const auto step = std::stoll(rows[i][2]);
    EXPECT_EQ(trial, static_cast<std::int64_t>((i - 1) / 5));
    EXPECT_EQ(step, static_cast<std::int64_t>((i - 1) % 5 + 1));
    const double target = params.at(trial)["target"], rate = params.at(trial)["rate"];
    EXPECT_NEAR(std::stod(rows[i][5]), target + std::exp(-rate * static_cast<double>(step)), 1e-12);
  }
  const auto results = csv_cells(run / "results.csv");
  const auto step_column =
      std::find(results[0].begin(), results[0].end(), "step") - results[0].begin();
  for (std::size_t i = 1; i < results.size(); ++i) EXPECT_EQ(results[i][step_column], "5");
}

}  // namespace

TEST(Progress, ReportsOfEveryStepReachTheJournalAndProgressCsvUnderMpirun) {
  ScratchDir dir;
  write_curve_campaign(dir / "c.json");
  const ProcessResult r =
      run(mpirun_command(3, {"run", (dir / "c.json").string(), "--out", (dir / "run").string()}),
          dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_curves(dir / "run");

  // The journal alone rebuilds it.
  const std::string progress = read_text(dir / "run" / "progress.csv");
  fs::remove(dir / "run" / "progress.csv");
  ASSERT_EQ(run(overseer_command({"export", (dir / "run").string()}), dir.path()).exit_code, 0);
  EXPECT_EQ(read_text(dir / "run" / "progress.csv"), progress);
}

TEST(Progress, AModelOnItsOwnThreadUnderATimeoutReportsToo) {
  ScratchDir dir;
  write_curve_campaign(dir / "c.json");
  const ProcessResult r =
      run(overseer_command({"run", (dir / "c.json").string(), "--workers", "2", "--out",
                            (dir / "run").string(), "--set", "limits.task_timeout_s=30"}),
          dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_curves(dir / "run");
}
