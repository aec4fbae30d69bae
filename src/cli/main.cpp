#include <csignal>
#include <cstdlib>
#include <iostream>

#include <mpi.h>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "overseer/balancer/simulator.hpp"
#include "overseer/campaign/preparation.hpp"
#include "overseer/cli/analyze_command.hpp"
#include "overseer/cli/data_command.hpp"
#include "overseer/cli/import_command.hpp"
#include "overseer/cli/input_errors.hpp"
#include "overseer/cli/run_campaign.hpp"
#include "overseer/cli/run_dir_commands.hpp"
#include "overseer/cli/sites_command.hpp"
#include "overseer/cli/submit_command.hpp"
#include "overseer/cli/train_command.hpp"
#include "overseer/core/error.hpp"

namespace {

using namespace overseer;

std::atomic<int> g_interrupt_signal{0};

// The first SIGINT asks the master to stop after flushing, the first SIGTERM or SIGUSR1 to drain
// (pause the running trials, then stop); a second signal, with the default action restored,
// ends the process at once.
void on_signal(int signal) {
  g_interrupt_signal.store(signal);
  std::signal(signal, SIG_DFL);
}

// True when a launcher (mpirun, srun, mpiexec, PALS) started this process; a plain
// `overseer run` on a laptop then skips MPI entirely.
bool launched_by_mpi() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE",
                           "MPI_LOCALNRANKS", "PALS_RANKID"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

int run_under_mpi(const cli::RunOptions& options) {
  int provided = 0;
  // A trial on several ranks (model.ranks_per_trial) reduces its gradients from the thread it
  // trains on while the worker's own thread polls for messages.
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided);
  const int code = cli::run_under_mpi(options, g_interrupt_signal);
  MPI_Finalize();
  return code;
}

struct SimulateOptions {
  int workers = 1024;
  std::optional<int> servers;
  std::int64_t tasks = 10000;
  std::string duration = "fixed:1";
  std::string ranks = "1";
  int workers_per_node = 8;
  double latency_us = 2;
  double handle_us = 1;
  double searcher_ms = 0;
  double report_every_s = 0;
  double progress_us = 0;
  std::string steal = "on";
  std::string inject = "balanced";
  std::uint64_t seed = 0;
};

int simulate(const SimulateOptions& o) {
  try {
    SimulationSpec spec;
    spec.workers = o.workers;
    spec.servers = o.servers;
    spec.tasks = o.tasks;
    spec.duration = DurationModel::parse(o.duration);
    spec.ranks = RanksMix::parse(o.ranks);
    spec.workers_per_node = o.workers_per_node;
    spec.latency_s = o.latency_us * 1e-6;
    spec.handle_s = o.handle_us * 1e-6;
    spec.searcher_s = o.searcher_ms * 1e-3;
    spec.report_every_s = o.report_every_s;
    spec.progress_s = o.progress_us * 1e-6;
    spec.steal = o.steal == "on";
    spec.inject_at_one_server = o.inject == "one";
    spec.seed = o.seed;
    std::cout << simulate(spec).to_json().dump() << "\n";
    return kExitOk;
  } catch (const InputError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitInputError;
  } catch (const std::invalid_argument& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitInputError;
  }
}

