// Faults a campaign meets on a real machine, injected into real runs: a worker rank killed, a
// journal cut short or damaged, a full or read-only file system, a program that floods its
// output, and many short trials. Each ends in a stated way and loses no finished trial.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <map>
#include <sstream>

#include "overseer/store/journal.hpp"
#include "process.hpp"

using namespace overseer::test;
using overseer::json;
using overseer::read_journal;
namespace fs = std::filesystem;

namespace {

// A tmpfs mounted for one test (as root; where mounting is not allowed the test is skipped).
class TmpfsMount {
 public:
  TmpfsMount(const fs::path& at, const std::string& options) : at_(at) {
    fs::create_directories(at);
    if (::mount("tmpfs", at.c_str(), "tmpfs", 0, options.c_str()) != 0) {
      error_ = std::strerror(errno);
    }
  }
  ~TmpfsMount() {
    if (error_.empty()) ::umount2(at_.c_str(), MNT_DETACH);
  }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

  // Empty when mounted.
  const std::string& error() const { return error_; }
  bool remount(const std::string& options) const {
    return ::mount("tmpfs", at_.c_str(), "tmpfs", MS_REMOUNT, options.c_str()) == 0;
  }

 private:
  fs::path at_;
  std::string error_;
};

#define SKIP_UNLESS_MOUNTED(m) \
  if (!(m).error().empty()) GTEST_SKIP() << "cannot mount a tmpfs here: " << (m).error()

// trial -> the value of its final result.
std::map<std::int64_t, json> final_values(const fs::path& run) {
  std::map<std::int64_t, json> values;
  for (const auto& r : read_journal(run / "journal.jsonl").records) {
    if (r.value("event", "") == "result" && r.value("final", false)) values[r.at("trial")] = r;
  }
  for (auto& [trial, record] : values) record = record.at("value");
  return values;
}

// The sleep workflow with `budget` trials into `out`, then `extra`.
std::vector<std::string> sleep_run(const fs::path& out, int budget,
                                   std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"run",   workflow("sleep.json").string(),
                                   "--out", out.string(),
                                   "--set", "search.budget=" + std::to_string(budget)};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// Trials of 1 ms each, so that many of them fill a disk or stress dispatch quickly.
std::vector<std::string> short_trials(const fs::path& out, int budget,
                                      std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--set", "model.params.duration=0.001", "--set",
                                   "space=[{\"name\":\"value\",\"type\":\"float\",\"lower\":0,"
                                   "\"upper\":1}]"};
  args.insert(args.end(), extra.begin(), extra.end());
  return sleep_run(out, budget, args);
}

