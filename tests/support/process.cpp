#include "process.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "overseer/store/journal.hpp"

namespace overseer::test {

pid_t spawn(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
            const std::filesystem::path& out, const std::filesystem::path& err) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::setpgid(0, 0);
    const int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out_fd < 0 || err_fd < 0 || ::chdir(cwd.c_str()) != 0) ::_exit(127);
    ::dup2(out_fd, STDOUT_FILENO);
    ::dup2(err_fd, STDERR_FILENO);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    ::dup2(null_fd, STDIN_FILENO);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);
  return pid;
}

std::vector<pid_t> process_tree(pid_t root) {
  std::map<pid_t, std::vector<pid_t>> children;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // Fields after the parenthesised command name: state, ppid, ...
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    char state;
    pid_t parent;
    if (rest >> state >> parent) children[parent].push_back(std::stoi(name));
  }
  std::vector<pid_t> tree = {root};
  for (std::size_t i = 0; i < tree.size(); ++i) {
    for (pid_t child : children[tree[i]]) tree.push_back(child);
  }
  return tree;
}

void kill_tree(pid_t root) {
  ::kill(root, SIGSTOP);  // no new children while the tree is collected
  for (pid_t pid : process_tree(root)) ::kill(pid, SIGKILL);
}

pid_t mpi_rank_process(pid_t job, int rank) {
  const std::string wanted = "OMPI_COMM_WORLD_RANK=" + std::to_string(rank);
  for (pid_t pid : process_tree(job)) {
    std::ifstream environ("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
    for (std::string entry; std::getline(environ, entry, '\0');) {
      if (entry == wanted) return pid;
    }
  }
  return -1;
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

ProcessResult run(const std::vector<std::string>& argv, const std::filesystem::path& cwd) {
  ScratchDir streams;
  ProcessResult result;
  result.exit_code = wait_for(spawn(argv, cwd, streams / "out", streams / "err"));
  result.out = read_text(streams / "out");
  result.err = read_text(streams / "err");
  return result;
}

std::vector<std::string> overseer_command(std::vector<std::string> args) {
  args.insert(args.begin(), OVERSEER_BINARY);
  return args;
}

std::vector<std::string> mpirun_command(int ranks, std::vector<std::string> args) {
  // Tests may run as root (CI containers); Open MPI refuses that unless told.
  ::setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  ::setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  std::vector<std::string> argv = {"mpirun", "--oversubscribe", "-np", std::to_string(ranks)};
  for (auto& a : overseer_command(std::move(args))) argv.push_back(std::move(a));
  return argv;
}

bool torch_models_built() {
  return OVERSEER_WITH_TORCH;
}

std::filesystem::path source_dir() {
  return OVERSEER_SOURCE_DIR;
}

std::filesystem::path workflow(const std::string& name) {
  return source_dir() / "workflows" / name;
}

ScratchDir::ScratchDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "overseer-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

bool wait_until(const std::function<bool()>& condition, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

std::size_t finished_count(const std::filesystem::path& run) {
  if (!std::filesystem::exists(run / "journal.jsonl")) return 0;
  std::size_t n = 0;
  for (const auto& r : read_journal(run / "journal.jsonl").records) {
    n += r.value("event", "") == "result" && r.value("final", false);
  }
  return n;
}

std::string exactly_once_problem(const std::filesystem::path& run, std::int64_t expected) {
  std::map<std::int64_t, int> finals;
  for (const auto& r : read_journal(run / "journal.jsonl").records) {
    if (r.value("event", "") == "result" && r.value("final", false)) ++finals[r.at("trial")];
  }
  std::ostringstream problem;
  for (const auto& [trial, count] : finals) {
    if (count != 1) problem << "trial " << trial << " finished " << count << " times; ";
    if (trial < 0 || trial >= expected) problem << "unexpected trial " << trial << "; ";
  }
  if (static_cast<std::int64_t>(finals.size()) != expected) {
    problem << finals.size() << " trials finished, not " << expected;
  }
  return problem.str();
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<std::map<std::string, std::string>> csv_rows(const std::filesystem::path& file) {
  const auto cells_of = [](const std::string& line) {
    std::vector<std::string> cells;
    std::istringstream fields(line);
    for (std::string cell; std::getline(fields, cell, ',');) cells.push_back(cell);
    if (!line.empty() && line.back() == ',') cells.emplace_back();
    return cells;
  };
  std::istringstream in(read_text(file));
  std::string line;
  std::getline(in, line);
  const auto header = cells_of(line);
  std::vector<std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    const auto cells = cells_of(line);
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < header.size() && i < cells.size(); ++i) row[header[i]] = cells[i];
    rows.push_back(row);
  }
  return rows;
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

}  // namespace overseer::test
