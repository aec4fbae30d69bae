// Trials that span several ranks (model.ranks_per_trial): torch_mlp trained data parallel by
// groups of two workers under mpirun on NCI-60, against the same trials on one rank each; a
// group member killed mid-trial; and the campaigns that cannot have groups.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <map>

#include "overseer/store/journal.hpp"
#include "process.hpp"

using namespace overseer::test;
using overseer::json;
using overseer::read_journal;
namespace fs = std::filesystem;

namespace {

// Four small Uno trials; dropout 0, so that a group computes what one rank does, up to the
// order in which floating-point sums are taken. Plain SGD keeps those rounding differences at
// their size, where Adam's division by the running gradient size can make steps of them on
// some seeds (docs/models.md).
fs::path write_campaign(const ScratchDir& dir, int ranks_per_trial, int epochs,
                        int batch_size = 64) {
  const json campaign = {
      {"name", "groups"},
      {"model",
       {{"name", "torch_mlp"},
        {"ranks_per_trial", ranks_per_trial},
        {"params",
         {{"dense_feature_layers", {32}},
          {"dense", {32}},
          {"epochs", epochs},
          {"batch_size", batch_size},
          {"optimizer", "sgd"},
          {"threads", 1}}},
        {"data",
         {{"file", (source_dir() / "data" / "nci60.h5").string()}, {"split", "original"}}}}},
      {"space",
       {{{"name", "learning_rate"},
         {"type", "float"},
         {"lower", 1e-3},
         {"upper", 3e-2},
         {"log", true}}}},
      {"search", {{"algorithm", "random"}, {"budget", 4}, {"seed", 5}}}};
  const fs::path file = dir / ("groups-" + std::to_string(ranks_per_trial) + ".json");
  write_text(file, campaign.dump(2));
  return file;
}

std::vector<std::string> run_args(const fs::path& campaign, const fs::path& out,
                                  std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"run", campaign.string(), "--out", out.string()};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// trial -> its final result record.
std::map<std::int64_t, json> finals(const fs::path& run) {
  std::map<std::int64_t, json> out;
  for (const auto& r : read_journal(run / "journal.jsonl").records) {
    if (r.value("event", "") == "result" && r.value("final", false)) out[r.at("trial")] = r;
  }
  return out;
}

}  // namespace

TEST(RanksPerTrial, GroupsOfTwoTrainWhatOneRankTrainsAndEachTrialFinishesOnce) {
  ScratchDir dir;
  // Rank 0 serves; four workers make two groups of two.
  const ProcessResult grouped =
      run(mpirun_command(5, run_args(write_campaign(dir, 2, 3), dir / "grouped")), dir.path());
  ASSERT_EQ(grouped.exit_code, 0) << grouped.err;
  EXPECT_EQ(exactly_once_problem(dir / "grouped", 4), "");
  const ProcessResult single =
      run(mpirun_command(3, run_args(write_campaign(dir, 1, 3), dir / "single")), dir.path());
  ASSERT_EQ(single.exit_code, 0) << single.err;

  const auto by_group = finals(dir / "grouped");
  const auto by_one = finals(dir / "single");
  for (const auto& [trial, record] : by_group) {
    EXPECT_EQ(record.at("status"), "ok") << record.dump();
    ASSERT_TRUE(record.contains("group")) << record.dump();
    EXPECT_EQ(record.at("group").size(), 2u);
    // The group's first rank sent the result.
    EXPECT_EQ(record.at("rank"), record.at("group").at(0));
    EXPECT_FALSE(by_one.at(trial).contains("group"));
    const double grouped_loss = record.at("value").get<double>();
    const double single_loss = by_one.at(trial).at("value").get<double>();
    EXPECT_NEAR(grouped_loss, single_loss, 1e-6 * single_loss) << "trial " << trial;
  }
}

