// The bayes searcher through the Searcher interface, as the master drives it: option errors,
// determinism and journal replay, asynchronous proposals with trials in flight, failures, and
// whether it actually optimizes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <functional>
#include <optional>
#include <tuple>

#include "input_error.hpp"
#include "overseer/search/searcher.hpp"
#include "process.hpp"

using namespace overseer;
using overseer::test::input_error;

namespace {

const json kBraninSpace = json::parse(R"([
  {"name": "x1", "type": "float", "lower": -5, "upper": 10},
  {"name": "x2", "type": "float", "lower": 0, "upper": 15}
])");

// A bayes searcher with `options`; a null option is left out.
std::unique_ptr<Searcher> searcher(const json& options, const json& space = kBraninSpace) {
  json search = {{"algorithm", "bayes"}, {"budget", 1000}};
  search.update(options);
  for (const auto& [key, value] : options.items()) {
    if (value.is_null()) search.erase(key);
  }
  return make_searcher(parse_campaign(
      {{"name", "t"}, {"model", {{"name", "branin"}}}, {"space", space}, {"search", search}},
      "c.json"));
}

double branin(const json& p) {
  const double x1 = p["x1"], x2 = p["x2"], pi = 3.14159265358979323846;
  const double y = x2 - 5.1 / (4 * pi * pi) * x1 * x1 + 5 / pi * x1 - 6;
  return y * y + 10 * (1 - 1 / (8 * pi)) * std::cos(x1) + 10;
}

// An objective that may fail: no value means the trial failed.
using Objective = std::function<std::optional<double>(const json&)>;

TrialRecord finished(TrialId id, json params, std::optional<double> value) {
  TrialRecord t;
  t.id = id;
  t.params = std::move(params);
  t.result.status = value ? TrialStatus::Ok : TrialStatus::Failed;
  t.result.value = value.value_or(std::nan(""));
  return t;
}

// What happened in a run, in order: the points asked for, and which trial each tell finished
// (-1 for an ask that answered "wait").
struct History {
  std::vector<json> points;
  std::vector<std::pair<char, TrialId>> events;  // 'a'sk or 't'ell
};

// Runs `budget` trials with up to `in_flight` of them running at once, finishing the oldest
// first, as a master with that many busy workers does; checks that no point is proposed while
// the same point is pending.
History drive(Searcher& s, const Objective& f, int budget, std::size_t in_flight) {
  History h;
  std::deque<TrialId> running;
  auto tell_oldest = [&] {
    const TrialId id = running.front();
    running.pop_front();
    s.tell(finished(id, h.points[static_cast<std::size_t>(id)],
                    f(h.points[static_cast<std::size_t>(id)])));
    h.events.emplace_back('t', id);
  };
  while (static_cast<int>(h.points.size()) < budget) {
    Suggestion next = s.ask();
    if (next.kind == Suggestion::Kind::Wait) {
      if (running.empty()) {
        ADD_FAILURE() << "wait with nothing pending";
        return h;
      }
      h.events.emplace_back('a', -1);
      tell_oldest();
      continue;
    }
    EXPECT_EQ(next.kind, Suggestion::Kind::Point);
    for (TrialId id : running) {
      EXPECT_NE(h.points[static_cast<std::size_t>(id)], next.params)
          << "trial " << h.points.size() << " repeats pending trial " << id;
    }
    running.push_back(static_cast<TrialId>(h.points.size()));
    h.events.emplace_back('a', running.back());
    h.points.push_back(next.params);
    if (running.size() > in_flight) tell_oldest();
  }
  while (!running.empty()) tell_oldest();
  return h;
}

// Replays a journal as the master does on --resume: one ask per created trial (waits are not
// journaled), and the tells in journal order. Returns the points the searcher proposed.
std::vector<json> replay(Searcher& s, const History& h, const Objective& f) {
  std::vector<json> points;
  for (const auto& [kind, id] : h.events) {
    if (kind == 'a' && id >= 0) {
      points.push_back(s.ask().params);
    } else if (kind == 't') {
      s.tell(finished(id, h.points[static_cast<std::size_t>(id)],
                      f(h.points[static_cast<std::size_t>(id)])));
    }
  }
  return points;
}

double best_of(const std::vector<json>& points, int first) {
  double best = INFINITY;
  for (int i = 0; i < first; ++i)
    best = std::min(best, branin(points[static_cast<std::size_t>(i)]));
  return best;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

const Objective kBranin = [](const json& p) { return branin(p); };

}  // namespace

