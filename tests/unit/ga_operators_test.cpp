// The GA's operators: crossover, mutation, tournament selection and DEAP's variation schemes.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "overseer/search/ga_variation.hpp"

using namespace overseer;
using namespace overseer::ga;

namespace {

SearchSpace space_of(const json& parameters) {
  return SearchSpace::parse(JsonView(parameters, "space.json"));
}

const json kMixed = json::parse(R"([
  {"name": "lr", "type": "float", "lower": 1e-5, "upper": 1e-1, "log": true},
  {"name": "drop", "type": "float", "lower": 0, "upper": 0.5},
  {"name": "layers", "type": "int", "lower": 1, "upper": 8},
  {"name": "width", "type": "int", "lower": 16, "upper": 4096, "log": true},
  {"name": "rate", "type": "float", "values": [0.1, 0.2, 0.5, 1.0]},
  {"name": "batch", "type": "ordered", "values": [32, 64, 128, 256]},
  {"name": "act", "type": "categorical", "values": ["relu", "elu", "tanh"]},
  {"name": "bn", "type": "logical"},
  {"name": "epochs", "type": "constant", "value": 20}
])");

json sample(const SearchSpace& space, Rng& rng) {
  json point = json::object();
  for (const auto& p : space.parameters()) point[p.name] = p.sample(rng);
  return point;
}

std::vector<json> samples(const SearchSpace& space, int n, Rng& rng) {
  std::vector<json> points;
  for (int i = 0; i < n; ++i) points.push_back(sample(space, rng));
  return points;
}

bool contains(const json& values, const json& v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

// Every gene of `point` has its parameter's type and lies within its bounds or values.
void expect_valid(const SearchSpace& space, const json& point) {
  ASSERT_EQ(point.size(), space.parameters().size()) << point.dump();
  for (const auto& p : space.parameters()) {
    const json& v = point.at(p.name);
    switch (p.type) {
      case ParamType::Float:
      case ParamType::Int:
        ASSERT_TRUE(p.type == ParamType::Int ? v.is_number_integer() : v.is_number()) << v;
        EXPECT_GE(v.get<double>(), p.lower) << p.name;
        EXPECT_LE(v.get<double>(), p.upper) << p.name;
        if (!p.values.empty()) {
          EXPECT_TRUE(contains(p.values, v)) << p.name << " " << v;
        }
        break;
      case ParamType::Ordered:
      case ParamType::Categorical:
      case ParamType::Logical:
        EXPECT_TRUE(contains(p.values, v)) << p.name << " " << v;
        break;
      case ParamType::Constant:
        EXPECT_EQ(v, p.value);
        break;
    }
  }
}

// A 5-sigma band around a binomial count: a wrong operator fails, a right one essentially never.
void expect_binomial(std::size_t hits, std::size_t trials, double p, const std::string& what) {
  const double n = static_cast<double>(trials);
  const double tolerance = 5 * std::sqrt(n * p * (1 - p));
  EXPECT_NEAR(static_cast<double>(hits), n * p, tolerance) << what;
}

double stddev(const std::vector<double>& xs) {
  double mean = 0;
  for (double x : xs) mean += x;
  mean /= static_cast<double>(xs.size());
  double var = 0;
  for (double x : xs) var += (x - mean) * (x - mean);
  return std::sqrt(var / static_cast<double>(xs.size() - 1));
}

}  // namespace

TEST(GaOperators, CrossoverSwapsWholeGenesSoTypesAndValuesStayValid) {
  const SearchSpace space = space_of(kMixed);
  const Operators ops(space, 0.5, 0.2);
  Rng rng(1);
  for (int round = 0; round < 500; ++round) {
    const json a = sample(space, rng), b = sample(space, rng);
    json c = a, d = b;
    ops.crossover(c, d, rng);
    expect_valid(space, c);
    expect_valid(space, d);
    for (const auto& p : space.parameters()) {
      const bool kept = c[p.name] == a[p.name] && d[p.name] == b[p.name];
      const bool swapped = c[p.name] == b[p.name] && d[p.name] == a[p.name];
      EXPECT_TRUE(kept || swapped) << p.name;
    }
  }
}

