#include "overseer/cli/submit_command.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <regex>

#include "overseer/campaign/preparation.hpp"
#include "overseer/cli/input_errors.hpp"
#include "overseer/core/error.hpp"
#include "overseer/sites/batch_script.hpp"
#include "overseer/store/run_directory.hpp"

namespace overseer::cli {
namespace {

struct SubmitOptions {
  std::string campaign;
  std::string site;
  int nodes = 1;
  std::string time;
  std::string account;
  std::string queue;
  std::string out;
  bool dry_run = false;
  int drain_before_s = 120;
  std::vector<std::string> overrides;
  std::optional<int> workers_per_gpu;
  std::optional<int> gpus_per_worker;
  std::optional<int> ranks_per_node;
};

std::vector<char*> c_argv(std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (auto& word : argv) out.push_back(word.data());
  out.push_back(nullptr);
  return out;
}

// Runs the scheduler's submit command (argv, never a shell) and returns its standard output;
// throws with its output when it fails.
std::string run_submit(std::vector<std::string> argv) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    auto args = c_argv(argv);
    ::execvp(args[0], args.data());
    std::cerr << "error: cannot run " << argv[0] << ": " << std::strerror(errno) << "\n";
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  std::string output;
  char buffer[4096];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) {
    output.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error(argv[0] + " failed" + (output.empty() ? "" : ": " + output));
  }
  return output;
}

// A site without a scheduler: the script runs in the background, detached from this terminal,
// and its process id stands for the job id.
pid_t start_detached(const std::filesystem::path& script, const std::filesystem::path& log) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setsid();
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int null = ::open("/dev/null", O_RDONLY);
    ::dup2(null, STDIN_FILENO);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    std::vector<std::string> argv = {"/bin/bash", script.string()};
    auto args = c_argv(argv);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  if (pid < 0) throw std::runtime_error("fork failed");
  return pid;
}

// "HH:MM:SS" (already checked) in seconds.
int seconds_of(const std::string& time) {
  int hours = 0, minutes = 0, seconds = 0;
  std::sscanf(time.c_str(), "%d:%d:%d", &hours, &minutes, &seconds);
  return (hours * 60 + minutes) * 60 + seconds;
}

void check_word(const std::string& option, const std::string& value) {
  static const std::regex kWord("[A-Za-z0-9_.@+-]*");
  if (!std::regex_match(value, kWord)) {
    throw InputError("", "", option + ": \"" + value + "\" is not a valid name");
  }
}

int submit(const SubmitOptions& o) {
  check_word("--account", o.account);
  check_word("--queue", o.queue);
  sites::Site site = sites::with_layout(sites::load_site(o.site),
                                        {o.workers_per_gpu, o.gpus_per_worker, o.ranks_per_node});
  const PreparedCampaign prepared = prepare_campaign(o.campaign, o.overrides, &site);
  const Campaign& campaign = prepared.campaign;

  const auto out = std::filesystem::absolute(
      o.out.empty() ? std::filesystem::path(campaign.output.dir) / campaign.name
                    : std::filesystem::path(o.out));
  RunDirectory::open(out, campaign, false, false);  // refuses a directory that holds a run
  std::filesystem::create_directories(out);
  const auto site_file = out / "site.json";
  write_file_atomically(site_file, site.raw.dump(2) + "\n");

  std::vector<std::string> command = {std::filesystem::read_symlink("/proc/self/exe").string(),
                                      "run",
                                      std::filesystem::absolute(o.campaign).string(),
                                      "--out",
                                      out.string(),
                                      "--site",
                                      site_file.string()};
  for (const auto& text : o.overrides) command.insert(command.end(), {"--set", text});
  sites::JobRequest job{campaign.name, o.nodes, o.time, o.account, o.queue, out, command};
  if (site.scheduler == sites::Scheduler::Slurm) {
    job.drain_before_s = o.drain_before_s;
  } else if (site.scheduler == sites::Scheduler::Pbs && o.drain_before_s > 0) {
    // PBS has no early signal: the campaign keeps its own time, ending before the job's.
    const int budget = seconds_of(o.time) - o.drain_before_s;
    if (budget > 0 && (campaign.limits.walltime_s == 0 || campaign.limits.walltime_s > budget)) {
      job.command.insert(job.command.end(),
                         {"--set", "limits.walltime_s=" + std::to_string(budget)});
    }
  }
  const auto script = out / "submit.sh";
  write_file_atomically(script, sites::render_batch_script(site, job));
  std::filesystem::permissions(script, std::filesystem::perms::owner_exec,
                               std::filesystem::perm_options::add);
  std::cout << script.string() << ": " << job.nodes << " node(s), "
            << sites::total_ranks(site, job.nodes) << " ranks on site " << site.name << "\n";
  if (o.dry_run) return kExitOk;

  const auto argv = sites::submit_argv(site, script);
  if (argv.empty()) {
    const pid_t pid = start_detached(script, out / "submit.out");
    std::cout << "started " << pid << " (output in " << (out / "submit.out").string() << ")\n";
    return kExitOk;
  }
  try {
    std::cout << "submitted job " << sites::job_id_from_output(site, run_submit(argv)) << "\n";
  } catch (const std::runtime_error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitCampaignFailed;
  }
  return kExitOk;
}

}  // namespace

Subcommand add_submit_command(CLI::App& app) {
  auto o = std::make_shared<SubmitOptions>();
  auto* command = app.add_subcommand(
      "submit", "Write the batch script of a campaign for a site and submit it (docs/sites.md)");
  command->add_option("campaign", o->campaign, "Campaign file (JSON)")->required();
  command->add_option("--site", o->site, "Site name (see `overseer sites`) or site file")
      ->required();
  command->add_option("--nodes", o->nodes, "Nodes to ask for")
      ->required()
      ->check(CLI::Range(1, 100000));
  command->add_option("--time", o->time, "Wall time, HH:MM:SS")
      ->required()
      ->check(CLI::Validator(
          [](std::string& text) {
            static const std::regex kTime("[0-9]{1,3}:[0-5][0-9]:[0-5][0-9]");
            return std::regex_match(text, kTime) ? std::string()
                                                 : "expected HH:MM:SS, found " + text;
          },
          "HH:MM:SS"));
  command->add_option("--account", o->account, "Project to charge");
  command->add_option("--queue", o->queue, "Queue or partition (default: the site's)");
  command->add_option("--out", o->out, "Run directory (default: OUTPUT.DIR/NAME)");
  command->add_flag("--dry-run", o->dry_run, "Write submit.sh without submitting it");
  command
      ->add_option("--drain-before", o->drain_before_s,
                   "Seconds before the wall time at which the campaign pauses its trials "
                   "(Slurm: --signal=USR1@N; PBS: limits.walltime_s); 0: never")
      ->check(CLI::Range(0, 65535));
  command->add_option("--set", o->overrides, "Override a campaign field: dotted.key=value");
  command->add_option("--workers-per-gpu", o->workers_per_gpu, "Workers sharing each GPU")
      ->check(CLI::Range(1, 64));
  command->add_option("--gpus-per-worker", o->gpus_per_worker, "GPUs each worker gets")
      ->check(CLI::Range(1, 64));
  command->add_option("--ranks-per-node", o->ranks_per_node, "Ranks per node (sites without GPUs)")
      ->check(CLI::Range(1, 4096));
  return {command, [o] { return exit_on_input_error([&] { return submit(*o); }); }};
}

}  // namespace overseer::cli
