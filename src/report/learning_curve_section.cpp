#include <fmt/format.h>

#include "overseer/report/charts.hpp"
#include "overseer/report/svg.hpp"
#include "sections.hpp"

namespace overseer::report {
namespace {

// More lines than this make one grey tangle and a large file; a larger run shows an evenly
// spaced sample of its trials, the best one always among them.
constexpr std::size_t kMaxCurves = 200;

}  // namespace

std::string learning_curve_section(const ReportContext& c) {
  const std::vector<LearningCurve> curves = learning_curves(c.history);
  if (curves.empty()) return {};
  const TrialId best = c.statistics.best ? c.statistics.best->id : TrialId{-1};
  const std::size_t stride = (curves.size() + kMaxCurves - 1) / kMaxCurves;

  std::vector<Series> series;
  std::size_t stopped = 0;
  for (std::size_t i = 0; i < curves.size(); ++i) {
    const LearningCurve& curve = curves[i];
    const bool is_stopped = curve.status == TrialStatus::Stopped;
    stopped += is_stopped;
    if (i % stride != 0 && curve.trial != best) continue;
    Series s{fmt::format("trial {}", curve.trial), curve.points};
    s.faded = curve.status != TrialStatus::Ok;
    s.markers = curve.points.size() == 1;  // a trial stopped at its first report has no line
    s.in_legend = curve.trial == best;
    if (curve.trial == best) s.name = fmt::format("best: trial {}", curve.trial);
    series.push_back(std::move(s));
  }
  std::string text = fmt::format(
      "{} against the step (epoch, boosting round) each trial reported, one line per trial: "
      "{} trials reported progress, {} of them were stopped early (grey, as are failed and "
      "unfinished trials).",
      escape(c.objective()), curves.size(), stopped);
  if (stride > 1) {
    text +=
        fmt::format(" Every {}th trial is drawn ({} lines), and the best.", stride, series.size());
  }
  return note(text) +
         chart(line_chart({"learning curves", "step", c.objective(), series, std::nullopt}));
}

}  // namespace overseer::report
