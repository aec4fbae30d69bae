// pbt's and ltfb's population: whose state each trial took when (the lineage: pbt's exploits,
// ltfb's tournaments lost), and each explored hyperparameter's value over the steps of every
// trial (its schedule).
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "overseer/report/charts.hpp"
#include "overseer/report/svg.hpp"
#include "sections.hpp"

namespace overseer::report {
namespace {

struct Exploit {
  TrialId trial = 0;
  TrialId source = 0;
  std::int64_t step = 0;
  json params;
};

// Whether the exploit decided on `attempt` of `trial` was carried out (store's exploit_outcome).
bool carried_out(const RunHistory& history, TrialId trial, int attempt) {
  const auto carried = [&](int later, const AttemptRecord* result) {
    return exploit_outcome(attempt, later, result) == ExploitOutcome::CarriedOut;
  };
  return std::any_of(history.attempts.begin(), history.attempts.end(),
                     [&](const auto& a) { return a.trial == trial && carried(a.attempt, &a); }) ||
         std::any_of(history.progress.begin(), history.progress.end(), [&](const auto& p) {
           return p.trial == trial && carried(p.attempt, nullptr);
         });
}

std::vector<Exploit> exploits_of(const RunHistory& history) {
  std::vector<Exploit> out;
  for (const auto& d : history.decisions) {
    if (d.decision != "exploit" || !d.why.contains("source") || !d.why.contains("params")) continue;
    if (!carried_out(history, d.trial, d.attempt)) continue;
    out.push_back({d.trial, d.why.at("source").get<TrialId>(), d.step, d.why.at("params")});
  }
  return out;
}

// Where a trial took another's state: an exploit from another trial (an ltfb perturb keeps
// the trial's own), or an ltfb tournament the partner's weights won.
std::vector<Exploit> state_copies(const RunHistory& history, const std::vector<Exploit>& exploits) {
  std::vector<Exploit> out;
  for (const auto& e : exploits) {
    if (e.source != e.trial) out.push_back(e);
  }
  for (const auto& t : history.tournaments) {
    if (!t.won) out.push_back({t.trial, t.partner, t.step, json()});
  }
  return out;
}

}  // namespace

std::string population_section(const ReportContext& c) {
  const std::vector<Exploit> exploits = exploits_of(c.history);
  const std::vector<Exploit> copies = state_copies(c.history, exploits);
  if (copies.empty() && exploits.empty()) return {};
  std::int64_t last_step = 0;
  for (const auto& p : c.history.progress) last_step = std::max(last_step, p.step);

  // Lineage: a line per trial along the steps, and a link from the source's line to the
  // trial's at each exploit.
  std::vector<Series> lineage;
  for (const auto& created : c.history.created) {
    const auto y = static_cast<double>(created.trial);
    Series life{fmt::format("trial {}", created.trial),
                {{0, y}, {static_cast<double>(last_step), y}}};
    life.faded = true;
    life.in_legend = false;
    lineage.push_back(std::move(life));
  }
  for (const auto& e : copies) {
    Series link{fmt::format("trial {} from trial {} at step {}", e.trial, e.source, e.step),
                {{static_cast<double>(e.step), static_cast<double>(e.source)},
                 {static_cast<double>(e.step), static_cast<double>(e.trial)}}};
    link.markers = true;
    link.in_legend = false;
    lineage.push_back(std::move(link));
  }
  std::string html =
      note(fmt::format("{} copies of a trial's state: each marked link goes from the trial "
                       "whose state was copied to the trial that continued from it, at the step "
                       "of the verdict (a pbt exploit) or of the tournament (ltfb).",
                       copies.size())) +
      chart(line_chart({"lineage", "step", "trial", lineage, std::nullopt}));

  // Schedules: each numeric hyperparameter that exploits changed, held between exploits.
  for (const auto& p : c.history.campaign.space.parameters()) {
    bool changed = false;
    for (const auto& e : exploits) {
      changed = changed || (e.params.contains(p.name) && e.params.at(p.name).is_number());
    }
    if (!changed) continue;
    std::vector<Series> schedules;
    for (const auto& created : c.history.created) {
      if (!created.params.contains(p.name) || !created.params.at(p.name).is_number()) continue;
      Series s{fmt::format("trial {}", created.trial),
               {{0, created.params.at(p.name).get<double>()}}};
      s.step = true;
      s.in_legend = false;
      for (const auto& e : exploits) {
        if (e.trial == created.trial && e.params.contains(p.name) &&
            e.params.at(p.name).is_number()) {
          s.points.emplace_back(static_cast<double>(e.step), e.params.at(p.name).get<double>());
        }
      }
      s.points.emplace_back(static_cast<double>(last_step), s.points.back().second);
      schedules.push_back(std::move(s));
    }
    html +=
        chart(line_chart({p.name + " over the steps", "step", p.name, schedules, std::nullopt}));
  }
  return html;
}

}  // namespace overseer::report
