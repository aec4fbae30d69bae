#include "overseer/balancer/task_queue.hpp"

namespace overseer {

void TaskQueue::push(json task) {
  const std::int64_t priority = task.value("priority", std::int64_t{0});
  tasks_.emplace(Key{-priority, arrivals_++}, std::move(task));
}

std::optional<json> TaskQueue::pop_for(int worker, bool only_worker) {
  if (tasks_.empty()) return std::nullopt;
  auto it = tasks_.begin();
  if (!only_worker) {
    while (it != tasks_.end() && it->second.value("avoid", -1) == worker) ++it;
    if (it == tasks_.end()) return std::nullopt;
  }
  json task = std::move(it->second);
  tasks_.erase(it);
  return task;
}

std::vector<json> TaskQueue::take(std::size_t n) {
  std::vector<json> out;
  while (out.size() < n && !tasks_.empty()) {
    out.push_back(std::move(tasks_.begin()->second));
    tasks_.erase(tasks_.begin());
  }
  return out;
}

}  // namespace overseer
