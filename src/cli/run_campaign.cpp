#include "overseer/cli/run_campaign.hpp"

#include <iostream>
#include <thread>

#include <spdlog/spdlog.h>

#include "overseer/balancer/inprocess_transport.hpp"
#include "overseer/balancer/master.hpp"
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

}  // namespace

int run_master(const RunOptions& options, Transport& transport,
               const std::atomic<int>& interrupt_signal) {
  try {
    PreparedCampaign prepared = prepare_campaign(options.campaign, options.overrides);
    const Campaign& campaign = prepared.campaign;
    const std::filesystem::path out =
        options.out.empty() ? std::filesystem::path(campaign.output.dir) / campaign.name
                            : std::filesystem::path(options.out);
    RunDirectory run = RunDirectory::open(out, campaign, options.resume, options.force);
    spdlog::info("campaign {}: {} search, {} trials of model {} on {} worker(s)", campaign.name,
                 campaign.search.algorithm, *campaign.search.budget, campaign.model.name,
                 transport.size() - 1);
    Master master(campaign, std::move(prepared.searcher), run, transport, &interrupt_signal);
    const StopReason reason = master.run();
    Master::shutdown_workers(transport);
    return exit_code(reason, interrupt_signal.load());
  } catch (const InputError& e) {
    std::cerr << "error: " << e.what() << "\n";
    Master::shutdown_workers(transport);
    return kExitInputError;
  }
}

int run_in_process(const RunOptions& options, const std::atomic<int>& interrupt_signal) {
  InProcessNetwork network(options.workers + 1);
  std::vector<std::thread> workers;
  for (int r = 1; r <= options.workers; ++r) {
    workers.emplace_back(
        [&network, r] { run_worker(network.endpoint(r), trial_handler_factory()); });
  }
  const int code = run_master(options, network.endpoint(0), interrupt_signal);
  if (interrupt_signal.load() != 0) {
    spdlog::warn("waiting for running trials to finish; interrupt again to quit at once");
  }
  for (auto& t : workers) t.join();
  return code;
}

}  // namespace overseer::cli
