#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include "overseer/balancer/worker.hpp"
#include "overseer/models/model.hpp"

namespace overseer {

// When a trial's reports wait for the master's answer: at every step (a scheduler that may stop
// a trial at any step), at the first report at or after each of some milestones (rungs), or
// never. From the task's "progress" member: {"answer": "every" | [milestones], "interval_s":
// seconds between batches}.
struct ReportPolicy {
  bool answer_every = false;
  std::set<std::int64_t> answer_at;
  double interval_s = 1;

  static ReportPolicy from_task(const json& task);
  // Whether the report of `step`, after one of `previous`, waits for an answer.
  bool answered(std::int64_t previous, std::int64_t step) const {
    return answer_every || answer_at.upper_bound(previous) != answer_at.upper_bound(step);
  }
};

// A trial's ProgressReporter on a worker. Reports are sent to the master in batches (one message
// per `interval_s` at most, or at once when the report waits for an answer), so a model that
// reports every minibatch costs a message a second, not one per report. The link is used on the
// worker's thread only: by report() when the model trains there, else by service().
class TrialReporter : public ProgressReporter {
 public:
  // `draining` is the worker's: once a drain control has come, every trial it runs pauses.
  TrialReporter(TaskLink& link, TrialId trial, int attempt, ReportPolicy policy,
                std::atomic<bool>& draining);

  ProgressDecision report(std::int64_t step, const Metrics& metrics,
                          const std::atomic<bool>* cancel) override;
  void service() override;
  bool stopped() const override { return stopped_.load() || paused(); }
  bool paused() const override { return paused_.load() || draining_.load(); }
  std::int64_t last_step() const override;
  void checkpointed(std::int64_t step, const std::filesystem::path& path) override;
  std::filesystem::path partner_snapshot() const override;
  ProgressDecision report_tournament(std::int64_t step, const json& outcome,
                                     const std::atomic<bool>* cancel) override;
  // Sends what is still waiting: before the trial's result, so the master has its progress first.
  void flush();

 private:
  bool on_worker_thread() const { return std::this_thread::get_id() == worker_thread_; }
  // Sends the waiting items when `now` or when the interval has passed, and takes in answers.
  void exchange(bool now, std::chrono::microseconds wait);
  void apply(const json& control);
  // A report's members that every kind of item has: trial, attempt, step and time.
  json item_of(std::int64_t step) const;
  // Sends what was just queued and, when `wait`, waits until `answered` (called under the
  // lock) says its answer came, the trial was stopped, or `cancel`.
  void wait_for_answer(bool wait, const std::function<bool()>& answered,
                       const std::atomic<bool>* cancel);

  TaskLink& link_;
  const TrialId trial_;
  const int attempt_;
  const ReportPolicy policy_;
  const std::thread::id worker_thread_;

  mutable std::mutex mutex_;
  std::condition_variable answered_;
  json pending_ = json::array();
  json checkpoints_ = json::array();  // saved since the last batch
  std::int64_t last_step_ = -1;
  std::int64_t awaited_ = -1;  // the step whose report waits for an answer; -1: none
  std::int64_t answered_step_ = -1;
  // A tournament's: its outcome's report waits for an answer of its own.
  std::int64_t awaited_outcome_ = -1;
  std::int64_t answered_outcome_ = -1;
  std::int64_t tournament_step_ = -1;  // the step of the last Tournament answer
  json partner_;                       // {"trial", "snapshot"} of that answer
  std::chrono::steady_clock::time_point last_sent_;
  std::atomic<bool> stopped_{false};
  std::atomic<bool> paused_{false};  // told to pause (a pbt exploit): checkpoint, then stop
  std::atomic<bool>& draining_;
};

}  // namespace overseer
