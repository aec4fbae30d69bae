#include "overseer/campaign/trial_reporter.hpp"

#include <spdlog/spdlog.h>

#include "overseer/core/trial.hpp"
#include "overseer/models/checkpoints.hpp"

namespace overseer {
namespace {

using Clock = std::chrono::steady_clock;

// How long one wait for the master's answer lasts before the waiter looks around again.
constexpr auto kAnswerSlice = std::chrono::milliseconds(100);

}  // namespace

ReportPolicy ReportPolicy::from_task(const json& task) {
  ReportPolicy policy;
  const auto progress = task.find("progress");
  if (progress == task.end()) return policy;
  if (const auto answer = progress->find("answer"); answer != progress->end()) {
    if (answer->is_string()) {
      policy.answer_every = answer->get<std::string>() == "every";
    } else {
      for (const auto& step : *answer) policy.answer_at.insert(step.get<std::int64_t>());
    }
  }
  policy.interval_s = progress->value("interval_s", policy.interval_s);
  return policy;
}

TrialReporter::TrialReporter(TaskLink& link, TrialId trial, int attempt, ReportPolicy policy,
                             std::atomic<bool>& draining)
    : link_(link),
      trial_(trial),
      attempt_(attempt),
      policy_(std::move(policy)),
      worker_thread_(std::this_thread::get_id()),
      last_sent_(Clock::now()),
      draining_(draining) {}

json TrialReporter::item_of(std::int64_t step) const {
  json item = json::object();
  item["trial"] = trial_;
  item["attempt"] = attempt_;
  item["step"] = step;
  item["time"] = unix_time_now();
  return item;
}

std::int64_t TrialReporter::last_step() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return last_step_;
}

void TrialReporter::checkpointed(std::int64_t step, const std::filesystem::path& path) {
  const std::lock_guard<std::mutex> lock(mutex_);
  json checkpoint = json::object();
  checkpoint["trial"] = trial_;
  checkpoint["attempt"] = attempt_;
  checkpoint["step"] = step;
  checkpoint["path"] = checkpoint_name(path);
  checkpoints_.push_back(std::move(checkpoint));
}

ProgressDecision TrialReporter::report(std::int64_t step, const Metrics& metrics,
                                       const std::atomic<bool>* cancel) {
  // On the worker's stderr at once, so that what a trial trained is known even when the job
  // is killed before the report reaches the journal.
  spdlog::debug("trial {} attempt {}: step {}", trial_, attempt_, step);
  bool wait = false;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    wait = policy_.answered(last_step_, step) && !stopped();
    last_step_ = step;
    json item = item_of(step);
    json& values = item["metrics"] = json::object();
    for (const auto& [name, value] : metrics) values[name] = metric_to_json(value);
    if (wait) {
      item["answer"] = true;
      awaited_ = step;
    }
    pending_.push_back(std::move(item));
  }
  wait_for_answer(
      wait, [&] { return answered_step_ >= step; }, cancel);
  if (paused()) return ProgressDecision::Pause;
  if (stopped_) return ProgressDecision::Stop;
  const std::lock_guard<std::mutex> lock(mutex_);
  return wait && tournament_step_ == step ? ProgressDecision::Tournament
                                          : ProgressDecision::Continue;
}

std::filesystem::path TrialReporter::partner_snapshot() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return partner_.is_object() ? std::filesystem::path(partner_.at("snapshot").get<std::string>())
                              : std::filesystem::path();
}

ProgressDecision TrialReporter::report_tournament(std::int64_t step, const json& outcome,
                                                  const std::atomic<bool>* cancel) {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    json item = item_of(step);
    json& tournament = item["tournament"] = outcome;
    tournament["partner"] = partner_.value("trial", TrialId{-1});
    item["answer"] = true;
    awaited_outcome_ = step;
    pending_.push_back(std::move(item));
  }
  wait_for_answer(
      true, [&] { return answered_outcome_ >= step; }, cancel);
  if (paused()) return ProgressDecision::Pause;
  return stopped_ ? ProgressDecision::Stop : ProgressDecision::Continue;
}

void TrialReporter::wait_for_answer(bool wait, const std::function<bool()>& answered,
                                    const std::atomic<bool>* cancel) {
  const auto done = [&] { return answered() || stopped(); };
  if (on_worker_thread()) {
    exchange(false, std::chrono::microseconds(0));
    while (wait) {
      {
        const std::lock_guard<std::mutex> lock(mutex_);
        if (done()) break;
      }
      exchange(false, kAnswerSlice);
    }
  } else if (wait) {
    // The worker's thread sends the report and hands the answer over (service()).
    std::unique_lock<std::mutex> lock(mutex_);
    while (!done() && !(cancel != nullptr && cancel->load())) {
      answered_.wait_for(lock, kAnswerSlice);
    }
  }
}

void TrialReporter::service() {
  exchange(false, std::chrono::microseconds(0));
}

void TrialReporter::flush() {
  exchange(true, std::chrono::microseconds(0));
}

void TrialReporter::exchange(bool now, std::chrono::microseconds wait) {
  json batch;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    const auto time = Clock::now();
    const bool due = now || awaited_ > answered_step_ || awaited_outcome_ > answered_outcome_ ||
                     time - last_sent_ >= std::chrono::duration<double>(policy_.interval_s);
    if ((!pending_.empty() || !checkpoints_.empty()) && due) {
      batch = json::object();
      batch["items"] = std::move(pending_);
      pending_ = json::array();
      if (!checkpoints_.empty()) {
        batch["checkpoints"] = std::move(checkpoints_);
        checkpoints_ = json::array();
      }
      last_sent_ = time;
    }
  }
  if (!batch.is_null()) link_.send_progress(batch);
  for (const auto& control : link_.receive_control(wait)) apply(control);
}

void TrialReporter::apply(const json& control) {
  if (control.value("drain", false)) {
    draining_ = true;
    answered_.notify_all();
    return;
  }
  if (control.value("trial", TrialId{-1}) != trial_ || control.value("attempt", 0) != attempt_) {
    return;  // for an earlier trial of this worker
  }
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    const auto step = control.value("step", std::int64_t{-1});
    if (control.value("outcome", false)) {
      answered_outcome_ = std::max(answered_outcome_, step);
    } else {
      answered_step_ = std::max(answered_step_, step);
    }
    const std::string decision = control.value("decision", "");
    if (decision == "stop") stopped_ = true;
    if (decision == "pause") paused_ = true;
    if (decision == "tournament") {
      tournament_step_ = step;
      partner_ = control.at("partner");
    }
  }
  answered_.notify_all();
}

}  // namespace overseer
