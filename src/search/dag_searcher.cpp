// dag: trials that depend on trials. Each node becomes ready when its parents have finished,
// and is proposed at once (dataflow, as Swift/T runs a script), not stage by stage; a node
// under a failed parent is skipped or fails with it (`failed_parent`). The nodes come from
// `nodes` or from a generator (`generator`: incremental, learning_curve).
#include <algorithm>
#include <map>
#include <utility>

#include "overseer/core/error.hpp"
#include "overseer/search/dag.hpp"
#include "overseer/search/searcher.hpp"

namespace overseer {
namespace {

std::vector<DagNode> explicit_nodes(const JsonView& list) {
  std::vector<DagNode> nodes;
  for (const auto& element : list.elements()) {
    element.only_keys({"id", "params", "parents", "warm_start"});
    DagNode node;
    node.id = element.at("id").string();
    if (node.id.empty()) element.at("id").fail("must not be empty");
    if (auto params = element.find("params")) {
      params->require_object();
      node.params = params->value();
    }
    if (auto parents = element.find("parents")) {
      for (const auto& parent : parents->elements()) node.parents.push_back(parent.string());
    }
    if (auto warm = element.find("warm_start")) {
      const std::string from = warm->string();
      if (from != "parent" && from != "none") warm->fail("must be \"parent\" or \"none\"");
      if (from == "parent" && node.parents.empty()) warm->fail("a node without parents");
      node.warm_start = from == "parent";
    }
    nodes.push_back(std::move(node));
  }
  return nodes;
}

std::vector<DagNode> generated_nodes(const JsonView& generator) {
  const std::string kind = generator.at("kind").string();
  const DagGeneratorEntry* entry = DagGeneratorRegistry::instance().find(kind);
  if (entry == nullptr) {
    generator.at("kind").fail("unknown generator \"" + kind +
                              "\"; available: " + DagGeneratorRegistry::instance().names_joined());
  }
  std::vector<std::string> allowed = {"kind", "params"};
  allowed.insert(allowed.end(), entry->options.begin(), entry->options.end());
  generator.only_keys(allowed);
  std::vector<DagNode> nodes = entry->expand(generator);
  // `params` go to every node, under the generator's own.
  if (auto common = generator.find("params")) {
    common->require_object();
    for (auto& node : nodes) {
      json params = common->value();
      params.update(node.params);
      node.params = std::move(params);
    }
  }
  return nodes;
}

class DagSearcher : public Searcher {
 public:
  DagSearcher(std::vector<DagNode> nodes, bool fail_subtree, const JsonView& where)
      : nodes_(std::move(nodes)), fail_subtree_(fail_subtree) {
    if (nodes_.empty()) where.fail("the DAG has no nodes");
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      if (!index.emplace(nodes_[i].id, i).second) {
        where.fail("node \"" + nodes_[i].id + "\" appears twice");
      }
    }
    // Parents must come first, which also rules out cycles.
    parents_.resize(nodes_.size());
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      for (const auto& parent : nodes_[i].parents) {
        const auto it = index.find(parent);
        if (it == index.end()) {
          where.fail("node \"" + nodes_[i].id + "\" follows \"" + parent + "\", which is no node");
        }
        if (it->second >= i) {
          where.fail("node \"" + nodes_[i].id + "\" follows \"" + parent +
                     "\", which does not come before it (the nodes must be in an order where "
                     "parents come first; a cycle has none)");
        }
        parents_[i].push_back(it->second);
      }
    }
    state_.assign(nodes_.size(), State::Waiting);
    trial_of_.assign(nodes_.size(), -1);
  }

  Suggestion ask() override {
    bool waiting = false;
    for (std::size_t i = next_; i < nodes_.size(); ++i) {
      if (state_[i] != State::Waiting) continue;
      const auto blocked = blocked_by(i);
      if (blocked == Blocked::Failed) {
        if (fail_subtree_) return propose(i, "its parent \"" + failed_parent(i) + "\" failed");
        state_[i] = State::Failed;
        events_.push_back(
            {{"kind", "skipped"}, {"node", nodes_[i].id}, {"because", failed_parent(i)}});
        continue;
      }
      if (blocked == Blocked::Running) {
        waiting = true;
        continue;
      }
      return propose(i, "");
    }
    while (next_ < nodes_.size() && state_[next_] != State::Waiting) ++next_;
    return waiting ? Suggestion::wait() : Suggestion::exhausted();
  }

