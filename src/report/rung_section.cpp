#include <map>

#include <fmt/format.h>

#include "overseer/report/charts.hpp"
#include "overseer/report/svg.hpp"
#include "sections.hpp"

namespace overseer::report {

std::string rung_section(const ReportContext& c) {
  const std::vector<RungOccupancy> rungs = rung_occupancy(c.history);
  if (rungs.empty()) return {};

  std::map<std::pair<TrialId, std::int64_t>, double> value_at;  // (trial, step)
  for (const auto& curve : learning_curves(c.history)) {
    for (const auto& [step, value] : curve.points) {
      value_at[{curve.trial, static_cast<std::int64_t>(step)}] = value;
    }
  }
  // One chart per bracket: the value each trial had when it reached a rung, by rung.
  std::map<std::int64_t, ScatterChart> charts;
  std::map<std::int64_t, std::map<std::int64_t, std::size_t>> category;  // bracket: rung: x
  const bool brackets = rungs.back().bracket > 0;                        // hyperband
  for (const auto& r : rungs) {
    ScatterChart& chart = charts[r.bracket];
    if (chart.groups.empty()) {
      chart.title = brackets ? fmt::format("bracket {}", r.bracket) : "rungs";
      chart.x_label = "rung (steps)";
      chart.y_label = c.objective();
      chart.groups = {"continued", "stopped"};
    }
    category[r.bracket][r.rung] = chart.x_categories.size();
    chart.x_categories.push_back(fmt::format("{}", r.milestone));
  }
  for (const auto& d : c.history.decisions) {
    if (!d.why.contains("rung")) continue;
    const std::int64_t bracket = d.why.value("bracket", std::int64_t{0});
    const auto value = value_at.find({d.trial, d.step});
    if (value == value_at.end()) continue;
    const bool stop = d.decision == "stop";
    charts[bracket].points.push_back(
        {static_cast<double>(category[bracket][d.why.at("rung").get<std::int64_t>()]),
         value->second, stop ? 1u : 0u,
         fmt::format("trial {} at step {}: {} ({})", d.trial, d.step, format_number(value->second),
                     d.decision)});
  }

  std::string table =
      "<table><tr><th>bracket</th><th>rung</th><th>steps</th><th>reached</th>"
      "<th>continued</th><th>stopped</th></tr>";
  for (const auto& r : rungs) {
    table += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", r.bracket,
        r.rung, r.milestone, r.reached, r.continued, r.reached - r.continued);
  }
  table += "</table>";
  std::string out =
      note("Each trial's " + escape(c.objective()) +
           " when it reached a rung of the scheduler, and the scheduler's decision there: a "
           "trial continues when it is among the best 1/reduction_factor of its rung so far "
           "(docs/schedulers.md).") +
      "<div class=\"charts\">";
  for (const auto& [bracket, chart] : charts) out += report::chart(scatter_chart(chart));
  return out + "</div>" + table;
}

}  // namespace overseer::report
