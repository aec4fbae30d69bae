#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "overseer/core/json_view.hpp"
#include "overseer/core/trial.hpp"

namespace overseer {

// The kinds of record in journal.jsonl and their fields (docs/campaign.md, "journal.jsonl"):
// the master writes them through these types, and every reader (the master's resume, the run
// history behind status, report and export) gets them back through replay_journal.

// A run began, or a resume of it: the campaign's identity hash and the job's shape.
struct StartRecord {
  double time = 0;
  std::string hash;
  bool resumed = false;
  int ranks = 0;
  int servers = 0;
  std::string host;
};

// A trial the searcher proposed; ids count up from 0.
struct CreatedRecord {
  TrialId trial = 0;
  json params;
  std::string label;  // UPF id or DAG node, may be empty
  // A DAG's trial: the trials it followed, and the one whose final checkpoint it starts from.
  std::vector<TrialId> parents = {};
  std::optional<TrialId> warm_start = std::nullopt;
};

// One attempt at a trial. `final` marks the attempt whose result stands; earlier ones were
// retried.
struct AttemptRecord {
  TrialId trial = 0;
  int attempt = 0;
  bool final = false;
  double queued_s = 0;  // from being handed to a server to starting on a worker
  TrialResult result;
};

// What a later record of a trial says of a pbt exploit decided on its attempt `decided` (a
// decision record "exploit"): carried out when that attempt paused for it (the master copies
// the source's state before that record) or any later attempt left a record; moot when that
// attempt ended otherwise (the trial finished, or failed and was retried as it was); pending
// otherwise. `result` is the record's result for an attempt record, null for progress and
// checkpoint records. The master's replay, the run history and the report all judge so.
enum class ExploitOutcome { Pending, CarriedOut, Moot };
ExploitOutcome exploit_outcome(int decided, int attempt, const AttemptRecord* result);

// What a running trial reported after a step of training (an epoch, boosting rounds).
struct ProgressRecord {
  TrialId trial = 0;
  int attempt = 0;
  std::int64_t step = 0;
  double time = 0;  // Unix seconds, when the worker took the report
  std::map<std::string, double> metrics;
};

// A scheduler's verdict on a report that waited for one, journaled before the worker hears it.
struct DecisionRecord {
  TrialId trial = 0;
  int attempt = 0;
  std::int64_t step = 0;
  std::string decision;  // "continue", "stop" or "exploit"
  // The scheduler's reasons (rung and rank, median), an object; for an exploit also `source`,
  // the trial whose state it continues from, and `params`, the hyperparameters it goes on with.
  json why;
};

// A checkpoint of a running trial's training state, complete in its trial directory.
struct CheckpointRecord {
  TrialId trial = 0;
  int attempt = 0;
  std::int64_t step = 0;
  std::string path;  // relative to the trial directory: state/step-N
};

// How a trainer's ltfb tournament ended: both states scored on its own tournament rows
// (lower wins), and whether it kept its own. Sent by the worker after the decision
// "tournament" that paired it with `partner`.
struct TournamentRecord {
  TrialId trial = 0;
  int attempt = 0;
  std::int64_t step = 0;
  TrialId partner = 0;
  double own = 0;
  double partner_score = 0;
  bool won = true;
};

// The campaign ended by itself (an interrupted one has no end record).
struct EndRecord {
  double time = 0;
  std::string reason;  // "completed" or "max_failures"
};

json to_json(const StartRecord& record);
json to_json(const CreatedRecord& record);
json to_json(const EndRecord& record);
json to_json(const ProgressRecord& record);
json to_json(const DecisionRecord& record);
json to_json(const CheckpointRecord& record);
json to_json(const TournamentRecord& record);
// A tournament item as a worker sends it ({trial, attempt, step, tournament: {partner, own,
// partner_score, won}}), read back.
TournamentRecord tournament_from_json(const json& item);
CheckpointRecord checkpoint_from_json(const json& item);
// A progress item as a worker sends it ({trial, attempt, step, time, metrics}), read back.
ProgressRecord progress_from_json(const json& item);
// A searcher's event (what it decided, for the report) as a `search` record.
json search_record(json event, double time);
// The members a result record has besides the worker's result (to_json(TrialResult) with
// `trial` and `attempt`), which Journal::append(head, text) puts in front of the worker's text
// so the master need not build the record again.
json result_head(int rank, double queued_s, bool final);

// What a reader of the journal is told, record by record, in journal order.
class JournalVisitor {
 public:
  virtual ~JournalVisitor() = default;
  virtual void on_start(const StartRecord&) {}
  virtual void on_created(const CreatedRecord&) {}
  virtual void on_attempt(const AttemptRecord&) {}
  virtual void on_progress(const ProgressRecord&) {}
  virtual void on_decision(const DecisionRecord&) {}
  virtual void on_checkpoint(const CheckpointRecord&) {}
  virtual void on_tournament(const TournamentRecord&) {}
  virtual void on_search(const json& /*record*/) {}
  virtual void on_end(const EndRecord&) {}
};

// Replays the records of `file` in order through `visitor`, after checking that each fits the
// ones before it: a start record first, created trials numbered 0, 1, 2, ..., results and
// progress only for created trials, and results only for those with no final result yet. Records of
// other kinds are skipped. A mistake throws InputError naming `file:line`.
void replay_journal(const std::vector<json>& records, const std::string& file,
                    JournalVisitor& visitor);

}  // namespace overseer
