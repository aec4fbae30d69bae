// The `ga` searcher through make_searcher: options, the generational barrier, steady state,
// failures, statistics events and determinism.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "input_error.hpp"
#include "overseer/search/searcher.hpp"
#include "process.hpp"

using namespace overseer;
using overseer::test::input_error;

namespace {

const json kLine = json::parse(R"([{"name": "x", "type": "int", "lower": 0, "upper": 1000,
                                     "sigma": 1}])");

Campaign campaign_with(json search, const json& space = kLine, const std::string& mode = "min",
                       const std::string& seeds = "per_trial") {
  search["algorithm"] = "ga";
  json doc = {{"name", "t"},
              {"model", {{"name", "branin"}, {"seeds", seeds}}},
              {"search", search},
              {"space", space},
              {"objective", {{"mode", mode}}}};
  return parse_campaign(doc, "c.json");
}

// Asks until the searcher has nothing to hand out; the trial ids follow the master's numbering.
struct Driver {
  std::unique_ptr<Searcher> searcher;
  std::vector<TrialRecord> asked;
  Suggestion::Kind last = Suggestion::Kind::Point;

  explicit Driver(const Campaign& c) : searcher(make_searcher(c)) {}

  std::vector<TrialRecord> ask(std::size_t limit = 100000) {
    std::vector<TrialRecord> out;
    while (out.size() < limit) {
      Suggestion s = searcher->ask();
      last = s.kind;
      if (s.kind != Suggestion::Kind::Point) break;
      TrialRecord t;
      t.id = static_cast<TrialId>(asked.size());
      t.params = s.params;
      asked.push_back(t);
      out.push_back(t);
    }
    return out;
  }

  void tell(TrialRecord t, TrialStatus status, double value) {
    t.result.status = status;
    t.result.value = value;
    searcher->tell(t);
  }
  // Tells each trial's x as its value: smaller x is better.
  void tell_x(const std::vector<TrialRecord>& trials) {
    for (const auto& t : trials) tell(t, TrialStatus::Ok, t.params["x"].get<double>());
  }
};

double x_of(const TrialRecord& t) {
  return t.params.at("x").get<double>();
}

bool near_any(double x, const std::vector<double>& centres, double width) {
  for (double c : centres) {
    if (std::fabs(x - c) <= width) return true;
  }
  return false;
}

}  // namespace

TEST(GaSearcher, OptionErrorsNameTheFieldAndSayWhatIsWrong) {
  const auto error = [](json search) {
    return input_error([&] { make_searcher(campaign_with(std::move(search))); });
  };
  EXPECT_EQ(error({{"num_iterations", 3}}), "c.json: /search: ga needs \"population_size\"");
  EXPECT_EQ(error({{"population_size", 1}, {"num_iterations", 3}}),
            "c.json: /search/population_size: population_size must be between 2 and 1000000");
  EXPECT_EQ(error({{"population_size", 4}}),
            "c.json: /search: ga needs \"num_iterations\" or \"budget\"");

  // The rest start from valid population_size and budget.
  const std::vector<std::pair<json, std::string>> cases = {
      {{{"strategy", "plus"}},
       "/search/strategy: strategy must be \"simple\" or \"mu_plus_lambda\", found \"plus\""},
      {{{"offspring", 2}},
       "/search/offspring: offspring applies only to strategy \"mu_plus_lambda\""},
      {{{"strategy", "mu_plus_lambda"}, {"offspring", 4}},
       "/search/offspring: offspring must be between 1 and 3"},
      {{{"mut_prob", 1.5}}, "/search/mut_prob: mut_prob must be between 0 and 1"},
      {{{"cx_indpb", -0.1}}, "/search/cx_indpb: cx_indpb must be between 0 and 1"},
      {{{"mut_prob", 0}, {"cx_prob", 0}},
       "/search: cx_prob and mut_prob are both 0: no child would ever differ from its parents"},
      {{{"strategy", "mu_plus_lambda"}, {"mut_prob", 0.6}, {"cx_prob", 0.6}},
       "/search: mu_plus_lambda needs cx_prob + mut_prob <= 1 (the rest is the chance of copying "
       "a parent)"},
      {{{"mode", "async"}},
       "/search/mode: mode must be \"generational\" or \"steady_state\", found \"async\""},
      {{{"tournsize", 0}}, "/search/tournsize: tournsize must be between 1 and 1000000"},
      {{{"cx_indbp", 1}},
       "/search/cx_indbp: unknown field \"cx_indbp\" (did you mean \"cx_indpb\"?)"},
      {{{"on_failure", "skip"}},
       "/search/on_failure: on_failure must be \"ignore\" or \"worst\", found \"skip\""},
  };
  for (const auto& [options, message] : cases) {
    json search = {{"population_size", 4}, {"budget", 9}};
    search.update(options);
    EXPECT_EQ(error(search), "c.json: " + message);
  }
}

