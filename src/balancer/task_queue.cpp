#include "overseer/balancer/task_queue.hpp"

namespace overseer {

void TaskQueue::push(json task) {
  const std::int64_t priority = task.value("priority", std::int64_t{0});
  tasks_.emplace(Key{-priority, arrivals_++}, std::move(task));
}

void TaskQueue::offer(const std::function<Offer(json& task)>& decide) {
  for (auto it = tasks_.begin(); it != tasks_.end();) {
    const Offer answer = decide(it->second);
    if (answer == Offer::Stop) return;
    it = answer == Offer::Take ? tasks_.erase(it) : std::next(it);
  }
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
