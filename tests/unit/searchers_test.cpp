#include <gtest/gtest.h>

#include "overseer/core/error.hpp"
#include "overseer/search/searcher.hpp"
#include "process.hpp"

using namespace overseer;
using overseer::test::ScratchDir;
using overseer::test::write_text;

namespace {

Campaign campaign_with(const json& search, const json& space,
                       const std::filesystem::path& file = "c.json") {
  json doc = {{"name", "t"}, {"model", {{"name", "branin"}}}, {"search", search}};
  if (!space.is_null()) doc["space"] = space;
  return parse_campaign(doc, file);
}

std::vector<json> drain(Searcher& s, std::size_t limit = 1000) {
  std::vector<json> points;
  while (points.size() < limit) {
    Suggestion next = s.ask();
    if (next.kind != Suggestion::Kind::Point) break;
    points.push_back(next.params);
  }
  return points;
}

const json kSpace = json::parse(R"([
  {"name": "a", "type": "int", "lower": 0, "upper": 2},
  {"name": "b", "type": "categorical", "values": ["x", "y"]}
])");

}  // namespace

TEST(GridSearcher, EnumeratesTheCartesianProductLastParameterFastest) {
  Campaign c = campaign_with({{"algorithm", "grid"}}, kSpace);
  auto grid = make_searcher(c);
  EXPECT_EQ(grid->size(), 6);
  auto points = drain(*grid);
  ASSERT_EQ(points.size(), 6u);
  EXPECT_EQ(points[0], json::parse(R"({"a": 0, "b": "x"})"));
  EXPECT_EQ(points[1], json::parse(R"({"a": 0, "b": "y"})"));
  EXPECT_EQ(points[5], json::parse(R"({"a": 2, "b": "y"})"));
  EXPECT_EQ(grid->ask().kind, Suggestion::Kind::Exhausted);
}

TEST(GridSearcher, FloatWithoutValuesOrNumIsAnInputError) {
  json space = json::parse(R"([{"name": "x1", "type": "float", "lower": 0, "upper": 1}])");
  try {
    make_searcher(campaign_with({{"algorithm", "grid"}}, space));
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.pointer(), "/space/0");
    EXPECT_NE(std::string(e.what()).find("needs \"values\" or \"num\""), std::string::npos);
  }
}

TEST(RandomSearcher, SameSeedSameSequenceOtherSeedOtherSequence) {
  json space = json::parse(R"([{"name": "x1", "type": "float", "lower": -5, "upper": 10},
                               {"name": "x2", "type": "float", "lower": 0, "upper": 15}])");
  auto a = drain(
      *make_searcher(campaign_with({{"algorithm", "random"}, {"budget", 5}, {"seed", 4}}, space)),
      50);
  auto b = drain(
      *make_searcher(campaign_with({{"algorithm", "random"}, {"budget", 5}, {"seed", 4}}, space)),
      50);
  auto c = drain(
      *make_searcher(campaign_with({{"algorithm", "random"}, {"budget", 5}, {"seed", 5}}, space)),
      50);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  for (const auto& p : a) {
    EXPECT_GE(p["x1"].get<double>(), -5);
    EXPECT_LE(p["x2"].get<double>(), 15);
  }
}

TEST(RandomSearcher, NeedsABudget) {
  EXPECT_THROW(make_searcher(campaign_with({{"algorithm", "random"}}, kSpace)), InputError);
}

TEST(Searchers, UnknownAlgorithmAndOptionsAreRejected) {
  EXPECT_THROW(make_searcher(campaign_with({{"algorithm", "annealing"}}, kSpace)), InputError);
  EXPECT_THROW(make_searcher(campaign_with({{"algorithm", "grid"}, {"file", "x"}}, kSpace)),
               InputError);
}

TEST(UpfSearcher, ReadsOneTuplePerLineWithItsId) {
  ScratchDir dir;
  write_text(dir / "p.jsonl",
             "{\"id\": \"r1\", \"x1\": 1, \"x2\": 2}\n\n{\"id\": 7, \"x1\": 3, \"x2\": 4}\n");
  auto upf = make_searcher(
      campaign_with({{"algorithm", "upf"}, {"file", "p.jsonl"}}, nullptr, dir / "c.json"));
  EXPECT_EQ(upf->size(), 2);
  Suggestion first = upf->ask();
  EXPECT_EQ(first.label, "r1");
  EXPECT_EQ(first.params, json::parse(R"({"x1": 1, "x2": 2})"));
  EXPECT_EQ(upf->ask().label, "7");
  EXPECT_EQ(upf->ask().kind, Suggestion::Kind::Exhausted);
}

TEST(UpfSearcher, ReportsTheBadLine) {
  ScratchDir dir;
  auto error_for = [&](const std::string& text) -> std::string {
    write_text(dir / "p.jsonl", text);
    try {
      make_searcher(
          campaign_with({{"algorithm", "upf"}, {"file", "p.jsonl"}}, nullptr, dir / "c.json"));
    } catch (const InputError& e) {
      return e.what();
    }
    return "no error";
  };
  const std::string path = (dir / "p.jsonl").string();
  EXPECT_EQ(error_for("{\"id\": 1}\n{\"x\": 2}\n"), path + ":2: /id: required field is missing");
  EXPECT_EQ(error_for("{\"id\": 1}\n{\"id\": 1}\n"), path + ":2: /id: duplicate id 1");
  EXPECT_EQ(error_for("{\"id\": 1}\nnot json\n"), path + ":2: malformed JSON line");
  EXPECT_NE(error_for("\n").find("holds no tuples"), std::string::npos);
}
