#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "overseer/balancer/layout.hpp"
#include "overseer/balancer/server.hpp"

namespace overseer {

// Where rank 0's dispatcher gets tasks and delivers results: the campaign (searcher + journal)
// in a real run, a synthetic workload in the simulator.
class TaskSource {
 public:
  virtual ~TaskSource() = default;
  // The next task body ({trial, attempt, params, priority?, avoid?, ...}); none for now.
  virtual std::optional<json> next_task() = 0;
  // `payload` is in encode_result's form.
  virtual void on_result(int worker, const Payload& payload) = 0;
  // A task handed out earlier was withdrawn from a server's queue without running.
  virtual void on_withdrawn(const json& trial) = 0;
  // What a worker's running task reported (its TaskLink's batch).
  virtual void on_progress(int /*worker*/, const json& /*batch*/) {}
};

struct DispatcherOptions {
  ServerOptions server;
  // Put every task on server 0 as soon as the source has it, ignoring the other servers'
  // requests, and let stealing spread the work (to study stealing).
  bool inject_at_one_server = false;
};

// The balancer half of rank 0: server 0 itself, the other servers' standing requests (fed
// least-loaded first), and the count of tasks still out, so the master knows when it is done.
class Dispatcher {
 public:
  Dispatcher(Transport& transport, const Layout& layout, DispatcherOptions options,
             TaskSource& source);

  // Sends the Setup message to every worker.
  void setup_workers(const json& setup);
  // Handles any message for rank 0 (Result goes to the source); false if the tag is unknown.
  bool handle(const Message& message);
  // Hands tasks to servers that asked for them, as long as the source has any.
  void feed();
  // Withdraws every queued task (the source hears of each) and hands out no more.
  void stop_feeding();
  // Tasks handed out and not yet back as results or withdrawn; while a withdrawal is in
  // flight, the count is not final.
  std::int64_t outstanding() const { return outstanding_; }
  bool settled() const { return outstanding_ == 0 && cancels_pending_ == 0; }
  // True when every server is waiting for work (the source offered none).
  bool all_servers_starved() const;
  void on_timer() { server0_.on_timer(); }
  double next_timer() const { return server0_.next_timer(); }
  void shutdown_all();
  // An answer to the progress of the task running on `worker`.
  void send_control(int worker, const json& body);
  const ServerStats& server_stats() const { return server0_.stats(); }

 private:
  void withdrawn(const json& trials);

  Transport& transport_;
  const Layout& layout_;
  DispatcherOptions options_;
  TaskSource& source_;
  Server server0_;
  std::vector<int> needs_;  // tasks each server asked for and has not yet received
  std::int64_t outstanding_ = 0;
  int cancels_pending_ = 0;
  bool stopped_ = false;
};

}  // namespace overseer
