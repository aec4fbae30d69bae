#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "overseer/balancer/transport.hpp"

namespace overseer::cli {

struct RunOptions {
  std::string campaign;
  std::string out;  // run directory; empty: OUTPUT.DIR/NAME
  std::vector<std::string> overrides;
  bool resume = false;
  bool force = false;
  int workers = 1;  // worker threads when running in one process
};

// Rank 0's part of `overseer run`: prepares the campaign, drives it, and stops the workers.
// Returns the exit code; input errors are reported on stderr and give kExitInputError.
// `interrupt_signal` turns non-zero when the run should stop early (SIGINT/SIGTERM).
int run_master(const RunOptions& options, Transport& transport,
               const std::atomic<int>& interrupt_signal);

// `overseer run` without mpirun: the master plus `options.workers` worker threads.
int run_in_process(const RunOptions& options, const std::atomic<int>& interrupt_signal);

}  // namespace overseer::cli
