// The unit cube that model-based searches work in: every parameter type survives a round trip,
// discrete coordinates snap to their bins, and uniform and Latin hypercube draws cover the space
// as the random search does.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "overseer/search/space_encoding.hpp"

using namespace overseer;

namespace {

SearchSpace parse(const json& doc) {
  static json kept;
  kept = doc;
  return SearchSpace::parse(JsonView(kept, "space.json"));
}

const json kEveryType = json::parse(R"([
  {"name": "lr", "type": "float", "lower": 1e-5, "upper": 1e-1, "log": true},
  {"name": "dropout", "type": "float", "lower": 0, "upper": 0.5},
  {"name": "layers", "type": "int", "lower": 1, "upper": 4},
  {"name": "units", "type": "int", "lower": 8, "upper": 1024, "log": true},
  {"name": "momentum", "type": "float", "values": [0.99, 0.9, 0.0]},
  {"name": "depth", "type": "int", "values": [2, 8, 4]},
  {"name": "batch", "type": "ordered", "element_type": "int", "values": [16, 32, 64]},
  {"name": "act", "type": "categorical", "values": ["relu", "tanh", "elu"]},
  {"name": "bn", "type": "logical"},
  {"name": "epochs", "type": "constant", "value": [20, 10]}
])");

}  // namespace

TEST(SpaceEncoding, OneCoordinatePerSearchedParameterWithItsKind) {
  SpaceEncoding e(parse(kEveryType));
  ASSERT_EQ(e.size(), 9u);  // the constant has none
  const auto& d = e.dimensions();
  EXPECT_EQ(d[0].kind, DimensionKind::Real);
  EXPECT_EQ(d[2].kind, DimensionKind::Integer);
  EXPECT_EQ(d[2].bins, 4);
  EXPECT_EQ(d[3].bins, 1017);
  EXPECT_EQ(d[4].kind, DimensionKind::Ordered);
  EXPECT_EQ(d[4].bins, 3);
  EXPECT_EQ(d[6].kind, DimensionKind::Ordered);
  EXPECT_EQ(d[7].kind, DimensionKind::Categorical);
  EXPECT_EQ(d[7].bins, 3);
  EXPECT_EQ(d[8].kind, DimensionKind::Categorical);
  EXPECT_EQ(d[8].bins, 2);
}

TEST(SpaceEncoding, EveryTypeSurvivesARoundTrip) {
  SpaceEncoding e(parse(kEveryType));
  const json tuple = json::parse(R"({"lr": 0.003, "dropout": 0.25, "layers": 3, "units": 100,
      "momentum": 0.9, "depth": 8, "batch": 64, "act": "elu", "bn": true, "epochs": [20, 10]})");
  const auto u = e.encode(tuple);
  ASSERT_TRUE(u);
  for (double x : *u) {
    EXPECT_GE(x, 0);
    EXPECT_LE(x, 1);
  }
  const json back = e.decode(*u);
  EXPECT_NEAR(back["lr"].get<double>(), 0.003, 1e-15);
  EXPECT_NEAR(back["dropout"].get<double>(), 0.25, 1e-15);
  for (const char* exact :
       {"layers", "units", "momentum", "depth", "batch", "act", "bn", "epochs"}) {
    EXPECT_EQ(back[exact], tuple[exact]) << exact;
  }
  EXPECT_TRUE(back["layers"].is_number_integer());
  EXPECT_EQ(e.encode(back), u);
}

TEST(SpaceEncoding, ValuesOfFloatAndIntParametersAreOrderedByNumber) {
  SpaceEncoding e(parse(kEveryType));
  std::vector<double> u(e.size(), 0.5);
  u[4] = 0.0;   // momentum: the smallest value
  u[5] = 0.99;  // depth: the largest value
  const json p = e.decode(u);
  EXPECT_EQ(p["momentum"], 0.0);
  EXPECT_EQ(p["depth"], 8);
}

