// Progress of running trials through the real binary: reported by the model after each step,
// carried to the master, journaled, and exported as progress.csv and results.csv's step.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <numeric>
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

  // results.h5's group `progress` holds the same rows.
  const ProcessResult h5 =
      run({"/usr/bin/python3", (source_dir() / "tests" / "python" / "check_results_h5.py").string(),
           (dir / "run").string()},
          dir.path());
  EXPECT_EQ(h5.exit_code, 0) << h5.out << h5.err;
  EXPECT_NE(h5.out.find("results.h5/progress/: 30 rows x 6 columns checked"), std::string::npos)
      << h5.out;

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

// limits.walltime_s: the running trials pause at a checkpoint, the run ends with exit code 3 and
// the command to resume it; the resumed run (another rank count) continues each trial from its
// pause and so reports every step exactly once, with the uninterrupted run's final values.
TEST(Progress, AtItsWalltimeTheRunPausesItsTrialsAndResumeContinuesThem) {
  ScratchDir dir;
  const json campaign = {
      {"name", "walltime"},
      {"model", {{"name", "curve"}, {"params", {{"epochs", 20}, {"step_s", 0.05}}}}},
      {"space",
       {{{"name", "target"}, {"type", "float"}, {"lower", 0}, {"upper", 1}},
        {{"name", "rate"}, {"type", "float"}, {"lower", 0.1}, {"upper", 1}}}},
      {"search", {{"algorithm", "random"}, {"budget", 4}}},
      {"checkpoint", {{"every_steps", 1000}}},
      {"limits", {{"walltime_s", 0.5}}}};
  write_text(dir / "c.json", campaign.dump());
  const ProcessResult paused =
      run(mpirun_command(3, {"run", (dir / "c.json").string(), "--out", (dir / "run").string()}),
          dir.path());
  ASSERT_EQ(paused.exit_code, 3) << paused.err;
  EXPECT_NE(paused.err.find("--resume"), std::string::npos) << paused.err;
  const auto records = overseer::read_journal(dir / "run" / "journal.jsonl").records;
  EXPECT_EQ(records.back()["event"], "end");
  EXPECT_EQ(records.back()["reason"], "walltime");
  // Each trial that had begun saved a checkpoint where it paused, after its last report.
  std::map<std::int64_t, std::int64_t> last_step, checkpoint_step;
  for (const auto& r : records) {
    if (r["event"] == "progress") last_step[r["trial"]] = r["step"];
    if (r["event"] == "checkpoint") checkpoint_step[r["trial"]] = r["step"];
  }
  EXPECT_FALSE(last_step.empty());
  EXPECT_EQ(checkpoint_step, last_step);

  const ProcessResult resumed =
      run(overseer_command({"run", (dir / "c.json").string(), "--out", (dir / "run").string(),
                            "--resume", "--workers", "3", "--set", "limits.walltime_s=0"}),
          dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  std::map<std::int64_t, std::vector<std::int64_t>> steps;
  std::map<std::int64_t, json> params;
  std::map<std::int64_t, double> values;
  for (const auto& r : overseer::read_journal(dir / "run" / "journal.jsonl").records) {
    if (r["event"] == "progress") steps[r["trial"]].push_back(r["step"]);
    if (r["event"] == "created") params[r["trial"]] = r["params"];
    if (r["event"] == "result" && r["status"] == "ok") values[r["trial"]] = r["value"];
  }
  ASSERT_EQ(values.size(), 4u);
  std::vector<std::int64_t> every(20);
  std::iota(every.begin(), every.end(), 1);
  for (const auto& [trial, value] : values) {
    EXPECT_EQ(steps[trial], every) << "trial " << trial;
    const double target = params[trial]["target"], rate = params[trial]["rate"];
    EXPECT_NEAR(value, target + std::exp(-rate * 20), 1e-12) << "trial " << trial;
  }
}
