#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "overseer/sites/site.hpp"

namespace overseer::sites {

// One batch job of `overseer submit`.
struct JobRequest {
  std::string name;  // job name
  int nodes = 1;
  std::string time;  // HH:MM:SS
  std::string account;
  std::string queue;                 // empty: the site's default queue, if any
  std::filesystem::path run_dir;     // where the scheduler's output goes
  std::vector<std::string> command;  // `overseer run ...`, started by the launcher on every rank
  // Seconds before the wall time at which Slurm sends SIGUSR1, so the campaign drains in time;
  // 0: no early signal.
  int drain_before_s = 0;
};

int total_ranks(const Site& site, int nodes);
// The site's launcher with the job's numbers filled in, followed by `command`.
std::vector<std::string> launcher_argv(const Site& site, int nodes,
                                       const std::vector<std::string>& command);
// The words of an argv joined into one shell-quoted line.
std::string command_line(const std::vector<std::string>& argv);
// submit.sh: directives, module loads, the site's environment and the launcher line.
std::string render_batch_script(const Site& site, const JobRequest& job);

// The command that queues the script (sbatch, qsub), or an empty one for a site without a
// scheduler, where submit starts the script itself.
std::vector<std::string> submit_argv(const Site& site, const std::filesystem::path& script);
// The job id in the submit command's output ("123" from sbatch --parsable "123;cluster").
std::string job_id_from_output(const Site& site, const std::string& output);

}  // namespace overseer::sites
