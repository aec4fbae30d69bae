#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include "overseer/balancer/role.hpp"

namespace overseer {

// A discrete-event network with a virtual clock: every rank's role runs in one thread, each
// message arrives `latency_s` after it leaves, and a rank handles one event at a time, each
// costing `handle_s` of its time. The roles are the production state machines.
class Simulation {
 public:
  struct Options {
    double latency_s = 1e-6;
    double handle_s = 1e-6;
  };

  Simulation(int ranks, Options options);
  ~Simulation();

  Transport& endpoint(int rank);
  void set_role(int rank, Role& role);
  // Runs `action` as `rank` at virtual time `time` (a simulated task finishing, for example).
  void at(double time, int rank, std::function<void()> action);
  // Keeps `rank` busy for `seconds` more (simulated computation such as a searcher's ask).
  void charge(int rank, double seconds);
  // Processes events until none are left.
  void run();

  double now() const { return now_; }
  double busy_time(int rank) const { return busy_time_[static_cast<std::size_t>(rank)]; }
  std::int64_t messages() const { return messages_; }

 private:
  enum class Kind { Deliver, Timer, Action, Wake };
  struct Event {
    double time;
    std::uint64_t sequence;
    int rank;
    Kind kind;
    Message message;
    std::function<void()> action;
  };
  class Endpoint;

  void push(Event event);
  void handle(Event& event);
  void after_event(int rank);

  Options options_;
  std::vector<std::unique_ptr<Endpoint>> endpoints_;
  std::vector<Role*> roles_;
  std::vector<double> busy_until_;
  std::vector<double> busy_time_;
  std::vector<double> timer_at_;  // the live timer event of each rank
  // Events that reached a busy rank, in arrival order; one Wake event drains each inbox.
  std::vector<std::deque<Event>> inbox_;
  std::vector<Event> events_;  // a binary heap, earliest first
  std::uint64_t sequence_ = 0;
  std::int64_t messages_ = 0;
  double now_ = 0;
};

}  // namespace overseer