TEST(GaSearcher, NumIterationsCountsTheInitialGenerationAndBoundsTheBudget) {
  // Supervisor runs DEAP for num_iterations - 1 generations after the initial population.
  auto simple = make_searcher(campaign_with({{"population_size", 10}, {"num_iterations", 5}}));
  EXPECT_EQ(simple->size(), 50);
  // mu+lambda: mu + lambda = population_size, lambda = floor(population_size / 2) by default.
  auto plus = make_searcher(campaign_with(
      {{"population_size", 10}, {"num_iterations", 5}, {"strategy", "mu_plus_lambda"}}));
  EXPECT_EQ(plus->size(), 10 + 4 * 5);
  auto open = make_searcher(campaign_with({{"population_size", 10}, {"budget", 7}}));
  EXPECT_FALSE(open->size());
}

TEST(GaSearcher, GenerationalModeWaitsAtTheBarrierThenBreedsTheNextGeneration) {
  Driver d(campaign_with(
      {{"population_size", 6}, {"num_iterations", 3}, {"mode", "generational"}, {"seed", 4}}));
  auto first = d.ask();
  ASSERT_EQ(first.size(), 6u);
  EXPECT_EQ(d.last, Suggestion::Kind::Wait);
  EXPECT_TRUE(d.searcher->take_events().empty());
  // Results in any order; the generation closes with the last one.
  for (std::size_t i = 5; i >= 1; --i) d.tell_x({first[i]});
  EXPECT_TRUE(d.ask().empty());
  EXPECT_EQ(d.last, Suggestion::Kind::Wait);
  d.tell_x({first[0]});

  auto events = d.searcher->take_events();
  ASSERT_EQ(events.size(), 1u);
  std::vector<double> xs;
  for (const auto& t : first) xs.push_back(x_of(t));
  EXPECT_EQ(events[0]["algorithm"], "ga");
  EXPECT_EQ(events[0]["generation"], 0);
  EXPECT_EQ(events[0]["evaluations"], 6);
  EXPECT_EQ(events[0]["population"], 6);
  EXPECT_EQ(events[0]["failed"], 0);
  // The members, by trial: here the whole first generation.
  std::vector<TrialId> members = events[0]["members"].get<std::vector<TrialId>>();
  std::sort(members.begin(), members.end());
  EXPECT_EQ(members, (std::vector<TrialId>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(events[0]["min"], *std::min_element(xs.begin(), xs.end()));
  EXPECT_EQ(events[0]["max"], *std::max_element(xs.begin(), xs.end()));

  // Unchanged copies keep their parents' fitness and are not evaluated again.
  auto second = d.ask();
  EXPECT_GE(second.size(), 1u);
  EXPECT_LE(second.size(), 6u);
  EXPECT_EQ(d.last, Suggestion::Kind::Wait);
  for (const auto& t : second) EXPECT_TRUE(near_any(x_of(t), xs, 10)) << t.params;
  d.tell_x(second);
  auto third = d.ask();
  d.tell_x(third);
  EXPECT_TRUE(d.ask().empty());
  EXPECT_EQ(d.last, Suggestion::Kind::Exhausted);
  events = d.searcher->take_events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1]["generation"], 2);
  EXPECT_EQ(events[1]["evaluations"], 6 + second.size() + third.size());
  // Unchanged copies are their parents' trials.
  ASSERT_EQ(events[1]["members"].size(), 6u);
  for (const auto& m : events[1]["members"]) {
    EXPECT_LT(m.get<TrialId>(), static_cast<TrialId>(6 + second.size() + third.size()));
  }
}