TEST(BayesSearcher, OptionErrorsNameTheFileAndPointer) {
  struct Case {
    json options;
    std::string message;
  };
  const Case cases[] = {
      {{{"surrogate", "svm"}},
       "c.json: /search/surrogate: surrogate must be one of \"gp\", \"rf\", found \"svm\""},
      {{{"acquisition", "pi"}},
       "c.json: /search/acquisition: acquisition must be one of \"ei\", \"ucb\", \"qlcb\", found "
       "\"pi\""},
      {{{"lambda", 2}},
       "c.json: /search/lambda: lambda applies only to acquisition \"ucb\" and \"qlcb\""},
      {{{"acquisition", "ucb"}, {"lambda", 0}}, "c.json: /search/lambda: lambda must be positive"},
      {{{"n_init", 0}}, "c.json: /search/n_init: n_init must be between 1 and 100000"},
      {{{"n_init", "ten"}}, "c.json: /search/n_init: expected an integer, found a string"},
      {{{"init", "sobol"}},
       "c.json: /search/init: init must be one of \"lhs\", \"random\", found \"sobol\""},
      {{{"pending", "liar"}},
       "c.json: /search/pending: pending must be one of \"believer\", \"min\", \"mean\", \"max\", "
       "found \"liar\""},
      {{{"trees", 10}}, "c.json: /search/trees: trees applies only to surrogate \"rf\""},
      {{{"surrogate", "rf"}, {"trees", 0}},
       "c.json: /search/trees: trees must be between 1 and 10000"},
      {{{"on_failure", "retry"}},
       "c.json: /search/on_failure: on_failure must be \"ignore\" or \"worst\", found \"retry\""},
      {{{"kappa", 2}}, "c.json: /search/kappa: unknown field \"kappa\""},
      {{{"budget", nullptr}}, "c.json: /search: bayes search needs \"budget\" (number of trials)"},
  };
  for (const auto& c : cases) {
    const std::string message = input_error([&] { searcher(c.options); });
    EXPECT_EQ(message.rfind(c.message, 0), 0u) << c.options.dump() << "\n" << message;
  }
  const json constants = json::parse(R"([{"name": "x1", "type": "constant", "value": 1},
                                         {"name": "x2", "type": "constant", "value": 2}])");
  EXPECT_EQ(input_error([&] { searcher(json::object(), constants); }),
            "c.json: /space: bayes search needs a parameter that is not a constant");
}

TEST(BayesSearcher, StartsWithALatinHypercubeOfNInitPoints) {
  auto s = searcher({{"n_init", 8}});
  std::vector<int> slices(8, 0);
  for (int i = 0; i < 8; ++i) {
    const json p = s->ask().params;
    ++slices[static_cast<std::size_t>((p["x1"].get<double>() + 5) / 15 * 8)];
  }
  EXPECT_EQ(slices, std::vector<int>(8, 1));
}

TEST(BayesSearcher, SameSeedSameSequenceAlsoWhenReplayedFromTheJournal) {
  for (const char* surrogate : {"gp", "rf"}) {
    const json options = {{"surrogate", surrogate}, {"seed", 3}, {"n_init", 6}};
    auto first = searcher(options);
    const History h = drive(*first, kBranin, 30, 3);
    EXPECT_EQ(drive(*searcher(options), kBranin, 30, 3).points, h.points) << surrogate;
    EXPECT_EQ(replay(*searcher(options), h, kBranin), h.points) << surrogate;
    json other = options;
    other["seed"] = 4;
    EXPECT_NE(drive(*searcher(other), kBranin, 30, 3).points, h.points) << surrogate;
  }
}

TEST(BayesSearcher, WaitsRatherThanRepeatAPendingPointAndAWaitChangesNothing) {
  // Six points in all, and up to seven trials in flight.
  const json tiny = json::parse(R"([{"name": "x1", "type": "int", "lower": 0, "upper": 2},
                                    {"name": "x2", "type": "logical"}])");
  const Objective f = [](const json& p) { return p["x1"].get<double>() + (p["x2"] ? 0.5 : 0); };
  for (const char* surrogate : {"gp", "rf"}) {
    const json options = {{"surrogate", surrogate}, {"n_init", 2}};
    auto s = searcher(options, tiny);
    const History h = drive(*s, f, 20, 7);
    EXPECT_NE(std::find(h.events.begin(), h.events.end(), std::make_pair('a', TrialId{-1})),
              h.events.end())
        << "a searcher with every point pending must wait";
    EXPECT_EQ(replay(*searcher(options, tiny), h, f), h.points) << surrogate;
  }
}

