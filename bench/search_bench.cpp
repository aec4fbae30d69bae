// Cost of one ask + tell of the bayes searcher on Hartmann6 once it holds N results, for each
// surrogate (bench/search_cost.sh runs it beside Optuna's TPE). The searcher first runs N trials
// for real, so its model sees the clustered points a real search produces. The timed loop then
// covers at least one whole refit period (hyperparameters are re-estimated every 10% more
// results), so the mean includes the refit's share; `slowest_ms` is the step with the refit. A
// second argument keeps that many trials in flight, as a parallel run does: each step asks for one
// point and tells the oldest.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <deque>

#include "overseer/models/model.hpp"
#include "overseer/search/searcher.hpp"

namespace {

using namespace overseer;

Campaign hartmann6_campaign(const std::string& surrogate) {
  json space = json::array();
  for (int i = 1; i <= 6; ++i) {
    space.push_back(
        {{"name", "x" + std::to_string(i)}, {"type", "float"}, {"lower", 0}, {"upper", 1}});
  }
  return parse_campaign(
      {{"name", "bench"},
       {"model", {{"name", "hartmann6"}}},
       {"space", space},
       {"search",
        {{"algorithm", "bayes"}, {"surrogate", surrogate}, {"budget", 1000000}, {"seed", 1}}}},
      "search_bench.json");
}

void BM_BayesAskTell(benchmark::State& state, const std::string& surrogate) {
  const auto history = static_cast<std::size_t>(state.range(0));
  const auto in_flight = static_cast<std::size_t>(state.range(1));
  const Campaign campaign = hartmann6_campaign(surrogate);
  auto searcher = make_searcher(campaign);
  auto model = ModelRegistry::instance().find("hartmann6")->create(campaign);
  std::deque<TrialRecord> running;
  TrialId next_id = 0;
  auto step = [&] {
    TrialRecord trial;
    trial.id = next_id++;
    trial.params = searcher->ask().params;
    trial.result.status = TrialStatus::Ok;
    trial.result.value = model->evaluate(trial.params, RunContext{}).at("value");
    running.push_back(std::move(trial));
    if (running.size() > in_flight) {
      searcher->tell(running.front());
      running.pop_front();
    }
  };
  while (static_cast<std::size_t>(next_id) < history + in_flight) step();

  double slowest = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    step();
    slowest = std::max(
        slowest, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  state.counters["slowest_ms"] = slowest;
}

// Google Benchmark's iteration count holds for a whole family, hence one family per history.
template <int History>
void after(benchmark::internal::Benchmark* b) {
  b->Args({History, 0})->Args({History, 8})->ArgNames({"history", "in_flight"});
  b->Iterations(std::max(50, History / 10))->Unit(benchmark::kMillisecond);
}

BENCHMARK_CAPTURE(BM_BayesAskTell, gp, std::string("gp"))->Apply(after<100>);
BENCHMARK_CAPTURE(BM_BayesAskTell, gp, std::string("gp"))->Apply(after<1000>);
BENCHMARK_CAPTURE(BM_BayesAskTell, rf, std::string("rf"))->Apply(after<100>);
BENCHMARK_CAPTURE(BM_BayesAskTell, rf, std::string("rf"))->Apply(after<1000>);

}  // namespace
