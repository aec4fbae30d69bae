// A trial's reports on a worker: batched into few messages, waiting for the master's answer only
// where the task asks, from the worker's thread or from the model's own.
#include <gtest/gtest.h>

#include <deque>
#include <future>

#include "overseer/campaign/trial_reporter.hpp"

using namespace overseer;

namespace {

// Records what is sent, and answers each report that waits with `decision` once it has been
// sent (as the master would), on whichever thread asks.
class FakeLink : public TaskLink {
 public:
  explicit FakeLink(std::string decision = "continue") : decision_(std::move(decision)) {}

  void send_progress(const json& batch) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    batches.push_back(batch);
    for (const auto& item : batch.at("items")) {
      if (!item.value("answer", false)) continue;
      answers_.push_back({{"trial", item["trial"]},
                          {"attempt", item["attempt"]},
                          {"step", item["step"]},
                          {"decision", decision_}});
    }
  }
  std::vector<json> receive_control(std::chrono::microseconds) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    std::vector<json> out(answers_.begin(), answers_.end());
    answers_.clear();
    return out;
  }
  std::size_t items() const {
    std::size_t n = 0;
    for (const auto& b : batches) n += b.at("items").size();
    return n;
  }

  std::vector<json> batches;

 private:
  std::mutex mutex_;
  std::string decision_;
  std::deque<json> answers_;
};

ReportPolicy policy(json progress) {
  return ReportPolicy::from_task({{"progress", std::move(progress)}});
}

}  // namespace

TEST(TrialReporter, ManyQuickReportsTravelAsOneBatch) {
  FakeLink link;
  std::atomic<bool> draining{false};
  TrialReporter reporter(link, 7, 2, policy({{"interval_s", 3600}}), draining);
  for (std::int64_t step = 1; step <= 1000; ++step) {
    EXPECT_EQ(reporter.report(step, {{"val_loss", 1.0 / static_cast<double>(step)}}, nullptr),
              ProgressDecision::Continue);
  }
  EXPECT_TRUE(link.batches.empty());
  reporter.flush();
  ASSERT_EQ(link.batches.size(), 1u);
  const json& items = link.batches[0].at("items");
  ASSERT_EQ(items.size(), 1000u);
  EXPECT_EQ(items[999]["trial"], 7);
  EXPECT_EQ(items[999]["attempt"], 2);
  EXPECT_EQ(items[999]["step"], 1000);
  EXPECT_EQ(items[999]["metrics"]["val_loss"], 0.001);
  EXPECT_EQ(reporter.last_step(), 1000);
  EXPECT_FALSE(reporter.stopped());
}

TEST(TrialReporter, AReportThatWaitsForAnAnswerIsSentAtOnceAndLearnsTheDecision) {
  FakeLink link("stop");
  std::atomic<bool> draining{false};
  TrialReporter reporter(link, 1, 1, policy({{"answer", {3}}, {"interval_s", 3600}}), draining);
  EXPECT_EQ(reporter.report(1, {{"val_loss", 0.5}}, nullptr), ProgressDecision::Continue);
  EXPECT_EQ(reporter.report(2, {{"val_loss", 0.4}}, nullptr), ProgressDecision::Continue);
  EXPECT_TRUE(link.batches.empty());
  EXPECT_EQ(reporter.report(3, {{"val_loss", 0.3}}, nullptr), ProgressDecision::Stop);
  ASSERT_EQ(link.batches.size(), 1u);
  EXPECT_EQ(link.items(), 3u);
  EXPECT_TRUE(reporter.stopped());
  EXPECT_EQ(reporter.last_step(), 3);
}

TEST(TrialReporter, AModelOnItsOwnThreadGetsItsAnswerThroughService) {
  FakeLink link("stop");
  std::atomic<bool> draining{false};
  TrialReporter reporter(link, 1, 1, policy({{"answer", "every"}}), draining);
  auto model = std::async(std::launch::async, [&] {
    std::int64_t step = 0;
    while (reporter.report(++step, {{"val_loss", 1.0}}, nullptr) == ProgressDecision::Continue) {
    }
    return step;
  });
  // The worker's thread: only it touches the link.
  while (model.wait_for(std::chrono::milliseconds(1)) != std::future_status::ready) {
    reporter.service();
  }
  EXPECT_EQ(model.get(), 1);
  EXPECT_TRUE(reporter.stopped());
}

