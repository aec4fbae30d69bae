// The schedulers' decisions on reports whose ranking is known, and their option checks.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "input_error.hpp"
#include "overseer/core/error.hpp"
#include "overseer/schedulers/scheduler.hpp"
#include "overseer/schedulers/successive_halving.hpp"

using namespace overseer;

namespace {

Campaign campaign_with(const json& scheduler, const json& params = json::object(),
                       const json& extra = json::object()) {
  json raw = {{"name", "s"},
              {"model", {{"name", "curve"}, {"params", params}}},
              {"space", {{{"name", "target"}, {"type", "float"}, {"lower", 0}, {"upper", 1}}}},
              {"search", {{"algorithm", "random"}, {"budget", 10}}},
              {"scheduler", scheduler}};
  raw.update(extra);
  return parse_campaign(raw, "c.json");
}

// Observes and decides one report, as the master does with a report that waits.
std::string verdict(Scheduler& s, TrialId trial, std::int64_t step, double value) {
  s.observe(trial, step, value);
  json why;
  return to_string(s.decide(trial, step, value, why));
}

}  // namespace

TEST(Rungs, MilestonesGrowByTheReductionFactorBelowTheMaximum) {
  EXPECT_EQ(Rungs(1, 27, 3, true).milestones(), (std::vector<std::int64_t>{1, 3, 9}));
  EXPECT_EQ(Rungs(2, 20, 2, true).milestones(), (std::vector<std::int64_t>{2, 4, 8, 16}));
  EXPECT_TRUE(Rungs(27, 27, 3, true).milestones().empty());
}

TEST(Asha, PromotesAtOnceWhileAmongTheBestThirdOfItsRungWithNoBarrier) {
  auto asha = make_scheduler(campaign_with({{"name", "asha"}, {"max_resource", 27}}));
  ASSERT_TRUE(asha);
  EXPECT_EQ(asha->answer_steps(0).to_json(), json({1, 3, 9}));
  // Rung 1 (step 1), losses in arrival order. Places: max(1, n / 3).
  EXPECT_EQ(verdict(*asha, 0, 1, 0.5), "continue");   // alone: the best, goes on at once
  EXPECT_EQ(verdict(*asha, 1, 1, 0.7), "stop");       // 2nd of 2, 1 place
  EXPECT_EQ(verdict(*asha, 2, 1, 0.4), "continue");   // 1st of 3
  EXPECT_EQ(verdict(*asha, 3, 1, 0.45), "stop");      // 2nd of 4, 1 place
  EXPECT_EQ(verdict(*asha, 4, 1, 0.9), "stop");       // 5th of 5
  EXPECT_EQ(verdict(*asha, 5, 1, 0.42), "continue");  // 2nd of 6, 2 places
  // Rung 2 (step 3) only holds trials that went on; a report past a milestone counts for it.
  EXPECT_EQ(verdict(*asha, 0, 2, 0.3), "continue");  // between milestones: nothing to decide
  EXPECT_EQ(verdict(*asha, 0, 4, 0.2), "continue");
  EXPECT_EQ(verdict(*asha, 2, 3, 0.25), "stop");
  // A trial already recorded at a rung (reporting its steps again after a resume) is not
  // decided on again there.
  EXPECT_EQ(verdict(*asha, 2, 3, 0.99), "continue");
}

TEST(Asha, HonoursTheObjectivesMode) {
  Campaign c = campaign_with({{"name", "asha"}, {"max_resource", 9}});
  c.objective.mode = ObjectiveMode::Max;
  auto asha = make_scheduler(c);
  EXPECT_EQ(verdict(*asha, 0, 1, 0.5), "continue");
  EXPECT_EQ(verdict(*asha, 1, 1, 0.7), "continue");
  EXPECT_EQ(verdict(*asha, 2, 1, 0.6), "stop");
}

