#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace overseer::test {

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Starts `argv` in `cwd` as the leader of a new process group, stdout and stderr to files.
pid_t spawn(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
            const std::filesystem::path& out, const std::filesystem::path& err);
// SIGKILLs a process and all its descendants at once, as a batch system ends a job; Open MPI
// puts ranks in process groups of their own, so killing mpirun's group is not enough.
void kill_tree(pid_t root);
// `root` and all its descendants.
std::vector<pid_t> process_tree(pid_t root);
// The process of MPI rank `rank` among the descendants of `job` (an mpirun), or -1.
pid_t mpi_rank_process(pid_t job, int rank);
// Exit code, or 128 + signal for a process killed by a signal.
int wait_for(pid_t pid);
// Runs to completion and captures both streams.
ProcessResult run(const std::vector<std::string>& argv, const std::filesystem::path& cwd);

// `overseer ARGS...` as built by this tree.
std::vector<std::string> overseer_command(std::vector<std::string> args);
// `mpirun --oversubscribe -np N overseer ARGS...`
std::vector<std::string> mpirun_command(int ranks, std::vector<std::string> args);

// Whether this tree built the LibTorch plug-in (OVERSEER_WITH_TORCH, off in sanitizer builds).
// Tests that train torch_mlp or torch_cnn skip themselves without it:
// `if (!torch_models_built()) GTEST_SKIP() << kNeedsTorch;`
bool torch_models_built();
inline constexpr const char* kNeedsTorch = "needs the LibTorch plug-in (OVERSEER_WITH_TORCH=OFF)";

std::filesystem::path source_dir();
std::filesystem::path workflow(const std::string& name);

// A fresh directory removed when the object goes out of scope.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Polls `condition` every 50 ms; false if it did not hold within `timeout`.
bool wait_until(const std::function<bool()>& condition,
                std::chrono::seconds timeout = std::chrono::seconds(60));
// Trials with a final result in a run directory's journal (0 before the journal exists).
std::size_t finished_count(const std::filesystem::path& run);
// What is wrong with the final results of a run directory's journal, given that trials
// 0..expected-1 should each have exactly one; empty when nothing is.
std::string exactly_once_problem(const std::filesystem::path& run, std::int64_t expected);

std::string read_text(const std::filesystem::path& path);
// A CSV file without quoted fields (results.csv of plain parameters) as rows of column -> cell.
std::vector<std::map<std::string, std::string>> csv_rows(const std::filesystem::path& file);
void write_text(const std::filesystem::path& path, const std::string& text);

}  // namespace overseer::test
