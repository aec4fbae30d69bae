// The master with in-process workers: the whole run path except MPI.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "overseer/cli/run_campaign.hpp"
#include "overseer/core/error.hpp"
#include "overseer/store/journal.hpp"
#include "process.hpp"

using namespace overseer;
using overseer::test::read_text;
using overseer::test::ScratchDir;
using overseer::test::workflow;
using overseer::test::write_text;

namespace {

const std::atomic<int> kNoSignal{0};

int run_local(const std::string& campaign, const std::filesystem::path& out,
              std::vector<std::string> overrides = {}, bool resume = false, int workers = 2) {
  cli::RunOptions options;
  options.campaign = campaign;
  options.out = out.string();
  options.overrides = std::move(overrides);
  options.resume = resume;
  options.workers = workers;
  return cli::run_in_process(options, kNoSignal);
}

std::vector<json> records(const std::filesystem::path& run, const std::string& event) {
  std::vector<json> out;
  for (auto& r : read_journal(run / "journal.jsonl").records) {
    if (r["event"] == event) out.push_back(r);
  }
  return out;
}

// trial id -> (params, value) of every final result.
std::map<std::int64_t, std::pair<json, json>> final_results(const std::filesystem::path& run) {
  std::map<std::int64_t, json> params;
  for (auto& r : records(run, "created")) params[r["trial"]] = r["params"];
  std::map<std::int64_t, std::pair<json, json>> out;
  for (auto& r : records(run, "result")) {
    if (r["final"]) out[r["trial"]] = {params.at(r["trial"]), r["value"]};
  }
  return out;
}

}  // namespace

TEST(Master, RandomSearchFinishesItsBudgetAndWritesTheRunDirectory) {
  ScratchDir dir;
  ASSERT_EQ(run_local(workflow("branin-random.json"), dir / "run", {"search.budget=40"}), 0);
  EXPECT_EQ(final_results(dir / "run").size(), 40u);
  const std::string csv = read_text(dir / "run/results.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 41);
  EXPECT_EQ(
      csv.rfind("trial_id,status,value,param_x1,param_x2,metric_value,attempts,step,rank,host,", 0),
      0u);
  json best = json::parse(read_text(dir / "run/best.json"));
  double lowest = 1e300;
  for (auto& [id, pv] : final_results(dir / "run"))
    lowest = std::min(lowest, pv.second.get<double>());
  EXPECT_EQ(best["value"].get<double>(), lowest);
  json stored = json::parse(read_text(dir / "run/campaign.json"));
  EXPECT_EQ(stored["search"]["budget"], 40);
  EXPECT_EQ(stored["hash"].get<std::string>().size(), 16u);
  EXPECT_EQ(records(dir / "run", "end").at(0)["reason"], "completed");
}

TEST(Master, SeveralServersShareTheWorkersAndRunEveryTrialOnce) {
  ScratchDir dir;
  cli::RunOptions options;
  options.campaign = workflow("sleep.json").string();
  options.out = (dir / "run").string();
  options.overrides = {"search.budget=90", "model.params.value=1"};
  options.workers = 6;
  options.servers = 3;
  ASSERT_EQ(cli::run_in_process(options, kNoSignal), 0);
  std::set<int> ranks;
  std::map<std::int64_t, int> results;
  for (auto& r : records(dir / "run", "result")) {
    ranks.insert(r["rank"].get<int>());
    ++results[r["trial"]];
    EXPECT_GE(r["queued_s"].get<double>(), 0);
  }
  EXPECT_EQ(results.size(), 90u);
  for (auto& [id, n] : results) EXPECT_EQ(n, 1) << "trial " << id;
  EXPECT_EQ(ranks, (std::set<int>{3, 4, 5, 6, 7, 8}));
}

TEST(Master, PrefetchingWorkersStillRunEveryTrialOnce) {
  ScratchDir dir;
  cli::RunOptions options;
  options.campaign = workflow("sleep.json").string();
  options.out = (dir / "run").string();
  options.overrides = {"search.budget=80", "balancer.prefetch=3",
                       "space=[{\"name\":\"duration\",\"type\":\"float\",\"lower\":0,"
                       "\"upper\":0.01}]"};
  options.workers = 4;
  options.servers = 2;
  ASSERT_EQ(cli::run_in_process(options, kNoSignal), 0);
  EXPECT_EQ(final_results(dir / "run").size(), 80u);
  EXPECT_EQ(records(dir / "run", "result").size(), 80u);
}

TEST(Master, GridAndUpfRunEveryPointOnce) {
  ScratchDir dir;
  ASSERT_EQ(run_local(workflow("branin-grid.json"), dir / "grid"), 0);
  EXPECT_EQ(final_results(dir / "grid").size(), 256u);
  ASSERT_EQ(run_local(workflow("upf-example.json"), dir / "upf"), 0);
  auto created = records(dir / "upf", "created");
  ASSERT_EQ(created.size(), 6u);
  EXPECT_EQ(created[1]["label"], "optimum-1");
  json best = json::parse(read_text(dir / "upf/best.json"));
  EXPECT_NEAR(best["value"].get<double>(), 0.397887, 1e-4);
  EXPECT_NE(read_text(dir / "upf/results.csv").find(",optimum-"), std::string::npos);
}

TEST(Master, ResumeReplaysTheJournalWithoutRerunningFinishedTrials) {
  ScratchDir dir;
  const auto reference = dir / "reference";
  ASSERT_EQ(run_local(workflow("branin-random.json"), reference, {"search.budget=30"}), 0);

  // A crash after 12 trials were created and 7 finished, mid-way through writing a record.
  std::string partial;
  int created = 0, finished = 0;
  for (auto& r : read_journal(reference / "journal.jsonl").records) {
    if (r["event"] == "created" && created++ >= 12) continue;
    if (r["event"] == "result" && finished++ >= 7) continue;
    if (r["event"] == "end") continue;
    partial += r.dump() + "\n";
  }
  const auto crashed = dir / "crashed";
  std::filesystem::create_directories(crashed);
  std::filesystem::copy(reference / "campaign.json", crashed / "campaign.json");
  write_text(crashed / "journal.jsonl", partial + "{\"event\":\"resu");

  ASSERT_EQ(run_local(workflow("branin-random.json"), crashed, {"search.budget=30"}, true), 0);
  EXPECT_EQ(final_results(crashed), final_results(reference));
  std::map<std::int64_t, int> results_per_trial;
  for (auto& r : records(crashed, "result")) ++results_per_trial[r["trial"]];
  for (auto& [id, n] : results_per_trial) EXPECT_EQ(n, 1) << "trial " << id;
  EXPECT_EQ(records(crashed, "created").size(), 30u);
}

TEST(Master, RetriesAFailedTrialOnAnotherWorker) {
  ScratchDir dir;
  write_text(dir / "c.json", R"({
    "name": "retry", "model": {"name": "sleep", "params": {"fail": "throw", "fail_attempts": 1}},
    "space": [{"name": "duration", "type": "float", "values": [0.01, 0.02]}],
    "search": {"algorithm": "grid"}, "limits": {"retries": 1}})");
  ASSERT_EQ(run_local((dir / "c.json").string(), dir / "run"), 0);
  auto results = records(dir / "run", "result");
  ASSERT_EQ(results.size(), 4u);
  std::map<std::int64_t, std::vector<json>> by_trial;
  for (auto& r : results) by_trial[r["trial"]].push_back(r);
  for (auto& [id, attempts] : by_trial) {
    ASSERT_EQ(attempts.size(), 2u);
    EXPECT_EQ(attempts[0]["status"], "failed");
    EXPECT_FALSE(attempts[0]["final"]);
    EXPECT_EQ(attempts[1]["status"], "ok");
    EXPECT_NE(attempts[0]["rank"], attempts[1]["rank"]) << "retry ran on the same worker";
  }
}

