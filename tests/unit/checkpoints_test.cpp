// Checkpoints of the training state: written whole and pruned, and a trial continued from one
// ends exactly as the uninterrupted trial does.
#include <gtest/gtest.h>

#include "overseer/models/checkpoints.hpp"
#include "overseer/models/trial_runner.hpp"
#include "process.hpp"

using namespace overseer;
using overseer::test::ScratchDir;
using overseer::test::source_dir;
namespace fs = std::filesystem;

namespace {

// Stops the trial at `stop_at`, as a scheduler, a drain or a crash would end it there.
class StopAt : public ProgressReporter {
 public:
  explicit StopAt(std::int64_t step) : stop_at_(step) {}
  ProgressDecision report(std::int64_t step, const Metrics&, const std::atomic<bool>*) override {
    last_ = step;
    return step >= stop_at_ ? ProgressDecision::Stop : ProgressDecision::Continue;
  }
  bool stopped() const override { return last_ >= stop_at_; }
  std::int64_t last_step() const override { return last_; }
  void checkpointed(std::int64_t step, const fs::path& path) override {
    saved.emplace_back(step, path);
  }
  std::vector<std::pair<std::int64_t, fs::path>> saved;

 private:
  std::int64_t stop_at_;
  std::int64_t last_ = -1;
};

Campaign campaign_of(const json& model, std::int64_t every_steps, std::int64_t keep = 1) {
  json doc = {{"name", "t"},
              {"model", model},
              {"search", {{"algorithm", "random"}, {"budget", 1}}},
              {"objective", {{"metric", "val_loss"}}},
              {"checkpoint", {{"every_steps", every_steps}, {"keep", keep}}}};
  return parse_campaign(doc, "campaign.json");
}

TrialResult run(const Campaign& campaign, const fs::path& dir,
                std::shared_ptr<ProgressReporter> reporter = nullptr, fs::path restore = {}) {
  TrialRunner runner(campaign);
  TrialTask task{2, 1, json::object(), dir};
  task.reporter = std::move(reporter);
  task.restore = std::move(restore);
  return runner.run(task);
}

// Trains to the end in one go, and again stopped at `stop_at` and continued from the
// checkpoint there: both must end with the same metrics.
void expect_identical_continuation(const Campaign& campaign, std::int64_t stop_at) {
  ScratchDir dir;
  const TrialResult whole = run(campaign, dir / "whole");
  ASSERT_EQ(whole.status, TrialStatus::Ok) << whole.message;

  auto stopper = std::make_shared<StopAt>(stop_at);
  const TrialResult first = run(campaign, dir / "cut", stopper);
  ASSERT_EQ(first.status, TrialStatus::Stopped) << first.message;
  ASSERT_FALSE(stopper->saved.empty());
  EXPECT_EQ(stopper->saved.back().first, stop_at);
  EXPECT_EQ(stopper->saved.back().second, checkpoint_path(dir / "cut", stop_at));

  const TrialResult continued =
      run(campaign, dir / "cut", nullptr, "state/step-" + std::to_string(stop_at));
  ASSERT_EQ(continued.status, TrialStatus::Ok) << continued.message;
  EXPECT_EQ(continued.value, whole.value);
  for (const auto& [name, value] : whole.metrics) {
    EXPECT_EQ(continued.metrics.at(name), value) << name;
  }
}

}  // namespace

TEST(Checkpoints, AreWrittenWholeAndOnlyTheNewestAreKept) {
  ScratchDir dir;
  auto reporter = std::make_shared<StopAt>(1000);
  const Campaign c =
      campaign_of({{"name", "curve"}, {"params", {{"target", 0.1}, {"epochs", 9}}}}, 2, 2);
  ASSERT_EQ(run(c, dir / "t", reporter).status, TrialStatus::Ok);
  std::vector<std::int64_t> steps;
  for (const auto& [step, path] : reporter->saved) steps.push_back(step);
  EXPECT_EQ(steps, (std::vector<std::int64_t>{2, 4, 6, 8}));
  std::vector<std::string> left;
  for (const auto& entry : fs::directory_iterator(state_dir(dir / "t"))) {
    left.push_back(entry.path().filename().string());
  }
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{"step-6", "step-8"}));
  EXPECT_EQ(latest_checkpoint(dir / "t"), checkpoint_path(dir / "t", 8));
  EXPECT_EQ(checkpoint_step("state/step-12"), 12);
  EXPECT_EQ(checkpoint_step("state/step-12.tmp"), std::nullopt);
  EXPECT_EQ(checkpoint_step("state/other"), std::nullopt);
}

TEST(Checkpoints, ACurveContinuedFromOneEndsAsTheUninterruptedCurve) {
  expect_identical_continuation(
      campaign_of({{"name", "curve"}, {"params", {{"target", 0.2}, {"epochs", 10}}}}, 3), 6);
}

// As a trial restored after a crash that came between its last checkpoint and its result, or a
// PBT exploit that copied a finished trial's state: nothing is left to train, and it has still
// reached the step it restored.
TEST(Checkpoints, ATrialContinuedFromItsLastStepEndsAtThatStep) {
  ScratchDir dir;
  const Campaign c =
      campaign_of({{"name", "curve"}, {"params", {{"target", 0.3}, {"epochs", 10}}}}, 5);
  const TrialResult whole = run(c, dir / "t", std::make_shared<StopAt>(1000));
  ASSERT_EQ(whole.status, TrialStatus::Ok) << whole.message;
  EXPECT_EQ(whole.step, 10);
  auto reporter = std::make_shared<StopAt>(1000);
  const TrialResult continued = run(c, dir / "t", reporter, "state/step-10");
  ASSERT_EQ(continued.status, TrialStatus::Ok) << continued.message;
  EXPECT_EQ(reporter->last_step(), -1) << "it trained again";
  EXPECT_EQ(continued.step, 10);
  EXPECT_EQ(continued.value, whole.value);
}

// Without row or column sampling: XGBoost 1.7 draws its samples from a generator that a booster
// loaded from a checkpoint seeds afresh, so sampled continuations differ (docs/models.md).
TEST(Checkpoints, XgboostContinuedFromOneEndsAsTheUninterruptedBooster) {
  const json model = {
      {"name", "xgboost"},
      {"params", {{"nthread", 1}, {"n_estimators", 40}, {"max_depth", 4}, {"report_every", 5}}},
      {"data", {{"file", (source_dir() / "data/nci60.h5").string()}}}};
  expect_identical_continuation(campaign_of(model, 10), 20);
}
