#include "overseer/report/run_statistics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace overseer::report {

std::string to_string(RunState state) {
  switch (state) {
    case RunState::Running:
      return "running";
    case RunState::Completed:
      return "completed";
    case RunState::StoppedAtMaxFailures:
      return "stopped at limits.max_failures";
    case RunState::Interrupted:
      return "interrupted (continue it with overseer run --resume)";
    case RunState::Paused:
      return "paused (continue it with overseer run --resume)";
  }
  return "";
}

std::int64_t RunStatistics::count(const std::string& status) const {
  const auto it = by_status.find(status);
  return it == by_status.end() ? 0 : it->second;
}

std::optional<double> RunStatistics::utilization() const {
  if (capacity_s <= 0) return std::nullopt;
  return busy_s / capacity_s;
}

bool better(const Campaign& campaign, double candidate, double incumbent) {
  return campaign.objective.mode == ObjectiveMode::Min ? candidate < incumbent
                                                       : candidate > incumbent;
}

RunStatistics run_statistics(const RunHistory& h, bool running, double now) {
  RunStatistics s;
  if (running) {
    s.state = RunState::Running;
  } else if (h.ended()) {
    const std::string& reason = h.sessions.back().end_reason;
    if (reason == "max_failures") {
      s.state = RunState::StoppedAtMaxFailures;
    } else if (reason == "drained" || reason == "walltime") {
      s.state = RunState::Paused;
    } else {
      s.state = RunState::Completed;
    }
  }
  s.budget = h.campaign.search.budget.value_or(0);
  s.finished = static_cast<std::int64_t>(h.finished.size());
  s.unfinished = static_cast<std::int64_t>(h.unfinished());
  for (const auto& t : h.finished) {
    ++s.by_status[to_string(t.result.status)];
    if (t.result.status == TrialStatus::Ok &&
        (!s.best || better(h.campaign, t.result.value, s.best->result.value))) {
      s.best = t;
    }
  }
  for (const auto& a : h.attempts) {
    if (!a.final) ++s.retried_attempts;
    s.busy_s += std::max(0.0, a.result.end - a.result.start);
  }
  for (std::size_t i = 0; i < h.sessions.size(); ++i) {
    const RunSession& session = h.sessions[i];
    const bool live = running && i + 1 == h.sessions.size();
    const double span =
        std::max(0.0, (live ? std::max(now, session.last) : session.last) - session.start);
    s.wall_s += span;
    s.capacity_s += span * std::max(0, session.workers());
  }
  if (!h.sessions.empty()) {
    s.workers = h.sessions.back().workers();
    s.first_start = h.sessions.front().start;
  }
  return s;
}

std::vector<RungOccupancy> rung_occupancy(const RunHistory& h) {
  std::map<std::pair<std::int64_t, std::int64_t>, RungOccupancy> rungs;
  for (const auto& d : h.decisions) {
    if (!d.why.contains("rung")) continue;
    const std::int64_t bracket = d.why.value("bracket", std::int64_t{0});
    const std::int64_t rung = d.why.at("rung").get<std::int64_t>();
    RungOccupancy& r = rungs[{bracket, rung}];
    r.bracket = bracket;
    r.rung = rung;
    r.milestone = d.why.value("milestone", std::int64_t{0});
    ++r.reached;
    if (d.decision != "stop") ++r.continued;
  }
  std::vector<RungOccupancy> out;
  for (const auto& entry : rungs) out.push_back(entry.second);
  return out;
}

std::vector<LearningCurve> learning_curves(const RunHistory& h) {
  std::map<TrialId, std::map<std::int64_t, double>> values;
  for (const auto& p : h.progress) {
    const auto value = p.metrics.find(h.campaign.objective.metric);
    if (value != p.metrics.end()) values[p.trial][p.step] = value->second;
  }
  std::map<TrialId, TrialStatus> statuses;
  for (const auto& t : h.finished) statuses[t.id] = t.result.status;
  std::vector<LearningCurve> curves;
  for (const auto& [trial, by_step] : values) {
    LearningCurve curve;
    curve.trial = trial;
    if (const auto s = statuses.find(trial); s != statuses.end()) curve.status = s->second;
    for (const auto& [step, value] : by_step) {
      curve.points.emplace_back(static_cast<double>(step), value);
    }
    curves.push_back(std::move(curve));
  }
  return curves;
}

std::vector<ConvergencePoint> convergence(const RunHistory& h) {
  std::vector<ConvergencePoint> points;
  double best = std::numeric_limits<double>::quiet_NaN();
  for (const auto& t : h.finished) {
    const bool ok = t.result.status == TrialStatus::Ok;
    if (ok && (std::isnan(best) || better(h.campaign, t.result.value, best))) {
      best = t.result.value;
    }
    points.push_back({static_cast<std::int64_t>(points.size()) + 1, t.result.end,
                      ok ? t.result.value : std::numeric_limits<double>::quiet_NaN(), best});
  }
  return points;
}

std::vector<std::pair<double, double>> running_attempts(const RunHistory& h) {
  std::vector<std::pair<double, int>> changes;
  for (const auto& a : h.attempts) {
    changes.emplace_back(a.result.start, 1);
    changes.emplace_back(std::max(a.result.start, a.result.end), -1);
  }
  // At equal times ends go first, so back-to-back attempts on one worker do not count twice.
  std::sort(changes.begin(), changes.end());
  std::vector<std::pair<double, double>> curve;
  int running = 0;
  for (const auto& [time, change] : changes) {
    running += change;
    if (!curve.empty() && curve.back().first == time) {
      curve.back().second = running;
    } else {
      curve.emplace_back(time, running);
    }
  }
  return curve;
}

}  // namespace overseer::report