TEST(Hyperband, RunsEachTrialInOneBracketOfGrowingMinimumResource) {
  auto hb = make_scheduler(campaign_with({{"name", "hyperband"}, {"max_resource", 27}}));
  // Brackets start at 1, 3, 9 and 27 steps; trials take them in turn.
  EXPECT_EQ(hb->answer_steps(0).to_json(), json({1, 3, 9}));
  EXPECT_EQ(hb->answer_steps(1).to_json(), json({3, 9}));
  EXPECT_EQ(hb->answer_steps(2).to_json(), json({9}));
  EXPECT_EQ(hb->answer_steps(3).to_json(), json::array());
  EXPECT_EQ(hb->answer_steps(4).to_json(), json({1, 3, 9}));
  // Trials of different brackets never compete.
  EXPECT_EQ(verdict(*hb, 1, 3, 0.9), "continue");
  EXPECT_EQ(verdict(*hb, 0, 3, 0.1), "continue");
  EXPECT_EQ(verdict(*hb, 4, 1, 0.5), "stop");  // behind trial 0 in bracket 0's first rung
  EXPECT_EQ(verdict(*hb, 5, 3, 0.95), "stop");
}

TEST(Median, StopsATrialWorseThanTheMedianOfTheOthersAfterTheGraceSteps) {
  auto median = make_scheduler(campaign_with(
      {{"name", "median"}, {"max_resource", 10}, {"grace_steps", 1}, {"min_trials", 2}}));
  EXPECT_TRUE(median->answer_steps(0).every);
  for (TrialId t = 0; t < 3; ++t) {
    EXPECT_EQ(verdict(*median, t, 1, 1.0 + static_cast<double>(t)), "continue");  // grace
  }
  EXPECT_EQ(verdict(*median, 0, 2, 0.5), "continue");  // only 0 others at step 2
  EXPECT_EQ(verdict(*median, 1, 2, 0.6), "continue");  // 1 other
  // Trial 2's best after 2 steps, 0.7, is worse than the median of 0.5 and 0.6.
  EXPECT_EQ(verdict(*median, 2, 2, 0.7), "stop");
  // A best value counts, not the latest: trial 1 got worse at step 3 but its best is 0.6.
  EXPECT_EQ(verdict(*median, 0, 3, 0.4), "continue");
  EXPECT_EQ(verdict(*median, 2, 3, 0.3), "continue");
  EXPECT_EQ(verdict(*median, 1, 3, 2.0), "stop");  // 0.6 against the median 0.35
}

TEST(Median, TheMedianOfAnEvenCountIsTheMeanOfItsMiddleTwo) {
  auto median =
      make_scheduler(campaign_with({{"name", "median"}, {"max_resource", 10}, {"min_trials", 1}}));
  const std::vector<double> values = {0.9, 0.1, 0.7, 0.3, 0.5};
  for (TrialId t = 0; t < 5; ++t) median->observe(t, 1, values[static_cast<std::size_t>(t)]);
  json why;
  median->decide(4, 1, 0.5, why);  // the others: 0.1, 0.3, 0.7, 0.9
  EXPECT_DOUBLE_EQ(why["median"].get<double>(), 0.5);
  median->decide(1, 1, 0.1, why);  // 0.3, 0.5, 0.7, 0.9
  EXPECT_DOUBLE_EQ(why["median"].get<double>(), 0.6);
  median->observe(5, 1, 0.2);
  median->decide(5, 1, 0.2, why);  // 0.1, 0.3, 0.5, 0.7, 0.9
  EXPECT_DOUBLE_EQ(why["median"].get<double>(), 0.5);
  EXPECT_EQ(why["of"], 5);
}

TEST(Schedulers, NoneOrNoSchedulerMeansTrialsRunToTheirEnd) {
  EXPECT_EQ(make_scheduler(campaign_with({{"name", "none"}})), nullptr);
  Campaign c = campaign_with({{"name", "none"}});
  c.scheduler = nullptr;
  EXPECT_EQ(make_scheduler(c), nullptr);
}

