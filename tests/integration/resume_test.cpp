// A campaign killed outright (SIGKILL to mpirun and its ranks, as a scheduler does at the wall
// time limit) and resumed: no finished trial is lost or run twice, and the results equal those
// of an uninterrupted run.
#include <gtest/gtest.h>

#include <map>

#include "overseer/store/journal.hpp"
#include "process.hpp"

using namespace overseer::test;
using overseer::json;
using overseer::read_journal;

namespace {

// trial -> (params, value) of every final result; fails the test if a trial finished twice.
std::map<std::int64_t, std::pair<json, json>> final_results(const std::filesystem::path& run) {
  std::map<std::int64_t, json> params;
  std::map<std::int64_t, std::pair<json, json>> out;
  for (auto& r : read_journal(run / "journal.jsonl").records) {
    if (r["event"] == "created") params[r["trial"]] = r["params"];
    if (r["event"] != "result" || !r["final"]) continue;
    EXPECT_FALSE(out.count(r["trial"])) << "trial " << r["trial"] << " finished twice";
    out[r["trial"]] = {params.at(r["trial"]), r["value"]};
  }
  return out;
}

std::vector<std::string> sleep_campaign(const std::filesystem::path& out,
                                        std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {
      "run", workflow("sleep.json").string(), "--out", out.string(), "--set", "search.budget=40"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// Runs the sleep campaign (with `extra` arguments) under mpirun with 4 ranks: to the end in
// dir/reference, and in dir/killed until `finished` trials are done, when the whole job is
// SIGKILLed. Returns the killed run's final results.
std::map<std::int64_t, std::pair<json, json>> reference_and_killed_runs(
    const ScratchDir& dir, const std::vector<std::string>& extra, std::size_t finished) {
  ProcessResult reference =
      run(mpirun_command(4, sleep_campaign(dir / "reference", extra)), dir.path());
  EXPECT_EQ(reference.exit_code, 0) << reference.err;

  const pid_t job = spawn(mpirun_command(4, sleep_campaign(dir / "killed", extra)), dir.path(),
                          dir / "out", dir / "err");
  EXPECT_TRUE(wait_until([&] { return finished_count(dir / "killed") >= finished; }))
      << read_text(dir / "err");
  kill_tree(job);
  wait_for(job);
  auto before = final_results(dir / "killed");
  EXPECT_GE(before.size(), finished);
  EXPECT_LT(before.size(), 40u) << "the campaign finished before it could be killed";
  return before;
}

}  // namespace

TEST(Resume, AfterSigkillOfTheWholeJobEndsWithTheTrialsOfAnUninterruptedRun) {
  ScratchDir dir;
  const auto before = reference_and_killed_runs(dir, {}, 10);
  ASSERT_FALSE(HasFailure());

  // A different number of workers must not change the outcome.
  ProcessResult resumed =
      run(mpirun_command(3, sleep_campaign(dir / "killed", {"--resume"})), dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  // The killed ranks left their last records torn or running trials behind; both recover.
  EXPECT_NE(resumed.err.find("resuming"), std::string::npos);

  const auto after = final_results(dir / "killed");
  EXPECT_EQ(after, final_results(dir / "reference"));
  for (const auto& [id, result] : before) EXPECT_EQ(after.at(id), result);
  const json best = json::parse(read_text(dir / "killed/best.json"));
  const json reference_best = json::parse(read_text(dir / "reference/best.json"));
  EXPECT_EQ(best["trial_id"], reference_best["trial_id"]);
  EXPECT_EQ(best["value"], reference_best["value"]);
  const std::string csv = read_text(dir / "killed/results.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 41);
}

TEST(Resume, RefusesAChangedCampaignUnlessForced) {
  ScratchDir dir;
  ASSERT_EQ(
      run(overseer_command(sleep_campaign(dir / "run", {"--set", "search.budget=3"})), dir.path())
          .exit_code,
      0);
  ProcessResult changed =
      run(overseer_command(sleep_campaign(dir / "run", {"--set", "search.budget=6", "--resume"})),
          dir.path());
  EXPECT_EQ(changed.exit_code, 2);
  EXPECT_NE(changed.err.find("Use --force to resume anyway"), std::string::npos) << changed.err;
  EXPECT_EQ(finished_count(dir / "run"), 3u);

  ProcessResult forced = run(overseer_command(sleep_campaign(
                                 dir / "run", {"--set", "search.budget=6", "--resume", "--force"})),
                             dir.path());
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(finished_count(dir / "run"), 6u);
}

TEST(Resume, ACompletedCampaignResumesToTheSameResults) {
  ScratchDir dir;
  ASSERT_EQ(
      run(overseer_command(sleep_campaign(dir / "run", {"--set", "search.budget=4"})), dir.path())
          .exit_code,
      0);
  const std::string csv = read_text(dir / "run/results.csv");
  ProcessResult again =
      run(overseer_command(sleep_campaign(dir / "run", {"--set", "search.budget=4", "--resume"})),
          dir.path());
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(read_text(dir / "run/results.csv"), csv);
}

TEST(Resume, AGenerationalGaKilledAndResumedOnOtherRanksRunsTheTrialsOfAnUninterruptedRun) {
  // Generational breeding depends only on each generation's results, not on the order they
  // arrive in, so the trials are the same whatever the ranks, workers and interruptions.
  ScratchDir dir;
  const std::vector<std::string> ga = {"--set", "search.algorithm=ga",
                                       "--set", "search.population_size=8",
                                       "--set", "search.mode=generational"};
  const auto before = reference_and_killed_runs(dir, ga, 12);
  ASSERT_FALSE(HasFailure());

  std::vector<std::string> resume = ga;
  resume.push_back("--resume");
  ProcessResult resumed =
      run(mpirun_command(3, sleep_campaign(dir / "killed", resume)), dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(resumed.err.find("did not reproduce"), std::string::npos) << resumed.err;
  const auto after = final_results(dir / "killed");
  EXPECT_EQ(after, final_results(dir / "reference"));
  for (const auto& [id, result] : before) EXPECT_EQ(after.at(id), result);
}

TEST(Resume, BayesSearchIsReproducibleAndReplaysItsJournalExactly) {
  ScratchDir dir;
  auto bayes = [&](const std::string& out, std::vector<std::string> extra) {
    std::vector<std::string> args = {"run", workflow("hartmann6-bayes.json").string(), "--out",
                                     (dir / out).string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run(overseer_command(args), dir.path());
  };
  // One worker: trials finish in the order they were proposed, so two runs see the same history.
  // The resume must replay it without a warning that the searcher did not reproduce a trial.
  ASSERT_EQ(bayes("whole", {"--workers", "1", "--set", "search.budget=30"}).exit_code, 0);
  ASSERT_EQ(bayes("part", {"--workers", "1", "--set", "search.budget=20"}).exit_code, 0);
  ProcessResult resumed =
      bayes("part", {"--workers", "2", "--set", "search.budget=30", "--resume", "--force"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(resumed.err.find("did not reproduce"), std::string::npos) << resumed.err;
  // Same seed, same trials, in another process. (Trial 20 differs: the uninterrupted run
  // proposed it while trial 19 was running, the resumed one after all 20 had finished.)
  const auto whole = final_results(dir / "whole");
  const auto part = final_results(dir / "part");
  ASSERT_EQ(part.size(), 30u);
  for (std::int64_t id = 0; id < 20; ++id) EXPECT_EQ(part.at(id), whole.at(id)) << id;

  // Two workers finish trials in a varying order; a resume still replays that history exactly.
  ASSERT_EQ(bayes("async", {"--workers", "2", "--set", "search.budget=20"}).exit_code, 0);
  ProcessResult again =
      bayes("async", {"--workers", "2", "--set", "search.budget=25", "--resume", "--force"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.err.find("did not reproduce"), std::string::npos) << again.err;
}
