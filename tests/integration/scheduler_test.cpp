// Schedulers through the real binary, on the curve model: every trial learns at one rate, so
// the ranking of trials is the ranking of their targets at every step, and the best trial must
// survive every rung while the others stop at a rung.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "html_checks.hpp"
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

namespace {

// A population of four curves, every one of them running at once, under pbt.
void write_pbt_campaign(const fs::path& file, double step_s) {
  const json campaign = {{"name", "curve-pbt"},
                         {"model", {{"name", "curve"}, {"params", {{"step_s", step_s}}}}},
                         {"space",
                          {{{"name", "target"}, {"type", "float"}, {"lower", 0}, {"upper", 1}},
                           {{"name", "rate"}, {"type", "float"}, {"lower", 0.05}, {"upper", 0.5}}}},
                         {"search", {{"algorithm", "random"}, {"budget", 4}, {"seed", 3}}},
                         {"scheduler", {{"name", "pbt"}, {"max_resource", 20}, {"interval", 5}}},
                         {"checkpoint", {{"every_steps", 5}}}};
  write_text(file, campaign.dump());
}

// What each trial did, from the journal: its exploits in order, its progress steps by attempt,
// and its final result.
struct Lineage {
  std::map<std::int64_t, std::vector<json>> exploits;
  std::map<std::int64_t, std::map<int, std::vector<std::int64_t>>> steps;
  std::set<std::int64_t> checkpointed;  // every step some trial saved its state at
  std::map<std::int64_t, json> final;
};

Lineage lineage(const fs::path& run) {
  Lineage l;
  for (const auto& r : overseer::read_journal(run / "journal.jsonl").records) {
    if (r["event"] == "decision" && r["decision"] == "exploit") l.exploits[r["trial"]].push_back(r);
    if (r["event"] == "progress") l.steps[r["trial"]][r["attempt"]].push_back(r["step"]);
    if (r["event"] == "checkpoint") l.checkpointed.insert(r["step"].get<std::int64_t>());
    if (r["event"] == "result" && r["final"]) {
      EXPECT_FALSE(l.final.count(r["trial"])) << "trial " << r["trial"] << " finished twice";
      l.final[r["trial"]] = r;
    }
  }
  return l;
}

// Every trial ends at step 20 with the hyperparameters of its last exploit, which results.csv
// shows too; after an exploit it goes on from a checkpointed step (every 5, or where a drain
// paused a trial), not from the step it had reached itself.
void expect_pbt(const fs::path& run) {
  const Lineage l = lineage(run);
  ASSERT_EQ(l.final.size(), 4u);
  EXPECT_FALSE(l.exploits.empty()) << "the bottom of a population of four copies the top";
  for (const auto& [trial, r] : l.final) {
    EXPECT_EQ(r["status"], "ok") << trial;
    EXPECT_EQ(r["step"], 20) << trial;
  }
  const auto rows = csv_rows(run / "results.csv");
  ASSERT_EQ(rows.size(), 4u);
  for (const auto& [trial, decisions] : l.exploits) {
    const json& last = decisions.back()["why"];
    const auto& row = rows[static_cast<std::size_t>(trial)];
    EXPECT_DOUBLE_EQ(std::stod(row.at("param_target")), last["params"]["target"].get<double>());
    EXPECT_DOUBLE_EQ(std::stod(row.at("param_rate")), last["params"]["rate"].get<double>());
    for (const auto& d : decisions) {
      EXPECT_NE(d["why"]["source"], trial);
      const int next = d["attempt"].get<int>() + 1;
      const auto steps = l.steps.find(trial);
      ASSERT_NE(steps, l.steps.end());
      const auto attempt = steps->second.find(next);
      if (attempt == steps->second.end()) continue;  // cut off by the drain
      EXPECT_TRUE(l.checkpointed.count(attempt->second.front() - 1))
          << "trial " << trial << " attempt " << next << " began at step "
          << attempt->second.front();
    }
  }
}

}  // namespace

TEST(Scheduler, PbtCopiesTheTopOfThePopulationIntoTheBottomAndExploresFromThere) {
  ScratchDir dir;
  write_pbt_campaign(dir / "c.json", 0.02);
  auto r = run(overseer_command({"run", (dir / "c.json").string(), "--workers", "4", "--out",
                                 (dir / "run").string()}),
               dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_pbt(dir / "run");
  // The report draws the lineage and each hyperparameter's schedule.
  r = run(overseer_command({"report", (dir / "run").string()}), dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html = read_text(dir / "run" / "report.html");
  const auto sections = section_ids(html);
  EXPECT_NE(std::find(sections.begin(), sections.end(), "population"), sections.end());
  for (const char* title : {"lineage", "target over the steps", "rate over the steps"}) {
    EXPECT_NE(html.find(title), std::string::npos) << title;
  }
  EXPECT_NE(html.find(" from trial "), std::string::npos);
  // The exports, written again from the journal alone, know the hyperparameters each trial
  // ended with.
  fs::remove(dir / "run" / "results.csv");
  r = run(overseer_command({"export", (dir / "run").string()}), dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_pbt(dir / "run");
}

TEST(Scheduler, PbtResumedAfterADrainInTheMiddleFinishesTheSamePopulation) {
  ScratchDir dir;
  write_pbt_campaign(dir / "c.json", 0.05);
  auto r = run(overseer_command({"run", (dir / "c.json").string(), "--workers", "4", "--out",
                                 (dir / "run").string(), "--set", "limits.walltime_s=0.6"}),
               dir.path());
  ASSERT_EQ(r.exit_code, 3) << r.err;
  EXPECT_LT(lineage(dir / "run").final.size(), 4u);
  r = run(mpirun_command(
              5, {"run", (dir / "c.json").string(), "--out", (dir / "run").string(), "--resume"}),
          dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_pbt(dir / "run");
  fs::remove(dir / "run" / "results.csv");
  r = run(overseer_command({"export", (dir / "run").string()}), dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_pbt(dir / "run");
}