TEST(GaSearcher, SteadyStateNeverWaitsAndBreedsFromResultsAsTheyArrive) {
  Driver d(campaign_with({{"population_size", 5}, {"budget", 100}, {"seed", 2}}));
  // Many workers and no result yet: it keeps handing out points.
  auto initial = d.ask(40);
  ASSERT_EQ(initial.size(), 40u);
  // Each result is bred from at once, no barrier: children stay within 10 sigma of the
  // parents told so far (one gene: crossover hands over a parent's value).
  std::vector<double> told;
  for (std::size_t i = 0; i < 5; ++i) {
    d.tell_x({initial[i]});
    told.push_back(x_of(initial[i]));
    auto child = d.ask(1);
    ASSERT_EQ(child.size(), 1u);
    EXPECT_TRUE(near_any(x_of(child[0]), told, 10)) << child[0].params;
  }
  EXPECT_EQ(d.searcher->take_events().size(), 1u);  // generation 0: population_size results
  EXPECT_FALSE(d.searcher->size());
}

TEST(GaSearcher, SteadyStateStopsAtNumIterationsWorthOfEvaluations) {
  Driver d(campaign_with({{"population_size", 4}, {"num_iterations", 3}, {"seed", 1}}));
  std::size_t handed = 0;
  while (true) {
    auto batch = d.ask(3);
    if (batch.empty()) break;
    handed += batch.size();
    d.tell_x(batch);
  }
  EXPECT_EQ(handed, 12u);
  EXPECT_EQ(d.last, Suggestion::Kind::Exhausted);
  const auto events = d.searcher->take_events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2]["evaluations"], 12);
}

// Points handed out until the searcher stops or `limit` are out, each told its x at once.
std::vector<double> run_to_end(Driver& d, std::size_t limit) {
  std::vector<double> xs;
  while (xs.size() < limit) {
    auto batch = d.ask(1);
    if (batch.empty()) break;
    xs.push_back(x_of(batch[0]));
    d.tell_x(batch);
  }
  return xs;
}

std::size_t distinct(std::vector<double> xs) {
  std::sort(xs.begin(), xs.end());
  return static_cast<std::size_t>(std::unique(xs.begin(), xs.end()) - xs.begin());
}

TEST(GaSearcher, UnderFixedSeedsSteadyStateBreedsNewPointsRatherThanRepeats) {
  const json search = {{"population_size", 5}, {"budget", 60}, {"seed", 3}};
  Driver repeating(campaign_with(search));
  const auto per_trial = run_to_end(repeating, 60);
  ASSERT_EQ(per_trial.size(), 60u);
  Driver fresh(campaign_with(search, kLine, "min", "fixed"));
  const auto fixed = run_to_end(fresh, 60);
  ASSERT_EQ(fixed.size(), 60u);
  // A converging population repeats its best points; under fixed seeds it breeds again first.
  EXPECT_GE(distinct(fixed), 2 * distinct(per_trial));
}

