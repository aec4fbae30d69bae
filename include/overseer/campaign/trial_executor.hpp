#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "overseer/balancer/worker.hpp"
#include "overseer/models/trial_runner.hpp"
#include "overseer/sites/staging.hpp"

namespace overseer {

// Builds the rank group of a task that several workers run together, from the world ranks the
// server chose (the leader first).
using RankGroupFactory = std::function<std::unique_ptr<RankGroup>(const std::vector<int>& members)>;

// What a worker knows of its node besides the campaign: its site binding, the site's container
// launcher and staged copies.
struct WorkerSetup {
  WorkerResources resources;
  std::string devices;  // the visible-device variable's value, recorded with each result
  std::vector<std::string> container_launcher;
  sites::StagePlan staged;
  // Unset where groups cannot form (threads in one process), which fails such tasks.
  RankGroupFactory rank_groups;
};

// The worker side of a campaign: evaluates the tasks the balancer hands it as trials of the
// campaign's model. A worker whose setup fails (the campaign, its model) fails every task it
// is handed, joining a task's group first so that the other members hear of it.
ExecutorFactory trial_executor_factory(WorkerSetup setup = {});

}  // namespace overseer