TEST(Schedulers, BadOptionsNameTheFileAndField) {
  const auto error = [](const json& scheduler, const json& params = json::object()) {
    return overseer::test::input_error([&] { make_scheduler(campaign_with(scheduler, params)); });
  };
  EXPECT_EQ(error({{"name", "bohb"}, {"max_resource", 9}}),
            "c.json: /scheduler/name: unknown scheduler \"bohb\"; available: none, asha, "
            "hyperband, ltfb, median, pbt");
  EXPECT_EQ(error({{"name", "asha"}}),
            "c.json: /scheduler: max_resource must be at least 1 (or set model.params.epochs)");
  EXPECT_EQ(error({{"name", "asha"}, {"max_resource", 9}, {"min_resource", 10}}),
            "c.json: /scheduler/min_resource: min_resource must be between 1 and max_resource "
            "(9)");
  EXPECT_EQ(error({{"name", "asha"}, {"max_resource", 9}, {"reduction_factor", 1}}),
            "c.json: /scheduler/reduction_factor: reduction_factor must be at least 2");
  EXPECT_EQ(error({{"name", "median"}, {"max_resource", 9}, {"grace_steps", -1}}),
            "c.json: /scheduler/grace_steps: grace_steps must not be negative");
  EXPECT_EQ(error({{"name", "median"}, {"max_resource", 9}, {"min_trials", 0}}),
            "c.json: /scheduler/min_trials: min_trials must be at least 1");
  EXPECT_EQ(error({{"name", "asha"}, {"max_resource", 9}, {"rungs", 3}})
                .rfind("c.json: /scheduler/rungs: unknown field \"rungs\"", 0),
            0u);
  EXPECT_EQ(error({{"name", "asha"}, {"max_resource", 9}}, {{"epochs", 5}}),
            "c.json: /model/params/epochs: is 5 but /scheduler/max_resource is 9: trials train "
            "to max_resource");
  EXPECT_EQ(error({{"name", "asha"}, {"max_resource", 9}, {"resource", "target"}}),
            "c.json: /space/0: \"target\" is the scheduler's resource (/scheduler/resource): the "
            "scheduler decides how long each trial trains, so it cannot be searched");
  // The model's fixed value stands for max_resource when it is not given.
  EXPECT_NE(make_scheduler(campaign_with({{"name", "asha"}}, {{"epochs", 9}})), nullptr);
}

namespace {

const json kPbtSpace = json::parse(R"([
  {"name": "lr", "type": "float", "lower": 0.001, "upper": 1},
  {"name": "width", "type": "ordered", "element_type": "int", "values": [16, 32, 64, 128]},
  {"name": "act", "type": "categorical", "values": ["relu", "tanh"]},
  {"name": "seed", "type": "constant", "value": 7}
])");

std::unique_ptr<Scheduler> pbt(const json& options = json::object()) {
  json scheduler = {{"name", "pbt"}, {"max_resource", 20}, {"interval", 5}};
  if (!options.is_null()) scheduler.update(options);
  return make_scheduler(campaign_with(
      scheduler, json::object(), {{"space", kPbtSpace}, {"checkpoint", {{"every_steps", 5}}}}));
}

}  // namespace

TEST(Pbt, TheBottomQuantileCopiesATrialOfTheTopQuantile) {
  auto s = pbt();
  EXPECT_EQ(s->answer_steps(0).milestones, (std::vector<std::int64_t>{5, 10, 15}));
  // Eight trials at step 5; losses 0.1 (trial 0) to 0.8 (trial 7): a quarter is two.
  for (TrialId t = 0; t < 8; ++t) s->observe(t, 5, 0.1 * static_cast<double>(t + 1));
  std::set<TrialId> sources;
  for (TrialId t = 0; t < 8; ++t) {
    json why;
    const Verdict v = s->decide(t, 5, 0.1 * static_cast<double>(t + 1), why);
    EXPECT_EQ(v, t >= 6 ? Verdict::Exploit : Verdict::Continue) << t;
    if (v == Verdict::Exploit) {
      const auto source = why.at("source").get<TrialId>();
      EXPECT_TRUE(source == 0 || source == 1) << why;
      EXPECT_EQ(why.at("of"), 8);
      sources.insert(source);
    }
  }
  // Past a milestone (a trial just continued from another's checkpoint), no verdict yet.
  EXPECT_EQ(verdict(*s, 7, 6, 0.8), "continue");
  // Alone, a trial has nobody to copy.
  auto alone = pbt();
  EXPECT_EQ(verdict(*alone, 0, 5, 9.0), "continue");
}