TEST(GaOperators, CrossoverSwapsEachGeneWithProbabilityCxIndpb) {
  const SearchSpace space = space_of(json::parse(R"([{"name": "x", "type": "int",
                                                      "lower": 0, "upper": 1}])"));
  const Operators ops(space, 0.3, 0);
  Rng rng(2);
  std::size_t swaps = 0;
  const std::size_t rounds = 20000;
  for (std::size_t i = 0; i < rounds; ++i) {
    json a = {{"x", 0}}, b = {{"x", 1}};
    ops.crossover(a, b, rng);
    swaps += a["x"] == 1;
  }
  expect_binomial(swaps, rounds, 0.3, "swaps");
}

TEST(GaOperators, MutationKeepsTypesAndBoundsAndChangesWhatItShould) {
  const SearchSpace space = space_of(kMixed);
  const Operators ops(space, 0.5, 1.0);
  Rng rng(3);
  for (int round = 0; round < 2000; ++round) {
    const json parent = sample(space, rng);
    json child = parent;
    ops.mutate(child, rng);
    expect_valid(space, child);
    EXPECT_NE(child["act"], parent["act"]);  // another value, uniformly
    EXPECT_NE(child["bn"], parent["bn"]);
    EXPECT_EQ(child["epochs"], 20);
  }
}

TEST(GaOperators, CategoricalMutationPicksEachOtherValueUniformly) {
  const SearchSpace space = space_of(kMixed);
  const Operators ops(space, 0.5, 1.0);
  Rng rng(4);
  const std::size_t act = 6;
  std::map<std::string, std::size_t> counts;
  const std::size_t rounds = 20000;
  for (std::size_t i = 0; i < rounds; ++i) ++counts[ops.mutate_gene(act, "elu", rng)];
  EXPECT_EQ(counts.count("elu"), 0u);
  expect_binomial(counts["relu"], rounds, 0.5, "relu");
}

TEST(GaOperators, DefaultSigmaIsATenthOfTheRangeAtLeastOneStepAndAGivenSigmaWins) {
  const SearchSpace space = space_of(json::parse(R"([
    {"name": "a", "type": "float", "lower": -5, "upper": 15},
    {"name": "b", "type": "float", "lower": 1e-4, "upper": 1, "log": true},
    {"name": "c", "type": "ordered", "values": [1, 2, 3, 4, 5]},
    {"name": "d", "type": "int", "lower": 0, "upper": 100, "sigma": 3},
    {"name": "e", "type": "categorical", "values": ["x", "y"]},
    {"name": "f", "type": "int", "lower": 0, "upper": 300},
    {"name": "g", "type": "int", "lower": 1, "upper": 3},
    {"name": "h", "type": "int", "lower": 1, "upper": 1000, "log": true},
    {"name": "i", "type": "ordered", "values": [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19]},
    {"name": "j", "type": "float", "lower": 0, "upper": 1, "sigma": 0.01}
  ])"));
  const auto& p = space.parameters();
  EXPECT_DOUBLE_EQ(mutation_sigma(p[0]), 2);
  EXPECT_DOUBLE_EQ(mutation_sigma(p[1]), 0.4);  // four decades
  EXPECT_DOUBLE_EQ(mutation_sigma(p[2]), 1);    // positions, at least one
  EXPECT_DOUBLE_EQ(mutation_sigma(p[3]), 3);
  EXPECT_DOUBLE_EQ(mutation_sigma(p[4]), 0);
  EXPECT_DOUBLE_EQ(mutation_sigma(p[5]), 30);
  EXPECT_DOUBLE_EQ(mutation_sigma(p[6]), 1);  // one step, not 0.2
  EXPECT_DOUBLE_EQ(mutation_sigma(p[7]), 0.3);
  EXPECT_DOUBLE_EQ(mutation_sigma(p[8]), 2);
  EXPECT_DOUBLE_EQ(mutation_sigma(p[9]), 0.01);
}

