#pragma once

#include "overseer/cli/node_ranks.hpp"
#include "overseer/sites/staging.hpp"

namespace overseer::cli {

// Copies the plan's files to every node: world rank 0 reads each file once and broadcasts it in
// chunks to the node leaders, which write it. Collective over the world; true on every rank when
// every node has its copy, false on every rank (with the cause logged where it happened) if not.
bool stage_over_mpi(const sites::StagePlan& plan, const NodeRanks& ranks);

}  // namespace overseer::cli