TEST(SpaceEncoding, SnappingMovesDiscreteCoordinatesToTheirBinsAndIsIdempotent) {
  SpaceEncoding e(parse(kEveryType));
  std::vector<double> u = {0.123, 0.5, 0.3, 0.77, 0.1, 0.5, 0.9, 0.4, 0.6};
  const auto snapped = e.snap(u);
  EXPECT_EQ(snapped[0], 0.123);                 // a float range is continuous
  EXPECT_DOUBLE_EQ(snapped[2], (1 + 0.5) / 4);  // layers: bin 1 of 4, the value 2
  EXPECT_DOUBLE_EQ(snapped[4], (0 + 0.5) / 3);  // momentum
  EXPECT_DOUBLE_EQ(snapped[7], (1 + 0.5) / 3);  // act: tanh
  EXPECT_DOUBLE_EQ(snapped[8], (1 + 0.5) / 2);  // bn: true
  EXPECT_EQ(e.snap(snapped), snapped);
  EXPECT_EQ(e.decode(u), e.decode(snapped));
  // Out of the cube clamps to its faces.
  std::vector<double> outside(e.size(), 1.5);
  outside[0] = -3;
  const json p = e.decode(e.snap(outside));
  EXPECT_EQ(p["lr"], 1e-5);
  EXPECT_EQ(p["dropout"], 0.5);
  EXPECT_EQ(p["units"], 1024);
}

TEST(SpaceEncoding, UniformDrawsGiveEveryIntegerAndLevelAnEqualShare) {
  SpaceEncoding e(parse(json::parse(R"([
    {"name": "k", "type": "int", "lower": -2, "upper": 2},
    {"name": "c", "type": "categorical", "values": ["a", "b", "c", "d"]},
    {"name": "n", "type": "int", "lower": 1, "upper": 1000, "log": true}
  ])")));
  Rng rng(3);
  std::map<json, int> k, c;
  int small = 0;
  const int draws = 20000;
  for (int i = 0; i < draws; ++i) {
    const json p = e.decode(e.random_point(rng));
    ++k[p["k"]];
    ++c[p["c"]];
    small += p["n"].get<int>() <= 31;  // log-uniform: about half below sqrt(1000)
  }
  ASSERT_EQ(k.size(), 5u);
  ASSERT_EQ(c.size(), 4u);
  for (const auto& [value, count] : k) EXPECT_NEAR(count, draws / 5, 300) << value;
  for (const auto& [value, count] : c) EXPECT_NEAR(count, draws / 4, 300) << value;
  EXPECT_NEAR(small, draws / 2, 400);
}

TEST(SpaceEncoding, LatinHypercubePutsOnePointInEverySliceOfEveryRange) {
  SpaceEncoding e(parse(json::parse(R"([
    {"name": "x", "type": "float", "lower": 0, "upper": 1},
    {"name": "y", "type": "float", "lower": 0, "upper": 1},
    {"name": "c", "type": "categorical", "values": ["a", "b", "c", "d", "e"]}
  ])")));
  Rng rng(5);
  const auto design = latin_hypercube(e, 10, rng);
  ASSERT_EQ(design.size(), 10u);
  for (std::size_t j = 0; j < 2; ++j) {
    std::vector<int> slices(10, 0);
    for (const auto& p : design) ++slices[static_cast<std::size_t>(p[j] * 10)];
    EXPECT_EQ(slices, std::vector<int>(10, 1)) << "coordinate " << j;
  }
  std::map<json, int> levels;
  for (const auto& p : design) ++levels[e.decode(p)["c"]];
  for (const auto& [level, count] : levels) EXPECT_EQ(count, 2) << level;
}

TEST(SpaceEncoding, ValuesOutsideTheSpaceDoNotEncode) {
  SpaceEncoding e(parse(kEveryType));
  json tuple = json::parse(R"({"lr": 0.003, "dropout": 0.25, "layers": 3, "units": 100,
      "momentum": 0.9, "depth": 8, "batch": 64, "act": "elu", "bn": true})");
  EXPECT_TRUE(e.encode(tuple));
  json missing = tuple;
  missing.erase("lr");
  EXPECT_FALSE(e.encode(missing));
  json unknown_level = tuple;
  unknown_level["act"] = "sigmoid";
  EXPECT_FALSE(e.encode(unknown_level));
  json not_a_number = tuple;
  not_a_number["dropout"] = "high";
  EXPECT_FALSE(e.encode(not_a_number));
  json out_of_range = tuple;
  out_of_range["dropout"] = 7;  // ranges clamp
  EXPECT_EQ(e.decode(*e.encode(out_of_range))["dropout"], 0.5);
}