TEST(GaOperators, GaussianStepsHaveTheSigmaOfTheSpaceFile) {
  const SearchSpace space = space_of(json::parse(R"([
    {"name": "f", "type": "float", "lower": -1000, "upper": 1000, "sigma": 2.5},
    {"name": "l", "type": "float", "lower": 1e-9, "upper": 1e9, "log": true, "sigma": 0.5},
    {"name": "o", "type": "ordered", "values": [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,
                                                19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,
                                                35,36,37,38,39,40], "sigma": 4}
  ])"));
  const Operators ops(space, 0.5, 1.0);
  Rng rng(5);
  std::vector<double> f, l, o;
  for (int i = 0; i < 20000; ++i) {
    f.push_back(ops.mutate_gene(0, 0.0, rng).get<double>());
    l.push_back(std::log10(ops.mutate_gene(1, 1.0, rng).get<double>()));
    o.push_back(ops.mutate_gene(2, 20, rng).get<double>() - 20);
  }
  EXPECT_NEAR(stddev(f), 2.5, 0.05);
  EXPECT_NEAR(stddev(l), 0.5, 0.01);  // decades on a log range
  // Rounding the position adds a uniform error of variance 1/12.
  EXPECT_NEAR(stddev(o), std::sqrt(16 + 1.0 / 12), 0.1);
}

TEST(GaOperators, MutationIsClampedToTheBounds) {
  const SearchSpace space = space_of(json::parse(R"([
    {"name": "f", "type": "float", "lower": 0, "upper": 1, "sigma": 100},
    {"name": "i", "type": "int", "lower": -3, "upper": 3, "sigma": 100},
    {"name": "o", "type": "ordered", "values": ["s", "m", "l"], "sigma": 100}
  ])"));
  const Operators ops(space, 0.5, 1.0);
  Rng rng(6);
  std::size_t f_low = 0, f_high = 0, i_low = 0, o_high = 0;
  for (int i = 0; i < 1000; ++i) {
    json point = {{"f", 0.5}, {"i", 0}, {"o", "m"}};
    ops.mutate(point, rng);
    expect_valid(space, point);
    f_low += point["f"] == 0.0;
    f_high += point["f"] == 1.0;
    i_low += point["i"] == -3;
    o_high += point["o"] == "l";
  }
  // Steps far wider than the range land on the bounds about half the time each.
  EXPECT_GT(f_low, 400u);
  EXPECT_GT(f_high, 400u);
  EXPECT_GT(i_low, 400u);
  EXPECT_GT(o_high, 400u);
}

TEST(GaOperators, MutationProbabilityPerGeneIsMutIndpb) {
  const SearchSpace space = space_of(json::parse(R"([{"name": "b", "type": "logical"}])"));
  const Operators ops(space, 0.5, 0.25);
  Rng rng(7);
  std::size_t flips = 0;
  const std::size_t rounds = 20000;
  for (std::size_t i = 0; i < rounds; ++i) {
    json point = {{"b", false}};
    ops.mutate(point, rng);
    flips += point["b"] == true;
  }
  expect_binomial(flips, rounds, 0.25, "flips");
}

TEST(GaOperators, TournamentPicksEachRankWithTheRightFrequency) {
  // With replacement, the individual of rank r (0 = best) among n wins a tournament of size t
  // with probability ((n - r) / n)^t - ((n - r - 1) / n)^t.
  const std::vector<double> losses = {5, 1, 4, 2, 3};
  const std::vector<std::size_t> rank_of = {4, 0, 3, 1, 2};
  Rng rng(8);
  const std::size_t picks = 50000;
  for (std::size_t tournsize : {1u, 3u}) {
    std::vector<std::size_t> counts(losses.size(), 0);
    for (std::size_t i : select_tournament(losses, picks, tournsize, rng)) ++counts[i];
    for (std::size_t i = 0; i < losses.size(); ++i) {
      const double n = 5, r = static_cast<double>(rank_of[i]);
      const auto t = static_cast<double>(tournsize);
      const double p = std::pow((n - r) / n, t) - std::pow((n - r - 1) / n, t);
      expect_binomial(counts[i], picks, p, "tournsize " + std::to_string(tournsize));
    }
  }
  // The loser of a tournament is the winner under the opposite order: rank from the worst.
  std::vector<std::size_t> losses_lost(losses.size(), 0);
  for (std::size_t i = 0; i < picks; ++i) ++losses_lost[tournament_loser(losses, 3, rng)];
  for (std::size_t i = 0; i < losses.size(); ++i) {
    const double n = 5, r = static_cast<double>(4 - rank_of[i]);
    const double p = std::pow((n - r) / n, 3) - std::pow((n - r - 1) / n, 3);
    expect_binomial(losses_lost[i], picks, p, "loser");
  }
}