TEST(Pbt, ExploreMultipliesNumbersMovesOrderedValuesAndResamplesWhenDrawn) {
  const json source = {{"lr", 0.5}, {"width", 32}, {"act", "relu"}, {"seed", 7}};
  auto s = pbt({{"resample_probability", 0}});
  std::set<double> lrs;
  std::set<int> widths;
  for (TrialId t = 0; t < 40; ++t) {
    const json p = s->explore(source, t, 5);
    lrs.insert(p.at("lr").get<double>());
    widths.insert(p.at("width").get<int>());
    EXPECT_EQ(p.at("act"), "relu");
    EXPECT_EQ(p.at("seed"), 7);
    // A function of its arguments: a replay computes the same.
    EXPECT_EQ(s->explore(source, t, 5), p);
  }
  EXPECT_EQ(lrs, (std::set<double>{0.5 * 0.8, 0.5 * 1.2}));
  EXPECT_EQ(widths, (std::set<int>{16, 64}));
  // Perturbed values stay within their range.
  EXPECT_LE(s->explore({{"lr", 1.0}, {"width", 128}, {"act", "tanh"}, {"seed", 7}}, 3, 5)
                .at("lr")
                .get<double>(),
            1.0);
  auto always = pbt({{"resample_probability", 1}, {"hyperparameters", {"act"}}});
  std::set<std::string> acts;
  for (TrialId t = 0; t < 40; ++t) {
    const json p = always->explore(source, t, 10);
    EXPECT_EQ(p.at("lr"), 0.5);  // not among the explored hyperparameters
    acts.insert(p.at("act").get<std::string>());
  }
  EXPECT_EQ(acts, (std::set<std::string>{"relu", "tanh"}));
}

TEST(Pbt, BadOptionsNameTheField) {
  const auto error = [](const json& options, const json& extra) {
    json scheduler = {{"name", "pbt"}, {"max_resource", 20}};
    scheduler.update(options);
    return overseer::test::input_error(
        [&] { make_scheduler(campaign_with(scheduler, json::object(), extra)); });
  };
  const json checkpoints = {{"space", kPbtSpace}, {"checkpoint", {{"every_steps", 5}}}};
  EXPECT_EQ(error({{"interval", 5}}, {{"space", kPbtSpace}}),
            "c.json: /scheduler: pbt continues trials from each other's checkpoints: set "
            "checkpoint.every_steps to a divisor of the interval (5)");
  EXPECT_EQ(error({{"interval", 20}}, checkpoints),
            "c.json: /scheduler/interval: interval must be between 1 and max_resource - 1 (19)");
  EXPECT_EQ(error({{"interval", 5}, {"quantile", 0.6}}, checkpoints),
            "c.json: /scheduler/quantile: quantile must be above 0 and at most 0.5");
  EXPECT_EQ(error({{"interval", 5}, {"hyperparameters", {"momentum"}}}, checkpoints),
            "c.json: /scheduler/hyperparameters/0: \"momentum\" is not a parameter of the search "
            "space");
}

TEST(Pbt, JudgesWhereReportsCrossAnIntervalAndNeverFinishedOrFinalOnes) {
  auto s = pbt();
  for (TrialId t = 0; t < 4; ++t) s->observe(t, 3, 0.1 * static_cast<double>(t + 1));
  // Reports every 3 steps cross the interval of 5 at 6; not at 3.
  json why;
  EXPECT_EQ(s->decide(3, 3, 0.4, why), Verdict::Continue);
  s->observe(3, 6, 0.4);
  EXPECT_EQ(s->decide(3, 6, 0.4, why), Verdict::Exploit);
  // A finished trial is no source: with trial 0 gone, trial 1 is the top of the three left.
  s->ended(0);
  s->observe(2, 6, 0.3);
  s->observe(2, 9, 0.9);
  s->observe(2, 12, 0.9);
  why = json::object();
  ASSERT_EQ(s->decide(2, 12, 0.9, why), Verdict::Exploit);
  EXPECT_EQ(why.at("source"), 1);
  // At max_resource a trial is done.
  s->observe(3, 20, 5.0);
  EXPECT_EQ(s->decide(3, 20, 5.0, why), Verdict::Continue);
}