TEST(Master, MaxFailuresStopsCleanlyWithExitCodeOne) {
  ScratchDir dir;
  write_text(dir / "c.json", R"({
    "name": "failing", "model": {"name": "sleep", "params": {"fail": "throw"}},
    "space": [{"name": "duration", "type": "float", "lower": 0.01, "upper": 0.02}],
    "search": {"algorithm": "random", "budget": 50}, "limits": {"max_failures": 3}})");
  ASSERT_EQ(run_local((dir / "c.json").string(), dir / "run"), 1);
  auto results = records(dir / "run", "result");
  EXPECT_GE(results.size(), 3u);
  EXPECT_LT(results.size(), 50u);
  EXPECT_EQ(records(dir / "run", "end").at(0)["reason"], "max_failures");
  // Trials that were running when the limit was hit still finish and are exported.
  const std::string csv = read_text(dir / "run/results.csv");
  EXPECT_EQ(static_cast<std::size_t>(std::count(csv.begin(), csv.end(), '\n')), results.size() + 1);
}

TEST(Master, ACampaignWhereNoTrialSucceedsExitsOne) {
  ScratchDir dir;
  write_text(dir / "c.json", R"({
    "name": "hopeless", "model": {"name": "sleep", "params": {"fail": "nan"}},
    "space": [{"name": "duration", "type": "float", "values": [0.0, 0.01]}],
    "search": {"algorithm": "grid"}})");
  ASSERT_EQ(run_local((dir / "c.json").string(), dir / "run"), 1);
  EXPECT_EQ(records(dir / "run", "result").size(), 2u);
  EXPECT_FALSE(std::filesystem::exists(dir / "run/best.json"));
}

