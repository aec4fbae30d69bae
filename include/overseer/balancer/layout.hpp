#pragma once

#include <optional>
#include <utility>

namespace overseer {

// Which rank does what: ranks 0..S-1 are servers (rank 0 is also the master), the rest are
// workers, assigned to servers in contiguous blocks of at most `workers_per_server`.
class Layout {
 public:
  // `servers` overrides the count derived from `workers_per_server`.
  Layout(int ranks, int workers_per_server, std::optional<int> servers = std::nullopt);

  int ranks() const { return ranks_; }
  int servers() const { return servers_; }
  int workers() const { return ranks_ - servers_; }
  bool is_server(int rank) const { return rank < servers_; }
  int server_of(int worker_rank) const;
  // Worker ranks [first, last) served by `server`.
  std::pair<int, int> workers_of(int server) const;

 private:
  int ranks_;
  int servers_;
};

}  // namespace overseer