TEST(RanksPerTrial, TheMembersWeightsAgreeAfterEveryStep) {
  // One minibatch per epoch: the members compare fingerprints of their weights after each
  // epoch, so here after every step; a difference would fail the trial. The group size comes
  // from the site, as the campaign leaves it unset.
  ScratchDir dir;
  const fs::path campaign = write_campaign(dir, 1, 6, 1 << 20);
  json doc = json::parse(read_text(campaign));
  doc["model"].erase("ranks_per_trial");
  write_text(campaign, doc.dump());
  const json site = {{"name", "two-per-trial"},
                     {"scheduler", "none"},
                     {"layout", {{"ranks_per_node", 5}}},
                     {"ranks_per_trial", 2},
                     {"launcher", {"mpirun", "-np", "{ranks}"}}};
  write_text(dir / "site.json", site.dump());
  const ProcessResult r = run(
      mpirun_command(5, run_args(campaign, dir / "run", {"--site", (dir / "site.json").string()})),
      dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto records = finals(dir / "run");
  EXPECT_EQ(records.size(), 4u);
  for (const auto& [trial, record] : records) {
    EXPECT_EQ(record.at("status"), "ok") << record.dump();
    EXPECT_EQ(record.at("metrics").at("epochs"), 6);
    EXPECT_EQ(record.at("group").size(), 2u) << record.dump();
  }
}

TEST(RanksPerTrial, AKilledMemberEndsTheJobAndResumeRetriesItsTrialAsAWhole) {
  ScratchDir dir;
  const fs::path campaign = write_campaign(dir, 2, 8);
  const pid_t job = spawn(mpirun_command(5, run_args(campaign, dir / "run")), dir.path(),
                          dir / "out", dir / "err");
  // A trial done; the others running or queued on both groups.
  ASSERT_TRUE(
      wait_until([&] { return finished_count(dir / "run") >= 1; }, std::chrono::seconds(240)))
      << read_text(dir / "err");
  const pid_t member = mpi_rank_process(job, 2);
  ASSERT_GT(member, 0);
  ::kill(member, SIGKILL);
  EXPECT_NE(wait_for(job), 0);
  const auto before = finals(dir / "run");
  ASSERT_LT(before.size(), 4u) << "the campaign finished before the member was killed";

  const ProcessResult resumed =
      run(mpirun_command(5, run_args(campaign, dir / "run", {"--resume"})), dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(exactly_once_problem(dir / "run", 4), "");
  // The interrupted trials ran again from the start on whole groups; the finished ones stand.
  for (const auto& [trial, record] : finals(dir / "run")) {
    EXPECT_EQ(record.at("status"), "ok") << record.dump();
    EXPECT_EQ(record.at("group").size(), 2u) << record.dump();
    if (before.count(trial) != 0) {
      EXPECT_EQ(record, before.at(trial));
    }
  }
}

TEST(RanksPerTrial, ADrainPausesEveryMemberAtOneStepAndResumeContinuesTheGroupFromItsCheckpoint) {
  ScratchDir dir;
  const fs::path campaign = write_campaign(dir, 2, 12);
  const std::vector<std::string> checkpoints = {"--set", "checkpoint.every_steps=1"};
  const pid_t job = spawn(mpirun_command(5, run_args(campaign, dir / "run", checkpoints)),
                          dir.path(), dir / "out", dir / "err");
  const auto progressed = [&] {
    if (!fs::exists(dir / "run" / "journal.jsonl")) return false;
    for (const auto& r : read_journal(dir / "run" / "journal.jsonl").records) {
      if (r.value("event", "") == "checkpoint" && r.value("step", 0) >= 2) return true;
    }
    return false;
  };
  ASSERT_TRUE(wait_until(progressed, std::chrono::seconds(240))) << read_text(dir / "err");
  // What a batch system sends ahead of a job's end; mpirun passes SIGUSR1 on to every rank
  // (SIGTERM it answers by ending them itself once they are slow to exit).
  ::kill(job, SIGUSR1);
  EXPECT_NE(wait_for(job), 0) << read_text(dir / "err");  // resumable, not finished
  const auto journal = read_journal(dir / "run" / "journal.jsonl").records;
  ASSERT_FALSE(journal.empty());
  EXPECT_EQ(journal.back().value("reason", ""), "drained") << journal.back().dump();
  // Every group paused at an epoch's end rather than running out limits.drain_s.
  EXPECT_EQ(read_text(dir / "err").find("did not pause"), std::string::npos)
      << read_text(dir / "err");
  ASSERT_LT(finals(dir / "run").size(), 4u);

  auto resume = checkpoints;
  resume.push_back("--resume");
  const ProcessResult resumed =
      run(mpirun_command(5, run_args(campaign, dir / "run", resume)), dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(exactly_once_problem(dir / "run", 4), "");
  // A paused trial's first report after the resume is the step after its checkpoint.
  std::map<std::int64_t, std::int64_t> first_step_after_resume;
  int starts = 0;
  for (const auto& r : read_journal(dir / "run" / "journal.jsonl").records) {
    starts += r.value("event", "") == "start";
    if (starts == 2 && r.value("event", "") == "progress") {
      first_step_after_resume.emplace(r.at("trial"), r.at("step"));
    }
  }
  EXPECT_TRUE(std::any_of(first_step_after_resume.begin(), first_step_after_resume.end(),
                          [](const auto& entry) { return entry.second > 2; }));
  for (const auto& [trial, record] : finals(dir / "run")) {
    EXPECT_EQ(record.at("status"), "ok") << record.dump();
    EXPECT_EQ(record.at("metrics").at("epochs"), 12);
  }
}

TEST(RanksPerTrial, CampaignsThatCannotFormGroupsAreInputErrors) {
  ScratchDir dir;
  // More ranks per trial than workers.
  const auto r = run(mpirun_command(3, run_args(write_campaign(dir, 3, 1), dir / "a")), dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("/model/ranks_per_trial"), std::string::npos) << r.err;
  // Worker threads in one process have no communicator to share.
  const auto local =
      run(overseer_command(run_args(write_campaign(dir, 2, 1), dir / "b")), dir.path());
  EXPECT_EQ(local.exit_code, 2) << local.err;
  EXPECT_NE(local.err.find("mpirun"), std::string::npos) << local.err;
  // A model that trains on one rank.
  const ProcessResult xgb =
      run(overseer_command({"validate", workflow("nci60-xgboost-random.json").string(), "--set",
                            "model.ranks_per_trial=2"}),
          dir.path());
  EXPECT_EQ(xgb.exit_code, 2) << xgb.err;
  EXPECT_NE(xgb.err.find("/model/ranks_per_trial"), std::string::npos) << xgb.err;
  const ProcessResult zero =
      run(overseer_command({"validate", workflow("nci60-uno-random.json").string(), "--set",
                            "model.ranks_per_trial=0"}),
          dir.path());
  EXPECT_EQ(zero.exit_code, 2) << zero.err;
  EXPECT_NE(zero.err.find("ranks_per_trial must be between 1"), std::string::npos) << zero.err;
}

namespace {

// Two ltfb trainers of torch_mlp that never move their weights (learning rate 0), so that the
// validation loss is a function of the weights alone: after a tournament the loser's equals
// the winner's before it. Each trainer is `ranks` ranks.
fs::path write_ltfb_campaign(const ScratchDir& dir, int ranks) {
  const json campaign = {
      {"name", "ltfb"},
      {"model",
       {{"name", "torch_mlp"},
        {"ranks_per_trial", ranks},
        {"params",
         {{"dense_feature_layers", {16}},
          {"dense", {16}},
          {"learning_rate", 0},
          {"batch_size", 256},
          {"threads", 1}}},
        {"data",
         {{"file", (source_dir() / "data" / "nci60.h5").string()}, {"split", "original"}}}}},
      {"space", {{{"name", "dropout"}, {"type", "float"}, {"lower", 0}, {"upper", 0.2}}}},
      {"search", {{"algorithm", "random"}, {"budget", 2}, {"seed", 8}}},
      {"scheduler", {{"name", "ltfb"}, {"max_resource", 3}, {"interval", 1}}},
      {"checkpoint", {{"every_steps", 1}}}};
  const fs::path file = dir / ("ltfb-" + std::to_string(ranks) + ".json");
  write_text(file, campaign.dump(2));
  return file;
}

void expect_weights_exchanged(const fs::path& run) {
  std::map<std::int64_t, std::map<std::int64_t, double>> loss;  // trial, step
  std::map<std::int64_t, std::map<std::int64_t, json>> outcome;
  for (const auto& r : read_journal(run / "journal.jsonl").records) {
    if (r["event"] == "progress") loss[r["trial"]][r["step"]] = r["metrics"]["val_loss"];
    if (r["event"] == "tournament") outcome[r["trial"]][r["step"]] = r["tournament"];
  }
  int adopted = 0;
  for (std::int64_t step : {1, 2}) {
    for (std::int64_t trial : {0, 1}) {
      const json& o = outcome.at(trial).at(step);
      ASSERT_EQ(o["partner"], 1 - trial);
      const double mine = loss.at(trial).at(step), theirs = loss.at(1 - trial).at(step);
      EXPECT_DOUBLE_EQ(loss.at(trial).at(step + 1), o["won"] ? mine : theirs)
          << "trial " << trial << " after step " << step;
      adopted += !o["won"].get<bool>();
    }
  }
  EXPECT_GT(adopted, 0);
  for (const auto& [trial, record] : finals(run)) EXPECT_EQ(record["status"], "ok") << trial;
}

}  // namespace

TEST(RanksPerTrial, LtfbTrainersOfOneAndOfTwoRanksTakeTheWinnersWeights) {
  ScratchDir dir;
  const ProcessResult single =
      run(mpirun_command(3, run_args(write_ltfb_campaign(dir, 1), dir / "single")), dir.path());
  ASSERT_EQ(single.exit_code, 0) << single.err;
  expect_weights_exchanged(dir / "single");
  // In a group the leader plays the tournament and every member takes the weights that won;
  // the members' weights are compared at the end of each epoch.
  const ProcessResult grouped =
      run(mpirun_command(5, run_args(write_ltfb_campaign(dir, 2), dir / "grouped")), dir.path());
  ASSERT_EQ(grouped.exit_code, 0) << grouped.err;
  expect_weights_exchanged(dir / "grouped");
  EXPECT_EQ(exactly_once_problem(dir / "grouped", 2), "");
}
