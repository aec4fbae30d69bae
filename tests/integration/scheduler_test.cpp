// Schedulers through the real binary, on the curve model: every trial learns at one rate, so
// the ranking of trials is the ranking of their targets at every step, and the best trial must
// survive every rung while the others stop at a rung.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
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
  EXPECT_EQ(o.final.at(best).value("step", -1), 27);
  std::int64_t steps = 0;
  const std::set<std::int64_t> milestones = {1, 3, 9};
  for (const auto& [trial, r] : o.final) {
    steps += r.at("step").get<std::int64_t>();
    if (r["status"] == "stopped") {
      EXPECT_TRUE(milestones.count(r["step"])) << "trial " << trial << " stopped at " << r["step"];
      EXPECT_NE(r["value"], nullptr);
    } else {
      EXPECT_EQ(r["status"], "ok");
      EXPECT_EQ(r.value("step", -1), 27);
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
    EXPECT_EQ(r.value("step", -1), 20) << trial;
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

namespace {

// Four curve trainers under ltfb, meeting after steps 5, 10 and 15.
void write_ltfb_campaign(const fs::path& file, double step_s, const json& options = {}) {
  json scheduler = {{"name", "ltfb"}, {"max_resource", 20}, {"interval", 5}};
  if (!options.is_null()) scheduler.update(options);
  const json campaign = {{"name", "curve-ltfb"},
                         {"model", {{"name", "curve"}, {"params", {{"step_s", step_s}}}}},
                         {"space",
                          {{{"name", "target"}, {"type", "float"}, {"lower", 0}, {"upper", 1}},
                           {{"name", "rate"}, {"type", "float"}, {"lower", 0.05}, {"upper", 0.5}}}},
                         {"search", {{"algorithm", "random"}, {"budget", 4}, {"seed", 5}}},
                         {"scheduler", scheduler},
                         {"checkpoint", {{"every_steps", 5}}}};
  write_text(file, campaign.dump());
}

// From the journal: each trial's hyperparameters, the val_loss it reported at each step (the
// last attempt's), its tournament decisions and outcomes by step, and its final result.
struct Tournaments {
  std::map<std::int64_t, json> params;
  std::map<std::int64_t, std::map<std::int64_t, double>> loss;
  std::map<std::int64_t, std::map<std::int64_t, std::int64_t>> partner;  // by step
  std::map<std::int64_t, std::map<std::int64_t, json>> outcome;          // by step
  std::map<std::int64_t, json> final;
};

Tournaments tournaments(const fs::path& run) {
  Tournaments t;
  for (const auto& r : overseer::read_journal(run / "journal.jsonl").records) {
    const auto event = r["event"];
    if (event == "created") t.params[r["trial"]] = r["params"];
    if (event == "progress") t.loss[r["trial"]][r["step"]] = r["metrics"]["val_loss"];
    if (event == "decision" && r["decision"] == "tournament") {
      t.partner[r["trial"]][r["step"]] = r["why"]["partner"];
    }
    if (event == "tournament") t.outcome[r["trial"]][r["step"]] = r["tournament"];
    if (event == "result" && r["final"]) t.final[r["trial"]] = r;
  }
  return t;
}

// Every round pairs the four trainers two by two; each pair scored the same two states; the
// loser goes on from the winner's loss at its own rate towards its own target.
void expect_ltfb(const Tournaments& t) {
  ASSERT_EQ(t.final.size(), 4u);
  for (const auto& [trial, r] : t.final) {
    EXPECT_EQ(r["status"], "ok") << trial;
    EXPECT_EQ(r.value("step", -1), 20) << trial;
  }
  int exchanges = 0;
  for (std::int64_t step : {5, 10, 15}) {
    for (std::int64_t a = 0; a < 4; ++a) {
      ASSERT_TRUE(t.partner.count(a) && t.partner.at(a).count(step)) << a << " at " << step;
      const std::int64_t b = t.partner.at(a).at(step);
      ASSERT_NE(a, b);
      EXPECT_EQ(t.partner.at(b).at(step), a) << "pairs are mutual";
      const json& mine = t.outcome.at(a).at(step);
      const json& theirs = t.outcome.at(b).at(step);
      EXPECT_EQ(mine["partner"], b);
      EXPECT_DOUBLE_EQ(mine["own"].get<double>(), t.loss.at(a).at(step));
      EXPECT_DOUBLE_EQ(mine["partner_score"].get<double>(), theirs["own"].get<double>());
      EXPECT_EQ(mine["won"], mine["own"].get<double>() <= mine["partner_score"].get<double>());
      const double target = t.params.at(a)["target"], rate = t.params.at(a)["rate"];
      const double from = mine["won"] ? mine["own"] : mine["partner_score"];
      EXPECT_NEAR(t.loss.at(a).at(step + 1), target + (from - target) * std::exp(-rate), 1e-12)
          << "trial " << a << " after step " << step;
      exchanges += !mine["won"].get<bool>();
    }
  }
  EXPECT_GT(exchanges, 0);
}

}  // namespace

TEST(Scheduler, LtfbPairsTheTrainersAtEachIntervalAndTheLoserTakesTheWinnersState) {
  ScratchDir dir;
  write_ltfb_campaign(dir / "c.json", 0.01);
  auto r = run(overseer_command({"run", (dir / "c.json").string(), "--workers", "4", "--out",
                                 (dir / "run").string()}),
               dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_ltfb(tournaments(dir / "run"));
  // A trainer keeps only the snapshots a partner may still read.
  for (int trial = 0; trial < 4; ++trial) {
    const auto exchange = dir / "run" / "trials" / std::to_string(trial) / "exchange";
    EXPECT_TRUE(fs::is_directory(exchange / "step-15")) << exchange;
    EXPECT_FALSE(fs::exists(exchange / "step-5")) << exchange;
  }
  r = run(overseer_command({"status", (dir / "run").string()}), dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("tournaments: 12 at 3 steps, the partner's weights kept in "),
            std::string::npos)
      << r.out;
  // The report's lineage links each loser to the winner whose weights it took.
  r = run(overseer_command({"report", (dir / "run").string()}), dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html = read_text(dir / "run" / "report.html");
  const auto sections = section_ids(html);
  EXPECT_NE(std::find(sections.begin(), sections.end(), "population"), sections.end());
  EXPECT_NE(html.find(" from trial "), std::string::npos);
}

TEST(Scheduler, LtfbResumedAfterADrainInTheMiddleEndsAsAnUninterruptedRun) {
  ScratchDir dir;
  write_ltfb_campaign(dir / "c.json", 0.04);
  auto r = run(overseer_command({"run", (dir / "c.json").string(), "--workers", "4", "--out",
                                 (dir / "whole").string()}),
               dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run(overseer_command({"run", (dir / "c.json").string(), "--workers", "4", "--out",
                            (dir / "run").string(), "--set", "limits.walltime_s=0.5"}),
          dir.path());
  ASSERT_EQ(r.exit_code, 3) << r.err;
  EXPECT_LT(tournaments(dir / "run").final.size(), 4u);
  r = run(mpirun_command(
              5, {"run", (dir / "c.json").string(), "--out", (dir / "run").string(), "--resume"}),
          dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Tournaments resumed = tournaments(dir / "run");
  expect_ltfb(resumed);
  const Tournaments whole = tournaments(dir / "whole");
  for (std::int64_t trial = 0; trial < 4; ++trial) {
    EXPECT_EQ(resumed.partner.at(trial), whole.partner.at(trial)) << trial;
    EXPECT_DOUBLE_EQ(resumed.final.at(trial)["value"].get<double>(),
                     whole.final.at(trial)["value"].get<double>())
        << trial;
  }
}

TEST(Scheduler, LtfbWithPerturbGivesALoserNewHyperparametersFromTheWinnersState) {
  ScratchDir dir;
  write_ltfb_campaign(
      dir / "c.json", 0.01,
      {{"perturb", true}, {"hyperparameters", {"rate"}}, {"resample_probability", 0}});
  auto r = run(overseer_command({"run", (dir / "c.json").string(), "--workers", "4", "--out",
                                 (dir / "run").string()}),
               dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int perturbed = 0;
  std::map<std::int64_t, json> params;
  std::map<std::int64_t, std::int64_t> resumes_at;  // trial -> the step its next attempt left at
  for (const auto& rec : overseer::read_journal(dir / "run" / "journal.jsonl").records) {
    if (rec["event"] == "created") params[rec["trial"]] = rec["params"];
    if (rec["event"] == "progress" && resumes_at.count(rec["trial"])) {
      EXPECT_EQ(rec["step"], resumes_at[rec["trial"]] + 1) << "from its own checkpoint: " << rec;
      resumes_at.erase(rec["trial"]);
    }
    if (rec["event"] != "decision" || rec["decision"] != "exploit") continue;
    resumes_at[rec["trial"]] = rec["step"];
    ++perturbed;
    const std::int64_t trial = rec["trial"];
    EXPECT_EQ(rec["why"]["source"], trial);
    EXPECT_EQ(rec["why"]["params"]["target"], params[trial]["target"]) << "only rate is explored";
    const double rate = rec["why"]["params"]["rate"];
    const double ratio = rate / params[trial]["rate"].get<double>();
    EXPECT_TRUE(std::abs(ratio - 0.8) < 1e-9 || std::abs(ratio - 1.2) < 1e-9 || rate == 0.05 ||
                rate == 0.5)
        << rec;
    params[trial] = rec["why"]["params"];
  }
  EXPECT_GT(perturbed, 0);
  const Tournaments t = tournaments(dir / "run");
  ASSERT_EQ(t.final.size(), 4u);
  for (const auto& [trial, result] : t.final) EXPECT_EQ(result.value("step", -1), 20) << trial;
  // results.csv shows the hyperparameters each trial ended with.
  const auto rows = csv_rows(dir / "run" / "results.csv");
  ASSERT_EQ(rows.size(), 4u);
  for (const auto& row : rows) {
    const auto trial = std::stoll(row.at("trial_id"));
    EXPECT_DOUBLE_EQ(std::stod(row.at("param_rate")), params[trial]["rate"].get<double>());
  }
}

TEST(Scheduler, LtfbRefusesTooFewWorkersAndModelsWithoutTournaments) {
  ScratchDir dir;
  write_ltfb_campaign(dir / "c.json", 0);
  auto r = run(overseer_command({"run", (dir / "c.json").string(), "--workers", "3", "--out",
                                 (dir / "run").string()}),
               dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("c.json: /search/budget: scheduler \"ltfb\" trains its 4 trials at the "
                       "same time, but 3 worker(s) run only 3 at once"),
            std::string::npos)
      << r.err;
  r = run(overseer_command({"validate", (dir / "c.json").string(), "--set", "model.name=sleep"}),
          dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("c.json: /scheduler/name: model \"sleep\" cannot take part in ltfb "
                       "tournaments"),
            std::string::npos)
      << r.err;
}
