#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "overseer/balancer/layout.hpp"
#include "overseer/balancer/role.hpp"
#include "overseer/core/json_view.hpp"
#include "overseer/core/trial.hpp"

namespace overseer {

// What a running task may use of its worker's connection, from the worker's own thread: it
// sends progress to the master and receives the master's answers to it. The balancer moves
// both without looking inside.
class TaskLink {
 public:
  virtual ~TaskLink() = default;
  virtual void send_progress(const json& batch) = 0;
  // The Control messages that have arrived for this worker, waiting up to `timeout` for the
  // first one. Other messages that arrive meanwhile are kept until the task is done.
  virtual std::vector<json> receive_control(std::chrono::microseconds timeout) = 0;
};

// What a worker does with a task; the balancer never looks inside. `done` receives the result
// body sent to the master: at once for a real model, later for a simulated one.
class TaskExecutor {
 public:
  virtual ~TaskExecutor() = default;
  virtual void start(const json& task, TaskLink& link, std::function<void(json result)> done) = 0;
  // A Control message that arrived while no task was reading them (between tasks).
  virtual void on_control(const json& /*control*/) {}
};

// Builds a worker's executor from the master's Setup message.
using ExecutorFactory = std::function<std::unique_ptr<TaskExecutor>(const json& setup)>;

// A resident worker: waits for Setup, then asks its server for work (`prefetch` in the Setup
// message: tasks it may hold at once), runs its tasks one at a time and sends each result to
// the master, until Shutdown. Of a task run by a group of workers (`group` and `member` in the
// task), member 0 sends the result; the others only ask their server for more work.
class WorkerRole : public Role, private TaskLink {
 public:
  // `node` names the worker's host for its server, which keeps groups on one node when it can.
  WorkerRole(Transport& transport, const Layout& layout, ExecutorFactory make_executor,
             std::string node = host_name());
  void on_message(const Message& message) override;
  bool done() const override { return done_; }

 private:
  void run(const json& task);
  void finished(json result);
  void send_progress(const json& batch) override;
  std::vector<json> receive_control(std::chrono::microseconds timeout) override;

  Transport& transport_;
  int server_;
  ExecutorFactory make_executor_;
  std::unique_ptr<TaskExecutor> executor_;
  std::string setup_error_;
  std::string host_;
  bool leads_ = true;             // whether the running task's result is this worker's to send
  std::deque<json> waiting_;      // prefetched tasks
  std::deque<Message> deferred_;  // arrived while a task ran, handled once it is done
  bool busy_ = false;
  bool done_ = false;
};

}  // namespace overseer
