#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

namespace overseer {

using Payload = std::vector<std::uint8_t>;

struct Message {
  int source = -1;
  int tag = 0;
  Payload payload;
};

// Point-to-point messaging between the ranks of one campaign. The balancer's state machines are
// written against this interface only, so the same code runs over MPI, over threads in one
// process, and (later) over a simulated network.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Queues a message; never blocks waiting for the receiver.
  virtual void send(int destination, int tag, Payload payload) = 0;
  // The next message from any source, or nothing once `timeout` has passed.
  virtual std::optional<Message> receive(std::chrono::microseconds timeout) = 0;
  // Seconds on this transport's clock: steady wall time, or the simulator's virtual time.
  virtual double now() const;
};

}  // namespace overseer
