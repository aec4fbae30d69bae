#include <fmt/format.h>

#include "overseer/report/progress.hpp"
#include "overseer/report/status.hpp"
#include "overseer/report/svg.hpp"
#include "overseer/store/results_export.hpp"
#include "sections.hpp"

namespace overseer::report {
namespace {

std::string row(const std::string& name, const std::string& value_html) {
  return "<tr><th>" + escape(name) + "</th><td>" + value_html + "</td></tr>";
}

std::string overview(const ReportContext& c) {
  const Campaign& campaign = c.history.campaign;
  const RunStatistics& s = c.statistics;
  const std::string state_class = s.state == RunState::Running ? "running" : "";
  std::string out = "<table>";
  out +=
      row("state", "<span class=\"" + state_class + "\">" + escape(to_string(s.state)) + "</span>");
  out += row("model", escape(campaign.model.name));
  out += row("search", escape(campaign.search.algorithm));
  out += row("objective", escape(c.objective()) + (c.minimize() ? " (min)" : " (max)"));
  out += row("trials", fmt::format("{} finished of {}{}", s.finished, s.budget,
                                   s.unfinished > 0 ? fmt::format(", {} unfinished", s.unfinished)
                                                    : std::string()));
  std::string statuses;
  for (const auto& [status, count] : s.by_status) {
    statuses += fmt::format("<span class=\"{}\">{} {}</span> ", status == "ok" ? "" : "failed",
                            escape(status), count);
  }
  if (s.retried_attempts > 0) statuses += fmt::format("({} retried attempts)", s.retried_attempts);
  out += row("statuses", statuses.empty() ? "none yet" : statuses);
  out += row("wall time", escape(duration_text(s.wall_s)) +
                              fmt::format(" in {} session(s)", c.history.sessions.size()));
  out += row("workers",
             fmt::format("{}, utilization {}", s.workers, escape(percent_text(s.utilization()))));
  return out + "</table>";
}

std::string best_trial(const ReportContext& c) {
  const auto& best = c.statistics.best;
  if (!best) return note("No trial has succeeded yet.");
  std::string out =
      "<h3>" +
      escape(fmt::format("Best trial: {} = {}", c.objective(), format_number(best->result.value))) +
      "</h3><table>";
  out += row("trial", std::to_string(best->id) +
                          (best->label.empty() ? "" : " (" + escape(best->label) + ")"));
  for (const auto& item : best->params.items()) {
    out += row(item.key(), escape(param_text(item.value())));
  }
  for (const auto& [name, value] : best->result.metrics) {
    out += row("metric " + name, escape(format_number(value)));
  }
  return out + "</table>";
}

}  // namespace

std::string summary_section(const ReportContext& c) {
  return overview(c) + best_trial(c);
}

}  // namespace overseer::report
