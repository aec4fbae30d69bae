#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "overseer/balancer/layout.hpp"
#include "overseer/balancer/role.hpp"
#include "overseer/core/json_view.hpp"

namespace overseer {

// What a worker does with a task; the balancer never looks inside. `done` receives the result
// body sent to the master: at once for a real model, later for a simulated one.
class TaskExecutor {
 public:
  virtual ~TaskExecutor() = default;
  virtual void start(const json& task, std::function<void(json result)> done) = 0;
};

// Builds a worker's executor from the master's Setup message.
using ExecutorFactory = std::function<std::unique_ptr<TaskExecutor>(const json& setup)>;

// A resident worker: waits for Setup, then asks its server for work (`prefetch` in the Setup
// message: tasks it may hold at once), runs its tasks one at a time and sends each result to
// the master, until Shutdown.
class WorkerRole : public Role {
 public:
  WorkerRole(Transport& transport, const Layout& layout, ExecutorFactory make_executor);
  void on_message(const Message& message) override;
  bool done() const override { return done_; }

 private:
  void run(const json& task);
  void finished(json result);

  Transport& transport_;
  int server_;
  ExecutorFactory make_executor_;
  std::unique_ptr<TaskExecutor> executor_;
  std::string setup_error_;
  std::string host_;
  std::deque<json> waiting_;  // prefetched tasks
  bool busy_ = false;
  bool done_ = false;
};

}  // namespace overseer
