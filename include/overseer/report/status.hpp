#pragma once

#include <string>

#include "overseer/report/run_statistics.hpp"

namespace overseer::report {

// `overseer status`: a few lines on a running or finished campaign: what it is, its state,
// progress with an ETA while it runs, final statuses, the best trial and worker utilization.
std::string status_text(const RunHistory& history, const RunStatistics& statistics);

// The percentage with no decimals, or "-" when there is none.
std::string percent_text(const std::optional<double>& fraction);

}  // namespace overseer::report