TEST(GaSearcher, UnderFixedSeedsAGenerationReusesKnownPointsAndAnExhaustedSpaceEnds) {
  // Four points in all: once each is evaluated, nothing new can be bred.
  const json tiny = json::parse(R"([{"name": "x", "type": "int", "lower": 0, "upper": 3,
                                     "sigma": 1}])");
  Driver d(campaign_with({{"mode", "generational"}, {"population_size", 4}, {"budget", 1000}}, tiny,
                         "min", "fixed"));
  const auto xs = run_to_end(d, 1000);
  // The first generation is drawn at random and may repeat itself; after it, only new points.
  ASSERT_GE(xs.size(), 4u);
  const std::vector<double> first(xs.begin(), xs.begin() + 4);
  for (std::size_t i = 4; i < xs.size(); ++i) {
    EXPECT_EQ(std::count(xs.begin(), xs.begin() + static_cast<std::ptrdiff_t>(i), xs[i]), 0)
        << "x = " << xs[i] << " again at evaluation " << i;
  }
  EXPECT_LE(xs.size(), 4u + (4u - distinct(first)));
  EXPECT_EQ(d.last, Suggestion::Kind::Exhausted);
}

TEST(GaSearcher, SameSeedSameTrialsOtherSeedOtherTrials) {
  for (const char* mode : {"generational", "steady_state"}) {
    for (const char* strategy : {"simple", "mu_plus_lambda"}) {
      const auto run = [&](int seed) {
        Driver d(campaign_with({{"population_size", 6},
                                {"num_iterations", 6},
                                {"mode", mode},
                                {"strategy", strategy},
                                {"seed", seed}}));
        std::vector<json> points;
        while (true) {
          auto batch = d.ask(4);
          if (batch.empty()) break;
          for (const auto& t : batch) points.push_back(t.params);
          d.tell_x(batch);
        }
        return points;
      };
      EXPECT_EQ(run(3), run(3)) << mode << " " << strategy;
      EXPECT_NE(run(3), run(4)) << mode << " " << strategy;
    }
  }
}

TEST(GaSearcher, IgnoredFailuresAreNeverSelected) {
  for (const char* mode : {"generational", "steady_state"}) {
    Driver d(
        campaign_with({{"population_size", 20}, {"budget", 100}, {"mode", mode}, {"seed", 5}}));
    auto first = d.ask(20);
    d.tell(first[0], TrialStatus::Ok, 3);
    for (std::size_t i = 1; i < 20; ++i) {
      d.tell(first[i], i % 2 ? TrialStatus::Failed : TrialStatus::NaN, 0);
    }
    const auto events = d.searcher->take_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0]["min"], 3);
    if (std::string(mode) == "generational") {
      EXPECT_EQ(events[0]["failed"], 19);
    }
    // Every child descends from the one success.
    for (const auto& t : d.ask(20)) {
      EXPECT_TRUE(near_any(x_of(t), {x_of(first[0])}, 10)) << mode << " " << t.params;
    }
  }
}

TEST(GaSearcher, WorstFailuresTakeTheWorstValueAndStaySelectable) {
  for (const char* mode : {"generational", "steady_state"}) {
    Driver d(campaign_with({{"population_size", 20},
                            {"budget", 100},
                            {"mode", mode},
                            {"on_failure", "worst"},
                            {"seed", 5}}));
    auto first = d.ask(20);
    // Failures before any success wait for it, then take its value: all twenty tie.
    for (std::size_t i = 1; i < 20; ++i) d.tell(first[i], TrialStatus::Timeout, 0);
    d.tell(first[0], TrialStatus::Ok, 3);
    const auto events = d.searcher->take_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0]["population"], 20);
    EXPECT_EQ(events[0]["failed"], 19);
    // Ties go to the first drawn, so parents are drawn uniformly: 19 in 20 were failures.
    std::size_t from_failures = 0;
    const auto bred = d.ask(20);
    for (const auto& t : bred) from_failures += !near_any(x_of(t), {x_of(first[0])}, 10);
    EXPECT_GT(from_failures, bred.size() / 2) << mode;
  }
}

TEST(GaSearcher, AGenerationWithoutASuccessIsFollowedByAFreshRandomOne) {
  Driver d(campaign_with(
      {{"population_size", 5}, {"num_iterations", 3}, {"mode", "generational"}, {"seed", 1}}));
  for (const auto& t : d.ask()) d.tell(t, TrialStatus::Failed, 0);
  const auto events = d.searcher->take_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(events[0]["min"].is_null());
  EXPECT_EQ(d.ask().size(), 5u);
}

