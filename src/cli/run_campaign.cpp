#include "overseer/cli/run_campaign.hpp"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <thread>

#include <mpi.h>

#include <spdlog/spdlog.h>

#include "overseer/balancer/inprocess_transport.hpp"
#include "overseer/balancer/mpi_transport.hpp"
#include "overseer/balancer/protocol.hpp"
#include "overseer/balancer/worker.hpp"
#include "overseer/campaign/master.hpp"
#include "overseer/campaign/mpi_rank_group.hpp"
#include "overseer/campaign/preparation.hpp"
#include "overseer/campaign/trial_executor.hpp"
#include "overseer/cli/mpi_staging.hpp"
#include "overseer/cli/node_ranks.hpp"
#include "overseer/core/error.hpp"
#include "overseer/sites/binding.hpp"

namespace overseer::cli {
namespace {

int exit_code(StopReason reason, int signal) {
  switch (reason) {
    case StopReason::Completed:
      return kExitOk;
    case StopReason::NoTrialSucceeded:
    case StopReason::MaxFailures:
      return kExitCampaignFailed;
    case StopReason::Interrupted:
      return 128 + signal;
    case StopReason::Drained:
    case StopReason::Walltime:
      return kExitResumable;
  }
  return kExitCampaignFailed;
}

// Everything rank 0 decides before the campaign starts; throws InputError.
struct Plan {
  PreparedCampaign prepared;
  RunDirectory run;
  std::optional<sites::Site> site;
  sites::StagePlan staged;
};

Plan plan(const RunOptions& options) {
  std::optional<sites::Site> site;
  if (!options.site.empty()) site = sites::load_site(options.site);
  PreparedCampaign prepared =
      prepare_campaign(options.campaign, options.overrides, site ? &*site : nullptr);
  const Campaign& campaign = prepared.campaign;
  sites::StagePlan staged;
  if (!campaign.stage.empty()) {
    staged = sites::plan_staging(campaign, sites::scratch_directory(site ? site->scratch : ""));
  }
  const std::filesystem::path out = options.out.empty()
                                        ? std::filesystem::path(campaign.output.dir) / campaign.name
                                        : std::filesystem::path(options.out);
  try {
    RunDirectory run = RunDirectory::open(out, campaign, options.resume, options.force);
    return Plan{std::move(prepared), std::move(run), std::move(site), std::move(staged)};
  } catch (const std::filesystem::filesystem_error& e) {
    throw InputError(out.string(), "", e.code().message());
  }
}

std::string user_name() {
  if (const char* user = std::getenv("USER")) return user;
  const passwd* entry = ::getpwuid(::geteuid());
  return entry != nullptr ? entry->pw_name : "user";
}

int hardware_threads() {
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

// Binds this rank's devices and environment from the site (before any GPU runtime starts) and
// says what its workers get.
WorkerSetup bind_rank(const sites::Site& site, const NodeRanks& ranks, sites::StagePlan staged) {
  sites::RankPlace place;
  place.rank = ranks.rank();
  place.local_rank = ranks.local_rank();
  place.local_size = ranks.local_size();
  place.hardware_threads = hardware_threads();
  place.user = user_name();
  if (place.local_size > site.ranks_per_node && place.local_rank == 0) {
    spdlog::warn(
        "site {}: {} ranks on node {}, but the site's layout has {} per node; devices "
        "are shared round-robin",
        site.name, place.local_size, host_name(), site.ranks_per_node);
  }
  const sites::DeviceBinding binding = sites::bind_rank(site, place);
  sites::apply_binding(site, binding);
  if (!binding.visible.empty()) {
    spdlog::debug("rank {} (local {}): {}={}, {} thread(s)", place.rank, place.local_rank,
                  site.visible_devices, binding.visible, binding.threads);
  }
  WorkerSetup setup;
  setup.resources = {binding.device, binding.devices, binding.threads};
  setup.devices = binding.visible;
  setup.container_launcher = site.container.exec;
  setup.staged = std::move(staged);
  return setup;
}

Layout layout_for(int ranks, const Campaign& campaign, std::optional<int> servers) {
  try {
    return Layout(ranks, static_cast<int>(campaign.balancer.workers_per_server), servers);
  } catch (const std::invalid_argument& e) {
    throw InputError("", "", std::string("--servers: ") + e.what());
  }
}

// Whether this MPI job can run the campaign's trials on groups of ranks.
void check_rank_groups(const Layout& layout, const Campaign& campaign) {
  const auto k = campaign.model.ranks_per_trial;
  if (k == 1) return;
  if (!MpiRankGroups::supported()) {
    throw InputError(campaign.file.string(), "/model/ranks_per_trial",
                     "trials on several ranks need an MPI with MPI_THREAD_MULTIPLE, which this "
                     "one does not provide (see your MPI's thread-support setting)");
  }
  // A group forms from one server's workers, so the smallest block bounds it.
  int smallest = layout.workers();
  for (int s = 0; s < layout.servers(); ++s) {
    const auto [first, last] = layout.workers_of(s);
    smallest = std::min(smallest, last - first);
  }
  if (k > smallest) {
    throw InputError(
        campaign.file.string(), "/model/ranks_per_trial",
        "a trial on " + std::to_string(k) + " ranks needs as many workers on each server, but " +
            std::to_string(layout.servers()) + " server(s) for " +
            std::to_string(layout.workers()) + " worker(s) leave " + std::to_string(smallest) +
            " on the smallest; start more ranks or raise "
            "balancer.workers_per_server");
  }
}

// Whether the job has a worker group for each trial that must train at the same time (an ltfb
// population): with fewer, the trainers that run would wait for the others forever.
void check_population(const Layout& layout, const PreparedCampaign& prepared) {
  const std::int64_t together = prepared.scheduler ? prepared.scheduler->trains_together() : 0;
  if (together == 0) return;
  const Campaign& campaign = prepared.campaign;
  const auto k = campaign.model.ranks_per_trial;
  std::int64_t groups = 0;
  for (int s = 0; s < layout.servers(); ++s) {
    const auto [first, last] = layout.workers_of(s);
    groups += (last - first) / k;
  }
  if (groups < together) {
    throw InputError(campaign.file.string(), "/search/budget",
                     "scheduler \"" + scheduler_options(campaign).name + "\" trains its " +
                         std::to_string(together) + " trials at the same time, but " +
                         std::to_string(layout.workers()) + " worker(s)" +
                         (k > 1 ? " in groups of " + std::to_string(k) : std::string()) +
                         " run only " + std::to_string(groups) +
                         " at once; start more ranks or lower the budget");
  }
}

ServerOptions server_options(const Campaign& campaign) {
  ServerOptions options;
  options.steal = campaign.balancer.steal;
  options.seed = campaign.search.seed;
  return options;
}

// Drives the campaign; whatever goes wrong, the other ranks are told to stop. `left_running`
// counts the attempts still running when it ended (a drain that outlasted limits.drain_s).
int run_plan(Plan& plan, Transport& transport, const Layout& layout,
             const std::atomic<int>& interrupt_signal, std::int64_t& left_running) {
  try {
    const Campaign& campaign = plan.prepared.campaign;
    spdlog::info("campaign {}: {} search, {} trials of model {} on {} worker(s), {} server(s)",
                 campaign.name, campaign.search.algorithm, *campaign.search.budget,
                 campaign.model.name, layout.workers(), layout.servers());
    Master master(campaign, std::move(plan.prepared.searcher), std::move(plan.prepared.scheduler),
                  plan.run, transport, layout, server_options(campaign), &interrupt_signal);
    const StopReason reason = master.run();
    left_running = master.left_running();
    return exit_code(reason, interrupt_signal.load());
  } catch (const InputError& e) {
    std::cerr << "error: " << e.what() << "\n";
    shutdown_others(transport);
    return kExitInputError;
  } catch (const std::exception& e) {
    // A full disk, a run directory gone: what the journal holds is intact (see Journal).
    spdlog::critical("campaign stopped: {}", e.what());
    spdlog::critical("every result recorded before is kept: continue with --resume once fixed");
    shutdown_others(transport);
    return kExitCampaignFailed;
  }
}

void run_role(Transport& transport, const Layout& layout, const ServerOptions& options,
              const WorkerSetup& setup) {
  if (layout.is_server(transport.rank())) {
    ServerRole server(transport, layout, options);
    drive(server, transport);
  } else {
    WorkerRole worker(transport, layout, trial_executor_factory(setup));
    drive(worker, transport);
  }
}

void report(const InputError& e) {
  std::cerr << "error: " << e.what() << "\n";
}

}  // namespace

int run_in_process(const RunOptions& options, const std::atomic<int>& interrupt_signal) {
  std::optional<Plan> p;
  std::optional<Layout> layout;
  try {
    p.emplace(plan(options));
    if (p->prepared.campaign.model.ranks_per_trial > 1) {
      throw InputError(p->prepared.campaign.file.string(), "/model/ranks_per_trial",
                       "trials on several ranks need ranks started by mpirun or srun, not "
                       "workers in one process");
    }
    // --workers counts workers only: the servers come on top.
    const auto per_server = p->prepared.campaign.balancer.workers_per_server;
    const int servers =
        options.servers.value_or(static_cast<int>((options.workers + per_server - 1) / per_server));
    layout.emplace(layout_for(servers + options.workers, p->prepared.campaign, servers));
    check_population(*layout, p->prepared);
  } catch (const InputError& e) {
    report(e);
    return kExitInputError;
  }
  // Threads share one environment, so a site gives them threads and no device binding.
  WorkerSetup setup;
  if (p->site) {
    setup.resources.threads =
        std::max(1, p->site->threads_per_worker.value_or(
                        p->site->cores.value_or(hardware_threads()) / options.workers));
    setup.container_launcher = p->site->container.exec;
  }
  setup.staged = p->staged;
  if (!setup.staged.entries.empty()) {
    try {
      sites::copy_staged_files(setup.staged);
    } catch (const std::filesystem::filesystem_error& e) {
      std::cerr << "error: staging: " << e.path1().string() << ": " << e.code().message() << "\n";
      return kExitCampaignFailed;
    }
  }
  InProcessNetwork network(layout->ranks());
  std::vector<std::thread> threads;
  for (int r = 1; r < layout->ranks(); ++r) {
    threads.emplace_back([&network, &layout, &p, &setup, r] {
      run_role(network.endpoint(r), *layout, server_options(p->prepared.campaign), setup);
    });
  }
  std::int64_t left_running = 0;
  const int code = run_plan(*p, network.endpoint(0), *layout, interrupt_signal, left_running);
  if (left_running > 0) {
    spdlog::warn("waiting for running trials to finish; interrupt again to quit at once");
  }
  for (auto& t : threads) t.join();
  return code;
}

int run_under_mpi(const RunOptions& options, const std::atomic<int>& interrupt_signal) {
  MpiTransport transport(MPI_COMM_WORLD);
  if (transport.size() == 1) return run_in_process(options, interrupt_signal);

  // Rank 0 validates the campaign and decides the number of servers; 0 tells every rank that
  // the campaign cannot start.
  std::optional<Plan> p;
  std::optional<Layout> layout;
  // {servers, steal, seed}: what the other ranks need to know of the campaign.
  std::int64_t shared[3] = {0, 0, 0};
  if (transport.rank() == 0) {
    try {
      p.emplace(plan(options));
      layout.emplace(layout_for(transport.size(), p->prepared.campaign, options.servers));
      check_rank_groups(*layout, p->prepared.campaign);
      check_population(*layout, p->prepared);
      const ServerOptions balancing = server_options(p->prepared.campaign);
      shared[0] = layout->servers();
      shared[1] = balancing.steal;
      shared[2] = static_cast<std::int64_t>(balancing.seed);
    } catch (const InputError& e) {
      report(e);
    }
  }
  MPI_Bcast(shared, 3, MPI_INT64_T, 0, MPI_COMM_WORLD);
  if (shared[0] == 0) return kExitInputError;

  // The site and the stage plan, as rank 0 resolved them.
  json node_setup;
  if (transport.rank() == 0) {
    node_setup = {{"stage", sites::to_json(p->staged)}};
    if (p->site) node_setup["site"] = {{"file", p->site->file.string()}, {"raw", p->site->raw}};
  }
  broadcast_json(node_setup, MPI_COMM_WORLD);
  const NodeRanks ranks(MPI_COMM_WORLD);
  sites::StagePlan staged = sites::stage_plan_from_json(node_setup.at("stage"));
  WorkerSetup setup;
  setup.staged = staged;
  int failed = 0;
  try {
    if (node_setup.contains("site")) {
      const auto site = sites::parse_site(node_setup["site"]["raw"],
                                          node_setup["site"]["file"].get<std::string>());
      setup = bind_rank(site, ranks, staged);
    }
  } catch (const std::exception& e) {
    spdlog::critical("rank {}: {}", ranks.rank(), e.what());
    failed = 1;
  }
  const auto rank_groups = std::make_shared<MpiRankGroups>(MPI_COMM_WORLD);
  setup.rank_groups = [rank_groups](const std::vector<int>& members) {
    return rank_groups->create(members);
  };
  // A rank that could not bind (a directory it cannot create) stops every rank.
  MPI_Allreduce(MPI_IN_PLACE, &failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (failed != 0) return kExitCampaignFailed;
  if (!staged.entries.empty() && !stage_over_mpi(staged, ranks)) {
    if (transport.rank() == 0) std::cerr << "error: staging to node-local storage failed\n";
    return kExitCampaignFailed;
  }

  if (transport.rank() == 0) {
    std::int64_t left_running = 0;
    const int code = run_plan(*p, transport, *layout, interrupt_signal, left_running);
    // Workers still in a trial would hold MPI_Finalize up until it ended; the journal is closed.
    if (left_running > 0) MPI_Abort(MPI_COMM_WORLD, code);
    return code;
  }
  // SIGTERM and SIGUSR1, which Slurm sends to every task at (or ahead of) a job's end and mpirun
  // passes to every rank, are the master's to act on: it pauses the workers' trials through the
  // balancer and then shuts them down. SIGINT (Ctrl-C) ends the others at once.
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_IGN);
  std::signal(SIGUSR1, SIG_IGN);
  spdlog::set_pattern(fmt::format("[%H:%M:%S.%e] [%l] [rank {}] %v", transport.rank()));
  ServerOptions balancing;
  balancing.steal = shared[1] != 0;
  balancing.seed = static_cast<std::uint64_t>(shared[2]);
  run_role(transport, Layout(transport.size(), 1, static_cast<int>(shared[0])), balancing, setup);
  return kExitOk;
}

}  // namespace overseer::cli