namespace {

std::unique_ptr<Scheduler> ltfb(const json& options = json::object(), int trainers = 4) {
  json scheduler = {{"name", "ltfb"}, {"max_resource", 20}, {"interval", 5}};
  if (!options.is_null()) scheduler.update(options);
  return make_scheduler(campaign_with(scheduler, json::object(),
                                      {{"space", kPbtSpace},
                                       {"search", {{"algorithm", "random"}, {"budget", trainers}}},
                                       {"checkpoint", {{"every_steps", 5}}}}));
}

// The partner of every trial in the verdicts: -1 for a bye.
std::map<TrialId, TrialId> partners(const std::vector<ReleasedVerdict>& verdicts) {
  std::map<TrialId, TrialId> out;
  for (const auto& v : verdicts) {
    out[v.trial] = v.verdict == Verdict::Tournament ? v.why.at("partner").get<TrialId>() : -1;
  }
  return out;
}

// Every trial's partner names it back, and only a bye (at most one) has none.
void expect_matching(const std::map<TrialId, TrialId>& pairs) {
  int byes = 0;
  for (const auto& [trial, partner] : pairs) {
    if (partner < 0) {
      ++byes;
      continue;
    }
    EXPECT_NE(partner, trial);
    ASSERT_TRUE(pairs.count(partner)) << partner;
    EXPECT_EQ(pairs.at(partner), trial);
  }
  EXPECT_LE(byes, 1);
}

}  // namespace

TEST(Ltfb, ATrainerWaitsAtEachIntervalUntilEveryTrainerGotThereThenAllArePaired) {
  auto s = ltfb();
  EXPECT_EQ(s->answer_steps(0).milestones, (std::vector<std::int64_t>{5, 10, 15}));
  EXPECT_EQ(s->trains_together(), 4);
  json why;
  for (TrialId t = 0; t < 3; ++t) {
    EXPECT_EQ(verdict(*s, t, 5, 0.5), "wait") << t;
    EXPECT_TRUE(s->released().empty());
  }
  // Reports between the intervals ask nothing.
  s->observe(0, 6, 0.4);
  // The last one to arrive hears at once; the others are released.
  EXPECT_EQ(verdict(*s, 3, 5, 0.5), "tournament");
  auto released = s->released();
  ASSERT_EQ(released.size(), 3u);
  auto pairs = partners(released);
  s->decide(3, 5, 0.5, why);
  pairs[3] = why.at("partner");
  EXPECT_EQ(why.at("round"), 1);
  ASSERT_EQ(pairs.size(), 4u);
  expect_matching(pairs);
  for (const auto& [trial, partner] : pairs) EXPECT_GE(partner, 0) << trial;
  EXPECT_TRUE(s->released().empty());

  // A trainer that ended is left out of later rounds: three are paired with one bye.
  s->ended(2);
  for (TrialId t : {0, 1}) EXPECT_EQ(verdict(*s, t, 10, 0.3), "wait");
  s->observe(3, 10, 0.3);
  pairs = partners(s->released());
  s->decide(3, 10, 0.3, why);
  pairs[3] = why.contains("partner") ? why.at("partner").get<TrialId>() : -1;
  ASSERT_EQ(pairs.size(), 3u);
  expect_matching(pairs);
  EXPECT_EQ(std::count_if(pairs.begin(), pairs.end(), [](auto& p) { return p.second < 0; }), 1);
  // No tournament at max_resource.
  s->observe(0, 20, 0.1);
  EXPECT_EQ(s->decide(0, 20, 0.1, why), Verdict::Continue);
}

TEST(Ltfb, TheRoundsAreAFunctionOfTheReportsSoAReplayPairsTheSame) {
  auto first = ltfb({}, 6);
  auto replayed = ltfb({}, 6);
  std::map<TrialId, TrialId> heard;
  // The first run decides as reports come; the replay only observes them (as --resume does),
  // and is then asked by trials that report the step again.
  for (TrialId t = 0; t < 6; ++t) {
    first->observe(t, 5, 0.1);
    json why;
    if (first->decide(t, 5, 0.1, why) == Verdict::Tournament) heard[t] = why.at("partner");
    replayed->observe(t, 5, 0.1);
  }
  for (const auto& [trial, partner] : partners(first->released())) heard[trial] = partner;
  ASSERT_EQ(heard.size(), 6u);
  for (TrialId t = 0; t < 6; ++t) {
    json why;
    ASSERT_EQ(replayed->decide(t, 5, 0.1, why), Verdict::Tournament);
    EXPECT_EQ(why.at("partner"), heard.at(t)) << t;
  }
  // A search that ends early leaves the missing trainers out of the rounds.
  auto short_search = ltfb({}, 4);
  EXPECT_EQ(verdict(*short_search, 0, 5, 0.1), "wait");
  EXPECT_EQ(verdict(*short_search, 1, 5, 0.1), "wait");
  short_search->no_more_trials(2);
  const auto pairs = partners(short_search->released());
  EXPECT_EQ(pairs, (std::map<TrialId, TrialId>{{0, 1}, {1, 0}}));
}

