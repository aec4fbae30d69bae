#pragma once

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "overseer/balancer/transport.hpp"
#include "overseer/core/campaign.hpp"
#include "overseer/report/progress.hpp"
#include "overseer/search/searcher.hpp"
#include "overseer/store/journal.hpp"
#include "overseer/store/run_directory.hpp"

namespace overseer {

// Why a campaign stopped; decides the exit code.
enum class StopReason { Completed, NoTrialSucceeded, MaxFailures, Interrupted };

// Rank 0: drives the searcher, hands trials to workers, and journals every event before
// acting on it. On resume it replays the journal: finished trials are kept, trials that were
// running are queued again, and the searcher is brought back to the state it had.
class Master {
 public:
  Master(const Campaign& campaign, std::unique_ptr<Searcher> searcher, const RunDirectory& run,
         Transport& transport, const std::atomic<int>* interrupt_signal);

  StopReason run();
  // Tells every worker rank to exit; safe to call when no campaign ran.
  static void shutdown_workers(Transport& transport);

 private:
  struct Trial {
    json params;
    std::string label;
    int attempts = 0;  // attempts with a result
    bool finished = false;
  };
  struct QueuedAttempt {
    TrialId id;
    int avoid_rank;  // the worker whose attempt failed, when a retry should go elsewhere
  };

  void replay(const std::vector<json>& records);
  void replay_created(const json& record);
  void dispatch();
  std::optional<TrialId> next_trial_for(int rank);
  void send_task(int rank, TrialId id);
  void handle(const Message& message);
  void handle_result(int rank, const json& body);
  void record_final(TrialId id, const TrialResult& result);
  bool work_remains() const;
  bool better(double candidate, double incumbent) const;
  ProgressCounts counts() const;
  void write_exports();
  void log_stop(StopReason reason) const;

  const Campaign& campaign_;
  std::unique_ptr<Searcher> searcher_;
  const RunDirectory& run_;
  Transport& transport_;
  const std::atomic<int>* interrupt_signal_;
  std::unique_ptr<Journal> journal_;
  Progress progress_;

  std::int64_t budget_;
  std::map<TrialId, Trial> trials_;
  std::map<TrialId, int> running_;   // trial -> worker rank
  std::deque<QueuedAttempt> queue_;  // retries and attempts interrupted by a crash
  std::deque<int> idle_;
  std::set<int> workers_;
  bool searcher_done_ = false;
  bool stopping_ = false;
  StopReason stop_reason_ = StopReason::Completed;

  std::vector<TrialRecord> finished_;
  std::int64_t failures_ = 0;
  std::optional<TrialRecord> best_;
  bool exports_dirty_ = false;
};

}  // namespace overseer