std::size_t line_count(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace

TEST(Faults, SigkillOfOneWorkerRankEndsTheJobAndResumeRunsEveryTrialExactlyOnce) {
  // Open MPI ends every rank of a job when one dies, so the master cannot carry on with the
  // others; what must hold is that the journal it leaves is resumable and nothing is lost.
  ScratchDir dir;
  const pid_t job =
      spawn(mpirun_command(4, sleep_run(dir / "run", 40)), dir.path(), dir / "out", dir / "err");
  ASSERT_TRUE(wait_until([&] { return finished_count(dir / "run") >= 8; }))
      << read_text(dir / "err");
  const pid_t worker = mpi_rank_process(job, 2);
  ASSERT_GT(worker, 0) << "rank 2 not found among the job's processes";
  ::kill(worker, SIGKILL);
  EXPECT_NE(wait_for(job), 0);
  const auto before = final_values(dir / "run");
  EXPECT_LT(before.size(), 40u) << "the campaign finished before its worker was killed";

  const ProcessResult resumed =
      run(mpirun_command(3, sleep_run(dir / "run", 40, {"--resume"})), dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(exactly_once_problem(dir / "run", 40), "");
  const auto after = final_values(dir / "run");
  for (const auto& [trial, value] : before) EXPECT_EQ(after.at(trial), value) << trial;
  EXPECT_EQ(line_count(read_text(dir / "run" / "results.csv")), 41u);
}

TEST(Faults, AJournalCutMidLineResumesAndADamagedMiddleLineIsRefusedUntouched) {
  ScratchDir dir;
  ASSERT_EQ(
      run(overseer_command(sleep_run(dir / "run", 6, {"--workers", "2"})), dir.path()).exit_code,
      0);
  const fs::path journal = dir / "run" / "journal.jsonl";
  const std::string whole = read_text(journal);

  // Cut in the middle of the line after the fifth, as a crash mid-write leaves it.
  std::size_t cut = 0;
  for (int line = 0; line < 5; ++line) cut = whole.find('\n', cut) + 1;
  cut += (whole.find('\n', cut) - cut) / 2;
  write_text(journal, whole.substr(0, cut));
  ProcessResult resumed =
      run(overseer_command(sleep_run(dir / "run", 6, {"--workers", "2", "--resume"})), dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.err.find("dropping an incomplete last record"), std::string::npos)
      << resumed.err;
  EXPECT_EQ(exactly_once_problem(dir / "run", 6), "");

  // A damaged line before the last is not a crash's doing: the run is refused, at that line,
  // and nothing in the directory changes.
  std::string damaged = read_text(journal);
  std::size_t third = 0;
  for (int line = 0; line < 2; ++line) third = damaged.find('\n', third) + 1;
  damaged.replace(third, 10, "#garbage#!");
  write_text(journal, damaged);
  const std::string csv = read_text(dir / "run" / "results.csv");
  resumed =
      run(overseer_command(sleep_run(dir / "run", 6, {"--workers", "2", "--resume"})), dir.path());
  EXPECT_EQ(resumed.exit_code, 2) << resumed.err;
  EXPECT_NE(resumed.err.find("journal.jsonl:3: damaged journal record"), std::string::npos)
      << resumed.err;
  EXPECT_EQ(read_text(journal), damaged);
  EXPECT_EQ(read_text(dir / "run" / "results.csv"), csv);
}

TEST(Faults, AFullDiskStopsTheMasterClearlyAndTheJournalStaysAValidPrefix) {
  ScratchDir dir;
  const TmpfsMount small(dir / "small", "size=256k");
  SKIP_UNLESS_MOUNTED(small);
  const ProcessResult full =
      run(mpirun_command(3, short_trials(dir / "small" / "run", 2000)), dir.path());
  EXPECT_EQ(full.exit_code, 1) << full.err;
  EXPECT_NE(full.err.find("No space left on device"), std::string::npos) << full.err;
  EXPECT_NE(full.err.find("--resume"), std::string::npos) << full.err;
  const auto contents = read_journal(dir / "small" / "run" / "journal.jsonl");
  EXPECT_FALSE(contents.torn_tail);
  const auto before = final_values(dir / "small" / "run");
  EXPECT_GT(before.size(), 0u);
  EXPECT_LT(before.size(), 2000u);

  // Space freed, the campaign continues where it stopped.
  ASSERT_TRUE(small.remount("size=64m"));
  const ProcessResult resumed =
      run(mpirun_command(3, short_trials(dir / "small" / "run", 2000, {"--resume"})), dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(exactly_once_problem(dir / "small" / "run", 2000), "");
  const auto after = final_values(dir / "small" / "run");
  for (const auto& [trial, value] : before) EXPECT_EQ(after.at(trial), value) << trial;
}

TEST(Faults, AReadOnlyRunDirectoryIsOneClearErrorAndNothingChanges) {
  ScratchDir dir;
  const TmpfsMount read_only(dir / "ro", "ro,size=64k");
  SKIP_UNLESS_MOUNTED(read_only);
  ProcessResult r = run(mpirun_command(3, sleep_run(dir / "ro" / "run", 4)), dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("error: " + (dir / "ro" / "run").string() +
                       ": cannot write the run directory here: " + (dir / "ro").string() +
                       ": Read-only file system"),
            std::string::npos)
      << r.err;

  // A finished run on a file system that has become read-only since.
  const TmpfsMount writable(dir / "rw", "size=4m");
  ASSERT_EQ(writable.error(), "");
  ASSERT_EQ(run(overseer_command(sleep_run(dir / "rw" / "run", 4, {"--workers", "2"})), dir.path())
                .exit_code,
            0);
  const std::string journal = read_text(dir / "rw" / "run" / "journal.jsonl");
  ASSERT_TRUE(writable.remount("ro"));
  r = run(overseer_command(sleep_run(dir / "rw" / "run", 8, {"--resume", "--force"})), dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("Read-only file system"), std::string::npos) << r.err;
  EXPECT_EQ(read_text(dir / "rw" / "run" / "journal.jsonl"), journal);
}

TEST(Faults, AProgramPrintingAGigabyteHasItsLogCappedAndTheCampaignGoesOn) {
  ScratchDir dir;
  write_text(dir / "flood.sh",
             "#!/bin/sh\nyes 'epoch 1 batch 2 loss 0.5' | head -c 1073741824\n"
             "echo 'IMPROVE_RESULT 0.25'\n");
  fs::permissions(dir / "flood.sh", fs::perms::owner_all);
  const json campaign = {
      {"name", "flood"},
      {"model", {{"name", "command"}, {"data", {{"argv", {"./flood.sh"}}, {"log_limit_mb", 1}}}}},
      {"space", {{{"name", "x"}, {"type", "float"}, {"lower", 0}, {"upper", 1}}}},
      {"search", {{"algorithm", "random"}, {"budget", 2}}}};
  write_text(dir / "c.json", campaign.dump());
  const ProcessResult r = run(overseer_command({"run", (dir / "c.json").string(), "--workers", "2",
                                                "--out", (dir / "run").string()}),
                              dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(exactly_once_problem(dir / "run", 2), "");
  for (const char* trial : {"0", "1"}) {
    const fs::path log = dir / "run" / "trials" / trial / "model.log";
    EXPECT_LE(fs::file_size(log), 2u * (1 << 20) + 200) << log;
    EXPECT_EQ(json::parse(read_text(dir / "run" / "trials" / trial / "result.json"))["value"],
              0.25);
  }
}

TEST(Faults, TenThousandOneMillisecondTrialsRunExactlyOnce) {
  ScratchDir dir;
  ProcessResult r =
      run(overseer_command(short_trials(dir / "threads", 10000,
                                        {"--workers", "2", "--set", "output.fsync=group"})),
          dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(exactly_once_problem(dir / "threads", 10000), "");

  r = run(mpirun_command(6, short_trials(dir / "mpi", 10000,
                                         {"--servers", "2", "--set", "output.fsync=group"})),
          dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(exactly_once_problem(dir / "mpi", 10000), "");
  EXPECT_EQ(line_count(read_text(dir / "mpi" / "results.csv")), 10001u);
}
