#include "overseer/store/journal_records.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>

#include "overseer/core/error.hpp"
#include "overseer/core/result_reader.hpp"

namespace overseer {
namespace {

// Record members are built one by one: initializer lists deep-copy every value, and the master
// writes a created record per trial.
json record_of(const char* event) {
  json record = json::object();
  record["event"] = event;
  return record;
}

// The integer member `key`, or `fallback` when there is none: nlohmann's get<Int>() would cast
// any number, and casting a double beyond Int's range is undefined behaviour.
template <typename Int>
Int integer(const json& record, const char* key, std::optional<Int> fallback = std::nullopt) {
  if (fallback && !record.contains(key)) return *fallback;
  const json& v = record.at(key);
  using Limits = std::numeric_limits<Int>;
  const bool fits = v.is_number_unsigned()
                        ? v.get<std::uint64_t>() <= static_cast<std::uint64_t>(Limits::max())
                        : v.is_number_integer() && v.get<std::int64_t>() >= Limits::min() &&
                              v.get<std::int64_t>() <= Limits::max();
  if (!fits) {
    throw std::invalid_argument(std::string("\"") + key + "\" must be an integer from " +
                                std::to_string(Limits::min()) + " to " +
                                std::to_string(Limits::max()));
  }
  return v.is_number_unsigned() ? static_cast<Int>(v.get<std::uint64_t>())
                                : static_cast<Int>(v.get<std::int64_t>());
}

// Checks the order of records and turns each into its type.
class Replay {
 public:
  explicit Replay(JournalVisitor& visitor) : visitor_(visitor) {}

  void add(const json& record) {
    const std::string event = record.at("event").get<std::string>();
    if (event == "start") {
      started_ = true;
      visitor_.on_start(
          StartRecord{record.at("time").get<double>(), record.at("hash").get<std::string>(),
                      record.value("resumed", false), integer<int>(record, "ranks", 0),
                      integer<int>(record, "servers", 0), record.value("host", "")});
      return;
    }
    if (!started_) throw std::invalid_argument("a " + event + " record before any start record");
    if (event == "created") {
      const TrialId id = integer<TrialId>(record, "trial");
      if (id != static_cast<TrialId>(finished_.size())) {
        throw std::invalid_argument("trial " + std::to_string(id) +
                                    " is out of sequence (expected " +
                                    std::to_string(finished_.size()) + ")");
      }
      finished_.push_back(false);
      CreatedRecord created{id, record.at("params"), record.value("label", "")};
      for (const auto& parent : record.value("parents", json::array())) {
        const auto p = parent.get<TrialId>();
        if (p < 0 || p >= id) {
          throw std::invalid_argument("trial " + std::to_string(id) + " follows trial " +
                                      std::to_string(p) + ", which was not created before it");
        }
        created.parents.push_back(p);
      }
      if (record.contains("warm_start")) {
        created.warm_start = integer<TrialId>(record, "warm_start");
        const auto& parents = created.parents;
        if (std::find(parents.begin(), parents.end(), *created.warm_start) == parents.end()) {
          throw std::invalid_argument("trial " + std::to_string(id) + " starts from trial " +
                                      std::to_string(*created.warm_start) +
                                      ", which is not one of its parents");
        }
      }
      visitor_.on_created(created);
    } else if (event == "result") {
      AttemptRecord attempt{integer<TrialId>(record, "trial"), integer<int>(record, "attempt"),
                            record.value("final", false), record.value("queued_s", 0.0),
                            trial_result_from_json(record)};
      if (attempt.trial < 0 || attempt.trial >= static_cast<TrialId>(finished_.size()) ||
          finished_[static_cast<std::size_t>(attempt.trial)]) {
        throw std::invalid_argument("result for trial " + std::to_string(attempt.trial) +
                                    ", which is unknown or already finished");
      }
      finished_[static_cast<std::size_t>(attempt.trial)] = attempt.final;
      visitor_.on_attempt(attempt);
    } else if (event == "progress") {
      const ProgressRecord progress = progress_from_json(record);
      if (progress.trial < 0 || progress.trial >= static_cast<TrialId>(finished_.size())) {
        throw std::invalid_argument("progress of trial " + std::to_string(progress.trial) +
                                    ", which is unknown");
      }
      visitor_.on_progress(progress);
    } else if (event == "decision") {
      DecisionRecord decision{integer<TrialId>(record, "trial"), integer<int>(record, "attempt"),
                              integer<std::int64_t>(record, "step"),
                              record.at("decision").get<std::string>(),
                              record.value("why", json::object())};
      if (decision.trial < 0 || decision.trial >= static_cast<TrialId>(finished_.size())) {
        throw std::invalid_argument("decision on trial " + std::to_string(decision.trial) +
                                    ", which is unknown");
      }
      visitor_.on_decision(decision);
    } else if (event == "checkpoint") {
      const CheckpointRecord checkpoint = checkpoint_from_json(record);
      if (checkpoint.trial < 0 || checkpoint.trial >= static_cast<TrialId>(finished_.size())) {
        throw std::invalid_argument("checkpoint of trial " + std::to_string(checkpoint.trial) +
                                    ", which is unknown");
      }
      visitor_.on_checkpoint(checkpoint);
    } else if (event == "tournament") {
      const TournamentRecord tournament = tournament_from_json(record);
      if (tournament.trial < 0 || tournament.trial >= static_cast<TrialId>(finished_.size())) {
        throw std::invalid_argument("tournament of trial " + std::to_string(tournament.trial) +
                                    ", which is unknown");
      }
      visitor_.on_tournament(tournament);
    } else if (event == "search") {
      visitor_.on_search(record);
    } else if (event == "end") {
      visitor_.on_end(
          EndRecord{record.at("time").get<double>(), record.at("reason").get<std::string>()});
    }
  }