TEST(GaSearcher, MaximizingSelectsTheLargestValues) {
  Driver d(campaign_with(
      {{"population_size", 20}, {"num_iterations", 2}, {"mode", "generational"}, {"seed", 8}},
      kLine, "max"));
  auto first = d.ask();
  d.tell_x(first);
  std::vector<double> xs;
  for (const auto& t : first) xs.push_back(x_of(t));
  std::sort(xs.begin(), xs.end());
  const double median = xs[10];
  std::size_t above = 0, bred = 0;
  for (const auto& t : d.ask()) {
    ++bred;
    above += x_of(t) > median;
  }
  EXPECT_GT(above, bred * 3 / 4);
}

TEST(GaSearcher, MuPlusLambdaKeepsMuSurvivorsAndBreedsLambdaAGeneration) {
  for (const char* mode : {"generational", "steady_state"}) {
    Driver d(campaign_with({{"population_size", 6},
                            {"num_iterations", 4},
                            {"strategy", "mu_plus_lambda"},
                            {"offspring", 2},
                            {"mode", mode},
                            {"seed", 3}}));
    std::size_t evaluations = 0;
    while (true) {
      auto batch = d.ask();
      if (batch.empty()) break;
      evaluations += batch.size();
      d.tell_x(batch);
    }
    EXPECT_EQ(d.last, Suggestion::Kind::Exhausted) << mode;
    EXPECT_LE(evaluations, 6u + 3 * 2) << mode;
    const auto events = d.searcher->take_events();
    ASSERT_EQ(events.size(), 4u) << mode;
    EXPECT_EQ(events[0]["population"], 6) << mode;  // the initial mu + lambda
    for (std::size_t g = 1; g < 4; ++g) EXPECT_EQ(events[g]["population"], 4) << mode;
  }
}

TEST(GaSearcher, TheFirstIndividualsComeFromInitParamsFile) {
  const overseer::test::ScratchDir dir;
  const json space = json::parse(R"([{"name": "x", "type": "int", "lower": 0, "upper": 1000},
                                      {"name": "act", "type": "categorical",
                                       "values": ["relu", "tanh"]}])");
  overseer::test::write_text(dir / "init.csv", "act,x\ntanh,7\n\"relu\",900\n");
  for (const char* mode : {"generational", "steady_state"}) {
    Driver d(campaign_with({{"population_size", 4},
                            {"num_iterations", 2},
                            {"mode", mode},
                            {"init_params_file", (dir / "init.csv").string()}},
                           space));
    const auto first = d.ask(4);
    ASSERT_EQ(first.size(), 4u) << mode;
    EXPECT_EQ(first[0].params, (json{{"x", 7}, {"act", "tanh"}})) << mode;
    EXPECT_EQ(first[1].params, (json{{"x", 900}, {"act", "relu"}})) << mode;
  }
  const auto error_of = [&](const std::string& csv) {
    overseer::test::write_text(dir / "bad.csv", csv);
    return input_error([&] {
      make_searcher(campaign_with({{"population_size", 2},
                                   {"num_iterations", 1},
                                   {"init_params_file", (dir / "bad.csv").string()}},
                                  space));
    });
  };
  const std::string file = (dir / "bad.csv").string();
  EXPECT_EQ(error_of("x\n1\n"), file + ": line 1: no column for parameter \"act\"");
  EXPECT_EQ(error_of("x,act,lr\n"),
            file + ": line 1: column \"lr\" is not a parameter of the space");
  EXPECT_EQ(error_of("x,act\n1001,relu\n"),
            file + ": line 2: column \"x\": 1001 is outside [0.0, 1000.0]");
  EXPECT_EQ(error_of("x,act\n1,sigmoid\n"),
            file + ": line 2: column \"act\": \"sigmoid\" is not one of relu, tanh");
  EXPECT_EQ(error_of("x,act\n1,relu\n2,relu\n3,tanh\n"),
            file + ": 3 individuals, more than population_size (2)");
}
