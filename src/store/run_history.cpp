#include "overseer/store/run_history.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>

#include "overseer/core/error.hpp"
#include "overseer/core/result_reader.hpp"
#include "overseer/store/journal.hpp"

namespace overseer {
namespace {

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

void add_record(RunHistory& h, const json& record) {
  const std::string event = record.at("event").get<std::string>();
  if (event == "start") {
    RunSession session;
    session.start = session.last = record.at("time").get<double>();
    session.ranks = integer<int>(record, "ranks", 0);
    session.servers = integer<int>(record, "servers", 0);
    session.host = record.value("host", "");
    h.sessions.push_back(session);
    return;
  }
  if (h.sessions.empty()) throw std::invalid_argument("a " + event + " record before any start");
  RunSession& session = h.sessions.back();
  if (event == "created") {
    const TrialId id = integer<TrialId>(record, "trial");
    if (id != static_cast<TrialId>(h.created.size())) {
      throw std::invalid_argument("trial " + std::to_string(id) + " is out of sequence");
    }
    h.created.push_back({record.at("params"), record.value("label", "")});
  } else if (event == "result") {
    AttemptRecord a{integer<TrialId>(record, "trial"), integer<int>(record, "attempt"),
                    record.value("final", false), trial_result_from_json(record)};
    if (a.trial < 0 || a.trial >= static_cast<TrialId>(h.created.size())) {
      throw std::invalid_argument("result for unknown trial " + std::to_string(a.trial));
    }
    session.last = std::max(session.last, a.result.end);
    if (a.final) {
      const CreatedTrial& trial = h.created[static_cast<std::size_t>(a.trial)];
      h.finished.push_back(TrialRecord{a.trial, trial.label, trial.params, a.attempt, a.result});
    }
    h.attempts.push_back(std::move(a));
  } else if (event == "search") {
    session.last = std::max(session.last, record.value("time", session.last));
    h.search_events.push_back(record);
  } else if (event == "end") {
    session.last = std::max(session.last, record.at("time").get<double>());
    session.end_reason = record.at("reason").get<std::string>();
  }
}

}  // namespace

RunHistory read_run_history(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir)) {
    throw InputError(dir.string(), "", "no such run directory");
  }
  RunHistory h;
  h.dir = dir;
  const auto campaign_file = dir / "campaign.json";
  if (!std::filesystem::exists(campaign_file)) {
    throw InputError(dir.string(), "", "not a run directory: campaign.json is missing");
  }
  h.campaign = parse_campaign(read_json_file(campaign_file), campaign_file);
  const auto journal_file = dir / "journal.jsonl";
  if (!std::filesystem::exists(journal_file)) {
    throw InputError(dir.string(), "", "not a run directory: journal.jsonl is missing");
  }
  const JournalContents journal = read_journal(journal_file);
  for (std::size_t line = 0; line < journal.records.size(); ++line) {
    try {
      add_record(h, journal.records[line]);
    } catch (const std::exception& e) {
      throw InputError(journal_file.string() + ":" + std::to_string(line + 1), "",
                       std::string("malformed record: ") + e.what());
    }
  }
  return h;
}

}  // namespace overseer
