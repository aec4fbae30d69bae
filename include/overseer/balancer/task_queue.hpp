#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "overseer/core/json_view.hpp"

namespace overseer {

// A server's waiting tasks: highest `priority` first, first-in first-out within a priority.
// Tasks are the JSON bodies the master created; only `priority` and `avoid` (a worker rank
// that should not get the task, e.g. the one whose attempt just failed) are read here.
class TaskQueue {
 public:
  void push(json task);
  // The best task for `worker`; a task avoiding this worker is handed out only when
  // `only_worker` says no other worker could take it.
  std::optional<json> pop_for(int worker, bool only_worker);
  // Removes up to `n` of the highest-priority tasks (what a thief gets).
  std::vector<json> take(std::size_t n);
  std::vector<json> take_all() { return take(size()); }
  std::size_t size() const { return tasks_.size(); }
  bool empty() const { return tasks_.empty(); }

 private:
  using Key = std::pair<std::int64_t, std::uint64_t>;  // (-priority, arrival)
  std::map<Key, json> tasks_;
  std::uint64_t arrivals_ = 0;
};

}  // namespace overseer
