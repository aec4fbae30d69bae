#pragma once

#include <atomic>
#include <limits>

#include "overseer/balancer/transport.hpp"

namespace overseer {

// What a rank does, written as reactions to messages and timers so the same state machine
// runs over MPI, over threads, and inside the discrete-event simulator. Handlers never block
// on the network; a worker's handler may run a trial to completion.
class Role {
 public:
  virtual ~Role() = default;
  virtual void start() {}
  virtual void on_message(const Message& message) = 0;
  // Called at or after `next_timer()` (a Transport::now() time).
  virtual void on_timer() {}
  virtual double next_timer() const { return std::numeric_limits<double>::infinity(); }
  // Called when no message is waiting, before the role waits for one: the moment to write out
  // what it collected while messages kept arriving.
  virtual void on_idle() {}
  virtual bool done() const = 0;
};

// Runs `role` over a real transport (MPI or threads) until it is done.
void drive(Role& role, Transport& transport);

}  // namespace overseer
