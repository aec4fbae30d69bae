#include "overseer/store/run_history.hpp"

#include <algorithm>

#include "overseer/core/error.hpp"
#include "overseer/core/result_reader.hpp"
#include "overseer/store/journal.hpp"

namespace overseer {
namespace {

void add_record(RunHistory& h, const json& record) {
  const std::string event = record.at("event").get<std::string>();
  if (event == "start") {
    RunSession session;
    session.start = session.last = record.at("time").get<double>();
    session.ranks = record.value("ranks", 0);
    session.servers = record.value("servers", 0);
    session.host = record.value("host", "");
    h.sessions.push_back(session);
    return;
  }
  if (h.sessions.empty()) throw std::invalid_argument("a " + event + " record before any start");
  RunSession& session = h.sessions.back();
  if (event == "created") {
    const TrialId id = record.at("trial").get<TrialId>();
    if (id != static_cast<TrialId>(h.created.size())) {
      throw std::invalid_argument("trial " + std::to_string(id) + " is out of sequence");
    }
    h.created.push_back({record.at("params"), record.value("label", "")});
  } else if (event == "result") {
    AttemptRecord a{record.at("trial").get<TrialId>(), record.at("attempt").get<int>(),
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
    throw InputError(
        dir.string(), "",
        std::filesystem::exists(dir) ? "not a run directory: a file" : "no such run directory");
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
