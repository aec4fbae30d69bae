#include "overseer/report/status.hpp"

#include <set>
#include <sstream>

#include <fmt/format.h>

#include "overseer/report/progress.hpp"

namespace overseer::report {

std::string percent_text(const std::optional<double>& fraction) {
  return fraction ? fmt::format("{:.0f}%", *fraction * 100) : "-";
}

std::string status_text(const RunHistory& h, const RunStatistics& s) {
  const Campaign& c = h.campaign;
  std::ostringstream out;
  out << h.dir.string() << ": campaign " << c.name << ", model " << c.model.name << ", "
      << c.search.algorithm << " search, objective " << c.objective.metric << " ("
      << (c.objective.mode == ObjectiveMode::Min ? "min" : "max") << ")\n";
  out << "state: " << to_string(s.state) << "\n";

  const bool running = s.state == RunState::Running;
  ProgressCounts counts;
  counts.done = s.finished;
  counts.total = s.budget;
  counts.running = running ? s.unfinished : 0;
  counts.failed = s.failed();
  counts.stopped = s.count("stopped");
  if (s.best) counts.best = s.best->result.value;
  out << "progress: " << Progress::format(counts, s.wall_s, running);
  if (!running && s.unfinished > 0) out << ", " << s.unfinished << " unfinished";
  out << "\n";

  out << "statuses:";
  if (s.by_status.empty()) out << " none yet";
  for (const auto& [status, count] : s.by_status) out << ' ' << status << ' ' << count;
  if (s.retried_attempts > 0) out << " (and " << s.retried_attempts << " retried attempts)";
  out << "\n";

  if (s.best) {
    out << "best: trial " << s.best->id << ", " << c.objective.metric << " "
        << fmt::format("{:.6g}", s.best->result.value) << ", params " << s.best->params.dump()
        << "\n";
  }
  // One line per bracket: "rungs: 1 steps 10/30 continued, 3 steps 3/10 continued".
  std::int64_t bracket = -1;
  for (const auto& r : rung_occupancy(h)) {
    if (r.bracket != bracket) {
      out << (bracket >= 0 ? "\n" : "") << "rungs"
          << (r.bracket > 0 ? " (bracket " + std::to_string(r.bracket) + ")" : "") << ":";
      bracket = r.bracket;
    } else {
      out << ",";
    }
    out << ' ' << r.milestone << " steps " << r.continued << '/' << r.reached << " continued";
  }
  if (bracket >= 0) out << "\n";
  if (!h.tournaments.empty()) {
    std::set<std::int64_t> rounds;
    std::size_t adopted = 0;
    for (const auto& t : h.tournaments) {
      rounds.insert(t.step);
      adopted += !t.won;
    }
    out << "tournaments: " << h.tournaments.size() << " at " << rounds.size()
        << " steps, the partner's weights kept in " << adopted << "\n";
  }
  out << "workers: " << s.workers << ", utilization " << percent_text(s.utilization()) << "\n";
  return out.str();
}

}  // namespace overseer::report