int validate(const std::string& file, const std::vector<std::string>& overrides,
             const std::string& site_name) {
  return cli::exit_on_input_error([&] {
    std::optional<sites::Site> site;
    if (!site_name.empty()) site = sites::load_site(site_name);
    PreparedCampaign prepared = prepare_campaign(file, overrides, site ? &*site : nullptr);
    const Campaign& c = prepared.campaign;
    std::cout << file << ": ok: campaign \"" << c.name << "\", model " << c.model.name << ", "
              << c.search.algorithm << " search, " << *c.search.budget << " trials, "
              << c.space.parameters().size() << " searched parameters\n";
    return kExitOk;
  });
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Overseer: hyperparameter searches and model comparisons on HPC systems"};
  app.set_version_flag("--version", "overseer 0.1.0");
  app.require_subcommand(1);
  app.fallthrough();  // --log-level may follow the subcommand
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));

  cli::RunOptions run;
  auto* run_cmd = app.add_subcommand("run", "Run a campaign (under mpirun/srun, or locally)");
  run_cmd->add_option("campaign", run.campaign, "Campaign file (JSON)")->required();
  run_cmd->add_option("--out", run.out, "Run directory (default: OUTPUT.DIR/NAME)");
  run_cmd->add_option("--set", run.overrides, "Override a campaign field: dotted.key=value");
  run_cmd->add_flag("--resume", run.resume, "Continue the run in the run directory");
  run_cmd->add_flag("--force", run.force, "Resume even though the campaign changed");
  run_cmd->add_option("--workers", run.workers, "Worker threads when not launched by mpirun")
      ->check(CLI::Range(1, 4096));
  run_cmd
      ->add_option("--servers", run.servers,
                   "Number of server ranks (default: from balancer.workers_per_server)")
      ->check(CLI::PositiveNumber);
  run_cmd->add_option("--site", run.site,
                      "Site name or file: binds each rank's GPUs and threads (docs/sites.md)");

  std::string validate_file;
  std::vector<std::string> validate_overrides;
  auto* validate_cmd = app.add_subcommand("validate", "Check a campaign file without running it");
  validate_cmd->add_option("campaign", validate_file, "Campaign file (JSON)")->required();
  validate_cmd->add_option("--set", validate_overrides,
                           "Override a campaign field: dotted.key=value");
  std::string validate_site;
  validate_cmd->add_option("--site", validate_site,
                           "Site name or file: check the campaign as `run --site` would");

  SimulateOptions sim;
  auto* simulate_cmd = app.add_subcommand(
      "simulate", "Simulate the balancer with many workers on a virtual clock; prints JSON");
  simulate_cmd->add_option("--workers", sim.workers, "Simulated workers")
      ->check(CLI::Range(1, 1 << 22));
  simulate_cmd->add_option("--servers", sim.servers, "Servers (default: one per 256 workers)")
      ->check(CLI::PositiveNumber);
  simulate_cmd->add_option("--tasks", sim.tasks, "Tasks to run")->check(CLI::PositiveNumber);
  simulate_cmd->add_option("--duration", sim.duration,
                           "fixed:X, uniform:A,B or lognormal:MU,SIGMA (seconds)");
  simulate_cmd->add_option("--ranks", sim.ranks,
                           "Workers per task: K, or a weighted mix K1:W1,K2:W2,... (default 1)");
  simulate_cmd
      ->add_option("--workers-per-node", sim.workers_per_node,
                   "Consecutive workers sharing a node, which multi-worker tasks prefer")
      ->check(CLI::PositiveNumber);
  simulate_cmd->add_option("--latency-us", sim.latency_us, "Message latency")
      ->check(CLI::NonNegativeNumber);
  simulate_cmd->add_option("--handle-us", sim.handle_us, "A rank's cost per message handled")
      ->check(CLI::NonNegativeNumber);
  simulate_cmd->add_option("--searcher-ms", sim.searcher_ms, "Master's cost per proposed task")
      ->check(CLI::NonNegativeNumber);
  simulate_cmd
      ->add_option("--report-every", sim.report_every_s,
                   "Seconds between a task's progress reports (0: none)")
      ->check(CLI::NonNegativeNumber);
  simulate_cmd
      ->add_option("--progress-us", sim.progress_us,
                   "Master's cost per progress report, beyond handling its message")
      ->check(CLI::NonNegativeNumber);
  simulate_cmd->add_option("--steal", sim.steal, "Work stealing: on or off")
      ->check(CLI::IsMember({"on", "off"}));
  simulate_cmd
      ->add_option("--inject", sim.inject,
                   "Where the master puts tasks: balanced, or one (server 0 only)")
      ->check(CLI::IsMember({"balanced", "one"}));
  simulate_cmd->add_option("--seed", sim.seed, "Seed for task durations and steal targets");

  cli::TrainOptions train;
  auto* train_cmd = app.add_subcommand(
      "train", "Evaluate a model once with the given parameters and print the result as JSON");
  train_cmd->add_option("--model", train.model, "Model name")->required();
  train_cmd->add_option("--params", train.params,
                        "Parameters: a JSON object or a file holding one");
  train_cmd->add_option(
      "--data", train.data,
      "The model's data: a dataset file, or a JSON description (inline or .json file)");
  train_cmd->add_option("--device", train.device, "auto, cpu, cuda, cuda:N or rocm");
  train_cmd->add_option("--trial-dir", train.trial_dir,
                        "Directory for params.json, result.json and the model's artifacts");
  train_cmd->add_option("--seed", train.seed, "Seed for the model's randomness");
  train_cmd->add_flag("--progress", train.progress,
                      "Print each progress report as an IMPROVE_PROGRESS line; stop at the next "
                      "report once STOP exists in the trial directory");
  train_cmd->add_option("--timeout", train.timeout_s, "Seconds before the evaluation is stopped")
      ->check(CLI::NonNegativeNumber);
  const cli::DataCommand data = cli::add_data_command(app);
  const cli::Subcommand import = cli::add_import_command(app);
  const cli::Subcommand submit = cli::add_submit_command(app);
  const cli::Subcommand sites = cli::add_sites_command(app);
  const cli::Subcommand analyze = cli::add_analyze_command(app);
  const cli::RunDirCommands run_dir = cli::add_run_dir_commands(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitInputError;
  }

  auto logger = spdlog::stderr_color_mt("overseer");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(log_level));
  spdlog::set_pattern("[%H:%M:%S.%e] [%l] %v");

  if (*validate_cmd) return validate(validate_file, validate_overrides, validate_site);
  if (*simulate_cmd) return simulate(sim);
  if (*train_cmd) return cli::train(train);
  if (*data.command) return data.run();
  if (*import.command) return import.run();
  if (run_dir.picked()) return run_dir.run();
  if (*submit.command) return submit.run();
  if (*sites.command) return sites.run();
  if (*analyze.command) return analyze.run();
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGUSR1, on_signal);
  try {
    return launched_by_mpi() ? run_under_mpi(run) : cli::run_in_process(run, g_interrupt_signal);
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return kExitCampaignFailed;
  }
}
