#pragma once

#include <deque>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "overseer/balancer/layout.hpp"
#include "overseer/balancer/role.hpp"
#include "overseer/balancer/task_queue.hpp"
#include "overseer/core/random.hpp"

namespace overseer {

struct ServerOptions {
  bool steal = true;
  double probe_backoff_min_s = 0.001;  // after an empty steal reply, wait this long, doubling
  double probe_backoff_max_s = 1.0;
  std::uint64_t seed = 0;
};

struct ServerStats {
  std::int64_t probes = 0;        // steal requests sent
  std::int64_t steals = 0;        // steal requests answered with tasks
  std::int64_t stolen_tasks = 0;  // tasks received by stealing
  std::size_t max_queue = 0;
  std::int64_t groups = 0;  // tasks handed to a group of workers (`ranks` > 1)
};

// One ADLB-style server: a priority queue of tasks, the idle workers of its block, a standing
// request to the master for more work, and work stealing from random peers when it runs dry.
// A task with `ranks` k > 1 goes to k idle workers that hold no other task, on one node when
// one has enough, each told the whole group; while it cannot form, the workers that come idle
// are kept for it rather than handed later tasks, so that single-rank work cannot starve it.
class Server {
 public:
  // `ask_master(n)` asks the master for n more tasks: a Need message, or a direct call when
  // this server lives inside the master (rank 0).
  Server(Transport& transport, const Layout& layout, ServerOptions options,
         std::function<void(int)> ask_master);

  // Handles Request, Batch, Steal and Cancel; false for any other tag.
  bool handle(const Message& message);
  // `node` names the worker's host, which groups prefer to share; empty when not known.
  void worker_idle(int worker, const std::string& node = "");
  // Tasks pushed by the master (counted against the standing request) or stolen.
  void add(std::vector<json> tasks, bool from_master);
  void on_timer();
  double next_timer() const { return steal_pending_ ? next_probe_ : kNever; }
  const ServerStats& stats() const { return stats_; }

  // Drops every queued task and stops handing out work; returns the dropped trial ids.
  std::vector<json> cancel();

 private:
  static constexpr double kNever = std::numeric_limits<double>::infinity();
  void serve();
  std::vector<int> choose_group(std::size_t size, const std::vector<int>& avoid) const;
  void hand_to_group(const json& task, const std::vector<int>& members);
  void hand_to(int worker, const json& task);
  void top_up();
  void consider_stealing();
  void answer_steal(int thief, std::size_t thief_queued);

  Transport& transport_;
  const Layout& layout_;
  ServerOptions options_;
  std::function<void(int)> ask_master_;
  int own_workers_;
  int margin_;

  TaskQueue queue_;
  std::deque<int> idle_;
  std::unordered_map<int, int> held_;  // tasks each worker holds (running or waiting)
  std::unordered_map<int, std::string> node_;
  int requested_ = 0;               // tasks asked of the master and not yet received
  std::size_t ranks_per_task_ = 1;  // of the latest task received
  bool cancelled_ = false;

  bool probe_outstanding_ = false;
  bool steal_pending_ = false;  // waiting for `next_probe_` before probing again
  double next_probe_ = kNever;
  double backoff_;
  Rng rng_;
  ServerStats stats_;
};

// A server on a rank of its own (ranks 1..S-1).
class ServerRole : public Role {
 public:
  ServerRole(Transport& transport, const Layout& layout, ServerOptions options);
  void on_message(const Message& message) override;
  void on_timer() override { server_.on_timer(); }
  double next_timer() const override { return server_.next_timer(); }
  bool done() const override { return done_; }
  const ServerStats& stats() const { return server_.stats(); }

 private:
  Server server_;
  bool done_ = false;
};

}  // namespace overseer