TEST(Ltfb, TheTaskCarriesTheTrainersShardAndALoserPerturbsOnlyWhenAsked) {
  const auto plan = ltfb({{"tournament_fraction", 0.25}})->tournament_plan(2);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->trainer, 2);
  EXPECT_EQ(plan->trainers, 4);
  EXPECT_DOUBLE_EQ(plan->fraction, 0.25);
  EXPECT_EQ(plan->interval, 5);
  EXPECT_EQ(plan->until, 20);
  EXPECT_TRUE(plan->due(15));
  EXPECT_FALSE(plan->due(20));
  EXPECT_FALSE(plan->due(7));
  EXPECT_EQ(TournamentPlan::from_json(plan->to_json()).to_json(), plan->to_json());

  json why;
  EXPECT_EQ(ltfb()->after_tournament(1, 5, false, why), Verdict::Continue);
  auto perturbing = ltfb({{"perturb", true}, {"resample_probability", 0}});
  EXPECT_EQ(perturbing->after_tournament(1, 5, true, why), Verdict::Continue);
  ASSERT_EQ(perturbing->after_tournament(1, 5, false, why), Verdict::Exploit);
  EXPECT_EQ(why.at("source"), 1);
  const json params = {{"lr", 0.5}, {"width", 32}, {"act", "relu"}, {"seed", 7}};
  const json explored = perturbing->explore(params, 1, 5);
  EXPECT_TRUE(explored["lr"] == 0.4 || explored["lr"] == 0.6) << explored;
  EXPECT_TRUE(explored["width"] == 16 || explored["width"] == 64) << explored;
  EXPECT_EQ(explored["act"], "relu");
}

TEST(Ltfb, ShardsAreDisjointCoverEveryRowAndHoldOutTheTournamentFraction) {
  std::vector<std::size_t> train(103);
  for (std::size_t i = 0; i < train.size(); ++i) train[i] = 3 * i;
  std::set<std::size_t> seen;
  for (int i = 0; i < 4; ++i) {
    TournamentPlan plan;
    plan.trainer = i;
    plan.trainers = 4;
    plan.fraction = 0.2;
    plan.seed = 9;
    const auto shard = plan.shard(train);
    const std::size_t size = shard.train.size() + shard.tournament.size();
    EXPECT_TRUE(size == 25 || size == 26) << size;
    EXPECT_EQ(shard.tournament.size(), 5u);  // a fifth of 25 or 26, rounded
    for (const auto* rows : {&shard.train, &shard.tournament}) {
      for (auto row : *rows) EXPECT_TRUE(seen.insert(row).second) << row;
    }
  }
  EXPECT_EQ(seen, std::set<std::size_t>(train.begin(), train.end()));
}

TEST(Ltfb, BadOptionsNameTheField) {
  const auto error = [](const json& options, int trainers = 4) {
    return overseer::test::input_error([&] { ltfb(options, trainers); });
  };
  EXPECT_EQ(error({}, 1),
            "c.json: /scheduler: ltfb pairs trainers: the campaign's search.budget (its number of "
            "trainers) must be at least 2");
  EXPECT_EQ(error({{"tournament_fraction", 1}}),
            "c.json: /scheduler/tournament_fraction: tournament_fraction must be above 0 and "
            "below 1");
  EXPECT_EQ(error({{"perturb", "yes"}}).rfind("c.json: /scheduler/perturb: ", 0), 0u);
  EXPECT_EQ(error({{"interval", 20}}),
            "c.json: /scheduler/interval: interval must be between 1 and max_resource - 1 (19)");
  EXPECT_EQ(error({{"interval", 4}}),
            "c.json: /scheduler: ltfb trainers load each other's weights and continue from their "
            "checkpoints: set checkpoint.every_steps to a divisor of the interval (4)");
}
