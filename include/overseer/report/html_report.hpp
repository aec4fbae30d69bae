#pragma once

#include <string>
#include <utility>
#include <vector>

#include "overseer/report/run_statistics.hpp"

namespace overseer::report {

struct ReportOptions {
  // Parameter pairs (x, y) to draw heatmaps of, ahead of the ones chosen automatically.
  std::vector<std::pair<std::string, std::string>> pairs;
};

// `overseer report`: one self-contained HTML page (inline CSS and SVG, no scripts, nothing
// fetched) with the summary and the charts that the run's data supports; docs/report.md
// describes each. Throws InputError for a requested pair naming an unknown parameter.
std::string html_report(const RunHistory& history, const RunStatistics& statistics,
                        const ReportOptions& options);

}  // namespace overseer::report
