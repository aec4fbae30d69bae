#include "overseer/balancer/layout.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace overseer {

Layout::Layout(int ranks, int workers_per_server, std::optional<int> servers) : ranks_(ranks) {
  if (ranks < 2) throw std::invalid_argument("a campaign needs at least 2 ranks");
  if (workers_per_server < 1) throw std::invalid_argument("workers_per_server must be >= 1");
  // The smallest S with ceil((ranks - S) / workers_per_server) <= S, but never more servers
  // than workers: a server without workers would only relay.
  servers_ = servers.value_or(
      std::min((ranks + workers_per_server) / (workers_per_server + 1), ranks / 2));
  if (servers_ < 1 || servers_ > ranks - servers_) {
    throw std::invalid_argument("cannot have " + std::to_string(servers_) + " servers with " +
                                std::to_string(ranks) +
                                " ranks: every server needs at least one worker");
  }
}

int Layout::server_of(int worker_rank) const {
  const long index = worker_rank - servers_;
  return static_cast<int>(index * servers_ / workers());
}

std::pair<int, int> Layout::workers_of(int server) const {
  // Inverse of server_of: the first worker index i with i * S / W >= server.
  auto first_index = [&](long s) {
    return static_cast<int>((s * workers() + servers_ - 1) / servers_);
  };
  return {servers_ + first_index(server), servers_ + first_index(server + 1)};
}

}  // namespace overseer
