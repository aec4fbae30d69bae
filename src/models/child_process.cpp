#include "overseer/models/child_process.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

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
  void sleep() {
    std::this_thread::sleep_for(interval_);
    interval_ = std::min(interval_ * 2, std::chrono::milliseconds(100));
  }

 private:
  std::chrono::milliseconds interval_{2};
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
                           const std::filesystem::path& log) {
  if (argv.empty()) throw std::runtime_error("no program to start");
  SpawnSetup setup;
  posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&setup.actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
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
  if (error != 0) {
    pid_ = -1;
    throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(error));
  }
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !reaped_) {
    ::kill(-pid_, SIGKILL);
    reap();
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

void ChildProcess::end_group(std::chrono::duration<double> grace) const {
  if (!process_group_running(pid_)) return;
  ::kill(-pid_, SIGTERM);
  const auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(grace);
  for (Backoff backoff; Clock::now() < until && process_group_running(pid_);) backoff.sleep();
  ::kill(-pid_, SIGKILL);
  // SIGKILL is delivered asynchronously: wait for the kernel to end them all, but not forever
  // for a process stuck in uninterruptible sleep, which nothing can end.
  const auto bound = Clock::now() + std::chrono::seconds(10);
  for (Backoff backoff; Clock::now() < bound && process_group_running(pid_);) backoff.sleep();
}

ChildExit ChildProcess::reap() {
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
  if (WIFSIGNALED(status)) return {true, WTERMSIG(status)};
  return {false, WEXITSTATUS(status)};
}

std::optional<ChildExit> ChildProcess::wait(const std::function<bool()>& stop,
                                            std::chrono::duration<double> grace) {
  for (Backoff backoff; !exited(); backoff.sleep()) {
    if (stop()) {
      end_group(grace);
      reap();
      return std::nullopt;
    }
  }
  end_group(grace);  // what the program left behind in its group
  return reap();
}

}  // namespace overseer
