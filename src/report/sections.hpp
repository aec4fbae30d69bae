#pragma once

// The sections of the HTML report, one per file. Each returns the HTML under its heading, or
// nothing when the run has no data for it.

#include <string>
#include <utility>
#include <vector>

#include "overseer/report/parameter_axis.hpp"
#include "overseer/report/run_statistics.hpp"

namespace overseer::report {

struct ReportContext {
  const RunHistory& history;
  const RunStatistics& statistics;
  std::vector<const TrialRecord*> succeeded;  // final status ok, in arrival order
  std::vector<ParameterAxis> parameters;      // every searched parameter with 2+ values
  std::vector<std::pair<std::string, std::string>> requested_pairs;

  const std::string& objective() const { return history.campaign.objective.metric; }
  bool minimize() const { return history.campaign.objective.mode == ObjectiveMode::Min; }
  double elapsed(double unix_seconds) const { return unix_seconds - statistics.first_start; }
};

// A whole HTML page in the report's style: `title` is escaped, `body` is HTML.
std::string html_page(const std::string& title, const std::string& body);
// An explanatory paragraph; `html` is escaped by the caller.
std::string note(const std::string& html);
// One chart's SVG in its box; charts follow each other in a `<div class="charts">`.
std::string chart(const std::string& svg);

std::string summary_section(const ReportContext& context);
std::string convergence_section(const ReportContext& context);
std::string learning_curve_section(const ReportContext& context);
std::string rung_section(const ReportContext& context);
std::string population_section(const ReportContext& context);
std::string heatmap_section(const ReportContext& context);
std::string parameter_section(const ReportContext& context);
std::string generations_section(const ReportContext& context);
std::string occupancy_section(const ReportContext& context);
std::string cmp_section(const ReportContext& context);
std::string cross_study_section(const ReportContext& context);
std::string training_size_section(const ReportContext& context);
std::string errors_section(const ReportContext& context);
std::string dag_section(const ReportContext& context);

}  // namespace overseer::report
