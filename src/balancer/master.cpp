#include "overseer/balancer/master.hpp"

#include <unistd.h>

#include <cmath>

#include <spdlog/spdlog.h>

#include "overseer/balancer/protocol.hpp"
#include "overseer/store/results_export.hpp"

namespace overseer {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(100);
constexpr auto kExportInterval = std::chrono::seconds(10);

std::string host_name() {
  char buffer[256] = {};
  ::gethostname(buffer, sizeof buffer - 1);
  return buffer;
}

}  // namespace

Master::Master(const Campaign& campaign, std::unique_ptr<Searcher> searcher,
               const RunDirectory& run, Transport& transport,
               const std::atomic<int>* interrupt_signal)
    : campaign_(campaign),
      searcher_(std::move(searcher)),
      run_(run),
      transport_(transport),
      interrupt_signal_(interrupt_signal),
      budget_(campaign.search.budget.value_or(0)) {}

void Master::shutdown_workers(Transport& transport) {
  for (int r = 1; r < transport.size(); ++r) send(transport, r, Tag::Shutdown, json::object());
}

StopReason Master::run() {
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
  journal_->append({{"event", "start"},
                    {"time", unix_time_now()},
                    {"hash", campaign_.identity_hash()},
                    {"resumed", run_.resuming()},
                    {"ranks", transport_.size()},
                    {"host", host_name()}});
  if (run_.resuming()) {
    spdlog::info("resuming {}: {} finished, {} to run again", run_.path().string(),
                 finished_.size(), queue_.size());
  }

  auto last_export = std::chrono::steady_clock::now();
  while (true) {
    if (interrupt_signal_ != nullptr && interrupt_signal_->load() != 0) {
      stop_reason_ = StopReason::Interrupted;
      break;
    }
    if (!stopping_) dispatch();
    if (running_.empty() && (stopping_ || !work_remains())) break;
    if (running_.empty() && !idle_.empty() &&
        idle_.size() == static_cast<std::size_t>(transport_.size() - 1)) {
      // Every worker is idle and the searcher still has nothing to offer: it cannot progress.
      spdlog::error("the searcher is waiting for results but no trial is running; stopping");
      break;
    }
    if (auto message = transport_.receive(kPollInterval)) {
      handle(*message);
      while (auto more = transport_.receive(std::chrono::milliseconds(0))) handle(*more);
    }
    journal_->sync_if_due();
    progress_.update(counts());
    const auto now = std::chrono::steady_clock::now();
    if (exports_dirty_ && now - last_export >= kExportInterval) {
      write_exports();
      last_export = now;
    }
  }

  if (stop_reason_ == StopReason::Completed && !best_) stop_reason_ = StopReason::NoTrialSucceeded;
  if (stop_reason_ != StopReason::Interrupted) {
    journal_->append(
        {{"event", "end"},
         {"time", unix_time_now()},
         {"reason", stop_reason_ == StopReason::MaxFailures ? "max_failures" : "completed"}});
  }
  journal_->sync();
  write_exports();
  progress_.finish(counts());
  log_stop(stop_reason_);
  return stop_reason_;
}

void Master::replay(const std::vector<json>& records) {
  bool warned = false;
  for (const json& record : records) {
    const std::string event = record.value("event", "");
    if (event == "created") {
      const TrialId id = record.at("trial").get<TrialId>();
      // Advance the searcher exactly as the first run did; the journal's params win if a
      // searcher turns out not to be reproducible.
      Suggestion s = searcher_->ask();
      if (!warned && (s.kind != Suggestion::Kind::Point || s.params != record.at("params"))) {
        spdlog::warn("journal: the searcher did not reproduce trial {}; using the journal's", id);
        warned = true;
      }
      trials_[id] = Trial{record.at("params"), record.value("label", ""), 0, false};
    } else if (event == "result") {
      const TrialId id = record.at("trial").get<TrialId>();
      Trial& trial = trials_.at(id);
      trial.attempts = record.at("attempt").get<int>();
      if (record.value("final", false)) record_final(id, trial_result_from_json(record));
    }
  }
  for (const auto& [id, trial] : trials_) {
    if (!trial.finished) queue_.push_back({id, -1});
  }
}

bool Master::work_remains() const {
  return !queue_.empty() ||
         (!searcher_done_ && static_cast<std::int64_t>(trials_.size()) < budget_);
}

