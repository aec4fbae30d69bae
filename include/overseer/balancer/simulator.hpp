#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "overseer/core/json_view.hpp"
#include "overseer/core/random.hpp"

namespace overseer {

// Task durations of a simulated workload: "fixed:X", "uniform:A,B" or "lognormal:MU,SIGMA"
// (seconds; MU and SIGMA are the mean and standard deviation of the duration's logarithm).
class DurationModel {
 public:
  static DurationModel parse(const std::string& text);  // throws InputError
  double sample(Rng& rng) const;

 private:
  enum class Kind { Fixed, Uniform, LogNormal };
  Kind kind_ = Kind::Fixed;
  double a_ = 0;
  double b_ = 0;
};

// How many workers each simulated task needs: "K" for all, or "K1:W1,K2:W2,..." drawn with
// weights W (e.g. "1:0.5,4:0.3,8:0.2").
class RanksMix {
 public:
  static RanksMix parse(const std::string& text);  // throws InputError
  int sample(Rng& rng) const;
  int largest() const;

 private:
  std::vector<std::pair<int, double>> weights_ = {{1, 1.0}};
};

struct SimulationSpec {
  int workers = 1024;
  std::optional<int> servers;  // default: one per 256 workers
  std::int64_t tasks = 10000;
  DurationModel duration = DurationModel::parse("fixed:1");
  RanksMix ranks = RanksMix::parse("1");
  int workers_per_node = 8;  // consecutive workers share a node, which groups prefer
  double latency_s = 2e-6;   // one message, end to end
  double handle_s = 1e-6;    // a rank's cost to handle one message
  double searcher_s = 0;     // the master's cost to propose one task
  // Each task reports progress every `report_every_s` of its duration (0: never), one message
  // per report, costing the master `progress_s` per report beyond handling the message.
  double report_every_s = 0;
  double progress_s = 0;
  bool steal = true;
  bool inject_at_one_server = false;
  std::uint64_t seed = 0;
};

struct SimulationReport {
  double makespan_s = 0;
  double utilization = 0;  // busy worker time / (workers x makespan)
  // The same until the last task started: how well the balancer keeps workers busy while it
  // has work, without the drain at the end that no balancer can avoid.
  double utilization_while_work_remains = 0;
  double tasks_per_s = 0;
  double messages_per_task = 0;
  std::int64_t steals = 0;  // steal requests answered with tasks
  std::int64_t steal_probes = 0;
  std::int64_t stolen_tasks = 0;
  std::int64_t tasks_run = 0;
  std::int64_t group_tasks = 0;   // tasks that ran on more than one worker
  std::int64_t workers_used = 0;  // workers that ran at least one task
  std::int64_t progress_reports = 0;
  std::size_t max_queue_per_server = 0;
  double master_busy_fraction = 0;

  json to_json() const;
};

// Runs the production master dispatcher, servers and workers over a simulated network.
SimulationReport simulate(const SimulationSpec& spec);

}  // namespace overseer
