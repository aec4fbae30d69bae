#include "overseer/balancer/server.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "overseer/balancer/protocol.hpp"

namespace overseer {

Server::Server(Transport& transport, const Layout& layout, ServerOptions options,
               std::function<void(int)> ask_master)
    : transport_(transport),
      layout_(layout),
      options_(options),
      ask_master_(std::move(ask_master)),
      backoff_(options.probe_backoff_min_s),
      rng_(mix_seed(options.seed, static_cast<std::uint64_t>(transport.rank()))) {
  const auto [first, last] = layout.workers_of(transport.rank());
  own_workers_ = last - first;
  // A few tasks beyond the idle workers keep workers fed while the master answers; 1 in 16
  // bounds how far ahead of the results the searcher must propose.
  margin_ = std::max(1, (own_workers_ + 15) / 16);
}

bool Server::handle(const Message& message) {
  switch (static_cast<Tag>(message.tag)) {
    case Tag::Request: {
      const json body = decode(message.payload);
      const int slots = body.value("slots", 1);
      const std::string node = body.value("node", "");
      for (int i = 0; i < slots; ++i) worker_idle(message.source, node);
      return true;
    }
    case Tag::Batch: {
      json body = decode(message.payload);
      std::vector<json> tasks;
      for (auto& t : body.at("tasks")) tasks.push_back(std::move(t));
      // Rank 0 sends both kinds: fresh work as the master, and steal replies as server 0.
      if (!body.value("stolen", false)) {
        add(std::move(tasks), true);
      } else {
        // A peer's answer to our probe: empty means back off before probing again.
        probe_outstanding_ = false;
        if (tasks.empty()) {
          steal_pending_ = true;
          next_probe_ = transport_.now() + backoff_;
          backoff_ = std::min(backoff_ * 2, options_.probe_backoff_max_s);
        }
        stats_.stolen_tasks += static_cast<std::int64_t>(tasks.size());
        add(std::move(tasks), false);
      }
      return true;
    }
    case Tag::Steal:
      answer_steal(message.source, decode(message.payload).at("queued").get<std::size_t>());
      return true;
    case Tag::Cancel:
      send(transport_, kMasterRank, Tag::Cancelled, {{"tasks", cancel()}, {"reply", true}});
      return true;
    default:
      return false;
  }
}

void Server::worker_idle(int worker, const std::string& node) {
  if (!node.empty()) node_[worker] = node;
  if (auto it = held_.find(worker); it != held_.end() && it->second > 0) --it->second;
  idle_.push_back(worker);
  serve();
}

void Server::add(std::vector<json> tasks, bool from_master) {
  if (cancelled_ && !tasks.empty()) {
    // Stolen tasks that were on their way when the master withdrew the work: give them back
    // too, or the master would wait for them forever.
    json trials = json::array();
    for (const auto& t : tasks) trials.push_back(t.at("trial"));
    send(transport_, kMasterRank, Tag::Cancelled, {{"tasks", std::move(trials)}});
    return;
  }
  if (from_master) requested_ = std::max(0, requested_ - static_cast<int>(tasks.size()));
  if (!tasks.empty()) backoff_ = options_.probe_backoff_min_s;
  for (auto& t : tasks) {
    ranks_per_task_ = std::max<std::size_t>(1, t.value("ranks", std::size_t{1}));
    queue_.push(std::move(t));
  }
  stats_.max_queue = std::max(stats_.max_queue, queue_.size());
  serve();
}

void Server::serve() {
  if (cancelled_) return;
  queue_.offer([this](json& task) {
    if (idle_.empty()) return TaskQueue::Offer::Stop;
    const auto avoid = task.value("avoid", std::vector<int>{});
    const auto ranks = task.value("ranks", std::size_t{1});
    if (ranks > 1) {
      const auto members = choose_group(ranks, avoid);
      if (members.size() < ranks) return TaskQueue::Offer::Stop;  // the idle workers wait for it
      hand_to_group(task, members);
      return TaskQueue::Offer::Take;
    }
    // A task avoiding workers goes to one of them only when no other worker could take it.
    const bool only_avoided = static_cast<std::size_t>(own_workers_) <= avoid.size();
    const auto it = std::find_if(idle_.begin(), idle_.end(), [&](int w) {
      return only_avoided || std::find(avoid.begin(), avoid.end(), w) == avoid.end();
    });
    if (it == idle_.end()) return TaskQueue::Offer::Keep;
    const int worker = *it;
    idle_.erase(it);
    hand_to(worker, task);
    return TaskQueue::Offer::Take;
  });
  top_up();
  consider_stealing();
}

std::vector<int> Server::choose_group(std::size_t size, const std::vector<int>& avoid) const {
  // Idle workers holding nothing else: one waiting behind another task would keep the rest of
  // its group waiting, and two groups waiting on each other's members would never start.
  std::map<std::string, std::vector<int>> by_node;
  std::unordered_set<int> seen;
  for (const int w : idle_) {
    const auto held = held_.find(w);
    if ((held != held_.end() && held->second > 0) || !seen.insert(w).second) continue;
    // The workers of a failed attempt, when enough others remain to form the group.
    if (static_cast<std::size_t>(own_workers_) >= size + avoid.size() &&
        std::find(avoid.begin(), avoid.end(), w) != avoid.end()) {
      continue;
    }
    const auto node = node_.find(w);
    by_node[node == node_.end() ? std::string() : node->second].push_back(w);
  }
  // The node with the fewest idle workers that still holds the whole group keeps the larger
  // ones for larger groups; without one, the fullest nodes first span as few as they can.
  std::vector<const std::vector<int>*> nodes;
  for (const auto& [name, workers] : by_node) nodes.push_back(&workers);
  std::stable_sort(nodes.begin(), nodes.end(),
                   [](const auto* a, const auto* b) { return a->size() > b->size(); });
  for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
    if ((*it)->size() >= size) return {(*it)->begin(), (*it)->begin() + static_cast<long>(size)};
  }
  std::vector<int> members;
  for (const auto* workers : nodes) {
    for (const int w : *workers) {
      if (members.size() == size) return members;
      members.push_back(w);
    }
  }
  return members;
}

