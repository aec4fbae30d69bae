#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "overseer/core/campaign.hpp"
#include "overseer/core/trial.hpp"
#include "overseer/store/journal_records.hpp"

namespace overseer {

// One `start` record and what followed it up to the next one: a run, or a resume of it.
struct RunSession {
  double start = 0;  // Unix seconds
  double last = 0;   // the latest time any record of this session carries
  int ranks = 0;
  int servers = 0;
  std::string host;
  std::string end_reason;  // from its `end` record; empty when it has none (yet)
  int workers() const { return ranks - servers; }
};

// A run directory as its journal tells it, for status, reports and exports; readable while a
// campaign is writing to it (an incomplete last line is left out).
struct RunHistory {
  std::filesystem::path dir;
  Campaign campaign;                   // from campaign.json
  std::vector<CreatedRecord> created;  // by trial id
  std::vector<TrialRecord> finished;   // final results, in the order they arrived
  std::vector<AttemptRecord> attempts;
  std::vector<ProgressRecord> progress;  // in journal order
  std::vector<DecisionRecord> decisions;
  std::vector<TournamentRecord> tournaments;  // ltfb's outcomes, in journal order
  std::vector<json> search_events;
  std::vector<RunSession> sessions;

  // Trials created and not finished: running, queued, or cut off by an interrupt.
  std::size_t unfinished() const { return created.size() - finished.size(); }
  // The latest session ended with an `end` record.
  bool ended() const { return !sessions.empty() && !sessions.back().end_reason.empty(); }
};

// Reads RUN_DIR/campaign.json and RUN_DIR/journal.jsonl; InputError names the file and line of
// anything missing or malformed.
RunHistory read_run_history(const std::filesystem::path& dir);

}  // namespace overseer
