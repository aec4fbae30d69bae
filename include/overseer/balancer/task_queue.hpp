#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <utility>
#include <vector>

#include "overseer/core/json_view.hpp"

namespace overseer {

// A server's waiting tasks: highest `priority` first, first-in first-out within a priority.
// Tasks are the JSON bodies the master created; only `priority` is read here.
class TaskQueue {
 public:
  enum class Offer { Keep, Take, Stop };

  void push(json task);
  // Shows the tasks to `decide`, best first, until it says Stop or none are left; a task it
  // takes (moving it out) leaves the queue.
  void offer(const std::function<Offer(json& task)>& decide);
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