TEST(GaVariation, VarAndCrossesPairsThenMutatesAndKeepsUntouchedClonesLinked) {
  const SearchSpace space = space_of(kMixed);
  const Operators ops(space, 0.5, 0.5);
  Rng rng(9);
  const std::vector<json> parents = samples(space, 7, rng);

  auto copies = var_and(parents, ops, 0, 0, rng);
  ASSERT_EQ(copies.size(), 7u);
  for (std::size_t i = 0; i < 7; ++i) {
    EXPECT_EQ(copies[i].source, i);
    EXPECT_EQ(copies[i].params, parents[i]);
  }
  // cxpb 1 crosses (0,1), (2,3), (4,5) and leaves the odd one out alone.
  auto crossed = var_and(parents, ops, 1, 0, rng);
  for (std::size_t i = 0; i < 6; ++i) EXPECT_FALSE(crossed[i].source) << i;
  EXPECT_EQ(crossed[6].source, 6u);
  for (const auto& child : var_and(parents, ops, 0.5, 0.5, rng)) {
    expect_valid(space, child.params);
    if (child.source) {
      EXPECT_EQ(child.params, parents[*child.source]);
    }
  }
}

TEST(GaVariation, VarOrMakesLambdaChildrenFromOneOperatorEach) {
  const SearchSpace space = space_of(kMixed);
  const Operators ops(space, 0.5, 0.5);
  Rng rng(10);
  const std::vector<json> parents = samples(space, 4, rng);
  auto copies = var_or(parents, 9, ops, 0, 0, rng);
  ASSERT_EQ(copies.size(), 9u);
  for (const auto& c : copies) EXPECT_EQ(c.params, parents.at(c.source.value()));

  std::size_t reproduced = 0;
  const std::size_t lambda = 20000;
  for (const auto& c : var_or(parents, lambda, ops, 0.3, 0.5, rng)) {
    expect_valid(space, c.params);
    reproduced += c.source.has_value();
  }
  expect_binomial(reproduced, lambda, 0.2, "copies");
}

TEST(GaVariation, SteadyChildrenAreNeverPlainCopies) {
  const SearchSpace space = space_of(json::parse(R"([
    {"name": "a", "type": "logical"}, {"name": "b", "type": "logical"}
  ])"));
  Rng rng(11);
  const json x = {{"a", false}, {"b", false}}, y = {{"a", true}, {"b", true}};
  // Only crossover can run: with cx_indpb 1 the child is the other parent.
  const Operators swap_all(space, 1, 1);
  EXPECT_EQ(steady_child_and(x, y, swap_all, 0.5, 0, rng), y);
  const json crossed = steady_child_or({x, y}, swap_all, 0.5, 0, rng);
  EXPECT_TRUE(crossed == x || crossed == y) << crossed;
  // Only mutation can run: with mut_indpb 1 every bit flips.
  EXPECT_EQ(steady_child_and(x, y, swap_all, 0, 0.1, rng), y);
  EXPECT_EQ(steady_child_or({x}, swap_all, 0.9, 0.1, rng), y);  // one parent: mutation

  // varAnd's mix for one child: crossed only, crossed and mutated, mutated only.
  const Operators ops(space, 1, 1);
  std::size_t unchanged_by_net = 0;
  const std::size_t rounds = 20000;
  for (std::size_t i = 0; i < rounds; ++i) {
    unchanged_by_net += steady_child_and(x, y, ops, 0.5, 0.5, rng) == x;
  }
  // Crossed and mutated (x -> y -> x) has probability 0.25 / 0.75 among changed outcomes.
  expect_binomial(unchanged_by_net, rounds, 1.0 / 3, "crossed then mutated");
}
