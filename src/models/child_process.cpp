#include "overseer/models/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace overseer {
namespace {

using Clock = std::chrono::steady_clock;

// posix_spawn's setup objects, destroyed on every path out of the constructor.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
  }
};

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// Polls at a short interval first, so that quick programs are noticed quickly, and backs off.
class Backoff {
 public:
  std::chrono::milliseconds next() {
    const auto interval = interval_;
    interval_ = std::min(interval_ * 2, std::chrono::milliseconds(100));
    return interval;
  }

 private:
  std::chrono::milliseconds interval_{1};
};

}  // namespace

std::string ChildExit::describe() const {
  if (!signaled) return "exit code " + std::to_string(code);
  return "killed by signal " + std::to_string(code) + " (" + strsignal(code) + ")";
}

bool process_group_running(pid_t pgid) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;  // it ended while we looked
    // After the parenthesised command name (which may hold spaces): state, ppid, pgrp.
    const auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(line.substr(close + 1));
    char state = 0;
    pid_t parent = 0, group = 0;
    if (fields >> state >> parent >> group && group == pgid && state != 'Z' && state != 'X') {
      return true;
    }
  }
  return false;
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv,
                           const std::vector<std::string>& env, const std::filesystem::path& cwd,
                           const std::filesystem::path& log, std::uint64_t log_limit_bytes)
    : log_(log, log_limit_bytes) {
  if (argv.empty()) throw std::runtime_error("no program to start");
  // A pipe rather than the file itself, so that a program printing without end cannot fill the
  // disk: the log keeps what CappedLog allows.
  int pipe_ends[2];
  if (::pipe2(pipe_ends, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("cannot create a pipe: ") + std::strerror(errno));
  }
  output_ = pipe_ends[0];
  const int program_output = pipe_ends[1];
  ::fcntl(output_, F_SETFL, O_NONBLOCK);
  SpawnSetup setup;
  posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&setup.actions, program_output, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&setup.actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addchdir_np(&setup.actions, cwd.c_str());
  // The worker's own files and MPI's sockets are none of the program's business.
  posix_spawn_file_actions_addclosefrom_np(&setup.actions, STDERR_FILENO + 1);
  // A group of its own; default dispositions and an empty mask, whatever this process (MPI,
  // the worker's threads) has set up, since ignored signals stay ignored across exec.
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setpgroup(&setup.attributes, 0);
  posix_spawnattr_setsigmask(&setup.attributes, &none);
  posix_spawnattr_setsigdefault(&setup.attributes, &all);
  posix_spawnattr_setflags(&setup.attributes,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  auto args = c_strings(argv);
  auto environment = c_strings(env);
  const int error = posix_spawnp(&pid_, args[0], &setup.actions, &setup.attributes, args.data(),
                                 environment.data());
  ::close(program_output);
  if (error != 0) {
    pid_ = -1;
    ::close(output_);
    throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(error));
  }
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !reaped_) {
    ::kill(-pid_, SIGKILL);
    reap();
  }
  if (output_ >= 0) ::close(output_);
}

void ChildProcess::read_output(std::chrono::milliseconds timeout) {
  pollfd readable{output_, POLLIN, 0};
  // With the pipe closed this only waits, which is what the callers' loops want.
  if (::poll(&readable, output_ >= 0 ? 1 : 0, static_cast<int>(timeout.count())) <= 0) return;
  // Bounded, so that a program printing without pause still has its exit and `stop` noticed.
  char buffer[1 << 16];
  for (int reads = 0; reads < 256; ++reads) {
    const ssize_t n = ::read(output_, buffer, sizeof buffer);
    if (n > 0) {
      const std::string_view data(buffer, static_cast<std::size_t>(n));
      log_.write(data);
      if (on_line_ != nullptr && *on_line_) split_lines(data);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) {
      ::close(output_);
      output_ = -1;
    }
    return;
  }
}

bool ChildProcess::exited() const {
  // WNOWAIT leaves the program a zombie: its pid, which names the group, cannot be reused
  // until it is reaped, so signals to the group cannot reach a stranger.
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    if (errno != EINTR) return true;
  }
  return info.si_pid != 0;
}

void ChildProcess::end_group(std::chrono::duration<double> grace) {
  if (process_group_running(pid_)) {
    ::kill(-pid_, SIGTERM);
    const auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(grace);
    for (Backoff backoff; Clock::now() < until && process_group_running(pid_);) {
      read_output(backoff.next());
    }
    ::kill(-pid_, SIGKILL);
    // SIGKILL is delivered asynchronously: wait for the kernel to end them all, but not forever
    // for a process stuck in uninterruptible sleep, which nothing can end.
    const auto bound = Clock::now() + std::chrono::seconds(10);
    for (Backoff backoff; Clock::now() < bound && process_group_running(pid_);) {
      read_output(backoff.next());
    }
  }
  // What is left in the pipe. A process that left the group may hold its end open for ever: what
  // it writes later is not the trial's.
  for (int reads = 0; output_ >= 0 && reads < 16; ++reads)
    read_output(std::chrono::milliseconds(0));
  log_.close();
}

ChildExit ChildProcess::reap() {
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
  if (WIFSIGNALED(status)) return {true, WTERMSIG(status)};
  return {false, WEXITSTATUS(status)};
}

void ChildProcess::split_lines(std::string_view data) {
  // A line this long is no progress line; holding it would let a program fill our memory.
  constexpr std::size_t kLongestLine = 1 << 16;
  for (auto newline = data.find('\n'); newline != std::string_view::npos;
       newline = data.find('\n')) {
    partial_line_.append(data.substr(0, newline));
    (*on_line_)(partial_line_);
    partial_line_.clear();
    data.remove_prefix(newline + 1);
  }
  partial_line_.append(data.substr(0, kLongestLine - std::min(kLongestLine, partial_line_.size())));
}

std::optional<ChildExit> ChildProcess::wait(const std::function<bool()>& stop,
                                            std::chrono::duration<double> grace,
                                            const LineHandler& on_line) {
  on_line_ = &on_line;
  bool stopped = false;
  for (Backoff backoff; !exited() && !stopped; read_output(backoff.next())) stopped = stop();
  // The whole group when stopped, else what the program left behind in it.
  end_group(grace);
  const ChildExit exit = reap();
  on_line_ = nullptr;
  if (stopped) return std::nullopt;
  return exit;
}

}  // namespace overseer
