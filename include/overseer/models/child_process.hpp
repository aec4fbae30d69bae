#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "overseer/models/capped_log.hpp"

namespace overseer {

// How a child process ended.
struct ChildExit {
  bool signaled = false;
  int code = 0;  // the exit status, or the signal number when signaled

  bool success() const { return !signaled && code == 0; }
  std::string describe() const;  // "exit code 3", "killed by signal 9 (Killed)"
};

// An external program started in a process group of its own (the group id is its pid), so that
// everything it starts can be ended with it. Arguments go to the program as they are: no shell
// ever sees them. Nothing in the group outlives the object: the destructor kills and reaps.
class ChildProcess {
 public:
  // Starts argv[0] (looked up in PATH when it has no slash) with `env` ("NAME=value") as its
  // whole environment, in `cwd`, stdin from /dev/null and stdout and stderr through one pipe
  // into `log`, which keeps at most `log_limit_bytes` and the end (see CappedLog). Throws
  // std::runtime_error when the program cannot be started.
  ChildProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env,
               const std::filesystem::path& cwd, const std::filesystem::path& log,
               std::uint64_t log_limit_bytes = kDefaultLogLimitBytes);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  // Waits for the program to exit, copying its output into the log, handing each complete line
  // of it to `on_line` (when given) and calling `stop` between polls. When `stop` returns true
  // the group is terminated (SIGTERM, up to `grace` for it to go, then SIGKILL) and nullopt is
  // returned. Processes still in the group after the program exits get the same treatment.
  // Either way, the program has been reaped, no process of its group runs and the log is
  // complete on return.
  using LineHandler = std::function<void(std::string_view line)>;
  std::optional<ChildExit> wait(const std::function<bool()>& stop,
                                std::chrono::duration<double> grace,
                                const LineHandler& on_line = {});

  static constexpr std::uint64_t kDefaultLogLimitBytes = 100 << 20;

 private:
  bool exited() const;
  // Copies what the pipe holds into the log, waiting up to `timeout` for output to arrive.
  void read_output(std::chrono::milliseconds timeout);
  void end_group(std::chrono::duration<double> grace);
  ChildExit reap();

  pid_t pid_ = -1;
  bool reaped_ = false;
  void split_lines(std::string_view data);

  int output_ = -1;  // the read end of the program's stdout and stderr
  CappedLog log_;
  const LineHandler* on_line_ = nullptr;  // during wait()
  std::string partial_line_;
};

// Whether any process of group `pgid` is running (zombies, which only wait to be reaped, are
// not), from /proc.
bool process_group_running(pid_t pgid);

}  // namespace overseer
