#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "overseer/store/run_history.hpp"

namespace overseer::report {

// Paused: drained at limits.walltime_s or on SIGTERM/SIGUSR1, with trials left to continue.
enum class RunState { Running, Completed, StoppedAtMaxFailures, Interrupted, Paused };
std::string to_string(RunState state);

// What `overseer status` and the report's summary say about a run.
struct RunStatistics {
  RunState state = RunState::Interrupted;
  std::int64_t budget = 0;
  std::int64_t finished = 0;
  std::int64_t unfinished = 0;                    // created without a final result
  std::map<std::string, std::int64_t> by_status;  // final statuses
  std::int64_t retried_attempts = 0;              // attempts that were not final
  std::optional<TrialRecord> best;
  int workers = 0;        // in the latest session
  double wall_s = 0;      // summed over sessions; a running one counts up to `now`
  double busy_s = 0;      // worker time spent in attempts
  double capacity_s = 0;  // workers x wall time, per session
  double first_start = 0;

  std::int64_t failed() const { return finished - count("ok") - count("stopped"); }
  std::int64_t count(const std::string& status) const;
  // Busy worker time over available worker time; empty before any worker time has passed.
  std::optional<double> utilization() const;
};

// `running`: a campaign holds the journal now (journal_in_use); `now` in Unix seconds.
RunStatistics run_statistics(const RunHistory& history, bool running, double now);

// The trials a successive-halving scheduler (asha, hyperband) decided on at one rung, from the
// journal's decision records.
struct RungOccupancy {
  std::int64_t bracket = 0;
  std::int64_t rung = 0;
  std::int64_t milestone = 0;  // steps
  std::int64_t reached = 0;
  std::int64_t continued = 0;
};
// By bracket, then rung; empty for other schedulers and for none.
std::vector<RungOccupancy> rung_occupancy(const RunHistory& history);

// A trial's objective against the step, from its progress records (a step reported again by
// a later attempt, after a resume or retry, takes the later value).
struct LearningCurve {
  TrialId trial = 0;
  std::optional<TrialStatus> status;              // final; empty while unfinished
  std::vector<std::pair<double, double>> points;  // (step, value), by step
};
// Every trial that reported the objective, by trial id.
std::vector<LearningCurve> learning_curves(const RunHistory& history);

// Whether `candidate` beats `incumbent` under the campaign's objective mode.
bool better(const Campaign& campaign, double candidate, double incumbent);

// One final result in arrival order, and the best successful value up to it (NaN before the
// first success; `value` is NaN for a trial that did not succeed).
struct ConvergencePoint {
  std::int64_t trials = 0;  // final results so far, this one included
  double time = 0;          // the result's end, Unix seconds
  double value = 0;
  double best = 0;
};
std::vector<ConvergencePoint> convergence(const RunHistory& history);

// Attempts running at each moment: a step curve of (Unix seconds, count) over every attempt.
std::vector<std::pair<double, double>> running_attempts(const RunHistory& history);

}  // namespace overseer::report