TEST(Master, NanAndTimeoutAreRecordedAndTheCampaignGoesOn) {
  ScratchDir dir;
  write_text(dir / "c.json", R"({
    "name": "mixed", "model": {"name": "sleep", "params": {"duration": 0.01}},
    "space": [{"name": "fail", "type": "categorical", "values": ["none", "nan", "hang", "throw"]}],
    "search": {"algorithm": "grid"}, "limits": {"task_timeout_s": 0.5, "cancel_grace_s": 0.1}})");
  ASSERT_EQ(run_local((dir / "c.json").string(), dir / "run"), 0);
  std::map<std::string, std::string> status_by_mode;
  std::map<std::int64_t, std::string> mode_by_trial;
  for (auto& r : records(dir / "run", "created")) mode_by_trial[r["trial"]] = r["params"]["fail"];
  for (auto& r : records(dir / "run", "result"))
    status_by_mode[mode_by_trial[r["trial"]]] = r["status"];
  EXPECT_EQ(status_by_mode,
            (std::map<std::string, std::string>{
                {"none", "ok"}, {"nan", "nan"}, {"hang", "timeout"}, {"throw", "failed"}}));
}

TEST(Master, ResumeRejectsADamagedOrForeignJournal) {
  ScratchDir dir;
  ASSERT_EQ(run_local(workflow("branin-random.json"), dir / "run", {"search.budget=4"}), 0);
  const std::string journal = read_text(dir / "run/journal.jsonl");
  write_text(dir / "run/journal.jsonl",
             journal + "{\"event\":\"result\",\"trial\":99,\"attempt\":1,\"final\":true}\n");
  EXPECT_EQ(run_local(workflow("branin-random.json"), dir / "run", {"search.budget=4"}, true), 2);

  ASSERT_EQ(run_local(workflow("sleep.json"), dir / "other", {"search.budget=2"}), 0);
  write_text(dir / "run/journal.jsonl", read_text(dir / "other/journal.jsonl"));
  EXPECT_EQ(run_local(workflow("branin-random.json"), dir / "run", {"search.budget=4"}, true), 2);
}

TEST(Master, AnUnwritableTrialDirectoryFailsTheTrialNotTheCampaign) {
  ScratchDir dir;
  std::filesystem::create_directories(dir / "run");
  write_text(dir / "run/trials", "a file where the trial directories should go");
  EXPECT_EQ(run_local(workflow("branin-random.json"), dir / "run", {"search.budget=3"}), 1);
  for (auto& r : records(dir / "run", "result")) EXPECT_EQ(r["status"], "failed");
}

TEST(Master, InputErrorsLeaveAnExistingRunDirectoryUntouched) {
  ScratchDir dir;
  ASSERT_EQ(run_local(workflow("branin-random.json"), dir / "run", {"search.budget=5"}), 0);
  const std::string journal = read_text(dir / "run/journal.jsonl");
  const std::string campaign = read_text(dir / "run/campaign.json");
  EXPECT_EQ(run_local(workflow("branin-random.json"), dir / "run", {"search.budget=5"}), 2);
  EXPECT_EQ(run_local(workflow("branin-random.json"), dir / "run", {"search.seed=99"}, true), 2);
  EXPECT_EQ(run_local(workflow("branin-random.json"), dir / "run", {"search.budget=abc"}, true), 2);
  EXPECT_EQ(read_text(dir / "run/journal.jsonl"), journal);
  EXPECT_EQ(read_text(dir / "run/campaign.json"), campaign);
}

TEST(Master, AResumedGaCampaignCreatesTheTrialsOfAnUninterruptedRun) {
  // The journal of a run cut short is a prefix of the uninterrupted run's, with a torn last
  // record. One worker: steady-state breeding follows the order results arrive in, which a
  // single worker fixes (generational breeding does not depend on it).
  for (const std::string mode : {"generational", "steady_state"}) {
    SCOPED_TRACE(mode);
    ScratchDir dir;
    const std::vector<std::string> overrides = {"search.mode=" + mode, "search.budget=60"};
    const auto reference = dir / "reference";
    ASSERT_EQ(run_local(workflow("hartmann6-ga.json"), reference, overrides, false, 1), 0);

    std::string prefix;
    int created = 0;
    for (auto& r : read_journal(reference / "journal.jsonl").records) {
      if (r["event"] == "created" && ++created > 30) break;
      prefix += r.dump() + "\n";
    }
    const auto crashed = dir / "crashed";
    std::filesystem::create_directories(crashed);
    std::filesystem::copy(reference / "campaign.json", crashed / "campaign.json");
    write_text(crashed / "journal.jsonl", prefix + "{\"event\":\"crea");

    ASSERT_EQ(run_local(workflow("hartmann6-ga.json"), crashed, overrides, true, 1), 0);
    EXPECT_EQ(final_results(crashed), final_results(reference));
    // Each generation's statistics are journaled once, and the same as without the crash.
    const auto statistics = [&](const std::filesystem::path& run) {
      std::vector<json> out = records(run, "search");
      for (auto& r : out) r.erase("time");
      return out;
    };
    EXPECT_FALSE(statistics(reference).empty());
    EXPECT_EQ(statistics(crashed), statistics(reference));
  }
}
