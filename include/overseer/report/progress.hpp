#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace overseer {

struct ProgressCounts {
  std::int64_t done = 0;  // trials with a final result
  std::int64_t total = 0;
  std::int64_t running = 0;
  std::int64_t failed = 0;
  std::int64_t stopped = 0;  // ended early by the scheduler
  std::optional<double> best;
};

// "45s", "3m07s", "2h05m".
std::string duration_text(double seconds);

// Campaign progress on stderr: a status line redrawn at most once a second on a terminal,
// otherwise a log line every `log_interval` (batch jobs write to files).
class Progress {
 public:
  explicit Progress(std::chrono::seconds log_interval = std::chrono::seconds(10));
  void update(const ProgressCounts& counts, bool force = false);
  void finish(const ProgressCounts& counts);
  // "12/100 done, 2 running, 1 failed, best 0.5, elapsed 1m05s" (with ", 4 stopped" after
  // failed when a scheduler stopped some), and an ETA when asked and trials remain.
  static std::string format(const ProgressCounts& counts, double elapsed_s, bool with_eta = true);

 private:
  bool terminal_;
  std::chrono::seconds log_interval_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
  bool drawn_ = false;
};

}  // namespace overseer
