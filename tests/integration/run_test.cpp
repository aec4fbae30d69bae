// `overseer run` as users start it: under mpirun with 2 and 4 ranks, and as one process.
#include <gtest/gtest.h>

#include <csignal>
#include <map>
#include <set>
#include <thread>

#include "overseer/store/journal.hpp"
#include "process.hpp"

using namespace overseer::test;
using overseer::json;
using overseer::read_journal;

namespace {

struct Finished {
  std::map<std::int64_t, json> values;  // trial -> value
  std::set<int> ranks;
};

Finished finished(const std::filesystem::path& run) {
  Finished f;
  for (auto& r : read_journal(run / "journal.jsonl").records) {
    if (r["event"] != "result" || !r["final"]) continue;
    EXPECT_FALSE(f.values.count(r["trial"])) << "trial " << r["trial"] << " finished twice";
    f.values[r["trial"]] = r["value"];
    f.ranks.insert(r["rank"].get<int>());
  }
  return f;
}

}  // namespace

TEST(RunMpi, TwoRanksOneMasterOneWorker) {
  ScratchDir dir;
  ProcessResult r = run(mpirun_command(2, {"run", workflow("branin-random.json").string(), "--out",
                                           (dir / "run").string(), "--set", "search.budget=50"}),
                        dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Finished f = finished(dir / "run");
  EXPECT_EQ(f.values.size(), 50u);
  EXPECT_EQ(f.ranks, (std::set<int>{1}));
  EXPECT_TRUE(std::filesystem::exists(dir / "run/best.json"));
  EXPECT_TRUE(std::filesystem::exists(dir / "run/trials/49/result.json"));
}

TEST(RunMpi, FourRanksShareTheWorkAndMatchASingleProcessRun) {
  ScratchDir dir;
  ProcessResult mpi =
      run(mpirun_command(4, {"run", workflow("sleep.json").string(), "--out",
                             (dir / "mpi").string(), "--set", "search.budget=24", "--set",
                             "model.params.value=1", "--set", "limits.task_timeout_s=0"}),
          dir.path());
  ASSERT_EQ(mpi.exit_code, 0) << mpi.err;
  Finished f = finished(dir / "mpi");
  EXPECT_EQ(f.values.size(), 24u);
  EXPECT_EQ(f.ranks, (std::set<int>{1, 2, 3}));

  ProcessResult local = run(
      overseer_command({"run", workflow("branin-random.json").string(), "--out",
                        (dir / "local").string(), "--workers", "3", "--set", "search.budget=60"}),
      dir.path());
  ProcessResult spread =
      run(mpirun_command(4, {"run", workflow("branin-random.json").string(), "--out",
                             (dir / "spread").string(), "--set", "search.budget=60"}),
          dir.path());
  ASSERT_EQ(local.exit_code, 0) << local.err;
  ASSERT_EQ(spread.exit_code, 0) << spread.err;
  EXPECT_EQ(finished(dir / "local").values, finished(dir / "spread").values);
  EXPECT_EQ(read_text(dir / "local/best.json"), read_text(dir / "spread/best.json"));
}

TEST(RunMpi, MaxFailuresExitsOneAfterFlushing) {
  ScratchDir dir;
  ProcessResult r =
      run(mpirun_command(3, {"run", workflow("sleep.json").string(), "--out",
                             (dir / "run").string(), "--set", "model.params.fail=\"throw\"",
                             "--set", "limits.max_failures=4", "--set", "limits.retries=0"}),
          dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("limits.max_failures = 4"), std::string::npos) << r.err;
  auto journal = read_journal(dir / "run/journal.jsonl");
  EXPECT_EQ(journal.records.back()["event"], "end");
  EXPECT_EQ(journal.records.back()["reason"], "max_failures");
  const std::string csv = read_text(dir / "run/results.csv");
  EXPECT_GE(std::count(csv.begin(), csv.end(), '\n'), 5);
}

// SIGINT stops at once (no end record, exit 130); SIGTERM drains: the running trials (sleep
// reports no progress, so they run to their end) are recorded, the journal ends `drained`, exit
// 3. Either way the resumed run finishes the budget.
class RunLocalSignal : public ::testing::TestWithParam<int> {};

TEST_P(RunLocalSignal, StopsResumablyAndResumeFinishes) {
  const int signal = GetParam();
  ScratchDir dir;
  const auto campaign = workflow("sleep.json").string();
  const pid_t pid =
      spawn(overseer_command({"run", campaign, "--out", (dir / "run").string(), "--workers", "2"}),
            dir.path(), dir / "out", dir / "err");
  ASSERT_TRUE(wait_until([&] { return finished_count(dir / "run") >= 5; }));
  ::kill(pid, signal);
  EXPECT_EQ(wait_for(pid), signal == SIGINT ? 128 + SIGINT : 3) << read_text(dir / "err");
  EXPECT_NE(read_text(dir / "err").find("--resume"), std::string::npos);
  const auto journal = overseer::read_journal(dir / "run" / "journal.jsonl").records;
  if (signal == SIGINT) {
    EXPECT_NE(journal.back()["event"], "end");
  } else {
    EXPECT_EQ(journal.back()["event"], "end");
    EXPECT_EQ(journal.back()["reason"], "drained");
  }
  const auto before = finished(dir / "run").values.size();
  EXPECT_LT(before, 100u);

  ProcessResult resumed = run(overseer_command({"run", campaign, "--out", (dir / "run").string(),
                                                "--workers", "4", "--resume"}),
                              dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(finished(dir / "run").values.size(), 100u);
}

INSTANTIATE_TEST_SUITE_P(Signals, RunLocalSignal, ::testing::Values(SIGINT, SIGTERM),
                         [](const auto& param_info) {
                           return param_info.param == SIGINT ? "sigint" : "sigterm";
                         });

// Every trial runs exactly once and the job ends cleanly, for every size from 2 to 8 ranks,
// with one server up to 4 ranks and more beyond.
class RunMpiRanks : public ::testing::TestWithParam<int> {};

TEST_P(RunMpiRanks, EveryTrialExactlyOnceAndCleanTermination) {
  const int ranks = GetParam();
  const int servers = ranks <= 4 ? 1 : ranks / 3;
  ScratchDir dir;
  ProcessResult r =
      run(mpirun_command(
              ranks, {"run", workflow("sleep.json").string(), "--out", (dir / "run").string(),
                      "--servers", std::to_string(servers), "--set", "search.budget=60", "--set",
                      "space=[{\"name\":\"duration\",\"type\":\"float\",\"lower\":0,"
                      "\"upper\":0.02}]",
                      "--set", "output.trial_dirs=false"}),
          dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Finished f = finished(dir / "run");
  EXPECT_EQ(f.values.size(), 60u);
  for (std::int64_t id = 0; id < 60; ++id) EXPECT_TRUE(f.values.count(id)) << "trial " << id;
  for (int rank : f.ranks) EXPECT_GE(rank, servers) << "a server rank ran a trial";
  EXPECT_NE(r.err.find(std::to_string(servers) + " server(s)"), std::string::npos) << r.err;
}

INSTANTIATE_TEST_SUITE_P(TwoToEight, RunMpiRanks, ::testing::Range(2, 9));
