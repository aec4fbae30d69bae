#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "overseer/report/charts.hpp"
#include "overseer/report/svg.hpp"
#include "sections.hpp"

namespace overseer::report {
namespace {

// How a comparison run names the two submodels' metrics: M0's `val_loss` as `m0_val_loss`,
// M1's as `m1_val_loss`.
constexpr const char* kSubmodelPrefix[2] = {"m0_", "m1_"};

// Metrics that both submodels report, without their prefixes, in name order.
std::vector<std::string> compared_metrics(const std::vector<const TrialRecord*>& trials) {
  std::vector<std::string> names;
  const std::string m0 = kSubmodelPrefix[0], m1 = kSubmodelPrefix[1];
  for (const TrialRecord* t : trials) {
    for (const auto& [name, value] : t->result.metrics) {
      if (name.rfind(m0, 0) != 0) continue;
      const std::string base = name.substr(m0.size());
      if (t->result.metrics.count(m1 + base) &&
          std::find(names.begin(), names.end(), base) == names.end()) {
        names.push_back(base);
      }
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

// (M1 - M0) relative to the larger magnitude: 0 where they agree, +-1 at most.
double relative_difference(double m0, double m1) {
  const double scale = std::max(std::abs(m0), std::abs(m1));
  return scale > 0 ? (m1 - m0) / scale : 0;
}

std::string metric_charts(const ReportContext& c, const std::string& metric) {
  const std::string name0 = kSubmodelPrefix[0] + metric, name1 = kSubmodelPrefix[1] + metric;
  ScatterChart values;
  values.title = "M0 against M1: " + metric;
  values.x_label = name0;
  values.y_label = name1;
  values.diagonal = true;
  ScatterChart differences;
  differences.title = "relative difference of " + metric;
  differences.x_label = "trial";
  differences.y_label = "(M1 - M0) / max(|M0|, |M1|)";
  double sum = 0;
  std::size_t n = 0;
  for (const TrialRecord* t : c.succeeded) {
    const auto& m = t->result.metrics;
    const auto a = m.find(name0), b = m.find(name1);
    if (a == m.end() || b == m.end() || !std::isfinite(a->second) || !std::isfinite(b->second)) {
      continue;
    }
    const double rd = relative_difference(a->second, b->second);
    const std::string tip =
        fmt::format("trial {}: {} {}, {} {}, relative difference {}", t->id, name0,
                    format_number(a->second), name1, format_number(b->second), format_number(rd));
    values.points.push_back({a->second, b->second, 0, tip});
    differences.points.push_back({static_cast<double>(t->id), rd, 0, tip});
    sum += std::abs(rd);
    ++n;
  }
  if (n == 0) return {};
  return "<h3>" + escape(metric) + "</h3>" +
         note(fmt::format("{} trials; mean absolute relative difference {}.", n,
                          format_number(sum / static_cast<double>(n)))) +
         "<div class=\"charts\">" + chart(scatter_chart(values)) +
         chart(scatter_chart(differences)) + "</div>";
}

}  // namespace

std::string cmp_section(const ReportContext& c) {
  std::string body;
  for (const auto& metric : compared_metrics(c.succeeded)) body += metric_charts(c, metric);
  if (body.empty()) return {};
  return note(fmt::format("Each trial evaluated two models, M0 and M1, on the same "
                          "hyperparameters (metrics {}NAME and {}NAME). Left: M1's value "
                          "against M0's; points off the dashed diagonal are where they "
                          "disagree. Right: their relative difference per trial. The heatmaps "
                          "above show where in the parameter space the objective, their "
                          "difference, is largest.",
                          kSubmodelPrefix[0], kSubmodelPrefix[1])) +
         body;
}

}  // namespace overseer::report
