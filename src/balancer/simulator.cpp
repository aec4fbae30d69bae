#include "overseer/balancer/simulator.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <sstream>

#include "overseer/balancer/dispatcher.hpp"
#include "overseer/balancer/simulation.hpp"
#include "overseer/balancer/worker.hpp"
#include "overseer/core/error.hpp"

namespace overseer {
namespace {

constexpr double kTwoPi = 6.283185307179586;

// Rank 0 of a simulation: the production dispatcher fed by a synthetic workload.
class SyntheticMaster : public Role, private TaskSource {
 public:
  SyntheticMaster(Simulation& simulation, const Layout& layout, const SimulationSpec& spec,
                  const ServerOptions& servers)
      : simulation_(simulation),
        spec_(spec),
        rng_(mix_seed(spec.seed, 0x73696dULL)),
        dispatcher_(simulation.endpoint(0), layout,
                    DispatcherOptions{servers, spec.inject_at_one_server}, *this) {}

  void start() override {
    dispatcher_.setup_workers(json::object());
    dispatcher_.feed();
  }
  void on_message(const Message& message) override {
    dispatcher_.handle(message);
    dispatcher_.feed();
    if (results_ == spec_.tasks && dispatcher_.settled() && !done_) {
      dispatcher_.shutdown_all();
      done_ = true;
      makespan_ = simulation_.now();
    }
  }
  void on_timer() override { dispatcher_.on_timer(); }
  double next_timer() const override { return dispatcher_.next_timer(); }
  bool done() const override { return done_; }

  double makespan() const { return makespan_; }
  const ServerStats& server_stats() const { return dispatcher_.server_stats(); }
  std::int64_t results() const { return results_; }

 private:
  std::optional<json> next_task() override {
    if (created_ == spec_.tasks) return std::nullopt;
    simulation_.charge(0, spec_.searcher_s);
    json task = {{"trial", created_++}, {"attempt", 1}, {"duration", spec_.duration.sample(rng_)}};
    if (const int k = spec_.ranks.sample(rng_); k > 1) task["ranks"] = k;
    return task;
  }
  void on_result(int, const Payload&) override { ++results_; }
  void on_withdrawn(const json&) override {}
  void on_progress(int, const json& batch) override {
    const auto reports = static_cast<std::int64_t>(batch.at("items").size());
    progress_reports_ += reports;
    simulation_.charge(0, static_cast<double>(reports) * spec_.progress_s);
  }

 public:
  std::int64_t progress_reports() const { return progress_reports_; }

 private:
  Simulation& simulation_;
  const SimulationSpec& spec_;
  Rng rng_;
  Dispatcher dispatcher_;
  std::int64_t created_ = 0;
  std::int64_t results_ = 0;
  std::int64_t progress_reports_ = 0;
  bool done_ = false;
  double makespan_ = 0;
};

// When each simulated task ran.
struct TaskSpan {
  double start;
  double duration;
  int worker;
  bool leads;  // the task's only or first worker
};

// A worker's model: finishes each task after its drawn duration of virtual time, reporting
// progress every `report_every_s` on the way.
class SimulatedExecutor : public TaskExecutor {
 public:
  SimulatedExecutor(Simulation& simulation, int rank, double report_every_s,
                    std::vector<TaskSpan>& spans)
      : simulation_(simulation), rank_(rank), report_every_s_(report_every_s), spans_(spans) {}

  void start(const json& task, TaskLink& link, std::function<void(json)> done) override {
    const double duration = task.at("duration").get<double>();
    const double now = simulation_.now();
    spans_.push_back({now, duration, rank_, task.value("member", 0) == 0});
    for (std::int64_t step = 1;
         report_every_s_ > 0 && static_cast<double>(step) * report_every_s_ < duration; ++step) {
      json item = {{"trial", task.at("trial")}, {"attempt", 1}, {"step", step}};
      simulation_.at(now + static_cast<double>(step) * report_every_s_, rank_,
                     [&link, item = std::move(item)] {
                       link.send_progress({{"items", json::array({item})}});
                     });
    }
    json result = {{"trial", task.at("trial")}, {"attempt", 1}, {"status", "ok"}};
    simulation_.at(simulation_.now() + duration, rank_,
                   [done = std::move(done), result = std::move(result)]() mutable {
                     done(std::move(result));
                   });
  }

