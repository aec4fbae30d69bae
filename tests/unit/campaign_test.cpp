#include <gtest/gtest.h>

#include "input_error.hpp"
#include "overseer/core/campaign.hpp"
#include "overseer/core/error.hpp"
#include "process.hpp"

using namespace overseer;
using overseer::test::input_error;
using overseer::test::ScratchDir;
using overseer::test::write_text;

namespace {

const char* kMinimal = R"({
  "name": "demo",
  "model": {"name": "branin"},
  "space": [{"name": "x1", "type": "float", "lower": -5, "upper": 10},
            {"name": "x2", "type": "float", "lower": 0, "upper": 15}],
  "search": {"algorithm": "random", "budget": 10}
})";

}  // namespace

TEST(Campaign, FillsDefaults) {
  ScratchDir dir;
  write_text(dir / "c.json", kMinimal);
  Campaign c = load_campaign(dir / "c.json");
  EXPECT_EQ(c.search.seed, 0u);
  EXPECT_EQ(c.objective.mode, ObjectiveMode::Min);
  EXPECT_EQ(c.limits.retries, 0);
  EXPECT_FALSE(c.limits.max_failures);
  EXPECT_EQ(c.output.fsync, FsyncPolicy::Always);
  json r = c.resolved();
  EXPECT_EQ(r["output"]["dir"], "runs");
  EXPECT_EQ(r["space"].size(), 2u);
}

TEST(Campaign, OverridesSetNestedFieldsAsJsonOrText) {
  ScratchDir dir;
  write_text(dir / "c.json", kMinimal);
  Campaign c = load_campaign(dir / "c.json", {"search.budget=50", "search.seed=3",
                                              "output.dir=elsewhere", "limits.max_failures=2"});
  EXPECT_EQ(*c.search.budget, 50);
  EXPECT_EQ(c.search.seed, 3u);
  EXPECT_EQ(c.output.dir, "elsewhere");
  EXPECT_EQ(*c.limits.max_failures, 2);
}

TEST(Campaign, BadOverridesAreInputErrors) {
  ScratchDir dir;
  write_text(dir / "c.json", kMinimal);
  EXPECT_THROW(load_campaign(dir / "c.json", {"search.budget"}), InputError);
  EXPECT_THROW(load_campaign(dir / "c.json", {"name.x=1"}), InputError);
  EXPECT_THROW(load_campaign(dir / "c.json", {"search..budget=1"}), InputError);
  try {
    load_campaign(dir / "c.json", {"limits.retires=5"});
    FAIL() << "unknown key accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.pointer(), "/limits/retires");
    EXPECT_NE(std::string(e.what()).find("did you mean \"retries\""), std::string::npos);
  }
}

TEST(Campaign, ModelSeedsArePerTrialUnlessFixed) {
  ScratchDir dir;
  write_text(dir / "c.json", kMinimal);
  const Campaign per_trial = load_campaign(dir / "c.json");
  EXPECT_EQ(per_trial.model.seeds, TrialSeeds::PerTrial);
  EXPECT_EQ(per_trial.resolved()["model"]["seeds"], "per_trial");
  const Campaign fixed = load_campaign(dir / "c.json", {"model.seeds=fixed"});
  EXPECT_EQ(fixed.model.seeds, TrialSeeds::Fixed);
  EXPECT_EQ(parse_campaign(fixed.resolved(), fixed.file).model.seeds, TrialSeeds::Fixed);
  // Other seeds, other results: a run cannot be resumed with the other policy.
  EXPECT_NE(fixed.identity_hash(), per_trial.identity_hash());
  EXPECT_EQ(load_campaign(dir / "c.json", {"model.seeds=per_trial"}).identity_hash(),
            per_trial.identity_hash());
  try {
    load_campaign(dir / "c.json", {"model.seeds=same"});
    FAIL() << "a bad seeds policy was accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.pointer(), "/model/seeds");
    EXPECT_NE(
        std::string(e.what()).find("seeds must be \"per_trial\" or \"fixed\", found \"same\""),
        std::string::npos)
        << e.what();
  }
}

TEST(Campaign, LoadsSpaceFileRelativeToTheCampaign) {
  ScratchDir dir;
  std::filesystem::create_directories(dir / "configs");
  write_text(dir / "configs/space.json",
             R"([{"name": "x1", "type": "float", "lower": 0, "upper": 1}])");
  write_text(dir / "c.json",
             R"({"name": "s", "model": {"name": "branin"}, "space": "configs/space.json"})");
  Campaign c = load_campaign(dir / "c.json");
  ASSERT_EQ(c.space.parameters().size(), 1u);
  EXPECT_EQ(c.space.parameters()[0].file, (dir / "configs/space.json").string());
}

TEST(Campaign, IdentityHashIgnoresLimitsAndOutputOnly) {
  ScratchDir dir;
  write_text(dir / "c.json", kMinimal);
  const std::string base = load_campaign(dir / "c.json").identity_hash();
  EXPECT_EQ(
      load_campaign(dir / "c.json", {"limits.retries=3", "output.fsync=group"}).identity_hash(),
      base);
  EXPECT_NE(load_campaign(dir / "c.json", {"search.seed=9"}).identity_hash(), base);
  EXPECT_NE(load_campaign(dir / "c.json", {"objective.mode=max"}).identity_hash(), base);
}

TEST(Campaign, ResolvedCampaignParsesBackToTheSameCampaign) {
  ScratchDir dir;
  write_text(dir / "c.json", kMinimal);
  Campaign c = load_campaign(dir / "c.json", {"limits.task_timeout_s=2.5"});
  Campaign again = parse_campaign(c.resolved(), c.file);
  EXPECT_EQ(again.resolved(), c.resolved());
  EXPECT_EQ(again.identity_hash(), c.identity_hash());
}

// A name of 50000 letters crashed `validate` with a stack overflow: std::regex's matcher
// recursed once per character (found by running tests/fuzz/campaign_fuzzer.cpp on long inputs).
TEST(Campaign, NamesAreCheckedWithoutRecursionAndFitADirectoryName) {
  json raw = json::parse(kMinimal);
  raw["name"] = std::string(255, 'a');
  EXPECT_EQ(parse_campaign(raw, "c.json").name, raw["name"]);
  raw["name"] = std::string(100000, 'a');
  EXPECT_EQ(input_error([&] { parse_campaign(raw, "c.json"); }),
            "c.json: /name: name must be at most 255 characters (it names the run directory)");
  raw["name"] = "a.b_c-D9";
  EXPECT_EQ(parse_campaign(raw, "c.json").name, "a.b_c-D9");
  for (const char* bad : {"", "-a", ".hidden", "a/b", "a b", "caf\xc3\xa9"}) {
    raw["name"] = bad;
    EXPECT_EQ(input_error([&] {
                parse_campaign(raw, "c.json");
              }).rfind("c.json: /name: name must start", 0),
              0u)
        << bad;
  }
}