  void tell(const TrialRecord& trial) override {
    const auto it = node_of_trial_.find(trial.id);
    if (it == node_of_trial_.end()) return;
    const bool ok =
        trial.result.status == TrialStatus::Ok || trial.result.status == TrialStatus::Stopped;
    state_[it->second] = ok ? State::Finished : State::Failed;
  }

  std::optional<std::int64_t> size() const override {
    return static_cast<std::int64_t>(nodes_.size());
  }

  std::vector<json> take_events() override { return std::exchange(events_, {}); }

 private:
  enum class State { Waiting, Proposed, Finished, Failed };
  enum class Blocked { No, Running, Failed };

  // A node waits until every parent has settled, so that a failed subtree is decided (and
  // journaled) only once each parent has a trial.
  Blocked blocked_by(std::size_t i) const {
    Blocked blocked = Blocked::No;
    for (auto p : parents_[i]) {
      if (state_[p] != State::Finished && state_[p] != State::Failed) return Blocked::Running;
      if (state_[p] == State::Failed) blocked = Blocked::Failed;
    }
    return blocked;
  }

  std::string failed_parent(std::size_t i) const {
    for (auto p : parents_[i]) {
      if (state_[p] == State::Failed) return nodes_[p].id;
    }
    return {};
  }

  Suggestion propose(std::size_t i, std::string doomed) {
    Suggestion s = Suggestion::point(nodes_[i].params, nodes_[i].id);
    for (auto p : parents_[i]) s.parents.push_back(trial_of_[p]);
    if (nodes_[i].warm_start) s.warm_start = trial_of_[parents_[i].front()];
    s.doomed = std::move(doomed);
    trial_of_[i] = proposed_++;
    node_of_trial_[trial_of_[i]] = i;
    state_[i] = State::Proposed;
    return s;
  }

  std::vector<DagNode> nodes_;
  bool fail_subtree_;
  std::vector<std::vector<std::size_t>> parents_;
  std::vector<State> state_;
  std::vector<TrialId> trial_of_;  // -1 until proposed: the n-th proposal becomes trial n
  std::map<TrialId, std::size_t> node_of_trial_;
  TrialId proposed_ = 0;
  std::size_t next_ = 0;  // nodes before it are all settled
  std::vector<json> events_;
};

JsonView search_view(const Campaign& campaign) {
  return JsonView(campaign.search.options, campaign.file.string(), json::json_pointer("/search"));
}

// The nodes of the `search` object, and where errors about them point.
std::pair<std::vector<DagNode>, JsonView> dag_nodes(const JsonView& search) {
  const auto nodes = search.find("nodes");
  const auto generator = search.find("generator");
  if (nodes.has_value() == generator.has_value()) {
    search.fail("a dag search needs either nodes (a list) or a generator (an object)");
  }
  return {nodes ? explicit_nodes(*nodes) : generated_nodes(*generator),
          nodes ? *nodes : *generator};
}

std::unique_ptr<Searcher> make_dag(const Campaign&, const JsonView& search) {
  const std::string failed = search.string_or("failed_parent", "skip");
  if (failed != "skip" && failed != "fail") {
    search.at("failed_parent").fail("must be \"skip\" or \"fail\"");
  }
  auto [nodes, where] = dag_nodes(search);
  return std::make_unique<DagSearcher>(std::move(nodes), failed == "fail", where);
}

const bool registered =
    SearcherRegistry::instance().add("dag", {{"nodes", "generator", "failed_parent"}, make_dag});

}  // namespace

bool dag_warm_starts(const Campaign& campaign) {
  if (campaign.search.algorithm != "dag") return false;
  const auto nodes = dag_nodes(search_view(campaign)).first;
  return std::any_of(nodes.begin(), nodes.end(), [](const DagNode& n) { return n.warm_start; });
}

}  // namespace overseer
