#pragma once

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "overseer/balancer/dispatcher.hpp"
#include "overseer/balancer/layout.hpp"
#include "overseer/balancer/role.hpp"
#include "overseer/core/campaign.hpp"
#include "overseer/report/progress.hpp"
#include "overseer/schedulers/scheduler.hpp"
#include "overseer/search/searcher.hpp"
#include "overseer/store/journal.hpp"
#include "overseer/store/journal_records.hpp"
#include "overseer/store/run_directory.hpp"

namespace overseer {

// Why a campaign stopped; decides the exit code.
// Drained: SIGTERM or SIGUSR1 (a batch job's end); Walltime: limits.walltime_s. Both pause the
// running trials and end the run resumably.
enum class StopReason { Completed, NoTrialSucceeded, MaxFailures, Interrupted, Drained, Walltime };

// Rank 0: drives the searcher, feeds the servers' queues (its own server 0 directly), and
// journals every event before acting on it. On resume it replays the journal: finished trials
// are kept, trials that were running are queued again, and the searcher is brought back to the
// state it had.
class Master : public Role, private TaskSource, private JournalVisitor {
 public:
  Master(const Campaign& campaign, std::unique_ptr<Searcher> searcher,
         std::unique_ptr<Scheduler> scheduler, const RunDirectory& run, Transport& transport,
         const Layout& layout, const ServerOptions& server_options,
         const std::atomic<int>* interrupt_signal);

  // Runs the campaign over a real transport.
  StopReason run();
  void start() override;
  void on_message(const Message& message) override;
  void on_timer() override;
  double next_timer() const override;
  void on_idle() override;
  bool done() const override { return done_; }
  // Attempts still running when the run ended (a drain that outlasted limits.drain_s).
  std::int64_t left_running() const { return dispatcher_.outstanding(); }

 private:
  struct Trial {
    json params;
    std::string label;
    int attempts = 0;  // attempts with a result
    bool finished = false;
    bool dispatched = false;  // handed to a server and not yet back
    double submitted = 0;     // when the current attempt was handed out (Unix time)
    std::string checkpoint;   // the newest checkpoint journaled, relative to its directory
    // A pbt exploit decided and not yet carried out: once the attempt that heard it pauses,
    // the trial continues from `source`'s newest checkpoint with `params` (from its own when
    // `source` is the trial: an ltfb loser's perturb).
    struct Exploit {
      TrialId source = 0;
      json params;
      int attempt = 0;
    };
    std::optional<Exploit> exploit;
    int exploits = 0;  // attempts that ended in an exploit, which the retry limit does not count
    // A DAG's trial that starts from the final checkpoint of this one.
    std::optional<TrialId> warm_start = std::nullopt;
    // Not empty: created to fail without running (a DAG's subtree under a failed trial).
    std::string doomed = {};
  };
  struct QueuedAttempt {
    TrialId id;
    // The workers whose attempt failed (one, or a trial's whole group), when a retry should go
    // elsewhere.
    std::vector<int> avoid = {};
  };

