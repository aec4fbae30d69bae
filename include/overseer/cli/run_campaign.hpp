#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <vector>

namespace overseer::cli {

struct RunOptions {
  std::string campaign;
  std::string out;  // run directory; empty: OUTPUT.DIR/NAME
  std::vector<std::string> overrides;
  bool resume = false;
  bool force = false;
  int workers = 1;             // worker threads when running in one process
  std::optional<int> servers;  // overrides balancer.workers_per_server
  std::string site;            // a site name or file: device binding, threads, scratch; empty: none
};

// `overseer run` without mpirun: the master plus `options.workers` worker threads (and
// `options.servers` - 1 server threads).
int run_in_process(const RunOptions& options, const std::atomic<int>& interrupt_signal);

// `overseer run` on every rank of MPI_COMM_WORLD (MPI already initialised).
int run_under_mpi(const RunOptions& options, const std::atomic<int>& interrupt_signal);

}  // namespace overseer::cli
