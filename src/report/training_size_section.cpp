// A learning curve over the training size (the learning_curve generator): each trial's
// objective against the share (or number) of training rows it had, one series per repeat, and
// the power law fitted to them, as IMPROVE's learning-curve analysis draws it.
#include <fmt/format.h>

#include <cmath>
#include <map>

#include "overseer/report/charts.hpp"
#include "overseer/report/svg.hpp"
#include "overseer/store/learning_curve.hpp"
#include "sections.hpp"

namespace overseer::report {

std::string training_size_section(const ReportContext& c) {
  if (!is_learning_curve(c.history.campaign)) return {};
  std::map<std::int64_t, Series> repeats;
  double smallest = 0, largest = 0;
  for (const TrialRecord* t : c.succeeded) {
    const double size = t->params.value("train_size", 0.0);
    if (!(size > 0)) continue;
    const std::int64_t repeat = t->params.value("train_size_seed", std::int64_t{0});
    Series& s = repeats[repeat];
    s.name = fmt::format("repeat {}", repeat);
    s.line = false;
    s.markers = true;
    s.points.emplace_back(std::log10(size), t->result.value);
    smallest = smallest == 0 ? size : std::min(smallest, size);
    largest = std::max(largest, size);
  }
  if (repeats.empty()) return {};
  std::vector<Series> series;
  for (auto& [repeat, s] : repeats) {
    std::sort(s.points.begin(), s.points.end());
    series.push_back(std::move(s));
  }
  std::string fitted = "Fewer than two sizes succeeded, so no power law is fitted.";
  if (const auto law = fit_power_law(c.history.finished)) {
    Series curve{fmt::format("{:.4g} x size^{:.3f}", law->a, law->b), {}};
    for (int i = 0; i <= 40; ++i) {
      const double x = std::log10(smallest) + (std::log10(largest) - std::log10(smallest)) * i / 40;
      curve.points.emplace_back(x, (*law)(std::pow(10.0, x)));
    }
    series.push_back(std::move(curve));
    fitted = fmt::format(
        "The fitted power law is {} &#8776; {:.4g} &#215; size<sup>{:.3f}</sup> (least squares "
        "on the logarithms).",
        escape(c.objective()), law->a, law->b);
  }
  return note("Each trial's " + escape(c.objective()) +
              " against the training size it had (a share of the training rows, or a number "
              "of rows), on the same validation and test rows; one series per repeat. " +
              fitted + " The table is in learning_curve.csv.") +
         chart(line_chart({"learning curve", "log10 of the training size", c.objective(), series,
                           std::nullopt}));
}

}  // namespace overseer::report
