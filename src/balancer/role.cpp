#include "overseer/balancer/role.hpp"

#include <algorithm>
#include <chrono>

namespace overseer {

void drive(Role& role, Transport& transport) {
  // An upper bound on how long a role goes without a timer call, whatever it asked for.
  constexpr double kMaxWait = 0.1;
  role.start();
  while (!role.done()) {
    auto message = transport.receive(std::chrono::microseconds(0));
    if (!message) {
      role.on_idle();
      const double wait = std::clamp(role.next_timer() - transport.now(), 0.0, kMaxWait);
      message = transport.receive(std::chrono::microseconds(static_cast<long>(wait * 1e6)));
    }
    if (message) role.on_message(*message);
    if (!role.done() && transport.now() >= role.next_timer()) role.on_timer();
  }
}

}  // namespace overseer