std::optional<TrialId> Master::next_trial_for(int rank) {
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    if (it->avoid_rank == rank && workers_.size() > 1) continue;
    const TrialId id = it->id;
    queue_.erase(it);
    return id;
  }
  if (searcher_done_ || static_cast<std::int64_t>(trials_.size()) >= budget_) return std::nullopt;
  Suggestion s = searcher_->ask();
  if (s.kind == Suggestion::Kind::Exhausted) searcher_done_ = true;
  if (s.kind != Suggestion::Kind::Point) return std::nullopt;
  const auto id = static_cast<TrialId>(trials_.size());
  json record = {{"event", "created"}, {"trial", id}, {"params", s.params}};
  if (!s.label.empty()) record["label"] = s.label;
  journal_->append(record);
  trials_[id] = Trial{std::move(s.params), std::move(s.label), 0, false};
  return id;
}

void Master::dispatch() {
  for (std::size_t i = 0; i < idle_.size();) {
    const int rank = idle_[i];
    auto id = next_trial_for(rank);
    if (!id) {
      ++i;
      continue;
    }
    idle_.erase(idle_.begin() + static_cast<std::ptrdiff_t>(i));
    send_task(rank, *id);
  }
}

void Master::send_task(int rank, TrialId id) {
  const Trial& trial = trials_.at(id);
  json task = {{"trial", id}, {"attempt", trial.attempts + 1}, {"params", trial.params}};
  if (campaign_.output.trial_dirs) task["run_dir"] = run_.trial_dir(id).string();
  running_[id] = rank;
  send(transport_, rank, Tag::Task, task);
}

void Master::handle(const Message& message) {
  switch (static_cast<Tag>(message.tag)) {
    case Tag::Ready:
      workers_.insert(message.source);
      send(transport_, message.source, Tag::Setup,
           {{"campaign", campaign_.resolved()},
            {"campaign_file", std::filesystem::absolute(campaign_.file).string()}});
      idle_.push_back(message.source);
      break;
    case Tag::Result:
      handle_result(message.source, decode(message.payload));
      break;
    default:
      spdlog::warn("master: ignoring unexpected message {} from rank {}", message.tag,
                   message.source);
  }
}

void Master::handle_result(int rank, const json& body) {
  const TrialId id = body.at("trial").get<TrialId>();
  const int attempt = body.at("attempt").get<int>();
  auto running = running_.find(id);
  if (running == running_.end() || running->second != rank) {
    spdlog::warn("master: ignoring a stale result for trial {} from rank {}", id, rank);
    return;
  }
  running_.erase(running);
  idle_.push_back(rank);

  TrialResult result = trial_result_from_json(body);
  result.rank = rank;
  Trial& trial = trials_.at(id);
  trial.attempts = attempt;
  const bool retryable =
      result.status == TrialStatus::Failed || result.status == TrialStatus::Timeout;
  const bool final = !retryable || attempt > campaign_.limits.retries;

  json record = to_json(result);
  record["event"] = "result";
  record["trial"] = id;
  record["attempt"] = attempt;
  record["final"] = final;
  journal_->append(record);

  if (!final) {
    spdlog::warn("trial {} attempt {} {}: {}; retrying", id, attempt, to_string(result.status),
                 result.message);
    queue_.push_back({id, rank});
    return;
  }
  if (result.status != TrialStatus::Ok) {
    spdlog::warn("trial {} {}: {}", id, to_string(result.status), result.message);
  }
  record_final(id, result);
  if (campaign_.limits.max_failures && failures_ >= *campaign_.limits.max_failures && !stopping_) {
    spdlog::error("{} trials failed (limits.max_failures = {}); stopping the campaign", failures_,
                  *campaign_.limits.max_failures);
    stopping_ = true;
    stop_reason_ = StopReason::MaxFailures;
  }
}

void Master::record_final(TrialId id, const TrialResult& result) {
  Trial& trial = trials_.at(id);
  trial.finished = true;
  TrialRecord record{id, trial.label, trial.params, trial.attempts, result};
  searcher_->tell(record);
  if (result.status != TrialStatus::Ok) ++failures_;
  if (result.status == TrialStatus::Ok && (!best_ || better(result.value, best_->result.value))) {
    best_ = record;
    write_file_atomically(run_.best_json(), best_json(*best_).dump(2) + "\n");
  }
  finished_.push_back(std::move(record));
  exports_dirty_ = true;
}

bool Master::better(double candidate, double incumbent) const {
  return campaign_.objective.mode == ObjectiveMode::Min ? candidate < incumbent
                                                        : candidate > incumbent;
}

ProgressCounts Master::counts() const {
  ProgressCounts c;
  c.done = static_cast<std::int64_t>(finished_.size());
  c.total = budget_;
  c.running = static_cast<std::int64_t>(running_.size());
  c.failed = failures_;
  if (best_) c.best = best_->result.value;
  return c;
}

void Master::write_exports() {
  write_file_atomically(run_.results_csv(), results_csv(campaign_.space, finished_));
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
  }
}

}  // namespace overseer
