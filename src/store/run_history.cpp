#include "overseer/store/run_history.hpp"

#include <algorithm>

#include "overseer/core/error.hpp"
#include "overseer/store/journal.hpp"

namespace overseer {
namespace {

// Builds the history from the replayed records.
class HistoryBuilder : public JournalVisitor {
 public:
  explicit HistoryBuilder(RunHistory& h) : h_(h) {}

  void on_start(const StartRecord& r) override {
    RunSession session;
    session.start = session.last = r.time;
    session.ranks = r.ranks;
    session.servers = r.servers;
    session.host = r.host;
    h_.sessions.push_back(session);
  }
  void on_created(const CreatedRecord& r) override { h_.created.push_back(r); }
  void on_attempt(const AttemptRecord& a) override {
    RunSession& session = h_.sessions.back();
    session.last = std::max(session.last, a.result.end);
    if (a.final) {
      const CreatedRecord& trial = h_.created[static_cast<std::size_t>(a.trial)];
      h_.finished.push_back(TrialRecord{a.trial, trial.label, trial.params, a.attempt, a.result});
    }
    h_.attempts.push_back(a);
  }
  void on_progress(const ProgressRecord& p) override {
    RunSession& session = h_.sessions.back();
    session.last = std::max(session.last, p.time);
    h_.progress.push_back(p);
  }
  void on_decision(const DecisionRecord& d) override { h_.decisions.push_back(d); }
  void on_search(const json& record) override {
    RunSession& session = h_.sessions.back();
    session.last = std::max(session.last, record.value("time", session.last));
    h_.search_events.push_back(record);
  }
  void on_end(const EndRecord& r) override {
    RunSession& session = h_.sessions.back();
    session.last = std::max(session.last, r.time);
    session.end_reason = r.reason;
  }

 private:
  RunHistory& h_;
};

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
  HistoryBuilder builder(h);
  replay_journal(read_journal(journal_file).records, journal_file.string(), builder);
  return h;
}

}  // namespace overseer
