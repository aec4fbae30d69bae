// incremental: the leave-one-out learning tree of CANDLE/Supervisor's incremental-learning
// study (run_stage(N, S, ...)). The training rows are dealt into `subsets` subsets; the root
// trains on all of them, and each node of stage s trains from its parent's weights with one
// more subset held out, for every subset its path has not held out yet, down to `stages`.
// Node ids are the held-out subsets in order ("1.3.2"), the root "root". How much a node's
// metrics move from its parent's says what the subset it left out was worth.
#include <algorithm>

#include "overseer/search/dag.hpp"

namespace overseer {
namespace {

constexpr std::size_t kMostNodes = 100000;

void grow(const std::string& parent, const std::vector<std::int64_t>& held, std::int64_t subsets,
          std::int64_t stages, std::vector<DagNode>& nodes) {
  if (static_cast<std::int64_t>(held.size()) == stages) return;
  for (std::int64_t subset = 1; subset <= subsets; ++subset) {
    if (std::find(held.begin(), held.end(), subset) != held.end()) continue;
    std::vector<std::int64_t> path = held;
    path.push_back(subset);
    DagNode node;
    node.id = (held.empty() ? "" : parent + ".") + std::to_string(subset);
    node.params = {{"train_subsets", subsets}, {"held_out_subsets", path}};
    node.parents = {parent};
    node.warm_start = true;
    const std::string id = node.id;
    nodes.push_back(std::move(node));
    grow(id, path, subsets, stages, nodes);
  }
}

std::vector<DagNode> expand(const JsonView& view) {
  const std::int64_t subsets = view.at("subsets").integer();
  if (subsets < 2 || subsets > 1000) view.at("subsets").fail("subsets must be between 2 and 1000");
  const std::int64_t stages = view.integer_or("stages", 1);
  if (stages < 1 || stages >= subsets) {
    (view.find("stages") ? view.at("stages") : view)
        .fail("stages must be between 1 and subsets - 1 (" + std::to_string(subsets - 1) + ")");
  }
  // N + N(N-1) + ... + N!/(N-S)! nodes below the root.
  std::size_t count = 1, level = 1;
  for (std::int64_t s = 0; s < stages && count <= kMostNodes; ++s) {
    level *= static_cast<std::size_t>(subsets - s);
    count += level;
  }
  if (count > kMostNodes) {
    view.fail("subsets " + std::to_string(subsets) + " and stages " + std::to_string(stages) +
              " make more than " + std::to_string(kMostNodes) + " nodes");
  }
  std::vector<DagNode> nodes;
  nodes.reserve(count);
  DagNode root;
  root.id = "root";
  root.params = {{"train_subsets", subsets}, {"held_out_subsets", json::array()}};
  nodes.push_back(root);
  grow(root.id, {}, subsets, stages, nodes);
  return nodes;
}

const bool registered =
    DagGeneratorRegistry::instance().add("incremental", {{"subsets", "stages"}, expand});

}  // namespace
}  // namespace overseer