void Server::hand_to_group(const json& task, const std::vector<int>& members) {
  json copy = task;
  copy["group"] = members;
  for (std::size_t i = 0; i < members.size(); ++i) {
    idle_.erase(std::find(idle_.begin(), idle_.end(), members[i]));
    copy["member"] = i;
    hand_to(members[i], copy);
  }
  ++stats_.groups;
}

void Server::hand_to(int worker, const json& task) {
  send(transport_, worker, Tag::Task, task);
  ++held_[worker];
}

void Server::top_up() {
  // A task of k ranks takes k idle workers: asking one task per idle worker would queue k times
  // the work they can start, which the searcher would have to propose ahead of its results.
  const auto runnable = static_cast<int>((idle_.size() + ranks_per_task_ - 1) / ranks_per_task_);
  const int wanted = runnable + margin_ - static_cast<int>(queue_.size()) - requested_;
  if (wanted <= 0) return;
  requested_ += wanted;
  ask_master_(wanted);
}

void Server::consider_stealing() {
  if (!options_.steal || cancelled_ || layout_.servers() < 2 || idle_.empty() || !queue_.empty() ||
      probe_outstanding_) {
    steal_pending_ = false;
    return;
  }
  if (steal_pending_ && transport_.now() < next_probe_) return;  // backing off
  steal_pending_ = false;
  int peer = static_cast<int>(rng_.integer(0, layout_.servers() - 2));
  if (peer >= transport_.rank()) ++peer;
  probe_outstanding_ = true;
  ++stats_.probes;
  send(transport_, peer, Tag::Steal, {{"queued", queue_.size()}});
}

void Server::answer_steal(int thief, std::size_t thief_queued) {
  json tasks = json::array();
  const std::size_t mine = cancelled_ ? 0 : queue_.size();
  // ADLB's rule: move half the imbalance, at least one task, when it exceeds 10%.
  if (mine > thief_queued &&
      static_cast<double>(mine - thief_queued) > 0.1 * static_cast<double>(mine)) {
    const std::size_t n = std::max<std::size_t>(1, (mine - thief_queued) / 2);
    for (auto& t : queue_.take(n)) tasks.push_back(std::move(t));
    ++stats_.steals;
    top_up();
  }
  send(transport_, thief, Tag::Batch, {{"tasks", std::move(tasks)}, {"stolen", true}});
}

void Server::on_timer() {
  consider_stealing();
}

std::vector<json> Server::cancel() {
  cancelled_ = true;
  steal_pending_ = false;
  std::vector<json> trials;
  for (auto& t : queue_.take_all()) trials.push_back(t.at("trial"));
  return trials;
}

ServerRole::ServerRole(Transport& transport, const Layout& layout, ServerOptions options)
    : server_(transport, layout, options, [&transport](int n) {
        send(transport, kMasterRank, Tag::Need, {{"n", n}});
      }) {}

void ServerRole::on_message(const Message& message) {
  if (server_.handle(message)) return;
  if (static_cast<Tag>(message.tag) == Tag::Shutdown) {
    done_ = true;
    return;
  }
  spdlog::warn("server: ignoring unexpected message {} from rank {}", message.tag, message.source);
}

}  // namespace overseer
