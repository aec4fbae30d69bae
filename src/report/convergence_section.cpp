#include "overseer/report/charts.hpp"
#include "overseer/report/svg.hpp"
#include "sections.hpp"

namespace overseer::report {

std::string convergence_section(const ReportContext& c) {
  const auto points = convergence(c.history);
  if (c.succeeded.empty()) return {};
  Series best{"best so far", {}, true};
  Series values{"trial value", {}};
  values.line = false;
  values.markers = true;
  Series best_in_time{"best so far", {}, true};
  for (const auto& p : points) {
    best.points.emplace_back(static_cast<double>(p.trials), p.best);
    values.points.emplace_back(static_cast<double>(p.trials), p.value);
    best_in_time.points.emplace_back(c.elapsed(p.time), p.best);
  }
  const std::string by_trials = line_chart({"best so far against trials",
                                            "trials finished",
                                            c.objective(),
                                            {values, best},
                                            std::nullopt});
  const std::string by_time = line_chart({"best so far against time",
                                          "seconds since the campaign started",
                                          c.objective(),
                                          {best_in_time},
                                          std::nullopt});
  return note("The best " + escape(c.objective()) +
              " among the successful trials, after each final result in the order results "
              "arrived. Left: against the number of trials finished, with each trial's own "
              "value as a dot (failed trials have none). Right: against wall-clock time.") +
         "<div class=\"charts\">" + chart(by_trials) + chart(by_time) + "</div>";
}

}  // namespace overseer::report
