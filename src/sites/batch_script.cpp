#include "overseer/sites/batch_script.hpp"

#include <sstream>

#include "overseer/sites/placeholders.hpp"

namespace overseer::sites {
namespace {

std::map<std::string, std::string> job_values(const Site& site, int nodes) {
  std::map<std::string, std::string> values = {
      {"nodes", std::to_string(nodes)},
      {"ranks", std::to_string(total_ranks(site, nodes))},
      {"ranks_per_node", std::to_string(site.ranks_per_node)},
      {"gpus_per_node", std::to_string(site.gpus)}};
  if (site.cpus) values["cpus_per_rank"] = std::to_string(*site.cpus / site.ranks_per_node);
  return values;
}

// A value for `export NAME="..."`: $ expands, as it would in the user's own script.
std::string double_quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\' || c == '`') out += '\\';
    out += c;
  }
  return out + "\"";
}

void write_directives(std::ostream& out, const Site& site, const JobRequest& job) {
  const std::string queue = job.queue.empty() ? site.default_queue : job.queue;
  const auto values = job_values(site, job.nodes);
  if (site.scheduler == Scheduler::Slurm) {
    out << "#SBATCH --job-name=" << job.name << "\n"
        << "#SBATCH --nodes=" << job.nodes << "\n"
        << "#SBATCH --time=" << job.time << "\n";
    if (!job.account.empty()) out << "#SBATCH --account=" << job.account << "\n";
    if (!queue.empty()) out << "#SBATCH " << site.queue_flag << "=" << queue << "\n";
    out << "#SBATCH --output=" << (job.run_dir / "slurm-%j.out").string() << "\n";
    if (job.drain_before_s > 0) out << "#SBATCH --signal=USR1@" << job.drain_before_s << "\n";
    for (const auto& d : site.directives) out << "#SBATCH " << expand(d, values) << "\n";
  } else if (site.scheduler == Scheduler::Pbs) {
    out << "#PBS -N " << job.name << "\n"
        << "#PBS -l select=" << job.nodes << "\n"
        << "#PBS -l walltime=" << job.time << "\n";
    if (!job.account.empty()) out << "#PBS -A " << job.account << "\n";
    if (!queue.empty()) out << "#PBS -q " << queue << "\n";
    out << "#PBS -j oe\n"
        << "#PBS -o " << (job.run_dir / "pbs.out").string() << "\n";
    for (const auto& d : site.directives) out << "#PBS " << expand(d, values) << "\n";
  }
}

}  // namespace

int total_ranks(const Site& site, int nodes) {
  return nodes * site.ranks_per_node;
}

std::vector<std::string> launcher_argv(const Site& site, int nodes,
                                       const std::vector<std::string>& command) {
  const auto values = job_values(site, nodes);
  std::vector<std::string> argv;
  for (const auto& word : site.launcher) argv.push_back(expand(word, values));
  argv.insert(argv.end(), command.begin(), command.end());
  return argv;
}

std::string command_line(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& word : argv) line += (line.empty() ? "" : " ") + shell_quote(word);
  return line;
}

std::string render_batch_script(const Site& site, const JobRequest& job) {
  std::ostringstream out;
  out << (site.scheduler == Scheduler::Pbs ? "#!/bin/bash -l\n" : "#!/bin/bash\n");
  write_directives(out, site, job);
  out << "# Written by overseer submit for site " << site.name << ": " << job.nodes << " node(s), "
      << total_ranks(site, job.nodes) << " ranks, " << site.ranks_per_node << " per node.\n"
      << "set -e\n";
  for (const auto& m : site.modules) out << "module load " << shell_quote(m) << "\n";
  for (const auto& [name, value] : site.env) {
    out << "export " << name << "=" << double_quoted(value) << "\n";
  }
  out << command_line(launcher_argv(site, job.nodes, job.command)) << "\n";
  return out.str();
}

std::vector<std::string> submit_argv(const Site& site, const std::filesystem::path& script) {
  switch (site.scheduler) {
    case Scheduler::Slurm:
      return {"sbatch", "--parsable", script.string()};
    case Scheduler::Pbs:
      return {"qsub", script.string()};
    case Scheduler::None:
      break;
  }
  return {};
}

std::string job_id_from_output(const Site& site, const std::string& output) {
  std::string id = output.substr(0, output.find_first_of("\r\n"));
  if (site.scheduler == Scheduler::Slurm) id = id.substr(0, id.find(';'));
  return id;
}

}  // namespace overseer::sites