 private:
  Simulation& simulation_;
  int rank_;
  double report_every_s_;
  std::vector<TaskSpan>& spans_;
};

double parse_number(const std::string& text, const std::string& spec) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || !std::isfinite(v)) {
    throw InputError("", "", "--duration " + spec + ": \"" + text + "\" is not a number");
  }
  return v;
}

}  // namespace

RanksMix RanksMix::parse(const std::string& text) {
  const auto fail = [&] {
    throw InputError("", "", "--ranks " + text + ": expected K or K1:W1,K2:W2,... (K >= 1, W > 0)");
  };
  RanksMix mix;
  mix.weights_.clear();
  std::stringstream items(text);
  for (std::string item; std::getline(items, item, ',');) {
    const auto colon = item.find(':');
    const double k = parse_number(item.substr(0, colon), text);
    const double w = colon == std::string::npos ? 1.0 : parse_number(item.substr(colon + 1), text);
    if (k < 1 || k > 65536 || k != std::floor(k) || !(w > 0)) fail();
    mix.weights_.emplace_back(static_cast<int>(k), w);
  }
  if (mix.weights_.empty()) fail();
  return mix;
}

int RanksMix::sample(Rng& rng) const {
  if (weights_.size() == 1) return weights_.front().first;
  double total = 0;
  for (const auto& [k, w] : weights_) total += w;
  double draw = rng.uniform(0, total);
  for (const auto& [k, w] : weights_) {
    if (draw < w) return k;
    draw -= w;
  }
  return weights_.back().first;
}

int RanksMix::largest() const {
  int k = 1;
  for (const auto& entry : weights_) k = std::max(k, entry.first);
  return k;
}

DurationModel DurationModel::parse(const std::string& text) {
  const auto colon = text.find(':');
  const std::string kind = text.substr(0, colon);
  std::vector<double> args;
  if (colon != std::string::npos) {
    std::stringstream rest(text.substr(colon + 1));
    for (std::string item; std::getline(rest, item, ',');) args.push_back(parse_number(item, text));
  }
  DurationModel m;
  const auto expect = [&](std::size_t n, const char* form) {
    if (args.size() != n) throw InputError("", "", "--duration " + text + ": expected " + form);
  };
  if (kind == "fixed") {
    expect(1, "fixed:SECONDS");
    m.kind_ = Kind::Fixed;
  } else if (kind == "uniform") {
    expect(2, "uniform:A,B with 0 <= A <= B");
    m.kind_ = Kind::Uniform;
    if (args[0] < 0 || args[0] > args[1]) expect(0, "uniform:A,B with 0 <= A <= B");
  } else if (kind == "lognormal") {
    expect(2, "lognormal:MU,SIGMA with SIGMA >= 0");
    m.kind_ = Kind::LogNormal;
    if (args[1] < 0) expect(0, "lognormal:MU,SIGMA with SIGMA >= 0");
  } else {
    throw InputError(
        "", "", "--duration " + text + ": expected fixed:X, uniform:A,B or lognormal:MU,SIGMA");
  }
  if (m.kind_ == Kind::Fixed && args[0] < 0) expect(0, "fixed:SECONDS with SECONDS >= 0");
  m.a_ = args[0];
  m.b_ = args.size() > 1 ? args[1] : 0;
  return m;
}

double DurationModel::sample(Rng& rng) const {
  switch (kind_) {
    case Kind::Fixed:
      return a_;
    case Kind::Uniform:
      return rng.uniform(a_, b_);
    case Kind::LogNormal: {
      // Box-Muller from the portable generator keeps runs identical across platforms.
      const double u1 = 1.0 - rng.uniform01();
      const double u2 = rng.uniform01();
      return std::exp(a_ + b_ * std::sqrt(-2 * std::log(u1)) * std::cos(kTwoPi * u2));
    }
  }
  return a_;
}

