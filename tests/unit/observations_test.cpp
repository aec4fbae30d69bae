// What model-based searchers learn from finished trials: losses, and search.on_failure.
#include <gtest/gtest.h>

#include "overseer/core/error.hpp"
#include "overseer/search/observations.hpp"

using namespace overseer;

namespace {

TrialRecord trial(TrialId id, TrialStatus status, double value) {
  TrialRecord t;
  t.id = id;
  t.params = {{"x", id}};
  t.result.status = status;
  t.result.value = value;
  return t;
}

}  // namespace

TEST(Observations, MaximizingCampaignsBecomeLossesToMinimize) {
  Observations o(ObjectiveMode::Max, FailurePolicy::Ignore);
  o.add(trial(0, TrialStatus::Ok, 0.25));
  o.add(trial(1, TrialStatus::Ok, 0.75));
  ASSERT_EQ(o.size(), 2u);
  EXPECT_EQ(o.entries()[1].loss, -0.75);
  EXPECT_EQ(o.best_loss(), -0.75);
  EXPECT_EQ(o.worst_loss(), -0.25);
}

TEST(Observations, IgnoredFailuresLeaveNoTrace) {
  Observations o(ObjectiveMode::Min, FailurePolicy::Ignore);
  o.add(trial(0, TrialStatus::Failed, 0));
  o.add(trial(1, TrialStatus::NaN, std::nan("")));
  o.add(trial(2, TrialStatus::Timeout, 0));
  EXPECT_TRUE(o.empty());
  EXPECT_FALSE(o.best_loss());
}

TEST(Observations, WorstImputesTheWorstValueSeenSoFar) {
  Observations o(ObjectiveMode::Min, FailurePolicy::Worst);
  o.add(trial(0, TrialStatus::Failed, 0));  // nothing to impute yet: waits
  EXPECT_TRUE(o.empty());
  o.add(trial(1, TrialStatus::Ok, 3));
  o.add(trial(2, TrialStatus::Ok, 5));
  o.add(trial(3, TrialStatus::Timeout, 0));
  o.add(trial(4, TrialStatus::Ok, 1));
  ASSERT_EQ(o.size(), 5u);
  EXPECT_EQ(o.entries()[1].params, json({{"x", 0}}));
  EXPECT_EQ(o.entries()[1].loss, 3);  // imputed when the first success arrived
  EXPECT_TRUE(o.entries()[1].imputed);
  EXPECT_EQ(o.entries()[1].trial, 0);
  EXPECT_EQ(o.entries()[3].loss, 5);
  EXPECT_TRUE(o.entries()[3].imputed);
  EXPECT_FALSE(o.entries()[4].imputed);
  EXPECT_EQ(o.best_loss(), 1);
  EXPECT_EQ(o.worst_loss(), 5);  // imputed values do not move the worst
}

TEST(Observations, OnFailureIsValidated) {
  const json search = {{"on_failure", "retry"}};
  const JsonView view(search, "c.json", json::json_pointer("/search"));
  try {
    failure_policy(view);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("/search/on_failure"), std::string::npos) << e.what();
  }
  const json worst = {{"on_failure", "worst"}};
  EXPECT_EQ(failure_policy(JsonView(worst, "c.json")), FailurePolicy::Worst);
  EXPECT_EQ(failure_policy(JsonView(json::object(), "c.json")), FailurePolicy::Ignore);
}
