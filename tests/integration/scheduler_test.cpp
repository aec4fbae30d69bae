// Schedulers through the real binary, on the curve model: every trial learns at one rate, so
// the ranking of trials is the ranking of their targets at every step, and the best trial must
// survive every rung while the others stop at a rung.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "overseer/store/journal.hpp"
#include "process.hpp"

using namespace overseer::test;
using overseer::json;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> curve_run(const fs::path& out, const std::string& scheduler,
                                   std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"run",   (out.parent_path() / "c.json").string(),
                                   "--out", out.string(),
                                   "--set", "scheduler.name=" + scheduler};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

void write_campaign(const fs::path& file, double step_s) {
  const json campaign = {
      {"name", "curve-asha"},
      {"model", {{"name", "curve"}, {"params", {{"rate", 0.3}, {"step_s", step_s}}}}},
      {"space", {{{"name", "target"}, {"type", "float"}, {"lower", 0}, {"upper", 1}}}},
      {"search", {{"algorithm", "random"}, {"budget", 40}, {"seed", 3}}},
      {"scheduler",
       {{"name", "asha"}, {"min_resource", 1}, {"max_resource", 27}, {"reduction_factor", 3}}}};
  write_text(file, campaign.dump());
}

struct Outcome {
  std::map<std::int64_t, double> target;  // by trial
  std::map<std::int64_t, json> final;     // the final result record
  std::size_t decisions = 0;
};

Outcome outcome(const fs::path& run) {
  Outcome o;
  for (const auto& r : overseer::read_journal(run / "journal.jsonl").records) {
    if (r["event"] == "created") o.target[r["trial"]] = r["params"]["target"];
    if (r["event"] == "decision") ++o.decisions;
    if (r["event"] == "result" && r["final"]) {
      EXPECT_FALSE(o.final.count(r["trial"])) << "trial " << r["trial"] << " finished twice";
      o.final[r["trial"]] = r;
    }
  }
  return o;
}

void expect_successive_halving(const Outcome& o) {
  ASSERT_EQ(o.final.size(), 40u);
  std::int64_t best = 0;
  for (const auto& [trial, target] : o.target) {
    if (target < o.target.at(best)) best = trial;
  }
  EXPECT_EQ(o.final.at(best)["status"], "ok");
  EXPECT_EQ(o.final.at(best)["step"], 27);
  std::int64_t steps = 0;
  const std::set<std::int64_t> milestones = {1, 3, 9};
  for (const auto& [trial, r] : o.final) {
    steps += r["step"].get<std::int64_t>();
    if (r["status"] == "stopped") {
      EXPECT_TRUE(milestones.count(r["step"])) << "trial " << trial << " stopped at " << r["step"];
      EXPECT_NE(r["value"], nullptr);
    } else {
      EXPECT_EQ(r["status"], "ok");
      EXPECT_EQ(r["step"], 27);
    }
  }
  // Most of the 40 x 27 steps of training to the end are saved.
  EXPECT_LT(steps, 40 * 27 / 3);
}

}  // namespace

TEST(Scheduler, AshaUnderMpirunKeepsTheBestTrialAndStopsTheOthersAtRungs) {
  ScratchDir dir;
  write_campaign(dir / "c.json", 0.002);
  const ProcessResult r = run(mpirun_command(4, curve_run(dir / "run", "asha")), dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_successive_halving(outcome(dir / "run"));
  const ProcessResult status =
      run(overseer_command({"status", (dir / "run").string()}), dir.path());
  EXPECT_NE(status.out.find("stopped"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("rungs: 1 steps "), std::string::npos) << status.out;

  // The report draws a learning curve per trial, stopped ones faded, and the rungs.
  ASSERT_EQ(run(overseer_command({"report", (dir / "run").string()}), dir.path()).exit_code, 0);
  const std::string html = read_text(dir / "run" / "report.html");
  const auto section = [&](const std::string& id) {
    const auto begin = html.find("<section id=\"" + id + "\">");
    EXPECT_NE(begin, std::string::npos) << id;
    return begin == std::string::npos ? ""
                                      : html.substr(begin, html.find("</section>", begin) - begin);
  };
  const auto count = [](const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  };
  std::size_t stopped = 0;
  for (const auto& [trial, result] : outcome(dir / "run").final) {
    stopped += result["status"] == "stopped";
  }
  const std::string curves = section("learning-curves");
  EXPECT_EQ(count(curves, "<path class=\"series"), 40u);
  EXPECT_EQ(count(curves, "<path class=\"series faded\""), stopped);
  const std::string rungs = section("rungs");
  EXPECT_EQ(count(rungs, "<tr><td>0</td>"), 3u) << "one row per rung of the single bracket";
  EXPECT_EQ(count(rungs, "<circle class=\"point\""), outcome(dir / "run").decisions);
}

TEST(Scheduler, AshaResumedMidwayOnOtherRanksStillRunsEachTrialOnce) {
  ScratchDir dir;
  write_campaign(dir / "c.json", 0.02);
  const pid_t job = spawn(mpirun_command(4, curve_run(dir / "run", "asha")), dir.path(),
                          dir / "out", dir / "err");
  ASSERT_TRUE(wait_until([&] { return finished_count(dir / "run") >= 10; }))
      << read_text(dir / "err");
  kill_tree(job);
  wait_for(job);
  const Outcome before = outcome(dir / "run");
  ASSERT_LT(before.final.size(), 40u) << "the campaign ended before it was killed";

  const ProcessResult resumed =
      run(mpirun_command(3, curve_run(dir / "run", "asha", {"--resume"})), dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const Outcome after = outcome(dir / "run");
  expect_successive_halving(after);
  for (const auto& [trial, r] : before.final) EXPECT_EQ(after.final.at(trial), r) << trial;
}

TEST(Scheduler, MedianAndHyperbandStopSomeTrialsAndKeepTheBest) {
  ScratchDir dir;
  write_campaign(dir / "c.json", 0);
  for (const std::string scheduler : {"median", "hyperband"}) {
    const ProcessResult r = run(
        overseer_command(curve_run(dir / scheduler, scheduler, {"--workers", "2"})), dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const Outcome o = outcome(dir / scheduler);
    ASSERT_EQ(o.final.size(), 40u);
    std::int64_t best = 0, stopped = 0;
    for (const auto& [trial, target] : o.target) {
      if (target < o.target.at(best)) best = trial;
    }
    for (const auto& [trial, result] : o.final) stopped += result["status"] == "stopped";
    EXPECT_EQ(o.final.at(best)["status"], "ok") << scheduler;
    EXPECT_GT(stopped, 10) << scheduler;
  }
}
