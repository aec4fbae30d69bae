#include "overseer/models/trial_runner.hpp"

#include <cmath>
#include <future>
#include <thread>

#include <spdlog/spdlog.h>

#include "overseer/core/random.hpp"
#include "overseer/models/artifacts.hpp"
#include "overseer/models/checkpoints.hpp"

namespace overseer {
TrialRunner::TrialRunner(const Campaign& campaign, WorkerResources resources)
    : campaign_(campaign),
      resources_(std::move(resources)),
      entry_(find_model(campaign)),
      model_(entry_.create(campaign)) {}

Metrics TrialRunner::evaluate_with_timeout(const json& params, const RunContext& context,
                                           TrialResult& result) {
  auto cancel = std::const_pointer_cast<std::atomic<bool>>(context.cancel);
  std::promise<Metrics> promise;
  auto future = promise.get_future();
  // Detached so that a model stuck in native code cannot stall the worker; the thread owns
  // what it uses (model, parameters, context) through shared pointers and copies.
  std::thread([model = model_, params, context, promise = std::move(promise)]() mutable {
    try {
      promise.set_value(model->evaluate(params, context));
    } catch (...) {
      promise.set_exception(std::current_exception());
    }
  }).detach();

  // Waits in slices, so that the trial's progress and the answers to it keep moving.
  using Clock = std::chrono::steady_clock;
  const auto until =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(campaign_.limits.task_timeout_s));
  constexpr auto kSlice = std::chrono::milliseconds(20);
  for (auto now = Clock::now(); now < until; now = Clock::now()) {
    if (future.wait_for(std::min<Clock::duration>(kSlice, until - now)) ==
        std::future_status::ready) {
      return future.get();
    }
    if (context.reporter) context.reporter->service();
  }

  cancel->store(true);
  result.status = TrialStatus::Timeout;
  result.message = "exceeded task_timeout_s=" + json(campaign_.limits.task_timeout_s).dump();
  const auto grace = std::chrono::duration<double>(campaign_.limits.cancel_grace_s);
  if (future.wait_for(grace) != std::future_status::ready) {
    // The old instance may still be in use by the abandoned thread: start afresh.
    result.message += "; the model ignored cancellation and was abandoned";
    model_ = entry_.create(campaign_);
  }
  return {};
}

TrialResult TrialRunner::run(const TrialTask& task) {
  TrialResult result;
  result.start = unix_time_now();
  const json params = merge_params(campaign_.model.params, task.params);

  RunContext context;
  context.trial = task.trial;
  context.attempt = task.attempt;
  // Under fixed seeds every trial trains as trial 0 does (and as `overseer train --seed` does).
  const TrialId seed_trial = campaign_.model.seeds == TrialSeeds::Fixed ? 0 : task.trial;
  context.seed = mix_seed(campaign_.search.seed, static_cast<std::uint64_t>(seed_trial));
  // Absolute, because external programs run inside it: a path relative to where overseer was
  // started would name nothing from there.
  const std::filesystem::path trial_dir =
      task.run_dir.empty() ? std::filesystem::path()
                           : std::filesystem::absolute(task.run_dir).lexically_normal();
  const bool speaks = leads(task.group.get());
  if (speaks) context.run_dir = trial_dir;
  context.group = task.group;
  context.tournament = task.tournament;
  context.warm_start = task.warm_start;
  context.device = resources_.device;
  context.devices = resources_.devices;
  context.threads = resources_.threads;
  context.cancel = std::make_shared<std::atomic<bool>>(false);
  context.reporter = task.reporter;
  context.checkpoint.every_steps = campaign_.checkpoint.every_steps;
  context.checkpoint.keep = campaign_.checkpoint.keep;
  context.checkpoint.at_end = task.checkpoint_at_end;
  if (!task.restore.empty() && !trial_dir.empty()) {
    context.checkpoint.restore = trial_dir / task.restore;
  }
  if (campaign_.limits.task_timeout_s > 0) {
    context.deadline = std::chrono::steady_clock::now() +
                       std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           std::chrono::duration<double>(campaign_.limits.task_timeout_s));
  }
  try {
    // The members of a group wait for the leader at their first sync point: a leader that
    // cannot write must tell them.
    run_as_member(task.group.get(), [&] {
      if (!context.run_dir.empty()) {
        std::filesystem::create_directories(context.run_dir);
        write_json_file(context.run_dir / "params.json", params);
      }
    });
    result.metrics = campaign_.limits.task_timeout_s > 0
                         ? evaluate_with_timeout(params, context, result)
                         : model_->evaluate(params, context);
    if (result.status != TrialStatus::Timeout) {
      auto it = result.metrics.find(campaign_.objective.metric);
      if (task.reporter && task.reporter->stopped()) {
        result.status = TrialStatus::Stopped;
        result.value = it == result.metrics.end() ? std::nan("") : it->second;
        result.message = (task.reporter->paused() ? "paused at step " : "stopped at step ") +
                         std::to_string(task.reporter->last_step());
      } else if (it == result.metrics.end()) {
        result.status = TrialStatus::Failed;
        result.message = "the model did not report metric \"" + campaign_.objective.metric + "\"";
      } else {
        result.value = it->second;
        result.status = std::isfinite(result.value) ? TrialStatus::Ok : TrialStatus::NaN;
        if (result.status == TrialStatus::NaN) {
          result.message = "metric \"" + campaign_.objective.metric + "\" is not finite";
        }
      }
    }
  } catch (const std::exception& e) {
    result.status = TrialStatus::Failed;
    result.message = e.what();
    // Only the leader's result reaches the master: a member's own failure shows here.
    if (!speaks) {
      spdlog::error("trial {} attempt {}: rank {} of its group failed: {}", task.trial,
                    task.attempt, task.group->rank(), result.message);
    }
  } catch (...) {
    result.status = TrialStatus::Failed;
    result.message = "unknown exception";
  }
  if (result.status != TrialStatus::Ok && result.status != TrialStatus::Stopped) {
    result.value = std::nan("");
  }
  if (task.reporter) result.step = task.reporter->last_step();
  // Continued from the checkpoint of its last step (its own, after a crash, or another trial's
  // that it exploited), a trial reports no step, yet it has reached the one it restored.
  if (result.step < 0 && !context.checkpoint.restore.empty()) {
    result.step = checkpoint_step(context.checkpoint.restore).value_or(-1);
  }
  result.end = unix_time_now();
  if (!context.run_dir.empty() && std::filesystem::is_directory(context.run_dir)) {
    json written = to_json(result);
    written.erase("rank");  // known to the master only
    written.erase("host");
    write_json_file(context.run_dir / "result.json", written);
  }
  return result;
}

}  // namespace overseer