TEST(BayesSearcher, AsynchronousProposalsOfMixedTypesNeverRepeatAPendingPoint) {
  const json mixed = json::parse(R"([
    {"name": "x1", "type": "float", "lower": 0, "upper": 1},
    {"name": "n", "type": "int", "lower": 1, "upper": 3},
    {"name": "size", "type": "ordered", "values": [16, 32, 64]},
    {"name": "kind", "type": "categorical", "values": ["a", "b"]},
    {"name": "flag", "type": "logical"}
  ])");
  const Objective f = [](const json& p) {
    return p["x1"].get<double>() + p["n"].get<double>() + (p["kind"] == "b" ? 1 : 0);
  };
  for (const char* surrogate : {"gp", "rf"}) {
    for (const char* pending : {"believer", "min", "mean", "max"}) {
      auto s = searcher({{"surrogate", surrogate}, {"pending", pending}, {"n_init", 4}}, mixed);
      const History h = drive(*s, f, 40, 8);  // drive checks every proposal
      for (const json& p : h.points) {
        EXPECT_TRUE(p["n"].is_number_integer());
        EXPECT_TRUE(p["size"] == 16 || p["size"] == 32 || p["size"] == 64);
        EXPECT_TRUE(p["flag"].is_boolean());
      }
    }
  }
}

TEST(BayesSearcher, FailuresAreIgnoredOrTakenAsTheWorstValue) {
  // Branin, but every trial with x1 < 0 crashes: a third of the range, with one of the three
  // minima. Taking failures as the worst value teaches the model to stay away; ignoring them
  // leaves it drawn to the one region it knows nothing about. (Three seeds, 20 late trials each:
  // 12 and 53 failures when written.)
  const Objective crashy = [](const json& p) -> std::optional<double> {
    if (p["x1"].get<double>() < 0) return std::nullopt;
    return branin(p);
  };
  auto late_failures = [&](const char* policy) {
    int failures = 0;
    for (int seed = 0; seed < 3; ++seed) {
      auto s = searcher({{"on_failure", policy}, {"seed", seed}});
      const History h = drive(*s, crashy, 40, 0);
      for (std::size_t i = 20; i < h.points.size(); ++i) failures += !crashy(h.points[i]);
    }
    return failures;
  };
  const int ignored = late_failures("ignore");
  const int worst = late_failures("worst");
  EXPECT_LE(worst, 24);  // of 60
  EXPECT_GE(ignored, 40);
}

TEST(BayesSearcher, TrialsStoppedEarlySteerTheSearchAwayFromTheirRegion) {
  // Branin under a scheduler that stops every trial with x1 < 0 after its first step and lets
  // the others train 20 steps. Once 8 trials reached step 20, the early values are not
  // comparable; counting the stopped trials as no better than the worst that trained on keeps
  // the search out of the region that was stopped (dropping them drew it back there: 47 of the
  // 60 late trials when written, against 3).
  int late_in_stopped_region = 0;
  for (int seed = 0; seed < 3; ++seed) {
    auto s = searcher({{"seed", seed}});
    for (TrialId id = 0; id < 40; ++id) {
      const json p = s->ask().params;
      TrialRecord t = finished(id, p, branin(p));
      const bool stopped = p["x1"].get<double>() < 0;
      t.result.status = stopped ? TrialStatus::Stopped : TrialStatus::Ok;
      t.result.step = stopped ? 1 : 20;
      s->tell(t);
      if (id >= 20) late_in_stopped_region += stopped;
    }
  }
  EXPECT_LE(late_in_stopped_region, 20);  // of 60
}

TEST(BayesSearcher, BeatsRandomSearchOnBraninWithinFortyTrials) {
  std::vector<double> gp, rf, random;
  for (int seed = 0; seed < 5; ++seed) {
    gp.push_back(best_of(drive(*searcher({{"seed", seed}}), kBranin, 40, 0).points, 40));
    rf.push_back(best_of(
        drive(*searcher({{"seed", seed}, {"surrogate", "rf"}}), kBranin, 40, 0).points, 40));
    json search = {{"algorithm", "random"}, {"budget", 40}, {"seed", seed}};
    auto r = make_searcher(parse_campaign({{"name", "t"},
                                           {"model", {{"name", "branin"}}},
                                           {"space", kBraninSpace},
                                           {"search", search}},
                                          "c.json"));
    random.push_back(best_of(drive(*r, kBranin, 40, 0).points, 40));
  }
  // The optimum is 0.397887. When written: medians 0.405 (gp), 0.402 (rf) and 2.18 (random);
  // the median of random search's best of 40 over many seeds is about 1.3.
  EXPECT_LT(median(gp), 0.45);
  EXPECT_LT(median(rf), 0.6);
  EXPECT_GT(median(random), 0.8);
}

