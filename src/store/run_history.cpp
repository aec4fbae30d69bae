#include "overseer/store/run_history.hpp"

#include <algorithm>
#include <map>

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
  void on_created(const CreatedRecord& r) override {
    h_.created.push_back(r);
    params_.push_back(r.params);
  }
  void on_attempt(const AttemptRecord& a) override {
    RunSession& session = h_.sessions.back();
    session.last = std::max(session.last, a.result.end);
    settle(a.trial, a.attempt, &a);
    if (a.final) {
      const CreatedRecord& trial = h_.created[static_cast<std::size_t>(a.trial)];
      h_.finished.push_back(TrialRecord{
          a.trial, trial.label, params_[static_cast<std::size_t>(a.trial)], a.attempt, a.result});
    }
    h_.attempts.push_back(a);
  }
  void on_progress(const ProgressRecord& p) override {
    settle(p.trial, p.attempt, nullptr);
    RunSession& session = h_.sessions.back();
    session.last = std::max(session.last, p.time);
    h_.progress.push_back(p);
  }
  void on_decision(const DecisionRecord& d) override {
    if (d.decision == "exploit" && d.why.contains("params")) {
      exploits_[d.trial] = {d.attempt, d.why.at("params")};
    }
    h_.decisions.push_back(d);
  }
  void on_tournament(const TournamentRecord& t) override { h_.tournaments.push_back(t); }
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
  // A pbt exploit's hyperparameters are the trial's once it was carried out.
  void settle(TrialId trial, int attempt, const AttemptRecord* result) {
    const auto exploit = exploits_.find(trial);
    if (exploit == exploits_.end()) return;
    const ExploitOutcome outcome = exploit_outcome(exploit->second.first, attempt, result);
    if (outcome == ExploitOutcome::Pending) return;
    if (outcome == ExploitOutcome::CarriedOut) {
      params_[static_cast<std::size_t>(trial)] = exploit->second.second;
    }
    exploits_.erase(exploit);
  }

  RunHistory& h_;
  std::vector<json> params_;  // by trial: the hyperparameters it trains with now
  std::map<TrialId, std::pair<int, json>> exploits_;  // pending: the attempt, the new params
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
