#include "overseer/store/deephyper_export.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "overseer/core/csv.hpp"
#include "overseer/store/results_export.hpp"

namespace overseer {
namespace {

const char* job_status(TrialStatus status) {
  switch (status) {
    case TrialStatus::Ok:
      return "DONE";
    case TrialStatus::Stopped:
      return "CANCELLED";
    default:
      return "FAILED";
  }
}

}  // namespace

std::string deephyper_results_csv(const Campaign& campaign,
                                  const std::vector<TrialRecord>& finished) {
  const ResultColumns columns = result_columns(campaign.space, finished);
  const bool maximize = campaign.objective.mode == ObjectiveMode::Max;
  double first_start = std::numeric_limits<double>::infinity();
  for (const auto& t : finished) first_start = std::min(first_start, t.result.start);

  std::ostringstream out;
  for (const auto& p : columns.params) out << csv_field("p:" + p) << ',';
  out << "objective,job_id,job_status";
  for (const auto& m : columns.metrics) out << ',' << csv_field("m:" + m);
  out << ",m:budget,m:timestamp_start,m:timestamp_end\n";
  for (const TrialRecord* t : sorted_by_id(finished)) {
    for (const auto& p : columns.params) {
      out << csv_field(t->params.contains(p) ? param_text(t->params.at(p)) : "") << ',';
    }
    const bool valued =
        (t->result.status == TrialStatus::Ok || t->result.status == TrialStatus::Stopped) &&
        std::isfinite(t->result.value);
    out << (valued ? csv_number(maximize ? t->result.value : -t->result.value) : "F") << ','
        << t->id << ',' << job_status(t->result.status);
    for (const auto& m : columns.metrics) {
      const auto it = t->result.metrics.find(m);
      out << ',' << (it == t->result.metrics.end() ? "" : csv_number(it->second));
    }
    out << ',' << (t->result.step >= 0 ? std::to_string(t->result.step) : "") << ','
        << csv_number(t->result.start - first_start) << ','
        << csv_number(t->result.end - first_start) << '\n';
  }
  return out.str();
}

}  // namespace overseer