json SimulationReport::to_json() const {
  return {{"makespan_s", makespan_s},
          {"utilization", utilization},
          {"utilization_while_work_remains", utilization_while_work_remains},
          {"tasks_per_s", tasks_per_s},
          {"messages_per_task", messages_per_task},
          {"steals", steals},
          {"steal_probes", steal_probes},
          {"stolen_tasks", stolen_tasks},
          {"tasks_run", tasks_run},
          {"group_tasks", group_tasks},
          {"workers_used", workers_used},
          {"max_queue_per_server", max_queue_per_server},
          {"master_busy_fraction", master_busy_fraction},
          {"progress_reports", progress_reports}};
}

SimulationReport simulate(const SimulationSpec& spec) {
  const int server_count = spec.servers.value_or((spec.workers + 255) / 256);
  const Layout layout(spec.workers + server_count, 256, server_count);
  for (int s = 0; s < layout.servers(); ++s) {
    const auto [first, last] = layout.workers_of(s);
    if (spec.ranks.largest() > last - first) {
      throw InputError("", "",
                       "--ranks: a task on " + std::to_string(spec.ranks.largest()) +
                           " workers does not fit the " + std::to_string(last - first) +
                           " workers of a server; use fewer servers");
    }
  }
  Simulation simulation(layout.ranks(), Simulation::Options{spec.latency_s, spec.handle_s});

  ServerOptions servers_options;
  servers_options.steal = spec.steal;
  servers_options.seed = spec.seed;
  SyntheticMaster master(simulation, layout, spec, servers_options);
  simulation.set_role(0, master);
  std::vector<std::unique_ptr<ServerRole>> servers;
  for (int s = 1; s < layout.servers(); ++s) {
    servers.push_back(
        std::make_unique<ServerRole>(simulation.endpoint(s), layout, servers_options));
    simulation.set_role(s, *servers.back());
  }
  std::vector<TaskSpan> spans;
  spans.reserve(static_cast<std::size_t>(spec.tasks));
  std::vector<std::unique_ptr<WorkerRole>> worker_roles;
  for (int r = layout.servers(); r < layout.ranks(); ++r) {
    const int node = (r - layout.servers()) / std::max(1, spec.workers_per_node);
    worker_roles.push_back(std::make_unique<WorkerRole>(
        simulation.endpoint(r), layout,
        [&simulation, &spans, &spec, r](const json&) {
          return std::make_unique<SimulatedExecutor>(simulation, r, spec.report_every_s, spans);
        },
        "node-" + std::to_string(node)));
    simulation.set_role(r, *worker_roles.back());
  }
  simulation.run();

  SimulationReport report;
  report.makespan_s = master.makespan();
  const double span = report.makespan_s > 0 ? report.makespan_s : 1;
  const double workers = layout.workers();
  double last_start = 0;
  double busy = 0;
  std::vector<bool> used(static_cast<std::size_t>(layout.ranks()), false);
  for (const TaskSpan& t : spans) {
    last_start = std::max(last_start, t.start);
    busy += t.duration;
    used[static_cast<std::size_t>(t.worker)] = true;
  }
  double busy_before_last_start = 0;
  for (const TaskSpan& t : spans) {
    busy_before_last_start += std::max(0.0, std::min(t.duration, last_start - t.start));
  }
  report.tasks_run =
      std::count_if(spans.begin(), spans.end(), [](const TaskSpan& t) { return t.leads; });
  report.workers_used = std::count(used.begin(), used.end(), true);
  report.utilization = busy / (workers * span);
  report.utilization_while_work_remains =
      last_start > 0 ? busy_before_last_start / (workers * last_start) : report.utilization;
  report.tasks_per_s = static_cast<double>(master.results()) / span;
  report.messages_per_task = static_cast<double>(simulation.messages()) /
                             static_cast<double>(std::max<std::int64_t>(1, spec.tasks));
  std::vector<const ServerStats*> stats = {&master.server_stats()};
  for (const auto& s : servers) stats.push_back(&s->stats());
  for (const ServerStats* s : stats) {
    report.steals += s->steals;
    report.steal_probes += s->probes;
    report.stolen_tasks += s->stolen_tasks;
    report.max_queue_per_server = std::max(report.max_queue_per_server, s->max_queue);
    report.group_tasks += s->groups;
  }
  report.master_busy_fraction = simulation.busy_time(0) / span;
  report.progress_reports = master.progress_reports();
  return report;
}

}  // namespace overseer