TEST(BayesSearcher, BatchesWaitForEachOtherAsMlrMbosIterationsDo) {
  auto s = searcher({{"n_init", 4}, {"batch_size", 3}, {"surrogate", "rf"}});
  std::vector<TrialRecord> running;
  const auto ask_all = [&] {
    std::size_t n = 0;
    for (Suggestion next = s->ask(); next.kind == Suggestion::Kind::Point; next = s->ask()) {
      const auto id = static_cast<TrialId>(running.size());
      running.push_back(finished(id, next.params, branin(next.params)));
      ++n;
    }
    return n;
  };
  // The design, then nothing until all of it is in.
  EXPECT_EQ(ask_all(), 4u);
  for (std::size_t i = 0; i < 3; ++i) s->tell(running[i]);
  EXPECT_EQ(s->ask().kind, Suggestion::Kind::Wait);
  s->tell(running[3]);
  // A batch of three, proposed together, then the same barrier.
  EXPECT_EQ(ask_all(), 3u);
  s->tell(running[4]);
  s->tell(running[5]);
  EXPECT_EQ(s->ask().kind, Suggestion::Kind::Wait);
  s->tell(running[6]);
  EXPECT_EQ(ask_all(), 3u);
  for (const auto& bad : {json{{"batch_size", 0}}, json{{"batch_size", "3"}}}) {
    EXPECT_NE(input_error([&] { searcher(bad); }).find("/search/batch_size"), std::string::npos);
  }
}

TEST(BayesSearcher, AnEarlierRunsResultsStandInForTheInitialDesign) {
  const overseer::test::ScratchDir dir;
  for (const char* run : {"earlier", "other", "bad"})
    std::filesystem::create_directories(dir / run);
  // An earlier run's results.csv: five trials, one failed, around the minimum at (pi, 2.275).
  overseer::test::write_text(dir / "earlier" / "results.csv",
                             "trial_id,status,value,param_x1,param_x2,metric_value,message\n"
                             "0,ok,0.5,3.1,2.3,0.5,\n"
                             "1,ok,30,-4,12,30,\n"
                             "2,failed,,0,0,,\"train.sh failed; end of its log:\n"
                             "Traceback, \"\"x\"\"\"\n"
                             "3,ok,1.2,3.3,2.0,1.2,\n"
                             "4,ok,12,8,8,12,\n");
  auto restarted = searcher({{"n_init", 8}, {"restart_from", (dir / "earlier").string()}});
  // The same as a search with the four design points that remain of eight (the failed trial
  // stands in for none), told the five results before it starts...
  auto told = searcher({{"n_init", 4}});
  const double nan = std::nan("");
  const std::vector<std::tuple<double, double, double>> rows = {
      {3.1, 2.3, 0.5}, {-4, 12, 30}, {0, 0, nan}, {3.3, 2.0, 1.2}, {8, 8, 12}};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto [x1, x2, v] = rows[i];
    told->tell(finished(-static_cast<TrialId>(i) - 1, {{"x1", x1}, {"x2", x2}},
                        std::isnan(v) ? std::nullopt : std::optional<double>(v)));
  }
  // ...and unlike a search that knows nothing, whose fifth point is still of its design.
  auto fresh = searcher({{"n_init", 8}});
  std::vector<json> a, b, c;
  for (int i = 0; i < 5; ++i) {
    a.push_back(restarted->ask().params);
    b.push_back(told->ask().params);
    c.push_back(fresh->ask().params);
  }
  EXPECT_EQ(a, b);
  EXPECT_NE(a.back(), c.back());

  overseer::test::write_text(dir / "other" / "results.csv",
                             "trial_id,status,value,param_x1,metric_value\n0,ok,1,2,1\n");
  EXPECT_NE(input_error([&] {
              searcher({{"restart_from", (dir / "other").string()}});
            }).find("no column \"param_x2\""),
            std::string::npos);
  overseer::test::write_text(dir / "bad" / "results.csv",
                             "trial_id,status,value,param_x1,param_x2\n0,ok,1,99,1\n");
  EXPECT_NE(input_error([&] {
              searcher({{"restart_from", (dir / "bad").string()}});
            }).find("line 2: param_x1: 99 is outside [-5.0, 10.0]"),
            std::string::npos);
}
