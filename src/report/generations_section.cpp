#include "overseer/core/trial.hpp"
#include "overseer/report/charts.hpp"
#include "overseer/report/svg.hpp"
#include "sections.hpp"

namespace overseer::report {

std::string generations_section(const ReportContext& c) {
  std::vector<Series> series{{"min", {}}, {"mean", {}}, {"max", {}}};
  for (auto& s : series) s.markers = true;
  for (const auto& event : c.history.search_events) {
    if (!event.contains("generation")) continue;
    const double generation = event["generation"].get<double>();
    for (auto& s : series) {
      s.points.emplace_back(generation, metric_from_json(event.value(s.name, json())));
    }
  }
  if (series.front().points.empty()) return {};
  return note(
             "The genetic algorithm's population after each generation: the smallest, mean "
             "and largest " +
             escape(c.objective()) +
             " of its members that succeeded, as journaled in its \"search\" events.") +
         chart(line_chart({"GA generations", "generation", c.objective(), series, std::nullopt}));
}

}  // namespace overseer::report
