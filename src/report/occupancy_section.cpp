#include <fmt/format.h>

#include "overseer/report/charts.hpp"
#include "overseer/report/status.hpp"
#include "overseer/report/svg.hpp"
#include "sections.hpp"

namespace overseer::report {

std::string occupancy_section(const ReportContext& c) {
  const auto curve = running_attempts(c.history);
  if (curve.empty()) return {};
  Series running{"running attempts", {}, true};
  running.points.emplace_back(0, 0);
  for (const auto& [time, count] : curve) running.points.emplace_back(c.elapsed(time), count);
  const int workers = c.statistics.workers;
  return note(fmt::format("How many trial attempts were running at each moment (retried and "
                          "failed attempts included), against the {} workers of the latest "
                          "session (dashed line). Worker utilization: {} of the available "
                          "worker time went to trials.",
                          workers, escape(percent_text(c.statistics.utilization())))) +
         chart(line_chart({"worker occupancy",
                           "seconds since the campaign started",
                           "running attempts",
                           {running},
                           workers > 0 ? std::optional<double>(workers) : std::nullopt}));
}

}  // namespace overseer::report
