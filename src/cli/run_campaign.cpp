#include "overseer/cli/run_campaign.hpp"

#include <csignal>
#include <iostream>
#include <thread>

#include <mpi.h>

#include <spdlog/spdlog.h>

#include "overseer/balancer/inprocess_transport.hpp"
#include "overseer/balancer/master.hpp"
#include "overseer/balancer/mpi_transport.hpp"
#include "overseer/balancer/protocol.hpp"
#include "overseer/balancer/worker.hpp"
#include "overseer/cli/campaign_setup.hpp"
#include "overseer/core/error.hpp"

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
  }
  return kExitCampaignFailed;
}

// Everything rank 0 decides before the campaign starts; throws InputError.
struct Plan {
  PreparedCampaign prepared;
  RunDirectory run;
};

Plan plan(const RunOptions& options) {
  PreparedCampaign prepared = prepare_campaign(options.campaign, options.overrides);
  const Campaign& campaign = prepared.campaign;
  const std::filesystem::path out = options.out.empty()
                                        ? std::filesystem::path(campaign.output.dir) / campaign.name
                                        : std::filesystem::path(options.out);
  try {
    RunDirectory run = RunDirectory::open(out, campaign, options.resume, options.force);
    return Plan{std::move(prepared), std::move(run)};
  } catch (const std::filesystem::filesystem_error& e) {
    throw InputError(out.string(), "", e.code().message());
  }
}

Layout layout_for(int ranks, const Campaign& campaign, std::optional<int> servers) {
  try {
    return Layout(ranks, static_cast<int>(campaign.balancer.workers_per_server), servers);
  } catch (const std::invalid_argument& e) {
    throw InputError("", "", std::string("--servers: ") + e.what());
  }
}

ServerOptions server_options(const Campaign& campaign) {
  ServerOptions options;
  options.steal = campaign.balancer.steal;
  options.seed = campaign.search.seed;
  return options;
}

// Drives the campaign; whatever goes wrong, the other ranks are told to stop.
int run_plan(Plan& plan, Transport& transport, const Layout& layout,
             const std::atomic<int>& interrupt_signal) {
  try {
    const Campaign& campaign = plan.prepared.campaign;
    spdlog::info("campaign {}: {} search, {} trials of model {} on {} worker(s), {} server(s)",
                 campaign.name, campaign.search.algorithm, *campaign.search.budget,
                 campaign.model.name, layout.workers(), layout.servers());
    Master master(campaign, std::move(plan.prepared.searcher), plan.run, transport, layout,
                  server_options(campaign), &interrupt_signal);
    const StopReason reason = master.run();
    return exit_code(reason, interrupt_signal.load());
  } catch (const InputError& e) {
    std::cerr << "error: " << e.what() << "\n";
    shutdown_others(transport);
    return kExitInputError;
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    shutdown_others(transport);
    return kExitCampaignFailed;
  }
}

void run_role(Transport& transport, const Layout& layout, const ServerOptions& options) {
  if (layout.is_server(transport.rank())) {
    ServerRole server(transport, layout, options);
    drive(server, transport);
  } else {
    WorkerRole worker(transport, layout, trial_executor_factory());
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
    // --workers counts workers only: the servers come on top.
    const auto per_server = p->prepared.campaign.balancer.workers_per_server;
    const int servers =
        options.servers.value_or(static_cast<int>((options.workers + per_server - 1) / per_server));
    layout.emplace(layout_for(servers + options.workers, p->prepared.campaign, servers));
  } catch (const InputError& e) {
    report(e);
    return kExitInputError;
  }
  InProcessNetwork network(layout->ranks());
  std::vector<std::thread> threads;
  for (int r = 1; r < layout->ranks(); ++r) {
    threads.emplace_back([&network, &layout, &p, r] {
      run_role(network.endpoint(r), *layout, server_options(p->prepared.campaign));
    });
  }
  const int code = run_plan(*p, network.endpoint(0), *layout, interrupt_signal);
  if (interrupt_signal.load() != 0) {
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

  if (transport.rank() == 0) return run_plan(*p, transport, *layout, interrupt_signal);
  // Only the master stops gracefully; the others simply go.
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  spdlog::set_pattern(fmt::format("[%H:%M:%S.%e] [%l] [rank {}] %v", transport.rank()));
  ServerOptions balancing;
  balancing.steal = shared[1] != 0;
  balancing.seed = static_cast<std::uint64_t>(shared[2]);
  run_role(transport, Layout(transport.size(), 1, static_cast<int>(shared[0])), balancing);
  return kExitOk;
}

}  // namespace overseer::cli
