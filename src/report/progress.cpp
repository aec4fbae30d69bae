#include "overseer/report/progress.hpp"

#include <unistd.h>

#include <cstdio>

#include <spdlog/spdlog.h>

namespace overseer {
std::string duration_text(double seconds) {
  const auto s = static_cast<long long>(seconds + 0.5);
  char buffer[32];
  if (s >= 3600) {
    std::snprintf(buffer, sizeof buffer, "%lldh%02lldm", s / 3600, (s % 3600) / 60);
  } else if (s >= 60) {
    std::snprintf(buffer, sizeof buffer, "%lldm%02llds", s / 60, s % 60);
  } else {
    std::snprintf(buffer, sizeof buffer, "%llds", s);
  }
  return buffer;
}

Progress::Progress(std::chrono::seconds log_interval)
    : terminal_(::isatty(STDERR_FILENO) == 1),
      log_interval_(log_interval),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

std::string Progress::format(const ProgressCounts& c, double elapsed_s, bool with_eta) {
  std::string line =
      std::to_string(c.done) + "/" + std::to_string(c.total) + " done, " +
      std::to_string(c.running) + " running, " + std::to_string(c.failed) + " failed" +
      (c.stopped > 0 ? ", " + std::to_string(c.stopped) + " stopped" : "") + ", best " +
      (c.best ? fmt::format("{:.6g}", *c.best) : "-") + ", elapsed " + duration_text(elapsed_s);
  if (with_eta && c.done > 0 && c.done < c.total) {
    line += ", ETA " + duration_text(elapsed_s / static_cast<double>(c.done) *
                                     static_cast<double>(c.total - c.done));
  }
  return line;
}

void Progress::update(const ProgressCounts& counts, bool force) {
  const auto now = std::chrono::steady_clock::now();
  const auto interval = terminal_ ? std::chrono::seconds(1) : log_interval_;
  if (!force && now - last_ < interval) return;
  last_ = now;
  const std::string line = format(counts, std::chrono::duration<double>(now - start_).count());
  if (terminal_) {
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    std::fflush(stderr);
    drawn_ = true;
  } else {
    spdlog::info("{}", line);
  }
}

void Progress::finish(const ProgressCounts& counts) {
  if (terminal_ && drawn_) std::fprintf(stderr, "\r\033[K");
  drawn_ = false;
  spdlog::info(
      "{}",
      format(counts,
             std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count()));
}

}  // namespace overseer