 private:
  JournalVisitor& visitor_;
  bool started_ = false;
  std::vector<bool> finished_;  // by trial id
};

}  // namespace

json to_json(const StartRecord& r) {
  json record = record_of("start");
  record["time"] = r.time;
  record["hash"] = r.hash;
  record["resumed"] = r.resumed;
  record["ranks"] = r.ranks;
  record["servers"] = r.servers;
  record["host"] = r.host;
  return record;
}

json to_json(const CreatedRecord& r) {
  json record = record_of("created");
  record["trial"] = r.trial;
  record["params"] = r.params;
  if (!r.label.empty()) record["label"] = r.label;
  if (!r.parents.empty()) record["parents"] = r.parents;
  if (r.warm_start) record["warm_start"] = *r.warm_start;
  return record;
}

json to_json(const EndRecord& r) {
  json record = record_of("end");
  record["time"] = r.time;
  record["reason"] = r.reason;
  return record;
}

json to_json(const ProgressRecord& r) {
  json record = record_of("progress");
  record["trial"] = r.trial;
  record["attempt"] = r.attempt;
  record["step"] = r.step;
  record["time"] = r.time;
  json& metrics = record["metrics"] = json::object();
  for (const auto& [name, value] : r.metrics) metrics[name] = metric_to_json(value);
  return record;
}

json to_json(const DecisionRecord& r) {
  json record = record_of("decision");
  record["trial"] = r.trial;
  record["attempt"] = r.attempt;
  record["step"] = r.step;
  record["decision"] = r.decision;
  if (!r.why.empty()) record["why"] = r.why;
  return record;
}

json to_json(const CheckpointRecord& r) {
  json record = record_of("checkpoint");
  record["trial"] = r.trial;
  record["attempt"] = r.attempt;
  record["step"] = r.step;
  record["path"] = r.path;
  return record;
}

json to_json(const TournamentRecord& r) {
  json record = record_of("tournament");
  record["trial"] = r.trial;
  record["attempt"] = r.attempt;
  record["step"] = r.step;
  json& outcome = record["tournament"] = json::object();
  outcome["partner"] = r.partner;
  outcome["own"] = metric_to_json(r.own);
  outcome["partner_score"] = metric_to_json(r.partner_score);
  outcome["won"] = r.won;
  return record;
}

TournamentRecord tournament_from_json(const json& item) {
  const json& outcome = item.at("tournament");
  return TournamentRecord{
      integer<TrialId>(item, "trial"),     integer<int>(item, "attempt"),
      integer<std::int64_t>(item, "step"), integer<TrialId>(outcome, "partner"),
      metric_from_json(outcome.at("own")), metric_from_json(outcome.at("partner_score")),
      outcome.at("won").get<bool>()};
}

CheckpointRecord checkpoint_from_json(const json& item) {
  return CheckpointRecord{integer<TrialId>(item, "trial"), integer<int>(item, "attempt"),
                          integer<std::int64_t>(item, "step"), item.at("path").get<std::string>()};
}

ProgressRecord progress_from_json(const json& item) {
  ProgressRecord r{integer<TrialId>(item, "trial"),
                   integer<int>(item, "attempt"),
                   integer<std::int64_t>(item, "step"),
                   item.at("time").get<double>(),
                   {}};
  for (const auto& [name, value] : item.at("metrics").items()) {
    r.metrics[name] = metric_from_json(value);
  }
  return r;
}

ExploitOutcome exploit_outcome(int decided, int attempt, const AttemptRecord* result) {
  if (attempt > decided) return ExploitOutcome::CarriedOut;
  if (attempt < decided || result == nullptr) return ExploitOutcome::Pending;
  return !result->final && result->result.status == TrialStatus::Stopped
             ? ExploitOutcome::CarriedOut
             : ExploitOutcome::Moot;
}

json search_record(json event, double time) {
  event["event"] = "search";
  event["time"] = time;
  return event;
}

json result_head(int rank, double queued_s, bool final) {
  json head = record_of("result");
  head["rank"] = rank;
  head["queued_s"] = queued_s;
  head["final"] = final;
  return head;
}

void replay_journal(const std::vector<json>& records, const std::string& file,
                    JournalVisitor& visitor) {
  Replay replay(visitor);
  for (std::size_t line = 0; line < records.size(); ++line) {
    try {
      replay.add(records[line]);
    } catch (const json::exception& e) {
      throw InputError(file + ":" + std::to_string(line + 1), "",
                       std::string("malformed record: ") + e.what());
    } catch (const std::invalid_argument& e) {
      throw InputError(file + ":" + std::to_string(line + 1), "", e.what());
    }
  }
}

}  // namespace overseer