  void replay(const std::vector<json>& records);
  void on_start(const StartRecord& record) override;
  void on_created(const CreatedRecord& record) override;
  void on_attempt(const AttemptRecord& record) override;
  void on_progress(const ProgressRecord& record) override;
  void on_checkpoint(const CheckpointRecord& record) override;
  void on_decision(const DecisionRecord& record) override;
  void on_search(const json& record) override;
  // Makes the trial continue as its pending exploit says: the source's newest checkpoint copied
  // into its directory in place of its own, and the new hyperparameters.
  void carry_out_exploit(TrialId id);
  // While replaying: what a record of `attempt` (with its result, for an attempt record) says
  // of the trial's pending exploit; once settled, its hyperparameters apply if carried out.
  void settle_exploit(Trial& trial, int attempt, const AttemptRecord* result);
  // Where an attempt of the trial continues from: its newest checkpoint, as the journal or,
  // should the record have been lost in a crash, the trial directory has it.
  std::optional<std::string> restore_point(TrialId id) const;
  Trial* find_trial(TrialId id);
  std::optional<json> next_task() override;
  // The trial to hand out next, from the queue or the searcher; nullopt: none now.
  std::optional<TrialId> next_trial(std::vector<int>& avoid, int& priority);
  // Records a final failure for a trial that never ran (a DAG's subtree under a failed trial,
  // a warm start with no checkpoint to start from).
  void fail_unrun(TrialId id, const std::string& message);
  void on_result(int worker, const Payload& payload) override;
  void on_withdrawn(const json& trial) override;
  void on_progress(int worker, const json& batch) override;
  // Answers a report that waits for the scheduler's decision, journaled first, or holds the
  // answer back when the scheduler waits (ltfb: for the other trainers to reach the step).
  void answer(int worker, const ProgressRecord& record);
  // Sends the answers the scheduler has released since (see Scheduler::released).
  void release_held();
  // Answers a trial's tournament outcome: it goes on, or pauses to go on with new
  // hyperparameters (Scheduler::after_tournament).
  void answer_tournament(int worker, const json& item);
  // Tells the worker `verdict` on the report of (`decision.trial`, attempt, step), journaling
  // the decision when `journaled`; `outcome`: the answer to a tournament outcome.
  void deliver(int worker, Verdict verdict, DecisionRecord decision, bool journaled, bool outcome);
  // The objective's value in a progress report (NaN when it lacks it).
  double objective_of(const ProgressRecord& record) const;
  void record_final(TrialId id, const TrialResult& result);
  void journal_search_events();
  void check_progress();
  void stop_dispatching(StopReason reason);
  // Stops handing out trials once limits.max_failures trials have failed.
  void check_failure_limit();
  // A trial that will not run again while the campaign stops: the scheduler stops waiting for it.
  void leave_scheduler(TrialId id);
  // Stops handing out trials and asks every worker to pause its trial (checkpoint and stop).
  void drain(StopReason reason);
  void finish(StopReason reason);
  bool work_remains() const;
  bool better(double candidate, double incumbent) const;
  void prune_checkpoints(TrialId finished, const std::optional<TrialRecord>& previous_best) const;
  ProgressCounts counts() const;
  void write_exports();
  void log_stop(StopReason reason) const;

  const Campaign& campaign_;
  std::unique_ptr<Searcher> searcher_;
  std::unique_ptr<Scheduler> scheduler_;  // null: trials run to their end
  const RunDirectory& run_;
  Transport& transport_;
  const Layout& layout_;
  const std::atomic<int>* interrupt_signal_;
  std::unique_ptr<Journal> journal_;
  Progress progress_;
  Dispatcher dispatcher_;

  std::int64_t budget_;
  std::vector<Trial> trials_;        // indexed by trial id, which counts up from 0
  std::deque<QueuedAttempt> queue_;  // retries and attempts interrupted by a crash
  // Reports whose answer the scheduler holds back, by trial.
  struct HeldAnswer {
    int worker = 0;
    int attempt = 0;
    std::int64_t step = 0;
  };
  std::map<TrialId, HeldAnswer> held_;
  bool searcher_done_ = false;
  bool stopping_ = false;
  bool done_ = false;
  StopReason stop_reason_ = StopReason::Completed;

  std::vector<TrialRecord> finished_;
  std::vector<ProgressRecord> trial_progress_;  // every progress record, for the exports
  std::int64_t failures_ = 0;
  std::int64_t stopped_ = 0;
  std::optional<TrialRecord> best_;
  // `save_model: best`: the master removes every checkpoint but the best trial's.
  bool keep_best_checkpoint_only_ = false;
  bool exports_dirty_ = false;
  // A dag search: its created trials and search events, for tree.csv.
  bool dag_ = false;
  bool dag_warm_starts_ = false;  // every trial saves the state it ends with
  std::vector<CreatedRecord> dag_created_;
  std::vector<json> dag_events_;
  double next_tick_ = 0;
  double started_ = 0;                 // transport time of start()
  std::optional<double> drain_until_;  // while draining: when to stop waiting for trials
  // While replaying the journal: the last start record's hash, and whether the searcher's
  // failure to reproduce a trial was reported.
  std::string replayed_hash_;
  bool replay_warned_ = false;
  double next_export_ = 0;
};

}  // namespace overseer
