// The best trial's errors in the report: the High Error Drug analysis of its test predictions
// (or its validation ones), as `overseer analyze errors` computes it.
#include <fmt/format.h>

#include "overseer/core/error.hpp"
#include "overseer/report/error_analysis.hpp"
#include "sections.hpp"

namespace overseer::report {

std::string errors_section(const ReportContext& c) {
  if (!c.statistics.best) return {};
  const auto trial_dir = c.history.dir / "trials" / std::to_string(c.statistics.best->id);
  std::vector<Prediction> predictions;
  std::string part;
  for (const char* candidate : {"test", "val"}) {
    try {
      predictions = read_predictions(trial_dir, candidate);
    } catch (const InputError&) {
      predictions.clear();
    }
    part = candidate;
    if (!predictions.empty()) break;
  }
  if (predictions.empty()) return {};
  const PartAnalysis p{part, analyze_errors(predictions, 10), errors_by_range(predictions, 2)};
  return note(fmt::format("The best trial's ({}) {} predictions. ", c.statistics.best->id, part) +
              kErrorsNote + " `overseer analyze errors` writes these tables as CSV.") +
         part_errors_html(p);
}

}  // namespace overseer::report
