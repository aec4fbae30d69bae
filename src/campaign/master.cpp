#include "overseer/campaign/master.hpp"

#include <algorithm>
#include <cmath>
#include <csignal>
#include <set>

#include <spdlog/spdlog.h>

#include "overseer/balancer/protocol.hpp"
#include "overseer/core/error.hpp"
#include "overseer/core/result_reader.hpp"
#include "overseer/models/artifacts.hpp"
#include "overseer/models/checkpoints.hpp"
#include "overseer/models/tournament_round.hpp"
#include "overseer/search/dag.hpp"
#include "overseer/store/journal_records.hpp"
#include "overseer/store/results_export.hpp"
#include "overseer/store/results_h5.hpp"
#include "overseer/store/run_exports.hpp"

namespace overseer {
namespace {

const char* end_reason(StopReason reason) {
  switch (reason) {
    case StopReason::MaxFailures:
      return "max_failures";
    case StopReason::Drained:
      return "drained";
    case StopReason::Walltime:
      return "walltime";
    default:
      return "completed";
  }
}

constexpr double kTickInterval = 0.1;
constexpr double kExportInterval = 10;
// results.csv is rewritten whole; with hundreds of thousands of trials that takes long enough
// to matter, so the pause after an export is at least this many times the export's own time.
constexpr double kExportCostFactor = 20;
// A retried attempt goes ahead of fresh trials.
constexpr int kRetryPriority = 1;

}  // namespace

Master::Master(const Campaign& campaign, std::unique_ptr<Searcher> searcher,
               std::unique_ptr<Scheduler> scheduler, const RunDirectory& run, Transport& transport,
               const Layout& layout, const ServerOptions& server_options,
               const std::atomic<int>* interrupt_signal)
    : campaign_(campaign),
      searcher_(std::move(searcher)),
      scheduler_(std::move(scheduler)),
      run_(run),
      transport_(transport),
      layout_(layout),
      interrupt_signal_(interrupt_signal),
      dispatcher_(transport, layout, DispatcherOptions{server_options}, *this),
      budget_(campaign.search.budget.value_or(0)),
      keep_best_checkpoint_only_(campaign.output.trial_dirs &&
                                 campaign.model.params.value("save_model", json()) == "best"),
      dag_(campaign.search.algorithm == "dag"),
      dag_warm_starts_(dag_warm_starts(campaign)) {}

StopReason Master::run() {
  drive(*this, transport_);
  return stop_reason_;
}

void Master::start() {
  std::filesystem::create_directories(run_.path());
  // Locks the run directory before anything in it changes.
  journal_ = std::make_unique<Journal>(run_.journal_file(), campaign_.output.fsync,
                                       std::chrono::milliseconds(campaign_.output.group_commit_ms));
  if (run_.resuming()) {
    JournalContents contents = read_journal(run_.journal_file());
    if (contents.torn_tail) spdlog::warn("journal: dropping an incomplete last record");
    journal_->truncate(contents.valid_bytes);
    replay(contents.records);
  }
  run_.initialize(campaign_);
  journal_->append(to_json(StartRecord{unix_time_now(), campaign_.identity_hash(), run_.resuming(),
                                       transport_.size(), layout_.servers(), host_name()}));
  if (run_.resuming()) {
    spdlog::info("resuming {}: {} finished, {} to run again", run_.path().string(),
                 finished_.size(), queue_.size());
  }
  // Trials that train together must each have a worker of their own: one queued behind another
  // on the same worker would wait for it forever.
  const bool together = scheduler_ && scheduler_->trains_together() > 0;
  dispatcher_.setup_workers({{"campaign", campaign_.resolved()},
                             {"campaign_file", std::filesystem::absolute(campaign_.file).string()},
                             {"run_dir", std::filesystem::absolute(run_.path()).string()},
                             {"prefetch", together ? 1 : campaign_.balancer.prefetch}});
  for (std::size_t id = 0; id < trials_.size(); ++id) {
    if (!trials_[id].finished && !trials_[id].doomed.empty()) {
      fail_unrun(static_cast<TrialId>(id), trials_[id].doomed);
    }
  }
  started_ = transport_.now();
  next_tick_ = transport_.now() + kTickInterval;
  next_export_ = transport_.now() + kExportInterval;
  check_progress();
}

void Master::replay(const std::vector<json>& records) {
  replay_journal(records, run_.journal_file().string(), *this);
  if (replayed_hash_ != run_.stored_hash()) {
    throw InputError(run_.journal_file().string(), "",
                     "this journal was written by another campaign than the one in "
                     "campaign.json; it cannot be resumed");
  }
  for (std::size_t id = 0; id < trials_.size(); ++id) {
    if (trials_[id].finished) continue;
    // Created to fail without running, and cut off before its result was journaled.
    if (!trials_[id].doomed.empty()) continue;
    queue_.push_back({static_cast<TrialId>(id)});
  }
  searcher_->take_events();  // the journal holds them already
}

void Master::on_start(const StartRecord& record) {
  replayed_hash_ = record.hash;
}

void Master::on_created(const CreatedRecord& record) {
  // Advance the searcher exactly as the first run did; the journal's params win if a searcher
  // turns out not to be reproducible.
  Suggestion s = searcher_->ask();
  if (!replay_warned_ && (s.kind != Suggestion::Kind::Point || s.params != record.params)) {
    spdlog::warn("journal: the searcher did not reproduce trial {}; using the journal's",
                 record.trial);
    replay_warned_ = true;
  }
  trials_.push_back(Trial{record.params, record.label, 0, false, false, 0, {}, std::nullopt, 0});
  trials_.back().warm_start = record.warm_start;
  if (s.kind == Suggestion::Kind::Point && s.params == record.params) {
    trials_.back().doomed = std::move(s.doomed);
  }
  if (dag_) dag_created_.push_back(record);
}

void Master::on_decision(const DecisionRecord& record) {
  if (record.decision != to_string(Verdict::Exploit)) return;
  Trial* trial = find_trial(record.trial);
  if (trial == nullptr) return;
  trial->exploit = Trial::Exploit{record.why.at("source").get<TrialId>(), record.why.at("params"),
                                  record.attempt};
}

void Master::carry_out_exploit(TrialId id) {
  Trial& trial = trials_[static_cast<std::size_t>(id)];
  const Trial::Exploit exploit = *trial.exploit;
  trial.exploit.reset();
  trial.params = exploit.params;
  ++trial.exploits;
  // The next attempt is numbered after the one that heard the exploit, also when that one never
  // reported back (a drain, a crash): a replay then tells a carried-out exploit (a later attempt)
  // from a moot one (that attempt itself ended the trial).
  trial.attempts = std::max(trial.attempts, exploit.attempt);
  if (!campaign_.output.trial_dirs) return;
  if (exploit.source == id) {
    // A perturb goes on from the trial's own newest checkpoint, the one it paused with, also
    // when a crash lost that checkpoint's record.
    if (auto newest = latest_checkpoint(run_.trial_dir(id)))
      trial.checkpoint = checkpoint_name(*newest);
    return;
  }
  const auto dir = run_.trial_dir(id);
  std::error_code error;
  std::filesystem::remove_all(state_dir(dir), error);
  trial.checkpoint.clear();
  // The source goes on training: it may save a newer checkpoint and drop this one while it is
  // copied. A copy counts only when the checkpoint still holds the same files afterwards;
  // otherwise the newer one is copied.
  const auto files_of = [](const std::filesystem::path& d) {
    std::set<std::string> names;
    std::error_code e;
    for (auto it = std::filesystem::recursive_directory_iterator(d, e);
         !e && it != std::filesystem::recursive_directory_iterator(); it.increment(e)) {
      names.insert(std::filesystem::relative(it->path(), d, e).string());
    }
    return names;
  };
  for (int tries = 0; tries < 3; ++tries) {
    const auto newest = latest_checkpoint(run_.trial_dir(exploit.source));
    if (!newest) break;
    const std::string name = checkpoint_name(*newest);
    const auto copy = state_dir(dir) / ".copying";
    std::filesystem::remove_all(copy, error);
    std::filesystem::create_directories(copy.parent_path(), error);
    std::filesystem::copy(*newest, copy, std::filesystem::copy_options::recursive, error);
    const bool whole =
        !error && std::filesystem::is_directory(*newest) && files_of(*newest) == files_of(copy);
    if (whole) std::filesystem::rename(copy, dir / name, error);
    if (whole && !error) {
      trial.checkpoint = name;
      return;
    }
    std::filesystem::remove_all(copy, error);
  }
  spdlog::warn(
      "trial {}: no checkpoint of trial {} to continue from; it goes on from its start "
      "with the new hyperparameters",
      id, exploit.source);
}

void Master::on_checkpoint(const CheckpointRecord& record) {
  settle_exploit(trials_[static_cast<std::size_t>(record.trial)], record.attempt, nullptr);
  trials_[static_cast<std::size_t>(record.trial)].checkpoint = record.path;
}

std::optional<std::string> Master::restore_point(TrialId id) const {
  if (!campaign_.output.trial_dirs) return std::nullopt;
  const auto dir = run_.trial_dir(id);
  const std::string& journaled = trials_[static_cast<std::size_t>(id)].checkpoint;
  if (!journaled.empty() && std::filesystem::is_directory(dir / journaled)) return journaled;
  if (auto latest = latest_checkpoint(dir)) {
    return checkpoint_name(*latest);
  }
  return std::nullopt;
}

void Master::on_progress(const ProgressRecord& record) {
  // Replayed: progress of a later attempt shows that a pending exploit was carried out, even
  // when that attempt was cut off before it had a result.
  settle_exploit(trials_[static_cast<std::size_t>(record.trial)], record.attempt, nullptr);
  if (scheduler_) scheduler_->observe(record.trial, record.step, objective_of(record));
  trial_progress_.push_back(record);
}

double Master::objective_of(const ProgressRecord& record) const {
  const auto it = record.metrics.find(campaign_.objective.metric);
  return it == record.metrics.end() ? std::nan("") : it->second;
}

void Master::on_attempt(const AttemptRecord& record) {
  Trial& trial = trials_[static_cast<std::size_t>(record.trial)];
  trial.attempts = record.attempt;
  settle_exploit(trial, record.attempt, &record);
  if (record.final) record_final(record.trial, record.result);
}

void Master::settle_exploit(Trial& trial, int attempt, const AttemptRecord* result) {
  if (!trial.exploit) return;
  const ExploitOutcome outcome = exploit_outcome(trial.exploit->attempt, attempt, result);
  if (outcome == ExploitOutcome::Pending) return;
  if (outcome == ExploitOutcome::CarriedOut) {
    trial.params = trial.exploit->params;
    ++trial.exploits;
  }
  trial.exploit.reset();
}

void Master::journal_search_events() {
  for (auto& event : searcher_->take_events()) {
    json record = search_record(std::move(event), unix_time_now());
    journal_->append(record);
    if (dag_) dag_events_.push_back(std::move(record));
  }
}

void Master::on_search(const json& record) {
  if (dag_) dag_events_.push_back(record);
}

Master::Trial* Master::find_trial(TrialId id) {
  return id >= 0 && id < static_cast<TrialId>(trials_.size())
             ? &trials_[static_cast<std::size_t>(id)]
             : nullptr;
}

bool Master::work_remains() const {
  return !queue_.empty() ||
         (!searcher_done_ && static_cast<std::int64_t>(trials_.size()) < budget_);
}

std::optional<TrialId> Master::next_trial(std::vector<int>& avoid, int& priority) {
  avoid.clear();
  priority = 0;
  if (!queue_.empty()) {
    const TrialId id = queue_.front().id;
    avoid = std::move(queue_.front().avoid);
    priority = avoid.empty() ? 0 : kRetryPriority;
    queue_.pop_front();
    return id;
  }
  for (;;) {
    if (searcher_done_ || static_cast<std::int64_t>(trials_.size()) >= budget_) return std::nullopt;
    Suggestion s = searcher_->ask();
    journal_search_events();
    if (s.kind == Suggestion::Kind::Exhausted) {
      searcher_done_ = true;
      if (scheduler_) {
        scheduler_->no_more_trials(static_cast<std::int64_t>(trials_.size()));
        release_held();
      }
    }
    if (s.kind != Suggestion::Kind::Point) return std::nullopt;
    const auto id = static_cast<TrialId>(trials_.size());
    const CreatedRecord created{id, s.params, s.label, s.parents, s.warm_start};
    journal_->append(to_json(created));
    if (dag_) dag_created_.push_back(created);
    trials_.push_back(
        Trial{std::move(s.params), std::move(s.label), 0, false, false, 0, {}, std::nullopt, 0});
    trials_.back().warm_start = s.warm_start;
    if (s.doomed.empty()) return id;
    fail_unrun(id, s.doomed);
  }
}

void Master::fail_unrun(TrialId id, const std::string& message) {
  spdlog::warn("trial {} failed without running: {}", id, message);
  TrialResult result;
  result.status = TrialStatus::Failed;
  result.message = message;
  result.start = result.end = unix_time_now();
  Trial& trial = trials_[static_cast<std::size_t>(id)];
  trial.dispatched = false;
  trial.attempts += 1;
  json record = result_head(0, 0, true);
  record.update(to_json(result));
  record["trial"] = id;
  record["attempt"] = trial.attempts;
  journal_->append(record);
  record_final(id, result);
  release_held();
  journal_search_events();
  check_failure_limit();
}

std::optional<json> Master::next_task() {
  std::vector<int> avoid;
  int priority = 0;
  std::optional<TrialId> next;
  std::string warm_start;
  for (;;) {
    next = next_trial(avoid, priority);
    if (!next) return std::nullopt;
    const Trial& candidate = trials_[static_cast<std::size_t>(*next)];
    if (!candidate.warm_start) break;
    // From the parent's newest checkpoint: the state it ended with (CheckpointPlan::at_end).
    const TrialId parent = *candidate.warm_start;
    if (auto point = restore_point(parent)) {
      warm_start = std::filesystem::absolute(run_.trial_dir(parent) / *point).string();
      break;
    }
    fail_unrun(*next, "trial " + std::to_string(parent) +
                          ", which it starts from, left no checkpoint in its trial directory");
  }
  const TrialId id = *next;
  Trial& trial = trials_[static_cast<std::size_t>(id)];
  // Decided before a crash or a drain, whose attempt never reported back.
  if (trial.exploit) carry_out_exploit(id);
  trial.dispatched = true;
  trial.submitted = unix_time_now();
  // Built member by member: initializer lists deep-copy every value.
  json task = json::object();
  task["trial"] = id;
  task["attempt"] = trial.attempts + 1;
  task["params"] = trial.params;
  if (priority != 0) task["priority"] = priority;
  if (!avoid.empty()) task["avoid"] = avoid;
  if (campaign_.model.ranks_per_trial > 1) task["ranks"] = campaign_.model.ranks_per_trial;
  if (campaign_.output.trial_dirs) task["run_dir"] = run_.trial_dir(id).string();
  if (scheduler_) {
    task["progress"] = {{"answer", scheduler_->answer_steps(id).to_json()}};
    if (auto plan = scheduler_->tournament_plan(id)) task["tournament"] = plan->to_json();
  }
  if (trial.attempts > 0 || run_.resuming()) {
    if (auto restore = restore_point(id)) task["restore"] = *restore;
  }
  if (!warm_start.empty()) task["warm_start"] = warm_start;
  if (dag_warm_starts_) task["checkpoint_at_end"] = true;
  return task;
}

void Master::on_message(const Message& message) {
  if (!dispatcher_.handle(message)) {
    spdlog::warn("master: ignoring unexpected message {} from rank {}", message.tag,
                 message.source);
  }
  check_progress();
}

void Master::on_timer() {
  const double now = transport_.now();
  if (now >= next_tick_) {
    next_tick_ = now + kTickInterval;
    journal_->sync_if_due();
    progress_.update(counts());
    if (exports_dirty_ && now >= next_export_) {
      write_exports();
      const double end = transport_.now();
      next_export_ = end + std::max(kExportInterval, kExportCostFactor * (end - now));
    }
  }
  dispatcher_.on_timer();
  check_progress();
}

void Master::on_idle() {
  journal_->sync_if_due();
}

double Master::next_timer() const {
  return std::min(next_tick_, dispatcher_.next_timer());
}

void Master::check_progress() {
  if (done_) return;
  const int signal = interrupt_signal_ != nullptr ? interrupt_signal_->load() : 0;
  if (signal == SIGTERM || signal == SIGUSR1) {
    if (!drain_until_) drain(StopReason::Drained);
  } else if (signal != 0) {
    finish(StopReason::Interrupted);
    return;
  }
  if (campaign_.limits.walltime_s > 0 && !drain_until_ &&
      transport_.now() - started_ >= campaign_.limits.walltime_s) {
    drain(StopReason::Walltime);
  }
  if (drain_until_ && transport_.now() >= *drain_until_ && !dispatcher_.settled()) {
    spdlog::warn(
        "{} trial(s) did not pause within limits.drain_s = {} s; they start again on "
        "resume",
        dispatcher_.outstanding(), campaign_.limits.drain_s);
    finish(stop_reason_);
    return;
  }
  dispatcher_.feed();
  if (!dispatcher_.settled()) return;
  if (stopping_ || !work_remains()) {
    finish(stop_reason_);
  } else if (dispatcher_.all_servers_starved()) {
    // Every server waits for work and the searcher still has nothing to offer.
    spdlog::error("the searcher is waiting for results but no trial is running; stopping");
    finish(StopReason::Completed);
  }
}

void Master::on_result(int rank, const Payload& payload) {
  ResultPayload parts;
  ResultRecord received;
  try {
    parts = split_result(payload);
    received = read_result(parts.cbor, parts.cbor_size);
  } catch (const std::exception& e) {
    spdlog::warn("master: ignoring an unreadable result from rank {}: {}", rank, e.what());
    return;
  }
  const TrialId id = received.trial;
  const int attempt = received.attempt;
  Trial* found = find_trial(id);
  if (found == nullptr || !found->dispatched || attempt != found->attempts + 1) {
    spdlog::warn("master: ignoring a stale result for trial {} from rank {}", id, rank);
    return;
  }
  Trial& trial = *found;
  trial.dispatched = false;
  trial.attempts = attempt;
  held_.erase(id);

  TrialResult& result = received.result;
  result.rank = rank;
  if (drain_until_ && result.status == TrialStatus::Stopped) {
    // Paused by the drain: like a trial cut off by a crash, it has no result yet, and the
    // resumed campaign continues it from its checkpoint.
    spdlog::info("trial {} {}", id, result.message);
    return;
  }
  if (trial.exploit) {
    if (result.status == TrialStatus::Stopped) {
      // Paused for its exploit: it goes on from the source's state, with the new
      // hyperparameters; the copy is made before the record, which a replay relies on.
      const TrialId source = trial.exploit->source;
      carry_out_exploit(id);
      journal_->append(result_head(rank, std::max(0.0, result.start - trial.submitted), false),
                       parts.text);
      spdlog::info("trial {} paused at step {}; it continues from trial {}'s state", id,
                   result.step, source);
      queue_.push_front({id});
      return;
    }
    trial.exploit.reset();  // it ended before it heard
  }
  const bool retryable =
      result.status == TrialStatus::Failed || result.status == TrialStatus::Timeout;
  const bool final = !retryable || attempt - trial.exploits > campaign_.limits.retries;

  // The worker's text is already the result in journal form; the master puts in front what
  // only it knows rather than building the record again.
  journal_->append(result_head(rank, std::max(0.0, result.start - trial.submitted), final),
                   parts.text);

  if (!final) {
    spdlog::warn("trial {} attempt {} {}: {}; retrying", id, attempt, to_string(result.status),
                 result.message);
    // Trainers that train together hold every other worker while they wait for this one; any
    // other retry avoids the worker, or every member of the group, that failed.
    std::vector<int> avoid;
    if (!scheduler_ || scheduler_->trains_together() == 0) {
      avoid = received.group.empty() ? std::vector<int>{rank} : std::move(received.group);
    }
    queue_.push_back({id, std::move(avoid)});
    if (stopping_) leave_scheduler(id);
    return;
  }
  if (result.status == TrialStatus::Stopped) {
    spdlog::debug("trial {} stopped at step {}", id, result.step);
  } else if (result.status != TrialStatus::Ok) {
    spdlog::warn("trial {} {}: {}", id, to_string(result.status), result.message);
  }
  record_final(id, result);
  release_held();
  journal_search_events();
  check_failure_limit();
}

void Master::check_failure_limit() {
  if (campaign_.limits.max_failures && failures_ >= *campaign_.limits.max_failures && !stopping_) {
    spdlog::error("{} trials failed (limits.max_failures = {}); stopping the campaign", failures_,
                  *campaign_.limits.max_failures);
    stop_dispatching(StopReason::MaxFailures);
  }
}

void Master::on_progress(int worker, const json& batch) {
  for (const json& item : batch.value("checkpoints", json::array())) {
    try {
      const CheckpointRecord record = checkpoint_from_json(item);
      if (find_trial(record.trial) == nullptr) continue;
      journal_->append(to_json(record));
      on_checkpoint(record);
    } catch (const std::exception& e) {
      spdlog::warn("master: ignoring an unreadable checkpoint from rank {}: {}", worker, e.what());
    }
  }
  for (const json& item : batch.at("items")) {
    if (item.contains("tournament")) {
      answer_tournament(worker, item);
      continue;
    }
    ProgressRecord record;
    try {
      record = progress_from_json(item);
    } catch (const json::exception& e) {
      spdlog::warn("master: ignoring unreadable progress from rank {}: {}", worker, e.what());
      continue;
    }
    if (find_trial(record.trial) == nullptr) {
      spdlog::warn("master: ignoring progress of unknown trial {} from rank {}", record.trial,
                   worker);
      continue;
    }
    journal_->append_lazily(to_json(record));
    on_progress(record);
    if (item.value("answer", false)) answer(worker, record);
    exports_dirty_ = true;
  }
  release_held();
}

void Master::answer(int worker, const ProgressRecord& record) {
  DecisionRecord decision{record.trial, record.attempt, record.step, "continue", json::object()};
  const Trial& reporting = trials_[static_cast<std::size_t>(record.trial)];
  // A report of an attempt that is no longer the trial's (an abandoned timeout's) gets no verdict.
  const bool current =
      reporting.dispatched && !reporting.finished && record.attempt == reporting.attempts + 1;
  Verdict verdict = Verdict::Continue;
  if (scheduler_ && current) {
    verdict = scheduler_->decide(record.trial, record.step, objective_of(record), decision.why);
    if (verdict == Verdict::Wait) {
      held_[record.trial] = HeldAnswer{worker, record.attempt, record.step};
      return;
    }
  }
  deliver(worker, verdict, std::move(decision), scheduler_ && current, false);
}

void Master::release_held() {
  if (!scheduler_) return;
  for (ReleasedVerdict& released : scheduler_->released()) {
    const auto it = held_.find(released.trial);
    if (it == held_.end() || it->second.step != released.step) continue;
    const HeldAnswer held = it->second;
    held_.erase(it);
    const Trial& trial = trials_[static_cast<std::size_t>(released.trial)];
    if (!trial.dispatched || trial.finished || held.attempt != trial.attempts + 1) continue;
    deliver(held.worker, released.verdict,
            DecisionRecord{released.trial, held.attempt, held.step, "continue",
                           std::move(released.why)},
            true, false);
  }
}

void Master::answer_tournament(int worker, const json& item) {
  TournamentRecord record;
  try {
    record = tournament_from_json(item);
  } catch (const std::exception& e) {
    spdlog::warn("master: ignoring an unreadable tournament outcome from rank {}: {}", worker,
                 e.what());
    return;
  }
  const Trial* trial = find_trial(record.trial);
  if (trial == nullptr) return;
  journal_->append_lazily(to_json(record));
  DecisionRecord decision{record.trial, record.attempt, record.step, "continue", json::object()};
  const bool current =
      trial->dispatched && !trial->finished && record.attempt == trial->attempts + 1;
  Verdict verdict = Verdict::Continue;
  if (scheduler_ && current) {
    verdict = scheduler_->after_tournament(record.trial, record.step, record.won, decision.why);
  }
  deliver(worker, verdict, std::move(decision), verdict != Verdict::Continue, true);
}

void Master::deliver(int worker, Verdict verdict, DecisionRecord decision, bool journaled,
                     bool outcome) {
  if (verdict == Verdict::Exploit) {
    // The state to copy must be there and be the source's own: not of a finished trial, nor
    // of one about to take another's.
    const Trial& source = trials_[decision.why.at("source").get<std::size_t>()];
    if (source.finished || source.exploit) {
      verdict = Verdict::Continue;
      decision.why = {{"source_unavailable", decision.why.at("source")}};
    }
  }
  decision.decision = to_string(verdict);
  std::string told = decision.decision;  // what the worker hears
  json control = json::object();
  if (verdict == Verdict::Exploit) {
    const auto source = decision.why.at("source").get<TrialId>();
    decision.why["params"] = scheduler_->explore(trials_[static_cast<std::size_t>(source)].params,
                                                 decision.trial, decision.step);
    trials_[static_cast<std::size_t>(decision.trial)].exploit =
        Trial::Exploit{source, decision.why["params"], decision.attempt};
    // It checkpoints and stops; the master then continues it from the source's state.
    told = "pause";
  } else if (verdict == Verdict::Tournament) {
    const auto partner = decision.why.at("partner").get<TrialId>();
    control["partner"] = {
        {"trial", partner},
        {"snapshot",
         std::filesystem::absolute(exchange_snapshot(run_.trial_dir(partner), decision.step))
             .string()}};
  }
  // A stop is made durable before the worker acts on it. A continue (or a tournament, which the
  // scheduler pairs again from the replayed reports) may wait for the next sync: lost in a
  // crash, it is decided again on resume from the same replayed reports, and under fsync
  // "always" syncing each one would cost a trial reporting every step an fsync per step.
  if (journaled) {
    if (verdict == Verdict::Stop || verdict == Verdict::Exploit) {
      journal_->append(to_json(decision));
    } else {
      journal_->append_lazily(to_json(decision));
    }
  }
  control["trial"] = decision.trial;
  control["attempt"] = decision.attempt;
  control["step"] = decision.step;
  control["decision"] = told;
  if (outcome) control["outcome"] = true;
  dispatcher_.send_control(worker, control);
}

void Master::drain(StopReason reason) {
  spdlog::warn("{}: pausing the running trials (checkpoint and stop), then ending the run",
               reason == StopReason::Walltime ? "limits.walltime_s reached" : "signal received");
  drain_until_ = transport_.now() + campaign_.limits.drain_s;
  stop_dispatching(reason);
  json control = json::object();
  control["drain"] = true;
  for (int rank = 0; rank < layout_.ranks(); ++rank) {
    if (!layout_.is_server(rank)) dispatcher_.send_control(rank, control);
  }
}

void Master::stop_dispatching(StopReason reason) {
  stopping_ = true;
  stop_reason_ = reason;
  // Queued tasks are withdrawn; running ones finish and are recorded. Trials that will not run
  // again take part in no more decisions, so that none of the running ones waits for them.
  dispatcher_.stop_feeding();
  for (const auto& queued : queue_) leave_scheduler(queued.id);
}

void Master::on_withdrawn(const json& trial) {
  find_trial(trial.get<TrialId>())->dispatched = false;
  if (stopping_) leave_scheduler(trial.get<TrialId>());
}

void Master::leave_scheduler(TrialId id) {
  if (!scheduler_) return;
  scheduler_->ended(id);
  release_held();
}

void Master::record_final(TrialId id, const TrialResult& result) {
  Trial& trial = trials_[static_cast<std::size_t>(id)];
  trial.finished = true;
  held_.erase(id);
  if (scheduler_) scheduler_->ended(id);
  TrialRecord record{id, trial.label, trial.params, trial.attempts, result};
  searcher_->tell(record);
  if (result.status == TrialStatus::Stopped) {
    ++stopped_;
  } else if (result.status != TrialStatus::Ok) {
    ++failures_;
  }
  const auto previous_best = best_;
  if (result.status == TrialStatus::Ok && (!best_ || better(result.value, best_->result.value))) {
    best_ = record;
    journal_->flush();  // best.json never names a trial the journal lacks
    write_file_atomically(run_.best_json(), best_json(*best_).dump(2) + "\n");
  }
  if (keep_best_checkpoint_only_) prune_checkpoints(id, previous_best);
  finished_.push_back(std::move(record));
  exports_dirty_ = true;
}

void Master::prune_checkpoints(TrialId finished,
                               const std::optional<TrialRecord>& previous_best) const {
  // A checkpoint is removed once a better trial has finished, so the best one never goes
  // missing; resuming replays the same decisions.
  const TrialId loser =
      best_ && best_->id == finished && previous_best ? previous_best->id : finished;
  if (best_ && best_->id == loser) return;
  std::error_code ignored;
  std::filesystem::remove_all(checkpoint_dir(run_.trial_dir(loser)), ignored);
}

void Master::finish(StopReason reason) {
  stop_reason_ = reason;
  if (stop_reason_ == StopReason::Completed && !best_) stop_reason_ = StopReason::NoTrialSucceeded;
  if (stop_reason_ != StopReason::Interrupted) {
    journal_->append(to_json(EndRecord{unix_time_now(), end_reason(stop_reason_)}));
  }
  journal_->sync();
  write_exports();
  // Columnar and not cheap to rewrite: written once, when the run stops. A failure here must
  // not keep the workers from being shut down; `overseer export` writes it again.
  try {
    write_results_h5(run_.results_h5(), campaign_, finished_, trial_progress_);
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
  }
  progress_.finish(counts());
  log_stop(stop_reason_);
  dispatcher_.shutdown_all();
  done_ = true;
}

bool Master::better(double candidate, double incumbent) const {
  return campaign_.objective.mode == ObjectiveMode::Min ? candidate < incumbent
                                                        : candidate > incumbent;
}

ProgressCounts Master::counts() const {
  ProgressCounts c;
  c.done = static_cast<std::int64_t>(finished_.size());
  c.total = budget_;
  c.running = dispatcher_.outstanding();
  c.failed = failures_;
  c.stopped = stopped_;
  if (best_) c.best = best_->result.value;
  return c;
}

void Master::write_exports() {
  journal_->flush();
  write_run_exports(run_, campaign_, finished_, trial_progress_, dag_created_, dag_events_);
  exports_dirty_ = false;
}

void Master::log_stop(StopReason reason) const {
  switch (reason) {
    case StopReason::Completed:
      spdlog::info("campaign {} completed: results in {}", campaign_.name, run_.path().string());
      break;
    case StopReason::NoTrialSucceeded:
      spdlog::error("campaign {} completed but no trial succeeded: see the messages in {}",
                    campaign_.name, run_.results_csv().string());
      break;
    case StopReason::MaxFailures:
      spdlog::error("campaign {} stopped after {} failures: partial results in {}", campaign_.name,
                    failures_, run_.path().string());
      break;
    case StopReason::Interrupted:
      spdlog::warn("campaign {} interrupted: continue it with --resume (results so far in {})",
                   campaign_.name, run_.path().string());
      break;
    case StopReason::Drained:
    case StopReason::Walltime:
      spdlog::warn("campaign {} paused ({}): continue it with\n  overseer run {} --out {} --resume",
                   campaign_.name, reason == StopReason::Walltime ? "limits.walltime_s" : "signal",
                   std::filesystem::absolute(campaign_.file).string(),
                   std::filesystem::absolute(run_.path()).string());
      break;
  }
}

}  // namespace overseer
