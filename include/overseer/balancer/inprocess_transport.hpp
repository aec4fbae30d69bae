#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "overseer/balancer/transport.hpp"

namespace overseer {

// Ranks as threads of one process: each rank owns a mailbox guarded by a mutex.
class InProcessNetwork {
 public:
  explicit InProcessNetwork(int size);
  ~InProcessNetwork();
  Transport& endpoint(int rank);

 private:
  struct Mailbox {
    std::mutex mutex;
    std::condition_variable ready;
    std::deque<Message> messages;
  };
  class Endpoint;

  std::vector<std::unique_ptr<Mailbox>> mailboxes_;
  std::vector<std::unique_ptr<Endpoint>> endpoints_;
};

}  // namespace overseer
