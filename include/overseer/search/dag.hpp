#pragma once

#include <functional>
#include <string>
#include <vector>

#include "overseer/core/campaign.hpp"
#include "overseer/core/json_view.hpp"
#include "overseer/core/registry.hpp"

namespace overseer {

// One trial of a DAG campaign (search algorithm dag, docs/workflows.md): its tuple, the nodes it
// follows, and whether it starts from its first parent's final checkpoint.
struct DagNode {
  std::string id;
  json params = json::object();
  std::vector<std::string> parents;
  bool warm_start = false;
};

// Expands a `search.generator` object ({"kind": ..., options}) into the DAG's nodes, parents
// before children; throws InputError (through `view`) for bad options.
struct DagGeneratorEntry {
  std::vector<std::string> options;  // besides "kind" and "params"
  std::function<std::vector<DagNode>(const JsonView& view)> expand;
};

using DagGeneratorRegistry = Registry<DagGeneratorEntry>;

// Whether a dag campaign has nodes that start from a parent's checkpoint (false for any other
// search); throws InputError for a bad DAG.
bool dag_warm_starts(const Campaign& campaign);

}  // namespace overseer
