#include "overseer/report/charts.hpp"
#include "overseer/report/svg.hpp"
#include "overseer/store/results_export.hpp"
#include "sections.hpp"

namespace overseer::report {

std::string parameter_section(const ReportContext& c) {
  if (c.parameters.empty() || c.succeeded.empty()) return {};
  std::string charts;
  for (const ParameterAxis& axis : c.parameters) {
    ScatterChart scatter;
    scatter.title = c.objective() + " against " + axis.name();
    scatter.x_label = axis.name();
    scatter.y_label = c.objective();
    scatter.x_log = axis.log();
    if (axis.categorical()) scatter.x_categories = axis.labels();
    for (const TrialRecord* t : c.succeeded) {
      const json value = t->params.value(axis.name(), json());
      ScatterPoint p;
      if (axis.categorical()) {
        const auto bucket = axis.bucket(value);
        if (!bucket) continue;
        p.x = static_cast<double>(*bucket);
      } else {
        if (!value.is_number()) continue;
        p.x = value.get<double>();
      }
      p.y = t->result.value;
      p.tip = "trial " + std::to_string(t->id) + ": " + axis.name() + " = " + param_text(value) +
              ", " + c.objective() + " = " + format_number(p.y);
      scatter.points.push_back(std::move(p));
    }
    charts += chart(scatter_chart(scatter));
  }
  return note("Each successful trial's " + escape(c.objective()) +
              " against the value of one parameter. Categories are spread sideways a little so "
              "that equal values stay visible. Hover over a point for its trial.") +
         "<div class=\"charts\">" + charts + "</div>";
}

}  // namespace overseer::report