TEST(TrialReporter, AnAnswerForAnotherTrialOrAttemptIsIgnored) {
  class StrayLink : public FakeLink {
   public:
    std::vector<json> receive_control(std::chrono::microseconds) override {
      return {{{"trial", 4}, {"attempt", 1}, {"step", 1}, {"decision", "stop"}},
              {{"trial", 5}, {"attempt", 2}, {"step", 1}, {"decision", "stop"}}};
    }
  } link;
  std::atomic<bool> draining{false};
  TrialReporter reporter(link, 5, 1, policy(json::object()), draining);
  reporter.service();
  EXPECT_FALSE(reporter.stopped());
}

TEST(TrialReporter, ADrainPausesTheTrialAndEveryLaterOneOfTheWorker) {
  class DrainLink : public FakeLink {
   public:
    std::vector<json> receive_control(std::chrono::microseconds) override {
      return {{{"drain", true}}};
    }
  } link;
  std::atomic<bool> draining{false};
  TrialReporter first(link, 1, 1, policy(json::object()), draining);
  EXPECT_EQ(first.report(1, {{"val_loss", 0.5}}, nullptr), ProgressDecision::Pause);
  EXPECT_TRUE(first.stopped());
  EXPECT_TRUE(first.paused());
  EXPECT_TRUE(draining.load());

  FakeLink quiet;
  TrialReporter next(quiet, 2, 1, policy(json::object()), draining);
  EXPECT_TRUE(next.paused());
  EXPECT_EQ(next.report(1, {{"val_loss", 0.5}}, nullptr), ProgressDecision::Pause);
}

TEST(TrialReporter, ATournamentAnswerNamesThePartnerAndItsOutcomeWaitsForAnAnswerOfItsOwn) {
  // Answers each waiting report as the master does under ltfb: the step's report with the
  // partner, the outcome's with a pause (a perturb).
  class TournamentLink : public FakeLink {
   public:
    void send_progress(const json& batch) override {
      FakeLink::send_progress(batch);
      for (const auto& item : batch.at("items")) {
        if (!item.value("answer", false)) continue;
        json control = {
            {"trial", item["trial"]}, {"attempt", item["attempt"]}, {"step", item["step"]}};
        if (item.contains("tournament")) {
          control["outcome"] = true;
          control["decision"] = "pause";
        } else {
          control["decision"] = "tournament";
          control["partner"] = {{"trial", 4}, {"snapshot", "/run/trials/4/exchange/step-2"}};
        }
        pending.push_back(control);
      }
    }
    std::vector<json> receive_control(std::chrono::microseconds) override {
      std::vector<json> out(pending.begin(), pending.end());
      pending.clear();
      return out;
    }
    std::deque<json> pending;
  } link;
  std::atomic<bool> draining{false};
  TrialReporter reporter(link, 1, 1, policy({{"answer", {2}}}), draining);
  EXPECT_EQ(reporter.report(1, {{"val_loss", 0.5}}, nullptr), ProgressDecision::Continue);
  EXPECT_EQ(reporter.report(2, {{"val_loss", 0.4}}, nullptr), ProgressDecision::Tournament);
  EXPECT_EQ(reporter.partner_snapshot(), "/run/trials/4/exchange/step-2");
  EXPECT_FALSE(reporter.stopped());
  EXPECT_EQ(reporter.report_tournament(2, {{"own", 0.4}, {"partner_score", 0.3}, {"won", false}},
                                       nullptr),
            ProgressDecision::Pause);
  const json& outcome = link.batches.back().at("items").back();
  EXPECT_EQ(outcome["step"], 2);
  EXPECT_EQ(outcome["tournament"]["partner"], 4);
  EXPECT_EQ(outcome["tournament"]["won"], false);
  EXPECT_TRUE(reporter.paused());
}
